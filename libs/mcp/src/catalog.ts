import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import type { Prompt, Tool } from '@modelcontextprotocol/server';

/** A resources/templates/list entry. */
export interface ResourceTemplateEntry {
  uriTemplate: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}
import { hasScope, type Principal, type Scope } from '@app/core';
import { PROMPTS, type PromptDef } from './prompts';
import { RESOURCE_TEMPLATES, type ResourceTemplateDef } from './resources';
import { TOOLS, type ToolDef } from './tools';

/**
 * A resource template served by a module outside libs/mcp (a plugin): one variable at the end of
 * the URI template, read by the module itself.
 */
export interface ExtraResourceDef {
  name: string;
  title: string;
  description: string;
  uriTemplate: string;
  mimeType: string;
  scope: Scope;
  read(value: string, principal: Principal): Promise<{ text: string }>;
}

interface ToolEntry {
  def: ToolDef;
  tool: Tool;
}

/**
 * Rewrites `type: ["string", "null"]` (what zod emits for a plain nullable) as
 * `anyOf: [{type: "string"}, {type: "null"}]`: clients that map tool schemas onto a single-type
 * dialect (the OpenAPI subset of some model providers) reject type arrays; the MCP Inspector
 * warns about them. Walks every subschema.
 */
export function portableSchema<T>(node: T): T {
  if (Array.isArray(node)) return node.map(portableSchema) as T;
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node))
    out[k] = k === 'const' || k === 'default' ? v : portableSchema(v);
  if (Array.isArray(out.type)) {
    const types = out.type as string[];
    delete out.type;
    const keep = { ...out };
    // Keywords that describe the whole value stay outside the branches.
    const outer: Record<string, unknown> = {};
    for (const k of ['description', 'title', 'default', 'example', 'examples', '$schema', 'x-mcp-header']) {
      if (k in keep) {
        outer[k] = keep[k];
        delete keep[k];
      }
    }
    return {
      ...outer,
      anyOf: types.map((t) => (t === 'null' ? { type: 'null' } : { type: t, ...keep })),
    } as T;
  }
  return out as T;
}

/** Formats that say all a zod-emitted `pattern` beside them says. */
const SELF_DESCRIBING_FORMATS = new Set(['date-time', 'date', 'uuid', 'email']);
/** Keywords whose value is a map of subschemas, or one subschema, or a list of them. */
const SCHEMA_MAPS = ['properties', '$defs', 'patternProperties'];
const SCHEMA_ONES = ['items', 'additionalProperties', 'not', 'contains'];
const SCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];

/**
 * Drops what zod's JSON Schema repeats without adding meaning, from one tool schema: the
 * ~330-character date-time regex (and the uuid and email ones) beside their `format`, the
 * ±2^53 bounds of every integer, `$schema` (2020-12 is MCP's default dialect), and, in output
 * schemas, `example`s. The list is what an agent's model reads before every conversation and
 * what every `tools/list` serializes: 60 KB before, about half after. Walks schema keywords
 * only, so a property that happens to be named `pattern` or `example` stays.
 */
export function compactSchema<T>(node: T, io: 'input' | 'output'): T {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return node;
  const out: Record<string, unknown> = { ...(node as Record<string, unknown>) };
  delete out.$schema;
  if (typeof out.format === 'string' && SELF_DESCRIBING_FORMATS.has(out.format)) delete out.pattern;
  if (out.minimum === Number.MIN_SAFE_INTEGER) delete out.minimum;
  if (out.maximum === Number.MAX_SAFE_INTEGER) delete out.maximum;
  if (io === 'output') delete out.example;
  for (const k of SCHEMA_MAPS) {
    const map = out[k];
    if (map && typeof map === 'object')
      out[k] = Object.fromEntries(Object.entries(map).map(([name, sub]) => [name, compactSchema(sub, io)]));
  }
  for (const k of SCHEMA_ONES) if (k in out) out[k] = compactSchema(out[k], io);
  for (const k of SCHEMA_LISTS)
    if (Array.isArray(out[k])) out[k] = (out[k] as unknown[]).map((sub) => compactSchema(sub, io));
  return out as T;
}

/** The input JSON Schema, with `x-mcp-header` on the arguments the tool mirrors into headers. */
function inputSchemaOf(def: ToolDef): Tool['inputSchema'] {
  const schema = compactSchema(
    portableSchema(z.toJSONSchema(def.input, { io: 'input', unrepresentable: 'any' })),
    'input',
  ) as Tool['inputSchema'];
  for (const [arg, header] of Object.entries(def.headers ?? {})) {
    const prop = schema.properties?.[arg] as Record<string, unknown> | undefined;
    if (prop) prop['x-mcp-header'] = header;
  }
  return schema;
}

/**
 * Keywords the model APIs agents run on (Anthropic, OpenAI, Bedrock, Vertex) refuse at the top
 * level of a tool's input schema: clients that hand schemas to a model drop or fail on such a
 * tool. "Give this or that" is checked when the tool is called; two forms of one argument go on
 * the property (anyOf).
 */
export const TOP_LEVEL_INPUT_FORBIDDEN = ['oneOf', 'anyOf', 'allOf', 'not', 'if', 'then', 'else'] as const;

const toolOf = (def: ToolDef, inputSchema: Tool['inputSchema']): Tool => ({
  name: def.name,
  title: def.title,
  description: def.description,
  inputSchema,
  outputSchema: compactSchema(
    portableSchema(z.toJSONSchema(def.output, { io: 'output', unrepresentable: 'any' })),
    'output',
  ) as Tool['outputSchema'],
  annotations: def.annotations,
  execution: { taskSupport: 'forbidden' },
});

const toolEntry = (def: ToolDef): ToolEntry => {
  const inputSchema = inputSchemaOf(def);
  const refused = TOP_LEVEL_INPUT_FORBIDDEN.filter((k) => k in inputSchema);
  if (refused.length)
    throw new Error(
      `MCP tool ${def.name}: its input schema has ${refused.join(', ')} at the top level, which model APIs refuse`,
    );
  return { def, tool: toolOf(def, inputSchema) };
};

const promptEntry = (p: PromptDef): Prompt => ({
  name: p.name,
  title: p.title,
  description: p.description,
  arguments: Object.entries(p.args.shape).map(([name, schema]) => ({
    name,
    description: schema.description,
    required: true,
  })),
});

const templateEntry = (t: ResourceTemplateDef): ResourceTemplateEntry => ({
  name: t.name,
  title: t.title,
  uriTemplate: t.uriTemplate,
  description: t.description,
  mimeType: t.mimeType,
});

/**
 * The MCP surface every server instance serves: the contract's tools, prompts and resource
 * templates, plus whatever other modules register at start-up with `addTool`, `addPrompt` and
 * `addResourceTemplate` (the same definition types the built-ins use). List entries (JSON
 * Schemas included) are built once per definition, not per request.
 */
@Injectable()
export class McpCatalog {
  private readonly tools = new Map<string, ToolEntry>();
  private readonly prompts = new Map<string, { def: PromptDef; prompt: Prompt }>();
  private readonly templates = new Map<
    string,
    { def: ResourceTemplateDef; template: ResourceTemplateEntry }
  >();
  private readonly extraResources = new Map<string, { prefix: string; def: ExtraResourceDef }>();
  private visible = new Map<
    string,
    { tools: Tool[]; prompts: Prompt[]; templates: ResourceTemplateEntry[] }
  >();

  constructor() {
    for (const t of TOOLS) this.addTool(t);
    for (const p of PROMPTS) this.addPrompt(p);
    for (const r of RESOURCE_TEMPLATES) this.addResourceTemplate(r);
  }

  addTool(def: ToolDef): void {
    if (this.tools.has(def.name)) throw new Error(`MCP tool ${def.name} is already registered`);
    this.tools.set(def.name, toolEntry(def));
    this.visible = new Map();
  }

  addPrompt(def: PromptDef): void {
    if (this.prompts.has(def.name)) throw new Error(`MCP prompt ${def.name} is already registered`);
    this.prompts.set(def.name, { def, prompt: promptEntry(def) });
    this.visible = new Map();
  }

  addResourceTemplate(def: ResourceTemplateDef): void {
    if (this.templates.has(def.uriTemplate))
      throw new Error(`MCP resource template ${def.uriTemplate} is already registered`);
    this.templates.set(def.uriTemplate, { def, template: templateEntry(def) });
    this.visible = new Map();
  }

  addExtraResource(def: ExtraResourceDef): void {
    const m = /^([^{}]*)\{[A-Za-z_][A-Za-z0-9_]*\}$/.exec(def.uriTemplate);
    if (!m || !m[1]) throw new Error(`resource template ${def.uriTemplate} must end in its one {variable}`);
    if (this.templates.has(def.uriTemplate) || this.extraResources.has(def.uriTemplate))
      throw new Error(`MCP resource template ${def.uriTemplate} is already registered`);
    if (m[1].startsWith('kb://'))
      throw new Error(`resource template ${def.uriTemplate}: kb:// belongs to the product`);
    this.extraResources.set(def.uriTemplate, { prefix: m[1], def });
    this.visible = new Map();
  }

  /** The extra resource a URI belongs to, with the template variable's value. */
  extraResourceFor(uri: string): { def: ExtraResourceDef; value: string } | undefined {
    for (const { prefix, def } of this.extraResources.values()) {
      if (uri.startsWith(prefix) && uri.length > prefix.length)
        return { def, value: decodeURIComponent(uri.slice(prefix.length)) };
    }
    return undefined;
  }

  tool(name: string): ToolDef | undefined {
    return this.tools.get(name)?.def;
  }

  prompt(name: string): PromptDef | undefined {
    return this.prompts.get(name)?.def;
  }

  template(uriTemplate: string): ResourceTemplateDef | undefined {
    return this.templates.get(uriTemplate)?.def;
  }

  allTemplates(): ResourceTemplateDef[] {
    return [...this.templates.values()].map((t) => t.def);
  }

  /** What decides which definitions a caller sees: their scopes, in a canonical order. */
  scopeSetOf(principal: Principal): string {
    return [...principal.scopes].sort().join(' ');
  }

  /** tools/list, prompts/list and resources/templates/list for a caller: one array per scope set. */
  visibleTo(principal: Principal): { tools: Tool[]; prompts: Prompt[]; templates: ResourceTemplateEntry[] } {
    const key = this.scopeSetOf(principal);
    let v = this.visible.get(key);
    if (!v) {
      v = {
        tools: [...this.tools.values()]
          .filter((t) => !t.def.scope || hasScope(principal, t.def.scope))
          .map((t) => t.tool),
        prompts: [...this.prompts.values()]
          .filter((p) => p.def.scopes.every((s) => hasScope(principal, s)))
          .map((p) => p.prompt),
        templates: [
          ...[...this.templates.values()]
            .filter((t) => hasScope(principal, t.def.scope))
            .map((t) => t.template),
          ...[...this.extraResources.values()]
            .filter((r) => hasScope(principal, r.def.scope))
            .map(({ def }) => ({
              name: def.name,
              title: def.title,
              uriTemplate: def.uriTemplate,
              description: def.description,
              mimeType: def.mimeType,
            })),
        ],
      };
      this.visible.set(key, v);
    }
    return v;
  }
}
