"""Probe text, guesses, encoding, sample and heatmap blocks: what they say, and that corpus text stays safe."""

from dataclasses import replace

import numpy as np

from rnnscope.ui.render.accents import DEFAULT_ACCENTS
from rnnscope.ui.render.encoding import nearest_chars, one_hot_row, render_encoding
from rnnscope.ui.render.heat_blocks import HeatBlock, render_heat_blocks
from rnnscope.ui.render.palette import DIVERGING, SEQUENTIAL
from rnnscope.ui.render.probe_text import render_probe_text
from rnnscope.ui.render.sample import render_sample
from rnnscope.ui.render.visible_chars import visible_symbol
from rnnscope.ui.view_state import ViewState
from tests.fake_frames import make_frame

NASTY = "\x1b[31m[bold]\t\n\x07界e\u0301"


def text(line) -> str:
    return "".join(s.text for s in line)


def all_text(lines) -> str:
    return "\n".join(text(line) for line in lines)


def nasty_probe(T=None):
    T = len(NASTY) - 1 if T is None else T
    frame = make_frame(T=T, H=6, V=12)
    return frame, replace(frame.probe, text=NASTY)


def test_probe_text_colours_each_char_by_the_unit_and_highlights_the_cursor():
    frame = make_frame(T=20, H=4)
    hidden = np.zeros((20, 4))
    hidden[:, 2] = np.linspace(-1, 1, 20)
    lines = render_probe_text(frame.probe, hidden, frame.vocab, 2, 5, 40, 14, "truecolor", DEFAULT_ACCENTS)
    cells = [s for line in lines[1:2] for s in line for _ in s.text]
    assert lines[0][0].text == "unit 2 "
    first_bg, last_bg = cells[0].style.bgcolor, cells[19].style.bgcolor
    assert first_bg != last_bg  # -1 and +1 get the two ends of the diverging scale
    assert cells[5].style == DEFAULT_ACCENTS.cursor


def test_guesses_list_the_top_five_with_probabilities_and_mark_the_truth():
    frame = make_frame(T=20, H=4, V=12)
    probs = frame.probe.probs[7]
    lines = render_probe_text(frame.probe, frame.probe.layers[0].hidden, frame.vocab, 0, 7, 40, 14, "truecolor",
                              DEFAULT_ACCENTS)
    top5 = np.argsort(-probs)[:5]
    joined = all_text(lines)
    for i in top5:
        assert f"{visible_symbol(frame.vocab[i])} {probs[i]:.3f}" in joined
    assert "(t=7) true next" in joined
    truth = int(frame.probe.targets[7])
    assert ("✓ true" in joined) == (truth in top5.tolist())


def test_corpus_controls_and_markup_never_reach_the_output():
    frame, probe = nasty_probe()
    for lines in (
        render_probe_text(probe, probe.layers[0].hidden, frame.vocab, 0, 0, 30, 14, "truecolor", DEFAULT_ACCENTS),
        render_heat_blocks([HeatBlock("h", probe.layers[0].hidden, DIVERGING)], probe.text, probe.layers[0].hidden,
                           ViewState(), 30, 12, "256", DEFAULT_ACCENTS),
        render_sample(replace(frame.sample, prime=NASTY, text=NASTY), 1.0, 30, 10, DEFAULT_ACCENTS),
    ):
        out = all_text(lines)
        assert "\x1b" not in out and "\x07" not in out and "\t" not in out and "界" not in out
        assert "␛[31m[bold]⇥⏎␇" in out.replace("\n", "")


def test_sample_breaks_lines_after_newlines_and_shows_temperature():
    frame = make_frame()
    sample = replace(frame.sample, prime="ab", text="cd\nef", temperature=0.5)
    lines = render_sample(sample, 0.8, 20, 10, DEFAULT_ACCENTS)
    assert "T=0.50" in text(lines[0]) and "next T=0.80" in text(lines[0])
    assert [text(line) for line in lines[1:]] == ["abcd⏎", "ef"]
    assert lines[1][0].style == DEFAULT_ACCENTS.dim  # the prime is dimmed


def test_encoding_shows_index_one_hot_and_nearest_by_cosine():
    frame = make_frame(T=10, V=12)
    cursor = next(t for t, i in enumerate(frame.probe.ids.tolist()) if i != 3)
    index = int(frame.probe.ids[cursor])
    embedding = np.random.default_rng(1).normal(size=(12, 8))
    embedding[3] = embedding[index] * 2 + 0.01  # char 3 points the same way as the cursor's char
    probe = replace(frame.probe, embedding=embedding)
    lines = [text(line) for line in render_encoding(probe, frame.vocab, cursor, 50, "truecolor", DEFAULT_ACCENTS)]
    assert f"index {index} of 12" in lines[0]
    assert lines[1][10:].index("1") == index
    assert nearest_chars(embedding, index, 1)[0][0] == 3
    assert lines[-1][10:].startswith(visible_symbol(frame.vocab[3]))


def test_one_hot_row_windows_a_large_vocabulary():
    row = text(one_hot_row(150, 300, 21, DEFAULT_ACCENTS))
    assert len(row) == 21 and row[10] == "1" and row[0] == "…" and row[-1] == "…"


def test_heat_blocks_label_units_and_scroll():
    frame = make_frame(T=30, H=64)
    layer = frame.probe.layers[0]
    blocks = [HeatBlock("forget", layer.gates[1], SEQUENTIAL, (0.0, 1.0))]
    view = ViewState(unit_offset=10, unit=11, cursor_t=29)
    lines = render_heat_blocks(blocks, frame.probe.text, layer.hidden, view, 30, 8, "truecolor", DEFAULT_ACCENTS)
    assert text(lines[0]) == "units 10-19 of 64 t 3-29/30"  # (8 - 3) lines x 2 units; steps 3-29 of 30 fit
    assert "forget" in text(lines[1]) and "0…1" in text(lines[1])
    assert text(lines[2]).startswith("10▸")  # units 10 and 11 share the first line; 11 is selected
    axis = text(lines[-1])
    assert len(axis) == 30 and lines[-1][-2].style == DEFAULT_ACCENTS.cursor  # cursor at the right edge


def test_heat_blocks_active_order_puts_the_most_active_unit_first():
    frame = make_frame(T=10, H=8)
    hidden = np.zeros((10, 8))
    hidden[:, 5] = 0.9
    view = ViewState(unit_order="active")
    lines = render_heat_blocks([HeatBlock("h", hidden, DIVERGING)], frame.probe.text, hidden, view, 30, 8,
                               "truecolor", DEFAULT_ACCENTS)
    assert text(lines[0]).startswith("most active 1-")
    assert text(lines[2]).lstrip().startswith("5")
