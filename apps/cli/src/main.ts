import '../../server/src/quiet-runtime-notice';
import 'reflect-metadata';
import { ConfigError, loadConfig } from '@app/config';
import { DomainError } from '@app/core';
import { applyMigrations, defaultMigrationsDir, openDriver, readMigrations } from '@app/database';
import { apiKeysCommand } from './api-keys.command';
import { importCommand } from './import.command';
import { mcpCommand } from './mcp.command';
import { seedCommand } from './seed.command';
import { usersCommand } from './users.command';

type Command = (args: string[]) => Promise<void>;

async function migrate(): Promise<void> {
  const config = loadConfig();
  const driver = await openDriver(config.database);
  try {
    const result = await applyMigrations(driver, readMigrations(defaultMigrationsDir()));
    if (result.applied.length === 0)
      console.log(`Database is up to date (${result.alreadyApplied} migrations applied).`);
    for (const name of result.applied) console.log(`Applied ${name}`);
  } finally {
    await driver.close();
  }
}

const commands: Record<string, Command> = {
  migrate,
  seed: seedCommand,
  users: usersCommand,
  'api-keys': apiKeysCommand,
  import: importCommand,
  mcp: mcpCommand,
};

const USAGE = `usage: context-desk <command> [options]

commands:
  migrate                                   apply pending database migrations
  seed [--demo]                             create the admin if missing; --demo adds a demo help center
  users create --email E --name N --role R [--password P]
  api-keys create --name N --scopes a,b [--owner email]
                                            prints the secret once
  mcp [--url http://host:port/mcp]          MCP over stdio (API key in CONTEXT_DESK_API_KEY)
  import <path>                             import Markdown files or a JSON export

The database is DATABASE_URL, or the embedded one in DATA_DIR (default ./.data). An embedded
database can be open in one process only: stop the server first, or use the REST API.
`;

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const command = commands[name];
  if (!command) throw new Error(`unknown command "${name}" (run context-desk --help)`);
  await command(rest);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (e: unknown) => {
    const message =
      e instanceof ConfigError || e instanceof DomainError
        ? e.message
        : ((e as Error).message ?? String(e)).split('\n')[0];
    process.stderr.write(`context-desk: ${message}\n`);
    process.exit(1);
  },
);
