// types.js - JSDoc typedefs of the JSON API (web/api*.c). Types only.

/**
 * @typedef {Object} TraceBrief
 * @property {number} id
 * @property {string} name
 * @property {number} packets
 * @property {number} events
 * @property {boolean} live
 * @property {boolean} complete
 * @property {string} [state] "opening" while the server replays the capture, else "open"
 * @property {{packets: number, events: number, fraction: number, done: boolean}} [progress]
 */

/**
 * @typedef {Object} Flow
 * @property {string} proto @property {string} src @property {number} sport
 * @property {string} dst @property {number} dport @property {number} packets
 */

/**
 * @typedef {TraceBrief & {
 *   source: string, kernel: string, error?: string,
 *   counters: Object<string, number>,
 *   flows: {list: Flow[], other_packets: number, truncated: boolean},
 *   verdicts: Object<string, number>,
 *   drops: Array<{reason: string, packets: number}>,
 *   scenario: Object|null
 * }} TraceSummary
 */

/**
 * @typedef {Object} PacketRow
 * @property {number} n          capture packet number
 * @property {string} ts         "seconds.nanoseconds"
 * @property {string} summary
 * @property {string} verdict    final outcome ("none" when the journey did not end)
 * @property {string|null} reason drop reason
 * @property {number} len
 * @property {number} events
 * @property {number} first_seq
 */

/**
 * @typedef {Object} SkbState
 * @property {number} len @property {number} data @property {number} nh @property {number} th
 * @property {string} pkt_type @property {string} protocol @property {number} ifindex
 */

/**
 * One trace event (schema v1, docs/design.md §5).
 * @typedef {Object} TraceEvent
 * @property {number} seq @property {number|null} parent @property {number} depth
 * @property {'B'|'E'|'i'} ph @property {string} fn @property {string} layer
 * @property {number|null} pkt @property {number|null} skb @property {number} ts_ns
 * @property {SkbState} [skb_state] @property {string} [msg] @property {Object} [args]
 * @property {string} [verdict] @property {string|null} [reason]
 * @property {Object<string, number>} [mib] @property {number[]} [from]
 */

/**
 * A call-tree node: a B event (with its E merged: end, verdict) or an i event.
 * @typedef {Object} TreeNode
 * @property {number} seq @property {string} fn @property {string} layer @property {'B'|'i'} ph
 * @property {number} [end] @property {string} [verdict] @property {string} [reason]
 * @property {TreeNode[]} [children] @property {string[]} [via]
 */

/**
 * @typedef {PacketRow & {linktype: number, caplen: number, frame: string,
 *   truncated: boolean, steps: TraceEvent[], tree: TreeNode[]}} PacketDetail
 */

/**
 * @typedef {Object} Histogram
 * @property {number} total @property {number} from @property {number} to
 * @property {number[]} n @property {number[]} drops @property {number[]} seq
 * @property {number[]} layer  name ids (see names), -1 for an empty bucket
 * @property {string[]} names
 * @property {number[]} [kept] with the filters: events of the packets they keep, per bucket
 * @property {number[]} [kept_drops] their drop instants @property {number} [kept_packets] those packets
 * @property {boolean} [filtered] asked with the filters (set by the controller)
 */

/**
 * The host at event seq (/state). The one fold answers counters_delta,
 * frags, frags_ended, sockets (with TCP fields), neighbours, routes, pmtu, rules,
 * packet_sockets, skbs and limits; older servers answer frag_queues and
 * the scenario's config instead. Every field may be absent.
 * @typedef {Object} StateSnapshot
 * @property {number} seq @property {number} [index] @property {number} [ts_ns]
 * @property {Object<string, number>} counters totals up to and including seq
 * @property {Object<string, number>} [counters_delta] moved by event seq itself
 * @property {Array<{key: string, have: number[][], meat: number, len: number|null, flags: string[], nfrags: number, mem: number, arrivals?: number[][]}>} [frags]
 * @property {Array<{key: string, why: string, seq: number}>} [frags_ended]
 * @property {Array<Object>} [frag_queues] older servers
 * @property {Array<Object>} [sockets]
 * @property {Array<{ip: string, mac: string, dev: string, nud: string}>} [neighbours]
 * @property {Array<{table: string, type: string, dst: string, via: string|null, dev: string, matched?: boolean}>} [routes]
 * @property {Array<{daddr: string, mtu: number, locked: boolean, expires_in_s: number}>} [pmtu] path MTUs learned (route exceptions)
 * @property {Array<{hook: string, index: number, verdict: string, hits: number}>} [rules]
 * @property {Object} [config] older servers: interfaces, routes, neighbours, netfilter, listen…
 */

/**
 * static/explain.json
 * @typedef {{version: number, functions: Object<string, {file: string, summary: string, checks?: string[]}>}} Explain
 */

export {};
