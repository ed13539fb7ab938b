"""The shells: Telegram, the terminal console, the command line, configuration."""
