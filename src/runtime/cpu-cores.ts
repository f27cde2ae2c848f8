import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

let cores: number | undefined;

/**
 * The CPU's physical cores, as onnxruntime counts them for its default thread count: distinct
 * (physical id, core id) pairs in `/proc/cpuinfo`, so hyper-threads do not count twice. Where that
 * file is missing or says nothing (macOS, Windows, some containers): the logical CPUs Node sees, which
 * also cap the count when the process is pinned to fewer CPUs.
 *
 * @example physicalCores('processor : 0\nphysical id : 0\ncore id : 0\n\nprocessor : 1\nphysical id : 0\ncore id : 0\n'); // 1
 */
export function physicalCores(cpuinfo?: string): number {
  if (cpuinfo === undefined && cores !== undefined) return cores;
  let text = cpuinfo;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      text = '';
    }
  }
  const seen = new Set<string>();
  for (const block of text.split(/\n\s*\n/)) {
    const physical = /^physical id\s*:\s*(\d+)/m.exec(block)?.[1];
    const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
    if (physical !== undefined && core !== undefined) seen.add(`${physical}:${core}`);
  }
  // The CPUs this process may use (affinity, `taskset`) bound the count too.
  const count = seen.size > 0 ? Math.min(seen.size, availableParallelism()) : availableParallelism();
  if (cpuinfo === undefined) cores = count;
  return count;
}
