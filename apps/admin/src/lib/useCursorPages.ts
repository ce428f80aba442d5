import { useCallback, useState } from 'react';
import type { Page } from './types';
import { useAsync } from './useAsync';

/**
 * Cursor pagination: keeps the stack of cursors that led to the current page, so Previous
 * goes back exactly. Starts again from the first page when `resetKey` changes (e.g. new filters).
 */
export function useCursorPages<T>(
  fetchPage: (cursor: string | null, signal: AbortSignal) => Promise<Page<T>>,
  resetKey: string,
) {
  const [stack, setStack] = useState<{ key: string; cursors: (string | null)[] }>({
    key: resetKey,
    cursors: [null],
  });
  const cursors = stack.key === resetKey ? stack.cursors : [null];
  const cursor = cursors[cursors.length - 1];
  const state = useAsync((signal) => fetchPage(cursor, signal), [cursor, resetKey]);
  const nextCursor = state.data?.nextCursor ?? null;

  const next = useCallback(() => {
    if (nextCursor) setStack({ key: resetKey, cursors: [...cursors, nextCursor] });
  }, [nextCursor, resetKey, cursors]);
  const previous = useCallback(() => {
    if (cursors.length > 1) setStack({ key: resetKey, cursors: cursors.slice(0, -1) });
  }, [resetKey, cursors]);

  return {
    ...state,
    items: state.data?.items ?? [],
    page: cursors.length,
    hasNext: !!nextCursor && !state.loading,
    hasPrevious: cursors.length > 1,
    next,
    previous,
  };
}
