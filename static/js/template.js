// template.js - pure functions from data to markup. Every value that came
// from a trace or the server goes through escapeHTML.
import { escapeHTML as esc } from './helpers.js';
import './types.js';

/** The swimlanes of the journey view, left to right. */
export const LANES = [
	{ id: 'link', label: 'link', title: 'driver / link layer' }, { id: 'core', label: 'core', title: 'net/core' },
	{ id: 'netfilter', label: 'nf', title: 'netfilter hooks' }, { id: 'ip', label: 'ip', title: 'IPv4' },
	{ id: 'route', label: 'route', title: 'routing / FIB' }, { id: 'frag', label: 'frag', title: 'fragment reassembly' },
	{ id: 'l4', label: 'l4', title: 'tcp / udp / icmp' }, { id: 'arp', label: 'arp', title: 'ARP / neighbours' },
	{ id: 'packet', label: 'pkt', title: 'AF_PACKET sockets' }, { id: 'bpf', label: 'bpf', title: 'classic BPF' },
];

/** laneOf - the lane index of an event's layer (netfilter hooks by name). */
export function laneOf(layer, fn) {
	if (fn && (fn.startsWith('nf_') || fn.startsWith('ipt_'))) return 2;
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
	}
	return 1;
}

const verdictClass = (v) => `v-${String(v || 'none').replace(/[^a-z]/g, '')}`;

/** @param {TraceBrief[]} traces @param {number} selected */
export const traceOptions = (traces, selected) => traces.map((t) =>
	`<option value="${t.id}"${t.id === selected ? ' selected' : ''}>${esc(t.name)} — ${t.packets} packets, ${t.events} events${t.live ? ' (live)' : ''}</option>`).join('');

/** @param {Array<{reason: string, packets: number}>} drops @param {string} selected */
export const reasonOptions = (drops, selected) => '<option value="">any reason</option>' + drops.map((d) =>
	`<option value="${esc(d.reason)}"${d.reason === selected ? ' selected' : ''}>${esc(d.reason)} (${d.packets})</option>`).join('');

/** seconds relative to the first packet, e.g. "+1.000250" */
export function relTime(ts, t0) {
	const [s, ns] = ts.split('.');
	const [s0, ns0] = t0.split('.');
	const d = (Number(s) - Number(s0)) + (Number(ns) - Number(ns0)) / 1e9;
	return d.toFixed(6);
}

/** @param {PacketRow[]} rows @param {number} selected @param {string} t0 */
export const packetRows = (rows, selected, t0) => rows.map((p) => `
	<tr data-n="${p.n}" class="${verdictClass(p.verdict)}${p.n === selected ? ' selected' : ''}" tabindex="-1"
	    aria-selected="${p.n === selected}">
	  <td class="num">${p.n}</td><td class="num">${esc(relTime(p.ts, t0))}</td>
	  <td class="sum" title="${esc(p.summary)}">${esc(p.summary)}</td>
	  <td><span class="badge ${verdictClass(p.verdict)}">${esc(p.verdict === 'drop' ? p.reason || 'drop' : p.verdict)}</span></td>
	</tr>`).join('');

const lanesHeader = () => `<div class="jrow jhead" role="row"><div class="jtree" role="columnheader">function</div>${
	LANES.map((l) => `<div class="lane-h" role="columnheader" title="${esc(l.title)}" aria-label="${esc(l.title)}">${esc(l.label)}</div>`).join('')}</div>`;

function rowState(node, curSeq) {
	if (node.seq > curSeq) return 'future';
	if (node.end !== undefined && node.end <= curSeq) return 'returned';
	return 'active';
}

/**
 * journey - the call tree as rows across the lanes.
 * @param {import('./store.js').JourneyRow[]} rows @param {number} current row index @param {number} curSeq
 */
export function journey(rows, current, curSeq) {
	const body = rows.map(({ node, depth }, i) => {
		const lane = laneOf(node.layer, node.fn);
		const via = node.via && node.via.length ? `<div class="via">${esc(node.via.join(' › '))} ›</div>` : '';
		const v = node.verdict ? `<span class="badge ${verdictClass(node.verdict)}">${esc(node.reason || node.verdict)}</span>` : '';
		const cells = LANES.map((_, k) => `<div class="lane${k === lane ? ' on' : ''}">${k === lane ? `<span class="dot lane-c${k}"></span>` : ''}</div>`).join('');
		return `${via}<div class="jrow ${rowState(node, curSeq)}${i === current ? ' current' : ''}" role="row" data-seq="${node.seq}"
		  aria-current="${i === current ? 'step' : 'false'}">
		  <div class="jtree" style="--d:${depth}"><span class="ph">${node.ph === 'B' ? '▸' : '·'}</span>
		  <span class="fn lane-t${lane}">${esc(node.fn)}</span>${v}</div>${cells}</div>`;
	}).join('');
	return lanesHeader() + body;
}

const kv = (pairs) => `<dl class="kv">${pairs.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;

/** Function note from explain.json. */
export function explainNote(fn, entry) {
	if (!entry) return `<p class="muted">No note for <code>${esc(fn)}</code> yet.</p>`;
	const checks = entry.checks && entry.checks.length
		? `<ol class="checks">${entry.checks.map((c) => `<li>${esc(c)}</li>`).join('')}</ol>` : '';
	return `<p class="file"><code>${esc(entry.file)}</code></p><p>${esc(entry.summary)}</p>${checks}`;
}

const fmtOff = (v, base) => (v < 0 ? 'unset' : `head+${v} (frame+${v - base})`);

/**
 * The current event: what happened, the skb, args and counter changes.
 * @param {TraceEvent} e @param {number} base frame offset of head (see inspector view)
 */
export function eventDetail(e, base) {
	const head = `<div class="evhead"><span class="ph-tag">${esc(e.ph === 'B' ? 'enter' : e.ph === 'E' ? 'return' : 'step')}</span>
	  <code class="fn">${esc(e.fn)}</code><span class="layer">${esc(e.layer)}</span>
	  ${e.verdict ? `<span class="badge ${verdictClass(e.verdict)}">${esc(e.verdict)}${e.reason ? ` · ${esc(e.reason)}` : ''}</span>` : ''}
	  <span class="seq">seq ${e.seq}</span></div>`;
	const msg = e.msg ? `<p class="msg">${esc(e.msg)}</p>` : '';
	const s = e.skb_state;
	const skb = s ? `<h4>sk_buff</h4>${kv([['len', s.len], ['data', fmtOff(s.data, base)], ['network header', fmtOff(s.nh, base)],
		['transport header', fmtOff(s.th, base)], ['pkt_type', s.pkt_type], ['protocol', s.protocol], ['ifindex', s.ifindex]])}` : '';
	const args = e.args ? `<h4>args</h4>${kv(Object.entries(e.args).filter(([k]) => k !== 'frame')
		.map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]))}` : '';
	const mib = e.mib ? `<h4>counters</h4>${kv(Object.entries(e.mib).map(([k, v]) => [k, `+${v}`]))}` : '';
	const from = e.from ? `<p class="muted">reassembled from skbs ${esc(e.from.join(', '))}</p>` : '';
	return head + msg + skb + args + mib + from;
}

/** Decoded headers as a definition list per header. */
export const headers = (hs) => hs.map((h) => `<details open><summary>${esc(h.name)} <span class="muted">bytes ${h.off}–${h.off + h.len - 1}</span></summary>${kv(h.fields)}</details>`).join('')
	|| '<p class="muted">No headers decoded.</p>';

/**
 * A hex dump, 16 bytes a line; bytes in [hl.from, hl.to) are what the
 * current function examines, [skb.from, skb.to) what the skb still holds.
 */
export function hexDump(bytes, hl, skb) {
	const lines = [];
	for (let o = 0; o < bytes.length; o += 16) {
		let hx = '';
		let asc = '';
		for (let i = o; i < Math.min(o + 16, bytes.length); i++) {
			const c = i >= hl.from && i < hl.to ? 'hl' : i >= skb.from && i < skb.to ? 'in' : '';
			const b = bytes[i];
			hx += `<span class="${c}">${b.toString(16).padStart(2, '0')}</span>${i % 8 === 7 ? '  ' : ' '}`;
			asc += `<span class="${c}">${b >= 32 && b < 127 ? esc(String.fromCharCode(b)) : '.'}</span>`;
		}
		lines.push(`<span class="off">${o.toString(16).padStart(4, '0')}</span>  ${hx.padEnd(0)}<span class="asc">${asc}</span>`);
	}
	return lines.join('\n');
}

const table = (cols, rows, empty) => (rows.length
	? `<table class="mini"><thead><tr>${cols.map((c) => `<th scope="col">${esc(c)}</th>`).join('')}</tr></thead><tbody>${
		rows.map((r) => `<tr>${r.map((v) => `<td>${esc(v)}</td>`).join('')}</tr>`).join('')}</tbody></table>`
	: `<p class="muted">${esc(empty)}</p>`);

const arr = (v) => (Array.isArray(v) ? v : []);

/** The state panels at the selected event. @param {StateSnapshot} s @param {StateSnapshot|null} prev */
export function statePanels(s, prev) {
	const pc = prev ? prev.counters : {};
	const counters = Object.entries(s.counters).map(([k, v]) =>
		`<tr class="${prev && pc[k] !== v ? 'changed' : ''}"><td>${esc(k)}</td><td class="num">${v}</td></tr>`).join('');
	const cfg = s.config || {};
	const frags = table(['queue', 'have', 'meat', 'len', 'frags'], arr(s.frag_queues).map((q) =>
		[q.queue, JSON.stringify(q.have ?? ''), q.meat ?? '', q.len ?? '?', q.nfrags ?? '']), 'No fragment queues.');
	const socks = [...arr(cfg.listen).map((l) => [`${l.proto} *:${l.port}`, 'LISTEN', l.app || '']),
		...arr(s.sockets).map((k) => [k.sk, k.new || '?', k.old ? `from ${k.old}` : ''])];
	const routes = table(['destination', 'via', 'dev'], arr(cfg.routes).map((r) => [r.dst, r.via || 'direct', r.dev || '']), 'No routes in the scenario.');
	const ifs = table(['name', 'mac', 'addresses', 'mtu'], arr(cfg.interfaces).map((i) => [i.name, i.mac, arr(i.addrs).join(' '), i.mtu ?? '']), 'Interfaces unknown.');
	const neigh = table(['ip', 'mac', 'dev'], arr(cfg.neighbours).map((n) => [n.ip, n.mac, n.dev || '']), 'No static neighbours.');
	const rules = table(['hook', 'match', 'verdict'], arr(cfg.netfilter).map((r) => [r.hook, JSON.stringify(r.match || {}), r.verdict]), 'No netfilter rules.');
	return `
	<section class="card" aria-label="counters"><h3>Counters <span class="muted">at seq ${s.seq}</span></h3>
	  ${counters ? `<table class="mini"><tbody>${counters}</tbody></table>` : '<p class="muted">All zero so far.</p>'}</section>
	<section class="card" aria-label="fragment queues"><h3>Fragment queues</h3>${frags}</section>
	<section class="card" aria-label="sockets"><h3>Sockets</h3>${table(['socket', 'state', ''], socks, 'No sockets.')}</section>
	<section class="card" aria-label="routing"><h3>Interfaces &amp; routes</h3>${ifs}${routes}</section>
	<section class="card" aria-label="neighbours and rules"><h3>Neighbours &amp; netfilter</h3>${neigh}${rules}</section>`;
}
