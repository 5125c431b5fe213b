// view_whatif.js - "What if…": the trace's scenario as a form (sysctls,
// kernel model, MTUs, routes, netfilter rules, listeners, and raw
// `--set PATH=VALUE` lines), posted to /api/traces/ID/whatif; then the
// diff view: both journeys on one kernel map in two colours with the stage
// where they part marked, the packets whose outcome changed marked in a
// packet list, the counter deltas, and the edited scenario to download.
// A `diff-kernel --json` report opened from a file is shown in the same
// view: netjourney against Linux, frame by frame. Every value from a
// trace, the server or a file goes through escapeHTML.
import { qs, $on, $delegate, escapeHTML as esc } from './helpers.js';
import { NODES, nodeOfFn } from './kernel_map.js';
import { api } from './api.js';

const LISTS = [
	{ key: 'routes', label: 'Routes', show: (r) => `${r.dst || '?'}${r.via ? ` via ${r.via}` : ''}${r.dev ? ` dev ${r.dev}` : ''}${r.type ? ` (${r.type})` : ''}`,
		example: '{"dst":"10.9.0.0/16","via":"10.0.0.1"}' },
	{ key: 'netfilter', label: 'Netfilter rules', show: (r) => `${r.hook || '?'} ${JSON.stringify(r.match || {})}`,
		example: '{"hook":"PRE_ROUTING","match":{"proto":"icmp"},"verdict":"DROP"}' },
	{ key: 'listen', label: 'Listeners', show: (r) => `${r.proto || '?'} port ${r.port}${r.app ? ` (${r.app})` : ''}`,
		example: '{"proto":"udp","port":53,"app":"echo"}' },
];
const VERDICTS = ['ACCEPT', 'DROP', 'REJECT', 'LOG', 'QUEUE', 'STOLEN'];

const opt = (v, cur, label = v) => `<option value="${esc(v)}"${String(v) === String(cur) ? ' selected' : ''}>${esc(label)}</option>`;
const outcome = (o) => (!o ? '—' : o.verdict === 'drop' ? `drop ${o.reason || ''}` : o.verdict);

/** The form for scenario a (pure). */
export function whatifForm(a) {
	const f = a.frag || {};
	const ifs = (a.interfaces || []).map((x, i) => `<label class="wi-f">MTU of ${esc(x.name || `interfaces[${i}]`)}
		<input type="number" min="68" max="65535" name="mtu-${i}" value="${esc(x.mtu ?? 1500)}"></label>`).join('');
	const lists = LISTS.map((L) => {
		const rows = (a[L.key] || []).map((r, i) => `<li><label class="wi-check"><input type="checkbox" name="rm-${L.key}-${i}">
			remove</label> <span class="mono">${esc(L.show(r))}</span>${L.key === 'netfilter' ? ` <label class="wi-f wi-inline">verdict
			<select name="verdict-${i}">${VERDICTS.map((v) => opt(v, r.verdict)).join('')}</select></label>` : ''}</li>`).join('');
		return `<fieldset><legend>${L.label}</legend><ul class="wi-list">${rows || '<li class="muted">none</li>'}</ul>
			<label class="wi-f">add (JSON) <input name="add-${L.key}" placeholder="${esc(L.example)}" autocomplete="off" spellcheck="false"></label></fieldset>`;
	}).join('');
	return `<fieldset><legend>Sysctls and kernel</legend><div class="wi-grid">
		<label class="wi-f">kernel model <select name="kernel">${['6.x', '2.6', '2.4'].map((k) => opt(k, a.kernel || '6.x')).join('')}</select></label>
		<label class="wi-f">rp_filter <select name="rp_filter">${[['0', '0 off'], ['1', '1 strict'], ['2', '2 loose']].map(([v, l]) => opt(v, a.rp_filter || 0, l)).join('')}</select></label>
		<label class="wi-check"><input type="checkbox" name="forwarding"${a.forwarding ? ' checked' : ''}> ip_forward</label>
		<label class="wi-f">ipfrag_high_thresh <input type="number" min="0" name="frag-high_thresh" value="${esc(f.high_thresh ?? '')}" placeholder="default"></label>
		<label class="wi-f">ipfrag_low_thresh <input type="number" min="0" name="frag-low_thresh" value="${esc(f.low_thresh ?? '')}" placeholder="default"></label>
		<label class="wi-f">ipfrag_time (s) <input type="number" min="0" name="frag-time" value="${esc(f.time ?? '')}" placeholder="default"></label>
		${ifs}</div></fieldset>${lists}
		<label class="wi-f"><span>anything else: one <span class="mono">PATH=VALUE</span> a line, as <span class="mono">netjourney diff --set</span></span>
		<textarea name="raw" rows="2" spellcheck="false" placeholder="interfaces[1].mtu=1000"></textarea></label>`;
}

/**
 * The request for B from scenario a and the form's values (pure): edits as
 * `--set` lines, and, when something is removed, the scenario without it
 * (the server applies the edits to it).
 * @param {any} a @param {Object<string, string|boolean>} v the form's fields
 * @returns {{sets: string[], scenario?: any}}
 */
export function whatifRequest(a, v) {
	const sets = [], b = JSON.parse(JSON.stringify(a || {}));
	let removed = false;
	const num = (s) => (s === '' || s === undefined ? null : Number(s));
	if ((v.kernel || '6.x') !== (a.kernel || '6.x')) sets.push(`kernel=${v.kernel}`);
	if (Number(v.rp_filter || 0) !== Number(a.rp_filter || 0)) sets.push(`rp_filter=${Number(v.rp_filter)}`);
	if (!!v.forwarding !== !!a.forwarding) sets.push(`forwarding=${!!v.forwarding}`);
	for (const k of ['high_thresh', 'low_thresh', 'time']) {
		const x = num(v[`frag-${k}`]);
		if (x !== null && x !== (a.frag || {})[k]) sets.push(`frag.${k}=${x}`);
	}
	(a.interfaces || []).forEach((x, i) => {
		const m = num(v[`mtu-${i}`]);
		if (m !== null && m !== (x.mtu ?? 1500)) sets.push(`interfaces[${i}].mtu=${m}`);
	});
	for (const L of LISTS) {
		const keep = [];
		(a[L.key] || []).forEach((r, i) => { if (v[`rm-${L.key}-${i}`]) removed = true; else keep.push([r, i]); });
		if (a[L.key]) b[L.key] = keep.map(([r]) => r);
		if (L.key === 'netfilter') keep.forEach(([r, i], j) => {
			if (v[`verdict-${i}`] && v[`verdict-${i}`] !== r.verdict) sets.push(`netfilter[${j}].verdict=${v[`verdict-${i}`]}`);
		});
		const add = String(v[`add-${L.key}`] || '').trim();
		if (add) sets.push(`${L.key}[${keep.length}]=${add}`);
	}
	for (const line of String(v.raw || '').split('\n')) if (line.trim()) sets.push(line.trim());
	return removed ? { sets, scenario: b } : { sets };
}

/** Both paths on the kernel map, the parting stage marked (pure). */
export function diffMap(d) {
	const on = (path) => new Set((path || []).map(nodeOfFn).filter(Boolean));
	const A = on(d && d.a_path), B = on(d && d.b_path);
	const part = d && d.diverges_at ? nodeOfFn(d.diverges_at) : '';
	return `<div class="wi-map" role="img" aria-label="${esc(d ? `both journeys of packet ${d.pkt}; they part in ${d.diverges_at || 'the top level'}` : 'no packet differs')}">${
		NODES.map((n) => {
			const cls = A.has(n.id) && B.has(n.id) ? 'both' : A.has(n.id) ? 'a' : B.has(n.id) ? 'b' : 'off';
			const mark = n.id === part ? ' part' : '';
			const tag = { both: 'A B', a: 'A', b: 'B', off: '' }[cls];
			return `<div class="wi-node ${cls}${mark}" style="grid-row:${n.row + 1};grid-column:${n.col + 1}">
				<span>${esc(n.label).replace(/([_.])/g, '$1<wbr>')}</span>${tag ? `<span class="wi-tag">${tag}</span>` : ''}${mark ? '<span class="wi-tag">↳ they part here</span>' : ''}</div>`;
		}).join('')}</div>`;
}

/** The what-if report (docs/whatif.md) as the diff view (pure). */
export function whatifResult(r, rowsA, rowsB, sel) {
	const diffs = r.diffs || [];
	const d = diffs.find((x) => x.pkt === sel) || diffs[0];
	const changed = new Map(diffs.map((x) => [x.pkt, x]));
	const byN = (rows) => new Map((rows || []).map((p) => [p.n, p]));
	const ra = byN(rowsA), rb = byN(rowsB);
	const n = Math.min(r.packets || 0, 1000);
	const rows = [];
	for (let i = 1; i <= n; i++) {
		const x = changed.get(i), pa = ra.get(i), pb = rb.get(i);
		const oa = x ? x.a : pa && { verdict: pa.verdict, reason: pa.reason }, ob = x ? x.b : pb && { verdict: pb.verdict, reason: pb.reason };
		rows.push(`<tr data-pkt="${i}" class="${x ? 'changed' : ''}${d && d.pkt === i ? ' selected' : ''}"><td class="num">${x
			? `<button type="button" class="btn wi-pick" data-pkt="${i}" aria-pressed="${d && d.pkt === i}">${i}</button>` : i}</td>
			<td>${esc(pa ? pa.summary : '')}</td><td data-label="A: ">${esc(outcome(oa))}</td><td data-label="B: ">${esc(outcome(ob))}</td>
			<td>${x ? '<strong class="wi-changed">changed</strong>' : 'same'}</td></tr>`);
	}
	const ctr = Object.entries(r.counters || {}).map(([k, v]) => {
		const dd = Number(v.b) - Number(v.a);
		return `<tr><th scope="row" class="mono">${esc(k)}</th><td class="num" data-label="A ">${esc(v.a)}</td><td class="num" data-label="B ">${esc(v.b)}</td><td class="num" data-label="B − A ">${dd > 0 ? '+' : ''}${dd}</td></tr>`;
	}).join('');
	const next = (path, k) => (path && path[k] ? path[k] : '(the journey ends)');
	return `<p class="wi-sum"><strong>${esc(r.differ)} of ${esc(r.packets)} packets</strong> end differently.
		<span class="muted">A: ${esc(r.a_scenario)} · B: ${esc(r.b_scenario)}</span></p>
		${d ? `<div class="wi-part" id="wi-part"><h3>Packet ${d.pkt}: the journeys part in <span class="mono">${esc(d.diverges_at || '(the top level)')}</span>
			(step ${esc(d.diverges_step)})</h3>
			<p><span class="wi-key a">A</span> ${esc(outcome(d.a))} in <span class="mono">${esc(d.a.fn)}</span>; goes on to <span class="mono">${esc(next(d.a_path, d.diverges_step))}</span></p>
			<p><span class="wi-key b">B</span> ${esc(outcome(d.b))} in <span class="mono">${esc(d.b.fn)}</span>; goes on to <span class="mono">${esc(next(d.b_path, d.diverges_step))}</span></p></div>
			${diffMap(d)}` : '<p>No packet ends differently: the two journeys are the same.</p>'}
		<h3>Packets</h3><div class="wi-scroll" tabindex="0" aria-label="packets of both runs, scrollable"><table class="wi-table">
		<thead><tr><th scope="col">No.</th><th scope="col">Packet</th><th scope="col">A</th><th scope="col">B</th><th scope="col">Outcome</th></tr></thead>
		<tbody>${rows.join('')}</tbody></table></div>
		<h3>Counters that end differently</h3>${ctr ? `<table class="wi-table wi-ctr"><thead><tr><th scope="col">counter</th><th scope="col">A</th><th scope="col">B</th><th scope="col">B − A</th></tr></thead>
		<tbody>${ctr}</tbody></table>` : '<p>none</p>'}`;
}

/** A diff-kernel --json report (diffkernel_report.c) as the diff view (pure); throws on another file. */
export function kernelResult(r) {
	if (!r || !Array.isArray(r.packets) || !Array.isArray(r.counters) || typeof r.kernel !== 'string') {
		throw new Error('not a diff-kernel --json report (it has "kernel", "packets" and "counters")');
	}
	const sent = (l) => (l && l.length ? l.map((x) => esc(x.summary)).join('<br>') : '<span class="muted">nothing</span>');
	const frames = r.packets.map((p) => `<tr class="${p.agree ? '' : 'changed'}"><td class="num" data-label="frame ">${esc(p.frame)}</td><td data-label="in: ">${esc(p.in)}</td>
		<td data-label="Linux sent: ">${sent(p.linux)}</td><td data-label="netjourney sent: ">${sent(p.netjourney)}</td><td>${p.agree ? 'same' : '<strong class="wi-changed">differs</strong>'}</td></tr>`).join('');
	const ctr = r.counters.filter((c) => !c.agree || c.accepted).map((c) => `<tr class="${c.agree ? '' : 'changed'}"><th scope="row" class="mono">${esc(c.name)}</th>
		<td class="num" data-label="Linux ">${esc(c.linux)}</td><td class="num" data-label="netjourney ">${esc(c.netjourney)}</td><td>${c.agree ? esc(c.accepted ? `accepted: ${c.accepted}` : 'same') : '<strong class="wi-changed">differs</strong>'}</td></tr>`).join('');
	return `<p class="wi-sum"><strong>${r.agree ? 'netjourney and Linux agree' : `${esc(r.differences)} difference${r.differences === 1 ? '' : 's'}`}</strong>
		between netjourney and Linux ${esc(r.kernel)} <span class="muted">on ${esc(r.capture)} (scenario ${esc(r.scenario)})</span></p>
		<h3>Frames: what each sent</h3><div class="wi-scroll" tabindex="0" aria-label="frames of the capture, scrollable"><table class="wi-table">
		<thead><tr><th scope="col">Frame</th><th scope="col">In</th><th scope="col">Linux sent</th><th scope="col">netjourney sent</th><th scope="col">Outcome</th></tr></thead>
		<tbody>${frames}</tbody></table></div>
		<h3>Counters</h3>${ctr ? `<table class="wi-table wi-ctr"><thead><tr><th scope="col">counter</th><th scope="col">Linux</th><th scope="col">netjourney</th><th scope="col"></th></tr></thead>
		<tbody>${ctr}</tbody></table>` : '<p>every counter compared agrees</p>'}${r.notes ? `<p class="muted">${esc(r.notes)}</p>` : ''}`;
}

export class WhatIfView {
	constructor() {
		this.$dlg = qs('#whatif-dlg');
		this.$form = qs('#whatif-form');
		this.$fields = qs('#whatif-fields');
		this.$out = qs('#whatif-out');
		this.$status = qs('#whatif-status');
		this.$dl = /** @type {HTMLAnchorElement} */ (qs('#whatif-dl'));
		this.$openB = qs('#whatif-openb');
		this.a = null;
		this.last = null;
	}

	/**
	 * @param {() => number} traceId the trace shown now
	 * @param {(id: number) => void} openTrace opens a trace (B's journeys)
	 */
	bind(traceId, openTrace) {
		$on(qs('#whatif-open'), 'click', () => this.open(traceId()));
		$on(qs('#whatif-close'), 'click', () => this.$dlg.close());
		$on(this.$form, 'submit', (ev) => { ev.preventDefault(); this.run(); });
		$on(qs('#whatif-kernel'), 'change', (ev) => this.openKernel(/** @type {HTMLInputElement} */ (ev.target)));
		$on(this.$openB, 'click', () => { if (this.last) { this.$dlg.close(); openTrace(this.last.b_trace); } });
		$delegate(this.$out, '.wi-pick', 'click', (b) => this._show(Number(b.dataset.pkt)));
	}

	async open(id) {
		this.id = id;
		this.$out.innerHTML = '';
		this.$dl.hidden = true;
		this.$openB.hidden = true;
		this.setStatus('');
		/** @type {HTMLDetailsElement} */ (qs('#whatif-edit')).open = true;
		this.$dlg.showModal();
		if (!id) { this.$fields.innerHTML = '<p>Open a trace first.</p>'; return; }
		try {
			const s = await api.summary(id);
			this.a = s.scenario || {};
			this.$fields.innerHTML = whatifForm(this.a);
		} catch (e) {
			this.setStatus(e.message, true);
		}
	}

	async run() {
		const v = {};
		for (const el of /** @type {any} */ (this.$form.elements)) {
			if (!el.name) continue;
			v[el.name] = el.type === 'checkbox' ? el.checked : el.value;
		}
		const body = whatifRequest(this.a, v);
		this.setStatus('Replaying the capture under B…');
		try {
			const r = await api.whatif(this.id, body);
			const [pa, pb] = await Promise.all([api.packets(r.a_trace, { limit: 1000 }), api.packets(r.b_trace, { limit: 1000 })]);
			this.last = { ...r, rowsA: pa.packets, rowsB: pb.packets };
			this._show(0);
			if (this.$dl.href) URL.revokeObjectURL(this.$dl.href);
			this.$dl.href = URL.createObjectURL(new Blob([r.b_scenario_json], { type: 'application/json' }));
			this.$dl.hidden = false;
			this.$openB.hidden = false;
			this.setStatus(`Done: ${r.differ} of ${r.packets} packets end differently. B is trace ${r.b_trace}.`);
			/** @type {HTMLDetailsElement} */ (qs('#whatif-edit')).open = false;	/* the answer in view */
			this.$status.scrollIntoView({ block: 'start' });
		} catch (e) {
			this.setStatus(e.message, true);
		}
	}

	_show(pkt) {
		const r = this.last;
		this.$out.innerHTML = whatifResult(r, r.rowsA, r.rowsB, pkt);
		if (pkt) qs(`.wi-pick[data-pkt="${pkt}"]`, this.$out)?.focus();
	}

	/** @param {HTMLInputElement} input */
	async openKernel(input) {
		const f = input.files && input.files[0];
		if (!f) return;
		if (!this.$dlg.open) this.$dlg.showModal();
		this.$dl.hidden = true;
		this.$openB.hidden = true;
		try {
			this.$out.innerHTML = kernelResult(JSON.parse(await f.text()));
			this.setStatus(`${f.name}: netjourney against Linux.`);
			/** @type {HTMLDetailsElement} */ (qs('#whatif-edit')).open = false;
			this.$status.scrollIntoView({ block: 'start' });
		} catch (e) {
			this.$out.innerHTML = '';
			this.setStatus(`${f.name}: ${e.message}`, true);
		}
		input.value = '';
	}

	setStatus(msg, err = false) {
		this.$status.textContent = msg;
		this.$status.classList.toggle('err', err);
	}
}
