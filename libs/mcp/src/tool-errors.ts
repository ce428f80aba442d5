import { Logger } from '@nestjs/common';
import type { CallToolResult } from '@modelcontextprotocol/server';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  InvalidError,
  NotFoundError,
  UnauthorizedError,
  VersionConflictError,
  isUnavailableError,
  retryAfterSeconds,
} from '@app/core';

const logger = new Logger('McpTools');

/** The text of a failed tool call: what went wrong and what the caller can do next. */
export function toolErrorText(e: unknown): string {
  if (e instanceof VersionConflictError) {
    const { currentVersion } = e.details as { currentVersion: number };
    return `Version conflict: ${e.message} (currentVersion: ${currentVersion})`;
  }
  if (e instanceof NotFoundError) {
    return `Not found: ${e.message}. Check the identifier; the search tools list existing records.`;
  }
  if (e instanceof InvalidError) {
    const fields = e.errors.map((f) => `${f.field} ${f.message}`).join('; ');
    return `Invalid input: ${e.message}${fields ? ` (${fields})` : ''}. Correct these arguments and call again.`;
  }
  if (e instanceof ForbiddenError) {
    return `Not allowed: ${e.message}. The credentials in use lack this permission; a key with more scopes is needed.`;
  }
  if (e instanceof UnauthorizedError) return `Not authenticated: ${e.message}.`;
  if (e instanceof ConflictError) return `Conflict: ${e.message}.`;
  if (e instanceof DomainError) return e.message;
  if (isUnavailableError(e)) return unavailableText(e);
  if ((e as Error)?.name === 'CallCancelledError' || (e as Error)?.name === 'AbortError')
    return 'The call was cancelled.';
  logger.error(`tool call failed: ${(e as Error)?.stack ?? String(e)}`);
  return 'Internal error while running this tool; nothing was changed by the failed step. Retrying later may work.';
}

/** What an MCP client is told when the database or Redis cannot serve the request now. */
export function unavailableText(e: unknown): string {
  return `Temporarily unavailable: the service is overloaded or its database is unreachable; nothing was changed. Retry in ${retryAfterSeconds(e)} seconds.`;
}

export const toolError = (e: unknown): CallToolResult => ({
  content: [{ type: 'text', text: toolErrorText(e) }],
  isError: true,
});
