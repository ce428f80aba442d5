import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { z } from 'zod';
import { AppConfig } from '@app/config';
import { InvalidError, NotFoundError, SCOPES, type Principal, type Scope } from '@app/core';
import { McpCatalog } from '../catalog';
import { McpDomain } from '../domain';
import type { PromptDef } from '../prompts';
import type { ToolDef } from '../tools';
import type { McpPlugin, McpPluginModule, PluginCaller, PluginPrompt, PluginTool } from './plugin-api';
import { pluginServices } from './plugin-services';

const NAME = /^[a-z][a-z0-9_]{0,63}$/;

export class PluginLoadError extends Error {
  override name = 'PluginLoadError';
}

const caller = (p: Principal): PluginCaller => ({ userId: p.userId, name: p.name, scopes: [...p.scopes] });

/**
 * Loads the modules named in PLUGINS at start-up and registers what they define in the MCP
 * catalog, wrapped so that they run through the same door as the built-in definitions. A module
 * that cannot be loaded or defines something invalid stops start-up with one clear line.
 */
@Injectable()
export class McpPluginLoader implements OnModuleInit {
  private readonly logger = new Logger('McpPlugins');
  readonly loaded: string[] = [];

  constructor(
    private readonly config: AppConfig,
    private readonly catalog: McpCatalog,
    private readonly domain: McpDomain,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const spec of this.config.plugins) {
      const plugin = await this.load(spec);
      this.register(spec, plugin);
      this.loaded.push(plugin.name);
      this.logger.log(
        `plugin ${plugin.name} (${spec}): ${plugin.tools?.length ?? 0} tools, ${plugin.prompts?.length ?? 0} prompts, ${plugin.resources?.length ?? 0} resources`,
      );
    }
  }

  private async load(spec: string): Promise<McpPlugin> {
    // Paths are relative to the working directory; anything else is a package name.
    const load = createRequire(path.join(process.cwd(), 'plugins.js'));
    let mod: { default?: McpPluginModule } & McpPluginModule;
    try {
      mod = load(spec.startsWith('.') || path.isAbsolute(spec) ? path.resolve(spec) : spec);
    } catch (e) {
      throw new PluginLoadError(`PLUGINS: cannot load ${spec}: ${(e as Error).message.split('\n')[0]}`);
    }
    const exported = (mod.default ?? mod) as McpPluginModule;
    const plugin =
      typeof exported === 'function'
        ? await exported({
            z,
            errors: {
              notFound: (entity, key) => new NotFoundError(entity, key),
              invalid: (message) => new InvalidError(message, []),
            },
          })
        : exported;
    if (!plugin || typeof plugin !== 'object' || typeof plugin.name !== 'string')
      throw new PluginLoadError(`PLUGINS: ${spec} exports no plugin (an object with a name, or a factory)`);
    return plugin;
  }

  private register(spec: string, plugin: McpPlugin): void {
    const fail = (what: string) => {
      throw new PluginLoadError(`PLUGINS: ${spec} (${plugin.name}): ${what}`);
    };
    const scope = (s: unknown, where: string): Scope => {
      if (!SCOPES.includes(s as Scope)) fail(`${where} has unknown scope ${String(s)}`);
      return s as Scope;
    };
    for (const t of plugin.tools ?? []) {
      if (!NAME.test(t.name)) fail(`tool name "${t.name}" must be snake_case`);
      if (!(t.input instanceof z.ZodObject) || !(t.output instanceof z.ZodObject))
        fail(
          `tool ${t.name} needs zod object input and output schemas (use the z the plugin factory receives)`,
        );
      scope(t.scope, `tool ${t.name}`);
      try {
        this.catalog.addTool(this.toolDef(t));
      } catch (e) {
        fail((e as Error).message);
      }
    }
    for (const p of plugin.prompts ?? []) {
      if (!NAME.test(p.name)) fail(`prompt name "${p.name}" must be snake_case`);
      p.scopes.forEach((s) => scope(s, `prompt ${p.name}`));
      try {
        this.catalog.addPrompt(this.promptDef(p));
      } catch (e) {
        fail((e as Error).message);
      }
    }
    for (const r of plugin.resources ?? []) {
      scope(r.scope, `resource ${r.uriTemplate}`);
      try {
        this.catalog.addExtraResource({
          ...r,
          read: (value, principal) =>
            r.read(value, { caller: caller(principal), services: pluginServices(this.domain, principal) }),
        });
      } catch (e) {
        fail((e as Error).message);
      }
    }
  }

  private toolDef(t: PluginTool): ToolDef {
    return {
      name: t.name,
      title: t.title,
      description: t.description,
      scope: t.scope,
      input: t.input,
      output: t.output,
      annotations: t.annotations,
      run: (domain, args, ctx) =>
        t.run(args, {
          caller: caller(ctx.principal),
          services: pluginServices(domain, ctx.principal),
          signal: ctx.signal,
          progress: ctx.progress,
        }),
      render: (out) => (t.render ? t.render(out) : JSON.stringify(out, null, 2)),
    };
  }

  private promptDef(p: PluginPrompt): PromptDef {
    return {
      name: p.name,
      title: p.title,
      description: p.description,
      scopes: p.scopes,
      args: p.args,
      completes: {},
      build: async (domain, args, principal) =>
        p.build(args, { caller: caller(principal), services: pluginServices(domain, principal) }),
    };
  }
}
