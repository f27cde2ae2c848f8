import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * DESIGN.md's layer table, from the foundation up: a module may import its own layer and the layers
 * before it, never one after it. Folders on one line form one tier (they may import each other).
 */
const TIERS: readonly (readonly string[])[] = [
  ['errors', 'config'],
  ['models'],
  ['tokenization'],
  ['runtime'],
  ['embedding'],
  ['reranking'],
  ['stores'],
  ['loaders', 'chunking'],
  ['ingest'],
  ['retrieval'],
  ['generation'],
  ['pipeline'],
  ['eval'],
  ['server', 'mcp', 'langchain'],
  ['cli'],
  ['index'],
];

const SRC = resolve('src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The layer of a file under src: its top folder, or its name for a top-level file (`errors.ts`, `index.ts`). */
function layerOf(file: string): string {
  const [top = ''] = relative(SRC, file).split(sep);
  return top.replace(/\.ts$/, '');
}

function tierOf(layer: string): number {
  const i = TIERS.findIndex((t) => t.includes(layer));
  assert.ok(i >= 0, `src/${layer} is not in the layer table (DESIGN.md and this test)`);
  return i;
}

test('every import in src runs to its own layer or one before it in the layer table (DESIGN.md)', () => {
  const backwards: string[] = [];
  for (const file of sources(SRC)) {
    const from = layerOf(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = resolve(dirname(file), m[1]!).replace(/\.js$/, '.ts');
      const to = layerOf(target);
      if (tierOf(to) > tierOf(from))
        backwards.push(`${relative(SRC, file)} -> ${relative(SRC, target)} (${from} imports ${to})`);
    }
  }
  assert.deepEqual(backwards, []);
});
