"""The export benchmark still runs (on tiny diaries, so the test stays fast)."""

from __future__ import annotations

from benchmarks import bench_export


def test_the_benchmark_runs_on_tiny_diaries() -> None:
    figures = bench_export.run(0.01)
    assert (figures["days_1y"], figures["days_10y"]) == (30, 36)
    for key in ("pdf_1y_ms", "pdf_10y_ms", "csv_10y_ms", "fhir_10y_ms", "pdf_1y_bytes"):
        assert figures[key] > 0
