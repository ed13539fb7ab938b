"""`python -m bot` is the `backtrack` command."""

from bot.cli import main

raise SystemExit(main())
