"""Trend alerts reach the patient after the entry that triggers them, once, then cool down."""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from bot import assess_cmd
from bot.engine import Engine
from bot.reply import Reply, Who
from flows.clinical.trends import RECENT_CHANGE_DAYS, SENT_LOOKBACK_DAYS, AlertKind, replay
from flows.dialogs.router import Command
from flows.dialogs.transfer import DocumentFile
from flows.records.diary_csv import DiaryRow, write_diary
from flows.records.models import NewEntry, Profile
from flows.records.treatment import TreatmentEvent, TreatmentKind
from storage.ports import Session
from tests.clock import FakeClock
from tests.flows.test_trends import WORSENING_KINDS, day_of, labels, rows_of

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
    for label in (back, "1", "Done: none of these", "None", "Skip", "✅ Save"):
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
    assert [(a.day, a.kind.value, a.about, a.tier.value) for a in stored] == [
        (when, "rapid_rise", ("back",), "urgent")
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


# --- After an import: the bot and `backtrack assess` agree (issue 15) ----------------------------

IMPORT_TODAY = date(2026, 3, 10)


def rising_diary(end: date) -> list[DiaryRow]:
    """Three weeks at the usual level, then leg pain at 7 for ten days and back pain for seven."""
    first = end - timedelta(days=30)
    return [
        DiaryRow(
            entry_date=first + timedelta(days=k),
            entry_time=time(20, 0),
            back_pain=3 if k < 24 else 7,
            leg_pain=2 if k < 21 else 7,
        )
        for k in range(31)
    ]


def assessed(
    tmp_path: Path, rows: Sequence[DiaryRow], surgery: date | None = None
) -> list[tuple[date, str, str]]:
    """The alerts `backtrack assess --json` reports for the rows, as (date, kind, tier)."""
    path = tmp_path / "diary.csv"
    path.write_text(write_diary(rows), encoding="utf-8")
    argv = [str(path), "--json"] + ([] if surgery is None else ["--surgery-date", str(surgery)])
    parser = argparse.ArgumentParser()
    assess_cmd.configure(parser)
    out, err = io.StringIO(), io.StringIO()
    assert assess_cmd.run(parser.parse_args(argv), out, err) == 0, err.getvalue()
    return [
        (date.fromisoformat(a["date"]), a["kind"], a["tier"])
        for a in json.loads(out.getvalue())["alerts"]
    ]


async def stored_alerts(engine: Engine, who: Who) -> list[tuple[date, str, str]]:
    stored = await engine.store.read(lambda s: s.alerts_since(who.user_id, date.min))
    return [(a.day, a.kind.value, a.tier.value) for a in stored]


async def import_rows(engine: Engine, who: Who, rows: Sequence[DiaryRow]) -> Reply:
    preview = await engine.on_document(who, DocumentFile(filename="d.csv", text=write_diary(rows)))
    assert preview.screen is not None
    [confirm] = [b for row in preview.screen.buttons for b in row if b.label == "✅ Import"]
    return await engine.on_press(who, preview.button_data(confirm.value))


async def log_pain(engine: Engine, who: Who, back: int, leg: int) -> Reply:
    reply = await engine.on_command(who, Command.LOG)
    for label in (str(back), str(leg), "Done: none of these", "None", "Skip", "✅ Save"):
        assert reply.screen is not None
        [button] = [b for row in reply.screen.buttons for b in row if b.label == label]
        reply = await engine.on_press(who, reply.button_data(button.value))
    return reply


async def join(engine: Engine, who: Who, surgery: date | None = None) -> None:
    profile = Profile(
        user_id=who.user_id,
        consented_at=datetime(2024, 1, 1, tzinfo=UTC),
        country="GB",
        surgery_year=None if surgery is None else surgery.year,
        surgery_month=None if surgery is None else surgery.month,
        surgery_day=None if surgery is None else surgery.day,
        details_asked_at=datetime(2024, 1, 1, tzinfo=UTC),
    )
    await engine.store.unit(engine.clock(), lambda s: s.save_profile(profile))


def evening(day: date) -> datetime:
    return datetime.combine(day, time(20, 0), tzinfo=UTC)


async def test_an_import_showing_a_rise_alerts_at_once_as_assess_does_and_once_only(
    engine: Engine, clock: FakeClock, tmp_path: Path
) -> None:
    await join(engine, PAT)
    rows = rising_diary(IMPORT_TODAY - timedelta(days=1))
    clock.now = evening(IMPORT_TODAY)
    reply = await import_rows(engine, PAT, rows)
    assert "31 entries added" in reply.notices[0].text
    [leg, back] = [delivery.text for delivery in reply.advice]
    assert leg.startswith("From your diary up to 2026-03-02, with the entries you imported:\n\n")
    assert "Your leg pain went up from an average of 2.0 in the 7 days before to 7.0" in leg
    assert back.startswith("From your diary up to 2026-03-05, with the entries you imported:\n\n")
    assert "Your back pain went up from an average of 3.0 in the 7 days before to 7.0" in back
    assert "needs a doctor today" in leg
    assert "/check" in leg

    # Two more days logged: the rise is the one the patient was just told about.
    for _ in range(2):
        assert (await log_pain(engine, PAT, 7, 7)).advice == ()
        clock.advance(timedelta(days=1))
    more = [
        DiaryRow(entry_date=IMPORT_TODAY + timedelta(days=k), back_pain=7, leg_pain=7)
        for k in range(2)
    ]
    expected = assessed(tmp_path, [*rows, *more])
    assert expected == [
        (date(2026, 3, 2), "rapid_rise", "urgent"),
        (date(2026, 3, 5), "rapid_rise", "urgent"),
    ]
    assert await stored_alerts(engine, PAT) == expected


def suitable(rows: Sequence[DiaryRow], day: date) -> bool:
    """Whether the diary has one entry on the day, with both scores and no symptom."""
    found = [r for r in rows if r.entry_date == day]
    if len(found) != 1:
        return False
    [row] = found
    return row.back_pain is not None and row.leg_pain is not None and not row.symptoms


def cut_day(rows: Sequence[DiaryRow], surgery: date, offset: int) -> date:
    """The day the patient imports all before and logs that day's entry in the bot.

    `offset` days after the first trend alert the diary has: 0 has the alert fire on the
    entry logged in the bot, later ones in the imported rows. A diary without one is cut at
    its end.
    """
    dates = sorted({r.entry_date for r in rows})
    alerts = [a.day for a in replay(rows, surgery) if a.kind is not AlertKind.RED_FLAG]
    target = alerts[0] + timedelta(days=offset) if alerts else dates[-1]
    later = [d for d in dates if d >= target and suitable(rows, d)]
    return later[0] if later else [d for d in dates if suitable(rows, d)][-1]


async def test_every_sample_diary_imported_then_logged_alerts_as_assess_reports(
    engine: Engine, clock: FakeClock, tmp_path: Path
) -> None:
    at_import = at_entry = 0
    for number, (name, label) in enumerate(sorted(labels().items())):
        who = Who(user_id=1000 + number)
        rows = rows_of(name)
        surgery = day_of(label, "surgery_date")
        day = cut_day(rows, surgery, offset=4 * (number % 3))
        await join(engine, who, surgery)
        clock.now = evening(day)
        imported = await import_rows(engine, who, [r for r in rows if r.entry_date < day])
        [entry] = [r for r in rows if r.entry_date == day]
        assert entry.back_pain is not None
        assert entry.leg_pain is not None
        logged = await log_pain(engine, who, entry.back_pain, entry.leg_pain)

        # Everything assess reports up to that day that is still current: four weeks back (older
        # alerts are past news), red flags aside (an imported one was never answered).
        current = [
            alert
            for alert in assessed(tmp_path, [r for r in rows if r.entry_date <= day], surgery)
            if alert[1] != "red_flag" and (day - alert[0]).days < SENT_LOOKBACK_DAYS
        ]
        assert await stored_alerts(engine, who) == current, name
        sent = [*imported.advice, *logged.advice]
        assert len(sent) == len(current), name
        for delivery, (when, _, _) in zip(imported.advice, current, strict=False):
            assert delivery.text.startswith(f"From your diary up to {when}, with"), name
        if label["kind"] in WORSENING_KINDS:
            assert current, name
        at_import += bool(imported.advice)
        at_entry += bool(logged.advice)
    # Enough diaries alert on the import, and on the entry after it, to mean something.
    assert at_import >= 10
    assert at_entry >= 5


async def advice_of_three_bad_days(engine: Engine, clock: FakeClock, first: date) -> list[str]:
    """Log back pain 7 on three evenings from `first`; the safety messages they brought."""
    texts: list[str] = []
    for offset in range(3):
        clock.now = datetime.combine(first + timedelta(days=offset), time(20), tzinfo=UTC)
        texts += [n.text for n in (await log_day(engine, "7")).advice]
    return texts


async def test_an_alert_after_an_injection_names_it_and_one_long_before_does_not(
    engine: Engine, clock: FakeClock
) -> None:
    await engine.store.unit(clock(), seed)
    jump = FIRST + timedelta(days=len(STABLE))
    injected = jump - timedelta(days=9)

    def treat(session: Session) -> None:
        recorded = datetime.combine(injected, time(18), tzinfo=UTC)
        # A scan a week before the rise, and a fall long before it: neither is named.
        session.add_treatment_event(
            PAT.user_id,
            TreatmentEvent(
                event_date=injected, kind=TreatmentKind.INJECTION, recorded_at=recorded
            ),
        )
        session.add_treatment_event(
            PAT.user_id,
            TreatmentEvent(
                event_date=jump - timedelta(days=2), kind=TreatmentKind.MRI, recorded_at=recorded
            ),
        )
        session.add_treatment_event(
            PAT.user_id,
            TreatmentEvent(event_date=FIRST, kind=TreatmentKind.FALL, recorded_at=recorded),
        )

    await engine.store.unit(clock(), treat)
    [text] = await advice_of_three_bad_days(engine, clock, jump)
    assert "This is 11 days since the injection on Tue 13 Jan." in text
    assert "MRI" not in text
    assert "fall" not in text


async def test_an_alert_with_no_change_in_the_four_weeks_before_names_none(
    engine: Engine, clock: FakeClock
) -> None:
    await engine.store.unit(clock(), seed)
    jump = FIRST + timedelta(days=len(STABLE))
    long_ago = jump - timedelta(days=RECENT_CHANGE_DAYS + 3)

    def treat(session: Session) -> None:
        session.add_treatment_event(
            PAT.user_id,
            TreatmentEvent(
                event_date=long_ago,
                kind=TreatmentKind.INJECTION,
                recorded_at=datetime.combine(long_ago, time(9), tzinfo=UTC),
            ),
        )

    await engine.store.unit(clock(), treat)
    [text] = await advice_of_three_bad_days(engine, clock, jump)
    assert "since" not in text.split("over the last 3 days")[1]
    assert "injection" not in text
