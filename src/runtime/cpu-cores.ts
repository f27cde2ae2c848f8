import { availableParallelism } from 'node:os';
import { readCpuinfo } from './cpuinfo.js';

/**
 * The CPU's physical cores, as onnxruntime counts them for its default thread count: distinct
 * (physical id, core id) pairs in `/proc/cpuinfo`, so hyper-threads do not count twice. Where that
 * file is missing or says nothing (macOS, Windows, some containers): the logical CPUs Node sees, which
 * also cap the count when the process is pinned to fewer CPUs.
 *
 * @example physicalCores('processor : 0\nphysical id : 0\ncore id : 0\n\nprocessor : 1\nphysical id : 0\ncore id : 0\n'); // 1
 */
export function physicalCores(cpuinfo: string | null = readCpuinfo()): number {
  const seen = new Set<string>();
  for (const block of (cpuinfo ?? '').split(/\n\s*\n/)) {
    const physical = /^physical id\s*:\s*(\d+)/m.exec(block)?.[1];
    const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
    if (physical !== undefined && core !== undefined) seen.add(`${physical}:${core}`);
  }
  // The CPUs this process may use (affinity, `taskset`) bound the count too.
  return seen.size > 0 ? Math.min(seen.size, availableParallelism()) : availableParallelism();
}
