/** Light, dark, or the system's choice: kept per browser (localStorage), set on <html> before the first paint. */
export type Theme = 'system' | 'light' | 'dark';
const KEY = 'theme';

export function storedTheme(): Theme {
  try {
    const theme = localStorage.getItem(KEY);
    return theme === 'light' || theme === 'dark' ? theme : 'system';
  } catch {
    return 'system'; // storage refused (a privacy mode): the system's choice
  }
}

export function applyTheme(theme: Theme): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

export function saveTheme(theme: Theme): void {
  try {
    if (theme === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, theme);
  } catch {
    // not kept, but applied for this page
  }
  applyTheme(theme);
}
