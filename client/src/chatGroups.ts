import type { Chat } from './api';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The heading a chat is listed under, as the ChatGPT app groups them: Pinned, Today, Yesterday,
 * Previous 7 days, Previous 30 days, then one per month ("October 2026"), by the last activity.
 */
export function groupOf(chat: Chat, now = new Date()): string {
  if (chat.pinned) return 'Pinned';
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const at = new Date(chat.updatedAt);
  const time = at.getTime();
  if (time >= startOfToday) return 'Today';
  if (time >= startOfToday - DAY_MS) return 'Yesterday';
  if (time >= startOfToday - 7 * DAY_MS) return 'Previous 7 days';
  if (time >= startOfToday - 30 * DAY_MS) return 'Previous 30 days';
  return at.toLocaleDateString(undefined, { month: 'long', year: 'numeric' });
}

/** The chats (in the list's order) in runs under their headings. */
export function groupChats(chats: Chat[], now = new Date()): { label: string; chats: Chat[] }[] {
  const groups: { label: string; chats: Chat[] }[] = [];
  for (const chat of chats) {
    const label = groupOf(chat, now);
    const last = groups.at(-1);
    if (last?.label === label) last.chats.push(chat);
    else groups.push({ label, chats: [chat] });
  }
  return groups;
}
