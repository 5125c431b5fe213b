// controller.js - the only place where state changes: each method asks the
// API, updates the store, then tells the views what to render.
import { api } from './api.js';

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
	 * @param {{toolbar: any, packets: any, journey: any, inspector: any, timeline: any, state: any, lessons: any}} views
	 */
	constructor(store, views) {
		this.store = store;
		this.v = views;
		this.loadingMore = false;
		this.stateReq = 0;
		this.timers = {};
		this.live = null;
		const v = views;
		v.toolbar.bindTrace((id) => this.setTrace(id));
		v.toolbar.bindUpload((f) => this.upload(f));
		v.toolbar.bindFilters((f) => this.setFilters(f));
		v.packets.bindSelect((n) => this.selectPacket(n));
		v.packets.bindMore(() => this.loadPackets(false));
		v.journey.bindStep((a) => this.step(a));
		v.journey.bindRow((seq) => this.stepToSeq(seq));
		v.timeline.bind((from, to) => this.setRange(from, to), (seq) => this.jumpTo(seq),
			() => ({ ...this.store.range, total: this.store.summary ? this.store.summary.events : 0 }));
	}

	async init() {
		this.store.explain = await api.explain();
		const list = await this.refreshTraces();
		const h = this._parseHash();
		window.addEventListener('hashchange', () => this.fromHash());
		if (h.lessons || h.lesson) return this.fromHash();
		const id = h.trace || this.store.liveId || (list.traces[0] && list.traces[0].id) || 0;
		if (id) await this.setTrace(id, h.pkt, h.seq);
		else this.v.toolbar.setStatus('No traces yet: upload a capture.');
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
		return { trace: num('trace'), pkt: num('pkt'), seq: num('seq'), lesson: num('lesson'), lessons: p.has('lessons') };
	}

	async fromHash() {
		const h = this._parseHash();
		const s = this.store;
		this.v.lessons.setPage(h.lessons ? 'lessons' : 'timeline');
		if (h.lessons) return this.showLessons();
		if (h.lesson && h.lesson !== s.lessonN) {
			const o = await this.openLesson(h.lesson);
			if (o && !h.trace) {
				const l = o.links.find((x) => x.seq) || { pkt: 0, seq: 0 };
				return this.setTrace(o.trace, l.pkt, l.seq);
			}
		} else if (!h.lesson && s.lessonN) this.closeLesson();
		if (!h.trace && !s.traceId && s.traces.length) return this.setTrace(s.liveId || s.traces[0].id);
		if (h.trace && h.trace !== s.traceId) return this.setTrace(h.trace, h.pkt, h.seq);
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
		clearTimeout(this.timers.state);	/* a pending state request is for the old trace's step */
		this.stateReq++;
		s.traceId = id;
		try {
			/* the summary decodes every frame (flows): list packets meanwhile */
			const [sum] = await Promise.all([api.summary(id), this.loadPackets(true)]);
			s.summary = sum;
		} catch (e) {
			s.traceId = prev;
			return this._error(e);
		}
		s.setPacket(null);
		s.state = s.prevState = null;
		this.v.toolbar.setTraces(s.traces, id, s.liveId);
		this.v.toolbar.setSummary(s.summary, s.filters);
		this.v.toolbar.setStatus('');
		s.range = { from: 0, to: s.summary.events };
		this.loadTimeline();
		this._follow(id === s.liveId);
		const first = pkt || (s.packets[0] && s.packets[0].n);
		if (first) await this.selectPacket(first, seq || undefined);
		else this.render();
	}

	async loadPackets(reset) {
		const s = this.store;
		if (!s.traceId || this.loadingMore || (!reset && s.packets.length >= s.packetsTotal)) return;
		this.loadingMore = true;
		const f = s.filters;
		try {
			const page = await api.packets(s.traceId, { offset: reset ? 0 : s.packets.length, limit: PAGE,
				verdict: f.verdict, reason: f.reason, fn: f.fn, filter: f.expr });
			s.packets = reset ? page.packets : s.packets.concat(page.packets);
			s.packetsTotal = page.total;
			if (reset) this.v.toolbar.setStatus('');
		} catch (e) {
			this._error(e);
		} finally {
			this.loadingMore = false;
		}
		this.v.packets.render(s.packets, s.packet ? s.packet.n : 0, s.packetsTotal, this._t0());
	}

	_t0() {
		const s = this.store;
		return s.packets.length ? s.packets[0].ts : '0.0';
	}

	async setFilters(f) {
		this.store.filters = f;
		this.v.toolbar.setFilters(f);
		await this.loadPackets(true);
	}

	/** @param {number} n @param {number} [seq] */
	async selectPacket(n, seq) {
		const s = this.store;
		try {
			s.setPacket(await api.packet(s.traceId, n), seq);
		} catch (e) {
			return this._error(e);
		}
		this.v.packets.select(n);
		this.render();
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
	}

	render() {
		const s = this.store;
		if (s.lesson) this.v.lessons.onStep(this);	/* classroom: may hold the step at a prediction */
		const ev = s.current();
		this.v.journey.render(s.packet, s.rows, s.currentRow(), ev, s.stepIndex);
		this.v.inspector.render(ev, s.packet, s.explain);
		this.v.timeline.render(s.hist, s.windowEvents, ev ? ev.seq : 0, s.range);
		this._updateHash();
		this._scheduleState();
	}

	_scheduleState() {
		clearTimeout(this.timers.state);
		this.timers.state = setTimeout(() => this.loadState(), 120);
	}

	async loadState() {
		const s = this.store;
		const ev = s.current();
		if (!ev) return this.v.state.render(null, null);
		const req = ++this.stateReq;
		try {
			const st = await api.state(s.traceId, ev.seq);
			if (req !== this.stateReq) return;
			s.setState(st);
			this.v.state.render(s.state, s.prevState);
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
		}, 450);
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
		if (!s.traceId) return;
		const { from, to } = s.range;
		const buckets = Math.max(10, Math.min(2000, Math.floor(this.v.timeline.$c.clientWidth / 3)));
		try {
			const hist = await api.histogram(s.traceId, { from, to, buckets });
			let evs = [];
			if (to - from <= WINDOW_EVENTS) {
				let next = from + 1;
				while (next && next <= to && evs.length < WINDOW_EVENTS) {
					const page = await api.events(s.traceId, { from: next, limit: 1000 });
					evs = evs.concat(page.events.filter((e) => e.seq <= to));
					next = page.next;
				}
			}
			if (s.range.from !== from || s.range.to !== to) return;
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

	/** @param {File} file */
	async upload(file) {
		this.v.toolbar.setStatus(`Uploading ${file.name}…`);
		try {
			const t = await api.upload(file);
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
