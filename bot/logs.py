"""Logging set-up that keeps tokens and health data out of the logs."""

from __future__ import annotations

import logging

# Loggers that write request URLs (which contain the token) or whole Bot API call
# parameters (which contain diary text) below this level; they never go lower.
_NOISY = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "telegram.Bot": logging.INFO,
    "telegram.ext.ExtBot": logging.INFO,
    "telegram.request": logging.INFO,
    "apscheduler": logging.WARNING,
    # The PDF's font subsetting narrates every table it prunes; no patient needs to read it.
    "fontTools": logging.WARNING,
}


def quiet_noisy_loggers() -> None:
    """Raise the level of the libraries' loggers that would leak tokens or health data."""
    for name, level in _NOISY.items():
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.getEffectiveLevel(), level))
    logging.getLogger("httpx").setLevel(logging.WARNING)


def setup_logging(level: str = "INFO") -> None:
    """Log to stderr at the given level, with the leaky loggers quietened."""
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    quiet_noisy_loggers()
