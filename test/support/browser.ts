/**
 * Debian's Chromium driven by playwright-core, headless, with nothing of its own going to the
 * network (no component updates, sync, field trials or QUIC). Playwright gives every launch a
 * fresh profile folder (--user-data-dir) and removes it on close.
 */
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where `.ci/setup.d/chromium.sh` installs it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** Launches headless Chromium; throws with the set-up command when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run .ci/setup.d/chromium.sh (apt-get install chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}
