"""The entries (onboarding, /settings, the details run), `on_event` and `FLOW`."""

from __future__ import annotations

from flows.dialogs.profile.about import (
    CHECKIN,
    DISPLAY_NAME_MAX_CHARS,
    LEVEL_CHOICES,
    PROFILE_RISKS,
    REGION,
    RISK,
    clean_display_name,
)
from flows.dialogs.profile.country import (
    COUNTRY,
    LETTER,
    OFFSET,
    ZONE,
    countries_by_letter,
    offset_zone,
    zone_groups_of,
)
from flows.dialogs.profile.menu import profile_summary
from flows.dialogs.profile.profile import ProfileMode, ProfileState, ProfileStep, forward
from flows.dialogs.profile.screens import render
from flows.dialogs.profile.surgery import DAY_OF_MONTH, MONTH, YEAR, clear_day
from flows.dialogs.profile.transitions import (
    after_date,
    after_zone,
    ask_recent,
    choose_country,
    finish_details,
    finish_onboarding,
    on_recent,
    profile_from,
    section_done,
    show,
    start_country,
    start_day,
    start_zone,
    to_menu,
)
from flows.i18n import t
from flows.kit.core import (
    Context,
    Event,
    Flow,
    Outcome,
    Press,
    RecordConsent,
    SaveProfile,
    Screen,
    step_back,
    use_buttons,
)
from flows.records.models import Profile


def needs_details(profile: Profile) -> bool:
    """Whether an older profile should be asked, once, its country or its day of surgery."""
    if profile.details_asked_at is not None:
        return False
    day_missing = profile.surgery_year is not None and profile.surgery_day is None
    return profile.country is None or day_missing


def _state_of(profile: Profile, mode: ProfileMode, step: ProfileStep) -> ProfileState:
    return ProfileState(
        mode=mode,
        step=step,
        surgery_year=profile.surgery_year,
        surgery_month=profile.surgery_month,
        surgery_day=profile.surgery_day,
        surgery_after=profile.surgery_after,
        surgery_before=profile.surgery_before,
        region=profile.region,
        levels=profile.levels,
        risk_factors=profile.risk_factors,
        display_name=profile.display_name,
        country=profile.country,
        checkin_time=profile.checkin_time,
        timezone=profile.timezone,
        paused=profile.paused,
    )


def begin_onboarding(ctx: Context) -> Outcome:
    """Start with the welcome and the consent question."""
    # Reminders stay off until the patient picks a time: an onboarding left half-way must not
    # start prompts at a default hour in a zone that may not be theirs.
    state = ProfileState(mode=ProfileMode.ONBOARDING, step=ProfileStep.CONSENT, paused=True)
    return Outcome(state=state, screen=render(state, ctx))


def begin_settings(ctx: Context) -> Outcome:
    """Open the settings menu with the current profile filled in."""
    profile = ctx.profile
    if profile is None:
        return begin_onboarding(ctx)
    state = _state_of(profile, ProfileMode.SETTINGS, ProfileStep.MENU)
    return Outcome(state=state, screen=render(state, ctx))


def begin_details(ctx: Context, then: str | None) -> Outcome:
    """Ask only the country or the day of surgery the profile lacks, then carry on."""
    profile = ctx.profile
    if profile is None:
        return begin_onboarding(ctx)
    # Stamped before the first answer, so a patient who cancels is not asked again.
    stamp = SaveProfile(profile=profile.model_copy(update={"details_asked_at": ctx.now}))
    state = _state_of(profile, ProfileMode.DETAILS, ProfileStep.MENU).model_copy(
        update={
            "then": then,
            "ask_date": profile.surgery_year is not None and profile.surgery_day is None,
        }
    )
    if profile.country is None:
        outcome = start_country(state, ctx)
    elif state.ask_date:
        outcome = start_day(state, ctx)
    else:
        outcome = finish_details(state, ctx)
    if not isinstance(outcome.state, ProfileState):
        return Outcome(state=None, screen=outcome.screen, effects=(stamp, *outcome.effects))
    # The first question has nothing to go back to.
    first = outcome.state.model_copy(update={"trail": ()})
    intro = t(ctx.language, "details.intro")
    return Outcome(
        state=first, screen=render(first, ctx).with_hint(intro), effects=(stamp, *outcome.effects)
    )


def on_event(state: ProfileState, event: Event, ctx: Context) -> Outcome:
    """Apply one answer to the profile being edited."""
    if not isinstance(event, Press):
        if state.step is ProfileStep.DISPLAY_NAME:
            return _on_name(state, event.text, ctx)
        return use_buttons(state, render(state, ctx), ctx)
    value = event.value
    if value == "back" and state.trail:
        previous = step_back(state)
        return show(previous, ctx)
    match state.step:
        case ProfileStep.CONSENT:
            return _on_consent(state, value, ctx)
        case ProfileStep.CONFIRM_COUNTRY:
            if value == "right" and state.proposed_country is not None:
                return choose_country(state, state.proposed_country, ctx)
            return show(forward(state, ProfileStep.COUNTRY), ctx)
        case ProfileStep.COUNTRY | ProfileStep.COUNTRY_LETTER | ProfileStep.COUNTRY_OF_LETTER:
            return _on_country(state, value, ctx)
        case ProfileStep.TIMEZONE | ProfileStep.TIMEZONE_OFFSET:
            return _on_zone(state, value, ctx)
        case ProfileStep.CONFIRM_TIMEZONE:
            if value == "wrong":
                many = len(zone_groups_of(state, ctx)) > 1
                step = ProfileStep.TIMEZONE if many else ProfileStep.TIMEZONE_OFFSET
                return show(forward(state, step, zone_page=0), ctx)
            return after_zone(state, ctx)
        case ProfileStep.SURGERY_YEAR:
            return _on_year(state, value, ctx)
        case ProfileStep.SURGERY_MONTH:
            if value == "unsure":
                return ask_recent(clear_day(state, surgery_month=None), ctx)
            month = clear_day(state, surgery_month=MONTH.of(value))
            return show(forward(month, ProfileStep.SURGERY_DAY), ctx)
        case ProfileStep.SURGERY_DAY:
            if value == "unsure":
                return ask_recent(clear_day(state), ctx)
            return after_date(clear_day(state, surgery_day=DAY_OF_MONTH.of(value)), ctx)
        case ProfileStep.WITHIN_TWO_WEEKS | ProfileStep.WITHIN_THREE_MONTHS:
            return on_recent(state, value, ctx)
        case ProfileStep.REGION:
            region = REGION.of(value)
            return show(forward(state, ProfileStep.LEVELS, region=region), ctx)
        case ProfileStep.LEVELS:
            levels = LEVEL_CHOICES.get(value)
            return section_done(
                state.model_copy(update={"levels": levels}), ctx, ProfileStep.RISK_FACTORS
            )
        case ProfileStep.RISK_FACTORS:
            if value == "done":
                return section_done(state, ctx, ProfileStep.DISPLAY_NAME)
            code = RISK.of(value)
            chosen = tuple(c for c in PROFILE_RISKS if (c in state.risk_factors) != (c == code))
            return show(state.model_copy(update={"risk_factors": chosen}), ctx)
        case ProfileStep.DISPLAY_NAME:
            if value == "clear":
                cleared = state.model_copy(update={"display_name": None})
                return section_done(cleared, ctx, ProfileStep.CHECKIN_TIME)
            # Skip changes nothing, so there is nothing to save.
            if state.mode is ProfileMode.ONBOARDING:
                return show(forward(state, ProfileStep.CHECKIN_TIME), ctx)
            return to_menu(state, ctx)
        case ProfileStep.CHECKIN_TIME:
            # Choosing the time a reminder comes is asking for reminders: it turns them on.
            chosen_at = CHECKIN.of(value)
            at = state.model_copy(update={"checkin_time": chosen_at, "paused": False})
            if state.mode is ProfileMode.ONBOARDING:
                return finish_onboarding(at, ctx)
            return start_zone(at, ctx)
        case ProfileStep.MENU:
            return _on_menu(state, value, ctx)


def _on_name(state: ProfileState, text: str, ctx: Context) -> Outcome:
    lang = ctx.language
    name = clean_display_name(text)
    if not name:
        hint = t(lang, "name.empty")
    elif len(name) > DISPLAY_NAME_MAX_CHARS:
        hint = t(lang, "name.too_long", n=len(name), limit=DISPLAY_NAME_MAX_CHARS)
    else:
        named = state.model_copy(update={"display_name": name})
        return section_done(named, ctx, ProfileStep.CHECKIN_TIME)
    return Outcome(state=state, screen=render(state, ctx).with_hint(hint))


def _on_consent(state: ProfileState, value: str, ctx: Context) -> Outcome:
    lang = ctx.language
    if value == "decline":
        return Outcome(state=None, screen=Screen(text=t(lang, "onboarding.declined")))
    # The country is not stored until the patient confirms it (REFERENCE.md §8.2).
    consent = RecordConsent(language=lang, timezone=ctx.timezone, country=None)
    # Onboarding asks the country and the day itself, so the details run never repeats them;
    # a conversation begun before onboarding asked them never gets this stamp.
    profile = profile_from(state, ctx).model_copy(update={"details_asked_at": ctx.now})
    started = start_country(state, ctx, consent, SaveProfile(profile=profile))
    # The account exists from here: Back cannot return to the question (declining it would
    # say nothing is stored); taking consent back is /delete's.
    assert isinstance(started.state, ProfileState)
    return show(started.state.model_copy(update={"trail": ()}), ctx, *started.effects)


def _on_country(state: ProfileState, value: str, ctx: Context) -> Outcome:
    if value == "letters":
        return show(forward(state, ProfileStep.COUNTRY_LETTER), ctx)
    if LETTER.owns(value):
        letter = list(countries_by_letter(ctx.language))[LETTER.of(value)]
        chosen = forward(
            state, ProfileStep.COUNTRY_OF_LETTER, country_letter=letter, country_page=0
        )
        return show(chosen, ctx)
    if value in ("prev", "next"):
        page = state.country_page + (1 if value == "next" else -1)
        return show(state.model_copy(update={"country_page": page}), ctx)
    return choose_country(state, COUNTRY.of(value), ctx)


def _on_zone(state: ProfileState, value: str, ctx: Context) -> Outcome:
    if value == "offsets":
        return show(forward(state, ProfileStep.TIMEZONE_OFFSET), ctx)
    if value in ("prev", "next"):
        page = state.zone_page + (1 if value == "next" else -1)
        return show(state.model_copy(update={"zone_page": page}), ctx)
    if OFFSET.owns(value):
        zone = offset_zone(OFFSET.of(value))
    else:
        zone = zone_groups_of(state, ctx)[ZONE.of(value)][0]
    return show(forward(state, ProfileStep.CONFIRM_TIMEZONE, timezone=zone), ctx)


def _on_year(state: ProfileState, value: str, ctx: Context) -> Outcome:
    if value in ("earlier", "later"):
        page = state.year_page + (1 if value == "earlier" else -1)
        return show(state.model_copy(update={"year_page": page}), ctx)
    if value == "unsure":
        return ask_recent(clear_day(state, surgery_year=None, surgery_month=None), ctx)
    year = clear_day(state, surgery_year=YEAR.of(value), surgery_month=None)
    return show(forward(year, ProfileStep.SURGERY_MONTH), ctx)


def _on_menu(state: ProfileState, value: str, ctx: Context) -> Outcome:
    lang = ctx.language
    match value:
        case "edit_name":
            return show(forward(state, ProfileStep.DISPLAY_NAME), ctx)
        case "edit_country":
            return start_country(state, ctx)
        case "edit_date":
            return show(forward(state, ProfileStep.SURGERY_YEAR, year_page=0), ctx)
        case "edit_region":
            return show(forward(state, ProfileStep.REGION), ctx)
        case "edit_risks":
            return show(forward(state, ProfileStep.RISK_FACTORS), ctx)
        case "edit_checkin" | "resume":
            # Reminders come back only at a time and in a zone the patient has just seen: the
            # stored ones may be defaults never chosen (an onboarding left before that step).
            return show(forward(state, ProfileStep.CHECKIN_TIME), ctx)
        case "pause":
            return section_done(state.model_copy(update={"paused": True}), ctx, ProfileStep.MENU)
        case _:
            return Outcome(
                state=None,
                screen=Screen(
                    text=t(lang, "settings.closed", summary=profile_summary(lang, state))
                ),
            )


FLOW = Flow(ProfileState, render, on_event, command="settings", begin=begin_settings)
