import { Injectable } from '@nestjs/common';

/**
 * Whether this process is shutting down. main.ts marks it when a SIGTERM starts the drain, so
 * `/health/ready` answers 503 from then on and a load balancer stops sending new requests while
 * the ones in flight finish.
 */
@Injectable()
export class ServerLifecycle {
  private drainingSince: Date | null = null;

  get draining(): boolean {
    return this.drainingSince !== null;
  }

  markDraining(): void {
    this.drainingSince ??= new Date();
  }
}
