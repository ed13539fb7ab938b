"""The shared patient driver: the same verbs reach the flows, the engine and Telegram alike."""

from __future__ import annotations

from bot.engine import Engine
from bot.reply import Reply, Who
from bot.telegram_bot import build_application
from flows.dialogs.router import Verdict
from flows.i18n import t
from flows.kit.core import Button, Screen
from tests.fakes import TOKEN, OfflineBotApi
from tests.onboarding import onboard
from tests.patient import EngineLine, FlowLine, Line, Patient, TelegramLine

AGREE = "✅ I agree, keep my diary"


async def walk_to_consent(patient: Patient) -> None:
    """A new patient sees the welcome, agrees, and is asked their country."""
    await patient.send("/start")
    assert "Welcome to BackTrack" in patient.screen.text
    assert AGREE in patient.labels()
    await patient.press(AGREE)
    assert "United Kingdom" in patient.labels()


async def test_the_flows_line_shows_the_welcome_and_takes_the_consent() -> None:
    await walk_to_consent(Patient(FlowLine()))


async def test_the_engine_line_shows_the_welcome_and_takes_the_consent(engine: Engine) -> None:
    line: Line = EngineLine(engine, Who(user_id=5, language_code="en"))
    await walk_to_consent(Patient(line))


async def test_the_telegram_line_shows_the_welcome_and_takes_the_consent(engine: Engine) -> None:
    api = OfflineBotApi()
    app = build_application(TOKEN, engine, request=api, updates_request=OfflineBotApi())
    async with app:
        patient = Patient(TelegramLine.of(app, api, 5))
        await walk_to_consent(patient)
        assert patient.seen[-1].edited
        assert patient.toast is None


async def test_a_forged_press_is_answered_by_a_toast_on_the_engine_and_telegram_lines(
    engine: Engine,
) -> None:
    api = OfflineBotApi()
    app = build_application(TOKEN, engine, request=api, updates_request=OfflineBotApi())
    async with app:
        lines: list[Line] = [
            EngineLine(engine, Who(user_id=6, language_code="en")),
            TelegramLine.of(app, api, 7),
        ]
        for line in lines:
            patient = Patient(line)
            await patient.send("/start")
            await patient.press_data("drop table users")
            assert patient.toast is not None
            assert "isn't one I can use" in patient.toast


async def test_the_patient_reads_every_toast_and_finds_a_button_by_its_value(
    engine: Engine,
) -> None:
    patient = Patient(EngineLine(engine, Who(user_id=8, language_code="en")))
    await patient.send("/start")
    assert patient.data_of_value("agree") == patient.data_of(AGREE)
    await patient.press_data("drop table users")
    await patient.press_value("agree")
    [forged, agreed] = patient.toasts
    assert forged is not None
    assert "isn't one I can use" in forged
    assert agreed is None
    assert "United Kingdom" in patient.labels()


async def test_the_engine_line_takes_a_file_and_shows_what_the_bot_sends_unasked(
    engine: Engine,
) -> None:
    who = Who(user_id=9, language_code="en")
    await onboard(engine, who)
    line = EngineLine(engine, who)
    patient = Patient(line)
    await patient.send("/import")
    csv = b"date,back_pain,leg_pain,note\n2026-03-01,4,2,imported\n"
    await line.send_file("diary.csv", csv, patient.new_id())
    assert t("en", "import.ask_confirm") in patient.screen.text
    assert t("en", "import.confirm") in patient.labels()

    prompt = Screen("How is your back today?", buttons=((Button("5", "p5"),),))
    line.receive(Reply(verdict=Verdict.ACCEPTED, screen=prompt, seq=40))
    assert patient.screen.text == "How is your back today?"
    assert patient.data_of("5") == "bt:40:p5"
    assert not patient.seen[-1].edited


async def test_a_message_the_bot_api_refused_is_not_what_the_patient_saw(engine: Engine) -> None:
    """A send Telegram answered with an error never reached the chat."""
    api = OfflineBotApi()
    app = build_application(TOKEN, engine, request=api, rate_limit=False)
    async with app:
        patient = Patient(TelegramLine.of(app, api, 41))
        api.failures[41] = (500, "Internal Server Error", None)
        await patient.send("/start")
        assert [c.reached for c in api.calls if c.method == "sendMessage"] == [False]
        assert patient.seen == []
        del api.failures[41]
        await patient.send("/start")
        assert "BackTrack" in patient.last
