import { SiftError, toSiftError } from '../../errors.js';

/** File-system failures a store meets in the field, how LanceDB (Rust) and Node spell them, and the fix. */
const FS_FAULTS: readonly { pattern: RegExp; reason: string; fix: string }[] = [
  {
    pattern: /No space left on device|os error 28\b|ENOSPC/,
    reason: 'disk-full',
    fix: 'the disk is full (ENOSPC); free space or move the store (`store`), then run the ingest again: batches committed before are intact',
  },
  {
    pattern: /Read-only file system|os error 30\b|EROFS/,
    reason: 'read-only',
    fix: 'the store is on a read-only file system (EROFS); remount it read-write, or copy the store to a writable place (`store`); searching it still works',
  },
  {
    pattern: /Permission denied|os error 13\b|EACCES/,
    reason: 'permission-denied',
    fix: 'permission denied (EACCES); give this user write access to the store folder',
  },
  {
    pattern: /Operation not permitted|os error 1\b|EPERM/,
    reason: 'not-permitted',
    fix: 'operation not permitted (EPERM; immutable files? see lsattr); make the store folder writable',
  },
];

/**
 * A STORE_ERROR for a failed store operation. A file-system fault (disk full, read-only, no
 * permission) gets a short message with the fix instead of LanceDB's multi-line Rust error chain,
 * which stays in `cause`; `details.reason` names the fault for programs.
 *
 * @example
 * storeIoError(new Error('... No space left on device (os error 28) ...'), '.sift', 'write chunks').message
 * // 'sift: store .sift: cannot write chunks: the disk is full (ENOSPC); free space or move the store ...'
 */
export function storeIoError(err: unknown, location: string, what: string): SiftError {
  if (err instanceof SiftError) return err;
  const text = err instanceof Error ? err.message : String(err);
  const fault = FS_FAULTS.find((f) => f.pattern.test(text));
  if (!fault) return toSiftError(err, 'STORE_ERROR', `store ${location}: cannot ${what}`);
  return new SiftError('STORE_ERROR', `store ${location}: cannot ${what}: ${fault.fix}`, {
    cause: err,
    details: { location, reason: fault.reason },
  });
}
