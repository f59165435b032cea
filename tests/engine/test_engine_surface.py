"""The engine's public surface (rnnscope.contracts.engine_surface): the Engine has every member, and no module outside
rnnscope/engine/ uses any other attribute of an engine."""

import ast
import inspect
from pathlib import Path

from rnnscope.contracts.engine_surface import EngineSurface
from rnnscope.engine.engine import Engine
from tests.core_fixtures import tiny_engine

ROOT = Path(__file__).resolve().parents[2] / "rnnscope"
ENGINE_NAMES = {"engine", "engine_a", "engine_b"}  # how the code names an engine it holds
ENGINE_MAPS = {"sides", "engines"}  # ... and the runs a pair or a lesson holds, by side (`pair.sides["a"]`)


def _members() -> set[str]:
    declared = set(EngineSurface.__annotations__)  # its attributes
    return declared | {name for name, _ in inspect.getmembers(EngineSurface) if not name.startswith("_")}


def _uses(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, attribute) for every attribute read or written on a name that holds an engine (`engine.x`,
    `self.engine.x`, `pair.sides["a"].x`)."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        held = node.value
        if isinstance(held, ast.Name) and held.id in ENGINE_NAMES:
            found.append((node.lineno, node.attr))
        elif isinstance(held, ast.Attribute) and held.attr == "engine" and isinstance(held.value, ast.Name):
            found.append((node.lineno, node.attr))
        elif isinstance(held, ast.Subscript) and getattr(held.value, "attr", None) in ENGINE_MAPS:
            found.append((node.lineno, node.attr))
    return found


def test_the_engine_has_every_member_of_its_surface(tmp_path):
    engine = tiny_engine(tmp_path)
    missing = sorted(name for name in _members() if not hasattr(engine, name))
    assert not missing and "status" in _members() and "budget" in _members()


def test_nothing_outside_the_engine_uses_more_than_its_surface():
    surface = _members()
    outside = {}
    for path in ROOT.rglob("*.py"):
        if path.relative_to(ROOT).parts[0] == "engine":
            continue
        for line, attr in _uses(ast.parse(path.read_text(encoding="utf-8"))):
            if attr not in surface:
                outside.setdefault(f"{path.relative_to(ROOT)}:{line}", []).append(attr)
    assert not outside


def test_the_check_sees_an_engine_internal():
    tree = ast.parse("def f(engine):\n    return engine.val_history, self.engine.recent_loss, engine.status(), "
                     "pair.sides['b'].model")
    assert sorted(attr for _, attr in _uses(tree)) == ["model", "recent_loss", "status", "val_history"]
    assert "val_history" not in _members() and "recent_loss" not in _members()


def test_the_engines_own_state_is_not_on_its_surface():
    surface = _members()
    own = {name for name in vars(Engine) if not name.startswith("__")} - surface
    assert all(name.startswith("_") or name in {"validate", "refresh_memory"} for name in own), own
