"""PIPL consent: a user must accept the privacy notice in force; the version and time are
recorded (and audited), and a new version asks again."""

from __future__ import annotations

from culture_cloud.settings import Settings
from culture_cloud.testing.fake_sms import FakeSmsServer
from culture_cloud.testing.fake_wechat import FakeWechat, FakeWechatServer
from tests.accounts.conftest import app_settings_for
from tests.accounts.factories import add_admin, add_user
from tests.conftest import Database
from tests.support.graphql import GraphQLClient, graphql_client
from tests.support.ids import gid

NOTICE = "{ privacyNotice { version text } }"
CONSENT = "{ me { privacyConsentRequired privacyNoticeVersion privacyConsentedAt } }"
ACCEPT = """
mutation Accept($version: String!) {
  acceptPrivacyNotice(version: $version) {
    __typename
    ... on AcceptPrivacyNoticeSuccess { user { privacyConsentRequired privacyNoticeVersion } }
    ... on UserError { code field message }
  }
}
"""
AUDIT = "{ auditLog(first: 10) { edges { node { action targetType } } } }"
# The version in force in the test settings (the default).
CURRENT = Settings(environment="test").privacy_notice_version
NEXT = f"{CURRENT}-r2"
USER = "query U($id: ID!) { user(id: $id) { privacyConsentRequired privacyNoticeVersion } }"


async def test_privacy_notice__anyone__current_version_and_demo_text(
    api: GraphQLClient, app_settings: Settings
) -> None:
    notice = (await api.data(NOTICE))["privacyNotice"]

    assert notice["version"] == app_settings.privacy_notice_version
    assert "隐私政策" in notice["text"] and "示例" in notice["text"]


async def test_new_resident__consent_required(api: GraphQLClient, wechat: FakeWechat) -> None:
    token = await api.resident_token(wechat, "o-new")

    me = (await api.data(CONSENT, token=token))["me"]

    assert me == {
        "privacyConsentRequired": True,
        "privacyNoticeVersion": None,
        "privacyConsentedAt": None,
    }


async def test_accept__current_version__recorded_and_no_longer_required(
    api: GraphQLClient, db: Database
) -> None:
    resident, admin = await add_user(db), await add_admin(db)

    result = (await api.data(ACCEPT, {"version": CURRENT}, user=resident))["acceptPrivacyNotice"]

    assert result == {
        "__typename": "AcceptPrivacyNoticeSuccess",
        "user": {"privacyConsentRequired": False, "privacyNoticeVersion": CURRENT},
    }
    me = (await api.data(CONSENT, user=resident))["me"]
    assert me["privacyConsentedAt"] is not None
    entries = (await api.data(AUDIT, user=admin))["auditLog"]["edges"]
    assert {"action": "user.accept_privacy_notice", "targetType": "User"} in [
        e["node"] for e in entries
    ]


async def test_accept__not_the_current_version__refused_and_nothing_recorded(
    api: GraphQLClient, db: Database
) -> None:
    resident = await add_user(db)

    result = (await api.data(ACCEPT, {"version": "2000-01"}, user=resident))["acceptPrivacyNotice"]

    assert (result["__typename"], result["code"], result["field"]) == (
        "InputError",
        "PRIVACY_NOTICE_OUTDATED",
        "version",
    )
    assert CURRENT in result["message"]
    assert (await api.data(CONSENT, user=resident))["me"]["privacyConsentRequired"] is True


async def test_new_notice_version__consent_required_again(
    api: GraphQLClient,
    db: Database,
    fake_wechat: FakeWechatServer,
    fake_sms: FakeSmsServer,
) -> None:
    resident = await add_user(db)
    await api.data(ACCEPT, {"version": CURRENT}, user=resident)
    updated = app_settings_for(db, fake_wechat, fake_sms, privacy_notice_version=NEXT)

    async with graphql_client(db, updated) as after_update:
        me = (await after_update.data(CONSENT, user=resident))["me"]
        accepted = (await after_update.data(ACCEPT, {"version": NEXT}, user=resident))[
            "acceptPrivacyNotice"
        ]

    assert (me["privacyConsentRequired"], me["privacyNoticeVersion"]) == (True, CURRENT)
    assert accepted["user"] == {"privacyConsentRequired": False, "privacyNoticeVersion": NEXT}


async def test_accept__anonymous__unauthenticated(api: GraphQLClient) -> None:
    assert await api.error_codes(ACCEPT, {"version": CURRENT}) == ["UNAUTHENTICATED"]


async def test_consent_fields__seen_by_someone_else__empty(
    api: GraphQLClient, db: Database
) -> None:
    resident, admin = await add_user(db), await add_admin(db)
    await api.data(ACCEPT, {"version": CURRENT}, user=resident)

    seen = (await api.data(USER, {"id": gid("User", resident.id)}, user=admin))["user"]

    assert seen == {"privacyConsentRequired": None, "privacyNoticeVersion": None}
