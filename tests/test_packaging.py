"""What a regular (non-editable) install ships: every subpackage, the styles and the bundled sample."""

from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+; the package itself supports 3.10

ROOT = Path(__file__).resolve().parent.parent


def test_every_subpackage_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "rnnscope").rglob("__init__.py")}
    assert found <= listed, f"missing from [tool.setuptools] packages: {sorted(found - listed)}"
    assert "rnnscope.sample_texts" in listed


def test_styles_and_sample_are_package_data():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    styled = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "rnnscope").rglob("*.tcss")}
    assert styled == {"rnnscope.ui", "rnnscope.ui.compare", "rnnscope.ui.lessons"}
    assert all(data[package] == ["*.tcss"] for package in styled)
    assert data["rnnscope.sample_texts"] == ["*.txt", "*.abc", "*.md"] and list((ROOT / "sample_texts").glob("*.txt"))
    assert (ROOT / "sample_texts" / "irish.abc").is_file() and (ROOT / "sample_texts" / "irish.abc.LICENSE.md").is_file()
