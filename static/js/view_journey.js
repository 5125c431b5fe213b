// view_journey.js - the selected packet's call tree across the layer
// swimlanes, the step controls and their keys (←/→, Home/End, n/p, d,
// space). Rows not yet reached are dimmed; the current one is marked.
import { qs, $on, $delegate } from './helpers.js';
import { journey } from './template.js';

const KEYS = { ArrowLeft: 'back', ArrowRight: 'fwd', Home: 'home', End: 'end', n: 'nextpkt', p: 'prevpkt', d: 'drop', ' ': 'play' };

export class JourneyView {
	constructor() {
		this.$rows = qs('#journey');
		this.$title = qs('#j-title');
		this.$pos = qs('#j-pos');
		this.$msg = qs('#j-msg');
		this.$play = qs('[data-act="play"]');
	}

	/** @param {(action: string) => void} handler */
	bindStep(handler) {
		$delegate(document.body, '.steps [data-act]', 'click', (b) => handler(b.dataset.act));
		$on(document, 'keydown', (ev) => {
			const e = /** @type {KeyboardEvent} */ (ev);
			const t = /** @type {HTMLElement} */ (e.target);
			if (e.ctrlKey || e.metaKey || e.altKey || t.closest('input, select, textarea')) return;
			if (t.closest('button') && (e.key === ' ' || e.key === 'Enter')) return;
			const act = KEYS[e.key];
			if (!act) return;
			e.preventDefault();
			handler(act);
		});
	}

	/** @param {(seq: number) => void} handler a row was clicked */
	bindRow(handler) {
		$delegate(this.$rows, '.jrow[data-seq]', 'click', (r) => handler(Number(r.dataset.seq)));
	}

	/**
	 * @param {PacketDetail|null} p @param {import('./store.js').JourneyRow[]} rows
	 * @param {number} current row @param {TraceEvent|null} ev @param {number} step
	 */
	render(p, rows, current, ev, step) {
		if (!p) {
			this.$rows.innerHTML = '<p class="muted pad">Select a packet to follow its journey.</p>';
			this.$title.textContent = '';
			this.$pos.textContent = '';
			this.$msg.textContent = '';
			return;
		}
		this.$title.textContent = `— packet #${p.n}: ${p.summary}`;
		this.$rows.innerHTML = journey(rows, current, ev ? ev.seq : 0);
		this.$pos.textContent = `step ${step + 1} / ${p.steps.length}`;
		this.$msg.textContent = ev ? `${ev.fn}: ${ev.msg || (ev.ph === 'E' ? `returns ${ev.verdict}${ev.reason ? ` (${ev.reason})` : ''}` : '')}` : '';
		const cur = this.$rows.querySelector('.jrow.current');
		if (cur) cur.scrollIntoView({ block: 'nearest' });
	}

	/** @param {boolean} on */
	setPlaying(on) {
		this.$play.textContent = on ? '❚❚ pause' : '▶ play';
		this.$play.setAttribute('aria-label', on ? 'pause' : 'play');
		this.$play.setAttribute('aria-pressed', String(on));
	}
}
