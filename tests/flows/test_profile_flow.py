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
from flows.dialogs.router import Command
from flows.kit.core import Context, RecordConsent, Reschedule, SaveProfile
from flows.records.models import Profile, Region
from tests.flows.driver import FlowDriver

NOW = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)
TODAY = date(2026, 3, 10)


def saved(driver: FlowDriver) -> Profile:
    saves = [e for e in driver.effects if isinstance(e, SaveProfile)]
    assert saves, "nothing saved"
    return saves[-1].profile


def new_patient(language_code: str | None = None) -> FlowDriver:
    driver = FlowDriver(NOW)
    driver.ctx = replace(driver.ctx, language_code=language_code)
    driver.command(Command.START)
    driver.press("I agree")
    return driver


def in_the_uk() -> FlowDriver:
    """A patient who has agreed, chosen the United Kingdom and confirmed the time."""
    driver = new_patient()
    driver.press("United Kingdom")
    driver.press("Yes, that's right")
    assert "which year" in driver.text
    return driver


def finish_after_date(driver: FlowDriver) -> None:
    for label in ("Lower back (lumbar)", "2 levels", "Done", "Skip", "21:00"):
        driver.press(label)
    assert driver.state is None


def onboarded() -> FlowDriver:
    driver = new_patient()
    driver.press("Germany")
    assert "Tue 19:30" in driver.text
    driver.press("Yes, that's right")
    driver.press("2024")
    driver.press("Sep")
    driver.press("12")
    driver.press("fused to the sacrum")
    driver.press("3 or more")
    driver.press("I smoke")
    driver.press("Diabetes")
    driver.press("Done")
    driver.type("M. R.")
    driver.press("19:00")
    return driver


# --- Consent -----------------------------------------------------------------------------


def test_welcome_says_what_the_bot_is_not_and_asks_consent() -> None:
    driver = FlowDriver()
    driver.command(Command.START)
    assert "does not diagnose" in driver.text
    assert "emergency number" in driver.text
    assert driver.labels() == ["✅ I agree, keep my diary", "No thanks"]


def test_declining_stores_nothing_and_ends() -> None:
    driver = FlowDriver()
    driver.command(Command.START)
    driver.press("No thanks")
    assert driver.effects == []
    assert driver.state is None
    assert "stored nothing" in driver.text


def test_consent_comes_first_then_the_country_with_no_guess_stored() -> None:
    driver = new_patient("en-US")
    consent, stamp = driver.effects
    assert isinstance(consent, RecordConsent)
    assert consent.country is None
    assert isinstance(stamp, SaveProfile)
    # Onboarding asks the country and the day itself: the details run is never needed.
    assert stamp.profile.details_asked_at == NOW
    assert stamp.profile.country is None
    assert not needs_details(stamp.profile)


# --- Country and time zone ---------------------------------------------------------------


def test_a_us_patient_confirms_the_proposal_and_chooses_a_zone() -> None:
    driver = new_patient("en-US")
    assert "Your country: United States" in driver.text
    assert "Emergency number: 911" in driver.text
    driver.press("Yes, that's right")
    assert saved(driver).country == "US"
    assert "United States has more than one time zone" in driver.text
    labels = driver.labels()
    assert "New York, Detroit, Louisville… (14:30)" in labels
    assert "Los Angeles (11:30)" in labels
    assert "Honolulu (08:30)" in labels
    assert "None of these: choose by UTC offset" in labels
    driver.press("New York")
    assert "Country: United States" in driver.text
    assert "Your local time now is Tue 14:30" in driver.text
    driver.press("Yes, that's right")
    assert "which year" in driver.text
    driver.press("2025")
    driver.press("Nov")
    driver.press("3")
    finish_after_date(driver)
    profile = saved(driver)
    assert (profile.country, profile.timezone) == ("US", "America/New_York")
    assert (profile.surgery_year, profile.surgery_month, profile.surgery_day) == (2025, 11, 3)
    assert profile.surgery_days(TODAY) == DaysRange(127, 127)
    assert "Country: United States\nEmergency number: 911" in driver.text
    assert "Operation: 3 Nov 2025" in driver.text


def test_a_gb_patient_has_one_zone_so_no_list_of_zones() -> None:
    driver = new_patient("en")
    assert "Which country do you live in?" in driver.text
    driver.press("United Kingdom")
    assert driver.state is not None
    assert getattr(driver.state, "step", None) is ProfileStep.CONFIRM_TIMEZONE
    assert "Emergency number: 999" in driver.text
    assert "Tue 18:30" in driver.text
    driver.press("Yes, that's right")
    assert saved(driver).timezone == "Europe/London"
    assert saved(driver).country == "GB"


def test_a_wrong_proposal_is_changed_from_the_list() -> None:
    driver = new_patient("en-US")
    driver.press("No, choose my country")
    driver.press("Ireland")
    driver.press("Yes, that's right")
    profile = saved(driver)
    assert (profile.country, profile.timezone) == ("IE", "Europe/Dublin")


def test_any_country_by_its_first_letter_then_a_page_of_that_letter() -> None:
    driver = new_patient()
    driver.press("Another country")
    assert "Which letter" in driver.text
    assert {"A", "P", "Z"} <= set(driver.labels())
    driver.press("P")
    assert "Countries starting with P" in driver.text
    assert "Pakistan" in driver.labels()
    assert "Portugal" not in driver.labels()
    driver.press("Next page")
    driver.press("Portugal")
    # Madeira keeps Lisbon's time all year, so the two are one choice; the Azores are not.
    assert driver.labels()[:2] == ["Lisbon, Madeira (18:30)", "Azores (17:30)"]
    driver.press("Azores")
    assert "Tue 17:30" in driver.text
    driver.press("Yes, that's right")
    profile = saved(driver)
    assert (profile.country, profile.timezone) == ("PT", "Atlantic/Azores")


def test_every_country_button_value_fits_telegram() -> None:
    driver = new_patient()
    driver.press("Another country")
    for letter in list(driver.labels())[:-2]:
        driver.press(letter)
        while "Next page ▶️" in driver.labels():
            driver.press("Next page")
        driver.press("Back")
    assert getattr(driver.state, "step", None) is ProfileStep.COUNTRY_LETTER


def test_a_wrong_local_time_offers_a_utc_offset_that_says_it_ignores_daylight_saving() -> None:
    driver = new_patient()
    driver.press("United Kingdom")
    driver.press("No, choose again")
    assert "does not follow daylight saving time" in driver.text
    driver.press("UTC+5")
    assert "Tue 23:30" in driver.text
    driver.press("Yes, that's right")
    assert saved(driver).timezone == "Etc/GMT-5"
    assert saved(driver).country == "GB"


def test_the_country_is_kept_even_if_the_patient_leaves_at_the_zone() -> None:
    driver = new_patient("en-US")
    driver.press("Yes, that's right")
    driver.press("Cancel")
    assert driver.ctx.profile is not None
    assert driver.ctx.profile.country == "US"


def test_zone_labels_are_the_city_of_the_zone_name() -> None:
    assert zone_city("America/New_York") == "New York"
    assert zone_city("America/Argentina/Buenos_Aires") == "Buenos Aires"
    assert zone_city("Europe/London") == "London"


# --- Day of surgery ----------------------------------------------------------------------


def test_onboarding_records_consent_then_the_whole_profile() -> None:
    driver = onboarded()
    assert isinstance(driver.effects[0], RecordConsent)
    profile = saved(driver)
    assert (profile.surgery_year, profile.surgery_month, profile.surgery_day) == (2024, 9, 12)
    assert (profile.surgery_after, profile.surgery_before) == (None, None)
    assert profile.region is Region.LUMBOSACRAL
    assert profile.levels == 3
    assert profile.risk_factors == (Finding.SMOKER, Finding.DIABETES)
    assert {Finding.MULTILEVEL_FUSION, Finding.FUSED_TO_SACRUM} <= profile.profile_findings()
    assert (profile.country, profile.timezone) == ("DE", "Europe/Berlin")
    assert driver.state is None
    assert "All set" in driver.text
    assert "Operation: 12 Sep 2024" in driver.text
    assert "Country: Germany\nEmergency number: 112" in driver.text


def test_not_sure_of_the_day_in_the_last_2_weeks_stores_bounds_not_a_day() -> None:
    driver = in_the_uk()
    driver.press("2026")
    driver.press("Feb")
    driver.press("Not sure of the day")
    assert "in the last 2 weeks?" in driver.text
    assert driver.labels()[:3] == ["Yes", "No", "Not sure"]
    driver.press("Yes")
    assert "part of your spine" in driver.text
    profile = saved(driver)
    assert profile.surgery_day is None
    assert profile.surgery_after == date(2026, 2, 24)
    assert profile.surgery_before == date(2026, 3, 10)
    # February, and the last 2 weeks: 24 to 28 February, 10 to 14 days ago.
    assert profile.surgery_bounds() == (date(2026, 2, 24), date(2026, 2, 28))
    assert profile.surgery_days(TODAY) == DaysRange(10, 14)
    finish_after_date(driver)
    assert "Operation: between 24 Feb 2026 and 28 Feb 2026" in driver.text


def test_not_in_the_last_2_weeks_then_asks_3_months_when_it_can_narrow() -> None:
    driver = in_the_uk()
    driver.press("Not sure")
    driver.press("No")
    assert "in the last 3 months?" in driver.text
    driver.press("Yes")
    profile = saved(driver)
    assert (profile.surgery_year, profile.surgery_month) == (None, None)
    assert profile.surgery_after == date(2025, 12, 10)
    assert profile.surgery_before == date(2026, 2, 23)
    assert profile.surgery_days(TODAY) == DaysRange(15, 90)


def test_a_month_long_past_asks_nothing_more() -> None:
    driver = in_the_uk()
    driver.press("2024")
    driver.press("Sep")
    driver.press("Not sure of the day")
    assert "part of your spine" in driver.text
    profile = saved(driver)
    assert (profile.surgery_after, profile.surgery_before) == (None, None)
    assert profile.surgery_days(TODAY) == DaysRange(526, 555)


def test_a_month_within_the_last_2_weeks_needs_no_question() -> None:
    driver = FlowDriver(datetime(2026, 3, 12, 9, 0, tzinfo=UTC))
    driver.command(Command.START)
    driver.press("I agree")
    driver.press("United Kingdom")
    driver.press("Yes, that's right")
    driver.press("2026")
    driver.press("Mar")
    driver.press("Not sure of the day")
    assert "part of your spine" in driver.text


def test_a_year_known_without_the_month_asks_only_what_can_narrow_it() -> None:
    driver = in_the_uk()
    driver.press("2025")
    driver.press("Not sure of the month")
    # All of 2025 is more than 2 weeks ago; December is within 3 months.
    assert "in the last 3 months?" in driver.text
    driver.press("No")
    profile = saved(driver)
    assert profile.surgery_before == date(2025, 12, 9)
    assert profile.surgery_bounds() == (date(2025, 1, 1), date(2025, 12, 9))


def test_not_sure_at_both_questions_stores_no_bounds() -> None:
    driver = in_the_uk()
    driver.press("Not sure")
    driver.press("Not sure")
    driver.press("Not sure")
    profile = saved(driver)
    assert (profile.surgery_after, profile.surgery_before) == (None, None)
    assert profile.surgery_days(TODAY) is None


def test_days_in_the_future_and_days_that_do_not_exist_are_not_offered() -> None:
    driver = in_the_uk()
    driver.press("2026")
    driver.press("Mar")
    assert "On which day of Mar 2026?" in driver.text
    assert "10" in driver.labels()
    assert "11" not in driver.labels()
    driver.press("Back")
    driver.press("Feb")
    assert "28" in driver.labels()
    assert "29" not in driver.labels()
    driver.press("Back")
    driver.press("Back")
    driver.press("2024")
    driver.press("Feb")
    assert "29" in driver.labels()
    assert "30" not in driver.labels()


def test_months_after_today_are_not_offered_for_this_year() -> None:
    driver = in_the_uk()
    driver.press("2026")
    assert "Mar" in driver.labels()
    assert "Apr" not in driver.labels()


def test_the_day_counts_in_the_patients_own_zone() -> None:
    # 23:30 UTC on 10 March is already 11 March in Auckland.
    driver = FlowDriver(datetime(2026, 3, 10, 23, 30, tzinfo=UTC))
    driver.command(Command.START)
    driver.press("I agree")
    driver.press("New Zealand")
    driver.press("Auckland")
    driver.press("Yes, that's right")
    driver.press("2026")
    driver.press("Mar")
    assert "11" in driver.labels()
    assert "12" not in driver.labels()


def test_recent_bounds_follow_the_rule_of_the_brief() -> None:
    on = date(2026, 3, 10)
    assert recent_bounds(Recent.YES, None, on) == (date(2026, 2, 24), on)
    assert recent_bounds(Recent.NO, None, on) == (None, date(2026, 2, 23))
    assert recent_bounds(Recent.NO, Recent.YES, on) == (date(2025, 12, 10), date(2026, 2, 23))
    assert recent_bounds(Recent.UNSURE, Recent.NO, on) == (None, date(2025, 12, 9))
    assert recent_bounds(Recent.UNSURE, Recent.UNSURE, on) == (None, None)


# --- Steps, navigation, hints ------------------------------------------------------------


def test_consent_once_given_is_not_undone_by_back() -> None:
    # "No thanks" would say nothing is stored while the account already is: the first step
    # after consent has no way back to the question; /delete erases.
    driver = new_patient()
    assert "⬅️ Back" not in driver.labels()
    assert "✖️ Cancel" in driver.labels()
    driver.press("Another country")
    driver.press("Back")
    assert "agree" not in driver.text.lower()
    assert "No thanks" not in driver.labels()


def test_every_step_after_consent_has_back_and_cancel() -> None:
    driver = new_patient()
    assert "✖️ Cancel" in driver.labels()
    for answer in (
        "United Kingdom",
        "Yes, that's right",
        "2024",
        "Sep",
        "12",
        "Lower back (lumbar)",
    ):
        driver.press(answer)
        assert "⬅️ Back" in driver.labels()
        assert "✖️ Cancel" in driver.labels()


def test_back_from_month_returns_to_year() -> None:
    driver = in_the_uk()
    driver.press("2025")
    assert "2025" in driver.text
    driver.press("Back")
    assert "which year" in driver.text


def test_earlier_years_page_back_in_time() -> None:
    driver = in_the_uk()
    assert "2026" in driver.labels()
    driver.press("Earlier years")
    assert "2020" in driver.labels()
    assert "2026" not in driver.labels()
    driver.press("2018")
    assert "2018" in driver.text


def test_leaving_onboarding_half_way_keeps_the_answers_given() -> None:
    driver = in_the_uk()
    driver.press("2023")
    driver.press("May")
    driver.press("20")
    driver.command(Command.LOG)
    profile = driver.ctx.profile
    assert profile is not None
    assert (profile.surgery_year, profile.surgery_month, profile.surgery_day) == (2023, 5, 20)
    assert profile.country == "GB"


def test_typing_during_onboarding_gets_a_hint() -> None:
    driver = FlowDriver()
    driver.command(Command.START)
    driver.type("yes")
    assert driver.text.startswith("Please use the buttons")
    assert driver.effects == []


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


def test_onboarding_sets_reminders_and_schedules_the_first_prompt() -> None:
    driver = onboarded()
    profile = driver.ctx.profile
    assert profile is not None
    assert (profile.checkin_time, profile.timezone) == (time(19, 0), "Europe/Berlin")
    [schedule] = [e for e in driver.effects if isinstance(e, Reschedule)]
    assert schedule.next_at == datetime(2026, 3, 11, 18, 0, tzinfo=UTC)
    assert "every day at 19:00 (Europe/Berlin)" in driver.text


def test_reminder_time_keeps_the_zone_or_takes_a_utc_offset() -> None:
    driver = onboarded()
    driver.command(Command.SETTINGS)
    driver.press("Reminder time and time zone")
    driver.press("08:00")
    assert "Tue 19:30" in driver.text
    driver.press("No, choose again")
    driver.press("UTC+5")
    assert "Tue 23:30" in driver.text
    driver.press("No, choose again")
    driver.press("UTC+3")
    assert "Tue 21:30" in driver.text
    driver.press("Yes, that's right")
    assert driver.ctx.profile is not None
    assert driver.ctx.profile.timezone == "Etc/GMT-3"
    assert driver.ctx.profile.checkin_time == time(8, 0)


def test_pause_stops_prompts_and_turning_them_on_asks_the_time_again() -> None:
    driver = onboarded()
    driver.command(Command.SETTINGS)
    driver.press("Pause reminders")
    assert "Reminders: off" in driver.text
    assert driver.effects[-1] == Reschedule(next_at=None)
    driver.press("Turn reminders on")
    assert "When should I remind you" in driver.text
    driver.press("08:00")
    assert "Your local time now is Tue 19:30" in driver.text
    driver.press("Yes, that's right")
    assert "Reminders: every day at 08:00 (Europe/Berlin)" in driver.text
    profile = driver.ctx.profile
    assert profile is not None
    assert (profile.paused, profile.checkin_time) == (False, time(8, 0))
    assert driver.effects[-1] == Reschedule(next_at=datetime(2026, 3, 11, 7, 0, tzinfo=UTC))


def test_leaving_onboarding_early_leaves_reminders_off_and_settings_say_so() -> None:
    driver = in_the_uk()
    driver.press("Cancel")
    profile = driver.ctx.profile
    assert profile is not None
    assert profile.paused
    assert not any(isinstance(e, Reschedule) for e in driver.effects)
    driver.command(Command.SETTINGS)
    assert "Reminders: off" in driver.text
    assert "20:00" not in driver.text
    assert "Turn reminders on" in driver.labels()
    # Saving another section does not switch them on at the default hour.
    driver.press("Health factors")
    driver.press("Diabetes")
    driver.press("Done")
    assert driver.effects[-1] == Reschedule(next_at=None)
    assert "Reminders: off" in driver.text
    # They come on at the time the patient picks, in the zone they confirmed.
    driver.press("Turn reminders on")
    driver.press("08:00")
    assert "Country: United Kingdom" in driver.text
    driver.press("Yes, that's right")
    assert "Reminders: every day at 08:00 (Europe/London)" in driver.text
    assert driver.effects[-1] == Reschedule(next_at=datetime(2026, 3, 11, 8, 0, tzinfo=UTC))


def test_leaving_onboarding_right_after_consent_stores_reminders_off() -> None:
    driver = new_patient()
    [_, stamp] = driver.effects
    assert isinstance(stamp, SaveProfile)
    assert stamp.profile.paused


# --- The name on reports -----------------------------------------------------------------


def at_the_name() -> FlowDriver:
    driver = in_the_uk()
    for label in ("2025", "Jun", "15", "Lower back (lumbar)", "2 levels", "Done"):
        driver.press(label)
    return driver


def test_onboarding_asks_the_name_for_reports_with_skip_back_and_cancel() -> None:
    driver = at_the_name()
    assert "What name or initials should the reports for your surgeon show?" in driver.text
    assert "name not given" in driver.text
    assert driver.labels() == ["Skip", "⬅️ Back", "✖️ Cancel"]
    driver.press("Back")
    assert "Do any of these apply to you?" in driver.text


def test_the_typed_name_is_stored_on_one_line_and_shown_in_the_summary() -> None:
    driver = at_the_name()
    driver.type("  Maria \n  Rossi\t")
    assert saved(driver).display_name == "Maria Rossi"
    assert "When should I remind you" in driver.text
    driver.press("21:00")
    assert driver.state is None
    assert "Name on reports: Maria Rossi" in driver.text
    assert saved(driver).display_name == "Maria Rossi"


def test_skip_keeps_name_not_given() -> None:
    driver = at_the_name()
    driver.press("Skip")
    driver.press("21:00")
    assert saved(driver).display_name is None
    assert "Name on reports: not given" in driver.text


def test_a_name_too_long_or_empty_is_asked_again_and_nothing_is_stored() -> None:
    driver = at_the_name()
    before = len(driver.effects)
    driver.type("A" * 61)
    assert driver.text.startswith("That is 61 characters; please keep it to 60")
    driver.type(" \u200b\u202e \n ")
    assert driver.text.startswith("Please type a name or initials, or tap Skip.")
    assert len(driver.effects) == before
    assert isinstance(driver.state, ProfileState)
    assert driver.state.step is ProfileStep.DISPLAY_NAME
    driver.type("B" * 60)
    assert saved(driver).display_name == "B" * 60


def test_control_and_direction_characters_are_dropped_from_the_name() -> None:
    assert clean_display_name("J.\u202e D.\x00\x1b[31m") == "J. D.[31m"
    # Joiners are part of some scripts' words and stay.
    assert clean_display_name("\u0645\u06cc\u200c\u0631\u0636\u0627") == (
        "\u0645\u06cc\u200c\u0631\u0636\u0627"
    )


def test_settings_changes_keeps_or_removes_the_name() -> None:
    driver = onboarded()
    driver.command(Command.SETTINGS)
    assert "Name on reports: M. R." in driver.text
    driver.press("Name on reports")
    assert "Your reports show: M. R." in driver.text
    assert driver.labels() == ["Keep it", "Remove the name", "⬅️ Back", "✖️ Cancel"]
    driver.type("A. B.")
    assert "What would you like to change?" in driver.text
    assert "Name on reports: A. B." in driver.text
    assert saved(driver).display_name == "A. B."
    saves = len(driver.effects)
    driver.press("Name on reports")
    driver.press("Keep it")
    assert "Name on reports: A. B." in driver.text
    assert len(driver.effects) == saves
    driver.press("Name on reports")
    driver.press("Remove the name")
    assert "Name on reports: not given" in driver.text
    assert saved(driver).display_name is None


# --- Settings ----------------------------------------------------------------------------


def test_settings_changes_one_section_and_returns_to_the_menu() -> None:
    driver = onboarded()
    driver.command(Command.SETTINGS)
    assert "Operation: 12 Sep 2024" in driver.text
    assert "Country: Germany" in driver.text
    driver.press("Health factors")
    driver.press("I smoke")
    driver.press("Done")
    assert "What would you like to change?" in driver.text
    driver.press("Where and how many levels")
    driver.press("Lower back (lumbar)")
    driver.press("2 levels")
    driver.press("Done")
    assert driver.state is None
    profile = driver.ctx.profile
    assert profile is not None
    assert profile.risk_factors == (Finding.DIABETES,)
    assert (profile.region, profile.levels) == (Region.LUMBAR, 2)
    assert (profile.surgery_year, profile.surgery_month, profile.surgery_day) == (2024, 9, 12)


def test_settings_changes_the_country_and_then_its_zone() -> None:
    driver = onboarded()
    driver.command(Command.SETTINGS)
    driver.press("Country and emergency numbers")
    assert "Which country do you live in?" in driver.text
    driver.press("Canada")
    assert "Canada has more than one time zone" in driver.text
    assert "Toronto, Iqaluit (14:30)" in driver.labels()
    driver.press("Next page")
    driver.press("Vancouver")
    assert "Emergency number: 911" in driver.text
    driver.press("Yes, that's right")
    assert "What would you like to change?" in driver.text
    assert "Country: Canada\nEmergency number: 911" in driver.text
    profile = driver.ctx.profile
    assert profile is not None
    assert (profile.country, profile.timezone) == ("CA", "America/Vancouver")
    schedule = driver.effects[-1]
    assert isinstance(schedule, Reschedule)
    assert schedule.next_at == datetime(2026, 3, 11, 2, 0, tzinfo=UTC)


def test_settings_changes_the_date_to_a_day() -> None:
    driver = onboarded()
    driver.command(Command.SETTINGS)
    driver.press("Operation date")
    driver.press("2026")
    driver.press("Feb")
    driver.press("27")
    assert "Operation: 27 Feb 2026" in driver.text
    profile = driver.ctx.profile
    assert profile is not None
    assert (profile.surgery_year, profile.surgery_month, profile.surgery_day) == (2026, 2, 27)
    assert profile.surgery_days(TODAY) == DaysRange(11, 11)


def test_settings_changes_the_date_to_a_range_and_back_to_a_day() -> None:
    driver = onboarded()
    driver.command(Command.SETTINGS)
    driver.press("Operation date")
    driver.press("2026")
    driver.press("Feb")
    driver.press("Not sure of the day")
    driver.press("No")
    assert "What would you like to change?" in driver.text
    assert "Operation: between 1 Feb 2026 and 23 Feb 2026" in driver.text
    assert driver.ctx.profile is not None
    assert driver.ctx.profile.surgery_before == date(2026, 2, 23)
    driver.press("Operation date")
    driver.press("2026")
    driver.press("Feb")
    driver.press("3")
    profile = driver.ctx.profile
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


def old_patient(profile: Profile = OLD) -> FlowDriver:
    driver = FlowDriver(NOW)
    driver.ctx = Context(now=NOW, user_id=7, timezone=profile.timezone, profile=profile)
    return driver


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
    first = begin_details(old_patient().ctx, "log")
    assert isinstance(first.state, ProfileState)
    assert (first.state.mode, first.state.then) == (ProfileMode.DETAILS, "log")
    assert router.load_state(router.dump_state(first.state)) == first.state


def test_the_details_run_asks_the_country_then_the_day_then_thanks() -> None:
    driver = old_patient()
    # Without a command to carry on to, the run's own last screen is what the patient sees.
    first = begin_details(driver.ctx, None)
    stamp = first.effects[0]
    assert isinstance(stamp, SaveProfile)
    assert stamp.profile.details_asked_at == NOW
    assert stamp.profile.model_copy(update={"details_asked_at": None}) == OLD
    driver.start(first)
    assert isinstance(driver.state, ProfileState)
    assert driver.state.mode is ProfileMode.DETAILS
    assert driver.text.startswith("Before we go on")
    # The stored zone proposes the country; there is nothing to go back to.
    assert "Your country: Germany" in driver.text
    assert "⬅️ Back" not in driver.labels()
    driver.press("Yes, that's right")
    # Germany's zones keep one time, and the stored zone is among them: only a confirmation.
    assert "Tue 19:30" in driver.text
    driver.press("Yes, that's right")
    assert "On which day of Sep 2024?" in driver.text
    driver.press("12")
    assert driver.state is None
    assert driver.text.startswith("Thank you")
    assert "Country: Germany\nEmergency number: 112\nOperation: 12 Sep 2024" in driver.text
    profile = saved(driver)
    assert (profile.country, profile.timezone, profile.surgery_day) == ("DE", "Europe/Berlin", 12)
    assert profile.details_asked_at == NOW
    assert (profile.region, profile.levels, profile.checkin_time) == (
        Region.LUMBAR,
        2,
        time(19, 0),
    )
    assert not needs_details(profile)
    # The zone did not move, so the reminder stays where it is.
    assert not any(isinstance(e, Reschedule) for e in driver.effects)


def test_the_details_run_asks_only_the_day_when_the_country_is_known() -> None:
    driver = old_patient(OLD.model_copy(update={"country": "DE"}))
    driver.start(begin_details(driver.ctx, None))
    assert "On which day of Sep 2024?" in driver.text
    assert "⬅️ Back" not in driver.labels()
    driver.press("Not sure of the day")
    assert driver.state is None
    profile = saved(driver)
    assert (profile.surgery_day, profile.surgery_after, profile.surgery_before) == (
        None,
        None,
        None,
    )
    assert "Operation: Sep 2024" in driver.text


def test_the_details_run_asks_the_month_first_when_that_is_unknown_too() -> None:
    old = OLD.model_copy(update={"country": "DE", "surgery_year": 2026, "surgery_month": None})
    driver = old_patient(old)
    driver.start(begin_details(driver.ctx, "check"))
    assert "In which month of 2026?" in driver.text
    driver.press("Not sure of the month")
    assert "in the last 2 weeks?" in driver.text
    driver.press("Yes")
    profile = saved(driver)
    assert profile.surgery_days(TODAY) == DaysRange(0, 14)


def test_the_details_run_asks_only_the_country_when_the_day_is_known() -> None:
    old = OLD.model_copy(update={"surgery_day": 12, "timezone": "UTC"})
    driver = old_patient(old)
    driver.start(begin_details(driver.ctx, None))
    assert "Which country do you live in?" in driver.text
    driver.press("United States")
    driver.press("Chicago")
    driver.press("Yes, that's right")
    assert driver.state is None
    profile = saved(driver)
    assert (profile.country, profile.timezone) == ("US", "America/Chicago")
    # The zone moved, so the next reminder moves with it.
    schedule = driver.effects[-1]
    assert isinstance(schedule, Reschedule)
    assert schedule.next_at == datetime(2026, 3, 11, 0, 0, tzinfo=UTC)


def test_a_patient_who_cancels_the_details_is_not_asked_again() -> None:
    driver = old_patient()
    driver.start(begin_details(driver.ctx, "log"))
    driver.press("Cancel")
    profile = driver.ctx.profile
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
