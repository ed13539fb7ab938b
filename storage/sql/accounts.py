"""Accounts: profiles, consent, where each conversation stands, erasure, processed updates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flows.records.models import Profile
from storage.ports import Conversation
from storage.sql.base import Connected
from storage.sql.tables import CONVERSATIONS, PROFILES, iso


class Accounts(Connected):
    """The account queries of a unit of work."""

    def profile(self, user_id: int) -> Profile | None:
        """Return the user's profile, or None before they consented."""
        row = self.conn.execute(
            f"SELECT {PROFILES.select_list} FROM users WHERE user_id = ?", (user_id,)
        ).fetchone()
        return None if row is None else PROFILES.from_row(row)

    def conversation(self, user_id: int) -> Conversation:
        """Return the user's conversation position (seq 0 and no state when new)."""
        row = self.conn.execute(
            f"SELECT {CONVERSATIONS.select_list} FROM conversations WHERE user_id = ?",
            (user_id,),
        ).fetchone()
        return Conversation(0, None) if row is None else CONVERSATIONS.from_row(row)

    def set_entry_aside(self, user_id: int, draft: str | None) -> None:
        """Keep (or, with None, forget) the unsaved diary entry put aside for /log."""
        # The conversation row exists: an entry was open in it, or /log is answering.
        self.conn.execute(
            "UPDATE conversations SET entry_aside = ? WHERE user_id = ?", (draft, user_id)
        )

    def save_conversation(self, user_id: int, seq: int, state: str | None) -> None:
        """Store the conversation position."""
        self.conn.execute(
            "INSERT INTO conversations (user_id, seq, state, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET seq = excluded.seq, state = excluded.state, "
            "updated_at = excluded.updated_at",
            (user_id, seq, state, self.now_iso),
        )

    def forget_conversation(self, user_id: int) -> None:
        """Remove the conversation row entirely."""
        self.conn.execute("DELETE FROM conversations WHERE user_id = ?", (user_id,))

    def record_consent(
        self, user_id: int, language: str, timezone: str, country: str | None = None
    ) -> None:
        """Create the user's account at the moment they consent (kept if it exists)."""
        self.conn.execute(
            "INSERT INTO users (user_id, consented_at, language, timezone, country, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO NOTHING",
            (user_id, self.now_iso, language, timezone, country, self.now_iso),
        )

    def save_profile(self, profile: Profile) -> None:
        """Store every profile field."""
        self.conn.execute(
            f"INSERT INTO users ({PROFILES.select_list}, updated_at) "
            f"VALUES ({PROFILES.placeholders}, ?) ON CONFLICT (user_id) DO UPDATE SET "
            f"{PROFILES.excluded('user_id', 'consented_at')}, updated_at = excluded.updated_at",
            (*PROFILES.to_row(profile), self.now_iso),
        )

    def erase_user(self, user_id: int) -> None:
        """Erase every row about the user; the foreign keys take the rest with the account."""
        self.conn.execute("DELETE FROM users WHERE user_id = ?", (user_id,))
        # The entries' triggers have emptied every date already; this holds if one is dropped.
        self.conn.execute("DELETE FROM entry_days WHERE user_id = ?", (user_id,))
        self.conn.execute("DELETE FROM trend_cache WHERE user_id = ?", (user_id,))
        self.conn.execute("DELETE FROM conversations WHERE user_id = ?", (user_id,))

    def forget_unconsented(self, before: datetime) -> int:
        """Forget where people who never agreed stood, if they last answered before a moment."""
        cursor = self.conn.execute(
            "DELETE FROM conversations WHERE updated_at < ? "
            "AND user_id NOT IN (SELECT user_id FROM users)",
            (iso(before),),
        )
        return cursor.rowcount

    def hold_user(self, user_id: int) -> bool:
        """Take the user's lock for this unit of work if it is free; False while another has it."""
        # One SQLite writer at a time: nothing else can hold it (PostgreSQL overrides this).
        return True

    def lock_users(self, user_ids: Sequence[int]) -> None:
        """Wait until no other unit of work holds these users, then hold them for this one."""
        # One SQLite writer at a time: nothing else can hold them (PostgreSQL overrides this).

    def claim_update(self, update_id: int) -> bool:
        """Record a Telegram update as processed; False if it already was."""
        cursor = self.conn.execute(
            "INSERT INTO processed_updates (update_id, processed_at) VALUES (?, ?) "
            "ON CONFLICT (update_id) DO NOTHING",
            (update_id, self.now_iso),
        )
        return cursor.rowcount == 1

    def prune_updates(self, before: datetime) -> int:
        """Forget processed update ids older than a moment; Telegram redelivers for a day."""
        cursor = self.conn.execute(
            "DELETE FROM processed_updates WHERE processed_at < ?", (iso(before),)
        )
        return cursor.rowcount

    def block(self, user_id: int) -> None:
        """Mark that the user blocked the bot: no prompts until they come back (`unblock`)."""
        self.conn.execute("UPDATE users SET blocked = 1 WHERE user_id = ?", (user_id,))

    def unblock(self, user_id: int) -> bool:
        """Mark a user who had blocked the bot as back; True if they had blocked it."""
        cursor = self.conn.execute(
            "UPDATE users SET blocked = 0 WHERE user_id = ? AND blocked = 1", (user_id,)
        )
        return cursor.rowcount == 1
