"""Each finding code names its group; nothing is read from its place in the list."""

from __future__ import annotations

import ast
from pathlib import Path

from flows.clinical import codes
from flows.clinical.codes import (
    PATTERN_FINDINGS,
    RED_FLAG_FINDINGS,
    RISK_FINDINGS,
    Finding,
    FindingGroup,
)


def test_every_finding_member_is_written_with_its_group() -> None:
    tree = ast.parse(Path(codes.__file__).read_text(encoding="utf-8"))
    [finding] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Finding"]
    members = [n for n in finding.body if isinstance(n, ast.Assign)]
    assert len(members) == len(Finding)
    for member in members:
        assert isinstance(member.value, ast.Tuple), ast.unparse(member)
        group = member.value.elts[1]
        assert isinstance(group, ast.Attribute), ast.unparse(member)
        assert ast.unparse(group.value) == "FindingGroup", ast.unparse(member)


def test_the_groups_split_the_codes_and_a_code_keeps_its_value() -> None:
    assert set(RED_FLAG_FINDINGS) | set(PATTERN_FINDINGS) | set(RISK_FINDINGS) == set(Finding)
    assert len(RED_FLAG_FINDINGS) + len(PATTERN_FINDINGS) + len(RISK_FINDINGS) == len(Finding)
    assert Finding("saddle_numbness") is Finding.SADDLE_NUMBNESS
    assert Finding.SADDLE_NUMBNESS.group is FindingGroup.RED_FLAG
    assert Finding.PAIN_ONE_LEG.group is FindingGroup.PATTERN
    assert Finding.SMOKER.group is FindingGroup.RISK
    assert Finding.SMOKER.value == "smoker" == str(Finding.SMOKER)
