"""Every panel a lesson names is on its screen: in the grid (160x48) and on a page of its own listing (100x30, where
a panel not listed would only join the last page by default); the key bar's page keys match the pages."""

import pytest

from rnnscope.lessons.catalog import LESSONS
from rnnscope.ui.compare.dashboard import COMPARE_PAGES, SIDE_PANELS
from rnnscope.ui.dashboard import PAGES
from rnnscope.ui.keymap import KEYS
from rnnscope.ui.panels import ALL_PANELS
from rnnscope.ui.panels.loss_overlay import LossOverlayPanel

SCREENS = {
    "single": ({panel.title for panel in ALL_PANELS}, PAGES),
    "compare": ({panel.title for panel in SIDE_PANELS} | {LossOverlayPanel.title}, COMPARE_PAGES),
}


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.name)
def test_every_panel_a_lesson_names_is_in_its_grid_and_on_a_page(lesson):
    titles, pages = SCREENS["compare" if lesson.compare else "single"]
    paged = {title for _, listed in pages for title in listed}
    for named in lesson.look_at:
        assert named in titles, f"{lesson.name}: {named!r} is not on its screen at 160x48"
        assert named in paged, f"{lesson.name}: {named!r} is on no page at 100x30"


def test_the_page_keys_match_the_pages_of_both_screens():
    page_keys = [key for key in KEYS if key.action.startswith("page(")]
    shown = next(key.footer_key for key in page_keys if key.footer_key)
    for _, pages in SCREENS.values():
        assert len(pages) == len(page_keys) and shown == f"1-{len(pages)}"
    assert any("gradient norms" in listed for _, listed in COMPARE_PAGES)  # the clipping lesson's panel, per run
