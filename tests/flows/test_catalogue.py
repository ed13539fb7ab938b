"""The message catalogue: every key the code asks for exists, with the right placeholders."""

from __future__ import annotations

import ast
import string
from pathlib import Path

from flows.i18n import CATALOGUES, t

ROOT = Path(__file__).resolve().parents[2]


def literal_keys() -> set[str]:
    keys: set[str] = set()
    for path in [*(ROOT / "flows").rglob("*.py"), *(ROOT / "bot").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "t"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
            ):
                keys.add(node.args[1].value)
    return keys


def test_every_literal_key_exists_in_english() -> None:
    keys = literal_keys()
    assert len(keys) > 40
    missing = sorted(k for k in keys if k not in CATALOGUES["en"])
    assert missing == []


def test_templates_are_valid_format_strings() -> None:
    for key, template in CATALOGUES["en"].items():
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f]
        assert all(f.isidentifier() for f in fields), key


def test_unknown_language_falls_back_to_english() -> None:
    assert t("xx", "nav.back") == t("en", "nav.back")
