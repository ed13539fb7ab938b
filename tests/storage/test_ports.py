"""The SQLite backend is held to the storage port the bot is typed against."""

from __future__ import annotations

import inspect
import pickle
from pathlib import Path

from storage import ports
from storage.sql import session as sql_session
from storage.sqlite import store as sqlite_store
from storage.sqlite.db import Database


def session_port(session: sql_session.Session) -> ports.Session:
    """mypy --strict fails here if the SQLite session leaves out or changes a port method."""
    return session


def store_port(store: sqlite_store.Store) -> ports.Store:
    """The same for the store."""
    return store


def _public(cls: type) -> set[str]:
    # The backend's Session is put together from one class per kind of query.
    own = (k for k in cls.__mro__ if k.__module__.startswith("storage."))
    return {name for k in own for name in vars(k) if not name.startswith("_")}


def test_the_port_names_every_public_method_of_the_sqlite_backend() -> None:
    # A method added to the backend but not to the port would be one the bot cannot type.
    assert _public(sql_session.Session) == _public(ports.Session)
    assert _public(sqlite_store.Store) - {"db"} == _public(ports.Store)


def test_the_ports_signatures_are_the_backends() -> None:
    for backend, port in (
        (sql_session.Session, ports.Session),
        (sqlite_store.Store, ports.Store),
    ):
        for name in _public(port):
            member = inspect.getattr_static(backend, name)
            declared = inspect.getattr_static(port, name)
            if callable(member) and callable(declared):
                got = inspect.signature(member).parameters.keys()
                assert got == inspect.signature(declared).parameters.keys(), name


async def test_a_store_on_a_real_file_serves_the_bot_through_the_port(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "port.db")
    try:
        store = store_port(sqlite_store.Store(db))
        assert await store.read(lambda s: s.profile(1)) is None
        # A file worker in another process gets the reader pickled, and reads the same file.
        reader = pickle.loads(pickle.dumps(store.reader))
        assert reader.snapshot(lambda s: s.conversation(1).seq) == 0
    finally:
        await db.close()
