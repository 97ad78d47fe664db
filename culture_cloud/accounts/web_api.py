"""Web sign-in in the API besides SMS: WeChat web authorisation, and the privacy notice a user
consents to (PIPL)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from culture_cloud.accounts import consent, wechat_web
from culture_cloud.accounts.clients import wechat_web as wechat_web_client
from culture_cloud.accounts.types import AuthPayload, LoginError, LoginResult, User
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.mutation import errors_as, run_command
from culture_cloud.graphql.permissions import IsAuthenticated, Public
from culture_cloud.graphql.user_errors import InputError


@strawberry.type(description="现行隐私政策（个人信息保护法：告知—同意）")
class PrivacyNotice:
    version: str = strawberry.field(description="版本号；同意时原样传给 acceptPrivacyNotice")
    text: str = strawberry.field(description="全文（Markdown，简体中文）")


@strawberry.type(description="已记录同意")
class AcceptPrivacyNoticeSuccess:
    user: User = strawberry.field(description="本人，privacyConsentRequired 已为 false")


AcceptPrivacyNoticeResult = Annotated[
    AcceptPrivacyNoticeSuccess | InputError, strawberry.union("AcceptPrivacyNoticeResult")
]


@strawberry.type
class PrivacyQuery:
    @strawberry.field(
        permission_classes=[Public],
        description="现行隐私政策的版本与全文；首次登录或版本更新后，网页与小程序据此请用户同意",
    )
    def privacy_notice(self, info: Info) -> PrivacyNotice:
        return PrivacyNotice(
            version=info.context.settings.privacy_notice_version, text=consent.notice_text()
        )


@strawberry.type
class WebSignInMutation:
    @strawberry.mutation(
        permission_classes=[Public],
        description="微信内网页授权登录：页面经微信授权返回的 code。与小程序账号按 unionid "
        "关联为同一居民，其次按公众号 openid，都没有则新建",
    )
    @errors_as(LoginError)
    async def login_with_wechat_web(
        self,
        info: Info,
        code: Annotated[
            str, strawberry.argument(description="微信授权后回到页面时 URL 中的 code 参数")
        ],
    ) -> LoginResult:
        pair = await wechat_web.login_with_wechat_web(
            info.context.session_factory,
            info.context.settings,
            wechat=wechat_web_client(info),
            code=code,
            now=info.context.now,
        )
        return AuthPayload.from_pair(pair)

    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description="同意隐私政策：version 须为现行版本（privacyNotice.version），否则返回 "
        "PRIVACY_NOTICE_OUTDATED；同意记录（版本、时间、IP）写入审计日志",
    )
    @errors_as(InputError)
    async def accept_privacy_notice(
        self,
        info: Info,
        version: Annotated[str, strawberry.argument(description="用户阅读并同意的政策版本号")],
    ) -> AcceptPrivacyNoticeResult:
        row = await run_command(
            info, consent.accept_privacy_notice, settings=info.context.settings, version=version
        )
        return AcceptPrivacyNoticeSuccess(user=User.of_owner(row))
