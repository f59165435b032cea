"""Dev script (not shipped): run the dashboard on the fake source, e.g. in tmux. `--running` to train."""

from __future__ import annotations

import sys

from rnnscope.ui.app import make_app
from tests.ui.fake_source import FakeSource

if __name__ == "__main__":
    running = "--running" in sys.argv
    app = make_app(lambda: FakeSource(paused=not running, T=64, H=64, V=40), run_label="fake")
    app.run()
    sys.exit(app.return_code or 0)
