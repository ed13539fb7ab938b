"""Runs the Telegram bot: open the database, build the application, poll until stopped."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

from telegram import Update

from bot.config import Settings
from bot.engine import Engine, system_clock
from bot.reminders import Dispatcher
from bot.telegram_bot import build_application, prompt_sender, set_commands
from storage.db import Database
from storage.repo import Store

log = logging.getLogger(__name__)

DISPATCH_EVERY_SECONDS = 60


async def serve(settings: Settings, db_path: Path, stop: asyncio.Event) -> None:
    """Poll Telegram until stop is set, then finish in-flight updates and close the database."""
    db = await Database.open(db_path, settings.db_key())
    try:
        engine = Engine(Store(db))
        await engine.prune()
        app = build_application(
            settings.token(),
            engine,
            base_url=settings.base_url(),
            base_file_url=settings.base_file_url(),
        )
        dispatcher = Dispatcher(Store(db), system_clock, prompt_sender(app.bot))
        retried = await dispatcher.recover()
        if retried:
            log.info("%d prompts from before the restart will be retried", retried)

        async def dispatch(_: object) -> None:
            await dispatcher.run_once()

        jobs = app.job_queue
        if jobs is None:
            raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
        jobs.run_repeating(dispatch, interval=DISPATCH_EVERY_SECONDS, first=1, name="prompts")
        async with app:
            await set_commands(app)
            await app.start()
            updater = app.updater
            if updater is None:
                raise RuntimeError("the application was built without an updater")
            await updater.start_polling(allowed_updates=Update.ALL_TYPES)
            log.info("BackTrack is running (database %s)", db_path)
            await stop.wait()
            log.info("stopping: finishing updates in progress")
            await updater.stop()
            await app.stop()
    finally:
        await db.close()


def run_polling(settings: Settings, db_path: Path) -> int:
    """Run the bot with long polling until SIGINT or SIGTERM; returns the exit status."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(settings, db_path, stop)

    asyncio.run(main())
    return 0
