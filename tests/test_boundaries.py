"""The import table of DESIGN.md, enforced by parsing every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "flows": {"telegram", "aiosqlite", "storage", "bot", "sqlite3", "httpx", "asyncio"},
    "storage": {"telegram", "bot"},
    # The benchmarks use the tests' offline Bot API; their smoke tests live beside them.
    "tests": {"benchmarks"},
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


# The rooms of flows/ (issue 17, DESIGN.md "Rooms in the core") and what each may take from
# the others. The texts (flows.i18n, flows.locale) belong to no room. The kit is the
# vocabulary; its effects carry the diary's models and finding codes, so it takes those too.
# Clinical logic and records never know about conversations or screens; storage knows the
# diary's data, not the conversations; the dialogs may use everything.
TEXTS = ("flows.i18n", "flows.locale")
ROOMS_MAY_IMPORT: dict[str, tuple[str, ...]] = {
    "flows/kit": (
        "flows.kit",
        *TEXTS,
        "flows.records.models",
        "flows.records.treatment",
        "flows.clinical.codes",
    ),
    "flows/clinical": (
        "flows.clinical",
        *TEXTS,
        "flows.records.models",
        "flows.records.treatment",
    ),
    "flows/records": ("flows.records", "flows.clinical", *TEXTS),
    "flows/dialogs": ("flows",),
    "storage": ("storage", "flows.records", "flows.clinical"),
}


def imported_modules(path: Path) -> set[str]:
    """Every module of flows/ that a file imports, by its full name (packages left out)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from flows.dialogs import log` imports the module flows.dialogs.log.
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {n for n in found if (ROOT / f"{n.replace('.', '/')}.py").is_file()}


def _within(name: str, allowed: tuple[str, ...]) -> bool:
    return any(name == a or name.startswith(f"{a}.") for a in allowed)


@pytest.mark.parametrize("room", sorted(ROOMS_MAY_IMPORT))
def test_each_room_takes_from_the_others_only_what_it_may(room: str) -> None:
    allowed = ROOMS_MAY_IMPORT[room]
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            n for n in imported_modules(path) if not _within(n, allowed)
        )
        for path in (ROOT / room).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_room_checker_sees_a_clinical_module_reaching_into_a_dialog(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from flows.dialogs import log\nfrom flows.kit.core import Screen\n")
    found = imported_modules(bad)
    assert {n for n in found if not _within(n, ROOMS_MAY_IMPORT["flows/clinical"])} >= {
        "flows.dialogs.log",
        "flows.kit.core",
    }


# The shell talks to storage through its port; only the process's composition root, which
# opens the database, names the backend (so a second backend changes these files alone).
COMPOSITION_ROOTS = ("bot/service.py", "bot/cli.py")


def backend_imports(path: Path) -> list[str]:
    """The storage modules other than the port that a file imports."""
    return sorted(
        n
        for n in imported_modules(path)
        if _within(n, ("storage",)) and not _within(n, ("storage.ports",))
    )


def test_the_bot_reaches_storage_only_through_its_port() -> None:
    offenders = {
        str(path.relative_to(ROOT)): backend_imports(path)
        for path in (ROOT / "bot").rglob("*.py")
        if str(path.relative_to(ROOT)) not in COMPOSITION_ROOTS
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_port_checker_sees_the_backend_named_in_the_shell(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from storage.ports import Store\nfrom storage.sql.session import Session\n")
    assert backend_imports(bad) == ["storage.sql.session"]
