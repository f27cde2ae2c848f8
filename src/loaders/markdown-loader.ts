import { decodeUtf8, requireText } from './file-checks.js';
import { markdownHeadings } from '../chunking/heading-path.js';
import type { LoadedDocument } from './loaded-document.js';

const FRONT_MATTER = /^---\n([\s\S]*?)\n---\n?/;

/**
 * Loads Markdown as its source text (headings and lists stay, since they carry meaning for both
 * BM25 and embedders), minus a YAML front-matter block. The title is the front matter's `title:`,
 * else the first `# ` heading; every ATX heading outside code fences is reported with its offset.
 *
 * @example
 * loadMarkdown(enc('---\ntitle: Guide\n---\n# Intro\nText'), 'g.md'); // { text: '# Intro\nText', title: 'Guide', format: 'md', headings: [{ level: 1, text: 'Intro', start: 0 }] }
 */
export function loadMarkdown(bytes: Uint8Array, path: string): LoadedDocument {
  let text = decodeUtf8(bytes, path).replace(/\r\n?/g, '\n');
  let title: string | undefined;
  const front = FRONT_MATTER.exec(text);
  if (front) {
    const line = /^title:\s*(.+)$/m.exec(front[1] ?? '');
    title = line?.[1]?.trim().replace(/^(['"])(.*)\1$/, '$2');
    text = text.slice(front[0].length);
  }
  title ??= /^#\s+(.+?)\s*#*\s*$/m.exec(text)?.[1];
  const body = requireText(text, path, 'file has only whitespace or front matter');
  return { text: body, title, format: 'md', headings: markdownHeadings(body) };
}
