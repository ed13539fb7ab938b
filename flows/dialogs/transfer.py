"""/export and /import: the diary out to the surgeon (PDF, CSV, FHIR) and a CSV file back in.

Export asks the period and the format and then names the file it wants; the shell makes the
file. Import takes a CSV document, checks it row by row, shows what it found, which lines it
will skip and which symptoms it did not understand, and saves everything in one go only when
the user confirms. A row dated after the user's today, or long before their operation, is one
of the skipped lines. A row without a time keeps none: it is recorded at the import, as an
entry logged "about yesterday" is recorded the next day, and is marked as having no time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from flows.clinical.rules import RECENT_FLAG_DAYS, advice_pointer
from flows.dialogs.log import RECORDED_SYMPTOMS
from flows.dialogs.said import advice_said, numbers_of
from flows.i18n import t
from flows.kit.core import (
    Context,
    Event,
    ExportFile,
    Flow,
    FlowState,
    ImportEntries,
    Load,
    Outcome,
    Press,
    Screen,
    SendAdvice,
    button,
    nav_row,
    use_buttons,
)
from flows.records.diary_csv import DiaryRow, RowError, date_window, parse_diary
from flows.records.models import Advice, EntrySource, NewEntry, Profile
from flows.records.treatment import (
    DrugClass,
    MedicineAction,
    MedicineChange,
    MedicineDose,
    TreatmentEvent,
    next_key,
)

MAX_IMPORT_BYTES = 5_000_000
MAX_IMPORT_ROWS = 20_000
# Lines of a preview that name a skipped row; more are counted, not listed.
PREVIEW_ERRORS = 5
# A problem quotes the cell it is about; a huge cell must not make a huge message.
PROBLEM_CHARS = 160


class ExportFormat(StrEnum):
    """The file formats a diary can be exported in."""

    PDF = "pdf"
    CSV = "csv"
    FHIR = "fhir"


class ExportStep(StrEnum):
    """What the export is waiting for."""

    PERIOD = "period"
    FORMAT = "format"


EXPORT_PERIODS: dict[str, int | None] = {"d30": 30, "d90": 90, "all": None}


class ExportState(FlowState):
    """The export being chosen."""

    flow: Literal["export"] = "export"
    step: ExportStep = ExportStep.PERIOD
    period: str = "d30"


def begin_export(ctx: Context) -> Outcome:
    """Ask which period to export."""
    state = ExportState()
    return Outcome(state=state, screen=render_export(state, ctx))


def render_export(state: ExportState, ctx: Context) -> Screen:
    """Return the export screen for the current step."""
    lang = ctx.language
    if state.step is ExportStep.PERIOD:
        return ask_period(lang)
    return ask_format(lang)


def ask_period(lang: str) -> Screen:
    """Ask which period of the diary to export."""
    rows = tuple((button(t(lang, f"export.period.{p}"), p),) for p in EXPORT_PERIODS)
    return Screen(text=t(lang, "export.ask_period"), buttons=(*rows, nav_row(lang, back=False)))


def ask_format(lang: str) -> Screen:
    """Ask which kind of file to make."""
    rows = tuple((button(t(lang, f"export.format.{f.value}"), f.value),) for f in ExportFormat)
    return Screen(text=t(lang, "export.ask_format"), buttons=(*rows, nav_row(lang)))


def on_export(state: ExportState, event: Event, ctx: Context) -> Outcome:
    """Apply the choice of period or format."""
    lang = ctx.language
    if not isinstance(event, Press):
        return use_buttons(state, render_export(state, ctx), ctx)
    if event.value == "back":
        previous = state.model_copy(update={"step": ExportStep.PERIOD})
        return Outcome(state=previous, screen=render_export(previous, ctx))
    if state.step is ExportStep.PERIOD:
        chosen = state.model_copy(update={"step": ExportStep.FORMAT, "period": event.value})
        return Outcome(state=chosen, screen=render_export(chosen, ctx))
    request = ExportFile(days=EXPORT_PERIODS[state.period], format=event.value)
    return Outcome(
        state=None,
        screen=Screen(text=t(lang, f"export.ready.{event.value}")),
        effects=(request,),
    )


class ImportStep(StrEnum):
    """What the import is waiting for."""

    FILE = "file"
    CONFIRM = "confirm"


class ImportState(FlowState):
    """An import waiting for its file, or for the user to confirm what was found."""

    flow: Literal["import"] = "import"
    step: ImportStep = ImportStep.FILE
    entries: tuple[NewEntry, ...] = ()
    medicine_changes: tuple[MedicineChange, ...] = ()
    events: tuple[TreatmentEvent, ...] = ()
    preview: str = ""


class DocumentFile(BaseModel):
    """A file the user sent: its name and text, or why it could not be read."""

    model_config = ConfigDict(frozen=True)

    filename: str
    text: str | None = None
    problem: str | None = None


def begin_import(ctx: Context) -> Outcome:
    """Ask for the CSV file."""
    state = ImportState()
    return Outcome(state=state, screen=render_import(state, ctx))


def render_import(state: ImportState, ctx: Context) -> Screen:
    """Return the import screen for the current step."""
    lang = ctx.language
    if state.step is ImportStep.FILE:
        # The diary's own checklist: risk factors and the checker's answers are not diary
        # symptoms a patient writes down, though a file that has them is still read.
        listed = ", ".join(f.value for f in RECORDED_SYMPTOMS)
        codes = t(lang, "import.symptom_codes", codes=listed)
        text = f"{t(lang, 'import.ask_file')}\n\n{codes}"
        return Screen(text=text, buttons=(nav_row(lang, back=False),))
    return Screen(
        text=state.preview,
        buttons=((button(t(lang, "import.confirm"), "confirm"),), nav_row(lang, back=False)),
    )


def on_import(state: ImportState, event: Event, ctx: Context) -> Outcome:
    """Confirm an import (text is not a file)."""
    lang = ctx.language
    if isinstance(event, Press) and state.step is ImportStep.CONFIRM:
        saving = t(lang, "import.saving", n=len(state.entries))
        store = ImportEntries(
            entries=state.entries, medicine_changes=state.medicine_changes, events=state.events
        )
        advice = _recent_flag_advice(state.entries, ctx)
        if advice is None:
            return Outcome(state=None, screen=Screen(text=saving), effects=(store,))
        pointer = advice_pointer(advice, lang, numbers_of(ctx))
        return Outcome(
            state=None,
            screen=Screen(text=f"{pointer}\n\n{saving}"),
            effects=(SendAdvice(advice=advice), store),
        )
    hint = t(lang, "import.send_file")
    return Outcome(state=state, screen=render_import(state, ctx).with_hint(hint))


def _recent_flag_advice(entries: Sequence[NewEntry], ctx: Context) -> Advice | None:
    """The advice warning signs in the file's last days call for, as if they had been logged.

    A sign written down days ago may still be going on: within the days a diary's red flag
    still stands (§8.7) it is answered as the diary answers it, never filed away unread.
    """
    first = ctx.today - timedelta(days=RECENT_FLAG_DAYS - 1)
    # Rows already in the diary were answered when they were logged (or imported before).
    present = {entry.same_as_key() for entry in ctx.diary}
    recent = [
        e
        for e in entries
        if e.entry_date >= first and e.symptoms and e.same_as_key() not in present
    ]
    if not recent:
        return None
    latest = max(e.entry_date for e in recent)
    symptoms = {code for e in recent for code in e.symptoms}
    return advice_said(symptoms, latest, ctx, answered=symptoms)


class _Medicines:
    """The file's medicines under the patient's own keys, and each name's key for the doses.

    A file's keys are another diary's (or this one's, exported earlier): a medicine is the
    patient's own when its name and first date match one of theirs, else it gets a new key.
    """

    def __init__(self, changes: Sequence[MedicineChange], ctx: Context) -> None:
        own = list(ctx.medicine_changes)
        started = {
            (c.name.casefold(), c.changed_on): c.medicine
            for c in own
            if c.action is MedicineAction.START
        }
        firsts: dict[int, MedicineChange] = {}
        for change in sorted(changes, key=lambda c: (c.changed_on, c.recorded_at)):
            firsts.setdefault(change.medicine, change)
        keys: dict[int, int] = {}
        fresh = next_key(own)
        for file_key, first in firsts.items():
            mine = started.get((first.name.casefold(), first.changed_on))
            if mine is None:
                mine, fresh = fresh, fresh + 1
            keys[file_key] = mine
        self.changes = tuple(c.model_copy(update={"medicine": keys[c.medicine]}) for c in changes)
        self._fresh = fresh
        # The doses name their medicine; the file's list first, then the patient's own.
        self._by_name: dict[str, tuple[int, bool]] = {}
        for change in [*own, *self.changes]:
            self._by_name[change.name.casefold()] = (
                change.medicine,
                change.drug_class is DrugClass.OPIOID,
            )

    def doses(self, named: Sequence[tuple[str, int]]) -> tuple[MedicineDose, ...]:
        """The row's doses, each under its medicine's key (a new one for a name not listed)."""
        found = []
        for name, count in named:
            known = self._by_name.get(name.casefold())
            if known is None:
                known = self._by_name[name.casefold()] = (self._fresh, False)
                self._fresh += 1
            key, opioid = known
            found.append(MedicineDose(medicine=key, name=name, opioid=opioid, doses=count))
        return tuple(found)


def _entry(row: DiaryRow, ctx: Context, medicines: _Medicines) -> NewEntry:
    if row.entry_time is None:
        # No time is invented: a time would show in the CSV, the PDF and FHIR, and make the
        # row differ from itself when the file is imported again.
        recorded_at, timed = ctx.now, False
    else:
        local = datetime.combine(row.entry_date, row.entry_time, tzinfo=ZoneInfo(ctx.timezone))
        recorded_at, timed = local.astimezone(UTC), True
    return NewEntry(
        entry_date=row.entry_date,
        recorded_at=recorded_at,
        timezone=ctx.timezone,
        back_pain=row.back_pain,
        leg_pain=row.leg_pain,
        symptoms=row.symptoms,
        note=row.note,
        as_needed_doses=row.as_needed_doses,
        medicine_doses=medicines.doses(row.medicine_doses),
        source=EntrySource.IMPORT,
        timed=timed,
    )


def _surgery_year(profile: Profile | None) -> int | None:
    bounds = None if profile is None else profile.surgery_bounds()
    # Only "before some day" known says nothing about how early the operation was.
    earliest = None if bounds is None else bounds[0]
    return None if earliest is None else earliest.year


def on_document(state: ImportState | None, document: DocumentFile, ctx: Context) -> Outcome:
    """Check a CSV file row by row and show what would be imported."""
    lang = ctx.language
    waiting = state or ImportState()
    if document.problem is not None:
        hint = t(lang, f"import.problem.{document.problem}", limit=MAX_IMPORT_BYTES // 1_000_000)
        return Outcome(state=waiting, screen=render_import(waiting, ctx).with_hint(hint))
    # No tolerance after today: the context's today is in the user's own time zone, the one
    # their history and chart count days in; a later row would be stored out of their sight.
    parsed = parse_diary(document.text or "", date_window(ctx.today, _surgery_year(ctx.profile)))
    if len(parsed.rows) + len(parsed.errors) > MAX_IMPORT_ROWS:
        hint = t(lang, "import.problem.too_many_rows", limit=MAX_IMPORT_ROWS)
        return Outcome(state=waiting, screen=render_import(waiting, ctx).with_hint(hint))
    if not parsed.rows:
        problems = "\n".join(_short(e.text(lang)) for e in parsed.errors[:PREVIEW_ERRORS])
        hint = t(lang, "import.nothing", problems=problems or t(lang, "import.no_rows"))
        return Outcome(state=waiting, screen=render_import(waiting, ctx).with_hint(hint))
    medicines = _Medicines(parsed.medicine_changes, ctx)
    entries = tuple(_entry(row, ctx, medicines) for row in parsed.rows)
    events = tuple(parsed.events)
    preview = import_preview(
        lang,
        entries,
        _texts(parsed.errors, lang),
        _texts(parsed.not_understood, lang),
        treatment=(len(medicines.changes), len(events)),
    )
    confirming = ImportState(
        step=ImportStep.CONFIRM,
        entries=entries,
        medicine_changes=medicines.changes,
        events=events,
        preview=preview,
    )
    return Outcome(state=confirming, screen=render_import(confirming, ctx))


def _short(problem: str) -> str:
    return problem if len(problem) <= PROBLEM_CHARS else problem[: PROBLEM_CHARS - 1] + "…"


def _texts(problems: Sequence[RowError], lang: str) -> list[str]:
    return [problem.text(lang) for problem in problems]


def _listed(lang: str, key: str, problems: Sequence[str]) -> str:
    lines = "\n".join(f"• {_short(p)}" for p in problems[:PREVIEW_ERRORS])
    text = "\n\n" + t(lang, key, n=len(problems), lines=lines)
    more = len(problems) - PREVIEW_ERRORS
    return text + ("\n" + t(lang, "import.more_skipped", n=more) if more > 0 else "")


def import_preview(
    lang: str,
    entries: Sequence[NewEntry],
    problems: Sequence[str],
    not_understood: Sequence[str] = (),
    treatment: tuple[int, int] = (0, 0),
) -> str:
    """Describe what an import will add, which lines it skips and what it did not understand."""
    days = sorted(e.entry_date for e in entries)
    text = t(
        lang,
        "import.preview",
        n=len(entries),
        first=days[0].isoformat(),
        last=days[-1].isoformat(),
    )
    changes, events = treatment
    if changes or events:
        key = "treatment" if changes and events else "changes" if changes else "events"
        text += " " + t(lang, f"import.preview_{key}", changes=changes, events=events)
    if problems:
        text += _listed(lang, "import.skipped", problems)
    if not_understood:
        text += _listed(lang, "import.not_understood", not_understood)
    return text + "\n\n" + t(lang, "import.ask_confirm")


EXPORT_FLOW = Flow(ExportState, render_export, on_export, command="export", begin=begin_export)
# An import skips rows the diary already has, so it reads the last entries; it files the
# file's medicines under the patient's own, so it reads their list.
IMPORT_FLOW = Flow(
    ImportState,
    render_import,
    on_import,
    command="import",
    begin=begin_import,
    loads=Load.DIARY | Load.MEDICINES,
)


def imported(
    language: str, added: int, skipped: int, treatment: int = 0, treatment_skipped: int = 0
) -> Screen:
    """What the patient reads once an import is stored: how many entries came in and not."""
    text = t(language, "import.done", added=added, skipped=skipped)
    if treatment or treatment_skipped:
        text += "\n" + t(
            language, "import.done_treatment", added=treatment, skipped=treatment_skipped
        )
    return Screen(text=text)
