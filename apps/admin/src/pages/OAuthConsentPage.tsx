import { useEffect, useState } from 'react';
import { useParams } from 'react-router-dom';
import { errorMessage } from '../lib/api';
import { useAuth } from '../lib/auth';
import { SCOPE_DESCRIPTIONS, oauthApi, type ConsentRequest } from '../lib/oauth';
import { Button } from '../ui/Button';
import { Checkbox } from '../ui/Field';
import { useDocumentTitle } from '../ui/PageHeader';
import { InlineError, Loading } from '../ui/States';

const hostOf = (uri: string | null): string | null => {
  if (!uri) return null;
  try {
    return new URL(uri).host;
  } catch {
    return null;
  }
};

/**
 * OAuth consent: an application (an MCP client) asks to act for the signed-in user. One
 * checkbox per requested scope the user's role allows; Allow or Deny sends the browser back.
 */
export function OAuthConsentPage() {
  const { uid = '' } = useParams();
  const { token, signOut } = useAuth();
  const [request, setRequest] = useState<ConsentRequest | null>(null);
  const [chosen, setChosen] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<'allow' | 'deny' | null>(null);
  useDocumentTitle(request ? `Allow ${request.client.name}` : 'Allow access');

  useEffect(() => {
    if (!token) return;
    let cancelled = false;
    oauthApi
      .consent(token, uid)
      .then((r) => {
        if (cancelled) return;
        setRequest(r);
        setChosen(r.scopes);
      })
      .catch((e: unknown) => !cancelled && setError(e));
    return () => {
      cancelled = true;
    };
  }, [token, uid]);

  const decide = async (decision: 'allow' | 'deny') => {
    if (!token) return;
    if (decision === 'allow' && chosen.length === 0) {
      setError('Choose at least one permission, or deny access.');
      return;
    }
    setBusy(decision);
    setError(null);
    try {
      const { redirectTo } =
        decision === 'allow' ? await oauthApi.allow(token, uid, chosen) : await oauthApi.deny(token, uid);
      window.location.assign(redirectTo);
    } catch (e) {
      setError(e);
      setBusy(null);
    }
  };

  const toggle = (scope: string, on: boolean) =>
    setChosen((s) => (on ? [...s, scope] : s.filter((x) => x !== scope)));
  const redirectHost = hostOf(request?.client.redirectUri ?? null);

  return (
    <div className="login-page">
      <main className="card login-card" data-testid="oauth-consent">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            CD
          </span>
          Context Desk
        </div>
        {!request && !error && <Loading label="Loading the request…" />}
        {!request && error !== null && (
          <div className="stack">
            <h1>Can’t continue</h1>
            <InlineError error={errorMessage(error)} />
          </div>
        )}
        {request && (
          <div className="stack">
            <h1>
              Allow <span data-testid="oauth-client-name">{request.client.name}</span> to access Context Desk?
            </h1>
            <p className="muted" style={{ margin: 0 }}>
              Signed in as <strong>{request.user.email}</strong>.{' '}
              <Button size="sm" variant="ghost" onClick={() => signOut()}>
                Not you?
              </Button>
            </p>
            {(request.client.uri || redirectHost) && (
              <p className="muted" style={{ margin: 0 }}>
                {request.client.uri && <>App website: {request.client.uri}. </>}
                {redirectHost && <>You will be sent back to {redirectHost}.</>}
              </p>
            )}
            <InlineError error={error} />
            {request.scopes.length > 0 ? (
              <fieldset className="stack-sm">
                <legend className="field-label">It will be able to</legend>
                {request.scopes.map((scope) => (
                  <div key={scope}>
                    <Checkbox
                      label={scope}
                      checked={chosen.includes(scope)}
                      onChange={(e) => toggle(scope, e.target.checked)}
                    />
                    <span className="muted"> {SCOPE_DESCRIPTIONS[scope]}</span>
                  </div>
                ))}
              </fieldset>
            ) : (
              <p>The app asked for no permission your role can grant.</p>
            )}
            {request.unavailableScopes.length > 0 && (
              <p className="muted" style={{ margin: 0 }}>
                Not available to your role: {request.unavailableScopes.join(', ')}
              </p>
            )}
            <div className="actions" style={{ display: 'flex', gap: '0.5rem' }}>
              <Button
                variant="primary"
                onClick={() => void decide('allow')}
                loading={busy === 'allow'}
                disabled={busy !== null || request.scopes.length === 0}
              >
                Allow
              </Button>
              <Button onClick={() => void decide('deny')} loading={busy === 'deny'} disabled={busy !== null}>
                Deny
              </Button>
            </div>
          </div>
        )}
      </main>
    </div>
  );
}
