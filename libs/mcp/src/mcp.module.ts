import { Module } from '@nestjs/common';
import { KnowledgeModule } from '@app/knowledge';
import { TicketsModule } from '@app/tickets';
import { UsersModule } from '@app/users';
import { McpDomain } from './domain';
import { McpServerFactory } from './mcp-server.factory';
import { McpSubscriptions } from './subscriptions';

/** MCP servers built from the domain services; doors (HTTP, stdio) add their transport. */
@Module({
  imports: [KnowledgeModule, TicketsModule, UsersModule],
  providers: [McpDomain, McpServerFactory, McpSubscriptions],
  exports: [McpDomain, McpServerFactory, McpSubscriptions],
})
export class McpModule {}
