"""`--serve` in a real browser: Chromium headless, driven by Playwright through the system's Chromium (its own
download is not needed). The page draws on a canvas (xterm.js), so the checks are screenshots and the app's effects."""

import io
import shutil
import time

import numpy as np
import pytest

from rnnscope.storage.timeline import TimelineWriter
from tests.fake_frames import make_frame
from tests.serve.served import children_of, served

pytest.importorskip("textual_serve")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (Debian: apt install chromium)")]
FIRST_FRAME_S = 20.0  # generous on a loaded 2-core machine; the measured time is in README (Serve to a classroom)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A run's timeline with two frames (steps 10 and 40, other values), so `,` has a past to show."""
    folder = tmp_path_factory.mktemp("served")
    writer = TimelineWriter(folder)
    for seed, step in enumerate((10, 40)):
        frame = make_frame(T=24, H=16, V=12, step=step, seed=seed)
        writer.append(frame.probe, wall_time=1000.0 + step, train_loss=3.0 - step / 100, val_loss=None, memory=None,
                      meta={"model": "lstm", "vocab": list(frame.vocab)})
    return folder


def _shot(page) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(page.screenshot())).convert("L")).astype(np.int16)  # [H, W] grey


def _drawn(page, wait_s: float = FIRST_FRAME_S) -> np.ndarray:
    """The page once the dashboard's panels are on it (a blank or one-colour page has no spread of grey)."""
    start = time.monotonic()
    while time.monotonic() - start < wait_s:
        picture = _shot(page)
        if picture.std() > 20:
            return picture
        time.sleep(0.2)
    pytest.fail(f"nothing drawn within {wait_s} s")


def _settled(page) -> np.ndarray:
    """The page once two screenshots 0.3 s apart agree (the dashboard has drawn what it had to)."""
    before = _shot(page)
    for _ in range(30):
        time.sleep(0.3)
        now = _shot(page)
        if (now != before).mean() < 0.001:
            return now
        before = now
    return now


def test_tabs_draw_the_attached_dashboard_and_answer_keys(run_dir):
    with served(run_dir) as (server, url), playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1200, "height": 760}, accept_downloads=True)
        page = context.new_page()
        assert page.goto(url.split("?")[0]).status == 403
        assert page.goto(url.replace("token=", "token=x")).status == 403
        assert children_of(server.pid) == []

        assert page.goto(url).status == 200
        page.wait_for_selector("body.-first-byte", timeout=FIRST_FRAME_S * 1000)  # the page's own "first byte"
        _drawn(page)
        live = _settled(page)
        page.click("body")  # the terminal takes keys once focused
        page.keyboard.press(",")  # review: one recorded frame back (step 10: other gates, other states)
        start = time.monotonic()  # the status line's clock alone changes < 0.1% of the pixels
        while (_shot(page) != live).mean() < 0.02 and time.monotonic() - start < FIRST_FRAME_S:
            time.sleep(0.2)
        assert (_shot(page) != live).mean() > 0.02, "`,` changed nothing on the page"

        with page.expect_download() as downloaded:  # the page opens the download in a tab; its opener gets it
            page.keyboard.press("e")  # export: the screen comes as a download, nothing is written on the server
        download = downloaded.value
        assert download.suggested_filename == "rnnscope-screen.svg"
        assert "<svg" in open(download.path(), encoding="utf-8").read(4096)
        assert not (run_dir / "attached").exists()

        second = context.new_page()
        assert second.goto(url).status == 200
        _drawn(second)
        assert _shot(page).std() > 20  # the first tab still draws
        assert len(children_of(server.pid)) == 2  # one dashboard per tab
        browser.close()
