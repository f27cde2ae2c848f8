/**
 * A stand-in for the Hugging Face Hub on 127.0.0.1, serving the two endpoints sift uses:
 *   GET /api/models/{org}/{name}/revision/{rev}   -> { siblings: [{ rfilename, size }] }
 *   GET /{org}/{name}/resolve/{rev}/{file}         -> the file's bytes
 * Failures are scripted per URL path, so tests can check retries, auth errors and cut-off bodies
 * without the real Hub (which tests must never need).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';

export type RepoFiles = Record<string, string | Buffer>;

export interface FakeRepo {
  files: RepoFiles;
  /** When set, every request must carry `Authorization: Bearer <token>` or gets 401. */
  token?: string;
}

/** What a scripted request does instead of succeeding: an HTTP status, a cut-off body, or silence. */
export type Fault = number | 'truncate' | 'hang';

export interface FakeHub {
  endpoint: string;
  /** Every request's path (with query), in order. */
  requests: string[];
  /** Authorization headers seen, in order (undefined when absent). */
  authorizations: (string | undefined)[];
  repos: Map<string, FakeRepo>;
  /** Makes the next requests to `path` (e.g. `/Xenova/x/resolve/main/onnx/model.onnx`) fail, one fault each. */
  fail(path: string, ...faults: Fault[]): void;
  close(): Promise<void>;
}

export async function startFakeHub(repos: Record<string, FakeRepo>): Promise<FakeHub> {
  const map = new Map(Object.entries(repos));
  const faults = new Map<string, Fault[]>();
  const requests: string[] = [];
  const authorizations: (string | undefined)[] = [];
  const hanging = new Set<ServerResponse>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push(`${url.pathname}${url.search}`);
    authorizations.push(req.headers.authorization);
    const path = decodeURIComponent(url.pathname);
    const fault = faults.get(path)?.shift();
    if (fault === 'hang') {
      hanging.add(res);
      return;
    }
    if (typeof fault === 'number') {
      res.writeHead(fault, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `scripted ${fault}` }));
      return;
    }

    const list = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(path);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    const repoId = list?.[1] ?? resolve?.[1];
    const repo = repoId === undefined ? undefined : map.get(repoId);
    if (!repo) {
      res.writeHead(404).end(JSON.stringify({ error: 'Repository not found' }));
      return;
    }
    if (repo.token !== undefined && req.headers.authorization !== `Bearer ${repo.token}`) {
      res.writeHead(401).end(JSON.stringify({ error: 'Invalid credentials' }));
      return;
    }
    if (list) {
      const siblings = Object.entries(repo.files).map(([rfilename, body]) => ({
        rfilename,
        size: Buffer.byteLength(body),
      }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: repoId, siblings }));
      return;
    }
    const body = repo.files[resolve![3]!];
    if (body === undefined) {
      res.writeHead(404).end(JSON.stringify({ error: 'Entry not found' }));
      return;
    }
    const bytes = Buffer.from(body);
    res.writeHead(200, { 'content-length': String(bytes.length), 'content-type': 'application/octet-stream' });
    if (fault === 'truncate') {
      res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
      // Let the half body reach the client, then cut the connection mid-file.
      setTimeout(() => res.destroy(), 20);
      return;
    }
    res.end(bytes);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    authorizations,
    repos: map,
    fail(path, ...more) {
      faults.set(path, [...(faults.get(path) ?? []), ...more]);
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

/** Files of a small dummy model in the Hub layout (bytes stand in for the graphs). */
export function dummyModelFiles(
  options: { fp32?: boolean; q8?: boolean; externalData?: boolean; graphBytes?: number } = {},
): RepoFiles {
  const size = options.graphBytes ?? 4096;
  const files: RepoFiles = {
    'config.json': JSON.stringify({ model_type: 'bert', max_position_embeddings: 512 }),
    'tokenizer.json': JSON.stringify({ version: '1.0', model: { type: 'WordPiece' } }),
    'tokenizer_config.json': JSON.stringify({ model_max_length: 512 }),
    'special_tokens_map.json': JSON.stringify({ cls_token: '[CLS]' }),
    'README.md': 'not fetched',
    'onnx/model_fp16.onnx': Buffer.alloc(16, 3),
  };
  if (options.fp32 ?? true) files['onnx/model.onnx'] = Buffer.alloc(size, 1);
  if (options.q8 ?? true) files['onnx/model_quantized.onnx'] = Buffer.alloc(Math.ceil(size / 4), 2);
  if (options.externalData) files['onnx/model.onnx_data'] = Buffer.alloc(size * 2, 5);
  return files;
}

/** Writes files into `dir` (creating folders). */
export async function writeFiles(dir: string, files: RepoFiles): Promise<void> {
  for (const [rel, body] of Object.entries(files)) {
    const path = join(dir, rel);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body);
  }
}

/** A fresh temporary folder, removed by the returned cleanup. */
export async function tempDir(prefix = 'sift-models-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** An environment with no inherited model settings, so tests never read the developer's cache. */
export function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
}
