"""The terminal console: the same flows and database as Telegram, one line at a time."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path
from typing import TextIO

from bot.engine import Engine, Reply, Who
from bot.files import decode_document
from bot.outbox import Attempt, Courier, Sent
from flows.core import Screen
from flows.i18n import t
from flows.router import Command
from flows.transfer import DocumentFile

CONSOLE_LANGUAGE = "en"


def format_screen(screen: Screen) -> str:
    """Return a screen as console text with numbered buttons."""
    parts = [screen.text]
    if screen.table:
        parts.append(screen.table)
    labels = screen.labels()
    if labels:
        parts.append("\n".join(f"[{i}] {label}" for i, label in enumerate(labels, start=1)))
    return "\n\n".join(parts)


def read_document(path_text: str) -> DocumentFile:
    """Read a file named on the console as if it had been sent to the bot."""
    path = Path(path_text).expanduser()
    try:
        content = path.read_bytes()
    except OSError:
        return DocumentFile(filename=path.name, problem="not_text")
    return decode_document(path.name, content)


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
            name = line[1:].split()[0].split("@")[0].lower() if len(line) > 1 else ""
            try:
                command = Command(name)
            except ValueError:
                command = Command.HELP
            argument = line.split(maxsplit=1)[1] if " " in line else ""
            if command is Command.IMPORT and argument:
                await self.show(await self.engine.on_document(self.who, read_document(argument)))
                return
            await self.show(await self.engine.on_command(self.who, command))
            return
        if line.isdigit():
            await self._press(int(line))
            return
        await self.show(await self.engine.on_text(self.who, line))

    async def _press(self, number: int) -> None:
        screen = self.live.screen if self.live else None
        values = [b.value for row in screen.buttons for b in row] if screen else []
        if self.live is None or not 1 <= number <= len(values):
            self._print(t(CONSOLE_LANGUAGE, "console.no_button", n=number))
            return
        await self.show(
            await self.engine.on_press(self.who, self.live.button_data(values[number - 1]))
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
