"""User notifications: an outbox written inside domain transactions, delivered by a worker."""

from culture_cloud.notifications.models import DeliveryStatus, Notification, NotificationKind
from culture_cloud.notifications.outbox import enqueue, enqueue_many

__all__ = ["DeliveryStatus", "Notification", "NotificationKind", "enqueue", "enqueue_many"]
