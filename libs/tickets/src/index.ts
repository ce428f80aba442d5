/** Public API of the tickets context. */
export { DashboardStatsService, STATS_DAYS, lastDays, type DashboardStats } from './dashboard-stats.service';
export {
  MACRO_PLACEHOLDERS,
  MacrosService,
  createMacroSchema,
  macroListSchema,
  macroSchema,
  renderMacro,
  renderMacroSchema,
  renderedMacroSchema,
  unknownPlaceholders,
  updateMacroSchema,
  type CreateMacroInput,
  type MacroDto,
  type UpdateMacroInput,
} from './macros';
export {
  ACTIVITY_MAX,
  TicketActivityService,
  diffSnapshots,
  ticketActivityListSchema,
  ticketActivitySchema,
  type TicketActivityDto,
  type TicketActivityList,
} from './ticket-activity';
export {
  TicketViewsService,
  VIEWS_PER_USER_MAX,
  createTicketViewSchema,
  ticketViewListSchema,
  ticketViewQuerySchema,
  ticketViewSchema,
  updateTicketViewSchema,
  type CreateTicketViewInput,
  type TicketViewDto,
  type UpdateTicketViewInput,
} from './ticket-views';
export { TICKETS_TOPIC, TICKET_EVENTS, type TicketEventName } from './ticket-events';
export {
  COMMENT_MAX,
  DESCRIPTION_MAX,
  QUERY_MAX,
  TAGS_MAX,
  TAG_MAX,
  TITLE_MAX,
  commentInputSchema,
  createTicketSchema,
  expectedVersionSchema,
  listTicketsSchema,
  searchTicketsSchema,
  TICKET_SORTS,
  ticketCommentPageSchema,
  ticketCommentSchema,
  ticketEnumFilters,
  ticketFields,
  ticketFilterSchema,
  ticketPageSchema,
  ticketSchema,
  ticketWithCommentsSchema,
  updateTicketSchema,
  type CommentInput,
  type CreateTicketInput,
  type ListTicketsInput,
  type SearchTicketsInput,
  type TicketCommentDto,
  type TicketDto,
  type TicketWithCommentsDto,
  type UpdateTicketInput,
} from './ticket.schema';
export {
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  TICKET_TRANSITIONS,
  type TicketPriorityName,
  type TicketStatusName,
} from './ticket-workflow';
export { TicketSlaModule, TicketsModule } from './tickets.module';
export { TicketsService } from './tickets.service';
