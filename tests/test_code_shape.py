"""The code's shape, as issue 11 set it: no module over 450 lines, no function over 80.

Small modules named for what they do and short functions are what make a stage easy to change; this
test keeps them so. Alembic revisions are exempt: each is a frozen record of one schema change,
never edited once it has landed, and splitting one would only scatter that record.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("monitors", "flows", "storage", "bench", "tests")
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 80


def _modules() -> list[Path]:
    found = [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]
    return [path for path in found if "migrations/versions" not in path.as_posix()]


def test_the_walk_finds_the_code() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in _modules()}
    assert {"flows/pipeline.py", "storage/store.py", "monitors/classify/classifier.py"} <= names


@pytest.mark.parametrize("path", _modules(), ids=lambda path: path.relative_to(ROOT).as_posix())
def test_module_and_function_sizes(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    too_long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines, from line {node.lineno})"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    lines = len(text.splitlines())
    assert lines <= MAX_MODULE_LINES, f"{lines} lines; split it by what its parts do"
    assert not too_long, "functions over 80 lines: " + ", ".join(too_long)
