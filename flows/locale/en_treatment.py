"""English texts of /meds, /event, the per-medicine doses and the "when was it?" step."""

MESSAGES: dict[str, str] = {
    "command.meds": "Your pain medicines: add, change or stop one",
    "command.event": "Add an injection, scan, operation, fall or other event",
    # What a trend alert came after (flows.clinical.trends.since)
    "trends.since.days": "This is {days:# day|# days} since {what} on {date}.",
    "trends.since.same_day": "This began on the day of {what} ({date}).",
    "trends.since.medicine.start": "starting {name}",
    "trends.since.medicine.change": "changing {name}",
    "trends.since.medicine.stop": "stopping {name}",
    # The diary CSV's treatment columns (flows.records.treatment_csv)
    "diary_csv.medicine_doses_invalid": "medicine_doses '{value}' is not a medicine and a "
    "number of doses, like 'Tramadol: 2'; the rest of the row is kept",
    "diary_csv.medicine_changes_invalid": "medicine_changes {value} is not a medicine change "
    "I can read (a date, an action start, change or stop, and a name); the rest is kept",
    "diary_csv.treatment_events_invalid": "treatment_events {value} is not a treatment event I "
    "can read (a date and one of the kinds /event offers); the rest is kept",
    # When
    "when.0": "Today",
    "when.1": "Yesterday",
    "when.2": "2 days ago",
    "when.type": "For another day, type the date, for example {example} or 3.5.2026.",
    "when.unreadable": "I couldn't read that as a date. Please type it like 3 May 2026 or "
    "3.5.2026, or tap a day.",
    "when.future": "That date is still to come. Please give the day it happened.",
    "when.too_early": "That date is more than 30 years ago. Please check the year.",
    # /meds
    "meds.class.paracetamol": "paracetamol",
    "meds.class.nsaid": "anti-inflammatory (NSAID)",
    "meds.class.gabapentinoid": "gabapentin or pregabalin",
    "meds.class.opioid": "opioid",
    "meds.class.muscle_relaxant": "muscle relaxant",
    "meds.class.antidepressant": "antidepressant for pain",
    "meds.class.other": "other",
    # The kind beside a medicine's own name, as a surgeon reads it: "Naproxen (NSAID)".
    "meds.class.line.paracetamol": "paracetamol",
    "meds.class.line.nsaid": "NSAID",
    "meds.class.line.gabapentinoid": "gabapentinoid",
    "meds.class.line.opioid": "opioid",
    "meds.class.line.muscle_relaxant": "muscle relaxant",
    "meds.class.line.antidepressant": "antidepressant for pain",
    "meds.class.line.other": "other",
    "meds.kind.scheduled": "🕒 On a schedule (every day)",
    "meds.kind.as_needed": "💊 As needed (when the pain asks for it)",
    "meds.kind.scheduled.short": "on a schedule",
    "meds.kind.as_needed.short": "as needed",
    "meds.times_a_day": "{n:once a day|# times a day}",
    "meds.list": "💊 Your pain medicines now:\n{lines}\n\nTap one to change how you take it or "
    "to stop it, or add one. I never suggest doses: ask your doctor or pharmacist.",
    "meds.list_empty": "💊 Your surgeon will ask what you take for the pain. Keep the list "
    "here: each start, change and stop is dated and kept.\n\nAdd your first "
    "pain medicine. I never suggest doses: ask your doctor or pharmacist.",
    "meds.list_empty_again": "💊 No pain medicines on your list now (the ones you stopped are "
    "still kept, with their dates). Add one if you start a new one.",
    "meds.since": "{medicine}, since {date}",
    "meds.add": "Add a medicine",
    "meds.ask_medicine": "{medicine}\n\nWhat changed?",
    "meds.change": "The dose or how often",
    "meds.stop": "I stopped taking it",
    "meds.ask_class": "What kind of medicine is it? (The box or the pharmacy label says.)",
    "meds.ask_name": "Type its name as on the box (up to {limit} characters), or use the "
    "kind's name.",
    "meds.class_first": "First tap the kind of medicine (the label or the pharmacist can "
    "tell you); you type its name next. If you are not sure, tap “other”.",
    "meds.name_as_class": "Just call it “{name}”",
    "meds.name_empty": "Please type the medicine's name, or tap the button.",
    "meds.name_too_long": "That name is longer than {limit} characters. Please shorten it.",
    "meds.ask_kind": "How do you take it?",
    "meds.ask_dose": "What dose do you take each time, as on the label (for example 300 mg)? "
    "Type it (up to {limit} characters), or skip.",
    "meds.ask_dose.as_needed": "What dose do you take each time you need it, as on the label "
    "(for example 50 mg or 1 tablet)? Type it (up to {limit} characters), or skip.",
    "meds.keep_dose": "Keep {dose}",
    "meds.skip_dose": "Skip the dose",
    "meds.dose_too_long": "That is longer than {limit} characters. Please shorten it.",
    "meds.ask_times": "How many times a day?",
    "meds.skip_times": "It varies",
    "meds.ask_day.start": "When did you start {name}?",
    "meds.ask_day.change": "When did the change of {name} start?",
    "meds.ask_day.stop": "When did you stop {name}?",
    "meds.confirm.start": "Started {date}:\n{medicine}\n\nSave it?",
    "meds.confirm.change": "From {date}:\n{medicine}\n\nSave the change? What you took before "
    "stays in the record.",
    "meds.confirm.stop": "Stopped {date}:\n{medicine}\n\nSave it?",
    "meds.save": "✅ Save",
    "meds.saved.start": "Saved ✅ {medicine} is on your list. /meds to change it later.",
    "meds.saved.change": "Saved ✅ From now: {medicine}. /meds shows your list.",
    "meds.saved.stop": "Saved ✅ {medicine} is off your list; its dates stay in your record.",
    "meds.opioid_warning": "⚠️ If you are ever very drowsy, hard to wake, confused or breathing "
    "slowly after taking it, that is an emergency: tick “drowsy after pain medicine” in /log "
    "or /check at once, and I will tell you who to call.",
    "meds.before_start": "That is before you started it ({date}). Please check the date.",
    "meds.gone": "That medicine is no longer on your list.",
    # As-needed doses in /log and the check-in, one medicine at a time
    "log.medicine_doses.use_buttons": "Please tap how many doses of {name} you took, or Rather "
    "not say.",
    "prompt.doses.use_buttons": "Please tap how many doses of {name} you took today, or "
    "Rather not say.",
    "log.ask_medicine_doses": "💊 How many doses of {name} did you take as needed?",
    "log.doses.not_said": "not said",
    "card.medicine_doses": "Pain medicine as needed: {doses}",
    "log.doses.drowsy": "⚠️ I felt very drowsy after it",
    # /event
    "event.kind.injection": "Injection or nerve block",
    "event.kind.radiofrequency": "Radiofrequency ablation",
    "event.kind.physio_start": "Physiotherapy started",
    "event.kind.physio_end": "Physiotherapy ended",
    "event.kind.mri": "MRI scan",
    "event.kind.ct": "CT scan",
    "event.kind.xray": "X-ray",
    "event.kind.revision": "Revision or new surgery",
    "event.kind.hardware_removal": "Hardware removal",
    "event.kind.scs_trial": "Spinal cord stimulator trial",
    "event.kind.scs_implant": "Spinal cord stimulator implant",
    "event.kind.diagnosis": "New diagnosis",
    "event.kind.fall": "A fall",
    "event.kind.short.injection": "the injection",
    "event.kind.short.radiofrequency": "the radiofrequency ablation",
    "event.kind.short.physio_start": "starting physiotherapy",
    "event.kind.short.physio_end": "the end of physiotherapy",
    "event.kind.short.mri": "the MRI scan",
    "event.kind.short.ct": "the CT scan",
    "event.kind.short.xray": "the X-ray",
    "event.kind.short.revision": "the revision surgery",
    "event.kind.short.hardware_removal": "the hardware removal",
    "event.kind.short.scs_trial": "the stimulator trial",
    "event.kind.short.scs_implant": "the stimulator implant",
    "event.kind.short.diagnosis": "the new diagnosis",
    "event.kind.short.fall": "the fall",
    "event.ask_kind": "What happened? I keep it, dated, beside your pain diary.",
    "event.latest": "Your latest events:\n{lines}",
    "event.remove": "🗑 Remove one entered by mistake",
    "event.ask_day": "When was it? ({kind})",
    "event.ask_result": "What did it show, in one line (up to {limit} characters), if you know? "
    "Or skip.",
    "event.ask_diagnosis": "What is the diagnosis, in one line (up to {limit} characters)? "
    "Or skip.",
    "event.skip_detail": "Skip",
    "event.detail_too_long": "That is longer than {limit} characters. Please shorten it.",
    "event.confirm": "{event}\n\nSave it?",
    "event.save": "✅ Save",
    "event.saved": "Saved ✅ {event}",
    "event.ask_restart": "A new operation starts a new recovery. Shall I count your check-in "
    "milestones and your usual pain level from {date}? Your diary before it is kept.",
    "event.restart.yes": "Yes, count from this operation",
    "event.restart.no": "No, keep my first operation's date",
    "event.restart.done": "Done ✅ Milestones and your usual pain level now count from {date}. "
    "/settings shows it.",
    "event.restart.kept": "Kept ✅ Your operation's date stays as it was.",
    "event.ask_remove": "Which event was entered by mistake?",
    "event.confirm_remove": "Remove this event?\n{event}",
    "event.remove_yes": "🗑 Remove it",
    "event.removed": "Removed: {event}",
    "event.gone": "That event is no longer in your diary.",
    "import.preview_treatment": "With them: {changes:# medicine change|# medicine changes} and "
    "{events:# treatment event|# treatment events}.",
    "import.preview_changes": "With them: {changes:# medicine change|# medicine changes}.",
    "import.preview_events": "With them: {events:# treatment event|# treatment events}.",
    "import.done_treatment": "Medicines and events: {added} added, {skipped} already in your "
    "diary.",
    "report.heading.treatment": "Medicines and treatment",
    "report.heading.all_treatment": "Medicine changes and treatment events in this period",
    "report.medicines_now": "Pain medicines now: {lines}",
    "report.no_medicines": "No pain medicine list kept (/meds).",
    "report.medicine.start": "{date}: started {medicine}",
    "report.medicine.change": "{date}: changed to {medicine}",
    "report.medicine.stop": "{date}: stopped {medicine}",
    "report.doses": "As-needed pain medicine taken on {dosed} of {days} days it was asked.",
    "report.opioid_days": "Opioid taken as needed on {per_week} days a week on average.",
    # The FHIR export (flows/records/fhir_resources.py)
    "fhir.medicine_doses": "Doses of each pain medicine taken as needed that day (3 = three or "
    "more)",
    "fhir.medicine_doses.or_more": "{name} ({n} means {n} or more)",
    "fhir.medicine.note": "As the patient entered it in BackTrack: the dose is in their words. "
    "BackTrack gives no dosing advice.",
    "fhir.event.result": "Result, in the patient's words: {detail}",
    "fhir.event.detail": "In the patient's words: {detail}",
    "fhir.diagnosis.reported": "Reported by the patient",
    "fhir.diagnosis.unnamed": "A new diagnosis the patient did not name",
}
