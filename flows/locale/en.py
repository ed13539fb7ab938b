"""The English catalogue."""

from collections import Counter

from flows.locale import (
    en_countries,
    en_export,
    en_rules,
    en_safety,
    en_treatment,
    en_trends,
)

_DISCLAIMER = (
    "BackTrack helps you keep a pain diary and tells you which symptoms need urgent care "
    "after back surgery. It does not diagnose you and is not a substitute for your surgeon, "
    "GP or emergency services. If you think you need urgent help, don't wait for the bot: "
    "call your local emergency number (112 in Europe, 999 in the UK, 911 in the US)."
)

_CORE: dict[str, str] = {
    # Navigation shared by every step
    "nav.back": "⬅️ Back",
    "nav.cancel": "✖️ Cancel",
    "common.cancelled": "Cancelled. Nothing from that step was saved.",
    "common.nothing_to_cancel": "There is nothing to cancel. /log adds a diary entry.",
    "common.use_buttons": "Please use the buttons above to answer.",
    "common.no_flow": "I didn't catch that. Tap /log to add a diary entry, or /help to see "
    "what I can do.",
    "common.start_first": "Please tap /start first: I need your agreement before I store "
    "anything about your health.",
    "common.private_only": "BackTrack works only in a private chat, to keep your health "
    "diary private. Please message me directly.",
    "common.unsupported": "I can only read button presses and text. Tap /log to add a diary "
    "entry, or /help.",
    "common.expired": "Our earlier conversation could not be resumed after an update, so it "
    "was closed. Nothing you saved was lost.",
    "common.error": "Sorry, something went wrong on my side while answering you. Anything "
    "you had already saved is kept: /history shows your diary before you enter it again.",
    "button.stale": "That button is from an earlier message, so it did nothing. "
    "Please use the latest message.",
    "button.forged": "That button isn't one I can use, so nothing changed. "
    "Please use the latest message.",
    # Commands
    "command.log": "Add a pain diary entry (today or this past week)",
    "command.check": "Check a symptom: what to do now",
    "command.history": "Your last 14 days; change or delete an entry",
    "command.trend": "Your pain chart and trend",
    "command.export": "Your diary as a file for your surgeon",
    "command.import": "Bring in a diary from a CSV file",
    "command.privacy": "What is stored and who can see it",
    "command.delete": "Erase everything about you",
    "command.settings": "Change your surgery details",
    "command.help": "What I can do",
    "command.cancel": "Stop what we're doing",
    "command.start": "Welcome and setup",
    "start.welcome_back": "Welcome back. Tap /log to add today's entry, /history to see your "
    "last two weeks, or /settings to change your details.",
    "help.text": "BackTrack keeps your pain diary.\n\n"
    "/log: record back and leg pain (0–10), symptoms and a note\n"
    "/check: a symptom check: what needs care now, and what to ask your surgeon\n"
    "/meds: your pain medicines; each start, change and stop is dated\n"
    "/event: an injection, scan, operation, fall or other event, on its day\n"
    "/history: your last 14 days; change or delete an entry there\n"
    "/trend: a chart of your pain over 30 or 90 days, or everything\n"
    "/export: your diary as a PDF, CSV or FHIR file for your surgeon\n"
    "/import: bring in a diary from a CSV file\n"
    "/privacy: what is stored and who can see it; /delete: erase everything\n"
    "/settings: change your surgery details\n"
    "/cancel: stop what we're doing\n\n" + _DISCLAIMER,
    # Onboarding
    "onboarding.welcome": "👋 Welcome to BackTrack.\n\n" + _DISCLAIMER + "\n\n"
    "To keep your diary I need to store health information about you (your pain scores, "
    "symptoms and notes) in this bot's database. Only you can see it, and you can ask for "
    "it to be deleted. Do you agree?",
    "onboarding.agree": "✅ I agree, keep my diary",
    "onboarding.decline": "No thanks",
    "onboarding.declined": "That's fine. I have stored nothing about you. If you change your "
    "mind, tap /start.",
    "onboarding.ask_year": "Thank you. A few quick questions about your operation help me read "
    "your diary.\n\n"
    "In which year was your back operation? (If you had more than one, the most recent.)",
    "onboarding.years_earlier": "Earlier years",
    "onboarding.years_later": "Later years",
    "onboarding.not_sure": "Not sure",
    "onboarding.ask_month": "In which month of {year}?",
    "onboarding.month_unsure": "Not sure of the month",
    "onboarding.ask_day": "On which day of {month} {year}?",
    "onboarding.day_unsure": "Not sure of the day",
    "onboarding.ask_two_weeks": "Was your operation in the last 2 weeks?\n\n"
    "Some warning signs matter most in the first weeks after surgery.",
    "onboarding.ask_three_months": "Was your operation in the last 3 months?",
    "recent.yes": "Yes",
    "recent.no": "No",
    "recent.unsure": "Not sure",
    "onboarding.ask_region": "Which part of your spine was operated on?",
    "onboarding.ask_levels": "How many levels were fused (joined)?",
    "onboarding.ask_risks": "Do any of these apply to you? Tap all that do, then Done. "
    "They help explain possible causes of pain. All optional.",
    "onboarding.risks_done": "Done",
    "name.ask": "What name or initials should the reports for your surgeon show? Type them "
    "(up to {limit} characters).\n\nThis is optional: tap Skip and the reports say "
    '"name not given".',
    "name.ask_again": "Your reports show: {name}\n\nType another name or initials (up to "
    '{limit} characters), keep this one, or remove it (the reports then say "name not '
    'given").',
    "name.skip": "Skip",
    "name.keep": "Keep it",
    "name.remove": "Remove the name",
    "name.empty": "Please type a name or initials, or tap Skip.",
    "name.too_long": "That is {n} characters; please keep it to {limit} (initials are enough).",
    "onboarding.done": "All set. Here is what I noted:\n\n{summary}\n\n"
    "Tap /log to add your first diary entry. You can change these details in /settings.",
    "month.1": "Jan",
    "month.2": "Feb",
    "month.3": "Mar",
    "month.4": "Apr",
    "month.5": "May",
    "month.6": "Jun",
    "month.7": "Jul",
    "month.8": "Aug",
    "month.9": "Sep",
    "month.10": "Oct",
    "month.11": "Nov",
    "month.12": "Dec",
    "region.lumbar": "Lower back (lumbar)",
    "region.lumbosacral": "Lower back down to the pelvis (fused to the sacrum)",
    "region.thoracolumbar": "Middle and lower back",
    "region.other": "Another part of the spine",
    "region.unknown": "Not sure",
    "levels.l0": "None: no fusion (other back surgery)",
    "levels.l1": "1 level",
    "levels.l2": "2 levels",
    "levels.l3": "3 or more levels",
    "risk.smoker": "I smoke",
    "risk.diabetes": "Diabetes",
    "risk.osteoporosis_or_steroids": "Osteoporosis or long-term steroid tablets",
    "risk.bmi_over_30": "Body mass index over 30",
    "risk.age_over_65": "Over 65",
    "risk.long_term_nsaids": "Long-term anti-inflammatories (e.g. ibuprofen)",
    "risk.prior_discectomy": "Earlier disc operation",
    "risk.immunosuppressed": "Weakened immune system",
    "risk.cancer_history": "Cancer, now or in the past",
    "risk.low_mood": "Low mood or anxiety",
    "summary.profile": "Name on reports: {name}\n"
    "Operation: {when}\nWhere: {region}\nLevels: {levels}\n"
    "Health factors: {risks}\nCountry: {country}\nEmergency number: {number}\n"
    "Reminders: {reminders}",
    "summary.details": "Country: {country}\nEmergency number: {number}\nOperation: {when}",
    "summary.date": "{day} {month} {year}",
    "summary.between": "between {first} and {last}",
    "summary.before": "on or before {last}",
    "summary.after": "on or after {first}",
    "summary.reminders": "every day at {time} ({zone})",
    "summary.reminders_paused": "off",
    "summary.no_name": "not given",
    "summary.unknown": "not sure",
    "summary.none": "none",
    # Settings
    "settings.menu": "Your details:\n\n{summary}\n\nWhat would you like to change?",
    "settings.surgery_date": "Operation date",
    "settings.region_levels": "Where and how many levels",
    "settings.risks": "Health factors",
    "settings.country": "Country and emergency numbers",
    "settings.reminders": "Reminder time and time zone",
    "settings.pause": "Pause reminders",
    "settings.resume": "Turn reminders on",
    "settings.name": "Name on reports",
    "settings.ask_checkin": "When should I remind you to fill in your diary each day? "
    "I only remind you if you haven't logged that day.",
    "settings.ask_timezone": "{country} has more than one time zone. Which one are you in? "
    "Each button shows the time there now.",
    "settings.by_offset": "None of these: choose by UTC offset",
    "settings.ask_offset": "Choose your offset from UTC (UTC+1 is one hour ahead of London in "
    "winter).\n\nA fixed offset does not follow daylight saving time: when the clocks change, "
    "reminders come an hour early or late until you change it in /settings.",
    "settings.confirm_timezone": "Country: {country}\nEmergency number: {number}\n\n"
    "Your local time now is {weekday} {time}. Is that right?",
    "settings.page_previous": "◀️ Previous page",
    "settings.page_next": "Next page ▶️",
    "settings.zone_right": "✅ Yes, that's right",
    "settings.zone_wrong": "No, choose again",
    "zone.choice": "{cities} ({time})",
    "zone.choice_more": "{cities}… ({time})",
    "settings.close": "Done",
    "country.ask": "Which country do you live in? I use it to give you the right emergency "
    "numbers.",
    "country.ask_confirm": "I use your country to give you the right emergency numbers.\n\n"
    "Your country: {country}\nEmergency number: {number}\n\nIs that right?",
    "country.right": "✅ Yes, that's right",
    "country.choose_other": "No, choose my country",
    "country.another": "🌍 Another country",
    "country.ask_letter": "Which letter does the name of your country start with?",
    "country.ask_of_letter": "Countries starting with {letter}:",
    "details.intro": "Before we go on: a quick question I did not ask when you joined. It helps "
    "me give you the right advice.",
    "details.done": "Thank you, I have noted this:\n\n{summary}\n\n"
    "You can change it at any time in /settings.",
    "settings.closed": "Saved. Your details:\n\n{summary}",
    # Diary
    "log.ask_day.early": "Good morning. Which day is this entry for: today, yesterday or "
    "another day this week?",
    "log.ask_day.again": "You already have an entry today. Which day is this one for?",
    "log.ask_day.other": "Which day is this entry for? You can add one for any of the last "
    "7 days.",
    "log.ask_day.quick": "You saved a quick entry today. Complete it with leg pain, symptoms "
    "and a note, or start a new entry?",
    "log.day.complete": "Complete today's quick entry (back {n})",
    "log.day.today": "Today",
    "log.day.yesterday": "Yesterday",
    "log.day.other": "📅 Another day",
    "log.day.with_entries": "{day} ({n:# entry|# entries})",
    "log.day.today_words": "today, {date}",
    "log.day.yesterday_words": "yesterday, {date}",
    "log.heading": "📅 Diary for {day}",
    "log.heading.edit": "✏️ Changing your entry for {day}",
    "log.day_has_entries": "You already have {n:an entry|# entries} for {day}. This one is "
    "added beside {n:it|them}; to change or delete an entry instead, tap Cancel, then /history.",
    "log.resumed": "Carrying on with your unsaved entry for {day}, where you left it. "
    "(Cancel drops it.)",
    "log.resumed.edit": "Carrying on with your unsaved changes to the entry for {day}, where "
    "you left them. (Cancel keeps the entry as it was.)",
    "log.carry_on": "You are in the middle of an entry for {day}: here is where you left it. "
    "To start again instead, tap Cancel, then /log.",
    "log.carry_on.edit": "You are in the middle of changing the entry for {day}: here is "
    "where you left it. Cancel keeps the entry as it was.",
    "log.put_aside": "Your unsaved entry for {day} was put aside: /log carries on where you "
    "left it.",
    "log.put_aside.edit": "Your unsaved changes to the entry for {day} were put aside: /log "
    "carries on where you left them.",
    "log.aside_dropped": "The unsaved entry for {day} put aside earlier is no longer kept.",
    "log.aside_dropped.edit": "The unsaved changes to the entry for {day} put aside earlier "
    "are no longer kept.",
    "log.ask_back": "How bad has your BACK pain been, on average?\n"
    "0 = no pain, 10 = the worst pain imaginable.",
    "log.ask_leg": "And your LEG pain (sciatica, pain going down a leg)?\n"
    "0 = no pain, 10 = the worst pain imaginable.",
    "log.leg.none": "No leg pain",
    "log.ask_symptoms": "Is anything here NEW or WORSE since your last entry? "
    "Tap each one that is, then Done.",
    "log.symptoms.done_none": "Done: none of these",
    "log.symptoms.done_some": "Done ({n} ticked)",
    "log.ask_doses": "💊 Did you take any pain medicine AS NEEDED, beyond your regular doses? "
    "How many doses?",
    "log.doses.none": "None",
    "log.doses.one": "1 dose",
    "log.doses.n": "{n} doses",
    "log.doses.most": "3 or more",
    "log.doses.skip": "Rather not say",
    "log.doses.use_buttons": "Please tap how many doses (or Rather not say). You can name the "
    "medicine in the note, the next step.",
    "log.ask_note": "Anything else to note (medicines, activity, sleep)? Type it now, "
    "up to {limit} characters, or tap Skip.",
    "log.note.skip": "Skip",
    "log.ask_note.again": "Your note:\n{note}\n\nKeep it, remove it, or type a new note to "
    "replace it (up to {limit} characters).",
    "log.note.keep": "✅ Keep this note",
    "log.note.remove": "🗑 Remove the note",
    "log.note_too_long": "That note is {n} characters long; the limit is {limit}. "
    "Please shorten it and send it again.",
    "log.use_buttons": "Please use the buttons to answer this step.",
    "log.confirm": "Please check your entry:\n\n{card}",
    "log.save": "✅ Save",
    "log.saved": "Saved ✅\n\n{card}\n\n/history shows your last two weeks. An injection, a "
    "scan or a fall since your last entry? /event adds it.",
    "log.confirm.edit": "Please check the changed entry:\n\n{card}",
    "log.save.edit": "✅ Save the changes",
    "log.saved.edit": "Changed ✅\n\n{card}\n\n/history shows your last two weeks.",
    "card.date": "📅 {date}",
    "card.back": "Back pain: {n}/10",
    "card.leg": "Leg pain: {n}/10",
    "card.symptoms": "New or worse: {names}",
    "card.no_symptoms": "No new or worse symptoms",
    "card.note": "Note: {note}",
    "card.doses.none": "Pain medicine as needed: none",
    "card.doses": "Pain medicine as needed: {n} doses",
    "card.doses.one": "Pain medicine as needed: 1 dose",
    "card.doses.most": "Pain medicine as needed: 3 or more doses",
    "symptom.bladder_change": "Bladder problems",
    "symptom.bowel_change": "Bowel control problems",
    "symptom.saddle_numbness": "Numbness around genitals or bottom",
    "symptom.leg_weakness": "A leg getting weaker",
    "symptom.both_legs_new": "Pain or numbness in both legs",
    "symptom.fever": "Fever over 38 °C",
    "symptom.wound_infection_signs": "Wound red, hot, leaking or opening",
    "symptom.calf_swelling": "One calf or thigh swollen and sore",
    "symptom.pe_signs": "Sudden breathlessness or chest pain",
    "symptom.opioid_drowsiness": "Very drowsy after pain medicine",
    "symptom.pain_one_leg": "Pain down one leg",
    "symptom.pain_neuropathic": "Burning, tingling or electric pain",
    "symptom.pain_buttock_groin": "Pain in buttock or groin",
    "symptom.muscle_tightness": "Muscle tightness or spasm",
    "symptom.pain_constant_night": "Constant pain, also at night",
    # Symptom checker
    "check.intro": "Symptom check. I'll ask about warning signs first, one at a time. "
    "If any answer means you need help now, I'll tell you straight away.",
    "check.pattern_intro": "No warning signs that need urgent care. Now a few questions about "
    "your pain, to list possible reasons your surgeon may want to check.",
    "check.progress": "Question {n} of {total}",
    "check.yes": "Yes",
    "check.no": "No",
    "check.unsure": "Not sure",
    "check.new_or_worse": "New, or worse than before",
    "check.long_standing": "Not new: unchanged, and my team knows about it",
    "check.no_red_flags": "Your answers show no warning signs that need urgent care today. "
    "If anything changes or you feel worse, do the check again, and if you think you need "
    "urgent help call {emergency_number}.",
    "check.known": "You said these are long-standing and your team already knows about them: "
    "{symptoms}. Please mention them when you next speak to your surgeon's team "
    "(within the next few days).",
    "check.not_a_diagnosis": "This is not a diagnosis. Your answers are saved in your diary, "
    "so you can show them to your surgeon.",
    # Check-in prompts
    "prompt.daily": "Time for your diary. How has your BACK pain been today? Tap a number to "
    "save it (0 = no pain, 10 = worst imaginable), or open the full diary.",
    "prompt.full_log": "📝 Full diary entry",
    "prompt.snooze": "⏰ In 1 hour",
    "prompt.skip": "Skip today",
    "prompt.snoozed": "OK, I'll ask again in an hour.",
    "prompt.skipped": "OK, no diary today. I'll ask again tomorrow.",
    "prompt.quick_saved": "Saved: back pain {n}/10 today. You can add leg pain, symptoms and a "
    "note later today with /log.",
    "prompt.nudge": "It's been a few days since your last diary entry. No pressure: whenever "
    "you're ready, a few taps keep your diary useful for your surgeon. You can pause these "
    "reminders in /settings.",
    "prompt.log_now": "📝 Add an entry",
    "prompt.weekly": "Your weekly check-in: three quick questions about the past week.",
    "prompt.milestone": "It's {milestone} since your operation: a slightly longer check-in. "
    "Three questions about the past week, then the warning-sign questions.",
    "prompt.peg_pain": "{n} of 3. What number best describes your pain on average in the "
    "past week? (0 = no pain, 10 = worst imaginable)",
    "prompt.peg_enjoyment": "{n} of 3. What number best describes how, during the past week, "
    "pain has interfered with your enjoyment of life? (0 = not at all, 10 = completely)",
    "prompt.peg_activity": "{n} of 3. What number best describes how, during the past week, "
    "pain has interfered with your general activity? (0 = not at all, 10 = completely)",
    "prompt.peg_saved": "Thank you. Your weekly score is {score} out of 10.",
    "milestone.6w": "six weeks",
    "milestone.3m": "three months",
    "milestone.6m": "six months",
    "milestone.12m": "a year",
    "milestone.24m": "two years",
    # Trend chart
    "trend.title.30": "Your pain over the last 30 days.",
    "trend.title.90": "Your pain over the last 90 days.",
    "trend.title.all": "Your pain since your first diary entry.",
    "trend.period.30": "30 days",
    "trend.period.90": "90 days",
    "trend.period.all": "All",
    "trend.close": "Close",
    "trend.closed": "Chart closed. /trend shows it again.",
    "trend.empty": "There are no diary entries to chart yet. Tap /log to add one.",
    "trend.failed": "I couldn't draw the chart just now. Please try /trend again in a few "
    "minutes.",
    "chart.back.daily": "Back pain (each day)",
    "chart.back.average": "Back pain, 7-day average",
    "chart.back.band": "Back: usual level up to a meaningful rise",
    "chart.leg.daily": "Leg pain (each day)",
    "chart.leg.average": "Leg pain, 7-day average",
    "chart.leg.band": "Leg: usual level up to a meaningful rise",
    "chart.back.weekly": "Back pain, weekly average",
    "chart.back.monthly": "Back pain, monthly average",
    "chart.leg.weekly": "Leg pain, weekly average",
    "chart.leg.monthly": "Leg pain, monthly average",
    "chart.alert": "Alert sent",
    "chart.axis": "Pain (0 = none, 10 = worst)",
    "chart.title.days": "Back and leg pain, last {days} days: {span}",
    "chart.title.all": "Back and leg pain, whole diary: {span}",
    "chart.title.dates": "Back and leg pain: {span}",
    "chart.span": "{first} – {last}",
    "chart.date": "{day} {month} {year}",
    "chart.day_month": "{day} {month}",
    "chart.month_year": "{month} {year}",
    # Export and import
    "export.ask_period": "Export your diary for your surgeon. Which period?",
    "export.period.d30": "Last 30 days",
    "export.period.d90": "Last 90 days",
    "export.period.all": "Everything",
    "export.ask_format": "Which kind of file?",
    "export.format.pdf": "📄 PDF to read (one-page summary first)",
    "export.format.csv": "📊 CSV spreadsheet",
    "export.format.fhir": "🏥 FHIR file for health records",
    "export.ready.pdf": "Here is your diary as a PDF. Page one is a summary your surgeon can "
    "read in a minute.",
    "export.ready.csv": "Here is your diary as a CSV file (opens in any spreadsheet).",
    "export.ready.fhir": "Here is your diary as a FHIR R4 file, for your care team's records "
    "system.",
    "export.failed": "Sorry, I couldn't make the file just now; nothing in your diary has "
    "changed. Please try /export again in a few minutes.",
    "export.too_large": "That file would be {size} MB, more than Telegram lets me send "
    "({limit} MB), so I haven't sent it. Please /export a shorter period (the last 30 or 90 "
    "days), or a CSV file, which holds every entry in far less space.",
    "export.pdf_capped": "Your diary has {n:# entry|# entries} in this period: the PDF lists "
    "the latest {limit} (its summary and chart cover them all). For every entry, export a CSV "
    "file.",
    "export.empty": "There are no diary entries in that period yet, so there is nothing to "
    "export. Tap /log to add one.",
    "import.ask_file": "Send me your diary as a CSV file (attach it as a document). Columns: "
    "date, time, back_pain, leg_pain, symptoms, note; a /export CSV works as it is.",
    "import.send_file": "Please attach the CSV file as a document, or tap Cancel.",
    "import.problem.too_large": "That file is too large (the limit is {limit} MB).",
    "import.problem.not_text": "I couldn't read that file as text. Please send a CSV file "
    "saved as UTF-8.",
    "import.problem.too_many_rows": "That file has more than {limit} rows, more than I can "
    "import at once. Please split it.",
    "import.nothing": "I found no entries I could import:\n{problems}",
    "import.no_rows": "the file has no diary rows.",
    "import.preview": "I found {n:# entry|# entries} from {first} to {last}.",
    "import.symptom_codes": "In the symptoms column, separate symptoms with ; and write each as "
    'the bot shows it (such as "Pain down one leg") or as its code: {codes}.',
    "import.skipped": "{n:# row|# rows} will be skipped:\n{lines}",
    "import.not_understood": "{n:# symptom was|# symptoms were} not understood and left out; "
    "the rest of {n:its row|their rows} is imported:\n{lines}",
    "import.alert_about": "From your diary up to {date}, with the entries you imported:",
    "import.more_skipped": "…and {n} more.",
    "import.ask_confirm": "Entries already in your diary are not added twice. Import now?",
    "import.confirm": "✅ Import",
    "import.saving": "Importing {n:# entry|# entries}…",
    "import.done": "Done: {added:# entry|# entries} added, {skipped} already in your diary.",
    # Privacy
    "privacy.text": "🔒 Your data in BackTrack\n\n"
    "What is stored: your answers at /start and in /settings (the name or initials you chose "
    "for your reports, if any, the date of your operation, or "
    "whether it was in the last 2 weeks or 3 months, region, levels, health factors, reminder "
    "time, time zone, country), your diary entries (pain scores, symptoms, notes), "
    "symptom-check results, the alerts and safety messages you were sent (and whether they "
    "arrived), and where our conversation stands. Before you agree, only that you "
    "opened the bot and which welcome screen you were shown is kept, and it is forgotten "
    "within a day; no diary, profile or safety message is stored.\n\n"
    "Where: in the database of whoever runs this bot (a practice, a hospital, a patient "
    "group), which can be encrypted. Nothing is sent anywhere else, and nothing of your diary "
    "is written to the bot's logs.\n\n"
    "For how long: until you erase it. Nothing is deleted on its own.\n\n"
    "Who can see it: only you, in this chat, and the people who run this bot's server. "
    "Telegram also keeps bot chats on its servers; bots cannot use Telegram's secret chats.\n\n"
    "Your choices: /export gives you a copy of your diary (PDF, CSV or FHIR). /delete erases "
    "everything about you from the bot's database, straight away. Backups the people who run "
    "the bot keep may still hold it until they expire; ask them how long that is.",
    "delete.confirm": "This erases everything about you: your profile, every diary entry, "
    "symptom checks, alerts, safety messages, reminders and our conversation. It cannot be "
    "undone. If you want a copy first, tap Cancel and use /export.\n\nErase everything now?",
    "delete.yes": "🗑 Yes, erase everything",
    "delete.press": "Please tap a button: erase everything, or Cancel.",
    "delete.done": "Everything about you has been erased. If you come back, /start begins again.",
    # History
    "history.empty": "No diary entries in the last {days} days yet. Tap /log to add one.",
    "history.title": "Your last {days} days ({logged:# day|# days} with entries). Back and leg "
    "pain 0–10; ⚠ warning signs ticked, + other symptoms, ✎ note.",
    "history.header": "Day     Back Leg",
    "history.month": "{month} {year}",
    "history.busy": "To change or delete an entry, first finish what we are doing (or "
    "/cancel it), then tap /history again.",
    "history.change": "✏️ Change or delete an entry",
    "history.close": "Close",
    "history.ask_entry": "Which entry do you want to change or delete? The newest come first.",
    "history.newer": "◀️ Newer",
    "history.older": "Older ▶️",
    "history.when": "{day}, {time}",
    "history.entry": "{entry}: back {back}, leg {leg}",
    "history.ask_edit_or_delete": "Your entry of {entry}:\n\n{card}\n\nChange it, or delete it?",
    "history.edit": "✏️ Change it",
    "history.delete": "🗑 Delete it",
    "history.ask_delete": "Delete the entry of {entry}: back {back}, leg {leg}? This cannot be "
    "undone.",
    "history.delete_yes": "🗑 Yes, delete it",
    "history.deleted": "Deleted. The entry of {entry} (back {back}, leg {leg}) is no longer "
    "in your diary, and exports from now on leave it out; files you exported before still "
    "hold it.",
    "date.short": "{weekday} {day} {month}",
    "date.long": "{date} {year}",
    "weekday.0": "Mon",
    "weekday.1": "Tue",
    "weekday.2": "Wed",
    "weekday.3": "Thu",
    "weekday.4": "Fri",
    "weekday.5": "Sat",
    "weekday.6": "Sun",
    # Console
    "console.no_token": "No TELEGRAM_BOT_TOKEN set: opening the console instead of Telegram.",
    "console.intro": "BackTrack console (user {user}). Type the number in brackets to press "
    "that button (on a 0–10 pain scale, the score itself), /command for a command, "
    "/import PATH to import a CSV file; anything else is text. Ctrl-D to quit.",
    "console.no_button": "There is no button {n} on the last screen.",
    "console.unknown_command": "There is no command /{name}. These are the commands:",
    "console.import.ask_file": "Type /import followed by the path of your diary's CSV file, "
    "e.g. /import ~/diary.csv. Columns: date, time, back_pain, leg_pain, symptoms, note; a "
    "/export CSV works as it is.",
    "console.import.send_file": "Please type /import followed by the path of the CSV file, "
    "or choose Cancel.",
    "console.import.not_text": "I couldn't read that file as text. Please give a CSV file "
    "saved as UTF-8.",
    "console.file_not_found": "File not found: {path}. Type /import followed by the path of "
    "a CSV file.",
    "console.file_is_folder": "{path} is a folder, not a file. Type /import followed by the "
    "path of a CSV file.",
    "console.file_unreadable": "I couldn't open {path}: {reason}.",
    "console.saved": "Saved to {path}",
    "console.files_erased": "The charts and exports saved for you in {path} were erased too.",
}

_PARTS: tuple[dict[str, str], ...] = (
    _CORE,
    en_rules.MESSAGES,
    en_trends.MESSAGES,
    en_export.MESSAGES,
    en_safety.MESSAGES,
    en_countries.MESSAGES,
    en_treatment.MESSAGES,
)
_overlap = [key for key, n in Counter(k for part in _PARTS for k in part).items() if n > 1]
if _overlap:
    raise RuntimeError(f"catalogue keys defined twice: {sorted(_overlap)}")

MESSAGES: dict[str, str] = {key: text for part in _PARTS for key, text in part.items()}
