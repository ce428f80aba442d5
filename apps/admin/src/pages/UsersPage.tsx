import { useState } from 'react';
import { api, ApiError, errorMessage } from '../lib/api';
import { useAuth } from '../lib/auth';
import { formatDateTime } from '../lib/format';
import type { Role, User } from '../lib/types';
import { useCursorPages } from '../lib/useCursorPages';
import { Badge, RoleBadge } from '../ui/Badge';
import { Button } from '../ui/Button';
import { Card } from '../ui/Card';
import { fieldErrorOf, FormDialog } from '../ui/FormDialog';
import { SelectField, TextField, toOptions } from '../ui/Field';
import { PageHeader } from '../ui/PageHeader';
import { Pagination } from '../ui/Pagination';
import { EmptyState, ErrorState, Loading } from '../ui/States';
import { Table } from '../ui/Table';
import { useToast } from '../ui/Toast';

const ROLES: Role[] = ['viewer', 'agent', 'admin'];

function CreateUserDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (u: User) => void;
}) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [password, setPassword] = useState('');
  const submit = async () => {
    const user = await api.createUser({ email: email.trim(), name: name.trim(), role, password });
    setEmail('');
    setName('');
    setPassword('');
    onCreated(user);
  };

  return (
    <FormDialog open={open} title="Add user" onClose={onClose} submitLabel="Create user" onSubmit={submit}>
      {(error) => (
        <>
          <TextField
            label="Name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            error={fieldErrorOf(error, 'name')}
          />
          <TextField
            label="Email"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
            error={fieldErrorOf(error, 'email')}
          />
          <SelectField
            label="Role"
            value={role}
            onChange={(e) => setRole(e.target.value as Role)}
            options={toOptions(ROLES)}
          />
          <TextField
            label="Initial password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            error={fieldErrorOf(error, 'password')}
            hint="Share it privately; they can change it later."
          />
        </>
      )}
    </FormDialog>
  );
}

export function UsersPage() {
  const { can, me } = useAuth();
  const toast = useToast();
  const canWrite = can('users:write');
  const [creating, setCreating] = useState(false);
  const [pending, setPending] = useState<string | null>(null);
  const list = useCursorPages((cursor) => api.listUsers({ limit: 50, cursor }), 'users');

  const patch = async (user: User, changes: { role?: Role; active?: boolean }, message: string) => {
    setPending(user.id);
    try {
      const saved = await api.updateUser(user.id, user.version, changes);
      list.setData((prev) => ({
        items: (prev?.items ?? []).map((u) => (u.id === saved.id ? { ...u, ...saved } : u)),
        nextCursor: prev?.nextCursor ?? null,
      }));
      toast.success(message);
    } catch (err) {
      toast.error(errorMessage(err));
      if (err instanceof ApiError && err.status === 409) list.reload();
    } finally {
      setPending(null);
    }
  };

  return (
    <>
      <PageHeader
        title="Users"
        description="People who can sign in, and what they are allowed to do."
        actions={
          canWrite && (
            <Button variant="primary" onClick={() => setCreating(true)}>
              Add user
            </Button>
          )
        }
      />
      <Card flush>
        {list.error ? (
          <ErrorState error={list.error} onRetry={list.reload} title="Couldn’t load users" />
        ) : list.loading && !list.data ? (
          <Loading label="Loading users…" />
        ) : list.items.length === 0 ? (
          <EmptyState title="No users" />
        ) : (
          <Table caption="Users" testId="users-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Role</th>
                <th>Status</th>
                <th>Created</th>
                {canWrite && <th>Actions</th>}
              </tr>
            </thead>
            <tbody>
              {list.items.map((u) => {
                const self = u.id === me?.id;
                const label = u.name || u.email;
                return (
                  <tr key={u.id}>
                    <td>
                      <strong>{u.name || '—'}</strong> {self && <Badge tone="outline">You</Badge>}
                      <div className="sub">{u.email}</div>
                    </td>
                    <td>
                      {canWrite && !self ? (
                        <SelectField
                          label={`Role for ${label}`}
                          hideLabel
                          value={u.role}
                          options={toOptions(ROLES)}
                          disabled={pending === u.id}
                          onChange={(e) =>
                            void patch(
                              u,
                              { role: e.target.value as Role },
                              `${label} is now ${e.target.value}`,
                            )
                          }
                        />
                      ) : (
                        <RoleBadge role={u.role} />
                      )}
                    </td>
                    <td>
                      {u.active === false ? (
                        <Badge tone="outline">Deactivated</Badge>
                      ) : (
                        <Badge tone="success" dot>
                          Active
                        </Badge>
                      )}
                    </td>
                    <td className="nowrap">{formatDateTime(u.createdAt)}</td>
                    {canWrite && (
                      <td>
                        {!self && (
                          <Button
                            size="sm"
                            variant={u.active === false ? 'secondary' : 'ghost'}
                            loading={pending === u.id}
                            aria-label={`${u.active === false ? 'Activate' : 'Deactivate'} ${label}`}
                            onClick={() =>
                              void patch(
                                u,
                                { active: u.active === false },
                                `${label} ${u.active === false ? 'activated' : 'deactivated'}`,
                              )
                            }
                          >
                            {u.active === false ? 'Activate' : 'Deactivate'}
                          </Button>
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
        {(list.hasPrevious || list.hasNext) && <Pagination list={list} noun="users" />}
      </Card>
      <CreateUserDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(u) => {
          setCreating(false);
          toast.success(`Created ${u.email}`);
          list.reload();
        }}
      />
    </>
  );
}
