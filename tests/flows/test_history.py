"""The /history table."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from bot.telegram_render import MESSAGE_CHARS, render_html
from flows.clinical.codes import Finding, Tier
from flows.dialogs.history import MOST_MARKS, render_history
from flows.dialogs.log import LogState, LogStep, has_answers
from flows.dialogs.router import Command, Verdict, loads
from flows.kit.callback import ButtonData
from flows.kit.core import Context, DeleteEntry, Load
from flows.records.models import Entry
from flows.records.treatment import (
    MedicineAction,
    TreatmentKind,
)
from tests.flows.driver import context_at
from tests.patient import FlowLine, Patient
from tests.treatment import change, event

NOW = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)


def entry(day: int, back: int, leg: int | None, month: int = 3, **extra: object) -> Entry:
    return Entry.model_validate(
        {
            "id": day,
            "user_id": 7,
            "entry_date": date(2026, month, day),
            "recorded_at": datetime(2026, month, day, 20, 0, tzinfo=UTC),
            "timezone": "UTC",
            "back_pain": back,
            "leg_pain": leg,
            **extra,
        }
    )


def test_rows_for_entries_and_dots_for_missing_days() -> None:
    ctx = Context(now=NOW, user_id=7)
    entries = [
        entry(9, 6, 2, symptoms=(Finding.FEVER, Finding.MUSCLE_TIGHTNESS), note="sore"),
        entry(10, 4, 0),
        entry(1, 9, 9),
        entry(20, 1, 1, month=2),
    ]
    screen = render_history(entries, ctx)
    assert screen.table is not None
    lines = screen.table.splitlines()
    # The header, a month line above each month's first row, and one row a day.
    assert len(lines) == 1 + 2 + 14
    assert lines[-2] == "Mon  9    6   2  ⚠1 +1 ✎"
    assert lines[-1] == "Tue 10    4   0"
    assert lines[1:3] == ["Feb 2026", "Wed 25    ·   ·"]
    assert lines[5:8] == ["Sat 28    ·   ·", "Mar 2026", "Sun  1    9   9"]
    assert "(3 days with entries)" in screen.text
    assert "Fri 20" not in screen.table


async def test_empty_history_says_so() -> None:
    screen = render_history([], Context(now=NOW, user_id=7))
    assert screen.table is None
    assert "No diary entries" in screen.text


# --- Changing and deleting an entry (issue 15) --------------------------------------------


def consented(*entries: Entry) -> tuple[Patient, FlowLine]:
    """A consented patient whose diary holds these entries."""
    line = FlowLine()
    line.driver.ctx = replace(context_at(NOW, consented=True), diary=entries)
    return Patient(line), line


async def patient_with(*entries: Entry) -> tuple[Patient, FlowLine]:
    """A consented patient whose diary holds these entries, with /history open."""
    patient, line = consented(*entries)
    await patient.send("/history")
    return patient, line


async def test_one_day_is_one_day_and_the_month_is_named() -> None:
    patient, line = await patient_with(entry(9, 6, 3))
    assert "(1 day with entries)" in patient.last
    assert line.driver.screen is not None
    assert line.driver.screen.table is not None
    assert line.driver.screen.table.splitlines()[1] == "Feb 2026"
    assert "Mar 2026" in line.driver.screen.table.splitlines()


async def test_history_offers_the_entries_newest_first_to_change_or_delete() -> None:
    patient, _ = await patient_with(entry(9, 6, 3), entry(10, 4, 0))
    assert patient.labels() == ["✏️ Change or delete an entry", "Close"]
    await patient.press("Change or delete an entry")
    assert patient.labels() == [
        "Tue 10 Mar, 20:00: back 4, leg 0",
        "Mon 9 Mar, 20:00: back 6, leg 3",
        "⬅️ Back",
        "✖️ Cancel",
    ]


async def test_an_entry_logged_days_later_or_imported_untimed_is_listed_without_a_time() -> None:
    later = entry(8, 5, 2, recorded_at=datetime(2026, 3, 10, 4, 50, tzinfo=UTC))
    untimed = entry(7, 4, 1, timed=False)
    patient, _ = await patient_with(later, untimed)
    await patient.press("Change or delete an entry")
    # 04:50 is when it was typed, two days after; it says nothing of Sunday's pain.
    assert patient.labels()[:2] == ["Sun 8 Mar: back 5, leg 2", "Sat 7 Mar: back 4, leg 1"]


async def test_deleting_asks_first_naming_the_entry_then_deletes_it() -> None:
    patient, line = await patient_with(entry(9, 6, 3), entry(10, 4, 0))
    await patient.press("Change or delete an entry")
    await patient.press("Mon 9 Mar")
    assert "Your entry of Mon 9 Mar, 20:00" in patient.last
    assert "Back pain: 6/10" in patient.last
    await patient.press("Delete it")
    assert patient.last.startswith("Delete the entry of Mon 9 Mar, 20:00: back 6, leg 3?")
    assert line.driver.effects == []
    await patient.press("Yes, delete it")
    assert line.driver.effects == [DeleteEntry(entry_id=9)]
    assert line.driver.state is None
    assert patient.last.startswith("Deleted. The entry of Mon 9 Mar, 20:00 (back 6, leg 3)")


async def test_back_or_cancel_at_the_delete_question_deletes_nothing() -> None:
    patient, line = await patient_with(entry(9, 6, 3))
    await patient.press("Change or delete an entry")
    await patient.press("Mon 9 Mar")
    await patient.press("Delete it")
    await patient.press("Back")
    assert "Change it, or delete it?" in patient.last
    await patient.press("Delete it")
    await patient.press("Cancel")
    assert line.driver.effects == []
    assert line.driver.state is None


async def test_changing_an_entry_walks_the_diary_prefilled_and_replaces_it() -> None:
    stored = entry(9, 6, 3, symptoms=(Finding.MUSCLE_TIGHTNESS,), note="sore")
    patient, line = await patient_with(stored)
    await patient.press("Change or delete an entry")
    await patient.press("Mon 9 Mar")
    await patient.press("Change it")
    assert "✏️ Changing your entry for yesterday, Mon 9 Mar" in patient.last
    assert "• 6 •" in patient.labels()
    assert "📅 Another day" not in patient.labels()
    await patient.press("5")
    assert "• 3 •" in patient.labels()
    await patient.press("3")
    assert "✅ Muscle tightness or spasm" in patient.labels()
    await patient.press("Done (1 ticked)")
    # A stored entry without the doses shows none marked; 2 doses are recorded now.
    assert not any(label.startswith("•") for label in patient.labels())
    await patient.press("2 doses")
    assert "Your note:\nsore" in patient.last
    await patient.press("Keep this note")
    assert patient.last.startswith("Please check the changed entry")
    assert "📅 Mon 9 Mar 2026" in patient.last
    assert "Pain medicine as needed: 2 doses" in patient.last
    await patient.press("Save the changes")

    [saved] = line.driver.saved_entries()
    assert saved.replaces == 9
    assert saved.entry.entry_date == stored.entry_date
    assert saved.entry.recorded_at == stored.recorded_at
    assert (saved.entry.back_pain, saved.entry.leg_pain) == (5, 3)
    assert saved.entry.symptoms == (Finding.MUSCLE_TIGHTNESS,)
    assert saved.entry.note == "sore"
    assert saved.entry.as_needed_doses == 2
    assert patient.last.startswith("Changed ✅")
    assert line.driver.sent_advice() == []


async def test_a_red_flag_ticked_while_changing_an_entry_is_answered_at_once() -> None:
    patient, line = await patient_with(entry(9, 6, 3))
    await patient.press("Change or delete an entry")
    await patient.press("Mon 9 Mar")
    await patient.press("Change it")
    for label in ("6", "3", "Bladder problems", "Done (1 ticked)"):
        await patient.press(label)
    [advice] = line.driver.sent_advice()
    assert advice.advice.tier is Tier.EMERGENCY
    assert "Emergency Department" in patient.last
    [saved] = line.driver.saved_entries()
    assert saved.replaces == 9
    assert saved.entry.symptoms == (Finding.BLADDER_CHANGE,)


async def test_an_entry_flagged_when_logged_can_be_changed_without_the_alarm_again() -> None:
    flagged = entry(9, 6, 3, symptoms=(Finding.BLADDER_CHANGE,), note="old")
    patient, line = await patient_with(flagged)
    await patient.press("Change or delete an entry")
    await patient.press("Mon 9 Mar")
    await patient.press("Change it")
    for label in ("5", "3", "Done (1 ticked)", "None", "Remove the note", "Save the changes"):
        await patient.press(label)
    # Answered when it was logged; the note is changed, not cut short by a second emergency.
    assert line.driver.sent_advice() == []
    [saved] = line.driver.saved_entries()
    assert (saved.entry.back_pain, saved.entry.note) == (5, None)
    assert saved.entry.symptoms == (Finding.BLADDER_CHANGE,)


def test_opening_an_entry_to_change_it_keeps_an_entry_put_aside() -> None:
    stored = entry(9, 6, 3)
    assert not has_answers(
        LogState(
            step=LogStep.BACK_PAIN,
            back_pain=6,
            leg_pain=3,
            entry_date=stored.entry_date,
            changing=stored,
        )
    )
    changed = LogState(
        step=LogStep.LEG_PAIN,
        back_pain=7,
        leg_pain=3,
        entry_date=stored.entry_date,
        changing=stored,
    )
    assert has_answers(changed)


async def test_an_entry_that_is_not_listed_cannot_be_chosen() -> None:
    patient, line = await patient_with(entry(9, 6, 3))
    await patient.press("Change or delete an entry")
    for value in ("e.10", "e.999", "e.-1", "edit"):
        await patient.press_data(ButtonData(seq=line.driver.seq, value=value).encode())
        assert line.decisions[-1].verdict is Verdict.FORGED, value
    await patient.type("delete everything")
    assert patient.last.startswith("Please use the buttons")
    assert line.driver.effects == []


async def test_a_long_list_comes_a_page_at_a_time() -> None:
    patient, _ = await patient_with(*(entry(day, day % 10, 1) for day in range(1, 11)))
    await patient.press("Change or delete an entry")
    first = patient.labels()
    assert first[0].startswith("Tue 10 Mar")
    assert first[6].startswith("Wed 4 Mar")
    assert "Older ▶️" in first
    assert "◀️ Newer" not in first
    await patient.press("Older")
    assert [label[:9] for label in patient.labels()[:3]] == ["Tue 3 Mar", "Mon 2 Mar", "Sun 1 Mar"]
    await patient.press("Newer")
    assert patient.labels() == first


async def test_close_keeps_the_table_and_removes_the_buttons() -> None:
    patient, line = await patient_with(entry(9, 6, 3))
    await patient.press("Close")
    assert line.driver.state is None
    assert line.driver.screen is not None
    assert line.driver.screen.table is not None
    assert "Mon  9    6   3" in line.driver.screen.table
    # The pressed message was edited into the table alone: its buttons are gone.
    assert patient.seen[-1].edited
    assert patient.seen[-1].labels() == []


async def test_history_in_the_middle_of_an_entry_keeps_the_entry_open() -> None:
    patient, line = consented(entry(9, 6, 3))
    await patient.send("/log")
    await patient.press("7")
    state = line.driver.state
    await patient.send("/history")
    assert line.driver.state == state
    # The table comes as a message of its own (the patient's Seen carries no table).
    [shown] = line.driver.messages[-1:]
    assert shown.table is not None
    assert "first finish what we are doing" in patient.last
    await patient.press("3")
    assert "NEW or WORSE" in patient.last


# --- Treatment events and medicine changes among the days (issue 19) -----------------------


def table_of(screen_table: str | None) -> list[str]:
    assert screen_table is not None
    return screen_table.splitlines()


def test_events_and_medicine_changes_are_marked_under_their_days() -> None:
    ctx = Context(
        now=NOW,
        user_id=7,
        treatment_events=(event(date(2026, 3, 2), TreatmentKind.INJECTION, "L4-5"),),
        medicine_changes=(change(date(2026, 3, 9)),),
    )
    lines = table_of(render_history([entry(1, 9, 9), entry(9, 6, 2), entry(10, 4, 0)], ctx).table)
    injection = lines.index("📌 Mon 2 Mar 2026: Injection or nerve block (L4-5)")
    assert lines[injection - 1 : injection + 2] == [
        "Mon  2    ·   ·",
        "📌 Mon 2 Mar 2026: Injection or nerve block (L4-5)",
        "Tue  3    ·   ·",
    ]
    assert lines[-3:] == [
        "Mon  9    6   2",
        "💊 Mon 9 Mar 2026: started Tramadol (opioid), 50 mg, as needed",
        "Tue 10    4   0",
    ]
    # The rows of the days are as they were, one a day.
    assert len(lines) == 1 + 2 + 14 + 2


def test_an_event_or_change_outside_the_fourteen_days_is_not_marked() -> None:
    # The table starts on 25 February; the day before is not on it, nor is tomorrow.
    ctx = Context(
        now=NOW,
        user_id=7,
        treatment_events=(
            event(date(2026, 2, 24), TreatmentKind.FALL),
            event(date(2026, 2, 25), TreatmentKind.XRAY),
        ),
        medicine_changes=(change(date(2026, 2, 20)), change(date(2026, 3, 11))),
    )
    lines = table_of(render_history([entry(9, 6, 2)], ctx).table)
    marked = [line for line in lines if line.startswith(("📌", "💊"))]
    assert marked == ["📌 Wed 25 Feb 2026: X-ray"]
    assert lines[1:4] == ["Feb 2026", "Wed 25    ·   ·", "📌 Wed 25 Feb 2026: X-ray"]


def test_many_marks_list_the_latest_and_the_table_fits_one_message() -> None:
    days = [date(2026, 2, 25 + n) if n < 4 else date(2026, 3, n - 3) for n in range(14)]
    detail = "x" * 120
    ctx = Context(
        now=NOW,
        user_id=7,
        treatment_events=tuple(event(day, TreatmentKind.DIAGNOSIS, detail) for day in days[-8:]),
        medicine_changes=tuple(
            change(day, MedicineAction.CHANGE) for day in days for _ in range(3)
        ),
    )
    # Three entries a day, each with a note and symptoms.
    entries = [
        entry(
            d.day,
            5,
            5,
            month=d.month,
            id=d.toordinal() * 10 + n,
            note="sore",
            symptoms=(Finding.MUSCLE_TIGHTNESS,),
        )
        for d in days
        for n in range(3)
    ]
    screen = render_history(entries, ctx)
    lines = table_of(screen.table)
    marked = [line for line in lines if line.startswith(("📌", "💊"))]
    assert len(marked) == MOST_MARKS
    assert lines[1] == "(+40 earlier events or medicine changes not listed)"
    assert all(len(line) <= 64 for line in marked)
    assert marked[-1].endswith("…")
    assert len(render_html(screen)) < MESSAGE_CHARS


def test_history_loads_the_medicines_and_events_it_marks() -> None:
    needed = loads(None, Command.HISTORY)
    assert Load.DIARY in needed
    assert Load.MEDICINES in needed
    assert Load.EVENTS in needed


async def test_the_history_screen_shows_the_marks_and_still_offers_the_entries() -> None:
    patient, line = consented(entry(9, 6, 3))
    line.driver.ctx = replace(
        line.driver.ctx, treatment_events=(event(date(2026, 3, 5), TreatmentKind.MRI),)
    )
    await patient.send("/history")
    assert line.driver.screen is not None
    assert "📌 Thu 5 Mar 2026: MRI scan" in table_of(line.driver.screen.table)
    await patient.press("Change or delete an entry")
    # The marks are not entries: only the diary's entries are offered.
    assert patient.labels() == ["Mon 9 Mar, 20:00: back 6, leg 3", "⬅️ Back", "✖️ Cancel"]
