"""The queries' `?` and `?N` placeholders in psycopg's terms, on one psycopg connection."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import psycopg

_NUMBERED = re.compile(r"\?(\d+)")


@lru_cache(maxsize=512)
def translated(sql: str) -> tuple[str, bool]:
    """The statement with psycopg's placeholders, and whether they are numbered (named)."""
    # A literal % would read as a placeholder to psycopg; the queries write none, but a note
    # never reaches SQL text (values are always parameters), so only the statement is escaped.
    text = sql.replace("%", "%%")
    if _NUMBERED.search(text):
        return _NUMBERED.sub(lambda m: f"%(p{m.group(1)})s", text), True
    return text.replace("?", "%s"), False


def _bound(numbered: bool, parameters: Sequence[Any]) -> Sequence[Any] | dict[str, Any]:
    if numbered:
        return {f"p{i}": value for i, value in enumerate(parameters, start=1)}
    return parameters


class Translated:
    """A psycopg connection that runs the `storage.sql` queries as sqlite3 would."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.raw = conn

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> psycopg.Cursor[Any]:
        """Run one statement."""
        text, numbered = translated(sql)
        return self.raw.execute(text, _bound(numbered, parameters))

    def executemany(
        self, sql: str, seq_of_parameters: Iterable[Sequence[Any]], /
    ) -> psycopg.Cursor[Any]:
        """Run one statement once for each set of parameters."""
        text, numbered = translated(sql)
        cursor = self.raw.cursor()
        cursor.executemany(text, [_bound(numbered, p) for p in seq_of_parameters])
        return cursor
