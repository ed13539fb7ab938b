"""The pure core: flows, rules, trends and texts. No I/O, no clock, no Telegram, no SQL."""
