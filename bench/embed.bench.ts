/**
 * The scout's speed: chunks embedded per second (SciFact passages of ~500 characters, the default
 * chunk size), fp32 and q8, 1 and 2 threads, at the default batch size.
 */
import { OnnxEmbedder, DEFAULT_EMBED_BATCH_SIZE } from '../src/embedding/onnx-embedder.js';
import type { ModelDtype } from '../src/models/model-spec.js';
import { benchModelsRoot, modelFolder, SCOUT_MODEL } from './support/models.js';
import { scifactCandidates } from './support/scifact.js';
import { interleave, median, round } from './support/stats.js';
import type { BenchFigure, BenchSuite } from './support/suite.js';

const suite: BenchSuite = {
  name: 'embed',
  title: 'Scout embedding throughput (chunks of ~500 characters), fp32 and q8, 1 and 2 threads',
  async run({ quick, log }) {
    const folder = modelFolder(SCOUT_MODEL);
    if ('missing' in folder) return { figures: [], notes: [], skipped: folder.missing };
    const chunks = quick ? 32 : 256;
    const reps = quick ? 2 : 4;
    const { sets } = await scifactCandidates({ queries: reps + 1, perQuery: chunks });
    const embedders = new Map<string, { dtype: ModelDtype; threads: number; embedder: OnnxEmbedder }>();
    for (const dtype of ['fp32', 'q8'] as ModelDtype[]) {
      for (const threads of [1, 2]) {
        const embedder = new OnnxEmbedder({
          model: SCOUT_MODEL,
          modelsDir: benchModelsRoot(),
          offline: true,
          dtype,
          session: { threads },
        });
        await embedder.embed(sets[0]!.texts.slice(0, 32));
        embedders.set(`${dtype}/${threads}`, { dtype, threads, embedder });
      }
    }
    log(`${chunks} chunks per call, ${reps} rounds, ${embedders.size} configurations interleaved`);
    const counters = new Map<string, number>();
    const times = await interleave(
      Object.fromEntries(
        [...embedders].map(([key, { embedder }]) => [
          key,
          () => {
            const i = (counters.get(key) ?? 0) + 1;
            counters.set(key, i);
            return embedder.embed(sets[i % sets.length]!.texts);
          },
        ]),
      ),
      reps,
    );
    const figures: BenchFigure[] = [];
    for (const [key, { dtype, threads, embedder }] of embedders) {
      figures.push({
        metric: 'embed.throughput',
        model: SCOUT_MODEL,
        dtype,
        threads,
        batchSize: DEFAULT_EMBED_BATCH_SIZE,
        value: round((chunks * 1000) / median(times[key]!)),
        unit: 'chunks/s',
        note: `embed() of ${chunks} passages, median of ${reps}`,
      });
      await embedder.close();
    }
    return {
      figures,
      notes: [
        `Passages: SciFact title + abstract cut to ~500 characters (~110 tokens). ${SCOUT_MODEL} has random weights: speed only.`,
      ],
    };
  },
};

export default suite;
