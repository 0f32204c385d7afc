import { useEffect, useState, type ReactNode } from 'react';
import ReactMarkdown, { type Options } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { copyText } from './Toasts';

type Plugins = NonNullable<Options['rehypePlugins']>;
type RemarkPlugins = NonNullable<Options['remarkPlugins']>;
let highlighter: Promise<Plugins> | undefined;
/** The syntax highlighter, fetched on first need (then shared by every message). */
const loadHighlighter = () =>
  (highlighter ??= import('./highlight').then((m) => [[m.default, { detect: true, ignoreMissing: true }]] as Plugins));
let math: Promise<{ remark: RemarkPlugins; rehype: Plugins }> | undefined;
/** remark-math + rehype-katex (with KaTeX's CSS and fonts), fetched when a reply first has math. */
const loadMath = () => (math ??= import('./math').then((m) => ({ remark: m.remarkPlugins, rehype: m.rehypePlugins })));

const MATH = /\$|\\\(|\\\[/;
/** `\(…\)` and `\[…\]` (as many models write math) become `$…$` and `$$…$$`, outside code. */
function mathDelimiters(text: string): string {
  return text
    .split(/(```[\s\S]*?(?:```|$)|`[^`\n]*`)/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part
            .replace(/\\\[([\s\S]+?)\\\]/g, (_m, tex: string) => `\n$$\n${tex}\n$$\n`)
            .replace(/\\\((.+?)\\\)/g, (_m, tex: string) => `$${tex}$`),
    )
    .join('');
}

/**
 * Replies are Markdown, GitHub-flavoured (tables, strikethrough, task lists, autolinks), with math when
 * they have some. react-markdown builds React elements and never renders raw HTML, so a reply
 * containing <script> or <img onerror> shows as text; unsafe link protocols (javascript:) are dropped.
 */
export function Markdown({ text }: { text: string }) {
  const [plugins, setPlugins] = useState<Plugins>([]);
  const [mathPlugins, setMathPlugins] = useState<{ remark: RemarkPlugins; rehype: Plugins } | null>(null);
  const hasCode = text.includes('```') || text.includes('~~~');
  const hasMath = MATH.test(text);
  useEffect(() => {
    if (!hasCode || plugins.length > 0) return;
    let current = true;
    void loadHighlighter().then((p) => current && setPlugins(p));
    return () => {
      current = false;
    };
  }, [hasCode, plugins.length]);
  useEffect(() => {
    if (!hasMath || mathPlugins) return;
    let current = true;
    void loadMath().then((m) => current && setMathPlugins(m));
    return () => {
      current = false;
    };
  }, [hasMath, mathPlugins]);
  return (
    <ReactMarkdown
      remarkPlugins={mathPlugins ? [remarkGfm, ...mathPlugins.remark] : [remarkGfm]}
      rehypePlugins={mathPlugins ? [...mathPlugins.rehype, ...plugins] : plugins}
      components={{
        pre: ({ children }) => <CodeBlock>{children}</CodeBlock>,
        table: ({ children }) => (
          <div className="table-scroll">
            <table>{children}</table>
          </div>
        ),
        a: ({ href, children }) => (
          <a href={href} target="_blank" rel="noopener noreferrer nofollow">
            {children}
          </a>
        ),
      }}
    >
      {mathPlugins ? mathDelimiters(text) : text}
    </ReactMarkdown>
  );
}

function CodeBlock({ children }: { children: ReactNode }) {
  const copy = (event: React.MouseEvent<HTMLButtonElement>) =>
    copyText(event.currentTarget.parentElement?.querySelector('code')?.textContent ?? '', 'Code copied');
  return (
    <div className="code-block">
      <button type="button" className="copy" onClick={copy} aria-label="Copy code">
        Copy
      </button>
      <pre>{children}</pre>
    </div>
  );
}
