import { Worker } from 'node:worker_threads';
import type * as ort from 'onnxruntime-node';
import { SiftError } from '../errors.js';
import { fromWire, toWire, type WireFeeds } from './tensor-wire.js';

/** Workers a pool starts in place of dead ones before it gives up, counted since the last call that succeeded. */
export const MAX_WORKER_RESTARTS = 3;

/** What a pool's sessions report about their graph once open (as `ort.InferenceSession` does). */
export interface GraphInterface {
  inputNames: readonly string[];
  inputMetadata: unknown;
  outputNames: readonly string[];
  outputMetadata: unknown;
}

interface Job {
  feeds: WireFeeds;
  outputNames: string[] | undefined;
  resolve: (outputs: Record<string, ort.Tensor>) => void;
  reject: (err: Error) => void;
}

interface Member {
  worker: Worker;
  busy: Job | undefined;
}

type Reply =
  | { ready: true; inputNames: string[]; inputMetadata: unknown; outputNames: string[]; outputMetadata: unknown }
  | { failed: string }
  | { outputs: WireFeeds }
  | { error: string };

/**
 * `size` copies of one ONNX graph, each in its own worker thread with its own onnxruntime session,
 * taking calls from one queue: a free worker takes the next call. On a CPU with few cores, two
 * single-threaded sessions each running a whole batch scale better than one session splitting
 * every operator of a batch over two threads (the small operators between the matrix products do
 * not split well): bench/RESULTS.md, "Sessions side by side". Costs one copy of the weights per worker.
 */
export class SessionPool implements GraphInterface {
  readonly size: number;
  inputNames: readonly string[] = [];
  inputMetadata: unknown = [];
  outputNames: readonly string[] = [];
  outputMetadata: unknown = [];
  private readonly members: Member[] = [];
  private readonly queue: Job[] = [];
  private broken: Error | undefined;
  private closing = false;
  /** Workers started in place of dead ones since the last call that succeeded. */
  private restarts = 0;
  private readonly idle: (() => void)[] = [];

  private constructor(
    size: number,
    private readonly path: string,
    private readonly options: ort.InferenceSession.SessionOptions,
  ) {
    this.size = size;
  }

  /** Starts `size` workers that each open `path` with `options`; rejects with the first one's error. */
  static async open(path: string, options: ort.InferenceSession.SessionOptions, size: number): Promise<SessionPool> {
    const pool = new SessionPool(size, path, options);
    const started = Array.from({ length: size }, () => pool.start());
    const results = await Promise.allSettled(started);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await pool.release();
      throw failed.reason as Error;
    }
    return pool;
  }

  /** Runs the graph on the next free worker; calls beyond the pool's size wait in order. */
  run(feeds: Record<string, ort.Tensor>, outputNames?: readonly string[]): Promise<Record<string, ort.Tensor>> {
    return new Promise((resolve, reject) => {
      if (this.broken) return reject(this.broken);
      this.queue.push({
        feeds: toWire(feeds),
        outputNames: outputNames ? [...outputNames] : undefined,
        resolve,
        reject,
      });
      this.dispatch();
    });
  }

  /** Waits for the calls in flight, then closes every worker's session and stops the workers. */
  async release(): Promise<void> {
    if (this.queue.length > 0 || this.members.some((m) => m.busy))
      await new Promise<void>((resolve) => this.idle.push(resolve));
    this.closing = true;
    await Promise.all(
      this.members.splice(0).map(
        (m) =>
          new Promise<void>((resolve) => {
            m.worker.ref();
            m.worker.once('exit', () => resolve());
            m.worker.postMessage({ kind: 'close' });
          }),
      ),
    );
  }

  private start(): Promise<void> {
    const { path, options } = this;
    const worker = startWorker({ path, options });
    const member: Member = { worker, busy: undefined };
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (reply: Reply) => {
        if ('ready' in reply) {
          ready = true;
          this.inputNames = reply.inputNames;
          this.inputMetadata = reply.inputMetadata;
          this.outputNames = reply.outputNames;
          this.outputMetadata = reply.outputMetadata;
          if (this.closing) {
            worker.postMessage({ kind: 'close' });
            return resolve();
          }
          this.members.push(member);
          worker.unref();
          resolve();
          this.dispatch();
          return;
        }
        if ('failed' in reply) {
          reject(new Error(reply.failed));
          void worker.terminate();
          return;
        }
        // One call at a time per worker: this reply answers its call.
        const job = member.busy;
        member.busy = undefined;
        if (!job) return;
        if ('error' in reply) job.reject(new Error(reply.error));
        else {
          this.restarts = 0;
          job.resolve(fromWire(reply.outputs));
        }
        this.dispatch();
      });
      worker.on('error', (err) => {
        if (!ready)
          return reject(
            new SiftError('INFERENCE_FAILED', `could not start a session worker for ${path}: ${err.message}`, {
              cause: err,
            }),
          );
        this.lose(member, err);
      });
      worker.on('exit', (code) => {
        if (!ready)
          return reject(
            new SiftError(
              'INFERENCE_FAILED',
              `the session worker for ${path} exited (code ${code}) before its session opened`,
            ),
          );
        if (this.members.includes(member)) this.lose(member, new Error(`the session worker exited (code ${code})`));
      });
    });
  }

  /** Hands queued calls to free workers. A busy worker keeps the process alive; an idle one does not. */
  private dispatch(): void {
    for (const member of this.members) {
      if (this.queue.length === 0) break;
      if (member.busy) continue;
      const job = this.queue.shift()!;
      member.busy = job;
      member.worker.ref();
      member.worker.postMessage({ kind: 'run', feeds: job.feeds, outputNames: job.outputNames });
    }
    for (const member of this.members) if (!member.busy) member.worker.unref();
    if (this.queue.length === 0 && this.members.every((m) => !m.busy)) for (const done of this.idle.splice(0)) done();
  }

  /**
   * A worker died (an uncaught error, or its thread was stopped): the call it was running fails, and a
   * new worker takes its place, so the pool keeps serving the calls queued and to come (a long-running
   * `sift serve` does not lose its judge to one bad call). Should the new worker fail to open, or
   * workers keep dying with no call succeeding in between ({@link MAX_WORKER_RESTARTS}), the pool is
   * broken: every queued and later call fails with the reason.
   */
  private lose(member: Member, err: Error): void {
    this.members.splice(this.members.indexOf(member), 1);
    member.busy?.reject(err);
    if (this.closing || this.broken) return this.dispatch();
    if (++this.restarts > MAX_WORKER_RESTARTS)
      return this.fail(
        new Error(
          `${err.message}; ${MAX_WORKER_RESTARTS + 1} workers in a row stopped with no call succeeding, the pool gave up`,
        ),
      );
    this.start().catch((reason: unknown) =>
      this.fail(new Error(`${err.message}; its replacement did not start: ${(reason as Error).message}`)),
    );
    this.dispatch();
  }

  /** The pool cannot serve: every queued call fails, and so does every later call. */
  private fail(err: Error): void {
    this.broken = err;
    for (const job of this.queue.splice(0)) job.reject(err);
    this.dispatch();
  }
}

/**
 * A worker running `session-worker`: the compiled `.js` beside this file, or, when sift runs from its
 * TypeScript sources (tests, benches: this file is `.ts`), the `.ts` source through tsx's loader,
 * which Node 20 does not carry into worker threads by itself.
 */
function startWorker(workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./session-worker.js', import.meta.url), { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const source = new URL('./session-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(boot, { eval: true, workerData });
}
