"""Imports every table module so SQLModel.metadata is complete (Alembic, tests, seeding)."""

from culture_cloud.accounts import models as accounts_models
from culture_cloud.bookings import models as bookings_models
from culture_cloud.catalog import models as catalog_models
from culture_cloud.notifications import models as notifications_models

__all__ = ["accounts_models", "bookings_models", "catalog_models", "notifications_models"]
