"""The peer: the diary bot a competent developer writes with python-telegram-bot's own tools.

A persistent `ConversationHandler` walks through the same /log steps as BackTrack (back
pain, leg pain, symptoms, note, confirm, save), the draft and a short history live in
`context.user_data`, `PicklePersistence` (defaults: one file, `update_interval` 60 s) keeps
them, and the saved entry goes into SQLite through one aiosqlite connection.
"""

from __future__ import annotations

import contextlib
import gc
import pickle
import re
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    filters,
)
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

from benchmarks.bench_updates import PRESSES, command_update, press_update
from tests.offline import TOKEN

PeerApp = Application[Any, Any, Any, Any, Any, Any]
Context = ContextTypes.DEFAULT_TYPE

PERSISTENCE_FILE = "peer.pickle"
DATABASE_FILE = "peer.db"
CONVERSATION = "log"
HISTORY_DAYS = 14
NOTE_MAX_CHARS = 500
BACK, LEG, SYMPTOMS, DOSES, NOTE, CONFIRM = range(6)
PAIN_CYCLE = 11

SYMPTOM_LABELS: dict[str, str] = {
    "bladder_change": "Bladder problems",
    "bowel_change": "Bowel control problems",
    "saddle_numbness": "Numbness around genitals or bottom",
    "sexual_numbness": "Numbness during sex",
    "both_legs_new": "Pain or numbness in both legs",
    "leg_weakness": "A leg getting weaker",
    "sudden_severe_pain": "Sudden severe pain",
    "fever": "Fever over 38 °C",
    "feeling_unwell": "Feeling generally unwell",
    "wound_infection_signs": "Wound red, hot, leaking or opening",
    "calf_swelling": "One calf or thigh swollen and sore",
    "pe_signs": "Sudden breathlessness or chest pain",
    "opioid_drowsiness": "Very drowsy after pain medicine",
    "self_harm_thoughts": "Thoughts of harming yourself",
    "pain_one_leg": "Pain down one leg",
    "pain_neuropathic": "Burning, tingling or electric pain",
    "pain_buttock_groin": "Pain in buttock or groin",
    "muscle_tightness": "Muscle tightness or spasm",
    "pain_constant_night": "Constant pain, also at night",
}
RED_FLAGS = frozenset(
    {"bladder_change", "bowel_change", "saddle_numbness", "sexual_numbness", "both_legs_new"}
)
ADVICE = "⚠️ These can be signs of a serious nerve problem. Go to A&E now."

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    entry_date  TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    timezone    TEXT NOT NULL,
    back_pain   INTEGER CHECK (back_pain BETWEEN 0 AND 10),
    leg_pain    INTEGER CHECK (leg_pain BETWEEN 0 AND 10),
    symptoms    TEXT NOT NULL DEFAULT '',
    note        TEXT,
    as_needed_doses INTEGER,
    source      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_by_user_date ON entries (user_id, entry_date);
"""


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


NAV_ROW = (_button("⬅️ Back", "back"), _button("✖️ Cancel", "cancel"))


def pain_keyboard(
    selected: int | None = None, *, extra: tuple[str, str] | None = None
) -> InlineKeyboardMarkup:
    """The 0-10 grid in three rows, an optional extra row, then Back / Cancel."""
    rows: list[tuple[InlineKeyboardButton, ...]] = [
        tuple(_button(f"• {n} •" if n == selected else str(n), f"p{n}") for n in numbers)
        for numbers in (range(0, 4), range(4, 8), range(8, 11))
    ]
    if extra is not None:
        rows.append((_button(*extra),))
    rows.append(NAV_ROW)
    return InlineKeyboardMarkup(rows)


def symptom_keyboard(ticked: list[str]) -> InlineKeyboardMarkup:
    """One row per symptom with its tick, then Done and Back / Cancel."""
    rows: list[tuple[InlineKeyboardButton, ...]] = [
        (_button(("✅ " if code in ticked else "▫️ ") + label, f"s.{code}"),)
        for code, label in SYMPTOM_LABELS.items()
    ]
    done = f"Done ({len(ticked)} ticked)" if ticked else "Done: none of these"
    rows += [(_button(done, "done"),), NAV_ROW]
    return InlineKeyboardMarkup(rows)


def entry_card(draft: dict[str, Any]) -> str:
    """The entry summary the patient confirms."""
    lines = [
        f"📅 {draft['date']}",
        f"Back pain: {draft['back']}/10",
        f"Leg pain: {draft['leg']}/10",
    ]
    if draft["symptoms"]:
        names = ", ".join(SYMPTOM_LABELS[c] for c in draft["symptoms"])
        lines.append(f"New or worse: {names}")
    else:
        lines.append("No new or worse symptoms")
    if draft["note"]:
        lines.append(f"Note: {draft['note']}")
    return "\n".join(lines)


BACK_TEXT = (
    "Diary for {date}.\n\nHow bad has your BACK pain been, on average?\n"
    "0 = no pain, 10 = worst imaginable."
)
LEG_TEXT = "And your LEG pain (sciatica, pain going down a leg)?\n0 = no pain, 10 = worst."
SYMPTOMS_TEXT = (
    "Is anything here NEW or WORSE since your last entry? Tick all that apply, then Done."
)
NOTE_TEXT = (
    f"Anything else to note (medicines, activity, sleep)? Type it now, up to "
    f"{NOTE_MAX_CHARS} characters, or Skip."
)
DOSES_TEXT = (
    "💊 Did you take any pain medicine AS NEEDED, beyond your regular doses? How many doses?"
)
DOSE_LABELS = ("None", "1 dose", "2 doses", "3 or more")
PREVIOUS = {LEG: BACK, SYMPTOMS: LEG, DOSES: SYMPTOMS, NOTE: DOSES, CONFIRM: NOTE}


def screen(step: int, draft: dict[str, Any]) -> tuple[str, InlineKeyboardMarkup]:
    """The text and keyboard of one step of the diary."""
    if step == BACK:
        return BACK_TEXT.format(date=draft["date"]), pain_keyboard(draft["back"])
    if step == LEG:
        return LEG_TEXT, pain_keyboard(draft["leg"], extra=("No leg pain", "none"))
    if step == SYMPTOMS:
        return SYMPTOMS_TEXT, symptom_keyboard(draft["symptoms"])
    if step == DOSES:
        doses = [_button(label, f"dose{n}") for n, label in enumerate(DOSE_LABELS)]
        rows = [tuple(doses), (_button("Rather not say", "skip"),), NAV_ROW]
        return DOSES_TEXT, InlineKeyboardMarkup(rows)
    if step == NOTE:
        return NOTE_TEXT, InlineKeyboardMarkup([(_button("Skip", "skip"),), NAV_ROW])
    text = f"Please check your entry:\n\n{entry_card(draft)}"
    return text, InlineKeyboardMarkup([(_button("✅ Save", "save"),), NAV_ROW])


class PeerBot:
    """The handlers, with the database connection they share (not in bot_data: it is pickled)."""

    def __init__(self, database: Path, clock: Callable[[], datetime] = _utcnow) -> None:
        self.database = database
        self.clock = clock
        self.db: aiosqlite.Connection | None = None

    async def open(self, _: PeerApp) -> None:
        """Open the one connection (post_init)."""
        self.db = await aiosqlite.connect(self.database)
        await self.db.execute("PRAGMA journal_mode = WAL")
        # As BackTrack: durable across application crashes, only power loss may drop commits.
        await self.db.execute("PRAGMA synchronous = NORMAL")
        await self.db.executescript(SCHEMA)
        await self.db.commit()

    async def close(self, _: PeerApp) -> None:
        """Close the connection (post_shutdown)."""
        if self.db is not None:
            await self.db.close()
            self.db = None

    @staticmethod
    def _draft(context: Context) -> dict[str, Any]:
        assert context.user_data is not None
        draft: dict[str, Any] = context.user_data["draft"]
        return draft

    @staticmethod
    async def _show(update: Update, draft: dict[str, Any], step: int) -> int:
        """Answer the press and turn the message into the screen of `step`."""
        draft["step"] = step
        text, markup = screen(step, draft)
        query = update.callback_query
        if query is not None:
            await query.answer()
            await query.edit_message_text(text, reply_markup=markup)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(text, reply_markup=markup)
        return step

    @staticmethod
    def _data(update: Update) -> str:
        assert update.callback_query is not None
        assert update.callback_query.data is not None
        return update.callback_query.data

    async def start(self, update: Update, context: Context) -> int:
        """/log: a fresh draft for today, then ask for back pain."""
        assert context.user_data is not None
        draft = {
            "date": self.clock().date().isoformat(),
            "step": BACK,
            "back": None,
            "leg": None,
            "symptoms": [],
            "note": None,
            "doses": None,
        }
        context.user_data["draft"] = draft
        return await self._show(update, draft, BACK)

    async def back_pain(self, update: Update, context: Context) -> int:
        """A number for back pain: ask for leg pain."""
        draft = self._draft(context)
        draft["back"] = int(self._data(update)[1:])
        return await self._show(update, draft, LEG)

    async def leg_pain(self, update: Update, context: Context) -> int:
        """A number (or none) for leg pain: show the symptom checklist."""
        data = self._data(update)
        draft = self._draft(context)
        draft["leg"] = 0 if data == "none" else int(data[1:])
        return await self._show(update, draft, SYMPTOMS)

    async def toggle(self, update: Update, context: Context) -> int:
        """Tick or untick one symptom and show the checklist again."""
        code = self._data(update).removeprefix("s.")
        draft = self._draft(context)
        ticked: list[str] = draft["symptoms"]
        if code in ticked:
            ticked.remove(code)
        elif code in SYMPTOM_LABELS:
            ticked.append(code)
        return await self._show(update, draft, SYMPTOMS)

    async def symptoms_done(self, update: Update, context: Context) -> int:
        """Done with the checklist: advise on a red flag at once, then ask for the doses."""
        draft = self._draft(context)
        if RED_FLAGS.intersection(draft["symptoms"]) and update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, ADVICE)
        return await self._show(update, draft, DOSES)

    async def doses(self, update: Update, context: Context) -> int:
        """The doses taken as needed (or not said): ask for a note."""
        data = self._data(update)
        draft = self._draft(context)
        draft["doses"] = None if data == "skip" else int(data.removeprefix("dose"))
        return await self._show(update, draft, NOTE)

    async def skip_note(self, update: Update, context: Context) -> int:
        """No note: show the entry to confirm."""
        draft = self._draft(context)
        draft["note"] = None
        return await self._show(update, draft, CONFIRM)

    async def note(self, update: Update, context: Context) -> int:
        """A typed note: keep it (if short enough) and show the entry to confirm."""
        assert update.effective_message is not None
        text = (update.effective_message.text or "").strip()
        if len(text) > NOTE_MAX_CHARS:
            await update.effective_message.reply_text(
                f"That note is {len(text)} characters long; the limit is {NOTE_MAX_CHARS}."
            )
            return NOTE
        draft = self._draft(context)
        draft["note"] = text or None
        return await self._show(update, draft, CONFIRM)

    async def save(self, update: Update, context: Context) -> int:
        """Write the entry, keep it in the short history, and end the conversation."""
        assert context.user_data is not None
        assert self.db is not None
        assert update.effective_user is not None
        assert update.callback_query is not None
        draft = context.user_data.pop("draft")
        profile = context.user_data.setdefault("profile", {"timezone": "UTC"})
        await self.db.execute(
            "INSERT INTO entries (user_id, entry_date, recorded_at, timezone, back_pain,"
            " leg_pain, symptoms, note, as_needed_doses, source)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'log')",
            (
                update.effective_user.id,
                draft["date"],
                self.clock().isoformat(),
                profile["timezone"],
                draft["back"],
                draft["leg"],
                ",".join(draft["symptoms"]),
                draft["note"],
                draft["doses"],
            ),
        )
        await self.db.commit()
        history: dict[str, dict[str, Any]] = context.user_data.setdefault("history", {})
        history[draft["date"]] = {
            "back": draft["back"],
            "leg": draft["leg"],
            "symptoms": draft["symptoms"],
        }
        for day in sorted(history)[:-HISTORY_DAYS]:
            del history[day]
        await update.callback_query.answer()
        await update.callback_query.edit_message_text(
            f"Saved ✅\n\n{entry_card(draft)}\n\n/history shows your last two weeks."
        )
        return ConversationHandler.END

    async def go_back(self, update: Update, context: Context) -> int:
        """Back: show the step before the one the draft is at."""
        draft = self._draft(context)
        return await self._show(update, draft, PREVIOUS.get(draft["step"], BACK))

    async def cancel(self, update: Update, context: Context) -> int:
        """Cancel: drop the draft."""
        assert context.user_data is not None
        context.user_data.pop("draft", None)
        text = "Cancelled. Nothing was saved."
        if update.callback_query is not None:
            await update.callback_query.answer()
            await update.callback_query.edit_message_text(text)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(text)
        return ConversationHandler.END

    def conversation(self) -> ConversationHandler[Any]:
        """The persistent /log conversation."""

        def press(callback: Any, pattern: str) -> CallbackQueryHandler[Any, Any]:
            return CallbackQueryHandler(callback, pattern=re.compile(pattern))

        with warnings.catch_warnings():
            # PTB warns that with per_message=False a press is tracked per chat, not per
            # message; per chat is what this bot wants (one diary in progress per patient).
            warnings.simplefilter("ignore", PTBUserWarning)
            return ConversationHandler(
                entry_points=[CommandHandler("log", self.start)],
                states={
                    BACK: [press(self.back_pain, r"^p(?:[0-9]|10)$")],
                    LEG: [press(self.leg_pain, r"^(?:p(?:[0-9]|10)|none)$")],
                    SYMPTOMS: [
                        press(self.toggle, r"^s\.[a-z_]+$"),
                        press(self.symptoms_done, r"^done$"),
                    ],
                    DOSES: [press(self.doses, r"^(?:dose[0-3]|skip)$")],
                    NOTE: [
                        press(self.skip_note, r"^skip$"),
                        MessageHandler(filters.TEXT & ~filters.COMMAND, self.note),
                    ],
                    CONFIRM: [press(self.save, r"^save$")],
                },
                fallbacks=[
                    CommandHandler("cancel", self.cancel),
                    press(self.cancel, r"^cancel$"),
                    press(self.go_back, r"^back$"),
                    CommandHandler("log", self.start),
                ],
                per_user=True,
                per_chat=True,
                name=CONVERSATION,
                persistent=True,
            )


def build_peer_application(
    folder: Path,
    request: BaseRequest | None = None,
    *,
    token: str = TOKEN,
    updater: bool = False,
    base_url: str | None = None,
    clock: Callable[[], datetime] = _utcnow,
) -> PeerApp:
    """The peer bot, its pickle file and database in `folder`; PTB's HTTPXRequest by default."""
    bot = PeerBot(folder / DATABASE_FILE, clock)
    builder = (
        ApplicationBuilder()
        .token(token)
        .persistence(PicklePersistence(folder / PERSISTENCE_FILE))
        .post_init(bot.open)
        .post_shutdown(bot.close)
    )
    if request is not None:
        builder = builder.request(request)
    if base_url:
        builder = builder.base_url(base_url)
    if not updater:
        builder = builder.updater(None)
    app: PeerApp = builder.build()
    app.add_handler(bot.conversation())
    return app


@contextlib.asynccontextmanager
async def running(app: PeerApp) -> AsyncIterator[PeerApp]:
    """Initialize and post_init, then shutdown and post_shutdown: run_polling without polling."""
    async with app:
        if app.post_init is not None:
            await app.post_init(app)
        yield app
    if app.post_shutdown is not None:
        await app.post_shutdown(app)


def user_record(user: int, today: date, days: int = HISTORY_DAYS) -> dict[str, Any]:
    """The user_data of a patient who has kept the diary for the last `days` days."""
    history = {
        (today - timedelta(days=d)).isoformat(): {
            "back": (user + d) % PAIN_CYCLE,
            "leg": (user * 3 + d) % PAIN_CYCLE,
            "symptoms": [],
        }
        for d in range(days, 0, -1)
    }
    profile = {
        "consented_at": "2026-01-05T09:30:00+00:00",
        "language": "en",
        "timezone": "Europe/London",
        "country": "GB",
        "surgery": "2025-11",
    }
    return {"profile": profile, "history": history}


@contextlib.contextmanager
def _no_collector() -> Iterator[None]:
    collecting = gc.isenabled()
    # Nothing built here is garbage; with 100,000 users the collector would only walk the
    # growing dicts again and again (several times the building itself).
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def persistence_data(users: int, today: date) -> dict[str, Any]:
    """What the peer's pickle file holds once `users` patients (ids 1..users) have used it."""
    with _no_collector():
        # Unpickling a record builds fresh objects (own strings, own dicts) as a file PTB
        # wrote would hold, many times faster than building them in Python; the pain values
        # repeat with the user id modulo 11, as they do in user_record.
        records = [pickle.dumps(user_record(u, today)) for u in range(PAIN_CYCLE)]
        ids = range(1, users + 1)
        return {
            # Every finished conversation stays in the file with state None (PTB keeps the key).
            "conversations": {CONVERSATION: {(u, u): None for u in ids}},
            "user_data": {u: pickle.loads(records[u % PAIN_CYCLE]) for u in ids},
            # PTB stores an (empty) chat_data for every chat that sent an update.
            "chat_data": {u: {} for u in ids},
            "bot_data": {},
            "callback_data": None,
        }


def prefill(folder: Path, users: int, today: date) -> Path:
    """Write the pickle file the peer leaves once `users` patients (ids 1..users) have used it."""
    path = folder / PERSISTENCE_FILE
    data = persistence_data(users, today)
    with _no_collector(), path.open("wb") as file:
        pickler = pickle.Pickler(file, protocol=pickle.HIGHEST_PROTOCOL)
        # No object is shared or cyclic, so the memo (most of a dump's time) can go.
        pickler.fast = True
        pickler.dump(data)
    return path


def peer_stream(users: int, first_user: int = 1) -> list[dict[str, Any]]:
    """bench_updates.stream with the peer's callback data (no BackTrack screen prefix)."""
    payloads: list[dict[str, Any]] = []
    update_id = 1
    ids = range(first_user, first_user + users)
    for step in range(1 + len(PRESSES)):
        for user in ids:
            if step == 0:
                payloads.append(command_update(update_id, user, "/log"))
            else:
                payloads.append(press_update(update_id, user, PRESSES[step - 1]))
            update_id += 1
    return payloads
