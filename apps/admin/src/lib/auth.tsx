import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, setAccessToken, setUnauthorizedHandler } from './api';
import type { Me, Scope } from './types';

const STORAGE_KEY = 'context-desk.session';

interface StoredSession {
  token: string;
  expiresAt: number;
}

type AuthState =
  | { status: 'loading' }
  | { status: 'anonymous'; notice?: string }
  | { status: 'error'; message: string }
  | { status: 'authenticated'; me: Me; token: string };

interface AuthContextValue {
  state: AuthState;
  me: Me | null;
  token: string | null;
  signIn(email: string, password: string): Promise<void>;
  signOut(notice?: string): void;
  can(scope: Scope): boolean;
  retry(): void;
}

const AuthContext = createContext<AuthContextValue | null>(null);

function readSession(): StoredSession | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as StoredSession;
    if (typeof parsed.token !== 'string' || parsed.expiresAt <= Date.now()) {
      localStorage.removeItem(STORAGE_KEY);
      return null;
    }
    return parsed;
  } catch {
    return null;
  }
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  const signOut = useCallback((notice?: string) => {
    localStorage.removeItem(STORAGE_KEY);
    setAccessToken(null);
    setState({ status: 'anonymous', notice });
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => signOut('Your session has expired. Please sign in again.'));
    return () => setUnauthorizedHandler(null);
  }, [signOut]);

  useEffect(() => {
    const session = readSession();
    if (!session) {
      setState({ status: 'anonymous' });
      return;
    }
    setAccessToken(session.token);
    let cancelled = false;
    api
      .me()
      .then((me) => !cancelled && setState({ status: 'authenticated', me, token: session.token }))
      .catch((err: unknown) => {
        if (cancelled) return;
        if (err instanceof ApiError && err.status === 401) signOut();
        else setState({ status: 'error', message: err instanceof Error ? err.message : String(err) });
      });
    return () => {
      cancelled = true;
    };
  }, [attempt, signOut]);

  const signIn = useCallback(async (email: string, password: string) => {
    const res = await api.login(email, password);
    setAccessToken(res.accessToken);
    try {
      const me = await api.me();
      const expiresIn = Number(res.expiresIn) > 0 ? Number(res.expiresIn) : 3600;
      const session: StoredSession = { token: res.accessToken, expiresAt: Date.now() + expiresIn * 1000 };
      localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
      setState({ status: 'authenticated', me, token: res.accessToken });
    } catch (err) {
      setAccessToken(null);
      throw err;
    }
  }, []);

  const value = useMemo<AuthContextValue>(() => {
    const me = state.status === 'authenticated' ? state.me : null;
    return {
      state,
      me,
      token: state.status === 'authenticated' ? state.token : null,
      signIn,
      signOut,
      can: (scope) => !!me && (me.scopes.includes(scope) || me.scopes.includes('admin')),
      retry: () => {
        setState({ status: 'loading' });
        setAttempt((n) => n + 1);
      },
    };
  }, [state, signIn, signOut]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth must be used inside <AuthProvider>');
  return ctx;
}
