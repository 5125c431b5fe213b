// view_toolbar.js - the header (trace picker, upload dialog with the host
// options, presenter switch, status, live badge) and the filter form
// (a bad expression's error shown at its field; function names suggested
// by prefix). Binds DOM events to handlers; renders what it is given.
import { qs, $on, escapeHTML as esc } from './helpers.js';
import { traceOptions, reasonOptions } from './template.js';

/** @typedef {{infer: boolean, host: string, no_csum: boolean}} UploadOptions */

export class ToolbarView {
	constructor() {
		this.$trace = /** @type {HTMLSelectElement} */ (qs('#trace'));
		this.$upload = /** @type {HTMLInputElement} */ (qs('#upload'));
		this.$dlg = /** @type {HTMLDialogElement} */ (qs('#upload-dlg'));
		this.$dform = /** @type {HTMLFormElement} */ (qs('#upload-form'));
		this.$status = qs('#status');
		this.$live = qs('#live');
		this.$form = /** @type {HTMLFormElement} */ (qs('#filters'));
		this.$exprErr = qs('#expr-err');
		this.$names = qs('#fn-names');
		this.$presenter = qs('#presenter');
	}

	/** @param {(id: number) => void} handler */
	bindTrace(handler) { $on(this.$trace, 'change', () => handler(Number(this.$trace.value))); }

	/** @param {(file: File, opts: UploadOptions) => void} handler */
	bindUpload(handler) {
		$on(qs('#upload-open'), 'click', () => this.$dlg.showModal());
		$on(qs('#upload-cancel'), 'click', () => this.$dlg.close());
		$on(this.$dform, 'submit', (ev) => {
			const f = this.$upload.files && this.$upload.files[0];
			if (!f) { ev.preventDefault(); this.$upload.focus(); return; }
			const d = new FormData(this.$dform);
			handler(f, { infer: d.get('infer') === 'on', host: String(d.get('host') || '').trim(), no_csum: d.get('no_csum') === 'on' });
			this.$upload.value = '';
		});
	}

	/** @param {(on: boolean) => void} handler */
	bindPresenter(handler) {
		$on(this.$presenter, 'click', () => handler(this.$presenter.getAttribute('aria-pressed') !== 'true'));
	}

	/** @param {boolean} on */
	setPresenter(on) {
		document.body.classList.toggle('presenter', on);
		this.$presenter.setAttribute('aria-pressed', String(on));
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
	}

	/** @param {string[]} names function names of the trace, for the suggestions */
	setNames(names) { this.$names.innerHTML = names.map((n) => `<option value="${esc(n)}">`).join(''); }

	/** @param {import('./store.js').Filters} f */
	setFilters(f) {
		for (const [k, v] of Object.entries(f)) {
			const el = /** @type {HTMLInputElement} */ (this.$form.elements.namedItem(k));
			if (el && el.value !== v) el.value = v;
		}
	}

	/** @param {string} field expr|fn @param {string} text empty to clear */
	setFieldError(field, text) {
		const el = /** @type {HTMLInputElement} */ (this.$form.elements.namedItem(field));
		for (const n of ['expr', 'fn']) /** @type {HTMLInputElement} */ (this.$form.elements.namedItem(n)).removeAttribute('aria-invalid');
		if (text && el) el.setAttribute('aria-invalid', 'true');
		this.$exprErr.textContent = text;
		if (text && el) el.setAttribute('aria-describedby', 'expr-err');
	}

	/** @param {string} text @param {boolean} [error] */
	setStatus(text, error = false) {
		this.$status.textContent = text;
		this.$status.className = error ? 'error' : '';
		this.$status.setAttribute('role', error ? 'alert' : 'status');
	}
}
