"""Trend alerts reach the patient after the entry that triggers them, once, then cool down."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.engine import Engine, Reply, Who
from flows.models import NewEntry, Profile
from flows.router import Command
from storage.repo import Session
from tests.clock import FakeClock

PAT = Who(user_id=21)
FIRST = date(2026, 1, 1)
STABLE = (3, 4, 3, 3, 4, 3, 2, 3, 4, 3, 3, 4, 3, 3, 4, 3, 3, 2, 3, 4, 3)


def seed(session: Session) -> None:
    session.save_profile(
        Profile(
            user_id=PAT.user_id,
            consented_at=datetime(2025, 12, 31, tzinfo=UTC),
            surgery_year=2024,
            surgery_month=5,
            # Joined knowing only the month, and said so when asked for the day.
            details_asked_at=datetime(2025, 12, 31, tzinfo=UTC),
        )
    )
    for offset, back in enumerate(STABLE):
        day = FIRST + timedelta(days=offset)
        moment = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=20)
        session.add_entry(
            PAT.user_id,
            NewEntry(
                entry_date=day, recorded_at=moment, timezone="UTC", back_pain=back, leg_pain=1
            ),
        )


async def log_day(engine: Engine, back: str) -> Reply:
    reply = await engine.on_command(PAT, Command.LOG)
    for label in (back, "1", "Done: none of these", "Skip", "✅ Save"):
        assert reply.screen is not None
        [button] = [b for row in reply.screen.buttons for b in row if b.label == label]
        reply = await engine.on_press(PAT, reply.button_data(button.value))
    return reply


async def test_a_sustained_jump_alerts_once_with_its_numbers(
    engine: Engine, clock: FakeClock
) -> None:
    await engine.store.unit(clock(), seed)
    alerts: list[tuple[date, str]] = []
    day = FIRST + timedelta(days=len(STABLE))
    for _ in range(14):
        clock.now = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=20)
        reply = await log_day(engine, "7")
        alerts.extend((day, n.text) for n in reply.advice)
        day += timedelta(days=1)
    [(when, text)] = alerts
    assert when == FIRST + timedelta(days=len(STABLE) + 2)
    assert "from an average of 3.1 in the 7 days before to 7.0 over the last 3 days" in text
    assert "/check" in text
    stored = await engine.store.read(lambda s: s.alerts_since(PAT.user_id, FIRST))
    assert [(a.day, a.kind.value, a.which, a.tier.value) for a in stored] == [
        (when, "rapid_rise", "back", "urgent")
    ]


async def test_one_bad_day_does_not_alert(engine: Engine, clock: FakeClock) -> None:
    await engine.store.unit(clock(), seed)
    day = FIRST + timedelta(days=len(STABLE))
    clock.now = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=20)
    reply = await log_day(engine, "9")
    assert reply.advice == ()
    clock.advance(timedelta(days=1))
    reply = await log_day(engine, "3")
    assert reply.advice == ()
