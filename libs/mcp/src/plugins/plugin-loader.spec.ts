import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AppConfig } from '@app/config';
import { McpCatalog } from '../catalog';
import type { McpDomain } from '../domain';
import { McpPluginLoader, PluginLoadError } from './plugin-loader';

// Plugin modules that are wrong in one way each, loaded from files like PLUGINS loads a team's own:
// each stops start-up with a PluginLoadError that names the module and what is wrong.
describe('McpPluginLoader failures', () => {
  let dir: string;
  const tool = (over: string) => `{
    name: 'ok_tool', title: 'T', description: 'D', scope: 'kb:read',
    input: z.object({}), output: z.object({}), annotations: {}, run: async () => ({}), ${over}
  }`;
  const write = (file: string, body: string) => {
    const p = path.join(dir, file);
    fs.writeFileSync(p, `module.exports = ({ z }) => (${body});\n`);
    return p;
  };
  const load = async (...plugins: string[]) => {
    const catalog = new McpCatalog();
    const loader = new McpPluginLoader({ plugins } as unknown as AppConfig, catalog, {} as McpDomain);
    await loader.onModuleInit();
    return { catalog, loader };
  };
  const refusal = async (...plugins: string[]): Promise<PluginLoadError> => {
    const e = await load(...plugins).then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(PluginLoadError);
    return e as PluginLoadError;
  };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-plugins-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads a valid plugin (the fixtures differ from it in one thing each)', async () => {
    const { catalog, loader } = await load(write('good.js', `{ name: 'good', tools: [${tool('')}] }`));
    expect(loader.loaded).toEqual(['good']);
    expect(catalog.tool('ok_tool')?.scope).toBe('kb:read');
  });

  it('refuses a module that cannot be found', async () => {
    const missing = path.join(dir, 'no-such-plugin');
    const e = await refusal(missing);
    expect(e.message).toContain(`PLUGINS: cannot load ${missing}`);
    expect(e.message.split('\n')).toHaveLength(1);
  });

  it('refuses a tool name that is not snake_case', async () => {
    const e = await refusal(
      write('bad-name.js', `{ name: 'bad', tools: [${tool("name: 'Lookup-Order'")}] }`),
    );
    expect(e.message).toMatch(/bad-name\.js \(bad\): tool name "Lookup-Order" must be snake_case/);
  });

  it('refuses an unknown scope, on a tool, a prompt or a resource', async () => {
    const onTool = await refusal(
      write('scope-tool.js', `{ name: 'st', tools: [${tool("scope: 'orders:read'")}] }`),
    );
    expect(onTool.message).toMatch(/\(st\): tool ok_tool has unknown scope orders:read/);
    const onPrompt = await refusal(
      write(
        'scope-prompt.js',
        `{ name: 'sp', prompts: [{ name: 'p1', description: 'D', scopes: ['kb:read', 'root'], args: {}, build: async () => [] }] }`,
      ),
    );
    expect(onPrompt.message).toMatch(/\(sp\): prompt p1 has unknown scope root/);
    const onResource = await refusal(
      write(
        'scope-resource.js',
        `{ name: 'sr', resources: [{ name: 'r', uriTemplate: 'x://{id}', description: 'D', scope: undefined, read: async () => ({}) }] }`,
      ),
    );
    expect(onResource.message).toMatch(/\(sr\): resource x:\/\/\{id\} has unknown scope undefined/);
  });

  it('refuses a tool name that is already taken, by a built-in tool or another plugin', async () => {
    const builtIn = await refusal(
      write('dup-builtin.js', `{ name: 'dup', tools: [${tool("name: 'search_knowledge'")}] }`),
    );
    expect(builtIn.message).toMatch(/\(dup\): MCP tool search_knowledge is already registered/);
    const twice = await refusal(
      write('first.js', `{ name: 'first', tools: [${tool("name: 'shared_tool'")}] }`),
      write('second.js', `{ name: 'second', tools: [${tool("name: 'shared_tool'")}] }`),
    );
    expect(twice.message).toMatch(/second\.js \(second\): MCP tool shared_tool is already registered/);
  });

  it('refuses a module that exports no plugin, and schemas that are not zod objects', async () => {
    const none = await refusal(write('none.js', `{ tools: [] }`));
    expect(none.message).toMatch(/none\.js exports no plugin/);
    const schema = await refusal(
      write('schema.js', `{ name: 'sch', tools: [${tool("input: { type: 'object' }")}] }`),
    );
    expect(schema.message).toMatch(/tool ok_tool needs zod object input and output schemas/);
  });
});
