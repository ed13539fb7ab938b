"""`backtrack triage`: run the shared red-flag and cause rules on findings given as options."""

from __future__ import annotations

import argparse
import difflib
import json
import re
import textwrap
from dataclasses import replace
from typing import TextIO

from flows.clinical.codes import (
    PATTERN_FINDINGS,
    RED_FLAG_FINDINGS,
    RISK_FINDINGS,
    DaysRange,
    Finding,
    UnknownCodeError,
    parse_finding,
)
from flows.clinical.emergency import LocalNumbers, numbers_for
from flows.clinical.rules import (
    TriageResult,
    cause_summary,
    red_flag_message,
    to_json_dict,
    triage,
)
from flows.i18n import t

LANGUAGE = "en"
# E.164 allows at most 15 digits; emergency numbers are far shorter (112, 911, 000).
PHONE_NUMBER = re.compile(r"\+?[0-9]{1,15}", re.ASCII)
CODE_GROUPS: tuple[tuple[str, tuple[Finding, ...]], ...] = (
    ("red-flag symptoms (new or worse)", RED_FLAG_FINDINGS),
    ("course and pattern", PATTERN_FINDINGS),
    ("risk factors", RISK_FINDINGS),
)
HELP_WIDTH = 79


def valid_codes() -> str:
    """The finding codes the command takes, by group, as lines of help text."""
    lines = ["finding codes:"]
    for title, codes in CODE_GROUPS:
        lines.append(f"  {title}:")
        lines += textwrap.wrap(
            ", ".join(codes),
            width=HELP_WIDTH,
            initial_indent="    ",
            subsequent_indent="    ",
            break_long_words=False,
            break_on_hyphens=False,
        )
    return "\n".join(lines)


def _unknown(code: str) -> str:
    close = difflib.get_close_matches(code, [f.value for f in Finding], n=1)
    guess = f" (did you mean {close[0]!r}?)" if close else ""
    return f"error: unknown finding code {code!r}{guess}\n{valid_codes()}"


def _phone_number(text: str) -> str:
    number = text.strip()
    if not PHONE_NUMBER.fullmatch(number):
        raise argparse.ArgumentTypeError(
            f"not a phone number: {text!r} (digits, optionally after a +, at most 15)"
        )
    return number


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
    # The epilog lists the codes one group per paragraph; the default formatter would run
    # them together.
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = valid_codes()
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
        type=_phone_number,
        metavar="NUMBER",
        help="an emergency number to name instead of the country's (digits, e.g. 112)",
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
        print(_unknown(error.code), file=err)
        return 2
    result = triage(findings, unsure, args.days_since_surgery, known=known)
    if args.json:
        payload = to_json_dict(result, LANGUAGE, _numbers(args))
        print(json.dumps(payload, indent=2), file=out)
    else:
        print(_text(result, _numbers(args)), file=out)
    return 0
