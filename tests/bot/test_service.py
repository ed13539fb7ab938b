"""The running bot: SIGTERM finishes the update in hand and closes the database cleanly."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.fakes import TOKEN, message_update

SECRET = "webhook-secret-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_for_port(port: int) -> None:
    # Generous: a loaded CI machine can take seconds to start the webhook server.
    for _ in range(1000):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.02)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise AssertionError(f"nothing listens on {port}")


class FakeBotApiServer(BaseHTTPRequestHandler):
    """A Bot API on loopback for a bot in another process: one /start, then quiet polls."""

    calls: ClassVar[list[str]] = []
    delivered: ClassVar[threading.Event] = threading.Event()
    answered: ClassVar[threading.Event] = threading.Event()

    def do_POST(self) -> None:
        method = self.path.rsplit("/", 1)[-1]
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        type(self).calls.append(method)
        result: Any = True
        if method == "getMe":
            result = {"id": 1, "is_bot": True, "first_name": "BackTrack", "username": "bt_bot"}
        elif method == "getUpdates":
            if not type(self).delivered.is_set():
                type(self).delivered.set()
                result = [message_update(500, 81, "/start")]
            else:
                time.sleep(0.2)
                result = []
        elif method == "sendMessage":
            type(self).answered.set()
            result = {
                "message_id": 9,
                "date": 0,
                "chat": {"id": 81, "type": "private"},
                "text": "",
            }
        body = json.dumps({"ok": True, "result": result}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def bot_api() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeBotApiServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def test_sigterm_finishes_the_update_in_hand_and_closes_the_database(
    tmp_path: Path, bot_api: int
) -> None:
    db = tmp_path / "bot.db"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{bot_api}/bot",
        "BACKTRACK_DB": str(db),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert FakeBotApiServer.answered.wait(30), "the bot never answered /start"
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert "stopping: finishing updates in progress" in stderr
    assert "stopped; database closed" in stderr
    assert "Traceback" not in stderr
    assert TOKEN.split(":")[1] not in stderr
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert "setMyCommands" in FakeBotApiServer.calls
