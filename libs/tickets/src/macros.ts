import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import {
  ConflictError,
  NotFoundError,
  VersionConflictError,
  assertScopes,
  isUuid,
  isoDateTime,
  jsonDates,
  parseInput,
  userRefSchema,
  uuidSchema,
  type Principal,
} from '@app/core';
import { DatabaseService, Prisma, type Tx } from '@app/database';
import { changedFields } from '@app/events';
import { writeAudit, type AuditAction } from '@app/observability';
import { COMMENT_MAX, expectedVersionSchema } from './ticket.schema';

/**
 * Saved replies (macros): team-wide reply templates with placeholders, filled in for one ticket
 * and the agent using it. Any agent (tickets:write) may manage them; every change is audited.
 */

export const MACRO_NAME_MAX = 80;

/** The placeholders a macro may use, and where each value comes from. */
export const MACRO_PLACEHOLDERS = [
  'requester.name',
  'requester.firstName',
  'requester.email',
  'ticket.number',
  'ticket.title',
  'ticket.status',
  'ticket.priority',
  'agent.name',
  'agent.email',
] as const;
export type MacroPlaceholder = (typeof MACRO_PLACEHOLDERS)[number];

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The placeholders of `body` that are not in {@link MACRO_PLACEHOLDERS}. */
export function unknownPlaceholders(body: string): string[] {
  const known = new Set<string>(MACRO_PLACEHOLDERS);
  return [...new Set([...body.matchAll(PLACEHOLDER)].map((m) => m[1]).filter((p) => !known.has(p)))];
}

/** Fills every placeholder of `body` (all are known: bodies are checked when saved). */
export function renderMacro(body: string, values: Record<MacroPlaceholder, string>): string {
  return body.replace(PLACEHOLDER, (whole, key: string) =>
    key in values ? values[key as MacroPlaceholder] : whole,
  );
}

const macroBody = z
  .string()
  .trim()
  .min(1)
  .max(COMMENT_MAX)
  .superRefine((body, ctx) => {
    const unknown = unknownPlaceholders(body);
    if (unknown.length)
      ctx.addIssue({
        code: 'custom',
        message: `unknown placeholder ${unknown.map((p) => `{{${p}}}`).join(', ')}; known: ${MACRO_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
      });
  })
  .meta({
    example:
      'Hi {{requester.firstName}},\n\nthanks for writing about ticket #{{ticket.number}}.\n\n{{agent.name}}',
    description: `Markdown with placeholders: ${MACRO_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
  });

export const macroSchema = z.object({
  id: uuidSchema,
  name: z.string(),
  body: z.string(),
  createdBy: userRefSchema.nullable(),
  version: z.number().int(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type MacroDto = z.infer<typeof macroSchema>;
export const macroListSchema = z.object({ items: z.array(macroSchema) });

export const createMacroSchema = z.strictObject({
  name: z.string().trim().min(1).max(MACRO_NAME_MAX).meta({ example: 'Password reset link' }),
  body: macroBody,
});
export type CreateMacroInput = z.input<typeof createMacroSchema>;

export const updateMacroSchema = z.strictObject({
  name: createMacroSchema.shape.name.optional(),
  body: macroBody.optional(),
  expectedVersion: expectedVersionSchema.optional(),
});
export type UpdateMacroInput = z.input<typeof updateMacroSchema>;

export const renderMacroSchema = z.strictObject({
  ticket: z.number().int().min(1).max(2_147_483_647).meta({ description: 'The ticket number to fill in' }),
});
export const renderedMacroSchema = z.object({ body: z.string() });

const CREATOR = { createdBy: { select: { id: true, email: true, name: true } } } as const;
type MacroRow = Prisma.MacroGetPayload<{ include: typeof CREATOR }>;
const toDto = (row: MacroRow): MacroDto => macroSchema.parse(jsonDates(row));

@Injectable()
export class MacrosService {
  constructor(private readonly database: DatabaseService) {}

  async list(viewer: Principal): Promise<{ items: MacroDto[] }> {
    assertScopes(viewer, ['tickets:write']);
    const rows = await this.database.prisma.macro.findMany({ include: CREATOR, orderBy: { name: 'asc' } });
    return { items: rows.map(toDto) };
  }

  async create(raw: CreateMacroInput, actor: Principal): Promise<MacroDto> {
    assertScopes(actor, ['tickets:write']);
    const input = parseInput(createMacroSchema, raw, 'macro');
    return this.database.transaction(async (tx) => {
      const row = await uniqueName(input.name, () =>
        tx.macro.create({ data: { ...input, createdById: actor.userId }, include: CREATOR }),
      );
      await audit(tx, actor, 'macro.create', row.id, row.name);
      return toDto(row);
    });
  }

  async update(id: string, raw: UpdateMacroInput, actor: Principal): Promise<MacroDto> {
    assertScopes(actor, ['tickets:write']);
    const { expectedVersion, ...wanted } = parseInput(updateMacroSchema, raw, 'macro update');
    return this.database.transaction(async (tx) => {
      const current = await lock(tx, id);
      if (expectedVersion !== undefined && expectedVersion !== current.version) {
        throw new VersionConflictError('macro', id, expectedVersion, current.version);
      }
      const changes = changedFields(current, wanted);
      if (!Object.keys(changes).length) return toDto(current);
      const row = await uniqueName(changes.name ?? '', () =>
        tx.macro.update({
          where: { id },
          data: { ...changes, version: current.version + 1 },
          include: CREATOR,
        }),
      );
      await audit(tx, actor, 'macro.update', id, Object.keys(changes).join(', '));
      return toDto(row);
    });
  }

  async remove(id: string, actor: Principal): Promise<void> {
    assertScopes(actor, ['tickets:write']);
    await this.database.transaction(async (tx) => {
      const current = await lock(tx, id);
      await tx.macro.delete({ where: { id } });
      await audit(tx, actor, 'macro.delete', id, current.name);
    });
  }

  /** The macro's body filled in for ticket `number` and the calling agent. */
  async render(id: string, number: number, actor: Principal): Promise<{ body: string }> {
    assertScopes(actor, ['tickets:write']);
    const { ticket: ticketNumber } = parseInput(renderMacroSchema, { ticket: number }, 'macro render');
    const db = this.database.prisma;
    const macro = isUuid(id) ? await db.macro.findUnique({ where: { id } }) : null;
    if (!macro) throw new NotFoundError('macro', id);
    const ticket = await db.ticket.findUnique({
      where: { number: ticketNumber },
      include: { requester: { select: { name: true, email: true } } },
    });
    if (!ticket) throw new NotFoundError('ticket', ticketNumber);
    const agent = actor.userId
      ? await db.user.findUnique({ where: { id: actor.userId }, select: { name: true, email: true } })
      : null;
    const requesterName = ticket.requester.name.trim() || ticket.requester.email.split('@')[0];
    return {
      body: renderMacro(macro.body, {
        'requester.name': requesterName,
        'requester.firstName': requesterName.split(/\s+/)[0],
        'requester.email': ticket.requester.email,
        'ticket.number': String(ticket.number),
        'ticket.title': ticket.title,
        'ticket.status': ticket.status,
        'ticket.priority': ticket.priority,
        'agent.name': agent?.name.trim() || agent?.email || actor.name,
        'agent.email': agent?.email ?? actor.email ?? '',
      }),
    };
  }
}

async function lock(tx: Tx, id: string): Promise<MacroRow> {
  if (!isUuid(id)) throw new NotFoundError('macro', id);
  await tx.$queryRaw`SELECT id FROM macro WHERE id = ${id}::uuid FOR UPDATE`;
  const row = await tx.macro.findUnique({ where: { id }, include: CREATOR });
  if (!row) throw new NotFoundError('macro', id);
  return row;
}

/** Runs a write, turning a duplicate name into a 409 that says so. */
async function uniqueName<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002') {
      throw new ConflictError(`a macro named ${JSON.stringify(name)} already exists`);
    }
    throw e;
  }
}

const audit = (tx: Tx, actor: Principal, action: AuditAction, id: string, detail: string) =>
  writeAudit(tx, { actor, action, targetType: 'macro', targetId: id, outcome: 'success', detail });
