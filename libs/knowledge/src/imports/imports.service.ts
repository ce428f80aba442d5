import { Injectable } from '@nestjs/common';
import { InvalidError, assertScopes, type Principal } from '@app/core';
import type { ParsedImport } from './import-parser';
import { JobQueue, type JobDto } from '@app/jobs';

export const MAX_IMPORT_ITEMS = 10_000;
/**
 * Largest JSON body `POST /api/v1/imports` accepts (other JSON bodies stay at 2 MB): room for
 * thousands of articles per request, still bounded (the body is parsed in memory and stored as
 * the job's payload).
 */
export const MAX_IMPORT_JSON_BYTES = 32 * 1024 * 1024;

/** Starts document imports as jobs; their progress and result are read from the job record. */
@Injectable()
export class ImportsService {
  constructor(private readonly jobs: JobQueue) {}

  async start(parsed: ParsedImport, actor: Principal): Promise<JobDto> {
    assertScopes(actor, ['kb:write']);
    const count = parsed.documents.length + parsed.rejected.length;
    if (count === 0)
      throw new InvalidError('nothing to import', [{ field: 'documents', message: 'must not be empty' }]);
    if (count > MAX_IMPORT_ITEMS)
      throw new InvalidError('too many items', [
        { field: 'documents', message: `must hold at most ${MAX_IMPORT_ITEMS} items (got ${count})` },
      ]);
    const { id } = await this.jobs.enqueue(
      'imports',
      { documents: parsed.documents, rejected: parsed.rejected, actorUserId: actor.userId },
      { createdById: actor.userId },
    );
    return this.jobs.get(id);
  }
}
