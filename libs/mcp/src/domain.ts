import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { PrincipalRevocations } from '@app/auth';
import { AppConfig } from '@app/config';
import { EventLogService } from '@app/events';
import { DocumentsService, SearchService } from '@app/knowledge';
import { TicketsService } from '@app/tickets';
import { UsersService } from '@app/users';
import { CachedUserReads } from './user-reads';

/** The user operations the MCP door uses; single-user reads go through a short cache. */
export type McpUsers = Pick<UsersService, 'list' | 'get' | 'getByEmail'>;

/**
 * The domain services the MCP door calls; one bundle so tools, resources and prompts share it.
 * It holds no database handle: the door reaches data only through the services.
 */
@Injectable()
export class McpDomain implements OnModuleInit, OnApplicationShutdown {
  readonly users: McpUsers;
  private readonly userReads: CachedUserReads;
  private unsubscribe: (() => void) | null = null;

  constructor(
    readonly documents: DocumentsService,
    readonly search: SearchService,
    readonly tickets: TicketsService,
    users: UsersService,
    readonly eventLog: EventLogService,
    readonly config: AppConfig,
    private readonly revocations: PrincipalRevocations,
  ) {
    const reads = (this.userReads = new CachedUserReads(users));
    this.users = {
      list: (input) => users.list(input),
      get: (id) => reads.get(id),
      getByEmail: (email) => reads.getByEmail(email),
    };
  }

  onModuleInit(): void {
    // A changed user (any field, on any instance) is read afresh on the next call.
    this.unsubscribe = this.revocations.subscribe((r) => {
      if (r.userId) this.userReads.forget(r.userId);
    });
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }
}
