// Loaded only once a reply has a code block: the highlighter (highlight.js through rehype-highlight)
// and its colours stay out of the first load.
import rehypeHighlight from 'rehype-highlight';
import './highlight.css';

export default rehypeHighlight;
