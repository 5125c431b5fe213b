// ui.test.mjs - the netjourney UI in headless Chromium, against a running
// `netjourney serve` (see run.sh), which serves default.pcap, the
// frag-out-of-order capture, four ip_rcv_core drops and a forward; the
// test finds them by name and takes every expectation from the API, so
// nothing is tied to one capture's numbers. At 1280×720, 1440×900,
// 1920×1080 and 390×844: no page overflow, no clipped text, axe-core
// without critical/serious violations, screenshots in $SHOTS. Then the
// map's lit path (local delivery, forward, each drop, reassembly), the
// fragment bar and counters against the stack's args at every step of
// frag-out-of-order (the bar's blocks in arrival order, as /state's
// arrivals), the TCP panel's out-of-order ranges and timers (tcp-ooo),
// output steps, filters and keys (the timeline's coloured share against
// the filtered histogram, arrows to packets off the strip), presenter
// mode, the upload dialog and a deep link to a trace that is gone; a lab
// opened in presenter mode at 1280×720.
// Usage: SHOTS=DIR node ui.test.mjs BASE_URL
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { stepNodes, NODES } from '../../static/js/kernel_map.js';
import { decodeFrame, hexToBytes } from '../../static/js/decode.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const base = process.argv[2];
const origin = new URL(base).origin;
const shots = process.env.SHOTS || join(root, 'build', 'ui-e2e');
mkdirSync(shots, { recursive: true });
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const problems = [];
let allowHttpErrors = false;
let failed = 0;

function check(cond, what) {
	if (cond) console.log(`  ok   ${what}`);
	else { console.log(`  FAIL ${what}`); failed++; }
}

// The inspector's decoder, on its own: raw IP (a tun's) by its version,
// IPv6's fixed header in RFC 5952 form, ICMPv6 after it.
{
	const names = (d) => d.headers.map((h) => h.name).join(' ');
	const field = (d, h, name) => (d.headers[h].fields.find((f) => f[0] === name) || [])[1];
	const v6 = decodeFrame(hexToBytes(`6000000000083a40${'fd00'.padEnd(28, '0')}0001${'fd00'.padEnd(28, '0')}000280001234abcd0001`), 12);
	check(names(v6) === 'IPv6 ICMPv6' && field(v6, 0, 'source') === 'fd00::1' && field(v6, 1, 'type') === '128 (echo request)',
		`decode: raw IPv6 is IPv6 then ICMPv6 (${names(v6)}, ${field(v6, 0, 'source')})`);
	const e6 = decodeFrame(hexToBytes(`333300000001020000000aa086dd6000000000083aff${'fe80'.padEnd(28, '0')}0001ff02${'0'.repeat(24)}00018600abcd00000000`), 1);
	check(names(e6) === 'Ethernet II IPv6 ICMPv6' && field(e6, 1, 'destination') === 'ff02::1' && e6.l4off === 54,
		`decode: IPv6 over Ethernet (${names(e6)}, ${field(e6, 1, 'destination')})`);
	const v4 = decodeFrame(hexToBytes('4500001c0000400040010000c0a80001c0a8000208001234abcd0001'), 12);
	check(names(v4) === 'IPv4 ICMP', `decode: raw IPv4 is still IPv4 (${names(v4)})`);
	check(names(decodeFrame(hexToBytes('60000000'), 12)) === 'IPv6 (truncated)', 'decode: a cut IPv6 header is said to be cut');
}

const get = async (path) => (await fetch(`${base}${path}`)).json();

async function waitServer() {
	for (let i = 0; i < 100; i++) {
		try { if ((await fetch(`${base}/api/traces`)).ok) return; } catch { /* not yet */ }
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`server at ${base} did not answer`);
}

let traces = [];
const traceId = (name) => {
	const t = traces.find((x) => x.name === name);
	if (!t) throw new Error(`trace ${name} not served`);
	return t.id;
};

const text = (page, sel) => page.locator(sel).first().innerText();

/** Opens trace/pkt/seq by deep link and waits until the inspector shows seq. */
async function open(page, trace, pkt, seq) {
	await page.evaluate((h) => { location.hash = h; }, `#trace=${trace}&pkt=${pkt}&seq=${seq}`);
	await page.waitForFunction((at) => document.body.dataset.at === at, `${trace}:${pkt}:${seq}`, { timeout: 10000 });
}

/** The classes of a map stage. */
const nodeClass = (page, id) => page.locator(`.mnode[data-node="${id}"]`).getAttribute('class');

/** Layout: no page overflow, no text cut by its box. */
async function layout(page, label) {
	const r = await page.evaluate(() => {
		const de = document.documentElement;
		const clipped = [];
		for (const el of document.querySelectorAll('body *')) {
			const cs = getComputedStyle(el);
			if (!el.childNodes.length || el.offsetParent === null || cs.visibility === 'hidden' || el.closest('.sr')) continue;
			const hasText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
			if (!hasText || ['SELECT', 'OPTION', 'CANVAS', 'svg', 'text', 'TEXTAREA', 'INPUT', 'PRE'].includes(el.tagName)) continue;
			if (cs.overflowX === 'auto' || cs.overflowX === 'scroll') continue;
			if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 && (cs.overflowX === 'hidden' || cs.textOverflow === 'ellipsis')) clipped.push(`${el.tagName}.${el.className}: ${el.textContent.slice(0, 30)}`);
		}
		/* boxes that must hold their text whole: nothing sticks out of them either */
		for (const el of document.querySelectorAll('.mnode, .mnode *, .badge, button, th, td, .vtab, .token, h2, .jmsg, dt, dd, label, .jtree, .jtree .fn, .card-s')) {
			if (el.offsetParent === null || !el.clientWidth || el.closest('.sr')) continue;
			if (el.scrollWidth > el.clientWidth + 1) clipped.push(`${el.tagName}.${el.className} overflows: ${el.textContent.slice(0, 30)}`);
		}
		const small = [...document.querySelectorAll('body *')].filter((el) => el.offsetParent !== null && [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())
			&& parseFloat(getComputedStyle(el).fontSize) < 16).map((el) => `${el.tagName}.${el.className}`);
		return { over: de.scrollWidth - de.clientWidth, clipped: clipped.slice(0, 5), small: small.slice(0, 5) };
	});
	check(r.over <= 0, `${label}: no horizontal page overflow (${r.over} px)`);
	check(!r.clipped.length, `${label}: no clipped text ${r.clipped.join(' | ')}`);
	check(!r.small.length, `${label}: all text at 16 px or more ${r.small.join(' | ')}`);
}

/** The focus ring against what is behind it: at least 3:1. */
async function focusRing(page, label) {
	const r = await page.evaluate(() => {
		const lum = (c) => {
			const [r, g, b] = c.match(/[\d.]+/g).slice(0, 3).map((v) => { const x = Number(v) / 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
			return 0.2126 * r + 0.7152 * g + 0.0722 * b;
		};
		const bgOf = (el) => { for (let e = el; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor; if (!/rgba\(.*, 0\)$/.test(c) && c !== 'transparent') return c; } return 'rgb(255, 255, 255)'; };
		const out = [];
		for (const sel of ['[data-act="fwd"]', '#pk-body tr', '.vtab', '#presenter', '#filters input[name="expr"]']) {
			const el = document.querySelector(sel);
			if (!el) continue;
			el.focus();
			const cs = getComputedStyle(el);
			const a = lum(cs.outlineColor), b = lum(bgOf(el.parentElement));
			out.push([sel, cs.outlineStyle, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)]);
		}
		return out;
	});
	for (const [sel, style, ratio] of r) check(style !== 'none' && ratio >= 3, `${label}: focus ring of ${sel} at ${ratio.toFixed(1)}:1`);
}

async function axe(page, label) {
	await page.addScriptTag({ content: axeSource });
	const res = await page.evaluate(async () => {
		const r = await window.axe.run(document, { resultTypes: ['violations'] });
		return r.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => `${v.id} (${v.nodes.length}): ${v.nodes[0].target}`);
	});
	check(!res.length, `${label}: axe-core finds no critical or serious violation ${res.join(' | ')}`);
}

async function sizes(browser) {
	const def = traceId('default.pcap');
	const frag = traceId('frag-out-of-order.pcap');
	for (const [w, h] of [[1280, 720], [1440, 900], [1920, 1080], [390, 844]]) {
		const page = await browser.newPage();
		await page.setViewportSize({ width: w, height: h });
		watch(page);
		check(await page.evaluate(() => innerWidth) === w, `the window is ${w} px wide`);
		await page.goto(`${base}/#trace=${frag}&pkt=6&seq=187`);
		await page.waitForFunction(() => document.querySelector('#ev .seq'));
		await page.waitForTimeout(600);
		await page.screenshot({ path: join(shots, `ui-${w}x${h}.png`) });
		await layout(page, `${w}×${h}`);
		await axe(page, `${w}×${h}`);
		if (w === 1280) await focusRing(page, `${w}×${h}`);
		if (w === 1280 || w === 390) {	/* the State tab at a queued fragment: the byte bar in arrival order */
			await open(page, frag, 5, (await get(`/api/traces/${frag}/packets/5`)).steps.find((e) => e.fn === 'ip_frag_queue' && e.ph === 'E').seq);
			await page.click('#st-state');
			await page.waitForSelector('#state .fragbar .seg.newest');
			await page.locator('#state .fragbar').first().scrollIntoViewIfNeeded();
			await page.screenshot({ path: join(shots, `ui-${w}x${h}-fragbar.png`) });
			await layout(page, `${w}×${h} fragment bar`);
			await axe(page, `${w}×${h} fragment bar`);
			await page.click('#st-inspector');
		}
		await page.click('#presenter');
		await page.goto(`${base}/#trace=${def}&pkt=1&seq=26`);
		await page.waitForTimeout(500);
		await page.screenshot({ path: join(shots, `ui-${w}x${h}-presenter.png`) });
		await layout(page, `${w}×${h} presenter`);
		await page.close();
	}
}

/** The lit path for a local delivery, a forward, each ip_rcv drop, a reassembly. */
async function mapPaths(page) {
	const def = traceId('default.pcap');
	const p1 = await get(`/api/traces/${def}/packets/1`);
	await open(page, def, 1, p1.steps[p1.steps.length - 1].seq);
	for (const id of ['driver', 'netif_rcv', 'ip_rcv', 'route', 'local_deliver', 'local_in', 'l4']) check(/\bdone\b/.test(await nodeClass(page, id)), `local delivery: stage ${id} lit`);
	for (const id of ['forward', 'fwd_hook', 'ip6_rcv']) check(/\boff\b/.test(await nodeClass(page, id)), `local delivery: stage ${id} grey`);
	check(await page.locator('.token').count() >= 2, 'the reply is a token of its own beside the received skb');
	const born = await page.locator('.map-arrows line.link').count();
	check(born >= 1, 'an arrow links the received skb to the reply');
	/* an output step: the inspector follows the reply's skb */
	const out = p1.steps.find((e) => e.fn === 'dev_queue_xmit');
	await open(page, def, 1, out.seq);
	check((await text(page, '#skb-h')).includes(`skb ${out.skb}`), `on dev_queue_xmit the inspector shows skb ${out.skb}, the reply`);
	await page.waitForSelector('#hdrs .htree');
	const [, a, b] = /^(\S+?)(?::\d+)? > (\S+?)(?::\d+)?:/.exec(p1.summary);
	const field = async (name) => page.evaluate((n) => {
		const f = [...document.querySelectorAll('#hdrs .htree')].find((d) => d.querySelector('summary').textContent.startsWith('IPv4'));
		const r = f && [...f.querySelectorAll('.fld')].find((x) => x.querySelector('.k').textContent === n);
		return r ? r.querySelector('.v').textContent : '';
	}, name);
	check(await field('source') === b && await field('destination') === a, `the reply's IPv4 header goes ${b} > ${a}, back to the sender`);
	check(await page.locator('#hex span[data-o]').count() > 0, 'and its bytes are dumped');
	await page.locator('#hdrs .fld', { hasText: 'destination' }).last().click();
	check(await page.locator('#hex .sel').count() >= 4, 'a header field lights its bytes in the hex dump');
	await page.locator('#hex span[data-o="23"]').click();
	check((await page.locator('#hdrs .fld.sel .k').innerText()) === 'protocol', 'a byte selects its field (byte 23: the IPv4 protocol)');
	check(/\bcurrent\b/.test(await nodeClass(page, 'xmit')), 'the token stands on dev_queue_xmit');

	const fw = traceId('route-forward.jsonl');
	const r404 = await get(`/api/traces/${fw}/skbs/999999`);
	check(r404.frame === null && r404.why, `an skb never sent has no bytes to give, and the answer says why (${r404.why})`);
	const pkts = (await get(`/api/traces/${fw}/packets?limit=50`)).packets;
	const f = pkts.find((p) => p.verdict === 'forwarded');
	check(!!f, 'route-forward has a forwarded packet');
	if (f) {
		const d = await get(`/api/traces/${fw}/packets/${f.n}`);
		await open(page, fw, f.n, d.steps[d.steps.length - 1].seq);
		for (const id of ['route', 'forward', 'fwd_hook', 'ip_output', 'post', 'xmit']) check(/\bdone\b/.test(await nodeClass(page, id)), `forward: stage ${id} lit`);
		const ttl = async () => page.locator('#hdrs .fld', { hasText: 'TTL' }).first().locator('.v').innerText();
		const x = d.steps.find((e) => e.fn === 'dev_queue_xmit');
		await open(page, fw, f.n, d.steps[1].seq);
		const ttlIn = Number(await ttl());
		await open(page, fw, f.n, x.seq);
		await page.waitForFunction(() => document.querySelector('#skb-h').textContent.includes('left the host'));
		check(Number(await ttl()) === ttlIn - 1, `the forwarded frame leaves with TTL ${ttlIn - 1}, one less than it came (${ttlIn})`);
		check(/\boff\b/.test(await nodeClass(page, 'local_in')), 'forward: LOCAL_IN grey');
	}
	const nf = traceId('nf-drop.jsonl');
	const nfp = (await get(`/api/traces/${nf}/packets?limit=50`)).packets.find((p) => p.reason === 'NETFILTER_DROP');
	check(!!nfp, 'nf-drop has a packet dropped by a rule');
	if (nfp) {
		const d = await get(`/api/traces/${nf}/packets/${nfp.n}`);
		const hook = d.steps.find((e) => e.fn === 'nf_hook' && e.args && e.args.verdict === 'DROP');
		await open(page, nf, nfp.n, hook.seq);
		const node = { PRE_ROUTING: 'pre', LOCAL_IN: 'local_in', FORWARD: 'fwd_hook', LOCAL_OUT: 'out_hook', POST_ROUTING: 'post' }[hook.args.hook];
		check((await text(page, `.mnode[data-node="${node}"] .mextra`)).includes(`${hook.args.rules.length} rule`) , `the ${hook.args.hook} hook counts the rules it evaluated`);
		const decided = hook.args.rules.find((r) => r.matched);
		check((await text(page, '#map-caption .cap-rules li.decided')).includes(decided.rule), `the caption marks the rule that decided ("${decided.rule}")`);
		await page.locator(`.mnode[data-node="${node}"]`).click();
		check(await page.locator('#vt-tree[aria-selected="true"]').count() === 1 && await page.locator('#journey .jrow.current').count() === 1,
			'clicking a stage zooms into the call tree');
		await axe(page, 'call tree');
		await layout(page, 'call tree at 1280×720');
		const names = await page.$$eval('#journey .jtree .fn', (els) => els.map((e) => e.textContent));
		const walk = (ns) => ns.flatMap((x) => [x.fn, ...walk(x.children || [])]);
		const want = walk(d.tree);
		check(names.join() === want.join(), `the call tree names all ${want.length} calls in order, whole`);
		await page.click('#vt-steps');
		await axe(page, 'step cards');
		await page.click('#vt-flows');
		await page.locator('#flows tr[data-i]').first().click();
		await page.waitForSelector('#flows svg.ladder');
		check(await page.locator('#flows svg.ladder g[data-n]').count() > 0, 'a flow draws its ladder');
		await axe(page, 'flows');
		await page.click('#vt-map');
		await page.selectOption('#speed', '2');
		check(await page.evaluate(() => getComputedStyle(document.querySelector('#map')).getPropertyValue('--move').trim()) === '225ms', 'at 2× a move takes half the time');
		await page.selectOption('#speed', '1');
	}
	for (const name of ['ip-bad-csum.pcap', 'ip-bad-version.pcap', 'ip-short-header.pcap', 'ip-totlen-too-big.pcap']) {
		const t = traceId(name);
		const d = await get(`/api/traces/${t}/packets/1`);
		const k = d.steps.find((e) => e.fn === 'kfree_skb');
		await open(page, t, 1, k.seq);
		check(/\bdropped\b/.test(await nodeClass(page, 'ip_rcv')), `${name}: the drop is pinned on ip_rcv`);
		check((await text(page, '.mnode[data-node="ip_rcv"] .pin')).includes(d.reason), `${name}: the pin names ${d.reason}`);
		const cap = await text(page, '#map-caption');
		const before = d.steps[d.steps.indexOf(k) - 1];
		check(cap.includes(before.msg), `${name}: the caption gives the values compared ("${before.msg}")`);
		check(/\boff\b/.test(await nodeClass(page, 'route')), `${name}: the routing decision stays grey`);
		const failedCheck = await page.locator('#explain li.failed').count();
		check(failedCheck === 1, `${name}: the failed check is marked in ip_rcv_core's checklist`);
		const hl = await page.locator('#hex .hl').count();
		check(hl > 0 && hl <= 6, `${name}: only the bytes the check reads are highlighted (${hl})`);
	}
	const frag = traceId('frag-out-of-order.pcap');
	const list = (await get(`/api/traces/${frag}/packets?limit=50`)).packets;
	for (const p of list) {
		const d = await get(`/api/traces/${frag}/packets/${p.n}`);
		const re = d.steps.find((e) => e.from && e.from.length);
		if (!re) continue;
		await open(page, frag, p.n, re.seq);
		check(await page.locator(`.token.t-reasm[data-skb="${re.skb}"]`).count() === 1, `reassembly: skb ${re.skb} appears as its own token`);
		await page.waitForFunction(() => document.querySelector('#skb-h').textContent.includes('reassembled') && document.querySelector('#hdrs .htree'));
		check((await text(page, '#hdrs')).includes(`total length\n${re.args.tot_len}`) || (await text(page, '#hdrs')).includes(`total length\t${re.args.tot_len}`)
			|| (await page.locator('#hdrs .fld', { hasText: 'total length' }).first().locator('.v').innerText()) === String(re.args.tot_len),
			`the reassembled datagram's header says total length ${re.args.tot_len}, as ip_frag_reasm does`);
		check(/\bdone\b/.test(await nodeClass(page, 'defrag')), 'reassembly: ip_defrag lit');
	}
}

/**
 * At every step of frag-out-of-order: the byte bar's blocks, in order,
 * are the fold's arrivals (/state), and the counters the events' sums.
 * Stepped in the page with the keyboard (→ within a packet, n and Home to
 * the next), the DOM read and /state fetched in the page at each step.
 */
async function fragSteps(page) {
	const frag = traceId('frag-out-of-order.pcap');
	const list = (await get(`/api/traces/${frag}/packets?limit=50`)).packets;
	await page.click('#st-state');
	const first = await get(`/api/traces/${frag}/packets/${list[0].n}`);
	await open(page, frag, list[0].n, first.steps[0].seq);
	const t0 = Date.now();
	const r = await page.evaluate(async ([frag, ns]) => {
		const out = { steps: 0, bars: 0, queued: 0, counters: 0, bad: [] };
		const totals = {};
		const key = (k) => document.body.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
		const until = async (f) => {
			for (const t = performance.now(); !f();) {
				if (performance.now() - t > 5000) return false;
				await new Promise((res) => setTimeout(res, 2));
			}
			return true;
		};
		const rows = (sel) => [...document.querySelectorAll(sel)];
		for (const [k, n] of ns.entries()) {
			const d = await (await fetch(`/api/traces/${frag}/packets/${n}`)).json();
			for (const [i, e] of d.steps.entries()) {
				const st = fetch(`/api/traces/${frag}/state?seq=${e.seq}`).then((x) => x.json());
				if (i === 0 && k > 0) { key('n'); await until(() => document.body.dataset.at.startsWith(`${frag}:${n}:`)); key('Home'); }
				else if (i > 0) key('ArrowRight');
				const shown = await until(() => document.body.dataset.at === `${frag}:${n}:${e.seq}`
					&& (document.querySelector('#state h3 .muted') || {}).textContent === `at seq ${e.seq}`);
				out.steps++;
				for (const [c, v] of Object.entries(e.mib || {})) totals[c] = (totals[c] || 0) + v;
				if (e.fn === 'ip_frag_queue' && e.ph === 'E' && e.args && e.args.meat !== undefined) out.queued++;
				if (!shown) { out.bad.push(`seq ${e.seq}: not reached by the keys (at ${document.body.dataset.at})`); continue; }
				const want = ((await st).frags || []).map((q) => (q.arrivals || []).map((x) => [x.offset, x.offset + x.len]));
				if (want.length) out.bars++;
				const bars = rows('#state .fragbar');
				const got = bars.map((b) => [...b.querySelectorAll('.seg')].map((x) => [Number(x.dataset.off), Number(x.dataset.end)]));
				const newest = bars.map((b) => [...b.querySelectorAll('.seg')].findIndex((x) => x.classList.contains('newest')));
				if (JSON.stringify(got) !== JSON.stringify(want) || newest.some((j, q) => j !== want[q].length - 1)) out.bad.push(`seq ${e.seq}: bar ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
				const trs = rows('#state tr[data-k]');
				const vals = Object.fromEntries(trs.map((tr) => [tr.dataset.k, Number(tr.children[1].textContent)]));
				const plus = Object.fromEntries(trs.filter((tr) => tr.children[2].textContent).map((tr) => [tr.dataset.k, tr.children[2].textContent]));
				const ok = Object.entries(totals).every(([c, v]) => vals[c] === v) && Object.entries(e.mib || {}).every(([c, v]) => plus[c] === `+${v}`)
					&& Object.keys(plus).every((c) => e.mib && e.mib[c] !== undefined);
				if (!ok) out.bad.push(`seq ${e.seq}: counters ${JSON.stringify(vals)} vs events ${JSON.stringify(totals)}, ${JSON.stringify(plus)}`);
				else out.counters++;
			}
		}
		return out;
	}, [frag, list.map((p) => p.n)]);
	const secs = (Date.now() - t0) / 1000;
	const total = list.reduce((a, p) => a + p.events, 0);	/* every event of every packet */
	check(!r.bad.length && r.steps === total && r.bars > r.queued && r.queued > 0, `stepped with the keyboard through all ${r.steps} of ${total} steps in ${secs.toFixed(1)} s: at each the fragment bar's blocks, in order, are /state's arrivals, the newest marked (${r.bars} with a queue, ${r.queued} queued a fragment) ${r.bad.slice(0, 3).join(' | ')}`);
	const counters = r.counters;
	check(counters > 10, `the counters matched the events' sums with "+n" on the counting step at ${counters} steps`);
	/* the routing lookup the journey made, with the prefix that matched */
	const d1 = await get(`/api/traces/${frag}/packets/${list[0].n}`);
	const fib = d1.steps.find((e) => e.fn === 'fib_table_lookup' && e.args && e.args.match);
	if (fib) {
		await open(page, frag, list[0].n, fib.seq);
		await page.waitForFunction((q) => { const h = document.querySelector('#state h3 .muted'); return h && h.textContent === `at seq ${q}`; }, fib.seq);
		check((await text(page, '#state [aria-label="routing lookup"] tr.matched')).includes(fib.args.match), `the FIB card marks the matched route "${fib.args.match}"`);
	}
	await page.click('#st-inspector');
}

/**
 * The TCP socket panel on a capture with out-of-order segments
 * (pcaps/tcp-ooo.pcap, uploaded): at the end of a segment that left
 * out-of-order ranges the panel lists each range with the options and the
 * receive queue, and at a step where the fold reports armed timers each
 * timer with its time left at that event; at 1280×720 and 390×844 with
 * no clipped text, no overflow, axe clean. (Linux ACKs out-of-order data
 * at once, so no step of these captures has both.)
 */
async function tcpPanel(browser) {
	const up = await (await fetch(`${base}/api/traces?name=tcp-ooo.pcap&infer=0`, { method: 'POST', body: readFileSync(join(root, 'pcaps', 'tcp-ooo.pcap')),
		headers: { 'Content-Type': 'application/octet-stream' } })).json();
	const rows = (await get(`/api/traces/${up.id}/packets?limit=100`)).packets;
	let ofo = null, tim = null;
	for (const r of rows) {
		const d = await get(`/api/traces/${up.id}/packets/${r.n}`);
		const last = d.steps[d.steps.length - 1];
		const st = await get(`/api/traces/${up.id}/state?seq=${last.seq}`);
		const k = (st.sockets || []).find((x) => x.ofo && x.ofo.ranges && x.ofo.ranges.length);
		const t = (st.sockets || []).find((x) => x.remote && x.timers && x.timers.length);
		if (k && !ofo) ofo = { n: r.n, seq: last.seq, k };
		if (t && !tim) tim = { n: r.n, seq: last.seq, k: t };
	}
	check(!!ofo && !!tim, `tcp-ooo: steps where the fold holds out-of-order ranges${ofo ? ` (#${ofo.n}, seq ${ofo.seq})` : ''} and armed timers${tim ? ` (#${tim.n}, seq ${tim.seq})` : ''}`);
	if (!ofo || !tim) return;
	/** The socket card of at.k, at its step, in the State tab. */
	const cardAt = async (page, at) => {
		await page.goto(`${base}/#trace=${up.id}&pkt=${at.n}&seq=${at.seq}`);
		await page.waitForFunction((a) => document.body.dataset.at === a, `${up.id}:${at.n}:${at.seq}`, { timeout: 10000 });
		await page.click('#st-state');
		await page.waitForFunction((s) => { const x = document.querySelector('#state h3 .muted'); return x && x.textContent === `at seq ${s}`; }, at.seq);
		const card = page.locator('#state .sock', { hasText: at.k.remote }).first();
		await card.scrollIntoViewIfNeeded();
		return card;
	};
	for (const [w, h] of [[1280, 720], [390, 844]]) {
		const page = await browser.newPage();
		await page.setViewportSize({ width: w, height: h });
		watch(page);
		let card = await cardAt(page, ofo);
		const ranges = await card.locator('.ofo-ranges li[data-start]').evaluateAll((ls) => ls.map((l) => [Number(l.dataset.start), Number(l.dataset.end)]));
		const txt = await card.innerText();
		check(JSON.stringify(ranges) === JSON.stringify(ofo.k.ofo.ranges), `${w}×${h}: the socket panel lists the out-of-order ranges ${JSON.stringify(ofo.k.ofo.ranges)} (${JSON.stringify(ranges)})`);
		check(txt.includes(`${ofo.k.rcvq.bytes} bytes in ${ofo.k.rcvq.segs} segment`) && txt.includes(String(ofo.k.mss)) && /SACK/.test(txt) && /timestamps/.test(txt) && txt.includes(`window scale peer ${ofo.k.snd_wscale}, ours ${ofo.k.rcv_wscale}`),
			`${w}×${h}: with mss ${ofo.k.mss}, the window scales, SACK, timestamps and the receive queue`);
		await page.screenshot({ path: join(shots, `ui-${w}x${h}-tcp-ofo.png`) });
		await layout(page, `${w}×${h} TCP panel`);
		await axe(page, `${w}×${h} TCP panel`);
		card = await cardAt(page, tim);
		const timers = await card.locator('.timers li[data-timer]').evaluateAll((ls) => ls.map((l) => [l.dataset.timer, Number(l.dataset.in), l.textContent]));
		check(tim.k.timers.every((t, i) => timers[i] && timers[i][0] === t.timer && timers[i][1] === t.in_ns && /fires in|overdue/.test(timers[i][2])),
			`${w}×${h}: each armed timer with its time left at seq ${tim.seq} (${timers.map((t) => t[2]).join('; ')})`);
		await layout(page, `${w}×${h} TCP timers`);
		await page.close();
	}
}

async function filtersAndKeys(page) {
	const def = traceId('default.pcap');
	await page.goto(`${base}/#trace=${def}&pkt=1`);
	await page.waitForFunction((t) => document.body.dataset.at.startsWith(`${t}:1:`), def);
	const all = (await get(`/api/traces/${def}/packets?limit=500`)).packets;
	const listed = await page.waitForFunction((n) => document.querySelectorAll('#pk-body tr').length === n, all.length, { timeout: 5000 }).then(() => true, () => false);
	check(listed, `the list shows the trace's ${all.length} packets`);
	const udp = (await get(`/api/traces/${def}/packets?limit=500&filter=udp`)).packets;
	const last = udp[udp.length - 1];
	const timeOf = async (n) => page.locator(`#pk-body tr[data-n="${n}"] td`).nth(1).innerText();
	const t1 = await timeOf(last.n);
	await page.fill('#filters input[name="expr"]', 'udp');
	await page.locator('#filters button[type="submit"]').click();
	await page.waitForFunction((n) => document.querySelectorAll('#pk-body tr').length === n, udp.length);
	check((await text(page, '#pk-count')) === `${udp.length} of ${all.length} shown`, `the count says "${udp.length} of ${all.length} shown"`);
	check(await timeOf(last.n) === t1, 'filtered rows keep their times since the first packet of the trace');
	await page.waitForFunction((n) => document.querySelector('#j-title').textContent.startsWith(`#${n}:`), udp[0].n);
	check(true, 'the selection moved to a shown packet');
	allowHttpErrors = true;
	await page.fill('#filters input[name="expr"]', 'tcp port ((');
	await page.locator('#filters button[type="submit"]').click();
	await page.waitForFunction(() => document.querySelector('#expr-err').textContent);
	check(await page.locator('#filters input[name="expr"][aria-invalid="true"]').count() === 1, 'a bad expression marks its field');
	check(await page.locator('#pk-body tr').count() === 0, 'and leaves no stale result');
	allowHttpErrors = false;
	await page.locator('#filters button[type="reset"]').click();
	await page.waitForFunction((n) => document.querySelectorAll('#pk-body tr').length === n, all.length);
	/* the packets that ran any function named udp_*, asked name by name */
	const names = (await get(`/api/traces/${def}/histogram?buckets=1`)).names.filter((n) => n.startsWith('udp_'));
	const want = new Set();
	for (const fn of names) for (const p of (await get(`/api/traces/${def}/packets?limit=500&fn=${fn}`)).packets) want.add(p.n);
	await page.fill('#filters input[name="fn"]', 'udp_');
	await page.locator('#filters button[type="submit"]').click();
	await page.waitForFunction((n) => document.querySelectorAll('#pk-body tr').length === n && !document.querySelector('#expr-err').textContent, want.size, { timeout: 5000 })
		.then(() => check(want.size > 0, `function prefix "udp_" (${names.join(', ')}) finds their ${want.size} packets`),
			async () => check(false, `function prefix "udp_": ${await page.locator('#pk-body tr').count()} rows, want ${want.size}`));
	check(await page.locator('#fn-names option[value="udp_rcv"]').count() === 1, 'function names are suggested');
	await page.locator('#filters button[type="reset"]').click();
	await page.waitForFunction((n) => document.querySelectorAll('#pk-body tr').length === n, all.length);
	/* keys */
	await page.locator('#pk-body tr').nth(0).click();
	await page.locator('#pk-body tr').nth(0).focus();
	await page.keyboard.press('ArrowDown');
	await page.keyboard.press('ArrowDown');
	await page.keyboard.press('Enter');
	await page.waitForFunction((n) => document.querySelector('#j-title').textContent.startsWith(`#${n}:`), all[2].n);
	check(true, '↓ ↓ Enter opens the third packet');
	const pos = async () => Number((await text(page, '#j-pos')).match(/step (\d+)/)[1]);
	await page.locator('#map').click({ position: { x: 2, y: 2 } });
	await page.keyboard.press('Home');
	await page.keyboard.press('PageDown');
	await page.keyboard.press('ArrowRight');
	check(await pos() === 3, 'PageDown and → step forward');
	await page.keyboard.press('PageUp');
	check(await pos() === 2, 'PageUp steps back');
	await page.locator('[data-act="fwd"]').focus();
	await page.keyboard.press('Space');
	await page.waitForTimeout(900);
	check(await pos() === 3 && (await page.locator('[data-act="play"]').getAttribute('aria-pressed')) !== 'true', 'Space on the focused Step button steps once and does not start Play');
}

/** Lab 3 link by link: each link opens its step, and the map stands on that step's stage. */
async function lab3(page) {
	const o = await (await fetch(`${base}/api/lessons/3/open`, { method: 'POST' })).json();
	const links = o.links.filter((l) => l.seq);
	check(links.length > 0, `lab 3 has ${links.length} links`);
	await page.goto(`${base}/#lesson=3`);
	await page.waitForSelector('#lesson-body .lesson-links a');
	check(await page.locator('#st-lesson[aria-selected="true"]').count() === 1, 'the open lab is the side panel\'s selected tab');
	for (const [i, l] of links.entries()) {
		await page.locator('#lesson-body .lesson-links a').nth(i).click();
		await page.waitForFunction((at) => document.body.dataset.at === at, `${o.trace}:${l.pkt}:${l.seq}`, { timeout: 10000 });
		const d = await get(`/api/traces/${o.trace}/packets/${l.pkt}`);
		const k = d.steps.findIndex((e) => e.seq === l.seq);
		const nodes = stepNodes(d.steps);
		const cur = await page.locator('.mnode.current').getAttribute('data-node');
		const e = d.steps[k];
		/* an E step stands where its call's last step was */
		const want = e.ph === 'E' ? nodes.slice(0, k + 1).filter((_, j) => d.steps[j].ph !== 'E').pop() : nodes[k];
		check(cur === want, `lab 3 link ${i + 1} (${l.fn} at seq ${l.seq}): the map stands on ${want} (${cur})`);
		check(await page.locator('#lesson-body .lesson-links a.current').count() === 1, `lab 3 link ${i + 1}: the link is marked current`);
	}
	await axe(page, 'lab 3 open');
	await page.click('#presenter');
	check((await text(page, '#lesson-caption')).includes('Lesson 3'), 'presenter mode shows the lab as a caption bar');
	await layout(page, 'lab 3 in presenter mode');
	await page.click('#presenter');
}

/**
 * A lab opens in presenter mode (issue 22 item 5), at 1280×720: from the
 * lessons list and from the deep link ?lesson=N&present=1 a teacher hands
 * out: the lesson as a caption bar, large Back/Play/Step, PageUp/PageDown
 * for a clicker, no page overflow, no clipped text, axe-core clean.
 */
async function labPresenter(browser) {
	const page = await browser.newPage();
	await page.setViewportSize({ width: 1280, height: 720 });
	watch(page);
	const o = await (await fetch(`${base}/api/lessons/3/open`, { method: 'POST' })).json();
	await page.goto(`${base}/?lesson=3&present=1`);
	await page.waitForSelector('#lesson-body .lesson-links a');
	await page.waitForFunction((t) => document.body.dataset.at && document.body.dataset.at.startsWith(`${t}:`), o.trace);
	check(await page.evaluate(() => document.body.classList.contains('presenter')) && await page.locator('#presenter[aria-pressed="true"]').count() === 1,
		'?lesson=3&present=1 opens lab 3 in presenter mode');
	check(/#lesson=3&.*present=1/.test(page.url()), `the deep link keeps present=1 (${page.url().split('#')[1]})`);
	const cap = page.locator('#lesson-caption');
	check(await cap.isVisible() && (await cap.innerText()).includes('Lesson 3'), 'the lesson is a caption bar');
	const big = await page.evaluate(() => ['back', 'play', 'fwd'].map((a) => {
		const b = document.querySelector(`.steps [data-act="${a}"]`);
		const r = b.getBoundingClientRect();
		return parseFloat(getComputedStyle(b).fontSize) >= 22 && r.height >= 40 && r.bottom <= innerHeight && r.right <= innerWidth;
	}));
	check(big.every(Boolean), `Back, Play and Step are large and on screen (${big})`);
	const seqNow = async () => Number((await page.evaluate(() => document.body.dataset.at)).split(':')[2]);
	const s0 = await seqNow();
	await page.locator('#map').click({ position: { x: 2, y: 2 } });	/* focus on the stage, as a clicker's keys land there */
	await page.keyboard.press('PageDown');
	await page.waitForFunction((s) => Number(document.body.dataset.at.split(':')[2]) !== s, s0);
	const s1 = await seqNow();
	await page.keyboard.press('PageUp');
	await page.waitForFunction((s) => Number(document.body.dataset.at.split(':')[2]) !== s, s1);
	check(s1 > s0 && await seqNow() === s0, `PageDown steps forward (seq ${s0} → ${s1}), PageUp back`);
	check(/next:/.test(await cap.innerText()), 'the caption names the next link');
	await page.waitForTimeout(400);
	await page.screenshot({ path: join(shots, 'ui-1280x720-lab-presenter.png') });
	await layout(page, 'lab 3 from ?lesson=3&present=1 at 1280×720');
	await axe(page, 'lab 3 presenter at 1280×720');
	await page.reload();
	await page.waitForSelector('#lesson-body .lesson-links a');
	check(await page.evaluate(() => document.body.classList.contains('presenter')), 'a reload stays in presenter mode');
	/* the Presenter button leaves it; opening a lab from the list enters it again */
	await page.click('#presenter');
	check(!(await page.evaluate(() => document.body.classList.contains('presenter'))) && !/present=1/.test(page.url()), 'the Presenter button leaves presenter mode');
	await page.goto(`${base}/#lessons`);
	await page.locator('#lessons-list a[data-lesson="2"]').click();
	await page.waitForFunction(() => /Lesson 2/.test(document.querySelector('#lesson-caption').textContent));
	check(await page.evaluate(() => document.body.classList.contains('presenter')) && await cap.isVisible(), 'a lab opened from the lessons list is in presenter mode');
	await page.waitForTimeout(400);
	await layout(page, 'lab 2 from the list at 1280×720');
	await page.setViewportSize({ width: 390, height: 844 });	/* a student following on a phone */
	await page.waitForTimeout(400);
	await page.screenshot({ path: join(shots, 'ui-390x844-lab-presenter.png') });
	await layout(page, 'lab 2 in presenter mode at 390×844');
	await axe(page, 'lab 2 in presenter mode at 390×844');
	await page.close();
}

/**
 * IPv6 beside IPv4 (issue 21 item 1): an ICMPv6 echo request lights
 * ipv6_rcv → ip6_rcv_core → ip6_route_input → ip6_input → icmpv6_rcv and,
 * for the reply, ip6_output → neighbour → dev_queue_xmit, with IPv4's
 * stages grey; a forwarded IPv6 packet lights ip6_forward instead of
 * ip6_input; a fragment stands on ipv6_frag_rcv.
 */
async function ipv6Map(page) {
	const echo = traceId('ipv6-echo.pcap');
	const rows = (await get(`/api/traces/${echo}/packets?limit=50`)).packets;
	let req = null;
	for (const r of rows) {
		const d = await get(`/api/traces/${echo}/packets/${r.n}`);
		if (d.steps.some((e) => e.fn === 'icmpv6_echo_reply')) { req = d; break; }
	}
	check(!!req, `ipv6-echo.pcap has an echo request the host answers (#${req && req.n})`);
	if (!req) return;
	const last = req.steps[req.steps.length - 1];
	await open(page, echo, req.n, last.seq);
	const lit = ['ip6_rcv', 'ip6_core', 'ip6_route', 'ip6_local', 'ip6_icmp', 'ip6_out', 'neigh', 'xmit'];
	for (const id of lit) check(/\bdone\b/.test(await nodeClass(page, id)), `IPv6 echo: stage ${id} lit`);
	for (const id of ['ip_rcv', 'route', 'local_deliver', 'l4', 'ip6_fwd', 'ip6_frag', 'ip6_l4']) check(/\boff\b/.test(await nodeClass(page, id)), `IPv6 echo: stage ${id} grey`);
	check(await page.locator('#map .token.t-out').count() >= 1, 'IPv6 echo: the reply is a token of its own');
	await page.waitForTimeout(600);	/* the tokens' move */
	await page.locator('.mnode[data-node="ip6_out"]').scrollIntoViewIfNeeded();
	await page.screenshot({ path: join(shots, 'ui-map-ipv6-echo.png') });
	const fwd = traceId('ipv6-forward.jsonl');
	const f = (await get(`/api/traces/${fwd}/packets?verdict=forwarded&limit=1`)).packets[0];
	const fd = await get(`/api/traces/${fwd}/packets/${f.n}`);
	await open(page, fwd, f.n, fd.steps[fd.steps.length - 1].seq);
	check(/\bdone\b/.test(await nodeClass(page, 'ip6_fwd')) && /\boff\b/.test(await nodeClass(page, 'ip6_local')), 'IPv6 forward: ip6_forward lit, ip6_input grey');
	const fr = traceId('ipv6-frag.pcap');
	const q = (await get(`/api/traces/${fr}/packets?verdict=queued&limit=1`)).packets[0];
	const qd = await get(`/api/traces/${fr}/packets/${q.n}`);
	await open(page, fr, q.n, qd.steps[qd.steps.length - 1].seq);
	check(/\bdone\b/.test(await nodeClass(page, 'ip6_frag')), 'IPv6 fragment: ipv6_frag_rcv lit');
}

/** Every function of the served traces lands on a stage by name or by its caller, never by chance. */
async function mapCoverage() {
	const ids = new Set(NODES.map((n) => n.id));
	let steps = 0, bad = [];
	for (const t of traces) {
		const list = (await get(`/api/traces/${t.id}/packets?limit=50`)).packets;
		for (const p of list) {
			const d = await get(`/api/traces/${t.id}/packets/${p.n}`);
			stepNodes(d.steps).forEach((n, i) => { steps++; if (!ids.has(n)) bad.push(`${d.steps[i].fn}→${n}`); });
		}
	}
	check(steps > 500 && !bad.length, `all ${steps} steps of the served traces land on a stage of the map ${bad.slice(0, 5).join(' ')}`);
}

/** A long pause between packets is squeezed and labelled on the time strip. */
async function timeGaps(page) {
	const t = traceId('frag-timeout.pcap');
	const rows = (await get(`/api/traces/${t}/packets?limit=50`)).packets;
	const ts = rows.map((r) => Number(r.ts.split('.')[0]) + Number(r.ts.split('.')[1]) / 1e9);
	const gap = Math.max(...ts.slice(1).map((x, i) => x - ts[i]));
	await page.goto(`${base}/#trace=${t}&pkt=1`);
	await page.click('#vt-timeline');
	await page.waitForSelector('#tl-time .slice');
	const labels = await page.locator('#tl-time .gap').allInnerTexts();
	check(labels.some((l) => l.startsWith('⟂') && l.includes(`${+gap.toFixed(1)} s`)), `the ${gap.toFixed(1)} s pause is labelled on the time strip (${labels.join(', ')})`);
	check(await page.locator('#tl-time .slice').count() === rows.length, 'one slice per packet');
	await page.locator('#tl-time .slice').last().click();
	await page.waitForFunction((n) => document.body.dataset.at.startsWith(`${document.body.dataset.at.split(':')[0]}:${n}:`), rows[rows.length - 1].n);
	check(true, 'clicking a slice opens its packet');
	await page.focus('#timeline');
	const before = await text(page, '#tl-range');
	await page.keyboard.press('+');
	await page.waitForFunction((b) => document.querySelector('#tl-range').textContent !== b, before);
	const zoomed = await text(page, '#tl-range');
	await page.keyboard.press('ArrowRight');
	await page.waitForFunction((b) => document.querySelector('#tl-range').textContent !== b, zoomed);
	check(true, 'the timeline zooms with + and pans with → from the keyboard');
	/* frag-out-of-order: an arrow from each fragment to the packet that rebuilt the datagram, ↩ over what was answered */
	const fr = traceId('frag-out-of-order.pcap');
	const ds = await Promise.all((await get(`/api/traces/${fr}/packets?limit=50`)).packets.map((p) => get(`/api/traces/${fr}/packets/${p.n}`)));
	/* counted here from the events, not with links.js, so the UI's code is checked, not reused */
	const rxOf = new Map(ds.map((d) => [d.steps.find((e) => e.skb !== null).skb, d.n]));
	let arrows = 0, answered = 0;
	for (const d of ds) {
		for (const e of d.steps) for (const f of e.from || []) if (rxOf.has(f) && rxOf.get(f) !== d.n) arrows++;
		const rx = d.steps.find((e) => e.skb !== null).skb;
		if (d.steps.some((e) => e.fn === 'dev_queue_xmit' && e.ph === 'E' && e.skb !== rx)) answered++;
	}
	await page.goto(`${base}/#trace=${fr}&pkt=1`);
	const drawn = await page.waitForFunction(([t, a, r]) => document.body.dataset.at.startsWith(`${t}:`)
		&& document.querySelectorAll('#tl-time .tl-reasm:not(.tl-far)').length === a && document.querySelectorAll('#tl-time .tl-reply').length === r,
	[fr, arrows, answered], { timeout: 8000 }).then(() => true, () => false);
	check(arrows > 0 && drawn, `the time strip draws ${arrows} arrows from fragments to their reassembly and marks the ${answered} packet(s) the host answered (${
		await page.locator('#tl-time .tl-reasm').count()} arrows, ${await page.locator('#tl-time .tl-reply').count()} marks)`);
	/* forwarded frames go out as themselves: not answers; what the host itself sent is (ICMP errors), counted from the journeys */
	for (const name of ['route-forward.jsonl', 'ipv6-forward.jsonl']) {
		const t = traceId(name);
		const js = await Promise.all((await get(`/api/traces/${t}/packets?limit=50`)).packets.map((p) => get(`/api/traces/${t}/packets/${p.n}`)));
		const want = js.filter((d) => { const rx = d.steps.find((e) => e.skb !== null).skb; return d.steps.some((e) => e.fn === 'dev_queue_xmit' && e.ph === 'E' && e.verdict === 'sent' && e.skb !== rx); }).map((d) => d.n);
		const fwd = js.filter((d) => d.verdict === 'forwarded').length;
		await page.goto(`${base}/#trace=${t}&pkt=1`);
		await page.waitForFunction((k) => document.querySelector('#tl-time').dataset.marks === String(k), want.length, { timeout: 8000 }).catch(() => {});
		await page.waitForTimeout(300);	/* a later drawing would change them */
		const got = await page.evaluate(() => [...document.querySelectorAll('#tl-time .tl-reply')].map((x) => Number(x.dataset.n)));
		check(fwd > 0 && JSON.stringify(got) === JSON.stringify(want), `${name}: ↩ over the ${want.length} packet(s) the host answered${want.length ? ` (#${want.join(', #')})` : ''}, none over its ${fwd} forwarded (marks: ${got.join(', ') || 'none'})`);
	}
	await page.click('#vt-map');
}

/** pcaps/NAME's records repeated n times, a second apart each time, as one pcap. */
function repeatPcap(name, n) {
	const d = readFileSync(join(root, 'pcaps', name));
	const le = d.readUInt32LE(0) === 0xa1b2c3d4;
	const u32 = (b, o) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
	const recs = [];
	for (let o = 24; o + 16 <= d.length;) {
		const incl = u32(d, o + 8);
		recs.push(d.subarray(o, o + 16 + incl));
		o += 16 + incl;
	}
	const out = [d.subarray(0, 24)];
	for (let c = 0; c < n; c++) {
		for (const r of recs) {
			const x = Buffer.from(r);
			if (le) x.writeUInt32LE(u32(r, 0) + c, 0); else x.writeUInt32BE(u32(r, 0) + c, 0);
			out.push(x);
		}
	}
	return Buffer.concat(out);
}

/** Canvas pixels of the timeline: how many of each colour (r,g,b). */
const canvasColours = (page, colours) => page.evaluate((cs) => {
	const c = /** @type {HTMLCanvasElement} */ (document.querySelector('#timeline'));
	const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
	const n = cs.map(() => 0);
	let bars = 0;
	for (let i = 0; i < px.length; i += 4) {
		if (px[i + 3] < 250) continue;
		bars++;
		cs.forEach(([r, g, b], k) => { if (Math.abs(px[i] - r) < 3 && Math.abs(px[i + 1] - g) < 3 && Math.abs(px[i + 2] - b) < 3) n[k]++; });
	}
	return { n, bars };
}, colours);

/**
 * Arrows whose other end is off the strip (issue 21): 34 copies of
 * frag-out-of-order are 204 packets, the list's first page 200, so the
 * last datagram's first fragments are listed and its reassembly (#204) is
 * not; a filter that keeps only the reassembling packets leaves every
 * fragment off the strip. Each such arrow runs toward the far packet and
 * names it; the pairs are counted here from the journeys' `from`.
 */
async function farArrows(page) {
	const body = repeatPcap('frag-out-of-order.pcap', 34);
	const up = await (await fetch(`${base}/api/traces?name=frag-x34.pcap&infer=0`, { method: 'POST', body,
		headers: { 'Content-Type': 'application/octet-stream' } })).json();
	const all = [];
	for (let off = 0; ; off += 1000) {
		const p = await get(`/api/traces/${up.id}/packets?offset=${off}&limit=1000`);
		all.push(...p.packets);
		if (all.length >= p.total || !p.packets.length) break;
	}
	const ds = await Promise.all(all.map((r) => get(`/api/traces/${up.id}/packets/${r.n}`)));
	const rxOf = new Map(ds.map((d) => [d.steps.find((e) => e.skb !== null).skb, d.n]));
	const pairs = [];
	for (const d of ds) for (const e of d.steps) for (const x of e.from || []) if (rxOf.has(x) && rxOf.get(x) !== d.n) pairs.push([rxOf.get(x), d.n]);
	await page.goto(`${base}/#trace=${up.id}&pkt=1`);
	await page.click('#vt-timeline');
	const listed = new Set((await get(`/api/traces/${up.id}/packets?limit=200`)).packets.map((r) => r.n));
	const cut = pairs.filter(([a, b]) => listed.has(a) !== listed.has(b));
	const farOf = new Set(cut.map(([a, b]) => (listed.has(a) ? b : a)));
	await page.waitForFunction(() => /off the strip/.test(document.querySelector('#tl-links-note').textContent), null, { timeout: 15000 }).catch(() => {});
	const labels = await page.locator('#tl-time .tl-far-label').allTextContents();
	check(all.length > 200 && cut.length > 0 && (await text(page, '#tl-links-note')).includes(`${cut.length} arrow`) &&
		[...farOf].every((n) => labels.includes(`#${n}`)),
	`with ${all.length} packets and 200 listed, the ${cut.length} arrows to #${[...farOf].join(', #')} run to the edge and name it (${labels.join(' ')})`);
	/* filtered: only the reassembling packets are shown; their fragments are off the strip */
	await page.selectOption('#filters select[name="verdict"]', 'consumed');
	const kept = new Set((await get(`/api/traces/${up.id}/packets?verdict=consumed&limit=1000`)).packets.map((r) => r.n));
	const cutF = pairs.filter(([a, b]) => kept.has(a) !== kept.has(b));
	await page.waitForFunction((n) => document.querySelector('#tl-links-note').textContent.includes(`${n} arrows lead`), cutF.length, { timeout: 15000 }).catch(() => {});
	const far = await page.locator('#tl-time .tl-far').count(), shownLabels = await page.locator('#tl-time .tl-far-label').count();
	check(cutF.length > 0 && (await text(page, '#tl-links-note')).includes(`${cutF.length} arrows lead`) && far === kept.size && shownLabels > 0,
		`filtered to the ${kept.size} reassembling packets, each draws its arrow toward its ${cutF.length / kept.size} fragments off the strip (${far} arrows, ${shownLabels} labels that do not overlap)`);
	await page.screenshot({ path: join(shots, 'ui-far-arrows.png') });
	await page.selectOption('#filters select[name="verdict"]', '');
}

/**
 * A datagram rebuilt long after the strip (issue 21): frag-out-of-order's
 * first fragment from another source (a peer's own fragment count:
 * ipfrag_max_dist would drop its queue otherwise), then 1050 whole copies
 * of the datagram (1050 reassemblies), then its other fragments from that
 * source, a millisecond apart (well inside the reassembly timeout). The strip lists
 * the first 200 packets; its first fragment's arrow must reach the last
 * packet, whose journey rebuilt it, by its number.
 */
async function laterReasm(page) {
	const COPIES = 1050;
	const d = readFileSync(join(root, 'pcaps', 'frag-out-of-order.pcap'));
	const le = d.readUInt32LE(0) === 0xa1b2c3d4 || d.readUInt32LE(0) === 0xa1b23c4d;
	const u32 = (b, o) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
	const put = (b, v, o) => (le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
	const ipAt = u32(d, 20) === 1 ? 14 : 0;	/* Ethernet, else raw IPv4 */
	const recs = [];
	for (let o = 24; o + 16 <= d.length; o += 16 + u32(d, o + 8)) recs.push(d.subarray(o, o + 16 + u32(d, o + 8)));
	/* a copy of a record from another source, its header checksum made again */
	const withId = (r, id) => {
		const x = Buffer.from(r), h = 16 + ipAt, ihl = (x[h] & 15) * 4;
		x.writeUInt16BE(id, h + 4);
		x[h + 15] ^= 8;
		x.writeUInt16BE(0, h + 10);
		let sum = 0;
		for (let k = 0; k < ihl; k += 2) sum += x.readUInt16BE(h + k);
		while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
		x.writeUInt16BE(~sum & 0xffff, h + 10);
		return x;
	};
	const other = (recs[0].readUInt16BE(16 + ipAt + 4) + 1) & 0xffff;
	const seq = [withId(recs[0], other)];
	for (let c = 0; c < COPIES; c++) for (const r of recs) seq.push(Buffer.from(r));
	for (const r of recs.slice(1)) seq.push(withId(r, other));
	const nsec = d.readUInt32LE(0) === 0xa1b23c4d || d.readUInt32BE(0) === 0xa1b23c4d;
	seq.forEach((x, i) => { put(x, u32(recs[0], 0) + Math.floor(i / 1000), 0); put(x, (i % 1000) * (nsec ? 1e6 : 1e3), 4); });
	const up = await (await fetch(`${base}/api/traces?name=frag-later.pcap&infer=0`, { method: 'POST', body: Buffer.concat([d.subarray(0, 24), ...seq]),
		headers: { 'Content-Type': 'application/octet-stream' } })).json();
	for (let i = 0; i < 600 && (await get(`/api/traces/${up.id}`)).state !== 'open'; i++) await new Promise((r) => setTimeout(r, 100));
	const last = seq.length, dl = await get(`/api/traces/${up.id}/packets/${last}`);
	const rx1 = (await get(`/api/traces/${up.id}/packets/1`)).steps.find((e) => e.skb !== null).skb;
	const rebuilt = dl.steps.some((e) => (e.from || []).includes(rx1));
	await page.goto(`${base}/#trace=${up.id}&pkt=1`);
	await page.click('#vt-timeline');
	const found = await page.waitForFunction((n) => [...document.querySelectorAll('#tl-time .tl-far-label')].some((x) => x.textContent.includes(`#${n}`)),
		last, { timeout: 30000 }).then(() => true, () => false);
	const note = await text(page, '#tl-links-note');
	check(rebuilt && found && !/searched up to/.test(note), `#1's datagram, rebuilt by #${last} after ${COPIES} other reassemblies (${
		rebuilt ? 'it was' : 'it was not'}), gets its arrow to the edge naming #${last} (note: ${note})`);
	await layout(page, 'the time strip with its notes at 1280×720');
}

/**
 * The timeline follows the filters (issue 21 item 5): the packets kept in
 * colour over the rest in grey, in proportion to their events, and says
 * so; with more packets than the strip reads journeys of, the arrows are
 * drawn for those around the selected packet and the strip says which.
 */
async function timelineFilters(page) {
	const KEPT = [31, 78, 140], OUT = [213, 220, 229];
	/* 30 copies of frag-out-of-order: 180 packets, more than the strip reads journeys of, and too many events to draw one by one */
	const body = repeatPcap('frag-out-of-order.pcap', 30);
	const up = await (await fetch(`${base}/api/traces?name=frag-x30.pcap&infer=0`, { method: 'POST', body,
		headers: { 'Content-Type': 'application/octet-stream' } })).json();
	const rows = (await get(`/api/traces/${up.id}/packets?limit=1000`)).packets;
	const sel = rows[Math.floor(rows.length / 2)].n;
	await page.goto(`${base}/#trace=${up.id}&pkt=${sel}`);
	await page.click('#vt-timeline');
	{	/* ↩ over every packet of the strip the host answered (a new skb sent), counted from the journeys */
		const ds = await Promise.all(rows.map((r) => get(`/api/traces/${up.id}/packets/${r.n}`)));
		const want = ds.filter((d) => { const rx = d.steps.find((e) => e.skb !== null).skb; return d.steps.some((e) => e.fn === 'dev_queue_xmit' && e.ph === 'E' && e.verdict === 'sent' && e.skb !== rx); }).map((d) => d.n);
		const marked = () => page.evaluate(() => [...document.querySelectorAll('#tl-time .tl-reply')].map((x) => Number(x.dataset.n)));
		await page.waitForFunction((k) => document.querySelectorAll('#tl-time .tl-reply').length === k, want.length, { timeout: 15000 }).catch(() => {});
		const got = await marked();
		check(want.length > 0 && JSON.stringify(got.sort((a, b) => a - b)) === JSON.stringify(want) && !/↩/.test(await text(page, '#tl-links-note')),
			`with ${rows.length} packets the strip marks ↩ over all ${want.length} the host answered, far from the selected #${sel} too (${got.length} marks: #${got[0]}…#${got[got.length - 1]})`);
	}
	{	/* the arrows to reassembly: for every packet of the strip, not only those around the selection */
		const ds = await Promise.all(rows.map((r) => get(`/api/traces/${up.id}/packets/${r.n}`)));
		const rxOf = new Map(ds.map((d) => [d.steps.find((e) => e.skb !== null).skb, d.n]));
		let arrows = 0;
		for (const d of ds) for (const e of d.steps) for (const x of e.from || []) if (rxOf.has(x) && rxOf.get(x) !== d.n) arrows++;
		await page.waitForFunction((a) => document.querySelectorAll('#tl-time .tl-reasm:not(.tl-far)').length === a, arrows, { timeout: 8000 }).catch(() => {});
		const got = await page.locator('#tl-time .tl-reasm:not(.tl-far)').count();
		check(arrows > 0 && got === arrows, `and draws all ${rows.length} packets' ${arrows} arrows to their reassembly (${got})`);
	}
	await farArrows(page);
	await laterReasm(page);
	await page.goto(`${base}/#trace=${up.id}&pkt=${sel}`);
	await page.waitForFunction(() => document.querySelectorAll('#tl-time .tl-reply').length > 0, null, { timeout: 15000 });
	/* zoomed out (bars of the histogram): the filter's packets in colour, in proportion to their events */
	await page.waitForTimeout(300);
	const plain = await canvasColours(page, [KEPT, OUT]);
	check(plain.n[0] === 0 && plain.n[1] === 0 && plain.bars > 0, 'unfiltered, the timeline draws every layer in its colour');
	const asked = page.waitForResponse((r) => r.url().includes('/histogram?') && r.url().includes('verdict=consumed'), { timeout: 8000 });
	await page.selectOption('#filters select[name="verdict"]', 'consumed');
	const hist = await (await asked).json();
	const want = await get(`/api/traces/${up.id}/packets?verdict=consumed&limit=1000`);
	await page.waitForFunction(() => / filtered$/.test(document.querySelector('#timeline').dataset.drawn), null, { timeout: 8000 });
	await page.waitForTimeout(200);
	/* the server's figures: the kept column holds exactly the listed packets' events */
	const keptSum = hist.kept.reduce((x, v) => x + v, 0), listSum = want.packets.reduce((x, r) => x + r.events, 0);
	const mixed = hist.kept.filter((k, b) => k > 0 && k < hist.n[b]).length;
	check(want.total > 0 && want.total < rows.length && keptSum === listSum && hist.kept_packets === want.total,
		`the histogram counts the filter's ${hist.kept_packets} packets' ${keptSum} events (the list: ${want.total} packets, ${listSum} events)`);
	/* each bar: its coloured share of pixels is the server's kept / n for that bucket */
	const cols = await page.evaluate(([h, KEPT, OUT]) => {
		const c = /** @type {HTMLCanvasElement} */ (document.querySelector('#timeline'));
		const dpr = window.devicePixelRatio || 1, nb = h.n.length, bw = c.clientWidth / nb;
		const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		const is = (i, [r, g, b]) => Math.abs(px[i] - r) < 3 && Math.abs(px[i + 1] - g) < 3 && Math.abs(px[i + 2] - b) < 3;
		const out = [];
		for (let b = 0; b < nb; b++) {
			const x = Math.floor((Math.floor(b * bw) + 1.5) * dpr);	/* a pixel the bar (at least 2 px wide) covers whole */
			let k = 0, o = 0;
			for (let y = 0; y < c.height; y++) { const i = (y * c.width + x) * 4; if (is(i, KEPT)) k++; else if (is(i, OUT)) o++; }
			out.push([k, o]);
		}
		return out;
	}, [hist, KEPT, OUT]);
	const off = cols.map(([k, o], b) => [b, k, o, hist.n[b] ? (hist.kept[b] / hist.n[b]) * (k + o) : 0])
		.filter(([b, k, o, exp]) => hist.n[b] && k + o >= 6 && Math.abs(k - exp) > 2.5 && !(hist.kept[b] && k === 2));
	check(cols.length === hist.n.length && mixed > 0 && !off.length, `every one of the ${cols.length} bars is coloured in the server's kept/n share (${mixed} bars mixed${
		off.length ? `; off: ${off.slice(0, 4).map(([b, k, o, e]) => `bucket ${b} ${k}/${k + o} px, want ${e.toFixed(1)}`).join(', ')}` : ''})`);
	check((await text(page, '#tl-range')).includes(`filtered: ${hist.kept_packets} packet`), 'the range line says how many packets are in colour');
	await page.selectOption('#filters select[name="verdict"]', '');
	await page.waitForFunction(() => !document.querySelector('#tl-range').textContent.includes('filtered'));
	await page.waitForTimeout(200);
	check((await canvasColours(page, [KEPT, OUT])).n[1] === 0, 'clearing the filter draws the whole trace again');
	/* zoomed in (each event drawn): the packets left out are grey */
	const def = traceId('default.pcap');
	await page.goto(`${base}/#trace=${def}&pkt=1`);
	await page.waitForFunction(() => /events 1–/.test(document.querySelector('#tl-range').textContent));
	{	/* frames sent on timers after the capture (no packet) are counted on the strip, not silently left out */
		const k = (await get(`/api/traces/${def}/events?fn=dev_queue_xmit&verdict=sent&limit=1000`)).events.filter((e) => e.pkt === null).length;
		const said = await page.waitForFunction((k) => document.querySelector('#tl-links-note').textContent.includes(`${k} frame${k === 1 ? '' : 's'} the host sent on timers`),
			k, { timeout: 8000 }).then(() => true, () => false);
		check(k > 0 && said, `default.pcap: the ${k} frames the host sent on timers after the capture are named on the strip (${await text(page, '#tl-links-note')})`);
		await layout(page, 'the time strip of default.pcap with its note at 1280×720');
	}
	await page.selectOption('#filters select[name="verdict"]', 'drop');
	await page.waitForFunction(() => document.querySelector('#tl-range').textContent.includes('filtered'));
	await page.waitForTimeout(200);
	const z = await canvasColours(page, [OUT]);
	check(z.n[0] > 0 && z.n[0] < z.bars, 'zoomed in, the events of the packets left out are grey, the others in colour');
	await page.selectOption('#filters select[name="verdict"]', '');
	await page.click('#vt-map');
}

/**
 * The path MTUs a host learned, in the State tab's Routes card
 * (pcaps/icmp-pmtu.pcap): none at the first packet, 552 locked at the
 * last (a frag-needed claimed 500), as /state's "pmtu" says.
 */
async function pmtuPanel(page) {
	const id = traceId('icmp-pmtu.pcap');
	const list = (await get(`/api/traces/${id}/packets?limit=100`)).packets;
	const first = list[0], last = list[list.length - 1];
	await open(page, id, first.n, first.first_seq);
	await page.click('#st-state');
	await page.waitForFunction((q) => { const h = document.querySelector('#state h3 .muted'); return h && h.textContent === `at seq ${q}`; }, first.first_seq);
	check(!(await text(page, '#state [aria-label="routes"]')).includes('Path MTU'), 'no path MTU in the Routes card before any frag-needed');
	await open(page, id, last.n, last.first_seq);
	await page.waitForFunction((q) => { const h = document.querySelector('#state h3 .muted'); return h && h.textContent === `at seq ${q}`; }, last.first_seq);
	const st = await get(`/api/traces/${id}/state?seq=${last.first_seq}`);
	const routes = await text(page, '#state [aria-label="routes"]');
	check(st.pmtu && st.pmtu.length === 1 && st.pmtu[0].mtu === 552 && st.pmtu[0].locked
		&& routes.includes('Path MTU learned') && routes.includes('10.0.0.1') && routes.includes('552 (locked: no DF)')
		&& routes.includes(`${st.pmtu[0].expires_in_s} s`), `the Routes card lists the path MTU /state holds (10.0.0.1: 552, locked)`);
	await page.locator('#state [aria-label="routes"]').scrollIntoViewIfNeeded();
	await page.screenshot({ path: join(shots, 'ui-1280x720-pmtu.png') });
	await page.click('#st-inspector');
}

async function uploadAndGone(page) {
	await page.click('#upload-open');
	check(await page.locator('#upload-dlg[open]').count() === 1, 'Upload opens a dialog');
	await page.setInputFiles('#upload', join(root, 'pcaps', 'udp.pcap'));
	await page.fill('#upload-dlg input[name="host"]', '10.0.0.2');
	await page.check('#upload-dlg input[name="no_csum"]');
	const req = page.waitForRequest((r) => r.method() === 'POST' && r.url().includes('/api/traces'));
	await page.click('#upload-dlg button[type="submit"]');
	const u = new URL((await req).url());
	check(u.searchParams.get('host') === '10.0.0.2' && u.searchParams.get('no_csum') === '1', `the host options go with the upload (${u.search})`);
	await page.waitForFunction(() => /^Uploaded|error/.test(document.querySelector('#status').textContent) || document.querySelector('#status.error'));
	check((await text(page, '#status')).startsWith('Uploaded'), 'the upload is replayed and opened');
	await page.goto(`${base}/#trace=9999&pkt=1`);
	await page.waitForFunction(() => document.querySelector('#status').textContent.includes('gone'));
	check(true, 'a deep link to a trace that is gone says so');
}

function watch(page) {
	page.on('console', (m) => {
		if (m.type() !== 'error') return;
		if (allowHttpErrors && /status of 400/.test(m.text())) return;
		problems.push(`console: ${m.text()}`);
	});
	page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
	page.on('response', (r) => { if (r.status() >= 400 && !allowHttpErrors) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
	page.on('request', (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) problems.push(`request to another host: ${r.url()}`); });
}

async function main() {
	await waitServer();
	traces = (await get('/api/traces')).traces;
	const profile = mkdtempSync(join(tmpdir(), 'nj-ui-chromium-'));
	const browser = await chromium.launchPersistentContext(profile, {
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		bypassCSP: true,		// playwright's waitForFunction evaluates strings; the app never does
		viewport: { width: 1280, height: 720 },
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	try {
		const page = browser.pages()[0] || await browser.newPage();
		watch(page);
		await page.goto(base);
		await page.waitForSelector('#ev .seq');
		await mapPaths(page);
		await fragSteps(page);
		await tcpPanel(browser);
		await mapCoverage();
		await ipv6Map(page);
		await lab3(page);
		await labPresenter(browser);
		await timeGaps(page);
		await timelineFilters(page);
		await pmtuPanel(page);
		await filtersAndKeys(page);
		await sizes(browser);
		await uploadAndGone(page);
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
