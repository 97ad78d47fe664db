"""Run Alembic from code: `culture-cloud migrate`, `serve` and the test fixtures use this."""

from __future__ import annotations

from functools import cache

from alembic import command
from alembic.config import Config

from culture_cloud.resources import data_path

MIGRATIONS_DIR = data_path("schema", "migrations")


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url)
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


@cache
def revisions() -> tuple[frozenset[str], frozenset[str]]:
    """(heads, every revision) of this code's migrations, read once: the files do not change
    while the process runs."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    every = frozenset(revision.revision for revision in script.walk_revisions())
    return frozenset(script.get_heads()), every
