export { DatabaseModule } from './database.module';
export { DatabaseService, isWriteConflict, type Tx } from './database.service';
export {
  applyMigrations,
  defaultMigrationsDir,
  type MigrationFile,
  type MigrationResult,
  readMigrations,
} from './migrator';
export {
  DatabaseUnavailableError,
  DEFAULT_POOL,
  openDriver,
  PgDriver,
  PgliteDriver,
  type SqlDriver,
} from './sql-driver';
export { Prisma, PrismaClient } from './generated/prisma/client';
export {
  DeliveryStatus,
  DocumentStatus,
  JobState,
  Role,
  TicketChannel,
  TicketPriority,
  TicketStatus,
} from './generated/prisma/enums';
export { DataDirLockedError, lockDataDir } from './data-dir-lock';
export { secureDataDir } from './data-dir';
