import type { components, paths } from '../../apps/admin/src/lib/api-schema';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from './test-app';

// The test client is typed from the server's OpenAPI document (the admin's generated
// api-schema.d.ts, kept in step by `npm run admin:api-types`): a concrete path such as
// `/api/v1/tickets/${n}/comments?limit=5` is matched segment by segment against the documented
// routes, so a misspelt route, request field or response field is a compile error in a test.
// Requests the document does not describe (health, metrics, deliberately malformed bodies) go
// through `client.raw`, whose body is `unknown` unless the test names a type.

export type Problem = components['schemas']['ProblemSchema'];
export type Schemas = components['schemas'];

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Route = keyof paths;

type PathOnly<P extends string> = P extends `${infer Path}?${string}` ? Path : P;
type Segments<S extends string> = S extends `${infer H}/${infer T}` ? [H, ...Segments<T>] : [S];
/** A documented segment `{name}` takes any value; any other segment must be the same text. */
type SegmentsMatch<C extends string[], R extends string[]> = C extends [
  infer C0 extends string,
  ...infer CR extends string[],
]
  ? R extends [infer R0 extends string, ...infer RR extends string[]]
    ? R0 extends `{${string}}`
      ? SegmentsMatch<CR, RR>
      : C0 extends R0
        ? SegmentsMatch<CR, RR>
        : false
    : false
  : R extends []
    ? true
    : false;

type Operation<R extends Route, M extends Method> = NonNullable<paths[R][M]>;
/** The documented route (with method M) that the concrete path P stands for. */
export type RouteOf<P extends string, M extends Method> = P extends string
  ? {
      [R in Route]: SegmentsMatch<Segments<PathOnly<P>>, Segments<R>> extends true
        ? [Operation<R, M>] extends [never]
          ? never
          : R
        : never;
    }[Route]
  : never;

type JsonContent<X> = X extends { content: infer C }
  ? C extends { 'application/json': infer J }
    ? J
    : string
  : null;
type SuccessBody<O> = O extends { responses: infer Res }
  ? { [S in keyof Res]: S extends 200 | 201 | 202 | 204 ? JsonContent<Res[S]> : never }[keyof Res]
  : never;
type RequestBody<O> = O extends { requestBody?: infer B }
  ? [NonNullable<B>] extends [never]
    ? undefined
    : NonNullable<B> extends { content: { 'application/json': infer J } }
      ? J
      : unknown
  : undefined;

/** The 2xx body of `M path`, from the OpenAPI document. */
export type ResponseOf<P extends string, M extends Method> = SuccessBody<Operation<RouteOf<P, M>, M>>;
/** The JSON request body of `M path`, from the OpenAPI document. */
export type BodyOf<P extends string, M extends Method> = RequestBody<Operation<RouteOf<P, M>, M>>;
type Pattern<R extends string> = R extends `${infer H}{${string}}${infer T}`
  ? `${H}${string}${Pattern<T>}`
  : R;
/** The concrete paths the document has a route with method M for (with or without a query). */
type KnownPath<M extends Method> = {
  [R in Route]: [Operation<R, M>] extends [never] ? never : Pattern<R> | `${Pattern<R>}?${string}`;
}[Route];

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** The parsed body, typed as the route's success answer. */
  body: T;
  /** The same body read as an error answer (application/problem+json). */
  problem: Problem;
}

type Headers_ = Record<string, string>;

/** A JSON Schema node of the served OpenAPI document, as far as tests read it. */
export interface JsonSchemaNode {
  type?: string | string[];
  enum?: unknown[];
  nullable?: boolean;
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  $ref?: string;
}
/** The served OpenAPI document (`raw.get<OpenApiDocument>('/api/openapi.json')`), as far as tests read it. */
export interface OpenApiDocument {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      { parameters?: { name: string; schema?: JsonSchemaNode }[]; responses: Record<string, unknown> }
    >
  >;
  components: { schemas: Record<string, JsonSchemaNode> };
}

/** Untyped requests: status-only checks, undocumented routes, deliberately malformed input. */
export interface RawClient {
  request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Headers_,
  ): Promise<ApiResponse<T>>;
  get<T = unknown>(path: string, headers?: Headers_): Promise<ApiResponse<T>>;
  post<T = unknown>(path: string, body?: unknown, headers?: Headers_): Promise<ApiResponse<T>>;
  patch<T = unknown>(path: string, body?: unknown, headers?: Headers_): Promise<ApiResponse<T>>;
  delete<T = unknown>(path: string, headers?: Headers_): Promise<ApiResponse<T>>;
}

export interface ApiClient {
  token: string | null;
  raw: RawClient;
  get<P extends KnownPath<'get'>>(path: P, headers?: Headers_): Promise<ApiResponse<ResponseOf<P, 'get'>>>;
  post<P extends KnownPath<'post'>>(
    path: P,
    body?: BodyOf<P, 'post'>,
    headers?: Headers_,
  ): Promise<ApiResponse<ResponseOf<P, 'post'>>>;
  patch<P extends KnownPath<'patch'>>(
    path: P,
    body?: BodyOf<P, 'patch'>,
    headers?: Headers_,
  ): Promise<ApiResponse<ResponseOf<P, 'patch'>>>;
  /** A multipart/form-data POST (attachments, imports). */
  upload<P extends KnownPath<'post'>>(
    path: P,
    form: FormData,
    headers?: Headers_,
  ): Promise<ApiResponse<ResponseOf<P, 'post'>>>;
  delete<P extends KnownPath<'delete'>>(
    path: P,
    headers?: Headers_,
  ): Promise<ApiResponse<ResponseOf<P, 'delete'>>>;
}

/** A small JSON client over real HTTP (fetch), with an optional bearer token. */
export function api(baseUrl: string, token: string | null = null): ApiClient {
  const request = async <T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Headers_ = {},
  ): Promise<ApiResponse<T>> => {
    const payload =
      body === undefined || body instanceof FormData || typeof body === 'string'
        ? body
        : JSON.stringify(body);
    const form = body instanceof FormData;
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined && !form ? { 'Content-Type': 'application/json' } : {}),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: payload,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, headers: res.headers, body: parsed as T, problem: parsed as Problem };
  };
  const raw: RawClient = {
    request,
    get: (p, h) => request('GET', p, undefined, h),
    post: (p, b, h) => request('POST', p, b ?? {}, h),
    patch: (p, b, h) => request('PATCH', p, b ?? {}, h),
    delete: (p, h) => request('DELETE', p, undefined, h),
  };
  // The typed methods are the raw ones with the document's types laid over them.
  const typed = { ...raw, upload: (p: string, f: FormData, h?: Headers_) => request('POST', p, f, h) };
  return { token, raw, ...(typed as unknown as Omit<ApiClient, 'token' | 'raw'>) };
}

export async function login(
  baseUrl: string,
  email = ADMIN_EMAIL,
  password = ADMIN_PASSWORD,
): Promise<string> {
  const res = await api(baseUrl).post('/api/v1/auth/login', { email, password });
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
  const created = await admin.post('/api/v1/users', { email, name: `Test ${role}`, role, password });
  if (created.status !== 201)
    throw new Error(`creating ${role} failed: ${created.status} ${JSON.stringify(created.body)}`);
  const token = await login(baseUrl, email, password);
  return Object.assign(api(baseUrl, token), { userId: created.body.id, email });
}
