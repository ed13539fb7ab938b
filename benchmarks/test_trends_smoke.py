"""The trend benchmark still runs (on a tiny diary, so the test stays fast)."""

from __future__ import annotations

from benchmarks import bench_trends


def test_the_benchmark_runs_on_a_tiny_diary() -> None:
    figures = bench_trends.run(0.02)
    assert figures["days"] == 73
    for key in ("after_new_entry_ms", "evaluate_only_ms", "full_replay_ms"):
        assert figures[key] > 0
