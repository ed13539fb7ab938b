"""Drives the pure flows like a user would: by command, button label and text.

Every state is round-tripped through JSON between events, as the shells store it. Effects are
collected, and consent and profile effects update the context as storage would.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from flows.dialogs import router
from flows.dialogs.router import AnyState, Command, Decision, Verdict
from flows.dialogs.transfer import DocumentFile
from flows.kit.callback import ButtonData
from flows.kit.core import (
    Context,
    Effect,
    Outcome,
    RecordConsent,
    SaveEntry,
    SaveProfile,
    Screen,
    SendAdvice,
)
from flows.records.models import Profile


def context_at(now: datetime | None = None, *, consented: bool = False) -> Context:
    """Patient 7's context at `now` (10 March 2026, 18:30 UTC unless told), consented or new."""
    moment = now or datetime(2026, 3, 10, 18, 30, tzinfo=UTC)
    # A consented patient went through today's onboarding, which asks the country and the
    # day itself: the once-only questions for older profiles are behind them.
    profile = (
        Profile(user_id=7, consented_at=moment, details_asked_at=moment) if consented else None
    )
    return Context(now=moment, user_id=7, profile=profile)


class FlowDriver:
    """A user talking to the flows, with no shell and no storage in between."""

    def __init__(self, now: datetime | None = None, *, consented: bool = False) -> None:
        self.ctx = context_at(now, consented=consented)
        self.state: AnyState | None = None
        self.seq = 0
        self.screen: Screen | None = None
        self.messages: list[Screen] = []
        self.effects: list[Effect] = []
        self.last: Decision | None = None

    def command(self, command: Command) -> Decision:
        """Send a /command."""
        return self._take(router.on_command(command, self.state, self.ctx))

    def press(self, label: str) -> Decision:
        """Press the button whose label contains the given text on the current screen."""
        assert self.screen is not None, "no screen to press on"
        buttons = [b for row in self.screen.buttons for b in row]
        matches = [b for b in buttons if b.label == label] or [
            b for b in buttons if label in b.label
        ]
        assert len(matches) == 1, f"{label!r} matches {[b.label for b in matches]}"
        data = ButtonData(seq=self.seq, value=matches[0].value)
        return self._take(router.on_press(self.state, data, self.seq, self.ctx))

    def press_data(self, data: ButtonData | None) -> Decision:
        """Press with raw button data (stale or forged presses)."""
        return self._take(router.on_press(self.state, data, self.seq, self.ctx))

    def type(self, text: str) -> Decision:
        """Type text."""
        return self._take(router.on_text(self.state, text, self.ctx))

    @property
    def text(self) -> str:
        """Return the current screen's text."""
        assert self.screen is not None, "no screen shown"
        return self.screen.text

    def labels(self) -> list[str]:
        """Return the labels on the current screen."""
        return self.screen.labels() if self.screen else []

    def start(self, outcome: Outcome) -> Decision:
        """Begin with an outcome the shell produced (e.g. a prompt the dispatcher sent)."""
        return self._take(Decision(Verdict.ACCEPTED, outcome))

    def document(self, document: DocumentFile) -> Decision:
        """Send a file, as the shell hands it to the flows once it has read it."""
        return self._take(router.on_document(self.state, document, self.ctx))

    def _take(self, decision: Decision) -> Decision:
        self.last = decision
        self.messages.extend(decision.notices)
        outcome = decision.outcome
        if decision.verdict is not Verdict.ACCEPTED or outcome is None:
            return decision
        for effect in outcome.effects:
            self._store(effect)
        state = router.as_any(outcome.state)
        self.state = None if state is None else router.load_state(router.dump_state(state))
        self.seq += 1
        self.screen = outcome.screen
        self.messages.extend(outcome.notices)
        return decision

    def _store(self, effect: Effect) -> None:
        self.effects.append(effect)
        match effect:
            case RecordConsent():
                profile = Profile(user_id=self.ctx.user_id, consented_at=self.ctx.now)
                self.ctx = replace(self.ctx, profile=profile)
            case SaveProfile():
                self.ctx = replace(self.ctx, profile=effect.profile)
            case SaveEntry():
                if effect.entry.entry_date == self.ctx.today:
                    count = self.ctx.entries_today + 1
                    self.ctx = replace(self.ctx, entries_today=count)

    def sent_advice(self) -> list[SendAdvice]:
        """Return the safety advice the flows put in the outbox."""
        return [e for e in self.effects if isinstance(e, SendAdvice)]

    def saved_entries(self) -> list[SaveEntry]:
        """Return the entries the flows asked to save."""
        return [e for e in self.effects if isinstance(e, SaveEntry)]
