// view_journey.js - the stage around the map: the step controls and their
// keys (←/→ and PageUp/PageDown for a clicker, Home/End, n/p, d, space),
// the speed, the view tabs (map, call tree, step cards, timeline, flows),
// the side tabs (inspector, state, lesson), the call tree and the cards.
// A key pressed on a focused button or field stays there.
import { qs, $on, $delegate, scrollWithin } from './helpers.js';
import { journey, stepCards } from './template.js';

const KEYS = { ArrowLeft: 'back', ArrowRight: 'fwd', PageUp: 'back', PageDown: 'fwd', Home: 'home', End: 'end',
	n: 'nextpkt', p: 'prevpkt', d: 'drop', ' ': 'play' };

/** Selects one tab of a tablist and shows its panel. */
function selectTab(tabs, attr, name) {
	for (const t of tabs) {
		const on = t.dataset[attr] === name;
		t.setAttribute('aria-selected', String(on));
		t.tabIndex = on ? 0 : -1;
		const panel = document.getElementById(t.getAttribute('aria-controls'));
		if (panel) panel.hidden = !on;
	}
}

export class JourneyView {
	constructor() {
		this.$rows = qs('#journey');
		this.$cards = qs('#cards');
		this.$title = qs('#j-title');
		this.$pos = qs('#j-pos');
		this.$msg = qs('#j-msg');
		this.$play = qs('[data-act="play"]');
		this.$speed = /** @type {HTMLSelectElement} */ (qs('#speed'));
		this.$vtabs = [...document.querySelectorAll('.vtab[data-view]')];
		this.$stabs = [...document.querySelectorAll('.vtab[data-side]')];
		this.view = 'map';
	}

	/** @param {(action: string) => void} handler */
	bindStep(handler) {
		$delegate(document.body, '.steps [data-act]', 'click', (b) => handler(b.dataset.act));
		$on(document, 'keydown', (ev) => {
			const e = /** @type {KeyboardEvent} */ (ev);
			const t = /** @type {HTMLElement} */ (e.target);
			if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
			if (t.closest('input, select, textarea, dialog, [role="tab"], #timeline')) return;
			if (t.closest('button, a, summary, [role="button"]') && (e.key === ' ' || e.key === 'Enter')) return;
			const act = KEYS[e.key];
			if (!act) return;
			e.preventDefault();
			handler(act);
		});
	}

	/** @param {(seq: number) => void} row a call-tree row @param {(i: number) => void} card a step card */
	bindRow(row, card) {
		$delegate(this.$rows, '.jrow[data-seq]', 'click', (r) => row(Number(r.dataset.seq)));
		$delegate(this.$cards, '.card-s', 'click', (c) => card(Number(c.dataset.i)));
	}

	/** @param {(s: number) => void} handler */
	bindSpeed(handler) { $on(this.$speed, 'change', () => handler(Number(this.$speed.value))); }

	/** @param {(view: string) => void} onView @param {(side: string) => void} onSide */
	bindTabs(onView, onSide) {
		$delegate(document.body, '.vtab[data-view]', 'click', (b) => onView(b.dataset.view));
		$delegate(document.body, '.vtab[data-side]', 'click', (b) => onSide(b.dataset.side));
		$delegate(document.body, '[role="tab"]', 'keydown', (b, ev) => {
			const e = /** @type {KeyboardEvent} */ (ev);
			if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
			const list = [...b.parentElement.querySelectorAll('[role="tab"]:not([hidden])')];
			const to = /** @type {HTMLElement} */ (list[(list.indexOf(b) + (e.key === 'ArrowRight' ? 1 : list.length - 1)) % list.length]);
			e.preventDefault();
			to.focus();
			to.click();
		});
	}

	/** @param {string} name map|tree|steps|timeline|flows */
	showView(name) { this.view = name; selectTab(this.$vtabs, 'view', name); }

	/** @param {string} name inspector|state|lesson */
	showSide(name) { selectTab(this.$stabs, 'side', name); }

	/**
	 * @param {PacketDetail|null} p @param {import('./store.js').JourneyRow[]} rows
	 * @param {number} current row @param {TraceEvent|null} ev @param {number} step
	 */
	render(p, rows, current, ev, step) {
		if (!p) {
			this.$rows.innerHTML = '<p class="muted pad">Select a packet to follow its journey.</p>';
			this.$cards.innerHTML = '';
			this.$title.textContent = '';
			this.$pos.textContent = '';
			this.$msg.textContent = '';
			return;
		}
		this.$title.textContent = `#${p.n}: ${p.summary}`;
		if (this.view === 'tree') {
			this.$rows.innerHTML = journey(rows, current, ev ? ev.seq : 0);
			const cur = /** @type {HTMLElement} */ (this.$rows.querySelector('.jrow.current > div'));
			if (cur) scrollWithin(this.$rows, cur);
		}
		if (this.view === 'steps') {
			this.$cards.innerHTML = stepCards(p.steps, step);
			const cur = /** @type {HTMLElement} */ (this.$cards.querySelector('.current'));
			if (cur) scrollWithin(this.$cards.parentElement, cur);
		}
		this.$pos.textContent = `step ${step + 1} / ${p.steps.length}`;
		this.$msg.textContent = ev ? `${ev.fn}: ${ev.msg || (ev.ph === 'E' ? `returns ${ev.verdict}${ev.reason ? ` (${ev.reason})` : ''}` : '')}` : '';
	}

	/** @param {boolean} on */
	setPlaying(on) {
		this.$play.textContent = on ? '❚❚ Pause' : '▶ Play';
		this.$play.setAttribute('aria-pressed', String(on));
	}
}
