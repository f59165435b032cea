"""Every test runs in a temporary folder of its own, never in the checkout (which may be read-only, or under a path
with spaces): a run without --run-dir writes its ./rnnscope-runs there, and the processes a test starts import this
checkout's rnnscope (PYTHONPATH), wherever they run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _outside_the_checkout(tmp_path_factory, monkeypatch):
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
