/**
 * Where a remote judge lives and how to talk to it: the URL, the wire shape, the model and the key,
 * from explicit options, the URL itself and the environment.
 */
import { SiftError } from '../../errors.js';
import { RERANK_SHAPES, type RerankShape } from './rerank-protocol.js';

/** Hosts whose own key variable sift may send to them (and only to them). */
const PROVIDER_KEYS: readonly { host: RegExp; env: string }[] = [
  { host: /(^|\.)cohere\.(com|ai)$/i, env: 'COHERE_API_KEY' },
  { host: /(^|\.)jina\.ai$/i, env: 'JINA_API_KEY' },
];

/** True when a reranker name is an endpoint URL rather than a model name. */
export function isEndpointUrl(name: string): boolean {
  return /^https?:\/\//i.test(name);
}

export interface EndpointSpec {
  /** The URL requests go to (without the fragment). */
  url: string;
  shape: RerankShape;
  model: string | undefined;
}

/**
 * Reads an endpoint URL. A fragment, never sent to the server, may say the shape and the model,
 * so one CLI flag carries everything: `http://gpu:8080/rerank#tei`,
 * `https://api.cohere.com/v2/rerank#model=rerank-v3.5`, `http://host/rerank#shape=cohere&model=x`.
 *
 * @example
 * parseEndpoint('http://localhost:8080/rerank') // { url: 'http://localhost:8080/rerank', shape: 'tei', model: undefined }
 * parseEndpoint('https://api.jina.ai/v1/rerank#model=jina-reranker-v2-base-multilingual').shape // 'cohere'
 */
export function parseEndpoint(
  spec: string,
  options: { shape?: RerankShape | undefined; model?: string | undefined } = {},
): EndpointSpec {
  let u: URL;
  try {
    u = new URL(spec);
  } catch (err) {
    throw new SiftError(
      'INVALID_OPTION',
      `reranker URL "${spec}" is not a valid URL; expected e.g. http://localhost:8080/rerank`,
      { cause: err },
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new SiftError('INVALID_OPTION', `reranker URL "${spec}" must start with http:// or https://`);
  }
  const fragment = new URLSearchParams(u.hash.replace(/^#/, ''));
  u.hash = '';
  let fragmentShape: string | undefined = fragment.get('shape') ?? undefined;
  for (const [key, value] of fragment) {
    if (value === '' && (RERANK_SHAPES as readonly string[]).includes(key)) fragmentShape = key;
  }
  const shape = options.shape ?? checkShape(fragmentShape, spec) ?? inferShape(u);
  return { url: u.toString(), shape, model: options.model ?? (fragment.get('model') || undefined) };
}

/**
 * The shape a URL most likely speaks. TEI serves `/rerank` at the root; Cohere (`/v2/rerank`), Jina
 * and vLLM (`/v1/rerank`) version their paths. vLLM and Infinity also answer Cohere-shape requests at
 * a bare `/rerank`: for those, say `#cohere` or `shape: 'cohere'`.
 */
export function inferShape(url: URL): RerankShape {
  if (PROVIDER_KEYS.some((p) => p.host.test(url.hostname))) return 'cohere';
  const path = url.pathname.replace(/\/+$/, '');
  return path === '/rerank' ? 'tei' : 'cohere';
}

/**
 * The API key: the option, else `SIFT_RERANK_API_KEY`, else the provider's own variable
 * (`COHERE_API_KEY`, `JINA_API_KEY`) when the URL is that provider's host. A provider key is never
 * sent to any other host, where it would leak.
 */
export function endpointApiKey(
  url: string,
  apiKey: string | undefined,
  env: NodeJS.ProcessEnv,
): { key: string | undefined; hint: string } {
  const host = new URL(url).hostname;
  const provider = PROVIDER_KEYS.find((p) => p.host.test(host));
  const names = ['SIFT_RERANK_API_KEY', ...(provider ? [provider.env] : [])];
  const hint = apiKey !== undefined ? 'check the apiKey option' : `set ${names.join(' or ')} to a valid key`;
  if (apiKey !== undefined) return { key: apiKey, hint };
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { key: value, hint };
  }
  return { key: undefined, hint };
}

function checkShape(shape: string | undefined, spec: string): RerankShape | undefined {
  if (shape === undefined) return undefined;
  if (!(RERANK_SHAPES as readonly string[]).includes(shape)) {
    throw new SiftError(
      'INVALID_OPTION',
      `reranker URL "${spec}" asks for shape "${shape}"; sift speaks ${RERANK_SHAPES.join(' and ')}`,
    );
  }
  return shape as RerankShape;
}
