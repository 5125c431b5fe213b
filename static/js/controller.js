// controller.js - the only place where state changes: each method asks the
// API, updates the store, then tells the views what to render.
import { api } from './api.js';
import { journeyOnMap } from './kernel_map.js';
import { sentBy } from './links.js';
import { fragArrows, replies } from './strip_links.js';

const PAGE = 200;

/** The lessons endpoints (web/api_lessons.c); errors carry the server's message. */
async function lessonJSON(url, opts) {
	const r = await fetch(url, opts);
	const body = await r.json().catch(() => null);
	if (!r.ok) throw new Error(body && body.error ? body.error : `${r.status} ${r.statusText}`);
	return body;
}
const WINDOW_EVENTS = 1500;	/* zoomed in this far, the timeline draws single events */

export class Controller {
	/**
	 * @param {import('./store.js').Store} store
	 * @param {{toolbar: any, packets: any, journey: any, inspector: any, timeline: any, state: any, lessons: any, map: any, flows: any, whatif: any}} views
	 */
	constructor(store, views) {
		this.store = store;
		this.v = views;
		this.loadingMore = false;
		this.stateReq = 0;
		this.stateBusy = false;	/* a /state request is on the way */
		this.statePending = false;	/* and another step was shown meanwhile */
		this.timers = {};
		this.live = null;
		const v = views;
		v.toolbar.bindTrace((id) => this.setTrace(id));
		v.toolbar.bindUpload((f, o) => this.upload(f, o));
		v.toolbar.bindPresenter((on) => this.setPresenter(on));
		v.toolbar.bindFilters((f) => this.setFilters(f));
		v.packets.bindSelect((n) => this.selectPacket(n));
		v.packets.bindMore(() => this.loadPackets(false));
		v.journey.bindStep((a) => this.step(a));
		v.journey.bindRow((seq) => this.stepToSeq(seq), (i) => this.stepTo(i));
		v.journey.bindSpeed((x) => this.setSpeed(x));
		v.journey.bindTabs((name) => this.setView(name), (name) => this.v.journey.showSide(name));
		/* a stage clicked answers a pending prediction, else zooms into its calls */
		v.map.bindNode((node) => { if (!(this.store.lesson && v.lessons.predict.onNode(node))) this.zoomNode(node); });
		v.whatif.bind(() => this.store.traceId, (id) => this.refreshTraces().then(() => this.setTrace(id)));
		v.timeline.bindPacket((n) => this.selectPacket(n));
		v.flows.bind((i) => this.selectFlow(i), (n) => this.selectPacket(n));
		v.timeline.bind((from, to) => this.setRange(from, to), (seq) => this.jumpTo(seq),
			() => ({ ...this.store.range, total: this.store.summary ? this.store.summary.events : 0 }));
	}

	async init() {
		/* ?lesson=N&present=1 (a link a teacher hands out) is the deep link #lesson=N&present=1 */
		const q = new URLSearchParams(location.search);
		if (q.has('lesson') || q.has('present')) {
			const h = new URLSearchParams(location.hash.slice(1));
			for (const [k, v] of q) if (!h.has(k)) h.set(k, v);
			history.replaceState(null, '', `${location.pathname}#${h}`);
		}
		this.store.explain = await api.explain();
		const list = await this.refreshTraces();
		const h = this._parseHash();
		window.addEventListener('hashchange', () => this.fromHash());
		if (h.lessons || h.lesson) return this.fromHash();
		const id = h.trace || this.store.liveId || (list.traces[0] && list.traces[0].id) || 0;
		if (window.matchMedia && window.matchMedia('(max-width: 700px)').matches) this.setView('steps');
		if (h.trace && !list.traces.some((t) => t.id === h.trace)) return this._gone(h.trace, list);
		if (id) await this.setTrace(id, h.pkt, h.seq);
		else this.v.toolbar.setStatus('No traces yet: upload a capture.');
	}

	/** A deep link to a trace the server no longer has: say so, open another. */
	async _gone(id, list) {
		const other = list.traces[0];
		if (other) await this.setTrace(other.id);
		this.v.toolbar.setStatus(`Trace ${id} is gone: the server no longer has it (uploads are dropped after a while, and a restart forgets them).${
			other ? ` Showing ${other.name} instead.` : ''}`, true);
	}

	async refreshTraces() {
		const list = await api.traces();
		this.store.traces = list.traces;
		this.store.liveId = list.live;
		this.v.toolbar.setTraces(list.traces, this.store.traceId, list.live);
		return list;
	}

	_parseHash() {
		const p = new URLSearchParams(location.hash.slice(1));
		const num = (k) => (p.has(k) && /^\d+$/.test(p.get(k)) ? Number(p.get(k)) : 0);
		return { trace: num('trace'), pkt: num('pkt'), seq: num('seq'), lesson: num('lesson'), lessons: p.has('lessons'),
			present: p.get('present') === '1' };
	}

	async fromHash() {
		const h = this._parseHash();
		const s = this.store;
		this.v.lessons.setPage(h.lessons ? 'lessons' : 'timeline');
		if (h.lessons) return this.showLessons();
		if (h.present && h.lesson && !s.presenter) this._presenter(true);	/* a lab opens in presenter mode */
		if (h.lesson && h.lesson !== s.lessonN) {
			const o = await this.openLesson(h.lesson);
			if (o && !h.trace) {
				const l = o.links.find((x) => x.seq) || { pkt: 0, seq: 0 };
				return this.setTrace(o.trace, l.pkt, l.seq);
			}
		} else if (!h.lesson && s.lessonN) this.closeLesson();
		if (!h.trace && !s.traceId && s.traces.length) return this.setTrace(s.liveId || s.traces[0].id);
		if (h.trace && h.trace !== s.traceId) {
			if (!s.traces.some((t) => t.id === h.trace)) await this.refreshTraces();
			if (!s.traces.some((t) => t.id === h.trace)) return this._gone(h.trace, { traces: s.traces });
			return this.setTrace(h.trace, h.pkt, h.seq);
		}
		if (h.pkt && (!s.packet || h.pkt !== s.packet.n)) return this.selectPacket(h.pkt, h.seq);
		if (h.seq) this.stepToSeq(h.seq);
	}

	_updateHash() {
		const h = this.store.hash();
		if (location.hash !== h) history.replaceState(null, '', h);
	}

	_error(e) {
		this.v.toolbar.setStatus(e && e.message ? e.message : String(e), true);
	}

	async setTrace(id, pkt = 0, seq = 0) {
		const s = this.store;
		const prev = s.traceId;
		this.statePending = false;	/* the old packet's state is no longer wanted */
		this.stateReq++;
		s.traceId = id;
		s.fnNames = [];	/* the last trace's: the strip drawn meanwhile must not look for its functions */
		try {
			/* the summary decodes every frame (flows): list packets meanwhile */
			const [sum, first, hist] = await Promise.all([api.summary(id), api.packets(id, { limit: 1 }),
				api.histogram(id, { buckets: 1 }), this.loadPackets(true)]);
			s.summary = sum;
			s.t0 = first.packets.length ? first.packets[0].ts : '0.0';
			const layers = new Set(['driver', 'link', 'core', 'netfilter', 'ip', 'route', 'frag', 'tcp', 'udp', 'icmp', 'arp', 'packet', 'bpf', 'app', 'ipv6', '?']);
			s.fnNames = hist.names.filter((n) => !layers.has(n)).sort();
			this.v.toolbar.setNames(s.fnNames);
			this._renderPackets();
			s.flowSel = -1;
		} catch (e) {
			s.traceId = prev;
			return this._error(e);
		}
		s.setPacket(null);
		s.state = s.prevState = null;
		this.v.toolbar.setTraces(s.traces, id, s.liveId);
		this.v.toolbar.setSummary(s.summary, s.filters);
		if (s.summary.state === 'opening') return this._awaitOpen(id, pkt, seq);
		this.v.toolbar.setStatus('');
		s.range = { from: 0, to: s.summary.events };
		this.loadTimeline();
		this._follow(id === s.liveId);
		const first = pkt || (s.packets[0] && s.packets[0].n);
		if (first) await this.selectPacket(first, seq || undefined);
		else this.render();
	}

	/**
	 * A capture the server is still replaying (web/open.c): its first pages
	 * are listed; the progress is shown from the trace list (cheap, never a
	 * 409) until it is whole, then the trace is opened again in full.
	 */
	async _awaitOpen(id, pkt, seq) {
		const s = this.store;
		clearTimeout(this.timers.open);
		for (;;) {
			const t = (await this.refreshTraces().catch(() => ({ traces: [] }))).traces.find((x) => x.id === id);
			if (s.traceId !== id || !t) return;
			if (!t.progress || t.progress.done) return this.setTrace(id, pkt, seq);
			const p = t.progress;
			this.v.toolbar.setStatus(`Opening ${t.name}: ${p.packets.toLocaleString()} packets, ${
				p.events.toLocaleString()} events so far (about ${Math.round(p.fraction * 100)}%)…`);
			await new Promise((res) => { this.timers.open = setTimeout(res, 500); });
		}
	}

	async loadPackets(reset) {
		const s = this.store;
		if (!s.traceId || (!reset && (this.loadingMore || s.packets.length >= s.packetsTotal))) return;
		/* a reset (another trace, other filters) goes at once; what an older load brings is dropped */
		const req = this.packetsReq = (this.packetsReq || 0) + 1, id = s.traceId;
		this.loadingMore = true;
		const f = s.filters;
		try {
			const page = await this._packetPage(reset ? 0 : s.packets.length, f);
			if (req !== this.packetsReq) return;
			s.packets = reset ? page.packets : s.packets.concat(page.packets);
			s.packetsTotal = page.total;
			s.packetsTrace = id;
			if (reset) { this.v.toolbar.setFieldError('expr', ''); s.filterError = ''; }
		} catch (e) {
			if (req !== this.packetsReq) return;
			if (reset) {	/* a bad expression: its error at the field, and no stale list */
				s.packets = [];
				s.packetsTotal = 0;
				s.packetsTrace = id;
				s.filterError = e.message;
				this.v.toolbar.setFieldError(/\bfn\b|function/.test(e.message) ? 'fn' : 'expr', e.message);
			} else this._error(e);
		} finally {
			if (req === this.packetsReq) this.loadingMore = false;
		}
		this._renderPackets();
	}

	_renderPackets() {
		const s = this.store;
		const all = s.summary ? s.summary.packets : s.packetsTotal;
		this.v.packets.render(s.packets, s.packet ? s.packet.n : 0, s.packetsTotal, s.t0, all);
		if (s.view === 'timeline') this._renderTime();
	}

	/**
	 * The time strip, then its arrows: from each fragment to the packet that
	 * rebuilt its datagram (from the trace's reassembly events; a partner off
	 * the strip, filtered out or not yet listed, is drawn as an arrow to the
	 * edge with its number), and ↩ over the packets the host answered (from
	 * the trace's transmit events), for every packet on the strip.
	 */
	async _renderTime() {
		const s = this.store;
		const rows = s.packets, id = s.traceId;
		if (s.packetsTrace !== id) return;	/* the list is still the last trace's: its own comes next */
		this.v.timeline.renderTime(rows, s.t0, s.packet ? s.packet.n : 0);
		try {
			/* the function names come with the trace's first histogram: a list drawn before is drawn again */
			const lastPkt = s.summary && s.summary.id === id ? s.summary.packets : 0;
			const key = `${id}|${rows.length}|${rows.length && rows[0].n}|${rows.length && rows[rows.length - 1].n}|${s.fnNames.join()}|${lastPkt}`;
			if (!this.fragCache || this.fragCache.key !== key) this.fragCache = { key, p: Promise.all([fragArrows(id, rows, s.fnNames), replies(id, rows, s.fnNames, lastPkt)]) };
			const [frag, reply] = await this.fragCache.p;
			if (s.traceId !== id || s.packets !== rows) return;
			const notes = [];
			const on = new Set(rows.map((r) => r.n));
			const off = frag.links.filter((l) => on.has(l.from) !== on.has(l.to)).length;
			if (off) notes.push(`${off} arrow${off === 1 ? ' leads' : 's lead'} to packets off the strip (filtered out or not listed yet), drawn to the edge with their number`);
			for (const c of [frag.cut, frag.later, reply.cut]) if (c) notes.push(c);
			this.v.timeline.renderLinks(frag.links, reply.replied, notes.join('; '));
		} catch (e) {
			this._error(e);
		}
	}

	/**
	 * One page of packets. The function filter takes a prefix: an exact
	 * name goes to the server as is; a prefix asks for each name it
	 * matches (at most 12) and merges the answers in capture order.
	 */
	async _packetPage(offset, f, limit = PAGE) {
		const s = this.store;
		const q = { verdict: f.verdict, reason: f.reason, filter: f.expr };
		if (!f.fn || s.fnNames.includes(f.fn) || !s.fnNames.length) return api.packets(s.traceId, { ...q, fn: f.fn, offset, limit });
		const names = s.fnNames.filter((n) => n.startsWith(f.fn));
		if (!names.length) throw new Error(`function: no function of this trace starts with "${f.fn}"`);
		if (names.length > 12) throw new Error(`function: "${f.fn}" matches ${names.length} functions; type more of the name`);
		const pages = await Promise.all(names.map((fn) => api.packets(s.traceId, { ...q, fn, limit: 1000 })));
		const byN = new Map();
		for (const p of pages) for (const r of p.packets) byN.set(r.n, r);
		const rows = [...byN.values()].sort((a, b) => a.n - b.n);
		return { total: rows.length, offset, packets: rows.slice(offset, offset + limit) };
	}

	/**
	 * The timeline follows the filters: the histogram is asked with the
	 * packet list's selectors and counts, per bucket, the events of the
	 * packets they keep (web/histogram_filter.c). A function prefix goes as
	 * the names it matches; null when nothing is filtered, or the filters
	 * are in error (the error is at the field, the timeline stays whole).
	 */
	_histFilters() {
		const s = this.store, f = s.filters;
		if (!(f.verdict || f.reason || f.fn || f.expr) || s.filterError) return null;
		let fn = f.fn;
		if (fn && s.fnNames.length && !s.fnNames.includes(fn)) {
			const names = s.fnNames.filter((n) => n.startsWith(fn));
			if (!names.length || names.length > 12) return null;
			fn = names.join(',');
		}
		return { verdict: f.verdict, reason: f.reason, filter: f.expr, fn };
	}

	async setFilters(f) {
		const s = this.store;
		s.filters = f;
		this.v.toolbar.setFilters(f);
		await this.loadPackets(true);
		if (s.view === 'timeline') this.loadTimeline();	/* else when the timeline is next drawn */
		/* the selection follows the filter: keep a shown packet, else the first shown */
		if (s.packet && !s.packets.some((p) => p.n === s.packet.n)) {
			if (s.packets.length) await this.selectPacket(s.packets[0].n);
			else { s.setPacket(null); this.render(); }
		}
	}

	/** @param {number} n @param {number} [seq] */
	async selectPacket(n, seq) {
		const s = this.store;
		try {
			const id = s.traceId;
			const p = await api.packet(id, n);
			if (s.traceId !== id) return;	/* another trace was opened meanwhile */
			s.setPacket(p, seq);
		} catch (e) {
			return this._error(e);
		}
		this.v.packets.select(n);
		if (s.view === 'timeline') this._renderTime();
		this.render();
	}

	/** @param {string} name the centre view */
	setView(name) {
		const s = this.store;
		s.view = name;
		this.v.journey.showView(name);
		if (name === 'timeline') { this.loadTimeline(); this._renderTime(); }
		if (name === 'flows') this._renderFlows();
		this.render();
	}

	/** The map's stage was clicked: zoom into its calls in the call tree. */
	zoomNode(node) {
		const s = this.store;
		const i = s.nodes.findIndex((n, k) => n === node && k <= s.stepIndex);
		const j = i >= 0 ? i : s.nodes.indexOf(node);
		this.setView('tree');
		if (j >= 0 && s.packet) {
			const e = s.packet.steps[j];
			const row = document.querySelector(`#journey .jrow[data-seq="${e.ph === 'E' ? e.parent : e.seq}"] > div`);
			if (row) row.scrollIntoView({ block: 'center' });
		}
	}

	setSpeed(x) {
		this.store.speed = x;
		this.v.map.setSpeed(x);
		if (this.store.playing) { this.togglePlay(); this.togglePlay(); }
	}

	setPresenter(on) {
		this._presenter(on);
		this.render();
	}

	/** Presenter mode on or off, without drawing (the caller renders). */
	_presenter(on) {
		this.store.presenter = on;
		this.v.toolbar.setPresenter(on);
		if (on) this.v.journey.showView('map');
		if (on) this.store.view = 'map';
	}

	_renderFlows() {
		const s = this.store;
		this.v.flows.render(s.summary ? s.summary.flows.list : [], s.flowSel, s.flowRows, s.t0, s.flowSent);
	}

	/** A conversation was picked: its packets, by a tcpdump filter built from its ends. */
	async selectFlow(i) {
		const s = this.store;
		const f = s.summary && s.summary.flows.list[i];
		if (!f) return;
		const proto = String(f.proto).toLowerCase();
		const ports = f.sport && f.dport ? ` and port ${f.sport} and port ${f.dport}` : '';
		const expr = `${['tcp', 'udp', 'icmp'].includes(proto) ? `${proto} and ` : ''}host ${f.src} and host ${f.dst}${ports}`;
		try {
			const page = await api.packets(s.traceId, { filter: expr, limit: 200 });
			s.flowSel = i;
			s.flowRows = page.packets;
			s.flowSent = await this._sentBy(page.packets.slice(0, 60));
		} catch (e) {
			this._error(e);
		}
		this._renderFlows();
	}

	/**
	 * What each packet made the host send: the skbs its journey handed to
	 * dev_queue_xmit, each with the sentence of the step that built it.
	 * @param {PacketRow[]} rows @returns {Promise<Map<number, Array<{skb: number, what: string}>>>}
	 */
	async _sentBy(rows) {
		const details = await Promise.all(rows.map((r) => this._detail(this.store.traceId, r.n)));
		return new Map(details.map((d) => [d.n, sentBy(d)]));
	}

	/** A packet's detail, cached per trace (the last 300). */
	async _detail(id, n) {
		const key = `${id}:${n}`;
		const c = this.detailCache || (this.detailCache = new Map());
		if (!c.has(key)) {
			c.set(key, api.packet(id, n));
			if (c.size > 300) c.delete(c.keys().next().value);
		}
		return c.get(key);
	}

	/** The Lessons page: the list of labs. */
	async showLessons() {
		try {
			const r = await lessonJSON('/api/lessons');
			this.v.lessons.renderList(r.lessons);
		} catch (e) {
			this._error(e);
		}
	}

	/** Opens lab n beside the timeline; its trace is replayed on first use. */
	async openLesson(n) {
		const s = this.store;
		try {
			const [d, o] = await Promise.all([lessonJSON(`/api/lessons/${n}`),
				lessonJSON(`/api/lessons/${n}/open`, { method: 'POST' })]);
			s.lesson = { ...d, trace: o.trace, links: o.links, predict: o.predict };
			s.lessonN = n;
			await this.refreshTraces();
			this.v.lessons.renderLesson(s.lesson);
			this.v.journey.showSide('lesson');
			return o;
		} catch (e) {
			this._error(e);
			return null;
		}
	}

	closeLesson() {
		this.store.lesson = null;
		this.store.lessonN = 0;
		this.v.lessons.renderLesson(null);
		this.v.journey.showSide('inspector');
	}

	render() {
		const s = this.store;
		if (s.lesson) this.v.lessons.onStep(this);	/* classroom: may hold the step at a prediction */
		const ev = s.current();
		this.v.journey.render(s.packet, s.rows, s.currentRow(), ev, s.stepIndex);
		this.v.map.render(s.packet ? journeyOnMap(s.packet.steps, s.stepIndex, s.nodes) : null, ev);
		this.v.inspector.render(ev, s.packet, s.explain, this._skbBytes(ev));
		if (s.view === 'timeline') this.v.timeline.render(s.hist, s.windowEvents, ev ? ev.seq : 0, s.range);
		this._updateHash();
		/* what is on screen, for scripts and tests: trace:packet:seq */
		document.body.dataset.at = `${s.traceId}:${s.packet ? s.packet.n : 0}:${ev ? ev.seq : 0}`;
		this._scheduleState();
	}

	/**
	 * The bytes of the skb at ev when the stack made it (a reply, a
	 * fragment, a reassembled datagram): cached; asked once, then the
	 * inspector is drawn again. null while unknown or for the received frame.
	 */
	_skbBytes(ev) {
		const s = this.store;
		if (!ev || !s.packet || s.packetTrace !== s.traceId || ev.skb === null || ev.skb === undefined) return null;
		const rx = s.packet.steps.find((e) => e.skb !== null && e.skb !== undefined);
		if (rx && rx.skb === ev.skb && ev.fn !== 'dev_queue_xmit') return null;	/* a forwarded frame leaves changed */
		const c = this.skbCache || (this.skbCache = new Map());
		const key = `${s.traceId}:${ev.skb}`;
		if (c.has(key)) return c.get(key);
		c.set(key, { pending: true });
		if (c.size > 200) c.delete(c.keys().next().value);
		api.skb(s.traceId, ev.skb).then((b) => b, (e) => ({ error: e.message })).then((b) => {
			c.set(key, b);
			const cur = s.current();
			if (cur && cur.skb === ev.skb && s.traceId === Number(key.split(':')[0])) this.v.inspector.render(cur, s.packet, s.explain, b);
		});
		return c.get(key);
	}

	/**
	 * /state for the step on screen: asked at once when none is on the way,
	 * else once that one is back, for the step shown then (a key held down
	 * keeps one request in flight, not one a step).
	 */
	_scheduleState() {
		if (this.stateBusy) { this.statePending = true; return; }
		this.stateBusy = true;
		this.statePending = false;
		this.loadState().finally(() => {
			this.stateBusy = false;
			if (this.statePending) this._scheduleState();
		});
	}

	async loadState() {
		const s = this.store;
		const ev = s.current();
		if (!ev) { this.v.map.setMoved({}); return this.v.state.render(null, null); }
		if (s.packetTrace !== s.traceId) return;	/* a trace is being opened: its packet comes next */
		const req = ++this.stateReq;
		try {
			/* the packet's own trace: the trace may be switching meanwhile */
			const st = await api.state(s.packet.trace || s.traceId, ev.seq);
			if (req !== this.stateReq) return;
			s.setState(st);
			/* the counters this very step moved: the fold's delta, else the event's own mib */
			const delta = st.counters_delta || (st.seq === ev.seq && ev.mib) || {};
			const lookup = s.packet.steps.slice(0, s.stepIndex + 1).reverse().find((e) => e.fn === 'fib_table_lookup' && e.args) || null;
			this.v.state.render(s.state, delta, lookup);
			this.v.map.setMoved(delta);
		} catch (e) {
			this._error(e);
		}
	}

	/** @param {string} act */
	async step(act) {
		const s = this.store;
		if (act === 'play') return this.togglePlay();
		if (act === 'nextpkt' || act === 'prevpkt') {
			const d = act === 'nextpkt' ? 1 : -1;
			if (d > 0 && s.packet && s.packets.length && s.packets[s.packets.length - 1].n === s.packet.n) await this.loadPackets(false);
			const n = s.neighbourPacket(d);
			if (n > 0) await this.selectPacket(n);
			return;
		}
		if (act === 'drop') return this.nextDrop();
		if (!s.packet) return;
		const i = { fwd: s.stepIndex + 1, back: s.stepIndex - 1, home: 0, end: s.packet.steps.length - 1 }[act];
		if (i === undefined) return;
		s.setStep(i);
		this.render();
	}

	/** @param {number} i a step of the journey */
	stepTo(i) {
		if (!this.store.packet) return;
		this.store.setStep(i);
		this.render();
	}

	stepToSeq(seq) {
		const s = this.store;
		if (!s.packet) return;
		const i = s.packet.steps.findIndex((e) => e.seq === seq);
		if (i < 0) return;
		s.setStep(i);
		this.render();
	}

	togglePlay() {
		const s = this.store;
		s.playing = !s.playing;
		this.v.journey.setPlaying(s.playing);
		clearInterval(this.timers.play);
		if (!s.playing) return;
		this.timers.play = setInterval(() => {
			if (!s.packet || s.stepIndex >= s.packet.steps.length - 1) return this.togglePlay();
			s.setStep(s.stepIndex + 1);
			this.render();
		}, Math.round(700 / s.speed));
	}

	/** Selects the next dropped packet, at its kfree_skb step. */
	async nextDrop() {
		const s = this.store;
		try {
			const cur = s.packet ? s.packet.n : 0;
			let page = await api.packets(s.traceId, { verdict: 'drop', limit: 1000 });
			let hit = page.packets.find((p) => p.n > cur) || page.packets[0];
			if (!hit) return this.v.toolbar.setStatus('No dropped packets in this trace.');
			s.setPacket(await api.packet(s.traceId, hit.n));
			const i = s.packet.steps.findIndex((e) => e.verdict === 'drop');
			s.setStep(i >= 0 ? i : 0);
			this.v.packets.select(hit.n);
			this.render();
			page = null;
			hit = null;
		} catch (e) {
			this._error(e);
		}
	}

	setRange(from, to) {
		this.store.range = { from, to };
		clearTimeout(this.timers.range);
		this.timers.range = setTimeout(() => this.loadTimeline(), 60);
		const ev = this.store.current();
		this.v.timeline.render(this.store.hist, this.store.windowEvents, ev ? ev.seq : 0, this.store.range);
	}

	async loadTimeline() {
		const s = this.store;
		if (!s.traceId || s.range.to <= s.range.from) return;	/* no range yet: the trace is still being opened */
		const { from, to } = s.range, sel = this._histFilters();
		/* zoomed in, one bucket per event: which events belong to kept packets */
		const buckets = to - from <= WINDOW_EVENTS ? to - from : Math.max(10, Math.min(2000, Math.floor((this.v.timeline.$c.clientWidth || 600) / 3)));
		try {
			const hist = await api.histogram(s.traceId, { from, to, buckets, ...sel });
			hist.filtered = !!sel;
			let evs = [];
			if (to - from <= WINDOW_EVENTS) {
				let next = from + 1;
				while (next && next <= to && evs.length < WINDOW_EVENTS) {
					const page = await api.events(s.traceId, { from: next, limit: 1000 });
					evs = evs.concat(page.events.filter((e) => e.seq <= to));
					next = page.next;
				}
			}
			if (s.range.from !== from || s.range.to !== to || JSON.stringify(this._histFilters()) !== JSON.stringify(sel)) return;
			s.hist = hist;
			s.windowEvents = evs;
			const ev = s.current();
			this.v.timeline.render(hist, evs, ev ? ev.seq : 0, s.range);
		} catch (e) {
			this._error(e);
		}
	}

	/** The timeline picked seq: open the packet it belongs to (or the next one's). */
	async jumpTo(seq) {
		const s = this.store;
		try {
			const page = await api.events(s.traceId, { from: seq, limit: 200 });
			const e = page.events.find((x) => x.pkt !== null && x.pkt !== undefined);
			if (!e) return;
			if (s.packet && s.packet.n === e.pkt) this.stepToSeq(e.seq);
			else await this.selectPacket(e.pkt, e.seq);
		} catch (err) {
			this._error(err);
		}
	}

	/** @param {File} file @param {{infer: boolean, host: string, no_csum: boolean}} [opts] */
	async upload(file, opts) {
		this.v.toolbar.setStatus(`Uploading ${file.name}…`);
		try {
			const t = await api.upload(file, opts);
			await this.refreshTraces();
			await this.setTrace(t.id);
			this.v.toolbar.setStatus(`Uploaded ${t.name}: ${t.packets} packets, ${t.events} events.`);
		} catch (e) {
			this._error(e);
		}
	}

	/** Follows the live trace: new events refresh counts, list and timeline once a second. */
	_follow(on) {
		if (this.live) {
			this.live.close();
			this.live = null;
			clearInterval(this.timers.live);
		}
		if (!on || typeof EventSource === 'undefined') return;
		let dirty = false;
		this.live = new EventSource('/api/live');
		this.live.onmessage = () => { dirty = true; };
		this.timers.live = setInterval(async () => {
			if (!dirty) return;
			dirty = false;
			const s = this.store;
			const wasWhole = s.summary && s.range.to === s.summary.events && s.range.from === 0;
			s.summary = await api.summary(s.traceId);
			this.v.toolbar.setSummary(s.summary, s.filters);
			if (wasWhole) s.range = { from: 0, to: s.summary.events };
			const f = s.filters;
			if (!f.verdict && !f.reason && !f.fn && !f.expr) s.packetsTotal = s.summary.packets;
			await this.loadPackets(false);
			this.loadTimeline();
		}, 1000);
	}
}
