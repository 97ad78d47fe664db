"""The managers' and administrators' pages of the console, plugged into routes.py as one:
complaints, reviews and moderation, wishes, the culture menu, staff accounts and passwords,
organisations, designated reviewers, menu budgets, incubation and the audit log. Importing
this module adds their entries to the navigation (nav.NAV)."""

from __future__ import annotations

from jinja2 import Environment
from starlette.routing import BaseRoute

from culture_cloud.web.console import (
    administration,
    audit,
    feedback,
    incubation,
    labels,
    menu_ordering,
    menu_orders,
    menu_supply,
    reviews,
    staff_accounts,
    wishes,
)
from culture_cloud.web.frontend import FrontEnd

MODULES = (
    feedback,
    reviews,
    wishes,
    menu_ordering,
    menu_orders,
    menu_supply,
    staff_accounts,
    administration,
    incubation,
    audit,
)


def install(environment: Environment) -> None:
    """The template filters these pages use (`label`, `yuan`, ...)."""
    labels.install(environment)
    environment.filters["snapshot"] = audit.snapshot


def routes(web: FrontEnd) -> list[BaseRoute]:
    return [route for module in MODULES for route in module.routes(web)]
