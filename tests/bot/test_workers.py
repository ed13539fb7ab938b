"""Charts and export files are made in worker processes; a worker that dies costs one file."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader
from telegram import Update

from bot.engine import Engine
from bot.exports import PDF_ENTRY_ROWS
from bot.telegram_bot import build_application
from bot.workers import WorkerError, Workers
from flows.models import NewEntry
from storage.db import Database
from storage.repo import Session, Store
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
    assert "for today, or for yesterday" in texts[-1]
    saved = await engine.store.read(
        lambda s: s.conn.execute("SELECT count(*) FROM entries").fetchone()[0]
    )
    assert saved == 40


def many_entries(session: Session, count: int) -> None:
    seed(session, datetime(2026, 3, 10, tzinfo=UTC).date())
    start = datetime(2020, 1, 1, 8, tzinfo=UTC)
    for i in range(count - 40):
        moment = start + timedelta(hours=8 * i)
        session.add_entry(
            PAT.user_id,
            NewEntry(
                entry_date=moment.date(),
                recorded_at=moment,
                timezone="Europe/Berlin",
                back_pain=i % 11,
                leg_pain=None,
                symptoms=(),
                note=None,
            ),
        )


async def test_a_pdf_of_a_huge_diary_lists_the_latest_entries_and_says_so(
    engine: Engine, clock: FakeClock
) -> None:
    await engine.store.unit(clock(), lambda s: many_entries(s, PDF_ENTRY_ROWS + 41))
    reply = await export(engine, "Everything", "PDF")
    assert reply.screen is not None
    assert f"the PDF lists the latest {PDF_ENTRY_ROWS}" in reply.screen.text
    assert "export a CSV file" in reply.screen.text
    assert reply.document is not None
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(reply.document[1])).pages]
    [table_start] = [text for text in pages if "This period holds" in text]
    assert f"This period holds {PDF_ENTRY_ROWS + 41} entries" in table_start
    # Oldest first, from the 42nd entry (15 January 2020) on; the newest closes the table.
    rows = table_start.split("All diary entries in this period")[-1]
    assert "2020-01-15 01:00" in rows
    assert "2020-01-14" not in rows
    assert "stairs, then rest" in pages[-1]


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
