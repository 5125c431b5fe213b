// lesson_answers.js - a lab's questions with their inputs beside them, in
// the lesson pane: a choice (radio buttons), a number, a function name
// (suggested from explain.json), a drop reason, a field, or free text for
// the teacher. "Check my answers" posts them to /api/lessons/N/check, which
// grades them with the code of `netjourney lesson check` against the lab's
// trace; each question then shows ✓/✗ and its feedback (a question for the
// teacher shows the model answer). Answers and the last score are kept in
// localStorage (nj.answers.N, nj.scores) so a reload loses nothing.
import { escapeHTML as esc } from './js/helpers.js';

const KEY = (n) => `nj.answers.${n}`;
const REASONS = ['NOT_SPECIFIED', 'NO_SOCKET', 'PKT_TOO_SMALL', 'TCP_CSUM', 'SOCKET_FILTER', 'UDP_CSUM',
	'NETFILTER_DROP', 'OTHERHOST', 'IP_CSUM', 'IP_INHDR', 'IP_RPFILTER', 'UNICAST_IN_L2_MULTICAST',
	'IP_INADDRERRORS', 'IP_INNOROUTES', 'IP_LOCALNET', 'PKT_TOO_BIG', 'SOCKET_RCVBUFF', 'TCP_FLAGS',
	'TCP_INVALID_SEQUENCE', 'TCP_RESET', 'TCP_INVALID_SYN', 'TCP_OLD_DATA', 'TCP_OFOMERGE', 'NOMEM',
	'FRAG_REASM_TIMEOUT', 'FRAG_TOO_FAR', 'DUP_FRAG', 'UNHANDLED_PROTO', 'QUEUE_PURGE', 'IP_OUTNOROUTES'];

let fnNames = null;
/** Function names for suggestions: explain.json's, fetched once. */
async function functions() {
	if (!fnNames) {
		fnNames = fetch('/explain.json').then((r) => (r.ok ? r.json() : { functions: {} }))
			.then((j) => Object.keys(j.functions || {}).sort()).catch(() => []);
	}
	return fnNames;
}

const load = (n) => { try { return JSON.parse(localStorage.getItem(KEY(n)) || '{}'); } catch { return {}; } };
const save = (n, a) => { try { localStorage.setItem(KEY(n), JSON.stringify(a)); } catch { /* private mode */ } };

/** The input of one question, named after its id. */
function input(q, value) {
	const v = esc(value || '');
	const id = esc(q.id);
	if (q.kind === 'choice' && q.choices) {
		return `<div class="nj-choices" role="radiogroup" aria-label="${id}">${Object.entries(q.choices).map(([k, t]) =>
			`<label><input type="radio" name="${id}" value="${esc(k)}"${value === k ? ' checked' : ''}> ${esc(k)}) ${esc(t)}</label>`).join('')}</div>`;
	}
	if (q.kind === 'number') return `<input class="nj-in" name="${id}" type="text" inputmode="decimal" value="${v}" aria-label="${id}: a number" autocomplete="off">`;
	if (q.kind === 'fn') return `<input class="nj-in" name="${id}" list="nj-fn-list" value="${v}" aria-label="${id}: a function name" placeholder="function name" autocomplete="off" spellcheck="false">`;
	if (q.kind === 'reason') return `<input class="nj-in" name="${id}" list="nj-reason-list" value="${v}" aria-label="${id}: a drop reason" placeholder="drop reason" autocomplete="off" spellcheck="false">`;
	if (q.kind === 'teacher') return `<textarea class="nj-in" name="${id}" rows="3" aria-label="${id}: your answer, for your teacher">${v}</textarea>`;
	return `<input class="nj-in" name="${id}" value="${v}" aria-label="${id}: a value" placeholder="value" autocomplete="off" spellcheck="false">`;
}

/** The question text's inline markup (already escaped): `code` only. */
const inline = (s) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');

/**
 * renderAnswers - the lab's questions as a form in el.
 * @param {HTMLElement} el @param {{n: number, lesson: {questions: Array<{id: string, kind: string, text: string, choices?: Object<string,string>}>}}} d
 */
export async function renderAnswers(el, d) {
	const qs = (d.lesson && d.lesson.questions) || [];
	const saved = load(d.n);
	el.innerHTML = `<form class="nj-answers" data-lesson="${d.n}" novalidate>
		<ol class="nj-qs">${qs.map((q) => `<li class="nj-q" data-q="${esc(q.id)}">
			<p><span class="muted">${esc(q.id)} · ${esc(q.kind === 'teacher' ? 'for your teacher' : q.kind)}</span> ${inline(q.text)}</p>
			${input(q, saved[q.id])}<p class="nj-fb" aria-live="polite"></p></li>`).join('')}</ol>
		<datalist id="nj-fn-list"></datalist>
		<datalist id="nj-reason-list">${REASONS.map((r) => `<option value="${r}">`).join('')}</datalist>
		<p><button type="submit" class="btn primary">Check my answers</button>
		<span class="nj-score" role="status" aria-live="polite"></span></p>
		<p class="muted">Graded against this lab's trace, as <code>netjourney lesson check ${d.n} -</code> does.</p></form>`;
	const form = /** @type {HTMLFormElement} */ (el.querySelector('form'));
	form.addEventListener('input', () => save(d.n, collect(form, qs)));
	form.addEventListener('submit', (e) => { e.preventDefault(); submit(form, d, qs); });
	const names = await functions();
	const dl = el.querySelector('#nj-fn-list');
	if (dl) dl.innerHTML = names.map((f) => `<option value="${esc(f)}">`).join('');
}

/** The form's answers, {q1: "…"}; unanswered questions are left out. */
function collect(form, qs) {
	const out = {};
	const fd = new FormData(form);
	for (const q of qs) {
		const v = String(fd.get(q.id) || '').trim();
		if (v) out[q.id] = v;
	}
	return out;
}

async function submit(form, d, qs) {
	const answers = collect(form, qs);
	save(d.n, answers);
	const score = form.querySelector('.nj-score');
	score.textContent = 'checking…';
	let r;
	try {
		const res = await fetch(`/api/lessons/${d.n}/check`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify(answers) });
		r = await res.json();
		if (!res.ok) throw new Error(r && r.error ? r.error : res.statusText);
	} catch (e) {
		score.textContent = `could not check: ${e.message || e}`;
		return;
	}
	for (const q of r.questions) {
		const li = form.querySelector(`.nj-q[data-q="${CSS.escape(q.id)}"]`);
		if (!li) continue;
		li.classList.toggle('ok', q.ok === true);
		li.classList.toggle('bad', q.ok === false);
		const fb = li.querySelector('.nj-fb');
		const mark = q.ok === true ? '✓ ' : q.ok === false ? '✗ ' : '';
		fb.innerHTML = `${mark}${esc(q.feedback || '')}${q.model ? `<br><strong>Model answer:</strong> ${esc(q.model)}` : ''}${
			q.stale ? `<br><em>${esc(q.stale)}</em>` : ''}`;
	}
	score.textContent = `Score: ${r.score}/${r.total}${r.stale ? ' (some questions no longer match the stack: tell your teacher)' : ''}`;
	recordScore({ kind: 'answers', lesson: d.n, score: r.score, total: r.total, answers, at: new Date().toISOString() });
}

/** Appends a result to nj.scores (answers and predictions, exportable). */
export function recordScore(x) {
	try {
		const all = JSON.parse(localStorage.getItem('nj.scores') || '[]');
		all.push(x);
		localStorage.setItem('nj.scores', JSON.stringify(all.slice(-2000)));
	} catch { /* storage full or private mode: the score is still on screen */ }
}

/** A README without the sections the pane renders itself (questions, checking in a terminal). */
export function readmeForPane(md) {
	return String(md || '').replace(/^## (Questions|Check your answers)\n[\s\S]*?(?=^## |(?![\s\S]))/gm, '');
}
