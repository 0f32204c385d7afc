/** Appends since the text was last made one flat string. */
const FLATTEN_EVERY = 16;
/** Above this length the text is flattened only once it has grown by an eighth, so copies stay linear. */
const SMALL_TEXT = 64 * 1024;

/**
 * The text of a reply as it streams in. Each append to a JavaScript string makes a rope node (~32 bytes
 * holding the piece), so a reply of 1,000 chunks would hold 1,000 nodes besides its text for as long as
 * it streams; the text is made flat again every few appends (converting a string to a number flattens it
 * in place in V8, as the `flatstr` package does). A trailing high surrogate is held back, so a pair is
 * never cut between two deltas (or two saves); a surrogate a misbehaving model sends alone becomes
 * U+FFFD, as PostgreSQL would store it, so what is streamed is what is stored.
 */
export class ReplyText {
  value = '';
  private heldSurrogate = '';
  private appends = 0;
  private grownBy = 0;

  /** Adds a piece from the model; returns the text that became part of the reply (maybe none). */
  append(piece: string): string {
    let text = this.heldSurrogate + piece;
    this.heldSurrogate = '';
    const last = text.charCodeAt(text.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.heldSurrogate = text.slice(-1);
      text = text.slice(0, -1);
    }
    if (!text.isWellFormed()) text = text.toWellFormed();
    if (text) this.add(text);
    return text;
  }

  /** The model ended: a malformed upstream may end on half a pair, kept as U+FFFD rather than lost. */
  release(): string {
    const held = this.heldSurrogate && '\ufffd';
    this.heldSurrogate = '';
    if (held) this.add(held);
    return held;
  }

  private add(text: string): void {
    this.value += text;
    this.grownBy += text.length;
    if (++this.appends >= FLATTEN_EVERY && (this.value.length <= SMALL_TEXT || this.grownBy * 8 >= this.value.length)) {
      Number(this.value); // flattens the rope in place; the number is not wanted
      this.appends = 0;
      this.grownBy = 0;
    }
  }
}
