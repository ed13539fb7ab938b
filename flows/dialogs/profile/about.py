"""The operated region and levels, the risk factors, the name on reports, the check-in time."""

from __future__ import annotations

import unicodedata
from datetime import time

from flows.clinical.codes import Finding
from flows.dialogs.profile.profile import ProfileState, nav
from flows.i18n import t
from flows.kit.core import Button, Screen, button
from flows.kit.values import Coded
from flows.records.models import Region

# The profile risk factors a patient can tick (DESIGN.md "Risk factors"); multilevel_fusion
# and fused_to_sacrum are derived from the levels and region answers instead.
PROFILE_RISKS: tuple[Finding, ...] = (
    Finding.SMOKER,
    Finding.DIABETES,
    Finding.OSTEOPOROSIS_OR_STEROIDS,
    Finding.BMI_OVER_30,
    Finding.AGE_OVER_65,
    Finding.LONG_TERM_NSAIDS,
    Finding.PRIOR_DISCECTOMY,
    Finding.IMMUNOSUPPRESSED,
    Finding.CANCER_HISTORY,
    Finding.LOW_MOOD,
)
LEVEL_CHOICES = {"l0": 0, "l1": 1, "l2": 2, "l3": 3}
CHECKIN_TIMES: tuple[time, ...] = tuple(time(h, 0) for h in (8, 10, 12, 17, 18, 19, 20, 21, 22))
# The answers of the profile's steps, as their buttons carry them.
REGION: Coded[Region] = Coded("r.", Region, lambda region: region.value)
RISK: Coded[Finding] = Coded("k.", Finding, lambda code: code.value)
CHECKIN: Coded[time] = Coded(
    "t", lambda text: time(int(text[:2]), int(text[2:4])), lambda at: at.strftime("%H%M")
)
# The name goes on one line of the report's header; initials are enough.
DISPLAY_NAME_MAX_CHARS = 60
# Joiners shape some scripts' words (Persian, Indic, emoji); other format characters, such
# as bidirectional overrides, could make a printed name read as something else.
_KEPT_FORMAT_CHARS = frozenset("\u200c\u200d")


def ask_region(lang: str, state: ProfileState) -> Screen:
    """Ask which part of the spine was operated on."""
    rows = tuple((button(t(lang, f"region.{r}"), REGION(r)),) for r in Region)
    return Screen(text=t(lang, "onboarding.ask_region"), buttons=(*rows, nav(lang, state)))


def ask_levels(lang: str, state: ProfileState) -> Screen:
    """Ask how many levels were fused."""
    rows = tuple((button(t(lang, f"levels.{v}"), v),) for v in LEVEL_CHOICES)
    unsure = (button(t(lang, "onboarding.not_sure"), "unsure"),)
    return Screen(text=t(lang, "onboarding.ask_levels"), buttons=(*rows, unsure, nav(lang, state)))


def ask_risk_factors(lang: str, state: ProfileState) -> Screen:
    """Show the optional health factors as toggles."""
    rows: list[tuple[Button, ...]] = []
    for code in PROFILE_RISKS:
        mark = "✅ " if code in state.risk_factors else "▫️ "
        rows.append((button(mark + t(lang, f"risk.{code}"), RISK(code)),))
    rows.append((button(t(lang, "onboarding.risks_done"), "done"),))
    rows.append(nav(lang, state))
    return Screen(text=t(lang, "onboarding.ask_risks"), buttons=tuple(rows))


def clean_display_name(text: str) -> str:
    """The typed name as reports print it: one line, single spaces, no control characters."""
    kept = (
        " " if c.isspace() else c
        for c in unicodedata.normalize("NFC", text)
        if c.isspace() or c in _KEPT_FORMAT_CHARS or not unicodedata.category(c).startswith("C")
    )
    return " ".join("".join(kept).split())


def ask_display_name(lang: str, state: ProfileState) -> Screen:
    """Ask the name or initials the reports for the surgeon should show, with Skip."""
    choices: tuple[tuple[Button, ...], ...]
    if state.display_name is None:
        text = t(lang, "name.ask", limit=DISPLAY_NAME_MAX_CHARS)
        choices = ((button(t(lang, "name.skip"), "skip"),),)
    else:
        text = t(lang, "name.ask_again", name=state.display_name, limit=DISPLAY_NAME_MAX_CHARS)
        choices = (
            (button(t(lang, "name.keep"), "skip"),),
            (button(t(lang, "name.remove"), "clear"),),
        )
    return Screen(text=text, buttons=(*choices, nav(lang, state)))


def ask_checkin_time(lang: str, state: ProfileState) -> Screen:
    """Ask when the daily check-in should arrive."""
    labels = [button(at.strftime("%H:%M"), CHECKIN(at)) for at in CHECKIN_TIMES]
    rows = tuple(tuple(labels[i : i + 3]) for i in range(0, len(labels), 3))
    return Screen(text=t(lang, "settings.ask_checkin"), buttons=(*rows, nav(lang, state)))
