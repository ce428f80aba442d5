import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';

export class FieldErrorSchema {
  @ApiProperty({ example: 'title' }) field!: string;
  @ApiProperty({ example: 'must not be empty' }) message!: string;
}

/** RFC 9457 problem details, as served with Content-Type application/problem+json. */
export class ProblemSchema {
  @ApiProperty({ example: 'urn:context-desk:problem:invalid' }) type!: string;
  @ApiProperty({ example: 'Bad Request' }) title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiProperty({ example: 'the request is not valid: title must not be empty' }) detail!: string;
  @ApiPropertyOptional({ example: '/api/v1/documents' }) instance?: string;
  @ApiPropertyOptional({ type: [FieldErrorSchema] }) errors?: FieldErrorSchema[];
  @ApiPropertyOptional({ description: 'On a stale-version 409: the version to re-read', example: 4 })
  currentVersion?: number;
  @ApiPropertyOptional({ description: "The request's trace id, when tracing is on" })
  traceId?: string;
  // Extension members the domain errors carry (libs/core errors.ts `details`).
  @ApiPropertyOptional({
    description: 'On a 404 or stale-version 409: the kind of record',
    example: 'ticket',
  })
  entity?: string;
  @ApiPropertyOptional({
    description: 'On a 404 or stale-version 409: the id, slug or number asked for',
    oneOf: [{ type: 'string' }, { type: 'integer' }],
    example: 'reset-password',
  })
  key?: string | number;
  @ApiPropertyOptional({
    description: 'On a stale-version 409: the version the write was based on',
    example: 3,
  })
  expectedVersion?: number;
  @ApiPropertyOptional({ description: 'On a uniqueness 409: the field that collides', example: 'slug' })
  field?: string;
  @ApiPropertyOptional({ description: 'On a slug 409: the slug that is taken', example: 'reset-password' })
  slug?: string;
  @ApiPropertyOptional({
    description: 'On a 403: the scopes the caller lacks',
    type: [String],
    example: ['admin'],
  })
  requiredScopes?: string[];
  @ApiPropertyOptional({
    description: 'On a 429: seconds to wait (also the Retry-After header)',
    example: 30,
  })
  retryAfterSec?: number;
}

/** The error responses every authenticated endpoint can give. */
export const ApiProblems = () =>
  applyDecorators(
    ApiBadRequestResponse({
      description: 'Invalid input (problem+json with an errors list)',
      type: ProblemSchema,
    }),
    ApiUnauthorizedResponse({ description: 'Missing or invalid bearer token', type: ProblemSchema }),
    ApiForbiddenResponse({ description: 'The caller lacks the required scope', type: ProblemSchema }),
  );
