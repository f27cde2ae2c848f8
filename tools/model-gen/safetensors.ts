import { readFile, writeFile } from 'node:fs/promises';
import type { NamedTensor } from './bert-weights.js';

/**
 * Reads and writes the safetensors format (https://huggingface.co/docs/safetensors): an 8-byte
 * little-endian header length, a JSON header `{ name: { dtype, shape, data_offsets: [begin, end] } }`
 * (offsets relative to the end of the header), then the raw little-endian tensor bytes.
 * Float tensors (F32, F16, BF16) are returned as float32; other dtypes (the I64 `position_ids`
 * buffer of BERT checkpoints) are skipped, since no weight of the graph is an integer.
 */

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

const BYTES_PER_ELEMENT: Record<string, number> = { F32: 4, F16: 2, BF16: 2 };

/**
 * Reads every float tensor of a `.safetensors` file as float32.
 *
 * @example (await readSafetensors('model.safetensors')).get('embeddings.word_embeddings.weight')?.shape // [30522, 384]
 */
export async function readSafetensors(path: string): Promise<Map<string, NamedTensor>> {
  const bytes = await readFile(path);
  if (bytes.length < 8) throw new Error(`safetensors: ${path} is ${bytes.length} bytes, too short for a header`);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  if (headerLength > bytes.length - 8)
    throw new Error(`safetensors: ${path} declares a ${headerLength}-byte header in a ${bytes.length}-byte file`);
  let header: Record<string, HeaderEntry | Record<string, string>>;
  try {
    header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<
      string,
      HeaderEntry | Record<string, string>
    >;
  } catch (error) {
    throw new Error(`safetensors: ${path} has an unreadable header: ${(error as Error).message}`);
  }
  const dataStart = 8 + headerLength;
  const tensors = new Map<string, NamedTensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const {
      dtype,
      shape,
      data_offsets: [begin, end],
    } = entry as HeaderEntry;
    const size = BYTES_PER_ELEMENT[dtype];
    if (size === undefined) continue;
    const count = shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * size) {
      throw new Error(
        `safetensors: ${path}: tensor ${name} (${dtype} [${shape.join(', ')}]) has ${end - begin} bytes, expected ${count * size}`,
      );
    }
    if (dataStart + end > bytes.length) {
      throw new Error(
        `safetensors: ${path}: tensor ${name} ends at byte ${dataStart + end}, past the end of the ${bytes.length}-byte file (truncated?)`,
      );
    }
    tensors.set(name, { shape, data: toFloat32(bytes.subarray(dataStart + begin, dataStart + end), dtype, count) });
  }
  return tensors;
}

/**
 * Writes float32 tensors as a `.safetensors` file (tests use it to round-trip generated weights).
 *
 * @example await writeSafetensors('w.safetensors', new Map([['bias', { shape: [2], data: new Float32Array([1, 2]) }]]))
 */
export async function writeSafetensors(path: string, tensors: ReadonlyMap<string, NamedTensor>): Promise<void> {
  const header: Record<string, HeaderEntry | Record<string, string>> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, { shape, data }] of tensors) {
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8); // the format pads the header to 8 bytes with spaces
  const out = Buffer.alloc(8 + json.length + offset);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  out.write(json, 8, 'utf8');
  let at = 8 + json.length;
  for (const { data } of tensors.values()) {
    Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(out, at);
    at += data.byteLength;
  }
  await writeFile(path, out);
}

function toFloat32(raw: Buffer, dtype: string, count: number): Float32Array {
  const out = new Float32Array(count);
  if (dtype === 'F32') {
    for (let i = 0; i < count; i++) out[i] = raw.readFloatLE(i * 4);
  } else if (dtype === 'BF16') {
    const word = new Uint32Array(1);
    const asFloat = new Float32Array(word.buffer);
    for (let i = 0; i < count; i++) {
      word[0] = raw.readUInt16LE(i * 2) << 16;
      out[i] = asFloat[0]!;
    }
  } else {
    for (let i = 0; i < count; i++) out[i] = halfToFloat(raw.readUInt16LE(i * 2));
  }
  return out;
}

/** IEEE 754 binary16 -> number (subnormals, infinities and NaN included). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
