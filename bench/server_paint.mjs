// bench/server_paint.mjs - first paint of the UI over a big trace in
// headless Chromium: time to first contentful paint, to the packet list,
// and to the timeline drawn from the histogram. Prints figures only.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', 'tests', 'e2e', 'package.json'));
const { chromium } = require('playwright-core');
const base = process.argv[2];
const profile = mkdtempSync(join(tmpdir(), 'nj-bench-'));
const ctx = await chromium.launchPersistentContext(profile, {
	executablePath: '/usr/bin/chromium', headless: true, bypassCSP: true, viewport: { width: 1440, height: 900 },
	args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		'--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
	const page = ctx.pages()[0] || await ctx.newPage();
	const t0 = Date.now();
	await page.goto(base);
	await page.waitForSelector('#pk-body tr');
	const list = Date.now() - t0;
	await page.waitForFunction(() => document.querySelector('#tl-range').textContent.length > 0);
	await page.waitForFunction(() => /pkt=\d+&seq=\d+/.test(location.hash));	/* the first journey is open */
	const all = Date.now() - t0;
	const fcp = await page.evaluate(() => {
		const e = performance.getEntriesByName('first-contentful-paint')[0];
		return e ? Math.round(e.startTime) : -1;
	});
	console.log(`chromium: first contentful paint ${fcp} ms; packet list ${list} ms; timeline + first journey ${all} ms`);
} finally {
	await ctx.close();
	rmSync(profile, { recursive: true, force: true });
}
