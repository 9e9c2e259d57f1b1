import { useEffect, useState } from 'preact/hooks';
import { api, live, subscribe, type Live } from './api';

/** Re-renders on every live update. */
export function useLive(): Live {
  const [, set] = useState(0);
  useEffect(() => subscribe(() => set((n) => n + 1)), []);
  return live;
}

/** GET `path` now and every `everyMs` (0: once); `reload()` fetches again. */
export function usePoll<T>(path: string, everyMs = 0): { data: T | null; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let stop = false;
    const get = () =>
      api<T>('GET', path).then(
        (d) => !stop && (setData(d), setError(null)),
        (e: Error) => !stop && setError(e.message),
      );
    void get();
    const t = everyMs ? setInterval(get, everyMs) : undefined;
    return () => {
      stop = true;
      if (t) clearInterval(t);
    };
  }, [path, everyMs, n]);
  return { data, error, reload: () => setN((x) => x + 1) };
}
