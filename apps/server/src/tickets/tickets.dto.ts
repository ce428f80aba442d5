import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import {
  COMMENT_MAX,
  DESCRIPTION_MAX,
  TAGS_MAX,
  TAG_MAX,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  TITLE_MAX,
  type TicketCommentDto,
  type TicketDto,
  type TicketPriorityName,
  type TicketStatusName,
  type TicketWithCommentsDto,
  type UserRefDto,
} from '@app/tickets';
import { PageQueryDto } from '../http/page-query.dto';

const UUID_EXAMPLE = '3f2c9a52-8d1e-4c61-9a0b-6f1d2e7c4b10';

export class UserRefResponse implements UserRefDto {
  @ApiProperty({ format: 'uuid', example: UUID_EXAMPLE }) id!: string;
  @ApiProperty({ example: 'sam@example.com' }) email!: string;
  @ApiProperty({ example: 'Sam Requester' }) name!: string;
}

export class TicketResponse implements TicketDto {
  @ApiProperty({ format: 'uuid', example: UUID_EXAMPLE }) id!: string;
  @ApiProperty({ example: 42, description: 'Human-friendly unique number; the ticket is addressed by it' })
  number!: number;
  @ApiProperty({ example: 'Cannot reset my password' }) title!: string;
  @ApiProperty({ example: 'The reset link in the e-mail says it has expired.' }) description!: string;
  @ApiProperty({ enum: TICKET_STATUSES, example: 'open' }) status!: TicketStatusName;
  @ApiProperty({ enum: TICKET_PRIORITIES, example: 'high' }) priority!: TicketPriorityName;
  @ApiProperty({ format: 'uuid' }) requesterId!: string;
  @ApiProperty({ type: UserRefResponse, nullable: true }) requester!: UserRefResponse | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) assigneeId!: string | null;
  @ApiProperty({ type: UserRefResponse, nullable: true }) assignee!: UserRefResponse | null;
  @ApiProperty({ type: [String], example: ['login', 'email'] }) tags!: string[];
  @ApiProperty({ example: 3 }) version!: number;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'First public reply by someone other than the requester',
  })
  firstResponseAt!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'First-response deadline (urgent and high only)',
  })
  slaDueAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) slaBreachedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) resolvedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) closedAt!: string | null;
  @ApiProperty({ example: '2026-01-05T09:30:00.000Z' }) createdAt!: string;
  @ApiProperty({ example: '2026-01-05T10:02:11.000Z' }) updatedAt!: string;
}

export class CommentResponse implements TicketCommentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) ticketId!: string;
  @ApiProperty({ example: 42 }) ticketNumber!: number;
  @ApiProperty({ example: 'I have sent you a new link; it is valid for 24 hours.' }) body!: string;
  @ApiProperty({
    example: false,
    description: 'Internal notes are visible only to callers with tickets:write',
  })
  internal!: boolean;
  @ApiProperty({ format: 'uuid' }) authorId!: string;
  @ApiProperty({ type: UserRefResponse, nullable: true }) author!: UserRefResponse | null;
  @ApiProperty({ example: '2026-01-05T10:02:11.000Z' }) createdAt!: string;
}

export class TicketWithCommentsResponse extends TicketResponse implements TicketWithCommentsDto {
  @ApiProperty({ type: [CommentResponse], description: 'Oldest first' }) comments!: CommentResponse[];
}

export class TicketPage {
  @ApiProperty({ type: [TicketResponse] }) items!: TicketResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class CommentPage {
  @ApiProperty({ type: [CommentResponse] }) items!: CommentResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class CreateTicketDto {
  @ApiProperty({ example: 'Cannot reset my password', maxLength: TITLE_MAX })
  @IsString()
  @MinLength(1)
  @MaxLength(TITLE_MAX)
  title!: string;

  @ApiProperty({ example: 'The reset link in the e-mail says it has expired.', maxLength: DESCRIPTION_MAX })
  @IsString()
  @MaxLength(DESCRIPTION_MAX)
  description!: string;

  @ApiPropertyOptional({ enum: TICKET_PRIORITIES, default: 'normal', example: 'high' })
  @IsOptional()
  @IsIn(TICKET_PRIORITIES)
  priority?: TicketPriorityName;

  @ApiPropertyOptional({
    example: 'sam@example.com',
    description: 'Who asked; an unknown address becomes a viewer without a password. Default: the caller',
  })
  @IsOptional()
  @IsEmail({ require_tld: false })
  @MaxLength(254)
  requesterEmail?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Alternative to requesterEmail' })
  @IsOptional()
  @IsUUID()
  requesterId?: string;

  @ApiPropertyOptional({ type: [String], example: ['login'], maxItems: TAGS_MAX })
  @IsOptional()
  @ArrayMaxSize(TAGS_MAX)
  @IsString({ each: true })
  @MaxLength(TAG_MAX, { each: true })
  tags?: string[];

  @ApiPropertyOptional({ format: 'uuid', description: 'An active agent or admin' })
  @IsOptional()
  @IsUUID()
  assigneeId?: string;
}

export class UpdateTicketDto {
  @ApiPropertyOptional({
    enum: TICKET_STATUSES,
    example: 'resolved',
    description:
      'Workflow: open → pending|resolved|closed; pending → open|resolved|closed; resolved → open|closed; closed → open. ' +
      'Any other move answers 409 naming the allowed next states.',
  })
  @IsOptional()
  @IsIn(TICKET_STATUSES)
  status?: TicketStatusName;

  @ApiPropertyOptional({ enum: TICKET_PRIORITIES, example: 'urgent' })
  @IsOptional()
  @IsIn(TICKET_PRIORITIES)
  priority?: TicketPriorityName;

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'An active agent or admin; null unassigns',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsUUID()
  assigneeId?: string | null;

  @ApiPropertyOptional({ type: [String], example: ['login', 'email'] })
  @IsOptional()
  @ArrayMaxSize(TAGS_MAX)
  @IsString({ each: true })
  @MaxLength(TAG_MAX, { each: true })
  tags?: string[];

  @ApiPropertyOptional({ maxLength: TITLE_MAX })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(TITLE_MAX)
  title?: string;

  @ApiPropertyOptional({ maxLength: DESCRIPTION_MAX })
  @IsOptional()
  @IsString()
  @MaxLength(DESCRIPTION_MAX)
  description?: string;

  @ApiPropertyOptional({ example: 3, description: 'Alternative to the If-Match header' })
  @IsOptional()
  @IsInt()
  @Min(1)
  expectedVersion?: number;
}

export class CreateCommentDto {
  @ApiProperty({ example: 'I have sent you a new link; it is valid for 24 hours.', maxLength: COMMENT_MAX })
  @IsString()
  @MinLength(1)
  @MaxLength(COMMENT_MAX)
  body!: string;

  @ApiPropertyOptional({ default: false, description: 'An internal note, hidden from viewers' })
  @IsOptional()
  @IsBoolean()
  internal?: boolean;
}

export class ListTicketsQuery extends PageQueryDto {
  @ApiPropertyOptional({
    example: 'password reset',
    description:
      'Full-text search (words are OR-ed, best match first; "quotes", -word and or follow web-search syntax); ' +
      '#42 finds ticket 42 only, a bare 42 also matches it; titles also match by substring',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  q?: string;

  @ApiPropertyOptional({ enum: TICKET_STATUSES })
  @IsOptional()
  @IsIn(TICKET_STATUSES)
  status?: TicketStatusName;

  @ApiPropertyOptional({ enum: TICKET_PRIORITIES })
  @IsOptional()
  @IsIn(TICKET_PRIORITIES)
  priority?: TicketPriorityName;

  @ApiPropertyOptional({ description: 'A user id, or "none" for unassigned tickets', example: 'none' })
  @IsOptional()
  @Matches(/^(none|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i, {
    message: 'must be a user id or "none"',
  })
  assigneeId?: string;

  @ApiPropertyOptional({ example: 'sam@example.com' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  requesterEmail?: string;

  @ApiPropertyOptional({ example: 'login' }) @IsOptional() @IsString() @MaxLength(TAG_MAX) tag?: string;
}
