"""The connectivity map: a lower triangle on a log scale, grouped by the maximum, the cursor's row marked."""

import numpy as np
import pytest

from rnnscope.ui.render.accents import DEFAULT_ACCENTS
from rnnscope.ui.render.connectivity import (
    LOWER_HALF,
    NOT_MEASURED,
    bucket_edges,
    bucket_max,
    render_connectivity,
)
from rnnscope.ui.render.palette import palette_for

TEXT = "abcdefghijklmnopqrstuvwxyz0123456789"


def text(line) -> str:
    return "".join(s.text for s in line)


def decaying(T: int) -> np.ndarray:
    """[t, s] = 10^-(t - s) below the diagonal, 0 above."""
    back = np.arange(T)[:, None] - np.arange(T)[None, :]
    return np.where(back >= 0, 10.0 ** -back, 0.0).astype(np.float32)


def test_groups_keep_their_largest_value_and_whole_groups_above_the_diagonal_stay_empty():
    logs = np.log10(np.where(decaying(6) > 0, decaying(6), np.nan))
    logs = np.where(np.isnan(logs), -np.inf, logs)
    assert bucket_edges(6, 8).tolist() == list(range(6)) and bucket_edges(6, 3).tolist() == [0, 2, 4]
    grouped = bucket_max(logs, bucket_edges(6, 3), bucket_edges(6, 3))
    assert grouped[:, 0].tolist() == pytest.approx([0.0, -1.0, -3.0])  # rows {0,1}, {2,3}, {4,5} against inputs {0,1}
    assert np.isneginf(grouped[0, 1]) and np.isneginf(grouped[0, 2]) and np.isneginf(grouped[1, 2])


def test_the_triangle_is_blank_above_the_diagonal_and_coloured_below():
    T = 8
    lines = render_connectivity(decaying(T), TEXT, 5, 40, 3 + T // 2, "truecolor", DEFAULT_ACCENTS)
    rows = lines[1 : 1 + T // 2]  # 2 targets per line
    for index, line in enumerate(rows):
        cells = line[2:]  # after the gutter label and the marker
        assert len(cells) == T
        upper, lower = 2 * index, 2 * index + 1  # the targets of this line
        for s, cell in enumerate(cells):
            if s > lower:
                assert cell.text == " " and cell.style is None, (index, s)
            elif s > upper:
                assert cell.text == LOWER_HALF, (index, s)  # only the lower target reaches this input
            else:
                assert cell.text == "▀" and cell.style.color is not None and cell.style.bgcolor is not None


def test_stronger_links_are_brighter_on_the_log_scale():
    lines = render_connectivity(decaying(8), TEXT, 0, 40, 7, "truecolor", DEFAULT_ACCENTS)
    last = lines[4][2:]  # targets 6 and 7: the lower half (t = 7) falls 10x per step back from s = 7
    lows = [cell.style.bgcolor.triplet for cell in last[:7]]  # s = 7 reaches t = 7 only: a lower half
    brightness = [sum(rgb) for rgb in lows]
    assert brightness == sorted(brightness) and brightness[0] < brightness[-1]
    assert "1e-07" in text(lines[0]) or "1.0e-07" in text(lines[0])  # the scale spans the data's decades


def test_the_cursor_row_is_marked_and_read_out():
    lines = render_connectivity(decaying(8), TEXT, 5, 40, 7, "truecolor", DEFAULT_ACCENTS)
    marked = [i for i, line in enumerate(lines) if line[1].text == "▸"]
    assert marked == [3]  # targets 4 and 5 share line 3
    assert lines[3][0].style == DEFAULT_ACCENTS.cursor
    assert text(lines[-2]).strip() == TEXT[:8]  # inputs s under their columns
    readout = text(lines[-1])
    assert readout.startswith("t=5 g: peak 1 at s=5") and "s=0 1.0e-05 of it" in readout


@pytest.mark.parametrize("width, height", [(20, 4), (52, 11), (160, 40), (8, 2)])
@pytest.mark.parametrize("color_system", ["truecolor", "256", "standard"])
def test_any_size_fits_and_long_probes_are_grouped(width, height, color_system):
    T = 30
    lines = render_connectivity(decaying(T), TEXT, T - 1, width, height, color_system, DEFAULT_ACCENTS)
    assert len(lines) <= height
    assert all(len(text(line)) <= max(width, 7) for line in lines)  # the gutter may exceed a tiny width
    if height >= 11 and palette_for("sequential", color_system).rows_per_line == 2:
        assert text(lines[1 + len(lines[1:-2]) - 1])[0:4].strip()  # the last map line is labelled


def test_nan_infinite_and_all_zero_rows_and_a_missing_map():
    values = decaying(6)
    values[3, 1], values[4, 2], values[5] = np.nan, np.inf, 0.0
    lines = render_connectivity(values, TEXT, 5, 40, 6, "truecolor", DEFAULT_ACCENTS)
    assert "–" in text(lines[-1])  # an all-zero row has no peak to compare with
    assert text(render_connectivity(None, TEXT, 0, 80, 5, "truecolor", DEFAULT_ACCENTS)[0]) == NOT_MEASURED


def test_a_long_probe_shows_only_its_measured_rows_and_the_cursor_reads_the_nearest_one_above():
    T = 30
    connectivity = decaying(T)
    connectivity[[t for t in range(T) if t not in (0, 10, 20, 29)]] = np.nan  # rows a long probe did not measure
    lines = render_connectivity(connectivity, TEXT, 14, 60, 3 + 4, None, DEFAULT_ACCENTS)
    labels = [text(line)[:5].strip().rstrip("▸").strip() for line in lines[1:-2]]
    assert labels == ["0", "10", "20", "29"]  # one line per measured row (one row a line without colour)
    assert "▸" in text(lines[2])  # the cursor at 14 marks row 10, the measured row at or above it
    assert text(lines[-1]).startswith("t=10")
