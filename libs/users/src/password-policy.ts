import { createRequire } from 'node:module';
import type { ZxcvbnFactory, ZxcvbnResult } from '@zxcvbn-ts/core';

/** Shortest password accepted. */
export const PASSWORD_MIN_LENGTH = 12;
/** Longest password accepted (argon2 hashes any length; this bounds the work). */
export const PASSWORD_MAX_LENGTH = 1024;
/** zxcvbn score (0-4) a password needs: 3 = "safely unguessable: moderate protection from offline attacks". */
export const PASSWORD_MIN_SCORE = 3;

const ESTIMATED_LENGTH = 64;

let estimator: ZxcvbnFactory | null = null;

/**
 * zxcvbn-ts with its common-password list, common and English dictionaries and keyboard graphs,
 * loaded on the first password check (the dictionaries cost ~20 MiB of memory that a server
 * which never sets a password does not need to hold).
 */
function zxcvbn(): ZxcvbnFactory {
  if (estimator) return estimator;
  const load = createRequire(__filename);
  const { ZxcvbnFactory: Factory } = load('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core');
  const common = load('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
  const english = load('@zxcvbn-ts/language-en') as typeof import('@zxcvbn-ts/language-en');
  estimator = new Factory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
    // Bounds the estimator's work (a long repeated pattern costs seconds otherwise): it rates
    // the first 64 characters, which must be hard to guess on their own.
    maxLength: ESTIMATED_LENGTH,
  });
  return estimator;
}

const reasonOf = (r: ZxcvbnResult): string =>
  [r.feedback.warning, ...r.feedback.suggestions].filter(Boolean).join(' ') || 'It is too easy to guess.';

/**
 * Why a password is refused, or null when it is strong enough: at least 12 characters and a
 * zxcvbn-ts score of 3 or more (which refuses common passwords, dictionary words, keyboard
 * walks, repeats and passwords built from the user's own email or name).
 */
export function passwordWeakness(password: string, userInputs: string[] = []): string | null {
  if (password.length < PASSWORD_MIN_LENGTH)
    return `must be at least ${PASSWORD_MIN_LENGTH} characters (a few unrelated words work well)`;
  if (password.length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  const inputs = userInputs.flatMap((s) => [s, ...s.split(/[@.\s_-]+/)]).filter((s) => s.length >= 3);
  const result = zxcvbn().check(password, inputs);
  if (result.score >= PASSWORD_MIN_SCORE) return null;
  return `is too easy to guess: ${reasonOf(result)}`;
}
