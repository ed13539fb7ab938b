"""The flow vocabulary checks what it is given: button values and the clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows.kit.callback import MAX_BYTES, ButtonData
from flows.kit.core import Button, Context, Screen, nav_row, pain_grid


@pytest.mark.parametrize("value", ["p5", "s.bladder_change", "t2100", "a" * 40])
def test_a_button_takes_a_short_plain_value(value: str) -> None:
    assert Button(label="Label", value=value).value == value


@pytest.mark.parametrize("value", ["", "has space", "UPPER", "p5\n", "é", "a" * 41, "a:b"])
def test_a_button_refuses_a_value_that_would_not_fit_or_parse(value: str) -> None:
    with pytest.raises(ValueError, match="must match"):
        Button(label="Label", value=value)


def test_the_longest_value_fits_telegrams_callback_data_with_a_large_screen_number() -> None:
    data = ButtonData(seq=10**12 - 1, value="a" * 40).encode()
    assert len(data.encode()) <= MAX_BYTES


def test_a_context_needs_a_time_with_its_zone() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Context(now=datetime(2026, 3, 10, 18, 0), user_id=1)
    assert Context(now=datetime(2026, 3, 10, 23, 30, tzinfo=UTC), user_id=1).today.day == 10


def test_a_context_gives_the_users_local_date() -> None:
    ctx = Context(
        now=datetime(2026, 3, 10, 23, 30, tzinfo=UTC), user_id=1, timezone="Asia/Kolkata"
    )
    assert ctx.today.isoformat() == "2026-03-11"


def test_cached_rows_are_the_same_buttons_as_new_ones() -> None:
    assert pain_grid(4)[1][0] == Button(label="• 4 •", value="p4")
    assert [b.value for row in pain_grid() for b in row] == [f"p{n}" for n in range(11)]
    assert [b.value for b in nav_row("en")] == ["back", "cancel"]
    assert [b.value for b in nav_row("en", back=False)] == ["cancel"]


def test_a_hint_goes_above_the_text_and_keeps_the_buttons() -> None:
    screen = Screen(text="How bad is it?", buttons=pain_grid())
    hinted = screen.with_hint("Please use the buttons.")
    assert hinted.text == "Please use the buttons.\n\nHow bad is it?"
    assert hinted.buttons == screen.buttons
    assert screen.with_text("Other").buttons == screen.buttons
