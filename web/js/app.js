// The page: conversations list, dataset bar, composer, runs panel, and how they talk.

import { api, apiList, useSession } from "./api.js";
import { Chat } from "./chat.js";
import { Datasets, enableDrop } from "./datasets.js";
import { $, h } from "./dom.js";
import { History } from "./history.js";
import { LineagePage } from "./lineage.js";
import { conversationHref, routeOf } from "./router.js";
import { RunPage } from "./runpage.js";
import { dropCards, RunsPanel } from "./runs.js";
import { TypedHistory } from "./typed.js";

const CONNECTION_TEXT = { open: "Live", offline: "Offline — reconnecting…", connecting: "Connecting…", done: "Disconnected" };

const state = { conversations: [], currentId: null, picking: Promise.resolve(), opening: 0, renaming: false };
const PAGES = { chat: ".chat", run: "#run-page", runs: "#history", lineage: "#lineage-page" };

function setConnection(status) {
  const node = $("#connection");
  node.dataset.state = status;
  node.textContent = CONNECTION_TEXT[status] || status;
}

function notice(text) {
  const node = h("div", { class: "message assistant error", role: "alert" }, text);
  $("#messages").append(node);
  node.scrollIntoView({ block: "end" });
}

const runPage = new RunPage($("#run-page"));
const runHistory = new History($("#history"));
const lineagePage = new LineagePage($("#lineage-page"));

/** Show one of the middle column's pages: the chat, a run's page or the run history. */
function showPage(view) {
  for (const [name, selector] of Object.entries(PAGES)) $(selector).hidden = name !== view;
  if (view === "chat") document.title = "mlchat";
}

const typed = new TypedHistory();
const chat = new Chat({
  list: $("#messages"),
  onConnection: setConnection,
});
const datasets = new Datasets({
  picker: $("#dataset-picker"),
  onError: notice,
  onPick: (dataset) => {
    chat.suggestFor(dataset);
    if (!dataset || !state.currentId) return;
    // A message sent right after a pick waits for it: it is about the table just picked.
    state.picking = api(`/conversations/${state.currentId}`, { method: "PATCH", body: { dataset: { id: dataset.id } } })
      .catch((error) => notice(error.message));
  },
});

async function loadConversations() {
  state.conversations = await apiList("/conversations");
  renderConversations();
}

function renderConversations() {
  // A list refreshed mid-rename (a new title, another tab) would take the box being typed in;
  // the rename's end renders the list.
  if (state.renaming) return;
  $("#conversation-list").replaceChildren(...state.conversations.map((c) => {
    const open = h("button", { type: "button", class: "title", "aria-current": c.id === state.currentId ? "true" : null,
      onclick: () => openConversation(c.id) }, c.title);
    const rename = h("button", { type: "button", class: "icon", "aria-label": `Rename “${c.title}”`,
      onclick: () => startRename(item, c) }, "✎");
    const item = h("li", { "data-conversation-id": c.id }, open, rename);
    return item;
  }));
}

function startRename(item, conversation) {
  const input = h("input", { type: "text", value: conversation.title, "aria-label": "New title", maxlength: "200" });
  let ended = false;
  const end = async (keep) => {
    if (ended) return;
    ended = true;
    state.renaming = false;
    const title = input.value.trim();
    try {
      if (keep && title && title !== conversation.title) {
        await api(`/conversations/${conversation.id}`, { method: "PATCH", body: { title } });
      }
    } catch (error) {
      notice(error.message);
    }
    await loadConversations();
  };
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") end(true);
    if (event.key === "Escape") end(false);
  });
  input.addEventListener("blur", () => end(true), { once: true });
  state.renaming = true;
  item.replaceChildren(input);
  input.focus();
  input.select();
}

/** Open conversation `id` in the chat; `{ show: false }` loads it behind another page. */
async function openConversation(id, { show = true } = {}) {
  const token = ++state.opening;
  if (show) {
    // Coming from a run's page or the history, Back returns there; within the chat it does not.
    if (routeOf(location.hash).view === "chat") history.replaceState(null, "", conversationHref(id));
    else history.pushState(null, "", conversationHref(id));
    showPage("chat");
  }
  if (id === state.currentId && chat.conversation?.id === id) return;
  dropCards();
  state.currentId = id;
  typed.use(id);
  let conversation;
  try {
    conversation = await chat.open(id);
  } catch (error) {
    if (token === state.opening) notice(error.message);
    return;
  }
  if (token !== state.opening) return; // another conversation was asked for meanwhile
  datasets.select(conversation.dataset_id);
  chat.suggestFor(datasets.current());
  renderConversations();
  if (!show) return;
  closeDrawers();
  $("#composer-text").focus();
}

async function newConversation() {
  const chosen = datasets.current();
  const conversation = await api("/conversations", { method: "POST", body: chosen ? { dataset: { id: chosen.id } } : {} });
  await loadConversations();
  await openConversation(conversation.id);
}

async function send() {
  const box = $("#composer-text");
  const text = box.value.trim();
  if (!text) return;
  if (!state.currentId) await newConversation();
  typed.add(text);
  box.value = "";
  await state.picking;
  box.placeholder = "Ask for a chart or a model";
  try {
    await chat.send(text);
  } catch (error) {
    box.value = text; // keep what was typed when it could not be sent
    notice(error.message);
  }
  // A conversation is named after its first message: show the new title.
  if (state.conversations.find((c) => c.id === state.currentId)?.title === "New conversation") setTimeout(loadConversations, 300);
}

function closeDrawers() {
  for (const id of ["conversations", "runs"]) {
    $(`#${id}`).classList.remove("open");
    $(`#toggle-${id}`).setAttribute("aria-expanded", "false");
  }
}

// ↑ and ↓ move the caret within a text of several lines; only past its edge do they browse.
const onFirstLine = (box) => !box.value.slice(0, box.selectionStart).includes("\n");
const onLastLine = (box) => !box.value.slice(box.selectionEnd).includes("\n");

function wire() {
  const box = $("#composer-text");
  $("#composer").addEventListener("submit", (event) => { event.preventDefault(); send(); });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    } else if (event.key === "ArrowUp" && (!box.value || (typed.showing(box.value) && onFirstLine(box)))) {
      const older = typed.older();
      if (older !== null) {
        event.preventDefault();
        box.value = older;
      }
    } else if (event.key === "ArrowDown" && typed.showing(box.value) && onLastLine(box)) {
      event.preventDefault();
      box.value = typed.newer() ?? "";
    }
  });
  box.addEventListener("input", () => {
    if (!typed.showing(box.value)) typed.reset(); // an edited entry is new text
  });
  $("#new-conversation").addEventListener("click", newConversation);
  $("#view-dataset").addEventListener("click", () => datasets.show());
  $("#upload-input").addEventListener("change", async (event) => {
    const [file] = event.target.files;
    if (file) await datasets.upload(file);
    event.target.value = "";
  });
  enableDrop($("#drop-zone"), (file) => datasets.upload(file));
  for (const dialog of document.querySelectorAll("dialog")) {
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog || event.target.closest("[data-close]")) dialog.close();
    });
  }
  for (const id of ["conversations", "runs"]) {
    $(`#toggle-${id}`).addEventListener("click", () => {
      const panel = $(`#${id}`);
      const open = !panel.classList.contains("open");
      closeDrawers();
      panel.classList.toggle("open", open);
      $(`#toggle-${id}`).setAttribute("aria-expanded", String(open));
    });
  }
  window.addEventListener("offline", () => setConnection("offline"));
  // The address is the page's state: typed, pasted, linked or gone Back to, it is followed.
  window.addEventListener("hashchange", () => follow(routeOf(location.hash)));
}

/** Show what `route` names; a conversation is opened only when it is not the one shown. */
async function follow(route) {
  closeDrawers();
  if (route.view === "run") {
    showPage("run");
    await runPage.show(route.id);
  } else if (route.view === "runs") {
    showPage("runs");
    await runHistory.show(route.params);
  } else if (route.view === "lineage") {
    showPage("lineage");
    await lineagePage.show(route.kind, route.id);
  } else {
    const id = route.id ?? state.currentId ?? state.conversations[0]?.id;
    if (id) await openConversation(id);
    else await newConversation();
  }
}

/** Resolves once the server knows who the page is: at once from this machine or with a live
 * session cookie, else after the person signs in with a key. */
async function session() {
  try {
    return await api("/session");
  } catch (error) {
    if (error.status !== 401) throw error;
  }
  const dialog = $("#signin");
  const form = $("#signin-form");
  const problem = $("#signin-error");
  dialog.addEventListener("cancel", (event) => event.preventDefault()); // nothing works signed out
  dialog.showModal();
  $("#signin-key").focus();
  return new Promise((resolve) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      $("#signin-submit").disabled = true;
      try {
        const signedIn = await api("/session", { method: "POST", body: { key: $("#signin-key").value.trim() } });
        $("#signin-key").value = "";
        dialog.close();
        resolve(signedIn);
      } catch (error) {
        problem.textContent = error.message;
        problem.hidden = false;
      } finally {
        $("#signin-submit").disabled = false;
      }
    });
  });
}

function showIdentity(me) {
  useSession(me);
  if (me.via !== "session") return;
  $("#who").textContent = `${me.tenant} · ${me.scope}`;
  $("#who").hidden = false;
  const signOut = $("#sign-out");
  signOut.hidden = false;
  signOut.addEventListener("click", async () => {
    await api("/session", { method: "DELETE" });
    location.reload();
  });
}

async function start() {
  wire();
  try {
    showIdentity(await session());
  } catch (error) {
    setConnection("offline");
    notice(`The server did not answer: ${error.message}. Is mlchat running?`);
    return;
  }
  // A session that ends while the page is open (revoked, expired) starts over at sign-in.
  window.addEventListener("mlchat:signed-out", () => location.reload(), { once: true });
  // What was under way when the session ended fails with 401; the reload above answers it.
  window.addEventListener("unhandledrejection", (event) => {
    if (event.reason && event.reason.status === 401) event.preventDefault();
  });
  new RunsPanel($("#run-list"), $("#compare-runs")); // kept live by /ws/feed
  window.addEventListener("mlchat:dataset-loaded", async (event) => {
    await datasets.load();
    datasets.select(event.detail);
  });
  try {
    await Promise.all([datasets.load(), loadConversations()]);
  } catch (error) {
    setConnection("offline");
    notice(`The server did not answer: ${error.message}. Is mlchat running?`);
    return;
  }
  const route = routeOf(location.hash);
  if (route.view !== "chat") {
    // A run's page or the history opened by its address: the chat behind it is the newest.
    if (state.conversations[0]) openConversation(state.conversations[0].id, { show: false });
    await follow(route);
    return;
  }
  const known = state.conversations.find((c) => c.id === route.id) || state.conversations[0];
  if (known) await openConversation(known.id);
  else await newConversation();
}

start();
