"""Logging set-up that keeps tokens and health data out of the logs."""

from __future__ import annotations

import logging
from collections.abc import Mapping

# Loggers that write request URLs (which contain the token), whole Bot API call parameters,
# whole updates or raw webhook bodies (which contain diary text) below this level; they never
# go lower.
_NOISY = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "telegram.Bot": logging.INFO,
    "telegram.ext.ExtBot": logging.INFO,
    "telegram.request": logging.INFO,
    # "Processing update Update(...)" and "Dropping pending update: ..." at DEBUG.
    "telegram.ext.Application": logging.INFO,
    # "Webhook received data: ..." at DEBUG.
    "telegram.ext.Updater": logging.INFO,
    "apscheduler": logging.WARNING,
    # The PDF's font subsetting lists the glyphs it keeps, which spell out the notes' letters.
    "fontTools": logging.WARNING,
}

# python-telegram-bot's loggers that may pass an update or its data as a log argument at a
# level that is always on (an update it cannot build a context for is logged at CRITICAL).
_TELEGRAM = (
    "telegram",
    "telegram.ext",
    "telegram.Bot",
    "telegram.ext.ExtBot",
    "telegram.ext.Application",
    "telegram.ext.Updater",
    "telegram.ext.BaseUpdateProcessor",
    "telegram.ext.JobQueue",
    "telegram.request",
)

WITHHELD = "<withheld: may hold health data>"


def _withheld(value: object) -> object:
    # By module, not by class: file workers use this too, and must not import telegram.
    if type(value).__module__.startswith("telegram") or isinstance(
        value, Mapping | bytes | bytearray | list
    ):
        return WITHHELD
    return value


class WithholdData(logging.Filter):
    """Replace updates, Telegram objects and raw data among a record's arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep the record, with its data arguments withheld."""
        args = record.args
        if isinstance(args, Mapping):
            record.args = {key: _withheld(value) for key, value in args.items()}
        elif args:
            record.args = tuple(_withheld(value) for value in args)
        return True


_WITHHOLD = WithholdData()


def quiet_noisy_loggers() -> None:
    """Raise the level of the libraries' loggers that would leak tokens or health data."""
    for name, level in _NOISY.items():
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.getEffectiveLevel(), level))
    for name in _TELEGRAM:
        logger = logging.getLogger(name)
        if _WITHHOLD not in logger.filters:
            logger.addFilter(_WITHHOLD)


def setup_logging(level: str = "INFO") -> None:
    """Log to stderr at the given level, with the leaky loggers quietened."""
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # On the handler too: it sees every library's records, not only python-telegram-bot's.
    for handler in logging.getLogger().handlers:
        if _WITHHOLD not in handler.filters:
            handler.addFilter(_WITHHOLD)
    quiet_noisy_loggers()
