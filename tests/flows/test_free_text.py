"""Typed words naming a cauda equina symptom (REFERENCE.md §8.8): each fires, near misses don't."""

from __future__ import annotations

import pytest

from flows.clinical.codes import Finding as F  # noqa: N817
from flows.clinical.free_text import TEXT_PATTERNS, red_flags_in_text


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("I can't pee properly and my bottom feels numb", (F.BLADDER_CHANGE, F.SADDLE_NUMBNESS)),
        ("cant pee since this morning", (F.BLADDER_CHANGE,)),
        ("I wet myself last night", (F.BLADDER_CHANGE,)),
        ("I can't control my bowels", (F.BOWEL_CHANGE,)),
        ("numb between my legs", (F.SADDLE_NUMBNESS,)),
        ("toilet paper feels different when I wipe", (F.SADDLE_NUMBNESS,)),
        ("both my legs are weak", (F.BOTH_LEGS_NEW,)),
        ("My legs are giving way", (F.BOTH_LEGS_NEW,)),
    ],
)
def test_each_symptom_fires(text: str, found: tuple[F, ...]) -> None:
    assert red_flags_in_text(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "I need to pee",  # no trouble named
        "constipated, can't poo",  # constipation is not a cauda equina sign
        "my foot is numb",  # numb, but not the saddle area
        "SADDLENUMB",  # word parts are not words
        "one leg is weak",  # one leg, not both
        "slept badly, back sore",
    ],
)
def test_near_misses_do_not_fire(text: str) -> None:
    assert red_flags_in_text(text) == ()


def test_every_pattern_cites_its_source() -> None:
    assert all("REFERENCE.md" in p.source for p in TEXT_PATTERNS)
