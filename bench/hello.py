"""The list benchmark's baseline: a Litestar hello-world served as `mlchat api` serves mlchat.

Run: `python -m bench.hello --port 8123` (the benchmark starts it in a process of its own).
"""

from __future__ import annotations

import argparse

from litestar import Litestar, get

from service.cli import serve
from service.settings import Settings


@get("/")
async def hello() -> dict[str, str]:
    return {"hello": "world"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    serve(Litestar(route_handlers=[hello], logging_config=None), Settings(port=port))


if __name__ == "__main__":
    main()
