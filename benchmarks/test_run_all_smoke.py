"""Every benchmark runs on a tiny input and the report is written, so none of them rots."""

from __future__ import annotations

from pathlib import Path

from benchmarks import run_all


def test_make_bench_writes_every_figure_beside_its_goal(tmp_path: Path) -> None:
    out = tmp_path / "PERFORMANCE.md"
    lines: list[str] = []
    assert run_all.main(["--quick", "--out", str(out)], log=lines.append) == 0
    report = out.read_text(encoding="utf-8")
    for figure in (
        "Cost per update, BackTrack / bare",
        "A save press with a year of history",
        "patients each logging a day at once",
        "while one patient exports",
        "ConversationHandler + PicklePersistence",
        "Through the real HTTP client, webhook",
        "Due-user selection among",
        "Sustained prompt send rate",
        "Trend assessment after one new entry",
        "PDF export",
        "Peak memory (VmHWM of the bot process), idle bot",
        "Crash safety",
    ):
        assert figure in report, figure
    assert "| figure | value | goal | met |" in report
    assert lines[-1] == f"written to {out}"
