import { ConflictError } from '../http/errors.js';

/**
 * One reply at a time per chat, within this process. A repeat of the send that is running (same
 * clientMessageId: a double click or a retry) waits for and shares its result instead of calling
 * the model again; any other send to that chat meanwhile is refused with 409.
 */
export class InFlightReplies<T> {
  private readonly running = new Map<string, { key: string | undefined; result: Promise<T> }>();

  run(chatId: string, key: string | undefined, work: () => Promise<T>): Promise<T> {
    const current = this.running.get(chatId);
    if (current) {
      if (key !== undefined && current.key === key) return current.result;
      throw new ConflictError('generation_in_progress', 'A reply is still being generated in this chat; wait for it to finish.');
    }
    const result = work().finally(() => this.running.delete(chatId));
    this.running.set(chatId, { key, result });
    return result;
  }
}
