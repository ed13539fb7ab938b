"""Every conversation flow: the one list to edit when a flow is added (CONTRIBUTING.md)."""

from __future__ import annotations

from typing import Any

from flows.dialogs import (
    check,
    events,
    history,
    log,
    meds,
    privacy,
    profile,
    prompts,
    transfer,
    trend_view,
)
from flows.kit.core import Flow

FLOWS: tuple[Flow[Any], ...] = (
    log.FLOW,
    profile.FLOW,
    check.FLOW,
    prompts.FLOW,
    trend_view.FLOW,
    transfer.EXPORT_FLOW,
    transfer.IMPORT_FLOW,
    privacy.FLOW,
    history.FLOW,
    meds.FLOW,
    events.FLOW,
)
