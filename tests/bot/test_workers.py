"""Charts and export files are made in worker processes; a worker that dies costs one file."""

from __future__ import annotations

import asyncio
import os
import time

import pytest
from telegram import Update

from bot.engine import Engine
from bot.telegram_bot import build_application
from bot.workers import JOBS_PER_POOL, WorkerError, Workers
from storage.sqlite.db import Database
from storage.sqlite.store import Store
from tests.bot.test_export import PAT, export, export_in_telegram, pdf_text, seed
from tests.clock import FakeClock
from tests.fakes import TOKEN, OfflineBotApi, message_update


async def test_a_pdf_is_made_in_another_process_and_a_dead_worker_is_replaced(
    db: Database, clock: FakeClock
) -> None:
    workers = Workers(processes=1)
    try:
        assert await workers.run(os.getpid) != os.getpid()
        with pytest.raises(WorkerError):
            # What the kernel's out-of-memory killer does to a worker.
            await workers.run(os._exit, 9)
        engine = Engine(Store(db), clock, workers)
        await engine.store.unit(clock(), lambda s: seed(s, clock().date()))
        reply = await export(engine, "Last 30 days", "PDF")
        assert reply.document is not None
        assert "stairs, then rest" in pdf_text(reply.document[1])
        # Many patients at once, past the point where the pool is renewed: every job is done.
        pids = await asyncio.gather(*(workers.run(os.getpid) for _ in range(JOBS_PER_POOL + 5)))
        assert len(set(pids)) == 2
    finally:
        workers.close()


async def test_a_file_that_takes_too_long_does_not_hold_the_files_after_it() -> None:
    workers = Workers(processes=1, timeout=1.0)
    try:
        with pytest.raises(WorkerError):
            await workers.run(time.sleep, 60)
        # A new worker answers; the stuck one was stopped, not waited for.
        assert await asyncio.wait_for(workers.run(os.getpid), timeout=30) != os.getpid()
    finally:
        workers.close()


async def test_a_file_that_cannot_be_made_is_explained_and_the_patient_can_go_on(
    db: Database, clock: FakeClock
) -> None:
    # No worker answers within no time at all: what a stuck or overloaded worker looks like.
    engine = Engine(Store(db), clock, Workers(processes=0, timeout=0.0))
    await engine.store.unit(clock(), lambda s: seed(s, clock().date()))
    api = OfflineBotApi()
    app = build_application(TOKEN, engine, request=api, rate_limit=False)
    async with app:
        await export_in_telegram(app, api, "Last 90 days", "📄 PDF to read")
        await app.process_update(Update.de_json(message_update(4, PAT.user_id, "/log"), app.bot))
    assert "sendDocument" not in [c.method for c in api.calls]
    texts = api.texts()
    assert any("couldn't make the file" in text for text in texts)
    # The diary goes on: /log answers (the day already has an entry, so it asks which day).
    assert "You already have an entry today. Which day is this one for?" in texts[-1]
    saved = await db.run(lambda conn: conn.execute("SELECT count(*) FROM entries").fetchone()[0])
    assert saved == 40


async def test_a_pdf_of_a_huge_diary_lists_the_latest_entries_and_says_so(
    db: Database, clock: FakeClock
) -> None:
    # The bot lists 2,000; 25 of the 40 entries here make the same case, quicker.
    engine = Engine(Store(db), clock, pdf_entry_rows=25)
    await engine.store.unit(clock(), lambda s: seed(s, clock().date()))
    reply = await export(engine, "Everything", "PDF")
    assert reply.screen is not None
    assert "Your diary has 40 entries in this period: the PDF lists the latest 25" in (
        reply.screen.text
    )
    assert "export a CSV file" in reply.screen.text
    assert reply.document is not None
    text = pdf_text(reply.document[1])
    assert "This period holds 40 entries; the latest 25 are listed" in text
    rows = text.split("All diary entries in this period")[-1]
    # Oldest first from the 16th entry on (the seed's days run 2026-01-30 to 2026-03-10).
    assert "2026-02-14" in rows
    assert "2026-02-13" not in rows
    assert "stairs, then rest" in rows


async def test_a_file_too_large_for_telegram_is_not_sent_and_the_patient_is_told_what_to_do(
    db: Database, clock: FakeClock
) -> None:
    # Telegram's limit is 50 MB; 40 entries as FHIR make about 0.1 MB, over a limit of 20 kB.
    engine = Engine(Store(db), clock, max_document_bytes=20_000)
    await engine.store.unit(clock(), lambda s: seed(s, clock().date()))
    api = OfflineBotApi()
    app = build_application(TOKEN, engine, request=api, rate_limit=False)
    async with app:
        await export_in_telegram(app, api, "Last 90 days", "🏥 FHIR file")
    assert "sendDocument" not in [c.method for c in api.calls]
    assert "more than Telegram lets me send (0.1 MB)" in api.texts()[-1]
    assert "a CSV file, which holds every entry" in api.texts()[-1]
    # The CSV of the same period is small enough, and goes.
    csv = await export(engine, "Last 90 days", "CSV")
    assert csv.document is not None
