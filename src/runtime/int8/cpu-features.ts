import { readCpuinfo } from '../cpuinfo.js';

/**
 * Whether onnxruntime's int8 MatMul kernel on this CPU takes full 8-bit weights without saturating.
 * On x86 the kernel multiplies uint8 activations by int8 weights; without VNNI it does so with AVX2's
 * `vpmaddubsw`, whose int16 sums of two products overflow (and saturate) when both operands use their
 * full range: such CPUs need 7-bit weights (`reduceRange`). With AVX512-VNNI or AVX-VNNI
 * (`vpdpbusd`, int32 sums) full 8-bit weights are exact. Other architectures (Arm's dot-product
 * kernels) accumulate in int32 as well. On x86 without a readable `/proc/cpuinfo` (macOS, Windows)
 * the answer is unknown, and unknown is the safe `false`.
 *
 * @example int8WeightsSafe('flags : fpu ... avx512_vnni ...', 'x64'); // true
 */
export function int8WeightsSafe(cpuinfo: string | null = readCpuinfo(), arch: string = process.arch): boolean {
  if (arch !== 'x64' && arch !== 'ia32') return true;
  if (cpuinfo === null) return false;
  const flags = /^flags\s*:(.*)$/m.exec(cpuinfo)?.[1]?.trim().split(/\s+/) ?? [];
  return flags.includes('avx512_vnni') || flags.includes('avx_vnni');
}
