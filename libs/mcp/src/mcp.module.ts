import { Module } from '@nestjs/common';
import { KnowledgeModule } from '@app/knowledge';
import { TicketsModule } from '@app/tickets';
import { UsersModule } from '@app/users';
import { McpAudit } from './audit';
import { McpCatalog } from './catalog';
import { McpDomain } from './domain';
import { McpServerFactory } from './mcp-server.factory';
import { McpPluginLoader } from './plugins/plugin-loader';
import { McpSubscriptions } from './subscriptions';

/**
 * MCP servers built from the domain services; doors (HTTP, stdio) add their transport.
 * Other modules add tools, prompts and resource templates through `McpCatalog`.
 */
@Module({
  imports: [KnowledgeModule, TicketsModule, UsersModule],
  providers: [McpDomain, McpCatalog, McpAudit, McpServerFactory, McpSubscriptions, McpPluginLoader],
  exports: [McpDomain, McpCatalog, McpAudit, McpServerFactory, McpSubscriptions, McpPluginLoader],
})
export class McpModule {}
