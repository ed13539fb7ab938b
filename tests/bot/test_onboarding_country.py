"""Onboarding asks the country, its zone and the day of surgery, through the real Application.

Each walk goes through python-telegram-bot's own Application.process_update on the offline Bot
API, and what onboarding stored is read back from the SQLite file itself.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.engine import Engine
from bot.telegram_bot import build_application
from flows.clinical.codes import DaysRange
from flows.records.models import Profile
from tests.fakes import TOKEN, OfflineBotApi
from tests.onboarding import LABELS, SURGERY_DAY
from tests.patient import Patient, TelegramLine

USER = 41
TODAY = date(2026, 3, 10)


@pytest.fixture
async def line(engine: Engine) -> AsyncIterator[TelegramLine]:
    api = OfflineBotApi()
    app = build_application(TOKEN, engine, request=api, updates_request=OfflineBotApi())
    async with app:
        yield TelegramLine.of(app, api, USER)


@pytest.fixture
def phone(line: TelegramLine) -> Patient:
    return Patient(line)


def stored_row(db_path: Path) -> dict[str, Any]:
    """The patient's row as the SQLite file holds it."""
    with sqlite3.connect(db_path) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute(
            "SELECT country, timezone, surgery_year, surgery_month, surgery_day, surgery_after, "
            "surgery_before, details_asked_at FROM users WHERE user_id = ?",
            (USER,),
        ).fetchone()
    assert row is not None
    return dict(row)


async def finish(phone: Patient) -> None:
    for label in ("Lower back (lumbar)", "2 levels", "Done", "Skip", "21:00"):
        await phone.press(label)
    assert "All set" in phone.last


async def test_a_us_patient_confirms_the_proposed_country_and_picks_a_zone(
    phone: Patient, engine: Engine, db_path: Path, line: TelegramLine
) -> None:
    line.language_code = "en-US"
    await phone.send("/start")
    await phone.press("✅ I agree, keep my diary")
    assert "Your country: United States" in phone.last
    assert "Emergency number: 911" in phone.last
    await phone.press("✅ Yes, that's right")
    assert "United States has more than one time zone" in phone.last
    await phone.press("Los Angeles")
    assert "Your local time now is Tue 11:30" in phone.last
    await phone.press("✅ Yes, that's right")
    for label in ("2025", "Nov", "3"):
        await phone.press(label)
    await finish(phone)
    assert "Operation: 3 Nov 2025" in phone.last
    assert "Country: United States\nEmergency number: 911" in phone.last

    assert stored_row(db_path) == {
        "country": "US",
        "timezone": "America/Los_Angeles",
        "surgery_year": 2025,
        "surgery_month": 11,
        "surgery_day": 3,
        "surgery_after": None,
        "surgery_before": None,
        "details_asked_at": "2026-03-10T18:30:00+00:00",
    }
    profile = await engine.store.profile(USER)
    assert profile is not None
    assert profile.numbers().emergency == "911"
    assert profile.details_asked_at == datetime(2026, 3, 10, 18, 30, tzinfo=UTC)


async def test_a_uk_patient_has_one_zone_and_gives_the_day(
    phone: Patient, engine: Engine, db_path: Path
) -> None:
    await phone.send("/start")
    for label in LABELS:
        await phone.press(label)
    assert "All set" in phone.last
    row = stored_row(db_path)
    assert (row["country"], row["timezone"]) == ("GB", "Europe/London")
    assert (row["surgery_year"], row["surgery_month"], row["surgery_day"]) == (2025, 6, 15)
    profile = await engine.store.profile(USER)
    assert profile is not None
    assert profile.surgery_bounds() == (SURGERY_DAY, SURGERY_DAY)
    assert profile.numbers().emergency == "999"


async def test_a_patient_not_sure_of_the_day_stores_the_2_week_answer_as_bounds(
    phone: Patient, engine: Engine, db_path: Path
) -> None:
    await phone.send("/start")
    for label in ("✅ I agree, keep my diary", "Ireland", "✅ Yes, that's right"):
        await phone.press(label)
    for label in ("2026", "Feb", "Not sure of the day"):
        await phone.press(label)
    assert "in the last 2 weeks?" in phone.last
    await phone.press("Yes")
    await finish(phone)
    row = stored_row(db_path)
    assert (row["country"], row["timezone"]) == ("IE", "Europe/Dublin")
    assert row["surgery_day"] is None
    assert (row["surgery_after"], row["surgery_before"]) == ("2026-02-24", "2026-03-10")
    profile = await engine.store.profile(USER)
    assert profile is not None
    assert profile.surgery_days(TODAY) == DaysRange(10, 14)


async def test_a_patient_finds_their_country_by_its_first_letter(
    phone: Patient, engine: Engine, db_path: Path
) -> None:
    await phone.send("/start")
    await phone.press("✅ I agree, keep my diary")
    await phone.press("🌍 Another country")
    await phone.press("J")
    assert "Countries starting with J" in phone.last
    await phone.press("Japan")
    # Japan has one time zone: straight to the local time.
    assert "Emergency number: 119" in phone.last
    assert "Wed 03:30" in phone.last
    await phone.press("✅ Yes, that's right")
    for label in ("2024", "Sep", "12"):
        await phone.press(label)
    await finish(phone)
    row = stored_row(db_path)
    assert (row["country"], row["timezone"], row["surgery_day"]) == ("JP", "Asia/Tokyo", 12)


async def test_a_patient_who_leaves_at_the_zone_keeps_the_country(
    phone: Patient, db_path: Path, line: TelegramLine
) -> None:
    line.language_code = "en-US"
    await phone.send("/start")
    await phone.press("✅ I agree, keep my diary")
    await phone.press("✅ Yes, that's right")
    await phone.send("/cancel")
    row = stored_row(db_path)
    assert row["country"] == "US"
    assert row["details_asked_at"] is not None


JOINED_BEFORE = Profile(
    user_id=USER,
    consented_at=datetime(2025, 1, 5, 10, 0, tzinfo=UTC),
    surgery_year=2024,
    surgery_month=9,
    timezone="Europe/Berlin",
)


async def test_a_patient_from_before_gives_the_details_then_gets_the_diary(
    phone: Patient, engine: Engine, db_path: Path
) -> None:
    await engine.store.unit(engine.clock(), lambda s: s.save_profile(JOINED_BEFORE))
    await phone.send("/log")
    assert "Your country: Germany" in phone.last
    await phone.press("✅ Yes, that's right")
    await phone.press("✅ Yes, that's right")
    assert "On which day of Sep 2024?" in phone.last
    await phone.press("12")
    assert phone.last.startswith("Thank you")
    assert "BACK pain" in phone.last
    row = stored_row(db_path)
    assert (row["country"], row["timezone"], row["surgery_day"]) == ("DE", "Europe/Berlin", 12)
    assert row["details_asked_at"] == "2026-03-10T18:30:00+00:00"


async def test_a_patient_from_before_who_cancels_is_not_asked_again(
    phone: Patient, engine: Engine, db_path: Path
) -> None:
    await engine.store.unit(engine.clock(), lambda s: s.save_profile(JOINED_BEFORE))
    await phone.send("/log")
    assert "Your country: Germany" in phone.last
    await phone.send("/cancel")
    await phone.send("/log")
    assert "BACK pain" in phone.last
    row = stored_row(db_path)
    assert (row["country"], row["surgery_day"]) == (None, None)
    assert row["details_asked_at"] == "2026-03-10T18:30:00+00:00"
