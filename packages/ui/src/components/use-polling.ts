import { useEffect, useRef, useState } from 'preact/hooks';

export interface Polled<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  refresh: () => void;
}

/**
 * Loads `load()` now, whenever `keys` change, on `refresh`, and again every `intervalMs` while the tab
 * is visible (0: no polling); the previous request is aborted and an older answer never overwrites a
 * newer one.
 */
export function usePolling<T>(load: (signal: AbortSignal) => Promise<T>, intervalMs: number, keys: unknown[]): Polled<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  useEffect(() => {
    const controller = new AbortController();
    const mine = ++generation.current;
    setLoading(true);
    load(controller.signal)
      .then((value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(null);
      })
      .catch((failure: Error) => {
        if (mine !== generation.current || failure.name === 'AbortError') return;
        setError(failure.message);
      })
      .finally(() => mine === generation.current && setLoading(false));
    return () => controller.abort();
  }, [...keys, tick]);
  useEffect(() => {
    if (intervalMs <= 0) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') setTick((value) => value + 1);
    }, intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return { data, error, loading, refresh: () => setTick((value) => value + 1) };
}
