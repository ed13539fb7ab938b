"""Configuration from the environment or a .env file, read once at start-up."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

TOKEN_SHAPE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,100}$")
# Telegram's rule for a webhook secret token.
SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,256}$")
TELEGRAM_BASE_URL = "https://api.telegram.org/bot"


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line for the operator."""


class Settings(BaseSettings):
    """The operator's settings (see .env.example)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    backtrack_db: Path = Path("backtrack.db")
    backtrack_db_key: SecretStr | None = None
    # postgresql://user:password@host/db: PostgreSQL instead of the SQLite file (may hold a
    # password, so it is never logged).
    backtrack_database_url: SecretStr | None = None
    # Whether this process sends the check-in prompts: with several workers on one PostgreSQL
    # database, the web workers run with it off and one sender with it on (docs/DEPLOY.md).
    backtrack_send_prompts: bool = True
    # Whether a webhook worker registers the webhook with Telegram as it starts; off when
    # `backtrack set-webhook` did it once for several workers.
    backtrack_set_webhook: bool = True
    telegram_api_base_url: str | None = None
    telegram_api_file_url: str | None = None
    backtrack_log_level: str = "INFO"
    telegram_webhook_secret: SecretStr | None = None
    # Telegram must reach the webhook server, so it listens on every interface by default.
    backtrack_webhook_listen: str = "0.0.0.0"
    port: int = 8443
    # Processes that draw charts and make export files, beside the bot's own process.
    backtrack_file_workers: int = Field(default=1, ge=1, le=16)

    def token(self) -> str:
        """Return the bot token, or raise ConfigError saying what is wrong with it."""
        if self.telegram_bot_token is None or not self.telegram_bot_token.get_secret_value():
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set: put the token from @BotFather in the "
                "environment or in .env (see .env.example)."
            )
        value = self.telegram_bot_token.get_secret_value().strip()
        if not TOKEN_SHAPE.match(value):
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN does not look like a bot token (expected digits, a colon "
                "and a long key, as @BotFather gives it)."
            )
        return value

    def has_token(self) -> bool:
        """Whether a token was given at all."""
        return bool(self.telegram_bot_token and self.telegram_bot_token.get_secret_value())

    def webhook_secret(self) -> str:
        """The secret Telegram must send with every webhook request, or ConfigError."""
        secret = self.telegram_webhook_secret
        if secret is None or not SECRET_SHAPE.match(secret.get_secret_value()):
            raise ConfigError(
                "webhook mode needs TELEGRAM_WEBHOOK_SECRET: 16 to 256 letters, digits, _ or -"
            )
        return secret.get_secret_value()

    def db_key(self) -> str | None:
        """The database encryption key, if encryption at rest is on, or ConfigError."""
        if self.backtrack_db_key is None or not self.backtrack_db_key.get_secret_value():
            return None
        key = self.backtrack_db_key.get_secret_value()
        if not key.strip():
            # Blank is no key at all: refused rather than used, or taken as "no encryption".
            raise ConfigError("BACKTRACK_DB_KEY is set but blank: give the key, or unset it")
        return key

    def database_url(self) -> str | None:
        """The PostgreSQL URL when one is set, or None for the SQLite file; or ConfigError."""
        if self.backtrack_database_url is None:
            return None
        url = self.backtrack_database_url.get_secret_value().strip()
        if not url:
            return None
        if not url.startswith(("postgresql://", "postgres://")):
            raise ConfigError(
                "BACKTRACK_DATABASE_URL must be a postgresql:// URL (unset it for the SQLite "
                "file BACKTRACK_DB)"
            )
        return url

    def base_url(self) -> str:
        """The Bot API base URL (Telegram's own unless a local Bot API server is set)."""
        return (self.telegram_api_base_url or TELEGRAM_BASE_URL).rstrip("/")

    def base_file_url(self) -> str:
        """The Bot API file URL, derived from the base URL unless set explicitly."""
        if self.telegram_api_file_url:
            return self.telegram_api_file_url.rstrip("/")
        base = self.base_url()
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base + "/file"
