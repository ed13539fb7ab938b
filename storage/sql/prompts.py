"""Check-in prompts: who is due, claims that make each prompt go out once, their status."""

from __future__ import annotations

from datetime import date, datetime

from flows.clinical.schedule import PromptChoice, PromptFacts, PromptKind
from flows.records.models import Profile
from storage.sql.base import Connected
from storage.sql.tables import PROFILES, iso


class Prompts(Connected):
    """The prompt queries of a unit of work."""

    def set_next_prompt(self, user_id: int, at: datetime | None) -> None:
        """Set when the user's next check-in prompt is due."""
        self.conn.execute(
            "UPDATE users SET next_prompt_at = ? WHERE user_id = ?",
            (None if at is None else iso(at), user_id),
        )

    def next_prompt(self, user_id: int) -> datetime | None:
        """Return when the user's next check-in prompt is due."""
        row = self.conn.execute(
            "SELECT next_prompt_at FROM users WHERE user_id = ?", (user_id,)
        ).fetchone()
        return None if row is None or row[0] is None else datetime.fromisoformat(row[0])

    def due_users(self, now: datetime, limit: int) -> list[tuple[Profile, datetime]]:
        """Return users whose prompt is due, with the instant it was due, earliest first."""
        rows = self.conn.execute(
            f"SELECT {PROFILES.select_list}, next_prompt_at FROM users "
            "WHERE paused = 0 AND blocked = 0 AND next_prompt_at IS NOT NULL "
            f"AND next_prompt_at <= ? ORDER BY next_prompt_at LIMIT ?{self._skip_locked}",
            (iso(now), limit),
        ).fetchall()
        return [(PROFILES.from_row(r[:-1]), datetime.fromisoformat(r[-1])) for r in rows]

    def prompt_facts(self, profile: Profile, day: date) -> PromptFacts:
        """Gather what the scheduler needs to choose a user's prompt for a local date."""
        uid = profile.user_id
        logged, last = self.conn.execute(
            "SELECT count(*) FILTER (WHERE entry_date = ?), max(entry_date) FROM entries "
            "WHERE user_id = ?",
            (day.isoformat(), uid),
        ).fetchone()
        kinds: dict[str, list[str]] = {"weekly": [], "nudge": [], "milestone": []}
        for kind, key in self.conn.execute(
            "SELECT kind, key FROM prompts WHERE user_id = ? AND kind != 'daily'", (uid,)
        ).fetchall():
            kinds.setdefault(kind, []).append(key)
        return PromptFacts(
            day=day,
            logged_today=logged > 0,
            last_entry=None if last is None else date.fromisoformat(last),
            registered=profile.consented_at.date(),
            last_weekly=max(map(date.fromisoformat, kinds["weekly"]), default=None),
            nudged_for=max(map(date.fromisoformat, kinds["nudge"]), default=None),
            milestones_sent=frozenset(kinds["milestone"]),
            surgery=profile.surgery_date(),
        )

    def claim_prompt(
        self, user_id: int, kind: str, key: str, day: date, due: datetime, by: str = ""
    ) -> bool:
        """Record a prompt as being sent (by which sender); False if it already was."""
        cursor = self.conn.execute(
            "INSERT INTO prompts "
            "(user_id, kind, key, local_date, due_at, status, updated_at, claimed_by) "
            "VALUES (?, ?, ?, ?, ?, 'claimed', ?, ?) ON CONFLICT (user_id, kind, key) "
            "DO UPDATE SET status = 'claimed', updated_at = excluded.updated_at, "
            "claimed_by = excluded.claimed_by WHERE prompts.status IN ('snoozed', 'failed')",
            (user_id, kind, key, day.isoformat(), iso(due), self.now_iso, by or None),
        )
        return cursor.rowcount == 1

    def mark_prompt(self, user_id: int, kind: str, key: str, status: str) -> None:
        """Record what became of a claimed prompt: sent, blocked, failed, uncertain, missed."""
        self.conn.execute(
            "UPDATE prompts SET status = ?, updated_at = ? "
            "WHERE user_id = ? AND kind = ? AND key = ?",
            (status, self.now_iso, user_id, kind, key),
        )

    def failed_prompt(
        self, user_id: int, since: datetime
    ) -> tuple[PromptChoice, date, datetime] | None:
        """The user's failed prompt still worth retrying (due since `since`), if any."""
        row = self.conn.execute(
            "SELECT kind, key, local_date, due_at FROM prompts WHERE user_id = ? "
            "AND status = 'failed' AND due_at >= ? ORDER BY due_at DESC LIMIT 1",
            (user_id, iso(since)),
        ).fetchone()
        if row is None:
            return None
        choice = PromptChoice(PromptKind(row[0]), row[1])
        return choice, date.fromisoformat(row[2]), datetime.fromisoformat(row[3])

    def take_send_slot(self, rate: float, burst: float) -> float:
        """Take one bulk send from the bot-wide budget: 0 when taken, else seconds to wait."""
        # A token bucket refilled at `rate` a second up to `burst`. The row is made first, so
        # that on PostgreSQL there is always one to lock: senders in other processes then take
        # turns on it, even on the very first take.
        now = self.now.timestamp()
        self.conn.execute(
            "INSERT INTO send_budget (id, tokens, at) VALUES (1, ?, ?) "
            "ON CONFLICT (id) DO NOTHING",
            (burst, now),
        )
        left, at = self.conn.execute(
            f"SELECT tokens, at FROM send_budget WHERE id = 1{self._for_update}"
        ).fetchone()
        tokens = min(burst, left + max(0.0, now - at) * rate)
        wait = 0.0 if tokens >= 1 else (1 - tokens) / rate
        if wait == 0.0:
            tokens -= 1
        self.conn.execute("UPDATE send_budget SET tokens = ?, at = ? WHERE id = 1", (tokens, now))
        return wait

    def recover_claims(self, before: datetime | None = None) -> int:
        """Mark prompts claimed (before `before`) but never recorded as uncertain; how many."""
        # A process killed after Telegram took a prompt leaves the same claim as one killed
        # before sending it, so neither is sent again: the first would reach the patient twice.
        # A claim younger than `before` may be a live sender's, in flight: it is left alone.
        sql = "UPDATE prompts SET status = 'uncertain', updated_at = ? WHERE status = 'claimed'"
        if before is None:
            return self.conn.execute(sql, (self.now_iso,)).rowcount
        return self.conn.execute(f"{sql} AND updated_at < ?", (self.now_iso, iso(before))).rowcount

    def reopen_prompt(self, user_id: int, kind: str, key: str) -> None:
        """Let a snoozed prompt be sent once more."""
        self.mark_prompt(user_id, kind, key, "snoozed")

    def prompt_statuses(self, user_id: int) -> list[tuple[str, str, str]]:
        """Return (kind, key, status) of the user's prompts in the order they were made."""
        return [
            (str(k), str(key), str(st))
            for k, key, st in self.conn.execute(
                "SELECT kind, key, status FROM prompts WHERE user_id = ? ORDER BY id", (user_id,)
            ).fetchall()
        ]
