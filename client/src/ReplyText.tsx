import { Suspense, lazy } from 'react';

// The Markdown renderer (react-markdown, remark-gfm: 49 KB gzipped) is not in the first load: it is
// fetched right after the first paint, and until it is here a reply shows as plain text.
const loadMarkdown = () => import('./Markdown');
const Markdown = lazy(() => loadMarkdown().then((m) => ({ default: m.Markdown })));

/** Starts fetching the Markdown renderer (called once the first screen is painted). */
export function preloadMarkdown(): void {
  void loadMarkdown();
}

/** A reply's text as Markdown; as plain text, wrapped, for the moment the renderer is still on its way. */
export function ReplyText({ text }: { text: string }) {
  return (
    <Suspense fallback={<div className="plain-reply">{text}</div>}>
      <Markdown text={text} />
    </Suspense>
  );
}
