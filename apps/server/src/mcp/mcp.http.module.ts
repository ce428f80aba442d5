import { Module } from '@nestjs/common';
import { LegacySseService, McpHttpService, McpModule } from '@app/mcp';
import { McpController } from './mcp.controller';

@Module({
  imports: [McpModule],
  providers: [McpHttpService, LegacySseService],
  controllers: [McpController],
  exports: [McpHttpService],
})
export class McpHttpModule {}
