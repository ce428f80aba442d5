import { lazy, type ComponentType } from 'react';

/**
 * React.lazy remembers a failed import forever, so a page whose chunk failed to load (server
 * restarting, new deploy) would stay broken until a full reload. Pages made here can be retried:
 * `retryLazyPages()` (called by the error boundary on Back, on navigation and on "Try again")
 * makes the next render import them again.
 */
type Loader = () => Promise<{ default: ComponentType }>;
const resets = new Set<() => boolean>();

export function lazyPage<M>(load: () => Promise<M>, pick: (m: M) => ComponentType): ComponentType {
  const loader: Loader = () => load().then((m) => ({ default: pick(m) }));
  let failed = false;
  const wrapped: Loader = () =>
    loader().catch((err: unknown) => {
      failed = true;
      throw err;
    });
  let Lazy = lazy(wrapped);
  resets.add(() => {
    if (!failed) return false;
    failed = false;
    Lazy = lazy(wrapped);
    return true;
  });
  function Page() {
    return <Lazy />;
  }
  return Page;
}

/** Forgets failed imports so the next render tries again; true when there was one. Never call during render. */
export function retryLazyPages(): boolean {
  let any = false;
  for (const reset of resets) any = reset() || any;
  return any;
}

/** Chrome, Firefox and Safari word a failed dynamic import differently; Vite adds its own. */
export function isChunkLoadError(err: unknown): boolean {
  const message = err instanceof Error ? `${err.name} ${err.message}` : String(err);
  return /dynamically imported module|Importing a module script failed|error loading dynamically|Unable to preload|ChunkLoadError|Failed to fetch/i.test(
    message,
  );
}
