"""The outer edge, faked: an offline Bot API and builders of Telegram update payloads."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.offline import BOT_ID, OfflineApi

TOKEN = "424242:TEST-token-not-real-0123456789abcdefghij"


@dataclass
class ApiCall:
    """One Bot API method call the bot made."""

    method: str
    params: dict[str, Any]
    # False for a call a faulty Bot API refused or lost before Telegram took it: the patient
    # never saw what it carried.
    reached: bool = True


@dataclass
class OfflineBotApi(OfflineApi):
    """The offline Bot API that also records every call, fails on request and serves files."""

    calls: list[ApiCall] = field(default_factory=list)
    # chat id -> (HTTP status, description, retry_after or None), answered instead of success
    failures: dict[int, tuple[int, str, int | None]] = field(default_factory=dict)
    # file id -> content, served by getFile and the file download
    files: dict[str, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__()

    async def answer(
        self, url: str, method: str, name: str, params: dict[str, Any]
    ) -> tuple[int, bytes]:
        """Serve a file download, or record the call and answer it."""
        if method == "GET" and "/file/" in url:
            return 200, self.files[name]
        call = ApiCall(name, params)
        self.calls.append(call)
        status, body = await super().answer(url, method, name, params)
        call.reached = status == 200
        return status, body

    def refuse(self, name: str, params: dict[str, Any]) -> tuple[int, bytes] | None:
        """Answer a message to a chat with a failure set for it."""
        chat = params.get("chat_id")
        chat_id = chat if isinstance(chat, int) else 0
        failure = self.failures.get(chat_id)
        if failure is None or name != "sendMessage":
            return None
        status, description, retry_after = failure
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
            # A flood wait is answered once; the retry goes through, as Telegram does.
            del self.failures[chat_id]
        return status, json.dumps(body).encode()

    def result(self, name: str, params: dict[str, Any]) -> object:
        """Answer files and photos too, and echo a message's keyboard as Telegram does."""
        if name == "getFile":
            file_id = str(params["file_id"])
            return {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_size": len(self.files[file_id]),
                "file_path": file_id,
            }
        if name in ("sendPhoto", "editMessageMedia", "editMessageCaption"):
            return {
                "message_id": params.get("message_id") or next(self._ids),
                "date": 1_700_000_000,
                "chat": {"id": params.get("chat_id", 0), "type": "private"},
                "photo": [{"file_id": "p", "file_unique_id": "p", "width": 880, "height": 495}],
                "caption": params.get("caption", ""),
            }
        message = super().result(name, params)
        if isinstance(message, dict) and "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return message

    def sent(self, method: str) -> list[dict[str, Any]]:
        """Return the parameters of every call of one method."""
        return [c.params for c in self.calls if c.method == method]

    def texts(self) -> list[str]:
        """Return every text the user was sent or shown by an edit, in order."""
        return [
            str(c.params["text"])
            for c in self.calls
            if c.method in ("sendMessage", "editMessageText")
        ]

    def last_keyboard(self) -> list[tuple[str, str]]:
        """Return (label, callback data) of the last inline keyboard shown."""
        for call in reversed(self.calls):
            markup = call.params.get("reply_markup")
            if call.method in ("sendMessage", "editMessageText") and markup:
                keyboard = markup if isinstance(markup, dict) else json.loads(markup)
                return [
                    (b["text"], b["callback_data"])
                    for row in keyboard["inline_keyboard"]
                    for b in row
                ]
        return []


def user_payload(user_id: int, language_code: str = "en") -> dict[str, Any]:
    """Return a Telegram user object."""
    return {
        "id": user_id,
        "is_bot": False,
        "first_name": "Pat",
        "language_code": language_code,
    }


def message_update(
    update_id: int,
    user_id: int,
    text: str | None,
    *,
    chat_type: str = "private",
    chat_id: int | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return an update carrying a message from a user."""
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": 1_700_000_000,
        "chat": {"id": chat_id or user_id, "type": chat_type},
        "from": user_payload(user_id),
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    message.update(extra or {})
    return {"update_id": update_id, "message": message}


def callback_update(
    update_id: int, user_id: int, data: str, *, message_id: int = 1
) -> dict[str, Any]:
    """Return an update carrying a button press on a bot message."""
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cq{update_id}",
            "from": user_payload(user_id),
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": 1_700_000_000,
                "chat": {"id": user_id, "type": "private"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "BackTrack"},
                "text": "earlier screen",
            },
        },
    }
