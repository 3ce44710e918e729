/** Light and dark themes: the system's choice until the user toggles, then the stored choice. */
import { useEffect, useState } from 'preact/hooks';

export type Theme = 'light' | 'dark';
const storageKey = 'vigil.theme';
const listeners = new Set<(theme: Theme) => void>();

function systemTheme(): Theme {
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function storedTheme(): Theme | null {
  try {
    const value = localStorage.getItem(storageKey);
    return value === 'dark' || value === 'light' ? value : null;
  } catch {
    return null;
  }
}

export function currentTheme(): Theme {
  return (document.documentElement.dataset.theme as Theme | undefined) ?? storedTheme() ?? systemTheme();
}

export function setTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  try {
    localStorage.setItem(storageKey, theme);
  } catch {
    // Private windows may refuse storage; the theme still applies for this page.
  }
  for (const listener of listeners) listener(theme);
}

window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener?.('change', () => {
  if (storedTheme() !== null) return;
  const theme = systemTheme();
  document.documentElement.dataset.theme = theme;
  for (const listener of listeners) listener(theme);
});

/** The active theme; charts re-render with it since canvas colours cannot follow CSS variables. */
export function useTheme(): Theme {
  const [theme, set] = useState(currentTheme);
  useEffect(() => {
    listeners.add(set);
    return () => void listeners.delete(set);
  }, []);
  return theme;
}

/** Reads a CSS custom property of the active theme (for canvas drawing). */
export function themeColor(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
