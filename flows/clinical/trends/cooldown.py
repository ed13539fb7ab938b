"""Cooldown and hysteresis: when an alert already sent keeps the same one from being repeated."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flows.clinical.codes import Tier
from flows.clinical.trends.alerts import Alert, AlertKind, SentRecord
from flows.clinical.trends.detectors import Context
from flows.clinical.trends.parameters import (
    COOLDOWN_DAYS,
    EPS,
    REMINDER_DAYS,
    SENT_LOOKBACK_DAYS,
    WINDOW_DAYS,
    Measure,
    level_line,
)


def _keys(kind: str, about: tuple[str, ...]) -> list[tuple[str, str]]:
    """What the cooldown is kept for: each red flag on its own, each measure's worsening."""
    # A rapid rise and a sustained worsening of the same measure are one episode for the user.
    worsening = kind in (AlertKind.RAPID_RISE, AlertKind.SUSTAINED_WORSENING)
    return [("worsening" if worsening else str(kind), part) for part in about]


@dataclass(slots=True)
class Sent:
    """The last day an alert of one key was sent and the highest tier it was sent with."""

    last: int
    top: int


def sent_index(sent: Iterable[SentRecord], today: int) -> dict[tuple[str, str], Sent]:
    """The alerts sent within `SENT_LOOKBACK_DAYS` of ordinal `today`, by cooldown key."""
    index: dict[tuple[str, str], Sent] = {}
    for alert in sent:
        day = alert.day.toordinal()
        if 0 <= today - day < SENT_LOOKBACK_DAYS:
            remember(index, alert.kind, alert.about, day, alert.tier)
    return index


def remember(
    index: dict[tuple[str, str], Sent], kind: str, about: tuple[str, ...], day: int, tier: Tier
) -> None:
    """Count an alert sent on ordinal `day` in the index."""
    for key in _keys(kind, about):
        known = index.get(key)
        if known is None:
            index[key] = Sent(last=day, top=tier.rank)
        else:
            known.last = max(known.last, day)
            known.top = max(known.top, tier.rank)


def resolved(ctx: Context, measure: Measure, since: int) -> bool:
    """Whether a 7-day mean fell back under the level rule's line, less the band, since then."""
    rules = ctx.rules
    series = ctx.diary.series(measure)
    for end in range(since + 1, ctx.today):
        mean = series.mean(end - WINDOW_DAYS + 1, end, rules.resolve_min_days)
        if mean is None:
            continue
        ref = ctx.diary.reference(measure, end, ctx.settle, rules)
        if ref is None:
            continue
        if mean <= level_line(measure, ref.value, rules) - rules.resolve_band + EPS:
            return True
    return False


def allowed(ctx: Context, alert: Alert, index: dict[tuple[str, str], Sent]) -> bool:
    """Whether the alert may be sent now, given the ones already sent."""
    # A red-flag alert naming a flag not sent recently is new news, even beside old ones.
    return any(_allowed_for(ctx, alert, index.get(key)) for key in _keys(alert.kind, alert.about))


def _allowed_for(ctx: Context, alert: Alert, known: Sent | None) -> bool:
    if known is None or alert.tier.rank > known.top:
        return True
    age = ctx.today - known.last
    if alert.kind is AlertKind.RED_FLAG and alert.tier.rank >= Tier.URGENT.rank:
        # Never hold back a same-day or emergency instruction (§1.1, §5.2); only the very same
        # message twice on one day is dropped.
        return age > 0
    if age < COOLDOWN_DAYS:
        return False
    if age >= REMINDER_DAYS or alert.kind not in (
        AlertKind.SUSTAINED_WORSENING,
        AlertKind.RAPID_RISE,
    ):
        return True
    return resolved(ctx, Measure(alert.about[0]), known.last)
