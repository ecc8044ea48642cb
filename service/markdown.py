"""The agent's Markdown as HTML for the browser, with raw HTML in the text escaped.

Messages quote dataset values and user text; rendering with HTML disabled means a column
named `<script>` is shown, never run.
"""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def to_html(text: str) -> str:
    """Safe HTML for one message's Markdown."""
    html: str = _renderer().render(text)
    return html
