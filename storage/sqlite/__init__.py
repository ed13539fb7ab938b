"""The SQLite backend of the storage port: one file, one database thread, group commits."""
