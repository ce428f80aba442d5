import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Parses `--flag value` options; unknown flags are an error with one clear line. */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  return parseArgs({ args, options, allowPositionals: true, strict: true });
}

export function required(value: string | undefined, flag: string): string {
  if (!value) throw new Error(`--${flag} is required`);
  return value;
}
