// The page's addresses: #/c/{id} a conversation, #/runs/{id} a run's own page, #/runs history,
// #/lineage/{kind}/{id} the lineage graph around a dataset, run, model...

/** What the hash asks to see: {view: "chat", id}, {view: "run", id} or {view: "runs", params}. */
export function routeOf(hash) {
  const [path, query = ""] = hash.replace(/^#/, "").split("?");
  const run = path.match(/^\/runs\/(\d+)\/?$/);
  if (run) return { view: "run", id: Number(run[1]) };
  if (/^\/runs\/?$/.test(path)) return { view: "runs", params: new URLSearchParams(query) };
  const lineage = path.match(/^\/lineage\/([a-z]+)\/(\d+)\/?$/);
  if (lineage) return { view: "lineage", kind: lineage[1], id: Number(lineage[2]) };
  const conversation = path.match(/^\/c\/(\d+)\/?$/);
  return { view: "chat", id: conversation ? Number(conversation[1]) : null };
}

export const runHref = (runId) => `#/runs/${runId}`;
export const conversationHref = (conversationId) => `#/c/${conversationId}`;

/** The history view's address for these filters; empty values are left out. */
export function historyHref(params) {
  const kept = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && String(value) !== "" && !(key === "offset" && Number(value) === 0)) {
      kept.set(key, String(value));
    }
  }
  const query = kept.toString();
  return query ? `#/runs?${query}` : "#/runs";
}
