"""One day's assessment: the alerts to send and each measure's status, and the diary's replay."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from flows.clinical.trends.alerts import Alert, AlertKind, SentRecord
from flows.clinical.trends.cooldown import allowed, remember, sent_index
from flows.clinical.trends.detectors import Context, new_nerve, rapid, red_flag, sustained
from flows.clinical.trends.diary import Diary, PainRecord
from flows.clinical.trends.parameters import (
    BASELINE_DAYS,
    EPS,
    NRS_MEASURES,
    RULES,
    SENT_LOOKBACK_DAYS,
    WINDOW_DAYS,
    Measure,
    TrendRules,
    days_needed,
    rise_needed,
    settled_from,
    worse_line,
)
from flows.clinical.trends.since import NO_TREATMENT, TreatmentHistory
from flows.i18n import t


class StatusKind(StrEnum):
    """How a measure looks today; a gap in the diary is never read as 'no problem'."""

    NOT_ENOUGH_DATA = "not_enough_data"
    GAPS = "gaps"
    WORSE = "worse"
    BETTER = "better"
    NO_CLEAR_CHANGE = "no_clear_change"


class MeasureStatus(BaseModel):
    """How one measure looks today, for the summary."""

    model_config = ConfigDict(frozen=True)

    measure: Measure
    kind: StatusKind
    baseline: float | None = None
    recent: float | None = None
    logged: int = 0
    needed: int = 0
    # The days the baseline is the median of (the settled ones after an early start).
    baseline_first: date | None = None
    baseline_last: date | None = None

    def text(self, language: str) -> str:
        """One line of the summary the user reads."""
        return t(
            language,
            f"trends.status.{self.kind.value}",
            name=t(language, f"trends.name.{self.measure.value}"),
            baseline=_number(self.baseline),
            recent=_number(self.recent),
            logged=self.logged,
            needed=self.needed,
            window=WINDOW_DAYS,
        )


class Assessment(BaseModel):
    """The alerts to send now and how each measure looks today."""

    model_config = ConfigDict(frozen=True)

    day: date
    alerts: tuple[Alert, ...] = ()
    status: tuple[MeasureStatus, ...] = ()


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _status(ctx: Context, measure: Measure) -> MeasureStatus:
    base = ctx.diary.baseline_on(measure, ctx.today, ctx.settle)
    if base is None:
        first = ctx.diary.first_baseline(measure)
        logged = 0 if first is None else first.logged_by(ctx.today)
        return MeasureStatus(
            measure=measure, kind=StatusKind.NOT_ENOUGH_DATA, logged=logged, needed=BASELINE_DAYS
        )
    days = {
        "baseline_first": date.fromordinal(base.days[0]),
        "baseline_last": date.fromordinal(base.days[-1]),
    }
    recent, logged = ctx.diary.logged_mean(measure, ctx.today, WINDOW_DAYS)
    if recent is None:
        return MeasureStatus(
            measure=measure,
            kind=StatusKind.GAPS,
            baseline=base.value,
            logged=logged,
            needed=days_needed(WINDOW_DAYS),
            **days,
        )
    rise = rise_needed(measure, base.value)
    if recent >= worse_line(measure, base.value) - EPS:
        kind = StatusKind.WORSE
    elif base.value - rise > 0 and recent <= base.value - rise + EPS:
        # The same size of change in the other direction counts as better (§3.1 [I1][I3]).
        kind = StatusKind.BETTER
    else:
        kind = StatusKind.NO_CLEAR_CHANGE
    return MeasureStatus(
        measure=measure,
        kind=kind,
        baseline=base.value,
        recent=recent,
        logged=logged,
        needed=days_needed(WINDOW_DAYS),
        **days,
    )


def _peg_started(diary: Diary, today: int) -> bool:
    base = diary.first_baseline(Measure.PEG)
    return base is not None and base.days[0] <= today


def evaluate(
    diary: Diary,
    today: date,
    *,
    surgery_date: date | None = None,
    sent: Iterable[SentRecord] = (),
    rules: TrendRules = RULES,
    treatment: TreatmentHistory = NO_TREATMENT,
) -> Assessment:
    """The alerts to send on `today` (using only data up to `today`) and each measure's status."""
    return _evaluate(diary, today, surgery_date, sent, rules, treatment, with_status=True)


def alerts_on(
    diary: Diary,
    today: date,
    *,
    surgery_date: date | None = None,
    sent: Iterable[SentRecord] = (),
    rules: TrendRules = RULES,
    treatment: TreatmentHistory = NO_TREATMENT,
) -> tuple[Alert, ...]:
    """The alerts to send on `today`, without the status lines: what the bot needs after a save."""
    return _evaluate(diary, today, surgery_date, sent, rules, treatment, with_status=False).alerts


def _evaluate(
    diary: Diary,
    today: date,
    surgery_date: date | None,
    sent: Iterable[SentRecord],
    rules: TrendRules,
    treatment: TreatmentHistory,
    *,
    with_status: bool,
) -> Assessment:
    since = None if surgery_date is None else (today - surgery_date).days
    settle = settled_from(surgery_date)
    ctx = Context(
        diary=diary,
        today=today.toordinal(),
        day=today,
        days_since_surgery=None if since is None or since < 0 else since,
        settle=None if settle is None else settle.toordinal(),
        rules=rules,
    )
    index = sent_index(sent, ctx.today)
    alerts: list[Alert] = []

    def offer(alert: Alert | None) -> None:
        if alert is not None and allowed(ctx, alert, index):
            if alert.kind is not AlertKind.RED_FLAG:
                alert = alert.model_copy(update={"since": treatment.before(today)})
            alerts.append(alert)
            remember(index, alert.kind, alert.about, ctx.today, alert.tier)

    flag = red_flag(ctx)
    offer(flag)
    if flag is None:
        for measure in NRS_MEASURES:
            offer(rapid(ctx, measure))
        for measure in Measure:
            offer(sustained(ctx, measure))
        offer(new_nerve(ctx))
    if not with_status:
        return Assessment(day=today, alerts=tuple(alerts))
    measures = [m for m in Measure if m is not Measure.PEG or _peg_started(diary, ctx.today)]
    return Assessment(
        day=today, alerts=tuple(alerts), status=tuple(_status(ctx, m) for m in measures)
    )


def assess_day(
    entries: Iterable[PainRecord],
    today: date,
    *,
    surgery_date: date | None = None,
    sent: Iterable[SentRecord] = (),
    baseline_from: date | None = None,
    rules: TrendRules = RULES,
    treatment: TreatmentHistory = NO_TREATMENT,
) -> Assessment:
    """What to tell the user after an entry saved for `today`: the bot's one call."""
    diary = Diary(entries, baseline_from=baseline_from)
    return evaluate(
        diary, today, surgery_date=surgery_date, sent=sent, rules=rules, treatment=treatment
    )


def replay(
    rows: Iterable[PainRecord],
    surgery_date: date | None = None,
    *,
    baseline_from: date | None = None,
    rules: TrendRules = RULES,
    treatment: TreatmentHistory = NO_TREATMENT,
) -> list[Alert]:
    """Every alert the bot would have sent had the diary been logged day by day."""
    diary = Diary(rows, baseline_from=baseline_from)
    sent: list[Alert] = []
    # Alerts come out in date order, so the ones still inside the lookback are a tail of `sent`.
    first = 0
    for day in diary.dates():
        horizon = day - timedelta(days=SENT_LOOKBACK_DAYS)
        while first < len(sent) and sent[first].day <= horizon:
            first += 1
        # The status of each day is not part of what the bot sends, so it is not worked out.
        result = _evaluate(
            diary, day, surgery_date, sent[first:], rules, treatment, with_status=False
        )
        sent.extend(result.alerts)
    return sent


def status_text(assessment: Assessment, language: str) -> str:
    """The trend summary: one line per measure."""
    return "\n".join(status.text(language) for status in assessment.status)


def to_assess_json(
    alerts: Iterable[Alert], rows: Sequence[PainRecord], language: str = "en"
) -> dict[str, object]:
    """The `backtrack assess --json` shape of DESIGN.md."""
    dates = [row.entry_date for row in rows]
    return {
        "alerts": [
            {
                "date": alert.day.isoformat(),
                "tier": alert.tier.value,
                "kind": alert.kind.value,
                "reason": alert.reason(language),
            }
            for alert in alerts
        ],
        "entries": len(rows),
        "first_date": min(dates).isoformat() if dates else None,
        "last_date": max(dates).isoformat() if dates else None,
    }
