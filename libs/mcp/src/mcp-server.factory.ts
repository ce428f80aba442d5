import { Injectable } from '@nestjs/common';
import {
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError,
  type CallToolResult,
  type Server,
  type ServerCapabilities,
} from '@modelcontextprotocol/server';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/server/validators/ajv';
import {
  ForbiddenError,
  hasScope,
  InvalidError,
  isUnavailableError,
  NotFoundError,
  retryAfterSeconds,
  type Principal,
} from '@app/core';
import { hashArgs, type AuditOutcome } from '@app/observability';
import { McpAudit } from './audit';
import { recordMcpOutcome } from './tracing';
import { McpCatalog } from './catalog';
import { principalFrom, type HandlerCtx } from './context';
import { McpDomain } from './domain';
import { completeResourceValue, listResources, readResource, type ResourceKind } from './resources';
import { nulPath, StrictServer } from './strict-server';
import { toolError, toolErrorText, unavailableText } from './tool-errors';
import type { ToolDef } from './tools';

export const SERVER_INFO = { name: 'context-desk', title: 'Context Desk', version: '0.1.0' };

const INSTRUCTIONS =
  'Context Desk: a knowledge base (search_knowledge, get_document, kb://documents/{slug}) and a support desk ' +
  '(search_tickets, get_ticket, kb://tickets/{number}). Writes take the expectedVersion last read.';

/** One validator (compiled Ajv schemas) for every server instance. */
const SHARED_VALIDATOR = new AjvJsonSchemaValidator();

/**
 * Lists that are the same for every caller with the same scopes, and change only with a
 * deployment: clients may keep them for a minute (private: they depend on the caller).
 */
const CACHE_HINTS = {
  'tools/list': { ttlMs: 60_000, cacheScope: 'private' },
  'prompts/list': { ttlMs: 60_000, cacheScope: 'private' },
  'resources/templates/list': { ttlMs: 60_000, cacheScope: 'private' },
  'server/discover': { ttlMs: 60_000, cacheScope: 'private' },
} as const;

/** What one server instance serves, and to whom. */
export interface ServerShape {
  /**
   * True when the instance can push notifications to its client later: a 2025-11-25 session,
   * a stdio connection, or a 2026-07-28 request (whose `subscriptions/listen` streams carry
   * resource notifications). False for the 2025-era stateless fallback.
   */
  notifies: boolean;
  /** True for 2025-era instances that keep per-client state (sessions, stdio): resources/subscribe. */
  subscribable: boolean;
  /** The caller when no HTTP request carries one (stdio). */
  fixedPrincipal?: Principal | null;
  /** Resource URIs the client subscribed to (sessions, stdio); kept by the owner of the instance. */
  subscriptions?: Set<string>;
  /** Called after resources/subscribe or unsubscribe changed `subscriptions`. */
  onSubscriptionsChanged?: () => void;
}

/**
 * Builds MCP servers (SDK v2 low-level `Server`) from the catalog: the same definitions serve
 * 2025-11-25 sessions, the 2025 stateless fallback, 2026-07-28 requests and stdio. Building
 * one is cheap: list entries are precomputed by the catalog, handlers are closures over it.
 */
@Injectable()
export class McpServerFactory {
  constructor(
    private readonly domain: McpDomain,
    private readonly catalog: McpCatalog,
    private readonly audit: McpAudit,
  ) {}

  capabilities(shape: Pick<ServerShape, 'notifies' | 'subscribable'>): ServerCapabilities {
    return {
      logging: {},
      completions: {},
      tools: {},
      prompts: {},
      resources: shape.notifies ? { subscribe: true, listChanged: true } : {},
    };
  }

  build(shape: ServerShape): Server {
    const server = new StrictServer(SERVER_INFO, {
      capabilities: this.capabilities(shape),
      instructions: INSTRUCTIONS,
      jsonSchemaValidator: SHARED_VALIDATOR,
      cacheHints: CACHE_HINTS,
    });
    const fixed = shape.fixedPrincipal ?? null;
    const who = (ctx: unknown) => principalFrom(ctx as HandlerCtx, fixed);
    const domain = this.domain;
    const catalog = this.catalog;

    server.setRequestHandler('tools/list', (_req, ctx) => ({ tools: catalog.visibleTo(who(ctx)).tools }));
    server.setRequestHandler('tools/call', (req, ctx) =>
      this.callTool(
        req.params.name,
        req.params.arguments,
        ctx as unknown as HandlerCtx,
        who(ctx),
        shape.notifies,
      ),
    );
    server.setRequestHandler('prompts/list', (_req, ctx) => ({
      prompts: catalog.visibleTo(who(ctx)).prompts,
    }));
    server.setRequestHandler('prompts/get', (req, ctx) =>
      guard(async () => {
        const principal = who(ctx);
        const p = catalog.prompt(req.params.name);
        if (!p) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `unknown prompt ${req.params.name}`);
        const missing = p.scopes.filter((s) => !hasScope(principal, s));
        if (missing.length)
          throw new ForbiddenError(`the prompt ${p.name} requires the scope ${missing.join(', ')}`);
        const args = p.args.safeParse(req.params.arguments ?? {});
        if (!args.success)
          throw new ProtocolError(
            ProtocolErrorCode.InvalidParams,
            `invalid arguments for prompt ${p.name}: ${args.error.issues.map((i) => `${i.path.join('.') || 'arguments'} ${i.message}`).join('; ')}`,
          );
        return p.build(domain, args.data as Record<string, string>, principal);
      }),
    );
    server.setRequestHandler('resources/list', (req, ctx) =>
      guard(() => listResources(domain, who(ctx), req.params?.cursor)),
    );
    server.setRequestHandler('resources/templates/list', (_req, ctx) => ({
      resourceTemplates: catalog.visibleTo(who(ctx)).templates,
    }));
    server.setRequestHandler('resources/read', (req, ctx) =>
      guard(async () => {
        const extra = catalog.extraResourceFor(req.params.uri);
        if (extra) {
          const principal = who(ctx);
          if (!hasScope(principal, extra.def.scope))
            throw new ForbiddenError(`the resource ${req.params.uri} requires the scope ${extra.def.scope}`);
          try {
            const { text } = await extra.def.read(extra.value, principal);
            return { contents: [{ uri: req.params.uri, mimeType: extra.def.mimeType, text }] };
          } catch (e) {
            if (e instanceof NotFoundError) throw new ResourceNotFoundError(req.params.uri, toolErrorText(e));
            throw e;
          }
        }
        try {
          return await readResource(domain, req.params.uri, who(ctx));
        } catch (e) {
          if (e instanceof NotFoundError) throw new ResourceNotFoundError(req.params.uri, toolErrorText(e));
          throw e;
        }
      }),
    );
    server.setRequestHandler('completion/complete', (req, ctx) =>
      guard(async () => {
        const ref = req.params.ref;
        let kind: ResourceKind | undefined;
        if (ref.type === 'ref/resource') {
          const t = catalog.template(ref.uri);
          if (!t)
            throw new ProtocolError(ProtocolErrorCode.InvalidParams, `unknown resource template ${ref.uri}`);
          kind = t.variable === req.params.argument.name ? t.kind : undefined;
        } else {
          const p = catalog.prompt(ref.name);
          if (!p) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `unknown prompt ${ref.name}`);
          kind = p.completes[req.params.argument.name];
        }
        const values = kind
          ? await completeResourceValue(domain, kind, req.params.argument.value, who(ctx))
          : [];
        return { completion: { values: values.slice(0, 100), total: values.length, hasMore: false } };
      }),
    );
    if (shape.subscribable) {
      const subs = shape.subscriptions ?? new Set<string>();
      server.setRequestHandler('resources/subscribe', (req, ctx) => {
        who(ctx);
        if (!subs.has(req.params.uri)) {
          subs.add(req.params.uri);
          shape.onSubscriptionsChanged?.();
        }
        return {};
      });
      server.setRequestHandler('resources/unsubscribe', (req, ctx) => {
        who(ctx);
        if (subs.delete(req.params.uri)) shape.onSubscriptionsChanged?.();
        return {};
      });
    }
    return server;
  }

  /** Every tools/call: scope check, argument validation, the tool, then one audit row. */
  private async callTool(
    name: string,
    rawArgs: Record<string, unknown> | undefined,
    ctx: HandlerCtx,
    principal: Principal,
    notifies: boolean,
  ): Promise<CallToolResult> {
    const started = performance.now();
    const def = this.catalog.tool(name);
    if (!def) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Tool ${name} not found`);
    let outcome: AuditOutcome = 'success';
    let result: CallToolResult;
    try {
      if (def.scope && !hasScope(principal, def.scope)) {
        outcome = 'denied';
        result = toolError(new ForbiddenError(`the tool ${name} requires the scope ${def.scope}`));
      } else {
        result = await this.runTool(def, rawArgs ?? {}, ctx, principal, notifies);
        if (result.isError) outcome = 'error';
      }
    } catch (e) {
      outcome = 'error';
      throw e;
    } finally {
      recordMcpOutcome(outcome);
      this.audit.record(
        {
          actor: principal,
          channel: 'mcp',
          action: 'mcp.tool_call',
          targetType: 'tool',
          targetId: name.slice(0, 100),
          outcome,
          durationMs: performance.now() - started,
          argsHash: hashArgs(rawArgs ?? {}),
        },
        def.annotations.readOnlyHint === true && outcome !== 'denied',
      );
    }
    return result;
  }

  private async runTool(
    def: ToolDef,
    rawArgs: Record<string, unknown>,
    ctx: HandlerCtx,
    principal: Principal,
    notifies: boolean,
  ): Promise<CallToolResult> {
    const nul = nulPath(rawArgs);
    if (nul !== null)
      return toolError(
        new InvalidError(`the arguments of ${def.name} contain a NUL character`, [
          { field: nul || 'arguments', message: 'must not contain NUL (U+0000) characters' },
        ]),
      );
    const parsed = def.input.safeParse(rawArgs);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => ({
        field: i.path.join('.') || 'arguments',
        message: i.message,
      }));
      return toolError(
        new InvalidError(`the arguments of ${def.name} do not match its input schema`, fields),
      );
    }
    const token = ctx.mcpReq._meta?.progressToken;
    let out: unknown;
    try {
      out = await def.run(this.domain, parsed.data as never, {
        principal,
        signal: ctx.mcpReq.signal,
        progress: async (progress, total, message) => {
          if (token === undefined) return;
          await ctx.mcpReq.notify({
            method: 'notifications/progress',
            params: { progressToken: token, progress, total, message },
          });
        },
      });
    } catch (e) {
      return toolError(e);
    }
    // A debug line for clients that can have set a log level (sessions, stdio; 2026-07-28 sends
    // it only when the request's _meta asks): a stateless 2025 instance lives for one request.
    if (notifies) await ctx.mcpReq.log('debug', { tool: def.name, ok: true }, 'tools').catch(() => undefined);
    return {
      content: [{ type: 'text', text: def.render(out as never) }],
      structuredContent: out as Record<string, unknown>,
    };
  }
}

/** Domain errors from resources, prompts and completion become JSON-RPC errors with a usable message. */
async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ProtocolError) throw e;
    // An outage is not an internal error (-32603): a server error (-32000) with the time to wait.
    if (isUnavailableError(e))
      throw new ProtocolError(-32000, unavailableText(e), {
        retryAfterSeconds: retryAfterSeconds(e),
      });
    const kind = (e as { kind?: string }).kind;
    const code =
      kind === 'invalid' || kind === 'not_found'
        ? ProtocolErrorCode.InvalidParams
        : kind
          ? ProtocolErrorCode.InvalidRequest
          : ProtocolErrorCode.InternalError;
    throw new ProtocolError(code, toolErrorText(e));
  }
}
