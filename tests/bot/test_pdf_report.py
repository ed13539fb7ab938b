"""The surgeon's PDF: page one carries the key numbers, it renders, and large diaries work."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest
from pypdf import PdfReader

from bot.pdf import fonts
from bot.pdf_report import PAGE_ONE_LINES, render_pdf, report_chart_png
from flows.clinical.codes import CauseId, Finding, Tier
from flows.clinical.trends import AlertKind, SentAlert
from flows.records.models import (
    AdviceKind,
    AdviceSource,
    CheckResult,
    Entry,
    Profile,
    Region,
    StoredAdvice,
)
from flows.records.report import Report, build_report
from flows.records.treatment import (
    DrugClass,
    MedicineAction,
    MedicineChange,
    MedicineDose,
    MedicineKind,
    TreatmentEvent,
    TreatmentKind,
)

START = date(2025, 3, 1)
LAST = START + timedelta(days=59)
FIRST = LAST - timedelta(days=29)
PNG = b"\x89PNG\r\n\x1a\n"
# A4 in points.
A4 = (595.28, 841.89)


def entry(day: date, back: int, leg: int = 2, **changes: object) -> Entry:
    base = Entry(
        id=day.toordinal(),
        user_id=8,
        entry_date=day,
        recorded_at=datetime.combine(day, clock(18, 45), tzinfo=UTC),
        timezone="UTC",
        back_pain=back,
        leg_pain=leg,
    )
    return base.model_copy(update=changes)


def diary() -> list[Entry]:
    """60 days: back 3 and leg 2, back 6 in the last week; 3 days missing; one red flag."""
    entries = [
        entry(START + timedelta(days=i), 6 if i >= 53 else 3)
        for i in range(60)
        if i not in (35, 36, 44)
    ]
    red = LAST - timedelta(days=1)
    entries[-2] = entry(
        red, 6, symptoms=(Finding.LEG_WEAKNESS, Finding.PAIN_ONE_LEG), note="Left foot drags"
    )
    return entries


PROFILE = Profile(
    user_id=8,
    consented_at=datetime(2025, 1, 1, tzinfo=UTC),
    display_name="M. R.",
    surgery_year=2024,
    surgery_month=9,
    region=Region.LUMBOSACRAL,
    levels=3,
)
ALERTS = [
    SentAlert(
        day=LAST - timedelta(days=4), kind=AlertKind.RAPID_RISE, about=("back",), tier=Tier.SOON
    ),
    SentAlert(
        day=LAST - timedelta(days=1),
        kind=AlertKind.RED_FLAG,
        about=("RF-NEU-1",),
        tier=Tier.URGENT,
    ),
]
CHECK = CheckResult(
    recorded_at=datetime(2025, 4, 10, 12, tzinfo=UTC),
    tier=Tier.SOON,
    findings=(Finding.PAIN_MECHANICAL,),
    causes=((CauseId.ADJACENT_SEGMENT_DISEASE, 6.0), (CauseId.PSEUDARTHROSIS, 5.0)),
)


def make_report(
    entries: list[Entry],
    alerts: list[SentAlert] = ALERTS,
    checks: list[CheckResult] | None = None,
    advice: list[StoredAdvice] | None = None,
) -> Report:
    return build_report(
        profile=PROFILE,
        entries=entries,
        checks=[CHECK] if checks is None else checks,
        alerts=alerts,
        first=FIRST,
        last=LAST,
        language="en",
        advice=advice or [],
    )


def flat(text: str) -> str:
    """Extracted text with line breaks and runs of spaces as single spaces."""
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    entries = diary()
    report = make_report(entries)
    return render_pdf(report, entries, report_chart_png(report, entries, "en"), "en")


@pytest.fixture(scope="module")
def pages(pdf: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_it_is_a_pdf(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")


def test_page_one_has_the_key_numbers(pages: list[str]) -> None:
    one = pages[0]
    assert "Patient: M. R." in one
    assert "Period: 2025-03-31 to 2025-04-29" in one
    assert "Levels fused: 3 or more." in one
    assert "Sep 2024" in one
    # Baseline, last-7-day means, change, meaningful change and whether it was crossed.
    assert "Meaningful change Change beyond it?" in one
    assert "Back pain 3.0 6.0 (7 of 7 days) +3.0 ±1.0 Yes, worse" in one
    assert "Leg pain 2.0 2.0 (7 of 7 days) +0.0 ±1.0 No" in one
    # Which days the baseline is from, which lie before the period shown.
    assert (
        "Baseline: median of the patient's first 14 days with a score, 2025-03-01 to "
        "2025-03-14 (before this period): back 3.0, leg 2.0."
    ) in one
    assert "Days logged: 27 of 30 days" in one


def test_page_one_lists_alerts_red_flags_and_the_latest_check(pages: list[str]) -> None:
    one = pages[0]
    assert f"{(LAST - timedelta(days=4)).isoformat()} · Within days · Rapid rise:" in one
    red = (LAST - timedelta(days=1)).isoformat()
    assert f"{red} · Same day · Red flag: A leg getting weaker" in one
    assert f"{red} 18:45 · Same day · A leg getting weaker · seen in: diary 18:45" in one
    assert "2025-04-10 · urgency: Within days" in one
    assert "1. Wear at the level above or below the fusion (adjacent segment disease)" in one
    assert "Tests to consider: standing X-rays" in one


def test_page_one_ends_with_the_not_a_diagnosis_line(pages: list[str]) -> None:
    assert "Not a diagnosis." in pages[0]
    assert "does not replace clinical assessment" in pages[0]
    assert "Page 1 of" in pages[0]


def test_the_chart_and_the_entry_table_follow(pdf: bytes, pages: list[str]) -> None:
    rest = " ".join(pages[1:])
    assert "Back and leg pain, day by day" in rest
    assert "All diary entries in this period" in rest
    table = rest.split("All diary entries in this period")[1]
    # Every entry of the period, in date order, with its time; the red flag in words.
    assert table.count("18:45") == 27
    assert "RED FLAG: a leg getting weaker, pain down one leg" in rest
    assert "Left foot drags" in rest
    images = [image for page in PdfReader(io.BytesIO(pdf)).pages for image in page.images]
    assert len(images) == 1


def test_page_one_renders_as_an_a4_image(pdf: bytes) -> None:
    document = pdfium.PdfDocument(pdf)
    try:
        image = document[0].render(scale=2).to_pil()
        assert image.size == pytest.approx((A4[0] * 2, A4[1] * 2), abs=2)
        # Not blank: a good share of dark pixels (text and table lines).
        dark = sum(image.convert("L").histogram()[:128])
        assert dark > 10_000
    finally:
        document.close()


def pdf_text(content: bytes) -> str:
    return " ".join(flat(page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages)


# One note per script: Latin with accents, Cyrillic, Greek, Chinese, Japanese, Korean, Arabic and
# Hebrew (both shaped, right to left) and emoji, a skin tone, a flag and a joined sequence.
NOTES = (
    "Crème brûlée, Zoë, señor Müller, ça va, Łódź",
    "Боль в пояснице усилилась после прогулки",
    "Πόνος στη μέση μετά το περπάτημα",
    "腰痛比昨天轻一点\uff0c但左腿还是麻木。",
    "今日は腰の痛みが少し楽になった。",
    "허리 통증이 어제보다 조금 나아졌어요",
    "الألم في أسفل الظهر أقل اليوم",
    "הכאב בגב התחתון פחות היום",
    "Better today 😀👍🏽 ❤️ 🇬🇧 walked 🚶‍♀️",
)


def with_notes(notes: Sequence[str]) -> list[Entry]:
    """The diary with the last days' notes in the given texts, one a day."""
    entries = diary()
    for index, note in enumerate(notes, start=len(entries) - len(notes)):
        entries[index] = entries[index].model_copy(update={"note": note})
    return entries


def test_notes_in_every_script_are_text_in_the_pdf() -> None:
    entries = with_notes(NOTES)
    report = build_report(
        profile=PROFILE.model_copy(update={"display_name": "李小龍 (Lee)"}),
        entries=entries,
        checks=[CHECK],
        alerts=ALERTS,
        first=FIRST,
        last=LAST,
        language="en",
    )
    content = render_pdf(report, entries, report_chart_png(report, entries, "en"), "en")
    reader = PdfReader(io.BytesIO(content))
    one = flat(reader.pages[0].extract_text())
    text = pdf_text(content)
    # The name in bold on page one and in the running head of the later pages.
    assert "Patient: 李小龍 (Lee)" in one
    assert "Patient: 李小龍 (Lee) · Period: 2025-03-31 to 2025-04-29" in text
    for note in NOTES:
        assert note in text
    # Every row whole, the ones after a note set in a fallback font too.
    table = text.split("All diary entries in this period")[1]
    days = sorted({e.entry_date for e in entries if e.entry_date >= FIRST})
    assert all(f"{day.isoformat()} 18:45" in table for day in days)
    assert f"Page {len(reader.pages)} of {len(reader.pages)}" in text
    # Nothing was lost on the way, so nothing needs explaining.
    assert "\ufffd" not in text
    assert "?" not in text.split("All diary entries")[1]
    assert "stands for a character" not in text


def test_a_month_of_cjk_notes_is_small_and_every_row_readable() -> None:
    # Noto Sans CJK is 33 MB: only the characters used go into the file.
    entries = with_notes([NOTES[3 + i % 3] * 4 for i in range(27)])
    report = make_report(entries)
    content = render_pdf(report, entries, report_chart_png(report, entries, "en"), "en")
    text = pdf_text(content)
    # Wrapped over lines in the table: compared without the line breaks.
    assert NOTES[4] * 4 in "".join(text.split())
    # The rows after one in bold with such a note are whole too (fpdf2 lost the font there).
    table = text.split("All diary entries in this period")[1]
    assert all(f"{e.entry_date.isoformat()} 18:45" in table for e in entries[-27:])
    assert "Recorded by the patient in BackTrack. Not a diagnosis." in table
    assert len(content) < 250_000


def test_a_character_no_font_has_is_marked_and_explained() -> None:
    entries = diary()
    entries[-1] = entry(LAST, 6, note="é ü – ✓ 😀 \u0378 ok")
    report = make_report(entries)
    text = pdf_text(render_pdf(report, entries, None, "en"))
    assert "é ü – ✓ 😀 \ufffd ok" in text
    assert (
        "\ufffd stands for a character none of this report's fonts can draw. The diary's CSV "
        "export keeps every note as the patient wrote it."
    ) in text
    assert "No chart" in text


def test_without_the_noto_fonts_other_scripts_are_marked_not_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fonts, "fallback_files", lambda: ())
    monkeypatch.setattr(fonts, "cjk_file", lambda: None)
    entries = with_notes(["Боль 腰痛 ok"])
    report = make_report(entries)
    text = pdf_text(render_pdf(report, entries, None, "en"))
    # DejaVu Sans still draws Cyrillic; each Chinese character becomes one visible mark.
    assert "Боль \ufffd\ufffd ok" in text
    assert "stands for a character none of this report's fonts can draw" in text


@pytest.fixture
def core_font_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "font_files", lambda: None)


@pytest.mark.usefixtures("core_font_only")
def test_without_a_unicode_font_text_is_reduced_to_latin_1() -> None:
    entries = diary()
    entries[-1] = entry(LAST, 6, note="é ü – ✓ ok")
    report = make_report(entries)
    text = " ".join(
        flat(page.extract_text())
        for page in PdfReader(io.BytesIO(render_pdf(report, entries, None, "en"))).pages
    )
    assert "é ü - ? ok" in text
    assert "? stands for a character none of this report's fonts can draw" in text
    assert "Back pain 3.0 6.0 (7 of 7 days) +3.0 ±1.0 Yes, worse" in text


def test_long_lists_continue_after_the_chart() -> None:
    entries = diary()
    alerts = [
        SentAlert(
            day=FIRST + timedelta(days=i),
            kind=AlertKind.RAPID_RISE,
            about=("back",),
            tier=Tier.SOON,
        )
        for i in range(PAGE_ONE_LINES + 3)
    ]
    report = make_report(entries, alerts)
    reader = PdfReader(io.BytesIO(render_pdf(report, entries, None, "en")))
    one, two = (flat(page.extract_text()) for page in reader.pages[:2])
    assert "… and 3 earlier, listed after the chart." in one
    assert FIRST.isoformat() not in one.split("Alerts the patient")[1].split("Red flags")[0]
    assert "All alerts the patient was sent in this period" in two
    assert f"{FIRST.isoformat()} · Within days · Rapid rise" in two


def test_an_empty_period_still_makes_a_report() -> None:
    report = make_report([])
    assert report_chart_png(report, [], "en") is None
    text = " ".join(
        flat(page.extract_text())
        for page in PdfReader(io.BytesIO(render_pdf(report, [], None, "en"))).pages
    )
    assert "Days logged: 0 of 30 days" in text
    assert "No diary entries in this period." in text


def test_the_chart_is_a_png() -> None:
    entries = diary()
    chart = report_chart_png(make_report(entries), entries, "en")
    assert chart is not None
    assert chart.startswith(PNG)


def test_page_one_always_fits_on_one_page() -> None:
    # Every day a red flag with several warning signs, an alert for each, a check with many
    # answers: the summary gives up list lines rather than spill onto a second page.
    many = (Finding.LEG_WEAKNESS, Finding.FEVER, Finding.WEIGHT_LOSS, Finding.FEELING_UNWELL)
    entries = [
        e.model_copy(update={"symptoms": many}) if e.entry_date >= FIRST else e for e in diary()
    ]
    alerts = [
        SentAlert(
            day=e.entry_date,
            kind=AlertKind.RED_FLAG,
            about=("RF-NEU-1", "RF-INF-LATE", "fever", "weight_loss"),
            tier=Tier.URGENT,
        )
        for e in entries
        if e.entry_date >= FIRST
    ]
    check = CHECK.model_copy(update={"findings": tuple(Finding)[:30]})
    report = build_report(
        profile=PROFILE,
        entries=entries,
        checks=[check],
        alerts=alerts,
        first=FIRST,
        last=LAST,
        language="en",
    )
    reader = PdfReader(io.BytesIO(render_pdf(report, entries, None, "en")))
    one = flat(reader.pages[0].extract_text())
    assert "Not a diagnosis." in one
    assert "27 in this period, listed after the chart." in one
    assert "Tests to consider:" in one
    two = flat(reader.pages[1].extract_text())
    assert "Page 2 of" in two
    assert "All alerts the patient was sent in this period" in two
    assert "warning signs in this period" in one
    assert "All are listed under “Warning signs and checks”." in one
    rest = " ".join(flat(page.extract_text()) for page in reader.pages[1:])
    assert "Warning signs and checks" in rest


# --- Warning signs and checks: every red flag and every check of the period ----------------------


def moment(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock(hour, minute), tzinfo=UTC)


# An earlier check with a wound infection; CHECK (10 April, no red flag) is the latest.
EARLIER_CHECK = CheckResult(
    recorded_at=moment(date(2025, 4, 2), 9),
    days_since_surgery=200,
    tier=Tier.URGENT,
    findings=(Finding.WOUND_INFECTION_SIGNS,),
    red_flags=("RF-SSI-1",),
    causes=((CauseId.INFECTION, 9.0),),
)
# Before the period: its flags must not show.
OLD_CHECK = CheckResult(
    recorded_at=moment(date(2025, 3, 5), 9),
    tier=Tier.EMERGENCY,
    findings=(Finding.SADDLE_NUMBNESS,),
    red_flags=("RF-CES-2",),
)


def stored(number: int, decided: datetime, *flags: str, **changes: object) -> StoredAdvice:
    base = StoredAdvice(
        id=number,
        user_id=8,
        decided_at=decided,
        kind=AdviceKind.EMERGENCY,
        tier=Tier.EMERGENCY,
        text="Call 112 now.",
        source=AdviceSource.LOG,
        red_flags=flags,
        attempts=1,
    )
    return base.model_copy(update=changes)


ADVICE = [
    # Bladder problems ticked on 5 April, the entry then cancelled; the advice never arrived.
    stored(1, moment(date(2025, 4, 5), 10, 2), "RF-CES-1", attempts=6),
    # Free text about not being safe on 15 April, crisis message delivered.
    stored(
        2,
        moment(date(2025, 4, 15), 21),
        "RF-MH",
        kind=AdviceKind.CRISIS,
        source=AdviceSource.TEXT,
        delivered_at=moment(date(2025, 4, 15), 21, 1),
    ),
    # Before the period.
    stored(3, moment(date(2025, 3, 20), 8), "RF-PE"),
]


@pytest.fixture(scope="module")
def safety_pages() -> list[str]:
    entries = diary()
    report = make_report(entries, checks=[OLD_CHECK, EARLIER_CHECK, CHECK], advice=ADVICE)
    content = render_pdf(report, entries, report_chart_png(report, entries, "en"), "en")
    return [flat(page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages]


def test_page_one_counts_the_warning_signs_and_points_to_the_list(
    safety_pages: list[str],
) -> None:
    one = safety_pages[0]
    assert (
        "4 warning signs in this period, 2 emergency, 2 same day. Safety advice sent: 2, 1 NOT "
        "delivered. All are listed under “Warning signs and checks”."
    ) in one
    assert "2025-04-05 10:02 · Emergency (now) · New bladder problems · seen in: diary" in one
    assert "Emergency advice decided 10:02, NOT delivered (tries: 6)" in one
    assert "2 symptom checks in this period, all listed under “Warning signs and checks”." in one
    # The latest check keeps its detailed block.
    assert "2025-04-10 · urgency: Within days" in one
    assert "1. Wear at the level above or below the fusion (adjacent segment disease)" in one
    assert "Page 1 of" in one
    assert "Page 2 of" not in one


def test_warning_signs_and_checks_lists_every_one_of_the_period(safety_pages: list[str]) -> None:
    rest = " ".join(safety_pages[1:])
    section = rest.split("Warning signs and checks")[1].split("All diary entries")[0]
    assert "Red flags and warning signs (4)" in section
    assert "Date Time Urgency Red flag or warning sign Seen in Safety advice" in section
    # From the earlier check, the cancelled diary entry, the message and the diary.
    assert "2025-04-02 09:00 Same day Signs of a wound infection symptom check 09:00" in section
    assert (
        "2025-04-05 10:02 Emergency (now) New bladder problems diary 10:02 (entry not saved) "
        "Emergency advice decided 10:02, NOT delivered (tries: 6)"
    ) in section
    assert (
        "2025-04-15 21:00 Emergency (now) Thoughts of ending life, or of not being safe message "
        "to the bot 21:00 Crisis support message given 21:00, delivered 21:01"
    ) in section
    assert "2025-04-28 18:45 Same day A leg getting weaker diary 18:45" in section
    # Every check of the period, not only the latest.
    assert "Symptom checks (2)" in section
    assert "Date Time Urgency Red flags Top causes" in section
    assert (
        "2025-04-02 09:00 Same day Signs of a wound infection 1. An infection around the spine "
        "or implant"
    ) in section
    assert "2025-04-10 12:00 Within days none 1. Wear at the level above" in section


def test_flags_from_before_the_period_are_not_in_the_pdf(safety_pages: list[str]) -> None:
    text = " ".join(safety_pages)
    assert "RF-CES-2" not in text
    assert "RF-PE" not in text
    assert "2025-03-05" not in text


def test_urgency_is_in_words_and_rule_ids_only_in_the_key(safety_pages: list[str]) -> None:
    text = " ".join(safety_pages)
    before_key, key = text.split(" Key Urgency, as BackTrack's rules rank")
    # No tier codes, rule IDs or bare "Crossed?" for the surgeon to decode.
    assert not re.search(r"\bT[123]\b|RF-|Crossed\?", before_key)
    assert "Emergency (now)" in safety_pages[0]
    assert "Same day" in safety_pages[0]
    # The key gives the clinical rules' tiers and the ID of every red flag the report names.
    assert "Emergency (now) = emergency care at once (tier T1 of the clinical rules)" in key
    assert "Same day = the surgical team or on-call spinal service today (T2)" in key
    assert "Within days = the surgeon's team within a few days (T3)" in key
    assert "RF-CES-1: New bladder problems, a rule for cauda equina syndrome." in key
    assert "RF-NEU-1: A leg getting weaker, a rule for a progressive neurological deficit." in key
    assert "RF-MH: Thoughts of ending life, or of not being safe, a rule for suicide risk." in key
    assert "RF-SSI-1: Signs of a wound infection, a rule for a surgical site infection." in key


def test_a_long_list_of_warning_signs_pages_cleanly() -> None:
    # Every day of the period three warning signs: 90 rows over several pages.
    signs = (Finding.WEIGHT_LOSS, Finding.FEELING_UNWELL, Finding.POSITIONAL_HEADACHE)
    entries = [
        e.model_copy(update={"symptoms": signs}) if e.entry_date >= FIRST else e for e in diary()
    ]
    report = make_report(entries, alerts=[])
    rows = len(report.red_flags)
    assert rows >= 80
    reader = PdfReader(io.BytesIO(render_pdf(report, entries, None, "en")))
    pages = [flat(page.extract_text()) for page in reader.pages]
    assert "Page 2 of" not in pages[0]
    heading = "Date Time Urgency Red flag or warning sign Seen in Safety advice"
    with_rows = [p for p in pages[1:] if "Within days warning sign:" in p]
    assert len(with_rows) >= 2
    # The column headings on top of every page the table runs over, every row printed once.
    assert all(heading in page for page in with_rows)
    assert sum(page.count("Within days warning sign:") for page in with_rows) == rows
    document = pdfium.PdfDocument(render_pdf(report, entries, None, "en"))
    try:
        for index in range(1, len(document)):
            width, height = document[index].get_size()
            assert (width, height) == pytest.approx(A4, abs=1)
    finally:
        document.close()


def test_page_one_keeps_the_emergencies_when_the_list_is_cut() -> None:
    # An emergency early in the period, then a warning sign every day after it.
    signs = (Finding.WEIGHT_LOSS,)
    entries = [
        e.model_copy(update={"symptoms": signs}) if e.entry_date > FIRST + timedelta(days=2) else e
        for e in diary()
    ]
    early = stored(1, moment(FIRST + timedelta(days=1), 7), "RF-CES-1", attempts=2)
    report = make_report(entries, alerts=[], advice=[early])
    assert len(report.red_flags) > PAGE_ONE_LINES
    one = flat(
        PdfReader(io.BytesIO(render_pdf(report, entries, None, "en"))).pages[0].extract_text()
    )
    listed = one.split("Red flags and warning signs recorded")[1].split("Latest symptom check")[0]
    assert f"{(FIRST + timedelta(days=1)).isoformat()} 07:00 · Emergency (now)" in listed
    assert "NOT delivered (tries: 2)" in listed
    assert f"… and {len(report.red_flags) - PAGE_ONE_LINES} more." in listed


def test_the_entry_table_shows_the_doses_taken_as_needed_and_says_what_they_are() -> None:
    entries = [
        e.model_copy(update={"as_needed_doses": i % 4}) if i >= 50 else e
        for i, e in enumerate(diary())
    ]
    report = make_report(entries)
    text = pdf_text(render_pdf(report, entries, None, "en"))
    table = text.split("All diary entries in this period")[1]
    assert "PRN: doses of pain medicine the patient took as needed that day" in table
    # The last entry is the 56th of the diary: 55 % 4 = 3, shown as "3 or more".
    assert "3+" in table
    without = make_report(diary())
    plain = pdf_text(render_pdf(without, diary(), None, "en"))
    assert "PRN: doses" not in plain


def test_page_one_names_the_medicines_their_changes_the_doses_and_the_events() -> None:
    start = MedicineChange(
        medicine=1,
        action=MedicineAction.START,
        changed_on=FIRST - timedelta(days=10),
        recorded_at=datetime(2025, 1, 1, tzinfo=UTC),
        name="Tramadol",
        drug_class=DrugClass.OPIOID,
        kind=MedicineKind.AS_NEEDED,
        dose="50 mg",
    )
    raised = start.model_copy(
        update={
            "action": MedicineAction.CHANGE,
            "changed_on": LAST - timedelta(days=20),
            "dose": "100 mg",
        }
    )
    scan = TreatmentEvent(
        event_date=LAST - timedelta(days=25),
        kind=TreatmentKind.MRI,
        recorded_at=datetime(2025, 1, 1, tzinfo=UTC),
        detail="L3-4 disc bulge",
    )
    tramadol = (MedicineDose(medicine=1, name="Tramadol", opioid=True, doses=2),)
    entries = [
        e.model_copy(update={"as_needed_doses": 2, "medicine_doses": tramadol})
        if e.entry_date >= LAST - timedelta(days=13)
        else e
        for e in diary()
    ]
    report = build_report(
        profile=PROFILE,
        entries=entries,
        checks=[CHECK],
        alerts=ALERTS,
        first=FIRST,
        last=LAST,
        language="en",
        medicine_changes=[start, raised],
        treatment_events=[scan],
    )
    content = render_pdf(report, entries, report_chart_png(report, entries, "en"), "en")
    page = flat(PdfReader(io.BytesIO(content)).pages[0].extract_text())
    assert "Medicines and treatment" in page
    assert "Pain medicines now: Tramadol (opioid), 100 mg, as needed" in page
    # The start was before the period: only the change is in its timeline, after the scan.
    assert "started Tramadol" not in page
    timeline = flat(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))
    # The most recent first: the change (20 days back), then the scan (25 days back); when
    # page one has no room for them, they follow the chart.
    changed = timeline.index("changed to Tramadol (opioid), 100 mg, as needed")
    assert timeline.index("MRI scan (L3-4 disc bulge)") > changed
    assert "As-needed pain medicine taken on 14 of 14 days it was asked." in page
    assert "Opioid taken as needed on 3.3 days a week on average." in page
    assert len(PdfReader(io.BytesIO(content)).pages) == 3
    assert "Grey verticals: treatment events (solid) and medicine changes (dashed)" in timeline
    table = timeline.split("All diary entries in this period")[1]
    # Each day with the list says which medicine the doses were of, the opioid named as such.
    assert "Tramadol 2 (opioid)" in table
    assert "With a medicine list, the note starts with each medicine's doses." in table


def test_a_diary_without_medicines_or_events_has_no_such_section(pages: list[str]) -> None:
    assert "Medicines and treatment" not in pages[0]
    assert "Grey verticals" not in " ".join(pages)
