import type { Logger } from 'pino';
import type { ChatModel } from './chat-model.js';

export type ModelReachability = 'unknown' | 'ok' | 'unreachable';

/**
 * Whether the model server answers, as the last probe (GET /models, at start-up and then on the
 * MODEL_PROBE_INTERVAL_SECONDS job) found it: health reports it, and a dead OPENAI_BASE_URL shows at
 * start instead of at the first message. With discovery, each probe also refreshes the model list.
 */
export function createModelStatus(model: ChatModel, logger?: Logger) {
  let status: ModelReachability = 'unknown';
  return {
    status: (): ModelReachability => status,
    async refresh(): Promise<ModelReachability> {
      const answered = await model.probe();
      if (!answered && status !== 'unreachable') {
        logger?.warn({ model: model.label }, 'the model server does not answer (check OPENAI_BASE_URL): replies will fail until it does');
      }
      if (answered && status === 'unreachable') logger?.info({ model: model.label }, 'the model server answers again');
      status = answered ? 'ok' : 'unreachable';
      return status;
    },
  };
}

export type ModelStatus = ReturnType<typeof createModelStatus>;
