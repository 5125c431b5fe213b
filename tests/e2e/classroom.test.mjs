// classroom.test.mjs - the classroom in headless Chromium, against a running
// `netjourney serve --lessons lessons` (see run.sh), with the server's real
// Content-Security-Policy: opening a lab highlights the Lessons tab, not
// Timeline; the pane shows each question once, with its input beside it;
// the answer key typed into the inputs scores in full, as the API grades it,
// and a wrong answer is marked ✗; predict mode hides the rest of the
// journey, refuses to step past the point, reveals the step with the kernel
// source file, scores right and wrong predictions, keeps them in
// localStorage and exports them as a file; a prediction can be answered by
// clicking a stage of the kernel map. Usage: node classroom.test.mjs BASE_URL
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, main, runInBrowser } from './lesson_harness.mjs';

const base = process.argv[2];

/** Polls cond() (in node: the page's CSP forbids evaluating strings) until true or 5 s. */
async function until(cond, what) {
	for (let i = 0; i < 100; i++) {
		if (await cond().catch(() => false)) return;
		await new Promise((r) => setTimeout(r, 50));
	}
	throw new Error(`timed out waiting for ${what}`);
}

/** lessons/ID/answers.txt as {q1: "…"}. */
function key(id) {
	const out = {};
	for (const l of readFileSync(`lessons/${id}/answers.txt`, 'utf8').split('\n')) {
		const m = /^(q\w+):\s*(.*)$/.exec(l.trim());
		if (m) out[m[1]] = m[2];
	}
	return out;
}

async function openLab(page, n) {
	await page.goto(`${base}/#lesson=${n}`);
	await page.waitForSelector(`#lesson-pane:not([hidden]) .nj-answers[data-lesson="${n}"] .nj-q`, { timeout: 15000 });
	await page.waitForSelector('#ev .fn', { state: 'attached' });	/* the inspector may sit behind the Lesson tab */
}

/** Types answers into the pane's inputs (radio buttons by letter). */
async function fill(page, answers) {
	for (const [q, v] of Object.entries(answers)) {
		const radio = page.locator(`.nj-q[data-q="${q}"] input[type=radio][value="${v}"]`);
		const byText = page.locator(`.nj-q[data-q="${q}"] .nj-choices label`).filter({ hasText: `) ${v}` });
		if (await radio.count()) await radio.check();
		else if (await byText.count()) await byText.first().locator('input').check();	/* a choice keyed by its text */
		else await page.locator(`.nj-q[data-q="${q}"] .nj-in`).fill(v);
	}
}

async function answers(page) {
	const labs = (await (await fetch(`${base}/api/lessons`)).json()).lessons;
	const lab2 = labs.find((l) => l.n === 2);
	await openLab(page, 2);
	check(await page.locator('#tab-lessons.active').count() === 1 && await page.locator('#tab-timeline.active').count() === 0,
		'an open lab highlights the Lessons tab, not Timeline');
	const d = await (await fetch(`${base}/api/lessons/2`)).json();
	const q1 = d.lesson.questions[0].text;
	const pane = await page.locator('#lesson-body').innerText();
	check(pane.split(q1).length === 2, 'the pane shows each question once');
	check(await page.locator('.nj-q').count() === lab2.questions, `every question has its input (${lab2.questions})`);
	check(await page.locator('.nj-q input[list="nj-fn-list"]').count() > 0 && await page.locator('#nj-fn-list option').count() > 50,
		'a function question suggests function names');
	check(await page.locator('.nj-q input[type=radio]').count() > 0, 'a choice question has radio buttons');
	const k = key('02-ip-rcv-checks');
	await fill(page, k);
	await page.locator('.nj-answers button[type=submit]').click();
	await until(async () => /Score: \d+\/\d+/.test(await page.locator('.nj-score').innerText()), 'the score');
	const score = await page.locator('.nj-score').innerText();
	const api = await (await fetch(`${base}/api/lessons/2/check`, { method: 'POST', body: JSON.stringify(k),
		headers: { 'Content-Type': 'application/json' } })).json();
	check(score.startsWith(`Score: ${api.total}/${api.total}`), `the key scores in full in the browser (${score})`);
	check(await page.locator('.nj-q.ok').count() === api.total, 'each right answer is marked');
	await fill(page, { q1: 'IP_INHDR' });
	await page.locator('.nj-answers button[type=submit]').click();
	await until(async () => (await page.locator('.nj-score').innerText()).startsWith(`Score: ${api.total - 1}/`), 'the new score');
	check(await page.locator('.nj-q[data-q="q1"].bad').count() === 1, 'a wrong answer is marked ✗');
	check((await page.locator('.nj-q[data-q="q1"] .nj-fb').innerText()).startsWith('✗'), 'with its feedback');
	await page.reload();
	await page.waitForSelector('.nj-q');
	check(await page.locator('.nj-q[data-q="q1"] .nj-in').inputValue() === 'IP_INHDR', 'answers survive a reload (localStorage)');
	await openLab(page, 4);	/* q8 is for the teacher */
	await page.locator('.nj-q[data-q="q8"] textarea').fill('overlaps let an attacker choose');
	await page.locator('.nj-answers button[type=submit]').click();
	await until(async () => /Model answer/.test(await page.locator('.nj-q[data-q="q8"] .nj-fb').innerText()), 'the model answer');
	check(await page.locator('.nj-q[data-q="q8"].ok, .nj-q[data-q="q8"].bad').count() === 0, 'a question for the teacher shows the model answer, neither ✓ nor ✗');
}

/** Goes to the lab's first prediction point and waits for the question. */
async function toPoint(page, i = 0) {
	const a = page.locator('[data-predict-point]').nth(i);
	const seq = Number(await a.getAttribute('data-predict-point'));
	await a.click();
	await page.waitForSelector('.nj-predict-card [data-predict]', { timeout: 5000 });
	await until(async () => (await page.locator('#ev .seq').textContent()) === `seq ${seq}`, `the inspector at seq ${seq}`);
	return seq;
}

async function predict(page) {
	await openLab(page, 2);
	const seq = await toPoint(page);
	check(await page.evaluate(() => document.body.classList.contains('nj-predicting')), 'predict: the lab stops at its scripted point');
	await page.click('#vt-tree');	/* the call tree: the view that lists every step */
	const hidden = await page.evaluate(() => [...document.querySelectorAll('#journey .jrow.future, #journey .badge')]
		.every((r) => getComputedStyle(r).visibility === 'hidden'));
	const future = await page.locator('#journey .jrow.future').count();
	check(future > 0 && hidden, `predict: the ${future} steps still to come and every verdict are hidden`);
	await page.locator('[data-act="fwd"]').click();
	await page.locator('[data-act="end"]').click();
	check(await page.locator('#ev .seq').textContent() === `seq ${seq}`, 'predict: stepping past the point is refused until an answer');
	await page.locator('.nj-predict-card [data-predict="IP_CSUM"]').click();
	await page.waitForSelector('.nj-predict-card.ok');
	const card = await page.locator('.nj-predict-card').innerText();
	check(/✓ Right/.test(card) && /IP_CSUM/.test(card), 'predict: the right answer is revealed as right');
	check(await page.locator('.nj-src a[href*="net/ipv4/ip_input.c"]').count() === 1, 'reveal: the kernel source file (net/ipv4/ip_input.c)');
	check(!(await page.evaluate(() => document.body.classList.contains('nj-predicting'))), 'reveal: the journey shows again');
	check(await page.locator('#ev .fn').textContent() === 'ip_rcv_core', 'reveal: the deciding step is selected (ip_rcv_core)');
	check(/Predictions: 1\/1 right/.test(await page.locator('.nj-predict-score').innerText()), 'score: 1/1');
	await openLab(page, 3);
	await toPoint(page, 1);	/* packet 6: it does complete the datagram */
	await page.locator('.nj-predict-card [data-predict="no"]').click();
	await page.waitForSelector('.nj-predict-card.bad');
	check(/✗/.test(await page.locator('.nj-predict-card').innerText()), 'predict: a wrong prediction is revealed as wrong');
	check(await page.locator('#ev .fn').textContent() === 'ip_frag_reasm', 'reveal: ip_frag_reasm is the step that completes it');
	check(/Predictions: 1\/2 right/.test(await page.locator('.nj-predict-score').innerText()), 'score: 1/2');
	const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('nj.scores') || '[]'));
	check(stored.filter((x) => x.kind === 'predict').length === 2, 'the predictions are kept in localStorage');
	const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-predict-export]').click()]);
	const file = JSON.parse(readFileSync(await dl.path(), 'utf8'));
	check(dl.suggestedFilename() === 'netjourney-scores.json' && file.scores.length === stored.length, `scores export as a file (${file.scores.length} records)`);
	await page.locator('[data-predict-ask]').selectOption('route');
	await page.locator('[data-act="home"]').click();
	await page.locator('[data-predict-here]').click();
	check(await page.locator('.nj-predict-card [data-predict="ip_local_deliver"]').count() === 1, 'a student can hide and predict at any step');
}

/** The stage names of the map, as the UI's kernel_map.js has them. */
const stageOf = (page, id) => page.locator(`#map .mnode[data-node="${id}"]`);

/**
 * Predicting by clicking the kernel map (issue 22 item 1): lab 2's drop
 * question answered on the stage whose check drops the packet (right),
 * lab 11's routing question on the wrong path (wrong, the right stage
 * outlined); both scored, kept and exported with the stages clicked.
 */
async function predictOnMap(page) {
	const before = await page.evaluate(() => JSON.parse(localStorage.getItem('nj.scores') || '[]').filter((x) => x.kind === 'predict'));
	const right0 = before.filter((x) => x.ok).length;
	await openLab(page, 2);
	await toPoint(page);
	await page.click('#vt-map');
	check(await page.locator('.nj-predict-card .nj-map-hint').count() === 1 && await page.evaluate(() => document.body.classList.contains('nj-pick-map')),
		'map predict: a drop question invites a click on the kernel map');
	await stageOf(page, 'ip_rcv').click();
	await page.waitForSelector('.nj-predict-card.ok, .nj-predict-card.bad');
	const card = await page.locator('.nj-predict-card').innerText();
	check(await page.locator('.nj-predict-card.ok').count() === 1 && /IP_CSUM/.test(card) && /picked ip_rcv/.test(card),
		`map predict: clicking ip_rcv (the check that drops it) is right (${card.replace(/\s+/g, ' ').slice(0, 120)})`);
	check(await page.locator('.nj-src a[href*="net/ipv4/ip_input.c"]').count() === 1, 'map reveal: the kernel source file');
	check(await page.locator('#ev .fn').textContent() === 'ip_rcv_core', 'map reveal: the deciding step is selected');
	check(/nj-truth/.test(await stageOf(page, 'ip_rcv').getAttribute('class')) && /nj-picked/.test(await stageOf(page, 'ip_rcv').getAttribute('class')),
		'map reveal: the stage picked and the one that decided are outlined');
	check(new RegExp(`Predictions: ${right0 + 1}/${before.length + 1} right`).test(await page.locator('.nj-predict-score').innerText()),
		`map predict: scored (${right0 + 1}/${before.length + 1})`);
	/* lab 11: where does the routing decision send packet 1? the trace says; the other path is clicked */
	const o = await (await fetch(`${base}/api/lessons/11/open`, { method: 'POST' })).json();
	const pt = o.predict.find((x) => x.ask === 'route');
	const d = await (await fetch(`${base}/api/traces/${o.trace}/packets/${pt.pkt}`)).json();
	const went = d.steps.find((e) => e.seq > pt.seq && e.ph === 'B' && ['ip_local_deliver', 'ip_forward'].includes(e.fn));
	check(!!went, `lab 11's route prediction has an answer in the trace (${went && went.fn})`);
	const [wrong, truthStage] = went.fn === 'ip_forward' ? ['local_deliver', 'forward'] : ['forward', 'local_deliver'];
	await openLab(page, 11);
	await page.evaluate((h) => { location.hash = h; }, `#lesson=11&trace=${o.trace}&pkt=${pt.pkt}&seq=${pt.seq}`);
	await until(async () => /where will the routing decision/i.test(await page.locator('.nj-predict-card').innerText())
		&& (await page.locator('#ev .seq').textContent()) === `seq ${pt.seq}`, 'lab 11\'s route question');
	await page.click('#vt-map');
	await stageOf(page, wrong).click();
	await page.waitForSelector('.nj-predict-card.bad');
	check(/✗/.test(await page.locator('.nj-predict-card.bad').innerText()), `map predict: clicking ${wrong} when it goes to ${went.fn} is wrong`);
	check(/nj-truth/.test(await stageOf(page, truthStage).getAttribute('class')) && /nj-picked/.test(await stageOf(page, wrong).getAttribute('class')),
		`map reveal: ${truthStage} outlined as the answer, ${wrong} as the pick`);
	if (process.env.SHOTS) {
		mkdirSync(process.env.SHOTS, { recursive: true });
		await page.screenshot({ path: join(process.env.SHOTS, 'classroom-predict-on-map.png') });
	}
	const after = await page.evaluate(() => JSON.parse(localStorage.getItem('nj.scores') || '[]').filter((x) => x.kind === 'predict'));
	const last = after[after.length - 1];
	check(after.length === before.length + 2 && last.stage === wrong && last.truth_stage === truthStage && last.ok === false,
		`map predictions are kept with the stage clicked (${last.stage} → ${last.truth_stage})`);
	const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-predict-export]').click()]);
	const file = JSON.parse(readFileSync(await dl.path(), 'utf8'));
	check(file.scores.filter((x) => x.stage).length >= 2, 'the export holds the map predictions');
	/* lab 11 asks its drop question at the step the route reveal selects: both show */
	if (await page.locator('.nj-predict-card [data-predict]').count()) {
		check(await page.locator('.nj-predict-card.bad').count() === 1, 'a question asked at the revealed step keeps the reveal beside it');
		await page.locator('.nj-predict-card [data-predict]').first().click();
		await page.waitForFunction(() => !document.body.classList.contains('nj-predicting'));
	}
	/* an IPv6 packet, predicted by the student: its routing decision is ip6_input's stage */
	const v6 = (await (await fetch(`${base}/api/traces`)).json()).traces.find((t) => t.name === 'ipv6-echo.pcap');
	if (v6) {
		const d6 = await (await fetch(`${base}/api/traces/${v6.id}/packets/1`)).json();
		const at = d6.steps.find((e) => e.fn === 'ip6_rcv_core' && e.ph === 'B');
		await page.evaluate((h) => { location.hash = h; }, `#lesson=11&trace=${v6.id}&pkt=1&seq=${at.seq}`);
		await until(async () => (await page.locator('#ev .seq').textContent()) === `seq ${at.seq}`, 'the IPv6 packet');
		await page.locator('[data-predict-ask]').selectOption('route');
		await page.locator('[data-predict-here]').click();
		await page.click('#vt-map');
		await stageOf(page, 'ip6_local').click();
		await page.waitForSelector('.nj-predict-card.ok, .nj-predict-card.bad');
		check(await page.locator('.nj-predict-card.ok').count() === 1 && /ip6_input/.test(await page.locator('.nj-predict-card.ok').innerText()),
			'map predict: an IPv6 echo goes to ip6_input, clicked on the IPv6 band');
	} else check(false, 'ipv6-echo.pcap is served');
	/* with no question pending, a stage click zooms into its calls as before */
	await page.click('#vt-map');
	await stageOf(page, 'ip_rcv').click();
	check(await page.locator('#vt-tree[aria-selected="true"]').count() === 1, 'without a pending question a stage click opens the call tree');
}

main('classroom', () => runInBrowser('classroom', base, async (page) => {
	await answers(page);
	await predict(page);
	await predictOnMap(page);
}, { launch: { acceptDownloads: true }, local: /^(data|blob):/ }));
