"""Stored files sent as downloads, a chunk at a time: never read whole into memory."""

from __future__ import annotations

import mimetypes
from urllib.parse import quote

from litestar.response import Stream

from service.storage import StoredFile


def download(stored: StoredFile, filename: str, media_type: str | None = None) -> Stream:
    """`stored` as an attachment named `filename`, with its length."""
    quoted = quote(filename)
    # RFC 6266: a name beyond plain ASCII goes in filename*, percent-encoded.
    disposition = (
        f'attachment; filename="{filename}"'
        if quoted == filename
        else f"attachment; filename*=utf-8''{quoted}"
    )
    return Stream(
        stored.chunks(),
        media_type=media_type or mimetypes.guess_type(filename)[0] or "application/octet-stream",
        headers={"content-length": str(stored.size), "content-disposition": disposition},
    )
