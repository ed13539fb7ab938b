"""English texts of the trend alerts, the trend summary and diary CSV problems."""

_TRENDS: dict[str, str] = {
    "trends.which.back": "back pain",
    "trends.which.leg": "leg pain",
    "trends.which.peg": "PEG score (pain and how much it gets in the way)",
    "trends.which.nerve": "nerve symptoms",
    "trends.name.back": "Back pain",
    "trends.name.leg": "Leg pain",
    "trends.name.peg": "PEG score",
    "trends.nerve.pain_neuropathic": "burning, tingling or electric pain",
    "trends.nerve.pain_one_leg": "pain down one leg",
    "trends.nerve.pain_both_legs": "pain in both legs",
    "trends.nerve.pain_walking_relieved_sitting": "leg pain when walking that eases on sitting",
    # Alert headings (first line of the message)
    "trends.heading.sustained_worsening": "📈 Your {measure} has been higher than usual for "
    "several days.",
    "trends.heading.rapid_rise": "📈 Your {measure} has gone up quickly and stayed up.",
    "trends.heading.new_nerve_symptoms": "📈 You have been noting new nerve symptoms.",
    # Reasons: plain words with the numbers behind the alert
    "trends.reason.sustained_worsening.step": "Your {measure} has been {recent} on average on "
    "the {count} days you logged since {since}; {reference} ({rise}). That is more than a "
    "meaningful change, and more than one or two bad days.",
    "trends.reason.sustained_worsening.level": "Your {measure} averaged {recent} over the "
    "last {days} days, leaving out the {left_out} highest; {reference} ({rise}). That is more "
    "than a meaningful change, and more than your usual ups and downs.",
    "trends.reason.sustained_worsening.baseline": "Your {measure} averaged {recent} over the "
    "last {days} days, leaving out the {left_out} highest; it was {baseline} in your first "
    "{baseline_days} diary days ({rise}).",
    # What a worsening is measured from
    "trends.reference.usual": "it was {usual} on average in the {usual_weeks} weeks before",
    "trends.reference.better": "it had come down to {usual} on average in the 4 weeks to "
    "{better_end}, when it was clearly better",
    "trends.reference.baseline": "it was {usual} in your first {baseline_days} diary days",
    "trends.reason.rapid_rise": "Your {measure} went up from an average of {before} in the "
    "{before_days} days before to {recent} over the last {days} days, and it was {lowest} or "
    "more on each of those days.",
    "trends.reason.new_nerve_symptoms": "You noted {symptoms} on {count} of the last {window} "
    "days; you had not noted it in the two weeks before.",
    "trends.reason.red_flag": "Red flag: {flags}.",
    "trends.reason.warning": "Warning sign to report: {symptoms}.",
    # What to do (REFERENCE.md §0 T3, §1.3 re-screening, §5.3)
    "trends.action.soon": "Please let your surgeon's team know within the next few days; your "
    "diary shows them the change. Please also tap /check now to answer a few safety "
    "questions: some changes in pain need care sooner. If you notice new numbness, new "
    "weakness in a leg, or any change in your bladder or bowel, call {emergency_number} or go "
    "to the nearest Emergency Department now.",
    "trends.action.urgent": "Pain that gets worse quickly needs a doctor today: please contact "
    "your surgical team or the on-call spinal service today. If you can't reach them, call "
    "{same_day}. Please also tap /check now to answer a few safety questions. If you notice "
    "new numbness, new weakness in a leg, or any change in your bladder or bowel, call "
    "{emergency_number} or go to the nearest Emergency Department now.",
    # Summary, one line per measure; a gap is never shown as "no problem"
    "trends.status.not_enough_data": "{name}: not enough data yet ({logged} of {needed} days "
    "logged to work out your usual level).",
    "trends.status.gaps": "{name}: not enough entries in the last {window} days to tell "
    "({logged} logged, {needed} needed).",
    "trends.status.worse": "{name}: higher than your usual level (7-day average {recent}, "
    "usual {baseline}).",
    "trends.status.better": "{name}: lower than your usual level (7-day average {recent}, "
    "usual {baseline}).",
    "trends.status.no_clear_change": "{name}: no clear change from your usual level (7-day "
    "average {recent}, usual {baseline}).",
}

_DIARY_CSV: dict[str, str] = {
    "diary_csv.line": "line {line}: {problem}",
    "diary_csv.empty": "the file is empty; the first line must be the header "
    "(date,time,back_pain,leg_pain,symptoms,note)",
    "diary_csv.unreadable": "this is not a readable CSV file",
    "diary_csv.unreadable_row": "this row could not be read as CSV",
    "diary_csv.missing_columns": "the header has no {columns} column",
    "diary_csv.date_missing": "date is missing",
    "diary_csv.date_invalid": "date '{value}' is not a valid date (use YYYY-MM-DD)",
    "diary_csv.time_invalid": "time '{value}' is not a valid time (use HH:MM, 00:00–23:59)",
    "diary_csv.pain_not_integer": "{column} '{value}' is not a whole number from 0 to 10",
    "diary_csv.doses_invalid": "as_needed_doses '{value}' is not a whole number of doses "
    "(0 or more; a note with a comma must be in double quotes)",
    "diary_csv.pain_out_of_range": "{column} {value} is out of range {low}–{high}",
    "diary_csv.pain_missing": "needs back_pain or leg_pain (at least one)",
    "diary_csv.symptom_not_understood": "symptom '{value}' not understood",
    "diary_csv.note_too_long": "the note is longer than {limit} characters",
    "diary_csv.too_many_fields": "has {found} fields but the header has {expected} (a note "
    "with a comma must be in double quotes)",
    "diary_csv.date_in_future": "date {value} is in the future; the latest date I can take "
    "is {latest}",
    "diary_csv.date_before_surgery": "date {value} is too long before your operation; I can "
    "take entries from {earliest} on ({years} years before the year of the operation)",
    "diary_csv.date_too_early": "date {value} is too long ago; I can take entries from "
    "{earliest} on, or from {years} years before your operation once its year is set in "
    "/settings",
}

# Treatment events and medicine changes on the /trend chart and in /history (issue 19)
_MARKS: dict[str, str] = {
    "chart.mark.event": "Treatment event",
    "chart.mark.medicine": "Medicine change",
    "chart.mark.note": "{tag}  {line}",
    "chart.mark.more": "+{n:# earlier mark|# earlier marks} not numbered",
    "history.mark.event": "📌 {line}",
    "history.mark.medicine": "💊 {line}",
    "history.mark.more": "(+{n:# earlier event or medicine change|# earlier events or "
    "medicine changes} not listed)",
}

MESSAGES: dict[str, str] = {**_TRENDS, **_DIARY_CSV, **_MARKS}
