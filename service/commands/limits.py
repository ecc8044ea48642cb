"""`mlchat limits show|set`: a tenant's limits, as the admin limits API sets them."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from service.settings import Settings


def add_parser(sub: Any) -> None:
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


def run(settings: Settings, args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from ml_backend.errors import describe_validation_errors
    from service.errors import ServiceError

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
