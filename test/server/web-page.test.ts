import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { fakeLlm, keywordRetriever, startTestServer, tinyJudge } from './server-fixtures.js';

/**
 * The web page in a real browser: Debian's chromium driven by playwright-core (never a downloaded
 * browser). The server searches a fixed corpus with a small keyword retriever and the real tiny judge,
 * and answers through a loopback fake LLM so the answer panel shows citations.
 */
const CHROMIUM = '/usr/bin/chromium';
const query = 'How many people live in Berlin, the city?';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install -y chromium)`;

test(
  'the page searches, shows the semantic and re-ranked lists with scores, moves and latency, and an answer with citations',
  { skip, timeout: 120_000 },
  async () => {
    const llm = await fakeLlm(['Berlin had ', '3,520,031 registered inhabitants [1].']);
    const server = await startTestServer({ llm: { url: llm.url, model: 'fake' } });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
        '--disable-quic',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      const posts: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(server.url)) problems.push(`request off the server: ${r.url()}`);
        if (r.method() === 'POST') posts.push(new URL(r.url()).pathname);
      });

      await page.goto(`${server.url}/`);
      await page.waitForSelector('body[data-ready="true"]');
      assert.match((await page.textContent('#status')) ?? '', /judge: /);
      assert.deepEqual(await page.$$eval('#mode option', (os) => os.map((o) => o.getAttribute('value'))), ['keyword']);

      await page.fill('#query', query);
      await page.selectOption('#top-k', '5');
      await page.press('#query', 'Enter');
      await page.waitForSelector('#reranked .hit');
      await page.locator('#answer-text', { hasText: '[1]' }).waitFor();

      const column = (id: string) =>
        page.$$eval(`#${id} .hit`, (hits) =>
          hits.map((h) => ({
            rank: h.querySelector('.rank')?.textContent ?? '',
            move: h.querySelector('.move')?.textContent ?? '',
            source: h.querySelector('.source')?.textContent ?? '',
            scores: h.querySelector('.scores')?.textContent ?? '',
            text: h.querySelector('.text')?.textContent ?? '',
            bar: h.querySelector('.fill')?.getAttribute('style') ?? '',
          })),
        );
      const semantic = await column('semantic');
      const reranked = await column('reranked');
      assert.equal(semantic.length, 5);
      assert.equal(reranked.length, 5);
      for (const hit of [...semantic, ...reranked]) {
        assert.match(hit.scores, /^judge 0\.\d{3} · keyword \d+\.\d{4} \(stage-1 #\d+\)$/);
        assert.match(hit.bar, /^width: \d+%;$/);
        assert.match(hit.source, /\.md · chunk \d+$/);
        assert.ok(hit.text.length > 10);
      }
      assert.deepEqual(
        semantic.map((h) => h.rank),
        ['#1', '#2', '#3', '#4', '#5'],
      );
      for (const hit of reranked) assert.match(hit.move, /^(↑\d+|↓\d+|=|new \(was #\d+\))$/);
      // The semantic column is stage 1's order; the re-ranked one the judge's order of the same pool.
      const stage1 = (await keywordRetriever().retrieve(query, { k: 20 })).results;
      assert.deepEqual(
        semantic.map((h) => h.text),
        stage1.slice(0, 5).map((s) => s.chunk.text),
      );
      assert.match(
        (await page.textContent('#timings')) ?? '',
        /^retrieve [\d.]+ ms · rerank [\d.]+ ms · total [\d.]+ ms$/,
      );
      assert.match(
        (await page.textContent('#changed')) ?? '',
        /^\d of 5 re-ranked results were not in the stage-1 top list$/,
      );
      assert.equal(await page.textContent('#answer-text'), 'Berlin had 3,520,031 registered inhabitants [1].');
      assert.equal(await page.locator('#citations li').count(), 1);
      assert.deepEqual(posts, ['/v1/ask'], 'one request (one judge pass) gives both columns and the answer');

      const screenshot = join(tmpdir(), 'sift-web-page.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      assert.ok(existsSync(screenshot));
      assert.deepEqual(problems, [], 'no console errors, CSP violations or requests off the server');
    } finally {
      await browser.close();
      await server.close();
      await llm.close();
      await (await tinyJudge()).close();
    }
  },
);

test('the page says so when the server has no store to search', { skip, timeout: 60_000 }, async () => {
  const server = await startTestServer({ withSearch: false });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.isVisible('#unavailable'), true);
    assert.equal(await page.isDisabled('#submit'), true);
  } finally {
    await browser.close();
    await server.close();
    await (await tinyJudge()).close();
  }
});
