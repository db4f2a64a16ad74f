/**
 * GraphiQL in a real browser, offline: headless Chromium (Debian's `chromium` package, driven by playwright-core)
 * loads /graphql from the server on a loopback port while every non-loopback request is refused, puts an API key
 * in GraphiQL's headers, runs the CreateContract example of the first tab and then Search, and reads the answers
 * in the response pane. Screenshots go to test/artifacts/ (git-ignored).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { createServer } from '../../src/server.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../artifacts/', import.meta.url);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

let http: Server;
let browser: Browser;
let page: Page;
let base: string;
const key = randomBytes(24).toString('base64url');
/** Every request the page tried to send off the machine (all refused). */
const refused: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`The browser test needs Chromium at ${CHROMIUM}: install Debian's package with \`apt-get install -y chromium\` (.ci/run does).`);
  }
  const storage = createMemoryStorage();
  const yoga = createServer({ storage, graphiql: true, auth: { apiKeys: [{ name: 'browser-test', roles: ['editor'], sha256: hashApiKey(key) }] } });
  http = createHttpServer(yoga);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (LOOPBACK.has(url.hostname)) return route.continue();
    refused.push(url.href);
    return route.abort('internetdisconnected');
  });
  page = await context.newPage();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
});

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: new URL(`graphiql-${name}.png`, ARTIFACTS).pathname });
}

/** The text of an editor as shown (Monaco renders spaces as no-break spaces). */
async function textOf(locator: ReturnType<Page['locator']>): Promise<string> {
  return (await locator.innerText()).replace(/\u00a0/g, ' ');
}

/** Runs one operation of the query editor through the run button's operation menu; returns the response pane text. */
async function runOperation(name: string, expected: string): Promise<string> {
  await page.locator('.graphiql-execute-button').click();
  await page.getByRole('menuitem', { name, exact: true }).click();
  const response = page.locator('.graphiql-response');
  await expect.poll(() => textOf(response), { timeout: 20_000 }).toContain(expected);
  return textOf(response);
}

describe('GraphiQL in a browser, offline', () => {
  it('loads from the server alone, with the example operations in the first tab', async () => {
    await page.goto(`${base}/graphql`);
    const editor = page.locator('.graphiql-query-editor');
    await editor.waitFor({ timeout: 30_000 });
    await expect.poll(() => textOf(editor), { timeout: 20_000 }).toContain('Welcome to griot-registry');
    expect(await page.title()).toBe('griot-registry');
    expect(await page.locator('.graphiql-tab').count()).toBe(1);
    await screenshot('1-loaded');
    // The page needed nothing from outside: it did not even try.
    expect(refused).toEqual([]);
  });

  it('runs CreateContract with the key in its headers, then Search finds the contract', async () => {
    await page.getByRole('button', { name: 'Headers', exact: true }).click();
    await page.locator('.graphiql-editor-tool .graphiql-editor').last().click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(JSON.stringify({ 'x-api-key': key }));

    const created = await runOperation('CreateContract', '"__typename"');
    await screenshot('2-created');
    expect(created).toContain('"CreateContractSuccess"');
    expect(created).toContain('"name": "orders"');

    const found = await runOperation('Search', '"searchContracts"');
    await screenshot('3-search');
    expect(found).toContain('"name": "orders"');
    expect(found).toMatch(/"matchedFields": \[[^\]]*"PROPERTY_NAMES"/);
    expect(refused).toEqual([]);
  });
});
