import { Injectable, Logger } from '@nestjs/common';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { toJsonSchemaCompat } from '@modelcontextprotocol/sdk/server/zod-json-schema-compat.js';
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  ErrorCode,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  LoggingLevelSchema,
  McpError,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type CallToolResult,
  type LoggingLevel,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import { ForbiddenError, hasScope, type Principal } from '@app/core';
import { hashArgs, writeAudit, type AuditOutcome } from '@app/observability';
import { principalFrom, type HandlerExtra } from './context';
import { McpDomain } from './domain';
import { PROMPTS, PROMPTS_BY_NAME } from './prompts';
import {
  RESOURCE_TEMPLATES,
  completeResourceValue,
  listResources,
  readResource,
  type ResourceKind,
} from './resources';
import { toolError, toolErrorText } from './tool-errors';
import { TOOLS, TOOLS_BY_NAME, type ToolDef } from './tools';

export const SERVER_INFO = { name: 'context-desk', title: 'Context Desk', version: '0.1.0' };

const INSTRUCTIONS =
  'Context Desk: a knowledge base (search_knowledge, get_document, kb://documents/{slug}) and a support desk ' +
  '(search_tickets, get_ticket, kb://tickets/{number}). Writes take the expectedVersion last read.';

/** tools/list entries, converted from the zod schemas once per process. */
const TOOL_LIST: { def: ToolDef; tool: Tool }[] = TOOLS.map((def) => ({
  def,
  tool: {
    name: def.name,
    title: def.title,
    description: def.description,
    inputSchema: toJsonSchemaCompat(def.input, {
      strictUnions: true,
      pipeStrategy: 'input',
    }) as Tool['inputSchema'],
    outputSchema: toJsonSchemaCompat(def.output, {
      strictUnions: true,
      pipeStrategy: 'output',
    }) as Tool['outputSchema'],
    annotations: def.annotations,
    execution: { taskSupport: 'forbidden' },
  },
}));

/** One validator (compiled Ajv schemas) for every server instance. */
const SHARED_VALIDATOR = new AjvJsonSchemaValidator();

const LEVELS = LoggingLevelSchema.options;

/** Per-server state: a stateful session, the shared stateless server, or a stdio server. */
export class McpServerState {
  logLevel: LoggingLevel | null = null;
  readonly subscriptions = new Set<string>();
  constructor(
    /** False for the stateless server shared by all callers: no per-client state is kept. */
    readonly perClient: boolean,
    /** The caller when no HTTP request carries one (stdio). */
    readonly fixedPrincipal: Principal | null = null,
  ) {}

  wants(level: LoggingLevel): boolean {
    return this.logLevel !== null && LEVELS.indexOf(level) >= LEVELS.indexOf(this.logLevel);
  }
}

type RequestHandler = (request: unknown, extra: unknown) => Promise<unknown>;

/**
 * Builds MCP servers from the domain services: the contract's tools, resource templates and
 * prompts on the SDK's McpServer, plus the low-level handlers the high-level API lacks
 * (scope-filtered tools/list, paginated resources/list, subscriptions, scoped completion,
 * audited tools/call).
 */
@Injectable()
export class McpServerFactory {
  private readonly logger = new Logger('Mcp');

  constructor(private readonly domain: McpDomain) {}

  build(state: McpServerState): McpServer {
    const mcp = new McpServer(SERVER_INFO, {
      capabilities: {
        logging: {},
        completions: {},
        resources: { subscribe: state.perClient, listChanged: state.perClient },
        tools: { listChanged: false },
        prompts: { listChanged: false },
      },
      instructions: INSTRUCTIONS,
      jsonSchemaValidator: SHARED_VALIDATOR,
    });
    const who = (extra: unknown) => principalFrom(extra as HandlerExtra, state.fixedPrincipal);

    for (const def of TOOLS) {
      mcp.registerTool(
        def.name,
        {
          title: def.title,
          description: def.description,
          inputSchema: def.input,
          outputSchema: def.output,
          annotations: def.annotations,
        },
        (args: unknown, extra: unknown) => this.runTool(def, args, extra as HandlerExtra, state),
      );
    }
    for (const t of RESOURCE_TEMPLATES) {
      mcp.registerResource(
        t.name,
        new ResourceTemplate(t.uriTemplate, { list: undefined }),
        { title: t.title, description: t.description, mimeType: t.mimeType },
        (uri, _vars, extra) => this.guard(() => readResource(this.domain, uri.href, who(extra))),
      );
    }
    for (const p of PROMPTS) {
      mcp.registerPrompt(
        p.name,
        { title: p.title, description: p.description, argsSchema: p.args.shape },
        (args: Record<string, string>, extra: unknown) =>
          this.guard(async () => {
            const principal = who(extra);
            const missing = p.scopes.filter((s) => !hasScope(principal, s));
            if (missing.length)
              throw new ForbiddenError(`this prompt requires the scope ${missing.join(', ')}`);
            return p.build(this.domain, args, principal);
          }),
      );
    }

    const low = mcp.server;
    const callTool = (
      low as unknown as { _requestHandlers: Map<string, RequestHandler> }
    )._requestHandlers.get('tools/call');
    if (!callTool) throw new Error('MCP SDK internals changed: tools/call handler not found');

    low.setRequestHandler(ListToolsRequestSchema, (_req, extra) => {
      const principal = who(extra);
      return { tools: TOOL_LIST.filter((t) => hasScope(principal, t.def.scope)).map((t) => t.tool) };
    });
    low.setRequestHandler(CallToolRequestSchema, (req, extra) => this.auditedCall(req, extra, callTool, who));
    low.setRequestHandler(ListResourcesRequestSchema, (req, extra) =>
      this.guard(() => listResources(this.domain, who(extra), req.params?.cursor)),
    );
    low.setRequestHandler(ListPromptsRequestSchema, (_req, extra) => {
      const principal = who(extra);
      return {
        prompts: PROMPTS.filter((p) => p.scopes.every((s) => hasScope(principal, s))).map((p) => ({
          name: p.name,
          title: p.title,
          description: p.description,
          arguments: Object.entries(p.args.shape).map(([name, schema]) => ({
            name,
            description: schema.description,
            required: true,
          })),
        })),
      };
    });
    low.setRequestHandler(CompleteRequestSchema, (req, extra) =>
      this.guard(async () => {
        const ref = req.params.ref;
        let kind: ResourceKind | undefined;
        if (ref.type === 'ref/resource') {
          const t = RESOURCE_TEMPLATES.find((x) => x.uriTemplate === ref.uri);
          if (!t) throw new McpError(ErrorCode.InvalidParams, `unknown resource template ${ref.uri}`);
          kind = t.variable === req.params.argument.name ? t.kind : undefined;
        } else {
          const p = PROMPTS_BY_NAME.get(ref.name);
          if (!p) throw new McpError(ErrorCode.InvalidParams, `unknown prompt ${ref.name}`);
          kind = p.completes[req.params.argument.name];
        }
        const values = kind
          ? await completeResourceValue(this.domain, kind, req.params.argument.value, who(extra))
          : [];
        return { completion: { values: values.slice(0, 100), total: values.length, hasMore: false } };
      }),
    );
    low.setRequestHandler(SetLevelRequestSchema, (req) => {
      if (state.perClient) state.logLevel = req.params.level;
      return {};
    });
    low.setRequestHandler(SubscribeRequestSchema, (req, extra) => {
      who(extra);
      if (!state.perClient)
        throw new McpError(
          ErrorCode.InvalidRequest,
          'subscriptions need a session (this server runs stateless)',
        );
      state.subscriptions.add(req.params.uri);
      return {};
    });
    low.setRequestHandler(UnsubscribeRequestSchema, (req) => {
      state.subscriptions.delete(req.params.uri);
      return {};
    });
    return mcp;
  }

  /** Domain errors from resources, prompts and completion become JSON-RPC errors with a usable message. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof McpError) throw e;
      const kind = (e as { kind?: string }).kind;
      const code =
        kind === 'invalid' || kind === 'not_found' ? ErrorCode.InvalidParams : ErrorCode.InvalidRequest;
      throw new McpError(kind ? code : ErrorCode.InternalError, toolErrorText(e));
    }
  }

  private async runTool(def: ToolDef, args: unknown, extra: HandlerExtra, state: McpServerState) {
    const principal = principalFrom(extra, state.fixedPrincipal);
    const token = extra._meta?.progressToken;
    let out: unknown;
    try {
      out = await def.run(this.domain, args as never, {
        principal,
        signal: extra.signal,
        progress: async (progress, total, message) => {
          if (token === undefined) return;
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken: token, progress, total, message },
          });
        },
      });
    } catch (e) {
      return toolError(e);
    }
    const result: CallToolResult = {
      content: [{ type: 'text', text: def.render(out as never) }],
      structuredContent: out as Record<string, unknown>,
    };
    if (state.wants('debug')) {
      await extra
        .sendNotification({
          method: 'notifications/message',
          params: { level: 'debug', logger: 'tools', data: { tool: def.name, ok: true } },
        })
        .catch(() => undefined);
    }
    return result;
  }

  /** Every tools/call: scope re-check, the SDK's validation and dispatch, then one audit row. */
  private async auditedCall(
    req: { params: { name: string; arguments?: Record<string, unknown> } },
    extra: unknown,
    callTool: RequestHandler,
    who: (extra: unknown) => Principal,
  ): Promise<CallToolResult> {
    const started = performance.now();
    const principal = who(extra);
    const name = req.params.name;
    const def = TOOLS_BY_NAME.get(name);
    let outcome: AuditOutcome = 'success';
    let result: CallToolResult;
    try {
      if (def && !hasScope(principal, def.scope)) {
        outcome = 'denied';
        result = toolError(new ForbiddenError(`the tool ${name} requires the scope ${def.scope}`));
      } else {
        result = (await callTool(req, extra)) as CallToolResult;
        if (result.isError) outcome = 'error';
        if (!result.isError && (result as { task?: unknown }).task === undefined && !def) outcome = 'error';
      }
    } catch (e) {
      outcome = 'error';
      throw e;
    } finally {
      const durationMs = performance.now() - started;
      await writeAudit(this.domain.db.prisma, {
        actor: principal,
        channel: 'mcp',
        action: 'mcp.tool_call',
        targetType: 'tool',
        targetId: name.slice(0, 100),
        outcome,
        durationMs,
        argsHash: hashArgs(req.params.arguments ?? {}),
      }).catch((err: Error) => this.logger.error(`audit write failed: ${err.message}`));
    }
    return result;
  }
}
