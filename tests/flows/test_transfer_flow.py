"""/export choices and /import checking, preview and confirmation."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flows.core import ExportRequest, ImportEntries
from flows.router import Command, on_document
from flows.transfer import MAX_IMPORT_ROWS, DocumentFile, ImportState
from tests.flows.driver import FlowDriver

NOW = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)
CSV = (
    "date,time,back_pain,leg_pain,symptoms,note\n"
    "2026-02-01,20:15,5,2,,first\n"
    "2026-02-02,,12,2,,out of range\n"
    '2026-02-03,21:00,4,,muscle_tightness;fever,"a note, with a comma"\n'
    "2026-02-04,08:00,3,1,not_a_code,\n"
)


def test_export_asks_period_then_format_and_names_the_file() -> None:
    driver = FlowDriver(NOW, consented=True)
    driver.command(Command.EXPORT)
    driver.press("Last 90 days")
    driver.press("PDF")
    assert driver.state is None
    assert driver.screen is not None
    assert driver.screen.export == ExportRequest(days=90, format="pdf")


def test_export_back_returns_to_the_period() -> None:
    driver = FlowDriver(NOW, consented=True)
    driver.command(Command.EXPORT)
    driver.press("Everything")
    driver.press("Back")
    assert "Which period?" in driver.text


def send(driver: FlowDriver, document: DocumentFile) -> None:
    state = driver.state
    decision = on_document(state, document, driver.ctx)
    driver._take(decision)


def test_import_previews_rows_and_skipped_lines_then_saves_on_confirm() -> None:
    driver = FlowDriver(NOW, consented=True)
    driver.command(Command.IMPORT)
    assert "CSV file" in driver.text
    send(driver, DocumentFile(filename="d.csv", text=CSV))
    assert "I found 2 entries from 2026-02-01 to 2026-02-03." in driver.text
    assert "2 rows will be skipped" in driver.text
    assert "line 3: back_pain 12 is out of range" in driver.text
    assert "line 5" in driver.text
    assert "not_a_code" in driver.text
    assert driver.effects == []
    driver.press("Import")
    [imported] = [e for e in driver.effects if isinstance(e, ImportEntries)]
    first, second = imported.entries
    assert (first.entry_date, first.back_pain, first.leg_pain, first.note) == (
        date(2026, 2, 1),
        5,
        2,
        "first",
    )
    assert first.recorded_at == datetime(2026, 2, 1, 20, 15, tzinfo=UTC)
    assert second.note == "a note, with a comma"
    assert [str(s) for s in second.symptoms] == ["muscle_tightness", "fever"]


def test_a_file_sent_without_import_starts_one() -> None:
    driver = FlowDriver(NOW, consented=True)
    send(driver, DocumentFile(filename="d.csv", text=CSV))
    assert isinstance(driver.state, ImportState)
    assert "Import now?" in driver.text


def test_unreadable_large_and_empty_files_get_a_clear_answer() -> None:
    driver = FlowDriver(NOW, consented=True)
    driver.command(Command.IMPORT)
    send(driver, DocumentFile(filename="big.csv", problem="too_large"))
    assert "too large (the limit is 5 MB)" in driver.text
    send(driver, DocumentFile(filename="x.bin", problem="not_text"))
    assert "UTF-8" in driver.text
    send(driver, DocumentFile(filename="e.csv", text="date,back_pain\n"))
    assert "no entries I could import" in driver.text
    rows = "date,back_pain\n" + "2026-01-01,3\n" * (MAX_IMPORT_ROWS + 1)
    send(driver, DocumentFile(filename="many.csv", text=rows))
    assert f"more than {MAX_IMPORT_ROWS} rows" in driver.text
    assert driver.effects == []


def test_a_malformed_header_is_reported() -> None:
    driver = FlowDriver(NOW, consented=True)
    driver.command(Command.IMPORT)
    send(driver, DocumentFile(filename="h.csv", text="day,pain\n2026-01-01,3\n"))
    assert "line 1" in driver.text
