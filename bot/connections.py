"""Connections to the Bot API: many calls at once, each as cheap as the only one."""

from __future__ import annotations

import asyncio

import httpx
from telegram._utils.defaultvalue import DEFAULT_NONE, DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData


class OneConnectionEach(BaseRequest):
    """Calls spread over clients of one connection each, a free one taken per call.

    httpx keeps one pool per client, and for every call it looks at every connection in it
    (whether it has expired, whether its socket can be read: a system call each). With the
    sixteen connections concurrent patients need, that walk cost more CPU than the rest of the
    call (profiled through the loopback benchmark: 36,000 socket checks for 1,700 calls). Here
    each client holds one connection, so a call checks one, and the choice of a free client is
    a queue operation.
    """

    def __init__(self, connections: int, pool_wait: float | None) -> None:
        if connections < 1:
            raise ValueError("at least one connection")
        self._clients = [HTTPXRequest(connection_pool_size=1) for _ in range(connections)]
        self._pool_wait = pool_wait
        # Last in, first out: a quiet bot keeps using the same warm connection or two.
        self._free: asyncio.LifoQueue[HTTPXRequest] | None = None

    def _queue(self) -> asyncio.LifoQueue[HTTPXRequest]:
        if self._free is None:
            self._free = asyncio.LifoQueue()
            for client in reversed(self._clients):
                self._free.put_nowait(client)
        return self._free

    @property
    def read_timeout(self) -> float | None:
        """The clients' read timeout (long polling adds its own wait to it)."""
        return self._clients[0].read_timeout

    async def initialize(self) -> None:
        """Open every client."""
        for client in self._clients:
            await client.initialize()

    async def shutdown(self) -> None:
        """Close every client and its connection."""
        for client in self._clients:
            await client.shutdown()

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
        """Make the call on a free client, waiting for one up to the pool timeout."""
        free = self._queue()
        wait = self._pool_wait if isinstance(pool_timeout, DefaultValue) else pool_timeout
        try:
            async with asyncio.timeout(wait):
                client = await free.get()
        except TimeoutError:
            # As httpx says it: the request was not sent, so a prompt may be tried again.
            raise TimedOut(
                "Pool timeout: every connection to the Bot API is busy; the request was not sent"
            ) from httpx.PoolTimeout("no free connection")
        try:
            return await client.do_request(
                url,
                method,
                request_data,
                read_timeout=read_timeout,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
            )
        finally:
            free.put_nowait(client)
