"""Each flow's Mermaid diagram (the .md beside it) shows every step and every transition made.

The flows are explored through the router as a patient meets them: every command that starts
one, every button on every screen reached (breadth first, a few states per screen seen), a few
typed texts at the steps that take text, and files at the import. A transition is the step
before and the step after; a flow that ends goes to `[*]`, one that hands the conversation to
another flow goes to that flow's name (`LogFlow`, `CheckFlow`, ...), and the other flow starts
there (`[*] --> ITS_STEP`). A `<<choice>>` state of a diagram only joins edges: a transition may
pass through it.

What the exploration does not do, and so the diagrams leave to their prose: a command sent in
the middle of a flow (the router puts a diary entry aside and starts the other flow, from any
step), `/log` carrying on with an entry put aside (it resumes at whichever step it was put
aside), and a file sent at a step of another flow (an import starts, as it does with no flow).
"""

from __future__ import annotations

import inspect
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path

import pytest

from flows.clinical.schedule import PromptChoice, PromptKind
from flows.dialogs import prompts, router
from flows.dialogs.router import Command, Decision, Verdict
from flows.dialogs.transfer import DocumentFile
from flows.kit.callback import ButtonData
from flows.kit.core import Context, FlowState, Outcome
from flows.records.models import NOTE_MAX_CHARS, Entry, EntrySource, Profile, Region
from flows.records.treatment import (
    DrugClass,
    MedicineAction,
    MedicineChange,
    MedicineKind,
    StoredTreatmentEvent,
    TreatmentKind,
)

Edge = tuple[str, str]

TERMINAL = "[*]"
# Flows whose state has no `step`: the one thing they wait for, by its name in the diagram.
STEPLESS = {"trend": "SHOWING", "delete": "CONFIRM"}
# The walk is bounded by what the patient sees. States explored per screen (the same text and
# buttons): the others differ only in answers that screen does not show.
PER_SCREEN = 2
# Screens explored per step: enough for every question of /check, few enough that a menu
# showing every answer given (/settings) does not grow without end.
SCREENS_PER_STEP = 30
# Screens explored per step and number of presses from the start: a step reached with many
# different answers at once (a day of each month) is explored for a few, a step reached one
# question further each time (/check) for every question.
PER_DEPTH = 2
SEQ = 1
# The values of the Back and Cancel buttons every step's nav row carries (flows.kit.core.nav_row).
# Cancel ends any flow (the router answers it), so the diagrams say it once in their prose; Back
# goes back the way the patient came, so a diagram need not draw it again.
BACK, CANCEL = "back", "cancel"
BACK_LABEL = "Back"
# Drawn, and made by the flows, but not reached by this walk, and why.
NOT_REACHED: dict[tuple[str, Edge], str] = {
    ("check.md", ("NEW_OR_WORSE", "KEEP_GOING")): (
        "only a check saved before the crisis question skipped its new-or-worse step (§8.3) "
        "waits at that step: no screen of this version leads there"
    ),
    ("profile.md", ("SURGERY_YEAR", "REGION")): (
        "only after Back from REGION to the year with the recent questions answered on the way, "
        "and Not sure again: deeper than the states the walk keeps per screen"
    ),
}

_BLOCK = re.compile(r"```mermaid\n(.*?)```", re.DOTALL)
_EDGE = re.compile(r"(\S+)\s*-->\s*([^\s:]+)\s*(?::\s*(.*))?")
_CHOICE = re.compile(r"state\s+(\w+)\s+<<choice>>")
_NAMED = re.compile(r'state\s+"[^"]+"\s+as\s+(\w+)')


@dataclass(frozen=True, slots=True)
class Diagram:
    """The states and labelled transitions of a file's Mermaid state diagrams."""

    path: Path
    # Each edge with its labels: one pair of states may be joined for several reasons.
    edges: dict[Edge, tuple[str, ...]]
    choices: frozenset[str]
    named: frozenset[str]

    @property
    def states(self) -> frozenset[str]:
        """Every state an edge names or a line declares."""
        ends = {name for edge in self.edges for name in edge}
        return frozenset(ends | self.choices | self.named)

    def route(self, edge: Edge) -> frozenset[Edge]:
        """The edges that draw a transition, directly or through choices; none if it is absent."""
        source, target = edge
        if edge in self.edges:
            return frozenset({edge})
        used: set[Edge] = set()
        # Depth-first over choice states only; a choice is never a step, so paths are short.
        stack: list[tuple[str, tuple[Edge, ...]]] = [(source, ())]
        while stack:
            here, walked = stack.pop()
            for a, b in self.edges:
                if a != here or (a, b) in walked:
                    continue
                if b == target and walked:
                    used.update((*walked, (a, b)))
                elif b in self.choices:
                    stack.append((b, (*walked, (a, b))))
        return frozenset(used)


def parse_diagram(path: Path) -> Diagram:
    """Read every stateDiagram block of a Markdown file; a line it cannot read fails."""
    edges: dict[Edge, tuple[str, ...]] = {}
    choices: set[str] = set()
    named: set[str] = set()
    blocks = [b for b in _BLOCK.findall(path.read_text()) if b.startswith("stateDiagram")]
    for block in blocks:
        for line in (raw.strip() for raw in block.splitlines()[1:]):
            if not line or line.startswith("%%"):
                continue
            if choice := _CHOICE.fullmatch(line):
                choices.add(choice.group(1))
            elif declared := _NAMED.fullmatch(line):
                named.add(declared.group(1))
            elif edge := _EDGE.fullmatch(line):
                pair = (edge.group(1), edge.group(2))
                edges[pair] = (*edges.get(pair, ()), edge.group(3) or "")
            else:
                raise ValueError(f"{path.name}: cannot read {line!r}")
    return Diagram(path, edges, frozenset(choices), frozenset(named))


def flow_name(state_type: type[FlowState]) -> str:
    """The `flow` tag of a flow's states."""
    return str(state_type.model_fields["flow"].default)


def steps_of(state_type: type[FlowState]) -> tuple[str, ...]:
    """What a flow waits for, by the names its diagram uses."""
    step = state_type.model_fields.get("step")
    kind = None if step is None else step.annotation
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        return tuple(member.name for member in kind)
    return (STEPLESS[flow_name(state_type)],)


@cache
def diagram_path(state_type: type[FlowState]) -> Path:
    """A flow's diagram: the Markdown file beside its module."""
    return Path(inspect.getfile(state_type)).with_suffix(".md")


def handover(flow: str) -> str:
    """The name a diagram gives another flow the conversation moves on to: `LogFlow`."""
    return f"{flow.title()}Flow"


def node(state: FlowState) -> str:
    """The step a state is at, by its name in the diagram."""
    step = getattr(state, "step", None)
    return step.name if isinstance(step, StrEnum) else STEPLESS[state.flow]


# --- The patients -------------------------------------------------------------------------

# A Tuesday afternoon in March: London is on GMT, so local and UTC times agree.
NOW = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)
TODAY = NOW.date()
JOINED = NOW - timedelta(days=200)
DONE = Profile(
    user_id=7,
    consented_at=JOINED,
    details_asked_at=JOINED,
    country="GB",
    timezone="Europe/London",
    surgery_year=2025,
    surgery_month=6,
    surgery_day=15,
    region=Region.LUMBAR,
    levels=1,
    checkin_time=time(20, 0),
)
# Joined before onboarding asked the country and the day of surgery: /log asks them first.
OLDER = DONE.model_copy(update={"details_asked_at": None})


def entry(entry_id: int, day: date, **answers: object) -> Entry:
    """A stored diary entry of an evening."""
    return Entry.model_validate(
        {
            "id": entry_id,
            "user_id": 7,
            "entry_date": day,
            "recorded_at": datetime.combine(day, time(19, 0), tzinfo=UTC),
            "timezone": "Europe/London",
            "source": EntrySource.LOG,
            "back_pain": 5,
            "leg_pain": 2,
            **answers,
        }
    )


# More entries than /history lists on a page, on two days so that few of its screens differ.
DIARY = tuple(
    entry(n, TODAY - timedelta(days=1 + n % 2), note="stiff" if n == 1 else None)
    for n in range(1, 10)
)
QUICK = entry(20, TODAY, leg_pain=None, source=EntrySource.QUICK)

TEXTS = (
    "Stiff after gardening",
    "1.3.2026",
    "   ",
    "x" * (NOTE_MAX_CHARS + 1),
    "I can't control my bladder",
)
CSV = "date,time,back_pain,leg_pain,symptoms,note\n2026-03-08,19:00,5,2,,stiff\n"
FILES = (
    DocumentFile(filename="diary.csv", text=CSV),
    DocumentFile(filename="big.csv", problem="too_large"),
    DocumentFile(filename="empty.csv", text="date,back_pain\n"),
)
PROMPTS = (
    PromptChoice(PromptKind.DAILY, TODAY.isoformat()),
    PromptChoice(PromptKind.WEEKLY, TODAY.isoformat()),
    PromptChoice(PromptKind.MILESTONE, "6m"),
    PromptChoice(PromptKind.NUDGE, TODAY.isoformat()),
)
# A list with a scheduled medicine and two as-needed ones (an opioid), and an event to remove.
MEDICINES = (
    MedicineChange(
        medicine=1,
        action=MedicineAction.START,
        changed_on=TODAY - timedelta(days=30),
        recorded_at=JOINED,
        name="Pregabalin",
        drug_class=DrugClass.GABAPENTINOID,
        kind=MedicineKind.SCHEDULED,
        dose="75 mg",
        times_a_day=2,
    ),
    MedicineChange(
        medicine=2,
        action=MedicineAction.START,
        changed_on=TODAY - timedelta(days=20),
        recorded_at=JOINED,
        name="Tramadol",
        drug_class=DrugClass.OPIOID,
        kind=MedicineKind.AS_NEEDED,
        dose="50 mg",
    ),
    MedicineChange(
        medicine=3,
        action=MedicineAction.START,
        changed_on=TODAY - timedelta(days=20),
        recorded_at=JOINED,
        name="Paracetamol",
        drug_class=DrugClass.PARACETAMOL,
        kind=MedicineKind.AS_NEEDED,
    ),
)
# Only a scheduled one: /log skips the doses.
SCHEDULED_ONLY = MEDICINES[:1]
EVENTS = (
    StoredTreatmentEvent(
        id=4,
        event_date=TODAY - timedelta(days=10),
        kind=TreatmentKind.INJECTION,
        recorded_at=JOINED,
    ),
)
# The commands a details run goes before, each started after it.
BEFORE_DETAILS = (Command.LOG, Command.CHECK, Command.TREND, Command.EXPORT, Command.IMPORT)


@dataclass(frozen=True, slots=True)
class World:
    """One patient at one moment, and what they send there to start a flow."""

    name: str
    ctx: Context
    commands: tuple[Command, ...] = tuple(Command)
    prompts: bool = False
    files: bool = False


def _ctx(
    profile: Profile | None,
    *,
    now: datetime = NOW,
    timezone: str | None = None,
    language_code: str | None = "en-GB",
    entries_today: int = 0,
    quick_entry: Entry | None = None,
    diary: tuple[Entry, ...] = (),
    day_counts: tuple[tuple[date, int], ...] = (),
    medicine_changes: tuple[MedicineChange, ...] = (),
    treatment_events: tuple[StoredTreatmentEvent, ...] = (),
) -> Context:
    zone = timezone or (profile.timezone if profile else "Europe/London")
    return Context(
        now=now,
        user_id=7,
        profile=profile,
        timezone=zone,
        language_code=language_code,
        entries_today=entries_today,
        quick_entry=quick_entry,
        diary=diary,
        day_counts=day_counts,
        medicine_changes=medicine_changes,
        treatment_events=treatment_events,
    )


def _profile(**changes: object) -> Profile:
    return DONE.model_copy(update=changes)


def _older(**changes: object) -> Profile:
    return OLDER.model_copy(update=changes)


WORLDS = (
    World("afternoon", _ctx(DONE), prompts=True, files=True),
    World(
        "medicines and an event",
        _ctx(DONE, medicine_changes=MEDICINES, treatment_events=EVENTS),
        (Command.LOG, Command.MEDS, Command.EVENT),
        prompts=True,
    ),
    World(
        "only a scheduled medicine",
        _ctx(DONE, medicine_changes=SCHEDULED_ONLY),
        (Command.LOG,),
    ),
    World("no account, in Chicago", _ctx(None, timezone="America/Chicago", language_code="en-US")),
    World("no account, no country to propose", _ctx(None, timezone="UTC", language_code=None)),
    World("morning", _ctx(DONE, now=NOW.replace(hour=8)), (Command.LOG,)),
    World(
        "logged today, with a diary",
        _ctx(DONE, entries_today=1, diary=DIARY, day_counts=((TODAY - timedelta(days=1), 5),)),
        (Command.LOG, Command.HISTORY),
    ),
    World("quick entry today", _ctx(DONE, entries_today=1, quick_entry=QUICK), (Command.LOG,)),
    World(
        # Reminders never turned on: the zone is still the one the bot began with.
        "reminders off, a name on reports",
        _ctx(_profile(paused=True, display_name="J. S.", country="US", timezone="UTC")),
        (Command.SETTINGS,),
    ),
    World(
        "country unknown, operation this month",
        _ctx(_profile(country=None, surgery_year=2026, surgery_month=3, surgery_day=None)),
        (Command.SETTINGS,),
    ),
    World("details: country unknown", _ctx(_older(country=None)), (Command.LOG,)),
    World(
        "details: country and day unknown, none to propose",
        _ctx(_older(country=None, surgery_day=None), timezone="UTC", language_code=None),
        (Command.LOG,),
    ),
    World(
        "details: country and month unknown",
        _ctx(_older(country=None, surgery_month=None, surgery_day=None)),
        (Command.LOG,),
    ),
    World(
        "details: month unknown, operation in 2024",
        _ctx(_older(surgery_year=2024, surgery_month=None, surgery_day=None)),
        (Command.LOG,),
    ),
    World(
        "details: day unknown, operation in February",
        _ctx(_older(surgery_year=2026, surgery_month=2, surgery_day=None)),
        (Command.LOG,),
    ),
    World(
        "details: day unknown, operation in December",
        _ctx(_older(surgery_month=12, surgery_day=None)),
        BEFORE_DETAILS,
    ),
)


# --- The exploration -----------------------------------------------------------------------


@dataclass
class Explored:
    """Every transition seen, per diagram, with the first way it was reached."""

    edges: dict[Path, dict[Edge, str]] = field(default_factory=dict)
    # Transitions made by Back, which may go back along a drawn edge instead.
    backs: dict[Path, dict[Edge, str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    screens: dict[tuple[object, ...], int] = field(default_factory=dict)
    steps: dict[tuple[object, ...], set[tuple[object, ...]]] = field(default_factory=dict)

    def add(
        self, state_type: type[FlowState], edge: Edge, how: str, *, back: bool = False
    ) -> None:
        """Note one transition of a flow's diagram."""
        seen = self.backs if back else self.edges
        seen.setdefault(diagram_path(state_type), {}).setdefault(edge, how)


@dataclass
class _Walk:
    world: World
    seen: Explored
    # (state, origin, how it was reached, presses from the start): the origin is what started
    # this line of answers, so that the same screen reached for another purpose (the details run
    # before /log or before /export) is explored for each.
    queue: deque[tuple[FlowState, str, str, int]] = field(default_factory=deque)
    done: set[tuple[str, str]] = field(default_factory=set)

    @property
    def ctx(self) -> Context:
        """What the flows know in this world."""
        return self.world.ctx

    def start(self, outcome: Outcome | None, origin: str) -> None:
        """Begin a line of answers at the state a command, a prompt or a file started."""
        if outcome is None or outcome.state is None:
            return
        state = outcome.state
        how = f"{self.world.name}: {origin}"
        self.seen.add(type(state), (TERMINAL, node(state)), how)
        self.keep(state, origin, how, 0)

    def keep(self, state: FlowState, origin: str, how: str, depth: int) -> None:
        """Queue a state to explore, unless its screen was explored enough already."""
        dumped = (origin, state.model_dump_json())
        if dumped in self.done:
            return
        self.done.add(dumped)
        screen = router.render(state, self.ctx)
        # A flow handed over to is the same in every world: explored once, wherever reached.
        scope = "" if origin.startswith("->") else self.world.name
        step = (scope, origin, state.flow, node(state))
        key = (*step, screen.text, tuple(screen.labels()), tuple(sorted(screen.values())))
        shown = self.seen.steps.setdefault(step, set())
        level = self.seen.steps.setdefault((*step, depth), set())
        count = self.seen.screens.get(key, 0)
        if count >= PER_SCREEN:
            return
        if key not in shown and (len(shown) >= SCREENS_PER_STEP or len(level) >= PER_DEPTH):
            return
        self.seen.screens[key] = count + 1
        shown.add(key)
        level.add(key)
        self.queue.append((state, origin, how, depth))

    def follow(
        self,
        state: FlowState,
        after: FlowState | None,
        origin: str,
        how: str,
        depth: int,
        *,
        back: bool = False,
    ) -> None:
        """Note the transition from a state to the next, and queue the next."""
        here = type(state)
        if after is None:
            self.seen.add(here, (node(state), TERMINAL), how, back=back)
        elif after.flow == state.flow:
            self.seen.add(here, (node(state), node(after)), how, back=back)
            self.keep(after, origin, how, depth + 1)
        else:
            self.seen.add(here, (node(state), handover(after.flow)), how, back=back)
            self.seen.add(type(after), (TERMINAL, node(after)), how)
            self.keep(after, f"-> {after.flow}", how, 0)

    def answers(
        self,
        state: FlowState,
        origin: str,
        how: str,
        depth: int,
        tried: list[tuple[str, Decision]],
    ) -> None:
        """Follow typed texts or files only where some of them move the step: it takes them."""
        outcomes = [(what, d.outcome) for what, d in tried if d.outcome is not None]
        if any(outcome.state != state for _, outcome in outcomes):
            for what, outcome in outcomes:
                self.follow(state, outcome.state, origin, f"{how}, {what}", depth)

    def expand(self, state: FlowState, origin: str, how: str, depth: int) -> None:
        """Press every button of a state's screen, and type or send what its step takes."""
        ctx = self.ctx
        for row in router.render(state, ctx).buttons:
            for button in row:
                pressed = f"{how}, press {button.label!r}"
                decision = router.on_press(state, ButtonData(SEQ, button.value), SEQ, ctx)
                after = None if decision.outcome is None else decision.outcome.state
                if decision.verdict is not Verdict.ACCEPTED or decision.outcome is None:
                    self.seen.problems.append(f"{pressed}: {decision.verdict}")
                elif button.value != CANCEL:
                    self.follow(state, after, origin, pressed, depth, back=button.value == BACK)
                elif after is not None:
                    self.seen.problems.append(f"{pressed}: the flow goes on at {node(after)}")
        # A step takes text when a plain answer moves it; elsewhere text only gets a hint.
        plain = router.on_text(state, TEXTS[0], ctx).outcome
        if plain is not None and plain.state != state:
            typed = [(f"type {text[:24]!r}", router.on_text(state, text, ctx)) for text in TEXTS]
            self.answers(state, origin, how, depth, typed)
        if state.flow == "import":
            sent = [(f"send {f.filename}", router.on_document(state, f, ctx)) for f in FILES]
            self.answers(state, origin, how, depth, sent)

    def run(self) -> None:
        """Start every flow this world starts and explore what follows, breadth first."""
        ctx = self.ctx
        for command in self.world.commands:
            self.start(router.on_command(command, None, ctx).outcome, f"/{command}")
        if self.world.prompts:
            for choice in PROMPTS:
                self.start(prompts.begin(choice, ctx.today, ctx), f"{choice.kind} prompt")
        if self.world.files:
            for document in FILES:
                self.start(router.on_document(None, document, ctx).outcome, document.filename)
        while self.queue:
            self.expand(*self.queue.popleft())


@cache
def explored() -> Explored:
    """Walk every world once per test session."""
    seen = Explored()
    for world in WORLDS:
        _Walk(world, seen).run()
    return seen


# --- The tests -----------------------------------------------------------------------------

FLOW_STATES = router.STATE_TYPES
DIAGRAMS = tuple(dict.fromkeys(diagram_path(state_type) for state_type in FLOW_STATES))


def _flows_of(path: Path) -> Iterator[type[FlowState]]:
    return (state_type for state_type in FLOW_STATES if diagram_path(state_type) == path)


@pytest.mark.parametrize("state_type", FLOW_STATES, ids=flow_name)
def test_every_step_is_in_the_diagram(state_type: type[FlowState]) -> None:
    path = diagram_path(state_type)
    assert path.exists(), f"{flow_name(state_type)} has no diagram at {path}"
    missing = [s for s in steps_of(state_type) if s not in parse_diagram(path).states]
    assert not missing, f"{path.name} does not show {missing}"


def test_stepless_flows_are_named() -> None:
    stepless = {flow_name(s) for s in FLOW_STATES if "step" not in s.model_fields}
    assert stepless == set(STEPLESS)


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
def test_the_diagram_names_only_steps_flows_and_choices(path: Path) -> None:
    diagram = parse_diagram(path)
    known = {TERMINAL, *diagram.choices}
    known.update(step for state_type in _flows_of(path) for step in steps_of(state_type))
    known.update(handover(flow_name(state_type)) for state_type in FLOW_STATES)
    assert diagram.states <= known, f"{path.name} names {sorted(diagram.states - known)}"


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
def test_every_edge_says_what_happens(path: Path) -> None:
    edges = parse_diagram(path).edges
    unlabelled = [f"{a} --> {b}" for (a, b), labels in edges.items() if not all(labels)]
    assert not unlabelled, f"{path.name}: edges without a label: {unlabelled}"


def test_every_button_offered_is_accepted_and_cancel_ends_the_flow() -> None:
    assert not explored().problems


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
def test_every_transition_is_in_the_diagram(path: Path) -> None:
    diagram = parse_diagram(path)
    seen = explored()
    lacking = [
        f"{a} --> {b}   ({how})"
        for (a, b), how in seen.edges.get(path, {}).items()
        if not diagram.route((a, b))
    ]
    # Back returns the way the patient came: along a drawn edge the other way, or its own.
    lacking += [
        f"{a} --> {b}   ({how})"
        for (a, b), how in seen.backs.get(path, {}).items()
        if not diagram.route((a, b)) and not diagram.route((b, a))
    ]
    assert not lacking, f"{path.name} lacks:\n" + "\n".join(sorted(lacking))


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
def test_every_edge_of_the_diagram_is_reached(path: Path) -> None:
    diagram = parse_diagram(path)
    seen = explored()
    used = {drawn for edge in seen.edges.get(path, {}) for drawn in diagram.route(edge)}
    # An edge drawn for Back says so; Back does not reach an edge drawn for another answer.
    used.update(
        e
        for e in seen.backs.get(path, {})
        if any(BACK_LABEL in t for t in diagram.edges.get(e, ()))
    )
    unreached = {edge for (name, edge) in NOT_REACHED if name == path.name}
    never = [
        f"{a} --> {b}: {' / '.join(labels)}"
        for (a, b), labels in diagram.edges.items()
        if (a, b) not in used and (a, b) not in unreached
    ]
    assert not never, f"{path.name} draws transitions never made:\n" + "\n".join(never)
    assert unreached <= diagram.edges.keys(), f"NOT_REACHED names edges {path.name} lacks"
    assert not unreached & used, f"NOT_REACHED names edges of {path.name} now reached"
