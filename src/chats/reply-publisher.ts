import { MAX_PAYLOAD_BYTES, type Bus } from '../bus/bus.js';
import type { Generation } from './generation.js';
import type { ReplyMessage } from './reply-source.js';
import type { GenerationEvent } from './reply-events.js';

/** Pieces gathered this long are sent as one message (a bus message per model chunk would be wasteful). */
const GATHER_MS = 15;
/** UTF-16 units per message: even at 6 bytes each once JSON-escaped, under the payload limit. */
const MAX_PIECE = Math.floor((MAX_PAYLOAD_BYTES - 200) / 6);

/** The first `max` units of `text`, one fewer rather than half of a surrogate pair. */
export function firstPiece(text: string, max: number): string {
  if (text.length <= max) return text;
  const high = text.charCodeAt(max - 1);
  return text.slice(0, high >= 0xd800 && high <= 0xdbff ? max - 1 : max);
}

/**
 * Publishes a local generation on the bus for followers on other instances, from the first `follow`
 * on: each piece with the offset it ends at, then the title, then `end`. Publishing starts only when
 * someone follows, so an unfollowed reply costs the bus nothing.
 */
export function publishReply(bus: Bus, id: string, generation: Generation, from: number): { catchUp(from: number): void; stop(): void } {
  let pending = '';
  let pendingEnd = 0;
  let timer: NodeJS.Timeout | undefined;
  const send = (m: ReplyMessage) => bus.publish(m);

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    let start = pendingEnd - pending.length;
    while (pending) {
      const piece = firstPiece(pending, MAX_PIECE);
      start += piece.length;
      send({ t: 'delta', id, o: start, x: piece });
      pending = pending.slice(piece.length);
    }
  };
  const onEvent = (event: GenerationEvent) => {
    if (event.type === 'delta') {
      // Consecutive deltas join; a catch-up that starts elsewhere goes out on its own.
      if (pending && event.offset - event.content.length !== pendingEnd) flush();
      pending += event.content;
      pendingEnd = event.offset;
      timer ??= setTimeout(flush, GATHER_MS);
      return;
    }
    flush();
    if (event.type === 'title') send({ t: 'title', id, title: event.title });
    else send({ t: 'end', id });
  };

  const unsubscribe = generation.subscribe(onEvent, from);
  return {
    /** Another follower missed text before what is being published: send it that part once. */
    catchUp(offset: number) {
      generation.subscribe((event) => event.type === 'delta' && onEvent(event), offset)();
      flush();
    },
    stop() {
      flush();
      unsubscribe();
    },
  };
}
