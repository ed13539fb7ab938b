"""Sending a reply in Telegram: a new message or an edit in place, with its fallbacks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram import Bot, InputMediaPhoto, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.engine import Engine
from bot.outbox import Attempt, Courier, Sent
from bot.reply import Reply
from bot.telegram_render import CAPTION_CHARS, keyboard, render_html
from flows.kit.core import Screen

# The shell's logger, so that everything the Telegram shell logs is found under one name.
log = logging.getLogger("bot.telegram_bot")


async def _call(bot: Bot, method: str, **params: object) -> None:
    """Call a Bot API method whose answer the shell does not read.

    The usual methods turn Telegram's answer into python-telegram-bot objects (a whole Message,
    its chat and its keyboard for every edit), which the shell would only throw away.
    `do_api_request` would skip that too but warns for methods the library has; `_post` is
    what both call, with the same defaults, rate limiter and errors.
    """
    await bot._post(method, dict(params))


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


class ReplySender:
    """Sends the engine's replies, each part on its own so that one failure loses no other."""

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

    async def _reply_to_press(
        self, bot: Bot, chat_id: int, message: Message | None, reply: Reply, *, answered: bool
    ) -> None:
        try:
            await self._press_parts(bot, chat_id, message, reply, answered=answered)
        except _BlockedError:
            return

    async def _press_parts(
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
