"""Cross-domain hooks, registered in one place at start-up.

Lower domains offer hooks (personal-data export and erasure in accounts, the rating-change
signal in reviews, the event-cancelled listeners in publishing) without importing the domains
that use them; this module, beside app.py at the root, connects them. It is called by
create_app, the command line and the tests, so nothing depends on which modules happen to be
imported first. Every registry keeps a hook once, so calling `wire` again changes nothing.
"""

from __future__ import annotations

from culture_cloud.accounts import personal_data
from culture_cloud.bookings import personal_data as bookings_data
from culture_cloud.feedback import personal_data as feedback_data
from culture_cloud.menu import personal_data as menu_data
from culture_cloud.menu import scores as menu_scores
from culture_cloud.menu.orders import service as menu_orders
from culture_cloud.publishing import event_hooks
from culture_cloud.reviews import personal_data as reviews_data
from culture_cloud.reviews import signals as review_signals


def wire() -> None:
    # exportMyData: one section per domain (sorted by name when exported).
    personal_data.register_exporter("bookings", bookings_data.export_bookings)
    personal_data.register_exporter("reviews", reviews_data.export_reviews)
    personal_data.register_exporter("feedback", feedback_data.export_feedback)
    personal_data.register_exporter("wishes", menu_data.export_wishes)
    personal_data.register_exporter("communityGroups", menu_data.export_community_groups)
    # deleteMyAccount: what each domain releases and erases, in its transaction.
    personal_data.register_eraser(bookings_data.release_and_erase_bookings)
    personal_data.register_eraser(reviews_data.erase_report_notes)
    personal_data.register_eraser(feedback_data.erase_contact)
    personal_data.register_eraser(menu_data.erase_application_members)

    review_signals.on_rating_changed(menu_scores.move_menu_scores)
    event_hooks.event_cancelled_listener(menu_orders.on_delivery_cancelled)
