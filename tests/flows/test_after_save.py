"""What the bot records and says about a trend after an entry is saved or a diary imported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flows.clinical.after_save import after_entry, after_import
from flows.clinical.trends import AlertKind, Diary, replay
from flows.records.models import AdviceKind, Profile
from tests.flows.test_trends import day_of, labels, rows_of

PROFILE = Profile(user_id=1, consented_at=datetime(2020, 1, 1, tzinfo=UTC), country="GB")


def test_a_worsening_on_the_saved_day_is_recorded_and_told_with_the_patients_numbers() -> None:
    name = next(n for n, label in labels().items() if label["kind"] == "step")
    rows = rows_of(name)
    alerts = replay(rows, None)
    first = next(a for a in alerts if a.kind is AlertKind.SUSTAINED_WORSENING)
    before = [a.sent() for a in alerts if a.day < first.day]
    news = after_entry(Diary(rows), first.day, PROFILE, before)
    assert first.sent() in news.recorded
    [told] = [a for a in news.advice if a.kind is AdviceKind.TREND]
    # A UK patient is told the UK's emergency number for what would make it urgent.
    assert "call 999" in told.text
    assert "112" not in told.text


def test_a_red_flag_of_the_saved_day_is_recorded_but_not_told_a_second_time() -> None:
    name = next(n for n, label in labels().items() if label["kind"] == "red_flag")
    label = labels()[name]
    rows = rows_of(name)
    flagged = day_of(label, "flag_date")
    before = [a.sent() for a in replay(rows, None) if a.day < flagged]
    news = after_entry(Diary(rows), flagged, PROFILE, before)
    assert [r.kind for r in news.recorded] == [AlertKind.RED_FLAG]
    assert news.advice == ()


def test_an_import_tells_only_the_last_four_weeks_and_names_each_alerts_day() -> None:
    name = next(n for n, label in labels().items() if label["kind"] == "step")
    rows = rows_of(name)
    alerts = [a for a in replay(rows, None) if a.kind is not AlertKind.RED_FLAG]
    last = max(r.entry_date for r in rows)
    first = min(r.entry_date for r in rows)
    # Imported the day after the first alert: it is news. Imported a year later: it is not.
    soon = after_import(Diary(rows), first, alerts[0].day + timedelta(days=1), PROFILE, [])
    assert soon.recorded[:1] == (alerts[0].sent(),)
    assert alerts[0].day.isoformat() in soon.advice[0].text
    late = after_import(Diary(rows), first, last + timedelta(days=365), PROFILE, [])
    assert late == type(late)()
