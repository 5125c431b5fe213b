// view_inspector.js - the current event (skb fields, args, counters), the
// kernel function's note from explain.json, the frame's decoded headers
// and a hex dump highlighting the bytes the current function examines.
//
// skb offsets are from skb->head; the frame sits at head+base. base is
// found where the stack first set the network header: nh - (where the
// decoder finds the network header in the frame), so it holds for every
// link type (Ethernet, cooked, raw) without knowing the headroom.
import { qs } from './helpers.js';
import { decodeFrame, hexToBytes } from './decode.js';
import { eventDetail, explainNote, headers, hexDump, laneOf } from './template.js';

/** @param {TraceEvent[]} steps @param {number} l3off @param {number} rxSkb */
function frameBase(steps, l3off, rxSkb) {
	const withNh = steps.find((e) => e.skb === rxSkb && e.skb_state && e.skb_state.nh >= 0);
	if (withNh && l3off >= 0) return withNh.skb_state.nh - l3off;
	const first = steps.find((e) => e.skb === rxSkb && e.skb_state);
	return first ? first.skb_state.data : 0;
}

/** The [from, to) frame bytes the function at ev looks at, by its lane. */
function examined(ev, dec, bytes, base) {
	const s = ev.skb_state;
	if (!s) return { from: 0, to: 0 };
	const nh = s.nh >= 0 ? s.nh - base : dec.l3off;
	const th = s.th >= 0 && s.th !== s.nh ? s.th - base : dec.l4off;
	const lane = laneOf(ev.layer, ev.fn);
	if (lane === 0) return { from: 0, to: Math.max(0, dec.l3off) };
	if (lane === 7) return { from: nh, to: nh + 28 };
	if ((lane === 2 || lane === 3 || lane === 4 || lane === 5) && nh >= 0 && nh < bytes.length) return { from: nh, to: nh + Math.max(20, (bytes[nh] & 15) * 4) };
	if (lane === 6 && th >= 0 && th < bytes.length) {
		const len = dec.proto === 6 && th + 12 < bytes.length ? (bytes[th + 12] >> 4) * 4 : 8;
		return { from: th, to: th + len };
	}
	return { from: 0, to: 0 };
}

export class InspectorView {
	constructor() {
		this.$ev = qs('#ev');
		this.$explain = qs('#explain');
		this.$hdrs = qs('#hdrs');
		this.$hex = qs('#hex');
		this.frameKey = '';
	}

	/** @param {TraceEvent|null} ev @param {PacketDetail|null} p @param {Explain} explain */
	render(ev, p, explain) {
		if (!ev || !p) {
			this.$ev.innerHTML = '<p class="muted">Nothing selected.</p>';
			this.$explain.innerHTML = '';
			this.$hdrs.innerHTML = '';
			this.$hex.innerHTML = '';
			return;
		}
		const bytes = hexToBytes(p.frame || '');
		const dec = decodeFrame(bytes, p.linktype);
		const rx = p.steps.find((e) => e.skb !== null && e.skb !== undefined);
		const rxSkb = rx ? rx.skb : -1;
		const base = frameBase(p.steps, dec.l3off, rxSkb);
		const own = ev.skb === rxSkb;
		this.$ev.innerHTML = eventDetail(ev, base) +
			(own || ev.skb === null ? '' : `<p class="note">This step works on skb ${ev.skb}, not on the captured frame below.</p>`);
		this.$explain.innerHTML = explainNote(ev.fn, explain.functions[ev.fn]);
		const key = `${p.n}:${p.frame.length}`;
		if (key !== this.frameKey) {
			this.$hdrs.innerHTML = headers(dec.headers);
			this.frameKey = key;
		}
		const s = ev.skb_state;
		const hl = own ? examined(ev, dec, bytes, base) : { from: 0, to: 0 };
		const skb = own && s ? { from: s.data - base, to: s.data - base + s.len } : { from: 0, to: 0 };
		this.$hex.innerHTML = hexDump(bytes, hl, skb);
	}
}
