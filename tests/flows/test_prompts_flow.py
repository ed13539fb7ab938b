"""The prompt flows: the daily doses, the weekly PEG, the milestone check-in and the nudge."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from flows.clinical.codes import Finding, Tier
from flows.clinical.schedule import PromptChoice, PromptKind
from flows.dialogs import prompts
from flows.dialogs.check import CheckState
from flows.kit.core import SaveEntry, SaveFunctionCheckin, SendAdvice
from flows.records.models import NewEntry
from flows.records.treatment import DrugClass, MedicineAction, MedicineChange, MedicineKind
from tests.flows.driver import context_at
from tests.patient import FlowLine, Patient

NOW = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)


def started(kind: PromptKind, key: str) -> tuple[Patient, FlowLine]:
    """A consented patient shown the prompt the dispatcher sent."""
    line = FlowLine()
    line.driver.ctx = context_at(NOW, consented=True)
    outcome = prompts.begin(PromptChoice(kind, key), date(2026, 3, 10), line.driver.ctx)
    # FlowLine has no verb for a message the bot starts: show it as the line shows a decision.
    line.receive(outcome)
    return Patient(line), line


async def test_weekly_peg_asks_three_items_and_saves_the_score() -> None:
    patient, line = started(PromptKind.WEEKLY, "2026-03-10")
    assert "weekly check-in" in patient.last
    assert "1 of 3" in patient.last
    await patient.press("6")
    assert "enjoyment of life" in patient.last
    await patient.press("Back")
    assert "1 of 3" in patient.last
    await patient.press("5")
    await patient.press("7")
    assert "general activity" in patient.last
    await patient.press("3")
    [saved] = [e for e in line.driver.effects if isinstance(e, SaveFunctionCheckin)]
    checkin = saved.checkin
    assert (checkin.average_pain, checkin.enjoyment, checkin.activity) == (5, 7, 3)
    assert checkin.score == 5.0
    assert "score is 5.0" in patient.last
    assert line.driver.state is None


async def test_milestone_goes_on_into_the_red_flag_screen() -> None:
    patient, line = started(PromptKind.MILESTONE, "3m")
    assert "three months since your operation" in patient.last
    await patient.presses("4", "4", "4")
    assert isinstance(line.driver.state, CheckState)
    assert "Question 1 of" in patient.last
    assert "score is 4.0" in patient.last


async def test_nudge_opens_the_diary() -> None:
    patient, _ = started(PromptKind.NUDGE, "2026-03-07")
    assert "a few days since your last diary entry" in patient.last
    await patient.press("Add an entry")
    assert "BACK pain" in patient.last


async def test_typing_at_a_prompt_gets_a_hint_and_skip_saves_nothing() -> None:
    patient, line = started(PromptKind.DAILY, "2026-03-10")
    await patient.type("six")
    assert patient.last.startswith("Please use the buttons")
    await patient.press("Skip today")
    assert line.driver.state is None
    assert line.driver.effects == []
    assert "no diary today" in patient.last


def _medicine(key: int, name: str, drug_class: DrugClass, kind: MedicineKind) -> MedicineChange:
    return MedicineChange(
        medicine=key,
        action=MedicineAction.START,
        changed_on=date(2026, 2, 1),
        recorded_at=datetime(2026, 2, 1, 9, tzinfo=UTC),
        name=name,
        drug_class=drug_class,
        kind=kind,
    )


LIST = (
    _medicine(1, "Tramadol", DrugClass.OPIOID, MedicineKind.AS_NEEDED),
    _medicine(2, "Pregabalin", DrugClass.GABAPENTINOID, MedicineKind.SCHEDULED),
    _medicine(3, "Ibuprofen", DrugClass.NSAID, MedicineKind.AS_NEEDED),
)


def daily_with(changes: tuple[MedicineChange, ...]) -> tuple[Patient, FlowLine]:
    line = FlowLine()
    line.driver.ctx = replace(context_at(NOW, consented=True), medicine_changes=changes)
    outcome = prompts.begin(
        PromptChoice(PromptKind.DAILY, "2026-03-10"), NOW.date(), line.driver.ctx
    )
    line.receive(outcome)
    return Patient(line), line


def saved_entry(line: FlowLine) -> NewEntry:
    [saved] = [e for e in line.driver.effects if isinstance(e, SaveEntry)]
    return saved.entry


async def test_the_daily_prompt_counts_each_as_needed_medicine_in_one_tap() -> None:
    patient, line = daily_with(LIST)
    await patient.press("6")
    assert "How many doses of Tramadol" in patient.last
    await patient.type("two")
    assert patient.last.startswith("Please tap how many doses of Tramadol you took today")
    assert line.driver.effects == []
    await patient.press("2 doses")
    # The scheduled pregabalin is not counted; the as-needed ibuprofen is.
    assert "How many doses of Ibuprofen" in patient.last
    assert "drowsy" not in patient.last.lower()
    await patient.press("None")
    entry = saved_entry(line)
    assert entry.back_pain == 6
    assert [(d.name, d.opioid, d.doses) for d in entry.medicine_doses] == [
        ("Tramadol", True, 2),
        ("Ibuprofen", False, 0),
    ]
    assert entry.as_needed_doses == 2
    assert "back pain 6/10" in patient.last
    assert "Pain medicine as needed: Tramadol: 2 doses; Ibuprofen: none" in patient.last
    assert line.driver.state is None


async def test_back_from_the_first_medicine_asks_the_pain_again_and_nothing_is_saved() -> None:
    patient, line = daily_with(LIST)
    await patient.press("6")
    await patient.press("1 dose")
    await patient.press("Back")
    assert "How many doses of Tramadol" in patient.last
    await patient.press("Back")
    assert "How has your BACK pain been today" in patient.last
    assert line.driver.effects == []
    await patient.press("4")
    await patient.presses("Rather not say", "1 dose")
    entry = saved_entry(line)
    assert (entry.back_pain, [d.doses for d in entry.medicine_doses]) == (4, [None, 1])


async def test_drowsy_after_the_opioid_is_the_emergency_at_once_and_the_day_is_kept() -> None:
    patient, line = daily_with(LIST)
    await patient.press("7")
    await patient.press("⚠️ I felt very drowsy after it")
    [advice] = [e for e in line.driver.effects if isinstance(e, SendAdvice)]
    assert advice.advice.tier is Tier.EMERGENCY
    assert "drowsy" in advice.advice.text.lower()
    entry = saved_entry(line)
    assert entry.back_pain == 7
    assert Finding.OPIOID_DROWSINESS in entry.symptoms
    assert line.driver.state is None
    assert "back pain 7/10" in patient.last


async def test_without_an_as_needed_medicine_the_pain_alone_is_saved_at_once() -> None:
    patient, line = daily_with(LIST[1:2])
    await patient.press("5")
    entry = saved_entry(line)
    assert (entry.back_pain, entry.medicine_doses, entry.as_needed_doses) == (5, (), None)
    assert line.driver.state is None
