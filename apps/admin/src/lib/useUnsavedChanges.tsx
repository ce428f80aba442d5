import { useCallback, useEffect, useRef, useState } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';

type Pending = { kind: 'link'; to: string } | { kind: 'back' };

let onBack: (() => void) | null = null;
let restoring = false;

/**
 * Call once before the router mounts: this popstate listener then runs before the router's own,
 * so while a page holds unsaved edits the router never sees Back; we step forward again and ask.
 */
export function installBackGuard(): void {
  window.addEventListener('popstate', (e) => {
    if (restoring) {
      restoring = false;
      e.stopImmediatePropagation();
      return;
    }
    if (!onBack) return;
    e.stopImmediatePropagation();
    restoring = true;
    window.history.go(1);
    onBack();
  });
}

/**
 * While `dirty`, leaving the page asks first: a click on any in-app link (sidebar, breadcrumb)
 * and the browser's Back button show a dialog; reload, tab close or a typed URL get the
 * browser's own "Leave site?" prompt (Back needs installBackGuard() at start-up). (React Router's useBlocker needs its data router, which
 * would add ~17 KB gzip to the first load; this works with <BrowserRouter>.)
 * Render `prompt` in the page; call `allowNavigation()` before navigating away on purpose.
 */
export function useUnsavedChanges(dirty: boolean, what = 'your changes') {
  const navigate = useNavigate();
  const location = useLocation();
  const [pending, setPending] = useState<Pending | null>(null);
  const allowed = useRef(false);
  const active = dirty && !allowed.current;
  const here = location.pathname;

  useEffect(() => {
    if (!active) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    // Capture phase on the window runs before React's own handler on the root element.
    const onClick = (e: MouseEvent) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const a = (e.target as Element | null)?.closest?.('a[href]') as HTMLAnchorElement | null;
      if (!a || a.target === '_blank' || a.hasAttribute('download')) return;
      const url = new URL(a.href, window.location.href);
      if (url.origin !== window.location.origin || !url.pathname.startsWith('/admin')) return;
      const to = url.pathname.replace(/^\/admin/, '') || '/';
      if (to === here) return;
      e.preventDefault();
      e.stopPropagation();
      setPending({ kind: 'link', to: to + url.search + url.hash });
    };
    const back = () => setPending({ kind: 'back' });
    onBack = back;
    window.addEventListener('beforeunload', onBeforeUnload);
    window.addEventListener('click', onClick, true);
    return () => {
      if (onBack === back) onBack = null;
      window.removeEventListener('beforeunload', onBeforeUnload);
      window.removeEventListener('click', onClick, true);
    };
  }, [active, here]);

  const allowNavigation = useCallback(() => {
    allowed.current = true;
  }, []);

  const leave = () => {
    const p = pending;
    setPending(null);
    allowed.current = true;
    if (!p) return;
    if (p.kind === 'link') navigate(p.to);
    else {
      onBack = null;
      window.history.back();
    }
  };

  const prompt = (
    <Dialog
      open={pending !== null}
      title="Leave without saving?"
      onClose={() => setPending(null)}
      testId="unsaved-dialog"
      footer={
        <>
          <Button data-autofocus onClick={() => setPending(null)}>
            Stay on this page
          </Button>
          <Button variant="danger" onClick={leave}>
            Discard changes and leave
          </Button>
        </>
      }
    >
      <p className="flush">You have unsaved edits. If you leave now, {what} will be lost.</p>
    </Dialog>
  );
  return { prompt, allowNavigation };
}
