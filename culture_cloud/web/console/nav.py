"""The console's navigation: one registry of entries, each naming the roles that may use it.

A console module adds its pages' entries when it is imported, next to its `routes(web)`:

    from culture_cloud.web.console.nav import NAV, NavEntry, EDITING
    NAV.append(NavEntry("/console/events", "活动", EDITING, order=20))

so branches that add modules never edit the same lines here. The bar shows a viewer the
entries whose `roles` hold their role, sorted by `order` (then label). The roles follow the
API's permissions: an entry must not lead a role to a page the API refuses it.

Planned entries (path, label, roles, order), so modules agree on paths and order:
    /console/door            检票            checker editor manager      10
    /console/events          活动            editor manager              20
    /console/uploads         上传            editor manager              30
    /console/bookings        预约名单        editor manager              40
    /console/places          场馆/景区       manager admin               50
    /console/reviews         评价            manager                     60
    /console/feedback        投诉            manager                     70
    /console/wishes          心愿            manager                     80
    /console/menu            文化菜单        manager                     90
    /console/staff           员工            manager                     100
    /console/organizations   机构与账号      admin                       110
    /console/moderation      审核            admin                       120
    /console/feedback        投诉（全市）    admin                       130  (same page)
    /console/incubation      孵化            admin                       140
    /console/audit           审计日志        admin                       150
    /dashboard               数据看板        admin                       160
    /console/password        修改密码        everyone                    900  (password.py)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

CHECKER: Final = "checker"
EDITOR: Final = "editor"
MANAGER: Final = "manager"
ADMIN: Final = "admin"
ROLES: Final = (CHECKER, EDITOR, MANAGER, ADMIN)

# Role sets most entries use.
EDITING: Final = frozenset({EDITOR, MANAGER})
# The door, as the API's checkIn / doorList / checkInBatch: not editors (they plan events, they
# do not let people in).
DOOR: Final = frozenset({CHECKER, MANAGER, ADMIN})
MANAGING: Final = frozenset({MANAGER})
ADMINISTERING: Final = frozenset({ADMIN})
EVERYONE: Final = frozenset(ROLES)
# Who may change an organisation's events (the API: editors, managers, administrators).
EVENT_EDITORS: Final = frozenset({EDITOR, MANAGER, ADMIN})


@dataclass(frozen=True)
class NavEntry:
    path: str  # the link, absolute ("/console/events", "/dashboard")
    label: str
    roles: frozenset[str]
    order: int = 500

    def __post_init__(self) -> None:
        unknown = set(self.roles) - set(ROLES)
        if unknown:
            raise ValueError(f"nav entry {self.path}: unknown roles {sorted(unknown)}")


NAV: list[NavEntry] = []


def nav_for(role: str | None) -> list[NavEntry]:
    """The entries `role` may use, in the bar's order; none for a visitor who is not staff.
    A path listed twice (say, by two modules) shows once, with its first label."""
    if role is None:
        return []
    seen: set[str] = set()
    entries = []
    for entry in sorted(NAV, key=lambda e: (e.order, e.label)):
        if role in entry.roles and entry.path not in seen:
            seen.add(entry.path)
            entries.append(entry)
    return entries
