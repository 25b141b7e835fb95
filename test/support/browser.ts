/**
 * Debian's Chromium driven by playwright-core, with the flags the project
 * uses everywhere (playwright starts it on a fresh profile each time).
 * Without Chromium the browser tests skip loudly; under CI=true they are required.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${CHROMIUM} is missing: .ci/run installs the chromium package`);
  console.warn(`\n!!! ${CHROMIUM} is missing: the browser tests are SKIPPED (apt-get install chromium).\n`);
  return false;
}

export function launchBrowser(extraArgs: string[] = [], options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...FLAGS, ...extraArgs], ...options });
}
