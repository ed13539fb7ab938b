"""How a screen looks in Telegram: its text as HTML, its buttons as an inline keyboard."""

from __future__ import annotations

import html
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, TelegramObject

from bot.reply import Reply
from flows.kit.core import Screen

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
