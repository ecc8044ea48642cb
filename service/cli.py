"""The `mlchat` command: up (one machine), api, worker, migrate, and the admin commands keys,
limits and connections (`service.commands`)."""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from typing import TYPE_CHECKING

from service.commands import COMMANDS
from service.logging_setup import configure_logging
from service.settings import Settings

if TYPE_CHECKING:
    from litestar import Litestar


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {k: v for k, v in vars(args).items() if k in {"host", "port", "workers"} and v}
    return Settings(**overrides)


def cmd_migrate(settings: Settings) -> int:
    from service.db.migrate import upgrade

    settings.ensure_dirs()
    upgrade(settings.resolved_database_url)
    return 0


def raise_open_files_limit(wanted: int = 65_536) -> None:
    """Lift the soft limit on open files towards the hard one: every WebSocket holds one."""
    import contextlib
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        # Refused: the process keeps the limit it has, and sockets beyond it are turned away.
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def serve(app: Litestar, settings: Settings) -> None:
    """Serve `app` with mlchat's uvicorn settings on the settings' host and port (the list
    benchmark serves its hello-world baseline through this too, so both run alike)."""
    import uvicorn

    # A WebSocket message is JSON too: one larger than a JSON body may be closes the socket.
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port,
        log_config=None, ws="websockets-sansio", lifespan="on",
        ws_max_size=settings.max_json_bytes, ws_per_message_deflate=settings.ws_compression,
    )  # fmt: skip
    uvicorn.Server(config).run()


def cmd_api(settings: Settings) -> int:
    from service.app import create_app

    cmd_migrate(settings)
    raise_open_files_limit()
    serve(create_app(settings), settings)
    return 0


def cmd_worker(settings: Settings, *, burst: bool, name: str | None) -> int:
    from service.worker import run_worker

    run_worker(settings, burst=burst, name=name)
    return 0


def cmd_slack(settings: Settings) -> int:
    """Serve the Slack app over Socket Mode, with no public address needed."""
    import asyncio

    from service.integrations.slack.socket_mode import NO_APP_TOKEN, NO_BOT_TOKEN, run_socket_mode

    missing = [
        why
        for why, unset in [
            (NO_BOT_TOKEN, settings.slack_bot_token is None),
            (NO_APP_TOKEN, settings.slack_app_token is None),
        ]
        if unset
    ]
    if missing:
        print(f"mlchat slack: {'; '.join(missing)}", file=sys.stderr)
        return 2
    cmd_migrate(settings)
    asyncio.run(run_socket_mode(settings))
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
    sub.add_parser("slack", help="the Slack app over Socket Mode (MLCHAT_SLACK_APP_TOKEN)")
    for command in COMMANDS.values():
        command.add_parser(sub)
    return parser


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
    if args.command in COMMANDS:
        cmd_migrate(settings)  # the admin commands write the database: bring it up to date
        return COMMANDS[args.command].run(settings, args)
    if args.command == "slack":
        return cmd_slack(settings)
    if args.command == "worker":
        return cmd_worker(settings, burst=args.burst, name=args.name)
    return cmd_migrate(settings)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
