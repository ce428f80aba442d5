import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { DatabaseService } from '@app/database';
import { EventLogService } from '@app/events';
import { DocumentsService, SearchService } from '@app/knowledge';
import { TicketsService } from '@app/tickets';
import { UsersService } from '@app/users';

/** The domain services the MCP door calls; one bundle so tools, resources and prompts share it. */
@Injectable()
export class McpDomain {
  constructor(
    readonly documents: DocumentsService,
    readonly search: SearchService,
    readonly tickets: TicketsService,
    readonly users: UsersService,
    readonly db: DatabaseService,
    readonly eventLog: EventLogService,
    readonly config: AppConfig,
  ) {}
}
