"""`backtrack triage`: options, exit codes, JSON contract and readable output."""

from __future__ import annotations

import argparse
import io
import json

import pytest

from bot import triage_cmd
from flows.codes import Finding
from flows.emergency import numbers_for
from flows.rules import to_json_dict, triage


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
    assert payload == to_json_dict(expected, "en", numbers_for("DE"))
    assert payload["tier"] == "urgent"
    assert [flag["id"] for flag in payload["red_flags"]] == ["RF-CES-1"]
    assert payload["causes"][0]["id"] == "pseudarthrosis"
    assert payload["causes"][0]["score"] == 9.0


def test_emergency_json() -> None:
    status, out, _ = run("--days-since-surgery", "3", "--finding", "saddle_numbness", "--json")
    payload = json.loads(out)
    assert status == 0
    assert payload["tier"] == "emergency"
    assert payload["red_flags"][0]["id"] == "RF-CES-2"
    assert payload["red_flags"][0]["tier"] == "emergency"
    assert "Call 112" in payload["red_flags"][0]["message"]
    assert payload["causes"] == []


def test_no_findings_is_routine() -> None:
    status, out, _ = run("--days-since-surgery", "0", "--json")
    assert status == 0
    assert json.loads(out) == {"tier": "routine", "red_flags": [], "causes": []}


@pytest.mark.parametrize("option", ["--finding", "--unsure"])
def test_unknown_code_is_an_error_naming_it(option: str) -> None:
    status, out, err = run("--days-since-surgery", "10", option, "bladder_change", "xyz")
    assert status == 2
    assert out == ""
    assert err == "error: unknown finding code 'xyz'\n"


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
    assert "  1. pseudarthrosis (score 7): " in out


def test_readable_emergency_names_the_number() -> None:
    _, out, _ = run(
        "--days-since-surgery",
        "10",
        "--finding",
        "self_harm_thoughts",
        "--emergency-number",
        "911",
    )
    assert out.startswith("Tier: emergency\n")
    assert "Call 911 or go to the nearest Emergency Department now." in out
    assert "116 123" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["--finding", "fever"],
        ["--days-since-surgery", "-1"],
        ["--days-since-surgery", "soon"],
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
    assert args.emergency_number == "112"
