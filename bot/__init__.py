"""The shells: Telegram, the terminal console, the command line, configuration."""

import os

# python-telegram-bot 22 warns on every flood-control error until time periods are timedeltas;
# opting in now gives the behaviour of its next major version and keeps warnings meaningful.
os.environ.setdefault("PTB_TIMEDELTA", "1")
