"""The import table of DESIGN.md, enforced by parsing every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "flows": {"telegram", "aiosqlite", "storage", "bot", "sqlite3", "httpx", "asyncio"},
    "storage": {"telegram", "bot"},
}
# flows may use only the standard library, pydantic and itself.
FLOWS_THIRD_PARTY = {"pydantic"}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_what_it_must_not(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_flows_use_only_stdlib_pydantic_and_flows() -> None:
    import sys

    allowed = set(sys.stdlib_module_names) | FLOWS_THIRD_PARTY | {"flows", "__future__"}
    for path in (ROOT / "flows").rglob("*.py"):
        extra = imported_roots(path) - allowed
        assert not extra, f"{path.relative_to(ROOT)} imports {sorted(extra)}"


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import aiosqlite\nfrom telegram.ext import Application\n")
    assert imported_roots(bad) == {"aiosqlite", "telegram"}
