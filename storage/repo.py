"""Repositories: typed reads and writes of profiles, diary entries and conversation state."""

from __future__ import annotations

import sqlite3
from array import array
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import TypeVar

from flows.clinical.codes import Finding
from flows.clinical.schedule import PromptChoice, PromptFacts, PromptKind
from flows.clinical.trends import DayTotals, DayValues, SentAlert
from flows.clinical.trends.series import Series
from flows.records.models import (
    Advice,
    CheckResult,
    Entry,
    EntrySource,
    FunctionCheckin,
    NewEntry,
    Profile,
    StoredAdvice,
)
from storage.db import Database, Location, open_reader
from storage.ports import DUPLICATE as DUPLICATE
from storage.ports import Duplicate as Duplicate
from storage.tables import (
    ADVICE,
    ALERTS,
    CHECKS,
    CONVERSATIONS,
    DAY_TOTALS,
    ENTRIES,
    FUNCTION_CHECKINS,
    NEW_ENTRIES,
    PROFILES,
    STORED_ADVICE,
    TREND_CACHE,
    KeptTrend,
    iso,
)
from storage.tables import Conversation as Conversation

T = TypeVar("T")

# Retries of undelivered safety advice: soon at first, then at most a minute apart, so a
# Telegram outage of any length ends with the advice delivered shortly after it is over.
ADVICE_RETRY_SECONDS: tuple[int, ...] = (2, 5, 10, 20, 30, 60)
# How long a try may take before the advice counts as not in flight any more: longer than a
# send with the rate limiter's three retries after flood waits. Each pass of the retry job
# leases one row at a time, so no row waits out others' tries under its lease; a restart
# releases every lease at once.
ADVICE_LEASE_SECONDS = 600
# Before migration 6 an imported row without a time was stored at this local time.
_LEGACY_IMPORT_TIME = time(12, 0)


# The trend check keeps what it read up to two weeks back (the days /log and /history change,
# flows.dialogs.history.HISTORY_DAYS: tests/storage/test_entry_days.py checks they agree), and
# reads it all again once six weeks are after it.
KEPT_BEFORE = 14
_KEPT_AT_MOST = 6 * 7


def _measures(days: Sequence[DayTotals]) -> set[str]:
    """Which measures these dates have a score of."""
    found = set()
    if any(d[2] for d in days):
        found.add("back")
    if any(d[4] for d in days):
        found.add("leg")
    return found


def _keepable(
    earlier: Sequence[DayTotals],
    after: Sequence[DayTotals],
    baseline_dates: int,
    settled: int | None,
    upto: int,
) -> bool:
    """Whether the next check may read only the dates after `upto`, with these before it.

    It may once each measure's baseline dates (the first, and the first after recovery settled
    when that is before `upto`) all lie before `upto`: later dates cannot change them then. A
    measure not yet logged before `upto` would have its baseline after it.
    """
    if not _measures(after) <= _measures(earlier):
        return False
    # A settled baseline that starts after `upto` lies wholly in the dates read each time.
    settling = settled if settled is not None and settled <= upto else None
    for column in (2, 4):
        dates = [d[0] for d in earlier if d[column]]
        if not dates:
            continue
        if len(dates) < baseline_dates:
            return False
        if settling is not None and sum(d >= settling for d in dates) < baseline_dates:
            return False
    return True


def _pack(
    values: DayValues, upto: int, settled: int | None, recent: int, baseline: int, measures: str
) -> KeptTrend:
    symptoms = "\n".join(
        f"{day}:{';'.join(sorted(code.value for code in found))}"
        for day, found in sorted(values.symptoms.items())
    )
    return KeptTrend(
        upto=upto,
        settled=settled,
        recent=recent,
        baseline=baseline,
        measures=measures,
        back_days=array("i", values.back.days).tobytes(),
        back_values=array("d", values.back.values).tobytes(),
        leg_days=array("i", values.leg.days).tobytes(),
        leg_values=array("d", values.leg.values).tobytes(),
        logged=array("i", values.logged).tobytes(),
        symptoms=symptoms,
    )


def _unpack(kept: KeptTrend) -> DayValues:
    def ints(data: bytes) -> array[int]:
        found = array("i")
        found.frombytes(data)
        return found

    def floats(data: bytes) -> array[float]:
        found = array("d")
        found.frombytes(data)
        return found

    flagged: dict[int, frozenset[Finding]] = {}
    for line in kept.symptoms.splitlines():
        day, codes = line.split(":")
        flagged[int(day)] = frozenset(Finding(code) for code in codes.split(";"))
    return DayValues(
        back=Series.of_sorted(ints(kept.back_days).tolist(), floats(kept.back_values).tolist()),
        leg=Series.of_sorted(ints(kept.leg_days).tolist(), floats(kept.leg_values).tolist()),
        symptoms=flagged,
        logged=ints(kept.logged).tolist(),
    )


def _same_entry_key(entry: NewEntry) -> tuple[object, ...]:
    return entry.same_as_key()


def _stored_entry_keys(entry: Entry) -> list[tuple[object, ...]]:
    """The keys an imported row matches a stored entry by, an older version's noon included."""
    key = _same_entry_key(entry)
    if entry.source is EntrySource.IMPORT and entry.own_time() == _LEGACY_IMPORT_TIME:
        # It may be a row that had no time: re-importing that file must not add it again.
        return [key, (key[0], None, *key[2:])]
    return [key]


class Session:
    """Synchronous access to one connection, used inside a unit of work on the DB thread."""

    def __init__(self, conn: sqlite3.Connection, now: datetime | None = None) -> None:
        self.conn = conn
        self._now = now

    @property
    def now(self) -> datetime:
        """The moment the unit of work stands for; writes stamp rows with it."""
        if self._now is None:
            raise RuntimeError("a read-only session has no clock; use Store.unit to write")
        return self._now

    @cached_property
    def now_iso(self) -> str:
        """The unit of work's moment as stored: UTC, ISO 8601, to the second."""
        return iso(self.now)

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

    def trend_window(
        self,
        user_id: int,
        last: date,
        recent_days: int,
        baseline_dates: int,
        settled_from: date | None = None,
    ) -> tuple[DayValues, list[DayTotals]]:
        """Return what the trend check after a save reads: the dates of `days_for_trend`.

        They come as the values of the dates up to two weeks before `last` and the totals of
        the dates after. The earlier part is the one the last check kept (trend_cache) while no
        entry on those dates has changed since: migration 9's triggers delete it when one does,
        so a day's check reads only the last weeks' rows.
        """
        end = last.toordinal()
        settled = None if settled_from is None else settled_from.toordinal()
        row = self.conn.execute(
            f"SELECT {TREND_CACHE.select_list} FROM trend_cache WHERE user_id = ?", (user_id,)
        ).fetchone()
        if row is not None:
            kept = TREND_CACHE.from_row(row)
            asked = (settled, recent_days, baseline_dates)
            if (kept.settled, kept.recent, kept.baseline) == asked and (
                0 < end - kept.upto <= _KEPT_AT_MOST
            ):
                after: list[DayTotals] = self.conn.execute(
                    f"SELECT {DAY_TOTALS} FROM entry_days "
                    "WHERE user_id = ? AND day > ? AND day <= ? ORDER BY day",
                    (user_id, kept.upto, end),
                ).fetchall()
                if _measures(after) <= set(kept.measures.split(",")):
                    return _unpack(kept), after
        days = self.days_for_trend(user_id, last, recent_days, baseline_dates, settled_from)
        upto = end - KEPT_BEFORE
        split = bisect_right(days, upto, key=lambda d: d[0])
        earlier, after = DayValues.of(days[:split]), days[split:]
        if _keepable(days[:split], after, baseline_dates, settled, upto):
            measures = ",".join(sorted(_measures(days[:split])))
            kept = _pack(earlier, upto, settled, recent_days, baseline_dates, measures)
            self.conn.execute(
                f"INSERT OR REPLACE INTO trend_cache (user_id, {TREND_CACHE.select_list}) "
                f"VALUES (?, {TREND_CACHE.placeholders})",
                (user_id, *TREND_CACHE.to_row(kept)),
            )
        else:
            self.conn.execute("DELETE FROM trend_cache WHERE user_id = ?", (user_id,))
        return earlier, after

    def days_for_trend(
        self,
        user_id: int,
        last: date,
        recent_days: int,
        baseline_dates: int,
        settled_from: date | None = None,
    ) -> list[DayTotals]:
        """Return what a trend assessment reads: the baselines' dates and the last weeks.

        A measure's baseline is its first `baseline_dates` logged dates, and once the recovery
        from surgery has settled its first `baseline_dates` dates from `settled_from`
        (flows.clinical.trends.settled_from); every window lies in the last `recent_days`, so the
        rest of a long diary is not read. Each date comes as its totals (migration 9 keeps
        them), in date order: this runs after every save.
        """
        # Three ranges of the (user, day) key that do not overlap, read in key order: up to the
        # later measure's last baseline date, the settled baseline's dates after it and before
        # the recent weeks, the recent weeks after both. One OR would walk the whole diary.
        end = last.toordinal()
        rows = self.conn.execute(
            "WITH firsts(day) AS ("
            "SELECT max(day) FROM (SELECT day FROM entry_days WHERE user_id = ?1 AND day <= ?2 "
            "AND back_n > 0 ORDER BY day LIMIT ?4) "
            "UNION ALL SELECT max(day) FROM (SELECT day FROM entry_days WHERE user_id = ?1 "
            "AND day <= ?2 AND leg_n > 0 ORDER BY day LIMIT ?4)), "
            "edge(day) AS (SELECT coalesce(max(day), 0) FROM firsts), "
            "laters(day) AS ("
            "SELECT max(day) FROM (SELECT day FROM entry_days WHERE user_id = ?1 AND day >= ?5 "
            "AND day <= ?2 AND back_n > 0 ORDER BY day LIMIT ?4) "
            "UNION ALL SELECT max(day) FROM (SELECT day FROM entry_days WHERE user_id = ?1 "
            "AND day >= ?5 AND day <= ?2 AND leg_n > 0 ORDER BY day LIMIT ?4)), "
            "settled(day) AS (SELECT coalesce(max(day), 0) FROM laters) "
            f"SELECT {DAY_TOTALS} FROM entry_days "
            "WHERE user_id = ?1 AND day <= min(?2, (SELECT day FROM edge)) "
            f"UNION ALL SELECT {DAY_TOTALS} "
            "FROM entry_days WHERE user_id = ?1 AND day >= ?5 "
            "AND day > (SELECT day FROM edge) "
            "AND day <= min(?2, ?3, (SELECT day FROM settled)) "
            f"UNION ALL SELECT {DAY_TOTALS} "
            "FROM entry_days WHERE user_id = ?1 AND day <= ?2 "
            "AND day > max(?3, (SELECT day FROM edge))",
            (
                user_id,
                end,
                end - recent_days,
                baseline_dates,
                # No settled baseline: a start after every date, so that range is empty.
                end + 1 if settled_from is None else settled_from.toordinal(),
            ),
        ).fetchall()
        days: list[DayTotals] = rows
        return days

    def add_entry(self, user_id: int, entry: NewEntry) -> int:
        """Store a diary entry and return its id."""
        cursor = self.conn.execute(
            f"INSERT INTO entries ({NEW_ENTRIES.select_list}, user_id) "
            f"VALUES ({NEW_ENTRIES.placeholders}, ?)",
            (*NEW_ENTRIES.to_row(entry), user_id),
        )
        return int(cursor.lastrowid or 0)

    def record_consent(
        self, user_id: int, language: str, timezone: str, country: str | None = None
    ) -> None:
        """Create the user's account at the moment they consent (kept if it exists)."""
        self.conn.execute(
            "INSERT INTO users (user_id, consented_at, language, timezone, country, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO NOTHING",
            (user_id, self.now_iso, language, timezone, country, self.now_iso),
        )

    def add_check(self, user_id: int, result: CheckResult) -> int:
        """Store a symptom-check result and return its id."""
        cursor = self.conn.execute(
            f"INSERT INTO checks (user_id, {CHECKS.select_list}) "
            f"VALUES (?, {CHECKS.placeholders})",
            (user_id, *CHECKS.to_row(result)),
        )
        return int(cursor.lastrowid or 0)

    def checks(self, user_id: int) -> list[CheckResult]:
        """Return the user's symptom-check results, oldest first."""
        rows = self.conn.execute(
            f"SELECT {CHECKS.select_list} FROM checks WHERE user_id = ? ORDER BY recorded_at, id",
            (user_id,),
        ).fetchall()
        return [CHECKS.from_row(r) for r in rows]

    def save_profile(self, profile: Profile) -> None:
        """Store every profile field."""
        self.conn.execute(
            f"INSERT INTO users ({PROFILES.select_list}, updated_at) "
            f"VALUES ({PROFILES.placeholders}, ?) ON CONFLICT (user_id) DO UPDATE SET "
            f"{PROFILES.excluded('user_id', 'consented_at')}, updated_at = excluded.updated_at",
            (*PROFILES.to_row(profile), self.now_iso),
        )

    def add_advice(self, user_id: int, advice: Advice) -> int:
        """Put safety advice in the outbox, due at once, and return its id."""
        cursor = self.conn.execute(
            f"INSERT INTO outbox (user_id, decided_at, {ADVICE.select_list}, next_attempt_at) "
            f"VALUES (?, ?, {ADVICE.placeholders}, ?)",
            (user_id, self.now_iso, *ADVICE.to_row(advice), self.now_iso),
        )
        return int(cursor.lastrowid or 0)

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
            f"SELECT {STORED_ADVICE.select_list} FROM outbox WHERE {where} ORDER BY id LIMIT ?",
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
        self.conn.execute(
            f"INSERT INTO alerts (user_id, {ALERTS.select_list}, sent_at) "
            f"VALUES (?, {ALERTS.placeholders}, ?)",
            (user_id, *ALERTS.to_row(alert), self.now_iso),
        )

    def alerts_since(self, user_id: int, first: date) -> list[SentAlert]:
        """Return the alerts sent for days from `first` on, oldest first."""
        rows = self.conn.execute(
            f"SELECT {ALERTS.select_list} FROM alerts WHERE user_id = ? AND day >= ? "
            "ORDER BY day, id",
            (user_id, first.isoformat()),
        ).fetchall()
        return [ALERTS.from_row(r) for r in rows]

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

    def block(self, user_id: int) -> None:
        """Mark that the user blocked the bot: no prompts until they come back (`unblock`)."""
        self.conn.execute("UPDATE users SET blocked = 1 WHERE user_id = ?", (user_id,))

    def unblock(self, user_id: int) -> bool:
        """Mark a user who had blocked the bot as back; True if they had blocked it."""
        cursor = self.conn.execute(
            "UPDATE users SET blocked = 0 WHERE user_id = ? AND blocked = 1", (user_id,)
        )
        return cursor.rowcount == 1

    def due_users(self, now: datetime, limit: int) -> list[tuple[Profile, datetime]]:
        """Return users whose prompt is due, with the instant it was due, earliest first."""
        rows = self.conn.execute(
            f"SELECT {PROFILES.select_list}, next_prompt_at FROM users "
            "WHERE paused = 0 AND blocked = 0 AND next_prompt_at IS NOT NULL "
            "AND next_prompt_at <= ? ORDER BY next_prompt_at LIMIT ?",
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
        ):
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

    def claim_prompt(self, user_id: int, kind: str, key: str, day: date, due: datetime) -> bool:
        """Record a prompt as being sent; False if it was already sent (once only)."""
        cursor = self.conn.execute(
            "INSERT INTO prompts (user_id, kind, key, local_date, due_at, status, updated_at) "
            "VALUES (?, ?, ?, ?, ?, 'claimed', ?) ON CONFLICT (user_id, kind, key) "
            "DO UPDATE SET status = 'claimed', updated_at = excluded.updated_at "
            "WHERE prompts.status IN ('snoozed', 'failed')",
            (user_id, kind, key, day.isoformat(), iso(due), self.now_iso),
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

    def recover_claims(self) -> int:
        """Mark prompts claimed but never recorded as uncertain, never to be sent; how many."""
        # A process killed after Telegram took a prompt leaves the same claim as one killed
        # before sending it, so neither is sent again: the first would reach the patient twice.
        cursor = self.conn.execute(
            "UPDATE prompts SET status = 'uncertain', updated_at = ? WHERE status = 'claimed'",
            (self.now_iso,),
        )
        return cursor.rowcount

    def reopen_prompt(self, user_id: int, kind: str, key: str) -> None:
        """Let a snoozed prompt be sent once more."""
        self.mark_prompt(user_id, kind, key, "snoozed")

    def prompt_statuses(self, user_id: int) -> list[tuple[str, str, str]]:
        """Return (kind, key, status) of the user's prompts in the order they were made."""
        return [
            (str(k), str(key), str(st))
            for k, key, st in self.conn.execute(
                "SELECT kind, key, status FROM prompts WHERE user_id = ? ORDER BY id", (user_id,)
            )
        ]

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


@dataclass(frozen=True, slots=True)
class Reader:
    """Where the database file is: a file worker opens a read of its own there."""

    location: Location

    def snapshot(self, work: Callable[[Session], T]) -> T:
        """Run read-only work on a connection of its own, on the diary as at one moment."""
        conn = open_reader(self.location)
        try:
            # One read transaction: the chart or file shows the diary as it was at one moment.
            conn.execute("BEGIN")
            return work(Session(conn))
        finally:
            conn.close()


class Store:
    """The async face of storage: one database-thread hop per call."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def unit(
        self,
        now: datetime,
        work: Callable[[Session], T],
        *,
        update_id: int | None = None,
    ) -> T | Duplicate:
        """Run work in one write transaction; skip it if the update was already processed."""

        def run(conn: sqlite3.Connection) -> T | Duplicate:
            session = Session(conn, now)
            if update_id is not None and not session.claim_update(update_id):
                return DUPLICATE
            return work(session)

        return await self.db.write(run)

    @property
    def reader(self) -> Reader:
        """What a file worker reads the diary through, away from the database thread."""
        return Reader(self.db.location)

    async def fold_wal(self) -> bool:
        """Empty the WAL after an erasure; False while a reader still holds it (retried)."""
        return await self.db.fold_wal()

    async def read(self, work: Callable[[Session], T]) -> T:
        """Run a read-only piece of work on the database thread."""
        return await self.db.run(lambda conn: work(Session(conn)))

    async def profile(self, user_id: int) -> Profile | None:
        """Return a user's profile."""
        return await self.read(lambda s: s.profile(user_id))

    async def entries_between(self, user_id: int, first: date, last: date) -> Sequence[Entry]:
        """Return a user's entries between two dates, oldest first."""
        return await self.read(lambda s: s.entries_between(user_id, first, last))
