// view_timeline.js - every event of the trace on a canvas. Zoomed out it
// draws the server's histogram (events per bucket, coloured by the layer
// most seen, drops marked red), so a 1M-event trace costs one small
// request; zoomed in to a few hundred events it draws each call as a bar
// at its depth (a flame chart). Wheel zooms, drag pans, click jumps.
import { qs, $on, $delegate, escapeHTML as esc } from './helpers.js';
import { laneOf, relTime, verdictClass } from './template.js';

/** Lane colours; the same hues as .lane-cN in style.css. */
export const LANE_COLORS = ['#5b7fa6', '#7f8c9a', '#b5651d', '#2f7ebd', '#7a5aa6', '#c08a00', '#2e8b57', '#b0417a', '#4f9a9a', '#8a6d3b'];
const DROP = '#d0342c';
const OUT = '#d5dce5';		/* what the filters leave out */
const KEPT = '#1f4e8c';		/* what they keep */

export class TimelineView {
	constructor() {
		this.$c = /** @type {HTMLCanvasElement} */ (qs('#timeline'));
		this.$range = qs('#tl-range');
		this.drag = null;
		this.last = null;
	}

	/**
	 * @param {(from: number, to: number) => void} onRange a new visible index range
	 * @param {(seq: number) => void} onJump the user picked an event
	 * @param {() => {from: number, to: number, total: number}} getRange
	 */
	bind(onRange, onJump, getRange) {
		const c = this.$c;
		const zoom = (f, at) => {
			const r = getRange();
			const span = Math.max(50, Math.min(r.total, Math.round((r.to - r.from) * f)));
			let from = Math.round(r.from + (r.to - r.from) * at - span * at);
			from = Math.max(0, Math.min(r.total - span, from));
			onRange(from, from + span);
		};
		$on(c, 'wheel', (ev) => {
			const e = /** @type {WheelEvent} */ (ev);
			e.preventDefault();
			zoom(e.deltaY > 0 ? 1.25 : 0.8, e.offsetX / c.clientWidth);
		});
		$on(c, 'mousedown', (ev) => { this.drag = { x: /** @type {MouseEvent} */ (ev).offsetX, r: getRange(), moved: false }; });
		$on(window, 'mouseup', (ev) => {
			const d = this.drag;
			this.drag = null;
			if (d && !d.moved && ev.target === c) {
				const seq = this.seqAt(/** @type {MouseEvent} */ (ev).offsetX / c.clientWidth);
				if (seq) onJump(seq);
			}
		});
		$on(c, 'mousemove', (ev) => {
			const d = this.drag;
			if (!d) return;
			const dx = /** @type {MouseEvent} */ (ev).offsetX - d.x;
			if (Math.abs(dx) < 3 && !d.moved) return;
			d.moved = true;
			const span = d.r.to - d.r.from;
			const from = Math.max(0, Math.min(d.r.total - span, Math.round(d.r.from - (dx / c.clientWidth) * span)));
			onRange(from, from + span);
		});
		$on(c, 'keydown', (ev) => {
			const e = /** @type {KeyboardEvent} */ (ev);
			const k = e.key;
			const pan = (f) => {
				const r = getRange();
				const span = r.to - r.from;
				const from = Math.max(0, Math.min(r.total - span, Math.round(r.from + f * span)));
				onRange(from, from + span);
			};
			if (k === '+' || k === '=') zoom(0.8, 0.5);
			else if (k === '-') zoom(1.25, 0.5);
			else if (k === '0') onRange(0, getRange().total);
			else if (k === 'ArrowLeft') pan(-0.2);
			else if (k === 'ArrowRight') pan(0.2);
			else return;
			e.preventDefault();
			e.stopPropagation();
		});
		$on(qs('#tl-in'), 'click', () => zoom(0.6, 0.5));
		$on(qs('#tl-out'), 'click', () => zoom(1.6, 0.5));
		$on(qs('#tl-reset'), 'click', () => onRange(0, getRange().total));
		$on(window, 'resize', () => this.last && this.render(...this.last));
	}

	/** @param {(n: number) => void} handler a packet slice of the time strip was picked */
	bindPacket(handler) {
		const strip = qs('#tl-time'), tip = qs('#tl-tip');
		$delegate(strip, '.slice', 'click', (b) => handler(Number(b.dataset.n)));
		$on(strip, 'mousemove', (ev) => {
			const el = /** @type {HTMLElement} */ (ev.target).closest('.slice');
			tip.hidden = !el;
			if (!el) return;
			tip.textContent = el.getAttribute('aria-label');
			const r = strip.getBoundingClientRect(), m = /** @type {MouseEvent} */ (ev);
			tip.style.left = `${Math.min(r.width - 200, Math.max(0, m.clientX - r.left))}px`;
			tip.style.top = `${strip.offsetTop + 66}px`;
		});
		$on(strip, 'mouseleave', () => { tip.hidden = true; });
	}

	/**
	 * The time strip: each packet a slice at its capture time, gaps much
	 * longer than the usual spacing squeezed to a fixed width and labelled
	 * ("⟂ 30 s"), so a 30 s reassembly timeout does not look like 1 µs.
	 * @param {PacketRow[]} rows @param {string} t0 @param {number} selected
	 */
	renderTime(rows, t0, selected) {
		const strip = qs('#tl-time');
		const w = strip.clientWidth || 600;
		if (!rows.length) { strip.innerHTML = ''; return; }
		const t = rows.map((p) => Number(relTime(p.ts, t0)));
		const gaps = t.slice(1).map((x, i) => x - t[i]).filter((g) => g > 0).sort((a, b) => a - b);
		const med = gaps.length ? gaps[(gaps.length - 1) >> 1] : 0;
		const big = med > 0 ? med * 20 : 1;
		const GAPW = 70;
		let nBig = 0, spanSmall = 0;
		for (let i = 1; i < t.length; i++) { const g = t[i] - t[i - 1]; if (g > big) nBig++; else spanSmall += g; }
		const room = Math.max(50, w - 20 - nBig * GAPW);
		const unit = spanSmall > 0 ? room / spanSmall : 0;
		const slot = Math.max(3, Math.min(40, room / rows.length - 2));
		/* positions: time, gaps squeezed, slices never on top of each other, then fitted */
		const xs = [], gapAt = [];
		let x = 4;
		for (let i = 0; i < rows.length; i++) {
			if (i) {
				const g = t[i] - t[i - 1];
				if (g > big) { gapAt.push([x + slot, g]); x += slot + GAPW; }
				else x += Math.max(slot + 2, unit * g);
			}
			xs.push(x);
		}
		const fit = x + slot > w - 4 ? (w - 4 - slot) / x : 1;
		const sw = Math.max(3, slot * Math.min(1, fit));
		const out = gapAt.map(([gx, g]) => `<span class="gap" style="left:${gx * fit + 4}px">⟂ ${esc(fmtGap(g))}</span>`);
		for (let i = 0; i < rows.length; i++) {
			const p = rows[i];
			const lab = `#${p.n} at ${t[i].toFixed(6)} s: ${p.summary} — ${p.verdict === 'drop' ? p.reason || 'drop' : p.verdict}`;
			out.push(`<span class="slice ${verdictClass(p.verdict)}${p.n === selected ? ' sel' : ''}" data-n="${p.n}" style="left:${xs[i] * fit}px;width:${sw}px"
				aria-label="${esc(lab)}">${sw >= 30 ? p.n : ''}</span>`);
		}
		strip.innerHTML = out.join('');
		delete strip.dataset.marks;	/* set once the arrows and marks are drawn */
	}

	/**
	 * Arrows on the time strip: from each fragment to the packet whose
	 * journey rebuilt the datagram, and a "↩" over a packet the host
	 * answered (its reply is no captured packet, so it has no slice). An
	 * arrow whose other end is off the strip (filtered out, or not listed
	 * yet) runs to the strip's edge (or a short way, toward a packet in
	 * between) and ends in that packet's number.
	 * @param {Array<{from: number, to: number}>} reasm @param {number[]} replied packet numbers
	 */
	renderLinks(reasm, replied, note = '') {
		const strip = qs('#tl-time');
		qs('#tl-links-note').textContent = note;
		const w = strip.clientWidth;
		const slices = [...strip.querySelectorAll('.slice')].map((el) => Number(/** @type {HTMLElement} */ (el).dataset.n));
		const first = Math.min(...slices), last = Math.max(...slices);
		const at = (n) => {
			const el = /** @type {HTMLElement} */ (strip.querySelector(`.slice[data-n="${n}"]`));
			return el ? el.offsetLeft + el.offsetWidth / 2 : null;
		};
		const arc = (a, b, cls) => `<path d="M${a},26 Q${(a + b) / 2},${26 - 2 * Math.min(22, 6 + Math.abs(b - a) / 20)} ${b},26" class="${cls}"/>`;
		/* off-strip partners, grouped per visible packet and side: one arrow, their numbers */
		const far = new Map();
		const paths = reasm.map(({ from, to }) => {
			const a = at(from), b = at(to);
			if (a !== null && b !== null) return a === b ? '' : arc(a, b, 'tl-reasm');
			if (a === null && b === null) return '';
			const x = a === null ? b : a, other = a === null ? from : to, seen = a === null ? to : from;
			const side = other < first ? -1 : other > last ? 1 : other < seen ? -1 : 1;
			const k = `${seen}${side}`;
			if (!far.has(k)) far.set(k, { x, side, edge: other < first || other > last, ns: [] });
			far.get(k).ns.push(other);
			return '';
		}).join('');
		let room = -Infinity;	/* where the last label ended: labels never overlap (the note counts them all) */
		const clipped = [...far.values()].sort((p, q) => p.x - q.x).map(({ x, side, edge, ns }) => {
			const end = edge ? (side < 0 ? 2 : w - 2) : x + side * 44;
			const label = ns.length === 1 ? `#${ns[0]}` : `#${Math.min(...ns)}…#${Math.max(...ns)}`;
			const lw = textWidth(label) + 6, l0 = side < 0 ? end : end - lw;
			const text = l0 > room ? `<text x="${end}" y="12" text-anchor="${side < 0 ? 'start' : 'end'}" class="tl-far-label">${esc(label)}</text>` : '';
			if (text) room = l0 + lw + 4;
			return `${arc(x, end, 'tl-reasm tl-far')}${text}`;
		}).join('');
		const marks = replied.map((n) => {
			const x = at(n);
			return x === null ? '' : `<text x="${x}" y="22" text-anchor="middle" class="tl-reply" data-n="${n}">↩</text>`;
		}).join('');
		const old = strip.querySelector('svg');
		if (old) old.remove();
		strip.dataset.marks = String(replied.filter((n) => at(n) !== null).length);
		if (!paths && !marks && !clipped) return;
		strip.insertAdjacentHTML('beforeend', `<svg class="tl-links" width="${w}" height="28" aria-hidden="true">${paths}${clipped}${marks}</svg>`);
	}

	/** The seq under a fraction of the width. */
	seqAt(fx) {
		if (!this.last) return 0;
		const [hist, evs, , range] = this.last;
		if (evs && evs.length) {
			const idx = range.from + fx * (range.to - range.from);
			let best = evs[0];
			for (const e of evs) if (Math.abs(e.seq - 1 - idx) < Math.abs(best.seq - 1 - idx)) best = e;
			return best.seq;
		}
		if (!hist || !hist.n.length) return 0;
		const b = Math.min(hist.n.length - 1, Math.floor(fx * hist.n.length));
		return hist.seq[b] || 0;
	}

	/**
	 * @param {Histogram|null} hist @param {TraceEvent[]} evs events of the range when zoomed in
	 * @param {number} curSeq @param {{from: number, to: number}} range
	 */
	render(hist, evs, curSeq, range) {
		this.last = [hist, evs, curSeq, range];
		const c = this.$c;
		const dpr = window.devicePixelRatio || 1;
		const w = c.clientWidth, h = c.clientHeight;
		if (c.width !== Math.round(w * dpr)) c.width = Math.round(w * dpr);
		c.height = Math.round(h * dpr);
		const g = c.getContext('2d');
		g.setTransform(dpr, 0, 0, dpr, 0, 0);
		g.clearRect(0, 0, w, h);
		const span = Math.max(1, range.to - range.from);
		if (evs && evs.length) this.flame(g, evs, range, span, w, h, hist);
		else if (hist) this.bars(g, hist, w, h);
		const x = ((curSeq - 1 - range.from) / span) * w;
		if (curSeq && x >= 0 && x <= w) {
			g.fillStyle = '#111';
			g.fillRect(Math.round(x) - 1, 0, 2, h);
		}
		const f = hist && hist.kept ? hist : null;
		/* the range the bars drawn were counted for, and whether filtered (a test waits on it) */
		c.dataset.drawn = hist ? `${hist.from}-${hist.to}${f ? ' filtered' : ''}` : '';
		this.$range.textContent = hist ? `events ${range.from + 1}–${range.to} of ${hist.total}${f ? ` · filtered: ${f.kept_packets} packet${
			f.kept_packets === 1 ? '' : 's'} here in colour (${f.kept.reduce((a, b) => a + b, 0)} events), the rest grey` : ''}` : '';
		c.setAttribute('aria-label', `events over the trace${f ? ', the filtered packets in colour' : ''}; drops in red; keys + − ← → 0`);
	}

	/**
	 * Whether event index i is one of the filtered packets', from the
	 * histogram's kept column (one bucket per event when zoomed in; a
	 * bucket of more, while a new one is asked, counts if mostly kept).
	 * null when not filtered.
	 */
	keptAt(hist, i) {
		if (!hist || !hist.kept || i < hist.from || i >= hist.to) return hist && hist.kept ? false : null;
		const nb = hist.kept.length, span = hist.to - hist.from;
		const b = Math.min(nb - 1, Math.floor(((i - hist.from) * nb) / span));
		return hist.kept[b] * 2 > hist.n[b];
	}

	bars(g, hist, w, h) {
		if (!hist.n || !hist.n.length) return;
		const n = hist.n.length;
		const max = Math.max(1, ...hist.n);
		const bw = w / n;
		const kept = hist.kept ? { n: hist.kept, drops: hist.kept_drops } : null;
		for (let b = 0; b < n; b++) {
			if (!hist.n[b]) continue;
			const name = hist.layer[b] >= 0 ? hist.names[hist.layer[b]] : '';
			const bh = Math.max(2, (hist.n[b] / max) * (h - 14));
			g.fillStyle = kept ? OUT : LANE_COLORS[laneOf(name, '')];
			g.fillRect(b * bw, h - bh, Math.max(1, bw - (bw > 3 ? 1 : 0)), bh);
			if (kept && kept.n[b] > 0) {
				const kh = Math.max(2, (Math.min(hist.n[b], kept.n[b]) / max) * (h - 14));
				g.fillStyle = KEPT;
				g.fillRect(b * bw, h - kh, Math.max(1, bw - (bw > 3 ? 1 : 0)), kh);
			}
			if (kept ? kept.drops[b] : hist.drops[b]) {
				g.fillStyle = DROP;
				g.fillRect(b * bw, 0, Math.max(2, bw - 1), 8);
			}
		}
	}

	flame(g, evs, range, span, w, h, hist) {
		const open = new Map();
		const row = 9;
		const xOf = (seq) => ((seq - 1 - range.from) / span) * w;
		/* seq is the event's index + 1; the kept column says whose it is */
		const out = (e) => this.keptAt(hist, e.seq - 1) === false;
		for (const e of evs) {
			if (e.ph === 'B') open.set(e.seq, e);
			const col = out(e) ? OUT : LANE_COLORS[laneOf(e.layer, e.fn)];
			if (e.ph === 'E' && open.has(e.parent)) {
				const b = open.get(e.parent);
				g.fillStyle = col;
				g.fillRect(xOf(b.seq), 10 + b.depth * row, Math.max(1, xOf(e.seq) - xOf(b.seq)), row - 1);
				open.delete(e.parent);
			} else if (e.ph === 'i') {
				g.fillStyle = e.verdict === 'drop' && !out(e) ? DROP : col;
				g.fillRect(xOf(e.seq) - 1, 10 + e.depth * row, 3, row - 1);
			}
			if (e.verdict === 'drop' && !out(e)) {
				g.fillStyle = DROP;
				g.fillRect(xOf(e.seq) - 2, 0, 4, 8);
			}
		}
		for (const b of open.values()) {	/* calls still open at the right edge */
			g.fillStyle = out(b) ? OUT : LANE_COLORS[laneOf(b.layer, b.fn)];
			g.fillRect(xOf(b.seq), 10 + b.depth * row, Math.max(1, w - xOf(b.seq)), row - 1);
		}
		g.fillStyle = '#555';
		g.font = '16px system-ui, sans-serif';
		if (h > 0 && evs.length < 200) {
			for (const e of evs) if (e.ph === 'B' && e.depth === 0) g.fillText(e.fn, xOf(e.seq) + 2, h - 6);
		}
	}
}

/** The width of a label in the strip's font (.tl-far-label), in px. */
function textWidth(t) {
	const g = textWidth.g || (textWidth.g = document.createElement('canvas').getContext('2d'));
	g.font = '16px system-ui, sans-serif';
	return g.measureText(t).width;
}

/** "30 s", "2.5 ms", "3 min" */
function fmtGap(s) {
	if (s >= 120) return `${Math.round(s / 60)} min`;
	if (s >= 1) return `${+s.toFixed(1)} s`;
	if (s >= 1e-3) return `${+(s * 1e3).toFixed(1)} ms`;
	return `${Math.round(s * 1e6)} µs`;
}
