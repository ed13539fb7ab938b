"""The vocabulary of every flow: screens, buttons, events, context, effects and outcomes.

A flow is data plus a transition function. It gets its state, one event and a Context, and
returns an Outcome: the next state, the screen to show and the effects for the shell to run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import Flag, StrEnum, auto
from functools import cache
from typing import Annotated, Any, Generic, Literal, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from flows.clinical.codes import Finding
from flows.i18n import t
from flows.kit.values import PAIN
from flows.records.models import Advice, CheckResult, Entry, FunctionCheckin, NewEntry, Profile
from flows.records.treatment import (
    Medicine,
    MedicineChange,
    StoredTreatmentEvent,
    TreatmentEvent,
    medicines_on,
)

BUTTON_VALUE = re.compile(r"[a-z0-9_.-]{1,40}", re.ASCII)


# Screens, buttons, events, context and outcomes live only in memory, between a flow and the
# shell, and are built on every event; frozen dataclasses cost a fraction of a validated model.
# What is stored or parsed from outside (flow states, effects, profiles, entries) stays pydantic.


@dataclass(frozen=True, slots=True)
class Button:
    """One button: the label the user reads and the value the flow receives."""

    label: str
    value: str

    def __post_init__(self) -> None:
        # The value goes into Telegram's 64 bytes of callback data beside the screen number.
        if not BUTTON_VALUE.fullmatch(self.value):
            raise ValueError(f"button value {self.value!r} must match {BUTTON_VALUE.pattern}")


@dataclass(frozen=True, slots=True)
class ChartRequest:
    """A pain chart the shell should draw beside the screen: the last `days` days, or all."""

    days: int | None = None


@dataclass(frozen=True, slots=True)
class Screen:
    """What the user sees: text, an optional fixed-width block or chart, and rows of buttons."""

    text: str
    table: str | None = None
    chart: ChartRequest | None = None
    buttons: tuple[tuple[Button, ...], ...] = ()

    def values(self) -> frozenset[str]:
        """The button values this screen accepts."""
        return frozenset(b.value for row in self.buttons for b in row)

    def with_hint(self, hint: str) -> Screen:
        """Return the same screen with a short hint above its text."""
        return replace(self, text=f"{hint}\n\n{self.text}")

    def with_text(self, text: str) -> Screen:
        """Return the same screen with other text."""
        return replace(self, text=text)

    def labels(self) -> list[str]:
        """The button labels in reading order."""
        return [b.label for row in self.buttons for b in row]


@dataclass(frozen=True, slots=True)
class Press:
    """The user pressed a button with this value."""

    value: str


@dataclass(frozen=True, slots=True)
class Text:
    """The user typed this text."""

    text: str


Event = Press | Text


@dataclass(frozen=True, slots=True)
class Context:
    """Everything a flow may know about the world: the time, the user and their diary today."""

    now: datetime
    user_id: int
    language: str = "en"
    timezone: str = "UTC"
    profile: Profile | None = None
    entries_today: int = 0
    quick_entry: Entry | None = None
    language_code: str | None = None
    # Red-flag symptoms ticked in the diary in the last 7 days, with their dates (§8.7).
    recent_diary_flags: tuple[tuple[Finding, date], ...] = ()
    # The diary's last days (flows.dialogs.history.HISTORY_DAYS), loaded only for /history and
    # /import.
    diary: tuple[Entry, ...] = ()
    # How many entries each of the last days has (flows.dialogs.log.LOG_DAYS; days without any
    # are left out), loaded for /log and the check-in: they name the days that have entries.
    day_counts: tuple[tuple[date, int], ...] = ()
    # An unsaved diary entry put aside when another command came mid-entry (its saved state).
    entry_aside: str | None = None
    # Every dated change of the patient's medicine list (/meds), loaded for the flows that ask
    # about medicines; none for a patient who never kept a list.
    medicine_changes: tuple[MedicineChange, ...] = ()
    # The patient's latest treatment events, loaded for /event.
    treatment_events: tuple[StoredTreatmentEvent, ...] = ()

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("now must be timezone-aware")

    @property
    def medicines(self) -> tuple[Medicine, ...]:
        """The medicines on the patient's list today."""
        return medicines_on(self.medicine_changes, self.today)

    @property
    def keeps_medicine_list(self) -> bool:
        """Whether the patient has ever told /meds what they take (an empty list is an answer)."""
        return bool(self.medicine_changes)

    @property
    def local_now(self) -> datetime:
        """The current time in the user's timezone."""
        return self.now.astimezone(ZoneInfo(self.timezone))

    @property
    def today(self) -> date:
        """The user's local date."""
        return self.local_now.date()


class RecordConsent(BaseModel):
    """Store that the user agreed to keep health data, creating their account."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["record_consent"] = "record_consent"
    language: str
    timezone: str
    country: str | None = None


class SaveProfile(BaseModel):
    """Store the user's profile answers."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["save_profile"] = "save_profile"
    profile: Profile


class SaveEntry(BaseModel):
    """Store one diary entry, or complete an earlier quick entry of the same day."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["save_entry"] = "save_entry"
    entry: NewEntry
    replaces: int | None = None


class DeleteEntry(BaseModel):
    """Delete one of the user's diary entries."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["delete_entry"] = "delete_entry"
    entry_id: int


class SetEntryAside(BaseModel):
    """Keep an unsaved diary entry (its flow state) for /log to carry on with later."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["set_entry_aside"] = "set_entry_aside"
    draft: str


class ClearEntryAside(BaseModel):
    """Forget the diary entry that was put aside (it is open again, or dropped)."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["clear_entry_aside"] = "clear_entry_aside"


class SaveFunctionCheckin(BaseModel):
    """Store a weekly function check-in."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["save_function"] = "save_function"
    checkin: FunctionCheckin


class ImportEntries(BaseModel):
    """Store imported diary entries in one go, skipping those already in the diary."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["import_entries"] = "import_entries"
    entries: tuple[NewEntry, ...]
    medicine_changes: tuple[MedicineChange, ...] = ()
    events: tuple[TreatmentEvent, ...] = ()


class SaveMedicineChange(BaseModel):
    """Store a dated start, change or stop of a medicine; the earlier ones stay."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["save_medicine_change"] = "save_medicine_change"
    change: MedicineChange


class SaveTreatmentEvent(BaseModel):
    """Store a dated treatment event."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["save_treatment_event"] = "save_treatment_event"
    event: TreatmentEvent


class DeleteTreatmentEvent(BaseModel):
    """Remove a treatment event entered by mistake."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["delete_treatment_event"] = "delete_treatment_event"
    event_id: int


class EraseUser(BaseModel):
    """Erase everything stored about the user."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["erase_user"] = "erase_user"


class Reschedule(BaseModel):
    """Set when the user's next check-in prompt is due (None: no prompts)."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["reschedule"] = "reschedule"
    next_at: datetime | None


class SnoozePrompt(BaseModel):
    """Send this prompt again later today."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["snooze_prompt"] = "snooze_prompt"
    prompt_kind: str
    key: str
    until: datetime


class SaveCheck(BaseModel):
    """Store the result of a symptom check in the diary."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["save_check"] = "save_check"
    result: CheckResult


class SendAdvice(BaseModel):
    """Deliver safety advice, through the outbox, until Telegram confirms it (§8, DESIGN)."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["send_advice"] = "send_advice"
    advice: Advice
    # The screen itself shows the whole advice: once that screen is confirmed shown, the
    # outbox counts it delivered instead of sending a second copy.
    on_screen: bool = False


class ExportFile(BaseModel):
    """A diary file to make and send once the event is stored: the last `days` days, or all."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["export_file"] = "export_file"
    format: str
    days: int | None = None


Effect = Annotated[
    RecordConsent
    | SendAdvice
    | SaveProfile
    | SaveEntry
    | DeleteEntry
    | SetEntryAside
    | ClearEntryAside
    | SaveCheck
    | SaveFunctionCheckin
    | ImportEntries
    | SaveMedicineChange
    | SaveTreatmentEvent
    | DeleteTreatmentEvent
    | EraseUser
    | Reschedule
    | SnoozePrompt
    | ExportFile,
    Field(discriminator="kind"),
]


class FlowState(BaseModel):
    """The saved position of one conversation; each flow subclasses it with a `flow` tag."""

    model_config = ConfigDict(frozen=True)

    flow: str


class SteppedState(FlowState):
    """A flow state waiting at one step, with the steps it came by (Back goes to the last)."""

    step: StrEnum
    trail: tuple[StrEnum, ...] = ()


Stepped = TypeVar("Stepped", bound=SteppedState)


def step_forward(state: Stepped, step: StrEnum, **changes: object) -> Stepped:
    """The state at `step`, with the step it leaves on its trail."""
    return state.model_copy(update={"step": step, "trail": (*state.trail, state.step), **changes})


def step_back(state: Stepped) -> Stepped:
    """The state at the step it came from (a state with a trail)."""
    return state.model_copy(update={"step": state.trail[-1], "trail": state.trail[:-1]})


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a transition decided: next state (None ends the flow), the screen, the effects."""

    state: FlowState | None
    screen: Screen
    effects: tuple[Effect, ...] = ()
    notices: tuple[Screen, ...] = ()


S = TypeVar("S", bound=FlowState)


def use_buttons(state: FlowState, screen: Screen, ctx: Context) -> Outcome:
    """The same step again, with a line asking to answer it with its buttons."""
    return Outcome(state=state, screen=screen.with_hint(t(ctx.language, "common.use_buttons")))


class Load(Flag):
    """What a flow reads of the diary besides the profile, loaded into its Context."""

    NOTHING = 0
    DIARY = auto()  # the last two weeks' entries (Context.diary)
    DAY_COUNTS = auto()  # how many entries each of the last days has (Context.day_counts)
    DIARY_FLAGS = auto()  # red flags ticked in the last days (Context.recent_diary_flags)
    MEDICINES = auto()  # the medicine list's changes (Context.medicine_changes)
    EVENTS = auto()  # the treatment events, oldest first (Context.treatment_events)


@dataclass(frozen=True, slots=True)
class Flow(Generic[S]):
    """One conversation: its saved state, how its current screen looks, how it answers."""

    state: type[S]
    render: Callable[[S, Context], Screen]
    on_event: Callable[[S, Event, Context], Outcome]
    # The command that starts it and how (flows.dialogs.router.Command's value); a flow that only
    # another starts (a check-in prompt, the diary from /history) has none.
    command: str | None = None
    begin: Callable[[Context], Outcome] | None = None
    loads: Load = Load.NOTHING

    @property
    def name(self) -> str:
        """The `flow` tag its saved states carry."""
        tag: Any = self.state.model_fields["flow"].default
        return str(tag)


def button(label: str, value: str) -> Button:
    """Return a button."""
    return Button(label=label, value=value)


def nav_row(language: str, *, back: bool = True) -> tuple[Button, ...]:
    """Return the Back / Cancel row every step carries."""
    return _nav_row(language, back)


# functools.cache types its wrapper as taking any arguments; the typed functions above and
# below call the cached ones, so callers keep their checked signatures.
@cache
def _nav_row(language: str, back: bool) -> tuple[Button, ...]:
    cancel = Button(label=t(language, "nav.cancel"), value="cancel")
    if not back:
        return (cancel,)
    return (Button(label=t(language, "nav.back"), value="back"), cancel)


def pain_grid(selected: int | None = None) -> tuple[tuple[Button, ...], ...]:
    """Return the 0-10 buttons in three rows, the chosen number marked."""
    return _pain_grid(selected)


@cache
def _pain_grid(selected: int | None) -> tuple[tuple[Button, ...], ...]:
    def label(n: int) -> str:
        return f"• {n} •" if n == selected else str(n)

    return tuple(
        tuple(Button(label=label(n), value=PAIN(n)) for n in numbers)
        for numbers in (range(0, 4), range(4, 8), range(8, 11))
    )
