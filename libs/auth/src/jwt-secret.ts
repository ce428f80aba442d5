import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AppConfig } from '@app/config';

/**
 * JWT_SECRET when configured; otherwise a secret generated once and kept in DATA_DIR (mode 600)
 * so tokens survive restarts. An in-memory database gets an in-memory secret, one per config
 * object (the signer and the passport-jwt verifier both ask for it).
 */
const inMemorySecrets = new WeakMap<object, string>();

export function resolveJwtSecret(config: Pick<AppConfig, 'jwtSecret' | 'dataDir'>): string {
  if (config.jwtSecret) return config.jwtSecret;
  if (!config.dataDir) {
    const secret = inMemorySecrets.get(config) ?? randomBytes(32).toString('hex');
    inMemorySecrets.set(config, secret);
    return secret;
  }
  const file = path.join(config.dataDir, 'jwt-secret');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(48).toString('base64url');
  fs.writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  return secret;
}
