"""`python -m bot.gen_docs`: writes docs/clinical-rules.md and docs/countries.md from the data."""

from __future__ import annotations

from pathlib import Path

from flows.clinical.emergency import countries_markdown
from flows.clinical.rules_doc import render_markdown

DOC_PATH = Path(__file__).resolve().parents[1] / "docs" / "clinical-rules.md"
COUNTRIES_PATH = DOC_PATH.parent / "countries.md"


def main() -> int:
    """Write the clinical rules document and say where it went."""
    DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
    DOC_PATH.write_text(render_markdown(), encoding="utf-8", newline="\n")
    print(f"wrote {DOC_PATH}")
    COUNTRIES_PATH.write_text(countries_markdown(), encoding="utf-8", newline="\n")
    print(f"wrote {COUNTRIES_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
