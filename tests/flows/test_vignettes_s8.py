"""REFERENCE.md §8.3–§8.5 vignettes, each through `backtrack triage` and through `triage`."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import Any

import pytest

from bot import triage_cmd
from flows.clinical.codes import DaysRange, Finding
from flows.clinical.emergency import numbers_for
from flows.clinical.rules import TriageResult, red_flag_message, to_json_dict, triage

DATA = Path(__file__).resolve().parents[1] / "data" / "vignettes_s8.json"
VIGNETTES: list[dict[str, Any]] = json.loads(DATA.read_text(encoding="utf-8"))["vignettes"]
EXPECTED_KEYS = {
    "tier",
    "red_flags",
    "first_cause",
    "causes_start",
    "causes_include",
    "causes_exclude",
    "message_starts_with",
    "message_contains",
    "message_excludes",
}


def cli(vignette: dict[str, Any], *extra: str) -> str:
    argv = [
        "--days-since-surgery",
        vignette["days_since_surgery"],
        "--country",
        vignette["country"],
    ]
    for option in ("findings", "unsure", "known"):
        codes = vignette.get(option, [])
        if codes:
            argv += [f"--{option.removesuffix('s') if option == 'findings' else option}", *codes]
    parser = argparse.ArgumentParser(prog="backtrack triage")
    triage_cmd.configure(parser)
    out, err = io.StringIO(), io.StringIO()
    status = triage_cmd.run(parser.parse_args([*argv, *extra]), out, err)
    assert (status, err.getvalue()) == (0, "")
    return out.getvalue()


def days(text: str) -> int | DaysRange:
    if ".." not in text:
        return int(text)
    first, _, last = text.partition("..")
    return DaysRange(int(first), int(last) if last else None)


def direct(vignette: dict[str, Any]) -> TriageResult:
    return triage(
        [Finding(code) for code in vignette.get("findings", [])],
        [Finding(code) for code in vignette.get("unsure", [])],
        days(vignette["days_since_surgery"]),
        known=[Finding(code) for code in vignette.get("known", [])],
    )


def check_causes(expected: dict[str, Any], causes: list[str]) -> None:
    if "first_cause" in expected:
        assert (causes[0] if causes else None) == expected["first_cause"]
    start = expected.get("causes_start", [])
    assert causes[: len(start)] == start
    assert set(expected.get("causes_include", [])) <= set(causes)
    assert not set(expected.get("causes_exclude", [])) & set(causes)


def check_message(expected: dict[str, Any], message: str, whole_output: str) -> None:
    assert message.startswith(expected.get("message_starts_with", ""))
    for text in expected.get("message_contains", []):
        assert text in message
    for text in expected.get("message_excludes", []):
        assert text not in whole_output


def test_the_vignettes_are_well_formed() -> None:
    assert len({v["id"] for v in VIGNETTES}) == len(VIGNETTES)
    for vignette in VIGNETTES:
        assert vignette["statement"].startswith("§8."), vignette["id"]
        assert vignette["story"].strip(), vignette["id"]
        assert set(vignette["expected"]) <= EXPECTED_KEYS, vignette["id"]
        assert {"tier", "red_flags"} <= set(vignette["expected"]), vignette["id"]
    # Every amended statement has its vignettes, and each of its rules a near miss.
    statements = {v["id"].split("-")[0] for v in VIGNETTES}
    assert statements == {"8.3", "8.4", "8.5"}
    near_misses = {v["id"].split("-")[0] for v in VIGNETTES if "near-miss" in v["id"]}
    assert near_misses == statements


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["id"] for v in VIGNETTES])
def test_backtrack_triage_says_what_the_vignette_expects(vignette: dict[str, Any]) -> None:
    expected = vignette["expected"]
    payload = json.loads(cli(vignette, "--json"))
    assert payload["tier"] == expected["tier"]
    assert [flag["id"] for flag in payload["red_flags"]] == expected["red_flags"]
    check_causes(expected, [cause["id"] for cause in payload["causes"]])
    text = cli(vignette)
    assert text.startswith(f"Tier: {expected['tier']}\n")
    message = red_flag_message(direct(vignette), "en", numbers_for(vignette["country"]))
    assert message in text
    check_message(expected, message, text + json.dumps(payload, ensure_ascii=False))


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["id"] for v in VIGNETTES])
def test_triage_says_what_the_vignette_expects(vignette: dict[str, Any]) -> None:
    expected = vignette["expected"]
    result = direct(vignette)
    numbers = numbers_for(vignette["country"])
    assert result.tier.value == expected["tier"]
    assert list(result.flag_ids) == expected["red_flags"]
    check_causes(expected, [cause.id.value for cause in result.causes])
    message = red_flag_message(result, "en", numbers)
    check_message(expected, message, message)
    # The CLI and the function are the same rules.
    assert json.loads(cli(vignette, "--json")) == to_json_dict(result, "en", numbers)
