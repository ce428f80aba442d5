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
