"""The English catalogue."""

from flows.locale import en_rules

_CORE: dict[str, str] = {}

MESSAGES: dict[str, str] = {**_CORE, **en_rules.MESSAGES}
