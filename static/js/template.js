// template.js - pure functions from data to markup. Every value that came
// from a trace or the server goes through escapeHTML.
import { escapeHTML as esc } from './helpers.js';
import './types.js';

/** The layer lanes of the call tree, left to right. */
export const LANES = [
	{ id: 'link', label: 'link', title: 'driver / link layer' }, { id: 'core', label: 'core', title: 'net/core' },
	{ id: 'netfilter', label: 'nf', title: 'netfilter hooks' }, { id: 'ip', label: 'ip', title: 'IPv4' },
	{ id: 'route', label: 'route', title: 'routing / FIB' }, { id: 'frag', label: 'frag', title: 'fragment reassembly' },
	{ id: 'l4', label: 'l4', title: 'tcp / udp / icmp' }, { id: 'arp', label: 'arp', title: 'ARP / neighbours' },
	{ id: 'packet', label: 'pkt', title: 'AF_PACKET sockets' }, { id: 'bpf', label: 'bpf', title: 'classic BPF' },
	{ id: 'ipv6', label: 'v6', title: 'IPv6' },
];

/** laneOf - the lane index of an event's layer (netfilter hooks by name). */
export function laneOf(layer, fn) {
	if (fn && (fn.startsWith('nf_') || fn.startsWith('ipt_'))) return 2;
	if (fn && (fn.startsWith('ipv6_') || fn.startsWith('ip6_') || fn.startsWith('icmpv6'))) return 10;
	switch (layer) {
	case 'driver': case 'link': return 0;
	case 'core': return 1;
	case 'netfilter': return 2;
	case 'ip': return 3;
	case 'route': return 4;
	case 'frag': return 5;
	case 'tcp': case 'udp': case 'icmp': case 'app': return 6;
	case 'arp': return 7;
	case 'packet': return 8;
	case 'bpf': return 9;
	case 'ipv6': return 10;
	}
	return 1;
}

export const verdictClass = (v) => `v-${String(v || 'none').toLowerCase().replace(/[^a-z]/g, '')}`;

/** @param {TraceBrief[]} traces @param {number} selected */
export const traceOptions = (traces, selected) => traces.map((t) =>
	`<option value="${t.id}"${t.id === selected ? ' selected' : ''}>${esc(t.name)} — ${t.packets} packets${t.live ? ' (live)' : ''}</option>`).join('');

/** @param {Array<{reason: string, packets: number}>} drops @param {string} selected */
export const reasonOptions = (drops, selected) => '<option value="">any reason</option>' + drops.map((d) =>
	`<option value="${esc(d.reason)}"${d.reason === selected ? ' selected' : ''}>${esc(d.reason)} (${d.packets})</option>`).join('');

/** seconds since the trace's first packet, e.g. "1.000250" (never since the first one shown) */
export function relTime(ts, t0) {
	const [s, ns] = String(ts).split('.');
	const [s0, ns0] = String(t0).split('.');
	const d = (Number(s) - Number(s0)) + (Number(ns || 0) - Number(ns0 || 0)) / 1e9;
	return d.toFixed(6);
}

/**
 * The columns of a packet row, from its one-line summary ("A > B: PROTO rest"):
 * the summary is the server's display text, so anything it does not match
 * stays whole in Info.
 * @param {PacketRow} p
 */
export function packetCols(p) {
	const m = /^(\S+) > (\S+?): (\S+)\s*(.*)$/.exec(p.summary || '');
	if (!m) {	/* "ARP who-has …", "IPv6, 40 bytes": the first word names the protocol */
		const w = /^([A-Z][A-Za-z0-9]*),?\s*(.*)$/.exec(p.summary || '');
		return w ? { src: '', dst: '', proto: w[1], info: w[2] } : { src: '', dst: '', proto: '', info: p.summary || '' };
	}
	const proto = m[3] === 'IP' ? 'IPv4' : m[3];
	return { src: m[1], dst: m[2], proto, info: m[4] };
}

const outcome = (p) => (p.verdict === 'drop' ? p.reason || 'drop' : p.verdict);

/** @param {PacketRow[]} rows @param {number} selected @param {string} t0 */
export const packetRows = (rows, selected, t0) => rows.map((p) => {
	const c = packetCols(p);
	const sel = p.n === selected;
	return `<tr data-n="${p.n}" class="${verdictClass(p.verdict)}${sel ? ' selected' : ''}" tabindex="${sel ? 0 : -1}"${sel ? ' aria-current="true"' : ''}>
	  <td class="num">${p.n}</td><td class="num wide">${esc(relTime(p.ts, t0))}</td>
	  <td class="wide addr">${esc(c.src)}</td><td class="wide addr">${esc(c.dst)}</td><td class="wide">${esc(c.proto)}</td><td class="wide num">${p.len}</td>
	  <td class="info"><span class="wide">${esc(c.info)}</span><span class="compact"><span class="mono">${esc(relTime(p.ts, t0))} s</span> ${esc(p.summary)}
	    <span class="badge ${verdictClass(p.verdict)}">${esc(outcome(p))}</span></span></td>
	  <td class="wide"><span class="badge ${verdictClass(p.verdict)}">${esc(outcome(p)).replace(/_/g, '_<wbr>')}</span></td></tr>`;
}).join('');

/** @param {PacketRow[]} rows @param {number} selected */
export const packetStrip = (rows, selected) => rows.map((p) =>
	`<button type="button" data-n="${p.n}" class="${verdictClass(p.verdict)}${p.n === selected ? ' sel' : ''}" title="${esc(p.summary)} — ${esc(outcome(p))}"${
		p.n === selected ? ' aria-current="true"' : ''}>#${p.n} ${esc(outcome(p))}</button>`).join('');

function rowState(node, curSeq) {
	if (node.seq > curSeq) return 'future';
	if (node.end !== undefined && node.end <= curSeq) return 'returned';
	return 'active';
}

/**
 * journey - the call tree: the function column as wide as its longest
 * name, then only the lanes this packet uses. A row not reached yet shows
 * no outcome.
 * @param {import('./store.js').JourneyRow[]} rows @param {number} current row index @param {number} curSeq
 */
export function journey(rows, current, curSeq) {
	const used = [...new Set(rows.map(({ node }) => laneOf(node.layer, node.fn)))].sort((a, b) => a - b);
	const head = `<div class="jrow jhead"><div>function</div>${used.map((k) =>
		`<div class="jlane" title="${esc(LANES[k].title)}">${esc(LANES[k].label)}</div>`).join('')}<div>outcome</div></div>`;
	const body = rows.map(({ node, depth }, i) => {
		const lane = laneOf(node.layer, node.fn);
		const st = rowState(node, curSeq);
		const via = node.via && node.via.length ? `<div class="via">${esc(node.via.join(' › '))} ›</div>` : '';
		const v = node.verdict && st !== 'future' && (node.end === undefined || node.end <= curSeq)
			? `<span class="badge ${verdictClass(node.verdict)}">${esc(node.reason || node.verdict)}</span>` : '';
		const cells = used.map((k) => `<div class="lane">${k === lane ? '<span class="dot" aria-hidden="true"></span>' : ''}</div>`).join('');
		return `${via}<div class="jrow ${st}${i === current ? ' current' : ''}" data-seq="${node.seq}"${i === current ? ' aria-current="step"' : ''}>
		  <div class="jtree" style="--d:${depth}"><span class="fn">${esc(node.fn)}</span></div>${cells}<div>${v}</div></div>`;
	}).join('');
	return `<div class="ctree" style="--lanes:${used.length}">${head}${body}</div>`;
}

/** The journey as cards, one a step (a phone's view). @param {TraceEvent[]} steps @param {number} idx */
export const stepCards = (steps, idx) => steps.map((e, i) => `<li class="card-s${i === idx ? ' current' : i > idx ? ' future' : ''}" data-i="${i}"${
	i === idx ? ' aria-current="step"' : ''}><span class="fn">${esc(e.ph === 'E' ? `← ${e.fn}` : e.fn)}</span>${
	e.verdict && i <= idx ? ` <span class="badge ${verdictClass(e.verdict)}">${esc(e.reason || e.verdict)}</span>` : ''}${
	e.msg && i <= idx ? `<div>${esc(e.msg)}</div>` : ''}</li>`).join('');

const kv = (pairs) => `<dl class="kv">${pairs.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;

/**
 * Function note from explain.json, the check that failed marked.
 * @param {string} fn @param {any} entry @param {number} failed 1-based index of the failed check, 0 if none
 */
export function explainNote(fn, entry, failed = 0) {
	if (!entry) return `<p class="muted">No note for <code>${esc(fn)}</code> yet.</p>`;
	const checks = entry.checks && entry.checks.length
		? `<ol class="checks">${entry.checks.map((c, i) => `<li${i + 1 === failed ? ' class="failed"' : ''}>${esc(c)}</li>`).join('')}</ol>` : '';
	return `<p class="file"><code>${esc(entry.file)}</code></p><p>${esc(entry.summary)}</p>${checks}`;
}

const fmtOff = (v, base) => (v < 0 ? 'unset' : `head+${v} (frame+${v - base})`);

/**
 * The current event: what happened, the skb, args and counter changes.
 * @param {TraceEvent} e @param {number} base frame offset of head (see inspector view)
 */
export function eventDetail(e, base) {
	const head = `<div class="evhead"><span class="ph-tag">${esc(e.ph === 'B' ? 'enter' : e.ph === 'E' ? 'return' : 'step')}</span>
	  <code class="fn">${esc(e.fn)}</code><span class="layer muted">${esc(e.layer)}</span>
	  ${e.verdict ? `<span class="badge ${verdictClass(e.verdict)}">${esc(e.verdict)}${e.reason ? ` · ${esc(e.reason)}` : ''}</span>` : ''}
	  <span class="seq">seq ${e.seq}</span></div>`;
	const msg = e.msg ? `<p class="msg">${esc(e.msg)}</p>` : '';
	const s = e.skb_state;
	const skb = s ? `<h3 class="sh">sk_buff ${e.skb ?? ''}</h3>${kv([['len', s.len], ['data', fmtOff(s.data, base)], ['network header', fmtOff(s.nh, base)],
		['transport header', fmtOff(s.th, base)], ['pkt_type', s.pkt_type], ['protocol', s.protocol], ['ifindex', s.ifindex]])}` : '';
	const args = e.args && Object.keys(e.args).some((k) => k !== 'frame') ? `<h3 class="sh">args</h3>${kv(Object.entries(e.args).filter(([k]) => k !== 'frame')
		.map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]))}` : '';
	const mib = e.mib ? `<h3 class="sh">counters</h3>${kv(Object.entries(e.mib).map(([k, v]) => [k, `+${v}`]))}` : '';
	const from = e.from ? `<p class="muted">reassembled from skbs ${esc(e.from.join(', '))}</p>` : '';
	return head + msg + skb + args + mib + from;
}

/**
 * A Wireshark-like header tree: each field names the bytes it came from,
 * so the tree and the hex dump can point at each other; `read` marks the
 * fields inside the bytes the current check reads.
 * @param {import('./decode.js').Header[]} hs @param {{from: number, to: number}} read
 */
export const headers = (hs, read) => hs.map((h) => `<details open class="htree"><summary>${esc(h.name)} <span class="muted">bytes ${h.off}–${h.off + h.len - 1}</span></summary>${
	h.fields.map(([k, v, o, n]) => {
		const off = typeof o === 'number' ? o : h.off, len = typeof n === 'number' ? n : h.len;
		const r = off < read.to && off + len > read.from;
		return `<div class="fld${r ? ' read' : ''}" data-o="${off}" data-n="${len}" tabindex="-1"><span class="k muted">${esc(k)}</span><span class="v">${esc(v)}</span></div>`;
	}).join('')}</details>`).join('') || '<p class="muted">No headers decoded.</p>';

/**
 * A hex dump, `per` bytes a line; bytes in [hl.from, hl.to) are what the
 * current check reads, [skb.from, skb.to) what the skb still holds.
 */
export function hexDump(bytes, hl, skb, per = 16, ascii = true) {
	const lines = [];
	for (let o = 0; o < bytes.length; o += per) {
		let hx = '';
		let asc = '';
		for (let i = o; i < Math.min(o + per, bytes.length); i++) {
			const c = i >= hl.from && i < hl.to ? 'hl' : i >= skb.from && i < skb.to ? 'in' : '';
			const b = bytes[i];
			hx += `<span class="${c}" data-o="${i}">${b.toString(16).padStart(2, '0')}</span>${i % 8 === 7 ? '  ' : ' '}`;
			asc += `<span class="${c}">${b >= 32 && b < 127 ? esc(String.fromCharCode(b)) : '.'}</span>`;
		}
		lines.push(`<span class="off">${o.toString(16).padStart(4, '0')}</span> ${hx}${ascii ? asc : ''}`);
	}
	return lines.join('\n');
}

const table = (cols, rows, empty, cls = () => '') => (rows.length
	? `<table class="mini"><thead><tr>${cols.map((c) => `<th scope="col">${esc(c)}</th>`).join('')}</tr></thead><tbody>${
		rows.map((r, i) => `<tr class="${cls(i)}">${r.map((v) => `<td>${esc(v ?? '')}</td>`).join('')}</tr>`).join('')}</tbody></table>`
	: `<p class="muted">${esc(empty)}</p>`);

export const arr = (v) => (Array.isArray(v) ? v : []);

/**
 * A fragment queue as a byte bar that fills in arrival order: each
 * fragment the fold lists in `arrivals` ({offset, len, skb, seq}) is a
 * block at its offset, numbered in the order it came, the newest marked;
 * an older answer without arrivals shows the ranges held (`have`).
 * @param {any} q @returns {string}
 */
export function fragBar(q) {
	const arrivals = arr(q.arrivals).filter((a) => a && typeof a === 'object' && !Array.isArray(a));
	const ranges = arrivals.length ? arrivals.map((a) => [Number(a.offset), Number(a.offset) + Number(a.len), a.skb, a.seq]) : arr(q.have);
	const end = Math.max(Number(q.len) || 0, ...ranges.map((r) => Number(r[1]) || 0), 1);
	const segs = ranges.map((r, i) => {
		const l = (r[0] / end) * 100, w = ((r[1] - r[0]) / end) * 100, newest = i === ranges.length - 1;
		const what = `bytes ${r[0]}–${r[1]}, ${arrivals.length ? `arrived ${i + 1}.${r[2] !== undefined ? ` (skb ${r[2]})` : ''}${newest ? ', the newest' : ''}` : `held range ${i + 1}`}`;
		return `<div class="seg${newest && arrivals.length ? ' newest' : ''}" style="left:${l}%;width:${w}%" data-off="${r[0]}" data-end="${r[1]}" title="${esc(what)}">${w >= 4 ? i + 1 : ''}</div>`;
	}).join('');
	const total = q.len === null || q.len === undefined ? 'total unknown until the last fragment' : `of ${q.len}`;
	const order = arrivals.length ? `, numbered in arrival order (${arrivals.map((a) => `${a.offset}+${a.len}`).join(', ')})` : '';
	return `<div class="fragbar" role="img" aria-label="${esc(`${q.meat ?? '?'} bytes held ${total}${order}`)}" data-meat="${q.meat ?? ''}" data-len="${q.len ?? ''}">${segs}</div>
	<p class="muted">${esc(`${q.meat ?? '?'} bytes ${total}; ${q.nfrags ?? ranges.length} fragments${arrivals.length ? `, the newest green` : ''}${arr(q.flags).length ? `; ${arr(q.flags).join(' ')}` : ''}${q.mem !== undefined ? `; mem ${q.mem}` : ''}`)}</p>`;
}

const TCP_STATES = ['LISTEN', 'SYN_RECV', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSING', 'TIME_WAIT', 'CLOSE'];

/** "40 ms", "1.5 s", "-2 ms" from nanoseconds. */
export function fmtNs(ns) {
	const a = Math.abs(ns), sign = ns < 0 ? '-' : '';
	if (a >= 1e9) return `${sign}${+(a / 1e9).toFixed(a >= 1e10 ? 0 : 2)} s`;
	if (a >= 1e6) return `${sign}${+(a / 1e6).toFixed(1)} ms`;
	return `${sign}${+(a / 1e3).toFixed(0)} µs`;
}

/** b − a in 32-bit sequence space. */
const seqAfter = (b, a) => (((b - a) % 4294967296) + 4294967296) % 4294967296;

const yesNo = (v) => (v === true ? 'yes' : v === false ? 'no' : null);

/**
 * A TCP socket's options, queues and timers from the fold (docs/events.md
 * "State at an event"): what is absent is left out, never invented.
 * @param {any} k @returns {string}
 */
function sockDetail(k) {
	const opts = [['mss', k.mss], ['window scale', k.snd_wscale !== undefined || k.rcv_wscale !== undefined ? `peer ${k.snd_wscale ?? '?'}, ours ${k.rcv_wscale ?? '?'}` : null],
		['SACK', yesNo(k.sack_ok)], ['timestamps', yesNo(k.tstamp_ok)], ['ts_recent', k.ts_recent]]
		.filter(([, v]) => v !== undefined && v !== null).map(([n, v]) => `<span class="opt">${esc(n)} <b>${esc(v)}</b></span>`);
	let html = opts.length ? `<p class="sockopts">${opts.join(' · ')}</p>` : '';
	if (k.rcvq && typeof k.rcvq === 'object') html += `<p><strong>Receive queue</strong> ${esc(`${k.rcvq.bytes} bytes in ${k.rcvq.segs} segment${k.rcvq.segs === 1 ? '' : 's'}`)}</p>`;
	const ofo = k.ofo && typeof k.ofo === 'object' ? k.ofo : null;
	if (ofo) {
		const ranges = arr(ofo.ranges);
		html += `<div class="ofo" aria-label="out-of-order queue"><p><strong>Out of order</strong> ${esc(`${ofo.segs} segment${ofo.segs === 1 ? '' : 's'}`)}${
			ranges.length ? '' : ' <span class="muted">(empty)</span>'}</p>${ranges.length ? `<ul class="ofo-ranges">${ranges.map(([a, b]) =>
			`<li data-start="${a}" data-end="${b}">${esc(`${a}–${b}`)} <span class="muted">${esc(`${b - a} bytes${k.rcv_nxt !== undefined ? `, ${seqAfter(a, k.rcv_nxt)} past rcv_nxt` : ''}`)}</span></li>`).join('')}${
			ofo.ranges_more ? `<li class="muted">… ${esc(ofo.ranges_more)} more ranges</li>` : ''}</ul>` : ''}</div>`;
	}
	if (Array.isArray(k.timers) && k.timers.length) {	/* an older answer names them only */
		const ts = k.timers.map((t) => (typeof t === 'object' && t ? t : { timer: String(t) }));
		html += `<div class="timers" aria-label="timers"><p><strong>Timers</strong></p><ul>${ts.map((t) => `<li data-timer="${esc(t.timer)}" data-in="${t.in_ns ?? ''}">${esc(t.timer)} ${
			esc(typeof t.in_ns !== 'number' ? '' : t.in_ns < 0 ? `overdue by ${fmtNs(-t.in_ns)}` : `fires in ${fmtNs(t.in_ns)}`)}</li>`).join('')}${
			k.timers_more ? `<li class="muted">… ${esc(k.timers_more)} more</li>` : ''}</ul></div>`;
	} else if (Array.isArray(k.timers)) html += '<p class="muted">No timers armed.</p>';
	return html;
}

function socketCard(k) {
	const st = String(k.state || k.new || '?');
	const sd = `<div class="tcpsd" role="img" aria-label="TCP state ${esc(st)}">${TCP_STATES.map((s) => `<span class="${s === st ? 'on' : ''}">${s}</span>`).join('')}</div>`;
	const nums = ['snd_una', 'snd_nxt', 'rcv_nxt', 'snd_wnd', 'rcv_wnd']
		.filter((f) => k[f] !== undefined && k[f] !== null).map((f) => [f, String(k[f])]);
	return `<div class="sock"><p><strong>${esc(k.proto || 'tcp')}</strong> ${esc(k.local || k.sk || '')}${k.remote ? ` ↔ ${esc(k.remote)}` : ''}${k.old ? ` <span class="muted">(from ${esc(k.old)})</span>` : ''}</p>
	${(k.proto || 'tcp') === 'tcp' && (k.remote || k.old || k.new) ? sd : `<p class="muted">${esc(st)}</p>`}${nums.length ? kv(nums) : ''}${sockDetail(k)}</div>`;
}

/** Counters: totals, with "+n" on those this very step moved. */
function countersCard(s, delta) {
	const rows = Object.entries(s.counters || {}).map(([k, v]) => {
		const d = delta[k];
		return `<tr class="${d ? 'changed' : ''}" data-k="${esc(k)}"><td>${esc(k)}</td><td class="num">${v}</td><td class="plus">${d ? `+${d}` : ''}</td></tr>`;
	}).join('');
	return `<section class="card" aria-label="counters"><h3>Counters <span class="muted">at seq ${s.seq}</span></h3>
	  ${rows ? `<table class="mini"><tbody>${rows}</tbody></table>` : '<p class="muted">All zero so far.</p>'}</section>`;
}

/**
 * The routing lookup the journey made last, from fib_table_lookup's args:
 * the prefixes tried in order, then the one that matched.
 * @param {TraceEvent|null} e
 */
export function fibLookup(e) {
	if (!e || !e.args) return '';
	const a = e.args;
	const tried = arr(a.tried).map((r) => `<tr><td>${esc(r)}</td><td class="muted">no match</td></tr>`).join('');
	const more = a.tried_n > arr(a.tried).length ? `<tr><td colspan="2" class="muted">… ${a.tried_n - arr(a.tried).length} more</td></tr>` : '';
	return `<section class="card" aria-label="routing lookup"><h3>FIB lookup <span class="muted">seq ${e.seq}, table ${esc(a.table ?? '?')}</span></h3>
	  <p>for <code>${esc(a.daddr ?? '?')}</code></p><table class="mini"><tbody>${tried}${more}
	  <tr class="matched"><td>${esc(a.match ?? 'none')}</td><td>${esc(a.type ?? '')}</td></tr></tbody></table></section>`;
}

/**
 * The state panels at the selected event, from /state. Renders the fold's
 * fields (frags, sockets, routes, pmtu, neighbours, rules, packet_sockets) and
 * falls back to older answers (frag_queues, config); what is absent is
 * said, not invented.
 * @param {any} s @param {Object<string, number>} delta counters this step moved
 * @param {TraceEvent|null} [lookup] the journey's last fib_table_lookup so far
 */
export function statePanels(s, delta, lookup = null) {
	const cfg = s.config || {};
	const frags = arr(s.frags).length || !s.frag_queues ? arr(s.frags) : arr(s.frag_queues).map((q) => ({ ...q, key: q.queue }));
	const fragHTML = frags.length ? frags.map((q) => `<p class="mono">${esc(q.key || q.queue || '')}</p>${fragBar(q)}`).join('')
		: '<p class="muted">No fragment queues.</p>';
	const ended = arr(s.frags_ended).map((e) => `<p class="muted">${esc(e.key)}: ${esc(e.why)}</p>`).join('');
	const listen = arr(cfg.listen).map((l) => ({ proto: l.proto, state: 'LISTEN', local: `*:${l.port}`, sk: l.app }));
	const socks = [...(s.sockets && s.sockets.length && s.sockets[0].state ? [] : listen), ...arr(s.sockets)];
	// two columns fit the narrow panel on a projector: the type only when
	// not unicast, next hop and device together; the main table, then local
	const fibTable = (name) => {
		const rs = arr(s.routes).filter((r) => (r.table === 'local') === (name === 'local'));
		return rs.length ? `<p class="muted">table ${esc(name)}</p><div class="fib">${table(['destination', 'via'], rs.map((r) => [`${r.type && r.type !== 'unicast' ? `${r.type} ` : ''}${r.dst}`,
			[r.via, r.dev].filter(Boolean).join(' · ')]), '', (i) => (rs[i].matched ? 'matched' : ''))}</div>` : '';
	};
	const routes = s.routes ? (arr(s.routes).length ? fibTable('main') + fibTable('local') : '<p class="muted">No routes.</p>')
		: `${table(['destination', 'type', 'via', 'dev'], arr(cfg.routes).map((r) => [r.dst, r.type || 'unicast', r.via || '', r.dev || '']), 'No routes in the scenario.')}
		   <p class="muted">The scenario's routes; the FIB (connected and local routes) comes with the state fold.</p>`;
	// the path MTUs learned from ICMP (ip route get: "cache expires 599sec mtu 1400")
	const pmtu = arr(s.pmtu).length ? `<p class="muted">Path MTU learned (route exceptions):</p>${arr(s.pmtu).map((p) => `<p class="mono">${
		esc(`${p.daddr}: mtu ${p.mtu}${p.locked ? ' (locked: no DF)' : ''}, expires in ${p.expires_in_s} s`)}</p>`).join('')}` : '';
	const neigh = s.neighbours ? table(['ip', 'mac', 'dev', 'NUD'], arr(s.neighbours).map((n) => [n.ip, n.mac || '', n.dev || '', n.nud || '']), 'No neighbours.')
		: table(['ip', 'mac', 'dev'], arr(cfg.neighbours).map((n) => [n.ip, n.mac, n.dev || '']), 'No static neighbours.');
	const rules = s.rules ? table(['hook', '#', 'verdict', 'hits'], arr(s.rules).map((r) => [r.hook, r.index, r.verdict, r.hits ?? '']), 'No netfilter rules.')
		: table(['hook', 'match', 'verdict'], arr(cfg.netfilter).map((r) => [r.hook, JSON.stringify(r.match || {}), r.verdict]), 'No netfilter rules.');
	const taps = arr(s.packet_sockets).length ? table(['socket', 'filter', 'received', 'dropped'], arr(s.packet_sockets).map((p) => [p.name, p.filter || '', p.received, p.dropped]), '') : '';
	const limits = s.limits ? `<p class="muted">${esc(Object.entries(s.limits).map(([k, v]) => `${k}: ${v}`).join(' · '))}</p>` : '';
	return `${countersCard(s, delta)}
	<section class="card" aria-label="fragment queues"><h3>Fragment queues</h3>${fragHTML}${ended}</section>
	<section class="card" aria-label="sockets"><h3>Sockets</h3>${socks.length ? socks.map(socketCard).join('') : '<p class="muted">No sockets.</p>'}${taps}</section>
	${fibLookup(lookup)}<section class="card" aria-label="routes"><h3>Routes</h3>${routes}${pmtu}</section>
	<section class="card" aria-label="neighbours"><h3>Neighbours</h3>${neigh}</section>
	<section class="card" aria-label="netfilter rules"><h3>Netfilter</h3>${rules}</section>${limits}`;
}
