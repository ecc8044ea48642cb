"""A lineage graph (what `GET /api/v1/lineage/{kind}/{id}` returns) told in words: first the
answer to the question asked (the data a run read, or what was trained on a dataset), then each
step of the graph as a sentence, with a link to the graph's page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

Node = Mapping[str, Any]
Edge = Mapping[str, Any]

_STEPS = {
    "input": "{to} read {frm}",
    "next_version": "{to} is the version uploaded after {frm}",
    "restored": "{to} restores the content of {frm}",
    "derived": "{to} was computed from {frm}",
    "predicted": "{to} holds the predictions of {frm}",
    "loaded": "{to} was loaded from {frm}",
    "requested": "{to} was asked for in the conversation {frm}",
    "retrained": "{to} retrains {frm}",
    "trained": "{to} is what {frm} trained",
    "exported": "{to} was exported from {frm}",
}
"""Each relation as a sentence about its edge's two ends."""
MAX_STEPS = 12
"""Sentences beyond this are left to the graph's page."""


def lineage_text(graph: Mapping[str, Any]) -> str:
    """The graph around its center in words: the direct answer, the steps, the page's link."""
    center = graph["center"]
    nodes = {(n["kind"], n["id"]): n for n in graph["nodes"]}
    edges: Sequence[Edge] = graph["edges"]
    lead = _lead(center, nodes, edges, str(graph.get("direction", "both")))
    steps = [_step(edge, nodes) for edge in _ordered(center, edges)]
    lines = [lead]
    if steps:
        shown = steps[:MAX_STEPS]
        more = len(steps) - len(shown)
        lines += ["", *(f"- {s}" for s in shown)]
        if more:
            lines.append(f"- … and {more} more on the graph's page")
    kind, node_id = center["kind"], center["id"]
    lines += ["", f"[Open the lineage graph](#/lineage/{kind}/{node_id})"]
    return "\n".join(lines)


def _lead(
    center: Node, nodes: Mapping[tuple[str, int], Node], edges: Sequence[Edge], direction: str
) -> str:
    key = (center["kind"], center["id"])
    name = _name(center)
    if direction != "downstream" and center["kind"] in {"run", "model"}:
        run_key = ("run", center["id"]) if center["kind"] == "model" else key
        read = _inputs(run_key, nodes, edges, upstream=True)
        if read:
            return f"{_upper(name)}'s data came from {_and(_name(n) for n in read)}."
        return f"No dataset is recorded as read by {name}."
    if direction != "upstream" and center["kind"] == "dataset":
        runs = _inputs(key, nodes, edges, upstream=False)
        if runs:
            listed = _and(f"{_name(r)}{_status(r)}" for r in runs)
            count = "One run was" if len(runs) == 1 else f"{len(runs)} runs were"
            return f"{count} trained on {name}: {listed}."
        return f"Nothing has been trained on {name} yet."
    if not edges:
        return f"Nothing is recorded {_way(direction)} {name} yet."
    return f"The lineage of {name}, {_way(direction)} it:"


def _inputs(key: tuple[str, int], nodes: Mapping[tuple[str, int], Node], edges: Sequence[Edge],
            *, upstream: bool) -> list[Node]:  # fmt: skip
    """The datasets a run read (`upstream`), or the runs that read a dataset."""
    near, far = ("to", "from") if upstream else ("from", "to")
    return [nodes[(e[f"{far}_kind"], e[f"{far}_id"])] for e in edges
            if (e[f"{near}_kind"], e[f"{near}_id"]) == key and e["relation"] == "input"
            and (e[f"{far}_kind"], e[f"{far}_id"]) in nodes]  # fmt: skip


def _ordered(center: Node, edges: Sequence[Edge]) -> list[Edge]:
    """The edges nearest the center first, so the first sentences are about it."""
    start = (center["kind"], center["id"])
    seen, frontier, ordered = {start}, [start], []
    remaining = list(edges)
    while frontier and remaining:
        near = [
            e
            for e in remaining
            if (e["from_kind"], e["from_id"]) in frontier or (e["to_kind"], e["to_id"]) in frontier
        ]
        if not near:
            break
        ordered += near
        remaining = [e for e in remaining if e not in near]
        frontier = [
            k
            for e in near
            for k in ((e["from_kind"], e["from_id"]), (e["to_kind"], e["to_id"]))
            if k not in seen
        ]
        seen.update(frontier)
    return ordered + remaining


def _step(edge: Edge, nodes: Mapping[tuple[str, int], Node]) -> str:
    frm = nodes.get((edge["from_kind"], edge["from_id"]))
    to = nodes.get((edge["to_kind"], edge["to_id"]))
    said_frm = _name(frm) if frm else f"{edge['from_kind']} {edge['from_id']}"
    said_to = _name(to) if to else f"{edge['to_kind']} {edge['to_id']}"
    template = _STEPS.get(str(edge["relation"]), "{to} comes from {frm} ({relation})")
    return _upper(template.format(to=said_to, frm=said_frm, relation=edge["relation"])) + "."


def _name(node: Node) -> str:
    """A node as a link to its page: '[penguins v2](#/lineage/dataset/4)'."""
    label = str(node.get("label") or f"{node['kind']} {node['id']}")
    if node["kind"] == "conversation":
        label = f"“{label}”"
    elif node["kind"] == "dataset":
        label = f"**{label}**"
    link = node.get("link")
    return f"[{label}]({link})" if link else label


def _status(node: Node) -> str:
    status = (node.get("detail") or {}).get("status")
    return f", {status}" if status else ""


def _way(direction: str) -> str:
    return {"upstream": "upstream of", "downstream": "downstream of"}.get(direction, "around")


def _and(items: Iterable[str]) -> str:
    said = [str(item) for item in items]
    return said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]


def _upper(text: str) -> str:
    """The first letter in upper case, inside a link's brackets or bold marks too."""
    for i, ch in enumerate(text):
        if ch.isalpha():
            return text[:i] + ch.upper() + text[i + 1 :]
    return text
