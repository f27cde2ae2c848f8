import cliProgress from 'cli-progress';

/** A progress reporter: a bar on an interactive stderr, silence elsewhere (pipes, CI, `--json`). */
export interface Progress {
  start(total: number, label: string): void;
  update(done: number, extra?: Record<string, string | number>): void;
  setTotal(total: number): void;
  stop(): void;
}

const silent: Progress = { start() {}, update() {}, setTotal() {}, stop() {} };

/**
 * A progress bar on stderr, so stdout stays clean for results and JSON. Shown only when stderr is
 * a terminal and `quiet` is false; `format` may use cli-progress tokens and any `extra` keys.
 */
export function createProgress(options: { quiet?: boolean; format?: string } = {}): Progress {
  if (options.quiet || !process.stderr.isTTY) return silent;
  let bar: cliProgress.SingleBar | undefined;
  return {
    start(total, label) {
      bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: options.format ?? `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted}`,
          hideCursor: true,
          clearOnComplete: false,
          etaBuffer: 20,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
    },
    update(done, extra) {
      bar?.update(done, extra);
    },
    setTotal(total) {
      bar?.setTotal(total);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
