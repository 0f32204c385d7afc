import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';

/** How near the bottom (px) still counts as at the bottom: a reply being written is followed from there. */
const NEAR_BOTTOM = 48;
/** How near the top (px) the earlier page loads. */
const NEAR_TOP = 300;

interface Options {
  /** Which chat is open: another one starts at the bottom, following. */
  chatKey: string | null;
  /** What changes the content (the messages…): the view is held after each change. */
  changes: unknown[];
  /** Older messages are on the server: `onLoadOlder` when the top is scrolled to. */
  hasOlder: boolean;
  onLoadOlder(): void;
}

/**
 * The conversation's scrolling. Following: the view stays at the bottom as a reply grows; scrolling up
 * stops it, `toBottom` ("↓") or `follow` (a send) starts it again. Not following, the message at the top
 * of the view stays where it is whatever changes above it (earlier messages added, a reply's Markdown or
 * an image arriving): the view never jumps. `scroller` is the scrolling element, `content` the one
 * holding the messages (each with an id).
 */
export function useHeldView({ chatKey, changes, hasOlder, onLoadOlder }: Options) {
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  const [atBottom, setAtBottom] = useState(true);
  /** The message at the top of the view and how far below the view's top it is. */
  const anchor = useRef<{ id: string; top: number } | null>(null);

  const holdView = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    if (following.current) {
      el.scrollTop = el.scrollHeight;
      return;
    }
    const held = anchor.current && document.getElementById(anchor.current.id);
    if (held) el.scrollTop += held.getBoundingClientRect().top - el.getBoundingClientRect().top - anchor.current!.top;
  }, []);
  // eslint-disable-next-line -- held after each change of what is shown (the caller says what that is)
  useLayoutEffect(holdView, changes);
  useEffect(() => {
    if (!content.current || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(holdView);
    observer.observe(content.current);
    return () => observer.disconnect();
  }, [holdView]);
  useEffect(() => {
    following.current = true;
    setAtBottom(true);
  }, [chatKey]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight <= NEAR_BOTTOM;
    following.current = bottom;
    setAtBottom(bottom);
    // Where the view is now: the first message still in it.
    const viewTop = el.getBoundingClientRect().top;
    const first = Array.from(content.current?.children ?? []).find((child) => child.id && child.getBoundingClientRect().bottom > viewTop);
    anchor.current = first ? { id: first.id, top: first.getBoundingClientRect().top - viewTop } : null;
    if (el.scrollTop <= NEAR_TOP && hasOlder) onLoadOlder();
  };
  const follow = () => {
    following.current = true;
  };
  const toBottom = () => {
    follow();
    setAtBottom(true);
    scroller.current?.scrollTo({ top: scroller.current.scrollHeight });
  };
  return { scroller, content, atBottom, onScroll, follow, toBottom };
}
