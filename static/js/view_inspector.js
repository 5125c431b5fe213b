// view_inspector.js - the current step: the event (skb fields, args,
// counters), the kernel function's note with the check that failed
// marked, the skb's headers as a tree and its bytes as hex, the two
// linked both ways (a field lights its bytes, a byte selects its field),
// and only the bytes the current check reads highlighted.
//
// skb offsets are from skb->head; the frame sits at head+base. base is
// found where the stack first set the network header: nh - (where the
// decoder finds the network header in the frame), so it holds for every
// link type (Ethernet, cooked, raw) without knowing the headroom.
import { qs, $delegate, escapeHTML as esc } from './helpers.js';
import { decodeFrame, hexToBytes } from './decode.js';
import { eventDetail, explainNote, headers, hexDump } from './template.js';

/** @param {TraceEvent[]} steps @param {number} l3off @param {number} rxSkb */
function frameBase(steps, l3off, rxSkb) {
	const withNh = steps.find((e) => e.skb === rxSkb && e.skb_state && e.skb_state.nh >= 0);
	if (withNh && l3off >= 0) return withNh.skb_state.nh - l3off;
	const first = steps.find((e) => e.skb === rxSkb && e.skb_state);
	return first ? first.skb_state.data : 0;
}

/**
 * Where the bytes of an skb the stack made start, as an offset from its
 * head: a sent frame starts where data was when dev_queue_xmit got it; a
 * reassembled datagram (raw IPv4) at its network header.
 */
function madeBase(steps, skb, how, l3off) {
	if (how === 'sent') {
		const x = steps.find((e) => e.skb === skb && e.fn === 'dev_queue_xmit' && e.skb_state);
		if (x) return x.skb_state.data;
	}
	const n = steps.find((e) => e.skb === skb && e.skb_state && e.skb_state.nh >= 0);
	return n ? n.skb_state.nh - Math.max(0, l3off) : 0;
}

/** The bytes a drop's check compared: [where, offset, length]; nh = network header, th = transport, l2 = frame start. */
const READS_BY_REASON = {
	IP_CSUM: ['nh', 10, 2], IP_INHDR: ['nh', 0, 1], PKT_TOO_SMALL: ['nh', 2, 2], OTHERHOST: ['l2', 0, 6],
	IP_INADDRERRORS: ['nh', 16, 4], IP_INNOROUTES: ['nh', 16, 4], IP_RPFILTER: ['nh', 12, 4], IP_INVALID_SOURCE: ['nh', 12, 4],
	UDP_CSUM: ['th', 6, 2], TCP_CSUM: ['th', 16, 2], NO_SOCKET: ['th', 2, 2], IP_INVALID_DEST: ['nh', 16, 4],
};
/** The bytes a passing step reads, by function. */
const READS_BY_FN = {
	eth_type_trans: ['l2', 0, 14], ip_rcv_core: ['nh', 0, 20], fib_table_lookup: ['nh', 16, 4], ip_route_input_slow: ['nh', 12, 8],
	ip_defrag: ['nh', 4, 4], ip_find: ['nh', 4, 6], ip_frag_queue: ['nh', 2, 6], ip_forward: ['nh', 8, 1], udp_rcv: ['th', 0, 8],
	icmp_rcv: ['th', 0, 4], tcp_v4_rcv: ['th', 0, 20], ip_local_deliver_finish: ['nh', 9, 1],
	tun_get_user: ['nh', 0, 1], ip6_rcv_core: ['nh', 0, 40], ip6_route_input: ['nh', 24, 16], ip6_forward: ['nh', 7, 1],
	ip6_input_finish: ['nh', 6, 1], udpv6_rcv: ['th', 0, 8], icmpv6_rcv: ['th', 0, 4], tcp_v6_rcv: ['th', 0, 20],
};

/** The [from, to) frame bytes the step reads. */
function examined(ev, dec, base, dropReason) {
	const s = ev.skb_state;
	const nh = s && s.nh >= 0 ? s.nh - base : dec.l3off;
	const th = s && s.th >= 0 && s.th !== s.nh ? s.th - base : dec.l4off;
	const r = (dropReason && READS_BY_REASON[dropReason]) || READS_BY_FN[ev.fn];
	if (!r) return { from: 0, to: 0 };
	const at = r[0] === 'l2' ? 0 : r[0] === 'nh' ? nh : th;
	return at < 0 ? { from: 0, to: 0 } : { from: at + r[1], to: at + r[1] + r[2] };
}

/** The reason of the drop this step is part of: its own, or that of the kfree_skb step beside it. */
function dropOf(ev, steps) {
	if (ev.reason) return ev.reason;
	const i = steps.indexOf(ev);
	const nx = steps[i + 1];
	return nx && nx.fn === 'kfree_skb' && nx.parent === ev.parent ? nx.reason : '';
}

/** The 1-based check of explain.json that names the drop reason. */
function failedIndex(entry, reason) {
	if (!entry || !reason || !entry.checks) return 0;
	const re = new RegExp(`\\b${reason}\\b`);
	return entry.checks.findIndex((c) => re.test(c)) + 1;
}

export class InspectorView {
	constructor() {
		this.$ev = qs('#ev');
		this.$explain = qs('#explain');
		this.$hdrs = qs('#hdrs');
		this.$hex = qs('#hex');
		this.$skbH = qs('#skb-h');
		$delegate(this.$hdrs, '.fld', 'click', (f) => this._mark(Number(f.dataset.o), Number(f.dataset.n), f));
		$delegate(this.$hex, 'span[data-o]', 'click', (b) => {
			const o = Number(b.dataset.o);
			const fs = [...this.$hdrs.querySelectorAll('.fld')].filter((f) => o >= Number(f.dataset.o) && o < Number(f.dataset.o) + Number(f.dataset.n));
			const f = /** @type {HTMLElement} */ (fs.sort((a, c) => Number(a.dataset.n) - Number(c.dataset.n))[0]);
			if (f) { this._mark(Number(f.dataset.o), Number(f.dataset.n), f); f.scrollIntoView({ block: 'nearest' }); }
		});
	}

	/** Selects a field and its bytes. */
	_mark(o, n, f) {
		for (const x of this.$hdrs.querySelectorAll('.fld.sel')) x.classList.remove('sel');
		for (const x of this.$hex.querySelectorAll('.sel')) x.classList.remove('sel');
		f.classList.add('sel');
		for (let i = o; i < o + n; i++) {
			const b = this.$hex.querySelector(`span[data-o="${i}"]`);
			if (b) b.classList.add('sel');
		}
	}

	/**
	 * @param {TraceEvent|null} ev @param {PacketDetail|null} p @param {Explain} explain
	 * @param {{frame?: string, linktype?: number, how?: string, error?: string, pending?: boolean}|null} [made]
	 *   the bytes of an skb the stack made, from /skbs (null for the received frame)
	 */
	render(ev, p, explain, made = null) {
		if (!ev || !p) {
			this.$ev.innerHTML = '<p class="muted">Nothing selected.</p>';
			this.$explain.innerHTML = '';
			this.$hdrs.innerHTML = '';
			this.$hex.innerHTML = '';
			return;
		}
		const rx = p.steps.find((e) => e.skb !== null && e.skb !== undefined);
		const rxSkb = rx ? rx.skb : -1;
		const reason = dropOf(ev, p.steps);
		/* kfree_skb is where the caller's check ends: explain the caller */
		const par = ev.fn === 'kfree_skb' ? p.steps.find((e) => e.seq === ev.parent) : null;
		const fn = par ? par.fn : ev.fn;
		const entry = explain.functions[fn];
		this.$explain.innerHTML = explainNote(fn, entry, failedIndex(entry, reason));
		const own = (ev.skb === rxSkb && !(made && made.frame)) || ev.skb === null || ev.skb === undefined;
		/* another skb: its bytes as the stack sent or rebuilt it (/skbs), when the server can tell */
		const rec = own ? null : made && made.frame ? made : null;
		const hex = own ? p.frame || '' : rec ? rec.frame : '';
		const bytes = hexToBytes(hex);
		const dec = decodeFrame(bytes, own ? p.linktype : Number(rec ? rec.linktype : 1));
		const base = own ? frameBase(p.steps, dec.l3off, rxSkb) : rec ? madeBase(p.steps, ev.skb, rec.how, dec.l3off) : 0;
		this.$ev.innerHTML = eventDetail(ev, base);
		this.$skbH.textContent = own ? `Headers of skb ${rxSkb} (the received frame)`
			: `Headers of skb ${ev.skb} (${rec && rec.how === 'sent' ? 'as it left the host' : rec ? 'the reassembled datagram' : 'made by the stack'})`;
		if (!own && !rec) {
			this.$hdrs.innerHTML = made && made.pending ? '<p class="muted">Asking the server for its bytes…</p>'
				: `<p class="note">The bytes of skb ${ev.skb}, made by the stack, are not known${
					made && (made.why || made.error) ? ` (${esc(made.why || made.error)})` : ''}: only its sk_buff fields are known.</p>`;
			this.$hex.innerHTML = '';
			return;
		}
		const s = ev.skb_state;
		const hl = examined(ev, dec, base, reason);
		const skb = s ? { from: s.data - base, to: s.data - base + s.len } : { from: 0, to: bytes.length };
		this.$hdrs.innerHTML = headers(dec.headers, hl);
		const cw = this.$hex.clientWidth || 300;
		const ch = 9.7;	/* 16 px monospace */
		const cols = Math.floor((cw - 16) / ch);
		const ascii = cols >= 5 + 16 * 4 + 2;
		const per = ascii ? 16 : cols >= 5 + 16 * 3 + 2 ? 16 : cols >= 5 + 8 * 3 + 1 ? 8 : 4;
		this.$hex.innerHTML = hexDump(bytes, hl, skb, per, ascii);
	}
}
