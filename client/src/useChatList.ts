import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type Chat } from './api';

const PAGE = 50;
/** The API's largest page. */
const MOST = 200;

interface Page {
  chats: Chat[];
  nextCursor: string | null;
}
const pageOf = (archived: boolean, limit: number, cursor: string | null) =>
  api<Page>(`/api/chats?limit=${limit}&archived=${archived}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);

/**
 * The chat list, a page at a time (pinned first, then most recently active): `loadMore` adds the next
 * page as the list is scrolled; `refresh` reads again as many as are listed, so a list scrolled far down
 * keeps its length. A page answered after a newer refresh is dropped.
 */
export function useChatList(archived: boolean, fail: (err: unknown) => void) {
  const [chats, setChats] = useState<Chat[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const shown = useRef(chats);
  shown.current = chats;
  /** Which list `chats` is (the archived one or the other): a switch starts again at one page. */
  const listedFor = useRef(archived);
  const generation = useRef(0);
  const loadingMore = useRef(false);

  const refresh = useCallback(async () => {
    const mine = ++generation.current;
    const want = listedFor.current === archived ? Math.max(PAGE, shown.current.length) : PAGE;
    const list: Chat[] = [];
    let next: string | null = null;
    try {
      do {
        const page = await pageOf(archived, Math.min(MOST, want - list.length), next);
        list.push(...page.chats);
        next = page.nextCursor;
      } while (next && list.length < want);
    } catch (err) {
      if (mine === generation.current) fail(err);
      return;
    }
    if (mine !== generation.current) return;
    listedFor.current = archived;
    setChats(list);
    setCursor(next);
  }, [archived, fail]);

  const loadMore = useCallback(() => {
    if (!cursor || loadingMore.current) return;
    loadingMore.current = true;
    const mine = generation.current;
    pageOf(archived, PAGE, cursor)
      .then((page) => {
        if (mine !== generation.current) return;
        // A chat already listed (it became active meanwhile, so moved up) is not listed twice.
        setChats((list) => [...list, ...page.chats.filter((c) => !list.some((l) => l.id === c.id))]);
        setCursor(page.nextCursor);
      }, fail)
      .finally(() => (loadingMore.current = false));
  }, [archived, cursor, fail]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  return { chats, setChats, hasMore: cursor !== null, loadMore, refresh };
}
