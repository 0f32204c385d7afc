// Loaded only when a reply has math: KaTeX, its CSS and fonts stay out of the first load.
import 'katex/dist/katex.min.css';
import rehypeKatex from 'rehype-katex';
import remarkMath from 'remark-math';

export const remarkPlugins = [remarkMath];
export const rehypePlugins = [rehypeKatex];
