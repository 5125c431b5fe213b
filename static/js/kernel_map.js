// kernel_map.js - the receive path as one fixed map (the same for every
// packet) and where a journey's events fall on it. Data only, no DOM:
// NODES place each stage on a grid, EDGES are the arrows drawn, and
// nodeOf() maps an event to a stage by its function's name (an exact
// table, then name prefixes, then its layer), so new functions such as
// IPv6's land in their lane without code changes.
import './types.js';

/**
 * @typedef {{id: string, label: string, sub?: string, row: number, col: number, kind?: string, lane: string}} MapNode
 */

/** The stages, on a grid of rows × 6 columns (row 0 = ingress; rows 5-6 = IPv6). */
export const NODES = [
	{ id: 'driver', label: 'driver', sub: 'driver_rx', row: 0, col: 0, lane: 'link' },
	{ id: 'eth', label: 'eth_type_trans', row: 0, col: 1, lane: 'link' },
	{ id: 'backlog', label: 'netif_rx', sub: 'backlog', row: 0, col: 2, lane: 'core' },
	{ id: 'softirq', label: 'softirq', sub: 'process_backlog', row: 0, col: 3, lane: 'core' },
	{ id: 'netif_rcv', label: '__netif_receive_skb', row: 0, col: 4, lane: 'core' },
	{ id: 'taps', label: 'packet taps', sub: 'BPF', row: 0, col: 5, lane: 'packet' },
	{ id: 'ip_rcv', label: 'ip_rcv', sub: 'header checks', row: 1, col: 0, lane: 'ip' },
	{ id: 'pre', label: 'PRE_ROUTING', row: 1, col: 1, kind: 'hook', lane: 'netfilter' },
	{ id: 'route', label: 'routing decision', sub: 'ip_rcv_finish', row: 1, col: 2, lane: 'route' },
	{ id: 'arp', label: 'arp_rcv', row: 1, col: 4, lane: 'arp' },
	{ id: 'local_deliver', label: 'ip_local_deliver', row: 2, col: 0, lane: 'ip' },
	{ id: 'defrag', label: 'ip_defrag', sub: 'reassembly', row: 2, col: 1, lane: 'frag' },
	{ id: 'local_in', label: 'LOCAL_IN', row: 2, col: 2, kind: 'hook', lane: 'netfilter' },
	{ id: 'l4', label: 'tcp · udp · icmp', sub: 'ip_local_deliver_finish', row: 2, col: 3, lane: 'l4', kind: 'l4' },
	{ id: 'socket', label: 'socket', row: 2, col: 4, lane: 'app' },
	{ id: 'forward', label: 'ip_forward', row: 3, col: 0, lane: 'ip' },
	{ id: 'fwd_hook', label: 'FORWARD', row: 3, col: 1, kind: 'hook', lane: 'netfilter' },
	{ id: 'ip_output', label: 'ip_output', row: 3, col: 2, lane: 'ip' },
	{ id: 'post', label: 'POST_ROUTING', row: 3, col: 3, kind: 'hook', lane: 'netfilter' },
	{ id: 'finish_output', label: 'ip_finish_output', sub: 'ip_fragment', row: 3, col: 4, lane: 'ip' },
	{ id: 'local_out', label: 'ip_local_out', sub: 'the host sends', row: 4, col: 0, lane: 'ip' },
	{ id: 'out_hook', label: 'LOCAL_OUT', row: 4, col: 1, kind: 'hook', lane: 'netfilter' },
	{ id: 'neigh', label: 'neighbour', sub: 'ip_finish_output2', row: 4, col: 3, lane: 'arp' },
	{ id: 'xmit', label: 'dev_queue_xmit', row: 4, col: 4, lane: 'link' },
	/* IPv6, a band of its own under IPv4, stage for stage */
	{ id: 'ip6_rcv', label: 'ipv6_rcv', sub: 'IPv6', row: 5, col: 0, lane: 'ipv6' },
	{ id: 'ip6_core', label: 'ip6_rcv_core', sub: 'header checks', row: 5, col: 1, lane: 'ipv6' },
	{ id: 'ip6_route', label: 'ip6_route_input', sub: 'routing decision', row: 5, col: 2, lane: 'ipv6' },
	{ id: 'ip6_local', label: 'ip6_input', sub: 'ip6_protocol_deliver_rcu', row: 5, col: 3, lane: 'ipv6' },
	{ id: 'ip6_frag', label: 'ipv6_frag_rcv', sub: 'reassembly', row: 5, col: 4, lane: 'ipv6' },
	{ id: 'ip6_icmp', label: 'icmpv6_rcv', sub: 'ndisc_rcv', row: 5, col: 5, lane: 'ipv6', kind: 'l4' },
	{ id: 'ip6_fwd', label: 'ip6_forward', row: 6, col: 2, lane: 'ipv6' },
	{ id: 'ip6_l4', label: 'tcp_v6_rcv · udpv6_rcv', row: 6, col: 3, lane: 'ipv6', kind: 'l4' },
	{ id: 'ip6_out', label: 'ip6_output', sub: 'the host sends', row: 6, col: 4, lane: 'ipv6' },
];

/** The arrows of the map: [from, to]. */
export const EDGES = [
	['driver', 'eth'], ['eth', 'backlog'], ['backlog', 'softirq'], ['softirq', 'netif_rcv'], ['netif_rcv', 'taps'],
	['netif_rcv', 'ip_rcv'], ['netif_rcv', 'arp'], ['netif_rcv', 'ip6_rcv'],
	['ip_rcv', 'pre'], ['pre', 'route'], ['route', 'local_deliver'], ['route', 'forward'],
	['local_deliver', 'defrag'], ['defrag', 'local_in'], ['local_deliver', 'local_in'], ['local_in', 'l4'], ['l4', 'socket'],
	['forward', 'fwd_hook'], ['fwd_hook', 'ip_output'], ['ip_output', 'post'], ['post', 'finish_output'],
	['finish_output', 'neigh'], ['neigh', 'xmit'], ['l4', 'local_out'], ['local_out', 'out_hook'], ['out_hook', 'ip_output'],
	['arp', 'neigh'],
	['ip6_rcv', 'ip6_core'], ['ip6_core', 'ip6_route'], ['ip6_route', 'ip6_local'], ['ip6_route', 'ip6_fwd'],
	['ip6_local', 'ip6_frag'], ['ip6_local', 'ip6_icmp'], ['ip6_local', 'ip6_l4'], ['ip6_frag', 'ip6_icmp'], ['ip6_frag', 'ip6_l4'],
	['ip6_icmp', 'ip6_out'], ['ip6_l4', 'ip6_out'], ['ip6_fwd', 'ip6_out'], ['ip6_out', 'neigh'],
];

/** Exact function names. */
const BY_FN = {
	driver_rx: 'driver', tun_get_user: 'driver', eth_type_trans: 'eth', netif_rx: 'backlog', enqueue_to_backlog: 'backlog',
	netif_receive_skb: 'netif_rcv',
	net_rx_action: 'softirq', process_backlog: 'softirq', __netif_receive_skb: 'netif_rcv',
	__netif_receive_skb_core: 'netif_rcv', ip_rcv: 'ip_rcv', ip_rcv_core: 'ip_rcv', ip_rcv_finish: 'route',
	ip_route_input_noref: 'route', ip_route_input_slow: 'route', ip_error: 'route',
	ip_local_deliver: 'local_deliver', ip_local_deliver_finish: 'l4', ip_protocol_deliver_rcu: 'l4',
	ip_forward: 'forward', ip_forward_finish: 'forward', ip_output: 'ip_output', ip_finish_output: 'finish_output',
	ip_fragment: 'finish_output', ip_do_fragment: 'finish_output', ip_finish_output2: 'neigh',
	dev_queue_xmit: 'xmit', ip_local_out: 'local_out', __ip_local_out: 'local_out', ip_queue_xmit: 'local_out',
	ip_send_skb: 'local_out', ip_build_and_send_pkt: 'local_out', arp_rcv: 'arp', arp_process: 'arp',
	ipv6_rcv: 'ip6_rcv', ip6_rcv_core: 'ip6_core', ip6_rcv_finish: 'ip6_route', ip6_input: 'ip6_local',
	ip6_input_finish: 'ip6_local', ip6_protocol_deliver_rcu: 'ip6_local', ip6_mc_input: 'ip6_local',
	ipv6_chk_mcast_addr: 'ip6_local', ip6_forward: 'ip6_fwd', ip6_forward_finish: 'ip6_fwd', ip6_pkt_too_big: 'ip6_fwd',
	ip6_output: 'ip6_out', ip6_finish_output: 'ip6_out', ip6_fragment: 'ip6_out', ip6_local_out: 'ip6_out',
	ip6_xmit: 'ip6_out', ip6_finish_output2: 'neigh', icmp6_send: 'ip6_icmp', __inet6_lookup_skb: 'ip6_l4',
};

/** Name prefixes, tried in order after the table. */
const BY_PREFIX = [
	['ip6_route', 'ip6_route'], ['fib6', 'ip6_route'], ['ip6_pkt_', 'ip6_route'], ['ip6_frag', 'ip6_frag'],
	['ipv6_frag', 'ip6_frag'], ['ipv6_parse', 'ip6_core'], ['ipv6_hop', 'ip6_core'], ['ip6_parse', 'ip6_core'],
	['ip6_tlv', 'ip6_core'], ['ipv6_', 'ip6_rcv'], ['icmpv6', 'ip6_icmp'], ['icmp6', 'ip6_icmp'], ['ndisc', 'ip6_icmp'],
	['udpv6', 'ip6_l4'], ['udp6', 'ip6_l4'], ['__udp6', 'ip6_l4'], ['tcp_v6', 'ip6_l4'], ['inet6', 'ip6_l4'],
	['ip6_', 'ip6_local'],
	['ip_frag', 'defrag'], ['inet_frag', 'defrag'], ['ip_defrag', 'defrag'], ['ip_expire', 'defrag'],
	['neigh_', 'neigh'], ['arp_', 'arp'], ['packet_', 'taps'], ['tpacket', 'taps'], ['bpf', 'taps'], ['sk_filter', 'taps'],
	['sock_', 'socket'], ['sk_', 'socket'], ['tcp_', 'l4'], ['udp_', 'l4'], ['icmp_', 'l4'], ['fib_', 'route'],
	['ip_route', 'route'], ['vlan', 'netif_rcv'],
];

/** A layer's stage when nothing else matched. */
const BY_LAYER = {
	driver: 'driver', link: 'eth', core: 'netif_rcv', ip: 'ip_rcv', route: 'route', frag: 'defrag',
	tcp: 'l4', udp: 'l4', icmp: 'l4', app: 'socket', arp: 'arp', packet: 'taps', bpf: 'taps', ipv6: 'ip6_rcv',
};

/** Netfilter hooks: by the event's args.hook, else by the function that ran it. */
const HOOKS = { PRE_ROUTING: 'pre', LOCAL_IN: 'local_in', FORWARD: 'fwd_hook', LOCAL_OUT: 'out_hook', POST_ROUTING: 'post' };
const HOOK_CALLER = { ip_rcv: 'pre', ip_local_deliver: 'local_in', ip_forward: 'fwd_hook', ip_local_out: 'out_hook',
	__ip_local_out: 'out_hook', ip_output: 'post' };

/** @param {string} fn @returns {string} the stage of a function by name, '' if unknown */
export function nodeOfFn(fn) {
	if (BY_FN[fn]) return BY_FN[fn];
	for (const [p, id] of BY_PREFIX) if (fn.startsWith(p)) return id;
	return '';
}

/**
 * The stage each step of a journey stands on. An `i` step is shown where
 * its enclosing call is (a kfree_skb inside ip_rcv_core is ip_rcv's), an
 * `E` where its `B` was; netfilter hooks by their hook.
 * @param {TraceEvent[]} steps @returns {string[]} one node id per step
 */
export function stepNodes(steps) {
	/** @type {Map<number, {node: string, fn: string}>} */
	const open = new Map();
	return steps.map((e) => {
		const par = e.parent !== null && e.parent !== undefined ? open.get(e.parent) : undefined;
		let node;
		if (e.fn === 'nf_hook' || e.layer === 'netfilter') {
			const h = e.args && typeof e.args.hook === 'string' ? e.args.hook.replace(/^NF_INET_/, '') : '';
			/* IPv6's hooks stand on the IPv6 stage that runs them (the map draws IPv4's) */
			node = par && par.node.startsWith('ip6_') ? par.node : HOOKS[h] || (par && HOOK_CALLER[par.fn]) || (par ? par.node : 'pre');
		} else if (e.ph === 'E') node = open.has(e.parent) ? open.get(e.parent).node : nodeOfFn(e.fn) || BY_LAYER[e.layer] || 'netif_rcv';
		else if (e.ph === 'i' && par) node = par.node;
		else node = nodeOfFn(e.fn) || (par ? par.node : '') || BY_LAYER[e.layer] || 'netif_rcv';
		if (e.ph === 'B') open.set(e.seq, { node, fn: e.fn });
		return node;
	});
}

/**
 * @typedef {Object} MapToken
 * @property {number} skb @property {string} node @property {string} kind rx|reasm|out|frag|copy
 * @property {number|null} origin skb it came from @property {number[]} from fragments it was rebuilt from
 * @property {boolean} gone freed or sent by this step
 */

/**
 * @typedef {Object} MapJourney
 * @property {string[]} nodes per step
 * @property {Set<string>} done stages reached up to the current step
 * @property {Set<string>} edges "a>b" arrows taken up to the current step
 * @property {string} current the stage of the current step
 * @property {MapToken[]} tokens one per skb seen so far
 * @property {{node: string, reason: string, check: string, seq: number}|null} drop
 * @property {Object<string, {verdict: string, rules: Array<{rule: string, matched: boolean}>, seq: number}>} hooks
 */

function kindOf(e, node, origin) {
	if (e.from && e.from.length) return 'reasm';
	if (origin === null) return 'rx';
	if (e.fn === 'ip_do_fragment' || e.fn === 'ip_fragment') return 'frag';
	if (['local_out', 'out_hook', 'ip_output', 'post', 'finish_output', 'neigh', 'xmit', 'l4', 'ip6_icmp', 'ip6_l4', 'ip6_out'].includes(node)) return 'out';
	return 'copy';
}

/**
 * journeyOnMap - what the map shows at step idx of a journey.
 * @param {TraceEvent[]} steps @param {number} idx @param {string[]} [nodes] stepNodes(steps), if known
 * @returns {MapJourney}
 */
export function journeyOnMap(steps, idx, nodes = stepNodes(steps)) {
	const done = new Set(), edges = new Set(), hooks = {};
	/** @type {Map<number, MapToken>} */
	const tokens = new Map();
	const bySeq = new Map();
	let last = '', drop = null, current = nodes[idx] || '';
	for (let i = 0; i <= idx && i < steps.length; i++) {
		const e = steps[i], node = nodes[i];
		bySeq.set(e.seq, e);
		done.add(node);
		if (e.ph !== 'E') {
			/* the softirq's own events belong to no packet: a frame that left
			 * the backlog for __netif_receive_skb went through it */
			if (last === 'backlog' && node === 'netif_rcv') {
				done.add('softirq');
				edges.add('backlog>softirq');
				last = 'softirq';
			}
			if (last && last !== node) edges.add(`${last}>${node}`);
			last = node;
		}
		if (e.skb !== null && e.skb !== undefined) {
			const t = tokens.get(e.skb);
			if (!t) {
				const par = bySeq.get(e.parent);
				const origin = par && par.skb !== null && par.skb !== undefined && par.skb !== e.skb ? par.skb : (tokens.size ? [...tokens.keys()].pop() : null);
				tokens.set(e.skb, { skb: e.skb, node, kind: kindOf(e, node, tokens.size ? origin : null), origin: tokens.size ? origin : null, from: e.from || [], gone: false });
			} else if (e.ph !== 'E') t.node = node;
			const tk = tokens.get(e.skb);
			if (e.verdict === 'drop' || (e.fn === 'dev_queue_xmit' && e.ph === 'E')) tk.gone = true;
		}
		if ((e.fn === 'nf_hook' || e.layer === 'netfilter') && e.args && (e.args.verdict || e.args.rules)) {
			hooks[node] = { verdict: String(e.args.verdict || ''), rules: Array.isArray(e.args.rules) ? e.args.rules : [], seq: e.seq };
		}
		if (!drop && e.ph === 'i' && e.verdict === 'drop') drop = { node, reason: e.reason || 'drop', check: failedCheck(steps, i), seq: e.seq };
	}
	if (steps[idx] && steps[idx].ph === 'E' && last) current = last;
	return { nodes, done, edges, current, tokens: [...tokens.values()], drop, hooks };
}

/**
 * The sentence of the check that failed: the step just before the
 * kfree_skb inside the same call, which states the values compared.
 * @param {TraceEvent[]} steps @param {number} i index of the kfree_skb step
 */
export function failedCheck(steps, i) {
	const k = steps[i];
	for (let j = i - 1; j >= 0; j--) {
		const e = steps[j];
		if (e.parent !== k.parent) break;
		if (e.ph === 'i' && e.msg) return e.msg;
	}
	return k.msg && !/^kfree_skb/.test(k.msg) ? k.msg : '';
}
