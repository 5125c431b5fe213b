// view_packets.js - the packet list: one row per packet, coloured by its
// final verdict; pages are appended as the list scrolls.
import { qs, $on, $delegate } from './helpers.js';
import { packetRows } from './template.js';

export class PacketsView {
	constructor() {
		this.$body = qs('#pk-body');
		this.$scroll = qs('#pk-scroll');
		this.$count = qs('#pk-count');
		this.$more = qs('#pk-more');
	}

	/** @param {(n: number) => void} handler */
	bindSelect(handler) {
		$delegate(this.$body, 'tr', 'click', (tr) => handler(Number(tr.dataset.n)));
	}

	/** @param {() => void} handler called when the end of the list comes into view */
	bindMore(handler) {
		$on(this.$scroll, 'scroll', () => {
			const s = this.$scroll;
			if (s.scrollTop + s.clientHeight > s.scrollHeight - 200) handler();
		});
	}

	/** @param {PacketRow[]} rows @param {number} selected @param {number} total @param {string} t0 */
	render(rows, selected, total, t0) {
		this.$body.innerHTML = packetRows(rows, selected, t0);
		this.$count.textContent = `${rows.length < total ? `${rows.length} of ` : ''}${total}`;
		this.$more.textContent = !total ? 'No packets match.' : rows.length < total ? 'scroll for more…' : '';
	}

	/** @param {number} n */
	select(n) {
		for (const tr of this.$body.querySelectorAll('tr.selected')) {
			tr.classList.remove('selected');
			tr.setAttribute('aria-selected', 'false');
		}
		const tr = this.$body.querySelector(`tr[data-n="${n}"]`);
		if (!tr) return;
		tr.classList.add('selected');
		tr.setAttribute('aria-selected', 'true');
		tr.scrollIntoView({ block: 'nearest' });
	}
}
