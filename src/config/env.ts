import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Everything sift reads from the environment, in one place, so that flags, library options and
 * environment variables resolve the same way everywhere. A flag or option always wins over the
 * environment; the environment wins over the built-in default.
 */

/** True for "1", "true", "yes", "on" (any case). */
export function envFlag(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}

/** Extra local model roots in the Hub layout (`<root>/<org>/<name>/...`): `SIFT_MODELS_DIR`, path-list separated. */
export function modelsDirsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = env.SIFT_MODELS_DIR;
  if (!raw) return [];
  return raw.split(process.platform === 'win32' ? ';' : ':').filter((p) => p.length > 0);
}

/**
 * The download cache, also a model root: `SIFT_CACHE_DIR`, else `$XDG_CACHE_HOME/sift/models`,
 * else `~/.cache/sift/models`.
 */
export function cacheDirFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SIFT_CACHE_DIR) return env.SIFT_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'sift', 'models');
}

/** Offline mode: never download. `SIFT_OFFLINE=1` (or the Hugging Face convention `HF_HUB_OFFLINE=1`). */
export function offlineFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return envFlag(env.SIFT_OFFLINE) || envFlag(env.HF_HUB_OFFLINE);
}

/** The Hub endpoint: `HF_ENDPOINT` (mirrors and tests), else https://huggingface.co. */
export function hubEndpointFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return (env.HF_ENDPOINT || 'https://huggingface.co').replace(/\/+$/, '');
}

/** A Hub access token for gated or private repositories: `HF_TOKEN`. */
export function hubTokenFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.HF_TOKEN || undefined;
}

/** Intra-op threads for inference: `SIFT_THREADS`, else undefined (the runtime's default). */
export function threadsFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.SIFT_THREADS;
  if (!raw) return undefined;
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** The Bearer key `sift serve` requires of clients: `SIFT_API_KEY` (empty counts as unset). */
export function apiKeyFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.SIFT_API_KEY || undefined;
}

/** The store location: `SIFT_STORE`, else `./.sift`. */
export function storeFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.SIFT_STORE || '.sift';
}
