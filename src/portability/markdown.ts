import type { ExportedChat } from '../chats/chats.service.js';

/** The chat's active path, first message first: what the chat shows (other branches are left out). */
function activePath(chat: ExportedChat): ExportedChat['messages'] {
  if (chat.messages.some((m) => m.id === undefined)) return chat.messages; // a linear chat
  const byId = new Map(chat.messages.map((m) => [m.id, m]));
  const path = [];
  for (let m = byId.get(chat.activeLeafId ?? chat.messages.at(-1)?.id); m; m = m.parentId ? byId.get(m.parentId) : undefined) path.push(m);
  return path.reverse();
}

/** A chat as a Markdown document (its active path), for reading or archiving. */
export function chatToMarkdown(chat: ExportedChat, exportedAt: string): string {
  const lines = [`# ${chat.title ?? 'Untitled chat'}`, '', `_Exported ${exportedAt}_`, ''];
  if (chat.systemPrompt) lines.push('> **System prompt:**', ...chat.systemPrompt.split('\n').map((l) => `> ${l}`), '');
  for (const m of activePath(chat)) {
    const who = m.role === 'user' ? '**You**' : `**Assistant**${m.model ? ` (${m.model})` : ''}`;
    const note = m.status === 'complete' ? '' : ` _[${m.status}]_`;
    const files = m.attachments.map((a) => `📎 ${a.name} (${a.mimeType}, ${a.size} bytes)`);
    lines.push(`${who} · ${m.createdAt}${note}`, '', m.content, '', ...(files.length > 0 ? [...files, ''] : []), '---', '');
  }
  return lines.join('\n');
}
