import type { Command } from 'commander';
import { performance } from 'node:perf_hooks';
import { relative } from 'node:path';
import { createReranker } from '../../pipeline/defaults.js';
import { isSiftError, SiftError } from '../../errors.js';
import { loadJudge } from '../../pipeline/two-stage.js';
import type { Reranker } from '../../reranking/reranker.js';
import { addRetrievalFlags, openSearchFromFlags, type RetrievalFlags } from '../retrieval-flags.js';
import type { RetrievalHit } from '../../retrieval/reranking-retriever.js';
import { roundMs } from '../../retrieval/retriever.js';
import { addModelFlags, modelLoadOptions } from '../model-flags.js';
import { inFlagTerms } from '../option-flags.js';
import { addTwoStageFlags, parseTwoStageFlags, type TwoStageFlags } from '../two-stage-flags.js';
import { queryHitJson as hitJson } from '../hit-json.js';
import { EXIT, printJson, runCommand } from '../run-command.js';
import { headingPathOf } from '../../stores/store-rows.js';

interface QueryFlags extends TwoStageFlags, RetrievalFlags {
  rerank: boolean;
  compare?: boolean;
}

/** `sift query "q"`: two-stage search (retrieve candidates, re-rank, keep the best), or the two side by side. */
export function registerQuery(program: Command): void {
  const command = program
    .command('query')
    .description('two-stage search: stage 1 fetches candidates, the cross-encoder re-ranks them, the best are shown')
    .argument('<query>', 'the question or search text')
    .option('--no-rerank', 'stage 1 only: show the top-k candidates as retrieved')
    .option('--compare', 'show the stage-1 top-k beside the re-ranked top-k and what moved')
    .option('--json', 'print the results as JSON');
  addModelFlags(addRetrievalFlags(addTwoStageFlags(command, 'results kept after re-ranking'))).action(
    (query: string, flags: QueryFlags) =>
      runCommand(flags, async () => {
        const t0 = performance.now();
        if (query.trim() === '')
          throw new SiftError('INVALID_OPTION', 'the query is empty; give the question or search text');
        const sizes = parseTwoStageFlags(flags);
        if (flags.compare && !flags.rerank)
          throw new SiftError(
            'INVALID_OPTION',
            '--compare shows re-ranked results beside stage 1; it cannot go with --no-rerank',
          );
        const models = modelLoadOptions(flags);
        const search = await openSearchFromFlags(flags, models);
        const reranker = flags.rerank ? createReranker(flags.reranker, models) : undefined;
        try {
          const twoStage = search.twoStage({ mode: flags.mode, reranker, ...sizes });
          const judge = reranker && (await search.store.count()) > 0 ? await tryLoadJudge(reranker) : { loadMs: 0 };
          if (judge.missing) {
            // Stage 1 still answers: show it, then say in one line why it is not re-ranked and how to fix that.
            const r = await search
              .twoStage({ mode: flags.mode, candidates: twoStage.candidates, topK: twoStage.topK })
              .retrieve(query);
            const out = {
              query,
              mode: r.stage1,
              reranker: null,
              candidates: r.candidates,
              results: r.hits.map(hitJson),
              error: judge.missing.toJSON(),
            };
            if (flags.json) printJson(out);
            else
              printHits(r.hits, r.stage1, null, {
                retrieveMs: roundMs(r.timings.retrieveMs),
                rerankMs: 0,
                totalMs: roundMs(performance.now() - t0),
              });
            process.stderr.write(`${judgeMissingLine(reranker!.model, judge.missing)}\n`);
            return EXIT.failure;
          }
          const timing = (t: { retrieveMs: number; rerankMs: number }) => ({
            loadMs: roundMs(judge.loadMs),
            retrieveMs: roundMs(t.retrieveMs),
            rerankMs: roundMs(t.rerankMs),
            totalMs: roundMs(performance.now() - t0),
          });
          if (flags.compare) {
            const c = await twoStage.compare(query);
            const mode = search.retriever(flags.mode).mode;
            const out = {
              query,
              mode,
              reranker: reranker!.model,
              candidates: twoStage.candidates,
              semantic: c.semantic.map(hitJson),
              reranked: c.reranked.map(hitJson),
              changed: c.changed,
              timings: timing(c.timings),
            };
            if (flags.json) printJson(out);
            else printComparison(c.semantic, c.reranked, c.changed, twoStage.topK, mode, out.timings);
          } else {
            const r = await twoStage.retrieve(query);
            const out = {
              query,
              mode: r.stage1,
              reranker: r.reranker,
              candidates: r.candidates,
              results: r.hits.map(hitJson),
              timings: timing(r.timings),
            };
            if (flags.json) printJson(out);
            else printHits(r.hits, out.mode, out.reranker, out.timings);
          }
          return EXIT.ok;
        } finally {
          await reranker?.close();
          await search.close();
        }
      }),
  );
}

/**
 * Loads the judge; when its files are not on this machine and cannot be downloaded (offline, no Hub
 * access) returns that error instead of throwing, so the command can still show stage 1.
 */
async function tryLoadJudge(reranker: Reranker): Promise<{ loadMs: number; missing?: SiftError }> {
  try {
    return { loadMs: await loadJudge(reranker) };
  } catch (err) {
    if (isSiftError(err, 'MODEL_NOT_FOUND') || isSiftError(err, 'DOWNLOAD_FAILED')) return { loadMs: 0, missing: err };
    throw err;
  }
}

/** The one line printed under stage-1 results when the judge could not be loaded: why, and how to get it. */
export function judgeMissingLine(model: string, err: SiftError): string {
  const why = (inFlagTerms(err).message.split('\n')[0] ?? '').replace(/^sift: /, '').replace(/\.$/, '');
  return (
    `sift: the judge could not be loaded (${why}), so the results above are stage 1 only, not re-ranked; ` +
    `get it with \`sift models pull ${model}\` or set SIFT_MODELS_DIR to a folder holding ${model}`
  );
}

function preview(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

function where(h: RetrievalHit): string {
  return relative(process.cwd(), h.chunk.source) || h.chunk.source;
}

function printHits(
  hits: RetrievalHit[],
  mode: string,
  reranker: string | null,
  t: { retrieveMs: number; rerankMs: number; totalMs: number },
): void {
  if (hits.length === 0) {
    process.stdout.write('no results\n');
    return;
  }
  const lines = hits.map((h) => {
    const score = h.rerankScore !== undefined ? h.rerankScore.toFixed(3) : h.retrievalScore.toFixed(3);
    const moved = h.rerankScore !== undefined ? movement(h.retrievalRank, h.rank) : '';
    const path = headingPathOf(h.chunk);
    return `${String(h.rank).padStart(3)}  ${score}  ${moved.padEnd(6)} ${where(h)}\n${path ? `     ${path}\n` : ''}     ${preview(h.chunk.text, 110)}`;
  });
  const how = reranker ? `${mode} -> ${reranker}` : `${mode}, not re-ranked`;
  process.stdout.write(
    `${lines.join('\n')}\n\n${hits.length} results (${how}) in ${t.totalMs} ms: retrieve ${t.retrieveMs} ms, re-rank ${t.rerankMs} ms\n`,
  );
}

/** `↑3` when a result climbed from stage-1 rank 4 to 1, `↓2`, `=` for no move. */
function movement(from: number, to: number): string {
  return from === to ? '=' : from > to ? `↑${from - to}` : `↓${to - from}`;
}

function printComparison(
  semantic: RetrievalHit[],
  reranked: RetrievalHit[],
  changed: number,
  k: number,
  mode: string,
  t: { retrieveMs: number; rerankMs: number; totalMs: number },
): void {
  // Two columns that use the terminal's width (160 characters when piped).
  const width = Math.max(40, Math.floor(((process.stdout.columns ?? 160) - 3) / 2));
  const inReranked = new Set(reranked.map((h) => h.chunk.id));
  const inSemantic = new Set(semantic.map((h) => h.chunk.id));
  const cell = (h: RetrievalHit | undefined, mark: string): string => {
    if (!h) return '';
    const head = `${String(h.rank).padStart(2)}. ${(h.rerankScore ?? 0).toFixed(3)} ${mark.padEnd(8)} `;
    return head + preview(`[${where(h)}] ${h.chunk.text}`, width - head.length);
  };
  const rows = Array.from({ length: Math.max(semantic.length, reranked.length) }, (_, i) => {
    const s = semantic[i];
    const r = reranked[i];
    const left = cell(s, s && !inReranked.has(s.chunk.id) ? 'out' : '');
    const right = cell(
      r,
      r ? (inSemantic.has(r.chunk.id) ? movement(r.retrievalRank, r.rank) : `new(#${r.retrievalRank})`) : '',
    );
    return `${left.padEnd(width)} | ${right}`;
  });
  process.stdout.write(
    `${`stage 1, ${mode} (judge score)`.padEnd(width)} | re-ranked by the cross-encoder\n${'-'.repeat(width)}-+-${'-'.repeat(width)}\n${rows.join('\n')}\n\n`,
  );
  process.stdout.write(
    `re-ranking changed ${changed} of ${k}  (out: dropped from the top ${k}; new(#N): came up from stage-1 rank N)\n`,
  );
  process.stdout.write(`retrieve ${t.retrieveMs} ms, re-rank ${t.rerankMs} ms, total ${t.totalMs} ms\n`);
}
