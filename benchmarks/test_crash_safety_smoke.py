"""The crash-safety check runs with a few kills, so it never rots."""

from __future__ import annotations

from pathlib import Path

from benchmarks.crash_safety import failed, run


def test_killed_writers_lose_no_acknowledged_write(tmp_path: Path) -> None:
    figures = run(kills=3, folder=tmp_path, seed=3)
    assert figures["kills"] == 3
    assert figures["acknowledged"] > 0
    assert figures["found"] == figures["acknowledged"]
    assert figures["lost"] == 0
    assert figures["integrity_failures"] == 0
    assert not failed(figures)
