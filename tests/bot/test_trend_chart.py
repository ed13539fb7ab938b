"""/trend: a real chart image with a two-line summary, in the engine, Telegram and console."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot.console import run_console
from bot.engine import Engine
from bot.reply import Who
from flows.dialogs.router import Command
from flows.records.models import NewEntry, Profile
from flows.records.treatment import TreatmentEvent, TreatmentKind
from storage.ports import Session
from tests.clock import FakeClock
from tests.fakes import TOKEN, OfflineBotApi, callback_update, message_update

PAT = Who(user_id=41)
PNG = b"\x89PNG\r\n\x1a\n"


def seed(session: Session, today: date, days: int = 60) -> None:
    session.save_profile(
        Profile(user_id=PAT.user_id, consented_at=datetime(2025, 1, 1, tzinfo=UTC), country="GB")
    )
    for offset in range(days):
        day = today - timedelta(days=days - 1 - offset)
        back = 3 if offset < days - 10 else 6
        moment = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=19)
        session.add_entry(
            PAT.user_id,
            NewEntry(
                entry_date=day, recorded_at=moment, timezone="UTC", back_pain=back, leg_pain=2
            ),
        )


async def test_trend_sends_a_chart_and_a_summary(engine: Engine, clock: FakeClock) -> None:
    await engine.store.unit(clock(), lambda s: seed(s, clock().date()))
    reply = await engine.on_command(PAT, Command.TREND)
    assert reply.chart_png is not None
    assert reply.chart_png.startswith(PNG)
    assert len(reply.chart_png) > 10_000
    assert reply.screen is not None
    assert "last 30 days" in reply.screen.text
    lines = reply.screen.text.split("\n\n", 1)[1].splitlines()
    assert len(lines) == 2
    assert "Back pain" in lines[0] or "back pain" in lines[0].lower()
    labels = reply.screen.labels()
    assert labels[:3] == ["• 30 days", "90 days", "All"]
    [ninety] = [b for row in reply.screen.buttons for b in row if b.label == "90 days"]
    wider = await engine.on_press(PAT, reply.button_data(ninety.value))
    assert wider.chart_png is not None
    assert wider.chart_png != reply.chart_png
    assert wider.screen is not None
    assert "last 90 days" in wider.screen.text


async def test_a_first_day_is_charted_and_each_period_is_its_own_chart(
    engine: Engine, clock: FakeClock
) -> None:
    await engine.store.unit(clock(), lambda s: seed(s, clock().date(), days=1))
    month = await engine.on_command(PAT, Command.TREND)
    assert month.chart_png is not None
    assert month.chart_png.startswith(PNG)
    assert month.screen is not None
    charts, reply = {"30 days": month.chart_png}, month
    for label in ("90 days", "All"):
        assert reply.screen is not None
        [period] = [b for row in reply.screen.buttons for b in row if b.label == label]
        reply = await engine.on_press(PAT, reply.button_data(period.value))
        assert reply.chart_png is not None
        charts[label] = reply.chart_png
    # One day fits in every period, yet each chart shows its own span and title.
    assert len(set(charts.values())) == 3


async def test_trend_without_entries_says_so(engine: Engine, clock: FakeClock) -> None:
    await engine.store.unit(
        clock(),
        lambda s: s.save_profile(Profile(user_id=PAT.user_id, consented_at=clock(), country="GB")),
    )
    reply = await engine.on_command(PAT, Command.TREND)
    assert reply.chart_png is None
    assert reply.screen is not None
    assert "no diary entries to chart yet" in reply.screen.text


@pytest.fixture
async def telegram(engine: Engine) -> AsyncIterator[tuple[Any, OfflineBotApi]]:
    from bot.telegram_bot import build_application

    api = OfflineBotApi()
    app = build_application(TOKEN, engine, request=api, rate_limit=False)
    async with app:
        yield app, api


async def test_trend_in_telegram_sends_a_photo_and_edits_it_in_place(
    engine: Engine, clock: FakeClock, telegram: tuple[Any, OfflineBotApi]
) -> None:
    app, api = telegram
    await engine.store.unit(clock(), lambda s: seed(s, clock().date()))
    await app.process_update(Update.de_json(message_update(1, PAT.user_id, "/trend"), app.bot))
    [photo] = api.sent("sendPhoto")
    assert "last 30 days" in photo["caption"]
    markup = photo["reply_markup"]
    data = {b["text"]: b["callback_data"] for row in markup["inline_keyboard"] for b in row}
    press = callback_update(2, PAT.user_id, data["All"])
    press["callback_query"]["message"]["photo"] = [
        {"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}
    ]
    del press["callback_query"]["message"]["text"]
    await app.process_update(Update.de_json(press, app.bot))
    methods = [c.method for c in api.calls]
    assert methods[-2:] == ["answerCallbackQuery", "editMessageMedia"]


def saved_chart(folder: Path) -> tuple[Path, bytes]:
    [saved] = list(folder.glob("trend-41-*.png"))
    return saved.resolve(), saved.read_bytes()


async def test_console_saves_the_chart_and_prints_where(
    engine: Engine, clock: FakeClock, tmp_path: Path
) -> None:
    await engine.store.unit(clock(), lambda s: seed(s, clock().date()))
    out = io.StringIO()
    await run_console(engine, PAT.user_id, io.StringIO("/trend\n"), out, files=tmp_path)
    saved, content = saved_chart(tmp_path / f"user-{PAT.user_id}")
    assert content.startswith(PNG)
    assert f"Saved to {saved}" in out.getvalue()


def png_size(png: bytes) -> tuple[int, int]:
    """A PNG's width and height in pixels, from its header."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


async def test_trend_marks_an_event_with_a_footnote_under_the_chart(
    engine: Engine, clock: FakeClock
) -> None:
    await engine.store.unit(clock(), lambda s: seed(s, clock().date()))
    plain = await engine.on_command(PAT, Command.TREND)
    injection = TreatmentEvent(
        event_date=clock().date() - timedelta(days=12),
        kind=TreatmentKind.INJECTION,
        recorded_at=clock(),
        detail="L4-5",
    )
    await engine.store.unit(clock(), lambda s: s.add_treatment_event(PAT.user_id, injection))
    marked = await engine.on_command(PAT, Command.TREND)
    assert plain.chart_png is not None
    assert marked.chart_png is not None
    assert marked.chart_png.startswith(PNG)
    width, height = png_size(marked.chart_png)
    # As wide as before; taller by the footnote that names the mark.
    assert width == png_size(plain.chart_png)[0]
    assert height > png_size(plain.chart_png)[1]
