/**
 * Server-Sent Events read line by line, as the `openai` SDK reads them: lines end in LF, CRLF or CR;
 * `data:` lines (one space after the colon dropped) are joined with LF and dispatched at a blank line;
 * comments and the other fields (`event`, `id`, `retry`) are ignored, since a chat completion needs
 * none of them. A base class (not a helper object) so a stream being read costs no extra object.
 */
export abstract class SseReader {
  /** The text after the last line break, waiting for the rest of its line. */
  private partial = '';
  /** The current event's data lines, joined; null before its first. */
  private data: string | null = null;

  /** One event's data. */
  protected abstract onData(data: string): void;
  /** Whether more events are wanted: parsing stops as soon as they are not. */
  protected abstract wantsMore(): boolean;

  /** Parses one read of the response's text. */
  protected parse(text: string): void {
    const s = this.partial + text;
    let from = 0;
    // Where the next CR is (searched again only once passed, so a read is scanned once).
    let cr = s.indexOf('\r');
    while (this.wantsMore()) {
      if (cr !== -1 && cr < from) cr = s.indexOf('\r', from);
      const lf = s.indexOf('\n', from);
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      // A CR last in this read may be the first half of a CRLF: wait for the next read.
      if (end === -1 || (end === cr && cr === s.length - 1)) break;
      this.line(s.slice(from, end));
      from = end + (end === cr && s.charCodeAt(end + 1) === 10 ? 2 : 1);
    }
    this.partial = from === 0 ? s : s.slice(from);
  }

  /** The response ended: a last line and event count even without their line break and blank line. */
  protected parseEnd(): void {
    if (this.partial) this.line(this.partial);
    this.partial = '';
    this.dispatch();
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    const colon = line.indexOf(':');
    if (colon === 0) return; // a comment
    const field = colon === -1 ? line : line.slice(0, colon);
    if (field !== 'data') return;
    const value = colon === -1 ? '' : line.slice(line.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1);
    this.data = this.data === null ? value : `${this.data}\n${value}`;
  }

  private dispatch(): void {
    const data = this.data;
    this.data = null;
    if (data !== null && this.wantsMore()) this.onData(data);
  }
}
