// view_flows.js - the conversations of the trace (the summary's flows)
// and, for the one picked, a ladder diagram like Wireshark's flow graph:
// one arrow a packet between the two ends, with the stack's decision
// (the packet's outcome and reason) written on it.
import { qs, $delegate, escapeHTML as esc } from './helpers.js';
import { relTime } from './template.js';

export class FlowsView {
	constructor() { this.$el = qs('#flows'); }

	/** @param {(i: number) => void} onFlow @param {(n: number) => void} onPacket */
	bind(onFlow, onPacket) {
		$delegate(this.$el, 'tr[data-i]', 'click', (tr) => onFlow(Number(tr.dataset.i)));
		$delegate(this.$el, 'tr[data-i]', 'keydown', (tr, ev) => { if (/** @type {KeyboardEvent} */ (ev).key === 'Enter') onFlow(Number(tr.dataset.i)); });
		$delegate(this.$el, '[data-n]', 'click', (g) => onPacket(Number(g.dataset.n)));
	}

	/**
	 * @param {Flow[]} flows @param {number} sel index of the flow shown, -1 for none
	 * @param {PacketRow[]} rows its packets @param {string} t0
	 * @param {Map<number, Array<{skb: number, what: string}>>} [sent] what each packet made the host send
	 */
	render(flows, sel, rows, t0, sent = new Map()) {
		const list = flows.length ? `<table><caption class="sr">conversations</caption><thead><tr><th scope="col">proto</th><th scope="col">A</th><th scope="col">B</th><th scope="col">packets</th></tr></thead><tbody>${
			flows.map((f, i) => `<tr data-i="${i}" tabindex="0" class="${i === sel ? 'sel' : ''}"><td>${esc(f.proto)}</td><td>${esc(f.src)}${f.sport ? `:${f.sport}` : ''}</td>
			<td>${esc(f.dst)}${f.dport ? `:${f.dport}` : ''}</td><td>${f.packets}</td></tr>`).join('')}</tbody></table>` : '<p class="muted">No flows.</p>';
		this.$el.innerHTML = list + (sel >= 0 && flows[sel] ? ladder(flows[sel], rows, t0, sent) : '');
	}
}

/** The ladder of one flow: A on the left, B on the right, time downwards. */
function ladder(f, rows, t0, sent) {
	const W = 640, ROW = 44, L = 90, R = W - 90;
	const y0 = 40;
	let y = y0 - 20;
	const arrows = rows.map((p) => {
		const fromA = (p.summary || '').startsWith(`${f.src}${f.sport ? `:${f.sport}` : ''} `) || (p.summary || '').startsWith(`${f.src} `);
		const [x1, x2] = fromA ? [L, R] : [R, L];
		y += ROW;
		const back = (sent.get(p.n) || []).map((r) => {
			y += ROW;
			return `<g class="reply"><line x1="${x2}" y1="${y}" x2="${x1}" y2="${y}" stroke="#18693c" stroke-width="2" stroke-dasharray="6 3" marker-end="url(#lad)"/>
			  <text x="${(L + R) / 2}" y="${y - 6}" text-anchor="middle">${esc(`skb ${r.skb} sent: ${r.what}`.slice(0, 56))}</text></g>`;
		}).join('');
		const yy = y - (sent.get(p.n) || []).length * ROW;
		const what = p.verdict === 'drop' ? `✖ ${p.reason || 'drop'}` : p.verdict;
		const info = (p.summary || '').replace(/^.*?: /, '');
		return `<g data-n="${p.n}" class="${p.verdict === 'drop' ? 'drop' : ''}" style="cursor:pointer"><title>${esc(`#${p.n} ${p.summary}`)}</title>
		  <text x="4" y="${yy + 5}">${esc(relTime(p.ts, t0).replace(/0+$/, '').replace(/\.$/, ''))}</text>
		  <line x1="${x1}" y1="${yy}" x2="${x2}" y2="${yy}" stroke="${p.verdict === 'drop' ? '#a61d12' : '#1f4e8c'}" stroke-width="2" marker-end="url(#lad)"/>
		  <text x="${(L + R) / 2}" y="${yy - 6}" text-anchor="middle">${esc(`#${p.n} ${info.slice(0, 48)}`)}</text>
		  <text x="${(L + R) / 2}" y="${yy + 18}" text-anchor="middle" font-weight="700">${esc(what)}</text></g>${back}`;
	}).join('');
	const h = y + 30;
	return `<svg class="ladder" viewBox="0 0 ${W} ${h}" width="100%" style="max-width:${W}px" role="img" aria-label="flow graph">
	  <defs><marker id="lad" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#1f4e8c"/></marker></defs>
	  <text x="${L}" y="20" text-anchor="middle">${esc(f.src)}</text><text x="${R}" y="20" text-anchor="middle">${esc(f.dst)}</text>
	  <line x1="${L}" y1="28" x2="${L}" y2="${h}" stroke="#8a99aa"/><line x1="${R}" y1="28" x2="${R}" y2="${h}" stroke="#8a99aa"/>${arrows}</svg>`;
}
