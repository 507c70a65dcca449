import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN_TOKEN, waitFor } from './app.js';

/**
 * What the browser tests share: Debian's Chromium with the flags this machine needs, screenshots under
 * test-output/e2e, and the calls they make to set up the real app (the admin API, the emulator's simulated adds).
 */
export const CHROMIUM = '/usr/bin/chromium';
export const E2E_OUTPUT = join(process.cwd(), 'test-output', 'e2e');

/** Waits for Chromium (CI may still be installing it), then launches it headless. */
export async function launchChromium(): Promise<Browser> {
  await waitFor(() => existsSync(CHROMIUM), 'Chromium at /usr/bin/chromium (apt-get install -y chromium)', 300_000);
  mkdirSync(E2E_OUTPUT, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A full-page screenshot once transitions (popups, toasts, chips) have settled. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(E2E_OUTPUT, `${name}.png`), fullPage: true });
}

/** A picture of the page when a test fails (for a vitest `onTestFailed`), named after the test. */
export async function failureShot(page: Page | undefined, testName: string): Promise<void> {
  const name = testName.replace(/[^\p{L}\p{N}]+/gu, '-').slice(0, 60);
  await page?.screenshot({ path: join(E2E_OUTPUT, `failed-${name}.png`), fullPage: true }).catch(() => {});
}

/** The admin API of the app at `base`, with the test admin token: the parsed answer, or a throw naming the status. */
export function adminApi(base: () => string) {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base()}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

/** A customer adds a rep in the emulator (WeCom), through a channel code's state if given; their external user id. */
export async function simulateAdd(
  base: string,
  add: { userId: string; state?: string; name?: string },
): Promise<string> {
  const res = await fetch(`${base}/emulator/_simulate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ changeType: 'add_external_contact', ...add }),
  });
  if (!res.ok) throw new Error(`simulate → ${res.status} ${await res.text()}`);
  return ((await res.json()) as { externalUserId: string }).externalUserId;
}
