"""The outbox of safety advice: written with the decision, leased for a try, retried."""

from __future__ import annotations

from datetime import datetime, timedelta

from flows.records.models import Advice, StoredAdvice
from storage.sql.base import Connected
from storage.sql.tables import ADVICE, STORED_ADVICE, iso

# Retries of undelivered safety advice: soon at first, then at most a minute apart, so a
# Telegram outage of any length ends with the advice delivered shortly after it is over.
ADVICE_RETRY_SECONDS: tuple[int, ...] = (2, 5, 10, 20, 30, 60)
# How long a try may take before the advice counts as not in flight any more: longer than a
# send with the rate limiter's three retries after flood waits. Each pass of the retry job
# leases one row at a time, so no row waits out others' tries under its lease; a restart
# releases every lease at once.
ADVICE_LEASE_SECONDS = 600


class Outbox(Connected):
    """The outbox queries of a unit of work."""

    def add_advice(self, user_id: int, advice: Advice) -> int:
        """Put safety advice in the outbox, due at once, and return its id."""
        cursor = self.conn.execute(
            f"INSERT INTO outbox (user_id, decided_at, {ADVICE.select_list}, next_attempt_at) "
            f"VALUES (?, ?, {ADVICE.placeholders}, ?) RETURNING id",
            (user_id, self.now_iso, *ADVICE.to_row(advice), self.now_iso),
        )
        return int(cursor.fetchone()[0])

    def claim_advice(self, user_id: int | None = None, limit: int = 100) -> list[StoredAdvice]:
        """Take the advice due for a try now (of one user, or everyone), oldest first.

        Each row taken is leased for ADVICE_LEASE_SECONDS, so the reply path and the retry job
        never send the same advice at the same time; a failed try sets its own next time.
        """
        where = "delivered_at IS NULL AND next_attempt_at <= ?"
        params: tuple[object, ...] = (self.now_iso,)
        if user_id is not None:
            where += " AND user_id = ?"
            params = (*params, user_id)
        rows = self.conn.execute(
            f"SELECT {STORED_ADVICE.select_list} FROM outbox WHERE {where} ORDER BY id LIMIT ?"
            # On PostgreSQL a row another worker is taking is skipped: each try goes once.
            f"{self._skip_locked}",
            (*params, limit),
        ).fetchall()
        taken = [STORED_ADVICE.from_row(r) for r in rows]
        lease = iso(self.now + timedelta(seconds=ADVICE_LEASE_SECONDS))
        self.conn.executemany(
            "UPDATE outbox SET next_attempt_at = ? WHERE id = ?", [(lease, a.id) for a in taken]
        )
        return taken

    def release_advice(self, user_id: int | None = None) -> int:
        """Make undelivered advice due now: at start-up, or when a blocked patient is back."""
        where = "delivered_at IS NULL"
        params: tuple[object, ...] = (self.now_iso,)
        if user_id is not None:
            where, params = f"{where} AND user_id = ?", (self.now_iso, user_id)
        cursor = self.conn.execute(f"UPDATE outbox SET next_attempt_at = ? WHERE {where}", params)
        return cursor.rowcount

    def advice_between(self, user_id: int, first: datetime, last: datetime) -> list[StoredAdvice]:
        """Every piece of safety advice decided for the user in a period, oldest first."""
        rows = self.conn.execute(
            f"SELECT {STORED_ADVICE.select_list} FROM outbox WHERE user_id = ? "
            "AND decided_at >= ? AND decided_at <= ? ORDER BY decided_at, id",
            (user_id, iso(first), iso(last)),
        ).fetchall()
        return [STORED_ADVICE.from_row(r) for r in rows]

    def mark_advice_delivered(self, advice_id: int) -> None:
        """Record that Telegram confirmed the advice reached the patient."""
        self.conn.execute(
            "UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL "
            "WHERE id = ? AND delivered_at IS NULL",
            (self.now_iso, advice_id),
        )

    def mark_advice_failed(
        self, advice_id: int, error: str, wait_seconds: float | None = None
    ) -> None:
        """Record a failed try (the error's type only) and when to try again."""
        row = self.conn.execute(
            "SELECT attempts FROM outbox WHERE id = ?", (advice_id,)
        ).fetchone()
        if row is None:
            return
        attempts = int(row[0])
        backoff = ADVICE_RETRY_SECONDS[min(attempts, len(ADVICE_RETRY_SECONDS) - 1)]
        wait = backoff if wait_seconds is None else max(wait_seconds, 1.0)
        self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
            "WHERE id = ? AND delivered_at IS NULL",
            (error, iso(self.now + timedelta(seconds=wait)), advice_id),
        )
