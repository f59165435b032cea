"""ViewState helpers and the time / unit windows that follow it."""

import numpy as np

from rnnscope.ui.render.window import steps_label, time_window, unit_window, units_label
from rnnscope.ui.view_state import UNIT_PAGE, ViewState


def test_cursor_stays_inside_the_probe():
    assert ViewState().move_cursor(-1, 10).cursor_t == 0
    assert ViewState(cursor_t=8).move_cursor(5, 10).cursor_t == 9


def test_moving_the_unit_scrolls_to_keep_it_in_view():
    view = ViewState(unit=UNIT_PAGE - 1).move_unit(1, 128)
    assert view.unit == UNIT_PAGE and view.unit_offset == 1
    assert ViewState(unit=5, unit_offset=5).move_unit(-1, 128).unit_offset == 4


def test_page_scrolling_clamps_at_both_ends():
    assert ViewState().scroll_units(-1, 128).unit_offset == 0
    assert ViewState().scroll_units(100, 128).unit_offset == 128 - UNIT_PAGE


def test_toggle_order_layer_and_clamp():
    view = ViewState(unit_offset=30).toggle_unit_order()
    assert view.unit_order == "active" and view.unit_offset == 0
    assert ViewState(layer=1).next_layer(2).layer == 0
    fitted = ViewState(cursor_t=90, unit=200, unit_offset=190, layer=2).clamp(T=64, H=32, layers=1)
    assert (fitted.cursor_t, fitted.unit, fitted.layer) == (63, 31, 0)


def test_time_window_centres_on_the_cursor_when_the_probe_is_wider():
    assert time_window(10, 5, 40) == (0, 10)
    assert time_window(100, 50, 20) == (40, 60)
    assert time_window(100, 99, 20) == (80, 100)


def test_unit_window_clamps_the_offset():
    shown, offset = unit_window(np.arange(10), 8, 4)
    assert offset == 6 and shown.tolist() == [6, 7, 8, 9]
    assert units_label("index", 6, 4, 10) == "units 6-9 of 10"


def test_a_panel_showing_part_of_the_time_steps_says_which():
    assert steps_label(*time_window(52, 0, 34), 52, 20) == " · t 0-33/52 ←→"
    assert steps_label(*time_window(52, 51, 34), 52, 20) == " · t 18-51/52 ←→"
    assert steps_label(*time_window(52, 51, 34), 52, 12) == " t 18-51/52"  # a narrow panel: shorter, never cut
    assert steps_label(*time_window(52, 51, 34), 52, 3) == ""
    assert steps_label(*time_window(21, 0, 34), 21, 20) == ""
