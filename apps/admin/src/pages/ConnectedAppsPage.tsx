import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from '../lib/api';
import { useAuth } from '../lib/auth';
import { formatDateTime } from '../lib/format';
import { oauthApi, type ConnectedApp } from '../lib/oauth';
import { Badge } from '../ui/Badge';
import { Button } from '../ui/Button';
import { Card } from '../ui/Card';
import { Dialog } from '../ui/Dialog';
import { PageHeader } from '../ui/PageHeader';
import { EmptyState, ErrorState, Loading } from '../ui/States';
import { Table } from '../ui/Table';
import { useToast } from '../ui/Toast';

/** The signed-in user's connected apps (OAuth grants); revoking one cuts the app off at once. */
export function ConnectedAppsPage() {
  const { token } = useAuth();
  const toast = useToast();
  const [apps, setApps] = useState<ConnectedApp[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [revoking, setRevoking] = useState<ConnectedApp | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    if (!token) return;
    setError(null);
    oauthApi
      .connectedApps(token)
      .then((r) => setApps(r.items))
      .catch(setError);
  }, [token]);
  useEffect(load, [load]);

  const revoke = async () => {
    if (!revoking || !token) return;
    setBusy(true);
    try {
      await oauthApi.revoke(token, revoking.clientId);
      toast.success(`Disconnected “${revoking.clientName}”`);
      setRevoking(null);
      load();
    } catch (err) {
      toast.error(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader
        title="Connected apps"
        description="Applications (MCP clients) you allowed to act for you through OAuth sign-in."
      />
      <Card flush>
        {error ? (
          <ErrorState error={error} onRetry={load} title="Couldn’t load connected apps" />
        ) : !apps ? (
          <Loading label="Loading connected apps…" />
        ) : apps.length === 0 ? (
          <EmptyState title="No connected apps">
            When an MCP client signs in with your account, it appears here and you can disconnect it.
          </EmptyState>
        ) : (
          <Table caption="Connected apps" testId="connected-apps-table">
            <thead>
              <tr>
                <th>App</th>
                <th>Permissions</th>
                <th>Connected</th>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {apps.map((a) => (
                <tr key={a.clientId}>
                  <td>
                    <strong>{a.clientName}</strong>
                    {a.clientUri && <div className="muted">{a.clientUri}</div>}
                  </td>
                  <td>
                    <span className="tags">
                      {a.scopes.map((s) => (
                        <Badge key={s} tone={s === 'admin' ? 'accent' : 'outline'}>
                          {s}
                        </Badge>
                      ))}
                    </span>
                  </td>
                  <td className="nowrap">{formatDateTime(a.connectedAt)}</td>
                  <td>
                    <Button
                      size="sm"
                      variant="ghost"
                      onClick={() => setRevoking(a)}
                      aria-label={`Revoke ${a.clientName}`}
                    >
                      Revoke
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
      <Dialog
        open={!!revoking}
        title="Disconnect this app?"
        onClose={() => setRevoking(null)}
        dismissible={!busy}
        footer={
          <>
            <Button onClick={() => setRevoking(null)} disabled={busy}>
              Cancel
            </Button>
            <Button variant="danger" onClick={() => void revoke()} loading={busy}>
              Revoke access
            </Button>
          </>
        }
      >
        <p style={{ margin: 0 }}>
          <strong>{revoking?.clientName}</strong> loses access at once; it must ask you again to reconnect.
        </p>
      </Dialog>
    </>
  );
}
