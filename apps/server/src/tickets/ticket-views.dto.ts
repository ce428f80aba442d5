import { createZodDto } from '../http/zod-dto';
import {
  createMacroSchema,
  createTicketViewSchema,
  macroListSchema,
  macroSchema,
  renderMacroSchema,
  renderedMacroSchema,
  ticketActivityListSchema,
  ticketViewListSchema,
  ticketViewSchema,
  updateMacroSchema,
  updateTicketViewSchema,
} from '@app/tickets';

/** REST shapes of saved views, macros and the activity timeline, from the schemas in @app/tickets. */
export class TicketViewResponse extends createZodDto(ticketViewSchema) {}
export class TicketViewList extends createZodDto(ticketViewListSchema) {}
export class CreateTicketViewDto extends createZodDto(createTicketViewSchema) {}
export class UpdateTicketViewDto extends createZodDto(updateTicketViewSchema) {}
export class MacroResponse extends createZodDto(macroSchema) {}
export class MacroList extends createZodDto(macroListSchema) {}
export class CreateMacroDto extends createZodDto(createMacroSchema) {}
export class UpdateMacroDto extends createZodDto(updateMacroSchema) {}
export class RenderMacroDto extends createZodDto(renderMacroSchema) {}
export class RenderedMacroResponse extends createZodDto(renderedMacroSchema) {}
export class TicketActivityList extends createZodDto(ticketActivityListSchema) {}
