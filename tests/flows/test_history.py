"""The /history table."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from flows.clinical.codes import Finding, Tier
from flows.dialogs.history import render_history
from flows.dialogs.log import LogState, LogStep, has_answers
from flows.dialogs.router import Command, Verdict
from flows.kit.callback import ButtonData
from flows.kit.core import Context, DeleteEntry
from flows.records.models import Entry
from tests.flows.driver import FlowDriver

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


def test_empty_history_says_so() -> None:
    screen = render_history([], Context(now=NOW, user_id=7))
    assert screen.table is None
    assert "No diary entries" in screen.text


# --- Changing and deleting an entry (issue 15) --------------------------------------------


def patient_with(*entries: Entry) -> FlowDriver:
    """A consented patient whose diary holds these entries, with /history open."""
    driver = FlowDriver(NOW, consented=True)
    driver.ctx = replace(driver.ctx, diary=entries)
    driver.command(Command.HISTORY)
    return driver


def test_one_day_is_one_day_and_the_month_is_named() -> None:
    driver = patient_with(entry(9, 6, 3))
    assert "(1 day with entries)" in driver.text
    assert driver.screen is not None
    assert driver.screen.table is not None
    assert driver.screen.table.splitlines()[1] == "Feb 2026"
    assert "Mar 2026" in driver.screen.table.splitlines()


def test_history_offers_the_entries_newest_first_to_change_or_delete() -> None:
    driver = patient_with(entry(9, 6, 3), entry(10, 4, 0))
    assert driver.labels() == ["✏️ Change or delete an entry", "Close"]
    driver.press("Change or delete an entry")
    assert driver.labels() == [
        "Tue 10 Mar, 20:00: back 4, leg 0",
        "Mon 9 Mar, 20:00: back 6, leg 3",
        "⬅️ Back",
        "✖️ Cancel",
    ]


def test_an_entry_logged_days_later_or_imported_untimed_is_listed_without_a_time() -> None:
    later = entry(8, 5, 2, recorded_at=datetime(2026, 3, 10, 4, 50, tzinfo=UTC))
    untimed = entry(7, 4, 1, timed=False)
    driver = patient_with(later, untimed)
    driver.press("Change or delete an entry")
    # 04:50 is when it was typed, two days after; it says nothing of Sunday's pain.
    assert driver.labels()[:2] == ["Sun 8 Mar: back 5, leg 2", "Sat 7 Mar: back 4, leg 1"]


def test_deleting_asks_first_naming_the_entry_then_deletes_it() -> None:
    driver = patient_with(entry(9, 6, 3), entry(10, 4, 0))
    driver.press("Change or delete an entry")
    driver.press("Mon 9 Mar")
    assert "Your entry of Mon 9 Mar, 20:00" in driver.text
    assert "Back pain: 6/10" in driver.text
    driver.press("Delete it")
    assert driver.text.startswith("Delete the entry of Mon 9 Mar, 20:00: back 6, leg 3?")
    assert driver.effects == []
    driver.press("Yes, delete it")
    assert driver.effects == [DeleteEntry(entry_id=9)]
    assert driver.state is None
    assert driver.text.startswith("Deleted. The entry of Mon 9 Mar, 20:00 (back 6, leg 3)")


def test_back_or_cancel_at_the_delete_question_deletes_nothing() -> None:
    driver = patient_with(entry(9, 6, 3))
    driver.press("Change or delete an entry")
    driver.press("Mon 9 Mar")
    driver.press("Delete it")
    driver.press("Back")
    assert "Change it, or delete it?" in driver.text
    driver.press("Delete it")
    driver.press("Cancel")
    assert driver.effects == []
    assert driver.state is None


def test_changing_an_entry_walks_the_diary_prefilled_and_replaces_it() -> None:
    stored = entry(9, 6, 3, symptoms=(Finding.MUSCLE_TIGHTNESS,), note="sore")
    driver = patient_with(stored)
    driver.press("Change or delete an entry")
    driver.press("Mon 9 Mar")
    driver.press("Change it")
    assert "✏️ Changing your entry for yesterday, Mon 9 Mar" in driver.text
    assert "• 6 •" in driver.labels()
    assert "📅 Another day" not in driver.labels()
    driver.press("5")
    assert "• 3 •" in driver.labels()
    driver.press("3")
    assert "✅ Muscle tightness or spasm" in driver.labels()
    driver.press("Done (1 ticked)")
    assert "Your note:\nsore" in driver.text
    driver.press("Keep this note")
    assert driver.text.startswith("Please check the changed entry")
    assert "📅 Mon 9 Mar 2026" in driver.text
    driver.press("Save the changes")

    [saved] = driver.saved_entries()
    assert saved.replaces == 9
    assert saved.entry.entry_date == stored.entry_date
    assert saved.entry.recorded_at == stored.recorded_at
    assert (saved.entry.back_pain, saved.entry.leg_pain) == (5, 3)
    assert saved.entry.symptoms == (Finding.MUSCLE_TIGHTNESS,)
    assert saved.entry.note == "sore"
    assert driver.text.startswith("Changed ✅")
    assert driver.sent_advice() == []


def test_a_red_flag_ticked_while_changing_an_entry_is_answered_at_once() -> None:
    driver = patient_with(entry(9, 6, 3))
    driver.press("Change or delete an entry")
    driver.press("Mon 9 Mar")
    driver.press("Change it")
    for label in ("6", "3", "Bladder problems", "Done (1 ticked)"):
        driver.press(label)
    [advice] = driver.sent_advice()
    assert advice.advice.tier is Tier.EMERGENCY
    assert "Emergency Department" in driver.text
    [saved] = driver.saved_entries()
    assert saved.replaces == 9
    assert saved.entry.symptoms == (Finding.BLADDER_CHANGE,)


def test_an_entry_flagged_when_logged_can_be_changed_without_the_alarm_again() -> None:
    flagged = entry(9, 6, 3, symptoms=(Finding.BLADDER_CHANGE,), note="old")
    driver = patient_with(flagged)
    driver.press("Change or delete an entry")
    driver.press("Mon 9 Mar")
    driver.press("Change it")
    for label in ("5", "3", "Done (1 ticked)", "Remove the note", "Save the changes"):
        driver.press(label)
    # Answered when it was logged; the note is changed, not cut short by a second emergency.
    assert driver.sent_advice() == []
    [saved] = driver.saved_entries()
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


def test_an_entry_that_is_not_listed_cannot_be_chosen() -> None:
    driver = patient_with(entry(9, 6, 3))
    driver.press("Change or delete an entry")
    for value in ("e.10", "e.999", "e.-1", "edit"):
        decision = driver.press_data(ButtonData(seq=driver.seq, value=value))
        assert decision.verdict is Verdict.FORGED, value
    driver.type("delete everything")
    assert driver.text.startswith("Please use the buttons")
    assert driver.effects == []


def test_a_long_list_comes_a_page_at_a_time() -> None:
    driver = patient_with(*(entry(day, day % 10, 1) for day in range(1, 11)))
    driver.press("Change or delete an entry")
    first = driver.labels()
    assert first[0].startswith("Tue 10 Mar")
    assert first[6].startswith("Wed 4 Mar")
    assert "Older ▶️" in first
    assert "◀️ Newer" not in first
    driver.press("Older")
    assert [label[:9] for label in driver.labels()[:3]] == ["Tue 3 Mar", "Mon 2 Mar", "Sun 1 Mar"]
    driver.press("Newer")
    assert driver.labels() == first


def test_close_keeps_the_table_and_removes_the_buttons() -> None:
    driver = patient_with(entry(9, 6, 3))
    driver.press("Close")
    assert driver.state is None
    assert driver.screen is not None
    assert driver.screen.table is not None
    assert "Mon  9    6   3" in driver.screen.table
    assert driver.labels() == []


def test_history_in_the_middle_of_an_entry_keeps_the_entry_open() -> None:
    driver = FlowDriver(NOW, consented=True)
    driver.ctx = replace(driver.ctx, diary=(entry(9, 6, 3),))
    driver.command(Command.LOG)
    driver.press("7")
    state = driver.state
    driver.command(Command.HISTORY)
    assert driver.state == state
    [shown] = driver.messages[-1:]
    assert shown.table is not None
    assert "first finish what we are doing" in shown.text
    driver.press("3")
    assert "NEW or WORSE" in driver.text
