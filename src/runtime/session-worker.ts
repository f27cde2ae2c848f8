/**
 * The worker-thread side of `SessionPool`: one onnxruntime session in its own thread, running one
 * call at a time. It answers `{ ready, inputs, outputs }` once the session is open (or `{ failed }`),
 * then `{ outputs }` or `{ error }` per run request, and releases the session on `close`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { fromWire, toWire, wireBuffers, type WireFeeds } from './tensor-wire.js';

interface WorkerInit {
  path: string;
  options: ort.InferenceSession.SessionOptions;
}

type Request = { kind: 'run'; feeds: WireFeeds; outputNames?: string[] } | { kind: 'close' };

const port = parentPort!;
const { path, options } = workerData as WorkerInit;

try {
  const session = await ort.InferenceSession.create(path, options);
  port.on('message', (request: Request) => {
    if (request.kind === 'close') {
      void session.release().finally(() => port.close());
      return;
    }
    const feeds = fromWire(request.feeds);
    const running = request.outputNames ? session.run(feeds, request.outputNames) : session.run(feeds);
    running.then(
      (result) => {
        const outputs = toWire(result);
        port.postMessage({ outputs }, wireBuffers(outputs));
      },
      (err: unknown) => port.postMessage({ error: (err as Error).message }),
    );
  });
  port.postMessage({
    ready: true,
    inputNames: session.inputNames,
    inputMetadata: session.inputMetadata,
    outputNames: session.outputNames,
    outputMetadata: session.outputMetadata,
  });
} catch (err) {
  port.postMessage({ failed: (err as Error).message });
}
