"""What storage.sqlite.db.run_on_thread relies on of aiosqlite's private API, on a real file."""

from __future__ import annotations

import ast
import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest

from storage.sqlite.db import run_on_thread

STORAGE = Path(__file__).resolve().parents[2] / "storage"


@pytest.fixture
async def conn(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    """An aiosqlite connection opened as Database.open opens one."""
    connection = await aiosqlite.connect(
        tmp_path / "contract.db", isolation_level=None, check_same_thread=False
    )
    yield connection
    await connection.close()


async def test_the_callable_runs_on_the_thread_of_aiosqlites_own_calls(
    conn: aiosqlite.Connection,
) -> None:
    await conn.create_function("thread_id", 0, threading.get_ident)
    rows = list(await conn.execute_fetchall("SELECT thread_id()"))
    public = rows[0][0]
    inside = await run_on_thread(conn, lambda raw: threading.get_ident())
    assert inside == public
    assert inside != threading.get_ident()


async def test_the_callable_gets_the_sqlite3_connection_aiosqlite_queries(
    conn: aiosqlite.Connection,
) -> None:
    def mark(raw: sqlite3.Connection) -> type:
        # A temporary table is seen by its own connection only.
        raw.execute("CREATE TEMP TABLE marker (x INTEGER)")
        raw.execute("INSERT INTO marker VALUES (7)")
        return type(raw)

    kind = await run_on_thread(conn, mark)
    assert issubclass(kind, sqlite3.Connection)
    assert list(await conn.execute_fetchall("SELECT x FROM marker")) == [(7,)]


async def test_the_callables_result_and_error_come_back_as_they_are(
    conn: aiosqlite.Connection,
) -> None:
    result = object()
    assert await run_on_thread(conn, lambda raw: result) is result
    error = ValueError("from the unit of work")

    def fail(raw: sqlite3.Connection) -> None:
        raise error

    with pytest.raises(ValueError, match="from the unit of work") as raised:
        await run_on_thread(conn, fail)
    assert raised.value is error


async def test_a_call_after_close_raises_instead_of_waiting(tmp_path: Path) -> None:
    connection = await aiosqlite.connect(tmp_path / "closed.db", isolation_level=None)
    await connection.close()
    with pytest.raises((ValueError, RuntimeError)):
        await asyncio.wait_for(run_on_thread(connection, lambda raw: 1), timeout=5)


async def test_a_connector_opens_the_connection_the_callable_gets(tmp_path: Path) -> None:
    opened: list[sqlite3.Connection] = []

    def connect() -> sqlite3.Connection:
        raw = sqlite3.connect(tmp_path / "connector.db", isolation_level=None)
        opened.append(raw)
        return raw

    # Database.open opens an encrypted file so, with SQLCipher's connect as the connector.
    connection = await aiosqlite.Connection(connect, 64)
    try:
        assert await run_on_thread(connection, lambda raw: raw is opened[0]) is True
    finally:
        await connection.close()


def test_storage_touches_aiosqlites_private_names_only_in_run_on_thread() -> None:
    private = {"_execute", "_connection", "_tx", "_thread", "_running", "_connector"}
    found: set[tuple[str, str]] = set()
    for path in sorted(STORAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # Module-level functions and methods, each with what is nested inside it.
        outer = [
            *tree.body,
            *(n for c in tree.body if isinstance(c, ast.ClassDef) for n in c.body),
        ]
        for function in outer:
            if isinstance(function, ast.AsyncFunctionDef | ast.FunctionDef) and any(
                isinstance(node, ast.Attribute) and node.attr in private
                for node in ast.walk(function)
            ):
                found.add((path.name, function.name))
    assert found == {("db.py", "run_on_thread")}
