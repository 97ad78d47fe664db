"""`culture-cloud serve | migrate | seed | export-schema | create-admin`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path

from culture_cloud.settings import Environment, Settings

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "schema.graphql"
ADMIN_PASSWORD_ENV = "CULTURE_CLOUD_ADMIN_PASSWORD"


def export_schema_text() -> str:
    from culture_cloud.graphql.schema import create_schema

    # The contract is the development schema; production only hides introspection.
    return str(create_schema(Settings(environment=Environment.DEVELOPMENT))) + "\n"


async def _seed(settings: Settings, *, synthetic: int, only_if_empty: bool) -> None:
    from culture_cloud.db import create_engine, create_session_factory, transaction
    from culture_cloud.seeding.demo_accounts import load_demo_accounts
    from culture_cloud.seeding.jiexiu import is_seeded, load_jiexiu
    from culture_cloud.seeding.synthetic import load_synthetic

    engine = create_engine(settings)
    try:
        factory = create_session_factory(engine)
        async with transaction(factory) as session:
            if not (only_if_empty and await is_seeded(session)):
                await load_jiexiu(session)
                print("已加载介休种子数据 (Jiexiu seed data loaded)")
        async with transaction(factory) as session:
            # Idempotent, and in production it only disables leftovers (see the module).
            created = await load_demo_accounts(session, settings)
        if created:
            print(f"已创建演示账号（仅限本地）(demo accounts, local only): {', '.join(created)}")
        if synthetic:
            async with transaction(factory) as session:
                await load_synthetic(session, count=synthetic)
            print(f"已生成 {synthetic} 条合成活动 (synthetic events generated)")
    finally:
        await engine.dispose()


def _admin_password(given: str | None) -> str:
    if given:
        return given
    from_env = os.environ.get(ADMIN_PASSWORD_ENV)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        sys.exit(f"no password: pass --password, set {ADMIN_PASSWORD_ENV} or run in a terminal")
    first = getpass.getpass("管理员密码 (admin password, ≥ 12 characters): ")
    if getpass.getpass("再次输入 (again): ") != first:
        sys.exit("两次输入的密码不一致 (passwords differ)")
    return first


async def _create_admin(settings: Settings, *, username: str, password: str) -> None:
    from culture_cloud.accounts import passwords
    from culture_cloud.accounts.service import create_admin
    from culture_cloud.db import create_engine, create_session_factory, transaction, utcnow
    from culture_cloud.errors import DomainError

    try:
        passwords.check_strength(password)
    except DomainError as exc:
        sys.exit(f"密码太弱 (weak password): {exc.message}")
    engine = create_engine(settings)
    try:
        async with transaction(create_session_factory(engine)) as session:
            user = await create_admin(session, username=username, password=password, now=utcnow())
    except DomainError as exc:
        sys.exit(f"未创建 (not created): {exc.message}")
    finally:
        await engine.dispose()
    print(f"已创建管理员 {user.username} (administrator created)")


def _migrate(settings: Settings) -> None:
    from culture_cloud.migrations import upgrade

    upgrade(settings.database_url)
    print("数据库迁移完成 (migrations applied)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="culture-cloud", description="介休文旅云")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="migrate, seed on first start, then serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    sub.add_parser("migrate", help="apply database migrations")
    seed = sub.add_parser("seed", help="load the Jiexiu seed data (idempotent)")
    seed.add_argument(
        "--synthetic",
        type=int,
        default=0,
        metavar="N",
        help="also generate N clearly synthetic events (benchmarks)",
    )
    admin = sub.add_parser("create-admin", help="create an administrator account")
    admin.add_argument("--username", required=True)
    admin.add_argument(
        "--password",
        default=None,
        help=f"at least 12 characters; better: {ADMIN_PASSWORD_ENV} or the prompt "
        "(a command-line argument is visible to other users of the machine)",
    )
    export = sub.add_parser("export-schema", help="print or write schema.graphql")
    export.add_argument("--output", type=Path, default=None)
    export.add_argument("--check", action="store_true", help="fail if the file is out of date")
    args = parser.parse_args(argv)

    if args.command == "export-schema":
        text = export_schema_text()
        target = args.output or SCHEMA_PATH
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                sys.exit(f"{target} is out of date: run `culture-cloud export-schema`")
            return
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
        return

    settings = Settings()
    if args.command == "migrate":
        _migrate(settings)
    elif args.command == "create-admin":
        password = _admin_password(args.password)
        _migrate(settings)
        asyncio.run(_create_admin(settings, username=args.username, password=password))
    elif args.command == "seed":
        _migrate(settings)
        asyncio.run(_seed(settings, synthetic=args.synthetic, only_if_empty=False))
    elif args.command == "serve":
        import uvicorn

        from culture_cloud.app import configure_logging

        configure_logging()
        _migrate(settings)
        if settings.seed_on_start:
            asyncio.run(_seed(settings, synthetic=0, only_if_empty=True))
        print(f"介休文旅云 running on http://{args.host}:{args.port}/graphql")
        uvicorn.run(
            "culture_cloud.app:app_from_env",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level="info",
        )


if __name__ == "__main__":
    main()
