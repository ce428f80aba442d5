import { useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useDebounced } from './useDebounced';

/**
 * Filter values kept in the URL query string, so a filtered list survives reloads and the back
 * button. Text fields are debounced before they reach the URL.
 */
export function useSearchFilters<K extends string>(keys: readonly K[], textKeys: readonly K[] = []) {
  const [params, setParams] = useSearchParams();
  const read = useCallback(
    () => Object.fromEntries(keys.map((k) => [k, params.get(k) ?? ''])) as Record<K, string>,
    [keys, params],
  );
  const [draft, setDraft] = useState<Record<K, string>>(read);
  const debounced = useDebounced(draft, 300);

  useEffect(() => {
    const next = new URLSearchParams(params);
    let changed = false;
    for (const k of keys) {
      // A text field still being typed (or just replaced by reset) waits for its debounce.
      if (textKeys.includes(k) && debounced[k] !== draft[k]) continue;
      const value = draft[k].trim();
      if ((params.get(k) ?? '') !== value) {
        changed = true;
        if (value) next.set(k, value);
        else next.delete(k);
      }
    }
    if (changed) setParams(next, { replace: true });
  }, [debounced, draft, keys, textKeys, params, setParams]);

  const applied = read();
  const set = useCallback((key: K, value: string) => setDraft((d) => ({ ...d, [key]: value })), []);
  /** Replaces every filter at once (a saved view), in the URL immediately (no debounce). */
  const reset = useCallback(
    (values: Partial<Record<K, string>>, extra: Record<string, string> = {}) => {
      const all = Object.fromEntries(keys.map((k) => [k, values[k] ?? ''])) as Record<K, string>;
      const next = new URLSearchParams();
      for (const [k, v] of Object.entries({ ...all, ...extra })) if (v) next.set(k, v);
      setDraft(all);
      setParams(next, { replace: false });
    },
    [keys, setParams],
  );
  return { draft, applied, set, reset, key: keys.map((k) => `${k}=${applied[k]}`).join('&') };
}
