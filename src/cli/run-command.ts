import { SiftError } from '../errors.js';
import { inFlagTerms } from './option-flags.js';

/** Exit codes shared by every command. */
export const EXIT = {
  ok: 0,
  /** The command ran and failed (nothing usable produced). */
  failure: 1,
  /** The command line itself is wrong (unknown flag, bad value). */
  usage: 2,
} as const;

/** Options every command accepts. */
export interface CommonFlags {
  json?: boolean;
}

/** Prints a value as JSON on stdout (one document, pretty-printed). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Runs a command body with uniform error handling: a SiftError prints `sift: …` on stderr (and a
 * JSON `{"error": …}` on stdout with `--json`), its option names put as flags (`inFlagTerms`), and sets the exit code; INVALID_OPTION means a usage
 * error (exit 2). Unexpected errors print their stack, since they are bugs.
 */
export async function runCommand(flags: CommonFlags, body: () => Promise<number | void>): Promise<void> {
  try {
    const code = await body();
    process.exitCode = code ?? EXIT.ok;
  } catch (err) {
    const usage = err instanceof SiftError && err.code === 'INVALID_OPTION';
    if (err instanceof SiftError) {
      const shown = inFlagTerms(err);
      process.stderr.write(`${shown.message}\n`);
      if (flags.json) printJson({ error: shown.toJSON() });
    } else {
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      process.stderr.write(`sift: unexpected error: ${message}\n`);
      if (flags.json) printJson({ error: { code: 'INTERNAL', message: String(err) } });
    }
    process.exitCode = usage ? EXIT.usage : EXIT.failure;
  }
}

/** Parses a positive integer flag, or throws an INVALID_OPTION error naming the flag. */
export function parsePositiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw new SiftError('INVALID_OPTION', `${flag} must be a positive whole number, got "${value}"`);
  }
  return n;
}

/** Parses a number flag within [min, max], or throws an INVALID_OPTION error naming the flag. */
export function parseNumberInRange(
  flag: string,
  value: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new SiftError('INVALID_OPTION', `${flag} must be a number from ${min} to ${max}, got "${value}"`);
  }
  return n;
}
