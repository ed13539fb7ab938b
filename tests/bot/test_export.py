"""/export end to end: PDF, CSV and FHIR files, and a CSV that re-imports into a fresh account."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pypdf import PdfReader
from telegram import Update

from bot.console import run_console
from bot.engine import Engine, Reply, Who
from bot.telegram_bot import build_application
from flows.codes import Finding
from flows.models import Entry, NewEntry, Profile
from flows.router import Command
from flows.transfer import DocumentFile
from storage.repo import Session
from tests.clock import FakeClock
from tests.fakes import TOKEN, OfflineBotApi, callback_update, message_update

PAT = Who(user_id=51)
FRESH = Who(user_id=52)


def seed(session: Session, today: date) -> None:
    session.save_profile(
        Profile(
            user_id=PAT.user_id,
            consented_at=datetime(2025, 1, 1, tzinfo=UTC),
            display_name="J.D.",
            surgery_year=2024,
            surgery_month=6,
            levels=2,
            timezone="Europe/Berlin",
        )
    )
    for offset in range(40):
        day = today - timedelta(days=39 - offset)
        moment = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=19)
        session.add_entry(
            PAT.user_id,
            NewEntry(
                entry_date=day,
                recorded_at=moment,
                timezone="Europe/Berlin",
                back_pain=3 + offset % 3,
                leg_pain=offset % 2,
                symptoms=(Finding.MUSCLE_TIGHTNESS,) if offset % 5 == 0 else (),
                note="stairs, then rest" if offset == 39 else None,
            ),
        )


async def choose(engine: Engine, who: Who, reply: Reply, label: str) -> Reply:
    assert reply.screen is not None
    [button] = [b for row in reply.screen.buttons for b in row if label in b.label]
    return await engine.on_press(who, reply.button_data(button.value))


async def export(engine: Engine, period: str, fmt: str) -> Reply:
    reply = await engine.on_command(PAT, Command.EXPORT)
    reply = await choose(engine, PAT, reply, period)
    return await choose(engine, PAT, reply, fmt)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


async def test_pdf_export_has_the_summary_numbers(engine: Engine, clock: FakeClock) -> None:
    await engine.store.unit(clock(), lambda s: seed(s, clock().date()))
    reply = await export(engine, "Last 30 days", "PDF")
    assert reply.document is not None
    name, content = reply.document
    assert name == "backtrack-diary-2026-03-10.pdf"
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "J.D." in text
    assert "30 of 30" in text
    assert "not a diagnosis" in text.lower()
    assert "stairs, then rest" in text


async def test_csv_export_reimports_into_a_fresh_account(engine: Engine, clock: FakeClock) -> None:
    await engine.store.unit(clock(), lambda s: seed(s, clock().date()))
    reply = await export(engine, "Everything", "CSV")
    assert reply.document is not None
    name, content = reply.document
    assert name.endswith(".csv")
    await engine.store.unit(
        clock(),
        lambda s: s.save_profile(
            Profile(user_id=FRESH.user_id, consented_at=clock(), timezone="Europe/Berlin")
        ),
    )
    preview = await engine.on_document(
        FRESH, DocumentFile(filename=name, text=content.decode("utf-8"))
    )
    done = await choose(engine, FRESH, preview, "Import")
    assert "40 entries added" in done.notices[0].text

    def diary(who: Who) -> list[tuple[object, ...]]:
        return [
            (e.entry_date, e.recorded_at, e.timezone, e.back_pain, e.leg_pain, e.symptoms, e.note)
            for e in entries[who.user_id]
        ]

    entries: dict[int, list[Entry]] = {}
    for who in (PAT, FRESH):
        entries[who.user_id] = list(
            await engine.store.entries_between(who.user_id, date.min, date(2026, 12, 31))
        )
    assert diary(FRESH) == diary(PAT)


async def test_fhir_export_is_a_bundle_of_the_period(engine: Engine, clock: FakeClock) -> None:
    await engine.store.unit(clock(), lambda s: seed(s, clock().date()))
    reply = await export(engine, "Last 30 days", "FHIR")
    assert reply.document is not None
    name, content = reply.document
    assert name.endswith(".fhir.json")
    bundle = json.loads(content)
    assert bundle["resourceType"] == "Bundle"
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("QuestionnaireResponse") == 30
    [patient] = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    ]
    # The Telegram id is never a value anywhere in the Patient (random ids may contain "51").
    values = json.dumps(patient).replace(" ", "")
    assert ':"51"' not in values
    assert ":51," not in values
    assert ":51}" not in values


async def test_export_without_entries_says_so(engine: Engine, clock: FakeClock) -> None:
    await engine.store.unit(
        clock(), lambda s: s.save_profile(Profile(user_id=PAT.user_id, consented_at=clock()))
    )
    reply = await export(engine, "Last 30 days", "PDF")
    assert reply.document is None
    assert reply.screen is not None
    assert "nothing to export" in reply.screen.text


async def test_export_in_telegram_sends_a_document(engine: Engine, clock: FakeClock) -> None:
    await engine.store.unit(clock(), lambda s: seed(s, clock().date()))
    api = OfflineBotApi()
    app = build_application(TOKEN, engine, request=api, rate_limit=False)
    async with app:
        await app.process_update(
            Update.de_json(message_update(1, PAT.user_id, "/export"), app.bot)
        )
        for update_id, label in ((2, "Last 90 days"), (3, "📊 CSV spreadsheet")):
            data = dict(api.last_keyboard())[label]
            await app.process_update(
                Update.de_json(callback_update(update_id, PAT.user_id, data), app.bot)
            )
    methods = [c.method for c in api.calls]
    assert methods[-3:] == ["answerCallbackQuery", "editMessageText", "sendDocument"]


def saved_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def test_console_export_writes_the_file_and_prints_where(
    engine: Engine, clock: FakeClock, tmp_path: Path
) -> None:
    await engine.store.unit(clock(), lambda s: seed(s, clock().date()))
    files = tmp_path / "files"
    out = io.StringIO()
    await run_console(engine, PAT.user_id, io.StringIO("/export\n3\n1\n"), out, files=files)
    assert saved_files(files) == ["backtrack-diary-2026-03-10.pdf"]
    assert f"Saved to {(files / 'backtrack-diary-2026-03-10.pdf').resolve()}" in out.getvalue()
