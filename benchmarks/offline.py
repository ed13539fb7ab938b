"""An offline Bot API for benchmarks: answers like Telegram, with as little work as possible."""

from __future__ import annotations

import itertools
import json
from typing import Any

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

TOKEN = "424242:BENCH-token-not-real-0123456789abcdefghij"
ME = {"id": 424242, "is_bot": True, "first_name": "BackTrack", "username": "bench_bot"}


class OfflineApi(BaseRequest):
    """Answers every Bot API call at once; subclasses may refuse some calls first."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)

    @property
    def read_timeout(self) -> float | None:
        """No network, no timeout."""
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    def refuse(self, name: str) -> tuple[int, bytes] | None:
        """An error answer to give instead of success, or None."""
        return None

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
        name = url.rsplit("/", 1)[-1]
        if name == "getMe":
            return 200, json.dumps({"ok": True, "result": ME}).encode()
        refused = self.refuse(name)
        if refused is not None:
            return refused
        params: dict[str, Any] = dict(request_data.parameters) if request_data else {}
        result: object = True
        if name in ("sendMessage", "editMessageText", "sendPhoto", "sendDocument"):
            result = {
                "message_id": params.get("message_id") or next(self._ids),
                "date": 0,
                "chat": {"id": params.get("chat_id", 0), "type": "private"},
                "text": "",
            }
        return 200, json.dumps({"ok": True, "result": result}).encode()
