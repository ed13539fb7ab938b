"""The alerts: their kinds, what the bot stores of one sent, and the text the user reads."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from flows.clinical.codes import Finding, Tier
from flows.clinical.emergency import LocalNumbers
from flows.clinical.rules import TriageResult, number_words, red_flag_message, triage
from flows.clinical.rules_data import RED_FLAGS
from flows.clinical.trends.since import Since
from flows.i18n import t

_RED_FLAG_NAMES = {rule.id: rule.name_key for rule in RED_FLAGS}


class AlertKind(StrEnum):
    """What an alert is about (DESIGN.md `assess --json` kinds)."""

    SUSTAINED_WORSENING = "sustained_worsening"
    RAPID_RISE = "rapid_rise"
    NEW_NERVE_SYMPTOMS = "new_nerve_symptoms"
    RED_FLAG = "red_flag"


class SentRecord(Protocol):
    """An alert the user was already sent: all the cooldown needs to know."""

    @property
    def day(self) -> date: ...

    @property
    def kind(self) -> str: ...

    @property
    def about(self) -> tuple[str, ...]: ...

    @property
    def tier(self) -> Tier: ...


class SentAlert(BaseModel):
    """What the bot stores for each alert it sent, and passes back for the cooldown."""

    model_config = ConfigDict(frozen=True)

    day: date
    kind: AlertKind
    # What it was about: a measure (back / leg / peg), "nerve", or each red flag's ID and
    # each warning sign's finding code, so the cooldown counts each flag on its own.
    about: tuple[str, ...]
    tier: Tier
    # When it was stored as sent (None before): the report names only what was known then.
    sent_at: datetime | None = None


class Alert(BaseModel):
    """A prompt to send the user now: what, how urgent, and why in plain words with numbers."""

    model_config = ConfigDict(frozen=True)

    day: date
    kind: AlertKind
    tier: Tier
    # What it is about, as `SentAlert.about`.
    about: tuple[str, ...]
    values: tuple[tuple[str, str], ...] = ()
    findings: tuple[Finding, ...] = ()
    days_since_surgery: int | None = None
    # The treatment change it came after (trend alerts only; a red flag's words never change).
    since: Since | None = None

    def reason(self, language: str) -> str:
        """Why the alert was sent, with the numbers behind it, and what it came after."""
        if self.kind is AlertKind.RED_FLAG:
            return _red_flag_reason(self, language)
        reason = self._trend_reason(language)
        if self.since is None:
            return reason
        return f"{reason} {self.since.text(language, self.day)}"

    def _trend_reason(self, language: str) -> str:
        values = dict(self.values)
        if self.kind is AlertKind.NEW_NERVE_SYMPTOMS:
            names = ", ".join(t(language, f"trends.nerve.{f.value}") for f in self.findings)
            return t(language, "trends.reason.new_nerve_symptoms", symptoms=names, **values)
        measure = t(language, f"trends.which.{self.about[0]}")
        if self.kind is AlertKind.SUSTAINED_WORSENING:
            rule = values.pop("rule")
            reference = t(language, f"trends.reference.{values.pop('reference')}", **values)
            return t(
                language,
                f"trends.reason.sustained_worsening.{rule}",
                measure=measure,
                reference=reference,
                **values,
            )
        return t(language, f"trends.reason.{self.kind.value}", measure=measure, **values)

    def sent(self) -> SentAlert:
        """The record to store once the alert has been sent."""
        return SentAlert(day=self.day, kind=self.kind, about=self.about, tier=self.tier)


def _triage(alert: Alert) -> TriageResult:
    return triage(alert.findings, days_since_surgery=alert.days_since_surgery)


def _red_flag_reason(alert: Alert, language: str) -> str:
    result = _triage(alert)
    parts = []
    if result.red_flags:
        names = [f"{t(language, _RED_FLAG_NAMES[f.id])} ({f.id})" for f in result.red_flags]
        parts.append(t(language, "trends.reason.red_flag", flags="; ".join(names)))
    if result.other_warnings:
        found = [t(language, f"rules.finding.{f.value}") for f in result.other_warnings]
        parts.append(t(language, "trends.reason.warning", symptoms="; ".join(found)))
    return " ".join(parts)


def shown(value: float) -> str:
    """A value as an alert's text gives it."""
    return f"{value:.1f}"


def alert_message(alert: Alert, language: str, numbers: LocalNumbers) -> str:
    """The whole message the user gets for an alert: what changed, why, and what to do."""
    if alert.kind is AlertKind.RED_FLAG:
        return red_flag_message(_triage(alert), language, numbers)
    heading = t(
        language,
        f"trends.heading.{alert.kind.value}",
        measure=t(language, f"trends.which.{alert.about[0]}"),
    )
    action = t(language, f"trends.action.{alert.tier.value}", **number_words(language, numbers))
    return f"{heading}\n\n{alert.reason(language)}\n\n{action}"
