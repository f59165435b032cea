"""Palettes per colour system and the half-block heatmap built from them."""

import numpy as np
import pytest

from rnnscope.ui.render.heatmap import colour_bar, heatmap_rows, percentile, value_range
from rnnscope.ui.render.palette import (
    DIVERGING,
    EIGHT_BIT,
    SEQUENTIAL,
    STANDARD,
    TRUECOLOR,
    UPPER_HALF,
    luminance,
    palette_for,
)


def swatch_luminance(palette):
    return [luminance(s.style.bgcolor.get_truecolor()) for s in palette.swatches]


@pytest.mark.parametrize("system", [TRUECOLOR, EIGHT_BIT])
def test_sequential_palette_brightens_monotonically(system):
    lum = swatch_luminance(palette_for(SEQUENTIAL, system))
    assert all(b >= a for a, b in zip(lum, lum[1:]))
    assert lum[-1] > lum[0] + 100


@pytest.mark.parametrize("system", [TRUECOLOR, EIGHT_BIT])
def test_diverging_palette_is_darkest_at_zero_and_brightens_outwards(system):
    palette = palette_for(DIVERGING, system)
    lum = swatch_luminance(palette)
    centre = palette.levels // 2
    assert all(b >= a for a, b in zip(lum[centre:], lum[centre + 1 :]))
    assert all(a >= b for a, b in zip(lum[:centre], lum[1 : centre + 1]))
    assert palette.quantize(np.array([0.0]), -1.0, 1.0)[0] == centre


def test_256_palette_uses_xterm_numbers_without_collapsing_into_few_bands():
    palette = palette_for(SEQUENTIAL, EIGHT_BIT)
    numbers = [s.style.bgcolor.number for s in palette.swatches]
    assert all(16 <= n <= 255 for n in numbers)
    assert len(set(numbers)) >= 10


def test_standard_palette_uses_shade_characters_one_row_per_line():
    palette = palette_for(DIVERGING, STANDARD)
    assert palette.rows_per_line == 1
    assert [s.text for s in palette.cells] == list("█▓▒░ ░▒▓█")
    rows = heatmap_rows(np.array([[-1.0, 0.0, 1.0]]), -1.0, 1.0, palette)
    assert "".join(s.text for s in rows[0]) == "█ █"
    assert rows[0][0].style.color.name == "bright_blue" and rows[0][2].style.color.name == "bright_red"


def test_quantize_clips_and_sends_nan_to_the_bottom():
    palette = palette_for(SEQUENTIAL, TRUECOLOR)
    levels = palette.quantize(np.array([-5.0, 0.0, 0.5, 1.0, 7.0, np.nan]), 0.0, 1.0)
    assert levels.tolist() == [0, 0, palette.levels // 2, palette.levels - 1, palette.levels - 1, 0]


def test_half_blocks_pair_two_rows_per_line_upper_in_fg_lower_in_bg():
    palette = palette_for(SEQUENTIAL, TRUECOLOR)
    values = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])  # 3 rows -> 2 lines, the last half empty
    lines = heatmap_rows(values, 0.0, 1.0, palette)
    assert len(lines) == 2 and all(len(line) == 2 for line in lines)
    low, high = palette.swatches[0].style.bgcolor, palette.swatches[-1].style.bgcolor
    first = lines[0][0]
    assert first.text == UPPER_HALF and first.style.color == low and first.style.bgcolor == high
    assert lines[0][1].style.color == high and lines[0][1].style.bgcolor == low
    assert lines[1][0].style.color == high and lines[1][0].style.bgcolor is None


def test_value_range_is_symmetric_for_diverging_data():
    lo, hi = value_range(np.array([-0.5, 2.0]), DIVERGING)
    assert lo == -hi and 1.9 < hi <= 2.0


def test_diverging_range_ignores_a_few_outliers():
    values = np.concatenate([np.linspace(-1, 1, 1000), [25.0]])  # one huge cell-state entry
    lo, hi = value_range(values, DIVERGING)
    assert lo == -hi and hi < 1.5  # the bulk keeps its colours; the outlier saturates
    assert value_range(np.array([0.2, 0.7]), SEQUENTIAL) == (0.2, 0.7)
    assert value_range(np.array([np.nan]), DIVERGING) == (-1.0, 1.0)


def test_percentile_is_numpys_to_the_last_bit():
    rng = np.random.default_rng(0)
    for n in (1, 2, 3, 7, 64, 101, 2080, 8192):
        for values in (np.abs(rng.normal(size=n)), np.abs(rng.standard_cauchy(n)), np.round(rng.uniform(0, 9, n), 1)):
            for q in (0, 1, 50, 95, 99, 99.9, 100):
                assert percentile(values, q) == float(np.percentile(values, q)), (n, q)


def test_quantize_sends_nan_and_infinities_to_the_ends():
    palette = palette_for(DIVERGING, TRUECOLOR)
    levels = palette.quantize(np.array([np.nan, -np.inf, np.inf, -5.0, 0.0, 5.0]), -1.0, 1.0).tolist()
    assert levels == [0, 0, palette.levels - 1, 0, palette.levels // 2, palette.levels - 1]


def test_colour_bar_runs_from_lowest_to_highest_level():
    palette = palette_for(SEQUENTIAL, TRUECOLOR)
    bar = colour_bar(palette, 6)
    assert len(bar) == 6 and bar[0] == palette.swatches[0] and bar[-1] == palette.swatches[-1]
