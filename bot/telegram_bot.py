"""The Telegram shell: python-telegram-bot handlers that hand every event to the engine."""

from __future__ import annotations

import asyncio
import html
import logging
import traceback
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
    MessageEntity,
    TelegramObject,
    Update,
)
from telegram.constants import ChatType, ParseMode, UpdateType
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot.connections import OneConnectionEach
from bot.engine import Engine, Reply, Who
from bot.files import decode_document
from bot.limits import BULK, FairLimiter
from bot.logs import quiet_noisy_loggers
from bot.ordering import PerUserOrder
from bot.outbox import Attempt, Courier, Sent
from bot.reminders import Outgoing, Send, SendResult
from bot.updates import ReadableUpdates
from flows.dialogs.router import MENU_COMMANDS, Command, Verdict
from flows.dialogs.transfer import MAX_IMPORT_BYTES, DocumentFile
from flows.i18n import supported, t
from flows.kit.core import Screen

log = logging.getLogger(__name__)

# New messages only: an edit of an earlier message is not a new command or answer, and a
# business message is between a business owner and their customer, not with the bot.
NEW = filters.UpdateType.MESSAGE
PRIVATE = filters.ChatType.PRIVATE & NEW

# Only what the bot handles. Business updates arrive from chats between other people (a
# business owner and their customers); edits are read only for a symptom they name.
ALLOWED_UPDATES = (UpdateType.MESSAGE, UpdateType.EDITED_MESSAGE, UpdateType.CALLBACK_QUERY)


# Telegram's limits on what a user sees: a message's text, and a photo's caption.
MESSAGE_CHARS = 4096
CAPTION_CHARS = 1024


def render_html(screen: Screen, limit: int = MESSAGE_CHARS) -> str:
    """Return a screen's text as Telegram HTML, the table in a fixed-width block."""
    text, table = screen.text, screen.table or ""
    room = limit - (len(table) + 2 if table else 0)
    if len(text) > room:
        # Telegram refuses longer messages outright; a shortened one still says most of it.
        text = text[: max(room - 1, 0)] + "…"
    rendered = html.escape(text, quote=False)
    if table:
        rendered += f"\n\n<pre>{html.escape(table, quote=False)}</pre>"
    return rendered


class ScreenKeyboard(InlineKeyboardMarkup):
    """An inline keyboard of plain callback buttons that writes its own JSON.

    python-telegram-bot builds and checks an object per button and serialises them
    generically, which cost as much as the framework's whole handling of a press; the
    keyboard of every screen is written directly instead.
    """

    __slots__ = ("_rows",)

    def __init__(self, rows: tuple[tuple[tuple[str, str], ...], ...]) -> None:
        # InlineKeyboardMarkup's own __init__ is what builds the button objects.
        TelegramObject.__init__(self)
        self._rows = rows
        self._id_attrs = (rows,)
        self._freeze()

    # Built on demand: nothing on the way to the Bot API reads the button objects.
    @property
    def inline_keyboard(self) -> tuple[tuple[InlineKeyboardButton, ...], ...]:  # type: ignore[override]
        """The buttons as python-telegram-bot objects, for code that reads them."""
        return tuple(
            tuple(InlineKeyboardButton(text, callback_data=data) for text, data in row)
            for row in self._rows
        )

    def to_dict(self, recursive: bool = True) -> dict[str, Any]:
        """The keyboard as the Bot API takes it."""
        return {
            "inline_keyboard": [
                [{"text": text, "callback_data": data} for text, data in row] for row in self._rows
            ]
        }


def keyboard(reply: Reply, screen: Screen) -> InlineKeyboardMarkup | None:
    """Return the inline keyboard of a screen, each button tied to the reply's seq."""
    if not screen.buttons:
        return None
    data = reply.button_data
    return ScreenKeyboard(
        tuple(tuple((b.label, data(b.value)) for b in row) for row in screen.buttons)
    )


async def _call(bot: Bot, method: str, **params: object) -> None:
    """Call a Bot API method whose answer the shell does not read.

    The usual methods turn Telegram's answer into python-telegram-bot objects (a whole Message,
    its chat and its keyboard for every edit), which the shell would only throw away.
    `do_api_request` would skip that too but warns for methods the library has; `_post` is
    what both call, with the same defaults, rate limiter and errors.
    """
    await bot._post(method, dict(params))


def command_of(message: Message) -> Command:
    """The command Telegram marked at the start of a message ("/log." is /log), else help."""
    for entity, text in message.parse_entities([MessageEntity.BOT_COMMAND]).items():
        if entity.offset == 0:
            name = text[1:].split("@")[0].lower()
            try:
                return Command(name)
            except ValueError:
                break
    return Command.HELP


def _who(update: Update) -> Who | None:
    user = update.effective_user
    if user is None:
        return None
    return Who(user_id=user.id, language_code=user.language_code)


# Safety messages for someone without an account cannot wait in the outbox (nothing is stored
# before consent, REFERENCE.md §8.8); they are retried in memory, 5 s apart at first and then
# at most a minute apart, for about an hour (and for as long as the process runs that long).
UNSTORED_TRIES = 70
UNSTORED_RETRY_SECONDS = 5.0
UNSTORED_MAX_WAIT_SECONDS = 60.0


def advice_sender(bot: Bot) -> Callable[[int, str], Awaitable[Attempt]]:
    """Return the function that sends one piece of safety advice and says what became of it."""

    async def send(chat_id: int, text: str) -> Attempt:
        try:
            await bot.send_message(
                chat_id, render_html(Screen(text=text)), parse_mode=ParseMode.HTML
            )
        except Forbidden as error:
            return Attempt(Sent.BLOCKED, type(error).__name__)
        except RetryAfter as error:
            delay = error.retry_after
            wait = delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
            return Attempt(Sent.FAILED, type(error).__name__, wait)
        except BadRequest as error:
            return Attempt(Sent.REFUSED, type(error).__name__)
        except TelegramError as error:
            return Attempt(Sent.FAILED, type(error).__name__)
        return Attempt(Sent.DELIVERED)

    return send


class _BlockedError(Exception):
    """Raised inside a reply once Telegram says the patient blocked the bot."""


def _not_modified(error: BadRequest) -> bool:
    # Telegram refuses an edit that changes nothing: the screen is already what it should be.
    return "not modified" in error.message.lower()


class TelegramShell:
    """Owns the handlers; every handler is named for the event it handles."""

    def __init__(
        self,
        engine: Engine,
        courier: Courier,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.engine = engine
        self.courier = courier
        self.sleep = sleep
        self._background: set[asyncio.Task[None]] = set()

    def install(self, app: Application) -> None:  # type: ignore[type-arg]
        """Register the handlers on an application."""
        # Presses are most of the traffic; python-telegram-bot tries handlers in order.
        app.add_handler(CallbackQueryHandler(self.on_button))
        for command in Command:
            app.add_handler(CommandHandler(command.value, self.on_command, filters=PRIVATE))
        app.add_handler(MessageHandler(PRIVATE & filters.COMMAND, self.on_unknown_command))
        app.add_handler(MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, self.on_text))
        app.add_handler(
            MessageHandler(
                NEW & (filters.ChatType.GROUPS | filters.ChatType.CHANNEL), self.on_group
            )
        )
        app.add_handler(MessageHandler(PRIVATE & filters.Document.ALL, self.on_document))
        app.add_handler(
            MessageHandler(
                filters.ChatType.PRIVATE & filters.UpdateType.EDITED_MESSAGE & filters.TEXT,
                self.on_edited_text,
            )
        )
        app.add_handler(MessageHandler(PRIVATE & ~filters.TEXT, self.on_unsupported))
        app.add_error_handler(self.on_error)

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A /command in a private chat."""
        who, message = _who(update), update.effective_message
        if who is None or message is None or not message.text:
            return
        reply = await self.engine.on_command(who, command_of(message), update.update_id)
        await self._send(message, reply)

    async def on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A /command the bot does not have: show help."""
        who, message = _who(update), update.effective_message
        if who is None or message is None:
            return
        await self._send(message, await self.engine.on_command(who, Command.HELP))

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Typed text in a private chat."""
        who, message = _who(update), update.effective_message
        if who is None or message is None or message.text is None:
            return
        reply = await self.engine.on_text(who, message.text, update.update_id)
        await self._send(message, reply)

    async def on_edited_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An earlier message edited: answered only when it now names a warning sign."""
        who, message = _who(update), update.edited_message
        if who is None or message is None or message.text is None:
            return
        reply = await self.engine.on_edited_text(who, message.text, update.update_id)
        if reply.verdict is not Verdict.IGNORED or reply.unstored_safety or reply.advice:
            await self._send(message, reply)

    async def on_document(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A file in a private chat: a diary CSV to import."""
        who, message = _who(update), update.effective_message
        if who is None or message is None or message.document is None:
            return
        document = message.document
        name = document.file_name or "diary.csv"
        if document.file_size is not None and document.file_size > MAX_IMPORT_BYTES:
            sent = DocumentFile(filename=name, problem="too_large")
        else:
            file = await document.get_file()
            sent = decode_document(name, bytes(await file.download_as_bytearray()))
        await self._send(message, await self.engine.on_document(who, sent, update.update_id))

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button press: answer it first, then edit the message in place."""
        query, who = update.callback_query, _who(update)
        if query is None or who is None:
            return
        chat = update.effective_chat
        if chat is not None and chat.type != ChatType.PRIVATE:
            # Button data is whatever the client sends; a diary is only ever changed in private.
            await query.answer(t(supported(who.language_code), "common.private_only"))
            return
        data = query.data if isinstance(query.data, str) else None
        reply = await self.engine.on_press(who, data, update.update_id)
        answered = await self._answer(query.answer(reply.toast))
        if reply.duplicate:
            return
        chat_id = query.message.chat.id if query.message is not None else who.user_id
        message = query.message if isinstance(query.message, Message) else None
        try:
            await self._reply_to_press(context.bot, chat_id, message, reply, answered=answered)
        except _BlockedError:
            return

    async def _reply_to_press(
        self, bot: Bot, chat_id: int, message: Message | None, reply: Reply, *, answered: bool
    ) -> None:
        if not answered and reply.toast and reply.screen is None:
            # Telegram refuses answers to presses older than about 15 s: say it in the chat.
            await self._quietly(bot.send_message(chat_id, reply.toast), chat_id)
        # Safety advice first: whatever fails below, it is already on its way.
        await self.courier.deliver([d for d in reply.advice if not d.with_screen])
        self._send_unstored(bot, chat_id, reply)
        shown = False
        if reply.screen is not None:
            shown = await self._show_in_place(bot, chat_id, message, reply, reply.screen)
        await self.courier.settle([d for d in reply.advice if d.with_screen], shown=shown)
        if message is not None:
            await self._quietly(self._send_document(message, reply), chat_id)
        for notice in reply.notices:
            await self._quietly(self._new_message(bot, chat_id, reply, notice), chat_id)

    async def on_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Any message in a group: politely refuse, the diary is private."""
        message, user = update.effective_message, update.effective_user
        if message is None or update.effective_chat is None:
            return
        if update.effective_chat.type == ChatType.CHANNEL:
            return
        if message.text and message.text.startswith("/"):
            lang = supported(user.language_code if user else None)
            await message.reply_text(t(lang, "common.private_only"))

    async def on_unsupported(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Photos, stickers, voice and the like in a private chat."""
        message, user = update.effective_message, update.effective_user
        if message is None:
            return
        lang = supported(user.language_code if user else None)
        await message.reply_text(t(lang, "common.unsupported"))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the error's type and where, never the update (it may hold health data)."""
        error = context.error
        if isinstance(error, Forbidden):
            # The user blocked the bot: no reply can reach them, so stop prompting them.
            user = update.effective_user if isinstance(update, Update) else None
            if user is not None:
                await self.engine.mark_blocked(user.id)
            log.info("a user blocked the bot; their prompts stop until /start")
            return
        # Where it failed, without what it said: an exception's message can quote the input
        # (pydantic's input_value, a body that was not JSON), and the input is health data.
        where = "".join(traceback.format_tb(error.__traceback__)) if error else ""
        log.error("error while handling an update: %s\n%s", type(error).__name__, where)
        if isinstance(update, Update) and update.effective_message is not None:
            user = update.effective_user
            lang = supported(user.language_code if user else None)
            try:
                await update.effective_message.reply_text(t(lang, "common.error"))
            except Exception:
                log.warning("could not tell the user about the error")

    async def _send(self, message: Message, reply: Reply) -> None:
        if reply.duplicate:
            return
        try:
            await self._send_parts(message, reply)
        except _BlockedError:
            return

    async def _send_parts(self, message: Message, reply: Reply) -> None:
        self._send_unstored(message.get_bot(), message.chat.id, reply)
        if reply.toast:
            await self._quietly(message.reply_text(reply.toast), message.chat.id)
        shown = False
        if reply.screen is not None:
            shown = await self._quietly(
                self._new_message(message.get_bot(), message.chat.id, reply, reply.screen),
                message.chat.id,
            )
        # The screen above says "in the message below": the advice follows it.
        await self.courier.deliver([d for d in reply.advice if not d.with_screen])
        await self.courier.settle([d for d in reply.advice if d.with_screen], shown=shown)
        await self._quietly(self._send_document(message, reply), message.chat.id)
        for notice in reply.notices:
            await self._quietly(
                self._new_message(message.get_bot(), message.chat.id, reply, notice),
                message.chat.id,
            )

    async def _answer(self, answering: Awaitable[bool]) -> bool:
        """Answer a press; a refused or failed answer must not stop the reply."""
        try:
            await answering
        except TelegramError as error:
            log.warning("press not answered (%s)", type(error).__name__)
            return False
        return True

    async def _quietly(self, sending: Awaitable[object], chat_id: int) -> bool:
        """Send one part of a reply; one failed part must not lose the parts after it."""
        try:
            await sending
        except Forbidden:
            # The patient blocked the bot: no later part can reach them either.
            await self.engine.mark_blocked(chat_id)
            log.info("a user blocked the bot; their prompts stop until /start")
            raise _BlockedError from None
        except TelegramError as error:
            log.warning("part of a reply not sent (%s)", type(error).__name__)
            return False
        return True

    async def _show_in_place(
        self, bot: Bot, chat_id: int, message: Message | None, reply: Reply, screen: Screen
    ) -> bool:
        """Edit the pressed message into the new screen, or send it anew; True once shown."""
        if message is not None:
            try:
                if message.photo:
                    await self._edit_photo(message, reply, screen)
                else:
                    await _call(
                        bot,
                        "editMessageText",
                        chat_id=chat_id,
                        message_id=message.message_id,
                        text=render_html(screen),
                        parse_mode=ParseMode.HTML,
                        reply_markup=keyboard(reply, screen),
                    )
                return True
            except Forbidden:
                await self.engine.mark_blocked(chat_id)
                log.info("a user blocked the bot; their prompts stop until /start")
                raise _BlockedError from None
            except BadRequest as error:
                if _not_modified(error):
                    return True
                log.warning("edit failed (%s); sending a new message", type(error).__name__)
            except TelegramError as error:
                # A 5xx or a timeout: the edit may not have happened, and a screen shown twice
                # is better than none. A press on the older copy then shows this one again.
                log.warning("edit failed (%s); sending a new message", type(error).__name__)
        return await self._quietly(self._new_message(bot, chat_id, reply, screen), chat_id)

    async def _new_message(self, bot: Bot, chat_id: int, reply: Reply, screen: Screen) -> None:
        if reply.chart_png is not None and screen is reply.screen:
            await bot.send_photo(
                chat_id,
                reply.chart_png,
                caption=render_html(screen, CAPTION_CHARS),
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(reply, screen),
            )
            return
        await _call(
            bot,
            "sendMessage",
            chat_id=chat_id,
            text=render_html(screen),
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(reply, screen),
        )

    def _send_unstored(self, bot: Bot, chat_id: int, reply: Reply) -> None:
        """Send safety messages that have no outbox row, retrying in the background."""
        for screen in reply.unstored_safety:
            task = asyncio.create_task(self._send_with_retries(bot, chat_id, screen))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _send_with_retries(self, bot: Bot, chat_id: int, screen: Screen) -> None:
        for attempt in range(UNSTORED_TRIES):
            try:
                await bot.send_message(chat_id, render_html(screen), parse_mode=ParseMode.HTML)
                return
            except RetryAfter as error:
                delay = error.retry_after
                wait = delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
                await self.sleep(wait)
            except Forbidden:
                return
            except TelegramError as error:
                log.warning("safety message not sent yet (%s)", type(error).__name__)
                await self.sleep(
                    min(UNSTORED_RETRY_SECONDS * (attempt + 1), UNSTORED_MAX_WAIT_SECONDS)
                )
        log.error("a safety message before consent could not be sent in %d tries", UNSTORED_TRIES)

    async def drain(self) -> None:
        """Wait for the background safety messages (at shutdown, and in tests)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    async def _send_document(self, message: Message, reply: Reply) -> None:
        if reply.document is not None:
            filename, content = reply.document
            await message.get_bot().send_document(message.chat.id, content, filename=filename)

    async def _edit_photo(self, message: Message, reply: Reply, screen: Screen) -> None:
        """Replace a chart in place, or turn its caption into the new text."""
        markup = keyboard(reply, screen)
        if reply.chart_png is not None:
            media = InputMediaPhoto(
                reply.chart_png,
                caption=render_html(screen, CAPTION_CHARS),
                parse_mode=ParseMode.HTML,
            )
            await message.edit_media(media, reply_markup=markup)
        else:
            await message.edit_caption(
                render_html(screen, CAPTION_CHARS), parse_mode=ParseMode.HTML, reply_markup=markup
            )


# Connections to the Bot API for replies and prompts, and how long a call waits for a free one.
CONNECTIONS = 16
POOL_WAIT_SECONDS = 30.0
# Telegram allows about 30 messages a second overall; the limiter also waits out RetryAfter.
MAX_MESSAGES_PER_SECOND = 30
# A leaky bucket of 30 per second lets a burst of 30 through and then 30 a second more, so
# up to 60 land in the first second. One message per slot, kept at its due time, 3 % under the
# limit: the margin absorbs a message that leaves late and bunches with the next.
SEND_RATE = 0.97 * MAX_MESSAGES_PER_SECOND


def prompt_sender(bot: Bot, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> Send:
    """Return the function that sends one check-in prompt and says what became of it."""
    # What the HTTP client raises when no connection was had: the request never left.
    never_left = (httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ConnectError)

    async def send(item: Outgoing) -> SendResult:
        for _attempt in range(3):
            try:
                kwargs: dict[str, Any] = {}
                if isinstance(bot, ExtBot) and bot.rate_limiter is not None:
                    # Bulk: a patient's own replies take the next slot before a waiting prompt.
                    kwargs["rate_limit_args"] = BULK
                await bot.send_message(
                    item.user_id,
                    render_html(item.screen),
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard(item.reply, item.screen),
                    **kwargs,
                )
            except Forbidden:
                return SendResult.BLOCKED
            except RetryAfter as error:
                # Only reached when the rate limiter's own retries are used up.
                delay = error.retry_after
                await sleep(
                    delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
                )
            except TelegramError as error:
                # python-telegram-bot chains what the HTTP client raised as the cause; an
                # error Telegram answered has none, or the error of its unreadable body.
                cause = error.__cause__
                if isinstance(cause, never_left):
                    log.warning("prompt not sent: %s", type(cause).__name__)
                    return SendResult.FAILED
                answered = cause is None or isinstance(cause, TelegramError)
                if isinstance(error, TimedOut) or not answered:
                    # Lost after it left (a write or read timed out, the connection dropped):
                    # Telegram may have it, and a prompt is never sent twice.
                    log.warning("prompt may have been sent: %s", type(cause or error).__name__)
                    return SendResult.UNCERTAIN
                log.warning("prompt not sent: %s", type(error).__name__)
                return SendResult.FAILED
            else:
                return SendResult.SENT
        return SendResult.FAILED

    return send


async def set_commands(app: Application) -> None:  # type: ignore[type-arg]
    """Set the command menu users see beside the text box."""
    await app.bot.set_my_commands(
        [BotCommand(c.value, t("en", f"command.{c.value}")) for c in MENU_COMMANDS]
    )


def build_application(
    token: str,
    engine: Engine,
    *,
    base_url: str | None = None,
    base_file_url: str | None = None,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    rate_limit: bool = True,
    concurrent: bool = True,
) -> Application:  # type: ignore[type-arg]
    """Build the python-telegram-bot application with BackTrack's handlers."""
    builder = ApplicationBuilder().token(token)
    if concurrent:
        builder = builder.concurrent_updates(PerUserOrder())
    if rate_limit:
        limiter = FairLimiter(SEND_RATE)
        # ApplicationBuilder's generic parameter for the limiter's arguments starts as None, so
        # mypy cannot see that any limiter fits; this is the documented way to add one.
        builder = builder.rate_limiter(limiter)  # type: ignore[arg-type]
    if base_url:
        builder = builder.base_url(base_url)
    if base_file_url:
        builder = builder.base_file_url(base_file_url)
    if request is not None:
        builder = builder.request(request)
    else:
        # Sixteen connections carry what one process's CPU can send at Telegram's round trips
        # (about 100 calls a second at 100 ms each is 10 in flight). A call waits for a free
        # one rather than failing after python-telegram-bot's 1 s: a reply that waits is not
        # lost.
        builder = builder.request(OneConnectionEach(CONNECTIONS, POOL_WAIT_SECONDS))
    # python-telegram-bot's own default for fetching updates: one connection of its own.
    builder = builder.get_updates_request(
        ReadableUpdates(updates_request or HTTPXRequest(connection_pool_size=1))
    )
    quiet_noisy_loggers()
    app = builder.build()
    courier = Courier(engine, advice_sender(app.bot))
    shell = TelegramShell(engine, courier)
    shell.install(app)
    app.bot_data["shell"] = shell
    return app


def shell_of(app: Application) -> TelegramShell:  # type: ignore[type-arg]
    """The shell that build_application installed on an application."""
    shell = app.bot_data["shell"]
    assert isinstance(shell, TelegramShell)
    return shell
