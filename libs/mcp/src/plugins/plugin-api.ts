import type { z } from 'zod';
import type { ToolAnnotations } from '@modelcontextprotocol/server';
import type { Scope } from '@app/core';
import type { PluginServices } from './plugin-services';

/**
 * What a plugin module (PLUGINS=…) exports: an `McpPlugin`, or a factory that receives the
 * plugin API and returns one. Tools, prompts and resource templates use the same schema-first
 * shape as the built-in ones and get the same scope check, audit row, rate limit and error
 * mapping. Domain access goes through `ctx.services` only: a plugin never holds a database handle.
 */
export interface McpPlugin {
  /** Shown in logs and errors. */
  name: string;
  tools?: PluginTool[];
  prompts?: PluginPrompt[];
  resources?: PluginResource[];
}

export type McpPluginModule = McpPlugin | ((api: PluginApi) => McpPlugin | Promise<McpPlugin>);

export interface PluginApi {
  /** The zod the server validates with: build schemas with it (not with a zod of your own). */
  z: typeof z;
  /**
   * Errors the door maps for the caller (a tool result with isError and this message, or a
   * resource-not-found error). Anything else thrown is reported as an internal error and logged.
   */
  errors: {
    notFound(entity: string, key: string | number): Error;
    invalid(message: string): Error;
  };
}

/** The caller, as a plugin sees it. */
export interface PluginCaller {
  userId: string | null;
  name: string;
  scopes: readonly Scope[];
}

export interface PluginContext {
  caller: PluginCaller;
  /** Domain services acting as the caller, with the caller's scopes checked on every call. */
  services: PluginServices;
  signal: AbortSignal;
  /** Reports progress when the client asked for it; a no-op otherwise. */
  progress(done: number, total: number, message: string): Promise<void>;
}

export interface PluginTool<
  I extends z.ZodRawShape = z.ZodRawShape,
  O extends z.ZodRawShape = z.ZodRawShape,
> {
  /** Lower-case snake_case, unique across built-in and plugin tools. */
  name: string;
  title: string;
  description: string;
  /** The scope a caller needs to see and call the tool. */
  scope: Scope;
  input: z.ZodObject<I>;
  output: z.ZodObject<O>;
  annotations: ToolAnnotations;
  run(args: z.output<z.ZodObject<I>>, ctx: PluginContext): Promise<z.output<z.ZodObject<O>>>;
  /** Text rendering of the result for clients that show text; JSON when absent. */
  render?(out: z.output<z.ZodObject<O>>): string;
}

export interface PluginPrompt {
  name: string;
  title: string;
  description: string;
  scopes: Scope[];
  args: z.ZodObject<Record<string, z.ZodString>>;
  build(
    args: Record<string, string>,
    ctx: Omit<PluginContext, 'signal' | 'progress'>,
  ): Promise<{
    description?: string;
    messages: { role: 'user' | 'assistant'; content: { type: 'text'; text: string } }[];
  }>;
}

/** A resource template with one variable at its end, e.g. `orders://{orderId}`. */
export interface PluginResource {
  name: string;
  title: string;
  description: string;
  uriTemplate: string;
  mimeType: string;
  scope: Scope;
  read(value: string, ctx: Omit<PluginContext, 'signal' | 'progress'>): Promise<{ text: string }>;
}

/** Identity helper that gives a plugin written in TypeScript its types. */
export const definePlugin = <P extends McpPluginModule>(plugin: P): P => plugin;
