"""The unrolled oracle is for tests and benchmarks only: no module of rnnscope imports it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "rnnscope"
ORACLE = "rnnscope.measuring.oracle_unrolled"


def _imported(path: Path) -> set[str]:
    """Every module name an import statement in `path` names (lazy ones too), relative imports made absolute."""
    package = ".".join(("rnnscope", *path.relative_to(ROOT).parent.parts))
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            names.update({module} | {f"{module}.{alias.name}" for alias in node.names})
    return names


def test_no_module_of_rnnscope_imports_the_oracle():
    importers = [str(path.relative_to(ROOT)) for path in ROOT.rglob("*.py")
                 if path.stem != "oracle_unrolled" and ORACLE in _imported(path)]
    assert (ROOT / "measuring" / "oracle_unrolled.py").is_file() and importers == []
