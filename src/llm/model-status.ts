import type { Logger } from 'pino';
import type { ModelCallReport } from '../observability/metrics.js';
import type { ChatModel } from './chat-model.js';

export type ModelReachability = 'unknown' | 'ok' | 'unreachable';

/** Failures that mean the server was not reached or did not answer (any other answer, even a refusal, reached it). */
const UNREACHABLE_CODES = new Set(['model_unavailable', 'model_timeout']);

/**
 * Whether the model server answers: health reports it, and a dead OPENAI_BASE_URL shows at start
 * instead of at the first message. Learnt from the probe (GET /models, at start-up and then on the
 * MODEL_PROBE_INTERVAL_SECONDS job; with discovery it also refreshes the model list) and from every
 * real call: a call that could not reach the server marks it unreachable at once, the next one that
 * got an answer marks it ok. Each change is one log line naming the server tried.
 */
export function createModelStatus(model: ChatModel, logger?: Logger) {
  let status: ModelReachability = 'unknown';
  const set = (next: 'ok' | 'unreachable') => {
    if (next === 'unreachable' && status !== 'unreachable') {
      logger?.warn(
        { model: model.label, modelServer: model.server },
        `the model server at ${model.server ?? '?'} does not answer (check OPENAI_BASE_URL): replies fail until it does`,
      );
    }
    if (next === 'ok' && status === 'unreachable')
      logger?.info({ model: model.label, modelServer: model.server }, 'the model server answers again');
    status = next;
  };
  return {
    status: (): ModelReachability => status,
    async refresh(): Promise<ModelReachability> {
      set((await model.probe()) ? 'ok' : 'unreachable');
      return status;
    },
    /** Told of every model call as it ends (a stopped one says nothing about the server). */
    recordCall({ outcome, errorCode }: Pick<ModelCallReport, 'outcome' | 'errorCode'>): void {
      if (outcome === 'complete') set('ok');
      // Other model_* failures are the server's own answers; the rest (context, database) never reached it.
      else if (outcome === 'error' && errorCode?.startsWith('model_')) set(UNREACHABLE_CODES.has(errorCode) ? 'unreachable' : 'ok');
    },
  };
}

export type ModelStatus = ReturnType<typeof createModelStatus>;
