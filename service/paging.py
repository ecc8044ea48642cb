"""Keyset paging, alike on every list: newest first, `?after=<cursor>&limit=n`, and the next
page's address in a `Link: </api/v1/...?after=...>; rel="next"` header (none on the last page).

A cursor is the position of a page's last row, (its time, its id), base64 of JSON, with the
list's name so that a cursor of one list is refused by another. A page asks for one row more
than it shows: that row's presence says whether a next page exists, without a count.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from litestar import Request, Response
from sqlalchemy import Select, SQLColumnExpression, tuple_

from ml_backend.configs import MAX_ID
from service.errors import BadRequestError

T = TypeVar("T")
Row = TypeVar("Row")
SelectT = TypeVar("SelectT", bound=Select[*tuple[Any, ...]])

AFTER_HELP = (
    'Where the page starts: the `after` of the previous answer\'s `Link: <...>; rel="next"` '
    "header. Leave it out for the newest rows."
)


@dataclass(frozen=True)
class Cursor:
    """A row's place in a newest-first list: rows older than it, or as old with a lower id,
    come after it."""

    at: datetime
    id: int

    def encode(self, list_name: str) -> str:
        at = self.at.replace(tzinfo=UTC) if self.at.tzinfo is None else self.at.astimezone(UTC)
        raw = json.dumps([list_name, at.isoformat(), self.id], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(list_name: str, text: str | None) -> Cursor | None:
    """The cursor `text` stands for in the list `list_name`, or a 400 saying what to send."""
    if text is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        name, at_text, row_id = json.loads(raw)
        at = datetime.fromisoformat(at_text)
        if not isinstance(name, str) or not isinstance(row_id, int) or at.tzinfo is None:
            raise ValueError(text)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadRequestError(
            f"after: {text[:80]!r} is not a page cursor of this server; send the `after` of "
            'the previous page\'s Link rel="next" header unchanged, or leave `after` out to '
            "start from the newest",
            field="after",
        ) from None
    if name != list_name:
        raise BadRequestError(
            f"after: this cursor pages the {name} list, not the {list_name} list; leave "
            "`after` out to start this list from its newest row",
            field="after",
        )
    if not 0 <= row_id <= MAX_ID:
        raise BadRequestError("after: the cursor names no row; leave `after` out", field="after")
    return Cursor(at, row_id)


def keyset(
    query: SelectT,
    at: SQLColumnExpression[datetime],
    row_id: SQLColumnExpression[int],
    after: Cursor | None,
    limit: int,
) -> SelectT:
    """`query` newest first from just after `after`, one row more than `limit` (see `Page`)."""
    if after is not None:
        # A row value compare: both databases seek the (…, at, id) index to the cursor.
        query = query.where(tuple_(at, row_id) < tuple_(after.at, after.id))
    return query.order_by(at.desc(), row_id.desc()).limit(limit + 1)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, and the cursor of the next one (None on the last page)."""

    items: list[T]
    after: str | None

    @classmethod
    def of(
        cls,
        rows: Sequence[Row],
        limit: int,
        list_name: str,
        position: Callable[[Row], Cursor],
        item: Callable[[Row], T],
    ) -> Page[T]:
        """The first `limit` of `rows` (fetched with `keyset`) as items, with the cursor of
        the last one when a row beyond them exists."""
        shown = rows[:limit]
        after = position(shown[-1]).encode(list_name) if len(rows) > limit and shown else None
        return cls([item(row) for row in shown], after)


def check_one_way(offset: int, after: str | None) -> None:
    if offset and after is not None:
        raise BadRequestError(
            "give either `after` (a cursor from the Link header) or `offset`, not both; "
            "`after` is the one that stays right while rows are added",
            field="after",
        )


def paged(request: Request[Any, Any, Any], content: Any, after: str | None) -> Response[Any]:
    """`content` with a Link to the next page: this request's own query, `after` the cursor.

    `content` is the page's schema, or (on the runs lists) its JSON-ready fields: the handler's
    annotation names the schema either way, for the OpenAPI document."""
    if after is None:
        return Response(content)
    query = [(k, v) for k, v in request.query_params.multi_items() if k not in {"after", "offset"}]
    target = f"{request.url.path}?{urlencode([*query, ('after', after)])}"
    return Response(content, headers={"link": f'<{target}>; rel="next"'})
