/**
 * sift's benchmark runner: `npm run bench [-- --quick] [-- --json] [-- --only judge,embed]`.
 *
 * Runs every `bench/*.bench.ts` suite, each in its own Node process and one after another (never in
 * parallel: suites measure the whole CPU), then writes `bench/results/<timestamp>.json` and `.md`
 * and prints the Markdown (or, with `--json`, the one JSON object). Progress goes to stderr.
 * A suite's default export is a `BenchSuite` (bench/support/suite.ts); a file that is a plain script
 * instead has its printed output kept in the report as is.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { repoRoot } from './support/models.js';
import { toMarkdown, type BenchReport, type MachineInfo, type SuiteReport } from './support/report.js';
import type { BenchSuite, SuiteResult } from './support/suite.js';

const BENCH = join(repoRoot(), 'bench');
/** Run order: the judge first (the headline), the slow or optional suites last. */
const ORDER = [
  'judge',
  'baseline-transformersjs',
  'peak-gflops',
  'levers',
  'embed',
  'memory',
  'stage1',
  'dense-index',
  'int8-agreement',
  'peers',
];

function suiteFiles(only: string[] | undefined): string[] {
  const names = readdirSync(BENCH)
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => f.slice(0, -'.bench.ts'.length));
  const rank = (n: string): number => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
  names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return names.filter((n) => !only || only.includes(n));
}

/** In the child: import one suite and run it, writing its result as JSON to `resultFile`. */
async function runChild(name: string, quick: boolean, resultFile: string): Promise<void> {
  // A plain-script suite reads its own flags from process.argv: show it only what concerns it.
  process.argv = [process.argv[0]!, join(BENCH, `${name}.bench.ts`), ...(quick ? ['--quick'] : [])];
  const mod = (await import(pathToFileURL(join(BENCH, `${name}.bench.ts`)).href)) as { default?: BenchSuite };
  const suite = mod.default;
  let result: SuiteResult & { contract: boolean } = { figures: [], notes: [], contract: false };
  if (suite && typeof suite.run === 'function') {
    result = {
      ...(await suite.run({ quick, log: (line) => process.stderr.write(`  [${name}] ${line}\n`) })),
      contract: true,
    };
  }
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  await writeFile(resultFile, JSON.stringify({ ...result, peakRssMB }));
  // onnxruntime thread pools can keep a process alive; the result is written, so leave now.
  process.exit(0);
}

async function runSuite(name: string, quick: boolean): Promise<SuiteReport> {
  const resultFile = join(tmpdir(), `sift-bench-${process.pid}-${name}.json`);
  await rm(resultFile, { force: true });
  const started = performance.now();
  const args = [
    '--expose-gc',
    '--import',
    'tsx',
    join(BENCH, 'run.ts'),
    '--child',
    name,
    '--result',
    resultFile,
    ...(quick ? ['--quick'] : []),
  ];
  const child = spawn(process.execPath, args, { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const seconds = (performance.now() - started) / 1000;
  const base = { name, title: name, seconds, figures: [], notes: [] };
  if (!existsSync(resultFile)) {
    // A script that ends with process.exit(0) never returns to the child's reporting code.
    if (code === 0) return { ...base, title: `${name} (a script; its output below)`, output, ...parsed(output) };
    return { ...base, output, error: `exited with code ${String(code)} before reporting` };
  }
  const result = JSON.parse(await readFile(resultFile, 'utf8')) as SuiteResult & {
    contract: boolean;
    peakRssMB: number;
  };
  await rm(resultFile, { force: true });
  const title = result.contract ? await suiteTitle(name) : `${name} (a script; its output below)`;
  const data = result.contract ? undefined : parsed(output).data;
  return {
    name,
    title,
    seconds,
    peakRssMB: result.peakRssMB,
    figures: result.figures,
    notes: result.notes,
    ...(result.skipped ? { skipped: result.skipped } : {}),
    ...(output.trim() ? { output } : {}),
    ...(data !== undefined ? { data } : {}),
  };
}

/** A script's stdout as data when it is JSON. */
function parsed(output: string): { data?: unknown } {
  try {
    return output.trim() ? { data: JSON.parse(output) as unknown } : {};
  } catch {
    return {};
  }
}

/** The title line of a suite, read from its source so the parent need not load onnxruntime. */
async function suiteTitle(name: string): Promise<string> {
  const source = readFileSync(join(BENCH, `${name}.bench.ts`), 'utf8');
  const m = /title:\s*(['"`])(.*?)\1/s.exec(source);
  return m?.[2] ?? name;
}

function machine(loadStart: number): MachineInfo {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot(), encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'bench'], {
      cwd: repoRoot(),
      encoding: 'utf8',
    }).trim();
    if (dirty) commit += ' (+ uncommitted changes)';
  } catch {
    // not a git checkout
  }
  const ortPackage = JSON.parse(
    readFileSync(join(repoRoot(), 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8'),
  ) as { version: string };
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    node: process.versions.node,
    onnxruntime: ortPackage.version,
    commit,
    loadStart: Number(loadStart.toFixed(2)),
    loadEnd: Number(loadavg()[0]!.toFixed(2)),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      only: { type: 'string' },
      child: { type: 'string' },
      result: { type: 'string' },
    },
  });
  if (values.child) return runChild(values.child, values.quick, values.result!);

  const only = values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const names = suiteFiles(only);
  if (names.length === 0) throw new Error(`bench: no suites match --only ${values.only ?? ''}`);
  const loadStart = loadavg()[0]!;
  const started = new Date();
  const suites: SuiteReport[] = [];
  for (const name of names) {
    process.stderr.write(`bench: ${name}${values.quick ? ' (--quick)' : ''}\n`);
    const report = await runSuite(name, values.quick);
    process.stderr.write(
      `bench: ${name} done in ${report.seconds.toFixed(1)} s${report.error ? ` (${report.error})` : ''}\n`,
    );
    suites.push(report);
  }
  const report: BenchReport = { date: started.toISOString(), quick: values.quick, machine: machine(loadStart), suites };
  const dir = join(BENCH, 'results');
  await mkdir(dir, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const markdown = toMarkdown(report);
  await writeFile(join(dir, `${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(dir, `${stamp}.md`), markdown);
  process.stderr.write(`bench: wrote ${join('bench', 'results', `${stamp}.{json,md}`)}\n`);
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : markdown);
}

await main();
