"""The PostgreSQL benchmark runs and saves every entry on both backends (figures not checked)."""

from __future__ import annotations

import pytest

from benchmarks import bench_postgres
from tests.storage.backends import POSTGRES


@pytest.mark.skipif(POSTGRES is None, reason="BACKTRACK_TEST_POSTGRES is not set")
def test_one_small_round_on_each_backend_saves_every_entry() -> None:
    assert POSTGRES is not None
    figures = bench_postgres.run(POSTGRES, users=3, latency=0.0, rounds=1)
    assert figures["users"] == 3
    assert figures["sqlite_updates_per_s"] > 0
    assert figures["postgres_updates_per_s"] > 0
