// view_lessons.js - the classroom labs: the Lessons page (the list of labs)
// and the lesson pane beside the timeline (the lab's links, which are deep
// links #lesson=N&trace=…&pkt=…&seq=…, its text and its questions). The
// markdown renderer escapes every character of the text before it adds
// markup, so a README cannot inject HTML.
import { qs } from './helpers.js';
import { escapeHTML as esc } from './helpers.js';
// classroom (issue 22): answers beside the questions, predict-then-reveal
import { renderAnswers, readmeForPane } from '../lesson_answers.js';
import { Predict } from '../predict.js';

/** @typedef {{n: number, id: string, title: string, pcap: string, questions: number}} LessonBrief */
/** @typedef {{label: string, pkt: number, fn?: string, seq?: number, error?: string}} LessonLink */
/**
 * @typedef {{n: number, id: string, title: string, pcap: string, readme: string,
 *   lesson: {questions: Array<{id: string, kind: string, text: string, choices?: Object<string,string>}>},
 *   trace: number, links: LessonLink[]}} LessonDetail
 */

/** Inline markup of already-escaped text: `code`, **bold**, [text](#anchor). */
function inline(s) {
	return s.replace(/`([^`]+)`/g, '<code>$1</code>')
		.replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
		.replace(/\[([^\]]+)\]\((#[^)\s]*)\)/g, '<a href="$2">$1</a>')
		.replace(/\[([^\]]+)\]\(([^)\s]*)\)/g, '$1 ($2)');
}

/** One table row's cells. */
const cells = (line) => line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());

/**
 * md - a small markdown subset to HTML: headings, paragraphs, lists,
 * fenced code, tables, inline code/bold/anchors. @param {string} text
 */
export function md(text) {
	const out = [];
	let para = [], list = null, code = null, table = null;
	const flush = () => {
		if (para.length) out.push(`<p>${inline(para.join(' '))}</p>`);
		if (list) out.push(`<${list.tag}>${list.items.map((i) => `<li>${inline(i)}</li>`).join('')}</${list.tag}>`);
		if (table) out.push(`<table class="mdt">${table.map((r, i) => `<tr>${r.map((c) => (i ? `<td>${inline(c)}</td>` : `<th>${inline(c)}</th>`)).join('')}</tr>`).join('')}</table>`);
		para = []; list = null; table = null;
	};
	for (const raw of String(text || '').split('\n')) {
		const line = esc(raw);
		if (raw.startsWith('```')) {
			if (code) { out.push(`<pre>${code.join('\n')}</pre>`); code = null; } else { flush(); code = []; }
			continue;
		}
		if (code) { code.push(line); continue; }
		const h = /^(#{1,4})\s+(.*)$/.exec(line);
		const item = /^\s*([-*]|\d+\.)\s+(.*)$/.exec(line);
		if (!line.trim()) flush();
		else if (h) { flush(); out.push(`<h${h[1].length + 2}>${inline(h[2])}</h${h[1].length + 2}>`); }
		else if (raw.trim().startsWith('|')) {
			if (!table) { flush(); table = []; }
			if (!/^\s*\|[\s|:-]+\|\s*$/.test(raw)) table.push(cells(line));
		} else if (item) {
			const tag = /\d/.test(item[1]) ? 'ol' : 'ul';
			if (!list || list.tag !== tag) { flush(); list = { tag, items: [] }; }
			list.items.push(item[2]);
		} else if (list && /^\s+/.test(raw)) list.items[list.items.length - 1] += ` ${line.trim()}`;
		else { if (list || table) flush(); para.push(line.trim()); }
	}
	if (code) out.push(`<pre>${code.join('\n')}</pre>`);
	flush();
	return out.join('\n');
}

/** @param {LessonBrief[]} lessons */
const listHTML = (lessons) => (lessons.length ? `<ol class="lesson-list">${lessons.map((l) => `
	<li><a href="#lesson=${l.n}&amp;present=1" data-lesson="${l.n}"><span class="ln">${l.n}</span> ${esc(l.title)}</a>
	<span class="muted">${esc(l.pcap)} · ${l.questions} questions</span></li>`).join('')}</ol>`
	: '<p class="muted">No lessons: start the server with <code>serve --lessons DIR</code>.</p>');

/** @param {LessonDetail} d */
const linkHref = (d, l) => `#lesson=${d.n}&trace=${d.trace}&pkt=${l.pkt}&seq=${l.seq}`;

/** @param {LessonDetail} d */
const linksHTML = (d) => `<ol class="lesson-links">${d.links.map((l) => (l.seq
	? `<li><a href="${linkHref(d, l)}" data-fn="${esc(l.fn || '')}" data-pkt="${l.pkt}" data-seq="${l.seq}">${esc(l.label)}</a>
	  <span class="muted">#${l.pkt}${l.fn ? ` · ${esc(l.fn)}` : ''}</span></li>`
	: `<li class="muted">${esc(l.label)} (${esc(l.error || 'not found')})</li>`)).join('')}</ol>`;

export class LessonsView {
	constructor() {
		this.$page = qs('#lessons-page');
		this.$list = qs('#lessons-list');
		this.$pane = qs('#lesson-pane');
		this.$body = qs('#lesson-body');
		this.$tabs = { timeline: qs('#tab-timeline'), lessons: qs('#tab-lessons') };
		this.predict = new Predict();	/* classroom */
		this.open = false;
	}

	/** @param {'timeline'|'lessons'} page */
	setPage(page) {
		document.body.classList.toggle('page-lessons', page === 'lessons');
		this.$page.hidden = page !== 'lessons';
		this.page = page;
		this._markTab();
	}

	/* An open lab belongs to the Lessons tab, even beside the timeline. */
	_markTab() {
		const on = this.page === 'lessons' || this.open ? 'lessons' : 'timeline';
		for (const [k, el] of Object.entries(this.$tabs)) {
			el.classList.toggle('active', k === on);
			if (k === on) el.setAttribute('aria-current', 'page'); else el.removeAttribute('aria-current');
		}
	}

	/** @param {LessonBrief[]} lessons */
	renderList(lessons) { this.$list.innerHTML = listHTML(lessons); }

	/** @param {LessonDetail|null} d the open lab, or null to close the pane */
	renderLesson(d) {
		document.body.classList.toggle('with-lesson', !!d);
		this.$pane.hidden = !d;
		qs('#st-lesson').hidden = !d;
		this.lesson = d;
		this.open = !!d;
		this._markTab();
		if (!d) { this.$body.innerHTML = ''; qs('#lesson-caption').textContent = ''; return; }
		this.$body.innerHTML = `<h2>Lesson ${d.n}: ${esc(d.title)}</h2>
			<p class="muted">${esc(d.pcap)} · <a href="#lessons">all lessons</a> · <a href="#" data-close>close</a></p>
			<h4>Follow the journey</h4>${linksHTML(d)}
			<div id="nj-predict" class="nj-predict"></div>
			<div class="md">${md(readmeForPane(d.readme))}</div>
			<h4>Questions</h4><div id="nj-answers"></div>`;
		renderAnswers(qs('#nj-answers', this.$body), d);
		this.predict.setLab(qs('#nj-predict', this.$body), d);
	}

	/** Each render while a lab is open (controller.render): predictions, then the current link. */
	onStep(ctl) {
		this.predict.onStep(ctl);
		const ev = ctl.store.current();
		this.markLink(ev ? ev.seq : 0);
	}

	/** @param {number} seq marks the link of the event shown */
	markLink(seq) {
		const links = [...this.$body.querySelectorAll('.lesson-links a')];
		for (const a of links) a.classList.toggle('current', Number(/** @type {HTMLElement} */ (a).dataset.seq) === seq);
		/* presenter mode: the lesson as a caption bar, the current link and the next one */
		const d = this.lesson;
		if (!d) return;
		const i = links.findIndex((a) => a.classList.contains('current'));
		const next = /** @type {HTMLAnchorElement} */ (links[i + 1] || null);
		qs('#lesson-caption').innerHTML = `<strong>Lesson ${d.n}</strong> <span>${esc(i >= 0 ? links[i].textContent : d.title)}</span>${
			next ? ` <a href="${esc(next.getAttribute('href'))}">next: ${esc(next.textContent)} ▶</a>` : ''}`;
	}
}
