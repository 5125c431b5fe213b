// whatif.test.mjs - the What if… dialog in headless Chromium against a
// running `netjourney serve` (run.sh) that serves route-whatif's trace
// (replayed with pcaps/route-whatif.json). Sets rp_filter=1 in the form,
// replays under B on the server, and checks the diff view against the
// API's own report: the packets marked changed, the stage where the
// journeys part, the counter deltas, the scenario download; then opens a
// diff-kernel --json report from tests/e2e/fixtures. At 1280×720 and
// 390×844: no page overflow, no clipped text, text ≥ 16 px, axe-core
// clean, keyboard reachable; screenshots in $SHOTS.
// Usage: SHOTS=DIR node whatif.test.mjs BASE_URL
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const base = process.argv[2];
const shots = process.env.SHOTS || join(root, 'build', 'ui-e2e');
mkdirSync(shots, { recursive: true });
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const fixture = join(here, 'fixtures', 'diffkernel-report.json');
const problems = [];
let failed = 0;

function check(cond, what) {
	if (cond) console.log(`  ok   ${what}`);
	else { console.log(`  FAIL ${what}`); failed++; }
}

async function layout(page, label) {
	const r = await page.evaluate(() => {
		const de = document.documentElement;
		const clipped = [];
		const dlg = document.querySelector('#whatif-dlg');
		for (const el of dlg.querySelectorAll('*')) {
			if (el.offsetParent === null || !el.clientWidth || ['SELECT', 'OPTION', 'TEXTAREA', 'INPUT'].includes(el.tagName)) continue;
			const cs = getComputedStyle(el);
			if (cs.overflowX === 'auto' || cs.overflowX === 'scroll') continue;
			if (el.scrollWidth > el.clientWidth + 1) clipped.push(`${el.tagName}.${el.className}: ${el.textContent.slice(0, 30)}`);
		}
		const small = [...dlg.querySelectorAll('*')].filter((el) => el.offsetParent !== null && [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())
			&& parseFloat(getComputedStyle(el).fontSize) < 16).map((el) => `${el.tagName}.${el.className}`);
		const box = dlg.getBoundingClientRect();
		return { over: de.scrollWidth - de.clientWidth, dlgOver: Math.max(0, box.right - innerWidth, -box.left), clipped: clipped.slice(0, 5), small: small.slice(0, 5) };
	});
	check(r.over <= 0 && r.dlgOver <= 0, `${label}: no horizontal overflow (page ${r.over} px, dialog ${r.dlgOver} px)`);
	check(!r.clipped.length, `${label}: no clipped text ${r.clipped.join(' | ')}`);
	check(!r.small.length, `${label}: all text at 16 px or more ${r.small.join(' | ')}`);
}

async function axe(page, label) {
	await page.addScriptTag({ content: axeSource });
	const res = await page.evaluate(async () => {
		const r = await window.axe.run(document, { resultTypes: ['violations'] });
		return r.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => `${v.id} (${v.nodes.length}): ${v.nodes[0].target}`);
	});
	check(!res.length, `${label}: axe-core finds no critical or serious violation ${res.join(' | ')}`);
}

/** The what-if run the test then expects the page to show, from the API itself. */
async function expected(id) {
	const r = await fetch(`${base}/api/traces/${id}/whatif`, { method: 'POST', body: JSON.stringify({ sets: ['rp_filter=1'] }),
		headers: { 'Content-Type': 'application/json' } });
	return r.json();
}

async function whatif(page, id, w, h) {
	await page.setViewportSize({ width: w, height: h });
	await page.goto(`${base}/#trace=${id}`);
	await page.waitForSelector('#ev .seq, #pk-body tr');
	/* keyboard: Tab reaches the header's What if… button */
	let reached = false;
	for (let i = 0; i < 40 && !reached; i++) {
		await page.keyboard.press('Tab');
		reached = await page.evaluate(() => document.activeElement && document.activeElement.id === 'whatif-open');
	}
	check(reached, `${w}×${h}: What if… is reachable with Tab`);
	await page.keyboard.press('Enter');
	await page.waitForSelector('#whatif-fields select[name="rp_filter"]');
	await page.selectOption('#whatif-fields select[name="rp_filter"]', '1');
	await page.click('#whatif-form button[type="submit"]');
	await page.waitForSelector('#wi-part', { timeout: 20000 });
	return page;
}

async function main() {
	const traces = (await (await fetch(`${base}/api/traces`)).json()).traces;
	const t = traces.find((x) => /^route-whatif\./.test(x.name));
	if (!t) throw new Error('route-whatif is not served');
	const want = await expected(t.id);
	check(want.differ >= 1, `the API says ${want.differ} packet(s) differ under rp_filter=1`);
	const d1 = want.diffs.find((d) => d.pkt === 1);
	check(d1 && d1.diverges_at === 'ip_route_input_slow', 'the API parts packet 1 in ip_route_input_slow');
	const profile = mkdtempSync(join(tmpdir(), 'nj-whatif-chromium-'));
	const browser = await chromium.launchPersistentContext(profile, {
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, bypassCSP: true,
		viewport: { width: 1280, height: 720 }, acceptDownloads: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
			'--disable-component-update', '--disable-sync'],
	});
	try {
		for (const [w, h] of [[1280, 720], [390, 844]]) {
			const page = await browser.newPage();
			page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
			page.on('console', (m) => { if (m.type() === 'error' && !/status of 400/.test(m.text())) problems.push(`console: ${m.text()}`); });
			await whatif(page, t.id, w, h);
			const changed = await page.locator('#whatif-out tr.changed').evaluateAll((rows) => rows.map((r) => Number(r.dataset.pkt)));
			check(JSON.stringify(changed) === JSON.stringify(want.diffs.map((d) => d.pkt)), `${w}×${h}: packets marked changed ${changed} = the report's`);
			check(changed.includes(1), `${w}×${h}: packet 1 is marked changed`);
			check(await page.locator('#whatif-out tr[data-pkt="1"] .wi-changed').innerText() === 'changed', `${w}×${h}: packet 1 says "changed" in words`);
			const part = await page.locator('#wi-part h3').innerText();
			check(part.includes('ip_route_input_slow'), `${w}×${h}: the parting function shown is ip_route_input_slow (${part})`);
			check(await page.locator('.wi-node.part').count() === 1, `${w}×${h}: one stage of the map is marked where they part`);
			check(await page.locator('.wi-node.b').count() + await page.locator('.wi-node.a').count() >= 1, `${w}×${h}: the map shows a stage only one journey reaches`);
			const ctr = await page.locator('.wi-ctr').innerText();
			const fd = want.counters['Ip.ForwDatagrams'];
			check(ctr.includes('Ip.ForwDatagrams') && ctr.includes(String(fd.b - fd.a)), `${w}×${h}: the counter delta Ip.ForwDatagrams ${fd.b - fd.a} is shown`);
			const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#whatif-dl')]);
			const sc = JSON.parse(readFileSync(await dl.path(), 'utf8'));
			check(sc.rp_filter === 1 && sc.forwarding === true, `${w}×${h}: the downloaded scenario has rp_filter 1 and the rest of A`);
			await page.screenshot({ path: join(shots, `whatif-${w}x${h}.png`), fullPage: false });
			await layout(page, `${w}×${h} what-if`);
			await axe(page, `${w}×${h} what-if`);
			/* a bad raw edit: the server's message, at the form */
			await page.click('#whatif-edit > summary');
			await page.fill('#whatif-fields textarea[name="raw"]', 'interfaces[0].mtu=5');
			await page.click('#whatif-form button[type="submit"]');
			await page.waitForFunction(() => document.querySelector('#whatif-status').classList.contains('err'));
			check((await page.locator('#whatif-status').innerText()).includes('interfaces[0].mtu'), `${w}×${h}: a bad edit's message names it`);
			/* the diff-kernel report, read in the page from a file */
			await page.setInputFiles('#whatif-kernel', fixture);
			await page.waitForSelector('#whatif-out .wi-table');
			const out = await page.locator('#whatif-out').innerText();
			check(out.includes('Linux 6.1.0-test') && out.includes('2 differences'), `${w}×${h}: the diff-kernel report is shown against Linux`);
			check(await page.locator('#whatif-out tr.changed').count() === 2, `${w}×${h}: the differing frame and counter are marked`);
			check(out.includes('ICMP time exceeded') && out.includes('Ip.ForwDatagrams'), `${w}×${h}: what each sent and the counters that differ`);
			await page.screenshot({ path: join(shots, `whatif-kernel-${w}x${h}.png`) });
			await layout(page, `${w}×${h} diff-kernel`);
			await axe(page, `${w}×${h} diff-kernel`);
			if (w === 1280) {	/* B's journeys open in the main view */
				await page.click('#whatif-edit > summary');
				await page.fill('#whatif-fields textarea[name="raw"]', '');
				await page.click('#whatif-form button[type="submit"]');
				await page.waitForSelector('#whatif-openb:not([hidden])');
				await page.waitForFunction(() => /Done/.test(document.querySelector('#whatif-status').textContent));
				const b = Number((await page.locator('#whatif-status').innerText()).match(/B is trace (\d+)/)[1]);
				await page.click('#whatif-openb');
				await page.waitForFunction((id) => document.querySelector('#trace').value === String(id), b);
				await page.waitForFunction(() => /IP_RPFILTER/.test(document.querySelector('#pk-body').textContent), null, { timeout: 10000 })
					.then(() => check(true, `Open B's journeys shows trace ${b}, packet 1 dropped IP_RPFILTER`),
						() => check(false, `Open B's journeys: trace ${b}'s packet list has no IP_RPFILTER`));
			}
			await page.close();
		}
	} finally {
		await browser.close();
		rmSync(profile, { recursive: true, force: true });
	}
	for (const p of problems) console.log(`  FAIL ${p}`);
	check(problems.length === 0, 'no page errors');
	console.log(failed ? `whatif e2e: ${failed} check(s) failed` : 'whatif e2e: all checks passed');
	process.exit(failed ? 1 : 0);
}

main().catch((e) => { console.error(`whatif e2e: ${e.stack || e}`); process.exit(1); });
