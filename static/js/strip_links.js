// strip_links.js - what the time strip's arrows and marks are drawn from,
// asked of the server for the packets on the strip: which fragments each
// reassembled datagram was rebuilt from (also when it is rebuilt far
// after the strip or began before it) and which packets the host answered.
// Each answer says what it did not search, so nothing is silently missing.
import { api } from './api.js';
import { fragLinks } from './links.js';
import './types.js';

const REPLY_EVENTS = 20000;	/* transmits read for the ↩ marks */
const LATER_REASM = 20000;	/* reassemblies after the strip searched for its fragments' datagrams */

/**
 * The packets rows[0].n … last that the host answered: those whose
 * journey has dev_queue_xmit send an skb other than a forwarded frame
 * (the skb ip_forward or ip6_forward was given goes out as itself; an
 * ICMP error they send is a new one). A reply's events carry the
 * number of the packet that caused it, so its mark is over that packet,
 * on the strip with it; frames sent on timers after the capture name no
 * packet, and the note counts them. At most REPLY_EVENTS transmits are
 * read; the note says where the search stopped.
 * @param {number} id @param {PacketRow[]} rows the strip's packets @param {string[]} fnNames the trace's functions
 * @param {number} lastPkt the trace's last packet number
 * @returns {Promise<{replied: number[], cut: string}>}
 */
export async function replies(id, rows, fnNames, lastPkt) {
	if (!rows.length || !fnNames.includes('dev_queue_xmit')) return { replied: [], cut: '' };
	const q = { pkt_from: rows[0].n, pkt_to: rows[rows.length - 1].n };
	const fwdFns = fnNames.filter((n) => /^ip6?_forward$/.test(n));
	const [sent, fwd] = await Promise.all([eventPages(id, { fn: 'dev_queue_xmit', verdict: 'sent', ...q }, REPLY_EVENTS),
		Promise.all(fwdFns.map((fn) => allEvents(id, { fn, ...q })))]);
	const forwarded = new Set(fwd.flat().map((e) => e.skb));
	const replied = [...new Set(sent.events.filter((e) => e.pkt !== null && !forwarded.has(e.skb)).map((e) => e.pkt))];
	const last = sent.events.length ? sent.events[sent.events.length - 1].pkt : null;
	let cut = sent.next !== null && last !== null ? `↩ searched up to #${last} only (the first ${sent.events.length.toLocaleString()} frames the host sent)` : '';
	/* after the capture's last frame the host may go on sending on its timers: those events name no packet */
	const end = rows[rows.length - 1];
	if (!cut && end.n === lastPkt) {
		const after = await api.events(id, { fn: 'dev_queue_xmit', verdict: 'sent', from: end.first_seq + end.events, limit: 1000 });
		const k = after.events.filter((e) => e.pkt === null).length;
		if (k) cut = `${k}${after.next !== null ? '+' : ''} frame${k === 1 ? '' : 's'} the host sent on timers after the capture name no packet: no ↩ for ${k === 1 ? 'it' : 'them'}`;
	}
	return { replied, cut };
}

/** Pages of events matching q until max events: {events, next} (next: null when all were read). */
async function eventPages(id, q, max) {
	let events = [], next = 0;
	while (next !== null && events.length < max) {
		const page = await api.events(id, { ...q, from: next, limit: 1000 });
		events = events.concat(page.events);
		next = page.next;
	}
	return { events, next };
}

/** Every page of events matching q (at most max events). */
async function allEvents(id, q, max = 20000) {
	return (await eventPages(id, q, max)).events;
}

/**
 * Fragment → reassembly pairs touching packets rows[0].n … last: the
 * reassembly events (`from`: the fragments' skbs) and the queueing
 * events (a fragment's skb and packet) of that range; a datagram
 * rebuilt after it is looked for in the reassemblies that follow (up to
 * LATER_REASM, `later` says when some were not searched), the fragments
 * queued before it at the queue's arrivals (/state).
 * @param {number} id @param {PacketRow[]} rows the strip's packets @param {string[]} fnNames the trace's functions
 * @returns {Promise<{links: Array<{from: number, to: number}>, cut: string, later: string}>}
 */
export async function fragArrows(id, rows, fnNames) {
	const reasmFns = fnNames.filter((n) => /^ip6?_frag_reasm$/.test(n));
	if (!rows.length || !reasmFns.length) return { links: [], cut: '', later: '' };
	const lo = rows[0].n, hi = rows[rows.length - 1].n;
	const queueOf = (fn) => fn.replace('_reasm', '_queue');
	const range = { pkt_from: lo, pkt_to: hi };
	const [reasms, queued] = await Promise.all([reasmFns, reasmFns.map(queueOf)].map((fns) =>
		Promise.all(fns.map((fn) => (fnNames.includes(fn) ? allEvents(id, { fn, ...range }) : [])))));
	const skbPkt = new Map();
	for (const e of queued.flat()) if (e.skb !== null && e.skb !== undefined && e.pkt !== null) skbPkt.set(e.skb, e.pkt);
	const rebuilt = reasms.flat().filter((e) => e.from);
	const used = new Set(rebuilt.flatMap((e) => e.from));
	/* fragments of the range not rebuilt in it: their datagram may come later (each family in its own reassemblies) */
	const unsearched = await Promise.all(reasmFns.map((fn, k) => {
		const want = new Set(queued[k].map((e) => e.skb).filter((f) => skbPkt.has(f) && !used.has(f)));
		return laterReasm(id, fn, hi, want, rebuilt);
	}));
	const left = unsearched.reduce((a, x) => a + x.left, 0);
	const upTo = Math.min(...unsearched.map((x) => x.upTo));
	const later = left ? `the reassembly of ${left} fragment${left === 1 ? '' : 's'} was searched up to #${upTo} only (${
		LATER_REASM.toLocaleString()} reassemblies after the strip): arrows from them may be missing` : '';
	/* datagrams rebuilt in the range from fragments queued before it */
	const early = rebuilt.filter((e) => e.pkt >= lo && e.from.some((f) => !skbPkt.has(f)));
	for (const e of early.slice(0, 10)) {
		const st = await api.state(id, e.seq - 1);
		const q = (st.frags || []).find((x) => e.args && x.key === e.args.queue);
		const seqs = (q ? q.arrivals || [] : []).filter((a) => !skbPkt.has(a.skb));
		const evs = await Promise.all(seqs.map((a) => api.events(id, { from: a.seq, limit: 1 })));
		evs.forEach((p, i) => { const x = p.events[0]; if (x && x.pkt !== null) skbPkt.set(seqs[i].skb, x.pkt); });
	}
	const cut = early.length > 10 ? `the fragments of ${early.length - 10} datagrams begun before #${lo} are not looked up` : '';
	return { links: fragLinks(rebuilt, skbPkt), cut, later };
}

/**
 * The reassemblies (fn) after packet hi that used any of the fragment
 * skbs in want, pushed onto out, page by page until every one is found
 * or the trace ends (a fragment whose queue expired is in none), at most
 * LATER_REASM: {left, upTo}, the fragments still unfound when the search
 * stopped early and the last packet it read (Infinity when it did not).
 */
async function laterReasm(id, fn, hi, want, out) {
	let next = 0, read = 0, upTo = Infinity;
	while (want.size && next !== null) {
		if (read >= LATER_REASM) return { left: want.size, upTo };
		const page = await api.events(id, { fn, pkt_from: hi + 1, from: next, limit: 1000 });
		for (const e of page.events) {
			if (!e.from || !e.from.some((f) => want.has(f))) continue;
			out.push(e);
			for (const f of e.from) want.delete(f);
		}
		read += page.events.filter((e) => e.from).length;
		next = page.next;
		if (page.events.length) upTo = page.events[page.events.length - 1].pkt;
	}
	return { left: 0, upTo };
}
