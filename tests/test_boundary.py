"""The architecture's promise, folder by folder: contracts and storage load neither side, the torch side never loads
Textual/Rich, the UI never loads torch, the first paint loads neither numpy nor torch. `cells` is split by file:
its facts (rnnscope.cells and rnnscope.cells.facts: names, gates, labels, help) load only the standard library,
since the UI, the contracts and the first paint read them; its other modules are the torch side."""

import importlib
import pkgutil
import subprocess
import sys

import pytest

TORCH_SIDE = ("rnnscope.cells", "rnnscope.training", "rnnscope.engine", "rnnscope.measuring", "rnnscope.exporting",
              "rnnscope.units")
SHARED = ("rnnscope.contracts", "rnnscope.storage", "rnnscope.music")
RUN_MODES = (".tui", ".headless", ".attach", ".cli")  # a feature's run modes: a screen, a progress bar on stderr


def _modules_loaded_by(imports: list[str]) -> set[str]:
    code = "import sys\n" + "".join(f"import {name}\n" for name in imports) + "print(' '.join(sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return {name.split(".")[0] for name in done.stdout.split()}


def _all_modules(package_name: str) -> list[str]:
    package = importlib.import_module(package_name)
    return [package_name] + [info.name for info in pkgutil.walk_packages(package.__path__, package_name + ".")]


@pytest.mark.parametrize("package", SHARED)
def test_the_shared_contracts_and_storage_load_neither_side(package):
    modules = _all_modules(package)
    assert len(modules) > 3
    loaded = _modules_loaded_by(modules)
    assert "numpy" in loaded  # the check can fail: it sees what was really imported
    assert not loaded & {"torch", "textual", "rich", "matplotlib"}


def test_the_cells_facts_load_only_the_standard_library():
    facts = ["rnnscope.cells", *_all_modules("rnnscope.cells.facts")]
    assert "rnnscope.cells.facts.lstm" in facts and "rnnscope.cells.lstm" not in facts
    loaded = _modules_loaded_by(facts + ["json"])
    assert "json" in loaded  # the check can fail: it sees what was really imported
    assert not loaded & {"numpy", "torch", "textual", "rich", "matplotlib"}


@pytest.mark.slow
def test_the_torch_side_never_imports_textual_or_rich():
    modules = [m for package in TORCH_SIDE for m in _all_modules(package)]
    feature_torch_side = [m for m in _all_modules("rnnscope.compare") + _all_modules("rnnscope.lessons")
                          + _all_modules("rnnscope.watch") if not m.endswith(RUN_MODES)]
    assert "rnnscope.engine.engine" in modules and "rnnscope.compare.engine_pair" in feature_torch_side
    runner_torch_side = ["rnnscope.runner.engine_process", "rnnscope.runner.engine_source"]
    loaded = _modules_loaded_by(modules + feature_torch_side + runner_torch_side)
    assert "torch" in loaded  # the check can fail: it sees what was really imported
    assert not loaded & {"textual", "rich"}


def test_ui_never_imports_torch():
    ui = _all_modules("rnnscope.ui")
    assert "rnnscope.ui.app" in ui and "rnnscope.ui.compare.app" in ui and "rnnscope.ui.lessons.lesson_panel" in ui
    loaded = _modules_loaded_by(ui + _all_modules("rnnscope.contracts") + _all_modules("rnnscope.storage")
                                + ["rnnscope.cli", "rnnscope.runner.tui", "rnnscope.runner.replay", "rnnscope.runner.compare_tui",
                                   "rnnscope.watch.attach",  # --attach's dashboard
                                   "rnnscope.training.task_corpus"])  # a --task dashboard writes its text here
    assert "textual" in loaded
    assert "torch" not in loaded and "matplotlib" not in loaded


def test_the_first_paints_path_loads_neither_numpy_nor_torch():
    """The dashboard's process, single or compare, paints "loading…" before numpy, the panels or the engine load
    (rnnscope.ui.app)."""
    loaded = _modules_loaded_by(["rnnscope.cli", "rnnscope.runner.tui", "rnnscope.ui.app", "rnnscope.runner.engine_client",
                                 "rnnscope.runner.compare_tui", "rnnscope.ui.compare.app", "rnnscope.compare.pair_side"])
    assert "textual" in loaded
    assert not loaded & {"numpy", "torch"}
