"""Importing a CSV through the engine and Telegram: all or nothing, never twice."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

from telegram import Update

from bot.console import run_console
from bot.engine import Engine, Who
from bot.telegram_bot import build_application
from flows.models import Profile
from flows.transfer import DocumentFile
from tests.bot.test_telegram import USER
from tests.fakes import TOKEN, OfflineBotApi, callback_update, message_update

PAT = Who(user_id=USER)
CSV = "date,time,back_pain,leg_pain,symptoms,note\n2026-02-01,20:15,5,2,,first\n" + "".join(
    f"2026-02-{d:02d},20:00,{d % 7},1,,\n" for d in range(2, 20)
)


async def consent(engine: Engine) -> None:
    await engine.store.unit(
        engine.clock(),
        lambda s: s.save_profile(
            Profile(user_id=USER, consented_at=datetime(2026, 1, 1, tzinfo=UTC), country="GB")
        ),
    )


async def import_file(engine: Engine, text: str) -> str:
    reply = await engine.on_document(PAT, DocumentFile(filename="d.csv", text=text))
    assert reply.screen is not None
    [confirm] = [b for row in reply.screen.buttons for b in row if b.label == "✅ Import"]
    done = await engine.on_press(PAT, reply.button_data(confirm.value))
    return "\n".join(n.text for n in done.notices)


async def test_import_twice_adds_the_entries_once(engine: Engine) -> None:
    await consent(engine)
    assert "19 entries added, 0 already in your diary" in await import_file(engine, CSV)
    assert "0 entries added, 19 already in your diary" in await import_file(engine, CSV)
    entries = await engine.store.entries_between(USER, date(2026, 1, 1), date(2026, 3, 1))
    assert len(entries) == 19
    assert entries[0].note == "first"


async def test_another_users_press_on_a_preview_imports_nothing(engine: Engine) -> None:
    await consent(engine)
    reply = await engine.on_document(PAT, DocumentFile(filename="d.csv", text=CSV))
    assert reply.screen is not None
    other = await engine.on_press(Who(user_id=USER + 1), reply.button_data("confirm"))
    assert other.verdict.value == "stale"
    entries = await engine.store.entries_between(USER, date(2026, 1, 1), date(2026, 3, 1))
    assert entries == []


async def test_upload_in_telegram_previews_and_imports(engine: Engine) -> None:
    await consent(engine)
    api = OfflineBotApi()
    api.files["doc1"] = CSV.encode("utf-8-sig")
    app = build_application(TOKEN, engine, request=api, rate_limit=False)
    async with app:
        upload = message_update(
            10,
            USER,
            None,
            extra={
                "document": {
                    "file_id": "doc1",
                    "file_unique_id": "doc1",
                    "file_name": "diary.csv",
                    "mime_type": "text/csv",
                    "file_size": len(api.files["doc1"]),
                }
            },
        )
        await app.process_update(Update.de_json(upload, app.bot))
        assert "I found 19 entries from 2026-02-01 to 2026-02-19." in api.texts()[-1]
        keyboard = dict(api.last_keyboard())
        await app.process_update(
            Update.de_json(callback_update(11, USER, keyboard["✅ Import"]), app.bot)
        )
        assert "19 entries added" in api.texts()[-1]
        big = message_update(
            12,
            USER,
            None,
            extra={
                "document": {
                    "file_id": "big",
                    "file_unique_id": "big",
                    "file_name": "big.csv",
                    "file_size": 6_000_000,
                }
            },
        )
        await app.process_update(Update.de_json(big, app.bot))
        assert "too large" in api.texts()[-1]
        assert [c.method for c in api.calls].count("getFile") == 1
    entries = await engine.store.entries_between(USER, date(2026, 1, 1), date(2026, 3, 1))
    assert len(entries) == 19


def write_csv(folder: Path) -> Path:
    path = folder / "d.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


async def test_console_import_reads_a_path(engine: Engine, tmp_path: Path) -> None:
    await consent(engine)
    path = write_csv(tmp_path)
    out = io.StringIO()
    await run_console(engine, USER, io.StringIO(f"/import {path}\n1\n"), out)
    assert "I found 19 entries" in out.getvalue()
    assert "19 entries added" in out.getvalue()
