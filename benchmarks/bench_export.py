"""Timing of /export on long diaries: `python -m benchmarks.bench_export`.

The goals (brief): the PDF for one year of daily entries, chart included, in under a second;
ten years must work. CSV and FHIR are timed on ten years. Figures are medians, in ms, after
one warm-up run (the bot process keeps matplotlib and the fonts' modules loaded).
"""

from __future__ import annotations

import json
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from benchmarks.bench_trends import SURGERY, synthetic_diary
from bot.pdf_report import render_pdf, report_chart_png
from flows.clinical.codes import CauseId, Finding, Tier
from flows.clinical.trends import SentAlert, replay
from flows.records.diary_csv import write_diary
from flows.records.fhir import fhir_bundle
from flows.records.models import CheckResult, Entry, Profile, Region
from flows.records.report import build_report, rows_from_entries

ONE_YEAR = 365
TEN_YEARS = 3650
T = TypeVar("T")
NOTES = (
    "Walked to the shops and back, about 2 km; stiff afterwards but settled by the evening.",
    "Bad night, woke twice with pain down the left leg. Took paracetamol at 3am.",
    "Physio exercises done. Sitting for long at work makes it worse.",
)


@dataclass(frozen=True, slots=True)
class Sample:
    """Everything /export reads for one user."""

    profile: Profile
    entries: list[Entry]
    checks: list[CheckResult]
    alerts: list[SentAlert]
    first: date
    last: date


def sample(days: int) -> Sample:
    """A daily diary of `days` days with notes, one symptom check and the alerts it caused."""
    base = synthetic_diary(days)
    entries = [
        entry.model_copy(
            update={
                "note": NOTES[i % len(NOTES)] if i % 3 == 0 else None,
                "symptoms": entry.symptoms or ((Finding.PAIN_ONE_LEG,) if i % 11 == 0 else ()),
            }
        )
        for i, entry in enumerate(base)
    ]
    profile = Profile(
        user_id=1,
        consented_at=datetime(2015, 1, 1, tzinfo=UTC),
        display_name="A. K.",
        surgery_year=SURGERY.year,
        surgery_month=SURGERY.month,
        region=Region.LUMBOSACRAL,
        levels=2,
        timezone="Europe/London",
    )
    last = entries[-1].entry_date
    check_at = datetime.combine(last - timedelta(days=days // 4), datetime.min.time(), UTC)
    checks = [
        CheckResult(
            recorded_at=check_at + timedelta(hours=18),
            days_since_surgery=profile.days_since_surgery(check_at.date()),
            findings=(Finding.PAIN_MECHANICAL, Finding.BETTER_THEN_RETURNED),
            tier=Tier.SOON,
            causes=(
                (CauseId.PSEUDARTHROSIS, 7.0),
                (CauseId.ADJACENT_SEGMENT_DISEASE, 5.0),
                (CauseId.HARDWARE_FAILURE, 4.0),
            ),
        )
    ]
    alerts = [alert.sent() for alert in replay(entries, SURGERY)]
    return Sample(profile, entries, checks, alerts, entries[0].entry_date, last)


def export_pdf(data: Sample) -> bytes:
    """What the bot does for a PDF export once the data is loaded."""
    report = build_report(
        profile=data.profile,
        entries=data.entries,
        checks=data.checks,
        alerts=data.alerts,
        first=data.first,
        last=data.last,
        language="en",
    )
    chart = report_chart_png(report, data.entries, "en")
    return render_pdf(report, data.entries, chart, "en")


def _timed(action: Callable[[], T], runs: int) -> tuple[float, T]:
    """The median time of `runs` calls in ms, after a warm-up when there are several."""
    result = action() if runs > 1 else None
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        timings.append(time.perf_counter() - start)
    assert result is not None
    return statistics.median(timings) * 1000, result


def run(scale: float = 1.0) -> dict[str, float]:
    """Time the exports on diaries of `scale` times one and ten years; figures in ms."""
    short = sample(max(30, round(ONE_YEAR * scale)))
    long = sample(max(30, round(TEN_YEARS * scale)))
    runs = 5 if scale >= 1 else 1
    report = build_report(
        profile=short.profile,
        entries=short.entries,
        checks=short.checks,
        alerts=short.alerts,
        first=short.first,
        last=short.last,
        language="en",
    )
    generated = datetime(2026, 1, 1, tzinfo=UTC)

    def fhir() -> str:
        bundle = fhir_bundle(
            profile=long.profile,
            entries=long.entries,
            generated_at=generated,
            bundle_id=str(uuid.uuid4()),
        )
        return json.dumps(bundle)

    pdf_1y, pdf = _timed(lambda: export_pdf(short), runs)
    chart_1y, chart = _timed(lambda: report_chart_png(report, short.entries, "en"), runs)
    render_1y, _ = _timed(lambda: render_pdf(report, short.entries, chart, "en"), runs)
    pdf_10y, long_pdf = _timed(lambda: export_pdf(long), max(1, runs // 2))
    csv_10y, _ = _timed(lambda: write_diary(rows_from_entries(long.entries)), runs)
    fhir_10y, _ = _timed(fhir, runs)
    return {
        "days_1y": float(len(short.entries)),
        "days_10y": float(len(long.entries)),
        "pdf_1y_ms": pdf_1y,
        "pdf_1y_chart_ms": chart_1y,
        "pdf_1y_render_ms": render_1y,
        "pdf_1y_bytes": float(len(pdf)),
        "pdf_10y_ms": pdf_10y,
        "pdf_10y_bytes": float(len(long_pdf)),
        "csv_10y_ms": csv_10y,
        "fhir_10y_ms": fhir_10y,
    }


def main() -> None:
    """Print the figures for one and ten years of daily entries."""
    figures = run(1.0)
    print(
        f"PDF, {figures['days_1y']:.0f} daily entries (report + chart + PDF), median: "
        f"{figures['pdf_1y_ms']:.0f} ms ({figures['pdf_1y_bytes'] / 1024:.0f} KiB); "
        f"of which chart {figures['pdf_1y_chart_ms']:.0f} ms, "
        f"PDF layout {figures['pdf_1y_render_ms']:.0f} ms"
    )
    print(
        f"PDF, {figures['days_10y']:.0f} daily entries, median: {figures['pdf_10y_ms']:.0f} ms "
        f"({figures['pdf_10y_bytes'] / 1024:.0f} KiB)"
    )
    print(f"CSV, {figures['days_10y']:.0f} entries, median: {figures['csv_10y_ms']:.0f} ms")
    print(
        f"FHIR bundle as JSON, {figures['days_10y']:.0f} entries, median: "
        f"{figures['fhir_10y_ms']:.0f} ms"
    )


if __name__ == "__main__":
    main()
