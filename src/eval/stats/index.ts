export { bootstrapInterval, type BootstrapOptions } from './bootstrap-interval.js';
export { pairedDifference, type PairedDifference, type PairedTestOptions } from './paired-difference.js';
export { pairedRandomization, type RandomizationOptions, type RandomizationResult } from './paired-randomization.js';
export { seededRandom, type SeededRandom } from './seeded-random.js';
