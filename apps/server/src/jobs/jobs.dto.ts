import { importJobSchema } from '@app/jobs';
import { createZodDto } from '../http/zod-dto';

/** Jobs reachable over REST are imports (their id comes from `POST /api/v1/imports`). */
export class JobResponse extends createZodDto(importJobSchema) {}
