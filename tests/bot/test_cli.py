"""The command line: configuration errors are one clear line, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings
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
