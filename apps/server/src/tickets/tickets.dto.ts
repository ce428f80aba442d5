import { createZodDto } from '../http/zod-dto';
import { z } from 'zod';
import {
  commentInputSchema,
  createTicketSchema,
  listTicketsSchema,
  searchTicketsSchema,
  ticketCommentPageSchema,
  ticketCommentSchema,
  ticketPageSchema,
  ticketSchema,
  ticketWithCommentsSchema,
  updateTicketSchema,
} from '@app/tickets';
import { asQuery } from '../http/query';

/**
 * REST shapes of tickets, derived from the one schema in @app/tickets (validation by the global
 * pipe, OpenAPI by nestjs-zod). Nothing is restated here.
 */
export class TicketResponse extends createZodDto(ticketSchema) {}
export class CommentResponse extends createZodDto(ticketCommentSchema) {}
export class TicketWithCommentsResponse extends createZodDto(ticketWithCommentsSchema) {}
export class TicketPage extends createZodDto(ticketPageSchema) {}
export class CommentPage extends createZodDto(ticketCommentPageSchema) {}
export class CreateTicketDto extends createZodDto(createTicketSchema) {}
export class UpdateTicketDto extends createZodDto(updateTicketSchema) {}
export class CreateCommentDto extends createZodDto(commentInputSchema) {}

/**
 * `?q=` is the REST name of the list's `query`; numbers arrive as strings in a query; lists
 * comma-separated; `sort`/`order` as in the MCP search (a sorted list is offset-paginated).
 */
export class ListTicketsQuery extends createZodDto(
  asQuery(
    listTicketsSchema.omit({ query: true }).extend({
      q: listTicketsSchema.shape.query,
      // Several statuses arrive comma-separated: ?status=open,pending
      status: z.preprocess(
        (v) => (typeof v === 'string' && v.includes(',') ? v.split(',') : v),
        listTicketsSchema.shape.status,
      ),
      sort: searchTicketsSchema.shape.sort,
      order: searchTicketsSchema.shape.order,
    }),
  ),
) {}
