/**
 * A seeded source of weights. Generated models must be byte-identical for a given seed on every
 * machine (the test cache keys on the config, and determinism is tested), so this uses only integer
 * and basic float arithmetic: mulberry32 for uniforms and the Irwin–Hall sum of 12 uniforms for
 * normals, avoiding `Math.log`/`Math.cos`, whose last bits may differ between platforms.
 */
export class SeededRandom {
  private state: number;

  /** @param seed any integer; equal seeds give equal sequences. */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniform number in [0, 1) (mulberry32, Tommy Ettinger's public-domain generator). */
  uniform(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /**
   * `count` values from a normal distribution with mean 0 and the given standard deviation
   * (approximately: Irwin–Hall, which is bounded at ±6 std — harmless for initial weights).
   *
   * @example new SeededRandom(1).normal(3, 0.02) // Float32Array of 3 values near 0
   */
  normal(count: number, std: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      let sum = 0;
      for (let k = 0; k < 12; k++) sum += this.uniform();
      out[i] = (sum - 6) * std;
    }
    return out;
  }
}
