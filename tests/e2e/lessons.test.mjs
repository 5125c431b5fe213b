// lessons.test.mjs - the Lessons page in headless Chromium, against a
// running `netjourney serve --lessons lessons` (see run.sh): the page lists
// every lab; opening one shows its text beside the timeline; each of its
// links opens the packet it names at the event it names (the inspector
// shows the link's function). No console errors, no request to another
// host. Saves artifacts/lessons.png. Usage: node lessons.test.mjs BASE_URL
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, main, runInBrowser } from './lesson_harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const base = process.argv[2];

const text = (page, sel) => page.locator(sel).first().innerText();

/** Follows every link of lab n; returns how many were followed. */
async function followLinks(page, n) {
	const links = page.locator('#lesson-body .lesson-links a');
	const count = await links.count();
	for (let i = 0; i < count; i++) {
		const a = links.nth(i);
		const [fn, pkt, seq] = [await a.getAttribute('data-fn'), await a.getAttribute('data-pkt'), await a.getAttribute('data-seq')];
		await a.click();
		try {
			await page.waitForFunction(([f, s]) => {
				const ev = document.querySelector('#ev .fn');
				const sq = document.querySelector('#ev .seq');
				return ev && sq && ev.textContent === f && sq.textContent === `seq ${s}`;
			}, [fn, seq], { timeout: 5000 });
			check((await text(page, '#j-title')).includes(`#${pkt}`), `lesson ${n} link ${i + 1}: packet #${pkt} at ${fn} (seq ${seq})`);
		} catch {
			check(false, `lesson ${n} link ${i + 1}: expected ${fn} at seq ${seq}, inspector shows ${await text(page, '#ev').catch(() => '?')}`);
		}
		check(new URL(page.url()).hash.includes(`lesson=${n}`), `lesson ${n} link ${i + 1}: the hash keeps the lesson open`);
	}
	return count;
}

/**
 * The race of issue #26: a lab's trace is switched to while the previous
 * lab's packet is still shown, and the user steps meanwhile. The new
 * trace's summary is held back until that step has been taken, so the
 * window is always open: no request may pair the new trace with an event
 * of the old packet (it answered 404, a console error).
 */
async function switchWhileLoading(page) {
	const open = async (n) => (await (await fetch(`${base}/api/lessons/${n}/open`, { method: 'POST' })).json()).trace;
	const [t7, t8] = [await open(7), await open(8)];
	const bad = [];
	const onResp = (r) => { if (r.status() >= 400) bad.push(`${r.status()} ${r.url()}`); };
	page.on('response', onResp);
	await page.goto(`${base}/#lesson=7&trace=${t7}&pkt=5&seq=273`);
	await page.waitForFunction(() => (document.querySelector('#ev .seq') || {}).textContent === 'seq 273');
	let held, release;
	const arrived = new Promise((res) => { held = res; });
	const gate = new Promise((res) => { release = res; });
	await page.route(`${base}/api/traces/${t8}`, async (route) => { held(); await gate; await route.continue(); });
	await page.evaluate(() => { location.hash = '#lesson=8'; });
	const wasHeld = await Promise.race([arrived.then(() => true), new Promise((res) => setTimeout(() => res(false), 5000))]);
	check(wasHeld, 'switching to lab 8 asks for its trace\'s summary');
	await page.keyboard.press('ArrowRight');	/* a step on the old packet, while the new trace loads */
	await page.waitForTimeout(400);			/* the state panel's 120 ms debounce has fired */
	release();
	const shown = await page.waitForFunction((t) => new URL(location.href).hash.includes(`trace=${t}`) &&
		(document.querySelector('#j-title') || {}).textContent.includes('#1'), t8, { timeout: 5000 }).then(() => true, () => false);
	await page.unroute(`${base}/api/traces/${t8}`);
	await page.waitForTimeout(300);
	page.off('response', onResp);
	check(shown, 'lab 8 opens at its first packet after the delay');
	check(bad.length === 0, `no request failed while the trace switched${bad.length ? `: ${bad.join(', ')}` : ''}`);
}

async function lessons(page) {
	await page.goto(`${base}/#lessons`);
	await page.waitForSelector('#lessons-list .lesson-list li');
	const labs = await (await fetch(`${base}/api/lessons`)).json();
	check(labs.lessons.length >= 8, `the API lists ${labs.lessons.length} labs`);
	check(await page.locator('#lessons-list .lesson-list li').count() === labs.lessons.length, 'the Lessons page lists every lab');
	check(await page.locator('#tab-lessons.active').count() === 1, 'the Lessons tab is marked active');
	check(!(await page.locator('main.grid').isVisible()), 'the timeline is hidden on the Lessons page');
	for (const l of labs.lessons) {
		await page.goto(`${base}/#lessons`);
		await page.locator(`#lessons-list a[data-lesson="${l.n}"]`).click();
		const opened = await page.waitForFunction((t) => {
			const h = document.querySelector('#lesson-pane:not([hidden]) #lesson-body h2');
			return h && h.textContent.includes(t) && document.querySelector('#lesson-body .lesson-links a');
		}, `Lesson ${l.n}: ${l.title}`, { timeout: 15000 }).then(() => true, () => false);
		await page.waitForFunction(() => document.querySelector('#ev .fn'));
		check(opened, `lesson ${l.n} opens beside the timeline`);
		check(await page.locator('main.grid').isVisible(), `lesson ${l.n}: the journey is visible beside it`);
		const md = await page.locator('#lesson-body .md').innerHTML();
		check(!/<script/i.test(md) && md.includes('<h'), `lesson ${l.n}: its README is rendered`);
		const n = await followLinks(page, l.n);
		check(n > 0, `lesson ${l.n} has links to follow (${n})`);
		if (l.n === 3) await page.screenshot({ path: join(here, 'artifacts', 'lessons.png') });
	}
	await switchWhileLoading(page);
	await page.locator('#lesson-body [data-close]').click();
	await page.waitForFunction(() => document.querySelector('#lesson-pane').hidden);
	check(true, 'the lesson pane closes');
}

main('lessons', () => runInBrowser('lessons', base, lessons, { launch: { bypassCSP: true } }));
