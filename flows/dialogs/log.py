"""The daily diary: back pain, leg pain, symptoms, an optional note, confirm, save.

An entry can be for any of the last `LOG_DAYS` days, and every step says which day it is for.
The same steps, prefilled, change an entry chosen in /history (`begin_edit`).

A red-flag symptom is answered the moment the symptom step is finished, before the note or
the save, and the advice stands even if the entry is then cancelled (REFERENCE.md §8.6): it
goes to the outbox as `SendAdvice`. An emergency ends the diary there, with the entry saved.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from typing import Literal

from pydantic import ValidationError

from flows.clinical.codes import Finding, Tier
from flows.clinical.emergency import UNKNOWN
from flows.clinical.free_text import red_flags_in_text
from flows.clinical.rules import TriageResult, advice_for, advice_pointer, triage
from flows.i18n import CATALOGUES, DEFAULT_LANGUAGE, long_date, short_date, t
from flows.kit.core import (
    Button,
    ClearEntryAside,
    Context,
    Effect,
    Event,
    Flow,
    FlowState,
    Load,
    Outcome,
    SaveEntry,
    Screen,
    SendAdvice,
    Text,
    button,
    nav_row,
    pain_grid,
)
from flows.kit.values import PAIN, Coded
from flows.records.models import NOTE_MAX_CHARS, Advice, AdviceSource, Entry, EntrySource, NewEntry

# Before this local hour a new entry may well be about yesterday evening.
EARLY_HOUR = 10
# An entry can be for today or one of the days before it, this many days in all: a patient
# who missed a few days can catch up, and the week is still remembered.
LOG_DAYS = 7
# The day an entry is for, and a symptom ticked or unticked.
DAY = Coded("d", date.fromisoformat, date.isoformat)
SYMPTOM: Coded[Finding] = Coded("s.", Finding, lambda code: code.value)

# The checklist: new-or-worse warning signs first (they are re-screened at every entry,
# REFERENCE.md §1.3, and cover every red flag a patient notices between checks, §8.6), then
# the pain patterns that feed the cause rules (§2.3).
DIARY_SYMPTOMS: tuple[Finding, ...] = (
    Finding.BLADDER_CHANGE,
    Finding.BOWEL_CHANGE,
    Finding.SADDLE_NUMBNESS,
    Finding.SEXUAL_NUMBNESS,
    Finding.BOTH_LEGS_NEW,
    Finding.LEG_WEAKNESS,
    Finding.SUDDEN_SEVERE_PAIN,
    Finding.FEVER,
    Finding.FEELING_UNWELL,
    Finding.WOUND_INFECTION_SIGNS,
    Finding.CALF_SWELLING,
    Finding.PE_SIGNS,
    Finding.OPIOID_DROWSINESS,
    Finding.SELF_HARM_THOUGHTS,
    Finding.PAIN_ONE_LEG,
    Finding.PAIN_NEUROPATHIC,
    Finding.PAIN_BUTTOCK_GROIN,
    Finding.MUSCLE_TIGHTNESS,
    Finding.PAIN_CONSTANT_NIGHT,
)
# What an entry can record, in the order it is shown: the checklist, with a leg's weakness
# split by how fast it came (§1.2).
RECORDED_SYMPTOMS: tuple[Finding, ...] = (
    *DIARY_SYMPTOMS[: DIARY_SYMPTOMS.index(Finding.LEG_WEAKNESS) + 1],
    Finding.LEG_WEAKNESS_RAPID,
    *DIARY_SYMPTOMS[DIARY_SYMPTOMS.index(Finding.LEG_WEAKNESS) + 1 :],
)


class LogStep(StrEnum):
    """What the diary is waiting for."""

    DAY = "day"
    BACK_PAIN = "back_pain"
    LEG_PAIN = "leg_pain"
    SYMPTOMS = "symptoms"
    WEAKNESS_SPEED = "weakness_speed"
    NOTE = "note"
    CONFIRM = "confirm"


class LogState(FlowState):
    """A diary entry being filled in."""

    flow: Literal["log"] = "log"
    step: LogStep
    trail: tuple[LogStep, ...] = ()
    entry_date: date
    replaces: int | None = None
    back_pain: int | None = None
    leg_pain: int | None = None
    symptoms: tuple[Finding, ...] = ()
    note: str | None = None
    # The red flags whose advice was already sent, so going Back and Done again or saving
    # does not send the same message twice.
    advised: tuple[str, ...] = ()
    # The stored entry these steps change (chosen in /history): what the answers do not
    # cover, such as when it was recorded, is kept from it.
    changing: Entry | None = None


def offers_yesterday(ctx: Context) -> bool:
    """Whether to ask which day the entry is for."""
    return ctx.entries_today > 0 or ctx.local_now.hour < EARLY_HOUR or ctx.quick_entry is not None


def begin(ctx: Context) -> Outcome:
    """Start a new diary entry, or carry on with the one that was put aside."""
    if ctx.entry_aside is not None:
        aside = entry_put_aside(ctx)
        if aside is not None:
            hint = t(ctx.language, _edit_key(aside, "log.resumed"), day=day_words(aside, ctx))
            screen = render(aside, ctx).with_hint(hint)
            return Outcome(state=aside, screen=screen, effects=(ClearEntryAside(),))
    step = LogStep.DAY if offers_yesterday(ctx) else LogStep.BACK_PAIN
    state = LogState(step=step, entry_date=ctx.today)
    # A put-aside entry an older version saved and this one cannot read is not kept forever.
    effects: tuple[Effect, ...] = (ClearEntryAside(),) if ctx.entry_aside is not None else ()
    return Outcome(state=state, screen=render(state, ctx), effects=effects)


def begin_edit(entry: Entry, ctx: Context) -> Outcome:
    """Walk the diary's steps again for a stored entry, every answer prefilled."""
    state = LogState(
        step=LogStep.BACK_PAIN,
        entry_date=entry.entry_date,
        replaces=entry.id,
        back_pain=entry.back_pain,
        leg_pain=entry.leg_pain,
        symptoms=entry.symptoms,
        note=entry.note,
        changing=entry,
        # What the entry already advised on was answered when it was logged: only a warning
        # sign the change adds is answered again, so a flagged entry stays editable.
        advised=_already_advised(entry, ctx),
    )
    return Outcome(state=state, screen=render(state, ctx))


def _already_advised(entry: Entry, ctx: Context) -> tuple[str, ...]:
    if not entry.symptoms:
        return ()
    profile = ctx.profile
    found = set(entry.symptoms) | (profile.profile_findings() if profile else frozenset())
    days = profile.surgery_days(entry.entry_date) if profile else None
    return _advised_keys(triage(found, (), days))


def carry_on(state: LogState, ctx: Context) -> Outcome:
    """/log in the middle of an entry: the same step again, saying it carries on."""
    hint = t(ctx.language, _edit_key(state, "log.carry_on"), day=day_words(state, ctx))
    return Outcome(state=state, screen=render(state, ctx).with_hint(hint))


def has_answers(state: LogState) -> bool:
    """Whether leaving this entry unsaved would lose something the patient chose."""
    changing = state.changing
    if changing is None:
        return state.back_pain is not None
    # A change not yet made loses nothing: the entry is still stored as it was.
    return (state.entry_date, state.back_pain, state.leg_pain, state.symptoms, state.note) != (
        changing.entry_date,
        changing.back_pain,
        changing.leg_pain,
        changing.symptoms,
        changing.note,
    )


def entry_put_aside(ctx: Context) -> LogState | None:
    """The entry that was put aside, if there is one this version can read."""
    if ctx.entry_aside is None:
        return None
    try:
        return LogState.model_validate_json(ctx.entry_aside)
    except ValidationError:
        return None


def put_aside_notice(state: LogState, ctx: Context) -> str:
    """What the patient is told when another command puts this entry aside."""
    lang = ctx.language
    text = t(lang, _edit_key(state, "log.put_aside"), day=day_words(state, ctx))
    earlier = entry_put_aside(ctx)
    if earlier is not None and earlier != state:
        dropped = t(lang, _edit_key(earlier, "log.aside_dropped"), day=day_words(earlier, ctx))
        text = f"{text}\n{dropped}"
    return text


def _edit_key(state: LogState, key: str) -> str:
    return f"{key}.edit" if state.changing is not None else key


def render(state: LogState, ctx: Context) -> Screen:
    """Return the screen for the current step, with the day it is for."""
    lang = ctx.language
    match state.step:
        case LogStep.DAY:
            return ask_day(lang, state, ctx)
        case LogStep.BACK_PAIN:
            screen = ask_back_pain(lang, state, ctx)
        case LogStep.LEG_PAIN:
            screen = ask_leg_pain(lang, state)
        case LogStep.SYMPTOMS:
            screen = ask_symptoms(lang, state)
        case LogStep.WEAKNESS_SPEED:
            screen = ask_weakness_speed(lang)
        case LogStep.NOTE:
            screen = ask_note(lang, state)
        case LogStep.CONFIRM:
            # The card names the day itself.
            return ask_confirm(lang, state)
    # Below the question, next to the buttons: the step's own words still come first.
    return screen.with_text(f"{screen.text}\n\n{_heading(lang, state, ctx)}")


def _heading(lang: str, state: LogState, ctx: Context) -> str:
    key = "log.heading.edit" if state.changing is not None else "log.heading"
    return t(lang, key, day=day_words(state, ctx))


def day_words(state: LogState, ctx: Context) -> str:
    """The entry's day as the patient reads it: "today, Tue 10 Mar", "Sun 8 Mar"."""
    return _day_words(ctx.language, state.entry_date, ctx.today)


def _day_words(lang: str, day: date, today: date) -> str:
    named = short_date(lang, day)
    if day == today:
        return t(lang, "log.day.today_words", date=named)
    if day == today - timedelta(days=1):
        return t(lang, "log.day.yesterday_words", date=named)
    return named


def entries_on(ctx: Context, day: date) -> int:
    """How many stored entries the diary has for a day."""
    if ctx.diary:
        return sum(1 for e in ctx.diary if e.entry_date == day)
    for known, count in ctx.day_counts:
        if known == day:
            return count
    # Without the days loaded, today's count is still known.
    return ctx.entries_today if day == ctx.today and not ctx.day_counts else 0


def logging_days(ctx: Context) -> tuple[date, ...]:
    """The days an entry can be for, today first."""
    return tuple(ctx.today - timedelta(days=n) for n in range(LOG_DAYS))


def ask_day(lang: str, state: LogState, ctx: Context) -> Screen:
    """Ask which of the last days the entry is for, saying which already have entries."""
    if ctx.quick_entry is not None:
        key = "log.ask_day.quick"
    elif ctx.entries_today:
        key = "log.ask_day.again"
    elif state.trail:
        key = "log.ask_day.other"
    else:
        key = "log.ask_day.early"
    rows: list[tuple[Button, ...]] = []
    if ctx.quick_entry is not None:
        label = t(lang, "log.day.complete", n=ctx.quick_entry.back_pain)
        rows.append((button(label, "complete"),))
    today, yesterday, *earlier = logging_days(ctx)
    rows.append(
        (
            button(_day_label(lang, ctx, today, t(lang, "log.day.today")), DAY(today)),
            button(_day_label(lang, ctx, yesterday, t(lang, "log.day.yesterday")), DAY(yesterday)),
        )
    )
    # Every day carries its date as the value: "Yesterday" drawn at 23:58 and pressed at
    # 00:02 still means the day it named, not the day before today.
    days = [button(_day_label(lang, ctx, d, short_date(lang, d)), DAY(d)) for d in earlier]
    rows.extend(tuple(days[i : i + 2]) for i in range(0, len(days), 2))
    return Screen(text=t(lang, key), buttons=(*rows, nav_row(lang, back=bool(state.trail))))


def _day_label(lang: str, ctx: Context, day: date, name: str) -> str:
    count = entries_on(ctx, day)
    return t(lang, "log.day.with_entries", day=name, n=count) if count else name


def ask_back_pain(lang: str, state: LogState, ctx: Context) -> Screen:
    """Ask for back pain 0-10, the earlier answer marked, saying if the day has entries."""
    rows: list[tuple[Button, ...]] = list(pain_grid(state.back_pain))
    if not state.trail and state.replaces is None:
        # The day was not asked: this is how an entry for an earlier day starts.
        rows.append((button(t(lang, "log.day.other"), "day"),))
    text = t(lang, "log.ask_back")
    if state.replaces is None:
        count = entries_on(ctx, state.entry_date)
        if count:
            day = day_words(state, ctx)
            text = f"{t(lang, 'log.day_has_entries', n=count, day=day)}\n\n{text}"
    return Screen(text=text, buttons=(*rows, nav_row(lang, back=bool(state.trail))))


def ask_leg_pain(lang: str, state: LogState) -> Screen:
    """Ask for leg pain 0-10, or none, the earlier answer marked."""
    return Screen(
        text=t(lang, "log.ask_leg"),
        buttons=(
            *pain_grid(state.leg_pain),
            (button(t(lang, "log.leg.none"), "none"),),
            nav_row(lang),
        ),
    )


def ask_symptoms(lang: str, state: LogState) -> Screen:
    """Show the symptom checklist with ticks on the chosen ones."""
    rows: list[tuple[Button, ...]] = [
        (_symptom_button(lang, code, _ticked(state, code)),) for code in DIARY_SYMPTOMS
    ]
    done_key = "log.symptoms.done_some" if state.symptoms else "log.symptoms.done_none"
    rows.append((button(t(lang, done_key, n=len(state.symptoms)), "done"),))
    rows.append(nav_row(lang))
    return Screen(text=t(lang, "log.ask_symptoms"), buttons=tuple(rows))


def _ticked(state: LogState, code: Finding) -> bool:
    if code is Finding.LEG_WEAKNESS:
        return bool({Finding.LEG_WEAKNESS, Finding.LEG_WEAKNESS_RAPID} & set(state.symptoms))
    return code in state.symptoms


def ask_weakness_speed(lang: str) -> Screen:
    """Ask how fast the leg is getting weaker, as /check does (RF-NEU-1)."""
    return Screen(
        text=t(lang, "log.ask_weakness_speed"),
        buttons=(
            (button(t(lang, "log.weakness.rapid"), "rapid"),),
            (button(t(lang, "log.weakness.slow"), "slow"),),
            (button(t(lang, "log.weakness.unsure"), "unsure"),),
            nav_row(lang),
        ),
    )


def _symptom_button(lang: str, code: Finding, ticked: bool) -> Button:
    return _cached_symptom_button(lang, code, ticked)


# Cached behind a typed function: functools.cache's wrapper takes any arguments.
@cache
def _cached_symptom_button(lang: str, code: Finding, ticked: bool) -> Button:
    mark = "✅ " if ticked else "▫️ "
    return button(mark + t(lang, f"symptom.{code}"), SYMPTOM(code))


def ask_note(lang: str, state: LogState) -> Screen:
    """Ask for an optional note; a note already given is shown, to keep, replace or remove."""
    if state.note:
        return Screen(
            text=t(lang, "log.ask_note.again", note=state.note, limit=NOTE_MAX_CHARS),
            buttons=(
                (button(t(lang, "log.note.keep"), "keep"),),
                (button(t(lang, "log.note.remove"), "clear"),),
                nav_row(lang),
            ),
        )
    return Screen(
        text=t(lang, "log.ask_note", limit=NOTE_MAX_CHARS),
        buttons=((button(t(lang, "log.note.skip"), "skip"),), nav_row(lang)),
    )


def ask_confirm(lang: str, state: LogState) -> Screen:
    """Show the entry card and ask to save it."""
    return Screen(
        text=t(lang, _edit_key(state, "log.confirm"), card=entry_card(lang, state)),
        buttons=((button(t(lang, _edit_key(state, "log.save")), "save"),), nav_row(lang)),
    )


def entry_card(lang: str, state: LogState | NewEntry) -> str:
    """Return the entry summary the user confirms (or a stored entry, in /history)."""
    lines = [t(lang, "card.date", date=long_date(lang, state.entry_date))]
    # A quick entry from the daily prompt has no leg pain yet; an import may lack either.
    if state.back_pain is not None:
        lines.append(t(lang, "card.back", n=state.back_pain))
    if state.leg_pain is not None:
        lines.append(t(lang, "card.leg", n=state.leg_pain))
    if state.symptoms:
        names = ", ".join(symptom_name(lang, c) for c in state.symptoms)
        lines.append(t(lang, "card.symptoms", names=names))
    else:
        lines.append(t(lang, "card.no_symptoms"))
    if state.note:
        lines.append(t(lang, "card.note", note=state.note))
    return "\n".join(lines)


def symptom_name(lang: str, code: Finding) -> str:
    """A recorded symptom's name: the checklist's words, or the report's for other codes."""
    # Imported entries and /check may record codes the checklist does not list.
    key = f"symptom.{code.value}"
    if key not in CATALOGUES[DEFAULT_LANGUAGE]:
        key = f"report.finding.{code.value}"
    return t(lang, key)


def _forward(state: LogState, step: LogStep, **changes: object) -> LogState:
    return state.model_copy(update={"step": step, "trail": (*state.trail, state.step), **changes})


def _advance(state: LogState, ctx: Context) -> Outcome:
    return Outcome(state=state, screen=render(state, ctx))


def _chosen_day(value: str, ctx: Context) -> date:
    return DAY.of(value)


def on_event(state: LogState, event: Event, ctx: Context) -> Outcome:
    """Apply one button press or text to the diary entry being filled in."""
    lang = ctx.language
    if isinstance(event, Text):
        if state.step is not LogStep.NOTE:
            hint = t(lang, "log.use_buttons")
            return Outcome(state=state, screen=render(state, ctx).with_hint(hint))
        note = event.text.strip()
        if len(note) > NOTE_MAX_CHARS:
            hint = t(lang, "log.note_too_long", n=len(note), limit=NOTE_MAX_CHARS)
            return Outcome(state=state, screen=render(state, ctx).with_hint(hint))
        # A note that names a cauda equina symptom is answered like a ticked one (§8.8), and
        # recorded as one, so /check, the export and `assess` see it too.
        named = tuple(f for f in red_flags_in_text(note) if f not in state.symptoms)
        confirming = _forward(
            state,
            LogStep.CONFIRM,
            note=note or None,
            symptoms=_in_order({*state.symptoms, *named}),
        )
        decided = _new_advice(confirming, ctx)
        if decided is None:
            return _advance(confirming, ctx)
        return _with_advice(confirming, ctx, decided)

    value = event.value
    if value == "back" and state.trail:
        previous = state.model_copy(update={"step": state.trail[-1], "trail": state.trail[:-1]})
        return _advance(previous, ctx)
    match state.step:
        case LogStep.DAY:
            quick = ctx.quick_entry
            if value == "complete" and quick is not None:
                # The quick entry from today's prompt already has the back pain: go on from there.
                completing = _forward(
                    state,
                    LogStep.LEG_PAIN,
                    entry_date=quick.entry_date,
                    back_pain=quick.back_pain,
                    replaces=quick.id,
                )
                return _advance(completing, ctx)
            day = _chosen_day(value, ctx)
            if state.trail[-1:] == (LogStep.BACK_PAIN,):
                # "Another day" from the first question: back to it, for the day chosen.
                first = {"step": LogStep.BACK_PAIN, "trail": state.trail[:-1], "entry_date": day}
                return _advance(state.model_copy(update=first), ctx)
            return _advance(_forward(state, LogStep.BACK_PAIN, entry_date=day), ctx)
        case LogStep.BACK_PAIN:
            if value == "day":
                return _advance(_forward(state, LogStep.DAY), ctx)
            return _advance(_forward(state, LogStep.LEG_PAIN, back_pain=PAIN.of(value)), ctx)
        case LogStep.LEG_PAIN:
            leg = 0 if value == "none" else PAIN.of(value)
            return _advance(_forward(state, LogStep.SYMPTOMS, leg_pain=leg), ctx)
        case LogStep.SYMPTOMS:
            if value == "done":
                return _symptoms_done(state, ctx)
            code = SYMPTOM.of(value)
            if code is Finding.LEG_WEAKNESS and not _ticked(state, code):
                return _advance(_forward(state, LogStep.WEAKNESS_SPEED), ctx)
            return _advance(state.model_copy(update={"symptoms": _toggled(state, code)}), ctx)
        case LogStep.WEAKNESS_SPEED:
            # "Not sure" counts as the faster course: a missed rapid weakness is the costlier
            # mistake (REFERENCE.md §1.1 rule 5).
            speed = Finding.LEG_WEAKNESS if value == "slow" else Finding.LEG_WEAKNESS_RAPID
            back = state.model_copy(
                update={
                    "step": LogStep.SYMPTOMS,
                    "trail": state.trail[:-1],
                    "symptoms": _toggled(state, speed),
                }
            )
            return _advance(back, ctx)
        case LogStep.NOTE:
            # "keep" is offered only with a note already given; Skip and Remove leave none.
            kept = state.note if value == "keep" else None
            return _advance(_forward(state, LogStep.CONFIRM, note=kept), ctx)
        case LogStep.CONFIRM:
            return save(state, ctx)


def _in_order(chosen: set[Finding]) -> tuple[Finding, ...]:
    """Checklist order, with the chosen weakness speed where the weakness row stands."""
    listed = tuple(c for c in RECORDED_SYMPTOMS if c in chosen)
    # Codes the checklist does not show (an imported or /check entry being changed) are kept.
    return (*listed, *(c for c in Finding if c in chosen and c not in RECORDED_SYMPTOMS))


def _toggled(state: LogState, code: Finding) -> tuple[Finding, ...]:
    speeds = {Finding.LEG_WEAKNESS, Finding.LEG_WEAKNESS_RAPID}
    kept = set(state.symptoms)
    # Unticking the weakness row removes whichever speed was chosen with it.
    chosen = kept - speeds if code in speeds and kept & speeds else kept ^ {code}
    return _in_order(chosen)


def _advised_keys(result: TriageResult) -> tuple[str, ...]:
    """What a result advises on, each with its tier: its red flags, other warning signs, or
    (with neither) the urgency the causes alone set (§8.5)."""
    keys = [f"{flag.id}={flag.tier.value}" for flag in result.red_flags]
    keys += [f"warning.{f.value}={Tier.SOON.value}" for f in result.other_warnings]
    return tuple(keys) or (f"causes={result.tier.value}",)


def _is_new(keys: tuple[str, ...], advised: tuple[str, ...]) -> bool:
    """Whether any key is not yet advised at its tier or higher (a rise is new advice)."""
    done: dict[str, int] = {}
    for entry in advised:
        key, _, tier = entry.partition("=")
        done[key] = max(done.get(key, -1), Tier(tier).rank)
    for entry in keys:
        key, _, tier = entry.partition("=")
        if Tier(tier).rank > done.get(key, -1):
            return True
    return False


def _new_advice(state: LogState, ctx: Context) -> tuple[Advice, tuple[str, ...]] | None:
    """The advice the ticked symptoms call for, unless that advice was already sent."""
    findings = state.symptoms
    if not findings:
        return None
    profile = ctx.profile
    found = set(findings) | (profile.profile_findings() if profile else frozenset())
    days = profile.surgery_days(state.entry_date) if profile else None
    result = triage(found, (), days)
    numbers = profile.numbers() if profile else UNKNOWN
    advice = advice_for(result, ctx.language, numbers, AdviceSource.LOG, answered=findings)
    keys = _advised_keys(result)
    if advice is None or not _is_new(keys, state.advised):
        return None
    return advice, keys


def _with_advice(
    state: LogState, ctx: Context, decided: tuple[Advice, tuple[str, ...]]
) -> Outcome:
    """Send the advice now; an emergency saves the entry and ends the diary (§1.4, §8.6)."""
    advice, keys = decided
    numbers = ctx.profile.numbers() if ctx.profile else UNKNOWN
    pointer = advice_pointer(advice, ctx.language, numbers)
    advised = state.model_copy(update={"advised": tuple(dict.fromkeys((*state.advised, *keys)))})
    send = SendAdvice(advice=advice)
    if advice.tier is Tier.EMERGENCY:
        saved = save(advised, ctx)
        card = entry_card(ctx.language, advised)
        text = t(ctx.language, "log.saved_at_once", pointer=pointer, card=card)
        return Outcome(state=None, screen=Screen(text=text), effects=(send, *saved.effects))
    hint = t(ctx.language, "log.advice_given", pointer=pointer)
    return Outcome(state=advised, screen=render(advised, ctx).with_hint(hint), effects=(send,))


def _symptoms_done(state: LogState, ctx: Context) -> Outcome:
    noting = _forward(state, LogStep.NOTE)
    decided = _new_advice(noting, ctx)
    if decided is None:
        return _advance(noting, ctx)
    return _with_advice(noting, ctx, decided)


def save(state: LogState, ctx: Context) -> Outcome:
    """End the flow with the entry saved."""
    answers: dict[str, object] = {
        "back_pain": state.back_pain,
        "leg_pain": state.leg_pain,
        "symptoms": state.symptoms,
        "note": state.note,
    }
    if state.changing is None:
        fresh = {"recorded_at": ctx.now, "timezone": ctx.timezone, "source": EntrySource.LOG}
        entry = NewEntry.model_validate({"entry_date": state.entry_date, **fresh, **answers})
    else:
        # A change corrects the entry: its day, time and origin stay as they were.
        kept = state.changing.model_dump(exclude={"id", "user_id"})
        entry = NewEntry.model_validate({**kept, **answers})
    lang = ctx.language
    effects: list[Effect] = []
    # A safety net: advice for any flag not yet answered (there is none after Done).
    decided = _new_advice(state, ctx)
    if decided is not None:
        effects.append(SendAdvice(advice=decided[0]))
    effects.append(SaveEntry(entry=entry, replaces=state.replaces))
    return Outcome(
        state=None,
        screen=Screen(text=t(lang, _edit_key(state, "log.saved"), card=entry_card(lang, state))),
        effects=tuple(effects),
    )


FLOW = Flow(LogState, render, on_event, command="log", begin=begin, loads=Load.DAY_COUNTS)
