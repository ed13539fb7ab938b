"""`backtrack assess`: replay a diary CSV day by day and report every alert the bot would send."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import TextIO

from flows.clinical.trends import (
    Alert,
    TreatmentHistory,
    assess_day,
    replay,
    status_text,
    to_assess_json,
)
from flows.records.diary_csv import YEARS_BEFORE_SURGERY, date_window, parse_diary

LANGUAGE = "en"
# The command does not know the patient's time zone, so a diary may end on a date that is
# already today somewhere: the latest is today in UTC+14 (Kiritimati), the first zone to it.
LATEST_ZONE = timezone(timedelta(hours=14))


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (use YYYY-MM-DD): {text!r}") from None


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the assess arguments to a parser."""
    parser.add_argument("diary", type=Path, metavar="DIARY.csv", help="a diary CSV file")
    parser.add_argument(
        "--surgery-date",
        type=_date,
        metavar="YYYY-MM-DD",
        help="the date of the operation, for the red flags that depend on time since surgery",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def _read(path: Path, err: TextIO) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        print(f"error: diary file not found: {path}", file=err)
    except UnicodeDecodeError:
        print(f"error: {path} is not a UTF-8 text file", file=err)
    except OSError as error:
        print(f"error: cannot read {path}: {error.strerror or error}", file=err)
    return None


def _alert_line(alert: Alert) -> str:
    return f"{alert.day.isoformat()}  {alert.tier.value:<9}  {alert.kind.value:<19}  " + (
        alert.reason(LANGUAGE)
    )


def _text(
    path: Path,
    surgery_date: date | None,
    alerts: list[Alert],
    payload: dict[str, object],
    summary: str,
    treatment: TreatmentHistory,
) -> str:
    entries = payload["entries"]
    if not entries:
        return f"{path}: no entries, nothing to assess."
    lines = [f"{path}: {entries} entries from {payload['first_date']} to {payload['last_date']}"]
    if surgery_date is None:
        lines.append(
            "Surgery date not given: red flags that depend on the time since surgery are not "
            "checked (use --surgery-date)."
        )
    else:
        lines.append(f"Surgery date: {surgery_date.isoformat()}")
    if treatment.events or treatment.changes:
        # A trend alert names the change it came after, as the bot's message does.
        lines.append(
            f"Treatment in the file: {len(treatment.changes)} medicine change(s), "
            f"{len(treatment.events)} treatment event(s)"
        )
    lines.append("")
    if alerts:
        lines.append(f"{len(alerts)} alert(s) the bot would have sent:")
        lines += [_alert_line(alert) for alert in alerts]
    else:
        lines.append("No alerts: the bot would not have sent any trend or red-flag prompt.")
    lines += ["", f"Trend on {payload['last_date']}:", summary]
    return "\n".join(lines)


def run(args: argparse.Namespace, out: TextIO, err: TextIO, *, now: datetime | None = None) -> int:
    """Replay the diary; 0 on success, 2 for a missing, unreadable or malformed file.

    A symptom that is neither a code nor one of the bot's labels is named with its line and
    makes the status 2 (DESIGN.md: an unknown code is never ignored); the bot's /import keeps
    such a row without it, and says so.
    """
    path: Path = args.diary
    text = _read(path, err)
    if text is None:
        return 2
    surgery: date | None = args.surgery_date
    latest = (now or datetime.now(UTC)).astimezone(LATEST_ZONE).date()
    parsed = parse_diary(text, date_window(latest, None if surgery is None else surgery.year))
    # Tools that call assess rely on its status: an unknown code is an error, never a guess.
    for problem in parsed.not_understood:
        print(f"{path}: {problem.message}", file=err)
    if parsed.errors or parsed.not_understood:
        for error in parsed.errors:
            print(f"{path}: {error.message}", file=err)
        if surgery is None and any(e.key == "diary_csv.date_too_early" for e in parsed.errors):
            # The message points the patient to /settings; here the same is an option.
            years = YEARS_BEFORE_SURGERY
            hint = f"with --surgery-date, entries from 1 January {years} years before its year on"
            print(f"({hint} are taken)", file=err)
        return 2
    if surgery is not None and parsed.rows:
        last = max(row.entry_date for row in parsed.rows)
        if surgery > last:
            # Not an error (a diary kept before the operation is real), but nothing here is
            # after surgery: the rules that count the days since it have nothing to look at.
            print(
                f"{path}: the surgery date {surgery.isoformat()} is after the diary's last "
                f"entry ({last.isoformat()}): every entry is from before the operation",
                file=err,
            )
    treatment = TreatmentHistory.of(parsed.events, parsed.medicine_changes)
    alerts = replay(parsed.rows, args.surgery_date, treatment=treatment)
    payload = to_assess_json(alerts, parsed.rows, LANGUAGE)
    if args.json:
        print(json.dumps(payload, indent=2, ensure_ascii=False), file=out)
        return 0
    summary = ""
    if parsed.rows:
        last = max(row.entry_date for row in parsed.rows)
        final = assess_day(
            parsed.rows, last, surgery_date=args.surgery_date, sent=alerts, treatment=treatment
        )
        summary = status_text(final, LANGUAGE)
    print(_text(path, args.surgery_date, alerts, payload, summary, treatment), file=out)
    return 0
