"""SQLite storage: the only package with SQL."""
