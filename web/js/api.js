// The HTTP API: JSON in and out, problem+json errors as ApiError with their `detail`.

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
    this.detail = detail;
  }
}

async function problemOf(response) {
  try {
    const body = await response.json();
    return body.detail || body.title || `${response.status} ${response.statusText}`;
  } catch {
    return `${response.status} ${response.statusText}`;
  }
}

// The session's CSRF token: the page sends it with every request that changes something, which
// a page elsewhere cannot, since it cannot read it (the cookie alone goes with any request).
let csrfToken = null;

/** Take on the identity GET/POST /session answered: its CSRF token, when it has one. */
export function useSession(session) {
  csrfToken = (session && session.csrf_token) || null;
}

function signedOut(status, path) {
  // A session that ended (expired, revoked) asks the page to sign in again.
  if (status === 401 && path !== "/session") window.dispatchEvent(new CustomEvent("mlchat:signed-out"));
}

async function request(path, { method = "GET", body } = {}) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (method !== "GET" && csrfToken) init.headers["x-csrf-token"] = csrfToken;
  const response = await fetch(`/api/v1${path}`, init);
  if (!response.ok) {
    signedOut(response.status, path);
    throw new ApiError(response.status, await problemOf(response));
  }
  return response;
}

export async function api(path, options = {}) {
  const response = await request(path, options);
  if (response.status === 204) return null;
  return response.json();
}

/** Every row of a list the API pages (datasets, conversations): each page's `Link: <…>;
 * rel="next"` header leads to the next, until a page has none. */
export async function apiList(path) {
  const rows = [];
  let next = `/api/v1${path}`;
  while (next) {
    const response = await request(next.slice("/api/v1".length));
    rows.push(...(await response.json()));
    next = response.headers.get("link")?.match(/<([^>]+)>;\s*rel="next"/)?.[1] ?? null;
  }
  return rows;
}

/** A plain-text answer (a script). */
export async function apiText(path, options = {}) {
  return (await request(path, options)).text();
}

/** A file the server answers with (a CSV): its bytes and the name it suggests. */
export async function apiFile(path, options = {}) {
  const response = await request(path, options);
  const disposition = response.headers.get("content-disposition") || "";
  const named = disposition.match(/filename\*?=(?:UTF-8'')?"?([^";]+)"?/i);
  return { blob: await response.blob(), filename: named ? decodeURIComponent(named[1]) : null };
}

/** Upload a file as multipart; `onProgress(fraction)` follows the bytes sent. */
export function uploadDataset(file, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", "/api/v1/datasets");
    if (csrfToken) request.setRequestHeader("x-csrf-token", csrfToken);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener("load", () => {
      let body = null;
      try { body = JSON.parse(request.responseText); } catch { /* not JSON */ }
      if (request.status >= 200 && request.status < 300) resolve(body);
      else {
        signedOut(request.status, "/datasets");
        reject(new ApiError(request.status, (body && body.detail) || request.statusText));
      }
    });
    request.addEventListener("error", () => reject(new ApiError(0, "the upload was interrupted; check the connection and try again")));
    const form = new FormData();
    form.append("file", file);
    form.append("name", file.name.replace(/\.[^.]+$/, ""));
    request.send(form);
  });
}

/** A WebSocket that reconnects with backoff; `url()` is asked anew each time (to resume). */
export class LiveSocket {
  constructor(url, { onMessage, onState, reconnect = () => true } = {}) {
    this.url = url;
    this.onMessage = onMessage;
    this.onState = onState || (() => {});
    this.shouldReconnect = reconnect;
    this.delay = 500;
    this.closed = false;
    this.open();
  }

  open() {
    const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${this.url()}`);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.delay = 500;
      this.onState("open");
    });
    socket.addEventListener("message", (event) => this.onMessage(JSON.parse(event.data)));
    socket.addEventListener("close", (event) => {
      if (this.closed || socket !== this.socket) return;
      // 44xx are the server's refusals; otherwise the owner knows whether it has heard
      // everything (a run's final event), whatever code a restarting server closed with.
      if ((event.code >= 4400 && event.code < 4500) || !this.shouldReconnect()) {
        this.onState("done");
        return;
      }
      this.onState("offline");
      setTimeout(() => { if (!this.closed) this.open(); }, this.delay);
      this.delay = Math.min(this.delay * 2, 8000);
    });
  }

  send(data) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(data));
      return true;
    }
    return false;
  }

  close() {
    this.closed = true;
    if (this.socket) this.socket.close();
  }
}
