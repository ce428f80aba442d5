import { ApiProperty } from '@nestjs/swagger';

export class ImportFailureResponse {
  @ApiProperty({ description: 'Slug, file name or position of the item', example: 'reset-password' })
  item!: string;
  @ApiProperty({ example: 'title must be 1 to 300 characters' }) reason!: string;
}

export class ImportResultResponse {
  @ApiProperty() created!: number;
  @ApiProperty() updated!: number;
  @ApiProperty() failed!: number;
  @ApiProperty({ type: [ImportFailureResponse] }) failures!: ImportFailureResponse[];
}

export class JobResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'imports' }) queue!: string;
  @ApiProperty({ example: 'imports' }) name!: string;
  @ApiProperty({ enum: ['queued', 'running', 'completed', 'failed'] }) state!: string;
  @ApiProperty({ minimum: 0, maximum: 100 }) progress!: number;
  @ApiProperty() attempts!: number;
  @ApiProperty() maxAttempts!: number;
  @ApiProperty({
    nullable: true,
    type: ImportResultResponse,
    description: 'When completed: for imports, counts of created/updated/failed items with reasons',
  })
  result!: unknown;
  @ApiProperty({ nullable: true, type: String }) lastError!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ nullable: true, type: String }) finishedAt!: string | null;
}
