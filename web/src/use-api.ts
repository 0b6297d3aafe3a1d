// Load one API resource for a component: data, error, loading, and a way to load it again.

import { useCallback, useEffect, useState } from 'preact/hooks';
import { call } from './api/client';

export interface Loaded<T> {
  data?: T;
  error?: unknown;
  loading: boolean;
  reload: () => void;
}

/** GET `url` (nothing while undefined) and keep the answer or the error; `reload` asks again. */
export function useApi<T>(url: string | undefined): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: Boolean(url) });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!url) return undefined;
    let stale = false;
    setState((s) => ({ ...s, loading: true }));
    call<T>('GET', url).then(
      (data) => { if (!stale) setState({ data, loading: false }); },
      (error) => { if (!stale) setState({ error, loading: false }); },
    );
    return () => { stale = true; };
  }, [url, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}
