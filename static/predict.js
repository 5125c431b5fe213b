// predict.js - predict, then reveal. At a prediction point (scripted by the
// lab's "predict" list, resolved to event seqs by POST /api/lessons/N/open,
// or asked for by the student with "Predict what happens next") the rest of
// the packet's journey is hidden and stepping past the point is refused
// until the student answers (following a link elsewhere leaves it for
// later) one of four questions:
//   route        where the routing decision sends the packet (ip_local_deliver
//                or ip_forward; ip6_input or ip6_forward for IPv6)
//   drop_reason  which check drops it, and with which reason ("no drop")
//   counter      which counter moves
//   completes    whether this fragment completes the datagram
// The truth is computed from the packet's own events after the point (the
// trace, never a key typed into the lab); the step that decides it is then
// shown with explain.json's note and the kernel source file. Every answer
// is kept in localStorage (nj.scores, with the lesson answers) and the
// whole record can be exported as a JSON file.
import { escapeHTML as esc } from './js/helpers.js';
import { recordScore } from './lesson_answers.js';
import { NODES, stepNodes } from './js/kernel_map.js';

const ROUTE_FNS = ['ip_local_deliver', 'ip_forward', 'ip6_input', 'ip6_forward'];	/* IPv4's, IPv6's */
const ASKS = {
	route: 'Where will the routing decision send this packet?',
	drop_reason: 'Will a check drop this packet? With which reason?',
	counter: 'Which counter will this step move?',
	completes: 'Will this fragment complete the datagram?',
};
const FREE_CHOICES = {
	route: ['ip_local_deliver', 'ip_forward', 'drop'],
	drop_reason: ['no drop', 'IP_CSUM', 'IP_INHDR', 'PKT_TOO_SMALL', 'OTHERHOST', 'IP_RPFILTER', 'NO_SOCKET', 'NETFILTER_DROP'],
	counter: ['Ip.InReceives', 'Ip.InDelivers', 'Ip.ForwDatagrams', 'Ip.ReasmReqds', 'Icmp.InEchos', 'Udp.InDatagrams', 'Tcp.InSegs'],
	completes: ['yes', 'no'],
};
const SOURCE = 'https://elixir.bootlin.com/linux/v6.13/source/';

/* Asks a student can answer by clicking a stage of the kernel map: where
 * the packet goes (a stage of the local or the forwarding path, or the
 * stage that drops it) and which check drops it (the stage it stands on). */
const MAP_ASKS = ['route', 'drop_reason'];
const LOCAL = ['local_deliver', 'defrag', 'local_in', 'l4', 'socket', 'ip6_local', 'ip6_frag', 'ip6_icmp', 'ip6_l4'];
const FORWARD = ['forward', 'fwd_hook', 'ip_output', 'post', 'finish_output', 'neigh', 'xmit', 'ip6_fwd', 'ip6_out'];
const stageName = (id) => (NODES.find((n) => n.id === id) || { label: id }).label;

/** The map stage of the step that decides t (null when none does). */
function truthNode(steps, t) {
	const i = t.ev ? steps.indexOf(t.ev) : -1;
	return i >= 0 ? stepNodes(steps)[i] : null;
}

/**
 * A click on stage node as an answer to ask: the choice it stands for and
 * whether the trace agrees. For route a stage of the local path means
 * ip_local_deliver, of the forwarding path ip_forward, any other stage
 * "dropped there"; for drop_reason it is the stage whose check drops it.
 * @returns {{choice: string, ok: boolean}}
 */
export function mapAnswer(ask, node, steps, t) {
	const at = truthNode(steps, t);
	const v6 = t.answer.startsWith('ip6_');	/* the stage stands for the packet's own family's function */
	if (ask === 'route' && LOCAL.includes(node)) { const c = v6 ? 'ip6_input' : 'ip_local_deliver'; return { choice: c, ok: t.answer === c }; }
	if (ask === 'route' && FORWARD.includes(node)) { const c = v6 ? 'ip6_forward' : 'ip_forward'; return { choice: c, ok: t.answer === c }; }
	const dropped = ask === 'route' ? t.answer === 'drop' : t.answer !== 'no drop';
	return { choice: `dropped at ${stageName(node)}`, ok: dropped && at === node };
}

(function styles() {	/* the classroom's own stylesheet, without touching index.html */
	if (document.querySelector('link[data-nj-classroom]')) return;
	const l = document.createElement('link');
	l.rel = 'stylesheet';
	l.href = 'classroom.css';
	l.dataset.njClassroom = '';
	document.head.append(l);
}());

/**
 * truth - what really happens after event seq in the packet's steps.
 * @returns {{answer: string, ev: any}} ev is the step that decides it (or null)
 */
export function truth(ask, steps, seq) {
	const after = steps.filter((e) => e.seq > seq);
	/* the check that drops it: the function returning the drop, else the free */
	const drop = after.find((e) => e.verdict === 'drop' && e.ph === 'E') || after.find((e) => e.verdict === 'drop');
	if (ask === 'route') {
		const r = after.find((e) => e.ph === 'B' && ROUTE_FNS.includes(e.fn));
		if (r) return { answer: r.fn, ev: r };
		return drop ? { answer: 'drop', ev: drop } : { answer: 'no routing decision', ev: null };	/* ARP, a tap's copy */
	}
	if (ask === 'drop_reason') return drop ? { answer: drop.reason || 'NOT_SPECIFIED', ev: drop } : { answer: 'no drop', ev: null };
	if (ask === 'counter') {
		const m = after.find((e) => e.mib && Object.keys(e.mib).length);
		const moved = [...new Set(after.flatMap((e) => Object.keys(e.mib || {})))];
		return { answer: moved.length ? moved.join(', ') : 'none', ev: m || null, moved };
	}
	const r = after.find((e) => e.fn === 'ip_frag_reasm');
	return { answer: r ? 'yes' : 'no', ev: r || after.find((e) => e.fn === 'ip_frag_queue' && e.ph !== 'B') || null };
}

/** Whether choice is right: a counter is right when it moves at all. */
const isRight = (ask, choice, t) => (ask === 'counter' ? (t.moved || []).includes(choice) : choice === t.answer);

const loadScores = () => { try { return JSON.parse(localStorage.getItem('nj.scores') || '[]'); } catch { return []; } };

export class Predict {
	constructor() {
		/** @type {HTMLElement|null} */ this.$el = null;
		this.lab = null;
		this.points = [];		/* scripted: {seq, pkt, ask, choices} */
		this.done = new Set();		/* seqs answered (this lab, this page) */
		this.pending = null;		/* {seq, pkt, ask, choices} being asked */
		this.explain = null;
		/* Following a link elsewhere (the hash changes) leaves the question
		 * unanswered, unscored, to be asked again; stepping does not. This
		 * listener is added before the controller's, so it runs first. */
		window.addEventListener('hashchange', () => {
			const seq = Number(new URLSearchParams(location.hash.slice(1)).get('seq')) || 0;
			if (this.pending && seq !== this.pending.seq) {
				this.pending = null;
				document.body.classList.remove('nj-predicting', 'nj-pick-map');
				this._render();
			}
		});
	}

	/** The lab opened (d.predict resolved by the server) into pane element el. */
	setLab(el, d) {
		this.$el = el;
		this.lab = d;
		this.points = (d.predict || []).filter((p) => p.seq);
		this.done = new Set();
		this.pending = null;
		this.revealed = null;
		markMap(null);
		this._render();
	}

	/** Called at the start of every render while a lab is open, before
	 * the views read the current step: a pending prediction holds it. */
	onStep(ctl) {
		const s = ctl.store;
		this.ctl = ctl;
		let ev = s.current();
		if (!this.$el || !ev || !s.packet) return;
		if (this.pending && s.packet.n === this.pending.pkt && ev.seq > this.pending.seq) {
			const i = s.packet.steps.findIndex((e) => e.seq === this.pending.seq);
			if (i >= 0) s.setStep(i);	/* answer first */
			ev = s.current();
		}
		const p = this.points.find((x) => x.seq === ev.seq && !this.done.has(x.seq));
		if (p && !this.pending) this._ask({ ...p, pkt: s.packet.n });
		document.body.classList.toggle('nj-predicting', !!this.pending);
		document.body.classList.toggle('nj-pick-map', !!this.pending && MAP_ASKS.includes(this.pending.ask));
		if (this.revealed && this.revealed.p.pkt !== s.packet.n) markMap(null);	/* another packet: its own map */
	}

	/** The student asks to predict at the current step. */
	askHere(ask) {
		const s = this.ctl && this.ctl.store;
		const ev = s && s.current();
		if (!ev || !s.packet) return;
		const t = truth(ask, s.packet.steps, ev.seq);
		const choices = FREE_CHOICES[ask].slice();
		if (!choices.includes(t.answer)) choices.push(t.answer);	/* the right one is always offered */
		choices.sort((a, b) => a.localeCompare(b));
		this._ask({ seq: ev.seq, pkt: s.packet.n, ask, choices });
		document.body.classList.add('nj-predicting');
		document.body.classList.toggle('nj-pick-map', MAP_ASKS.includes(ask));
	}

	_ask(p) {
		this.pending = p;
		this._render();
	}

	/**
	 * A stage of the kernel map was clicked: while a route or drop question
	 * is pending it is the answer. @returns {boolean} whether it was taken
	 */
	onNode(node) {
		const p = this.pending;
		const s = this.ctl && this.ctl.store;
		if (!p || !MAP_ASKS.includes(p.ask) || !s || !s.packet || s.packet.n !== p.pkt) return false;
		const t = truth(p.ask, s.packet.steps, p.seq);
		const { choice, ok } = mapAnswer(p.ask, node, s.packet.steps, t);
		this._answer(choice, { ok, node });
		return true;
	}

	/** @param {string} choice @param {{ok: boolean, node: string}} [onMap] the stage clicked, when answered on the map */
	async _answer(choice, onMap) {
		const p = this.pending;
		const s = this.ctl.store;
		if (!p || !s.packet) return;
		const t = truth(p.ask, s.packet.steps, p.seq);
		const ok = onMap ? onMap.ok : isRight(p.ask, choice, t);
		const stage = truthNode(s.packet.steps, t);
		this.pending = null;
		this.done.add(p.seq);
		document.body.classList.remove('nj-predicting', 'nj-pick-map');
		recordScore({ kind: 'predict', lesson: this.lab ? this.lab.n : 0, pkt: p.pkt, seq: p.seq, ask: p.ask,
			answer: choice, truth: t.answer, ok, ...(onMap ? { stage: onMap.node, truth_stage: stage } : {}), at: new Date().toISOString() });
		if (!this.explain) this.explain = await fetch('/explain.json').then((r) => r.json()).catch(() => ({ functions: {} }));
		this.revealed = { p, choice, t, ok, picked: onMap ? onMap.node : '', stage };
		this._render();
		markMap(this.revealed);
		if (t.ev) this.ctl.stepToSeq(t.ev.seq);
	}

	_render() {
		if (!this.$el) return;
		const p = this.pending;
		const scores = loadScores().filter((x) => x.kind === 'predict');
		const right = scores.filter((x) => x.ok).length;
		let body = '';
		if (p) {
			body = `<div class="nj-predict-card" role="group" aria-label="predict">
				<p><strong>Predict:</strong> ${esc(ASKS[p.ask] || p.ask)} <span class="muted">(packet #${p.pkt}, seq ${p.seq})</span></p>
				<p class="nj-predict-choices">${(p.choices || FREE_CHOICES[p.ask] || []).map((c) =>
					`<button type="button" class="btn small" data-predict="${esc(c)}">${esc(c)}</button>`).join(' ')}</p>
				${MAP_ASKS.includes(p.ask) ? `<p class="nj-map-hint">Or click the stage on the <strong>kernel map</strong> (Map view) ${
					p.ask === 'route' ? 'where it will go, or the one that drops it' : 'whose check drops it'}.</p>` : ''}
				<p class="muted">The rest of the journey is hidden until you answer.</p></div>`;
		}
		if (this.revealed) {	/* kept below a question asked at the very step it revealed */
			const { p: q, choice, t, ok, picked, stage } = this.revealed;
			const fn = t.ev ? t.ev.fn : '';
			const note = fn && this.explain && this.explain.functions ? this.explain.functions[fn] : null;
			body += `<div class="nj-predict-card ${ok ? 'ok' : 'bad'}" aria-live="polite">
				<p class="nj-verdict">${ok ? '✓ Right' : '✗ Not this time'}: you said <code>${esc(choice)}</code>; the trace says
				<code>${esc(t.answer)}</code>${fn ? ` (in <code>${esc(fn)}</code>${t.ev && t.ev.msg ? `: ${esc(t.ev.msg)}` : ''})` : ''}.</p>
				${note ? `<p>${esc(note.summary)}</p><p class="nj-src">Kernel source: <a href="${SOURCE}${esc(note.file)}" target="_blank" rel="noopener noreferrer"><code>${esc(note.file)}</code></a></p>` : ''}
				${picked ? `<p class="nj-stages">On the map you picked <strong>${esc(stageName(picked))}</strong>; ${stage
					? `it was decided at <strong>${esc(stageName(stage))}</strong>` : 'no stage drops it'} (outlined on the map).</p>` : ''}
				<p class="muted">${esc(ASKS[q.ask] || '')} (packet #${q.pkt}, seq ${q.seq})</p></div>`;
		}
		const todo = this.points.filter((x) => !this.done.has(x.seq) && (!p || x.seq !== p.seq));
		const go = todo.length && this.lab ? `<p class="nj-predict-points">Predictions in this lab: ${todo.map((x, i) =>
			`<a href="#lesson=${this.lab.n}&trace=${this.lab.trace}&pkt=${x.pkt}&seq=${x.seq}" data-predict-point="${x.seq}">${i + 1}. packet #${x.pkt}: ${esc(x.ask.replace('_', ' '))}</a>`).join(' · ')}</p>` : '';
		this.$el.innerHTML = `<h4>Predict, then reveal</h4>${body}${go}
			<p class="nj-predict-tools"><label>Predict what happens next:
			<select data-predict-ask aria-label="what to predict">${Object.keys(ASKS).map((a) => `<option value="${a}">${esc(a.replace('_', ' '))}</option>`).join('')}</select></label>
			<button type="button" class="btn small" data-predict-here>Hide and predict</button>
			<span class="nj-predict-score">Predictions: ${right}/${scores.length} right</span>
			<button type="button" class="btn small" data-predict-export>Export scores</button></p>`;
		this.$el.onclick = (e) => {
			const b = /** @type {HTMLElement} */ (e.target).closest('button');
			if (!b) return;
			if (b.dataset.predict !== undefined) this._answer(b.dataset.predict);
			else if (b.hasAttribute('data-predict-here')) this.askHere(/** @type {HTMLSelectElement} */ (this.$el.querySelector('[data-predict-ask]')).value);
			else if (b.hasAttribute('data-predict-export')) exportScores();
		};
	}
}

/** Outlines the stage picked and the one that decided on the map (null: clears). */
function markMap(r) {
	for (const b of document.querySelectorAll('#map .mnode')) {
		const id = /** @type {HTMLElement} */ (b).dataset.node;
		b.classList.toggle('nj-picked', !!r && r.picked === id);
		b.classList.toggle('nj-truth', !!r && !!r.picked && r.stage === id);
	}
}

/** Downloads nj.scores as netjourney-scores.json. */
export function exportScores() {
	const blob = new Blob([JSON.stringify({ version: 1, exported: new Date().toISOString(), scores: loadScores() }, null, 1)],
		{ type: 'application/json' });
	const a = document.createElement('a');
	a.href = URL.createObjectURL(blob);
	a.download = 'netjourney-scores.json';
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
