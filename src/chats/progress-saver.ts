import type { Logger } from 'pino';
import { isDatabaseOutage } from '../db/outage.js';
import type { RepliesRepo } from './replies.repo.js';

/** How often growing replies are saved: a crash loses at most this much text. */
const SAVE_INTERVAL_MS = 500;
/**
 * A reply whose text has not changed is still marked alive at every tick (half the interval: a timer
 * never fires early, a clock may round), so a live reply is never more than a tick or two unsaved,
 * which is what tells it from an abandoned one (see DeadReplies).
 */
const HEARTBEAT_MS = SAVE_INTERVAL_MS / 2;

/** A reply being generated, as the saver sees it. */
export interface GrowingReply {
  readonly id: string;
  /** Its text so far: it only grows (so its length tells whether it changed). */
  text(): string;
  /** Someone (maybe on another instance) asked the reply to stop. */
  onStopRequested(): void;
}

/** A reply to save now: its new text, or null when it only needs marking alive. */
interface Due {
  entry: Tracked;
  text: string | null;
}

interface Tracked {
  reply: GrowingReply;
  /** The length of the text last saved (not the text: held, it would keep what the text was made of). */
  savedLength: number;
  savedAt: number;
}

/**
 * Saves every growing reply of this process in one statement per tick, instead of one per reply: with
 * 2,000 replies streaming that is 2 statements a second, not 4,000. A tick is skipped while the last
 * save is still running (the next one writes the latest text anyway), so a slow database never builds a
 * queue; a reply whose text did not change since its last save is only marked alive.
 */
export class ProgressSaver {
  private readonly tracked = new Map<string, Tracked>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly replies: Pick<RepliesRepo, 'saveProgress'>,
    private readonly logger?: Logger,
  ) {}

  /** Saves `reply` as it grows until `done()`, which waits for a save of it already running. */
  track(reply: GrowingReply): { done(): Promise<void> } {
    this.tracked.set(reply.id, { reply, savedLength: 0, savedAt: Date.now() });
    this.timer ??= setInterval(() => void this.tick(), SAVE_INTERVAL_MS);
    return {
      done: async () => {
        this.tracked.delete(reply.id);
        if (this.tracked.size === 0) this.stopTimer();
        await this.running;
      },
    };
  }

  /** One save of everything due now (the timer's tick; tests call it to save at once). */
  async tick(): Promise<void> {
    if (this.running) return;
    const now = Date.now();
    const due: Due[] = [];
    for (const entry of this.tracked.values()) {
      const text = entry.reply.text();
      if (text.length !== entry.savedLength) due.push({ entry, text });
      else if (now - entry.savedAt >= HEARTBEAT_MS) due.push({ entry, text: null });
    }
    if (due.length === 0) return;
    this.running = this.save(due, now).finally(() => (this.running = undefined));
    await this.running;
  }

  private async save(due: Due[], now: number): Promise<void> {
    try {
      await this.saveTogether(due, now);
    } catch (err) {
      this.logger?.warn({ err, replies: due.length }, 'could not save the replies in progress');
      // One reply's text may be what failed the statement: each is saved alone then, so it fails only
      // itself. Not through an outage, where every statement fails alike.
      if (due.length === 1 || isDatabaseOutage(err)) return;
      for (const one of due) {
        await this.saveTogether([one], now).catch((alone: unknown) =>
          this.logger?.warn({ err: alone, messageId: one.entry.reply.id }, 'could not save a reply in progress'),
        );
      }
    }
  }

  private async saveTogether(due: Due[], now: number): Promise<void> {
    const stopped = await this.replies.saveProgress(
      due.map(({ entry }) => entry.reply.id),
      due.map(({ text }) => text),
    );
    for (const { entry, text } of due) {
      if (text !== null) entry.savedLength = text.length;
      entry.savedAt = now;
    }
    for (const id of stopped) this.tracked.get(id)?.reply.onStopRequested();
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
