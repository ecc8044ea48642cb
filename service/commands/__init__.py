"""The admin commands of `mlchat`: each module adds its parser and runs what it parses."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from service.commands import connections, export, keys, limits
from service.settings import Settings


@dataclass(frozen=True)
class Command:
    add_parser: Callable[[Any], None]
    run: Callable[[Settings, argparse.Namespace], int]


COMMANDS = {
    name: Command(module.add_parser, module.run)
    for name, module in [
        ("keys", keys),
        ("limits", limits),
        ("connections", connections),
        ("export", export),
    ]
}
