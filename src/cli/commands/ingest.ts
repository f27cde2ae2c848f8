import type { Command } from 'commander';
import { relative, resolve } from 'node:path';
import { DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_SIZE } from '../../chunking/chunk-text.js';
import { storeFromEnv } from '../../config/env.js';
import { DEFAULT_EMBEDDER } from '../../pipeline/defaults.js';
import { renameOptions, SiftError } from '../../errors.js';
import { ingestFiles } from '../../ingest/ingest-files.js';
import { DEFAULT_COMMIT_CHUNKS } from '../../ingest/write-batch.js';
import type { IngestSummary } from '../../ingest/ingest-summary.js';
import { DEFAULT_MAX_FILE_BYTES } from '../../loaders/load-file.js';
import { checkStoreScout, embedderEmbedding, embeddingDtype } from '../../stores/check-store-embedding.js';
import { isPostgresLocation, openStore, readStoreEmbedding } from '../../stores/open-store.js';
import { redactPassword } from '../../stores/postgres/postgres-location.js';
import { embedderFromFlag, NO_EMBEDDER } from '../embedder-flag.js';
import { addModelFlags, type ModelFlags } from '../model-flags.js';
import { OPTION_FLAGS } from '../option-flags.js';
import { createProgress } from '../progress.js';
import { EXIT, parsePositiveInt, printJson, runCommand } from '../run-command.js';
import { parseHeadingContext } from '../../chunking/heading-context.js';

interface IngestFlags extends ModelFlags {
  store?: string;
  headingContext?: string;
  embedder?: string;
  include?: string[];
  exclude?: string[];
  prune?: boolean;
  chunkSize?: string;
  chunkOverlap?: string;
  maxFileSize?: string;
  batchSize?: string;
  commitChunks?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `sift ingest <paths...>`: loads, chunks, embeds and stores documents; re-runs only redo what changed. */
export function registerIngest(program: Command): void {
  const command = program
    .command('ingest')
    .description('add files and folders (txt, md, html, pdf) to the store; unchanged files are skipped')
    .argument('<paths...>', 'files and folders (folders recursively)')
    .option('--store <dir>', 'store folder (default: SIFT_STORE or ./.sift)')
    .option(
      '--embedder <name>',
      `embedding model, or "${NO_EMBEDDER}" for a keyword-only (BM25) store (default: the store's model; ${DEFAULT_EMBEDDER} for a new store)`,
    )
    .option('--include <glob>', 'only files matching this glob (repeatable), e.g. "**/*.md"', collect)
    .option('--exclude <glob>', 'leave out files or folders matching this glob (repeatable), e.g. "drafts/**"', collect)
    .option('--prune', 'remove chunks of files under the given paths that no longer exist')
    .option('--chunk-size <n>', `characters per chunk (default ${DEFAULT_CHUNK_SIZE})`)
    .option('--chunk-overlap <n>', `characters shared by neighbouring chunks (default ${DEFAULT_CHUNK_OVERLAP})`)
    .option(
      '--max-file-size <size>',
      `skip larger files: bytes, or with k/M/G (default ${DEFAULT_MAX_FILE_BYTES / 1024 / 1024}M)`,
    )
    .option('--batch-size <n>', "texts per embedding batch (default: the embedder's, 8)")
    .option(
      '--commit-chunks <n>',
      'chunks written per commit, whole files only (default 1024); smaller loses less work to a crash',
    )
    .option(
      '--heading-context <list>',
      'with scout (or all), chunks are embedded as heading path + chunk; otherwise the chunk alone (default: the chunk alone, measured in README "Retrieval quality")',
    )
    .option('--json', 'print the summary as JSON');
  addModelFlags(command).action((paths: string[], flags: IngestFlags) =>
    runCommand(flags, async () => {
      const location = flags.store ?? storeFromEnv();
      const chunkSize = parsePositiveInt('--chunk-size', flags.chunkSize, DEFAULT_CHUNK_SIZE);
      const chunkOverlap =
        flags.chunkOverlap === undefined
          ? Math.min(DEFAULT_CHUNK_OVERLAP, chunkSize - 1)
          : parseOverlap(flags.chunkOverlap);
      const maxFileBytes =
        flags.maxFileSize === undefined ? DEFAULT_MAX_FILE_BYTES : parseSize('--max-file-size', flags.maxFileSize);
      const embedBatchSize =
        flags.batchSize === undefined ? undefined : parsePositiveInt('--batch-size', flags.batchSize, 32);

      const batchChunks = parsePositiveInt('--commit-chunks', flags.commitChunks, DEFAULT_COMMIT_CHUNKS);
      const manifest = await readStoreEmbedding(location).then((embedding) =>
        embedding === undefined ? undefined : { embedding },
      );
      const name = flags.embedder ?? (manifest ? (manifest.embedding?.model ?? NO_EMBEDDER) : DEFAULT_EMBEDDER);
      // Without --dtype, a store's later ingests embed in the dtype its vectors were made with.
      const stored = manifest?.embedding;
      const embedder = embedderFromFlag(name, flags, stored ? embeddingDtype(stored) : undefined);
      try {
        // Compare names and dtypes before loading the model: a mismatch must not cost a download.
        if (manifest) checkStoreScout(location, manifest.embedding, embedder);
        const embedding = embedder ? await embedderEmbedding(embedder) : null;
        const store = await openStore(location, { create: true, embedding });
        const progress = createProgress({
          quiet: flags.json === true,
          format: 'ingest [{bar}] {value}/{total} files | {chunks} chunks | {rate} chunks/s | ETA {eta_formatted}',
        });
        try {
          const summary = await ingestFiles({
            paths,
            store,
            embedder,
            chunkSize,
            chunkOverlap,
            maxFileBytes,
            batchChunks,
            ...(flags.headingContext !== undefined
              ? { headingContext: parseHeadingContext(flags.headingContext) }
              : {}),
            skipDirs: [resolve(location)],
            ...(flags.include ? { include: flags.include } : {}),
            ...(flags.exclude ? { exclude: flags.exclude } : {}),
            ...(flags.prune ? { prune: true } : {}),
            ...(embedBatchSize !== undefined ? { embedBatchSize } : {}),
            onStart: (total) => {
              progress.start(total, 'ingest');
              progress.update(0, { chunks: 0, rate: '0.0' });
            },
            onProgress: (p) =>
              progress.update(p.filesDone, { chunks: p.chunksWritten, rate: p.chunksPerSecond.toFixed(1) }),
          });
          progress.stop();
          summary.store = isPostgresLocation(location) ? redactPassword(location) : location;
          const shown = inFlagWords(summary);
          if (flags.json) printJson(shown);
          else printSummary(shown);
          return everyFileFailed(summary) ? EXIT.failure : EXIT.ok;
        } finally {
          progress.stop();
          await store.close();
        }
      } finally {
        await embedder?.close();
      }
    }),
  );
}

/** Exit 1 only when files were found and every one failed; "nothing to change" is a success. */
function everyFileFailed(s: IngestSummary): boolean {
  return s.files.skipped > 0 && s.files.ingested === 0 && s.files.unchanged === 0 && s.files.removed === 0;
}

function parseOverlap(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new SiftError('INVALID_OPTION', `--chunk-overlap must be a whole number >= 0, got "${value}"`);
  return n;
}

/** Parses `1048576`, `512k`, `50M`, `1G` (binary multiples). */
function parseSize(flag: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)i?b?$/i.exec(value.trim());
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m?.[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'];
  const n = m ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!Number.isFinite(n) || n <= 0)
    throw new SiftError('INVALID_OPTION', `${flag} must be a size like 1048576, 512k or 50M, got "${value}"`);
  return n;
}

/** The summary with its skip messages in the words the user typed (`maxFileBytes` -> `--max-file-size`). */
function inFlagWords(s: IngestSummary): IngestSummary {
  return { ...s, skipped: s.skipped.map((f) => ({ ...f, message: renameOptions(f.message, OPTION_FLAGS) })) };
}

function printSummary(s: IngestSummary): void {
  const show = (p: string): string => relative(process.cwd(), p) || '.';
  const out: string[] = [];
  const seconds = (s.durationMs / 1000).toFixed(1);
  out.push(
    `ingested ${s.files.ingested} file${s.files.ingested === 1 ? '' : 's'}, ${s.files.unchanged} unchanged, ${s.files.skipped} skipped` +
      `${s.files.removed > 0 ? `, ${s.files.removed} removed` : ''} in ${seconds} s (${s.chunksPerSecond} chunks/s)`,
  );
  out.push(
    `chunks: ${s.chunks.added} added, ${s.chunks.removed} removed, ${s.chunks.total} in ${s.store} (${s.embedding ? `${s.embedding.model}, ${embeddingDtype(s.embedding)}` : 'keyword-only, BM25'})`,
  );
  if (s.files.seen === 0) out.push('no supported files found (sift reads .txt .md .html .pdf)');
  if (s.skipped.length > 0) {
    out.push('skipped:');
    const width = Math.min(40, Math.max(...s.skipped.map((f) => show(f.source).length)));
    for (const f of s.skipped) {
      const detail = f.message.replace(/^sift: /, '').replace(`${f.source}: `, '');
      out.push(`  ${show(f.source).padEnd(width)}  ${f.reason.padEnd(18)} ${detail}`);
    }
  }
  if (s.removed.length > 0) {
    out.push('removed:');
    for (const r of s.removed) out.push(`  ${show(r.source)} (${r.chunks} chunks)`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
