"""`mlchat connections add|list|remove`: a tenant's SQL connections; URLs go in, never out."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any

from service.settings import Settings


def add_parser(sub: Any) -> None:
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


def run(settings: Settings, args: argparse.Namespace) -> int:
    from service.errors import ServiceError

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
