"""Onboarding, settings and the details run, pressed by label (every state through JSON)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

from flows.clinical.codes import DaysRange, Finding
from flows.dialogs import router
from flows.dialogs.profile import (
    ProfileMode,
    ProfileState,
    ProfileStep,
    Recent,
    begin_details,
    clean_display_name,
    needs_details,
    recent_bounds,
    zone_city,
)
from flows.kit.core import Context, RecordConsent, Reschedule, SaveProfile
from flows.records.models import Profile, Region
from tests.flows.driver import context_at
from tests.patient import FlowLine, Patient

NOW = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)
TODAY = date(2026, 3, 10)


def arriving(now: datetime = NOW) -> tuple[Patient, FlowLine]:
    """A patient the bot has never met, at `now`, and their line to the pure flows."""
    line = FlowLine()
    line.driver.ctx = context_at(now)
    return Patient(line), line


def saved(line: FlowLine) -> Profile:
    saves = [e for e in line.driver.effects if isinstance(e, SaveProfile)]
    assert saves, "nothing saved"
    return saves[-1].profile


async def new_patient(language_code: str | None = None) -> tuple[Patient, FlowLine]:
    """A new patient, whose app sends this language, who has agreed."""
    patient, line = arriving()
    line.driver.ctx = replace(line.driver.ctx, language_code=language_code)
    await patient.send("/start")
    await patient.press("I agree")
    return patient, line


async def in_the_uk() -> tuple[Patient, FlowLine]:
    """A patient who has agreed, chosen the United Kingdom and confirmed the time."""
    patient, line = await new_patient()
    await patient.press("United Kingdom")
    await patient.press("Yes, that's right")
    assert "which year" in patient.last
    return patient, line


async def finish_after_date(patient: Patient, line: FlowLine) -> None:
    for label in ("Lower back (lumbar)", "2 levels", "Done", "Skip", "21:00"):
        await patient.press(label)
    assert line.driver.state is None


async def onboarded() -> tuple[Patient, FlowLine]:
    """A patient in Germany who walked the whole onboarding."""
    patient, line = await new_patient()
    await patient.press("Germany")
    assert "Tue 19:30" in patient.last
    await patient.press("Yes, that's right")
    await patient.press("2024")
    await patient.press("Sep")
    await patient.press("12")
    await patient.press("fused to the sacrum")
    await patient.press("3 or more")
    await patient.press("I smoke")
    await patient.press("Diabetes")
    await patient.press("Done")
    await patient.type("M. R.")
    await patient.press("19:00")
    return patient, line


# --- Consent -----------------------------------------------------------------------------


async def test_welcome_says_what_the_bot_is_not_and_asks_consent() -> None:
    patient, _ = arriving()
    await patient.send("/start")
    assert "does not diagnose" in patient.last
    assert "emergency number" in patient.last
    assert patient.labels() == ["✅ I agree, keep my diary", "No thanks"]


async def test_declining_stores_nothing_and_ends() -> None:
    patient, line = arriving()
    await patient.send("/start")
    await patient.press("No thanks")
    assert line.driver.effects == []
    assert line.driver.state is None
    assert "stored nothing" in patient.last


async def test_consent_comes_first_then_the_country_with_no_guess_stored() -> None:
    _, line = await new_patient("en-US")
    consent, stamp = line.driver.effects
    assert isinstance(consent, RecordConsent)
    assert consent.country is None
    assert isinstance(stamp, SaveProfile)
    # Onboarding asks the country and the day itself: the details run is never needed.
    assert stamp.profile.details_asked_at == NOW
    assert stamp.profile.country is None
    assert not needs_details(stamp.profile)


# --- Country and time zone ---------------------------------------------------------------


async def test_a_us_patient_confirms_the_proposal_and_chooses_a_zone() -> None:
    patient, line = await new_patient("en-US")
    assert "Your country: United States" in patient.last
    assert "Emergency number: 911" in patient.last
    await patient.press("Yes, that's right")
    assert saved(line).country == "US"
    assert "United States has more than one time zone" in patient.last
    labels = patient.labels()
    assert "New York, Detroit, Louisville… (14:30)" in labels
    assert "Los Angeles (11:30)" in labels
    assert "Honolulu (08:30)" in labels
    assert "None of these: choose by UTC offset" in labels
    await patient.press("New York")
    assert "Country: United States" in patient.last
    assert "Your local time now is Tue 14:30" in patient.last
    await patient.press("Yes, that's right")
    assert "which year" in patient.last
    await patient.press("2025")
    await patient.press("Nov")
    await patient.press("3")
    await finish_after_date(patient, line)
    profile = saved(line)
    assert (profile.country, profile.timezone) == ("US", "America/New_York")
    assert (profile.surgery_year, profile.surgery_month, profile.surgery_day) == (2025, 11, 3)
    assert profile.surgery_days(TODAY) == DaysRange(127, 127)
    assert "Country: United States\nEmergency number: 911" in patient.last
    assert "Operation: 3 Nov 2025" in patient.last


async def test_a_gb_patient_has_one_zone_so_no_list_of_zones() -> None:
    patient, line = await new_patient("en")
    assert "Which country do you live in?" in patient.last
    await patient.press("United Kingdom")
    assert line.driver.state is not None
    assert getattr(line.driver.state, "step", None) is ProfileStep.CONFIRM_TIMEZONE
    assert "Emergency number: 999" in patient.last
    assert "Tue 18:30" in patient.last
    await patient.press("Yes, that's right")
    assert saved(line).timezone == "Europe/London"
    assert saved(line).country == "GB"


async def test_a_wrong_proposal_is_changed_from_the_list() -> None:
    patient, line = await new_patient("en-US")
    await patient.press("No, choose my country")
    await patient.press("Ireland")
    await patient.press("Yes, that's right")
    profile = saved(line)
    assert (profile.country, profile.timezone) == ("IE", "Europe/Dublin")


async def test_any_country_by_its_first_letter_then_a_page_of_that_letter() -> None:
    patient, line = await new_patient()
    await patient.press("Another country")
    assert "Which letter" in patient.last
    assert {"A", "P", "Z"} <= set(patient.labels())
    await patient.press("P")
    assert "Countries starting with P" in patient.last
    assert "Pakistan" in patient.labels()
    assert "Portugal" not in patient.labels()
    await patient.press("Next page")
    await patient.press("Portugal")
    # Madeira keeps Lisbon's time all year, so the two are one choice; the Azores are not.
    assert patient.labels()[:2] == ["Lisbon, Madeira (18:30)", "Azores (17:30)"]
    await patient.press("Azores")
    assert "Tue 17:30" in patient.last
    await patient.press("Yes, that's right")
    profile = saved(line)
    assert (profile.country, profile.timezone) == ("PT", "Atlantic/Azores")


async def test_every_country_button_value_fits_telegram() -> None:
    patient, line = await new_patient()
    await patient.press("Another country")
    for letter in list(patient.labels())[:-2]:
        await patient.press(letter)
        while "Next page ▶️" in patient.labels():
            await patient.press("Next page")
        await patient.press("Back")
    assert getattr(line.driver.state, "step", None) is ProfileStep.COUNTRY_LETTER


async def test_a_wrong_local_time_offers_a_utc_offset_that_says_it_ignores_daylight_saving() -> (
    None
):
    patient, line = await new_patient()
    await patient.press("United Kingdom")
    await patient.press("No, choose again")
    assert "does not follow daylight saving time" in patient.last
    await patient.press("UTC+5")
    assert "Tue 23:30" in patient.last
    await patient.press("Yes, that's right")
    assert saved(line).timezone == "Etc/GMT-5"
    assert saved(line).country == "GB"


async def test_the_country_is_kept_even_if_the_patient_leaves_at_the_zone() -> None:
    patient, line = await new_patient("en-US")
    await patient.press("Yes, that's right")
    await patient.press("Cancel")
    assert line.driver.ctx.profile is not None
    assert line.driver.ctx.profile.country == "US"


def test_zone_labels_are_the_city_of_the_zone_name() -> None:
    assert zone_city("America/New_York") == "New York"
    assert zone_city("America/Argentina/Buenos_Aires") == "Buenos Aires"
    assert zone_city("Europe/London") == "London"


# --- Day of surgery ----------------------------------------------------------------------


async def test_onboarding_records_consent_then_the_whole_profile() -> None:
    patient, line = await onboarded()
    assert isinstance(line.driver.effects[0], RecordConsent)
    profile = saved(line)
    assert (profile.surgery_year, profile.surgery_month, profile.surgery_day) == (2024, 9, 12)
    assert (profile.surgery_after, profile.surgery_before) == (None, None)
    assert profile.region is Region.LUMBOSACRAL
    assert profile.levels == 3
    assert profile.risk_factors == (Finding.SMOKER, Finding.DIABETES)
    assert {Finding.MULTILEVEL_FUSION, Finding.FUSED_TO_SACRUM} <= profile.profile_findings()
    assert (profile.country, profile.timezone) == ("DE", "Europe/Berlin")
    assert line.driver.state is None
    assert "All set" in patient.last
    assert "Operation: 12 Sep 2024" in patient.last
    assert "Country: Germany\nEmergency number: 112" in patient.last


async def test_not_sure_of_the_day_in_the_last_2_weeks_stores_bounds_not_a_day() -> None:
    patient, line = await in_the_uk()
    await patient.press("2026")
    await patient.press("Feb")
    await patient.press("Not sure of the day")
    assert "in the last 2 weeks?" in patient.last
    assert patient.labels()[:3] == ["Yes", "No", "Not sure"]
    await patient.press("Yes")
    assert "part of your spine" in patient.last
    profile = saved(line)
    assert profile.surgery_day is None
    assert profile.surgery_after == date(2026, 2, 24)
    assert profile.surgery_before == date(2026, 3, 10)
    # February, and the last 2 weeks: 24 to 28 February, 10 to 14 days ago.
    assert profile.surgery_bounds() == (date(2026, 2, 24), date(2026, 2, 28))
    assert profile.surgery_days(TODAY) == DaysRange(10, 14)
    await finish_after_date(patient, line)
    assert "Operation: between 24 Feb 2026 and 28 Feb 2026" in patient.last


async def test_not_in_the_last_2_weeks_then_asks_3_months_when_it_can_narrow() -> None:
    patient, line = await in_the_uk()
    await patient.press("Not sure")
    await patient.press("No")
    assert "in the last 3 months?" in patient.last
    await patient.press("Yes")
    profile = saved(line)
    assert (profile.surgery_year, profile.surgery_month) == (None, None)
    assert profile.surgery_after == date(2025, 12, 10)
    assert profile.surgery_before == date(2026, 2, 23)
    assert profile.surgery_days(TODAY) == DaysRange(15, 90)


async def test_a_month_long_past_asks_nothing_more() -> None:
    patient, line = await in_the_uk()
    await patient.press("2024")
    await patient.press("Sep")
    await patient.press("Not sure of the day")
    assert "part of your spine" in patient.last
    profile = saved(line)
    assert (profile.surgery_after, profile.surgery_before) == (None, None)
    assert profile.surgery_days(TODAY) == DaysRange(526, 555)


async def test_a_month_within_the_last_2_weeks_needs_no_question() -> None:
    patient, _ = arriving(datetime(2026, 3, 12, 9, 0, tzinfo=UTC))
    await patient.send("/start")
    await patient.press("I agree")
    await patient.press("United Kingdom")
    await patient.press("Yes, that's right")
    await patient.press("2026")
    await patient.press("Mar")
    await patient.press("Not sure of the day")
    assert "part of your spine" in patient.last


async def test_a_year_known_without_the_month_asks_only_what_can_narrow_it() -> None:
    patient, line = await in_the_uk()
    await patient.press("2025")
    await patient.press("Not sure of the month")
    # All of 2025 is more than 2 weeks ago; December is within 3 months.
    assert "in the last 3 months?" in patient.last
    await patient.press("No")
    profile = saved(line)
    assert profile.surgery_before == date(2025, 12, 9)
    assert profile.surgery_bounds() == (date(2025, 1, 1), date(2025, 12, 9))


async def test_not_sure_at_both_questions_stores_no_bounds() -> None:
    patient, line = await in_the_uk()
    await patient.press("Not sure")
    await patient.press("Not sure")
    await patient.press("Not sure")
    profile = saved(line)
    assert (profile.surgery_after, profile.surgery_before) == (None, None)
    assert profile.surgery_days(TODAY) is None


async def test_days_in_the_future_and_days_that_do_not_exist_are_not_offered() -> None:
    patient, _ = await in_the_uk()
    await patient.press("2026")
    await patient.press("Mar")
    assert "On which day of Mar 2026?" in patient.last
    assert "10" in patient.labels()
    assert "11" not in patient.labels()
    await patient.press("Back")
    await patient.press("Feb")
    assert "28" in patient.labels()
    assert "29" not in patient.labels()
    await patient.press("Back")
    await patient.press("Back")
    await patient.press("2024")
    await patient.press("Feb")
    assert "29" in patient.labels()
    assert "30" not in patient.labels()


async def test_months_after_today_are_not_offered_for_this_year() -> None:
    patient, _ = await in_the_uk()
    await patient.press("2026")
    assert "Mar" in patient.labels()
    assert "Apr" not in patient.labels()


async def test_the_day_counts_in_the_patients_own_zone() -> None:
    # 23:30 UTC on 10 March is already 11 March in Auckland.
    patient, _ = arriving(datetime(2026, 3, 10, 23, 30, tzinfo=UTC))
    await patient.send("/start")
    await patient.press("I agree")
    await patient.press("New Zealand")
    await patient.press("Auckland")
    await patient.press("Yes, that's right")
    await patient.press("2026")
    await patient.press("Mar")
    assert "11" in patient.labels()
    assert "12" not in patient.labels()


def test_recent_bounds_follow_the_rule_of_the_brief() -> None:
    on = date(2026, 3, 10)
    assert recent_bounds(Recent.YES, None, on) == (date(2026, 2, 24), on)
    assert recent_bounds(Recent.NO, None, on) == (None, date(2026, 2, 23))
    assert recent_bounds(Recent.NO, Recent.YES, on) == (date(2025, 12, 10), date(2026, 2, 23))
    assert recent_bounds(Recent.UNSURE, Recent.NO, on) == (None, date(2025, 12, 9))
    assert recent_bounds(Recent.UNSURE, Recent.UNSURE, on) == (None, None)


# --- Steps, navigation, hints ------------------------------------------------------------


async def test_consent_once_given_is_not_undone_by_back() -> None:
    # "No thanks" would say nothing is stored while the account already is: the first step
    # after consent has no way back to the question; /delete erases.
    patient, _ = await new_patient()
    assert "⬅️ Back" not in patient.labels()
    assert "✖️ Cancel" in patient.labels()
    await patient.press("Another country")
    await patient.press("Back")
    assert "agree" not in patient.last.lower()
    assert "No thanks" not in patient.labels()


async def test_every_step_after_consent_has_back_and_cancel() -> None:
    patient, _ = await new_patient()
    assert "✖️ Cancel" in patient.labels()
    for answer in (
        "United Kingdom",
        "Yes, that's right",
        "2024",
        "Sep",
        "12",
        "Lower back (lumbar)",
    ):
        await patient.press(answer)
        assert "⬅️ Back" in patient.labels()
        assert "✖️ Cancel" in patient.labels()


async def test_back_from_month_returns_to_year() -> None:
    patient, _ = await in_the_uk()
    await patient.press("2025")
    assert "2025" in patient.last
    await patient.press("Back")
    assert "which year" in patient.last


async def test_earlier_years_page_back_in_time() -> None:
    patient, _ = await in_the_uk()
    assert "2026" in patient.labels()
    await patient.press("Earlier years")
    assert "2020" in patient.labels()
    assert "2026" not in patient.labels()
    await patient.press("2018")
    assert "2018" in patient.last


async def test_leaving_onboarding_half_way_keeps_the_answers_given() -> None:
    patient, line = await in_the_uk()
    await patient.press("2023")
    await patient.press("May")
    await patient.press("20")
    await patient.send("/log")
    profile = line.driver.ctx.profile
    assert profile is not None
    assert (profile.surgery_year, profile.surgery_month, profile.surgery_day) == (2023, 5, 20)
    assert profile.country == "GB"


async def test_typing_during_onboarding_gets_a_hint() -> None:
    patient, line = arriving()
    await patient.send("/start")
    await patient.type("yes")
    assert patient.last.startswith("Please use the buttons")
    assert line.driver.effects == []


def test_a_state_with_every_answer_round_trips_through_json() -> None:
    state = ProfileState(
        mode=ProfileMode.DETAILS,
        step=ProfileStep.WITHIN_THREE_MONTHS,
        trail=(ProfileStep.SURGERY_DAY, ProfileStep.WITHIN_TWO_WEEKS),
        then="log",
        surgery_year=2026,
        surgery_month=1,
        surgery_after=None,
        surgery_before=date(2026, 2, 23),
        within_two_weeks=Recent.NO,
        recent_asked_on=TODAY,
        display_name="J. D.",
        country="PT",
        proposed_country="ES",
        country_letter="P",
        country_page=1,
        zone_page=1,
        checkin_time=time(8, 0),
        timezone="Atlantic/Azores",
        ask_date=True,
    )
    assert router.load_state(router.dump_state(state)) == state


# --- Reminders ---------------------------------------------------------------------------


async def test_onboarding_sets_reminders_and_schedules_the_first_prompt() -> None:
    patient, line = await onboarded()
    profile = line.driver.ctx.profile
    assert profile is not None
    assert (profile.checkin_time, profile.timezone) == (time(19, 0), "Europe/Berlin")
    [schedule] = [e for e in line.driver.effects if isinstance(e, Reschedule)]
    assert schedule.next_at == datetime(2026, 3, 11, 18, 0, tzinfo=UTC)
    assert "every day at 19:00 (Europe/Berlin)" in patient.last


async def test_reminder_time_keeps_the_zone_or_takes_a_utc_offset() -> None:
    patient, line = await onboarded()
    await patient.send("/settings")
    await patient.press("Reminder time and time zone")
    await patient.press("08:00")
    assert "Tue 19:30" in patient.last
    await patient.press("No, choose again")
    await patient.press("UTC+5")
    assert "Tue 23:30" in patient.last
    await patient.press("No, choose again")
    await patient.press("UTC+3")
    assert "Tue 21:30" in patient.last
    await patient.press("Yes, that's right")
    assert line.driver.ctx.profile is not None
    assert line.driver.ctx.profile.timezone == "Etc/GMT-3"
    assert line.driver.ctx.profile.checkin_time == time(8, 0)


async def test_pause_stops_prompts_and_turning_them_on_asks_the_time_again() -> None:
    patient, line = await onboarded()
    await patient.send("/settings")
    await patient.press("Pause reminders")
    assert "Reminders: off" in patient.last
    assert line.driver.effects[-1] == Reschedule(next_at=None)
    await patient.press("Turn reminders on")
    assert "When should I remind you" in patient.last
    await patient.press("08:00")
    assert "Your local time now is Tue 19:30" in patient.last
    await patient.press("Yes, that's right")
    assert "Reminders: every day at 08:00 (Europe/Berlin)" in patient.last
    profile = line.driver.ctx.profile
    assert profile is not None
    assert (profile.paused, profile.checkin_time) == (False, time(8, 0))
    assert line.driver.effects[-1] == Reschedule(next_at=datetime(2026, 3, 11, 7, 0, tzinfo=UTC))


async def test_leaving_onboarding_early_leaves_reminders_off_and_settings_say_so() -> None:
    patient, line = await in_the_uk()
    await patient.press("Cancel")
    profile = line.driver.ctx.profile
    assert profile is not None
    assert profile.paused
    assert not any(isinstance(e, Reschedule) for e in line.driver.effects)
    await patient.send("/settings")
    assert "Reminders: off" in patient.last
    assert "20:00" not in patient.last
    assert "Turn reminders on" in patient.labels()
    # Saving another section does not switch them on at the default hour.
    await patient.press("Health factors")
    await patient.press("Diabetes")
    await patient.press("Done")
    assert line.driver.effects[-1] == Reschedule(next_at=None)
    assert "Reminders: off" in patient.last
    # They come on at the time the patient picks, in the zone they confirmed.
    await patient.press("Turn reminders on")
    await patient.press("08:00")
    assert "Country: United Kingdom" in patient.last
    await patient.press("Yes, that's right")
    assert "Reminders: every day at 08:00 (Europe/London)" in patient.last
    assert line.driver.effects[-1] == Reschedule(next_at=datetime(2026, 3, 11, 8, 0, tzinfo=UTC))


async def test_leaving_onboarding_right_after_consent_stores_reminders_off() -> None:
    _, line = await new_patient()
    [_, stamp] = line.driver.effects
    assert isinstance(stamp, SaveProfile)
    assert stamp.profile.paused


# --- The name on reports -----------------------------------------------------------------


async def at_the_name() -> tuple[Patient, FlowLine]:
    """A patient in the UK whose onboarding has reached the name for reports."""
    patient, line = await in_the_uk()
    for label in ("2025", "Jun", "15", "Lower back (lumbar)", "2 levels", "Done"):
        await patient.press(label)
    return patient, line


async def test_onboarding_asks_the_name_for_reports_with_skip_back_and_cancel() -> None:
    patient, _ = await at_the_name()
    assert "What name or initials should the reports for your surgeon show?" in patient.last
    assert "name not given" in patient.last
    assert patient.labels() == ["Skip", "⬅️ Back", "✖️ Cancel"]
    await patient.press("Back")
    assert "Do any of these apply to you?" in patient.last


async def test_the_typed_name_is_stored_on_one_line_and_shown_in_the_summary() -> None:
    patient, line = await at_the_name()
    await patient.type("  Maria \n  Rossi\t")
    assert saved(line).display_name == "Maria Rossi"
    assert "When should I remind you" in patient.last
    await patient.press("21:00")
    assert line.driver.state is None
    assert "Name on reports: Maria Rossi" in patient.last
    assert saved(line).display_name == "Maria Rossi"


async def test_skip_keeps_name_not_given() -> None:
    patient, line = await at_the_name()
    await patient.press("Skip")
    await patient.press("21:00")
    assert saved(line).display_name is None
    assert "Name on reports: not given" in patient.last


async def test_a_name_too_long_or_empty_is_asked_again_and_nothing_is_stored() -> None:
    patient, line = await at_the_name()
    before = len(line.driver.effects)
    await patient.type("A" * 61)
    assert patient.last.startswith("That is 61 characters; please keep it to 60")
    await patient.type(" \u200b\u202e \n ")
    assert patient.last.startswith("Please type a name or initials, or tap Skip.")
    assert len(line.driver.effects) == before
    assert isinstance(line.driver.state, ProfileState)
    assert line.driver.state.step is ProfileStep.DISPLAY_NAME
    await patient.type("B" * 60)
    assert saved(line).display_name == "B" * 60


def test_control_and_direction_characters_are_dropped_from_the_name() -> None:
    assert clean_display_name("J.\u202e D.\x00\x1b[31m") == "J. D.[31m"
    # Joiners are part of some scripts' words and stay.
    assert clean_display_name("\u0645\u06cc\u200c\u0631\u0636\u0627") == (
        "\u0645\u06cc\u200c\u0631\u0636\u0627"
    )


async def test_settings_changes_keeps_or_removes_the_name() -> None:
    patient, line = await onboarded()
    await patient.send("/settings")
    assert "Name on reports: M. R." in patient.last
    await patient.press("Name on reports")
    assert "Your reports show: M. R." in patient.last
    assert patient.labels() == ["Keep it", "Remove the name", "⬅️ Back", "✖️ Cancel"]
    await patient.type("A. B.")
    assert "What would you like to change?" in patient.last
    assert "Name on reports: A. B." in patient.last
    assert saved(line).display_name == "A. B."
    saves = len(line.driver.effects)
    await patient.press("Name on reports")
    await patient.press("Keep it")
    assert "Name on reports: A. B." in patient.last
    assert len(line.driver.effects) == saves
    await patient.press("Name on reports")
    await patient.press("Remove the name")
    assert "Name on reports: not given" in patient.last
    assert saved(line).display_name is None


# --- Settings ----------------------------------------------------------------------------


async def test_settings_changes_one_section_and_returns_to_the_menu() -> None:
    patient, line = await onboarded()
    await patient.send("/settings")
    assert "Operation: 12 Sep 2024" in patient.last
    assert "Country: Germany" in patient.last
    await patient.press("Health factors")
    await patient.press("I smoke")
    await patient.press("Done")
    assert "What would you like to change?" in patient.last
    await patient.press("Where and how many levels")
    await patient.press("Lower back (lumbar)")
    await patient.press("2 levels")
    await patient.press("Done")
    assert line.driver.state is None
    profile = line.driver.ctx.profile
    assert profile is not None
    assert profile.risk_factors == (Finding.DIABETES,)
    assert (profile.region, profile.levels) == (Region.LUMBAR, 2)
    assert (profile.surgery_year, profile.surgery_month, profile.surgery_day) == (2024, 9, 12)


async def test_settings_changes_the_country_and_then_its_zone() -> None:
    patient, line = await onboarded()
    await patient.send("/settings")
    await patient.press("Country and emergency numbers")
    assert "Which country do you live in?" in patient.last
    await patient.press("Canada")
    assert "Canada has more than one time zone" in patient.last
    assert "Toronto, Iqaluit (14:30)" in patient.labels()
    await patient.press("Next page")
    await patient.press("Vancouver")
    assert "Emergency number: 911" in patient.last
    await patient.press("Yes, that's right")
    assert "What would you like to change?" in patient.last
    assert "Country: Canada\nEmergency number: 911" in patient.last
    profile = line.driver.ctx.profile
    assert profile is not None
    assert (profile.country, profile.timezone) == ("CA", "America/Vancouver")
    schedule = line.driver.effects[-1]
    assert isinstance(schedule, Reschedule)
    assert schedule.next_at == datetime(2026, 3, 11, 2, 0, tzinfo=UTC)


async def test_settings_changes_the_date_to_a_day() -> None:
    patient, line = await onboarded()
    await patient.send("/settings")
    await patient.press("Operation date")
    await patient.press("2026")
    await patient.press("Feb")
    await patient.press("27")
    assert "Operation: 27 Feb 2026" in patient.last
    profile = line.driver.ctx.profile
    assert profile is not None
    assert (profile.surgery_year, profile.surgery_month, profile.surgery_day) == (2026, 2, 27)
    assert profile.surgery_days(TODAY) == DaysRange(11, 11)


async def test_settings_changes_the_date_to_a_range_and_back_to_a_day() -> None:
    patient, line = await onboarded()
    await patient.send("/settings")
    await patient.press("Operation date")
    await patient.press("2026")
    await patient.press("Feb")
    await patient.press("Not sure of the day")
    await patient.press("No")
    assert "What would you like to change?" in patient.last
    assert "Operation: between 1 Feb 2026 and 23 Feb 2026" in patient.last
    assert line.driver.ctx.profile is not None
    assert line.driver.ctx.profile.surgery_before == date(2026, 2, 23)
    await patient.press("Operation date")
    await patient.press("2026")
    await patient.press("Feb")
    await patient.press("3")
    profile = line.driver.ctx.profile
    assert profile is not None
    # The day replaces the earlier answers: no bounds are left to contradict it.
    assert (profile.surgery_day, profile.surgery_after, profile.surgery_before) == (3, None, None)


# --- Details run for an older profile ----------------------------------------------------

OLD = Profile(
    user_id=7,
    consented_at=datetime(2025, 1, 5, 10, 0, tzinfo=UTC),
    surgery_year=2024,
    surgery_month=9,
    region=Region.LUMBAR,
    levels=2,
    timezone="Europe/Berlin",
    checkin_time=time(19, 0),
)


def joined_before(profile: Profile = OLD) -> tuple[Patient, FlowLine]:
    """A patient who consented before onboarding asked the country and the day."""
    patient, line = arriving()
    line.driver.ctx = Context(now=NOW, user_id=7, timezone=profile.timezone, profile=profile)
    return patient, line


def test_which_profiles_need_the_details() -> None:
    assert needs_details(OLD)
    assert needs_details(OLD.model_copy(update={"country": "DE"}))
    assert needs_details(OLD.model_copy(update={"surgery_day": 3}))
    complete = OLD.model_copy(update={"country": "DE", "surgery_day": 3})
    assert not needs_details(complete)
    assert not needs_details(
        OLD.model_copy(update={"country": "DE", "surgery_year": None, "surgery_month": None})
    )
    assert not needs_details(OLD.model_copy(update={"details_asked_at": NOW}))


def test_the_details_run_remembers_the_command_it_interrupted() -> None:
    _, line = joined_before()
    first = begin_details(line.driver.ctx, "log")
    assert isinstance(first.state, ProfileState)
    assert (first.state.mode, first.state.then) == (ProfileMode.DETAILS, "log")
    assert router.load_state(router.dump_state(first.state)) == first.state


async def test_the_details_run_asks_the_country_then_the_day_then_thanks() -> None:
    patient, line = joined_before()
    # Without a command to carry on to, the run's own last screen is what the patient sees.
    first = begin_details(line.driver.ctx, None)
    stamp = first.effects[0]
    assert isinstance(stamp, SaveProfile)
    assert stamp.profile.details_asked_at == NOW
    assert stamp.profile.model_copy(update={"details_asked_at": None}) == OLD
    line.receive(first)
    assert isinstance(line.driver.state, ProfileState)
    assert line.driver.state.mode is ProfileMode.DETAILS
    assert patient.last.startswith("Before we go on")
    # The stored zone proposes the country; there is nothing to go back to.
    assert "Your country: Germany" in patient.last
    assert "⬅️ Back" not in patient.labels()
    await patient.press("Yes, that's right")
    # Germany's zones keep one time, and the stored zone is among them: only a confirmation.
    assert "Tue 19:30" in patient.last
    await patient.press("Yes, that's right")
    assert "On which day of Sep 2024?" in patient.last
    await patient.press("12")
    assert line.driver.state is None
    assert patient.last.startswith("Thank you")
    assert "Country: Germany\nEmergency number: 112\nOperation: 12 Sep 2024" in patient.last
    profile = saved(line)
    assert (profile.country, profile.timezone, profile.surgery_day) == ("DE", "Europe/Berlin", 12)
    assert profile.details_asked_at == NOW
    assert (profile.region, profile.levels, profile.checkin_time) == (
        Region.LUMBAR,
        2,
        time(19, 0),
    )
    assert not needs_details(profile)
    # The zone did not move, so the reminder stays where it is.
    assert not any(isinstance(e, Reschedule) for e in line.driver.effects)


async def test_the_details_run_asks_only_the_day_when_the_country_is_known() -> None:
    patient, line = joined_before(OLD.model_copy(update={"country": "DE"}))
    line.receive(begin_details(line.driver.ctx, None))
    assert "On which day of Sep 2024?" in patient.last
    assert "⬅️ Back" not in patient.labels()
    await patient.press("Not sure of the day")
    assert line.driver.state is None
    profile = saved(line)
    assert (profile.surgery_day, profile.surgery_after, profile.surgery_before) == (
        None,
        None,
        None,
    )
    assert "Operation: Sep 2024" in patient.last


async def test_the_details_run_asks_the_month_first_when_that_is_unknown_too() -> None:
    old = OLD.model_copy(update={"country": "DE", "surgery_year": 2026, "surgery_month": None})
    patient, line = joined_before(old)
    line.receive(begin_details(line.driver.ctx, "check"))
    assert "In which month of 2026?" in patient.last
    await patient.press("Not sure of the month")
    assert "in the last 2 weeks?" in patient.last
    await patient.press("Yes")
    profile = saved(line)
    assert profile.surgery_days(TODAY) == DaysRange(0, 14)


async def test_the_details_run_asks_only_the_country_when_the_day_is_known() -> None:
    old = OLD.model_copy(update={"surgery_day": 12, "timezone": "UTC"})
    patient, line = joined_before(old)
    line.receive(begin_details(line.driver.ctx, None))
    assert "Which country do you live in?" in patient.last
    await patient.press("United States")
    await patient.press("Chicago")
    await patient.press("Yes, that's right")
    assert line.driver.state is None
    profile = saved(line)
    assert (profile.country, profile.timezone) == ("US", "America/Chicago")
    # The zone moved, so the next reminder moves with it.
    schedule = line.driver.effects[-1]
    assert isinstance(schedule, Reschedule)
    assert schedule.next_at == datetime(2026, 3, 11, 0, 0, tzinfo=UTC)


async def test_a_patient_who_cancels_the_details_is_not_asked_again() -> None:
    patient, line = joined_before()
    line.receive(begin_details(line.driver.ctx, "log"))
    await patient.press("Cancel")
    profile = line.driver.ctx.profile
    assert profile is not None
    assert profile.details_asked_at == NOW
    assert profile.country is None
    assert not needs_details(profile)


def test_a_conversation_saved_by_the_previous_version_still_loads() -> None:
    saved_before = (
        '{"flow": "profile", "mode": "onboarding", "step": "checkin_time", "trail": '
        '["consent", "surgery_year"], "year_page": 0, "surgery_year": 2024, "surgery_month": 9, '
        '"region": "lumbar", "levels": 2, "risk_factors": [], "country": null, '
        '"checkin_time": "20:00:00", "timezone": "UTC", "paused": false}'
    )
    state = router.load_state(saved_before)
    assert isinstance(state, ProfileState)
    assert state.surgery_day is None
    screen = router.render(state, Context(now=NOW, user_id=7))
    assert "21:00" in screen.labels()
