import { useState } from 'react';
import { api, errorMessage } from '../lib/api';
import { formatDateTime, formatRelative } from '../lib/format';
import { ALL_SCOPES, type ApiKey, type CreatedApiKey } from '../lib/types';
import { useCursorPages } from '../lib/useCursorPages';
import { Badge } from '../ui/Badge';
import { Button } from '../ui/Button';
import { Card } from '../ui/Card';
import { Dialog } from '../ui/Dialog';
import { FormDialog } from '../ui/FormDialog';
import { Checkbox, TextField } from '../ui/Field';
import { PageHeader } from '../ui/PageHeader';
import { Pagination } from '../ui/Pagination';
import { EmptyState, ErrorState, Loading } from '../ui/States';
import { Table } from '../ui/Table';
import { useToast } from '../ui/Toast';

const SCOPE_HELP: Record<string, string> = {
  'kb:read': 'Search and read articles',
  'kb:write': 'Create and edit articles',
  'tickets:read': 'Read tickets',
  'tickets:write': 'Create, update and reply to tickets',
  'users:read': 'Look up people',
  'users:write': 'Manage users',
  admin: 'Everything, including keys and audit',
};

function CreateKeyDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (k: CreatedApiKey) => void;
}) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['kb:read']);
  const toggle = (scope: string, on: boolean) =>
    setScopes((s) => (on ? [...s, scope] : s.filter((x) => x !== scope)));

  const submit = async () => {
    if (!name.trim() || scopes.length === 0) throw new Error('Give the key a name and at least one scope.');
    const created = await api.createApiKey(
      name.trim(),
      ALL_SCOPES.filter((s) => scopes.includes(s)),
    );
    setName('');
    setScopes(['kb:read']);
    onCreated(created);
  };

  return (
    <FormDialog
      open={open}
      title="Create API key"
      onClose={onClose}
      submitLabel="Create key"
      onSubmit={submit}
    >
      <TextField
        label="Name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        placeholder="e.g. Support agent (production)"
        required
      />
      <fieldset className="scope-grid">
        <legend className="field-label">Scopes</legend>
        {ALL_SCOPES.map((scope) => (
          <Checkbox
            key={scope}
            label={scope}
            title={SCOPE_HELP[scope]}
            checked={scopes.includes(scope)}
            onChange={(e) => toggle(scope, e.target.checked)}
          />
        ))}
      </fieldset>
    </FormDialog>
  );
}

function SecretDialog({ created, onClose }: { created: CreatedApiKey | null; onClose: () => void }) {
  const toast = useToast();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopied(true);
      toast.success('API key copied to the clipboard');
    } catch {
      toast.error('Copy failed. Select the key and copy it manually.');
    }
  };
  return (
    <Dialog
      open={!!created}
      title="Your new API key"
      onClose={onClose}
      testId="secret-dialog"
      footer={
        <Button variant="primary" onClick={onClose}>
          Done
        </Button>
      }
    >
      <div className="stack-sm">
        <p style={{ margin: 0 }}>
          Copy the key for <strong>{created?.name}</strong> now. For your security it is{' '}
          <strong>shown only once</strong>; if you lose it, revoke it and create another.
        </p>
        <div className="secret-box">
          <code data-testid="api-key-secret">{created?.secret}</code>
          <Button onClick={copy} data-autofocus>
            {copied ? 'Copied' : 'Copy'}
          </Button>
        </div>
      </div>
    </Dialog>
  );
}

export function ApiKeysPage() {
  const toast = useToast();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [busy, setBusy] = useState(false);
  const list = useCursorPages((cursor) => api.listApiKeys({ limit: 50, cursor }), 'keys');

  const revoke = async () => {
    if (!revoking) return;
    setBusy(true);
    try {
      await api.revokeApiKey(revoking.id);
      toast.success(`Revoked “${revoking.name}”`);
      setRevoking(null);
      list.reload();
    } catch (err) {
      toast.error(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys let agents and scripts call the API and MCP endpoint without a password."
        actions={
          <Button variant="primary" onClick={() => setCreating(true)}>
            Create API key
          </Button>
        }
      />
      <Card flush>
        {list.error ? (
          <ErrorState error={list.error} onRetry={list.reload} title="Couldn’t load API keys" />
        ) : list.loading && !list.data ? (
          <Loading label="Loading API keys…" />
        ) : list.items.length === 0 ? (
          <EmptyState
            title="No API keys yet"
            action={
              <Button variant="primary" onClick={() => setCreating(true)}>
                Create the first key
              </Button>
            }
          >
            Create a key for each agent or integration so you can revoke them one by one.
          </EmptyState>
        ) : (
          <Table caption="API keys" testId="api-keys-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Key</th>
                <th>Scopes</th>
                <th>Created</th>
                <th>Last used</th>
                <th>Status</th>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((k) => (
                <tr key={k.id} className={k.revokedAt ? 'revoked' : undefined}>
                  <td>
                    <strong>{k.name}</strong>
                  </td>
                  <td className="mono nowrap">{k.prefix}…</td>
                  <td>
                    <span className="tags">
                      {k.scopes.map((s) => (
                        <Badge key={s} tone={s === 'admin' ? 'accent' : 'outline'}>
                          {s}
                        </Badge>
                      ))}
                    </span>
                  </td>
                  <td className="nowrap">{formatDateTime(k.createdAt)}</td>
                  <td className="nowrap">
                    {k.lastUsedAt ? formatRelative(k.lastUsedAt) : <span className="muted">Never</span>}
                  </td>
                  <td>
                    {k.revokedAt ? (
                      <Badge tone="danger">Revoked</Badge>
                    ) : (
                      <Badge tone="success" dot>
                        Active
                      </Badge>
                    )}
                  </td>
                  <td>
                    {!k.revokedAt && (
                      <Button
                        size="sm"
                        variant="ghost"
                        onClick={() => setRevoking(k)}
                        aria-label={`Revoke ${k.name}`}
                      >
                        Revoke
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {(list.hasPrevious || list.hasNext) && <Pagination list={list} noun="keys" />}
      </Card>
      <CreateKeyDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(k) => {
          setCreating(false);
          setCreated(k);
          list.reload();
        }}
      />
      <SecretDialog created={created} onClose={() => setCreated(null)} />
      <Dialog
        open={!!revoking}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        onClose={() => setRevoking(null)}
        dismissible={!busy}
        testId="revoke-dialog"
        footer={
          <>
            <Button onClick={() => setRevoking(null)} disabled={busy}>
              Cancel
            </Button>
            <Button variant="danger" onClick={revoke} loading={busy}>
              Revoke key
            </Button>
          </>
        }
      >
        <p style={{ margin: 0 }}>
          Anything using this key will stop working immediately. This cannot be undone.
        </p>
      </Dialog>
    </>
  );
}
