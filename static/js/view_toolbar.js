// view_toolbar.js - the header (trace picker, upload, status, live badge)
// and the filter form. Binds DOM events to handlers; renders what it is given.
import { qs, $on } from './helpers.js';
import { traceOptions, reasonOptions } from './template.js';

export class ToolbarView {
	constructor() {
		this.$trace = /** @type {HTMLSelectElement} */ (qs('#trace'));
		this.$upload = /** @type {HTMLInputElement} */ (qs('#upload'));
		this.$status = qs('#status');
		this.$live = qs('#live');
		this.$form = /** @type {HTMLFormElement} */ (qs('#filters'));
		this.$summary = qs('#summary');
	}

	/** @param {(id: number) => void} handler */
	bindTrace(handler) { $on(this.$trace, 'change', () => handler(Number(this.$trace.value))); }

	/** @param {(file: File) => void} handler */
	bindUpload(handler) {
		$on(this.$upload, 'change', () => {
			const f = this.$upload.files && this.$upload.files[0];
			if (f) handler(f);
			this.$upload.value = '';
		});
		const label = this.$upload.parentElement;
		$on(label, 'keydown', (ev) => {
			const k = /** @type {KeyboardEvent} */ (ev).key;
			if (k === 'Enter' || k === ' ') { ev.preventDefault(); this.$upload.click(); }
		});
	}

	/** @param {(f: import('./store.js').Filters) => void} handler */
	bindFilters(handler) {
		const read = () => {
			const d = new FormData(this.$form);
			return { verdict: String(d.get('verdict') || ''), reason: String(d.get('reason') || ''),
				fn: String(d.get('fn') || '').trim(), expr: String(d.get('expr') || '').trim() };
		};
		$on(this.$form, 'submit', (ev) => { ev.preventDefault(); handler(read()); });
		$on(this.$form, 'reset', () => setTimeout(() => handler(read()), 0));
		for (const name of ['verdict', 'reason']) $on(this.$form.elements.namedItem(name), 'change', () => handler(read()));
	}

	/** @param {TraceBrief[]} traces @param {number} selected @param {number} liveId */
	setTraces(traces, selected, liveId) {
		this.$trace.innerHTML = traceOptions(traces, selected);
		this.$live.hidden = !liveId || liveId !== selected;
	}

	/** @param {TraceSummary} s @param {import('./store.js').Filters} f */
	setSummary(s, f) {
		const reason = /** @type {HTMLSelectElement} */ (this.$form.elements.namedItem('reason'));
		reason.innerHTML = reasonOptions(s.drops, f.reason);
		const drops = s.drops.reduce((a, d) => a + d.packets, 0);
		this.$summary.textContent = `${s.packets} packets · ${s.events} events · ${drops} dropped · ${s.flows.list.length} flows`;
	}

	/** @param {import('./store.js').Filters} f */
	setFilters(f) {
		for (const [k, v] of Object.entries(f)) {
			const el = /** @type {HTMLInputElement} */ (this.$form.elements.namedItem(k));
			if (el && el.value !== v) el.value = v;
		}
	}

	/** @param {string} text @param {boolean} [error] */
	setStatus(text, error = false) {
		this.$status.textContent = text;
		this.$status.className = error ? 'error' : '';
		this.$status.setAttribute('role', error ? 'alert' : 'status');
	}
}
