/** Milliseconds rounded to 0.01 for JSON responses. */
export function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}
