"""Typed button values: each kind of answer a prefix and how what it stands for is written.

A screen's buttons carry these strings (flows.kit.callback adds the screen number and checks
the 64-byte limit); a press is accepted only with a value its current screen offers, so a
value read back here is always one of ours.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Coded(Generic[T]):
    """One kind of button value: `prefix` then what it stands for, written and read back."""

    prefix: str
    read: Callable[[str], T]
    write: Callable[[T], str] = str

    def __call__(self, value: T) -> str:
        """The button value standing for `value`."""
        return f"{self.prefix}{self.write(value)}"

    def owns(self, value: str) -> bool:
        """Whether a pressed value is of this kind."""
        return value.startswith(self.prefix)

    def of(self, value: str) -> T:
        """What a pressed value of this kind stands for."""
        if not self.owns(value):
            raise ValueError(f"{value!r} is not a {self.prefix!r} value")
        return self.read(value[len(self.prefix) :])


# A pain score 0-10 on the grid every 0-10 question shows (flows.kit.core.pain_grid).
PAIN = Coded("p", int)
