/** Public API of libs/database: what other libs, the apps and the tests use. */
export { DatabaseModule } from './database.module';
export { DatabaseService, type Tx } from './database.service';
export { applyMigrations, defaultMigrationsDir, type MigrationFile, readMigrations } from './migrator';
export { openDriver } from './sql-driver';
export { Prisma, PrismaClient } from './generated/prisma/client';
export {
  DeliveryStatus,
  DocumentStatus,
  TicketChannel,
  TicketPriority,
  TicketStatus,
} from './generated/prisma/enums';
