"""A Bot API that fails on script: each method answers the faults queued for it, in turn."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx
from telegram.error import TimedOut

from tests.fakes import ApiCall, OfflineBotApi

# The methods whose success puts something in front of the patient.
SHOWN = frozenset({"sendMessage", "editMessageText", "sendPhoto", "sendDocument"})


@dataclass(frozen=True)
class HttpFault:
    """Telegram answers with an error status (and a flood wait, for 429)."""

    status: int
    description: str
    retry_after: int | None = None


@dataclass(frozen=True)
class Timeout:
    """The call times out; `taken` when Telegram had already acted on it."""

    taken: bool


Fault = HttpFault | Timeout

# The faults of the issue, by name, as Telegram answers them.
FAULTS: dict[str, Fault] = {
    "500": HttpFault(500, "Internal Server Error"),
    "502": HttpFault(502, "Bad Gateway"),
    "429": HttpFault(429, "Too Many Requests: retry after 3", 3),
    "connect timeout": Timeout(taken=False),
    "read timeout": Timeout(taken=True),
    "403": HttpFault(403, "Forbidden: bot was blocked by the user"),
}
TOO_OLD = HttpFault(
    400, "Bad Request: query is too old and response timeout expired or query id is invalid"
)


@dataclass(frozen=True)
class Shown:
    """Something that reached the patient's chat."""

    method: str
    chat: int
    text: str


@dataclass
class ScriptedBotApi(OfflineBotApi):
    """The offline Bot API, answering the faults queued per method before succeeding again."""

    script: dict[str, list[Fault]] = field(default_factory=dict)
    shown: list[Shown] = field(default_factory=list)

    def fail_next(self, method: str, *faults: Fault) -> None:
        """Answer the next calls of a method with these faults, one each."""
        self.script.setdefault(method, []).extend(faults)

    async def answer(
        self, url: str, method: str, name: str, params: dict[str, Any]
    ) -> tuple[int, bytes]:
        """Answer the next fault queued for the method, or succeed."""
        queue = self.script.get(name)
        if queue:
            fault = queue.pop(0)
            taken = isinstance(fault, Timeout) and fault.taken
            self.calls.append(ApiCall(name, params, reached=taken))
            if isinstance(fault, Timeout):
                if fault.taken:
                    self._show(name, params)
                    raise TimedOut("Timed out") from httpx.ReadTimeout("read timed out")
                raise TimedOut("Timed out") from httpx.ConnectTimeout("connect timed out")
            body: dict[str, Any] = {
                "ok": False,
                "error_code": fault.status,
                "description": fault.description,
            }
            if fault.retry_after is not None:
                body["parameters"] = {"retry_after": fault.retry_after}
            return fault.status, json.dumps(body).encode()
        status, payload = await super().answer(url, method, name, params)
        if status == 200:
            self._show(name, params)
        return status, payload

    def _show(self, name: str, params: dict[str, Any]) -> None:
        if name in SHOWN:
            text = str(params.get("text", params.get("caption", "")))
            self.shown.append(Shown(name, int(params.get("chat_id", 0)), text))

    def shown_to(self, chat: int) -> list[str]:
        """Every text that reached a chat, in order."""
        return [s.text for s in self.shown if s.chat == chat]
