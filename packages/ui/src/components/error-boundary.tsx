/** Keeps a failure in one part of a page (a panel, a page) from blanking the whole UI. */
import type { ComponentChildren } from 'preact';
import { useErrorBoundary } from 'preact/hooks';

export function ErrorBoundary({ children, what }: { children: ComponentChildren; what: string }) {
  const [error, reset] = useErrorBoundary((caught: unknown) => console.error(`${what} failed:`, caught));
  if (error) {
    return (
      <div class="error-box" role="alert">
        {what} failed: {(error as Error).message ?? String(error)}{' '}
        <button type="button" onClick={reset}>
          Retry
        </button>
      </div>
    );
  }
  return <>{children}</>;
}
