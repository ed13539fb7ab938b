"""/export end to end: PDF, CSV and FHIR files, and a CSV that re-imports into a fresh account."""

from __future__ import annotations

import io
import json
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.communication import Communication
from fhir.resources.R4B.flag import Flag
from fhir.resources.R4B.riskassessment import RiskAssessment
from pypdf import PdfReader
from telegram import Update
from telegram.ext import Application

from bot.console import run_console
from bot.engine import Engine
from bot.exports import DiarySnapshot, load_snapshot
from bot.reply import Reply, Who
from bot.telegram_bot import build_application
from flows.clinical.codes import CauseId, Finding, Tier
from flows.dialogs.router import Command
from flows.dialogs.transfer import DocumentFile
from flows.records.models import (
    Advice,
    AdviceKind,
    AdviceSource,
    CheckResult,
    Entry,
    NewEntry,
    Profile,
)
from flows.records.treatment import (
    DrugClass,
    MedicineAction,
    MedicineChange,
    MedicineDose,
    MedicineKind,
    TreatmentEvent,
    TreatmentKind,
)
from storage.ports import Session
from tests.clock import FakeClock
from tests.fakes import TOKEN, OfflineBotApi, callback_update, message_update

# The country and the day of surgery were asked once (and skipped), so /export goes straight on.
ASKED = datetime(2025, 1, 1, tzinfo=UTC)
PAT = Who(user_id=51)
FRESH = Who(user_id=52)
OTHER = Who(user_id=53)


def seed(session: Session, today: date) -> None:
    session.save_profile(
        Profile(
            user_id=PAT.user_id,
            consented_at=datetime(2025, 1, 1, tzinfo=UTC),
            display_name="J.D.",
            surgery_year=2024,
            surgery_month=6,
            levels=2,
            timezone="Europe/Berlin",
            details_asked_at=ASKED,
        )
    )
    for offset in range(40):
        day = today - timedelta(days=39 - offset)
        moment = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=19)
        session.add_entry(
            PAT.user_id,
            NewEntry(
                entry_date=day,
                recorded_at=moment,
                timezone="Europe/Berlin",
                back_pain=3 + offset % 3,
                leg_pain=offset % 2,
                symptoms=(Finding.MUSCLE_TIGHTNESS,) if offset % 5 == 0 else (),
                note="stairs, then rest" if offset == 39 else None,
            ),
        )


async def choose(engine: Engine, who: Who, reply: Reply, label: str) -> Reply:
    assert reply.screen is not None
    [button] = [b for row in reply.screen.buttons for b in row if label in b.label]
    return await engine.on_press(who, reply.button_data(button.value))


async def export(engine: Engine, period: str, fmt: str) -> Reply:
    reply = await engine.on_command(PAT, Command.EXPORT)
    reply = await choose(engine, PAT, reply, period)
    return await choose(engine, PAT, reply, fmt)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


async def test_pdf_export_has_the_summary_numbers(engine: Engine, clock: FakeClock) -> None:
    await engine.store.unit(clock(), lambda s: seed(s, clock().date()))
    reply = await export(engine, "Last 30 days", "PDF")
    assert reply.document is not None
    name, content = reply.document
    assert name == "backtrack-diary-2026-03-10.pdf"
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "J.D." in text
    assert "30 of 30" in text
    assert "not a diagnosis" in text.lower()
    assert "stairs, then rest" in text


def in_berlin(who: Who, consented_at: datetime) -> Profile:
    """A patient in Berlin, consented and asked the onboarding's details."""
    return Profile(
        user_id=who.user_id,
        consented_at=consented_at,
        timezone="Europe/Berlin",
        details_asked_at=ASKED,
    )


async def open_fresh_account(engine: Engine, clock: FakeClock) -> None:
    """A second patient in Berlin, with an empty diary."""
    await engine.store.unit(clock(), lambda s: s.save_profile(in_berlin(FRESH, clock())))


async def test_csv_export_reimports_into_a_fresh_account(engine: Engine, clock: FakeClock) -> None:
    await engine.store.unit(clock(), lambda s: seed(s, clock().date()))
    reply = await export(engine, "Everything", "CSV")
    assert reply.document is not None
    name, content = reply.document
    assert name.endswith(".csv")
    await open_fresh_account(engine, clock)
    preview = await engine.on_document(
        FRESH, DocumentFile(filename=name, text=content.decode("utf-8"))
    )
    done = await choose(engine, FRESH, preview, "Import")
    assert "40 entries added" in done.notices[0].text

    def diary(who: Who) -> list[tuple[object, ...]]:
        return [
            (e.entry_date, e.recorded_at, e.timezone, e.back_pain, e.leg_pain, e.symptoms, e.note)
            for e in entries[who.user_id]
        ]

    entries: dict[int, list[Entry]] = {}
    for who in (PAT, FRESH):
        entries[who.user_id] = list(
            await engine.store.entries_between(who.user_id, date.min, date(2026, 12, 31))
        )
    assert diary(FRESH) == diary(PAT)


async def test_fhir_export_is_a_bundle_of_the_period(engine: Engine, clock: FakeClock) -> None:
    await engine.store.unit(clock(), lambda s: seed(s, clock().date()))
    reply = await export(engine, "Last 30 days", "FHIR")
    assert reply.document is not None
    name, content = reply.document
    assert name.endswith(".fhir.json")
    bundle = json.loads(content)
    assert bundle["resourceType"] == "Bundle"
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("QuestionnaireResponse") == 30
    [patient] = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    ]
    # The Telegram id is never a value anywhere in the Patient (random ids may contain "51").
    values = json.dumps(patient).replace(" ", "")
    assert ':"51"' not in values
    assert ":51," not in values
    assert ":51}" not in values


async def test_export_without_entries_says_so(engine: Engine, clock: FakeClock) -> None:
    await engine.store.unit(
        clock(),
        lambda s: s.save_profile(
            Profile(user_id=PAT.user_id, consented_at=clock(), details_asked_at=ASKED)
        ),
    )
    reply = await export(engine, "Last 30 days", "PDF")
    assert reply.document is None
    assert reply.screen is not None
    assert "nothing to export" in reply.screen.text


async def export_in_telegram(app: Application, api: OfflineBotApi, period: str, fmt: str) -> None:  # type: ignore[type-arg]
    """/export, then the period and the format, pressed as a patient would in Telegram."""
    await app.process_update(Update.de_json(message_update(1, PAT.user_id, "/export"), app.bot))
    for update_id, label in ((2, period), (3, fmt)):
        data = next(d for text, d in api.last_keyboard() if text.startswith(label))
        await app.process_update(
            Update.de_json(callback_update(update_id, PAT.user_id, data), app.bot)
        )


async def test_export_in_telegram_sends_a_document(engine: Engine, clock: FakeClock) -> None:
    await engine.store.unit(clock(), lambda s: seed(s, clock().date()))
    api = OfflineBotApi()
    app = build_application(TOKEN, engine, request=api, rate_limit=False)
    async with app:
        await export_in_telegram(app, api, "Last 90 days", "📊 CSV spreadsheet")
    methods = [c.method for c in api.calls]
    assert methods[-3:] == ["answerCallbackQuery", "editMessageText", "sendDocument"]


def saved_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def test_console_export_writes_the_file_and_prints_where(
    engine: Engine, clock: FakeClock, tmp_path: Path
) -> None:
    await engine.store.unit(clock(), lambda s: seed(s, clock().date()))
    files = tmp_path / "files"
    out = io.StringIO()
    await run_console(engine, PAT.user_id, io.StringIO("/export\n3\n1\n"), out, files=files)
    mine = files / f"user-{PAT.user_id}"
    assert saved_files(mine) == ["backtrack-diary-2026-03-10.pdf"]
    saved = mine / "backtrack-diary-2026-03-10.pdf"
    assert f"Saved to {saved.resolve()}" in out.getvalue()
    # A copy of the diary, for this user's eyes: nobody else on the machine can read it.
    assert (stat.S_IMODE(mine.stat().st_mode), stat.S_IMODE(saved.stat().st_mode)) == (
        0o700,
        0o600,
    )

    theirs = files / f"user-{OTHER.user_id}"
    theirs.mkdir()
    (theirs / "backtrack-diary-2026-03-10.pdf").write_bytes(b"%PDF another patient's")
    out = io.StringIO()
    await run_console(engine, PAT.user_id, io.StringIO("/delete\n1\n"), out, files=files)
    assert "Everything about you has been erased" in out.getvalue()
    assert f"saved for you in {mine.resolve()} were erased too" in out.getvalue()
    assert not mine.exists()
    assert saved_files(theirs) == ["backtrack-diary-2026-03-10.pdf"]


# --- Every red flag and check of the period, from one real database ----------------------------


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(
        hours=hour, minutes=minute
    )


def a_check(moment: datetime, tier: Tier, *flags: str, **changes: object) -> CheckResult:
    base = CheckResult(recorded_at=moment, tier=tier, red_flags=flags)
    return base.model_copy(update=changes)


def an_advice(kind: AdviceKind, tier: Tier, source: AdviceSource, *flags: str) -> Advice:
    return Advice(kind=kind, tier=tier, text="Call 112 now.", source=source, red_flags=flags)


async def seed_safety(engine: Engine, clock: FakeClock) -> date:
    """PAT's diary with flags from two checks, the diary and advice; OTHER's flags beside it."""
    today = clock().date()
    store = engine.store
    await store.unit(clock(), lambda s: seed(s, today))
    bladder_day = today - timedelta(days=5)
    ticked = utc(bladder_day, 19)

    def patient_records(s: Session) -> None:
        s.add_check(
            PAT.user_id,
            a_check(
                utc(today - timedelta(days=20), 9),
                Tier.URGENT,
                "RF-SSI-1",
                findings=(Finding.WOUND_INFECTION_SIGNS,),
                causes=((CauseId.INFECTION, 9.0),),
            ),
        )
        s.add_check(
            PAT.user_id,
            a_check(
                utc(today - timedelta(days=2), 9),
                Tier.SOON,
                findings=(Finding.PAIN_MECHANICAL,),
                causes=((CauseId.PSEUDARTHROSIS, 7.0), (CauseId.ADJACENT_SEGMENT_DISEASE, 5.0)),
            ),
        )
        # Before the last 30 days.
        s.add_check(
            PAT.user_id, a_check(utc(today - timedelta(days=45), 9), Tier.EMERGENCY, "RF-CES-2")
        )
        s.add_entry(
            PAT.user_id,
            NewEntry(
                entry_date=bladder_day,
                recorded_at=ticked,
                timezone="Europe/Berlin",
                back_pain=6,
                symptoms=(Finding.BLADDER_CHANGE,),
            ),
        )

    await store.unit(clock(), patient_records)
    emergency = an_advice(AdviceKind.EMERGENCY, Tier.EMERGENCY, AdviceSource.LOG, "RF-CES-1")
    advice_id = await store.unit(ticked, lambda s: s.add_advice(PAT.user_id, emergency))
    assert isinstance(advice_id, int)
    await store.unit(ticked + timedelta(seconds=3), lambda s: s.mark_advice_delivered(advice_id))
    old = an_advice(AdviceKind.EMERGENCY, Tier.EMERGENCY, AdviceSource.TEXT, "RF-PE")
    await store.unit(utc(today - timedelta(days=44), 8), lambda s: s.add_advice(PAT.user_id, old))

    def other_user(s: Session) -> None:
        s.save_profile(in_berlin(OTHER, clock()))
        s.add_entry(
            OTHER.user_id,
            NewEntry(
                entry_date=today,
                recorded_at=clock(),
                timezone="Europe/Berlin",
                back_pain=5,
                symptoms=(Finding.CALF_SWELLING,),
            ),
        )
        s.add_check(OTHER.user_id, a_check(clock(), Tier.EMERGENCY, "RF-OPI"))
        s.add_advice(
            OTHER.user_id,
            an_advice(AdviceKind.EMERGENCY, Tier.EMERGENCY, AdviceSource.CHECK, "RF-SEP"),
        )

    await store.unit(clock(), other_user)
    return today


OTHERS_FLAGS = ("RF-DVT", "RF-OPI", "RF-SEP")


async def test_the_pdf_lists_every_red_flag_and_check_of_the_period(
    engine: Engine, clock: FakeClock
) -> None:
    today = await seed_safety(engine, clock)
    reply = await export(engine, "Last 30 days", "PDF")
    assert reply.document is not None
    pages = [
        " ".join(page.extract_text().split())
        for page in PdfReader(io.BytesIO(reply.document[1])).pages
    ]
    one, rest = pages[0], " ".join(pages[1:])
    assert (
        "2 warning signs in this period, 1 emergency, 1 same day. Safety advice sent: 1, all "
        "delivered."
    ) in one
    bladder = (today - timedelta(days=5)).isoformat()
    # Ticked in the diary at 20:00 Berlin time; the advice decided then, delivered 3 s later.
    assert (
        f"{bladder} 20:00 · Emergency (now) · New bladder problems · seen in: diary "
        "20:00 · Emergency advice given 20:00, delivered 20:00"
    ) in one
    # The latest check in detail on page one, every check in the later section.
    later = (today - timedelta(days=2)).isoformat()
    earlier = (today - timedelta(days=20)).isoformat()
    assert f"{later} · urgency: Within days" in one
    assert "Symptom checks (2)" in rest
    text = one + rest
    assert f"{earlier} 10:00 Same day Signs of a wound infection" in rest
    assert f"{later} 10:00 Within days none 1. The bones may not have fused" in rest
    # Rule IDs and tiers only in the key, where each is explained for the surgeon.
    assert "RF-CES-1: New bladder problems" in text
    assert "RF-SSI-1" in text
    assert "Red flags and warning signs (2)" in rest
    for absent in ("RF-CES-2", "RF-PE", *OTHERS_FLAGS):
        assert absent not in text


async def test_the_fhir_bundle_has_every_check_flag_and_advice_of_the_period(
    engine: Engine, clock: FakeClock
) -> None:
    await seed_safety(engine, clock)
    reply = await export(engine, "Last 30 days", "FHIR")
    assert reply.document is not None
    bundle = json.loads(reply.document[1])
    Bundle.model_validate(bundle)

    def of(kind: str) -> list[dict[str, Any]]:
        return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]

    for flag in of("Flag"):
        Flag.model_validate(flag)
    for risk in of("RiskAssessment"):
        RiskAssessment.model_validate(risk)
    for message in of("Communication"):
        Communication.model_validate(message)
    assert sorted(f["code"]["coding"][0]["code"] for f in of("Flag")) == ["RF-CES-1", "RF-SSI-1"]
    tiers = [
        r["prediction"][0]["qualitativeRisk"]["coding"][1]["code"] for r in of("RiskAssessment")
    ]
    assert tiers == ["urgent", "soon"]
    [message] = of("Communication")
    assert message["status"] == "completed"
    assert "received" in message
    text = json.dumps(bundle)
    for absent in ("RF-CES-2", "RF-PE", *OTHERS_FLAGS):
        assert absent not in text


async def test_one_read_loads_the_checks_and_advice_of_the_period(
    engine: Engine, clock: FakeClock
) -> None:
    today = await seed_safety(engine, clock)

    async def read(days: int | None) -> DiarySnapshot | None:
        def load(s: Session) -> DiarySnapshot | None:
            profile = s.profile(PAT.user_id)
            assert profile is not None
            return load_snapshot(s, profile, "en", today, days)

        return await engine.store.read(load)

    month = await read(30)
    assert month is not None
    assert [a.red_flags for a in month.advice] == [("RF-CES-1",)]
    assert all(a.user_id == PAT.user_id for a in month.advice)
    # Every check up to today (the report details the latest, whenever it was), only PAT's.
    assert [c.red_flags for c in month.checks] == [("RF-CES-2",), ("RF-SSI-1",), ()]
    everything = await read(None)
    assert everything is not None
    # "Everything" reaches back to the first check, before the first diary entry.
    assert everything.first == today - timedelta(days=45)
    assert [a.red_flags for a in everything.advice] == [("RF-PE",), ("RF-CES-1",)]


async def test_everything_includes_flags_from_before_the_first_entry(
    engine: Engine, clock: FakeClock
) -> None:
    today = await seed_safety(engine, clock)
    reply = await export(engine, "Everything", "PDF")
    assert reply.document is not None
    text = pdf_text(reply.document[1])
    assert f"Period: {(today - timedelta(days=45)).isoformat()} to {today.isoformat()}" in text
    assert "RF-CES-2" in text
    assert "RF-PE" in text
    for absent in OTHERS_FLAGS:
        assert absent not in text


def seed_treatment(session: Session, today: date) -> None:
    """Tramadol as needed since before the period, pregabalin started and stopped, two events."""
    start = today - timedelta(days=60)
    tramadol = MedicineChange(
        medicine=1,
        action=MedicineAction.START,
        changed_on=start,
        recorded_at=datetime.combine(start, datetime.min.time(), tzinfo=UTC),
        name="Tramadol",
        drug_class=DrugClass.OPIOID,
        kind=MedicineKind.AS_NEEDED,
        dose="50 mg",
    )
    session.add_medicine_change(PAT.user_id, tramadol)
    for action, back in ((MedicineAction.START, 20), (MedicineAction.STOP, 10)):
        day = today - timedelta(days=back)
        session.add_medicine_change(
            PAT.user_id,
            tramadol.model_copy(
                update={
                    "medicine": 2,
                    "action": action,
                    "changed_on": day,
                    "recorded_at": datetime.combine(day, datetime.min.time(), tzinfo=UTC),
                    "name": "Pregabalin",
                    "drug_class": DrugClass.GABAPENTINOID,
                    "kind": MedicineKind.SCHEDULED,
                    "dose": "75 mg",
                    "times_a_day": 2,
                }
            ),
        )
    for kind, back, detail in (
        (TreatmentKind.INJECTION, 15, "L4-5"),
        (TreatmentKind.MRI, 3, None),
    ):
        day = today - timedelta(days=back)
        session.add_treatment_event(
            PAT.user_id,
            TreatmentEvent(
                event_date=day,
                kind=kind,
                detail=detail,
                recorded_at=datetime.combine(day, datetime.min.time(), tzinfo=UTC),
            ),
        )
    day = today - timedelta(days=2)
    session.add_entry(
        PAT.user_id,
        NewEntry(
            entry_date=day,
            recorded_at=datetime.combine(day, datetime.min.time(), tzinfo=UTC),
            timezone="Europe/Berlin",
            back_pain=6,
            medicine_doses=(MedicineDose(medicine=1, name="Tramadol", opioid=True, doses=2),),
        ),
    )


async def test_medicines_events_and_doses_travel_by_csv_and_come_in_once(
    engine: Engine, clock: FakeClock
) -> None:
    today = clock().date()

    def both(session: Session) -> None:
        seed(session, today)
        seed_treatment(session, today)

    await engine.store.unit(clock(), both)
    reply = await export(engine, "Last 30 days", "CSV")
    assert reply.document is not None
    name, content = reply.document
    text = content.decode("utf-8")
    assert "Tramadol: 2" in text
    await open_fresh_account(engine, clock)
    preview = await engine.on_document(FRESH, DocumentFile(filename=name, text=text))
    assert preview.screen is not None
    # Tramadol's start lies before the 30 days: its story comes with it.
    assert "With them: 3 medicine changes and 2 treatment events." in preview.screen.text
    done = await choose(engine, FRESH, preview, "Import")
    assert "Medicines and events: 5 added, 0 already" in done.notices[0].text

    def treatment(who: Who) -> Any:
        def read(s: Session) -> Any:
            changes = [
                (c.medicine, c.action, c.changed_on, c.name, c.drug_class, c.kind, c.dose)
                for c in s.medicine_changes(who.user_id)
            ]
            events = [(e.event_date, e.kind, e.detail) for e in s.treatment_events(who.user_id)]
            doses = [
                e.medicine_doses
                for e in s.entries_between(who.user_id, date.min, today)
                if e.medicine_doses
            ]
            return changes, events, doses

        return engine.store.read(read)

    assert await treatment(FRESH) == await treatment(PAT)
    # The same file again adds nothing, and says so.
    again = await engine.on_document(FRESH, DocumentFile(filename=name, text=text))
    done = await choose(engine, FRESH, again, "Import")
    assert "Medicines and events: 0 added, 5 already" in done.notices[0].text
    assert await treatment(FRESH) == await treatment(PAT)


async def test_an_injection_before_any_pain_score_makes_a_report_of_its_own(
    engine: Engine, clock: FakeClock
) -> None:
    today = clock().date()

    def injected(session: Session) -> None:
        session.save_profile(in_berlin(PAT, clock()))
        session.add_treatment_event(
            PAT.user_id,
            TreatmentEvent(
                event_date=today - timedelta(days=10),
                kind=TreatmentKind.INJECTION,
                recorded_at=clock(),
                detail="L4-5",
            ),
        )

    await engine.store.unit(clock(), injected)
    reply = await export(engine, "Everything", "PDF")
    assert reply.document is not None
    text = pdf_text(reply.document[1])
    assert "Injection or nerve block (L4-5)" in text
    reply = await export(engine, "Last 30 days", "FHIR")
    assert reply.document is not None
    kinds = [e["resource"]["resourceType"] for e in json.loads(reply.document[1])["entry"]]
    assert "Procedure" in kinds
    # Not in the period asked for: nothing to export, as before.
    clock.now = clock() + timedelta(days=40)
    reply = await export(engine, "Last 30 days", "PDF")
    assert reply.document is None
    assert reply.screen is not None
    assert "nothing to" in reply.screen.text
