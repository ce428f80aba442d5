import 'reflect-metadata';
import { ConfigError, loadConfig } from '@app/config';
import { applyMigrations, defaultMigrationsDir, openDriver, readMigrations } from '@app/database';

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

const commands: Record<string, Command> = { migrate };

const USAGE = `usage: context-desk <command>

commands:
  migrate            apply pending database migrations
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
    const message = e instanceof ConfigError ? e.message : ((e as Error).message ?? String(e)).split('\n')[0];
    process.stderr.write(`context-desk: ${message}\n`);
    process.exit(1);
  },
);
