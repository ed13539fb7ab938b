"""Numbered, append-only schema migrations tracked in PRAGMA user_version.

Never edit a migration that has shipped: add a new one. A test pins the text of each.
"""

from __future__ import annotations

import sqlite3

# One date's totals from its entries; a date without entries gives no row.
_DAY_TOTALS = (
    "SELECT user_id, CAST(julianday(entry_date) - 1721424.5 AS INTEGER), sum(back_pain), "
    "count(back_pain), sum(leg_pain), count(leg_pain), "
    "coalesce(group_concat(nullif(symptoms, ''), ';'), '') FROM entries"
)


def _recount(row: str) -> str:
    """The trigger statements that set one date's totals again from its entries."""
    where = f"user_id = {row}.user_id AND entry_date = {row}.entry_date"
    day = f"CAST(julianday({row}.entry_date) - 1721424.5 AS INTEGER)"
    return (
        f"DELETE FROM entry_days WHERE user_id = {row}.user_id AND day = {day}; "
        f"INSERT INTO entry_days {_DAY_TOTALS} WHERE {where} GROUP BY user_id, entry_date; "
        f"DELETE FROM trend_cache WHERE user_id = {row}.user_id AND upto >= {day};"
    )


MIGRATIONS: tuple[str, ...] = (
    # 1: users, diary entries, conversation state, processed Telegram updates
    """
    CREATE TABLE users (
        user_id       INTEGER PRIMARY KEY,
        consented_at  TEXT NOT NULL,
        language      TEXT NOT NULL DEFAULT 'en',
        timezone      TEXT NOT NULL DEFAULT 'UTC',
        country       TEXT,
        display_name  TEXT,
        surgery_year  INTEGER,
        surgery_month INTEGER CHECK (surgery_month BETWEEN 1 AND 12),
        region        TEXT,
        levels        INTEGER CHECK (levels BETWEEN 0 AND 10),
        risk_factors  TEXT NOT NULL DEFAULT '',
        updated_at    TEXT NOT NULL
    );
    CREATE TABLE entries (
        id          INTEGER PRIMARY KEY,
        user_id     INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
        entry_date  TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        timezone    TEXT NOT NULL,
        back_pain   INTEGER CHECK (back_pain BETWEEN 0 AND 10),
        leg_pain    INTEGER CHECK (leg_pain BETWEEN 0 AND 10),
        symptoms    TEXT NOT NULL DEFAULT '',
        note        TEXT,
        source      TEXT NOT NULL,
        CHECK (back_pain IS NOT NULL OR leg_pain IS NOT NULL)
    );
    CREATE INDEX entries_by_user_date ON entries (user_id, entry_date);
    CREATE TABLE conversations (
        user_id    INTEGER PRIMARY KEY,
        seq        INTEGER NOT NULL,
        state      TEXT,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE processed_updates (
        update_id    INTEGER PRIMARY KEY,
        processed_at TEXT NOT NULL
    );
    """,
    # 2: symptom-checker results
    """
    CREATE TABLE checks (
        id                 INTEGER PRIMARY KEY,
        user_id            INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
        recorded_at        TEXT NOT NULL,
        days_since_surgery INTEGER,
        findings           TEXT NOT NULL DEFAULT '',
        unsure             TEXT NOT NULL DEFAULT '',
        known              TEXT NOT NULL DEFAULT '',
        tier               TEXT NOT NULL,
        red_flags          TEXT NOT NULL DEFAULT '',
        causes             TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX checks_by_user_time ON checks (user_id, recorded_at);
    """,
    # 3: check-in prompts: settings, the next due instant, once-only prompt records, PEG
    """
    ALTER TABLE users ADD COLUMN checkin_time TEXT NOT NULL DEFAULT '20:00';
    ALTER TABLE users ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE users ADD COLUMN blocked INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE users ADD COLUMN next_prompt_at TEXT;
    CREATE INDEX users_due ON users (next_prompt_at)
        WHERE paused = 0 AND blocked = 0 AND next_prompt_at IS NOT NULL;
    CREATE TABLE prompts (
        id         INTEGER PRIMARY KEY,
        user_id    INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
        kind       TEXT NOT NULL,
        key        TEXT NOT NULL,
        local_date TEXT NOT NULL,
        due_at     TEXT NOT NULL,
        status     TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (user_id, kind, key)
    );
    CREATE TABLE function_checkins (
        id           INTEGER PRIMARY KEY,
        user_id      INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
        entry_date   TEXT NOT NULL,
        recorded_at  TEXT NOT NULL,
        average_pain INTEGER NOT NULL CHECK (average_pain BETWEEN 0 AND 10),
        enjoyment    INTEGER NOT NULL CHECK (enjoyment BETWEEN 0 AND 10),
        activity     INTEGER NOT NULL CHECK (activity BETWEEN 0 AND 10)
    );
    CREATE INDEX function_checkins_by_user ON function_checkins (user_id, entry_date);
    """,
    # 4: trend alerts sent, for their cooldown and the surgeon's report
    """
    CREATE TABLE alerts (
        id       INTEGER PRIMARY KEY,
        user_id  INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
        day      TEXT NOT NULL,
        kind     TEXT NOT NULL,
        which    TEXT NOT NULL,
        tier     TEXT NOT NULL,
        sent_at  TEXT NOT NULL
    );
    CREATE INDEX alerts_by_user_day ON alerts (user_id, day);
    """,
    # 5: the day of surgery or bounds on it (REFERENCE.md §8.1), when the patient was asked
    # what older versions never asked, and the outbox of safety messages (§8, DESIGN.md)
    """
    ALTER TABLE users ADD COLUMN surgery_day INTEGER CHECK (surgery_day BETWEEN 1 AND 31);
    ALTER TABLE users ADD COLUMN surgery_after TEXT;
    ALTER TABLE users ADD COLUMN surgery_before TEXT;
    ALTER TABLE users ADD COLUMN details_asked_at TEXT;
    CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY,
        user_id         INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
        decided_at      TEXT NOT NULL,
        kind            TEXT NOT NULL,
        tier            TEXT NOT NULL,
        source          TEXT NOT NULL,
        red_flags       TEXT NOT NULL DEFAULT '',
        findings        TEXT NOT NULL DEFAULT '',
        text            TEXT NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        delivered_at    TEXT,
        last_error      TEXT
    );
    CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL;
    CREATE INDEX outbox_by_user ON outbox (user_id, decided_at);
    """,
    # 6: whether an entry has a clock time of its own (0: a CSV row imported without one, whose
    # recorded_at is the moment of the import); older rows all have one
    """
    ALTER TABLE entries ADD COLUMN timed INTEGER NOT NULL DEFAULT 1 CHECK (timed IN (0, 1));
    """,
    # 7: an unsaved diary entry put aside when another command came mid-entry, kept beside
    # the conversation (and erased with it) until /log carries on with it
    """
    ALTER TABLE conversations ADD COLUMN entry_aside TEXT;
    """,
    # 8: reminders were marked on at consent, at a 20:00 UTC nobody chose; an onboarding left
    # before its reminder step never scheduled one. Those accounts now say "off", as they are.
    """
    UPDATE users SET paused = 1 WHERE paused = 0 AND next_prompt_at IS NULL;
    """,
    # 9: each diary date's totals per measure (REFERENCE.md §3.1: a day's pain is the mean of
    # its entries), kept by the database itself on every change of `entries`, so the trend
    # check after each save reads one row a date instead of averaging every entry again. The
    # day is the proleptic Gregorian ordinal (date.toordinal) of entry_date. No foreign key:
    # erasing a user deletes its entries, and their triggers empty its dates.
    # trend_cache keeps what the last trend check read up to a day (`upto`, two weeks before
    # it), so the next check reads only the dates after; any change of an entry on or before
    # `upto` deletes it (storage/sql/trend_window.py).
    f"""
    CREATE TABLE entry_days (
        user_id   INTEGER NOT NULL,
        day       INTEGER NOT NULL,
        back_sum  INTEGER,
        back_n    INTEGER NOT NULL,
        leg_sum   INTEGER,
        leg_n     INTEGER NOT NULL,
        symptoms  TEXT NOT NULL,
        PRIMARY KEY (user_id, day)
    ) WITHOUT ROWID;
    INSERT INTO entry_days {_DAY_TOTALS} GROUP BY user_id, entry_date;
    CREATE TABLE trend_cache (
        user_id     INTEGER PRIMARY KEY,
        upto        INTEGER NOT NULL,
        settled     INTEGER,
        recent      INTEGER NOT NULL,
        baseline    INTEGER NOT NULL,
        measures    TEXT NOT NULL,
        back_days   BLOB NOT NULL,
        back_values BLOB NOT NULL,
        leg_days    BLOB NOT NULL,
        leg_values  BLOB NOT NULL,
        logged      BLOB NOT NULL,
        symptoms    TEXT NOT NULL
    );
    CREATE TRIGGER entry_days_after_insert AFTER INSERT ON entries BEGIN
        {_recount("NEW")}
    END;
    CREATE TRIGGER entry_days_after_delete AFTER DELETE ON entries BEGIN
        {_recount("OLD")}
    END;
    CREATE TRIGGER entry_days_after_update
    AFTER UPDATE OF user_id, entry_date, back_pain, leg_pain, symptoms ON entries BEGIN
        {_recount("OLD")}
        {_recount("NEW")}
    END;
    """,
    # 10: what an alert was about is a list like every other (a measure, "nerve", or each red
    # flag's ID and warning code), kept with ";" as the other lists are, no longer "+".
    """
    ALTER TABLE alerts RENAME COLUMN which TO about;
    UPDATE alerts SET about = replace(about, '+', ';');
    """,
    # 11: the doses of pain medicine a patient took as needed that day (NULL: not asked)
    """
    ALTER TABLE entries ADD COLUMN as_needed_doses INTEGER;
    """,
    # 12: the bot-wide budget of bulk sends (a token bucket: tokens left at `at`, Unix seconds),
    # which several prompt senders on one PostgreSQL database share; one SQLite process needs
    # only its own limiter, and the table is here so both schemas stay the same
    """
    CREATE TABLE send_budget (
        id     INTEGER PRIMARY KEY,
        tokens REAL NOT NULL,
        at     REAL NOT NULL
    );
    """,
    # 13: which sender claimed a prompt (its host and process), beside when (updated_at)
    """
    ALTER TABLE prompts ADD COLUMN claimed_by TEXT;
    """,
    # 14: medicines (each start, change and stop a dated row, never overwritten), treatment
    # events, and an entry's as-needed doses medicine by medicine (JSON, [] for none)
    """
    ALTER TABLE entries ADD COLUMN medicine_doses TEXT NOT NULL DEFAULT '[]';
    CREATE TABLE medicine_changes (
        id          INTEGER PRIMARY KEY,
        user_id     INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
        medicine    INTEGER NOT NULL,
        action      TEXT NOT NULL,
        changed_on  TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        name        TEXT NOT NULL,
        drug_class  TEXT NOT NULL,
        kind        TEXT NOT NULL,
        dose        TEXT,
        times_a_day INTEGER CHECK (times_a_day BETWEEN 1 AND 6)
    );
    CREATE INDEX medicine_changes_by_user ON medicine_changes (user_id, changed_on);
    CREATE TABLE treatment_events (
        id          INTEGER PRIMARY KEY,
        user_id     INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
        event_date  TEXT NOT NULL,
        kind        TEXT NOT NULL,
        detail      TEXT,
        recorded_at TEXT NOT NULL
    );
    CREATE INDEX treatment_events_by_user ON treatment_events (user_id, event_date);
    """,
)


def schema_version(conn: sqlite3.Connection) -> int:
    """Return the schema version recorded in the database file."""
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every migration the database has not seen, each in its own transaction."""
    current = schema_version(conn)
    if current > len(MIGRATIONS):
        raise RuntimeError(
            f"database schema version {current} is newer than this program "
            f"({len(MIGRATIONS)}); upgrade BackTrack"
        )
    for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return schema_version(conn)


def _statements(script: str) -> list[str]:
    # executescript() would COMMIT on its own; split so the migration stays one transaction.
    # A trigger's body holds semicolons of its own: a statement ends where SQLite says it does.
    statements: list[str] = []
    pending = ""
    for part in script.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                statements.append(pending.strip())
            pending = ""
    if pending.strip(" \n;"):
        statements.append(pending.strip())
    return statements
