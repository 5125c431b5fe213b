// store.js - all UI state in one place. The controller is the only caller
// of the setters; views get what they render as arguments, never the store.
import './types.js';
import { stepNodes } from './kernel_map.js';

/** @typedef {{verdict: string, reason: string, fn: string, expr: string}} Filters */

/**
 * A journey row: one call-tree node in pre-order with its depth.
 * @typedef {{node: TreeNode, depth: number}} JourneyRow
 */

export class Store {
	constructor() {
		/** @type {TraceBrief[]} */ this.traces = [];
		/** @type {number} */ this.traceId = 0;
		/** @type {TraceSummary|null} */ this.summary = null;
		/** @type {PacketRow[]} */ this.packets = [];
		this.packetsTotal = 0;
		/** the trace the packets above are of */ this.packetsTrace = 0;
		/** @type {Filters} */ this.filters = { verdict: '', reason: '', fn: '', expr: '' };
		/** the packet list's error for the filters ('' when they are understood) */ this.filterError = '';
		/** @type {PacketDetail|null} */ this.packet = null;
		/** @type {JourneyRow[]} */ this.rows = [];
		this.stepIndex = 0;
		/** @type {StateSnapshot|null} */ this.state = null;
		/** @type {StateSnapshot|null} */ this.prevState = null;
		/** @type {Histogram|null} */ this.hist = null;
		/** @type {TraceEvent[]} */ this.windowEvents = [];
		this.range = { from: 0, to: 0 };
		/** @type {Explain} */ this.explain = { version: 1, functions: {} };
		this.liveId = 0;
		this.playing = false;
		/** @type {import('./view_lessons.js').LessonDetail|null} */ this.lesson = null;
		this.lessonN = 0;
		/** the trace's first packet time: the origin of every time shown, filtered or not */
		this.t0 = '0.0';
		/** @type {string[]} */ this.fnNames = [];
		this.view = 'map';
		this.speed = 1;
		this.presenter = false;
		/** @type {string[]} stage of each step (kernel_map.stepNodes) */ this.nodes = [];
		this.flowSel = -1;
		/** @type {PacketRow[]} */ this.flowRows = [];
		/** @type {Map<number, Array<{skb: number, what: string}>>} what each packet of the flow made the host send */
		this.flowSent = new Map();
	}

	/** @param {PacketDetail|null} p @param {number} [seq] step to the event with this seq */
	setPacket(p, seq) {
		this.packet = p;
		/** the trace the packet came from: a request for another trace must not use its seqs */
		this.packetTrace = p ? this.traceId : 0;
		this.rows = [];
		const walk = (nodes, depth) => {
			for (const node of nodes) {
				this.rows.push({ node, depth });
				if (node.children) walk(node.children, depth + 1);
			}
		};
		if (p) walk(p.tree, 0);
		this.nodes = p ? stepNodes(p.steps) : [];
		const i = p && seq !== undefined ? p.steps.findIndex((e) => e.seq === seq) : -1;
		this.stepIndex = i >= 0 ? i : 0;
	}

	/** @returns {TraceEvent|null} the event at the current step */
	current() {
		return this.packet && this.packet.steps.length ? this.packet.steps[this.stepIndex] : null;
	}

	/** @param {number} i clamps into the journey */
	setStep(i) {
		const n = this.packet ? this.packet.steps.length : 0;
		this.stepIndex = Math.max(0, Math.min(n - 1, i));
	}

	/** The index of the row the current step belongs to (an E step → its B's row). */
	currentRow() {
		const e = this.current();
		if (!e) return -1;
		const seq = e.ph === 'E' ? e.parent : e.seq;
		return this.rows.findIndex((r) => r.node.seq === seq);
	}

	/** @param {StateSnapshot} s */
	setState(s) {
		this.prevState = this.state;
		this.state = s;
	}

	/** Packet rows around the selected one, for n/p navigation. */
	neighbourPacket(delta) {
		if (!this.packet) return this.packets.length ? this.packets[0].n : 0;
		const i = this.packets.findIndex((r) => r.n === this.packet.n);
		if (i < 0) return this.packet.n + delta;
		const j = i + delta;
		return j >= 0 && j < this.packets.length ? this.packets[j].n : 0;
	}

	/** The deep link for what is selected. */
	hash() {
		const p = new URLSearchParams();
		if (this.lessonN) p.set('lesson', String(this.lessonN));
		if (this.presenter) p.set('present', '1');
		if (this.traceId) p.set('trace', String(this.traceId));
		if (this.packet) p.set('pkt', String(this.packet.n));
		const e = this.current();
		if (e) p.set('seq', String(e.seq));
		return `#${p.toString()}`;
	}
}
