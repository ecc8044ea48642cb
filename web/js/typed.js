// What the person typed into the message box, per conversation, for ↑ and ↓ to bring back.
// Only typed text: what a button sent for them ("yes" from Run, "no" from Cancel) is not
// something they would want to edit and send again. Kept in localStorage, so it outlives a reload.

const KEPT = 50;

export class TypedHistory {
  constructor() {
    this.conversationId = null;
    this.entries = [];
    this.position = 0; // entries.length: not browsing; lower: showing entries[position]
  }

  key() {
    return `mlchat:typed:${this.conversationId}`;
  }

  /** Follow conversation `id`: its own history from now on. */
  use(id) {
    this.conversationId = id;
    try {
      this.entries = JSON.parse(localStorage.getItem(this.key()) || "[]");
    } catch {
      this.entries = []; // storage off or its value unreadable: start afresh
    }
    this.position = this.entries.length;
  }

  /** Remember `text`, just sent. */
  add(text) {
    if (this.entries.at(-1) !== text) this.entries.push(text);
    this.entries = this.entries.slice(-KEPT);
    this.position = this.entries.length;
    try {
      localStorage.setItem(this.key(), JSON.stringify(this.entries));
    } catch {
      /* storage full or off: the history still lasts as long as the page */
    }
  }

  /** The entry before the one shown, or null at the oldest. */
  older() {
    if (this.position === 0) return null;
    this.position -= 1;
    return this.entries[this.position];
  }

  /** The entry after the one shown; "" past the newest (back to an empty box); null when
   * not browsing. */
  newer() {
    if (this.position >= this.entries.length) return null;
    this.position += 1;
    return this.position === this.entries.length ? "" : this.entries[this.position];
  }

  /** Whether `text` is what ↑ or ↓ last put in the box (so the arrows keep browsing). */
  showing(text) {
    return this.position < this.entries.length && this.entries[this.position] === text;
  }

  /** Stop browsing: the next ↑ starts from the newest again. */
  reset() {
    this.position = this.entries.length;
  }
}
