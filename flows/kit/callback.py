"""Button data: typed, prefixed, size-checked, and tied to the screen it was shown on.

Telegram returns at most 64 bytes of callback data and any client can send any bytes, so the
data names the screen (a per-user sequence number) and the value, and nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flows.kit.core import BUTTON_VALUE

PREFIX = "bt"
MAX_BYTES = 64
# ASCII digits and a true end of string: nothing the bot does not write itself decodes.
_PATTERN = re.compile(rf"bt:([0-9]{{1,12}}):({BUTTON_VALUE.pattern})", re.ASCII)


class ButtonDataTooLongError(ValueError):
    """Encoded button data would not fit Telegram's 64 bytes."""


@dataclass(frozen=True, slots=True)
class ButtonData:
    """Which screen a button belonged to and the value it carries."""

    seq: int
    value: str

    def encode(self) -> str:
        """Return the callback data string sent to Telegram."""
        data = f"{PREFIX}:{self.seq}:{self.value}"
        if len(data.encode()) > MAX_BYTES:
            raise ButtonDataTooLongError(data)
        return data


def decode(data: str | None) -> ButtonData | None:
    """Parse callback data; None when it is not ours or malformed."""
    if data is None or len(data) > MAX_BYTES:
        return None
    match = _PATTERN.fullmatch(data)
    if match is None:
        return None
    return ButtonData(seq=int(match.group(1)), value=match.group(2))
