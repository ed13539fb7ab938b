"""The PostgreSQL backend of the storage port: a pool of connections, one unit of work each.

Chosen with BACKTRACK_DATABASE_URL=postgresql://...; it runs the queries of `storage.sql`
through `connection.Translated`, which turns their `?` placeholders into psycopg's.
"""
