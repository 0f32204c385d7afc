/** An attachment as a message lists it (see src/attachments). */
export interface TurnAttachment {
  id: string;
  name: string;
  mimeType: string;
  size: number;
  kind: 'image' | 'document';
}

/** One turn of the conversation as the model sees it. */
export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  /** With any documents' text in labelled blocks, once the attachments are loaded. */
  content: string;
  /** As stored: the message's attachments, not loaded yet. */
  attachments?: readonly TurnAttachment[];
  /** Once loaded: the images, as data URLs (sent as `image_url` parts). */
  images?: readonly string[];
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

/** What a streaming model call yields: pieces of text, then (if the server reports it) usage. */
export type ModelChunk = { type: 'text'; text: string } | { type: 'usage'; usage: TokenUsage; model?: string };

export interface ModelRequest {
  model: string;
  turns: readonly ChatTurn[];
}

/** What the rest of the app knows of a model server: labels and one streaming call. */
export interface ChatModel {
  /** `provider/model` of the default model, shown by GET /api/health. */
  readonly label: string;
  /**
   * Where the model server is, for log lines: its base URL without credentials or query (never the
   * key); undefined for the offline demo model.
   */
  readonly server?: string;
  readonly defaultModel: string;
  /** Models a chat may pick (the first is the default). */
  readonly models: readonly string[];
  /**
   * Throws an `AppError` (never an SDK error) when the call fails, before or during the stream. To stop
   * a call, end its iteration (`return()` on its iterator, what a `break` does): it stops at once,
   * before or during the reply, and quietly.
   */
  stream(request: ModelRequest): AsyncIterable<ModelChunk>;
  /**
   * Asks the server which models it offers (GET /models, a short timeout); with discovery on, the
   * allow-list (and maybe the default) follow its answer. Answers whether the server answered.
   */
  probe(): Promise<boolean>;
}

/**
 * Model text as PostgreSQL can store it: a text column refuses NUL (and so does json), so it is removed
 * (it is never meant as text). A lone surrogate is stored as U+FFFD by the driver's UTF-8 encoding.
 */
export const storableText = (text: string): string => (text.includes('\u0000') ? text.replaceAll('\u0000', '') : text);
