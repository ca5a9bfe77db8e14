import { existsSync } from 'node:fs';

/** Debian's Chromium, driven by playwright-core in the end-to-end tests. */
export const CHROMIUM = '/usr/bin/chromium';

/** Outside CI a machine without Chromium skips the browser suites; in CI they must run. */
export const SKIP_BROWSER = !existsSync(CHROMIUM) && process.env.CI !== 'true';

/** Polls until the check passes (the page's own DOM types are not part of this Node project, so no waitForFunction). */
export async function until(description: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${description}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
