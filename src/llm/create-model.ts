import type { Logger } from 'pino';
import type { ModelConfig } from '../config.js';
import type { ChatModel } from './chat-model.js';
import { createDemoModel } from './demo-model.js';
import { createOpenAIModel } from './openai-model.js';

export function createChatModel(config: ModelConfig, logger?: Logger): ChatModel {
  return config.kind === 'demo' ? createDemoModel() : createOpenAIModel(config, logger);
}
