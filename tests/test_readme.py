"""The README tells the truth: every dashboard key is documented, and CI runs the README's test command."""

import re
from pathlib import Path

from rnnscope.ui.keymap import ALL_KEYS, key_label

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    match = re.search(rf"^## {title}\n(.*?)(?=^## )", README, flags=re.S | re.M)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def test_every_key_is_in_the_readme():
    keys = _section("Keys")
    pages = [key_label(k) for k in ALL_KEYS if key_label(k).isdigit()]
    for entry in ALL_KEYS:
        label = key_label(entry)
        if label.isdigit():
            continue
        assert f"`{label}`" in keys, f"key {label!r} ({entry.help}) is not in the README's Keys table"
    assert f"`{min(pages)}`-`{max(pages)}`" in keys


def test_ci_runs_the_readme_test_command():
    quick_start = _section("Quick start")
    command = re.search(r"`(\.venv/bin/python -m pytest[^`]*)`", quick_start).group(1)
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(rf"^{re.escape(command)}$", ci, flags=re.M)
    make = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: .*\n\t\$\(VENV\)/bin/python -m pytest -q$", make, flags=re.M)
    assert "-c constraints-cpu.txt" in make and "make .venv/.ready" in ci
