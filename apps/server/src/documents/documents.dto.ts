import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import {
  DOCUMENT_STATUSES,
  LIMITS,
  MAX_QUERY_LENGTH,
  SLUG_PATTERN,
  type DocumentDto,
  type DocumentStatusName,
  type DocumentVersionDto,
  type SearchHit,
} from '@app/knowledge';
import { PageQueryDto } from '../http/page-query.dto';

const UUID_EXAMPLE = '7d1f6c2e-3b8a-4f0e-9c55-2a9e4b6d8f10';
const SLUG_MESSAGE =
  'slug must be lower-case letters and digits separated by single hyphens, e.g. "reset-password"';

export class DocumentResponse implements DocumentDto {
  @ApiProperty({ format: 'uuid', example: UUID_EXAMPLE }) id!: string;
  @ApiProperty({ example: 'reset-password' }) slug!: string;
  @ApiProperty({ example: 'How to reset your password' }) title!: string;
  @ApiProperty({ example: '# Reset\n\nOpen **Settings → Security** and choose *Reset password*.' })
  body!: string;
  @ApiProperty({ type: [String], example: ['account', 'login'] }) tags!: string[];
  @ApiProperty({ type: String, nullable: true, example: 'help-center' }) collection!: string | null;
  @ApiProperty({ enum: DOCUMENT_STATUSES, example: 'published' }) status!: DocumentStatusName;
  @ApiProperty({ example: 3, description: 'Send it back as If-Match (or expectedVersion) to update' })
  version!: number;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) authorId!: string | null;
  @ApiProperty({ example: '2026-01-05T09:30:00.000Z' }) createdAt!: string;
  @ApiProperty({ example: '2026-01-05T10:02:11.000Z' }) updatedAt!: string;
}

export class DocumentVersionResponse implements DocumentVersionDto {
  @ApiProperty({ format: 'uuid', example: UUID_EXAMPLE }) documentId!: string;
  @ApiProperty({ example: 2 }) version!: number;
  @ApiProperty({ example: 'reset-password' }) slug!: string;
  @ApiProperty({ example: 'How to reset your password' }) title!: string;
  @ApiProperty() body!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ type: String, nullable: true }) collection!: string | null;
  @ApiProperty({ enum: DOCUMENT_STATUSES }) status!: DocumentStatusName;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Author of the document' })
  authorId!: string | null;
  @ApiProperty({ example: '2026-01-05T10:02:11.000Z', description: 'When this version was written' })
  createdAt!: string;
}

export class SearchHitResponse implements SearchHit {
  @ApiProperty({ format: 'uuid', example: UUID_EXAMPLE }) documentId!: string;
  @ApiProperty({ example: 'reset-password' }) slug!: string;
  @ApiProperty({ example: 'How to reset your password' }) title!: string;
  @ApiProperty({ example: 'kb://documents/reset-password' }) uri!: string;
  @ApiProperty({
    example:
      'Open Settings → Security and choose <mark>Reset</mark> <mark>password</mark> … the link expires',
    description: 'Best passage, matches wrapped in <mark>…</mark>',
  })
  snippet!: string;
  @ApiProperty({ example: 7.8123, description: 'BM25 score of the best passage (higher is better)' })
  score!: number;
  @ApiProperty({ type: String, nullable: true, example: 'Reset', description: 'Heading of the passage' })
  heading!: string | null;
  @ApiProperty({ format: 'uuid' }) chunkId!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ type: String, nullable: true }) collection!: string | null;
  @ApiProperty({ enum: DOCUMENT_STATUSES }) status!: DocumentStatusName;
  @ApiProperty({ example: 3 }) version!: number;
  @ApiProperty() updatedAt!: string;
}

export class DocumentPage {
  @ApiProperty({ type: [DocumentResponse] }) items!: DocumentResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class SearchPage {
  @ApiProperty({ type: [SearchHitResponse], description: 'Best match first' }) items!: SearchHitResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class DocumentVersionPage {
  @ApiProperty({ type: [DocumentVersionResponse], description: 'Newest first' })
  items!: DocumentVersionResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

const lowerCaseTrim = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;

export class ListDocumentsQuery extends PageQueryDto {
  @ApiPropertyOptional({
    description:
      'Full-text search: keywords or a question; "quoted phrase" must appear, -word excludes. ' +
      'With q, items are ranked search hits with a highlighted snippet.',
    example: 'reset password -sso',
    maxLength: MAX_QUERY_LENGTH,
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_QUERY_LENGTH)
  q?: string;

  @ApiPropertyOptional({ enum: DOCUMENT_STATUSES })
  @IsOptional()
  @IsIn(DOCUMENT_STATUSES)
  status?: DocumentStatusName;

  @ApiPropertyOptional({ example: 'account' })
  @IsOptional()
  @Transform(lowerCaseTrim)
  @IsString()
  @MaxLength(50)
  tag?: string;

  @ApiPropertyOptional({ example: 'help-center' })
  @IsOptional()
  @IsString()
  @MaxLength(LIMITS.collection)
  collection?: string;
}

export class CreateDocumentDto {
  @ApiProperty({ example: 'reset-password', maxLength: LIMITS.slug, pattern: SLUG_PATTERN.source })
  @IsString()
  @MaxLength(LIMITS.slug)
  @Matches(SLUG_PATTERN, { message: SLUG_MESSAGE })
  slug!: string;

  @ApiProperty({ example: 'How to reset your password', maxLength: LIMITS.title })
  @IsString()
  @MinLength(1)
  @MaxLength(LIMITS.title)
  title!: string;

  @ApiProperty({
    example: '# Reset\n\nOpen **Settings → Security** and choose *Reset password*.',
    description: 'Markdown, at most 200 KB',
  })
  @IsString()
  body!: string;

  @ApiPropertyOptional({ type: [String], example: ['account', 'login'], maxItems: LIMITS.tags })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIMITS.tags)
  @IsString({ each: true })
  @MaxLength(50, { each: true })
  tags?: string[];

  @ApiPropertyOptional({ type: String, nullable: true, example: 'help-center' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MinLength(1)
  @MaxLength(LIMITS.collection)
  collection?: string | null;

  @ApiPropertyOptional({ enum: DOCUMENT_STATUSES, default: 'draft' })
  @IsOptional()
  @IsIn(DOCUMENT_STATUSES)
  status?: DocumentStatusName;
}

export class UpdateDocumentDto {
  @ApiPropertyOptional({ example: 'reset-password', maxLength: LIMITS.slug })
  @IsOptional()
  @IsString()
  @MaxLength(LIMITS.slug)
  @Matches(SLUG_PATTERN, { message: SLUG_MESSAGE })
  slug?: string;

  @ApiPropertyOptional({ maxLength: LIMITS.title })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(LIMITS.title)
  title?: string;

  @ApiPropertyOptional({ description: 'Markdown, at most 200 KB' })
  @IsOptional()
  @IsString()
  body?: string;

  @ApiPropertyOptional({ type: [String], maxItems: LIMITS.tags })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIMITS.tags)
  @IsString({ each: true })
  @MaxLength(50, { each: true })
  tags?: string[];

  @ApiPropertyOptional({ type: String, nullable: true, description: 'null removes it from its collection' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MinLength(1)
  @MaxLength(LIMITS.collection)
  collection?: string | null;

  @ApiPropertyOptional({ enum: DOCUMENT_STATUSES, example: 'published' })
  @IsOptional()
  @IsIn(DOCUMENT_STATUSES)
  status?: DocumentStatusName;

  @ApiPropertyOptional({ example: 3, description: 'Alternative to the If-Match header' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  expectedVersion?: number;
}
