"""The browser chat: its page, its scripts and plotly.js, all served from disk, no CDN."""

from __future__ import annotations

from pathlib import Path

import plotly
from litestar import Router, get
from litestar.datastructures import CacheControlHeader
from litestar.response import File
from litestar.static_files import create_static_files_router

from ml_backend.metrics import metric_kinds
from service.errors import NotFoundError

WEB_DIR = Path(__file__).resolve().parents[3] / "web"
"""The page's files; they live beside the packages, in the repository's `web/` folder."""

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@get("/", include_in_schema=False, media_type="text/html")
async def index() -> File:
    page = WEB_DIR / "index.html"
    if not page.is_file():
        raise NotFoundError(f"the web page is missing: no {page}; reinstall from the repository")
    return File(page, content_disposition_type="inline", media_type="text/html")


# plotly.js is 4.8 MB and changes only with the installed plotly: a browser keeps it a day.
@get("/vendor/plotly.min.js", include_in_schema=False, media_type="text/javascript",
     cache_control=CacheControlHeader(max_age=86_400))  # fmt: skip
async def plotly_js() -> File:
    return File(PLOTLY_JS, content_disposition_type="inline", media_type="text/javascript")


# web/js/numbers.js imports this as a JSON module: the page formats each metric by the kind
# declared beside it in ml_backend.metrics, with no second table to keep in step.
@get("/static/js/metric-kinds.json", include_in_schema=False, media_type="application/json")
async def metric_kinds_json() -> dict[str, str]:
    return metric_kinds()


def web_router() -> Router:
    """The page, its static files and the vendored plotly.js."""
    static = create_static_files_router(
        path="/static", directories=[WEB_DIR], include_in_schema=False
    )
    return Router(path="/", route_handlers=[index, plotly_js, metric_kinds_json, static])
