"""English texts of the red-flag and cause rules (REFERENCE.md §1.2, §2.4, §5.3)."""

MESSAGES: dict[str, str] = {}
