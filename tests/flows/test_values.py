"""Button values are written and read back by one codec per kind of answer."""

from __future__ import annotations

from datetime import date, time

import pytest

from flows.clinical.codes import Finding
from flows.dialogs import check, history, log, profile
from flows.kit.values import PAIN, Coded
from flows.records.models import Region


@pytest.mark.parametrize(
    ("coded", "value"),
    [
        (PAIN, 0),
        (PAIN, 10),
        (log.DAY, date(2026, 2, 28)),
        (log.SYMPTOM, Finding.SADDLE_NUMBNESS),
        (history.ENTRY, 123456789),
        (check.CHOICE, 3),
        (profile.COUNTRY, "GB"),
        (profile.OFFSET, -12),
        (profile.OFFSET, 14),
        (profile.REGION, Region.LUMBOSACRAL),
        (profile.RISK, Finding.SMOKER),
        (profile.CHECKIN, time(20, 0)),
    ],
)
def test_a_value_reads_back_as_what_it_stands_for(coded: Coded[object], value: object) -> None:
    written = coded(value)
    assert coded.owns(written)
    assert coded.of(written) == value
    # Every value fits a callback with room for the screen number (64 bytes in all).
    assert len(written.encode()) <= 40


def test_the_wire_format_stays_what_stored_screens_carry() -> None:
    # Screens already shown to patients carry these values; a change would make them forged.
    assert [PAIN(5), log.DAY(date(2026, 3, 1)), profile.OFFSET(-5), profile.CHECKIN(time(8))] == [
        "p5",
        "d2026-03-01",
        "o7",
        "t0800",
    ]


def test_a_value_of_another_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="not a"):
        PAIN.of("d2026-03-01")
