import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { HashingEmbedder } from '../../src/embedding/hashing-embedder.js';
import { ingestFiles } from '../../src/ingest/ingest-files.js';
import { openLanceStore } from '../../src/stores/lancedb/index.js';
import { writeKillCorpus } from './kill-corpus.js';
import { prng } from './prng.js';

/**
 * Shared by the bounded load test in the suite and `bench/load.bench.ts`: a store built with the
 * hashing embedder, `sift serve` as a separate process (bound to 127.0.0.1 only), its resident set
 * sampled from /proc, and autocannon runs bounded in connections and duration. Not a test file.
 */

const bin = fileURLToPath(new URL('../../bin/sift.js', import.meta.url));

/** Ingests a seeded corpus (`dirs` x `files` Markdown files) into a new LanceDB store at `location`. */
export async function buildLoadStore(
  location: string,
  corpus: string,
  seed: number,
  dirs = 2,
  files = 30,
): Promise<number> {
  await writeKillCorpus(corpus, prng(seed), dirs, files);
  const embedder = HashingEmbedder.fromName('sift/hashing-256')!;
  const store = await openLanceStore(location, { create: true, embedding: { model: embedder.model, dimension: 256 } });
  try {
    return (await ingestFiles({ paths: [corpus], store, embedder })).chunks.total;
  } finally {
    await store.close();
  }
}

export interface ServeProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  stderr: () => string;
  /** SIGTERM, then SIGKILL after 10 s; resolves with the exit code. */
  stop(): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Starts `sift serve --json --port 0 --host 127.0.0.1 ...args` and resolves once it listens. */
export function startServe(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'serve', '--json', '--port', '0', '--host', '127.0.0.1', ...args], {
      env: { ...process.env, SIFT_OFFLINE: '1', SIFT_FROM_SOURCE: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    const timer = setTimeout(() => reject(new Error(`sift serve did not start in 60 s: ${err}`)), 60_000);
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      let info: { url: string };
      try {
        info = JSON.parse(out) as { url: string };
      } catch {
        return; // not the whole document yet
      }
      clearTimeout(timer);
      resolve({
        url: info.url,
        pid: child.pid!,
        child,
        stderr: () => err,
        exited,
        stop: async () => {
          child.kill('SIGTERM');
          const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
          const code = await exited;
          clearTimeout(kill);
          return code;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`sift serve exited (${code}) before listening: ${err}`));
    });
  });
}

/** Samples a process's resident set (VmRSS, MB) every `everyMs` until stopped. */
export function sampleRss(pid: number, everyMs = 250): { stop: () => { min: number; max: number; samples: number[] } } {
  const samples: number[] = [];
  const read = (): void => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) samples.push(Math.round(Number(m[1]) / 1024));
    } catch {
      // the process ended
    }
  };
  read();
  const timer = setInterval(read, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      read();
      return { min: Math.min(...samples), max: Math.max(...samples), samples };
    },
  };
}

export interface LoadFigures {
  path: string;
  connections: number;
  durationS: number;
  requests: number;
  /** Requests per second, averaged over the run. */
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses by status code. */
  statuses: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** One autocannon run: POSTs `body` as JSON to `url + path`, bounded by `durationS` (and `amount` if given). */
export async function loadRun(
  url: string,
  path: string,
  body: unknown,
  options: { connections: number; durationS: number; amount?: number; headers?: Record<string, string> },
): Promise<LoadFigures> {
  const result = await autocannon({
    url: url + path,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: JSON.stringify(body),
    connections: options.connections,
    duration: options.durationS,
    ...(options.amount !== undefined ? { amount: options.amount } : {}),
    timeout: 30,
  });
  const statuses: Record<string, number> = {};
  for (const [code, v] of Object.entries(
    (result as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {},
  ))
    statuses[code] = v.count;
  return {
    path,
    connections: options.connections,
    durationS: result.duration,
    requests: result.requests.total,
    throughput: Math.round(result.requests.average * 10) / 10,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    statuses,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** Count of 5xx answers in a run. */
export const count5xx = (f: LoadFigures): number =>
  Object.entries(f.statuses)
    .filter(([c]) => c.startsWith('5'))
    .reduce((a, [, n]) => a + n, 0);

/** Twenty passages for rerank bodies (about the corpus's words, 60–200 characters). */
export function rerankBody(seed: number, documents = 20): { query: string; documents: string[] } {
  const rng = prng(seed);
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
  return {
    query: 'which harbour trades copper and saffron?',
    documents: Array.from(
      { length: documents },
      () => Array.from({ length: rng.int(10, 30) }, () => rng.pick(words)).join(' ') + '.',
    ),
  };
}

export const storePath = (base: string): string => join(base, 'store');
