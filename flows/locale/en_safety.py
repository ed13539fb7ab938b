"""English texts of safety delivery: the diary's warning signs, free text and before consent."""

_SAFETY: dict[str, str] = {
    # The diary's checklist covers every red flag a patient notices between checks (§8.6).
    "symptom.sexual_numbness": "New numbness of the genitals, or trouble with erection",
    "symptom.leg_weakness_rapid": "A leg getting weaker over hours or a day or two",
    "symptom.sudden_severe_pain": "Sudden severe back pain, or pain getting worse fast",
    "symptom.feeling_unwell": "Feeling unwell, shivery or sweaty",
    "symptom.self_harm_thoughts": "Thoughts of ending my life, or not feeling safe",
    "log.ask_weakness_speed": (
        "A leg getting weaker: is it getting worse over hours or a day or two, or slowly over "
        "weeks?"
    ),
    "log.weakness.rapid": "Over hours or a day or two",
    "log.weakness.slow": "Slowly, over weeks",
    "log.weakness.unsure": "Not sure",
    "log.advice_given": "{pointer}\n\nYour diary entry is not saved yet: finish it below.",
    "log.saved_at_once": (
        "{pointer}\n\nI saved this entry for you:\n\n{card}\n\nYou can add more with /log later."
    ),
    # Before consent nothing is stored, but safety is not withheld (§8.8).
    "safety.pre_consent_pointer": "🚑 In an emergency, call {emergency_number} now.",
    "safety.free_text_heading": "What you wrote can be a sign of an emergency.",
    "safety.free_text_after": (
        "When you can, /check asks about warning signs one at a time; /log adds a diary entry."
    ),
    "safety.free_text_after_start": (
        "When you can, tap /start: I can keep your pain diary and ask about warning signs one "
        "at a time."
    ),
    "safety.late": (
        "⏰ I could not reach you earlier. This is about what you told me on {when}; it still "
        "applies to those symptoms:"
    ),
    "safety.repeated": "(Sent again in case my last message did not reach you.)",
    "safety.press_again": "Here is where we are: that button was from an earlier message.",
}

MESSAGES: dict[str, str] = _SAFETY
