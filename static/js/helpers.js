// helpers.js - tiny DOM wrappers (TodoMVC's helpers.js) and text escaping.

/** @param {string} sel @param {ParentNode} [scope] @returns {HTMLElement} */
export const qs = (sel, scope = document) => /** @type {HTMLElement} */ (scope.querySelector(sel));

/** @param {EventTarget} target @param {string} type @param {EventListener} cb */
export const $on = (target, type, cb) => target.addEventListener(type, cb);

/**
 * $delegate - calls handler(element, event) for events on children matching selector.
 * @param {Element} target @param {string} selector @param {string} type
 * @param {(el: HTMLElement, ev: Event) => void} handler
 */
export function $delegate(target, selector, type, handler) {
	$on(target, type, (ev) => {
		const el = /** @type {Element} */ (ev.target).closest(selector);
		if (el && target.contains(el)) handler(/** @type {HTMLElement} */ (el), ev);
	});
}

const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** escapeHTML - text safe inside element content and quoted attributes. @param {unknown} s */
export const escapeHTML = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ESC[c]);

/**
 * scrollWithin - brings el into view inside its scrolling container only
 * (scrollIntoView would also scroll the page, moving the controls away).
 * @param {HTMLElement} box @param {HTMLElement} el
 */
export function scrollWithin(box, el) {
	const b = box.getBoundingClientRect(), r = el.getBoundingClientRect();
	if (r.top < b.top) box.scrollTop += r.top - b.top - 8;
	else if (r.bottom > b.bottom) box.scrollTop += Math.min(r.bottom - b.bottom + 8, r.top - b.top - 8);
	if (r.left < b.left) box.scrollLeft += r.left - b.left - 8;
	else if (r.right > b.right) box.scrollLeft += Math.min(r.right - b.right + 8, r.left - b.left - 8);
}
