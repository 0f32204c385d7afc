import { useEffect, useState, type ReactNode } from 'react';
import ReactMarkdown, { type Options } from 'react-markdown';

type Plugins = NonNullable<Options['rehypePlugins']>;
let highlighter: Promise<Plugins> | undefined;
/** The syntax highlighter, fetched on first need (then shared by every message). */
const loadHighlighter = () =>
  (highlighter ??= import('./highlight').then((m) => [[m.default, { detect: true, ignoreMissing: true }]] as Plugins));

/**
 * Replies are Markdown. react-markdown builds React elements and never renders raw HTML, so a reply
 * containing <script> or <img onerror> shows as text; unsafe link protocols (javascript:) are dropped.
 */
export function Markdown({ text }: { text: string }) {
  const [plugins, setPlugins] = useState<Plugins>([]);
  const hasCode = text.includes('```') || text.includes('~~~');
  useEffect(() => {
    if (!hasCode || plugins.length > 0) return;
    let current = true;
    void loadHighlighter().then((p) => current && setPlugins(p));
    return () => {
      current = false;
    };
  }, [hasCode, plugins.length]);
  return (
    <ReactMarkdown
      rehypePlugins={plugins}
      components={{
        pre: ({ children }) => <CodeBlock>{children}</CodeBlock>,
        a: ({ href, children }) => (
          <a href={href} target="_blank" rel="noopener noreferrer nofollow">
            {children}
          </a>
        ),
      }}
    >
      {text}
    </ReactMarkdown>
  );
}

function CodeBlock({ children }: { children: ReactNode }) {
  const [copied, setCopied] = useState(false);
  const copy = (event: React.MouseEvent<HTMLButtonElement>) => {
    const code = event.currentTarget.parentElement?.querySelector('code')?.textContent ?? '';
    void navigator.clipboard?.writeText(code).then(() => {
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    });
  };
  return (
    <div className="code-block">
      <button type="button" className="copy" onClick={copy} aria-label="Copy code">
        {copied ? 'Copied' : 'Copy'}
      </button>
      <pre>{children}</pre>
    </div>
  );
}
