"""What the trend check after a save reads: the baselines' dates and the last weeks."""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Sequence
from datetime import date

from flows.clinical.codes import Finding
from flows.clinical.trends import DayTotals, DayValues
from flows.clinical.trends.series import Series
from storage.sql.base import Connected
from storage.sql.tables import DAY_TOTALS, TREND_CACHE, KeptTrend

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


class TrendWindow(Connected):
    """The trend-window queries of a unit of work."""

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
                f"INSERT INTO trend_cache (user_id, {TREND_CACHE.select_list}) "
                f"VALUES (?, {TREND_CACHE.placeholders}) "
                f"ON CONFLICT (user_id) DO UPDATE SET {TREND_CACHE.excluded()}",
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
            "AND back_n > 0 ORDER BY day LIMIT ?4) AS b "
            "UNION ALL SELECT max(day) FROM (SELECT day FROM entry_days WHERE user_id = ?1 "
            "AND day <= ?2 AND leg_n > 0 ORDER BY day LIMIT ?4) AS l), "
            "edge(day) AS (SELECT coalesce(max(day), 0) FROM firsts), "
            "laters(day) AS ("
            "SELECT max(day) FROM (SELECT day FROM entry_days WHERE user_id = ?1 AND day >= ?5 "
            "AND day <= ?2 AND back_n > 0 ORDER BY day LIMIT ?4) AS b "
            "UNION ALL SELECT max(day) FROM (SELECT day FROM entry_days WHERE user_id = ?1 "
            "AND day >= ?5 AND day <= ?2 AND leg_n > 0 ORDER BY day LIMIT ?4) AS l), "
            "settled(day) AS (SELECT coalesce(max(day), 0) FROM laters) "
            f"SELECT {DAY_TOTALS} FROM entry_days "
            f"WHERE user_id = ?1 AND day <= {self._least}(?2, (SELECT day FROM edge)) "
            f"UNION ALL SELECT {DAY_TOTALS} "
            "FROM entry_days WHERE user_id = ?1 AND day >= ?5 "
            "AND day > (SELECT day FROM edge) "
            f"AND day <= {self._least}(?2, ?3, (SELECT day FROM settled)) "
            f"UNION ALL SELECT {DAY_TOTALS} "
            "FROM entry_days WHERE user_id = ?1 AND day <= ?2 "
            f"AND day > {self._greatest}(?3, (SELECT day FROM edge)) ORDER BY day",
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
