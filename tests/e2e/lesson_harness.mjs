// lesson_harness.mjs - what the lesson pages' e2e tests share
// (lessons.test.mjs, classroom.test.mjs): check() and its tally, and one
// run in headless Chromium (the system's, through playwright-core) that
// collects console errors, failed responses and requests to other hosts,
// checks there were none, prints the verdict and exits 0 or 1.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let failed = 0;

export function check(cond, what) {
	if (cond) console.log(`  ok   ${what}`);
	else { console.log(`  FAIL ${what}`); failed++; }
}

/**
 * Runs body(page) in a fresh Chromium profile, then reports as `e2e NAME`.
 * launch: options added to the browser context's (bypassCSP, acceptDownloads);
 * local: the URLs besides base's origin the page may load (a RegExp).
 */
export async function runInBrowser(name, base, body, { launch = {}, local = /^data:/ } = {}) {
	const origin = new URL(base).origin;
	const problems = [];
	const profile = mkdtempSync(join(tmpdir(), `nj-${name}-`));
	const browser = await chromium.launchPersistentContext(profile, {
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		viewport: { width: 1440, height: 900 },
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync'],
		...launch,
	});
	try {
		const page = browser.pages()[0] || await browser.newPage();
		page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
		page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
		page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`); });
		page.on('request', (r) => { if (!r.url().startsWith(origin) && !local.test(r.url())) problems.push(`request to another host: ${r.url()}`); });
		await body(page);
	} finally {
		await browser.close();
		rmSync(profile, { recursive: true, force: true });
	}
	for (const p of problems) console.log(`  FAIL ${p}`);
	check(problems.length === 0, 'no console errors and no request to another host');
	console.log(failed ? `e2e ${name}: ${failed} check(s) failed` : `e2e ${name}: all checks passed`);
	process.exit(failed ? 1 : 0);
}

/** Runs a test's main, reporting an exception as `e2e NAME: …` (exit 1). */
export function main(name, fn) {
	fn().catch((e) => { console.error(`e2e ${name}: ${e.stack || e}`); process.exit(1); });
}
