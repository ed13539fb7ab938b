"""The prompt benchmark runs on a tiny input, so it never rots."""

from __future__ import annotations

from benchmarks.bench_prompts import run


def test_prompt_benchmark_runs_and_reports_its_figures() -> None:
    figures = run(scale=0.001)
    assert figures["users"] == 1000
    # A figure was measured; how fast is the benchmark's to say, never a test's.
    assert figures["due_selection_ms"] > 0
    # Counted on the wall clock, so a loaded machine can bunch two sends: the benchmark
    # reports it (docs/PERFORMANCE.md); tests/bot/test_limits.py checks the pacing itself.
    assert figures["flood_errors"] >= 0
    assert figures["send_rate_per_s"] > 0
