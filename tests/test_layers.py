"""The folders' layering: which folder may import which, in one table, counting imports inside functions too; and no
folder cycle."""

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "rnnscope"

# Folder (or top-level module: cli, startup, ...) -> the folders and top-level modules it may import, at module
# level or inside a function. The one place to change.
ALLOWED = {
    "cells": set(),
    "contracts": {"cells"},
    "storage": {"cells", "contracts"},
    "training": {"cells", "contracts", "storage"},  # the pieces of training: model, data, trainer, histories
    "measuring": {"cells", "contracts", "training"},
    "units": {"cells", "contracts"},  # a hook on the engine's surface (contracts.engine_surface), not the engine
    "lessons": {"contracts", "storage"},  # the catalog, checks and tracker; run by runner.lesson_headless
    "exporting": {"cells", "contracts", "storage", "lessons"},
    "music": {"contracts", "storage", "exporting"},  # exporting: quiet_matplotlib, for piano-roll.png at an export
    "engine": {"cells", "contracts", "storage", "training", "measuring", "exporting", "music", "units"},
    "compare": {"contracts", "storage", "training", "exporting", "engine"},  # the pairing, its figure, its options
    "serve": {"contracts", "startup"},
    "ui": {"cells", "contracts", "storage", "lessons", "compare", "music", "serve", "startup"},
    "runner": {"cells", "contracts", "storage", "training", "exporting", "lessons", "compare", "engine", "ui", "units",
               "startup", "cli_args"},
    "watch": {"cells", "contracts", "storage", "measuring", "runner", "ui", "units"},
    "integrations": set(),  # the callbacks take a Scope the caller made
    "__init__": {"watch"},  # Scope, imported on first use
    "cli": {"cli_args", "contracts", "storage", "lessons", "compare", "runner", "serve", "watch", "startup"},
    "cli_args": {"contracts"},
    "startup": set(),
    "__main__": {"cli"},
}


def _folder(module: str) -> str | None:
    """The folder (or top-level module) `module` lives in; None outside rnnscope, or for a name of the package
    itself (rnnscope.__version__)."""
    parts = module.split(".")
    if parts[0] != "rnnscope" or len(parts) == 1:
        return None
    known = (ROOT / parts[1]).is_dir() or (ROOT / f"{parts[1]}.py").is_file()
    return parts[1] if known else None


@cache
def _imports() -> dict[str, set[str]]:
    """Folder -> the other folders its modules import, found in the source (every import statement, lazy ones too)."""
    found: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).parts
        source = relative[0] if len(relative) > 1 else path.stem
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            targets = {_folder(name) for name in names} - {None, source}
            found.setdefault(source, set()).update(targets)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one folder (Tarjan)."""
    index, low, stack, on_stack, result = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(component)

    for node in list(graph):
        if node not in index:
            visit(node)
    return result


def test_every_folder_imports_only_what_the_table_allows():
    found = _imports()
    assert "cells" in found["training"] and "ui" in found  # the check can fail: it sees the real imports
    extra = {folder: sorted(targets - ALLOWED.get(folder, set())) for folder, targets in found.items()}
    assert not {folder: targets for folder, targets in extra.items() if targets}


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]


def test_no_folder_cycle():
    assert _cycles(_imports()) == []
