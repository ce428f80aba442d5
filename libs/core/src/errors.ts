/**
 * Domain errors: plain classes thrown by services, mapped once per door (problem+json for
 * REST, `isError` results for MCP, error frames for WebSocket). They never carry HTTP types.
 */
export abstract class DomainError extends Error {
  abstract readonly kind:
    'not_found' | 'conflict' | 'forbidden' | 'invalid' | 'unauthorized' | 'rate_limited';
  /** Extra machine-readable fields for the response body (e.g. currentVersion). */
  readonly details: Record<string, unknown>;
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

export class NotFoundError extends DomainError {
  readonly kind = 'not_found' as const;
  constructor(entity: string, key: string | number) {
    super(`${entity} ${JSON.stringify(String(key))} was not found`, { entity, key });
  }
}

export class ConflictError extends DomainError {
  readonly kind = 'conflict' as const;
}

/** A write carried a stale version: the record changed after the caller read it. */
export class VersionConflictError extends ConflictError {
  constructor(entity: string, key: string | number, expectedVersion: number, currentVersion: number) {
    super(
      `${entity} ${key} is at version ${currentVersion}, not ${expectedVersion}: it changed after that version was read ` +
        `(by another caller, or by your own later write such as a comment). ` +
        `Re-read it and retry with expectedVersion ${currentVersion}.`,
      { entity, key, expectedVersion, currentVersion },
    );
  }
  get currentVersion(): number {
    return this.details.currentVersion as number;
  }
}

export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden' as const;
}

export class UnauthorizedError extends DomainError {
  readonly kind = 'unauthorized' as const;
}

/** Too many attempts: the caller may retry after `retryAfterSec` seconds. */
export class RateLimitedError extends DomainError {
  readonly kind = 'rate_limited' as const;
  constructor(
    message: string,
    readonly retryAfterSec: number,
  ) {
    super(message, { retryAfterSec });
  }
}

export interface FieldError {
  field: string;
  message: string;
}

export class InvalidError extends DomainError {
  readonly kind = 'invalid' as const;
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message, errors.length ? { errors } : {});
  }
}
