"""The API's documentation pages, Swagger UI and ReDoc, with their scripts served by mlchat.

Litestar's render plugins load their renderers from CDNs by default, which leaves a blank page
on a machine without internet access; here they load from the files the `openapi-ui-bundles`
package installs, served under /schema/assets. /schema is ReDoc, /schema/swagger Swagger UI,
/schema/openapi.json (and .yaml, .yml) the OpenAPI document itself.
"""

from __future__ import annotations

from functools import cache

from litestar import Response, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import (
    JsonRenderPlugin,
    RedocRenderPlugin,
    SwaggerRenderPlugin,
    YamlRenderPlugin,
)
from litestar.static_files import create_static_files_router
from openapi_ui_bundles import redoc, swagger_ui

DOCS_PATH = "/schema"
ASSETS = f"{DOCS_PATH}/assets"
SWAGGER_ASSETS = f"{ASSETS}/swagger-ui"
REDOC_ASSETS = f"{ASSETS}/redoc"

REDOC_JS = f"{ASSETS}/redoc.standalone.js"
# ReDoc's bundle names one file on its CDN, the logo of its attribution line; the package
# ships that file, so the bundle is served pointing at the copy here.
_REDOC_CDN_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
_DAY = CacheControlHeader(max_age=86_400)

_FAVICON = f"<link rel='icon' type='image/png' href='{SWAGGER_ASSETS}/favicon-32x32.png'>"


def openapi_config() -> OpenAPIConfig:
    """The OpenAPI document and its pages; ReDoc, listed first, is also served at /schema."""
    return OpenAPIConfig(
        title="mlchat",
        version="0.1.0",
        path=DOCS_PATH,
        render_plugins=[
            RedocRenderPlugin(
                js_url=REDOC_JS,
                google_fonts=False,
                favicon=_FAVICON,
            ),
            SwaggerRenderPlugin(
                js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
                css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
                standalone_preset_js_url=f"{SWAGGER_ASSETS}/swagger-ui-standalone-preset.js",
                favicon=_FAVICON,
            ),
            JsonRenderPlugin(),
            YamlRenderPlugin(),
        ],
    )


@cache
def _redoc_bundle() -> bytes:
    bundle = (redoc.static_path / "redoc.standalone.js").read_bytes()
    return bundle.replace(_REDOC_CDN_LOGO, f"{REDOC_ASSETS}/logo-mini.svg".encode())


@get(REDOC_JS, include_in_schema=False, media_type="text/javascript", cache_control=_DAY)
async def redoc_js() -> Response[bytes]:
    return Response(_redoc_bundle(), media_type="text/javascript")


def docs_assets_router() -> Router:
    """The renderers' scripts and styles; they change only with the package: kept a day."""
    return Router(
        path="/",
        route_handlers=[
            redoc_js,
            create_static_files_router(
                path=SWAGGER_ASSETS, directories=[swagger_ui.static_path],
                include_in_schema=False, cache_control=_DAY,
            ),
            create_static_files_router(
                path=REDOC_ASSETS, directories=[redoc.static_path],
                include_in_schema=False, cache_control=_DAY,
            ),
        ],
    )  # fmt: skip
