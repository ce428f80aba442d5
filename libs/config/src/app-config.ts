import { isIP } from 'node:net';
import * as path from 'node:path';
import { ConfigError } from './config.error';

export type Env = Record<string, string | undefined>;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const MCP_MODES = ['stateful', 'stateless'] as const;
export type McpMode = (typeof MCP_MODES)[number];

export type DatabaseTarget =
  | { kind: 'postgres'; url: string }
  /** dataDir null = in memory (tests). */
  | { kind: 'pglite'; dataDir: string | null };

/** Services mode: how the Postgres pool bounds waiting (back-pressure instead of hanging). */
export interface DbPoolSettings {
  /** DB_POOL_SIZE: connections per process. */
  size: number;
  /** DB_POOL_TIMEOUT_MS: longest wait for a pool connection (and for connecting); then 503. */
  timeoutMs: number;
  /** DB_STATEMENT_TIMEOUT_MS: server-side statement_timeout; the client gives up 2 s later. */
  statementTimeoutMs: number;
  /** idle_in_transaction_session_timeout. */
  idleInTransactionMs: number;
}

/** OpenTelemetry tracing, on when the standard OTEL_* variables configure an exporter. */
/**
 * HTTP admission control: how much work one process takes on at once; the rest waits in a
 * bounded queue for a bounded time, then gets 503 with Retry-After (see apps/server/src/http/admission.ts).
 */
export interface AdmissionSettings {
  /** HTTP_MAX_IN_FLIGHT: REST requests served at once (default: twice the database pool). */
  maxInFlight: number;
  /** HTTP_MAX_QUEUE: requests waiting for a slot; beyond this, 503 at once. */
  maxQueue: number;
  /** HTTP_QUEUE_TIMEOUT_MS: longest wait for a slot; then 503. */
  queueTimeoutMs: number;
}

export interface TracingConfig {
  serviceName: string;
  /** TRACE_RECORD_ARGUMENTS: put MCP tool arguments on spans (debugging only; off by default). */
  recordArguments: boolean;
}

export interface SlaMinutes {
  urgent: number;
  high: number;
}

/**
 * The validated configuration. The only place in the code base that reads environment
 * variables is {@link loadConfig}; everything else receives this object by injection.
 */
export class AppConfig {
  readonly port!: number;
  readonly host!: string;
  readonly publicUrl!: string;
  readonly database!: DatabaseTarget;
  readonly dbPool!: DbPoolSettings;
  readonly admission!: AdmissionSettings;
  /** Absolute DATA_DIR, or null for an in-memory embedded database. */
  readonly dataDir!: string | null;
  readonly redisUrl!: string | null;
  /** Null: generated once and kept in DATA_DIR (see libs/auth). */
  readonly jwtSecret!: string | null;
  readonly jwtTtlSeconds!: number;
  readonly adminEmail!: string | null;
  readonly adminPassword!: string | null;
  readonly logLevel!: LogLevel;
  readonly mcpMode!: McpMode;
  readonly mcpAllowedOrigins!: string[];
  readonly mcpSessionIdleMinutes!: number;
  /** Live MCP sessions per instance, and per principal (user or API key); the idle oldest is evicted. */
  readonly mcpMaxSessions!: number;
  readonly mcpMaxSessionsPerPrincipal!: number;
  /** Largest /mcp request body (declared or chunked), in bytes. */
  readonly mcpMaxBodyBytes!: number;
  /** CONTEXT_DESK_API_KEY: the key `context-desk mcp` (stdio) authenticates with. */
  readonly mcpApiKey!: string | null;
  readonly runJobs!: boolean;
  readonly slaFirstResponseMinutes!: SlaMinutes;
  readonly metricsToken!: string | null;
  /** REST requests per minute per API key or user (per client IP for anonymous requests). */
  readonly rateLimitPerMinute!: number;
  /** POST /api/v1/auth/login attempts per minute per client IP. */
  readonly loginRateLimitPerMinute!: number;
  /** POST /register (OAuth dynamic client registration) per hour per client IP. */
  readonly oauthRegistrationsPerHour!: number;
  /** Failed sign-ins per account within loginLockoutMinutes before the account is refused (429). */
  readonly loginMaxFailures!: number;
  readonly loginLockoutMinutes!: number;
  /** Express `trust proxy`: false (default), a hop count, or addresses/CIDRs/names. */
  readonly trustProxy!: TrustProxy;
  readonly shutdownTimeoutMs!: number;
  /** Event bus: how often each instance tails the outbox when nothing woke it earlier. */
  readonly eventPollMs!: number;
  /** WebSocket: bytes queued for one client before it is closed as a slow consumer (4008). */
  readonly wsSendBufferBytes!: number;
  readonly wsHeartbeatMs!: number;
  /** BullMQ key prefix; instances that share work must share it. */
  readonly queuePrefix!: string;
  /** In-process runner: a `running` job whose lock is older than this is taken over. */
  readonly jobLockTimeoutMs!: number;
  /** How often each instance reconciles the queue with the `job` table. */
  readonly jobReconcileMs!: number;
  /** First webhook retry delay; later ones double. */
  readonly webhookRetryBaseMs!: number;
  /** MCP_LEGACY_SSE: serve the deprecated 2024-11-05 HTTP+SSE transport at GET /sse + POST /messages. */
  readonly mcpLegacySse!: boolean;
  /**
   * MCP_REVIEW_ROLES: roles whose knowledge-base edits over MCP go to review: a change to a
   * published article is kept as a pending draft (the article stays as it is) until an admin
   * publishes it, and they cannot publish. Empty (default): edits go live.
   */
  readonly mcpReviewRoles!: ('admin' | 'agent' | 'viewer')[];
  /** PLUGINS: module paths (relative to the working directory) or package names of MCP plugins. */
  readonly plugins!: string[];
  /** Null: tracing off (no OTEL_* exporter configured), and no tracer provider is registered. */
  readonly tracing!: TracingConfig | null;
  /** WEBHOOK_ALLOW_PRIVATE: webhook targets may be loopback/private/link-local addresses. */
  readonly webhookAllowPrivate!: boolean;

  constructor(values: AppConfig) {
    Object.assign(this, values);
  }

  get mode(): 'embedded' | 'services' {
    return this.database.kind === 'pglite' ? 'embedded' : 'services';
  }
}

const nonEmpty = (env: Env, name: string): string | undefined => {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
};

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be an integer (got "${raw}")`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max} (got ${n})`);
  return n;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return fallback;
  const v = raw.toLowerCase() as T;
  if (!allowed.includes(v))
    throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got "${raw}")`);
  return v;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = nonEmpty(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false (got "${raw}")`);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(
      name,
      `is not a valid URL (expected ${protocols.map((p) => `${p}//…`).join(' or ')})`,
    );
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')} (got "${parsed.protocol}")`);
  }
  return raw;
}

function sla(env: Env): SlaMinutes {
  const name = 'SLA_FIRST_RESPONSE_MINUTES';
  const fallback: SlaMinutes = { urgent: 60, high: 240 };
  const raw = nonEmpty(env, name);
  if (raw === undefined) return fallback;
  if (/^\d+$/.test(raw)) return { urgent: Number(raw), high: Number(raw) };
  const result = { ...fallback };
  for (const part of raw.split(',')) {
    const m = /^\s*(urgent|high)\s*[=:]\s*(\d+)\s*$/i.exec(part);
    if (!m || Number(m[2]) < 1) {
      throw new ConfigError(name, `must be minutes, e.g. "60" or "urgent=60,high=240" (got "${raw}")`);
    }
    result[m[1].toLowerCase() as keyof SlaMinutes] = Number(m[2]);
  }
  return result;
}

function email(env: Env, name: string): string | undefined {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return undefined;
  if (!/^[^\s@]+@[^\s@]+$/.test(raw)) throw new ConfigError(name, `is not an email address (got "${raw}")`);
  return raw.toLowerCase();
}

/** Parses and validates the environment. Throws {@link ConfigError} on the first bad value. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): AppConfig {
  const port = int(env, 'PORT', 3000, 0, 65535);
  const host = nonEmpty(env, 'HOST') ?? '127.0.0.1';
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const rawDataDir = nonEmpty(env, 'DATA_DIR') ?? './.data';
  const dataDir = rawDataDir === 'memory://' ? null : path.resolve(cwd, rawDataDir);
  const jwtSecret = nonEmpty(env, 'JWT_SECRET') ?? null;
  if (jwtSecret !== null && jwtSecret.length < 32) {
    throw new ConfigError('JWT_SECRET', 'must be at least 32 characters long');
  }
  const adminPassword = nonEmpty(env, 'ADMIN_PASSWORD') ?? null;
  if (adminPassword !== null && adminPassword.length < 12) {
    // The strength estimate (libs/users password policy) runs when the admin is created.
    throw new ConfigError('ADMIN_PASSWORD', 'must be at least 12 characters long');
  }
  const publicUrl = (
    url(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://${displayHost(host)}:${port}`
  ).replace(/\/+$/, '');
  const origins = nonEmpty(env, 'MCP_ALLOWED_ORIGINS');

  return new AppConfig({
    port,
    host,
    publicUrl,
    database: databaseUrl ? { kind: 'postgres', url: databaseUrl } : { kind: 'pglite', dataDir },
    dbPool: {
      size: int(env, 'DB_POOL_SIZE', 10, 1, 1000),
      timeoutMs: int(env, 'DB_POOL_TIMEOUT_MS', 5000, 100, 600_000),
      statementTimeoutMs: int(env, 'DB_STATEMENT_TIMEOUT_MS', 30_000, 100, 24 * 3_600_000),
      idleInTransactionMs: 60_000,
    },
    admission: {
      // Embedded PGlite is one connection: a few requests at once keep it busy.
      maxInFlight: int(
        env,
        'HTTP_MAX_IN_FLIGHT',
        databaseUrl ? 2 * int(env, 'DB_POOL_SIZE', 10, 1, 1000) : 8,
        1,
        100_000,
      ),
      maxQueue: int(env, 'HTTP_MAX_QUEUE', 2000, 0, 1_000_000),
      queueTimeoutMs: int(env, 'HTTP_QUEUE_TIMEOUT_MS', 5000, 0, 600_000),
    },
    dataDir,
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']) ?? null,
    jwtSecret,
    jwtTtlSeconds: int(env, 'JWT_TTL_SECONDS', 3600, 60, 30 * 24 * 3600),
    adminEmail: email(env, 'ADMIN_EMAIL') ?? null,
    adminPassword,
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    mcpMode: oneOf(env, 'MCP_MODE', MCP_MODES, 'stateful'),
    mcpAllowedOrigins: origins
      ? origins
          .split(',')
          .map((o) => o.trim().replace(/\/+$/, ''))
          .filter(Boolean)
      : [publicUrl, `http://localhost:${port}`, `http://127.0.0.1:${port}`],
    mcpSessionIdleMinutes: int(env, 'MCP_SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    mcpMaxSessions: int(env, 'MCP_MAX_SESSIONS', 2000, 1, 1_000_000),
    mcpMaxSessionsPerPrincipal: int(env, 'MCP_MAX_SESSIONS_PER_PRINCIPAL', 50, 1, 1_000_000),
    mcpMaxBodyBytes: int(env, 'MCP_MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    mcpApiKey: nonEmpty(env, 'CONTEXT_DESK_API_KEY') ?? null,
    runJobs: bool(env, 'RUN_JOBS', true),
    slaFirstResponseMinutes: sla(env),
    metricsToken: nonEmpty(env, 'METRICS_TOKEN') ?? null,
    rateLimitPerMinute: int(env, 'RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    loginRateLimitPerMinute: int(env, 'LOGIN_RATE_LIMIT_PER_MINUTE', 20, 1, 1_000_000),
    oauthRegistrationsPerHour: int(env, 'OAUTH_REGISTRATION_RATE_LIMIT_PER_HOUR', 30, 1, 1_000_000),
    loginMaxFailures: int(env, 'LOGIN_MAX_FAILURES', 10, 1, 1_000_000),
    loginLockoutMinutes: int(env, 'LOGIN_LOCKOUT_MINUTES', 15, 1, 24 * 60),
    trustProxy: trustProxy(env),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10000, 0, 600000),
    // Embedded mode has one writer, this process, and every commit wakes the bus at once: the
    // poll is only a safety net there, so it idles at 5 s (each poll is a query on the single
    // PGlite session). Other instances' writes on a shared Postgres are found by polling.
    eventPollMs: int(env, 'EVENT_POLL_MS', databaseUrl ? 250 : 5000, 5, 60_000),
    wsSendBufferBytes: int(env, 'WS_SEND_BUFFER_BYTES', 1024 * 1024, 1024, 1024 ** 3),
    wsHeartbeatMs: int(env, 'WS_HEARTBEAT_MS', 30_000, 100, 3_600_000),
    queuePrefix: queuePrefix(env),
    jobLockTimeoutMs: int(env, 'JOB_LOCK_TIMEOUT_MS', 30_000, 100, 24 * 3_600_000),
    jobReconcileMs: int(env, 'JOB_RECONCILE_MS', 5000, 50, 3_600_000),
    webhookRetryBaseMs: int(env, 'WEBHOOK_RETRY_BASE_MS', 10_000, 1, 3_600_000),
    tracing: tracing(env),
    mcpLegacySse: bool(env, 'MCP_LEGACY_SSE', false),
    plugins: (nonEmpty(env, 'PLUGINS') ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
    webhookAllowPrivate: bool(env, 'WEBHOOK_ALLOW_PRIVATE', false),
    mcpReviewRoles: reviewRoles(env),
  } as AppConfig);
}

const REVIEW_ROLES = ['admin', 'agent', 'viewer'] as const;
function reviewRoles(env: Env): AppConfig['mcpReviewRoles'] {
  const names = (nonEmpty(env, 'MCP_REVIEW_ROLES') ?? '')
    .split(',')
    .map((r) => r.trim().toLowerCase())
    .filter(Boolean);
  const bad = names.filter((r) => !(REVIEW_ROLES as readonly string[]).includes(r));
  if (bad.length)
    throw new ConfigError(
      'MCP_REVIEW_ROLES',
      `names unknown roles ${bad.join(', ')} (use ${REVIEW_ROLES.join(', ')})`,
    );
  return [...new Set(names)] as AppConfig['mcpReviewRoles'];
}

/**
 * Tracing is on when an OTLP endpoint or a trace exporter is named in the standard variables
 * (the SDK reads the rest of them itself) and OTEL_SDK_DISABLED is not true.
 */
function tracing(env: Env): TracingConfig | null {
  if (bool(env, 'OTEL_SDK_DISABLED', false)) return null;
  const endpoint =
    url(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', ['http:', 'https:']) ??
    url(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']);
  const exporter = nonEmpty(env, 'OTEL_TRACES_EXPORTER')?.toLowerCase();
  if (!endpoint && (!exporter || exporter === 'none')) return null;
  if (exporter === 'none') return null;
  return {
    serviceName: nonEmpty(env, 'OTEL_SERVICE_NAME') ?? 'context-desk',
    recordArguments: bool(env, 'TRACE_RECORD_ARGUMENTS', false),
  };
}

export type TrustProxy = false | number | string[];

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY: unset/false = X-Forwarded-For is ignored (the client is the TCP peer); a number
 * = that many proxy hops in front; otherwise a comma-separated list of addresses, CIDRs or the
 * names loopback, linklocal, uniquelocal whose X-Forwarded-For is believed.
 */
function trustProxy(env: Env): TrustProxy {
  const raw = nonEmpty(env, 'TRUST_PROXY');
  if (raw === undefined || /^(false|no|off|0)$/i.test(raw)) return false;
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > 100) throw new ConfigError('TRUST_PROXY', `is too many hops (got ${hops})`);
    return hops;
  }
  if (/^(true|yes|on)$/i.test(raw))
    throw new ConfigError(
      'TRUST_PROXY',
      'must name the proxies (a hop count, or addresses/CIDRs such as 10.0.0.0/8 or loopback), not "true"',
    );
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const e of entries) {
    if (PROXY_NAMES.includes(e)) continue;
    const [addr, bits, extra] = e.split('/');
    const family = isIP(addr);
    const max = family === 4 ? 32 : 128;
    if (
      !family ||
      extra !== undefined ||
      (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max))
    )
      throw new ConfigError(
        'TRUST_PROXY',
        `"${e}" is not an address, a CIDR or one of ${PROXY_NAMES.join(', ')}`,
      );
  }
  return entries;
}

function queuePrefix(env: Env): string {
  const raw = nonEmpty(env, 'QUEUE_PREFIX') ?? 'context-desk';
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(raw))
    throw new ConfigError('QUEUE_PREFIX', `must be 1-64 letters, digits or _ . : - (got "${raw}")`);
  return raw;
}

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
