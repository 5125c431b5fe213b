// api.js - the JSON API client. Every call resolves to parsed JSON or
// throws an Error carrying the server's message and status. A server that
// is busy for now (503, 429 or 409 with Retry-After: a full upload queue,
// a trace still being opened) is asked again after the time it names, a
// few times, before the error is shown.
import './types.js';

const RETRIES = 5;
const RETRY_MAX_S = 5;

/** Seconds the server asks us to wait, or -1 when the answer is final. */
function retryAfter(r) {
	if (r.status !== 503 && r.status !== 429 && r.status !== 409) return -1;
	const v = Number(r.headers.get('Retry-After'));
	return Number.isFinite(v) && v >= 0 ? Math.min(v, RETRY_MAX_S) : -1;
}

async function getJSON(url, opts) {
	let r = await fetch(url, opts);
	for (let i = 0, wait; i < RETRIES && (wait = retryAfter(r)) >= 0; i++) {
		await new Promise((res) => setTimeout(res, wait * 1000 + 50));
		r = await fetch(url, opts);
	}
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
	/** @returns {Promise<PacketDetail & {trace: number}>} the detail and the trace it came from */
	packet: (id, n) => getJSON(`/api/traces/${id}/packets/${n}`).then((p) => ({ ...p, trace: id })),
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
	/** Replays the trace's capture under B (web/api_whatif.c). @param {{sets: string[], scenario?: any}} body */
	whatif: (id, body) => getJSON(`/api/traces/${id}/whatif`, { method: 'POST', body: JSON.stringify(body),
		headers: { 'Content-Type': 'application/json' } }),
	/** @returns {Promise<Explain>} */
	explain: () => fetch('/explain.json').then((r) => (r.ok ? r.json() : { version: 1, functions: {} }))
		.catch(() => ({ version: 1, functions: {} })),
};
