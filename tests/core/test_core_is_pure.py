"""The core stays pure: nothing in ``control_room.core`` imports an edge module, reads the
clock, sleeps, or does I/O (STYLE.md, "Ours, in short")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "control_room" / "core"
MODULES = sorted(CORE.glob("*.py"))

# Standard-library and third-party modules the core may use: data, text and time arithmetic.
ALLOWED_IMPORTS = {
    "__future__",
    "collections",
    "copy",
    "dataclasses",
    "datetime",
    "enum",
    "functools",
    "itertools",
    "math",
    "re",
    "typing",
    "typing_extensions",
    "zoneinfo",
    "pydantic",
    "ruamel",
}
# Calls that read the clock, sleep or touch the outside world (by their last name, so
# ``dt.datetime.now()`` and ``datetime.now()`` alike), and builtins that do I/O.
FORBIDDEN_METHODS = {
    "now",
    "utcnow",
    "today",
    "monotonic",
    "perf_counter",
    "sleep",
    "read_text",
    "read_bytes",
    "write_text",
    "write_bytes",
}
FORBIDDEN_NAMES = {"open", "print", "input", "time.time", "time.time_ns", "os.environ.get"}


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _imports(tree: ast.Module) -> list[tuple[int, str, int]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name, 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append((node.lineno, node.module or "", node.level))
    return found


def test_the_core_has_modules() -> None:
    names = {m.stem for m in MODULES}
    assert {"schedule", "schedule_yaml", "commands", "timeline", "document"} <= names


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_core_module_imports_only_the_core_and_pure_libraries(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    wrong = []
    for line, name, level in _imports(tree):
        if level > 0:  # relative: must stay inside the core package
            if level > 1:
                wrong.append(f"{module.name}:{line}: from {'.' * level}{name}")
            continue
        top = name.split(".")[0]
        if name.startswith("control_room.core") or top in ALLOWED_IMPORTS:
            continue
        wrong.append(f"{module.name}:{line}: import {name}")
    assert wrong == []


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_core_module_never_reads_the_clock_nor_does_io(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    wrong = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name in FORBIDDEN_NAMES or name.rsplit(".", 1)[-1] in FORBIDDEN_METHODS:
                wrong.append(f"{module.name}:{node.lineno}: {name}()")
    assert wrong == []
