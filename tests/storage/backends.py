"""Each storage backend on a fresh database: SQLite always, PostgreSQL when a server is named.

BACKTRACK_TEST_POSTGRES names the server (`.ci/run` sets it); when it is set and the server
does not answer, the tests fail rather than skip. Each test gets a schema of its own, dropped
after it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from storage import ports
from storage.postgres.store import Store as PostgresStore
from storage.sqlite.db import Database
from storage.sqlite.store import Store as SqliteStore

POSTGRES = os.environ.get("BACKTRACK_TEST_POSTGRES")
BACKENDS = (
    "sqlite",
    pytest.param(
        "postgres",
        marks=pytest.mark.skipif(POSTGRES is None, reason="BACKTRACK_TEST_POSTGRES is not set"),
    ),
)


def in_schema(url: str, schema: str) -> str:
    """The server's URL with every connection's search_path set to one schema."""
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options={quote(f'-csearch_path={schema}')}"


@asynccontextmanager
async def postgres_schema() -> AsyncIterator[str]:
    """A fresh, empty schema on the test server, and the URL that works in it."""
    assert POSTGRES is not None
    schema = f"bt_{uuid.uuid4().hex[:12]}"
    # Fails (not skips) when the server named does not answer.
    with psycopg.connect(POSTGRES, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield in_schema(POSTGRES, schema)
    finally:
        with psycopg.connect(POSTGRES, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@asynccontextmanager
async def opened(kind: str, folder: Path) -> AsyncIterator[ports.Store]:
    """A migrated, empty store of the backend `kind`."""
    if kind == "sqlite":
        db = await Database.open(folder / "contract.db")
        try:
            yield SqliteStore(db)
        finally:
            await db.close()
        return
    async with postgres_schema() as url:
        store = await PostgresStore.open(url)
        try:
            yield store
        finally:
            await store.close()
