"""Worsening-trend detection over the pain diary, with the day's red flags (REFERENCE.md §3).

One pure function, `evaluate`, decides what to tell the user on one day. The bot calls it after
each saved entry; `replay` calls it for every diary date in turn, so `backtrack assess` reports
exactly what the bot would have sent, cooldowns included. An evaluation reads the baselines
(fixed once known) and at most the last `LOOKBACK_DAYS`, so its cost does not grow with the
diary. docs/trends.md explains the rules for clinicians, with the figures measured on labelled
diaries; `TrendRules` holds every number, each with its source.

- Back pain, leg pain and PEG are followed separately (§3.1). A day's value is the mean of that
  day's entries: each entry rates the day's average (§3.1 "last 24 h average"), and a short
  flare logged as an extra entry should not dominate the day ([I12c]).
- Personal baseline (§3.2): the median of the first 14 days with a value, from enrolment or from
  the day the caller re-baselines. A diary that starts in the first 12 weeks after surgery is
  re-baselined on the first 14 days from week 12, once the post-operative recovery has settled
  (§3.2 "re-baseline after any intervention"; §2.3 T2, [C19a]).
- The usual level, which a worsening is measured from, is the mean of the 11 weeks before the
  last two, or the baseline while those hold fewer than 14 days. A clearly better stretch (a
  4-week mean at least 2 points and 30 % under the baseline, §3.1 [I1][I4]) in the last 26
  weeks becomes the reference instead, so pain that was better and came back is measured from
  the better level (§2.3 C1, [C19a]).
- Sustained worsening (T3, §3.2), when any of:
  - level: the mean of the last 14 days, leaving out the highest quarter of them, is at least a
    meaningful change (`rise_needed`) and 1.6 points above the reference;
  - step: an upward CUSUM of the logged days over the last 4 weeks (§3.3 method 4), each day
    counting at most 1.75 points, passes 5 points with at least 3 days above the reference
    + 2, and those days' mean is at least a meaningful change above the reference;
  - baseline: the mean of the last 28 days, leaving out the highest quarter, is at least a
    meaningful change plus the 1-point indifference band above the baseline ([I13g]).
  No rule needs a share of the calendar logged: a mean needs enough values, not consecutive
  days, so four entries a week are enough (§3.3 item 7 is replaced, docs/trends.md says why).
  One or two bad days never count: they are left out (level, baseline) or capped (step), and
  the step rule needs three days (§3.2 persistence; flares mostly last < 1 day, [I12c]).
- Rapid rise (T2, §8.4): each of the last 3 days at least 3 points above both the week before
  and the usual level: larger than a usual flare ([I12d]) and longer than most flares last.
- New nerve symptoms on 3 of the last 7 days that were absent in the 2 weeks before (§3.2).
- Red flags: the shared rules on the day's symptoms (§1); on such a day no trend alert is sent,
  because red flags override the trend logic (§1.1 rule 1).

The modules, each using only the others' public names: `parameters` (every number and the
lines it draws), `series` (one measure's daily values, window means, baselines), `diary` (the
diary by day and measure, its baselines and references), `alerts` (what is sent and its text),
`detectors` (the rules above), `cooldown` (repeats), `since` (the treatment change an alert
came after), `assess` (one day, and the replay).
"""

from __future__ import annotations

from flows.clinical.trends.alerts import Alert, AlertKind, SentAlert, SentRecord, alert_message
from flows.clinical.trends.assess import (
    Assessment,
    MeasureStatus,
    StatusKind,
    alerts_on,
    assess_day,
    evaluate,
    replay,
    status_text,
    to_assess_json,
)
from flows.clinical.trends.diary import DayTotals, DayValues, Diary, PainRecord, Reading
from flows.clinical.trends.parameters import (
    BASELINE_DAYS,
    COOLDOWN_DAYS,
    LOOKBACK_DAYS,
    NERVE_FINDINGS,
    NERVE_MIN_DAYS,
    NERVE_WINDOW_DAYS,
    NRS_MEASURES,
    REMINDER_DAYS,
    RULES,
    SENT_LOOKBACK_DAYS,
    SETTLE_DAYS,
    WINDOW_DAYS,
    Measure,
    TrendRules,
    days_needed,
    rise_needed,
    settled_from,
    worse_line,
)
from flows.clinical.trends.series import BaselineDays, window_mean
from flows.clinical.trends.since import (
    NO_TREATMENT,
    RECENT_CHANGE_DAYS,
    Since,
    TreatmentHistory,
)

__all__ = [
    "BASELINE_DAYS",
    "COOLDOWN_DAYS",
    "LOOKBACK_DAYS",
    "NERVE_FINDINGS",
    "NERVE_MIN_DAYS",
    "NERVE_WINDOW_DAYS",
    "NO_TREATMENT",
    "NRS_MEASURES",
    "RECENT_CHANGE_DAYS",
    "REMINDER_DAYS",
    "RULES",
    "SENT_LOOKBACK_DAYS",
    "SETTLE_DAYS",
    "WINDOW_DAYS",
    "Alert",
    "AlertKind",
    "Assessment",
    "BaselineDays",
    "DayTotals",
    "DayValues",
    "Diary",
    "Measure",
    "MeasureStatus",
    "PainRecord",
    "Reading",
    "SentAlert",
    "SentRecord",
    "Since",
    "StatusKind",
    "TreatmentHistory",
    "TrendRules",
    "alert_message",
    "alerts_on",
    "assess_day",
    "days_needed",
    "evaluate",
    "replay",
    "rise_needed",
    "settled_from",
    "status_text",
    "to_assess_json",
    "window_mean",
    "worse_line",
]
