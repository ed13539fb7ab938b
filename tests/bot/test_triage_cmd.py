"""`backtrack triage`: options, exit codes, JSON contract and readable output."""

from __future__ import annotations

import argparse
import io
import json

import pytest

from bot import triage_cmd
from flows.clinical.codes import DaysRange, Finding
from flows.clinical.emergency import UNKNOWN
from flows.clinical.rules import to_json_dict, triage


def parser() -> argparse.ArgumentParser:
    built = argparse.ArgumentParser(prog="backtrack triage")
    triage_cmd.configure(built)
    return built


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = triage_cmd.run(parser().parse_args(list(argv)), out, err)
    return status, out.getvalue(), err.getvalue()


def test_json_is_exactly_the_contract() -> None:
    status, out, err = run(
        "--days-since-surgery", "540",
        "--finding", "pain_mostly_back", "pain_mechanical",
        "--finding", "smoker",
        "--unsure", "bladder_change",
        "--json",
    )  # fmt: skip
    assert (status, err) == (0, "")
    payload = json.loads(out)
    expected = triage(
        [Finding.PAIN_MOSTLY_BACK, Finding.PAIN_MECHANICAL, Finding.SMOKER],
        [Finding.BLADDER_CHANGE],
        540,
    )
    assert payload == to_json_dict(expected, "en", UNKNOWN)
    assert payload["tier"] == "urgent"
    assert [flag["id"] for flag in payload["red_flags"]] == ["RF-CES-1"]
    # REFERENCE.md §8.5: the CES flag names recurrent compression, listed first.
    assert payload["causes"][0]["id"] == "recurrent_compression"
    assert payload["causes"][1]["id"] == "pseudarthrosis"
    assert payload["causes"][1]["score"] == 9.0


def test_emergency_json() -> None:
    status, out, _ = run("--days-since-surgery", "3", "--finding", "saddle_numbness", "--json")
    payload = json.loads(out)
    assert status == 0
    assert payload["tier"] == "emergency"
    assert payload["red_flags"][0]["id"] == "RF-CES-2"
    assert payload["red_flags"][0]["tier"] == "emergency"
    assert "Call your local emergency number (112 in Europe" in payload["red_flags"][0]["message"]
    assert [cause["id"] for cause in payload["causes"]] == ["recurrent_compression"]


def test_emergency_json_names_the_countrys_number() -> None:
    _, out, _ = run(
        "--days-since-surgery", "3", "--finding", "saddle_numbness", "--country", "de", "--json"
    )
    assert "Call 112 or go to the nearest Emergency Department now." in out


def test_no_findings_is_routine() -> None:
    status, out, _ = run("--days-since-surgery", "0", "--json")
    assert status == 0
    assert json.loads(out) == {"tier": "routine", "red_flags": [], "causes": []}


def listed_codes(text: str) -> list[str]:
    """The codes of a "finding codes:" list, in order (its lines of codes are indented 4)."""
    lines = [line for line in text.splitlines() if line.startswith("    ")]
    return [code.strip() for code in ",".join(lines).split(",") if code.strip()]


@pytest.mark.parametrize("option", ["--finding", "--unsure", "--known"])
def test_unknown_code_is_an_error_naming_it_and_listing_the_valid_ones(option: str) -> None:
    status, out, err = run("--days-since-surgery", "10", option, "bladder_change", "xyz")
    assert status == 2
    assert out == ""
    first, *rest = err.splitlines()
    assert first == "error: unknown finding code 'xyz'"
    assert "  red-flag symptoms (new or worse):" in rest
    assert listed_codes("\n".join(rest)) == [code.value for code in Finding]


def test_a_near_miss_is_named() -> None:
    _, _, err = run("--days-since-surgery", "10", "--finding", "bladder")
    assert err.startswith("error: unknown finding code 'bladder' (did you mean 'bladder_change'?)")


def test_help_lists_every_valid_code(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parser().parse_args(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    codes = out[out.index("finding codes:") :]
    assert listed_codes(codes) == [code.value for code in Finding]
    # Grouped as in DESIGN.md, not run together into one paragraph.
    assert "\n  course and pattern:\n    never_improved," in codes
    assert "\n  risk factors:\n    smoker," in codes


# Full-width digits match Python's \d unless re.ASCII is set; no phone dials them.
FULL_WIDTH_112 = "\uff11\uff11\uff12"


@pytest.mark.parametrize(
    "number", ["abc", "", "12a", "+", "++112", "1" * 16, FULL_WIDTH_112, "1 12"]
)
def test_an_emergency_number_that_is_not_one_is_refused(
    number: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parser().parse_args(["--days-since-surgery", "3", "--emergency-number", number])
    assert exit_info.value.code == 2
    assert "--emergency-number: not a phone number" in capsys.readouterr().err


@pytest.mark.parametrize("number", ["112", "000", "+4930123456", "1" * 15])
def test_an_emergency_number_of_digits_is_named(number: str) -> None:
    _, out, _ = run(
        "--days-since-surgery", "10", "--finding", "bladder_change", "--emergency-number", number
    )
    assert f"Call {number} or go to the nearest Emergency Department now." in out


def test_readable_summary() -> None:
    status, out, _ = run(
        "--days-since-surgery", "400",
        "--finding", "fall_or_snap", "pain_mostly_back", "pain_mechanical",
        "--unsure", "leg_weakness",
        "--emergency-number", "999",
    )  # fmt: skip
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "Tier: urgent"
    assert lines[1:3] == [
        "Red flag RF-NEU-1: urgent (answered 'not sure')",
        "Red flag RF-FX: urgent (answered 'not sure')",
    ]
    assert "If things get worse, call 999." in out
    assert "If you have any doubt, go to the Emergency Department now." in out
    assert "Possible reasons your surgeon may want to check (not a diagnosis):" in out
    assert "Tests they might consider:" in out
    # REFERENCE.md §8.5: the causes the flags name come first, the fall's (a definite Yes)
    # before the weakness's (Not sure).
    assert "  1. hardware_failure (score 7, named by a red flag): " in out
    assert "  2. sagittal_imbalance (score 5, named by a red flag): " in out
    assert "  3. recurrent_compression (score 1, named by a red flag): " in out
    assert "  4. pseudarthrosis (score 7): " in out


def test_readable_emergency_names_the_number() -> None:
    _, out, _ = run(
        "--days-since-surgery", "10", "--finding", "bladder_change", "--emergency-number", "911"
    )
    assert out.startswith("Tier: emergency\n")
    assert "Call 911 or go to the nearest Emergency Department now." in out


@pytest.mark.parametrize("option", ["--finding", "--unsure"])
def test_self_harm_gets_the_crisis_message_with_the_countrys_numbers(option: str) -> None:
    # REFERENCE.md §8.3: Yes and Not sure alike, the crisis message and not the spine text.
    _, out, _ = run("--days-since-surgery", "10", option, "self_harm_thoughts", "--country", "US")
    assert out.startswith("Tier: emergency\nRed flag RF-MH: emergency")
    assert "988" in out
    assert "call 911 or go to the nearest Emergency Department now" in out
    assert "nerve compression" not in out


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("10", 10),
        ("0..14", DaysRange(0, 14)),
        ("20..50", DaysRange(20, 50)),
        ("91..", DaysRange(91, None)),
    ],
)
def test_days_since_surgery_may_be_a_range(text: str, days: int | DaysRange) -> None:
    assert parser().parse_args(["--days-since-surgery", text]).days_since_surgery == days


def test_a_range_opens_every_window_it_overlaps() -> None:
    # REFERENCE.md §8.1: "in the last 2 weeks?" answered Yes, the day unknown.
    _, out, _ = run("--days-since-surgery", "0..14", "--finding", "sudden_severe_pain", "--json")
    assert [flag["id"] for flag in json.loads(out)["red_flags"]] == ["RF-HAEM"]
    _, out, _ = run("--days-since-surgery", "15..45", "--finding", "sudden_severe_pain", "--json")
    assert [flag["id"] for flag in json.loads(out)["red_flags"]] == ["RF-PAIN"]


@pytest.mark.parametrize(
    "argv",
    [
        ["--finding", "fever"],
        ["--days-since-surgery", "-1"],
        ["--days-since-surgery", "soon"],
        ["--days-since-surgery", "20..10"],
        ["--days-since-surgery", "..10"],
        ["--days-since-surgery", "5..x"],
    ],
)
def test_days_since_surgery_is_required_and_not_negative(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parser().parse_args(argv)
    assert exit_info.value.code == 2
    assert "--days-since-surgery" in capsys.readouterr().err


def test_repeated_and_grouped_codes_are_all_kept() -> None:
    args = parser().parse_args(
        ["--days-since-surgery", "5", "--finding", "a", "b", "--finding", "c", "--unsure", "d"]
    )
    assert args.findings == ["a", "b", "c"]
    assert args.unsure == ["d"]
    assert args.json is False
    assert args.emergency_number is None
    assert args.country is None
