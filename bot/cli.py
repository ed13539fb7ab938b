"""The `backtrack` command: run, console, triage, assess."""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import assess_cmd, triage_cmd
from bot.config import ConfigError, Settings
from bot.console import run_console
from bot.engine import Engine
from bot.logs import setup_logging
from flows.i18n import t
from storage.sqlite.db import DatabaseKeyError

log = logging.getLogger(__name__)

CONSOLE_USER = 1
# 128 + SIGPIPE: what a shell reports for a command whose reader went away (`yes | head -1`).
BROKEN_PIPE_STATUS = 141


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="backtrack", description="BackTrack: a pain diary bot for life after back surgery."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the Telegram bot (long polling)")
    run.add_argument(
        "--webhook",
        metavar="URL",
        help="take updates on this public HTTPS URL instead of long polling "
        "(needs TELEGRAM_WEBHOOK_SECRET; listens on PORT)",
    )
    run.add_argument(
        "--fallback-console",
        action="store_true",
        help="open the console instead when no TELEGRAM_BOT_TOKEN is set",
    )
    hook = commands.add_parser(
        "set-webhook",
        help="register the webhook URL with Telegram once, for workers started with "
        "BACKTRACK_SET_WEBHOOK=false (needs TELEGRAM_WEBHOOK_SECRET)",
    )
    hook.add_argument("url", metavar="URL", help="the public HTTPS URL of the workers")
    move = commands.add_parser(
        "migrate-to-postgres",
        help="copy the SQLite database (BACKTRACK_DB, or --db) into the empty PostgreSQL "
        "database BACKTRACK_DATABASE_URL names; stop the bot first",
    )
    move.add_argument("--db", type=Path, help="SQLite database path (default BACKTRACK_DB)")
    console = commands.add_parser("console", help="use the bot in this terminal")
    console.add_argument("--user", type=int, default=CONSOLE_USER, help="user id to act as")
    for sub in (run, console):
        sub.add_argument("--db", type=Path, help="SQLite database path (default BACKTRACK_DB)")
    triage = commands.add_parser("triage", help="run the shared red-flag and cause rules")
    triage_cmd.configure(triage)
    assess = commands.add_parser(
        "assess", help="replay a diary CSV and report every alert the bot would have sent"
    )
    assess_cmd.configure(assess)
    return parser


async def _console(settings: Settings, db_path: Path, user_id: int) -> int:
    from bot.service import open_store

    if isinstance(sys.stdin, io.TextIOWrapper):
        # A terminal in another encoding must not stop the console; odd bytes become "?".
        sys.stdin.reconfigure(encoding="utf-8", errors="replace")
    store, _, close = await open_store(settings, db_path)
    try:
        return await run_console(Engine(store), user_id, sys.stdin, sys.stdout)
    finally:
        await close()


def _run_bot(settings: Settings, db_path: Path, webhook_url: str | None) -> int:
    from bot.service import Webhook, run_bot

    webhook = None
    if webhook_url:
        webhook = Webhook(
            url=webhook_url,
            secret=settings.webhook_secret(),
            listen=settings.backtrack_webhook_listen,
            port=settings.port,
        )
    return run_bot(settings, db_path, webhook)


async def _set_webhook(settings: Settings, url: str) -> int:
    from telegram import Bot
    from telegram.error import TelegramError

    from bot.webhook import register_webhook

    secret = settings.webhook_secret()
    bot = Bot(settings.token(), base_url=settings.base_url())
    try:
        async with bot:
            await register_webhook(bot, url, secret)
    except TelegramError as error:
        # The error's type, not its text: it may quote the request.
        print(
            f"backtrack: Telegram did not take the webhook ({type(error).__name__})",
            file=sys.stderr,
        )
        return 1
    print(f"Telegram sends the updates to {url} now.")
    return 0


def _migrate_to_postgres(settings: Settings, db_path: Path) -> int:
    import psycopg

    from storage.postgres.copy import NotEmptyError, copy_database
    from storage.sqlite.db import Database, Location, open_reader

    url = settings.database_url()
    if url is None:
        raise ConfigError("set BACKTRACK_DATABASE_URL to the PostgreSQL database to copy into")
    if not db_path.is_file():
        raise ConfigError(f"there is no SQLite database at {db_path}")

    async def migrated() -> None:
        # A file an older version wrote gets this version's columns first, as at start-up.
        await (await Database.open(db_path, settings.db_key())).close()

    asyncio.run(migrated())
    source = open_reader(Location(db_path, settings.db_key()))
    try:
        with psycopg.connect(url) as target:
            copied = copy_database(source, target)
    except NotEmptyError as error:
        print(f"backtrack: {error}; nothing was copied", file=sys.stderr)
        return 1
    except psycopg.Error as error:
        # The class, not the text: the text may hold the server's address or a row's values.
        print(
            f"backtrack: PostgreSQL refused the copy ({type(error).__name__}); nothing was copied",
            file=sys.stderr,
        )
        return 1
    finally:
        source.close()
    rows = ", ".join(f"{table} {count}" for table, count in copied.items())
    print(f"Copied {db_path} into PostgreSQL: {rows}.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the command; returns the exit status."""
    try:
        status = _main(argv)
        # Inside the try: into a pipe, output is buffered, and a reader that has gone away
        # (`backtrack triage ... | head -1`) shows up only when it is flushed.
        sys.stdout.flush()
    except BrokenPipeError:
        # Not an error worth a traceback. Python flushes stdout once more at exit, which
        # would fail again, so whatever is left goes to /dev/null instead.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return BROKEN_PIPE_STATUS
    return status


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "triage":
        return triage_cmd.run(args, sys.stdout, sys.stderr)
    if args.command == "assess":
        return assess_cmd.run(args, sys.stdout, sys.stderr)
    settings = Settings()
    setup_logging(settings.backtrack_log_level)
    db_path: Path = getattr(args, "db", None) or settings.backtrack_db
    try:
        if args.command == "migrate-to-postgres":
            return _migrate_to_postgres(settings, db_path)
        if args.command == "set-webhook":
            return asyncio.run(_set_webhook(settings, args.url))
        if args.command == "console":
            return asyncio.run(_console(settings, db_path, args.user))
        if args.fallback_console and not settings.has_token():
            print(t("en", "console.no_token"), file=sys.stderr)
            return asyncio.run(_console(settings, db_path, CONSOLE_USER))
        settings.token()
        return _run_bot(settings, db_path, args.webhook)
    except (ConfigError, DatabaseKeyError) as error:
        print(f"backtrack: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
