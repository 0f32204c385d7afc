import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './App';
import { preloadMarkdown } from './ReplyText';
import './styles.css';
import { applyTheme, storedTheme } from './theme';

applyTheme(storedTheme());

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter>
      <App />
    </BrowserRouter>
  </StrictMode>,
);

// Fetched after the first paint, so it is here by the time a conversation opens.
requestAnimationFrame(() => setTimeout(preloadMarkdown, 0));
