"""The terminal console: the same flows and database as Telegram, one line at a time."""

from __future__ import annotations

import asyncio
import os
import shutil
from itertools import count
from pathlib import Path
from typing import TextIO

from bot.engine import Engine
from bot.files import decode_document
from bot.outbox import Attempt, Courier, Sent
from bot.reply import Reply, Who
from flows.dialogs.router import Command
from flows.i18n import t
from flows.kit.core import Button, Screen
from flows.kit.values import PAIN

CONSOLE_LANGUAGE = "en"
# The values of a 0-10 pain scale's buttons (flows.kit.core.pain_grid) and their scores.
PAIN_SCORES: dict[str, int] = {PAIN(n): n for n in range(11)}
# The other buttons of a pain scale are numbered after 10, so that no number means two things.
FIRST_AFTER_SCORES = 11
# Texts that speak of Telegram's attachments, and what the console says instead.
CONSOLE_TEXTS: tuple[tuple[str, str], ...] = (
    ("import.ask_file", "console.import.ask_file"),
    ("import.send_file", "console.import.send_file"),
    ("import.problem.not_text", "console.import.not_text"),
)


def numbered(screen: Screen) -> list[tuple[int, Button]]:
    """The screen's buttons with the number that presses each: a pain scale's are its scores."""
    buttons = [b for row in screen.buttons for b in row]
    if not PAIN_SCORES.keys() <= screen.values():
        return list(enumerate(buttons, start=1))
    # Typed on a pain scale, "6" means a score of 6, as the patient reads it, not button 6.
    others = count(FIRST_AFTER_SCORES)
    result: list[tuple[int, Button]] = []
    for b in buttons:
        score = PAIN_SCORES.get(b.value)
        result.append((next(others) if score is None else score, b))
    return result


def console_text(text: str) -> str:
    """The text with what it says about Telegram's attachments said the console's way."""
    for telegram, console in CONSOLE_TEXTS:
        text = text.replace(t(CONSOLE_LANGUAGE, telegram), t(CONSOLE_LANGUAGE, console))
    return text


def format_screen(screen: Screen) -> str:
    """Return a screen as console text with numbered buttons."""
    parts = [console_text(screen.text)]
    if screen.table:
        parts.append(screen.table)
    buttons = numbered(screen)
    if buttons:
        parts.append("\n".join(f"[{n}] {b.label}" for n, b in buttons))
    return "\n\n".join(parts)


def read_named_file(path_text: str) -> tuple[str, bytes] | str:
    """The file's name and bytes, or what to tell the user when it cannot be read."""
    path = Path(path_text).expanduser()
    try:
        return path.name, path.read_bytes()
    except FileNotFoundError:
        return t(CONSOLE_LANGUAGE, "console.file_not_found", path=path)
    except IsADirectoryError:
        return t(CONSOLE_LANGUAGE, "console.file_is_folder", path=path)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return t(CONSOLE_LANGUAGE, "console.file_unreadable", path=path, reason=reason)


class Console:
    """Reads lines, sends them to the engine and prints the replies."""

    def __init__(
        self, engine: Engine, user_id: int, out: TextIO, files: Path | None = None
    ) -> None:
        # One folder per user, so /delete can take exactly that user's files with it.
        self.files = (files or Path.cwd() / "backtrack-files") / f"user-{user_id}"
        self.engine = engine
        self.who = Who(user_id=user_id, language_code=CONSOLE_LANGUAGE)
        self.out = out
        self.live: Reply | None = None
        self.courier = Courier(engine, self._print_advice)

    async def _print_advice(self, chat_id: int, text: str) -> Attempt:
        if chat_id != self.who.user_id:
            return Attempt(Sent.FAILED, "NotThisConsole")
        self._print(text)
        return Attempt(Sent.DELIVERED)

    async def deliver_waiting(self) -> None:
        """Print the safety advice a restart left undelivered for this user."""
        await self.courier.deliver(await self.engine.undelivered(self.who.user_id))

    async def show(self, reply: Reply) -> None:
        """Print a reply: the toast, the screen, the safety advice and further messages."""
        for safety in reply.unstored_safety:
            self._print(format_screen(safety))
        if reply.toast:
            self._print(f"({reply.toast})")
        if reply.screen is not None:
            self._print(format_screen(reply.screen))
            self.live = reply
        await self.courier.deliver([d for d in reply.advice if not d.with_screen])
        await self.courier.settle([d for d in reply.advice if d.with_screen], shown=True)
        if reply.chart_png is not None:
            stamp = self.engine.clock().strftime("%Y%m%d-%H%M%S")
            name = f"trend-{self.who.user_id}-{stamp}.png"
            self._print(
                t(CONSOLE_LANGUAGE, "console.saved", path=self._save(name, reply.chart_png))
            )
        if reply.document is not None:
            name, content = reply.document
            self._print(t(CONSOLE_LANGUAGE, "console.saved", path=self._save(name, content)))
        for notice in reply.notices:
            self._print(format_screen(notice))
        if reply.erased and self.files.exists():
            # Charts and exports are copies of the diary: erasing it erases them too.
            shutil.rmtree(self.files)
            self._print(t(CONSOLE_LANGUAGE, "console.files_erased", path=self.files.resolve()))

    def _save(self, name: str, content: bytes) -> Path:
        """Write a file where the user alone can open it; returns its path."""
        self.files.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.files / name
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
        return path.resolve()

    def _print(self, text: str) -> None:
        self.out.write(text + "\n\n")
        self.out.flush()

    async def handle(self, line: str) -> None:
        """Act on one input line."""
        line = line.strip()
        if not line:
            return
        if line.startswith("/"):
            word, _, argument = line[1:].partition(" ")
            name = word.split("@")[0].lower()
            try:
                command = Command(name)
            except ValueError:
                self._print(t(CONSOLE_LANGUAGE, "console.unknown_command", name=word))
                command = Command.HELP
            if command is Command.IMPORT and argument.strip():
                await self._import(argument.strip())
                return
            await self.show(await self.engine.on_command(self.who, command))
            return
        if line.isdigit():
            await self._press(int(line))
            return
        await self.show(await self.engine.on_text(self.who, line))

    async def _import(self, path_text: str) -> None:
        """Import the file named on the console as if it had been sent to the bot."""
        read = await asyncio.to_thread(read_named_file, path_text)
        if isinstance(read, str):
            self._print(read)
            return
        document = decode_document(*read)
        await self.show(await self.engine.on_document(self.who, document))

    async def _press(self, number: int) -> None:
        screen = self.live.screen if self.live else None
        values = {n: b.value for n, b in numbered(screen)} if screen else {}
        if self.live is None or number not in values:
            self._print(t(CONSOLE_LANGUAGE, "console.no_button", n=number))
            return
        await self.show(
            await self.engine.on_press(self.who, self.live.button_data(values[number]))
        )


async def run_console(
    engine: Engine, user_id: int, stdin: TextIO, out: TextIO, files: Path | None = None
) -> int:
    """Run the console until end of input; returns the exit status."""
    console = Console(engine, user_id, out, files)
    out.write(t(CONSOLE_LANGUAGE, "console.intro", user=user_id) + "\n\n")
    # Only this user's: the console may share the database with a running bot.
    await engine.recover_advice(user_id)
    await console.deliver_waiting()
    while True:
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            return 0
        await console.handle(line)
