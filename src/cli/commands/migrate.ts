import type { Command } from 'commander';
import { describeEmbedding } from '../../stores/check-store-embedding.js';
import { copyStore, type CopySummary } from '../../stores/copy-store.js';
import { isPostgresLocation, openStore } from '../../stores/open-store.js';
import { redactPassword } from '../../stores/postgres/postgres-location.js';
import { SiftError } from '../../errors.js';
import { createProgress } from '../progress.js';
import { parsePositiveInt, printJson, runCommand } from '../run-command.js';

interface MigrateFlags {
  from: string;
  to: string;
  batchSize?: string;
  json?: boolean;
}

/**
 * `sift migrate --from .sift --to postgres://…`: copies a store to another backend (either way),
 * vectors included, and verifies the counts.
 */
export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description(
      'copy a store to another location or backend (LanceDB folder <-> postgres://), vectors included; no re-embedding',
    )
    .requiredOption('--from <store>', 'the store to copy: a folder or postgres://…?collection=name')
    .requiredOption(
      '--to <store>',
      'where to copy it; created with the same embedding, or an existing store of that embedding',
    )
    .option('--batch-size <n>', 'chunks per read and write (default 1000)')
    .option('--json', 'print the summary as JSON')
    .action((flags: MigrateFlags) =>
      runCommand(flags, async () => {
        const batchSize = parsePositiveInt('--batch-size', flags.batchSize, 1000);
        if (flags.from === flags.to) throw new SiftError('INVALID_OPTION', '--from and --to are the same store');
        const from = await openStore(flags.from);
        try {
          const { embedding } = await from.info();
          // Created with the source's embedding; an existing target of another is refused untouched.
          const to = await openStore(flags.to, { create: true, embedding });
          const progress = createProgress({
            quiet: flags.json === true,
            format: 'migrate [{bar}] {value}/{total} chunks | {rate} chunks/s | ETA {eta_formatted}',
          });
          const started = Date.now();
          try {
            let begun = false;
            const summary = await copyStore(from, to, {
              batchSize,
              onProgress: ({ chunksCopied, chunksTotal }) => {
                if (!begun) progress.start(chunksTotal, 'migrate');
                begun = true;
                const seconds = (Date.now() - started) / 1000;
                progress.update(chunksCopied, { rate: seconds > 0 ? (chunksCopied / seconds).toFixed(0) : '0' });
              },
            });
            progress.stop();
            if (flags.json) printJson(summary);
            else printSummary(summary);
          } finally {
            progress.stop();
            await to.close();
          }
        } finally {
          await from.close();
        }
      }),
    );
}

function show(location: string): string {
  return isPostgresLocation(location) ? redactPassword(location) : location;
}

function printSummary(s: CopySummary): void {
  process.stdout.write(
    `copied ${s.chunks.copied} chunks and ${s.sources.source} sources from ${show(s.from)} to ${show(s.to)} in ${(s.durationMs / 1000).toFixed(1)} s ` +
      `(${s.chunksPerSecond} chunks/s)\n` +
      `embedding: ${describeEmbedding(s.embedding)}; target now holds ${s.chunks.targetAfter} chunks, ${s.sources.targetAfter} sources (verified)\n`,
  );
}
