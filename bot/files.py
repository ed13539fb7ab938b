"""Files users send and receive: decoding uploads the same way in Telegram and the console."""

from __future__ import annotations

from flows.dialogs.transfer import MAX_IMPORT_BYTES, DocumentFile


def decode_document(name: str, content: bytes) -> DocumentFile:
    """Read an uploaded file as UTF-8 text (a spreadsheet's byte-order mark is fine)."""
    if len(content) > MAX_IMPORT_BYTES:
        return DocumentFile(filename=name, problem="too_large")
    try:
        return DocumentFile(filename=name, text=content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return DocumentFile(filename=name, problem="not_text")
