"""What the bot tells a patient about their trend after an entry is saved, or a diary imported.

The storage reads the diary's window and the alerts already sent; this decides; the engine
writes what it decides in the same transaction (REFERENCE.md §3.2, §3.3). Red flags of a
saved entry were answered by the diary as they were ticked (flows.dialogs.log, §8.6): here
they are only recorded, so their cooldown holds, never sent a second time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flows.clinical.codes import Tier
from flows.clinical.trends import (
    NO_TREATMENT,
    SENT_LOOKBACK_DAYS,
    AlertKind,
    Diary,
    SentAlert,
    SentRecord,
    TreatmentHistory,
    alert_message,
    alerts_on,
)
from flows.i18n import t
from flows.records.models import Advice, AdviceKind, AdviceSource, Profile


@dataclass(frozen=True, slots=True)
class TrendNews:
    """The alerts to record (their cooldown) and the messages to send for them."""

    recorded: tuple[SentAlert, ...] = ()
    advice: tuple[Advice, ...] = ()


def _advice(text: str, tier: Tier) -> Advice:
    return Advice(kind=AdviceKind.TREND, tier=tier, text=text, source=AdviceSource.TREND)


def after_entry(
    diary: Diary,
    day: date,
    profile: Profile,
    sent: Sequence[SentRecord],
    treatment: TreatmentHistory = NO_TREATMENT,
) -> TrendNews:
    """The trend alerts of the day an entry was saved for, each with its message."""
    recorded: list[SentAlert] = []
    advice: list[Advice] = []
    surgery = profile.surgery_date()
    for alert in alerts_on(diary, day, surgery_date=surgery, sent=sent, treatment=treatment):
        recorded.append(alert.sent())
        if alert.kind is not AlertKind.RED_FLAG:
            text = alert_message(alert, profile.language, profile.numbers())
            advice.append(_advice(text, alert.tier))
    return TrendNews(tuple(recorded), tuple(advice))


def after_import(
    diary: Diary,
    first: date,
    today: date,
    profile: Profile,
    sent: Sequence[SentAlert],
    treatment: TreatmentHistory = NO_TREATMENT,
) -> TrendNews:
    """The alerts an imported diary still calls for, replayed day by day from `first`.

    Each day is assessed as if it had been logged then, cooldowns included, as `backtrack
    assess` does. Alerts of the last four weeks are recorded and sent, each naming its day;
    older ones are past news that no later decision reads (`SENT_LOOKBACK_DAYS`).
    """
    seen = list(sent)
    recorded: list[SentAlert] = []
    advice: list[Advice] = []
    surgery = profile.surgery_date()
    for day in diary.dates():
        if day < first:
            continue
        for alert in alerts_on(diary, day, surgery_date=surgery, sent=seen, treatment=treatment):
            # A red flag in an imported row was never answered when it was written down;
            # recording it as sent would tell the surgeon's report that it had been.
            if alert.kind is AlertKind.RED_FLAG:
                continue
            seen.append(alert.sent())
            if (today - alert.day).days >= SENT_LOOKBACK_DAYS:
                continue
            recorded.append(alert.sent())
            about = t(profile.language, "import.alert_about", date=alert.day.isoformat())
            text = alert_message(alert, profile.language, profile.numbers())
            advice.append(_advice(f"{about}\n\n{text}", alert.tier))
    return TrendNews(tuple(recorded), tuple(advice))
