"""A Bot API server on 127.0.0.1, in its own process, that plays patients tapping through a stream.

It answers `/bot<token>/<method>` like Telegram, with as little work as it can, so a bot
process talking to it through a real HTTP client pays for the client and the loopback socket
but not for the server. The benchmark loads a stream of updates (`POST /control/load`), then
`POST /control/run` releases each patient's first update and answers once every patient's
last update was replied to. A patient's next update is released only when the bot replied
to the one before (a message sent or edited in their chat), as a patient taps only after
seeing the screen. Updates go out through `getUpdates` (long polling, honouring `offset`,
`limit` and `timeout`) or, once `setWebhook` was called, as POSTs to the webhook with the
secret token, over at most `max_connections` connections as Telegram does.

The server needs only the standard library; it stops when its standard input closes, so it
never outlives the process that started it.

    with LoopbackServer() as server:
        app = ApplicationBuilder().token(TOKEN).base_url(server.base_url).build()
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

HOST = "127.0.0.1"
# Calls that show a patient a screen: the bot's reply to their last tap.
REPLY_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "editMessageText",
        "editMessageCaption",
        "editMessageMedia",
        "editMessageReplyMarkup",
    }
)
RUN_TIMEOUT_SECONDS = 300.0
_CONFLICT = (
    409,
    b'{"ok":false,"error_code":409,"description":"Conflict: can\'t use getUpdates method '
    b'while webhook is active; use deleteWebhook to delete the webhook first"}',
)
_REASONS = {200: b"OK", 400: b"Bad Request", 404: b"Not Found", 409: b"Conflict"}


def _ok(result: object) -> tuple[int, bytes]:
    return 200, json.dumps({"ok": True, "result": result}, separators=(",", ":")).encode()


def _user_of(payload: dict[str, Any]) -> int:
    for key in ("message", "callback_query", "edited_message", "inline_query"):
        if key in payload:
            return int(payload[key]["from"]["id"])
    raise ValueError(f"no user in update {sorted(payload)}")


async def _read_message(reader: asyncio.StreamReader) -> tuple[str, dict[str, str], bytes]:
    """One HTTP/1.1 request or response: its first line, headers (lower-case) and body."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    first, *lines = head[:-4].split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return first, headers, body


async def exchange(
    port: int, path: str, body: bytes = b"", seconds: float | None = None
) -> tuple[int, bytes]:
    """POST `body` to `path` on its own connection; the status and body of the answer."""
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode(
                "latin-1"
            )
            + body
        )
        first, _, answer = await asyncio.wait_for(_read_message(reader), seconds)
        return int(first.split(" ", 2)[1]), answer
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


class _Webhook:
    """Delivers released updates to the bot's webhook over a few kept-alive connections."""

    def __init__(self, url: str, secret: str, connections: int) -> None:
        parts = urlsplit(url)
        self.url = url
        self.port = parts.port or 80
        host = parts.hostname or HOST
        self.head = (
            f"POST {parts.path or '/'} HTTP/1.1\r\nHost: {host}:{self.port}\r\n"
            "Content-Type: application/json\r\n"
            + (f"X-Telegram-Bot-Api-Secret-Token: {secret}\r\n" if secret else "")
        ).encode("latin-1")
        self.host = host
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()
        self.posts = 0
        self.errors = 0
        self._workers = [asyncio.create_task(self._deliver()) for _ in range(connections)]

    async def _deliver(self) -> None:
        connection: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        try:
            while True:
                data = await self.queue.get()
                # Telegram retries an update until the webhook takes it.
                for attempt in itertools.count():
                    try:
                        if connection is None:
                            connection = await asyncio.open_connection(self.host, self.port)
                        reader, writer = connection
                        writer.write(self.head + b"Content-Length: %d\r\n\r\n" % len(data) + data)
                        first, headers, _ = await _read_message(reader)
                        if headers.get("connection", "").lower() == "close":
                            writer.close()
                            connection = None
                        if first.split(" ", 2)[1] == "200":
                            self.posts += 1
                            break
                    except (OSError, asyncio.IncompleteReadError):
                        if connection is not None:
                            connection[1].close()
                        connection = None
                    self.errors += 1
                    await asyncio.sleep(min(0.01 * 2**attempt, 1.0))
        finally:
            if connection is not None:
                connection[1].close()

    async def close(self) -> None:
        """Stop delivering; updates not yet delivered are dropped."""
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)


class BotApi:
    """The server's state: patients' streams, the getUpdates queue or the webhook, counters."""

    def __init__(self) -> None:
        self._ids = itertools.count(1000)
        self._update_ids = itertools.count(1)
        self._streams: dict[int, deque[dict[str, Any]]] = {}
        self._waiting: set[int] = set()
        self._left = 0
        self._done = asyncio.Event()
        self._pending: deque[tuple[int, bytes]] = deque()
        self._arrival = asyncio.Event()
        self._webhook: _Webhook | None = None
        self._stopping = False
        self.calls: Counter[str] = Counter()
        # Connections open now and the most at once since the run began, the control one aside.
        self.connections = 0
        self.peak_connections = 0
        # Telegram's bot id is the token's first part; set from the first call.
        self.me: dict[str, Any] = {}

    # The control side, used by the benchmark.

    def load(self, updates: list[dict[str, Any]]) -> dict[str, object]:
        """Take a new stream; each patient's updates keep their order in it."""
        self._streams = {}
        for payload in updates:
            self._streams.setdefault(_user_of(payload), deque()).append(payload)
        self._waiting.clear()
        self._pending.clear()
        self._left = len(self._streams)
        self._done = asyncio.Event()
        return {"users": len(self._streams), "updates": len(updates)}

    async def run(self, seconds: float) -> dict[str, object]:
        """Release every patient's first update; figures once all were answered or time ran out."""
        self.calls.clear()
        self.peak_connections = self.connections
        if self._webhook is not None:
            self._webhook.posts = self._webhook.errors = 0
        cpu, wall = time.process_time(), time.perf_counter()
        for user in list(self._streams):
            self._release(user)
        complete = True
        try:
            await asyncio.wait_for(self._done.wait(), seconds)
        except TimeoutError:
            complete = False
        return {
            "complete": complete,
            "seconds": time.perf_counter() - wall,
            "cpu_seconds": time.process_time() - cpu,
            "calls": dict(self.calls),
            "webhook_posts": self._webhook.posts if self._webhook else 0,
            "webhook_errors": self._webhook.errors if self._webhook else 0,
            "unanswered_users": self._left,
            "peak_connections": self.peak_connections - 1,
        }

    def _release(self, user: int) -> None:
        stream = self._streams[user]
        if not stream:
            self._left -= 1
            if not self._left:
                self._done.set()
            return
        payload = stream.popleft()
        update_id = next(self._update_ids)
        payload["update_id"] = update_id
        data = json.dumps(payload, separators=(",", ":")).encode()
        self._waiting.add(user)
        if self._webhook is not None:
            self._webhook.queue.put_nowait(data)
        else:
            self._pending.append((update_id, data))
            self._arrival.set()

    # The Bot API side, used by the bot.

    async def call(self, name: str, params: dict[str, Any]) -> tuple[int, bytes]:
        """Answer one Bot API call like Telegram."""
        self.calls[name] += 1
        if name in REPLY_METHODS:
            chat = int(params.get("chat_id") or 0)
            if chat in self._waiting:
                self._waiting.discard(chat)
                self._release(chat)
            return _ok(
                {
                    "message_id": int(params.get("message_id") or next(self._ids)),
                    "date": 1_700_000_000,
                    "chat": {"id": chat, "type": "private"},
                    "from": {"id": self.me["id"], "is_bot": True, "first_name": "Bot"},
                    "text": params.get("text") or params.get("caption") or "",
                }
            )
        if name == "getUpdates":
            return await self._get_updates(params)
        if name == "getMe":
            return _ok(self.me)
        if name == "setWebhook":
            await self._set_webhook(
                str(params.get("url") or ""),
                str(params.get("secret_token") or ""),
                int(params.get("max_connections") or 40),
            )
            return _ok(True)
        if name == "deleteWebhook":
            await self._set_webhook("", "", 0)
            return _ok(True)
        if name == "getWebhookInfo":
            url = self._webhook.url if self._webhook else ""
            return _ok({"url": url, "has_custom_certificate": False, "pending_update_count": 0})
        return _ok(True)

    async def stop(self) -> None:
        """Answer the long polls in progress and stop delivering to the webhook."""
        self._stopping = True
        self._arrival.set()
        self._done.set()
        await self._set_webhook("", "", 0)

    async def _set_webhook(self, url: str, secret: str, connections: int) -> None:
        if self._webhook is not None:
            await self._webhook.close()
            self._webhook = None
        if url:
            self._webhook = _Webhook(url, secret, max(1, connections))

    async def _get_updates(self, params: dict[str, Any]) -> tuple[int, bytes]:
        if self._webhook is not None:
            return _CONFLICT
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        pending = self._pending
        while pending and pending[0][0] < offset:
            pending.popleft()
        if not pending and timeout > 0 and not self._stopping:
            if self._arrival.is_set():
                self._arrival = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrival.wait(), timeout)
            while pending and pending[0][0] < offset:
                pending.popleft()
        batch = [data for _, data in itertools.islice(pending, limit)]
        return 200, b'{"ok":true,"result":[' + b",".join(batch) + b"]}"


class Server:
    """The HTTP side: keep-alive connections, routing to the Bot API and the control calls."""

    def __init__(self) -> None:
        self.api = BotApi()
        self._clients: dict[asyncio.Task[None], asyncio.StreamWriter] = {}

    async def close(self) -> None:
        """End every connection; their handlers return rather than being cancelled."""
        await self.api.stop()
        for writer in self._clients.values():
            writer.close()
        if self._clients:
            # Python 3.11's start_server reports a cancelled handler as an unhandled error.
            await asyncio.wait(list(self._clients), timeout=5)

    async def connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one client's requests, one after the other, until it closes."""
        task = asyncio.current_task()
        assert task is not None
        self._clients[task] = writer
        self.api.connections += 1
        self.api.peak_connections = max(self.api.peak_connections, self.api.connections)
        try:
            while True:
                try:
                    first, headers, body = await _read_message(reader)
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
                    return
                target = first.split(" ", 2)[1]
                try:
                    status, answer = await self.route(target, headers, body)
                except (ValueError, KeyError) as error:
                    status, answer = 400, json.dumps({"ok": False, "error": repr(error)}).encode()
                if writer.is_closing():
                    return
                close = headers.get("connection", "").lower() == "close"
                writer.write(
                    b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n%s\r\n"
                    % (
                        status,
                        _REASONS.get(status, b"Error"),
                        len(answer),
                        b"Connection: close\r\n" if close else b"",
                    )
                    + answer
                )
                await writer.drain()
                if close:
                    return
        except (ConnectionError, OSError):
            return
        finally:
            del self._clients[task]
            self.api.connections -= 1
            writer.close()

    async def route(self, target: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        """The status and body for one request."""
        path, _, query = target.partition("?")
        if path.startswith("/control/"):
            command = json.loads(body) if body else {}
            if path == "/control/load":
                return _ok(self.api.load(command["updates"]))
            if path == "/control/run":
                return _ok(await self.api.run(float(command.get("seconds", RUN_TIMEOUT_SECONDS))))
            return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}'
        token, _, name = path.removeprefix("/bot").partition("/")
        if not path.startswith("/bot") or not name:
            return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}'
        if not self.api.me:
            self.api.me = {
                "id": int(token.split(":", 1)[0]),
                "is_bot": True,
                "first_name": "Loopback",
                "username": "loopback_bot",
            }
        params: dict[str, Any] = dict(parse_qsl(query))
        kind = headers.get("content-type", "")
        if kind.startswith("application/x-www-form-urlencoded"):
            params.update(parse_qsl(body.decode()))
        elif kind.startswith("application/json") and body:
            params.update(json.loads(body))
        return await self.api.call(name, params)


async def serve(stop: asyncio.Event, announce: Callable[[int], object] = print) -> None:
    """Serve on an ephemeral port (announced first) until `stop` is set."""
    handler = Server()
    server = await asyncio.start_server(handler.connection, HOST, 0, backlog=1024)
    announce(server.sockets[0].getsockname()[1])
    async with server:
        await stop.wait()
        server.close()
        await handler.close()


def _main() -> None:
    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def watch_stdin() -> None:
            # The parent closes our standard input to stop us, or by dying.
            sys.stdin.buffer.read()
            loop.call_soon_threadsafe(stop.set)

        threading.Thread(target=watch_stdin, daemon=True).start()
        await serve(stop, lambda port: print(port, flush=True))

    asyncio.run(main())


class LoopbackServer:
    """The server in a child process, for a `with` block; `port` and `base_url` inside it."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        """What `ApplicationBuilder.base_url` (or `Bot(base_url=...)`) takes."""
        return f"http://{HOST}:{self.port}/bot"

    def __enter__(self) -> LoopbackServer:
        # -I: the child imports nothing from this project or the user's site-packages.
        process = subprocess.Popen(
            [sys.executable, "-I", str(Path(__file__).resolve())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self._process = process
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.strip().isdigit():
            self.__exit__(None, None, None)
            raise RuntimeError(f"the loopback server did not start: {line!r}")
        self.port = int(line)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        assert process.stdin is not None
        assert process.stdout is not None
        with contextlib.suppress(OSError):
            process.stdin.close()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()

    async def load(self, updates: list[dict[str, Any]]) -> dict[str, Any]:
        """Give the server the stream the next run plays."""
        return await self._control("/control/load", {"updates": updates})

    async def run(self, seconds: float = RUN_TIMEOUT_SECONDS) -> dict[str, Any]:
        """Play the loaded stream; the server's figures once every patient was answered."""
        return await self._control("/control/run", {"seconds": seconds}, seconds + 10)

    async def _control(
        self, path: str, command: dict[str, Any], seconds: float = 30.0
    ) -> dict[str, Any]:
        status, answer = await exchange(self.port, path, json.dumps(command).encode(), seconds)
        if status != 200:
            raise RuntimeError(f"{path}: {status} {answer[:200]!r}")
        result: dict[str, Any] = json.loads(answer)["result"]
        return result


if __name__ == "__main__":
    _main()
