/**
 * Loads the LanceDB native module once, quietly. LanceDB's Rust core logs through `env_logger`
 * configured by `LANCEDB_LOG`, read when the module loads; its WARN lines (e.g. about unindexed rows)
 * would land on the CLI's stderr, so the level defaults to `error` unless the user set one.
 * Loading lazily also keeps commands that never touch a store from paying for the native module.
 */
type LanceModule = typeof import('@lancedb/lancedb');

let loading: Promise<LanceModule> | undefined;

export function loadLanceDb(): Promise<LanceModule> {
  process.env.LANCEDB_LOG ??= 'error';
  loading ??= import('@lancedb/lancedb');
  return loading;
}
