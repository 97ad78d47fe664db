"""Compiled reads: a read document planned once into one SQL statement that builds the
response's `data` JSON in PostgreSQL (see reads.py for the HTTP path, planner.py for plans)."""
