/** One turn of the conversation as the model sees it. */
export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface ModelReply {
  content: string;
  /** The model that actually answered, as the server reports it. */
  model: string;
  usage?: TokenUsage;
}

/** What the rest of the app knows of a model: a label for humans and one call. */
export interface ChatModel {
  /** `provider/model`, shown by GET /api/health. */
  readonly label: string;
  /** Throws an `UpstreamError` (never an SDK error) when the model fails. */
  complete(turns: readonly ChatTurn[]): Promise<ModelReply>;
}
