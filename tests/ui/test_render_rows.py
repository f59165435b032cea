"""A bidirectional module's rows on screen: their names from the frames' meta, a backward row's flow legend, the
connectivity map's upper triangle."""

import numpy as np

from rnnscope.storage.timeline.facts import named_layers
from rnnscope.storage.timeline.reader import TimelineFrame
from rnnscope.ui.panels.heatmap_panel import layer_title
from rnnscope.ui.render.accents import DEFAULT_ACCENTS
from rnnscope.ui.render.connectivity import render_connectivity
from rnnscope.ui.render.flow import render_flow
from tests.fake_frames import make_frame


def text(line) -> str:
    return "".join(s.text for s in line)


def test_rows_are_named_from_the_meta_when_it_names_each_layer_and_numbered_otherwise():
    probe = make_frame(model="lstm", T=8, layers=2).probe

    def named(rows):
        return named_layers(TimelineFrame(entry=None, probe=probe, memory=None, meta={"rows": rows}))

    assert named(["L0 fwd", "L0 bwd"]).layer_names == ("L0 fwd", "L0 bwd")
    assert layer_title(named(["L0 fwd", "L0 bwd"]), 1) == "L0 bwd (2/2)"
    for malformed in (["L0 fwd"], ["L0", 3], "L0 fwd", ["x" * 17, "L1"], None):
        assert named(malformed).layer_names == () and layer_title(named(malformed), 1) == "layer 2/2"
    assert named(["L0\x1b[2J", "L1"]).layer_names[0] != "L0\x1b[2J"  # made visible-safe


def test_a_backward_rows_flow_legend_says_it_starts_at_the_first_position():
    layer = make_frame(model="lstm", T=8).probe.layers[0]
    forward, backward = (render_flow(layer, "x" * 9, 3, 60, 14, "truecolor", DEFAULT_ACCENTS, backward=bool(bwd))
                         for bwd in (0, 1))
    assert any("← from l_T" in text(line) for line in forward)
    assert any("from l_0 →" in text(line) for line in backward)
    assert not any("from l_T" in text(line) for line in backward)


def test_a_bidirectional_connectivity_map_fills_its_upper_triangle():
    T = 8
    causal = np.tril(np.full((T, T), 0.5, np.float32))
    full = causal + np.triu(np.full((T, T), 0.25, np.float32), 1)
    lines = {name: [text(line) for line in render_connectivity(m, "abcdefghi", 0, 40, 3 + T // 2, "truecolor",
                                                               DEFAULT_ACCENTS)]
             for name, m in (("causal", causal), ("full", full))}
    first = 1  # the legend, then the map's rows
    gutter = len("  0▸")
    assert len(lines["causal"][first].rstrip()) == gutter + 2  # targets 0 and 1 read inputs 0 and 1 only
    assert len(lines["full"][first].rstrip()) == gutter + T  # a bidirectional one's read every input
    assert "peak 0.5 at s=0" in lines["full"][-1]
