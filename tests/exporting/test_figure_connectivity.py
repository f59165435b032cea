"""The exported figure's connectivity map: the triangle, its log colour range and the reasons it can be missing."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from rnnscope.contracts.frames import CONNECTIVITY_MAX_T
from rnnscope.exporting.figure_connectivity import connectivity_map, log_limits
from tests.fake_frames import fake_connectivity


def _axes():
    return Figure().add_subplot()


def test_the_map_is_the_lower_triangle_on_the_range_of_its_values():
    T = 12
    connectivity = fake_connectivity(T)  # [T, T]
    connectivity[5, 2], connectivity[6, 1], connectivity[7, 0] = 0.0, np.nan, np.inf
    image = connectivity_map(_axes(), connectivity, T)
    shown = image.get_array()  # [T, T] masked
    blank = np.triu(np.ones((T, T), dtype=bool), k=1)
    blank[6, 1] = True  # a NaN stays blank
    np.testing.assert_array_equal(np.ma.getmaskarray(shown), blank)
    below = connectivity[np.tril(np.ones((T, T), dtype=bool))]
    finite = below[np.isfinite(below) & (below > 0)]
    assert (image.norm.vmin, image.norm.vmax) == pytest.approx((finite.min(), finite.max()))
    assert shown[5, 2] == pytest.approx(finite.min())  # a zero gradient: the lowest colour, not a hole
    assert shown[7, 0] == pytest.approx(finite.max())  # an infinity: the highest
    assert shown[9, 4] == pytest.approx(connectivity[9, 4])


def test_a_flat_map_still_spans_a_decade():
    low, high = log_limits(np.full((4, 4), 0.5, dtype=np.float32))
    assert high / low == pytest.approx(10.0) and low < 0.5 < high


@pytest.mark.parametrize(("connectivity", "steps", "said"), [
    (None, CONNECTIVITY_MAX_T + 8, f"up to {CONNECTIVITY_MAX_T} steps only (this one has {CONNECTIVITY_MAX_T + 8})"),
    (None, 20, "not measured in this probe"),
    (np.full((3, 3), np.nan, dtype=np.float32), 3, "no finite gradient"),
])
def test_a_missing_map_says_why(connectivity, steps, said):
    ax = _axes()
    assert connectivity_map(ax, connectivity, steps) is None
    assert any(said in text.get_text() for text in ax.texts)
