import { readFileSync } from 'node:fs';

let text: string | null | undefined;

/** `/proc/cpuinfo`, read once per process; null where there is none (macOS, Windows). */
export function readCpuinfo(): string | null {
  if (text === undefined) {
    try {
      text = readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      text = null;
    }
  }
  return text;
}
