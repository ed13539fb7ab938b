"""The Telegram shell: python-telegram-bot handlers that hand every event to the engine."""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
from telegram import Bot, BotCommand, Message, MessageEntity, Update
from telegram.constants import ChatType, ParseMode, UpdateType
from telegram.error import Forbidden, RetryAfter, TelegramError, TimedOut
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
from bot.engine import Engine
from bot.files import decode_document
from bot.limits import BULK, FairLimiter
from bot.logs import quiet_noisy_loggers
from bot.ordering import PerUserOrder
from bot.outbox import Courier
from bot.reminders import Outgoing, Send, SendResult
from bot.reply import Who
from bot.telegram_render import keyboard, render_html
from bot.telegram_replies import ReplySender, advice_sender
from bot.updates import ReadableUpdates
from flows.dialogs.router import MENU_COMMANDS, Command, Verdict
from flows.dialogs.transfer import MAX_IMPORT_BYTES, DocumentFile
from flows.i18n import supported, t

log = logging.getLogger(__name__)

# New messages only: an edit of an earlier message is not a new command or answer, and a
# business message is between a business owner and their customer, not with the bot.
NEW = filters.UpdateType.MESSAGE
PRIVATE = filters.ChatType.PRIVATE & NEW

# Only what the bot handles. Business updates arrive from chats between other people (a
# business owner and their customers); edits are read only for a symptom they name.
ALLOWED_UPDATES = (UpdateType.MESSAGE, UpdateType.EDITED_MESSAGE, UpdateType.CALLBACK_QUERY)


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


class TelegramShell(ReplySender):
    """Owns the handlers; every handler is named for the event it handles."""

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
        await self._reply_to_press(context.bot, chat_id, message, reply, answered=answered)

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
