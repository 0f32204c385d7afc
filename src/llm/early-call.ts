import type { ChatModel, ChatTurn, ModelChunk } from './chat-model.js';

/**
 * A model call sent before it may be shown: its chunks wait (the first one pulled, the rest in the
 * socket) until someone iterates them, or it is aborted. The send path starts one while the turn is
 * being stored, so the model's latency overlaps the database's instead of following it.
 */
export interface EarlyCall {
  readonly model: string;
  readonly turns: readonly ChatTurn[];
  /** Iterate once: the chunks from the first. */
  readonly chunks: AsyncIterable<ModelChunk>;
  abort(): void;
}

/** `discarded` runs (once) when the call is aborted: the server had its prompt, which is charged. */
export function startEarlyCall(model: ChatModel, modelName: string, turns: readonly ChatTurn[], discarded: () => void): EarlyCall {
  const iterator = model.stream({ model: modelName, turns })[Symbol.asyncIterator]();
  // Pulling the first chunk runs the call up to its first text; nobody may be listening yet.
  const first = iterator.next();
  first.catch(() => undefined);
  let pulled = false;
  let aborted = false;
  return {
    model: modelName,
    turns,
    chunks: {
      [Symbol.asyncIterator]: () => ({
        next: () => (pulled ? iterator.next() : ((pulled = true), first)),
        return: async () => (await iterator.return?.()) ?? { done: true as const, value: undefined },
      }),
    },
    abort: () => {
      if (aborted) return;
      aborted = true;
      void iterator.return?.();
      discarded();
    },
  };
}

/** Whether two prompts are the same turns, so an early call asked exactly what the stored turn asks. */
export function samePrompt(a: readonly ChatTurn[], b: readonly ChatTurn[]): boolean {
  return a.length === b.length && a.every((turn, i) => turn.role === b[i]!.role && turn.content === b[i]!.content);
}
