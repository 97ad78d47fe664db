"""`culture-cloud serve | migrate | seed | export-schema | trusted-documents | create-admin |
send-notifications | send-reminders | mark-no-shows`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import multiprocessing
import os
import sys
from pathlib import Path

from culture_cloud import cli_args
from culture_cloud.cli_jobs import mark_no_shows, rollup, send_notifications, send_reminders
from culture_cloud.operator_errors import OperatorError, check_database, load_settings
from culture_cloud.resources import data_path, is_installed_copy
from culture_cloud.settings import Environment, Settings
from culture_cloud.wiring import wire

SCHEMA_PATH = data_path("schema", "schema.graphql")
ADMIN_PASSWORD_ENV = "CULTURE_CLOUD_ADMIN_PASSWORD"


def export_schema_text() -> str:
    from culture_cloud.schema import create_schema

    # The contract is the development schema; production only hides introspection.
    return str(create_schema(load_settings(environment=Environment.DEVELOPMENT))) + "\n"


async def _seed(
    settings: Settings,
    *,
    synthetic: int,
    only_if_empty: bool,
    bookings: int = 0,
    reviews: int = 0,
) -> None:
    from culture_cloud.db import create_engine, create_session_factory, transaction
    from culture_cloud.seeding.demo_accounts import load_demo_accounts
    from culture_cloud.seeding.jiexiu import is_seeded, load_jiexiu
    from culture_cloud.seeding.synthetic import load_synthetic, load_synthetic_activity

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
        if bookings or reviews:
            async with transaction(factory) as session:
                made = await load_synthetic_activity(session, bookings=bookings, reviews=reviews)
            print(f"已生成合成预约 {made[0]} 条、评价 {made[1]} 条 (run `culture-cloud rollup`)")
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
    from culture_cloud.accounts.administration import create_admin
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
    args = _parser().parse_args(argv)
    wire()
    try:
        _run(args)
    except OperatorError as exc:
        # A bad setting or an unreachable database: the message says what to fix.
        sys.exit(str(exc))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="culture-cloud", description="介休文旅云")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="migrate, seed on first start, then serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=cli_args.port, default=8000)
    serve.add_argument("--workers", type=cli_args.positive, default=1)
    serve.add_argument(
        "--segmenter",
        choices=("auto", "shared", "in-process"),
        default="auto",
        help="jieba's dictionary in one process shared by the workers, or in each worker"
        " (auto: shared from 2 workers on)",
    )
    segmenter = sub.add_parser(
        "segmenter",
        help="hold the search dictionary for every API process on this host (systemd's "
        "culture-cloud-segmenter.service; they find it by CULTURE_CLOUD_SEGMENTER_SOCKET)",
    )
    segmenter.add_argument("--socket", required=True, help="the Unix socket to listen on")
    sub.add_parser("migrate", help="apply database migrations")
    seed = sub.add_parser("seed", help="load the Jiexiu seed data (idempotent)")
    seed.add_argument(
        "--synthetic",
        type=cli_args.non_negative,
        default=0,
        metavar="N",
        help="also generate N clearly synthetic events (benchmarks)",
    )
    seed.add_argument(
        "--synthetic-bookings",
        type=cli_args.non_negative,
        default=0,
        metavar="N",
        help="also generate N bookings of the synthetic events (PostgreSQL: COPY)",
    )
    seed.add_argument(
        "--synthetic-reviews",
        type=cli_args.non_negative,
        default=0,
        metavar="N",
        help="also generate N reviews of synthetic venues and events",
    )
    admin = sub.add_parser("create-admin", help="create an administrator account")
    admin.add_argument("--username", required=True)
    admin.add_argument(
        "--password",
        default=None,
        help=f"at least 12 characters; better: {ADMIN_PASSWORD_ENV} or the prompt "
        "(a command-line argument is visible to other users of the machine)",
    )
    sub.add_parser(
        "mark-no-shows",
        help="cron: bookings of ended events and slots not checked in become no-shows",
    )
    export = sub.add_parser("export-schema", help="print or write schema.graphql")
    export.add_argument("--output", type=Path, default=None)
    export.add_argument("--check", action="store_true", help="fail if the file is out of date")
    trusted = sub.add_parser(
        "trusted-documents",
        help='print the trusted documents as JSON {"sha256:<hex>": text} (clients send the ids)',
    )
    trusted.add_argument(
        "--index", action="store_true", help='print {"<front end>/<name>": "sha256:<hex>"} instead'
    )
    notify = sub.add_parser(
        "send-notifications", help="deliver the notification outbox (WeChat subscribe messages)"
    )
    notify.add_argument(
        "--once", action="store_true", help="send everything due now, then exit (for cron)"
    )
    notify.add_argument(
        "--batch", type=cli_args.positive, default=100, help="messages claimed at a time"
    )
    sub.add_parser(
        "send-reminders",
        help="enqueue reminders for confirmed bookings of tomorrow's events (idempotent)",
    )
    rollup = sub.add_parser(
        "rollup",
        help="recount the statistics rollup for events whose bookings changed (cron, idempotent)",
    )
    rollup.add_argument("--full", action="store_true", help="recount every event with bookings")
    return parser


def _prepare_database(settings: Settings) -> None:
    """`serve`'s first step, run in a child process: migrate, then seed an empty database."""
    _migrate(settings)
    if settings.seed_on_start:
        asyncio.run(_seed(settings, synthetic=0, only_if_empty=True))


def _run(args: argparse.Namespace) -> None:
    if args.command == "export-schema":
        text = export_schema_text()
        if args.output is None and is_installed_copy() and not args.check:
            # Never write into site-packages: an installed copy prints its schema.
            sys.stdout.write(text)
            return
        target = args.output or SCHEMA_PATH
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                sys.exit(f"{target} is out of date: run `culture-cloud export-schema`")
            return
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
        return

    if args.command == "trusted-documents":
        from culture_cloud.schema import create_schema
        from culture_cloud.web.trusted_documents import listing_json

        schema = create_schema(load_settings(environment=Environment.DEVELOPMENT))
        sys.stdout.write(listing_json(schema._schema, index=args.index))
        return

    if args.command == "segmenter":
        # Needs no database and no settings: it only cuts text (search/segmenter.py).
        from culture_cloud.search.segmenter import main as serve_segmenter

        serve_segmenter([args.socket])
        return

    settings = load_settings()
    check_database(settings)
    if args.command == "migrate":
        _migrate(settings)
    elif args.command == "create-admin":
        password = _admin_password(args.password)
        _migrate(settings)
        asyncio.run(_create_admin(settings, username=args.username, password=password))
    elif args.command == "mark-no-shows":
        asyncio.run(mark_no_shows(settings))
    elif args.command == "rollup":
        asyncio.run(rollup(settings, full=args.full))
    elif args.command == "seed":
        _migrate(settings)
        asyncio.run(
            _seed(
                settings,
                synthetic=args.synthetic,
                only_if_empty=False,
                bookings=args.synthetic_bookings,
                reviews=args.synthetic_reviews,
            )
        )
    elif args.command == "send-notifications":
        asyncio.run(send_notifications(settings, once=args.once, batch=args.batch))
    elif args.command == "send-reminders":
        asyncio.run(send_reminders(settings))
    elif args.command == "serve":
        # A socket already configured (CULTURE_CLOUD_SEGMENTER_SOCKET) is used as it is.
        shared = settings.segmenter_socket is None and (
            args.segmenter == "shared" or (args.segmenter == "auto" and args.workers >= 2)
        )
        _serve(settings, host=args.host, port=args.port, workers=args.workers, shared=shared)


def _serve(settings: Settings, *, host: str, port: int, workers: int, shared: bool) -> None:
    # Before anything imports prometheus-client (culture_cloud/metrics.py): the workers share
    # their metrics through this directory.
    from culture_cloud.metrics import prepare_multiprocess_dir

    prepare_multiprocess_dir(settings.metrics_dir)

    import uvicorn

    from culture_cloud.server_setup import configure_logging, server_options

    configure_logging(settings)
    # Migrating and seeding import Alembic and index documents (pypinyin's ~55 MB of
    # tables): done in a child process, so the serving process never holds them.
    prepare = multiprocessing.get_context("spawn").Process(
        target=_prepare_database, args=(settings,), name="prepare-database"
    )
    prepare.start()
    prepare.join()
    if prepare.exitcode != 0:
        sys.exit(f"数据库准备失败 (migrate/seed failed, exit code {prepare.exitcode})")
    # One process holds the segmentation dictionary (~33 MB) for all workers, which find it
    # through the environment (culture_cloud/search/segmenter.py).
    segmenter = None
    if shared:
        from culture_cloud.search.segmenter import SharedSegmenter

        try:
            segmenter = SharedSegmenter()
            os.environ["CULTURE_CLOUD_SEGMENTER_SOCKET"] = segmenter.path
        except RuntimeError as exc:
            print(f"共享分词进程未启动，各进程自行分词 ({exc}: each worker cuts in process)")
    print(f"介休文旅云 running on http://{host}:{port}/graphql", flush=True)
    # SIGTERM (systemd's stop, a deploy): uvicorn stops accepting connections, lets requests in
    # flight finish (up to CULTURE_CLOUD_SHUTDOWN_TIMEOUT_SECONDS), closes WebSockets with 1012
    # "service restart" so clients reconnect elsewhere, then runs the app's shutdown.
    try:
        uvicorn.run(
            "culture_cloud.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            **server_options(settings),
        )
    finally:
        if segmenter is not None:
            segmenter.stop()


if __name__ == "__main__":
    main()
