import OpenAI from 'openai';
import type { Logger } from 'pino';
import { UpstreamError } from '../http/errors.js';
import type { ChatModel, ChatTurn, ModelReply } from './chat-model.js';
import { toUpstreamError } from './model-errors.js';

export interface OpenAIModelOptions {
  apiKey?: string;
  baseURL?: string;
  model: string;
  timeoutMs: number;
  maxRetries: number;
}

const OPENAI_API = 'https://api.openai.com/v1';

export function createOpenAIModel(options: OpenAIModelOptions, logger?: Logger): ChatModel {
  const client = new OpenAI({
    // Local servers (Ollama, vLLM, LM Studio) need no key, but the SDK insists on one: any string does.
    apiKey: options.apiKey ?? 'no-key-needed',
    baseURL: options.baseURL ?? OPENAI_API,
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries,
  });
  const provider = options.baseURL ? 'openai-compatible' : 'openai';

  return {
    label: `${provider}/${options.model}`,
    async complete(turns: readonly ChatTurn[]): Promise<ModelReply> {
      try {
        const completion = await client.chat.completions.create({ model: options.model, messages: [...turns] });
        const content = completion.choices[0]?.message?.content;
        if (!content) throw new UpstreamError('model_empty_reply', 'The model returned an empty reply. Please try again.');
        return {
          content,
          model: completion.model || options.model,
          usage: completion.usage && {
            promptTokens: completion.usage.prompt_tokens,
            completionTokens: completion.usage.completion_tokens,
          },
        };
      } catch (err) {
        const upstream = toUpstreamError(err, options.model);
        logger?.warn({ code: upstream.code, cause: err instanceof Error ? err.message : String(err) }, 'model call failed');
        throw upstream;
      }
    },
  };
}
