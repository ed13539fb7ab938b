"""One patient for every test: sends commands, presses by label, types, reads what they see.

The verbs are the same at every level; a line carries them to the bot and back. `FlowLine`
goes to the pure flows (tests/flows/driver.py), `EngineLine` to the engine on a real database,
`TelegramLine` through python-telegram-bot's own `Application.process_update` (or the long
poll) to an offline Bot API, which may be one that fails on purpose. Like python-telegram-bot's
test kit, a test builds real updates and reads what the bot sent, never the shell's insides.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from telegram import Update
from telegram.ext import Application

from bot.engine import Engine
from bot.files import decode_document
from bot.reply import Reply, Who
from flows.dialogs.router import Command, Decision, Verdict
from flows.dialogs.transfer import DocumentFile
from flows.kit.callback import ButtonData, decode
from flows.kit.core import Outcome, Screen
from tests.fakes import OfflineBotApi, callback_update, message_update
from tests.flows.driver import FlowDriver

# The Bot API methods whose text the patient reads in the chat (a photo's caption included).
SHOWN = ("sendMessage", "editMessageText", "sendPhoto", "editMessageCaption", "sendDocument")
EDITS = ("editMessageText", "editMessageCaption", "editMessageMedia")


@dataclass(frozen=True)
class Button:
    """One button as the patient sees it, and the callback data it would send."""

    label: str
    data: str


@dataclass(frozen=True)
class Seen:
    """One message in the patient's chat; `edited` when it replaced the pressed message."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    edited: bool = False

    def labels(self) -> list[str]:
        """The button labels in reading order."""
        return [b.label for row in self.buttons for b in row]


def command_of(text: str) -> Command:
    """The command a message starts with ("/log now" is /log), else /help, as Telegram's shell."""
    name = text[1:].split(maxsplit=1)[0].split("@")[0].lower() if text.startswith("/") else ""
    try:
        return Command(name)
    except ValueError:
        return Command.HELP


def seen_of(screen: Screen, seq: int, *, edited: bool = False) -> Seen:
    """A flows screen as the chat shows it, its buttons carrying the data the bot writes."""
    rows = tuple(
        tuple(Button(b.label, ButtonData(seq=seq, value=b.value).encode()) for b in row)
        for row in screen.buttons
    )
    return Seen(screen.text, rows, edited=edited)


class Line(Protocol):
    """Where the patient's words and presses go, and what they have been shown since."""

    @property
    def seen(self) -> Sequence[Seen]:
        """Every message shown in the chat, in order, edits included."""
        ...

    @property
    def toasts(self) -> Sequence[str | None]:
        """The answer to each press (None when it was answered without a word)."""
        ...

    async def command(self, text: str, update_id: int) -> None:
        """Send a message that starts with a /command."""

    async def text(self, text: str, update_id: int) -> None:
        """Send a typed message."""

    async def press(self, data: str | None, update_id: int) -> None:
        """Press a button carrying this callback data."""


# One sequence for every patient of a test run, as a bot's updates share one.
_UPDATE_IDS = itertools.count(1)


class Patient:
    """A patient at their phone: the same verbs whichever line carries them to the bot."""

    def __init__(self, line: Line) -> None:
        self.line = line
        # The id of the last update this patient sent (a test sends it again to redeliver it).
        self.last_update_id = 0

    def new_id(self) -> int:
        """The next update id: Telegram numbers a bot's updates in order, across all its users."""
        self.last_update_id = next(_UPDATE_IDS)
        return self.last_update_id

    async def send(self, text: str, *, update_id: int | None = None) -> None:
        """Send a /command (with any words after it)."""
        assert text.startswith("/"), f"{text!r} is not a command; type() it"
        await self.line.command(text, self.new_id() if update_id is None else update_id)

    async def type(self, text: str, *, update_id: int | None = None) -> None:
        """Type a message."""
        await self.line.text(text, self.new_id() if update_id is None else update_id)

    async def press(self, label: str, *, update_id: int | None = None) -> str:
        """Press the one button labelled so (or whose label holds it); returns its data."""
        data = self.data_of(label)
        await self.press_data(data, update_id=update_id)
        return data

    async def presses(self, *labels: str) -> None:
        """Press these buttons in turn, each on the screen the one before it brought."""
        for label in labels:
            await self.press(label)

    async def press_value(self, value: str, *, update_id: int | None = None) -> str:
        """Press the button whose data carries this flow value; returns its data."""
        data = self.data_of_value(value)
        await self.press_data(data, update_id=update_id)
        return data

    async def press_data(self, data: str | None, *, update_id: int | None = None) -> None:
        """Press with raw callback data: stale, forged or replayed presses."""
        await self.line.press(data, self.new_id() if update_id is None else update_id)

    def data_of(self, label: str) -> str:
        """The callback data of the one button labelled so (or whose label holds it)."""
        buttons = self.buttons
        matches = [b for b in buttons if b.label == label] or [
            b for b in buttons if label in b.label
        ]
        assert len(matches) == 1, f"{label!r} matches {[b.label for b in matches]} of {buttons}"
        return matches[0].data

    def data_of_value(self, value: str) -> str:
        """The callback data of the one button on the current screen carrying this flow value."""
        found = [b.data for b in self.buttons if decode(b.data) is not None]
        matches = [d for d in found if d.rsplit(":", 1)[1] == value]
        assert len(matches) == 1, f"{value!r} in {found}"
        return matches[0]

    @property
    def seen(self) -> Sequence[Seen]:
        """Every message shown in the chat, in order, edits included."""
        return self.line.seen

    @property
    def texts(self) -> list[str]:
        """The text of every message shown, in order."""
        return [s.text for s in self.line.seen]

    @property
    def screen(self) -> Seen:
        """The screen the patient acts on: the latest message with buttons, else the latest."""
        seen = self.line.seen
        assert seen, "nothing shown yet"
        return self._keyboard() or seen[-1]

    @property
    def buttons(self) -> list[Button]:
        """The buttons of the current screen, in reading order."""
        keyboard = self._keyboard()
        return [] if keyboard is None else [b for row in keyboard.buttons for b in row]

    def _keyboard(self) -> Seen | None:
        # An edit replaced the pressed message, the latest keyboard: edited to one without
        # buttons, it leaves none to press.
        for shown in reversed(self.line.seen):
            if shown.buttons or shown.edited:
                return shown
        return None

    def labels(self) -> list[str]:
        """The labels of the current screen's buttons."""
        return [b.label for b in self.buttons]

    @property
    def last(self) -> str:
        """The text of the latest message shown."""
        seen = self.line.seen
        assert seen, "nothing shown yet"
        return seen[-1].text

    @property
    def toast(self) -> str | None:
        """The answer to the latest press."""
        toasts = self.line.toasts
        assert toasts, "nothing pressed yet"
        return toasts[-1]

    @property
    def toasts(self) -> list[str | None]:
        """The answer to every press, in order (None when answered without a word)."""
        return list(self.line.toasts)


class FlowLine:
    """The pure flows, no shell and no storage: a FlowDriver under the patient's verbs."""

    def __init__(self, driver: FlowDriver | None = None) -> None:
        self.driver = driver or FlowDriver()
        self.seen: list[Seen] = []
        self.toasts: list[str | None] = []
        self.decisions: list[Decision] = []

    async def command(self, text: str, update_id: int) -> None:
        """Send a /command to the router."""
        self._show(self.driver.command(command_of(text)))

    async def text(self, text: str, update_id: int) -> None:
        """Type text to the router."""
        self._show(self.driver.type(text))

    async def press(self, data: str | None, update_id: int) -> None:
        """Press with callback data, decoded as the engine decodes it."""
        decision = self.driver.press_data(decode(data))
        self.toasts.append(decision.toast)
        self._show(decision, pressed=True)

    def receive(self, outcome: Outcome) -> None:
        """Show what the bot sends unasked: a prompt, or a change opened from /history."""
        self._show(self.driver.start(outcome))

    def send_file(self, document: DocumentFile) -> None:
        """Send a file, as the shell hands it to the flows once it has read it."""
        self._show(self.driver.document(document))

    def _show(self, decision: Decision, *, pressed: bool = False) -> None:
        self.decisions.append(decision)
        # The driver has moved on: its seq is the one the new screen's buttons carry.
        seq = self.driver.seq
        if decision.safety is not None:
            self.seen.append(seen_of(decision.safety, seq))
        self.seen.extend(seen_of(n, seq) for n in decision.notices)
        if decision.again is not None:
            self.seen.append(seen_of(decision.again, seq))
        outcome = decision.outcome
        if decision.verdict is not Verdict.ACCEPTED or outcome is None:
            return
        if outcome.screen is not None:
            self.seen.append(seen_of(outcome.screen, seq, edited=pressed))
        self.seen.extend(seen_of(n, seq) for n in outcome.notices)


class EngineLine:
    """The engine on a real database, its replies shown as the Telegram shell shows them."""

    def __init__(self, engine: Engine, who: Who) -> None:
        self.engine = engine
        self.who = who
        self.seen: list[Seen] = []
        self.toasts: list[str | None] = []
        self.replies: list[Reply] = []

    @property
    def reply(self) -> Reply:
        """The engine's latest reply, for what the chat does not show (verdicts, files)."""
        assert self.replies, "nothing sent yet"
        return self.replies[-1]

    async def command(self, text: str, update_id: int) -> None:
        """Send a /command to the engine."""
        self._show(await self.engine.on_command(self.who, command_of(text), update_id))

    async def text(self, text: str, update_id: int) -> None:
        """Send typed text to the engine."""
        self._show(await self.engine.on_text(self.who, text, update_id))

    async def press(self, data: str | None, update_id: int) -> None:
        """Press with callback data; the answer is the reply's toast."""
        reply = await self.engine.on_press(self.who, data, update_id)
        self.toasts.append(reply.toast)
        self._show(reply, pressed=True)

    async def send_file(self, name: str, content: bytes, update_id: int) -> None:
        """Send a file, read as the Telegram shell reads the one it downloads."""
        document = decode_document(name, content)
        self._show(await self.engine.on_document(self.who, document, update_id))

    def receive(self, reply: Reply) -> None:
        """A message the bot sent unasked (a check-in prompt) appears in the chat."""
        self._show(reply)

    def _show(self, reply: Reply, *, pressed: bool = False) -> None:
        self.replies.append(reply)
        if reply.duplicate:
            return
        # The shell's order: a command's toast as a message, advice, the screen, the notices.
        if reply.toast and not pressed:
            self.seen.append(Seen(reply.toast))
        self.seen.extend(Seen(d.text) for d in reply.advice if not d.with_screen)
        self.seen.extend(Seen(s.text) for s in reply.unstored_safety)
        if reply.screen is not None:
            self.seen.append(seen_of(reply.screen, reply.seq, edited=pressed))
        self.seen.extend(seen_of(n, reply.seq) for n in reply.notices)


def keyboard_of(params: dict[str, Any]) -> tuple[tuple[Button, ...], ...]:
    """The inline keyboard a Bot API call carried, as the patient's app shows it."""
    markup = params.get("reply_markup")
    if not markup:
        return ()
    board = markup if isinstance(markup, dict) else json.loads(markup)
    return tuple(
        tuple(Button(b["text"], b.get("callback_data", "")) for b in row)
        for row in board.get("inline_keyboard", ())
    )


@dataclass
class TelegramLine:
    """The patient's Telegram app: real updates in, the Bot API calls the bot made read back.

    `deliver` hands an update payload to the bot: `Application.process_update` by default,
    or a long poll's queue (see `tests/bot/test_log_privacy.py`).
    """

    api: OfflineBotApi
    deliver: Callable[[dict[str, Any]], Awaitable[None]]
    user_id: int
    language_code: str = "en"
    first_name: str = "Pat"
    # The chat's messages that were shown before this line was made are not the patient's.
    since: int = field(default=0)

    @classmethod
    def of(
        cls,
        app: Application,  # type: ignore[type-arg]
        api: OfflineBotApi,
        user_id: int,
        **kwargs: Any,
    ) -> TelegramLine:
        """A line through the application's own `process_update`."""

        async def process(payload: dict[str, Any]) -> None:
            await app.process_update(Update.de_json(payload, app.bot))

        return cls(api, process, user_id, **kwargs)

    def _sender(self, payload: dict[str, Any]) -> dict[str, Any]:
        body = payload.get("message") or payload.get("callback_query") or {}
        sender = body.get("from")
        if isinstance(sender, dict):
            sender["language_code"] = self.language_code
            sender["first_name"] = self.first_name
        return payload

    async def send_update(self, payload: dict[str, Any]) -> None:
        """Deliver any update payload (media, edits, groups), as the patient's app would."""
        await self.deliver(self._sender(payload))

    async def command(self, text: str, update_id: int) -> None:
        """Send a message starting with a /command; Telegram marks the command entity."""
        await self.send_update(message_update(update_id, self.user_id, text))

    async def text(self, text: str, update_id: int) -> None:
        """Send a text message."""
        await self.send_update(message_update(update_id, self.user_id, text))

    async def press(self, data: str | None, update_id: int) -> None:
        """Press a button on a bot message; no data is sent as Telegram sends none."""
        payload = callback_update(update_id, self.user_id, data or "")
        if data is None:
            del payload["callback_query"]["data"]
        await self.send_update(payload)

    def _calls(self) -> list[tuple[str, dict[str, Any]]]:
        # A call a faulty Bot API refused never reached the chat: the patient did not see it.
        return [
            (c.method, c.params)
            for c in self.api.calls[self.since :]
            if c.reached and str(c.params.get("chat_id", self.user_id)) == str(self.user_id)
        ]

    @property
    def seen(self) -> list[Seen]:
        """Every text the bot sent to or edited in this chat, with its keyboard."""
        return [
            Seen(
                str(params.get("text", params.get("caption", ""))),
                keyboard_of(params),
                edited=method in EDITS,
            )
            for method, params in self._calls()
            if method in SHOWN
        ]

    @property
    def toasts(self) -> list[str | None]:
        """The answer given to each press."""
        return [
            None if call.params.get("text") is None else str(call.params["text"])
            for call in self.api.calls[self.since :]
            if call.method == "answerCallbackQuery"
        ]
