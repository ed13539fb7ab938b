"""Runs the Telegram bot: open the database, build the application, take updates until stopped.

Long polling by default; with a webhook URL, BackTrack's own webhook server (bot/webhook.py),
which refuses any request that lacks the secret token Telegram was given before reading it.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from telegram.request import BaseRequest

from bot.config import Settings
from bot.engine import Engine
from bot.outbox import RETRY_EVERY_SECONDS
from bot.reminders import CLAIM_LEASE, Dispatcher, shared_budget
from bot.reply import system_clock
from bot.telegram_bot import (
    ALLOWED_UPDATES,
    SEND_RATE,
    build_application,
    prompt_sender,
    set_commands,
    shell_of,
)
from bot.webhook import WebhookServer
from bot.workers import Workers
from storage import ports
from storage.sqlite.db import Database
from storage.sqlite.store import Store

log = logging.getLogger(__name__)

DISPATCH_EVERY_SECONDS = 60
PRUNE_EVERY_SECONDS = 3600
ERASURE_RETRY_SECONDS = 10


@dataclass(frozen=True, slots=True)
class Webhook:
    """Where Telegram sends updates, and where this process listens for them."""

    url: str
    secret: str
    listen: str
    port: int

    @property
    def path(self) -> str:
        """The URL path the server answers on."""
        return urlsplit(self.url).path.strip("/")


async def serve(
    settings: Settings,
    db_path: Path,
    stop: asyncio.Event,
    *,
    webhook: Webhook | None = None,
    request: BaseRequest | None = None,
) -> None:
    """Take updates until stop is set, then finish those in progress and close the database."""
    store, db, close = await open_store(settings, db_path)
    workers = Workers(processes=settings.backtrack_file_workers)
    try:
        # Erasures only zero their rows and empty the WAL as they happen, so no patient waits
        # on a rebuild; the free pages they leave are rebuilt here, before any update.
        if db is not None and not await db.compact():
            log.warning("another process holds the database; the WAL will be emptied later")
        engine = Engine(store, workers=workers)
        await engine.prune()
        app = build_application(
            settings.token(),
            engine,
            base_url=settings.base_url(),
            base_file_url=settings.base_file_url(),
            request=request,
            updates_request=request,
        )
        courier = shell_of(app).courier
        # On SQLite this is the only process: what it had in flight when it stopped is due now.
        # On PostgreSQL another worker may be sending it; a lease ends on its own in 10 min.
        waiting = await engine.recover_advice() if db is not None else 0
        if waiting:
            log.info("%d safety messages from before the restart will be sent", waiting)
        jobs = app.job_queue
        if jobs is None:
            raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
        if settings.backtrack_send_prompts:
            # On PostgreSQL another sender may be running: only expired claims are given up.
            lease = CLAIM_LEASE if db is None else None
            send = prompt_sender(app.bot)
            if db is None:
                # Other senders may share the database: one budget for all of them.
                send = shared_budget(send, store, system_clock, SEND_RATE)
            dispatcher = Dispatcher(store, system_clock, send, claim_lease=lease)
            # Prompts a killed process may have sent are given up, never sent twice (it logs
            # them).
            await dispatcher.recover()

            async def dispatch(_: object) -> None:
                await dispatcher.run_once()

            jobs.run_repeating(dispatch, interval=DISPATCH_EVERY_SECONDS, first=1, name="prompts")

        async def deliver(_: object) -> None:
            await courier.run_once()

        jobs.run_repeating(deliver, interval=RETRY_EVERY_SECONDS, first=0, name="advice")

        if db is not None:
            sqlite_db = db

            async def fold(_: object) -> None:
                if not await sqlite_db.fold_if_pending():
                    log.warning("the WAL still holds an erasure; a reader holds it, retrying")

            # An erasure whose WAL a reader kept from emptying is retried until nothing is left.
            jobs.run_repeating(fold, interval=ERASURE_RETRY_SECONDS, first=ERASURE_RETRY_SECONDS)

        async def prune(_: object) -> None:
            await engine.prune()

        # Processed update ids are kept two days for duplicates; forget older ones hourly.
        jobs.run_repeating(prune, interval=PRUNE_EVERY_SECONDS, first=PRUNE_EVERY_SECONDS)
        async with app:
            await set_commands(app)
            await app.start()
            updater = app.updater
            if updater is None:
                raise RuntimeError("the application was built without an updater")
            server: WebhookServer | None = None
            try:
                if webhook is None:
                    await updater.start_polling(allowed_updates=list(ALLOWED_UPDATES))
                    where = "PostgreSQL" if db is None else db_path
                    log.info("BackTrack is running with long polling (database %s)", where)
                else:
                    # Our own server, not the updater's: the secret is checked before a body.
                    server = WebhookServer(
                        app, webhook, engine.healthy, register=settings.backtrack_set_webhook
                    )
                    await server.start()
                    log.info("BackTrack is running with a webhook on port %d", webhook.port)
                await stop.wait()
                log.info("stopping: finishing updates in progress")
            finally:
                # Also when starting failed (a port in use, setWebhook refused): the operator
                # sees that error, not python-telegram-bot's "still running" on the way out.
                if updater.running:
                    await updater.stop()
                if server is not None:
                    await server.stop()
                if app.running:
                    await app.stop()
                # After the handlers have finished: none can start another safety message.
                await shell_of(app).drain()
    finally:
        workers.close()
        await close()
        log.info("stopped; database closed")


async def open_store(
    settings: Settings, db_path: Path
) -> tuple[ports.Store, Database | None, Callable[[], Awaitable[None]]]:
    """The storage the settings name: PostgreSQL at BACKTRACK_DATABASE_URL, else the file."""
    url = settings.database_url()
    if url is None:
        db = await Database.open(db_path, settings.db_key())
        return Store(db), db, db.close
    # Imported only here: psycopg is the `postgres` extra, not needed for the SQLite file.
    from storage.postgres.store import Store as PostgresStore

    postgres = await PostgresStore.open(url)
    return postgres, None, postgres.close


def run_bot(settings: Settings, db_path: Path, webhook: Webhook | None = None) -> int:
    """Run the bot until SIGINT or SIGTERM; returns the exit status."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(settings, db_path, stop, webhook=webhook)

    asyncio.run(main())
    return 0
