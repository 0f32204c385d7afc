import type { ExportedChat } from '../chats/chats.service.js';

/** A chat as a Markdown document, for reading or archiving. */
export function chatToMarkdown(chat: ExportedChat, exportedAt: string): string {
  const lines = [`# ${chat.title ?? 'Untitled chat'}`, '', `_Exported ${exportedAt}_`, ''];
  if (chat.systemPrompt) lines.push('> **System prompt:**', ...chat.systemPrompt.split('\n').map((l) => `> ${l}`), '');
  for (const m of chat.messages) {
    const who = m.role === 'user' ? '**You**' : `**Assistant**${m.model ? ` (${m.model})` : ''}`;
    const note = m.status === 'complete' ? '' : ` _[${m.status}]_`;
    const files = m.attachments.map((a) => `📎 ${a.name} (${a.mimeType}, ${a.size} bytes)`);
    lines.push(`${who} · ${m.createdAt}${note}`, '', m.content, '', ...(files.length > 0 ? [...files, ''] : []), '---', '');
  }
  return lines.join('\n');
}
