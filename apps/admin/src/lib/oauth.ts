import { ApiError } from './api';
import type { Scope } from './types';

/** What the consent page shows: the requesting app and the scopes this user may grant it. */
export interface ConsentRequest {
  uid: string;
  client: { id: string; name: string; uri: string | null; redirectUri: string | null };
  scopes: Scope[];
  unavailableScopes: string[];
  user: { email: string; name: string; role: string };
}

export interface ConnectedApp {
  clientId: string;
  clientName: string;
  clientUri: string | null;
  scopes: Scope[];
  connectedAt: string;
  expiresAt: string | null;
}

async function call<T>(token: string, method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: {
      Accept: 'application/json, application/problem+json',
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!res.ok) throw new ApiError(res.status, { title: res.statusText, ...parsed });
  return parsed as T;
}

const interaction = (uid: string) => `/oauth/interaction/${encodeURIComponent(uid)}`;

export const oauthApi = {
  consent: (token: string, uid: string) => call<ConsentRequest>(token, 'GET', `${interaction(uid)}/details`),
  allow: (token: string, uid: string, scopes: string[]) =>
    call<{ redirectTo: string }>(token, 'POST', `${interaction(uid)}/allow`, { scopes }),
  deny: (token: string, uid: string) =>
    call<{ redirectTo: string }>(token, 'POST', `${interaction(uid)}/deny`, {}),
  connectedApps: (token: string) => call<{ items: ConnectedApp[] }>(token, 'GET', '/api/v1/connected-apps'),
  revoke: (token: string, clientId: string) =>
    call<void>(token, 'DELETE', `/api/v1/connected-apps/${encodeURIComponent(clientId)}`),
};

export const SCOPE_DESCRIPTIONS: Record<string, string> = {
  'kb:read': 'Search and read knowledge-base articles',
  'kb:write': 'Create and edit articles',
  'tickets:read': 'Read tickets and their comments',
  'tickets:write': 'Create, update and reply to tickets',
  'users:read': 'Look up people',
  'users:write': 'Manage users',
  admin: 'Everything, including API keys and the audit log',
};
