"""What a request body must be: the type its endpoint takes, and for JSON a bounded size
(`MLCHAT_MAX_JSON_BYTES`, enforced by Litestar's `request_max_body_size`), a bounded nesting
depth, and text without NUL characters.

The type matters because a page elsewhere can make a browser send `text/plain` or a form
anywhere without asking first, but not `application/json`; a JSON endpoint that parsed any
body as JSON would take such a request for its own.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from litestar import Request
from litestar.enums import RequestEncodingType, ScopeType
from litestar.handlers import HTTPRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.params import BodyKwarg
from litestar.types import ASGIApp, Receive, Scope, Send

from service.errors import BadRequestError, InvalidInputError, UnsupportedMediaTypeError

MAX_JSON_DEPTH = 32
"""The deepest nesting of arrays and objects a JSON body or message may have. The deepest
config (a search space) is four levels; a parser meeting thousands would exhaust the stack."""

_JSON = RequestEncodingType.JSON.value
_HOW_TO_SEND = {
    _JSON: "send the body as JSON with Content-Type: application/json",
    RequestEncodingType.MULTI_PART.value: "upload it as multipart/form-data (curl -F file=@...)",
    RequestEncodingType.URL_ENCODED.value: "send the body as application/x-www-form-urlencoded",
}

# A string literal, its escapes included: brackets inside one are text, not nesting.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
# What is left, as one signed byte per bracket: +1 opens, -1 (0xff) closes, all else dropped.
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


class ContentTypeGate(ASGIMiddleware):
    """Refuses (415 problem+json) a body whose Content-Type is not what its endpoint reads."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        handler = scope.get("route_handler")
        if isinstance(handler, HTTPRouteHandler) and _has_body(scope):
            expected = _expected_media_type(handler)
            sent = _header(scope, b"content-type").split(";", 1)[0].strip().lower()
            if expected is not None and not _is_of(sent, expected):
                how = _HOW_TO_SEND.get(expected, f"send the body as {expected}")
                raise UnsupportedMediaTypeError(
                    f"this endpoint does not read {sent or 'a body without a Content-Type'}: {how}",
                    expected=expected,
                )
        await next_app(scope, receive, send)


class CheckedJsonRequest(Request[Any, Any, Any]):
    """A request whose JSON body is parsed only if it nests no deeper than MAX_JSON_DEPTH, and
    taken only if its text holds no NUL."""

    async def json(self) -> Any:
        check_json_depth(await self.body())
        document = await super().json()
        check_no_nul(document)
        return document


def check_json_depth(document: bytes | str) -> None:
    """Raise BadRequestError (400) if `document` nests deeper than MAX_JSON_DEPTH.

    Counted outside string literals before any parser sees it, in C (a regex, a translation,
    a running sum): a 1 MiB body costs 2 to 60 ms, most of it dropping string literals."""
    raw = document.encode() if isinstance(document, str) else document
    steps = _STRING.sub(b"", raw).translate(_STEPS, delete=_NOT_BRACKETS)
    depths = np.frombuffer(steps, dtype=np.int8).cumsum(dtype=np.int64)
    if depths.size and int(depths.max()) > MAX_JSON_DEPTH:
        raise BadRequestError(
            f"the JSON nests deeper than {MAX_JSON_DEPTH} levels of arrays and objects; "
            "no request needs more",
            max_depth=MAX_JSON_DEPTH,
        )


def check_no_nul(document: Any) -> None:
    """Raise InvalidInputError (422) if a string of the parsed `document` holds U+0000.

    No name, message or value needs one, and PostgreSQL refuses to store it: taken, it would
    be a server error on one database and not on the other."""
    if isinstance(document, str):
        if "\x00" in document:
            raise InvalidInputError("text may not contain the NUL character (\\u0000); remove it")
    elif isinstance(document, dict):
        for key, value in document.items():
            check_no_nul(key)
            check_no_nul(value)
    elif isinstance(document, list):
        for item in document:
            check_no_nul(item)


def _expected_media_type(handler: HTTPRouteHandler) -> str | None:
    data = handler.parsed_data_field
    if data is None:
        return None  # the endpoint reads no body, so any is ignored unread
    kwarg = data.kwarg_definition
    media_type = kwarg.media_type if isinstance(kwarg, BodyKwarg) else _JSON
    return media_type.value if isinstance(media_type, RequestEncodingType) else media_type


def _is_of(sent: str, expected: str) -> bool:
    if expected == _JSON:
        return sent == _JSON or (sent.startswith("application/") and sent.endswith("+json"))
    return sent == expected


def _has_body(scope: Scope) -> bool:
    if _header(scope, b"transfer-encoding"):
        return True
    length = _header(scope, b"content-length").strip()
    return length.isascii() and length.isdigit() and int(length) > 0


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return value.decode("latin-1")
    return ""
