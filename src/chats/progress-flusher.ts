/** How often the growing reply is saved: a crash loses at most this much text. */
export const FLUSH_INTERVAL_MS = 500;

/**
 * Calls `flush` every FLUSH_INTERVAL_MS, never two at once; `stop` waits for the last one. A tick that
 * comes while a save is still running is skipped (the next save writes the latest text anyway), so a
 * slow database never builds a queue of saves.
 */
export class ProgressFlusher {
  private running: Promise<void> = Promise.resolve();
  private busy = false;
  private readonly timer: NodeJS.Timeout;

  constructor(flush: () => Promise<void>) {
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      this.running = flush().finally(() => {
        this.busy = false;
      });
    }, FLUSH_INTERVAL_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
