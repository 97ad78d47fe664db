"""Run Alembic from code: `culture-cloud migrate`, `serve` and the test fixtures use this."""

from __future__ import annotations

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
