import type { Config } from '../config.js';
import type { Metrics } from '../observability/metrics.js';
import * as R from '../openapi/response.schemas.js';
import type { ChatsService } from './chats.service.js';
import type { FeedbackService } from './feedback.js';
import type { TurnsService } from './turns.service.js';

/** What the chat and message routes are given. */
export interface ChatRouteDeps {
  chats: ChatsService;
  turns: TurnsService;
  feedback: FeedbackService;
  config: Pick<Config, 'chat'>;
  metrics?: Pick<Metrics, 'streamOpened' | 'streamClosed'>;
}

/** How a turn answers (SSE heartbeat, disconnect policy, the open-streams gauge). */
export const responder = (deps: ChatRouteDeps) => ({ config: deps.config.chat, tracker: deps.metrics });

/** The errors a route that runs the model can answer with. */
export const turnErrors = { 400: R.ErrorBody, 404: R.ErrorBody, 409: R.ErrorBody, 429: R.ErrorBody, 502: R.ErrorBody };
