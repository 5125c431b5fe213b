// ui_open.mjs - the UI over a capture the server is still opening, in
// headless Chromium: the packet list shows at once, the status line shows
// the progress ("Opening …"), the page waits for the trace to be whole and
// then opens it in full (a packet selected), with no
// console error and no HTTP answer >= 400 on the way (strict as tests/e2e
// is). The server is started here, once the browser is up: started before,
// it could open the whole capture while Chromium was still launching on a
// busy machine, and "Opening" would never show.
// Usage: node ui_open.mjs BASE_URL SERVER_COMMAND...
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', 'e2e', 'package.json'));
const { chromium } = require('playwright-core');
const base = process.argv[2];
const problems = [];
let failed = 0, server = null;
const check = (cond, what) => { console.log(`  ${cond ? 'ok  ' : 'FAIL'} ${what}`); failed += !cond; };
const profile = mkdtempSync(join(tmpdir(), 'nj-serveopen-'));
const ctx = await chromium.launchPersistentContext(profile, {
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, bypassCSP: true,
	viewport: { width: 1280, height: 720 },
	args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		'--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
	const page = ctx.pages()[0] || await ctx.newPage();
	page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
	page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
	page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
	server = spawn(process.argv[3], process.argv.slice(4), { stdio: 'ignore' });
	for (let i = 0; i < 600; i++) {		/* up once it answers (30 s at most) */
		const up = await fetch(`${base}/api/traces`).then((r) => r.ok, () => false);
		if (up) break;
		await new Promise((r) => setTimeout(r, 50));
	}
	await page.goto(base);
	await page.waitForSelector('#pk-body tr', { timeout: 30000 });
	const opening = await page.waitForFunction(() => /^Opening .*packets/.test(document.querySelector('#status').textContent),
		null, { timeout: 10000 }).then(() => true, () => false);
	check(opening, 'the packet list shows while the trace opens, with the progress in the status line');
	const status = await page.textContent('#status');
	console.log(`       status: ${status}`);
	await page.waitForFunction(() => !document.querySelector('#status').textContent.startsWith('Opening'), null,
		{ timeout: 120000 });
	const full = await page.waitForFunction(() => /pkt=\d+/.test(location.hash), null, { timeout: 60000 })
		.then(() => true, () => false);
	const sum = await (await fetch(`${base}/api/traces/1`)).json();
	check(full && sum.progress.done, 'once whole, the page opens the trace in full (a packet is selected)');
	if (!full) console.log(`       status: ${await page.textContent('#status')}`);
	for (const p of problems) console.log(`  FAIL ${p}`);
	check(problems.length === 0, 'no console error and no HTTP error while waiting');
} finally {
	if (server) server.kill('SIGTERM');
	await ctx.close();
	rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
