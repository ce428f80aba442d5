export * from './database.module';
export * from './database.service';
export * from './migrator';
export * from './sql-driver';
export { Prisma, PrismaClient } from './generated/prisma/client';
export * from './generated/prisma/enums';
export * from './data-dir-lock';
export * from './data-dir';
