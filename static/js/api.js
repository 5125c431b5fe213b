// api.js - the JSON API client. Every call resolves to parsed JSON or
// throws an Error carrying the server's message and status.
import './types.js';

async function getJSON(url, opts) {
	const r = await fetch(url, opts);
	let body = null;
	try { body = await r.json(); } catch (e) { body = null; }
	if (!r.ok) {
		const err = new Error(body && body.error ? body.error : `${r.status} ${r.statusText}`);
		/** @type {any} */ (err).status = r.status;
		throw err;
	}
	return body;
}

const qsOf = (params) => {
	const p = new URLSearchParams();
	for (const [k, v] of Object.entries(params)) if (v !== '' && v !== null && v !== undefined) p.set(k, String(v));
	const s = p.toString();
	return s ? `?${s}` : '';
};

export const api = {
	/** @returns {Promise<{traces: TraceBrief[], live: number}>} */
	traces: () => getJSON('/api/traces'),
	/** @returns {Promise<TraceSummary>} */
	summary: (id) => getJSON(`/api/traces/${id}`),
	/** @returns {Promise<{total: number, offset: number, packets: PacketRow[]}>} */
	packets: (id, params) => getJSON(`/api/traces/${id}/packets${qsOf(params)}`),
	/** @returns {Promise<PacketDetail>} */
	packet: (id, n) => getJSON(`/api/traces/${id}/packets/${n}`),
	/** @returns {Promise<{total: number, next: number|null, events: TraceEvent[]}>} */
	events: (id, params) => getJSON(`/api/traces/${id}/events${qsOf(params)}`),
	/** @returns {Promise<Histogram>} */
	histogram: (id, params) => getJSON(`/api/traces/${id}/histogram${qsOf(params)}`),
	/** The bytes of an skb the stack made (web/api_skb.c). @returns {Promise<{skb: number, how: string, linktype: number, frame: string}>} */
	skb: (id, skb) => getJSON(`/api/traces/${id}/skbs/${skb}`),
	/** @returns {Promise<StateSnapshot>} */
	state: (id, seq) => getJSON(`/api/traces/${id}/state${qsOf({ seq })}`),
	/**
	 * The capture as the raw body; the host options as query parameters
	 * (host=IP|MAC, no_csum=1, infer=0), which a server without them ignores.
	 * @param {File} file @param {{infer: boolean, host: string, no_csum: boolean}} [o] @returns {Promise<TraceBrief>}
	 */
	upload: (file, o = { infer: true, host: '', no_csum: false }) => getJSON(`/api/traces${qsOf({ name: file.name,
		host: o.host, no_csum: o.no_csum ? 1 : '', infer: o.infer ? '' : 0 })}`, {
		method: 'POST', body: file, headers: { 'Content-Type': 'application/octet-stream' } }),
	/** @returns {Promise<Explain>} */
	explain: () => fetch('/explain.json').then((r) => (r.ok ? r.json() : { version: 1, functions: {} }))
		.catch(() => ({ version: 1, functions: {} })),
};
