import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Rng } from './prng.js';

/**
 * A corpus of `dirs` x `files` Markdown files of seeded random length, big enough that an ingest
 * with the hashing embedder takes a few seconds and makes dozens of commits. Not a test file itself.
 */
export async function writeKillCorpus(root: string, rng: Rng, dirs = 6, files = 60): Promise<number> {
  const words = [
    'river',
    'mountain',
    'ledger',
    'kernel',
    'harbour',
    'orchid',
    'copper',
    'lantern',
    'glacier',
    'violin',
    'saffron',
    'quartz',
  ];
  let n = 0;
  for (let d = 0; d < dirs; d++) {
    await mkdir(join(root, `d${d}`), { recursive: true });
    for (let f = 0; f < files; f++) {
      const paras = Array.from(
        { length: rng.int(2, 12) },
        (_, p) =>
          `Paragraph ${p} of file ${d}-${f}: ` +
          Array.from({ length: rng.int(10, 60) }, () => rng.pick(words)).join(' ') +
          '.',
      );
      await writeFile(join(root, `d${d}`, `f${f}.md`), `# File ${d}-${f}\n\n${paras.join('\n\n')}\n`);
      n++;
    }
  }
  return n;
}
