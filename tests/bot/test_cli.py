"""The command line: configuration errors are one clear line, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.cli import BROKEN_PIPE_STATUS, main
from bot.config import ConfigError, Settings
from flows.clinical.codes import Finding
from tests.bot.test_service import FakeBotApiServer
from tests.fakes import TOKEN


def backtrack(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
        stdin=subprocess.DEVNULL,
    )


def test_run_without_a_token_says_so_in_one_line(tmp_path: Path) -> None:
    result = backtrack(tmp_path, "run")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "TELEGRAM_BOT_TOKEN is not set" in result.stderr


def test_run_with_a_malformed_token_says_so_without_echoing_it(tmp_path: Path) -> None:
    result = backtrack(tmp_path, "run", env={"TELEGRAM_BOT_TOKEN": "oops-secret"})
    assert result.returncode == 2
    assert "does not look like a bot token" in result.stderr
    assert "oops-secret" not in result.stderr
    assert "Traceback" not in result.stderr


def test_fallback_opens_the_console_with_a_clear_line(tmp_path: Path) -> None:
    result = backtrack(tmp_path, "run", "--fallback-console")
    assert result.returncode == 0
    assert "No TELEGRAM_BOT_TOKEN set: opening the console" in result.stderr
    assert "BackTrack console" in result.stdout
    assert (tmp_path / "backtrack.db").exists()


def test_settings_read_the_dotenv_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "BACKTRACK_DB", "TELEGRAM_API_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN={TOKEN}\nBACKTRACK_DB=/data/bt.db\n"
        "TELEGRAM_API_BASE_URL=http://127.0.0.1:8081/bot\n"
    )
    settings = Settings()
    assert settings.token() == TOKEN
    assert str(settings.backtrack_db) == "/data/bt.db"
    assert settings.base_url() == "http://127.0.0.1:8081/bot"
    assert settings.base_file_url() == "http://127.0.0.1:8081/file/bot"
    assert TOKEN not in repr(settings)


def test_defaults_point_at_telegram(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_API_BASE_URL", raising=False)
    monkeypatch.delenv("TELEGRAM_API_FILE_URL", raising=False)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    settings = Settings()
    assert settings.base_url() == "https://api.telegram.org/bot"
    assert settings.base_file_url() == "https://api.telegram.org/file/bot"
    with pytest.raises(ConfigError):
        settings.token()


def test_triage_help_lists_the_valid_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["triage", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: backtrack triage")
    codes = out[out.index("finding codes:") :]
    assert all(code.value in codes.replace(",", " ").split() for code in Finding)


def test_triage_refuses_an_emergency_number_that_is_not_one(tmp_path: Path) -> None:
    result = backtrack(
        tmp_path, "triage", "--days-since-surgery", "3", "--emergency-number", "abc"
    )
    assert result.returncode == 2
    assert "argument --emergency-number: not a phone number: 'abc'" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("json_option", [(), ("--json",)])
def test_a_reader_that_has_gone_gets_no_traceback(
    tmp_path: Path, json_option: tuple[str, ...]
) -> None:
    # `backtrack triage ... | head -1` where head has exited: the pipe's reading end is
    # closed before the command writes a line, so every write to it fails.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "triage", "--days-since-surgery", "10",
             "--finding", "bladder_change", *json_option],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
            cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin"},
        )  # fmt: skip
    finally:
        os.close(write_end)
    assert result.stderr == ""
    assert result.returncode == BROKEN_PIPE_STATUS


def test_triage_into_a_pipe_that_reads_everything_is_unchanged(tmp_path: Path) -> None:
    result = backtrack(
        tmp_path, "triage", "--days-since-surgery", "10", "--finding", "bladder_change", "--json"
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout)["tier"] == "emergency"


@pytest.fixture
def telegram() -> Iterator[int]:
    """A Bot API on loopback that answers every call; its port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeBotApiServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def test_set_webhook_at_debug_registers_and_never_logs_the_token(
    tmp_path: Path, telegram: int
) -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": "s" * 20,
        "BACKTRACK_LOG_LEVEL": "DEBUG",
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{telegram}/bot",
    }
    result = backtrack(tmp_path, "set-webhook", "https://bot.example.org/hook", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Telegram sends the updates to https://bot.example.org/hook now.\n"
    # httpx logs each request's URL, which holds the token, unless bot/logs.py quiets it.
    assert TOKEN.split(":")[1] not in result.stderr + result.stdout
    assert "setWebhook" in FakeBotApiServer.calls


def test_set_webhook_that_telegram_refuses_is_one_line(tmp_path: Path) -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": "s" * 20,
        # Nothing listens there.
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",
    }
    result = backtrack(tmp_path, "set-webhook", "https://bot.example.org/hook", env=env)
    assert result.returncode == 1
    assert result.stderr.strip() == "backtrack: Telegram did not take the webhook (NetworkError)"
