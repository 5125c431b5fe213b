// view_packets.js - the packet list (Wireshark's columns, coloured by
// outcome; pages appended as the list scrolls; ↑/↓ move the focus, Enter
// opens) and, in presenter mode, the same packets as a strip.
import { qs, $on, $delegate, scrollWithin } from './helpers.js';
import { packetRows, packetStrip } from './template.js';

export class PacketsView {
	constructor() {
		this.$body = qs('#pk-body');
		this.$scroll = qs('#pk-scroll');
		this.$count = qs('#pk-count');
		this.$more = qs('#pk-more');
		this.$strip = qs('#pk-strip');
	}

	/** @param {(n: number) => void} handler */
	bindSelect(handler) {
		$delegate(this.$body, 'tr', 'click', (tr) => handler(Number(tr.dataset.n)));
		$delegate(this.$strip, 'button[data-n]', 'click', (b) => handler(Number(b.dataset.n)));
		$on(this.$body, 'keydown', (ev) => {
			const e = /** @type {KeyboardEvent} */ (ev);
			const tr = /** @type {HTMLElement} */ (e.target).closest('tr');
			if (!tr) return;
			const to = e.key === 'ArrowDown' ? tr.nextElementSibling : e.key === 'ArrowUp' ? tr.previousElementSibling : null;
			if (e.key === 'Enter') { e.preventDefault(); e.stopPropagation(); handler(Number(tr.dataset.n)); return; }
			if (!to) return;
			e.preventDefault();
			e.stopPropagation();
			tr.tabIndex = -1;
			/** @type {HTMLElement} */ (to).tabIndex = 0;
			/** @type {HTMLElement} */ (to).focus();
		});
	}

	/** @param {() => void} handler called when the end of the list comes into view */
	bindMore(handler) {
		$on(this.$scroll, 'scroll', () => {
			const s = this.$scroll;
			if (s.scrollTop + s.clientHeight > s.scrollHeight - 200) handler();
		});
	}

	/**
	 * @param {PacketRow[]} rows @param {number} selected @param {number} total shown by the filters
	 * @param {string} t0 the trace's first packet time @param {number} all packets in the trace
	 */
	render(rows, selected, total, t0, all) {
		this.$body.innerHTML = packetRows(rows, selected, t0);
		if (!this.$body.querySelector('tr[tabindex="0"]') && this.$body.firstElementChild) /** @type {HTMLElement} */ (this.$body.firstElementChild).tabIndex = 0;
		this.$strip.innerHTML = packetStrip(rows, selected);
		this.$count.textContent = total === all ? `${all} packets` : `${total} of ${all} shown`;
		this.$more.textContent = !total ? 'No packets match.' : rows.length < total ? 'scroll for more…' : '';
	}

	/** @param {number} n */
	select(n) {
		for (const tr of this.$body.querySelectorAll('tr.selected')) {
			tr.classList.remove('selected');
			tr.removeAttribute('aria-current');
		}
		for (const b of this.$strip.querySelectorAll('.sel')) { b.classList.remove('sel'); b.removeAttribute('aria-current'); }
		const tr = /** @type {HTMLElement} */ (this.$body.querySelector(`tr[data-n="${n}"]`));
		const b = this.$strip.querySelector(`button[data-n="${n}"]`);
		if (b) { b.classList.add('sel'); b.setAttribute('aria-current', 'true'); }
		if (!tr) return;
		for (const r of this.$body.querySelectorAll('tr[tabindex="0"]')) /** @type {HTMLElement} */ (r).tabIndex = -1;
		tr.tabIndex = 0;
		tr.classList.add('selected');
		tr.setAttribute('aria-current', 'true');
		scrollWithin(this.$scroll, tr);
	}
}
