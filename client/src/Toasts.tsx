import { useEffect, useState } from 'react';

const TOAST = 'gpt-backend:toast';
const SHOWN_MS = 3000;

/** A short notice (copied, saved, imported) shown for a few seconds at the foot of the page and read out by screen readers. */
export function toast(text: string): void {
  window.dispatchEvent(new CustomEvent<string>(TOAST, { detail: text }));
}

/** Where the notices show: one live region (`role="status"`) for the whole app. */
export function Toasts() {
  const [items, setItems] = useState<{ id: number; text: string }[]>([]);
  useEffect(() => {
    let next = 0;
    const onToast = (event: Event) => {
      const item = { id: next++, text: (event as CustomEvent<string>).detail };
      setItems((list) => [...list.filter((i) => i.text !== item.text), item]);
      setTimeout(() => setItems((list) => list.filter((i) => i.id !== item.id)), SHOWN_MS);
    };
    window.addEventListener(TOAST, onToast);
    return () => window.removeEventListener(TOAST, onToast);
  }, []);
  return (
    <div className="toasts" role="status" aria-live="polite">
      {items.map((item) => (
        <p key={item.id} className="toast">
          {item.text}
        </p>
      ))}
    </div>
  );
}

/** Copies text, then says so in a toast (or why it could not). */
export function copyText(text: string, what = 'Copied'): void {
  if (!navigator.clipboard) return toast('Copying is not available here: select the text instead.');
  navigator.clipboard.writeText(text).then(
    () => toast(what),
    () => toast('Could not copy: select the text instead.'),
  );
}
