"""Where an answer leads: saving a section, then the next step by mode."""

from __future__ import annotations

from datetime import timedelta

from flows.clinical.emergency import COUNTRIES, propose_country
from flows.clinical.schedule import next_slot
from flows.dialogs.profile.country import zone_groups_of
from flows.dialogs.profile.menu import details_summary, profile_summary
from flows.dialogs.profile.profile import ProfileMode, ProfileState, ProfileStep, Recent, forward
from flows.dialogs.profile.screens import render
from flows.dialogs.profile.surgery import (
    RECENT_MONTHS_DAYS,
    RECENT_WEEKS_DAYS,
    local_today,
    month_range,
    recent_bounds,
    worth_asking,
)
from flows.i18n import t
from flows.kit.core import Context, Effect, Outcome, Reschedule, SaveProfile, Screen
from flows.records.models import Profile


def show(state: ProfileState, ctx: Context, *effects: Effect) -> Outcome:
    """Stay in the flow at `state`, showing its screen."""
    return Outcome(state=state, screen=render(state, ctx), effects=effects)


def profile_from(state: ProfileState, ctx: Context) -> Profile:
    """The stored profile with the answers so far written over it."""
    base = ctx.profile or Profile(
        user_id=ctx.user_id, consented_at=ctx.now, timezone=ctx.timezone, language=ctx.language
    )
    asked = base.details_asked_at
    if asked is None and state.mode is ProfileMode.DETAILS:
        asked = ctx.now
    return base.model_copy(
        update={
            "surgery_year": state.surgery_year,
            "surgery_month": state.surgery_month,
            "surgery_day": state.surgery_day,
            "surgery_after": state.surgery_after,
            "surgery_before": state.surgery_before,
            "region": state.region,
            "levels": state.levels,
            "risk_factors": state.risk_factors,
            "display_name": state.display_name,
            "country": state.country,
            "checkin_time": state.checkin_time,
            "timezone": state.timezone,
            "paused": state.paused,
            "details_asked_at": asked,
        }
    )


def save_effect(state: ProfileState, ctx: Context) -> SaveProfile:
    """The effect that stores the answers so far."""
    return SaveProfile(profile=profile_from(state, ctx))


def reschedule(state: ProfileState, ctx: Context) -> Reschedule:
    """Move the next check-in prompt to the chosen time in the chosen zone (none if paused)."""
    if state.paused:
        return Reschedule(next_at=None)
    return Reschedule(next_at=next_slot(ctx.now, state.checkin_time, state.timezone))


def to_menu(state: ProfileState, ctx: Context, *effects: Effect) -> Outcome:
    """Back to the settings menu, with nothing to go back to."""
    menu = state.model_copy(update={"step": ProfileStep.MENU, "trail": ()})
    return show(menu, ctx, *effects)


def section_done(state: ProfileState, ctx: Context, next_step: ProfileStep) -> Outcome:
    """Save the answers so far; go on in onboarding, back to the menu in settings."""
    # Saving per section means a user who leaves onboarding half-way keeps what they told us.
    save = save_effect(state, ctx)
    if state.mode is ProfileMode.ONBOARDING:
        return show(forward(state, next_step), ctx, save)
    return to_menu(state, ctx, save, reschedule(state, ctx))


def finish_onboarding(state: ProfileState, ctx: Context) -> Outcome:
    """End onboarding: save, schedule the first check-in, sum up the profile."""
    lang = ctx.language
    return Outcome(
        state=None,
        screen=Screen(text=t(lang, "onboarding.done", summary=profile_summary(lang, state))),
        effects=(save_effect(state, ctx), reschedule(state, ctx)),
    )


def _saved_with_zone(state: ProfileState, ctx: Context) -> tuple[Effect, ...]:
    """Save the answers, and move the next prompt if the time zone changed."""
    if ctx.profile is not None and ctx.profile.timezone == state.timezone:
        return (save_effect(state, ctx),)
    return (save_effect(state, ctx), reschedule(state, ctx))


def finish_details(state: ProfileState, ctx: Context) -> Outcome:
    """End the details run: save and sum up the country and the date."""
    lang = ctx.language
    return Outcome(
        state=None,
        screen=Screen(text=t(lang, "details.done", summary=details_summary(lang, state))),
        effects=_saved_with_zone(state, ctx),
    )


def start_country(state: ProfileState, ctx: Context, *effects: Effect) -> Outcome:
    """The proposal to confirm when the country can be guessed; the list otherwise."""
    proposal = None
    if state.mode is not ProfileMode.SETTINGS or state.country is None:
        proposal = propose_country(ctx.timezone, ctx.language_code)
    if proposal is not None and proposal in COUNTRIES:
        step = forward(state, ProfileStep.CONFIRM_COUNTRY, proposed_country=proposal)
        return show(step, ctx, *effects)
    return show(forward(state, ProfileStep.COUNTRY), ctx, *effects)


def start_zone(state: ProfileState, ctx: Context, *effects: Effect) -> Outcome:
    """The country's time zones to choose from, skipped when there is only one."""
    groups = zone_groups_of(state, ctx)
    if not groups:
        return show(forward(state, ProfileStep.TIMEZONE_OFFSET), ctx, *effects)
    current = [g for g in groups if state.timezone in g]
    if len(groups) == 1 or current:
        zone = state.timezone if current else groups[0][0]
        return show(forward(state, ProfileStep.CONFIRM_TIMEZONE, timezone=zone), ctx, *effects)
    return show(forward(state, ProfileStep.TIMEZONE, zone_page=0), ctx, *effects)


def choose_country(state: ProfileState, code: str, ctx: Context) -> Outcome:
    """Take `code` as the country and go on to its time zone."""
    chosen = state.model_copy(update={"country": code})
    # Saved at once: the country decides every emergency number, even if the zone is left.
    return start_zone(chosen, ctx, save_effect(chosen, ctx))


def after_zone(state: ProfileState, ctx: Context) -> Outcome:
    """Where the flow goes once the time zone is confirmed, by mode."""
    match state.mode:
        case ProfileMode.ONBOARDING:
            return section_done(state, ctx, ProfileStep.SURGERY_YEAR)
        case ProfileMode.SETTINGS:
            return section_done(state, ctx, ProfileStep.MENU)
        case ProfileMode.DETAILS:
            if state.ask_date:
                return start_day(state, ctx, *_saved_with_zone(state, ctx))
            return finish_details(state, ctx)


def start_day(state: ProfileState, ctx: Context, *effects: Effect) -> Outcome:
    """The details run asks the month first if that is not known either."""
    step = ProfileStep.SURGERY_MONTH if state.surgery_month is None else ProfileStep.SURGERY_DAY
    return show(forward(state, step), ctx, *effects)


def after_date(state: ProfileState, ctx: Context) -> Outcome:
    """Where the flow goes once the operation's date is answered, by mode."""
    match state.mode:
        case ProfileMode.ONBOARDING:
            return section_done(state, ctx, ProfileStep.REGION)
        case ProfileMode.SETTINGS:
            return section_done(state, ctx, ProfileStep.MENU)
        case ProfileMode.DETAILS:
            return finish_details(state, ctx)


def ask_recent(state: ProfileState, ctx: Context) -> Outcome:
    """Ask about the last 2 weeks, then 3 months, where the answer can narrow the date."""
    today = state.recent_asked_on or local_today(state, ctx)
    earliest, latest = month_range(state, today)
    if state.within_two_weeks is None:
        start = today - timedelta(days=RECENT_WEEKS_DAYS)
        if worth_asking(earliest, latest, start):
            asking = state.model_copy(update={"recent_asked_on": today})
            return show(forward(asking, ProfileStep.WITHIN_TWO_WEEKS), ctx)
    if state.within_two_weeks is not Recent.YES and state.within_three_months is None:
        if state.surgery_before is not None:
            latest = min(latest, state.surgery_before)
        start = today - timedelta(days=RECENT_MONTHS_DAYS)
        if worth_asking(earliest, latest, start):
            asking = state.model_copy(update={"recent_asked_on": today})
            return show(forward(asking, ProfileStep.WITHIN_THREE_MONTHS), ctx)
    return after_date(state, ctx)


def on_recent(state: ProfileState, value: str, ctx: Context) -> Outcome:
    """Apply an answer to the 2-week or 3-month question."""
    answer = Recent(value)
    asked_on = state.recent_asked_on or local_today(state, ctx)
    two_weeks: Recent | None = answer
    three_months: Recent | None = None
    if state.step is ProfileStep.WITHIN_THREE_MONTHS:
        two_weeks, three_months = state.within_two_weeks, answer
    after, before = recent_bounds(two_weeks, three_months, asked_on)
    answered = state.model_copy(
        update={
            "within_two_weeks": two_weeks,
            "within_three_months": three_months,
            "surgery_after": after,
            "surgery_before": before,
        }
    )
    return ask_recent(answered, ctx)
