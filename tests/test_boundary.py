"""The architecture's promise: the core never loads Textual/Rich, the UI never loads torch."""

import pkgutil
import subprocess
import sys

import rnnscope.core
import rnnscope.ui


def _modules_loaded_by(imports: list[str]) -> set[str]:
    code = "import sys\n" + "".join(f"import {name}\n" for name in imports) + "print(' '.join(sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return {name.split(".")[0] for name in done.stdout.split()}


def _all_modules(package) -> list[str]:
    return [info.name for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]


def test_core_never_imports_textual_or_rich():
    core = _all_modules(rnnscope.core)
    assert "rnnscope.core.engine" in core and "rnnscope.core.export" in core
    loaded = _modules_loaded_by(core)
    assert "torch" in loaded  # the check can fail: it sees what was really imported
    assert not loaded & {"textual", "rich"}


def test_ui_never_imports_torch():
    ui = _all_modules(rnnscope.ui)
    assert "rnnscope.ui.app" in ui
    loaded = _modules_loaded_by(ui + ["rnnscope.cli", "rnnscope.tui", "rnnscope.frames", "rnnscope.source",
                                      "rnnscope.watch.attach", "rnnscope.timeline",  # --attach's dashboard
                                      "rnnscope.core.task_corpus"])  # a --task dashboard writes its text here
    assert "textual" in loaded
    assert "torch" not in loaded and "matplotlib" not in loaded


def test_the_first_paints_path_loads_neither_numpy_nor_torch():
    """The dashboard's process, single or compare, paints "loading…" before numpy, the panels or the engine load
    (rnnscope.ui.app)."""
    loaded = _modules_loaded_by(["rnnscope.cli", "rnnscope.tui", "rnnscope.ui.app", "rnnscope.engine_client",
                                 "rnnscope.tui_compare", "rnnscope.ui.compare_app", "rnnscope.core.pair_side"])
    assert "textual" in loaded
    assert not loaded & {"numpy", "torch"}
