import { Module } from '@nestjs/common';
import { McpHttpService, McpModule } from '@app/mcp';
import { McpController } from './mcp.controller';

@Module({
  imports: [McpModule],
  providers: [McpHttpService],
  controllers: [McpController],
  exports: [McpHttpService],
})
export class McpHttpModule {}
