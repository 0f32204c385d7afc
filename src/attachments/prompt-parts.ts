import type { ChatConfig } from '../config.js';
import type { ChatTurn } from '../llm/chat-model.js';
import { contextWindowOf, loadTokenizer, tokensIn } from '../llm/context-window.js';
import type { ModelInput } from './attachments.repo.js';

/** Documents may take this share of the model's window (the rest: the conversation and the reply). */
const DOCUMENT_SHARE = 0.75;

function documentBlock(name: string, text: string, maxTokens: number): string {
  let body = text.trim() || '(No text could be read from this document.)';
  const tokens = tokensIn(body);
  if (tokens > maxTokens) {
    // Cut to fit, never fail: the model (and so the user) is told what it does not see.
    const kept = Math.max(0, Math.floor((body.length * maxTokens) / tokens) - 16);
    body =
      `${body.slice(0, kept)}\n[Note: "${name}" is too long for this model's context window: only its first ` +
      `${kept.toLocaleString('en')} of ${text.length.toLocaleString('en')} characters are included.]`;
  }
  return `[Attached document: ${name}]\n${body}\n[End of document: ${name}]`;
}

export interface PromptPartsOptions {
  model: string;
  seesImages: boolean;
  context: ChatConfig['context'];
  inputs: (ids: readonly string[]) => Promise<Map<string, ModelInput>>;
}

/**
 * The turns with their attachments loaded: images as data URLs (for `image_url` parts), documents'
 * text in labelled blocks after the message. A document too long for the window is cut with a note.
 */
export async function withAttachments(turns: readonly ChatTurn[], options: PromptPartsOptions): Promise<ChatTurn[]> {
  const ids = turns.flatMap((t) => t.attachments?.map((a) => a.id) ?? []);
  if (ids.length === 0) return [...turns];
  const [inputs] = await Promise.all([options.inputs(ids), loadTokenizer()]);
  const documentBudget = Math.floor(
    (contextWindowOf(options.model, options.context) - options.context.replyReserveTokens) * DOCUMENT_SHARE,
  );
  return turns.map((turn) => {
    if (!turn.attachments?.length) return turn;
    const documents = turn.attachments.filter((a) => a.kind === 'document').length;
    const perDocument = Math.max(64, Math.floor((documentBudget - tokensIn(turn.content)) / Math.max(1, documents)));
    const parts = [turn.content];
    const images: string[] = [];
    for (const attachment of turn.attachments) {
      const input = inputs.get(attachment.id);
      if (!input) parts.push(`[Attachment "${attachment.name}" is no longer available.]`);
      else if (attachment.kind === 'document') parts.push(documentBlock(attachment.name, input.text ?? '', perDocument));
      else if (options.seesImages && input.data) images.push(`data:${input.dataMime};base64,${input.data.toString('base64')}`);
      else parts.push(`[Image attached: "${attachment.name}". This model cannot see images.]`);
    }
    return { role: turn.role, content: parts.join('\n\n'), ...(images.length > 0 ? { images } : {}) };
  });
}
