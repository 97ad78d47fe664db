"""Who is using the console: `require_staff(request, web)` at the top of every console page.

    viewer = await require_staff(request, web)

answers the signed-in member of staff (or administrator), or ends the page: nobody signed in
→ /console/login?next=<this page>; a resident → 403 "工作台仅供工作人员使用". The viewer is
kept on the request, so the layout's navigation (and an error page later in the request)
shows what that role may use. It is one document (console_viewer.graphql); whether an action
is allowed is still the API's decision, page by page."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from culture_cloud.web.console.nav import ADMIN, ROLES, nav_for
from culture_cloud.web.frontend import FrontEnd, WebKit
from culture_cloud.web.results import PageForbidden, SignInRequired

HERE = Path(__file__).parent
STAFF_ONLY = "工作台仅供工作人员使用"
NOT_YOUR_ROLE = "您的岗位不能使用此功能"
_STATE = "console_viewer"


@dataclass(frozen=True)
class StaffViewer:
    id: str  # the User's global ID
    kind: str  # "STAFF" or "ADMIN"
    role: str  # one of nav.ROLES: "checker", "editor", "manager", "admin"
    username: str | None
    nickname: str | None
    organization_id: str | None  # global ID; administrators belong to the bureau
    organization_name: str | None

    @property
    def name(self) -> str:
        return self.nickname or self.username or "工作人员"

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    def can(self, *roles: str) -> bool:
        return self.role in roles


def staff_viewer(me: dict[str, Any] | None) -> StaffViewer | None:
    """The console's viewer from `me`, or None when `me` is not staff or an administrator."""
    if not me or me.get("kind") not in ("STAFF", "ADMIN"):
        return None
    role = ADMIN if me["kind"] == "ADMIN" else str(me.get("staffRole") or "").lower()
    if role not in ROLES:
        return None  # staff without a role: nothing in the console is theirs
    organization = me.get("organization") or {}
    return StaffViewer(
        id=str(me["id"]),
        kind=str(me["kind"]),
        role=role,
        username=me.get("username"),
        nickname=me.get("nickname"),
        organization_id=organization.get("id"),
        organization_name=organization.get("name"),
    )


async def require_staff(
    request: Request, web: FrontEnd, roles: Collection[str] | None = None
) -> StaffViewer:
    """The signed-in staff member or administrator; else the sign-in redirect or a 403 page.
    `roles` (nav.ROLES names): a page only they may use — a form whose action the API refuses
    every other role — is a 403 page for the others, with the bar of their role."""
    viewer = await _staff(request, web)
    if roles is not None and viewer.role not in roles:
        raise PageForbidden(shown=NOT_YOUR_ROLE)
    return viewer


async def _staff(request: Request, web: FrontEnd) -> StaffViewer:
    kept = getattr(request.state, _STATE, None)
    if isinstance(kept, StaffViewer):
        return kept
    if not web.sessions.signed_in(request):
        raise SignInRequired()
    me = (await web.data(request, "console_viewer"))["me"]
    if me is None:
        raise SignInRequired()
    viewer = staff_viewer(me)
    if viewer is None:
        raise PageForbidden(shown=STAFF_ONLY)
    setattr(request.state, _STATE, viewer)
    return viewer


def current_viewer(request: Request) -> StaffViewer | None:
    """The viewer `require_staff` found earlier in this request, if any."""
    kept = getattr(request.state, _STATE, None)
    return kept if isinstance(kept, StaffViewer) else None


class Console(FrontEnd):
    """The console's front end: its documents and templates (the shared ones stay available),
    and every page rendered with the viewer and the navigation of their role."""

    def __init__(self, kit: WebKit) -> None:
        super().__init__(kit, documents=HERE / "documents", templates=HERE / "templates")

    def render(
        self,
        request: Request,
        template: str,
        context: dict[str, Any] | None = None,
        *,
        status_code: int = 200,
        private: bool = False,
    ) -> Response:
        viewer = current_viewer(request)
        values = {
            "viewer": viewer,
            "nav": nav_for(viewer.role if viewer else None),
            **(context or {}),
        }
        return super().render(request, template, values, status_code=status_code, private=private)
