"""Long polling that survives an update python-telegram-bot cannot read."""

from __future__ import annotations

import json
import logging

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)


def readable_updates(payload: bytes) -> bytes:
    """A getUpdates answer with each update the library cannot read emptied to its id.

    python-telegram-bot reads a whole batch at once: one unreadable update would fail it, and
    the same batch would be fetched, and fail, for ever, holding every patient's messages behind
    it. Emptied, the update keeps its id, so polling moves past it, and no handler takes it.
    """
    try:
        body = json.loads(payload)
    except ValueError:
        return payload
    result = body.get("result") if isinstance(body, dict) else None
    if not isinstance(result, list):
        return payload
    changed = False
    kept: list[object] = []
    for raw in result:
        try:
            Update.de_json(raw, None)
        except Exception as error:
            update_id = raw.get("update_id") if isinstance(raw, dict) else None
            # The id and the error's type only: the update itself may hold a diary note.
            log.error(
                "update %s from Telegram could not be read (%s); it is skipped",
                update_id if isinstance(update_id, int) else "without an id",
                type(error).__name__,
            )
            changed = True
            if isinstance(update_id, int):
                kept.append({"update_id": update_id})
            continue
        kept.append(raw)
    if not changed:
        return payload
    body["result"] = kept
    return json.dumps(body).encode()


class ReadableUpdates(BaseRequest):
    """The request that fetches updates, passing on only updates the library can read."""

    def __init__(self, inner: BaseRequest) -> None:
        self.inner = inner

    @property
    def read_timeout(self) -> float | None:
        """The inner request's read timeout (long polling adds its own wait to it)."""
        return self.inner.read_timeout

    async def initialize(self) -> None:
        """Open the inner request's connections."""
        await self.inner.initialize()

    async def shutdown(self) -> None:
        """Close the inner request's connections."""
        await self.inner.shutdown()

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
        """Fetch as the inner request does; a batch of updates comes back readable."""
        status, payload = await self.inner.do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if status == 200 and url.endswith("/getUpdates"):
            payload = readable_updates(payload)
        return status, payload
