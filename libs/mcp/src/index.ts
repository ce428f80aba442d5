/** Public API of libs/mcp: what other libs, the apps and the tests use. */
export { McpAudit } from './audit';
export { LegacySseService } from './legacy-sse';
export { McpHttpService } from './mcp-http.service';
export { McpServerFactory } from './mcp-server.factory';
export { McpModule } from './mcp.module';
export { serveStdio } from './stdio';
export { McpSubscriptions } from './subscriptions';
// The API of MCP plugins (PLUGINS; docs/plugins.md).
export {
  definePlugin,
  type McpPlugin,
  type McpPluginModule,
  type PluginApi,
  type PluginCaller,
  type PluginContext,
  type PluginPrompt,
  type PluginResource,
  type PluginTool,
} from './plugins/plugin-api';
