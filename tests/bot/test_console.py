"""The terminal console: numbered buttons, commands, text, clean exit at end of input."""

from __future__ import annotations

import io
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.console import Console, run_console
from bot.engine import Engine
from flows.dialogs.log import EARLY_HOUR
from flows.dialogs.profile import ProfileStep
from tests.clock import FakeClock
from tests.onboarding import TIMEZONE, console_lines, presses_to

LOG_AND_HISTORY = (
    "6",  # back pain 6: on a pain scale the number typed is the score
    "2",  # leg pain 2
    "6",  # a leg getting weaker
    "2",  # slowly, over weeks
    "20",  # done: same-day advice is printed at once, before the doses and the note
    "1",  # no pain medicine taken as needed
    "Stiff after the drive",
    "1",  # save
    "/history",
    "99",
    "",
)


def script(now: datetime) -> str:
    """Onboarding as the console numbers its buttons at `now`, then a diary entry."""
    # Before 10:00 where the patient lives, /log first asks whether the entry is for today.
    early = now.astimezone(ZoneInfo(TIMEZONE)).hour < EARLY_HOUR
    log = ["/log", *(["1"] if early else [])]
    return "\n".join(["/start", *console_lines(now), *log, *LOG_AND_HISTORY])


async def test_onboard_log_and_see_history(engine: Engine, clock: FakeClock) -> None:
    out = io.StringIO()
    status = await run_console(engine, 3, io.StringIO(script(clock.now)), out)
    text = out.getvalue()
    assert status == 0
    assert "[1] ✅ I agree, keep my diary" in text
    assert "Note: Stiff after the drive" in text
    assert "Saved ✅" in text
    # The advice came at Done, with the next question, before the note (REFERENCE.md §8.6).
    advice = text.index("Please contact your surgical team or the on-call spinal service today")
    assert text.index("Did you take any pain medicine AS NEEDED") < advice
    assert advice < text.index("Please check your entry")
    assert "Tue 10    6   2  ⚠1 ✎" in text
    assert "There is no button 99" in text


def test_backtrack_console_runs_on_the_database_file(tmp_path: Path) -> None:
    db = tmp_path / "console.db"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--user", "5", "--db", str(db)],
        input=script(datetime.now(UTC)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Saved ✅" in result.stdout
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT user_id, back_pain, leg_pain, note FROM entries").fetchall()
    assert rows == [(5, 6, 2, "Stiff after the drive")]


async def test_check_in_the_console_reaches_the_emergency_screen(engine: Engine) -> None:
    script = "\n".join(["/start", "1", "/check", "2", "1", "1", ""])
    out = io.StringIO()
    assert await run_console(engine, 4, io.StringIO(script), out) == 0
    text = out.getvalue()
    assert "Question 2 of" in text
    assert "Call your local emergency number (112 in Europe, 911 in North America, 999 in" in text


async def console(engine: Engine, user: int, *lines: str, files: Path | None = None) -> str:
    out = io.StringIO()
    assert await run_console(engine, user, io.StringIO("\n".join([*lines, ""])), out, files) == 0
    return out.getvalue()


def log_today(now: datetime) -> list[str]:
    early = now.astimezone(ZoneInfo(TIMEZONE)).hour < EARLY_HOUR
    return ["/log", *(["1"] if early else [])]


class Typist:
    """A patient at the console, reading the last screen printed before typing."""

    def __init__(self, engine: Engine, user: int) -> None:
        self.out = io.StringIO()
        self.console = Console(engine, user, self.out)

    async def type(self, *lines: str) -> None:
        for line in lines:
            await self.console.handle(line)

    def last_screen(self) -> str:
        return self.out.getvalue().rstrip("\n").rsplit("\n\n", 1)[-1]

    def numbers(self) -> dict[str, int]:
        """The label of each button on the last screen, and the number printed beside it."""
        found = re.findall(r"^\[(\d+)\] (.+)$", self.last_screen(), re.MULTILINE)
        return {label: int(number) for number, label in found}

    async def choose(self, label: str) -> None:
        [number] = [n for text, n in self.numbers().items() if label in text]
        await self.type(str(number))


async def onboarded_typist(engine: Engine, clock: FakeClock, user: int) -> Typist:
    typist = Typist(engine, user)
    await typist.type("/start", *console_lines(clock.now), *log_today(clock.now))
    return typist


async def test_a_number_typed_on_a_pain_scale_is_that_score(
    engine: Engine, clock: FakeClock
) -> None:
    typist = await onboarded_typist(engine, clock, 6)
    back_scale = typist.numbers()
    assert [back_scale[str(n)] for n in range(11)] == list(range(11))
    # The scale's other buttons are numbered after 10, so no number means two things.
    assert all(n > 10 for label, n in back_scale.items() if not label.isdigit())
    await typist.type("6")
    assert "LEG pain" in typist.out.getvalue()
    leg_scale = typist.numbers()
    assert [leg_scale[str(n)] for n in range(11)] == list(range(11))
    assert leg_scale["No leg pain"] > 10
    await typist.type("0")
    await typist.choose("Done")
    await typist.choose("None")
    await typist.choose("Skip")
    assert "Back pain: 6/10\nLeg pain: 0/10" in typist.out.getvalue()
    await typist.choose("Save")
    [entry] = await engine.store.entries_between(6, clock.now.date(), clock.now.date())
    assert (entry.back_pain, entry.leg_pain) == (6, 0)


async def test_the_other_buttons_of_a_pain_scale_press_by_their_own_number(
    engine: Engine, clock: FakeClock
) -> None:
    typist = await onboarded_typist(engine, clock, 6)
    await typist.type("3")
    await typist.choose("Back")
    # Back on the back-pain scale, the score chosen before is marked and keeps its number.
    assert typist.numbers()["• 3 •"] == 3
    await typist.type("7", "2")
    await typist.choose("Done")
    await typist.choose("None")
    await typist.choose("Skip")
    await typist.choose("Save")
    [entry] = await engine.store.entries_between(6, clock.now.date(), clock.now.date())
    assert (entry.back_pain, entry.leg_pain) == (7, 2)


async def test_an_unknown_command_says_so_then_lists_the_commands(engine: Engine) -> None:
    text = await console(engine, 8, "/frobnicate now")
    assert "There is no command /frobnicate. These are the commands:" in text
    assert text.index("There is no command") < text.index("/log: record back and leg pain")


async def test_import_in_the_console_asks_for_a_path_and_says_not_found(
    engine: Engine, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.csv"
    latin = tmp_path / "latin.csv"
    latin.write_bytes("date,back_pain\n2026-03-01,4\nnote,caf\xe9\n".encode("latin-1"))
    text = await console(
        engine,
        9,
        "/start",
        "1",
        "/import",
        "here it is",
        f"/import {missing}",
        f"/import {tmp_path}",
        f"/import {latin}",
    )
    assert "Type /import followed by the path of your diary's CSV file" in text
    assert "Please type /import followed by the path of the CSV file, or choose Cancel." in text
    assert f"File not found: {missing}." in text
    assert f"{tmp_path} is a folder, not a file." in text
    assert "I couldn't read that file as text. Please give a CSV file saved as UTF-8." in text
    # Only the file that is there and not UTF-8 is called "not text".
    assert text.count("couldn't read that file as text") == 1
    assert "attach" not in text.lower()
    assert "as a document" not in text


async def test_the_name_typed_in_onboarding_is_stored_and_shown(
    engine: Engine, clock: FakeClock
) -> None:
    lines = console_lines(clock.now)
    at_name = presses_to(ProfileStep.DISPLAY_NAME)
    lines[at_name] = "  J.   D. "
    text = await console(engine, 10, "/start", *lines)
    assert "What name or initials should the reports for your surgeon show?" in text
    assert "Name on reports: J. D." in text
    profile = await engine.store.profile(10)
    assert profile is not None
    assert profile.display_name == "J. D."
