// links.js - how packets' journeys are tied together, from their events
// alone (pure functions, no DOM): which fragments a reassembled datagram
// was rebuilt from, and what each packet made the host send.
import './types.js';

/** The skb a packet's journey starts with (the received frame), or null. @param {PacketDetail} d */
export const rxSkb = (d) => {
	const e = d.steps.find((x) => x.skb !== null && x.skb !== undefined);
	return e ? e.skb : null;
};

/**
 * The skbs a packet made the host send (dev_queue_xmit returned "sent"),
 * each with the sentence of the step that built it. A forwarded frame is
 * the received skb itself and is not counted as a new one.
 * @param {PacketDetail} d @returns {Array<{skb: number, what: string}>}
 */
export function sentBy(d) {
	const rx = rxSkb(d);
	const out = [];
	for (const e of d.steps) {
		if (e.fn !== 'dev_queue_xmit' || e.ph !== 'E' || e.verdict !== 'sent' || e.skb === rx) continue;
		const born = d.steps.find((x) => x.skb === e.skb);
		out.push({ skb: e.skb, what: born && born.msg ? born.msg : born ? born.fn : '' });
	}
	return out;
}

/**
 * Arrows from fragments to the packet that rebuilt their datagram, from
 * the reassembly events (each with `from`, the fragments' skb ids) and a
 * map of fragment skb ids to packet numbers: every pair, the packets on
 * the strip or not, once.
 * @param {TraceEvent[]} reasms @param {Map<number, number>} skbPkt
 * @returns {Array<{from: number, to: number}>}
 */
export function fragLinks(reasms, skbPkt) {
	const seen = new Set(), out = [];
	for (const e of reasms) {
		for (const f of e.from || []) {
			const n = skbPkt.get(f);
			if (n === undefined || n === e.pkt || seen.has(`${n}>${e.pkt}`)) continue;
			seen.add(`${n}>${e.pkt}`);
			out.push({ from: n, to: e.pkt });
		}
	}
	return out;
}
