// view_state.js - the host's state at the selected event: counters (those
// that changed since the last view highlighted), fragment queues, sockets,
// interfaces, routes, neighbours and netfilter rules.
import { qs } from './helpers.js';
import { statePanels } from './template.js';

export class StateView {
	constructor() { this.$el = qs('#state'); }

	/** @param {StateSnapshot|null} s @param {StateSnapshot|null} prev */
	render(s, prev) {
		this.$el.innerHTML = s ? statePanels(s, prev) : '';
	}
}
