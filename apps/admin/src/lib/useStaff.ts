import { api } from './api';
import { useAuth } from './auth';
import type { User } from './types';
import { useAsync } from './useAsync';

/** Agents and admins who can be assigned tickets (empty when the caller cannot read users). */
export function useStaff(): { staff: User[]; loading: boolean } {
  const { can } = useAuth();
  const allowed = can('users:read');
  const result = useAsync(
    async () => (allowed ? (await api.listUsers({ limit: 100 })).items : []),
    [allowed],
  );
  const staff = (result.data ?? []).filter(
    (u) => (u.role === 'agent' || u.role === 'admin') && u.active !== false,
  );
  return { staff, loading: result.loading };
}
