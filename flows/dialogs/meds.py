"""/meds: the patient's list of pain medicines, each start, change and stop a dated record.

Nothing is overwritten: a change of dose and a stop are new records dated by the patient, so
the report can say what was taken when. The bot never suggests a dose; the dose is the
patient's own words.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from flows.dialogs.dated import WHEN, ask_when, day_problem, read_day
from flows.i18n import long_date, t
from flows.kit.core import (
    Button,
    Context,
    Event,
    Flow,
    Load,
    Outcome,
    SaveMedicineChange,
    Screen,
    SteppedState,
    Text,
    button,
    nav_row,
    step_back,
    step_forward,
    use_buttons,
)
from flows.kit.values import Coded
from flows.records.report.treatment import medicine_line
from flows.records.treatment import (
    DOSE_MAX_CHARS,
    MOST_MEDICINES,
    MOST_TIMES_A_DAY,
    NAME_MAX_CHARS,
    DrugClass,
    Medicine,
    MedicineAction,
    MedicineChange,
    MedicineKind,
    next_key,
)

MEDICINE = Coded("med", int)
CLASS = Coded("class_", DrugClass)
KIND = Coded("kind_", MedicineKind)
TIMES = Coded("times", int)


class MedsStep(StrEnum):
    """What /meds is waiting for."""

    LIST = "list"
    MEDICINE = "medicine"
    DRUG_CLASS = "drug_class"
    NAME = "name"
    KIND = "kind"
    DOSE = "dose"
    TIMES_A_DAY = "times_a_day"
    DAY = "day"
    CONFIRM = "confirm"


class MedsState(SteppedState):
    """A change of the medicine list being put together."""

    flow: Literal["meds"] = "meds"
    step: MedsStep = MedsStep.LIST
    trail: tuple[MedsStep, ...] = ()
    medicine: int | None = None
    action: MedicineAction = MedicineAction.START
    drug_class: DrugClass | None = None
    name: str | None = None
    kind: MedicineKind | None = None
    dose: str | None = None
    times_a_day: int | None = None
    day: date | None = None


def begin(ctx: Context) -> Outcome:
    """Show the medicine list, with what can be done to it."""
    state = MedsState()
    return Outcome(state=state, screen=render(state, ctx))


def _chosen(state: MedsState, ctx: Context) -> Medicine | None:
    return next((m for m in ctx.medicines if m.key == state.medicine), None)


def ask_list(lang: str, ctx: Context) -> Screen:
    """The medicines taken today, each a button, and Add."""
    medicines = ctx.medicines
    if medicines:
        lines = "\n".join(
            "• "
            + t(
                lang,
                "meds.since",
                medicine=medicine_line(lang, m),
                date=long_date(lang, m.started_on),
            )
            for m in medicines
        )
        text = t(lang, "meds.list", lines=lines)
    else:
        key = "meds.list_empty_again" if ctx.keeps_medicine_list else "meds.list_empty"
        text = t(lang, key)
    rows = [(button(m.name, MEDICINE(m.key)),) for m in medicines]
    if len(medicines) < MOST_MEDICINES:
        rows.append((button(t(lang, "meds.add"), "add"),))
    return Screen(text=text, buttons=(*rows, nav_row(lang, back=False)))


def ask_medicine(lang: str, medicine: Medicine) -> Screen:
    """What to do with one medicine: change how it is taken, or stop it."""
    return Screen(
        text=t(lang, "meds.ask_medicine", medicine=medicine_line(lang, medicine)),
        buttons=(
            (button(t(lang, "meds.change"), "change"),),
            (button(t(lang, "meds.stop"), "stop"),),
            nav_row(lang),
        ),
    )


def ask_drug_class(lang: str) -> Screen:
    """Which kind of medicine it is."""
    buttons = [button(t(lang, f"meds.class.{c}"), CLASS(c)) for c in DrugClass]
    rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
    return Screen(text=t(lang, "meds.ask_class"), buttons=(*rows, nav_row(lang)))


def ask_name(lang: str, state: MedsState) -> Screen:
    """Its name, typed, or the kind's name."""
    named = t(lang, f"meds.class.{state.drug_class}")
    return Screen(
        text=t(lang, "meds.ask_name", limit=NAME_MAX_CHARS),
        buttons=((button(t(lang, "meds.name_as_class", name=named), "same"),), nav_row(lang)),
    )


def ask_kind(lang: str) -> Screen:
    """Whether it is taken on a schedule or as needed."""
    return Screen(
        text=t(lang, "meds.ask_kind"),
        buttons=(
            (button(t(lang, "meds.kind.scheduled"), KIND(MedicineKind.SCHEDULED)),),
            (button(t(lang, "meds.kind.as_needed"), KIND(MedicineKind.AS_NEEDED)),),
            nav_row(lang),
        ),
    )


def ask_dose(lang: str, state: MedsState) -> Screen:
    """The dose in the patient's own words (as on the box), or skip."""
    key = "meds.ask_dose.as_needed" if state.kind is MedicineKind.AS_NEEDED else "meds.ask_dose"
    rows: list[tuple[Button, ...]] = []
    if state.dose:
        rows.append((button(t(lang, "meds.keep_dose", dose=state.dose), "keep"),))
    rows.append((button(t(lang, "meds.skip_dose"), "skip"),))
    return Screen(text=t(lang, key, limit=DOSE_MAX_CHARS), buttons=(*rows, nav_row(lang)))


def ask_times_a_day(lang: str, state: MedsState) -> Screen:
    """How many times a day it is taken."""

    def label(n: int) -> str:
        return f"• {n} •" if n == state.times_a_day else str(n)

    numbers = tuple(button(label(n), TIMES(n)) for n in range(1, MOST_TIMES_A_DAY + 1))
    return Screen(
        text=t(lang, "meds.ask_times"),
        buttons=(numbers, (button(t(lang, "meds.skip_times"), "skip"),), nav_row(lang)),
    )


def ask_day(lang: str, state: MedsState, ctx: Context) -> Screen:
    """The day of the start, change or stop."""
    question = t(lang, f"meds.ask_day.{state.action}", name=state.name or "")
    return ask_when(lang, question, ctx.today, state.day)


def change_of(state: MedsState, ctx: Context) -> MedicineChange:
    """The dated record the answers make."""
    key = state.medicine if state.medicine is not None else next_key(ctx.medicine_changes)
    return MedicineChange(
        medicine=key,
        action=state.action,
        changed_on=state.day or ctx.today,
        recorded_at=ctx.now,
        name=state.name or "",
        drug_class=state.drug_class or DrugClass.OTHER,
        kind=state.kind or MedicineKind.SCHEDULED,
        dose=state.dose,
        times_a_day=state.times_a_day,
    )


def ask_confirm(lang: str, state: MedsState, ctx: Context) -> Screen:
    """The record about to be kept, to save or go back."""
    change = change_of(state, ctx)
    text = t(
        lang,
        f"meds.confirm.{state.action}",
        medicine=medicine_line(lang, change),
        date=long_date(lang, change.changed_on),
    )
    return Screen(
        text=text,
        buttons=((button(t(lang, "meds.save"), "save"),), nav_row(lang)),
    )


def render(state: MedsState, ctx: Context) -> Screen:
    """The screen of the current step."""
    lang = ctx.language
    match state.step:
        case MedsStep.LIST:
            return ask_list(lang, ctx)
        case MedsStep.MEDICINE:
            chosen = _chosen(state, ctx)
            return ask_list(lang, ctx) if chosen is None else ask_medicine(lang, chosen)
        case MedsStep.DRUG_CLASS:
            return ask_drug_class(lang)
        case MedsStep.NAME:
            return ask_name(lang, state)
        case MedsStep.KIND:
            return ask_kind(lang)
        case MedsStep.DOSE:
            return ask_dose(lang, state)
        case MedsStep.TIMES_A_DAY:
            return ask_times_a_day(lang, state)
        case MedsStep.DAY:
            return ask_day(lang, state, ctx)
        case MedsStep.CONFIRM:
            return ask_confirm(lang, state, ctx)


def _show(state: MedsState, ctx: Context) -> Outcome:
    return Outcome(state=state, screen=render(state, ctx))


def _hinted(state: MedsState, ctx: Context, key: str, **values: object) -> Outcome:
    return Outcome(
        state=state, screen=render(state, ctx).with_hint(t(ctx.language, key, **values))
    )


def _after_dose(state: MedsState, dose: str | None) -> MedsState:
    if state.kind is MedicineKind.AS_NEEDED:
        return step_forward(state, MedsStep.DAY, dose=dose, times_a_day=None)
    return step_forward(state, MedsStep.TIMES_A_DAY, dose=dose)


def on_text(state: MedsState, event: Text, ctx: Context) -> Outcome:
    """A typed name, dose or date; anything else is answered with the step's buttons."""
    typed = " ".join(event.text.replace("\x00", "").split())
    match state.step:
        case MedsStep.NAME:
            if not typed:
                return _hinted(state, ctx, "meds.name_empty")
            if len(typed) > NAME_MAX_CHARS:
                return _hinted(state, ctx, "meds.name_too_long", limit=NAME_MAX_CHARS)
            return _show(step_forward(state, MedsStep.KIND, name=typed), ctx)
        case MedsStep.DOSE:
            if len(typed) > DOSE_MAX_CHARS:
                return _hinted(state, ctx, "meds.dose_too_long", limit=DOSE_MAX_CHARS)
            return _show(_after_dose(state, typed or None), ctx)
        case MedsStep.DAY:
            day = read_day(typed, ctx.today)
            problem = day_problem(day, ctx.today)
            if problem is not None:
                return _hinted(state, ctx, problem)
            return _show(step_forward(state, MedsStep.CONFIRM, day=day), ctx)
        case MedsStep.DRUG_CLASS:
            # A patient types the name first: the kind comes first, the name next.
            return _hinted(state, ctx, "meds.class_first")
    return use_buttons(state, render(state, ctx), ctx)


def on_event(state: MedsState, event: Event, ctx: Context) -> Outcome:
    """Apply one press or typed answer to the change being put together."""
    if isinstance(event, Text):
        return on_text(state, event, ctx)
    value = event.value
    if value == "back" and state.trail:
        previous = step_back(state)
        return _show(previous, ctx)
    match state.step:
        case MedsStep.LIST:
            if value == "add":
                return _show(step_forward(state, MedsStep.DRUG_CLASS, medicine=None), ctx)
            return _show(step_forward(state, MedsStep.MEDICINE, medicine=MEDICINE.of(value)), ctx)
        case MedsStep.MEDICINE:
            return _on_medicine(state, value, ctx)
        case MedsStep.DRUG_CLASS:
            return _show(step_forward(state, MedsStep.NAME, drug_class=CLASS.of(value)), ctx)
        case MedsStep.NAME:
            named = t(ctx.language, f"meds.class.{state.drug_class}")
            return _show(step_forward(state, MedsStep.KIND, name=named), ctx)
        case MedsStep.KIND:
            return _show(step_forward(state, MedsStep.DOSE, kind=KIND.of(value)), ctx)
        case MedsStep.DOSE:
            return _show(_after_dose(state, state.dose if value == "keep" else None), ctx)
        case MedsStep.TIMES_A_DAY:
            times = None if value == "skip" else TIMES.of(value)
            return _show(step_forward(state, MedsStep.DAY, times_a_day=times), ctx)
        case MedsStep.DAY:
            return _show(step_forward(state, MedsStep.CONFIRM, day=WHEN.of(value)), ctx)
        case MedsStep.CONFIRM:
            return _save(state, ctx)


def _on_medicine(state: MedsState, value: str, ctx: Context) -> Outcome:
    medicine = _chosen(state, ctx)
    if medicine is None:
        # Stopped meanwhile (another device, an import): the list as it is now.
        return _hinted(MedsState(), ctx, "meds.gone")
    taken = {
        "name": medicine.name,
        "drug_class": medicine.drug_class,
        "kind": medicine.kind,
        "dose": medicine.dose,
        "times_a_day": medicine.times_a_day,
    }
    if value == "stop":
        return _show(step_forward(state, MedsStep.DAY, action=MedicineAction.STOP, **taken), ctx)
    return _show(step_forward(state, MedsStep.DOSE, action=MedicineAction.CHANGE, **taken), ctx)


def _save(state: MedsState, ctx: Context) -> Outcome:
    lang = ctx.language
    change = change_of(state, ctx)
    started = next(
        (m.started_on for m in ctx.medicines if m.key == change.medicine), change.changed_on
    )
    if state.action is not MedicineAction.START and change.changed_on < started:
        return _hinted(state, ctx, "meds.before_start", date=long_date(lang, started))
    text = t(lang, f"meds.saved.{state.action}", medicine=medicine_line(lang, change))
    if change.drug_class is DrugClass.OPIOID and state.action is not MedicineAction.STOP:
        # The one safety line the list carries: the red flag the diary asks about (RF-OPI).
        text += "\n\n" + t(lang, "meds.opioid_warning")
    return Outcome(
        state=None, screen=Screen(text=text), effects=(SaveMedicineChange(change=change),)
    )


FLOW = Flow(MedsState, render, on_event, command="meds", begin=begin, loads=Load.MEDICINES)
