import { Parser } from 'htmlparser2';
import { decodeUtf8, loadError, requireText } from './file-checks.js';
import type { Heading } from '../chunking/heading-path.js';
import type { LoadedDocument } from './loaded-document.js';

/** Elements whose content is never visible text (code, styling, embedded media, metadata). */
const INVISIBLE = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'math',
  'iframe',
  'object',
  'canvas',
  'head',
]);

/** Page furniture repeated on every page of a site: it would make every chunk look alike to BM25. */
const BOILERPLATE = new Set(['nav', 'footer', 'aside']);
const BOILERPLATE_ROLES = new Set(['navigation', 'banner', 'contentinfo', 'search', 'complementary']);

/** Elements after which text continues on a new line (so words of adjacent blocks never fuse). */
const BLOCK = new Set([
  'address',
  'article',
  'blockquote',
  'br',
  'dd',
  'details',
  'div',
  'dl',
  'dt',
  'figcaption',
  'figure',
  'form',
  'hr',
  'li',
  'main',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tr',
  'td',
  'th',
  'ul',
  'header',
  'caption',
]);
const HEADING = /^h[1-6]$/;

/**
 * Deepest element nesting read. htmlparser2 keeps its open elements with `Array.unshift`, so each
 * level costs a copy of the whole stack: 100k nested `<div>`s took 20 s and more (quadratic), a cheap
 * way for one hostile or generated file to stall an ingest. Browsers stop nesting at 512 levels
 * (Chromium's HTML parser); real pages stay far below 100. Past this depth the page is refused
 * (`too-deep`), which keeps parsing linear.
 */
export const MAX_HTML_DEPTH = 4096;

/**
 * Loads HTML as its visible text: no script, style, head or navigation boilerplate (`nav`, `footer`,
 * `aside`, page-level `header`, ARIA landmark roles, `hidden`), with headings kept as their own
 * paragraphs so the splitter can cut at them (and reported with their offsets, for heading paths and
 * structure-first chunking). The title is `<title>`, else the first `<h1>`.
 * htmlparser2 is forgiving, so broken markup still yields its text; a page with no visible text is
 * refused (`no-text`), and one that nests elements past {@link MAX_HTML_DEPTH} levels (`too-deep`).
 *
 * @example
 * loadHtml(enc('<title>T</title><nav>Home</nav><h1>Hi</h1><p>there</p>'), 'a.html'); // { text: 'Hi\n\nthere', title: 'T', format: 'html' }
 */
export function loadHtml(bytes: Uint8Array, path: string): LoadedDocument {
  const source = decodeUtf8(bytes, path);
  let out = '';
  let title = '';
  let firstH1: string | undefined;
  let h1Text: string | undefined;
  let inTitle = false;
  /** Visible headings in document order (level and text); located in the final text at the end. */
  const found: { level: number; text: string }[] = [];
  let heading: { level: number; text: string } | undefined;
  /** Stack of open elements and whether each one hides its content. */
  const stack: { name: string; hides: boolean }[] = [];
  let hiddenDepth = 0;
  let articleDepth = 0;

  /** Ends the current line (n = 1) or paragraph (n = 2), never adding more breaks than asked. */
  const newline = (n: 1 | 2): void => {
    out = out.replace(/[ \t]+$/, '');
    if (out.length === 0) return;
    const trailing = /\n*$/.exec(out)?.[0].length ?? 0;
    if (trailing < n) out += '\n'.repeat(n - trailing);
  };

  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'title') inTitle = true;
        const role = attrs.role?.toLowerCase();
        const hides =
          INVISIBLE.has(name) ||
          BOILERPLATE.has(name) ||
          (name === 'header' && articleDepth === 0) ||
          (role !== undefined && BOILERPLATE_ROLES.has(role)) ||
          'hidden' in attrs ||
          attrs['aria-hidden'] === 'true';
        stack.push({ name, hides });
        if (stack.length > MAX_HTML_DEPTH) {
          throw loadError(
            path,
            'too-deep',
            `elements nest more than ${MAX_HTML_DEPTH} levels deep (generated or hostile markup); flatten the page or convert it to text, then ingest again`,
          );
        }
        if (hides) hiddenDepth++;
        if (name === 'article' || name === 'main') articleDepth++;
        if (hiddenDepth > 0) return;
        if (HEADING.test(name)) {
          newline(2);
          if (heading === undefined) heading = { level: Number(name[1]), text: '' };
          if (name === 'h1' && firstH1 === undefined) h1Text = '';
        } else if (name === 'p') newline(2);
        else if (BLOCK.has(name)) newline(1);
      },
      ontext(text) {
        if (inTitle) title += text;
        if (hiddenDepth > 0) return;
        const clean = text.replace(/\s+/g, ' ');
        if (clean === ' ' && (out.length === 0 || /\s$/.test(out))) return;
        out += out.length === 0 || out.endsWith('\n') ? clean.trimStart() : clean;
        if (h1Text !== undefined) h1Text += text;
        if (heading !== undefined) heading.text += text;
      },
      onclosetag(name) {
        if (name === 'title') inTitle = false;
        // Pop to the matching element; htmlparser2 closes implied tags, so this stays balanced.
        const top = stack.pop();
        if (top?.hides) hiddenDepth--;
        if (top && (top.name === 'article' || top.name === 'main')) articleDepth--;
        if (hiddenDepth > 0 || (top?.hides ?? false)) return;
        if (HEADING.test(name)) {
          newline(2);
          if (heading !== undefined && name === `h${heading.level}`) {
            const clean = heading.text.replace(/\s+/g, ' ').trim();
            if (clean) found.push({ level: heading.level, text: clean });
            heading = undefined;
          }
          if (name === 'h1' && h1Text !== undefined) {
            firstH1 = h1Text.replace(/\s+/g, ' ').trim();
            h1Text = undefined;
          }
        } else if (name === 'p') newline(2);
        else if (BLOCK.has(name)) newline(1);
      },
    },
    { decodeEntities: true, lowerCaseTags: true, recognizeSelfClosing: true },
  );
  parser.write(source);
  parser.end();

  const text = out
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  const cleanTitle = title.replace(/\s+/g, ' ').trim();
  return {
    text: requireText(text, path, 'page has no visible text'),
    title: cleanTitle || firstH1 || undefined,
    format: 'html',
    headings: locateHeadings(text, found),
  };
}

/** Finds each heading's paragraph in the final text, in order (each search starts after the last). */
function locateHeadings(text: string, found: readonly { level: number; text: string }[]): Heading[] {
  const headings: Heading[] = [];
  let at = 0;
  for (const h of found) {
    let start = text.indexOf(h.text, at);
    // A heading is its own paragraph: prefer an occurrence at the start of a line.
    while (start > 0 && text[start - 1] !== '\n') start = text.indexOf(h.text, start + 1);
    if (start < 0) continue;
    headings.push({ level: h.level, text: h.text, start });
    at = start + h.text.length;
  }
  return headings;
}
