"""The queries every backend runs: one class per kind, on a DB-API connection, and row mappers.

Written in the SQL that SQLite and PostgreSQL share; where they differ (a scalar minimum) the
session names the function (`Connected._least`). Placeholders are `?` and `?N` as sqlite3 takes
them; the PostgreSQL connection translates them.
"""
