"""`backtrack assess`: exit status, the JSON contract, and malformed or missing files."""

from __future__ import annotations

import argparse
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot import assess_cmd
from flows.records.diary_csv import DiaryRow, write_diary
from flows.records.treatment import TreatmentEvent, TreatmentKind

DIARIES = Path(__file__).resolve().parents[1] / "data" / "diaries"
HEADER = "date,time,back_pain,leg_pain,symptoms,note\n"


def assess(*argv: str, now: datetime | None = None) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="backtrack assess")
    assess_cmd.configure(parser)
    out, err = io.StringIO(), io.StringIO()
    status = assess_cmd.run(parser.parse_args(list(argv)), out, err, now=now)
    return status, out.getvalue(), err.getvalue()


def test_json_has_the_design_shape() -> None:
    status, out, err = assess(str(DIARIES / "diary_031.csv"), "--json")
    assert (status, err) == (0, "")
    payload = json.loads(out)
    assert set(payload) == {"alerts", "entries", "first_date", "last_date"}
    assert payload["entries"] == 134
    assert (payload["first_date"], payload["last_date"]) == ("2025-07-27", "2026-01-03")
    for alert in payload["alerts"]:
        assert set(alert) == {"date", "tier", "kind", "reason"}
        assert alert["tier"] in {"emergency", "urgent", "soon", "routine"}
    flags = [a for a in payload["alerts"] if a["kind"] == "red_flag"]
    assert [(a["date"], a["tier"]) for a in flags] == [("2025-10-30", "emergency")]


def test_a_worsening_diary_lists_its_alerts_in_words() -> None:
    status, out, err = assess(str(DIARIES / "diary_004.csv"), "--surgery-date", "2023-01-20")
    assert (status, err) == (0, "")
    assert "111 entries from 2025-04-15 to 2025-08-23" in out
    assert "Surgery date: 2023-01-20" in out
    assert "rapid_rise" in out
    assert "Your leg pain went up from an average of" in out
    assert "Trend on 2025-08-23:" in out
    assert "Leg pain: higher than your usual level" in out


def test_a_quiet_diary_says_no_alerts_and_asks_for_the_surgery_date() -> None:
    status, out, _ = assess(str(DIARIES / "diary_002.csv"))
    assert status == 0
    assert "No alerts" in out
    assert "--surgery-date" in out


def test_malformed_rows_are_listed_with_line_numbers_and_nothing_is_printed(
    tmp_path: Path,
) -> None:
    diary = tmp_path / "diary.csv"
    diary.write_text(HEADER + "2026-03-01,,3,2,,\n2026-03-02,,12,2,,\n2026-03-03,,3,2,flu,\n")
    status, out, err = assess(str(diary), "--json")
    assert (status, out) == (2, "")
    assert err.splitlines() == [
        f"{diary}: line 4: symptom 'flu' not understood",
        f"{diary}: line 3: back_pain 12 is out of range 0–10",
    ]


def test_labels_are_read_and_an_unknown_symptom_is_an_error_naming_its_line(
    tmp_path: Path,
) -> None:
    rows = "".join(f"2026-02-{day:02d},20:00,3,2,,\n" for day in range(1, 22))
    symptoms = ("Pain down one leg", "pain_one_leg", "", "", "")
    rising = "".join(
        f"2026-02-{day:02d},20:00,3,7,{symptom},\n"
        for day, symptom in zip(range(22, 27), symptoms, strict=True)
    )
    diary = tmp_path / "diary.csv"
    diary.write_text(HEADER + rows + rising)
    now = datetime(2026, 3, 1, tzinfo=UTC)
    status, out, err = assess(str(diary), "--json", now=now)
    assert (status, err) == (0, "")
    payload = json.loads(out)
    assert payload["entries"] == 26
    assert [(a["date"], a["kind"]) for a in payload["alerts"]] == [("2026-02-24", "rapid_rise")]

    diary.write_text(HEADER + rows + rising.replace("Pain down one leg", "muscle_spasm"))
    status, out, err = assess(str(diary), "--json", now=now)
    assert (status, out) == (2, "")
    assert err.splitlines() == [f"{diary}: line 23: symptom 'muscle_spasm' not understood"]


def test_a_missing_file_is_one_clear_line(tmp_path: Path) -> None:
    status, out, err = assess(str(tmp_path / "nope.csv"))
    assert (status, out) == (2, "")
    assert err == f"error: diary file not found: {tmp_path / 'nope.csv'}\n"


def test_a_file_that_is_not_text_is_one_clear_line(tmp_path: Path) -> None:
    diary = tmp_path / "diary.csv"
    diary.write_bytes(b"\xff\xfe\x00binary")
    status, out, err = assess(str(diary))
    assert (status, out) == (2, "")
    assert err.count("\n") == 1
    assert "not a UTF-8 text file" in err


def test_a_header_only_diary_has_no_entries(tmp_path: Path) -> None:
    diary = tmp_path / "diary.csv"
    diary.write_text(HEADER)
    status, out, _ = assess(str(diary), "--json")
    assert status == 0
    assert json.loads(out) == {"alerts": [], "entries": 0, "first_date": None, "last_date": None}
    assert assess(str(diary))[1].strip() == f"{diary}: no entries, nothing to assess."


def test_a_bad_surgery_date_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        assess(str(DIARIES / "diary_000.csv"), "--surgery-date", "March 2024")
    assert exit_info.value.code == 2
    assert "not a date (use YYYY-MM-DD)" in capsys.readouterr().err


# 10:30 on 10 March in Los Angeles, already 08:30 on 11 March in Kiritimati (UTC+14).
NOW = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)


def diary_with(folder: Path, *days: str) -> Path:
    diary = folder / "diary.csv"
    diary.write_text(HEADER + "".join(f"{day},23:59,3,2,,\n" for day in days))
    return diary


def test_a_date_that_is_today_somewhere_is_taken_and_a_later_one_is_not(tmp_path: Path) -> None:
    status, out, err = assess(str(diary_with(tmp_path, "2026-03-11")), "--json", now=NOW)
    assert (status, err) == (0, "")
    assert json.loads(out)["last_date"] == "2026-03-11"
    diary = diary_with(tmp_path, "2026-03-10", "2026-03-12", "9999-12-31")
    status, out, err = assess(str(diary), "--json", now=NOW)
    assert (status, out) == (2, "")
    assert err.splitlines() == [
        f"{diary}: line 3: date 2026-03-12 is in the future; the latest date I can take is "
        "2026-03-11",
        f"{diary}: line 4: date 9999-12-31 is in the future; the latest date I can take is "
        "2026-03-11",
    ]


def test_the_real_clock_refuses_a_date_two_days_ahead(tmp_path: Path) -> None:
    ahead = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    status, out, err = assess(str(diary_with(tmp_path, "2026-03-01", ahead)))
    assert (status, out) == (2, "")
    assert f"line 3: date {ahead} is in the future" in err


def test_the_floor_is_five_years_before_the_surgery_year_or_1990(tmp_path: Path) -> None:
    diary = diary_with(tmp_path, "2019-01-01", "2018-12-31")
    status, out, err = assess(str(diary), "--surgery-date", "2024-06-15", now=NOW)
    assert (status, out) == (2, "")
    assert err.splitlines() == [
        f"{diary}: line 3: date 2018-12-31 is too long before your operation; I can take "
        "entries from 2019-01-01 on (5 years before the year of the operation)"
    ]
    diary = diary_with(tmp_path, "1990-01-01", "0001-01-01")
    status, out, err = assess(str(diary), now=NOW)
    assert (status, out) == (2, "")
    assert err.splitlines() == [
        f"{diary}: line 3: date 0001-01-01 is too long ago; I can take entries from 1990-01-01 "
        "on, or from 5 years before your operation once its year is set in /settings",
        "(with --surgery-date, entries from 1 January 5 years before its year on are taken)",
    ]
    status, out, _ = assess(str(diary_with(tmp_path, "1990-01-01", "2019-01-01")), now=NOW)
    assert status == 0
    assert "2 entries from 1990-01-01 to 2019-01-01" in out


def test_a_surgery_date_after_the_diary_is_pointed_out(tmp_path: Path) -> None:
    diary = tmp_path / "diary.csv"
    diary.write_text(HEADER + "2026-03-01,,3,2,,\n2026-03-02,,4,2,,\n")
    now = datetime(2026, 3, 10, tzinfo=UTC)
    status, out, err = assess(str(diary), "--surgery-date", "2026-06-01", now=now)
    assert status == 0
    assert err == (
        f"{diary}: the surgery date 2026-06-01 is after the diary's last entry (2026-03-02): "
        "every entry is from before the operation\n"
    )
    assert "Surgery date: 2026-06-01" in out
    status, _, err = assess(str(diary), "--surgery-date", "2026-03-02", now=now)
    assert (status, err) == (0, "")


def test_an_injection_in_the_file_is_named_by_the_alert_after_it(tmp_path: Path) -> None:
    first = date(2026, 1, 1)
    stable = (3, 4, 3, 3, 4, 3, 2, 3, 4, 3, 3, 4, 3, 3, 4, 3, 3, 2, 3, 4, 3)
    rows = [
        DiaryRow(entry_date=first + timedelta(days=i), back_pain=b, leg_pain=1)
        for i, b in enumerate((*stable, 7, 7, 7))
    ]
    injected = date(2026, 1, 13)
    event = TreatmentEvent(
        event_date=injected,
        kind=TreatmentKind.INJECTION,
        recorded_at=datetime(2026, 1, 13, 9, tzinfo=UTC),
    )
    path = tmp_path / "diary.csv"
    path.write_text(write_diary(rows, events=[event]), encoding="utf-8")
    status, out, err = assess(str(path), now=datetime(2026, 2, 1, tzinfo=UTC))
    assert (status, err) == (0, "")
    assert "Treatment in the file: 0 medicine change(s), 1 treatment event(s)" in out
    assert "This is 11 days since the injection on Tue 13 Jan." in out
    status, out, err = assess(str(path), "--json", now=datetime(2026, 2, 1, tzinfo=UTC))
    [alert] = json.loads(out)["alerts"]
    assert alert["reason"].endswith("This is 11 days since the injection on Tue 13 Jan.")
    # The same diary without its event: the same alert, naming nothing.
    path.write_text(write_diary(rows), encoding="utf-8")
    status, out, err = assess(str(path), "--json", now=datetime(2026, 2, 1, tzinfo=UTC))
    [plain] = json.loads(out)["alerts"]
    assert alert["reason"].startswith(plain["reason"])
    assert "injection" not in plain["reason"]


def test_a_broken_treatment_cell_is_an_error_as_an_unknown_code_is(tmp_path: Path) -> None:
    path = tmp_path / "diary.csv"
    path.write_text(
        'date,back_pain,treatment_events\n2026-01-01,3,"[{""date"": ""x""}]"\n',
        encoding="utf-8",
    )
    status, _, err = assess(str(path), now=datetime(2026, 2, 1, tzinfo=UTC))
    assert status == 2
    assert "line 2: treatment_events" in err
