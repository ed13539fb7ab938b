"""Files made from a user's diary: the /trend chart and the /export PDF, CSV and FHIR files.

A chart or a file is one job for a worker (bot/workers.py): it opens its own connection to
the database, reads the snapshot in one read transaction, and draws or writes from it. So the
bot's database thread is not held by a ten-year read, the bot process does not build (or send
the worker) tens of thousands of objects, and only the finished bytes come back. The renderers
are imported in the worker, never in the bot process.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.logs import quiet_noisy_loggers
from flows.clinical.schedule import local_date
from flows.clinical.trends import Assessment, Measure, SentAlert, assess_day, status_text
from flows.dialogs.transfer import ExportFormat
from flows.dialogs.trend_view import TrendPeriod, TrendSeries, trend_series
from flows.records.diary_csv import write_diary
from flows.records.fhir import fhir_bundle
from flows.records.models import CheckResult, Entry, Profile, StoredAdvice
from flows.records.report import build_report, rows_from_entries
from flows.records.treatment import MedicineChange, StoredTreatmentEvent, changes_of_period
from storage.ports import Reader, Session

# A surgeon reads a PDF; past about 50 pages of rows nobody does, and a 20,000-entry table takes
# seconds to lay out. The summary and charts still cover every entry; CSV and FHIR hold them all.
PDF_ENTRY_ROWS = 2000

# Telegram takes files of up to 50 MB from a bot; a larger one would be refused and lost.
MAX_DOCUMENT_BYTES = 50_000_000

FILE_ENDINGS = {ExportFormat.PDF: "pdf", ExportFormat.CSV: "csv", ExportFormat.FHIR: "fhir.json"}


@dataclass(frozen=True, slots=True)
class DiarySnapshot:
    """One consistent read of what a chart or an export shows."""

    profile: Profile
    language: str
    today: date
    first: date
    everything: list[Entry]
    # Every check up to today: the report details the latest, even one before the period.
    checks: list[CheckResult]
    alerts: list[SentAlert]
    advice: list[StoredAdvice]
    assessment: Assessment
    medicine_changes: list[MedicineChange]
    events: list[StoredTreatmentEvent]
    # The period asked for: the last `days` days, or None for everything.
    days: int | None = None

    @property
    def shown(self) -> list[Entry]:
        """The entries of the chosen period."""
        return [e for e in self.everything if self.first <= e.entry_date <= self.today]


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def load_snapshot(
    session: Session,
    profile: Profile,
    language: str,
    today: date,
    days: int | None,
    *,
    checks_count: bool = False,
) -> DiarySnapshot | None:
    """Read the diary for a period (None: everything); None when there is nothing in it.

    With `checks_count`, a period with symptom checks, safety advice, treatment events or
    medicine changes but no diary entry is not empty: the surgeon's report must show a red
    flag found only by /check, and an injection the patient entered before any pain score.
    """
    uid = profile.user_id
    everything = session.entries_between(uid, date.min, today)
    if not everything and not checks_count:
        return None
    zone = ZoneInfo(profile.timezone)
    # The local end of today, to the second (the outbox stores whole seconds).
    end = _day_start(today + timedelta(days=1), zone) - timedelta(seconds=1)
    checks = [c for c in session.checks(uid) if c.recorded_at.astimezone(zone).date() <= today]
    changes = [c for c in session.medicine_changes(uid) if c.changed_on <= today]
    events = session.treatment_events(uid, None, today)
    treated = [*(c.changed_on for c in changes), *(e.event_date for e in events)]
    if days is None:
        advice = session.advice_between(uid, datetime.min.replace(tzinfo=UTC), end)
        # "Everything" starts with whatever came first: a check or advice can predate the diary.
        starts = [
            *(e.entry_date for e in everything[:1]),
            *(c.recorded_at.astimezone(zone).date() for c in checks),
            *(a.decided_at.astimezone(zone).date() for a in advice),
            *(treated if not everything else ()),
        ]
        if not starts:
            return None
        first = min(starts)
    else:
        first = today - timedelta(days=days - 1)
        advice = session.advice_between(uid, _day_start(first, zone), end)
    in_period = any(e.entry_date >= first for e in everything)
    safety_in_period = any(first <= c.recorded_at.astimezone(zone).date() for c in checks) or bool(
        advice
    )
    treated_in_period = any(day >= first for day in treated)
    if not in_period and not (checks_count and (safety_in_period or treated_in_period)):
        return None
    return DiarySnapshot(
        profile=profile,
        language=language,
        today=today,
        first=first,
        everything=everything,
        checks=checks,
        alerts=session.alerts_since(uid, first),
        advice=advice,
        assessment=assess_day(everything, today, surgery_date=profile.surgery_date()),
        medicine_changes=changes,
        events=events,
        days=days,
    )


def chart_series(snapshot: DiarySnapshot) -> TrendSeries:
    """The values the pain chart draws for the snapshot's period, which ends today."""
    baselines = {s.measure: s.baseline for s in snapshot.assessment.status}
    back, leg = baselines.get(Measure.BACK), baselines.get(Measure.LEG)
    first = snapshot.first
    if snapshot.days is None and snapshot.everything:
        # The chart is of pain: "everything" starts at the first diary entry, even when a
        # symptom check came before it.
        first = min(e.entry_date for e in snapshot.everything)
    return trend_series(
        # The whole diary: the 7-day averages of the period's first days reach back before it.
        snapshot.everything,
        first,
        snapshot.today,
        baselines=(back, leg),
        alert_days=[a.day for a in snapshot.alerts],
        period=TrendPeriod.of(snapshot.days),
        medicine_changes=snapshot.medicine_changes,
        treatment_events=snapshot.events,
    )


def draw_chart(series: TrendSeries, language: str) -> bytes:
    """The /trend chart as PNG bytes (runs in a worker)."""
    from bot.charts import render_trend_png

    return render_trend_png(series, language)


def make_file(
    snapshot: DiarySnapshot,
    fmt: ExportFormat,
    now: datetime,
    bundle_id: str,
    pdf_rows: int = PDF_ENTRY_ROWS,
) -> bytes:
    """The export file's bytes (runs in a worker); a PDF lists at most `pdf_rows` entries."""
    match fmt:
        case ExportFormat.PDF:
            chart = draw_chart(chart_series(snapshot), snapshot.language)
            return _pdf(snapshot, chart, pdf_rows)
        case ExportFormat.CSV:
            return _csv(snapshot)
        case ExportFormat.FHIR:
            return _fhir(snapshot, now, bundle_id)


def _pdf(snapshot: DiarySnapshot, chart: bytes, rows: int) -> bytes:
    from bot.pdf_report import render_pdf

    report = build_report(
        profile=snapshot.profile,
        entries=snapshot.everything,
        checks=snapshot.checks,
        alerts=snapshot.alerts,
        first=snapshot.first,
        last=snapshot.today,
        language=snapshot.language,
        generated_on=snapshot.today,
        advice=snapshot.advice,
        medicine_changes=snapshot.medicine_changes,
        treatment_events=snapshot.events,
    )
    return render_pdf(report, snapshot.shown, chart, snapshot.language, entry_rows=rows)


@dataclass(frozen=True, slots=True)
class Chart:
    """A drawn /trend chart and the status lines shown with it."""

    png: bytes
    summary: str


@dataclass(frozen=True, slots=True)
class MadeFile:
    """An export file (empty when over the size limit), and what it covers."""

    name: str
    content: bytes
    size: int
    entries: int
    language: str

    @property
    def too_large(self) -> bool:
        """Whether the file was over the limit, and so is not sent."""
        return len(self.content) < self.size


def _read(
    reader: Reader, user_id: int, now: datetime, days: int | None, checks_count: bool
) -> DiarySnapshot | None:
    def work(session: Session) -> DiarySnapshot | None:
        profile = session.profile(user_id)
        if profile is None:
            return None
        today = local_date(now, profile.timezone)
        return load_snapshot(
            session, profile, profile.language, today, days, checks_count=checks_count
        )

    return reader.snapshot(work)


def read_for_chart(
    reader: Reader, user_id: int, now: datetime, days: int | None
) -> DiarySnapshot | None:
    """Read the period to chart, to the patient's local today; None when it has no entries."""
    return _read(reader, user_id, now, days, checks_count=False)


def chart_job(reader: Reader, user_id: int, now: datetime, days: int | None) -> Chart | None:
    """Read the period and draw its chart (runs in a worker); None when it has no entries."""
    quiet_noisy_loggers()
    snapshot = read_for_chart(reader, user_id, now, days)
    if snapshot is None:
        return None
    png = draw_chart(chart_series(snapshot), snapshot.language)
    return Chart(png=png, summary=status_text(snapshot.assessment, snapshot.language))


def export_job(
    reader: Reader,
    user_id: int,
    now: datetime,
    days: int | None,
    fmt: ExportFormat,
    limit: int = MAX_DOCUMENT_BYTES,
    pdf_rows: int = PDF_ENTRY_ROWS,
) -> MadeFile | None:
    """Read the period and make its export file (runs in a worker); None when it is empty.

    A file over `limit` bytes comes back empty, with its size: it is not worth sending across.
    """
    # A worker process starts with logging as the libraries leave it.
    quiet_noisy_loggers()
    snapshot = _read(reader, user_id, now, days, checks_count=True)
    if snapshot is None:
        return None
    content = make_file(snapshot, fmt, now, uuid.uuid4().hex, pdf_rows)
    return MadeFile(
        name=f"backtrack-diary-{snapshot.today.isoformat()}.{FILE_ENDINGS[fmt]}",
        content=content if len(content) <= limit else b"",
        size=len(content),
        entries=len(snapshot.shown),
        language=snapshot.language,
    )


def _csv(snapshot: DiarySnapshot) -> bytes:
    # "Everything" is everything: an injection before the first entry is part of it.
    first = None if snapshot.days is None else snapshot.first
    changes = changes_of_period(snapshot.medicine_changes, first, snapshot.today)
    events = [e for e in snapshot.events if (first is None or e.event_date >= first)]
    return write_diary(rows_from_entries(snapshot.shown), changes, events).encode("utf-8")


def _fhir(snapshot: DiarySnapshot, now: datetime, bundle_id: str) -> bytes:
    bundle = fhir_bundle(
        profile=snapshot.profile,
        entries=snapshot.shown,
        generated_at=now,
        bundle_id=bundle_id,
        checks=snapshot.checks,
        advice=snapshot.advice,
        first=snapshot.first,
        last=snapshot.today,
        medicine_changes=snapshot.medicine_changes,
        treatment_events=snapshot.events,
    )
    return json.dumps(bundle, ensure_ascii=False, indent=1).encode("utf-8")
