"""The types of path and query parameters that name rows: bounded where the database is.

Ids are `integer` keys (32 bits in PostgreSQL); a larger number names nothing, and handed to a
driver it overflows (SQLite's at 2**63, PostgreSQL's cast at 2**31) instead of finding nothing.
Out of bounds, a parameter is refused as invalid input (422) before any query runs.
"""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

from ml_backend.configs import MAX_ID
from service.paging import AFTER_HELP

RowId = Annotated[int, Parameter(ge=1, le=MAX_ID)]
"""A dataset's, run's or conversation's id in a path."""

Offset = Annotated[int, Parameter(ge=0, le=MAX_ID, description="How many rows to skip.")]
"""How many rows a page skips."""

JobId = Annotated[str, Parameter(pattern=r"^[0-9A-Za-z_-]{1,64}$", description="The job's id.")]
"""A job's id as the API gives it (32 hex digits); the pattern keeps bytes a database refuses
(PostgreSQL a NUL) away from the query."""

RUN_PAGE_DEFAULT = 50
RUN_PAGE_MAX = 500
RunLimit = Annotated[
    int,
    Parameter(ge=1, le=RUN_PAGE_MAX,
              description=f"Runs a page holds: {RUN_PAGE_DEFAULT} unless asked, at most "
              f"{RUN_PAGE_MAX}."),
]  # fmt: skip
"""How many runs a page of a runs list (GET /runs, GET /ml/{route}) holds."""

CATALOG_PAGE_DEFAULT = 200
CATALOG_PAGE_MAX = 1000
CatalogLimit = Annotated[
    int,
    Parameter(ge=1, le=CATALOG_PAGE_MAX,
              description=f"Rows a page holds: {CATALOG_PAGE_DEFAULT} unless asked, at most "
              f"{CATALOG_PAGE_MAX}."),
]  # fmt: skip
"""How many rows a page of datasets, conversations, keys or connections holds: lists a page
shows whole (a picker, a sidebar), so a page is large."""

After = Annotated[str | None, Parameter(max_length=200, description=AFTER_HELP)]
"""The cursor a page starts after (see service.paging)."""
