"""An offline Bot API: answers like Telegram, without a network, with as little work as possible.

The benchmarks use it as it is; the tests' fake (`tests/fakes.py`) extends it to record calls
and to inject failures. It lives with the tests, which never import the benchmarks.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

BOT_ID = 424242
TOKEN = "424242:BENCH-token-not-real-0123456789abcdefghij"
ME = {"id": BOT_ID, "is_bot": True, "first_name": "BackTrack", "username": "backtrack_bot"}
MESSAGE_METHODS = frozenset({"sendMessage", "editMessageText", "sendDocument"})


class OfflineApi(BaseRequest):
    """Answers every Bot API call at once; subclasses may refuse calls or answer more fully.

    Subclasses override `answer` (or just `refuse` and `result`), which get the method's name
    and its parameters already read from the request.
    """

    def __init__(self) -> None:
        self._ids = itertools.count(1000)

    @property
    def read_timeout(self) -> float | None:
        """No network, no timeout."""
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    def refuse(self, name: str, params: dict[str, Any]) -> tuple[int, bytes] | None:
        """An error answer to give instead of success, or None."""
        return None

    def result(self, name: str, params: dict[str, Any]) -> object:
        """What a successful call returns."""
        if name == "getMe":
            return ME
        if name in MESSAGE_METHODS:
            return {
                "message_id": params.get("message_id") or next(self._ids),
                "date": 1_700_000_000,
                "chat": {"id": params.get("chat_id", 0), "type": "private"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "BackTrack"},
                "text": params.get("text", ""),
            }
        return True

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Answer like Telegram would."""
        params: dict[str, Any] = dict(request_data.parameters) if request_data else {}
        name = url.rsplit("/", 1)[-1]
        if request_data is not None and request_data.contains_files:
            self.uploaded(name, params, request_data)
        return await self.answer(url, method, name, params)

    def uploaded(self, name: str, params: dict[str, Any], request_data: RequestData) -> None:
        """A call carrying files, which travel as a multipart upload, not among the params."""

    async def answer(
        self, url: str, method: str, name: str, params: dict[str, Any]
    ) -> tuple[int, bytes]:
        """The HTTP status and body for one call of the Bot API method `name`."""
        refused = self.refuse(name, params)
        if refused is not None:
            return refused
        return 200, json.dumps({"ok": True, "result": self.result(name, params)}).encode()
