// view_map.js - the kernel map: the fixed receive path (kernel_map.js)
// drawn as boxes on a grid with arrows between them, the stages the
// selected packet has reached lit and the rest grey, one token per skb
// (the received one, a reassembled datagram, a reply, output fragments)
// moving from stage to stage, a drop pinned where it happened, and each
// netfilter hook's rules. Stepping animates the tokens (CSS transitions
// at the chosen speed). Clicking a stage asks to zoom into its calls.
import { qs, $delegate, escapeHTML as esc, scrollWithin } from './helpers.js';
import { NODES, EDGES } from './kernel_map.js';

const SVGNS = 'http://www.w3.org/2000/svg';

/** A label that may wrap after underscores and dots, never cut. */
const wrapName = (s) => esc(s).replace(/([_.])/g, '$1<wbr>');

export class MapView {
	constructor() {
		this.$el = qs('#map');
		this.$caption = qs('#map-caption');
		this.speed = 1;
		this.$el.innerHTML = `<svg class="map-arrows" aria-hidden="true"><defs>
			<marker id="mk" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>
			<marker id="mk-on" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>
			</defs><g class="edges"></g><g class="links"></g></svg>${NODES.map((n) => `
			<button type="button" class="mnode${n.kind ? ` k-${n.kind}` : ''} lane-${n.lane}" data-node="${n.id}" style="grid-row:${n.row + 1};grid-column:${n.col + 1}"
			  aria-label="${esc(n.label)}${n.sub ? ` (${esc(n.sub)})` : ''}">
			  <span class="mlabel">${wrapName(n.label)}</span>${n.sub ? `<span class="msub">${wrapName(n.sub)}</span>` : ''}
			  <span class="mextra"></span></button>`).join('')}<div class="tokens"></div>`;
		this.$svg = this.$el.querySelector('svg');
		this.$tokens = this.$el.querySelector('.tokens');
		this.last = null;
		if (typeof ResizeObserver !== 'undefined') new ResizeObserver(() => this._arrows()).observe(this.$el);
	}

	/** @param {(node: string) => void} handler a stage was clicked */
	bindNode(handler) {
		$delegate(this.$el, '.mnode', 'click', (b) => handler(b.dataset.node));
	}

	/** @param {Object<string, number>} delta the counters the current step moved, shown as "+n" chips */
	setMoved(delta) {
		const el = qs('#moved');
		const e = Object.entries(delta || {});
		el.innerHTML = e.length ? `<span class="muted">this step counts</span> ${e.map(([k, v]) => `<span class="chip">${esc(k)} +${esc(v)}</span>`).join('')}` : '';
	}

	/** @param {number} s animation speed, 0.25–2 */
	setSpeed(s) {
		this.speed = s;
		this.$el.style.setProperty('--move', `${Math.round(450 / s)}ms`);
	}

	/**
	 * @param {import('./kernel_map.js').MapJourney|null} j @param {TraceEvent|null} ev the current step
	 */
	render(j, ev) {
		this.last = j;
		for (const b of this.$el.querySelectorAll('.mnode')) {
			const id = b.dataset.node;
			const on = !!j && j.done.has(id);
			b.classList.toggle('done', on);
			b.classList.toggle('off', !on);
			b.classList.toggle('current', !!j && j.current === id);
			b.classList.toggle('dropped', !!j && !!j.drop && j.drop.node === id);
			if (j && j.current === id) b.setAttribute('aria-current', 'step'); else b.removeAttribute('aria-current');
			const hk = j && j.hooks[id];
			const extra = j && j.drop && j.drop.node === id ? `<span class="pin">✖ ${esc(j.drop.reason)}</span>`
				: hk ? `<span class="hookv v-${esc(hk.verdict.toLowerCase())}">${hk.rules.length} rule${hk.rules.length === 1 ? '' : 's'} · ${esc(hk.verdict)}</span>` : '';
			const $x = b.querySelector('.mextra');
			if ($x.innerHTML !== extra) $x.innerHTML = extra;
		}
		this.$caption.innerHTML = j ? this._caption(j, ev) : '';
		this._arrows();
		const cur = j && this.$el.querySelector(`[data-node="${j.current}"]`);
		if (cur && this.$el.offsetParent) scrollWithin(this.$el.parentElement, /** @type {HTMLElement} */ (cur));
	}

	_caption(j, ev) {
		const parts = [];
		if (j.drop) parts.push(`<p class="cap-drop"><strong>dropped: ${esc(j.drop.reason)}</strong>${j.drop.check ? ` — ${esc(j.drop.check)}` : ''}</p>`);
		const hk = j.hooks[j.current];
		if (hk && hk.rules.length) {
			parts.push(`<ol class="cap-rules" aria-label="rules evaluated">${hk.rules.map((r) =>
				`<li class="${r.matched ? 'decided' : ''}">${esc(r.rule)}${r.matched ? ' ← decided' : ' (no match)'}</li>`).join('')}</ol>`);
		}
		const born = j.tokens.filter((t) => t.origin !== null);
		if (born.length) parts.push(`<p class="cap-skbs">${born.map((t) => `skb ${t.skb}: ${esc(tokenName(t))} from skb ${t.origin}${
			t.from.length ? ` (fragments ${esc(t.from.join(', '))})` : ''}`).join(' · ')}</p>`);
		return parts.join('');
	}

	/** Arrows between the stages' boxes, and tokens over them; after layout. */
	_arrows() {
		const j = this.last;
		const box = this.$el.getBoundingClientRect();
		if (!box.width) return;
		const rect = (id) => {
			const el = this.$el.querySelector(`[data-node="${id}"]`);
			const r = el.getBoundingClientRect();
			return { x: r.left - box.left + this.$el.scrollLeft, y: r.top - box.top + this.$el.scrollTop, w: r.width, h: r.height };
		};
		const R = new Map(NODES.map((n) => [n.id, rect(n.id)]));
		this.$svg.setAttribute('width', String(this.$el.scrollWidth));
		this.$svg.setAttribute('height', String(this.$el.scrollHeight));
		const g = this.$svg.querySelector('.edges');
		g.textContent = '';
		const at = new Map(NODES.map((n) => [n.id, n]));
		for (const [a, b] of EDGES) {
			const on = !!j && j.edges.has(`${a}>${b}`);
			const na = at.get(a), nb = at.get(b);
			if (na.row === nb.row && Math.abs(na.col - nb.col) > 1) {	/* over the stage between them */
				const ra = R.get(a), rb = R.get(b);
				g.appendChild(arc({ x: ra.x + ra.w / 2, y: ra.y }, { x: rb.x + rb.w / 2, y: rb.y }, on ? 'on' : ''));
				continue;
			}
			const [p, q] = ends(R.get(a), R.get(b));
			/* a jump over rows (down to the IPv6 band) passes behind other stages: faint unless taken */
			g.appendChild(line(p, q, on ? 'on' : Math.abs(na.row - nb.row) > 1 ? 'far' : ''));
		}
		this._tokens(j, R);
	}

	_tokens(j, R) {
		const links = this.$svg.querySelector('.links');
		links.textContent = '';
		if (!j) { this.$tokens.innerHTML = ''; return; }
		const seen = new Map();
		const pos = new Map();
		const keep = new Set();
		for (const t of j.tokens) {
			const r = R.get(t.node);
			if (!r) continue;
			const k = seen.get(t.node) || 0;
			seen.set(t.node, k + 1);
			const x = Math.max(0, r.x + r.w - 62 - k * 64), y = r.y - 24;
			pos.set(t.skb, { x, y });
			let el = /** @type {HTMLElement} */ (this.$tokens.querySelector(`[data-skb="${t.skb}"]`));
			if (!el) {
				el = document.createElement('span');
				el.dataset.skb = String(t.skb);
				el.style.transform = `translate(${x}px, ${y}px)`;
				this.$tokens.appendChild(el);
			}
			el.className = `token t-${t.kind}${t.gone ? ' gone' : ''}`;
			el.textContent = `skb ${t.skb}`;
			el.title = `skb ${t.skb}: ${tokenName(t)}`;
			requestAnimationFrame(() => { el.style.transform = `translate(${x}px, ${y}px)`; });
			keep.add(String(t.skb));
		}
		for (const el of [...this.$tokens.children]) if (!keep.has(/** @type {HTMLElement} */ (el).dataset.skb)) el.remove();
		for (const t of j.tokens) {
			if (t.origin === null || !pos.has(t.origin) || !pos.has(t.skb)) continue;
			const a = pos.get(t.origin), b = pos.get(t.skb);
			links.appendChild(line({ x: a.x + 20, y: a.y + 10 }, { x: b.x + 20, y: b.y + 10 }, 'link'));
		}
	}
}

/** What a token stands for, in words. */
export function tokenName(t) {
	return { rx: 'the received frame', reasm: 'the reassembled datagram', out: 'a packet the host sends',
		frag: 'an output fragment', copy: 'a copy' }[t.kind] || t.kind;
}

/** The points where the line between two boxes' centres leaves each box. */
function ends(a, b) {
	const ca = { x: a.x + a.w / 2, y: a.y + a.h / 2 }, cb = { x: b.x + b.w / 2, y: b.y + b.h / 2 };
	const clip = (c, r, to) => {
		const dx = to.x - c.x, dy = to.y - c.y;
		const sx = dx ? (r.w / 2) / Math.abs(dx) : Infinity, sy = dy ? (r.h / 2) / Math.abs(dy) : Infinity;
		const s = Math.min(sx, sy, 1);
		return { x: c.x + dx * s, y: c.y + dy * s };
	};
	return [clip(ca, a, cb), clip(cb, b, ca)];
}

function arc(p, q, cls) {
	const el = document.createElementNS(SVGNS, 'path');
	el.setAttribute('d', `M${p.x},${p.y} Q${(p.x + q.x) / 2},${p.y - 26} ${q.x},${q.y}`);
	el.setAttribute('fill', 'none');
	el.setAttribute('class', cls);
	el.setAttribute('marker-end', cls === 'on' ? 'url(#mk-on)' : 'url(#mk)');
	return el;
}

function line(p, q, cls) {
	const l = document.createElementNS(SVGNS, 'line');
	l.setAttribute('x1', String(p.x)); l.setAttribute('y1', String(p.y));
	l.setAttribute('x2', String(q.x)); l.setAttribute('y2', String(q.y));
	if (cls) l.setAttribute('class', cls);
	l.setAttribute('marker-end', cls === 'on' ? 'url(#mk-on)' : cls === 'link' ? '' : 'url(#mk)');
	return l;
}

