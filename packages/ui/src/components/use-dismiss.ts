import { useEffect } from 'preact/hooks';
import type { RefObject } from 'preact';

/**
 * Closes an open popover on a mouse press outside `anchor` (the button and its popover) or on Escape,
 * as the time picker and the dashboard variable pickers do.
 */
export function useDismiss(open: boolean, anchor: RefObject<HTMLElement | null>, close: () => void): void {
  useEffect(() => {
    if (!open) return;
    const outside = (event: MouseEvent) => {
      if (anchor.current && !anchor.current.contains(event.target as Node)) close();
    };
    const escape = (event: KeyboardEvent) => {
      if (event.key === 'Escape') close();
    };
    document.addEventListener('mousedown', outside);
    document.addEventListener('keydown', escape);
    return () => {
      document.removeEventListener('mousedown', outside);
      document.removeEventListener('keydown', escape);
    };
  }, [open]);
}
