"""The `mlchat` command: up (one machine), api, worker, migrate, keys, limits, connections."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import sys
from typing import Any

from service.logging_setup import configure_logging
from service.settings import Settings


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {k: v for k, v in vars(args).items() if k in {"host", "port", "workers"} and v}
    return Settings(**overrides)


def cmd_migrate(settings: Settings) -> int:
    from service.db.migrate import upgrade

    settings.ensure_dirs()
    upgrade(settings.resolved_database_url)
    return 0


def cmd_api(settings: Settings) -> int:
    import uvicorn

    from service.app import create_app

    cmd_migrate(settings)
    # A WebSocket message is JSON too: one larger than a JSON body may be closes the socket.
    config = uvicorn.Config(
        create_app(settings), host=settings.host, port=settings.port,
        log_config=None, ws="websockets-sansio", lifespan="on",
        ws_max_size=settings.max_json_bytes,
    )  # fmt: skip
    uvicorn.Server(config).run()
    return 0


def cmd_worker(settings: Settings, *, burst: bool, name: str | None) -> int:
    from service.worker import run_worker

    run_worker(settings, burst=burst, name=name)
    return 0


def cmd_up(settings: Settings) -> int:
    from service.supervisor import Supervisor

    return Supervisor(settings).run()


def is_loopback_host(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: it may resolve to anything, so it is not taken for loopback


def open_bind_refusal(settings: Settings) -> str | None:
    """Why the server must not start listening where it was told to, or None if it may."""
    if settings.auth == "required" or is_loopback_host(settings.host):
        return None
    return (
        f"mlchat: refusing to listen on {settings.host}: in MLCHAT_AUTH=local mode requests "
        "need no key, so anyone who reaches the port could use it. Either set "
        "MLCHAT_AUTH=required (every request then needs an API key; make them with "
        "`mlchat keys create --tenant <tenant> --scope read|run|admin`), or listen on "
        "127.0.0.1 (MLCHAT_HOST / --host)."
    )


def cmd_keys(settings: Settings, args: argparse.Namespace) -> int:
    from service.errors import ServiceError

    cmd_migrate(settings)
    try:
        asyncio.run(_keys(settings, args))
    except ServiceError as error:
        print(f"mlchat keys: {error.detail}", file=sys.stderr)
        return 1
    return 0


async def _keys(settings: Settings, args: argparse.Namespace) -> None:
    from service.db.engines import async_engine, async_session_factory
    from service.db.models import KeyScope
    from service.domain.keys.services import KeyService

    engine = async_engine(settings.resolved_database_url)
    try:
        async with async_session_factory(engine)() as session:
            keys = KeyService(session)
            if args.keys_command == "create":
                made = await keys.create(args.tenant, KeyScope(args.scope), args.name)
                print(f"key {made.record.id} ({made.record.prefix}...) for tenant "
                      f"{made.record.tenant}, scope {made.record.scope}; it is shown only "
                      "now, keep it somewhere safe:")  # fmt: skip
                print(made.key)  # the last line: scripts read the key there
            elif args.keys_command == "list":
                print(f"{'id':>4}  {'prefix':<12}  {'tenant':<16}  {'scope':<5}  "
                      f"{'created':<19}  {'last used':<19}  {'revoked':<19}  name")  # fmt: skip
                for record in await keys.all(args.tenant):
                    print(f"{record.id:>4}  {record.prefix:<12}  {record.tenant:<16}  "
                          f"{record.scope:<5}  {_when(record.created_at)}  "
                          f"{_when(record.last_used_at)}  {_when(record.revoked_at)}  "
                          f"{record.name or ''}")  # fmt: skip
            else:
                record = await keys.revoke(args.key)
                print(f"key {record.id} ({record.prefix}...) of tenant {record.tenant} "
                      f"revoked at {_when(record.revoked_at)}")  # fmt: skip
    finally:
        await engine.dispose()


def cmd_limits(settings: Settings, args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from ml_backend.errors import describe_validation_errors
    from service.errors import ServiceError

    cmd_migrate(settings)
    try:
        asyncio.run(_limits(settings, args))
    except ServiceError as error:
        print(f"mlchat limits: {error.detail}", file=sys.stderr)
        return 1
    except ValidationError as error:
        print(f"mlchat limits: {describe_validation_errors(error.errors())}", file=sys.stderr)
        return 1
    return 0


LIMIT_OPTIONS = {
    "concurrent_jobs": "jobs running at once (more wait in line)",
    "duration": "how long a job may run: 90s, 30m, 8h",
    "dataset_gb": "largest dataset, in GiB",
    "cpu_cores": "CPU cores per job",
    "memory_gb": "memory per job, in GiB",
    "gpus": "GPUs per job (0 hides CUDA)",
}


async def _limits(settings: Settings, args: argparse.Namespace) -> None:
    from service.db.engines import async_engine, async_session_factory
    from service.domain.limits.schemas import LimitsUpdate, duration_text
    from service.domain.limits.services import LimitService

    engine = async_engine(settings.resolved_database_url)
    try:
        async with async_session_factory(engine)() as session:
            limits = LimitService(session, settings)
            if args.limits_command == "set":
                given = {name: getattr(args, name) for name in LIMIT_OPTIONS}
                change = {name: value for name, value in given.items() if value is not None}
                if "duration" in change:
                    change["duration_s"] = change.pop("duration")
                # "default" goes back to the default: null in the API's terms.
                cleared = {k: None if v == "default" else v for k, v in change.items()}
                view = await limits.update(args.tenant, LimitsUpdate.model_validate(cleared))
            else:
                view = await limits.view(args.tenant)
    finally:
        await engine.dispose()
    print(f"limits of tenant {view.tenant} (* set by an admin, the rest are the defaults):")
    for name, value in view.limits.model_dump().items():
        shown = duration_text(value) if name == "duration_s" else f"{value:g}"
        mark = "*" if name in view.overrides else " "
        print(f"  {mark} {name.removesuffix('_s'):<16} {shown}")


def _duration(text: str) -> str:
    """A duration option as seconds ('8h', '30m', '90s', '3600'), or 'default'."""
    if text == "default":
        return text
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    number, unit = (text[:-1], text[-1]) if text[-1:] in units else (text, "s")
    try:
        return str(round(float(number) * units[unit]))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a duration: write it as 90s, 30m, 8h or 2d"
        ) from None


def _limit_value(text: str) -> str:
    """A limit option's number, or 'default'; pydantic checks its bounds."""
    if text != "default":
        try:
            float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is neither a number nor 'default'"
            ) from None
    return text


def cmd_connections(settings: Settings, args: argparse.Namespace) -> int:
    from service.errors import ServiceError

    cmd_migrate(settings)
    try:
        asyncio.run(_connections(settings, args))
    except ServiceError as error:
        print(f"mlchat connections: {error.detail}", file=sys.stderr)
        return 1
    return 0


def connection_url(args: argparse.Namespace) -> str:
    """The URL from --url, the variable --url-env names, or stdin (a prompt on a terminal):
    the last two keep the password out of shell history and `ps`."""
    import getpass

    from service.errors import InvalidInputError

    if args.url:
        return str(args.url)
    if args.url_env:
        value = os.environ.get(args.url_env, "").strip()
        if not value:
            raise InvalidInputError(f"the variable {args.url_env} is not set or empty")
        return value
    if sys.stdin.isatty():
        return getpass.getpass("connection URL (not echoed): ").strip()
    return sys.stdin.readline().strip()


async def _connections(settings: Settings, args: argparse.Namespace) -> None:
    from service.db.engines import async_engine, async_session_factory
    from service.domain.connections.schemas import ConnectionSummary
    from service.domain.connections.services import ConnectionService

    tenant = args.tenant or settings.tenant
    engine = async_engine(settings.resolved_database_url)
    try:
        async with async_session_factory(engine)() as session:
            connections = ConnectionService(session)
            if args.connections_command == "add":
                record = await connections.add(tenant, args.name, connection_url(args))
                shown = ConnectionSummary.of(record)
                print(f"connection {shown.name!r} of tenant {shown.tenant}: {shown.dialect} "
                      f"{shown.host or ''} {shown.database or ''}".rstrip())  # fmt: skip
            elif args.connections_command == "list":
                print(f"{'tenant':<16}  {'name':<16}  {'dialect':<10}  {'host':<20}  database")
                for record in await connections.all(args.tenant):
                    shown = ConnectionSummary.of(record)
                    print(f"{shown.tenant:<16}  {shown.name:<16}  {shown.dialect:<10}  "
                          f"{shown.host or '-':<20}  {shown.database or '-'}")  # fmt: skip
            else:
                record = await connections.remove(tenant, args.name)
                print(f"connection {record.name!r} of tenant {record.tenant} removed")
    finally:
        await engine.dispose()


def _when(moment: object) -> str:
    from datetime import datetime

    if not isinstance(moment, datetime):
        return f"{'-':<19}"
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mlchat", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="API, workers and (unless MLCHAT_REDIS_URL) a private Redis")
    up.add_argument("--host", help="listen address (default 127.0.0.1)")
    up.add_argument("--port", type=int, help="listen port (default 8000)")
    up.add_argument("--workers", type=int, help="RQ workers to start (default 1)")
    api = sub.add_parser("api", help="the HTTP/WebSocket API alone")
    api.add_argument("--host")
    api.add_argument("--port", type=int)
    worker = sub.add_parser("worker", help="one RQ worker")
    worker.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    worker.add_argument("--name", help="worker name (default: generated)")
    sub.add_parser("migrate", help="bring the database schema up to date")
    keys = sub.add_parser("keys", help="API keys: create, list, revoke")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    create = keys_sub.add_parser("create", help="make a key; it is printed once, last")
    create.add_argument("--tenant", required=True, help="the tenant the key acts for")
    create.add_argument("--scope", required=True, choices=["read", "run", "admin"])
    create.add_argument("--name", help="whose key it is, for the list")
    listing = keys_sub.add_parser("list", help="the keys, without their secrets")
    listing.add_argument("--tenant", help="only this tenant's keys")
    revoke = keys_sub.add_parser("revoke", help="revoke a key: it stops working at once")
    revoke.add_argument("key", help="the key's id or prefix, as `keys list` shows them")
    limits = sub.add_parser("limits", help="a tenant's limits: show, set")
    limits_sub = limits.add_subparsers(dest="limits_command", required=True)
    show = limits_sub.add_parser("show", help="the limits that apply to a tenant")
    show.add_argument("--tenant", required=True)
    change = limits_sub.add_parser(
        "set", help="change a tenant's limits; 'default' puts one back to the default"
    )
    change.add_argument("--tenant", required=True)
    for name, meaning in LIMIT_OPTIONS.items():
        kind = _duration if name == "duration" else _limit_value
        change.add_argument(f"--{name.replace('_', '-')}", dest=name, type=kind, help=meaning)
    _add_connection_commands(sub)
    return parser


def _add_connection_commands(sub: Any) -> None:
    connections = sub.add_parser("connections", help="SQL connections to load datasets from")
    connections_sub = connections.add_subparsers(dest="connections_command", required=True)
    tenant_help = "the tenant it belongs to (default: MLCHAT_TENANT, the local tenant)"
    add = connections_sub.add_parser(
        "add", help="register a connection; with neither --url nor --url-env the URL is read "
        "from stdin (a hidden prompt on a terminal), so its password stays out of shell history",
    )  # fmt: skip
    add.add_argument("name", help="what people call it, e.g. warehouse")
    add.add_argument("--tenant", help=tenant_help)
    given = add.add_mutually_exclusive_group()
    given.add_argument("--url", help="postgresql://user:password@host/db or sqlite:////path.db")
    given.add_argument("--url-env", metavar="VAR", help="read the URL from this variable")
    listing = connections_sub.add_parser("list", help="the connections, without their URLs")
    listing.add_argument("--tenant", help="only this tenant's connections")
    remove = connections_sub.add_parser("remove", help="remove a connection")
    remove.add_argument("name")
    remove.add_argument("--tenant", help=tenant_help)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = _settings(args)
    configure_logging(settings.log_level, json_lines=settings.log_json)
    if args.command in {"up", "api"} and (refusal := open_bind_refusal(settings)):
        print(refusal, file=sys.stderr)
        return 2
    if args.command == "up":
        return cmd_up(settings)
    if args.command == "api":
        return cmd_api(settings)
    if args.command == "keys":
        return cmd_keys(settings, args)
    if args.command == "limits":
        return cmd_limits(settings, args)
    if args.command == "connections":
        return cmd_connections(settings, args)
    if args.command == "worker":
        return cmd_worker(settings, burst=args.burst, name=args.name)
    return cmd_migrate(settings)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
