"""Carries out a flow's effects in the unit of work that decided them."""

from __future__ import annotations

from flows.kit.core import (
    ClearEntryAside,
    DeleteEntry,
    Effect,
    EraseUser,
    ExportFile,
    ImportEntries,
    RecordConsent,
    Reschedule,
    SaveCheck,
    SaveEntry,
    SaveFunctionCheckin,
    SaveProfile,
    SendAdvice,
    SetEntryAside,
    SnoozePrompt,
)
from storage.ports import Session


def carry_out(session: Session, user_id: int, effect: Effect) -> None:
    """Store what one effect says; advice and imports the engine answers itself."""
    match effect:
        case RecordConsent():
            session.record_consent(user_id, effect.language, effect.timezone, effect.country)
        case SaveCheck():
            session.add_check(user_id, effect.result)
        case SaveProfile():
            session.save_profile(effect.profile.model_copy(update={"user_id": user_id}))
        case SaveEntry():
            if effect.replaces is None:
                session.add_entry(user_id, effect.entry)
            else:
                session.replace_entry(user_id, effect.replaces, effect.entry)
        case DeleteEntry():
            session.delete_entry(user_id, effect.entry_id)
        case SetEntryAside():
            session.set_entry_aside(user_id, effect.draft)
        case ClearEntryAside():
            session.set_entry_aside(user_id, None)
        case SaveFunctionCheckin():
            session.add_function_checkin(user_id, effect.checkin)
        case EraseUser():
            session.erase_user(user_id)
        case Reschedule():
            session.set_next_prompt(user_id, effect.next_at)
        case SnoozePrompt():
            session.reopen_prompt(user_id, effect.prompt_kind, effect.key)
            session.set_next_prompt(user_id, effect.until)
        case SendAdvice() | ImportEntries() | ExportFile():
            # Their results go into the reply (the advice's id, the import's counts, the file).
            raise TypeError(f"{type(effect).__name__} is answered by the engine")
