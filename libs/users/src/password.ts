import * as argon2 from 'argon2';
import { randomBytes } from 'node:crypto';

export const hashPassword = (password: string): Promise<string> =>
  argon2.hash(password, { type: argon2.argon2id });

export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  if (!hash) return false;
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** A random password that is easy to copy from a terminal (base64url, 20 characters). */
export const generatePassword = (): string => randomBytes(15).toString('base64url');

let dummy: Promise<string> | null = null;

/**
 * An argon2id hash of a random password, made once per process: sign-in verifies against it
 * when the account is unknown (or has no password), so that costs the same as a wrong password.
 */
export const dummyPasswordHash = (): Promise<string> =>
  (dummy ??= hashPassword(randomBytes(32).toString('base64url')));
