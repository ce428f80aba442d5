import { applyDecorators, Delete, Get, HttpCode, Patch, Post, type Type } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { ProblemSchema } from './problem.schema';

// The routes of a record collection (list, get, create, versioned change, delete), each one
// decorator: the HTTP route, its summary and the answers OpenAPI documents for it. Controllers
// stay a list of calls into their service; what differs per route is its scope and its types.

export const IF_MATCH_HEADER = {
  name: 'If-Match',
  required: false,
  description: 'The version you read (a stale one answers 409)',
  example: '3',
};

/** `GET` of a collection. */
export const ListRoute = (summary: string, type: Type<unknown>) =>
  applyDecorators(Get(), ApiOperation({ summary }), ApiOkResponse({ type }));

/** `GET :id` of one record. */
export const GetRoute = (summary: string, type: Type<unknown>) =>
  applyDecorators(
    Get(':id'),
    ApiOperation({ summary }),
    ApiOkResponse({ type }),
    ApiNotFoundResponse({ type: ProblemSchema }),
  );

/** `POST` creating a record (201). */
export const CreateRoute = (summary: string, type: Type<unknown>) =>
  applyDecorators(Post(), ApiOperation({ summary }), ApiCreatedResponse({ type }));

/** `PATCH :id` of a versioned record: If-Match (or a body expectedVersion), 409 when stale. */
export const PatchRoute = (summary: string, type: Type<unknown>) =>
  applyDecorators(
    Patch(':id'),
    ApiOperation({ summary }),
    ApiHeader(IF_MATCH_HEADER),
    ApiOkResponse({ type }),
    ApiNotFoundResponse({ type: ProblemSchema }),
    ApiConflictResponse({ type: ProblemSchema, description: 'Stale version (the body has currentVersion)' }),
  );

/** `DELETE :id` (204). */
export const DeleteRoute = (summary: string, done = 'Deleted') =>
  applyDecorators(
    Delete(':id'),
    HttpCode(204),
    ApiOperation({ summary }),
    ApiNoContentResponse({ description: done }),
    ApiNotFoundResponse({ type: ProblemSchema }),
  );
