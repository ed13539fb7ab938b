"""The diary's rows: entries, imports, checks, PEG check-ins and the alerts sent."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, time

from flows.clinical.trends import SentAlert
from flows.records.models import CheckResult, Entry, EntrySource, FunctionCheckin, NewEntry
from storage.sql.base import Connected
from storage.sql.tables import ALERTS, CHECKS, ENTRIES, FUNCTION_CHECKINS, NEW_ENTRIES

# Before migration 6 an imported row without a time was stored at this local time.
_LEGACY_IMPORT_TIME = time(12, 0)


def _same_entry_key(entry: NewEntry) -> tuple[object, ...]:
    return entry.same_as_key()


def _stored_entry_keys(entry: Entry) -> list[tuple[object, ...]]:
    """The keys an imported row matches a stored entry by, an older version's noon included."""
    key = _same_entry_key(entry)
    if entry.source is EntrySource.IMPORT and entry.own_time() == _LEGACY_IMPORT_TIME:
        # It may be a row that had no time: re-importing that file must not add it again.
        return [key, (key[0], None, *key[2:])]
    return [key]


class Entries(Connected):
    """The diary queries of a unit of work."""

    def count_entries_on(self, user_id: int, day: date) -> int:
        """Return how many entries the user has for a local date."""
        row = self.conn.execute(
            "SELECT count(*) FROM entries WHERE user_id = ? AND entry_date = ?",
            (user_id, day.isoformat()),
        ).fetchone()
        return int(row[0])

    def entry_counts_between(
        self, user_id: int, first: date, last: date
    ) -> list[tuple[date, int]]:
        """Return how many entries each date from `first` to `last` has (none: left out)."""
        rows = self.conn.execute(
            "SELECT entry_date, count(*) FROM entries WHERE user_id = ? AND entry_date >= ? "
            "AND entry_date <= ? GROUP BY entry_date",
            (user_id, first.isoformat(), last.isoformat()),
        ).fetchall()
        return [(date.fromisoformat(day), int(count)) for day, count in rows]

    def entries_between(self, user_id: int, first: date, last: date) -> list[Entry]:
        """Return the user's entries with dates in [first, last], oldest first."""
        rows = self.conn.execute(
            f"SELECT {ENTRIES.select_list} FROM entries WHERE user_id = ? "
            "AND entry_date BETWEEN ? AND ? ORDER BY entry_date, recorded_at, id",
            (user_id, first.isoformat(), last.isoformat()),
        ).fetchall()
        return [ENTRIES.from_row(r) for r in rows]

    def add_entry(self, user_id: int, entry: NewEntry) -> int:
        """Store a diary entry and return its id."""
        cursor = self.conn.execute(
            f"INSERT INTO entries ({NEW_ENTRIES.select_list}, user_id) "
            f"VALUES ({NEW_ENTRIES.placeholders}, ?) RETURNING id",
            (*NEW_ENTRIES.to_row(entry), user_id),
        )
        return int(cursor.fetchone()[0])

    def import_entries(self, user_id: int, entries: Sequence[NewEntry]) -> tuple[int, int]:
        """Add entries not already in the diary; returns (added, skipped as already present)."""
        if not entries:
            return 0, 0
        first = min(e.entry_date for e in entries)
        last = max(e.entry_date for e in entries)
        stored = self.entries_between(user_id, first, last)
        # Counted, not a set: two real entries alike (two entries logged days later for the
        # same day, with the same scores) are two rows of the file and must stay two; each row
        # is skipped only while an entry already in the diary is left to match it.
        present = Counter(key for entry in stored for key in _stored_entry_keys(entry))
        added = 0
        for entry in entries:
            key = _same_entry_key(entry)
            if present[key] > 0:
                present[key] -= 1
                continue
            self.add_entry(user_id, entry)
            added += 1
        return added, len(entries) - added

    def replace_entry(self, user_id: int, entry_id: int, entry: NewEntry) -> None:
        """Complete or change an earlier entry in place (only the user's own)."""
        cursor = self.conn.execute(
            f"UPDATE entries SET {NEW_ENTRIES.assignments} WHERE id = ? AND user_id = ?",
            (*NEW_ENTRIES.to_row(entry), entry_id, user_id),
        )
        if cursor.rowcount == 0:
            # The entry was deleted while its change was put aside: the patient has just seen
            # and saved this card, so it is stored as they saved it rather than lost.
            self.add_entry(user_id, entry)

    def delete_entry(self, user_id: int, entry_id: int) -> bool:
        """Delete one of the user's entries; True if there was one.

        secure_delete zeroes the row in its page. The WAL keeps an older copy of that page
        until the next checkpoint (SQLite's own, after at most 1000 pages, or the one at
        shutdown): unlike an erasure of everything, one entry does not force a fold now.
        """
        cursor = self.conn.execute(
            "DELETE FROM entries WHERE id = ? AND user_id = ?", (entry_id, user_id)
        )
        return cursor.rowcount == 1

    def quick_entry_on(self, user_id: int, day: date) -> Entry | None:
        """Return the day's latest quick entry that has no leg pain yet, if any."""
        row = self.conn.execute(
            f"SELECT {ENTRIES.select_list} FROM entries WHERE user_id = ? AND entry_date = ? "
            "AND source = ? AND leg_pain IS NULL ORDER BY recorded_at DESC, id DESC LIMIT 1",
            (user_id, day.isoformat(), EntrySource.QUICK.value),
        ).fetchone()
        return None if row is None else ENTRIES.from_row(row)

    def add_check(self, user_id: int, result: CheckResult) -> int:
        """Store a symptom-check result and return its id."""
        cursor = self.conn.execute(
            f"INSERT INTO checks (user_id, {CHECKS.select_list}) "
            f"VALUES (?, {CHECKS.placeholders}) RETURNING id",
            (user_id, *CHECKS.to_row(result)),
        )
        return int(cursor.fetchone()[0])

    def checks(self, user_id: int) -> list[CheckResult]:
        """Return the user's symptom-check results, oldest first."""
        rows = self.conn.execute(
            f"SELECT {CHECKS.select_list} FROM checks WHERE user_id = ? ORDER BY recorded_at, id",
            (user_id,),
        ).fetchall()
        return [CHECKS.from_row(r) for r in rows]

    def add_function_checkin(self, user_id: int, checkin: FunctionCheckin) -> None:
        """Store a weekly PEG check-in."""
        self.conn.execute(
            f"INSERT INTO function_checkins (user_id, {FUNCTION_CHECKINS.select_list}) "
            f"VALUES (?, {FUNCTION_CHECKINS.placeholders})",
            (user_id, *FUNCTION_CHECKINS.to_row(checkin)),
        )

    def function_checkins(self, user_id: int, after: date | None = None) -> list[FunctionCheckin]:
        """Return the user's PEG check-ins (those dated after `after`, if given), oldest first."""
        rows = self.conn.execute(
            f"SELECT {FUNCTION_CHECKINS.select_list} FROM function_checkins "
            "WHERE user_id = ? AND entry_date > ? ORDER BY entry_date, id",
            (user_id, "" if after is None else after.isoformat()),
        ).fetchall()
        return [FUNCTION_CHECKINS.from_row(r) for r in rows]

    def add_alert(self, user_id: int, alert: SentAlert) -> None:
        """Record a trend or red-flag alert that was sent."""
        if alert.sent_at is None:
            alert = alert.model_copy(update={"sent_at": self.now})
        self.conn.execute(
            f"INSERT INTO alerts (user_id, {ALERTS.select_list}) "
            f"VALUES (?, {ALERTS.placeholders})",
            (user_id, *ALERTS.to_row(alert)),
        )

    def alerts_since(self, user_id: int, first: date) -> list[SentAlert]:
        """Return the alerts sent for days from `first` on, oldest first."""
        rows = self.conn.execute(
            f"SELECT {ALERTS.select_list} FROM alerts WHERE user_id = ? AND day >= ? "
            "ORDER BY day, id",
            (user_id, first.isoformat()),
        ).fetchall()
        return [ALERTS.from_row(r) for r in rows]
