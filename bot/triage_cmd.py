"""`backtrack triage`: run the shared red-flag and cause rules on findings given as options."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from typing import TextIO

from flows.codes import DaysRange, Finding, UnknownCodeError, parse_finding
from flows.emergency import LocalNumbers, numbers_for
from flows.i18n import t
from flows.rules import TriageResult, cause_summary, red_flag_message, to_json_dict, triage

LANGUAGE = "en"


def _day(text: str, whole: str) -> int:
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of days: {whole!r}") from None
    if days < 0:
        raise argparse.ArgumentTypeError(f"days since surgery must be 0 or more, not {days}")
    return days


def _days(text: str) -> int | DaysRange:
    """N (an exact day), or FIRST..LAST / FIRST.. when only a range is known (§8.1)."""
    if ".." not in text:
        return _day(text, text)
    first, _, last = text.partition("..")
    start = _day(first, text)
    end = _day(last, text) if last else None
    if end is not None and end < start:
        raise argparse.ArgumentTypeError(f"the range {text!r} ends before it starts")
    return DaysRange(start, end)


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the triage options to a parser."""
    parser.add_argument(
        "--days-since-surgery",
        type=_days,
        required=True,
        metavar="N",
        help=(
            "whole days since the operation (0 or more), or a range FIRST..LAST (FIRST.. for "
            "no upper bound) when the day is not known"
        ),
    )
    parser.add_argument(
        "--finding",
        dest="findings",
        action="extend",
        nargs="+",
        metavar="CODE",
        help="a finding code answered Yes; repeat the option or give several codes",
    )
    parser.add_argument(
        "--unsure",
        action="extend",
        nargs="+",
        metavar="CODE",
        help="a finding code answered 'Not sure'; repeat the option or give several codes",
    )
    parser.add_argument(
        "--known",
        action="extend",
        nargs="+",
        metavar="CODE",
        help=(
            "a red-flag code answered 'not new: unchanged, and my team knows about it' "
            "(REFERENCE.md §1.1 rule 5; never downgrades self_harm_thoughts, §8.3)"
        ),
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--country",
        type=str.upper,
        metavar="CC",
        help="the patient's country (ISO 3166 code, e.g. US): its numbers are named",
    )
    parser.add_argument(
        "--emergency-number",
        help="an emergency number to name instead of the country's",
    )


def _numbers(args: argparse.Namespace) -> LocalNumbers:
    numbers = numbers_for(args.country)
    if args.emergency_number:
        return replace(numbers, emergency=args.emergency_number)
    return numbers


def _parse(codes: list[str] | None) -> list[Finding]:
    return [parse_finding(code) for code in codes or []]


def _text(result: TriageResult, numbers: LocalNumbers) -> str:
    lines = [f"Tier: {result.tier.value}"]
    for flag in result.red_flags:
        note = " (answered 'not sure')" if flag.unsure else ""
        lines.append(f"Red flag {flag.id}: {flag.tier.value}{note}")
    lines += ["", red_flag_message(result, LANGUAGE, numbers)]
    summary = cause_summary(result, LANGUAGE)
    if summary:
        lines += ["", summary]
    if result.causes:
        lines += ["", "Ranked causes (score: usual first step / when more is considered):"]
    for rank, cause in enumerate(result.causes, start=1):
        steps = " / ".join(t(LANGUAGE, key) for key in cause.next_steps)
        named = ", named by a red flag" if cause.named_by_flag else ""
        lines.append(f"  {rank}. {cause.id.value} (score {cause.score:g}{named}): {steps}")
    return "\n".join(lines)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run the rules on the parsed options; 0 on success, 2 for an unknown finding code."""
    try:
        findings = _parse(args.findings)
        unsure = _parse(args.unsure)
        known = _parse(args.known)
    except UnknownCodeError as error:
        print(f"error: unknown finding code {error.code!r}", file=err)
        return 2
    result = triage(findings, unsure, args.days_since_surgery, known=known)
    if args.json:
        payload = to_json_dict(result, LANGUAGE, _numbers(args))
        print(json.dumps(payload, indent=2), file=out)
    else:
        print(_text(result, _numbers(args)), file=out)
    return 0
