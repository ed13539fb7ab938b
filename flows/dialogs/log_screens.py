"""What the diary shows: each step's question, the days an entry can be for and the entry card.

Every step names the day the entry is for; a day with entries already says how many.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING

from flows.clinical.codes import Finding
from flows.i18n import CATALOGUES, DEFAULT_LANGUAGE, long_date, short_date, t
from flows.kit.core import Button, Context, Screen, button, nav_row, pain_grid
from flows.kit.values import Coded
from flows.records.models import MOST_DOSES, NOTE_MAX_CHARS, NewEntry
from flows.records.treatment import Medicine, MedicineDose

if TYPE_CHECKING:
    # Only for annotations: flows.dialogs.log imports this module.
    from flows.dialogs.log import LogState


# An entry can be for today or one of the days before it, this many days in all: a patient
# who missed a few days can catch up, and the week is still remembered.
LOG_DAYS = 7
# The day an entry is for, and a symptom ticked or unticked.
DAY = Coded("d", date.fromisoformat, date.isoformat)
SYMPTOM: Coded[Finding] = Coded("s.", Finding, lambda code: code.value)
# How many as-needed doses of pain medicine were taken (MOST_DOSES: that many or more).
DOSES = Coded("dose", int)

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


def edit_key(state: LogState, key: str) -> str:
    """The text's key, or its variant for changing a stored entry."""
    return f"{key}.edit" if state.changing is not None else key


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
        (_symptom_button(lang, code, ticked(state, code)),) for code in DIARY_SYMPTOMS
    ]
    done_key = "log.symptoms.done_some" if state.symptoms else "log.symptoms.done_none"
    rows.append((button(t(lang, done_key, n=len(state.symptoms)), "done"),))
    rows.append(nav_row(lang))
    return Screen(text=t(lang, "log.ask_symptoms"), buttons=tuple(rows))


def ticked(state: LogState, code: Finding) -> bool:
    """Whether the checklist row is ticked; the weakness row by either speed."""
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


def dose_words(lang: str, doses: int | None) -> str:
    """A count of doses as the card says it: "none", "1 dose", "3 or more", "not said"."""
    if doses is None:
        return t(lang, "log.doses.not_said")
    words = {0: "log.doses.none", 1: "log.doses.one", MOST_DOSES: "log.doses.most"}
    return t(lang, words.get(doses, "log.doses.n"), n=doses).lower()


def ask_medicine_doses(lang: str, medicine: Medicine, earlier: int | None) -> Screen:
    """Ask how many doses of one as-needed medicine were taken; an opioid offers drowsiness."""

    def label(n: int) -> str:
        words = {0: "log.doses.none", 1: "log.doses.one", MOST_DOSES: "log.doses.most"}
        text = t(lang, words.get(n, "log.doses.n"), n=n)
        return f"• {text} •" if n == earlier else text

    rows: list[tuple[Button, ...]] = [
        tuple(button(label(n), DOSES(n)) for n in range(MOST_DOSES + 1)),
        (button(t(lang, "log.doses.skip"), "skip"),),
    ]
    if medicine.opioid:
        # The red flag of too much opioid (RF-OPI), offered where the doses are counted.
        rows.append((button(t(lang, "log.doses.drowsy"), "drowsy"),))
    return Screen(
        text=t(lang, "log.ask_medicine_doses", name=medicine.name),
        buttons=(*rows, nav_row(lang)),
    )


def ask_as_needed_doses(lang: str, state: LogState) -> Screen:
    """Ask how many doses of pain medicine were taken as needed, the earlier answer marked."""

    def label(n: int) -> str:
        words = {0: "log.doses.none", 1: "log.doses.one", MOST_DOSES: "log.doses.most"}
        text = t(lang, words.get(n, "log.doses.n"), n=n)
        return f"• {text} •" if n == state.as_needed_doses else text

    return Screen(
        text=t(lang, "log.ask_doses"),
        buttons=(
            tuple(button(label(n), DOSES(n)) for n in range(MOST_DOSES + 1)),
            (button(t(lang, "log.doses.skip"), "skip"),),
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
        text=t(lang, edit_key(state, "log.confirm"), card=entry_card(lang, state)),
        buttons=((button(t(lang, edit_key(state, "log.save")), "save"),), nav_row(lang)),
    )


def medicine_doses_line(lang: str, doses: Sequence[MedicineDose]) -> str:
    """The card's line of each medicine's doses: "Pain medicine as needed: Tramadol: 2 doses"."""
    named = "; ".join(f"{d.name}: {dose_words(lang, d.doses)}" for d in doses)
    return t(lang, "card.medicine_doses", doses=named)


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
    doses = state.as_needed_doses
    if state.medicine_doses:
        lines.append(medicine_doses_line(lang, state.medicine_doses))
    elif doses is not None:
        keys = {0: "card.doses.none", 1: "card.doses.one", MOST_DOSES: "card.doses.most"}
        key = keys.get(doses, "card.doses")
        lines.append(t(lang, key, n=doses))
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
