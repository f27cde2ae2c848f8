import { z } from 'zod';
import type { ServerLimits } from '../server-limits.js';

/**
 * Schema pieces shared by the routes. Messages complete the sentence "<field> ...", so a failure
 * reads `sift: top_n must be a whole number from 1 to 1000, got -1`.
 */

export const jsonObject = <T extends z.core.$ZodLooseShape>(shape: T) =>
  z.object(shape, { error: 'must be a JSON object' });

/** A non-empty query of at most `maxTextChars` characters. */
export function queryField(limits: ServerLimits) {
  return z
    .string({ error: 'must be a string' })
    .refine((q) => q.trim().length > 0, { error: 'must not be empty: give the question or search text' })
    .refine((q) => q.length <= limits.maxTextChars, { error: `must be at most ${limits.maxTextChars} characters` });
}

/** A passage of at most `maxTextChars` characters. */
export function textField(limits: ServerLimits) {
  return z.string({ error: 'must be a string' }).max(limits.maxTextChars, {
    error: `must be at most ${limits.maxTextChars} characters (the server's text limit); split long documents into chunks`,
  });
}

/** An optional whole number in `[min, max]`. */
export function intField(min: number, max: number) {
  return z
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int({ error: `must be a whole number from ${min} to ${max}` })
    .min(min, { error: `must be a whole number from ${min} to ${max}` })
    .max(max, { error: `must be a whole number from ${min} to ${max}` })
    .optional();
}

export const boolField = () => z.boolean({ error: 'must be true or false' }).optional();

/** A list of at most `maxDocuments` items. */
export function listField<T extends z.ZodType>(item: T, limits: ServerLimits) {
  return z.array(item, { error: 'must be an array' }).max(limits.maxDocuments, {
    error: `must have at most ${limits.maxDocuments} items (the server's --max-documents)`,
  });
}
