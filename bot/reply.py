"""What the engine answers an event with, and who the event is from, for every shell."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flows.clinical.emergency import infer_country, numbers_for
from flows.clinical.rules import number_words
from flows.dialogs.router import Verdict
from flows.i18n import supported, t
from flows.kit.callback import ButtonData
from flows.kit.core import Context, ExportFile, Screen
from flows.records.models import StoredAdvice

Clock = Callable[[], datetime]


def storable(text: str) -> str:
    """Text with lone surrogates replaced and NUL characters left out, so any database takes it."""
    # PostgreSQL refuses NUL in text; a NUL typed into Telegram carries nothing of the note.
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def screen_language(who: Who) -> str:
    """The catalogue language for someone without a stored profile."""
    return supported(who.language_code)


def system_clock() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Who:
    """The person behind an event, as the shell knows them."""

    user_id: int
    language_code: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """Safety advice from the outbox to send now; `repeated` when a try may have arrived."""

    advice_id: int
    user_id: int
    text: str
    repeated: bool = False
    # Shown in full by the reply's own screen: delivered when that screen is.
    with_screen: bool = False
    # When it was decided, in the patient's zone: a late delivery says what it is about.
    decided_at: datetime | None = None

    @classmethod
    def of(
        cls,
        advice: StoredAdvice,
        on_screen: frozenset[int] = frozenset(),
        timezone: str = "UTC",
    ) -> Delivery:
        """The delivery of an outbox row."""
        return cls(
            advice.id,
            advice.user_id,
            advice.text,
            repeated=advice.attempts > 0,
            with_screen=advice.id in on_screen,
            decided_at=advice.decided_at.astimezone(ZoneInfo(timezone)),
        )


@dataclass(frozen=True, slots=True)
class Reply:
    """What the shell should show: a screen (edited in place for presses) and extra messages."""

    verdict: Verdict
    screen: Screen | None = None
    seq: int = 0
    notices: Sequence[Screen] = field(default_factory=tuple)
    toast: str | None = None
    duplicate: bool = False
    chart_png: bytes | None = None
    document: tuple[str, bytes] | None = None
    # The diary file the event asked for, made by a file worker after the unit of work.
    export: ExportFile | None = None
    erased: bool = False
    # Safety advice written to the outbox by this event, to send at once (and retried later).
    advice: Sequence[Delivery] = field(default_factory=tuple)
    # Safety messages for someone without an account: nothing is stored before consent, so
    # the shell retries these in memory (REFERENCE.md §8.8).
    unstored_safety: Sequence[Screen] = field(default_factory=tuple)

    def button_data(self, value: str) -> str:
        """Return the callback data for a button of this reply's screen."""
        return ButtonData(seq=self.seq, value=value).encode()


DUPLICATE_REPLY = Reply(verdict=Verdict.IGNORED, duplicate=True)
IGNORED_REPLY = Reply(verdict=Verdict.IGNORED)


def with_pre_consent_pointer(reply: Reply, ctx: Context) -> Reply:
    """Every reply before consent ends with a line pointing to the emergency number (§8.8)."""
    numbers = numbers_for(infer_country(ctx.language_code))
    line = t(ctx.language, "safety.pre_consent_pointer", **number_words(ctx.language, numbers))

    def footed(screen: Screen) -> Screen:
        return screen.with_text(f"{screen.text}\n\n{line}")

    screen = footed(reply.screen) if reply.screen is not None else None
    notices = tuple(footed(n) for n in reply.notices)
    if screen is None and not notices and reply.toast is None:
        notices = (Screen(text=line),)
    return replace(reply, screen=screen, notices=notices)
