"""The figure's units page: one strip per top unit, the characters in monospace cells, a PNG."""

import numpy as np

from rnnscope.exporting.figure_units import columns_for, render_units_figure, strip_window
from tests.units.fake_units import TEXT, make_units


def test_the_strip_window_centres_the_strongest_context_and_shows_newlines():
    units = make_units(300)
    lines, values = strip_window(units, 3, rows=3, columns=50)
    assert [len(line) for line in lines] == [50, 50, 50] and values.shape == (3, 50)
    assert "⏎" in "".join(lines) and "\n" not in "".join(lines)
    strip = units.strip[:, 3].astype(float)  # [S]
    assert np.nanmax(values) == strip.max()  # the window holds the unit's strongest value
    assert "".join(lines).replace("⏎", "\n") in TEXT
    assert columns_for(10.0) == int(10 * 72 / (1233 / 2048 * 7))


def test_the_page_is_a_png(tmp_path):
    render_units_figure(make_units(300), tmp_path / "units.png", count=2)
    assert (tmp_path / "units.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
