import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { EventLogService } from '@app/events';
import { DocumentsService, SearchService } from '@app/knowledge';
import { TicketsService } from '@app/tickets';
import { UsersService } from '@app/users';

/**
 * The domain services the MCP door calls; one bundle so tools, resources and prompts share it.
 * It holds no database handle: the door reaches data only through the services.
 */
@Injectable()
export class McpDomain {
  constructor(
    readonly documents: DocumentsService,
    readonly search: SearchService,
    readonly tickets: TicketsService,
    readonly users: UsersService,
    readonly eventLog: EventLogService,
    readonly config: AppConfig,
  ) {}
}
