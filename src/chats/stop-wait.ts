import type { Message, MessagesRepo } from './messages.repo.js';

const POLL_MS = 50;

/**
 * A reply generated elsewhere, asked to stop: waits (up to `waitMs`) for its owner to store how it
 * ended, ending it here if the owner turns out to be gone.
 */
export async function waitUntilEnded(
  messages: MessagesRepo,
  assistantMessageId: string,
  { waitMs, takeOver }: { waitMs: number; takeOver: () => Promise<number> },
): Promise<Message | null> {
  for (let polls = 0, deadline = Date.now() + waitMs; Date.now() < deadline; polls++) {
    const row = await messages.findById(assistantMessageId);
    if (!row || row.status !== 'streaming') return row ?? null;
    if (polls % 10 === 9) await takeOver();
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return (await messages.findById(assistantMessageId)) ?? null;
}
