"""`mlchat keys create|list|revoke`: API keys, as the admin keys API makes them."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from service.settings import Settings


def add_parser(sub: Any) -> None:
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


def run(settings: Settings, args: argparse.Namespace) -> int:
    from service.errors import ServiceError

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


def _when(moment: object) -> str:
    from datetime import datetime

    if not isinstance(moment, datetime):
        return f"{'-':<19}"
    return moment.strftime("%Y-%m-%d %H:%M:%S")
