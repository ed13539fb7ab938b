"""/history: the last days of the diary as a compact table, and changing or deleting an entry.

An entry is chosen from the table's days; Change walks the diary's steps again, prefilled
(`flows.dialogs.log.begin_edit`), Delete asks first and then removes the entry from the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from enum import StrEnum
from typing import Literal

from flows.clinical.codes import RED_FLAG_FINDINGS
from flows.dialogs import log
from flows.dialogs.trend_view import ChartMark, dated_marks, mark_line, shortened
from flows.i18n import short_date, t
from flows.kit.core import (
    Button,
    Context,
    DeleteEntry,
    Event,
    Flow,
    FlowState,
    Load,
    Outcome,
    Press,
    Screen,
    button,
    nav_row,
    use_buttons,
)
from flows.kit.values import Coded
from flows.records.models import Entry

HISTORY_DAYS = 14
# An entry of the table, chosen to change or delete.
ENTRY = Coded("e.", int)
# Entries listed at once when choosing one: big buttons, a list that fits a phone's screen.
PAGE_SIZE = 7
# Events and medicine changes listed in the table, the latest, each cut to a phone's line or
# two: with them the table stays well within a Telegram message (4096 characters).
MOST_MARKS = 10
MARK_CHARS = 60


class HistoryStep(StrEnum):
    """What /history is waiting for."""

    CHANGE = "change"
    ENTRY = "entry"
    EDIT_OR_DELETE = "edit_or_delete"
    DELETE = "delete"


class HistoryState(FlowState):
    """The table on screen, or an entry being chosen, changed or deleted."""

    flow: Literal["history"] = "history"
    step: HistoryStep = HistoryStep.CHANGE
    page: int = 0
    # The entry chosen, as it was shown: what Change prefills and Delete names.
    entry: Entry | None = None


def _cell(value: int | None) -> str:
    return "–" if value is None else str(value)


def _mark_row(lang: str, mark: ChartMark) -> str:
    line = shortened(mark_line(lang, mark), MARK_CHARS)
    return t(lang, f"history.mark.{mark.kind}", line=line)


def render_history(entries: Sequence[Entry], ctx: Context, days: int = HISTORY_DAYS) -> Screen:
    """Show one row per entry for the last days, empty days, events and medicine changes."""
    lang = ctx.language
    first = ctx.today - timedelta(days=days - 1)
    by_day: dict[date, list[Entry]] = {}
    for entry in sorted(entries, key=lambda e: (e.entry_date, e.recorded_at)):
        if first <= entry.entry_date <= ctx.today:
            by_day.setdefault(entry.entry_date, []).append(entry)
    if not by_day:
        return Screen(text=t(lang, "history.empty", days=days))
    dated = dated_marks(ctx.medicine_changes, ctx.treatment_events, first, ctx.today)
    dated_by_day: dict[date, list[ChartMark]] = {}
    for mark in dated[-MOST_MARKS:]:
        dated_by_day.setdefault(mark.day, []).append(mark)
    lines = [t(lang, "history.header")]
    if len(dated) > MOST_MARKS:
        lines.append(t(lang, "history.mark.more", n=len(dated) - MOST_MARKS))
    for offset in range(days):
        day = first + timedelta(days=offset)
        if offset == 0 or day.day == 1:
            # The rows name the weekday and the day; the month stands above its first row.
            month = t(lang, f"month.{day.month}")
            lines.append(t(lang, "history.month", month=month, year=day.year))
        label = f"{t(lang, f'weekday.{day.weekday()}')} {day.day:>2}"
        day_entries = by_day.get(day, [])
        if not day_entries:
            lines.append(f"{label}    ·   ·")
        for entry in day_entries:
            flags = sum(1 for s in entry.symptoms if s in RED_FLAG_FINDINGS)
            marks = []
            if flags:
                marks.append(f"⚠{flags}")
            if len(entry.symptoms) > flags:
                marks.append(f"+{len(entry.symptoms) - flags}")
            if entry.note:
                marks.append("✎")
            row = (
                f"{label} {_cell(entry.back_pain):>4}{_cell(entry.leg_pain):>4}  {' '.join(marks)}"
            )
            lines.append(row.rstrip())
        # Under the day's pain, so that what came after it reads on the rows below.
        lines.extend(_mark_row(lang, mark) for mark in dated_by_day.get(day, []))
    logged = len(by_day)
    return Screen(
        text=t(lang, "history.title", days=days, logged=logged),
        table="\n".join(lines),
    )


def begin(ctx: Context) -> Outcome:
    """Show the table; when it has entries, offer to change or delete one."""
    table = render_history(ctx.diary, ctx)
    if table.table is None:
        return Outcome(state=None, screen=table)
    state = HistoryState()
    return Outcome(state=state, screen=render(state, ctx))


def glance(ctx: Context) -> Screen:
    """The table alone, for /history in the middle of something else, which stays open."""
    table = render_history(ctx.diary, ctx)
    if table.table is None:
        return table
    return table.with_text(f"{table.text}\n\n{t(ctx.language, 'history.busy')}")


def render(state: HistoryState, ctx: Context) -> Screen:
    """Return the screen for the current step."""
    lang = ctx.language
    entry = state.entry
    match state.step:
        case HistoryStep.CHANGE:
            return ask_change(lang, ctx)
        case HistoryStep.ENTRY:
            return ask_entry(lang, state, ctx)
        case HistoryStep.EDIT_OR_DELETE if entry is not None:
            return ask_edit_or_delete(lang, entry)
        case HistoryStep.DELETE if entry is not None:
            return ask_delete(lang, entry)
    # A step past the list always has its entry; without one, the list is where to be.
    return ask_entry(lang, state, ctx)


def ask_change(lang: str, ctx: Context) -> Screen:
    """Show the table with a button to change or delete an entry."""
    table = render_history(ctx.diary, ctx)
    return Screen(
        text=table.text,
        table=table.table,
        buttons=(
            (button(t(lang, "history.change"), "change"),),
            (button(t(lang, "history.close"), "close"),),
        ),
    )


def _newest_first(ctx: Context) -> list[Entry]:
    first = ctx.today - timedelta(days=HISTORY_DAYS - 1)
    shown = [e for e in ctx.diary if first <= e.entry_date <= ctx.today]
    return sorted(shown, key=lambda e: (e.entry_date, e.recorded_at, e.id), reverse=True)


def _pages(entries: Sequence[Entry]) -> int:
    return max(1, -(-len(entries) // PAGE_SIZE))


def ask_entry(lang: str, state: HistoryState, ctx: Context) -> Screen:
    """Ask which entry to change or delete, newest first, a page at a time."""
    entries = _newest_first(ctx)
    page = min(state.page, _pages(entries) - 1)
    shown = entries[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    rows: list[tuple[Button, ...]] = [(button(entry_label(lang, e), ENTRY(e.id)),) for e in shown]
    paging: list[Button] = []
    if page > 0:
        paging.append(button(t(lang, "history.newer"), "newer"))
    if page < _pages(entries) - 1:
        paging.append(button(t(lang, "history.older"), "older"))
    if paging:
        rows.append(tuple(paging))
    return Screen(text=t(lang, "history.ask_entry"), buttons=(*rows, nav_row(lang)))


def ask_edit_or_delete(lang: str, entry: Entry) -> Screen:
    """Show the chosen entry and ask whether to change it or delete it."""
    return Screen(
        text=t(
            lang,
            "history.ask_edit_or_delete",
            entry=entry_when(lang, entry),
            card=log.entry_card(lang, entry),
        ),
        buttons=(
            (button(t(lang, "history.edit"), "edit"),),
            (button(t(lang, "history.delete"), "delete"),),
            nav_row(lang),
        ),
    )


def ask_delete(lang: str, entry: Entry) -> Screen:
    """Ask to confirm the delete, naming the entry."""
    return Screen(
        text=t(lang, "history.ask_delete", **_named(lang, entry)),
        buttons=((button(t(lang, "history.delete_yes"), "yes"),), nav_row(lang)),
    )


def entry_when(lang: str, entry: Entry) -> str:
    """The day and, if it has one, the local time of an entry: "Mon 9 Mar, 20:15"."""
    day = short_date(lang, entry.entry_date)
    own = entry.own_time()
    # An entry logged days later, or imported without a time, has no time of its own that day.
    if own is None:
        return day
    return t(lang, "history.when", day=day, time=f"{own:%H:%M}")


def _named(lang: str, entry: Entry) -> dict[str, str]:
    return {
        "entry": entry_when(lang, entry),
        "back": _cell(entry.back_pain),
        "leg": _cell(entry.leg_pain),
    }


def entry_label(lang: str, entry: Entry) -> str:
    """An entry's button: its day, time and scores."""
    return t(lang, "history.entry", **_named(lang, entry))


def on_event(state: HistoryState, event: Event, ctx: Context) -> Outcome:
    """Choose an entry, then change it, or delete it after a confirmation."""
    lang = ctx.language
    if not isinstance(event, Press):
        return use_buttons(state, render(state, ctx), ctx)
    value = event.value
    if value == "back":
        previous = {
            HistoryStep.ENTRY: HistoryStep.CHANGE,
            HistoryStep.EDIT_OR_DELETE: HistoryStep.ENTRY,
            HistoryStep.DELETE: HistoryStep.EDIT_OR_DELETE,
        }.get(state.step, HistoryStep.CHANGE)
        return _show(state.model_copy(update={"step": previous}), ctx)
    match state.step:
        case HistoryStep.CHANGE:
            if value == "close":
                # The table stays in the chat; only the buttons go.
                table = render_history(ctx.diary, ctx)
                return Outcome(state=None, screen=Screen(text=table.text, table=table.table))
            return _show(state.model_copy(update={"step": HistoryStep.ENTRY, "page": 0}), ctx)
        case HistoryStep.ENTRY:
            if value in ("older", "newer"):
                page = max(0, state.page + (1 if value == "older" else -1))
                return _show(state.model_copy(update={"page": page}), ctx)
            entry_id = ENTRY.of(value)
            [entry] = [e for e in ctx.diary if e.id == entry_id]
            chosen = {"step": HistoryStep.EDIT_OR_DELETE, "entry": entry}
            return _show(state.model_copy(update=chosen), ctx)
        case HistoryStep.EDIT_OR_DELETE if state.entry is not None:
            if value == "edit":
                return log.begin_edit(state.entry, ctx)
            return _show(state.model_copy(update={"step": HistoryStep.DELETE}), ctx)
        case HistoryStep.DELETE if state.entry is not None:
            entry = state.entry
            text = t(lang, "history.deleted", **_named(lang, entry))
            return Outcome(
                state=None, screen=Screen(text=text), effects=(DeleteEntry(entry_id=entry.id),)
            )
    return _show(state, ctx)


def _show(state: HistoryState, ctx: Context) -> Outcome:
    return Outcome(state=state, screen=render(state, ctx))


FLOW = Flow(
    HistoryState,
    render,
    on_event,
    command="history",
    begin=begin,
    loads=Load.DIARY | Load.MEDICINES | Load.EVENTS,
)
