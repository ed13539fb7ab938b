"""Hostile input: any text at every step, random button data, every kind of Telegram update."""

from __future__ import annotations

import html
import json
import logging
import re
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from telegram.ext import Application

from bot.engine import Engine
from bot.reminders import Dispatcher, Outgoing, SendResult
from bot.reply import Reply, Who
from bot.telegram_bot import build_application
from flows.clinical.codes import Tier
from flows.clinical.free_text import red_flags_in_text
from flows.clinical.schedule import PromptKind
from flows.clinical.trends import AlertKind, SentAlert
from flows.dialogs import router
from flows.dialogs.check import CheckStep
from flows.dialogs.dated import read_day
from flows.dialogs.events import EventStep
from flows.dialogs.log import LogStep
from flows.dialogs.meds import MedsStep
from flows.dialogs.profile import DISPLAY_NAME_MAX_CHARS, ProfileStep
from flows.dialogs.prompts import PromptState, PromptStep
from flows.dialogs.router import Verdict
from flows.dialogs.transfer import ExportStep, ImportStep
from flows.i18n import t
from flows.kit.callback import ButtonData, decode
from flows.kit.core import Context
from flows.records.models import NOTE_MAX_CHARS, Profile, Region
from flows.records.treatment import (
    DETAIL_MAX_CHARS,
    DOSE_MAX_CHARS,
    NAME_MAX_CHARS,
    DrugClass,
    MedicineKind,
    TreatmentEvent,
    TreatmentKind,
)
from storage.ports import Session, Store
from storage.sqlite.db import Database
from tests.fakes import TOKEN, OfflineBotApi, callback_update, message_update, user_payload
from tests.onboarding import VALUES as ONBOARDING_VALUES
from tests.onboarding import presses_to
from tests.patient import EngineLine, Patient, Seen, TelegramLine
from tests.treatment import change

PAT = Who(user_id=71, language_code="en")
# Another user whose rows must never change whatever PAT sends.
SAM = Who(user_id=72, language_code="en")

TABLES = (
    "users",
    "entries",
    "conversations",
    "checks",
    "prompts",
    "function_checkins",
    "alerts",
    "outbox",
    "medicine_changes",
    "treatment_events",
)

Rows = dict[str, list[tuple[Any, ...]]]


def _rows(conn: sqlite3.Connection, user_id: int) -> Rows:
    return {
        table: [
            tuple(row)
            for row in conn.execute(
                f"SELECT * FROM {table} WHERE user_id = ? ORDER BY rowid", (user_id,)
            )
        ]
        for table in TABLES
    }


async def rows_of(db: Database, who: Who) -> Rows:
    """Every stored row of one user, table by table."""
    return await db.run(lambda conn: _rows(conn, who.user_id))


async def writes_so_far(db: Database) -> int:
    """Rows inserted, changed or deleted on the connection so far, whoever they belong to."""
    return await db.run(lambda conn: conn.total_changes)


def diary(rows: Rows) -> Rows:
    """The rows without the conversation position."""
    return {table: found for table, found in rows.items() if table != "conversations"}


def position(rows: Rows) -> tuple[int, str | None] | None:
    """The conversation's (seq, state), None when there is no conversation row."""
    found = rows["conversations"]
    return None if not found else (int(found[0][1]), found[0][2])


def sends(seen: Seen) -> list[ButtonData]:
    """What each button of a screen sends when pressed: the screen's number and a value."""
    found = [decode(b.data) for row in seen.buttons for b in row]
    return [data for data in found if data is not None]


def faces(seen: Seen) -> list[list[tuple[str, str]]]:
    """Each button's label and the value it sends, row by row, whatever the screen's number."""
    return [[(b.label, b.data.rsplit(":", 1)[-1]) for b in row] for row in seen.buttons]


# A step of a walk, by one patient at their phone on the engine's line.
Action = Callable[[Patient, EngineLine], Awaitable[object]]


def cmd(text: str) -> Action:
    return lambda patient, _line: patient.send(text)


def tap(*values: str) -> tuple[Action, ...]:
    def one(value: str) -> Action:
        async def press(patient: Patient, line: EngineLine) -> None:
            await patient.press_value(value)
            assert line.reply.verdict is Verdict.ACCEPTED, line.reply

        return press

    return tuple(one(v) for v in values)


def send_prompt(kind: PromptKind, key: str, step: PromptStep) -> Action:
    """Put a sent prompt in front of the patient, as the dispatcher does when it sends one."""

    async def act(_patient: Patient, line: EngineLine) -> None:
        store, now, uid = line.engine.store, line.engine.clock(), line.who.user_id
        state = PromptState(kind=kind, key=key, day=now.date(), step=step)

        def put(session: Session) -> int:
            seq = session.conversation(uid).seq + 1
            session.save_conversation(uid, seq, router.dump_state(state))
            return seq

        seq = await store.unit(now, put)
        assert isinstance(seq, int)
        screen = router.render(state, Context(now=now, user_id=uid))
        line.receive(Reply(verdict=Verdict.ACCEPTED, screen=screen, seq=seq))

    return act


async def _daily(_patient: Patient, line: EngineLine) -> None:
    """Let the dispatcher send this patient's daily check-in prompt now."""
    store, now, uid = line.engine.store, line.engine.clock(), line.who.user_id
    await store.unit(now, lambda s: s.set_next_prompt(uid, now))
    sent: list[Outgoing] = []

    async def send(item: Outgoing) -> SendResult:
        sent.append(item)
        return SendResult.SENT

    await Dispatcher(store, line.engine.clock, send).run_once()
    [item] = [o for o in sent if o.user_id == uid]
    assert item.kind == "daily"
    line.receive(item.reply)


DIARY_CSV = "date,back_pain,leg_pain,note\n2026-03-01,4,2,imported\n"


async def _csv(patient: Patient, line: EngineLine) -> None:
    await line.send_file("diary.csv", DIARY_CSV.encode(), patient.new_id())


START = cmd("/start")
ONBOARDING: tuple[Action, ...] = (START, *tap(*ONBOARDING_VALUES))
LOG = cmd("/log")
SAVED_ENTRY: tuple[Action, ...] = (LOG, *tap("p3", "p2", "done", "dose0", "skip", "save"))
CHECK = cmd("/check")
# Question 5 of the checker (both legs) is the first with a follow-up after "new or worse".
CHECK_TO_BOTH_LEGS: tuple[Action, ...] = (CHECK, *tap("no", "no", "no", "no", "yes"))
SETTINGS = cmd("/settings")


@dataclass(frozen=True)
class Step:
    """A point in a conversation, how to get there from nothing, and its answer to text."""

    path: tuple[Action, ...]
    flow: str | None
    step: str | None
    hint: str | None
    # False where the step's own text replaces the hint (the empty chart says to /log first).
    hint_shown: bool = True
    # A typed date is the answer here (read by flows/dialogs/dated.py); other text is hinted.
    takes_dates: bool = False


USE_BUTTONS = t("en", "common.use_buttons")
LOG_BUTTONS = t("en", "log.use_buttons")
DOSES_BUTTONS = t("en", "log.doses.use_buttons")
CLASS_FIRST = t("en", "meds.class_first")
UNREADABLE_DATE = t("en", "when.unreadable")
SEND_FILE = t("en", "import.send_file")
NO_FLOW = t("en", "common.no_flow")
# Every reply before consent ends with the emergency number (REFERENCE.md §8.8).
PRE_CONSENT_POINTER = t(
    "en",
    "safety.pre_consent_pointer",
    emergency_number=t("en", "rules.emergency_number.generic"),
)


def onboarding(step: ProfileStep) -> Step:
    """The step where the usual onboarding walk reaches it."""
    path = (START, *tap(*ONBOARDING_VALUES[: presses_to(step)]))
    return Step(path, "profile", str(step), USE_BUTTONS)


def onboarding_by(values: tuple[str, ...], step: ProfileStep) -> Step:
    """A step off the usual walk, reached by pressing these values after /start."""
    return Step((START, *tap(*values)), "profile", str(step), USE_BUTTONS)


async def _forget_country(_patient: Patient, line: EngineLine) -> None:
    """Store the profile without a country, as an older version left it, already asked."""
    uid = line.who.user_id

    def forget(session: Session) -> None:
        profile = session.profile(uid)
        assert profile is not None
        session.save_profile(profile.model_copy(update={"country": None}))

    await line.engine.store.unit(line.engine.clock(), forget)


async def _takes_tramadol(_patient: Patient, line: EngineLine) -> None:
    """Put an opioid taken as needed on the patient's list, started three days ago."""
    now, uid = line.engine.clock(), line.who.user_id
    tramadol = change(now.date() - timedelta(days=3), recorded_at=now)
    await line.engine.store.unit(now, lambda s: s.add_medicine_change(uid, tramadol))


async def _had_injection(_patient: Patient, line: EngineLine) -> None:
    """Store an injection five days ago, so /event offers to remove an event."""
    now, uid = line.engine.clock(), line.who.user_id
    event = TreatmentEvent(
        event_date=now.date() - timedelta(days=5), kind=TreatmentKind.INJECTION, recorded_at=now
    )
    await line.engine.store.unit(now, lambda s: s.add_treatment_event(uid, event))


def tap_one(prefix: str) -> Action:
    """Press the one button whose value starts so (a value holding an id the store gave)."""

    async def press(patient: Patient, line: EngineLine) -> None:
        [value] = [d.value for d in sends(patient.screen) if d.value.startswith(prefix)]
        await patient.press_value(value)
        assert line.reply.verdict is Verdict.ACCEPTED, line.reply

    return press


async def _redrawn(patient: Patient, line: EngineLine) -> None:
    """Press a button of the screen before: the current step is drawn again, with no hint."""
    [seq] = {d.seq for d in sends(patient.screen)}
    await patient.press_data(ButtonData(seq=seq - 1, value="x").encode())
    assert line.reply.verdict is Verdict.STALE, line.reply


MEDS = cmd("/meds")
# A new medicine named as its kind, at the question of how it is taken.
NEW_MEDICINE: tuple[Action, ...] = (MEDS, *tap("add", "class_opioid", "same"))
EVENT = cmd("/event")
# The clock's day (tests/conftest.py), as the "when was it?" step's Today button sends it.
ON_TODAY = "on2026-03-10"


STEPS: dict[str, Step] = {
    "stranger": Step((), None, None, None),
    **{
        f"onboarding.{step}": onboarding(step)
        for step in (
            ProfileStep.CONSENT,
            ProfileStep.COUNTRY,
            ProfileStep.CONFIRM_TIMEZONE,
            ProfileStep.SURGERY_YEAR,
            ProfileStep.SURGERY_MONTH,
            ProfileStep.SURGERY_DAY,
            ProfileStep.REGION,
            ProfileStep.LEVELS,
            ProfileStep.RISK_FACTORS,
            ProfileStep.CHECKIN_TIME,
        )
    },
    # Typed text is the answer here: tested on its own below, like the diary's note.
    "onboarding.display_name": Step(
        (START, *tap(*ONBOARDING_VALUES[: presses_to(ProfileStep.DISPLAY_NAME)])),
        "profile",
        str(ProfileStep.DISPLAY_NAME),
        None,
    ),
    "onboarding.country_letter": onboarding_by(("agree", "letters"), ProfileStep.COUNTRY_LETTER),
    "onboarding.country_of_letter": onboarding_by(
        ("agree", "letters", "a.0"), ProfileStep.COUNTRY_OF_LETTER
    ),
    "onboarding.timezone": onboarding_by(("agree", "cc.us"), ProfileStep.TIMEZONE),
    "onboarding.timezone_offset": onboarding_by(
        ("agree", "cc.us", "offsets"), ProfileStep.TIMEZONE_OFFSET
    ),
    "onboarding.within_two_weeks": onboarding_by(
        ("agree", "cc.gb", "right", "unsure"), ProfileStep.WITHIN_TWO_WEEKS
    ),
    "onboarding.within_three_months": onboarding_by(
        ("agree", "cc.gb", "right", "unsure", "no"), ProfileStep.WITHIN_THREE_MONTHS
    ),
    "idle": Step(ONBOARDING, None, None, None),
    "log.day": Step((*ONBOARDING, *SAVED_ENTRY, LOG), "log", "day", LOG_BUTTONS),
    "log.back_pain": Step((*ONBOARDING, LOG), "log", "back_pain", LOG_BUTTONS),
    "log.leg_pain": Step((*ONBOARDING, LOG, *tap("p3")), "log", "leg_pain", LOG_BUTTONS),
    "log.symptoms": Step((*ONBOARDING, LOG, *tap("p3", "p2")), "log", "symptoms", LOG_BUTTONS),
    "log.as_needed_doses": Step(
        (*ONBOARDING, LOG, *tap("p3", "p2", "done")), "log", "as_needed_doses", DOSES_BUTTONS
    ),
    "log.note": Step((*ONBOARDING, LOG, *tap("p3", "p2", "done", "dose1")), "log", "note", None),
    "log.confirm": Step(
        (*ONBOARDING, LOG, *tap("p3", "p2", "done", "dose1", "skip")),
        "log",
        "confirm",
        LOG_BUTTONS,
    ),
    "check.red_flag": Step((*ONBOARDING, CHECK), "check", "red_flag", USE_BUTTONS),
    "check.new_or_worse": Step(
        (*ONBOARDING, *CHECK_TO_BOTH_LEGS), "check", "new_or_worse", USE_BUTTONS
    ),
    "check.follow_up": Step(
        (*ONBOARDING, *CHECK_TO_BOTH_LEGS, *tap("new")), "check", "follow_up", USE_BUTTONS
    ),
    "check.keep_going": Step(
        (*ONBOARDING, CHECK, *tap(*["no"] * 10, "yes")), "check", "keep_going", USE_BUTTONS
    ),
    "log.weakness_speed": Step(
        (*ONBOARDING, LOG, *tap("p3", "p2", "s.leg_weakness")),
        "log",
        "weakness_speed",
        LOG_BUTTONS,
    ),
    "check.pattern": Step(
        (*ONBOARDING, CHECK, *tap(*["no"] * 22)), "check", "pattern", USE_BUTTONS
    ),
    "settings.menu": Step((*ONBOARDING, SETTINGS), "profile", "menu", USE_BUTTONS),
    "settings.surgery_year": Step(
        (*ONBOARDING, SETTINGS, *tap("edit_date")), "profile", "surgery_year", USE_BUTTONS
    ),
    "settings.region": Step(
        (*ONBOARDING, SETTINGS, *tap("edit_region")), "profile", "region", USE_BUTTONS
    ),
    "settings.risk_factors": Step(
        (*ONBOARDING, SETTINGS, *tap("edit_risks")), "profile", "risk_factors", USE_BUTTONS
    ),
    "settings.country": Step(
        (*ONBOARDING, SETTINGS, *tap("edit_country")), "profile", "country", USE_BUTTONS
    ),
    "settings.confirm_country": Step(
        (*ONBOARDING, _forget_country, SETTINGS, *tap("edit_country")),
        "profile",
        "confirm_country",
        USE_BUTTONS,
    ),
    "settings.surgery_day": Step(
        (*ONBOARDING, SETTINGS, *tap("edit_date", "y2025", "m6")),
        "profile",
        "surgery_day",
        USE_BUTTONS,
    ),
    "settings.checkin_time": Step(
        (*ONBOARDING, SETTINGS, *tap("edit_checkin")), "profile", "checkin_time", USE_BUTTONS
    ),
    "settings.timezone": Step(
        (*ONBOARDING, SETTINGS, *tap("edit_country", "cc.us")), "profile", "timezone", USE_BUTTONS
    ),
    "settings.timezone_offset": Step(
        (*ONBOARDING, SETTINGS, *tap("edit_country", "cc.us", "offsets")),
        "profile",
        "timezone_offset",
        USE_BUTTONS,
    ),
    "settings.confirm_timezone": Step(
        (*ONBOARDING, SETTINGS, *tap("edit_checkin", "t0800")),
        "profile",
        "confirm_timezone",
        USE_BUTTONS,
    ),
    "trend": Step((*ONBOARDING, *SAVED_ENTRY, cmd("/trend")), "trend", None, USE_BUTTONS),
    "trend.empty": Step(
        (*ONBOARDING, cmd("/trend")), "trend", None, USE_BUTTONS, hint_shown=False
    ),
    "export.period": Step((*ONBOARDING, cmd("/export")), "export", "period", USE_BUTTONS),
    "export.format": Step(
        (*ONBOARDING, cmd("/export"), *tap("d30")), "export", "format", USE_BUTTONS
    ),
    "import.file": Step((*ONBOARDING, cmd("/import")), "import", "file", SEND_FILE),
    "import.confirm": Step((*ONBOARDING, cmd("/import"), _csv), "import", "confirm", SEND_FILE),
    "delete": Step((*ONBOARDING, cmd("/delete")), "delete", None, t("en", "delete.press")),
    "prompt.daily": Step((*ONBOARDING, _daily), "prompt", "daily_pain", USE_BUTTONS),
    "prompt.weekly": Step(
        (*ONBOARDING, send_prompt(PromptKind.WEEKLY, "2026-03-10", PromptStep.PEG_PAIN)),
        "prompt",
        "peg_pain",
        USE_BUTTONS,
    ),
    "prompt.weekly_second": Step(
        (
            *ONBOARDING,
            send_prompt(PromptKind.WEEKLY, "2026-03-10", PromptStep.PEG_PAIN),
            *tap("p5"),
        ),
        "prompt",
        "peg_enjoyment",
        USE_BUTTONS,
    ),
    "prompt.weekly_third": Step(
        (
            *ONBOARDING,
            send_prompt(PromptKind.WEEKLY, "2026-03-10", PromptStep.PEG_PAIN),
            *tap("p5", "p6"),
        ),
        "prompt",
        "peg_activity",
        USE_BUTTONS,
    ),
    "prompt.nudge": Step(
        (*ONBOARDING, send_prompt(PromptKind.NUDGE, "2026-03-01", PromptStep.NUDGE)),
        "prompt",
        "nudge",
        USE_BUTTONS,
    ),
    "prompt.daily_doses": Step(
        (*ONBOARDING, _takes_tramadol, _daily, *tap("p3")),
        "prompt",
        "daily_doses",
        t("en", "prompt.doses.use_buttons", name="Tramadol"),
    ),
    "meds.list": Step((*ONBOARDING, MEDS), "meds", "list", USE_BUTTONS),
    "meds.medicine": Step(
        (*ONBOARDING, _takes_tramadol, MEDS, *tap("med1")), "meds", "medicine", USE_BUTTONS
    ),
    "meds.drug_class": Step((*ONBOARDING, MEDS, *tap("add")), "meds", "drug_class", CLASS_FIRST),
    # Typed text is the answer at a medicine's name and dose and an event's detail: tested on
    # their own below (TYPED_ANSWERS).
    "meds.name": Step((*ONBOARDING, MEDS, *tap("add", "class_opioid")), "meds", "name", None),
    "meds.kind": Step((*ONBOARDING, *NEW_MEDICINE), "meds", "kind", USE_BUTTONS),
    "meds.dose": Step((*ONBOARDING, *NEW_MEDICINE, *tap("kind_as_needed")), "meds", "dose", None),
    "meds.times_a_day": Step(
        (*ONBOARDING, *NEW_MEDICINE, *tap("kind_scheduled", "skip")),
        "meds",
        "times_a_day",
        USE_BUTTONS,
    ),
    "meds.day": Step(
        (*ONBOARDING, *NEW_MEDICINE, *tap("kind_as_needed", "skip")),
        "meds",
        "day",
        UNREADABLE_DATE,
        takes_dates=True,
    ),
    "meds.stop_day": Step(
        (*ONBOARDING, _takes_tramadol, MEDS, *tap("med1", "stop")),
        "meds",
        "day",
        UNREADABLE_DATE,
        takes_dates=True,
    ),
    "meds.confirm": Step(
        (*ONBOARDING, *NEW_MEDICINE, *tap("kind_as_needed", "skip", ON_TODAY)),
        "meds",
        "confirm",
        USE_BUTTONS,
    ),
    "event.kind": Step((*ONBOARDING, EVENT), "event", "kind", USE_BUTTONS),
    "event.day": Step(
        (*ONBOARDING, EVENT, *tap("ev_revision")),
        "event",
        "day",
        UNREADABLE_DATE,
        takes_dates=True,
    ),
    "event.detail": Step((*ONBOARDING, EVENT, *tap("ev_mri", ON_TODAY)), "event", "detail", None),
    "event.confirm": Step(
        (*ONBOARDING, EVENT, *tap("ev_revision", ON_TODAY)), "event", "confirm", USE_BUTTONS
    ),
    # Saved, the revision's question comes under the saved line; drawn again it stands alone,
    # as the answer to text shows it.
    "event.restart": Step(
        (*ONBOARDING, EVENT, *tap("ev_revision", ON_TODAY, "save"), _redrawn),
        "event",
        "restart",
        USE_BUTTONS,
    ),
    "event.remove": Step(
        (*ONBOARDING, _had_injection, EVENT, *tap("remove")), "event", "remove", USE_BUTTONS
    ),
    "event.confirm_remove": Step(
        (*ONBOARDING, _had_injection, EVENT, *tap("remove"), tap_one("id")),
        "event",
        "confirm_remove",
        USE_BUTTONS,
    ),
}


@dataclass
class Checkpoint:
    """A patient stopped at one step: the screen they see and where the conversation stood."""

    screen: Seen | None
    seq: int
    state: str | None


class World:
    """PAT and SAM at their phones on one database; PAT walks to a step once, then is put back."""

    def __init__(self, engine: Engine, db: Database) -> None:
        self.engine = engine
        self.db = db
        self.pat_line = EngineLine(engine, PAT)
        self.pat = Patient(self.pat_line)
        self.sam_line = EngineLine(engine, SAM)
        self.sam = Patient(self.sam_line)
        self.checkpoints: dict[str, Checkpoint] = {}

    @property
    def store(self) -> Store:
        return self.engine.store

    async def setup_sam(self) -> None:
        """Give SAM a row in every table and leave him in the middle of /log."""
        # A new bladder problem ends the check at once, as an emergency, and saves it.
        for action in (*ONBOARDING, *SAVED_ENTRY, CHECK, *tap("yes", "new")):
            await action(self.sam, self.sam_line)
        now = self.engine.clock()
        weekly = send_prompt(PromptKind.WEEKLY, "2026-03-09", PromptStep.PEG_PAIN)
        for action in (weekly, *tap("p4", "p5", "p6"), LOG, *tap("d2026-03-10", "p6")):
            await action(self.sam, self.sam_line)

        def extra(session: Session) -> None:
            session.claim_prompt(SAM.user_id, "daily", "2026-03-09", date(2026, 3, 9), now)
            session.mark_prompt(SAM.user_id, "daily", "2026-03-09", "sent")
            alert = SentAlert(
                day=date(2026, 3, 9), kind=AlertKind.RAPID_RISE, about=("back",), tier=Tier.SOON
            )
            session.add_alert(SAM.user_id, alert)
            medicine = change(
                date(2026, 3, 1),
                dose=None,
                recorded_at=now,
                name="Paracetamol",
                drug_class=DrugClass.PARACETAMOL,
                kind=MedicineKind.SCHEDULED,
                times_a_day=3,
            )
            session.add_medicine_change(SAM.user_id, medicine)
            scan = TreatmentEvent(
                event_date=date(2026, 3, 2), kind=TreatmentKind.MRI, recorded_at=now
            )
            session.add_treatment_event(SAM.user_id, scan)

        await self.store.unit(now, extra)
        rows = await rows_of(self.db, SAM)
        assert all(rows.values()), "SAM needs a row in every table"

    async def at(self, name: str) -> Checkpoint:
        """Put PAT at a step: the first time by walking there, then by restoring the position."""
        found = self.checkpoints.get(name)
        uid = PAT.user_id
        if found is None:
            spec = STEPS[name]
            for action in spec.path:
                await action(self.pat, self.pat_line)
            rows = await rows_of(self.db, PAT)
            where = position(rows)
            seq, state = where if where is not None else (0, None)
            loaded = None if state is None else router.load_state(state)
            assert (loaded.flow if loaded else None) == spec.flow
            assert getattr(loaded, "step", None) == spec.step
            found = Checkpoint(self.pat.screen if spec.flow else None, seq, state)
            self.checkpoints[name] = found
            return found
        if found.state is not None:
            saved = found

            def restore(session: Session) -> None:
                session.save_conversation(uid, saved.seq, saved.state)

            await self.store.unit(self.engine.clock(), restore)
        return found


@pytest.fixture
async def world(engine: Engine, db: Database) -> World:
    made = World(engine, db)
    await made.setup_sam()
    return made


# Characters that have broken text handling elsewhere: zero-width, bidi controls, C0 and C1
# controls (never NUL: Telegram cannot carry it), emoji sequences, RTL and CJK scripts,
# combining marks, line separators, and the characters of HTML, format strings and SQL.
TRICKY_UNITS: tuple[str, ...] = (
    *"\u200b\u200c\u200d\u2060\ufeff",
    *"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f",
    *(chr(c) for c in range(1, 32)),
    *(chr(c) for c in range(0x7F, 0xA0)),
    "🙂",
    "👍🏽",
    "👨‍👩‍👧‍👦",
    "🇬🇧",
    "مرحبا",
    "שלום",
    "中文字",
    "e\u0301",
    "\u2028",
    "\u2029",
    "\u3000",
    *"<>&\"'{}%\\;/",
    "&amp;",
    "</pre>",
    "{note}",
    "{0}",
    "%s",
    "'); DROP TABLE entries; --",
    "bt:1:save",
)
UNICODE = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
CURATED = (
    "<b>bold</b> & <i>x</i> </pre><pre>",
    "\u202eevil text\u202c",
    "\u200b",
    " \t\r\n ",
    "/log",
    "/start@backtrack_test_bot",
    "bt:3:save",
    "{card}{note}{0}%s%(x)s",
    "x" * 5000,
    "🙂" * 5000,
    "é" * 1001,
    "a" * 1000,
    " " + "b" * 1000 + "\n",
)
HOSTILE_TEXT = st.one_of(
    st.text(UNICODE, min_size=1, max_size=80),
    st.lists(st.sampled_from(TRICKY_UNITS), min_size=1, max_size=40).map("".join),
    st.builds(
        lambda chunk, length: (chunk * length)[:length],
        st.text(UNICODE, min_size=1, max_size=12),
        st.sampled_from((999, 1000, 1001, 4096, 5000)),
    ),
    st.sampled_from(CURATED),
)
TEXT_SETTINGS = settings(
    max_examples=20,
    deadline=None,
    database=None,
    # One database per step is reused by every example; `World.at` puts PAT back each time.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


async def assert_text_answered_and_nothing_changed(world: World, name: str, text: str) -> None:
    # Words that name a cauda equina symptom are answered with the emergency advice, which is
    # stored (tests/bot/test_safety_delivery.py); every other text changes nothing.
    assume(not red_flags_in_text(text))
    spec = STEPS[name]
    # A readable date is an answer there, or hinted as to come or too early.
    assume(not spec.takes_dates or read_day(text, world.engine.clock().date()) is None)
    checkpoint = await world.at(name)
    patient = world.pat
    pat_before = await rows_of(world.db, PAT)
    sam_before = await rows_of(world.db, SAM)
    mark = len(patient.seen)

    await patient.type(text)

    pat_after = await rows_of(world.db, PAT)
    assert await rows_of(world.db, SAM) == sam_before
    assert diary(pat_after) == diary(pat_before)
    shown = patient.seen[mark:]
    if spec.hint is None:
        # No flow: a notice that says what to do, and nothing stored, not even a position.
        assert world.pat_line.reply.screen is None
        # Before consent the answer is to /start first, with the emergency number below.
        start_first = t("en", "common.start_first")
        expected = NO_FLOW if spec.path else f"{start_first}\n\n{PRE_CONSENT_POINTER}"
        assert [s.text for s in shown] == [expected]
        assert pat_after == pat_before
        return
    asked = checkpoint.screen
    assert asked is not None
    assert world.pat_line.reply.verdict is Verdict.ACCEPTED
    # The same step again under the hint, with the same buttons, as a new message.
    [again] = shown
    hinted = f"{spec.hint}\n\n{asked.text}" if spec.hint_shown else asked.text
    assert again.text == hinted
    assert not again.edited
    assert faces(again) == faces(asked)
    before, after = position(pat_before), position(pat_after)
    assert before is not None
    assert after == (before[0] + 1, before[1])


# Steps that take typed text as their answer, and the chart (fewer examples, below).
TYPED_STEPS = ("log.note", "onboarding.display_name", "meds.name", "meds.dose", "event.detail")
BUTTON_STEPS = [name for name in STEPS if name not in (*TYPED_STEPS, "trend")]


@pytest.mark.parametrize("name", BUTTON_STEPS)
@TEXT_SETTINGS
@given(text=HOSTILE_TEXT)
async def test_text_at_any_step_gets_a_clear_answer_and_changes_nothing(
    world: World, name: str, text: str
) -> None:
    await assert_text_answered_and_nothing_changed(world, name, text)


# Every answer at the chart step draws the chart again, so fewer examples.
@settings(TEXT_SETTINGS, max_examples=4)
@given(text=HOSTILE_TEXT)
async def test_text_at_the_chart_gets_a_clear_answer_and_changes_nothing(
    world: World, text: str
) -> None:
    await assert_text_answered_and_nothing_changed(world, "trend", text)


NOTE_TEXT = st.one_of(
    HOSTILE_TEXT,
    st.builds(
        lambda pad, chunk, length: pad + (chunk * length)[:length] + pad,
        st.sampled_from(("", " ", "\n", "\u3000 \t")),
        st.text(UNICODE, min_size=1, max_size=5),
        st.integers(995, 1005),
    ),
)


@settings(TEXT_SETTINGS, max_examples=100)
@given(text=NOTE_TEXT)
async def test_a_note_is_kept_exactly_or_refused_when_too_long(world: World, text: str) -> None:
    checkpoint = await world.at("log.note")
    asked = checkpoint.screen
    assert asked is not None
    patient = world.pat
    pat_before = await rows_of(world.db, PAT)
    sam_before = await rows_of(world.db, SAM)
    mark = len(patient.seen)

    await patient.type(text)

    # Only the surrounding whitespace goes; the limit is counted on what is kept.
    note = text.strip()
    [answer] = [s for s in patient.seen[mark:] if s.buttons]
    if len(note) > NOTE_MAX_CHARS:
        refusal = f"That note is {len(note)} characters long; the limit is 1000."
        assert answer.text.startswith(refusal)
        assert answer.text.endswith(asked.text)
        pat_after = await rows_of(world.db, PAT)
        assert diary(pat_after) == diary(pat_before)
        after, before = position(pat_after), position(pat_before)
        assert after is not None
        assert before is not None
        assert after[1] == before[1]
        assert await rows_of(world.db, SAM) == sam_before
        return
    card_line = t("en", "card.note", note=note)
    assert (card_line in answer.text) == bool(note)
    mark = len(patient.seen)
    await patient.press_value("save")
    [saved] = [s for s in patient.seen[mark:] if s.edited]
    assert saved.text.startswith("Saved ✅")
    pat_after = await rows_of(world.db, PAT)
    new_rows = [row for row in pat_after["entries"] if row not in pat_before["entries"]]
    assert len(new_rows) == 1
    assert len(pat_after["entries"]) == len(pat_before["entries"]) + 1
    entries = await world.store.entries_between(PAT.user_id, date(2026, 3, 10), date(2026, 3, 10))
    [entry] = [e for e in entries if e.id == new_rows[0][0]]
    assert (entry.back_pain, entry.leg_pain, entry.note) == (3, 2, note or None)
    assert await rows_of(world.db, SAM) == sam_before


def printable(text: str) -> str:
    """What a name may keep of typed text: no spaces, no control or format characters."""
    return "".join(
        c
        for c in unicodedata.normalize("NFC", text)
        if not c.isspace() and (c in "\u200c\u200d" or not unicodedata.category(c).startswith("C"))
    )


@settings(TEXT_SETTINGS, max_examples=100)
@given(text=NOTE_TEXT)
async def test_a_name_for_reports_is_one_clean_line_or_asked_again(
    world: World, text: str
) -> None:
    assume(not red_flags_in_text(text))
    checkpoint = await world.at("onboarding.display_name")
    asked = checkpoint.screen
    assert asked is not None
    patient = world.pat
    sam_before = await rows_of(world.db, SAM)
    pat_before = await rows_of(world.db, PAT)
    before = await world.store.profile(PAT.user_id)
    mark = len(patient.seen)

    await patient.type(text)

    after = await world.store.profile(PAT.user_id)
    assert before is not None
    assert after is not None
    [answer] = [s for s in patient.seen[mark:] if s.buttons]
    assert await rows_of(world.db, SAM) == sam_before
    # Only the profile's row may change: nothing of the diary.
    pat_after = diary(await rows_of(world.db, PAT))
    assert {k: v for k, v in pat_after.items() if k != "users"} == {
        k: v for k, v in diary(pat_before).items() if k != "users"
    }
    kept = printable(text.encode("utf-8", "replace").decode("utf-8"))
    if answer.text.endswith(asked.text):
        # Refused (nothing printable, or too long): the same question under a hint.
        assert answer.text != asked.text
        assert after == before
        assert not kept or len(" ".join(text.split())) > DISPLAY_NAME_MAX_CHARS
        return
    assert "When should I remind you" in answer.text
    name = after.display_name
    assert name is not None
    assert after == before.model_copy(update={"display_name": name})
    assert 0 < len(name) <= DISPLAY_NAME_MAX_CHARS
    assert name == name.strip()
    assert "  " not in name
    assert printable(name) == kept


@dataclass(frozen=True)
class TypedAnswer:
    """A step where typed text is the answer: where it is kept, its limit, what saves it."""

    field: str
    limit: int
    too_long: str
    # The hint for nothing left once the spaces go; None where that is a skip.
    empty: str | None
    # The presses from the next screen to the saved record.
    then: tuple[str, ...]


TYPED_ANSWERS = {
    "meds.name": TypedAnswer(
        "name",
        NAME_MAX_CHARS,
        "meds.name_too_long",
        "meds.name_empty",
        ("kind_as_needed", "skip", ON_TODAY, "save"),
    ),
    "meds.dose": TypedAnswer(
        "dose", DOSE_MAX_CHARS, "meds.dose_too_long", None, (ON_TODAY, "save")
    ),
    "event.detail": TypedAnswer(
        "detail", DETAIL_MAX_CHARS, "event.detail_too_long", None, ("save",)
    ),
}


async def _saved_answer(world: World, name: str) -> str | None:
    """The typed field of the record the last save made."""
    uid = PAT.user_id
    if name == "event.detail":
        events = await world.store.read(lambda s: s.treatment_events(uid))
        return max(events, key=lambda e: e.id).detail
    change = (await world.store.read(lambda s: s.medicine_changes(uid)))[-1]
    return change.name if name == "meds.name" else change.dose


@pytest.mark.parametrize("name", TYPED_ANSWERS)
@TEXT_SETTINGS
@given(text=NOTE_TEXT)
async def test_a_typed_name_dose_or_detail_is_kept_on_one_line_or_asked_again(
    world: World, name: str, text: str
) -> None:
    assume(not red_flags_in_text(text))
    answer = TYPED_ANSWERS[name]
    checkpoint = await world.at(name)
    asked = checkpoint.screen
    assert asked is not None
    patient = world.pat
    pat_before = await rows_of(world.db, PAT)
    sam_before = await rows_of(world.db, SAM)
    mark = len(patient.seen)

    await patient.type(text)

    # One line, the spaces around and between words folded, as the flow keeps it.
    kept = " ".join(text.split())
    [shown] = patient.seen[mark:]
    pat_after = await rows_of(world.db, PAT)
    assert diary(pat_after) == diary(pat_before)
    assert await rows_of(world.db, SAM) == sam_before
    before, after = position(pat_before), position(pat_after)
    assert before is not None
    assert after is not None
    assert after[1] is not None
    refusal = None
    if len(kept) > answer.limit:
        refusal = t("en", answer.too_long, limit=answer.limit)
    elif not kept and answer.empty is not None:
        refusal = t("en", answer.empty)
    if refusal is not None:
        assert shown.text == f"{refusal}\n\n{asked.text}"
        assert after == (before[0] + 1, before[1])
        return
    assert getattr(router.load_state(after[1]), answer.field) == (kept or None)
    for value in answer.then:
        await patient.press_value(value)
    assert patient.screen.text.startswith("Saved")
    # A name is kept without ";", which parts one medicine from the next in the diary file.
    stored = kept.replace(";", ",") if name == "meds.name" else kept
    assert await _saved_answer(world, name) == (stored or None)
    assert await rows_of(world.db, SAM) == sam_before


# --- 7,500 button presses against a user in the middle of a flow -----------------------

STALE_TOAST = t("en", "button.stale")
FORGED_TOAST = t("en", "button.forged")
# Every value any screen offers, and near misses of them.
# fmt: off
KNOWN_VALUES: tuple[str, ...] = (
    *(f"p{n}" for n in range(-1, 12)),
    "save", "back", "cancel", "done", "skip", "none", "today", "d2026-03-09", "complete",
    "s.fever", "s.pain_one_leg", "s.bogus", "agree", "decline", "y2025", "y1900", "y3000",
    "m1", "m12", "m13", "unsure", "r.lumbar", "r.bogus", "l0", "l3", "l9", "k.smoker",
    "k.bogus", "t0800", "t2100", "t9999", "z0", "z11", "z99", "offsets", "o0", "o26", "o99",
    "right", "wrong", "earlier", "later", "cc.gb", "cc.us", "cc.other", "cc.zz", "edit_date",
    "other", "letters", "a.0", "a.24", "a.99", "prev", "next", "d1", "d15", "d31", "d32",
    "edit_region", "edit_risks", "edit_country", "edit_checkin", "pause", "resume", "close",
    "yes", "no", "new", "known", "c0", "c1", "c99", "full", "snooze", "30", "90", "all", "d30",
    "d90", "pdf", "csv", "fhir", "confirm", "erase", "dose0", "dose3", "dose4", "dose-1",
    "drowsy", "add", "med1", "med2", "med0", "med99", "change", "stop", "class_opioid",
    "class_other", "class_bogus", "same", "kind_as_needed", "kind_scheduled", "kind_bogus",
    "keep", "times1", "times6", "times0", "times7", "on2026-03-10", "on2026-03-08",
    "on2026-03-11", "on2026-02-30", "on1990-01-01", "ev_revision", "ev_mri", "ev_fall",
    "ev_bogus", "remove", "id1", "id0", "id99", "delete", "restart",
)
# fmt: on
# The wire format, written out independently of flows.kit.callback: ASCII digits, ASCII value.
WIRE = re.compile(r"bt:([0-9]{1,12}):([a-z0-9_.-]{1,40})")


def fit(text: str, limit: int = 64) -> str:
    """Cut text to at most `limit` UTF-8 bytes without splitting a character."""
    return text.encode()[:limit].decode(errors="ignore")


@dataclass(frozen=True)
class Junk:
    """Arbitrary callback data."""

    data: str


@dataclass(frozen=True)
class Shaped:
    """Well-formed data with a random screen number and value."""

    seq: int
    value: str


@dataclass(frozen=True)
class Current:
    """The current screen's number with any value."""

    value: str


@dataclass(frozen=True)
class Offered:
    """A button of the current screen: the legitimate press."""

    pick: int


@dataclass(frozen=True)
class Earlier:
    """A button value of the current screen sent with an earlier or later screen number."""

    delta: int
    pick: int


@dataclass(frozen=True)
class Replay:
    """The last accepted press, sent again."""


Move = Junk | Shaped | Current | Offered | Earlier | Replay

VALUE = st.one_of(
    st.sampled_from(KNOWN_VALUES),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_.-", min_size=1, max_size=40),
    st.text(max_size=45),
)
MOVE: st.SearchStrategy[Move] = st.one_of(
    st.builds(Junk, st.text(max_size=64).map(fit)),
    st.builds(Junk, st.builds(lambda v, s: fit(f"bt:{s}{v}"), VALUE, st.text(max_size=3))),
    st.builds(Shaped, st.integers(0, 10**12 - 1), VALUE),
    st.builds(Current, VALUE),
    st.builds(Offered, st.integers(0, 1000)),
    st.builds(Offered, st.integers(0, 1000)),
    st.builds(Offered, st.integers(0, 1000)),
    st.builds(Earlier, st.sampled_from((-3, -2, -1, 1, 2)), st.integers(0, 1000)),
    st.just(Replay()),
)
MOVES_PER_EXAMPLE = 50
# 7,500 presses a run: every verdict and save the tally test asks for, within the suite time.
PRESS_EXAMPLES = 150


def expected_verdict(data: str, seq: int, offered: frozenset[str]) -> Verdict:
    """What a press must come to, from the wire format and the screen the user sees."""
    if len(data.encode()) > 64:
        return Verdict.FORGED
    match = WIRE.fullmatch(data)
    if match is None:
        return Verdict.FORGED
    if int(match.group(1)) != seq:
        return Verdict.STALE
    return Verdict.ACCEPTED if match.group(2) in offered else Verdict.FORGED


def _where(rows: Rows) -> tuple[str, str | None]:
    found = position(rows)
    if found is None or found[1] is None:
        return ("", None)
    state = router.load_state(found[1])
    return (state.flow, str(getattr(state, "step", "")) or None)


# Presses that may change a table, by (flow, step, value); None matches any.
SAVES: dict[str, tuple[tuple[str, str | None, str | None], ...]] = {
    # An emergency ticked in the diary saves the entry at Done (REFERENCE.md §8.6).
    # Very drowsy after an opioid, where the doses are counted, saves the day at once too.
    "entries": (
        ("log", "confirm", "save"),
        ("log", "symptoms", "done"),
        ("log", "as_needed_doses", "drowsy"),
        ("prompt", "daily_pain", None),
        ("prompt", "daily_doses", None),
        ("import", "confirm", "confirm"),
    ),
    "alerts": (
        ("log", "confirm", "save"),
        ("log", "symptoms", "done"),
        ("log", "as_needed_doses", "drowsy"),
        ("prompt", "daily_pain", None),
        ("prompt", "daily_doses", None),
        ("import", "confirm", "confirm"),
    ),
    # Safety advice: red flags at Done, trend alerts after a save, a check's result.
    "outbox": (
        ("log", "symptoms", "done"),
        ("log", "confirm", "save"),
        ("log", "as_needed_doses", "drowsy"),
        ("prompt", "daily_pain", None),
        ("prompt", "daily_doses", None),
        # A fall in the last days is RF-FX, answered as soon as its day is given.
        ("event", "day", None),
        ("check", None, None),
    ),
    "checks": (("check", None, None),),
    "function_checkins": (("prompt", "peg_activity", None),),
    # A revision may move the day of surgery to its own.
    "users": (
        ("profile", None, None),
        ("prompt", "daily_pain", "snooze"),
        ("event", "restart", "restart"),
    ),
    "prompts": (("prompt", "daily_pain", "snooze"),),
    "medicine_changes": (("meds", "confirm", "save"),),
    "treatment_events": (("event", "confirm", "save"), ("event", "confirm_remove", "delete")),
}
# Erasing the account takes every row of the user, in every table.
ERASE = ("delete", None, "erase")


def allowed(table: str, flow: str, step: str | None, value: str) -> bool:
    if (flow, step, value) == ERASE:
        return True
    return any(
        f == flow and s in (None, step) and v in (None, value) for f, s, v in SAVES.get(table, ())
    )


# Flows PAT is put into, in turn, whenever the one he is in ends.
RESTARTS: tuple[tuple[Action, ...], ...] = (
    (LOG,),
    (CHECK,),
    (send_prompt(PromptKind.DAILY, "2026-03-10", PromptStep.DAILY_PAIN),),
    (SETTINGS,),
    (send_prompt(PromptKind.WEEKLY, "2026-03-10", PromptStep.PEG_PAIN),),
    (cmd("/import"), _csv),
    (send_prompt(PromptKind.MILESTONE, "6w", PromptStep.PEG_PAIN),),
    (send_prompt(PromptKind.NUDGE, "2026-03-01", PromptStep.NUDGE),),
    (cmd("/import"),),
    (MEDS,),
    (EVENT,),
    # From then on the diary and the daily prompt count the doses of an opioid too.
    (_takes_tramadol, send_prompt(PromptKind.DAILY, "2026-03-10", PromptStep.DAILY_PAIN)),
    (_had_injection, EVENT),
    (_takes_tramadol, MEDS),
    # Random presses seldom get past a new medicine's name: start some at its dose.
    (*NEW_MEDICINE, *tap("kind_scheduled")),
    (cmd("/delete"),),
)


@dataclass
class PressTally:
    """What the 7,500 presses came to, for the report at the end of the run."""

    presses: int = 0
    users: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)
    saves: Counter[str] = field(default_factory=Counter)


TALLY = PressTally()


class Presser:
    """Presses buttons as one fresh patient and checks each answer against the screen shown."""

    def __init__(self, engine: Engine, db: Database, who: Who) -> None:
        self.engine = engine
        self.db = db
        self.who = who
        self.line = EngineLine(engine, who)
        self.patient = Patient(self.line)
        # Each user starts at a different flow of the rotation, so every flow is pressed at.
        self.restarts = who.user_id
        self.last_accepted: str | None = None
        self.writes: int | None = None

    async def onboard(self) -> Rows:
        """Store the account onboarding would make, in one unit (onboarding is tested above)."""
        now = self.engine.clock()
        profile = Profile(
            user_id=self.who.user_id,
            consented_at=now,
            timezone="Etc/GMT-1",
            surgery_year=2025,
            surgery_month=6,
            region=Region.LUMBAR,
            levels=2,
            country="DE",
            details_asked_at=now,
        )

        def consent(session: Session) -> None:
            session.save_profile(profile)
            session.set_next_prompt(self.who.user_id, now + timedelta(hours=2))

        await self.engine.store.unit(now, consent)
        return await rows_of(self.db, self.who)

    async def ensure_in_flow(self, rows: Rows) -> Rows:
        if not rows["users"]:
            # New, or erased: an account first, as nothing is stored without consent.
            rows = await self.onboard()
            self.writes = None
        while _where(rows)[0] == "":
            # The flow ended: start the next of the rotation (prompts as the dispatcher would).
            for action in RESTARTS[self.restarts % len(RESTARTS)]:
                await action(self.patient, self.line)
            self.restarts += 1
            rows = await rows_of(self.db, self.who)
            self.writes = None
        if self.writes is None:
            self.writes = await writes_so_far(self.db)
        return rows

    def data_for(self, move: Move, seq: int, offered: Sequence[str]) -> str:
        match move:
            case Junk(data):
                return data
            case Shaped(number, value):
                return f"bt:{number}:{value}"
            case Current(value):
                return f"bt:{seq}:{value}"
            case Offered(pick):
                return f"bt:{seq}:{offered[pick % len(offered)]}"
            case Earlier(delta, pick):
                return f"bt:{max(seq + delta, 0)}:{offered[pick % len(offered)]}"
            case Replay():
                return self.last_accepted or f"bt:{seq}:{offered[0]}"

    async def press(self, move: Move, rows: Rows) -> Rows:
        rows = await self.ensure_in_flow(rows)
        shown = sends(self.patient.screen)
        [seq] = {d.seq for d in shown}
        offered = sorted({d.value for d in shown})
        data = self.data_for(move, seq, offered)
        flow, step = _where(rows)
        expected = expected_verdict(data, seq, frozenset(offered))
        mark = len(self.patient.seen)

        await self.patient.press_data(data)

        verdict = self.line.reply.verdict
        TALLY.presses += 1
        TALLY.verdicts[verdict.value] += 1
        writes = await writes_so_far(self.db)
        assert self.writes is not None
        assert verdict is expected, (data, flow, step, offered)
        answer = self.patient.seen[mark:]
        if verdict is not Verdict.ACCEPTED:
            assert self.patient.toast == (
                STALE_TOAST if expected is Verdict.STALE else FORGED_TOAST
            )
            if answer:
                # A stale press shows the current screen again, under the same number, alone.
                assert expected is Verdict.STALE
                [again] = answer
                assert again.edited
                again_sends = sends(again)
                assert {d.seq for d in again_sends} == {seq}
                assert {d.value for d in again_sends} == set(offered)
            # Not one row written, for this user or any other: only the press's update id,
            # claimed so that Telegram's redelivery of it would be skipped.
            assert writes == self.writes + 1, data
            self.writes = writes
            return rows
        self.writes = writes
        after = await rows_of(self.db, self.who)
        value = data.rsplit(":", 1)[1]
        [screen] = [s for s in answer if s.edited]
        assert screen.text
        assert self.line.reply.seq == seq + 1
        for table in TABLES:
            if table != "conversations" and after[table] != rows[table]:
                assert allowed(table, flow, step, value), (table, flow, step, value)
                TALLY.saves[table] += 1
        if (flow, step, value) == ERASE:
            assert all(not found for found in after.values())
            TALLY.saves["erased"] += 1
        if (flow, step, value) == ("log", "confirm", "save"):
            assert screen.text.startswith("Saved ✅")
            assert after["entries"] != rows["entries"]
        self.last_accepted = data
        return after


@settings(
    max_examples=PRESS_EXAMPLES,
    deadline=None,
    database=None,
    # The same 7,500 presses every run: the coverage test after this one must not depend on
    # luck (a run that happened to finish no symptom check failed it).
    derandomize=True,
    # The database is shared by the examples; each example presses as a new user.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(moves=st.lists(MOVE, min_size=MOVES_PER_EXAMPLE, max_size=MOVES_PER_EXAMPLE))
async def test_random_button_data_is_stale_forged_or_a_button_of_the_current_screen(
    world: World, moves: list[Move]
) -> None:
    engine = world.engine
    sam_before = await rows_of(world.db, SAM)
    TALLY.users += 1
    who = Who(user_id=1000 + TALLY.users, language_code="en")
    presser = Presser(engine, world.db, who)
    rows = await rows_of(world.db, who)
    for move in moves:
        rows = await presser.press(move, rows)
    assert await rows_of(world.db, SAM) == sam_before


def test_the_presses_covered_every_verdict() -> None:
    """Runs after the 7,500 presses (pytest keeps file order) and checks what they reached."""
    if TALLY.presses == 0:
        pytest.skip("the press test did not run in this session")
    assert TALLY.presses >= PRESS_EXAMPLES * MOVES_PER_EXAMPLE
    assert {"accepted", "stale", "forged"} <= TALLY.verdicts.keys()
    assert {"entries", "checks", "function_checkins", "users"} <= TALLY.saves.keys()


@pytest.mark.parametrize("data", ["bt:٣:p5", "bt:3:p5\n", "bt:\uff13:p5"])
def test_only_the_data_the_bot_writes_decodes(data: str) -> None:
    assert decode(data) is None


async def test_callback_data_that_is_not_unicode_text_is_forged(world: World) -> None:
    await world.at("log.back_pain")

    await world.pat.press_data("bt:1:\udfff")

    assert world.pat_line.reply.verdict is Verdict.FORGED


async def test_a_note_with_an_undecodable_byte_is_answered_not_raised(world: World) -> None:
    await world.at("log.note")
    before = await rows_of(world.db, PAT)
    mark = len(world.pat.seen)

    await world.pat.type("caf\udce9 night")

    assert any(s.buttons for s in world.pat.seen[mark:])
    assert diary(await rows_of(world.db, PAT)) == diary(before)


# --- Everything else Telegram can deliver, through Application.process_update ------------

USER = PAT.user_id
# Telegram's own limits, which the offline fake does not check.
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_TOAST = 200


def visible(text: str) -> str:
    """What the user reads of a message sent with HTML parse mode."""
    return html.unescape(re.sub(r"</?pre>", "", text))


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class StrictBotApi(OfflineBotApi):
    """The offline Bot API that also refuses what Telegram refuses: long or malformed text."""

    refused: list[str] = field(default_factory=list)

    def _problem(self, name: str, params: dict[str, Any]) -> str | None:
        if name == "answerCallbackQuery":
            toast = params.get("text")
            too_long = toast is not None and utf16_length(str(toast)) > MAX_TOAST
            return "Bad Request: query answer is too long" if too_long else None
        key = "text" if name in ("sendMessage", "editMessageText") else "caption"
        raw = params.get(key)
        if raw is None:
            return None
        text = str(raw)
        if params.get("parse_mode") == "HTML":
            bare = re.sub(r"</?pre>", "", text)
            if "<" in bare or ">" in bare or re.search(r"&(?!(?:amp|lt|gt|quot);)", bare):
                return "Bad Request: can't parse entities"
            text = visible(text)
        if key == "text" and not text.strip():
            return "Bad Request: message text is empty"
        if utf16_length(text) > (MAX_TEXT if key == "text" else MAX_CAPTION):
            return "Bad Request: message is too long"
        return None

    async def answer(
        self, url: str, method: str, name: str, params: dict[str, Any]
    ) -> tuple[int, bytes]:
        """Refuse a call Telegram would refuse; otherwise answer as the offline API does."""
        problem = self._problem(name, params)
        if problem is not None:
            self.refused.append(problem)
            body = {"ok": False, "error_code": 400, "description": problem}
            return 400, json.dumps(body).encode()
        return await super().answer(url, method, name, params)


@pytest.fixture
def api() -> StrictBotApi:
    return StrictBotApi()


@pytest.fixture
async def app(
    engine: Engine, api: StrictBotApi, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    caplog.set_level(logging.DEBUG)
    # Telegram's rate limit is not what is tested here, and its pacing would slow every call.
    application = build_application(
        TOKEN, engine, request=api, updates_request=OfflineBotApi(), rate_limit=False
    )
    async with application:
        yield application


@pytest.fixture
def line(app: Application, api: StrictBotApi) -> TelegramLine:  # type: ignore[type-arg]
    return TelegramLine.of(app, api, USER)


@pytest.fixture
def patient(line: TelegramLine) -> Patient:
    """PAT at his Telegram app."""
    return Patient(line)


def handler_errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "bot.telegram_bot" and r.getMessage().startswith("error while handling")
    ]


async def onboard(patient: Patient) -> None:
    """PAT walks onboarding in his Telegram app."""
    await patient.send("/start")
    for value in ONBOARDING_VALUES:
        await patient.press_value(value)


async def back_to_note(engine: Engine, state: str) -> None:
    """Put PAT back at the note step, as a later screen so earlier keyboards are stale."""

    def restore(session: Session) -> None:
        session.save_conversation(USER, session.conversation(USER).seq + 1, state)

    await engine.store.unit(engine.clock(), restore)


@pytest.fixture
async def note_state(patient: Patient, db: Database) -> str:
    """PAT, onboarded, at the note step of /log: the stored state of that step."""
    await onboard(patient)
    await patient.send("/log")
    for value in ("p3", "p2", "done", "dose0"):
        await patient.press_value(value)
    assert visible(patient.last).startswith("Anything else to note")
    where = position(await rows_of(db, PAT))
    assert where is not None
    assert where[1] is not None
    return where[1]


@settings(TEXT_SETTINGS, max_examples=40)
@given(text=NOTE_TEXT.filter(lambda s: not s.startswith("/")))
async def test_a_note_reaches_the_user_and_the_diary_exactly_through_telegram(
    patient: Patient,
    engine: Engine,
    db: Database,
    api: StrictBotApi,
    caplog: pytest.LogCaptureFixture,
    note_state: str,
    text: str,
) -> None:
    rows = await rows_of(db, PAT)
    note_step = position(rows)
    assert note_step is not None
    mark = len(patient.seen)
    entries_before = len(rows["entries"])

    await patient.type(text)

    note = text.strip()
    shown = [visible(s) for s in patient.texts[mark:]]
    assert api.refused == []
    if len(note) > NOTE_MAX_CHARS:
        [screen] = shown
        assert "characters long; the limit is 1000" in screen
    else:
        [card] = shown
        assert (t("en", "card.note", note=note) in card) == bool(note)
        await patient.press_value("save")
        [saved] = [s for s in map(visible, patient.texts[mark:]) if s.startswith("Saved ✅")]
        assert (t("en", "card.note", note=note) in saved) == bool(note)
        entries = (await rows_of(db, PAT))["entries"]
        assert len(entries) == entries_before + 1
        assert entries[-1][8] == (note or None)
    assert api.refused == []
    assert handler_errors(caplog) == []
    await back_to_note(engine, note_state)


async def at_leg_pain(patient: Patient, db: Database) -> Rows:
    await onboard(patient)
    await patient.send("/log")
    await patient.press_value("p4")
    return await rows_of(db, PAT)


MEDIA: dict[str, dict[str, Any]] = {
    "photo": {"photo": [{"file_id": "f", "file_unique_id": "u", "width": 9, "height": 9}]},
    "sticker": {
        "sticker": {
            "file_id": "s",
            "file_unique_id": "su",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
    },
    "voice": {"voice": {"file_id": "v", "file_unique_id": "vu", "duration": 3}},
    "video_note": {
        "video_note": {"file_id": "n", "file_unique_id": "nu", "length": 240, "duration": 2}
    },
    "location": {"location": {"latitude": 51.5, "longitude": -0.12}},
    "contact": {"contact": {"phone_number": "+440000", "first_name": "Pat"}},
    "captioned photo": {
        "photo": [{"file_id": "f", "file_unique_id": "u", "width": 9, "height": 9}],
        "caption": "/log my back <b>hurts</b>",
    },
}


@pytest.mark.parametrize("kind", MEDIA)
async def test_media_mid_flow_gets_a_clear_answer_and_the_flow_goes_on(
    patient: Patient,
    line: TelegramLine,
    db: Database,
    api: StrictBotApi,
    caplog: pytest.LogCaptureFixture,
    kind: str,
) -> None:
    rows = await at_leg_pain(patient, db)
    mark = len(patient.seen)

    await line.send_update(message_update(patient.new_id(), USER, None, extra=MEDIA[kind]))

    assert [visible(s) for s in patient.texts[mark:]] == [t("en", "common.unsupported")]
    assert await rows_of(db, PAT) == rows
    await patient.press_value("p1")
    assert visible(patient.last).startswith(t("en", "log.ask_symptoms"))
    assert handler_errors(caplog) == []
    assert api.refused == []


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


@pytest.mark.parametrize(
    ("filename", "content", "problem"),
    [
        ("wound.png", PNG, t("en", "import.problem.not_text")),
        ("notes.txt", b"slept badly, knee ok\n", "I found no entries I could import"),
        (
            "report.pdf",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
            t("en", "import.problem.not_text"),
        ),
    ],
)
async def test_a_file_that_is_not_a_diary_mid_log_is_explained_and_saves_nothing(
    patient: Patient,
    line: TelegramLine,
    db: Database,
    api: StrictBotApi,
    caplog: pytest.LogCaptureFixture,
    filename: str,
    content: bytes,
    problem: str,
) -> None:
    rows = await at_leg_pain(patient, db)
    log_one = patient.data_of_value("p1")
    api.files["doc1"] = content
    document = {"file_id": "doc1", "file_unique_id": "d1", "file_name": filename}
    mark = len(patient.seen)

    await line.send_update(
        message_update(patient.new_id(), USER, None, extra={"document": document})
    )

    [answer] = [visible(s) for s in patient.texts[mark:]]
    # A file is always an import: the unfinished entry is put aside, and the patient told.
    aside = "Your unsaved entry for today, Tue 10 Mar was put aside: /log carries on"
    assert answer.startswith(f"{aside} where you left it.\n\n{problem}")
    assert t("en", "import.ask_file") in answer
    after = await rows_of(db, PAT)
    assert diary(after) == diary(rows)
    # Its keyboard goes stale.
    state = position(after)
    assert state is not None
    assert state[1] is not None
    assert router.load_state(state[1]).flow == "import"
    answered = len(patient.toasts)
    await patient.press_data(log_one)
    assert patient.toasts[answered:] == [STALE_TOAST]
    assert handler_errors(caplog) == []


def edited(payload: dict[str, Any]) -> dict[str, Any]:
    """The update Telegram sends when the user edits an earlier message into this one."""
    message = {**payload["message"], "edit_date": 1_700_000_100}
    return {"update_id": payload["update_id"], "edited_message": message}


async def test_an_edited_message_is_neither_an_answer_nor_a_command(
    patient: Patient,
    line: TelegramLine,
    db: Database,
    api: StrictBotApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    rows = await at_leg_pain(patient, db)
    mark = len(api.calls)

    await line.send_update(edited(message_update(patient.new_id(), USER, "actually 7")))
    await line.send_update(edited(message_update(patient.new_id(), USER, "/delete")))

    # An edit of "back 4" into "/delete" does not open the erasure, or answer at all.
    assert api.calls[mark:] == []
    assert await rows_of(db, PAT) == rows
    assert handler_errors(caplog) == []


async def test_an_edit_that_names_a_warning_sign_is_answered_and_changes_no_step(
    patient: Patient,
    line: TelegramLine,
    db: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    rows = await at_leg_pain(patient, db)
    mark = len(patient.seen)

    await line.send_update(edited(message_update(patient.new_id(), USER, "I cannot pee since 6")))

    shown = [visible(s) for s in patient.texts[mark:]]
    # The emergency pointer with the leg-pain step shown again, then the advice itself, with
    # the number of the patient's country (the United Kingdom).
    pointer, advice = shown
    assert pointer.startswith("What you wrote can be a sign of an emergency.\n⚠️ Call 999")
    assert "LEG pain" in pointer
    assert "Call 999 or go to the nearest Emergency Department now" in advice
    after = await rows_of(db, PAT)
    # Decided and stored, to be delivered through any fault; nothing else moved.
    [(_, _, _, kind, *_)] = after["outbox"]
    assert kind == "emergency"
    assert {k: v for k, v in diary(after).items() if k != "outbox"} == {
        k: v for k, v in diary(rows).items() if k != "outbox"
    }
    before, now = position(rows), position(after)
    assert before is not None
    assert now is not None
    assert now[1] == before[1]
    assert handler_errors(caplog) == []


def business(payload: dict[str, Any], owner: int) -> dict[str, Any]:
    """A message in a chat between a business owner and a customer, as the bot sees it."""
    message = {**payload["message"], "business_connection_id": "bc1"}
    message["chat"] = {"id": owner, "type": "private"}
    return {"update_id": payload["update_id"], "business_message": message}


async def test_business_chats_never_see_a_diary_nor_fill_one(
    patient: Patient,
    line: TelegramLine,
    engine: Engine,
    db: Database,
    api: StrictBotApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await onboard(patient)
    await patient.send("/log")
    for value in ("p3", "p2", "done", "dose0"):
        await patient.press_value(value)
    rows = await rows_of(db, PAT)
    mark = len(api.calls)

    # The owner (PAT) types /history in a customer's chat; a customer writes to PAT's business.
    await line.send_update(business(message_update(patient.new_id(), USER, "/history"), 999))
    customer = message_update(patient.new_id(), 999, "customer's words")
    await line.send_update(business(customer, USER))

    assert api.calls[mark:] == []
    assert await rows_of(db, PAT) == rows
    assert await engine.store.profile(999) is None
    assert handler_errors(caplog) == []


async def test_help_in_the_middle_of_log_keeps_the_log_keyboard_working(
    patient: Patient, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    rows = await at_leg_pain(patient, db)
    mark = len(patient.seen)

    await patient.send("/help")
    await patient.send("/history")

    help_text, history = [visible(s) for s in patient.texts[mark:]]
    assert help_text == t("en", "help.text")
    assert "No diary entries" in history
    assert await rows_of(db, PAT) == rows
    await patient.press_value("p2")
    assert visible(patient.last).startswith(t("en", "log.ask_symptoms"))
    assert handler_errors(caplog) == []


async def test_log_again_in_the_middle_of_log_carries_on_and_stales_the_old_keyboard(
    patient: Patient, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    await at_leg_pain(patient, db)
    old = patient.data_of_value("p2")
    await patient.send("/log")
    mark, answered = len(patient.seen), len(patient.toasts)

    await patient.press_data(old)

    assert patient.toasts[answered:] == [STALE_TOAST]
    # The old message is turned into the current screen: the entry carried on, at leg pain.
    [shown] = [visible(s) for s in patient.texts[mark:]]
    assert "LEG pain" in shown
    assert handler_errors(caplog) == []


GROUP_CHATS = [("group", -100), ("supergroup", -1001234)]


@pytest.mark.parametrize(("chat_type", "chat_id"), GROUP_CHATS)
@pytest.mark.parametrize("command", ["/start", "/log", "/log@backtrack_test_bot", "/export"])
async def test_a_command_in_a_group_is_politely_refused_and_nothing_stored(
    patient: Patient,
    line: TelegramLine,
    db: Database,
    api: StrictBotApi,
    caplog: pytest.LogCaptureFixture,
    chat_type: str,
    chat_id: int,
    command: str,
) -> None:
    mark = len(api.calls)

    await line.send_update(
        message_update(patient.new_id(), USER, command, chat_type=chat_type, chat_id=chat_id)
    )

    [call] = api.calls[mark:]
    assert call.method == "sendMessage"
    assert call.params["chat_id"] == chat_id
    assert call.params["text"] == t("en", "common.private_only")
    assert all(not found for found in (await rows_of(db, PAT)).values())
    assert handler_errors(caplog) == []


@pytest.mark.parametrize(("chat_type", "chat_id"), GROUP_CHATS)
@pytest.mark.parametrize(
    "extra",
    [
        {"text": "my back hurts today 7/10"},
        MEDIA["photo"],
        {"document": {"file_id": "g", "file_unique_id": "g", "file_name": "diary.csv"}},
    ],
)
async def test_other_group_messages_get_no_answer_and_nothing_stored(
    patient: Patient,
    line: TelegramLine,
    db: Database,
    api: StrictBotApi,
    caplog: pytest.LogCaptureFixture,
    chat_type: str,
    chat_id: int,
    extra: dict[str, Any],
) -> None:
    """Only commands are answered in a group; chatter is not the bot's to reply to."""
    mark = len(api.calls)
    update = message_update(
        patient.new_id(), USER, None, chat_type=chat_type, chat_id=chat_id, extra=extra
    )

    await line.send_update(update)

    # Nothing sent, and a file in a group is never downloaded.
    assert api.calls[mark:] == []
    assert all(not found for found in (await rows_of(db, PAT)).values())
    assert handler_errors(caplog) == []


async def test_a_group_message_from_an_onboarded_user_leaves_their_diary_alone(
    patient: Patient, line: TelegramLine, db: Database, api: StrictBotApi
) -> None:
    rows = await at_leg_pain(patient, db)
    mark, calls = len(patient.seen), len(api.calls)

    await line.send_update(
        message_update(patient.new_id(), USER, "/cancel", chat_type="group", chat_id=-100)
    )
    await line.send_update(
        message_update(patient.new_id(), USER, "actually 7", chat_type="group", chat_id=-100)
    )

    # The group is told once that the bot works in private; the patient's own chat hears nothing.
    assert [
        (c.method, c.params.get("chat_id"), c.params.get("text")) for c in api.calls[calls:]
    ] == [("sendMessage", -100, t("en", "common.private_only"))]
    assert patient.seen[mark:] == []
    assert await rows_of(db, PAT) == rows
    await patient.press_value("p2")
    assert visible(patient.last).startswith(t("en", "log.ask_symptoms"))


async def test_a_press_on_a_group_message_is_refused_and_shows_nothing_there(
    patient: Patient, line: TelegramLine, db: Database, api: StrictBotApi
) -> None:
    rows = await at_leg_pain(patient, db)
    data = patient.data_of_value("p2")
    press = callback_update(patient.new_id(), USER, data)
    press["callback_query"]["message"]["chat"] = {"id": -100, "type": "group", "title": "Team"}
    mark = len(api.calls)

    await line.send_update(press)

    assert await rows_of(db, PAT) == rows
    assert [c.method for c in api.calls[mark:]] == ["answerCallbackQuery"]


@pytest.mark.parametrize("kind", ["channel_post", "edited_channel_post"])
@pytest.mark.parametrize("text", ["/log", "/start@backtrack_test_bot", "pain 7", None])
async def test_a_channel_post_gets_no_answer(
    patient: Patient,
    line: TelegramLine,
    api: StrictBotApi,
    caplog: pytest.LogCaptureFixture,
    kind: str,
    text: str | None,
) -> None:
    post: dict[str, Any] = {
        "message_id": 5,
        "date": 1_700_000_000,
        "chat": {"id": -1009, "type": "channel", "title": "News"},
        "sender_chat": {"id": -1009, "type": "channel", "title": "News"},
    }
    if text is None:
        post.update(MEDIA["photo"])
    else:
        post["text"] = text
        if text.startswith("/"):
            post["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    if kind == "edited_channel_post":
        post["edit_date"] = 1_700_000_100

    mark = len(api.calls)

    await line.send_update({"update_id": patient.new_id(), kind: post})

    assert api.calls[mark:] == []
    assert handler_errors(caplog) == []


async def test_updates_without_a_handler_are_ignored(
    patient: Patient,
    line: TelegramLine,
    db: Database,
    api: StrictBotApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await at_leg_pain(patient, db)
    rows = await rows_of(db, PAT)
    mark = len(api.calls)
    user = user_payload(USER)
    chat = {"id": USER, "type": "private"}
    for update in (
        {"inline_query": {"id": "iq", "from": user, "query": "pain", "offset": ""}},
        {
            "message_reaction": {
                "chat": chat,
                "message_id": 3,
                "user": user,
                "date": 1_700_000_000,
                "old_reaction": [],
                "new_reaction": [{"type": "emoji", "emoji": "👍"}],
            }
        },
        {
            "my_chat_member": {
                "chat": chat,
                "from": user,
                "date": 1_700_000_000,
                "old_chat_member": {"status": "member", "user": user_payload(424242)},
                "new_chat_member": {
                    "status": "kicked",
                    "user": user_payload(424242),
                    "until_date": 0,
                },
            }
        },
    ):
        await line.send_update({"update_id": patient.new_id(), **update})

    assert api.calls[mark:] == []
    assert await rows_of(db, PAT) == rows
    assert handler_errors(caplog) == []


@pytest.mark.parametrize("text", ["/log.", "/log,", "/help?", "/start!"])
async def test_a_command_followed_by_punctuation_is_the_command(
    patient: Patient, line: TelegramLine, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    await onboard(patient)
    mark = len(patient.seen)
    # Telegram marks only "/name" as the command when punctuation follows it.
    name = re.match(r"/[a-z]+", text)
    assert name is not None
    entity = [{"type": "bot_command", "offset": 0, "length": len(name.group())}]
    await line.send_update(
        message_update(patient.new_id(), USER, text, extra={"entities": entity})
    )

    assert handler_errors(caplog) == []
    assert t("en", "common.error") not in [visible(s) for s in patient.texts[mark:]]


async def test_an_import_with_huge_cells_is_still_explained(
    patient: Patient, line: TelegramLine, api: StrictBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    await onboard(patient)
    rows = "".join(f"{'9' * 2000},5\n" for _ in range(5))
    api.files["big"] = f"date,back_pain\n{rows}".encode()
    document = {"file_id": "big", "file_unique_id": "b", "file_name": "diary.csv"}
    mark = len(patient.seen)

    await line.send_update(
        message_update(patient.new_id(), USER, None, extra={"document": document})
    )

    assert api.refused == []
    assert handler_errors(caplog) == []
    assert visible(patient.texts[mark]).startswith("I found no entries I could import")


async def test_a_stranger_pressing_old_buttons_stores_nothing(
    patient: Patient, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    for data in ("bt:1:agree", "bt:0:agree", "drop table users", "bt:99999999999:save"):
        await patient.press_data(data)

    assert set(patient.toasts) <= {STALE_TOAST, FORGED_TOAST}
    assert all(not found for found in (await rows_of(db, PAT)).values())
    assert handler_errors(caplog) == []


def test_the_step_table_covers_every_step_of_every_flow() -> None:
    """A step added to a flow fails here until hostile text is sent at it too."""
    covered = {(spec.flow, spec.step) for spec in STEPS.values()}
    every = {
        *(("log", str(step)) for step in LogStep),
        *(("check", str(step)) for step in CheckStep),
        *(("profile", str(step)) for step in ProfileStep),
        *(("prompt", str(step)) for step in PromptStep),
        *(("export", str(step)) for step in ExportStep),
        *(("import", str(step)) for step in ImportStep),
        *(("meds", str(step)) for step in MedsStep),
        *(("event", str(step)) for step in EventStep),
        ("trend", None),
        ("delete", None),
        (None, None),
    }
    assert every - covered == set()
