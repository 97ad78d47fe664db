"""Imports every table module so SQLModel.metadata is complete (Alembic, tests, seeding)."""

from culture_cloud.accounts import models as accounts_models
from culture_cloud.accounts.sms import models as sms_models
from culture_cloud.audit import models as audit_models
from culture_cloud.bookings import models as bookings_models
from culture_cloud.catalog import models as catalog_models
from culture_cloud.feedback import models as feedback_models
from culture_cloud.menu import models as menu_models
from culture_cloud.notifications import models as notifications_models
from culture_cloud.reviews import models as reviews_models
from culture_cloud.statistics import models as statistics_models

__all__ = [
    "accounts_models",
    "audit_models",
    "bookings_models",
    "catalog_models",
    "feedback_models",
    "menu_models",
    "notifications_models",
    "reviews_models",
    "sms_models",
    "statistics_models",
]
