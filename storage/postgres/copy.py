"""Moves an existing SQLite database into an empty PostgreSQL one, every row, in one transaction.

Each date's totals (`entry_days`) are rebuilt by PostgreSQL's trigger as the entries arrive, and
what the trend check kept (`trend_cache`) is left to be read again; every other table is copied
with its ids, and each identity continues after the highest id copied.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg

from storage.postgres.migrations import migrate

# Parents before the rows that refer to them; the rebuilt and re-read tables are not copied.
TABLES = (
    "users",
    "entries",
    "conversations",
    "processed_updates",
    "checks",
    "prompts",
    "function_checkins",
    "alerts",
    "outbox",
    "medicine_changes",
    "treatment_events",
)
REBUILT = ("entry_days", "trend_cache", "send_budget")
_BATCH = 1000


class NotEmptyError(Exception):
    """The PostgreSQL database already holds a diary: nothing is copied over it."""


def _clean(row: tuple[Any, ...]) -> tuple[Any, ...]:
    # A NUL an older version let into a note: PostgreSQL refuses it in text, and it says nothing.
    return tuple(v.replace("\x00", "") if isinstance(v, str) else v for v in row)


def _columns(source: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in source.execute(f"PRAGMA table_info({table})")]


def copy_database(source: sqlite3.Connection, target: psycopg.Connection[Any]) -> dict[str, int]:
    """Copy every table into the migrated, empty target; returns the rows copied per table."""
    migrate(target)
    # Every table read from one snapshot of the file, even if the bot was left running.
    source.execute("BEGIN")
    copied: dict[str, int] = {}
    with target.transaction():
        for table in TABLES:
            if target.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None:
                raise NotEmptyError(f"the PostgreSQL table {table} is not empty")
        for table in TABLES:
            columns = _columns(source, table)
            names = ", ".join(columns)
            insert = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
            rows = source.execute(f"SELECT {names} FROM {table} ORDER BY rowid")
            count = 0
            with target.cursor() as cursor:
                while batch := rows.fetchmany(_BATCH):
                    cursor.executemany(insert, [_clean(row) for row in batch])
                    count += len(batch)
            copied[table] = count
            if "id" in columns:
                # The next row gets the id after the highest copied, not 1.
                target.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
                )
    return copied
