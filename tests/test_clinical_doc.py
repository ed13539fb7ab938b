"""docs/clinical-rules.md is the rendering of the rule data, and the data is complete."""

from __future__ import annotations

import re
from pathlib import Path

from flows.clinical.rules_data import CAUSES, DECISIONS, FEATURES, RED_FLAGS
from flows.clinical.rules_doc import render_markdown
from flows.locale.en_rules import MESSAGES

DOC = Path(__file__).resolve().parents[1] / "docs" / "clinical-rules.md"

# Every row of REFERENCE.md table 1.2, in the table's order, with the rows §8 adds.
TABLE_1_2_IDS = [
    "RF-CES-1",
    "RF-CES-2",
    "RF-CES-3",
    "RF-CES-4",
    "RF-CES-5",
    "RF-NEU-1",
    "RF-HAEM",
    # REFERENCE.md §8.4 adds a row after RF-HAEM: sudden or rapidly worsening severe pain.
    "RF-PAIN",
    "RF-SEP",
    "RF-PE",
    "RF-DVT",
    "RF-SSI-1",
    "RF-SSI-2",
    "RF-CSF",
    "RF-INF-LATE",
    "RF-CA",
    "RF-FX",
    "RF-HW",
    "RF-OPI",
    "RF-MH",
]


def test_document_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == render_markdown(), (
        "docs/clinical-rules.md is stale: run `python -m bot.gen_docs`"
    )


def test_every_table_1_2_flag_is_implemented_in_order() -> None:
    assert [rule.id for rule in RED_FLAGS] == TABLE_1_2_IDS


def test_no_documented_rule_id_is_missing_from_the_data() -> None:
    documented = set(re.findall(r"\bRF-[A-Z]+(?:-[A-Z0-9]+)*", render_markdown()))
    assert documented == set(TABLE_1_2_IDS)


def test_the_amendments_are_cited_where_they_are_used() -> None:
    rules = {rule.id: rule for rule in RED_FLAGS}
    assert rules["RF-MH"].crisis
    assert "REFERENCE.md §8.3" in rules["RF-MH"].sources
    assert any("§8.4" in c.source for c in rules["RF-HAEM"].conditions)
    named = [rule for rule in RED_FLAGS if rule.causes]
    assert all("§8.5" in (rule.causes_source or "") for rule in named)
    topics = " ".join(d.topic for d in DECISIONS)
    for amendment in ("§8.1", "§8.3", "§8.4", "§8.5", "§8.7"):
        assert amendment in topics


def test_every_rule_condition_and_escalation_has_a_source() -> None:
    for rule in RED_FLAGS:
        assert rule.sources, rule.id
        assert all(source.strip() for source in rule.sources), rule.id
        assert rule.sources[0] in (f"REFERENCE.md §1.2 {rule.id}", f"REFERENCE.md §8.4 {rule.id}")
        assert all(c.source.strip() for c in rule.conditions), rule.id
        assert all(e.source.strip() for e in rule.escalations), rule.id


def test_every_weight_and_feature_has_a_source() -> None:
    for cause in CAUSES:
        assert cause.sources, cause.id
        assert cause.weights, cause.id
        for weight in cause.weights:
            assert weight.source.startswith("REFERENCE.md §2.3 weight matrix row"), weight
    assert all(feature.source.startswith("REFERENCE.md §2.3 feature") for feature in FEATURES)


def test_document_lists_every_flag_cause_weight_decision_and_message() -> None:
    doc = render_markdown()
    for rule in RED_FLAGS:
        assert f"### {rule.id}: {MESSAGES[rule.name_key]}" in doc
        assert MESSAGES[rule.message_key].replace("\n", "<br>") in doc
        if rule.causes:
            assert f"- Names the cause listed first: `{rule.causes[0].value}`" in doc
    for cause in CAUSES:
        if cause.rule_source is not None:
            assert cause.rule_source in doc
    for cause in CAUSES:
        assert f"### {cause.letter}. `{cause.id.value}`" in doc
        for weight in cause.weights:
            assert f"| {weight.feature} | {weight.value:+d} | {weight.source} |" in doc
    for decision in DECISIONS:
        assert decision.text in doc
    for key in MESSAGES:
        assert f"| `{key}` |" in doc
