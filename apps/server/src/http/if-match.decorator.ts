import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { Request } from 'express';
import { InvalidError } from '@app/core';

/** Parses `If-Match: <version>` (quotes and W/ tolerated) into a number, or undefined when absent. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '' || header.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!m) {
    throw new InvalidError('If-Match must be the version number of the record, e.g. If-Match: 3', [
      { field: 'If-Match', message: 'must be a version number' },
    ]);
  }
  return Number(m[1]);
}

export const IfMatch = createParamDecorator((_: unknown, ctx: ExecutionContext): number | undefined =>
  parseIfMatch(ctx.switchToHttp().getRequest<Request>().header('if-match')),
);

/** If-Match wins over a body `expectedVersion`; both must agree when both are given. */
export function expectedVersionOf(
  ifMatch: number | undefined,
  bodyVersion: number | undefined,
): number | undefined {
  if (ifMatch !== undefined && bodyVersion !== undefined && ifMatch !== bodyVersion) {
    throw new InvalidError('If-Match and expectedVersion disagree', [
      { field: 'expectedVersion', message: `is ${bodyVersion} but If-Match says ${ifMatch}` },
    ]);
  }
  return ifMatch ?? bodyVersion;
}

/** A change's body with its expectedVersion taken from If-Match (see {@link expectedVersionOf}). */
export const withIfMatch = <T extends { expectedVersion?: number }>(
  body: T,
  ifMatch: number | undefined,
): T => ({
  ...body,
  expectedVersion: expectedVersionOf(ifMatch, body.expectedVersion),
});
