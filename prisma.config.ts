import { defineConfig } from 'prisma/config';

// Only the Prisma CLI reads this file (generate, validate, and `migrate deploy` on machines that
// have Prisma's engines). The application itself takes DATABASE_URL from libs/config.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: {
    url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
  },
});
