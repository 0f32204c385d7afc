import type { GenerationOutcome } from './reply-events.js';
import type { Message } from './messages.repo.js';
import type { Turn } from './turns.service.js';

/** What a JSON (non-streaming) client gets once the reply has ended. */
export async function outcomeOf(turn: Turn): Promise<{ userMessage: Message; assistantMessage: Message | null }> {
  const outcome: GenerationOutcome = turn.generation
    ? await turn.generation.finished
    : await new Promise((resolve) => {
        turn.source.subscribe((event) => {
          if (event.type === 'done') resolve({ assistantMessage: event.assistantMessage, usage: event.usage });
          if (event.type === 'error') resolve({ assistantMessage: event.assistantMessage, usage: null, error: event.error });
        });
      });
  if (outcome.error) {
    throw outcome.error.withExtra({
      userMessage: turn.userMessage,
      ...(outcome.assistantMessage ? { assistantMessage: outcome.assistantMessage } : {}),
    });
  }
  return { userMessage: turn.userMessage, assistantMessage: outcome.assistantMessage };
}
