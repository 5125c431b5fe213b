// view_state.js - the host's state at the selected event (/state): counters
// with "+n" on the step that moved them, fragment queues as byte bars,
// sockets with their TCP state, routes, neighbours and netfilter rules.
import { qs } from './helpers.js';
import { statePanels } from './template.js';

export class StateView {
	constructor() { this.$el = qs('#state'); }

	/**
	 * @param {any} s the /state answer @param {Object<string, number>} delta counters moved by this step
	 * @param {TraceEvent|null} [lookup] the journey's last routing lookup so far
	 */
	render(s, delta, lookup = null) {
		this.$el.innerHTML = s ? statePanels(s, delta || {}, lookup) : '<p class="muted">Nothing selected.</p>';
	}
}
