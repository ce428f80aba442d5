import { ADMIN_EMAIL, ADMIN_PASSWORD } from './test-app';

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface ApiClient {
  token: string | null;
  request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse<T>>;
  get<T = any>(path: string, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  patch<T = any>(path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  delete<T = any>(path: string, headers?: Record<string, string>): Promise<ApiResponse<T>>;
}

/** A small JSON client over real HTTP (fetch), with an optional bearer token. */
export function api(baseUrl: string, token: string | null = null): ApiClient {
  const request = async <T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  };
  return {
    token,
    request,
    get: (p, h) => request('GET', p, undefined, h),
    post: (p, b, h) => request('POST', p, b ?? {}, h),
    patch: (p, b, h) => request('PATCH', p, b ?? {}, h),
    delete: (p, h) => request('DELETE', p, undefined, h),
  };
}

export async function login(
  baseUrl: string,
  email = ADMIN_EMAIL,
  password = ADMIN_PASSWORD,
): Promise<string> {
  const res = await api(baseUrl).post<{ accessToken: string }>('/api/v1/auth/login', { email, password });
  if (res.status !== 200)
    throw new Error(`login as ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.accessToken;
}

/** Creates a user through the REST API (as admin) and returns a client signed in as that user. */
export async function userClient(
  baseUrl: string,
  admin: ApiClient,
  role: 'admin' | 'agent' | 'viewer',
  email = `${role}-${Math.random().toString(36).slice(2, 8)}@example.test`,
): Promise<ApiClient & { userId: string; email: string }> {
  const password = `${role}-password-123`;
  const created = await admin.post<{ id: string }>('/api/v1/users', {
    email,
    name: `Test ${role}`,
    role,
    password,
  });
  if (created.status !== 201)
    throw new Error(`creating ${role} failed: ${created.status} ${JSON.stringify(created.body)}`);
  const token = await login(baseUrl, email, password);
  return Object.assign(api(baseUrl, token), { userId: created.body.id, email });
}
