// decode.js - protocol headers from a captured frame's bytes, for the
// inspector: Ethernet (+802.1Q/802.1ad), Linux cooked SLL/SLL2, raw IP
// (a tun's), ARP, IPv4, IPv6 (its fixed header), TCP, UDP, ICMP, ICMPv6.
// Never reads past the captured length: a truncated header is reported as
// such, not guessed.

/** A field is [name, value, offset, length]; offset and length are absent where not one run of bytes. */
/** @typedef {{name: string, off: number, len: number, fields: Array<Array<string|number>>}} Header */
/** @typedef {{headers: Header[], l3off: number, l4off: number, proto: number}} Decoded */

const hex2 = (n) => n.toString(16).padStart(2, '0');
const u16 = (b, o) => (b[o] << 8) | b[o + 1];
const u32 = (b, o) => ((b[o] << 24) >>> 0) + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
const mac = (b, o) => Array.from(b.slice(o, o + 6), hex2).join(':');
const ip4 = (b, o) => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;

/** An IPv6 address as RFC 5952 writes it: the longest run of two or more zero groups as "::". */
function ip6(b, o) {
	const g = Array.from({ length: 8 }, (_, i) => u16(b, o + 2 * i));
	let best = -1, run = 1;
	for (let i = 0; i < 8;) {
		let j = i;
		while (j < 8 && !g[j]) j++;
		if (j - i > run) { best = i; run = j - i; }
		i = j > i ? j : i + 1;
	}
	const h = g.map((x) => x.toString(16));
	return best < 0 ? h.join(':') : `${h.slice(0, best).join(':')}::${h.slice(best + run).join(':')}`;
}

/** @param {string} hex @returns {Uint8Array} */
export function hexToBytes(hex) {
	const out = new Uint8Array(hex.length >> 1);
	for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
	return out;
}

const ETHERTYPES = { 0x0800: 'IPv4', 0x0806: 'ARP', 0x86dd: 'IPv6', 0x8100: '802.1Q', 0x88a8: '802.1ad' };
const etName = (t) => `0x${t.toString(16).padStart(4, '0')}${ETHERTYPES[t] ? ` (${ETHERTYPES[t]})` : ''}`;

function ethernet(b, hs) {
	if (b.length < 14) return { off: -1 };
	let off = 12;
	let type = u16(b, off);
	hs.push({ name: 'Ethernet II', off: 0, len: 14, fields: [
		['destination', mac(b, 0), 0, 6], ['source', mac(b, 6), 6, 6], ['type', etName(type), 12, 2]] });
	while ((type === 0x8100 || type === 0x88a8) && off + 6 <= b.length) {
		const tci = u16(b, off + 2);
		hs.push({ name: type === 0x8100 ? '802.1Q VLAN' : '802.1ad VLAN', off: off, len: 4, fields: [
			['priority', String(tci >> 13), off + 2, 1], ['DEI', String((tci >> 12) & 1), off + 2, 1], ['VLAN id', String(tci & 0xfff), off + 2, 2],
			['type', etName(u16(b, off + 4)), off + 4, 2]] });
		off += 4;
		type = u16(b, off);
	}
	return { off: off + 2, type };
}

function linkHeader(b, linktype, hs) {
	switch (linktype) {
	case 1: return ethernet(b, hs);
	case 113:
		if (b.length < 16) return { off: -1 };
		hs.push({ name: 'Linux cooked (SLL)', off: 0, len: 16, fields: [
			['packet type', String(u16(b, 0))], ['address', Array.from(b.slice(6, 6 + Math.min(8, u16(b, 4))), hex2).join(':')],
			['protocol', etName(u16(b, 14))]] });
		return { off: 16, type: u16(b, 14) };
	case 276:
		if (b.length < 20) return { off: -1 };
		hs.push({ name: 'Linux cooked v2 (SLL2)', off: 0, len: 20, fields: [
			['protocol', etName(u16(b, 0))], ['interface', String(u32(b, 4))], ['packet type', String(b[10])]] });
		return { off: 20, type: u16(b, 0) };
	case 12: case 14: case 101: case 228: case 229:	/* raw IP: its version says which */
		return { off: 0, type: b.length && b[0] >> 4 === 6 ? 0x86dd : 0x0800 };
	}
	return { off: -1 };
}

function arp(b, o, hs) {
	if (b.length < o + 28) return;
	const op = u16(b, o + 6);
	hs.push({ name: 'ARP', off: o, len: 28, fields: [
		['operation', op === 1 ? '1 (request)' : op === 2 ? '2 (reply)' : String(op), o + 6, 2],
		['sender MAC', mac(b, o + 8), o + 8, 6], ['sender IP', ip4(b, o + 14), o + 14, 4],
		['target MAC', mac(b, o + 18), o + 18, 6], ['target IP', ip4(b, o + 24), o + 24, 4]] });
}

const PROTOS = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 0: 'hop-by-hop', 43: 'routing', 44: 'fragment', 58: 'ICMPv6', 59: 'none' };

function ipv4(b, o, hs) {
	if (b.length < o + 20) {
		hs.push({ name: 'IPv4 (truncated)', off: o, len: b.length - o, fields: [] });
		return { l4: -1, proto: -1 };
	}
	const ihl = (b[o] & 15) * 4, fo = u16(b, o + 6);
	const flags = [(fo & 0x4000) && 'DF', (fo & 0x2000) && 'MF'].filter(Boolean).join(' ') || 'none';
	hs.push({ name: 'IPv4', off: o, len: Math.max(20, Math.min(ihl, b.length - o)), fields: [
		['version', String(b[o] >> 4), o, 1], ['header length', `${ihl} bytes (ihl ${b[o] & 15})`, o, 1],
		['TOS', `0x${hex2(b[o + 1])}`, o + 1, 1], ['total length', String(u16(b, o + 2)), o + 2, 2],
		['id', `0x${u16(b, o + 4).toString(16).padStart(4, '0')}`, o + 4, 2], ['flags', flags, o + 6, 1],
		['fragment offset', `${(fo & 0x1fff) * 8} bytes`, o + 6, 2], ['TTL', String(b[o + 8]), o + 8, 1],
		['protocol', `${b[o + 9]}${PROTOS[b[o + 9]] ? ` (${PROTOS[b[o + 9]]})` : ''}`, o + 9, 1],
		['checksum', `0x${u16(b, o + 10).toString(16).padStart(4, '0')}`, o + 10, 2],
		['source', ip4(b, o + 12), o + 12, 4], ['destination', ip4(b, o + 16), o + 16, 4]] });
	const first = (fo & 0x1fff) === 0;
	return { l4: first && ihl >= 20 ? o + ihl : -1, proto: b[o + 9] };
}

/** The fixed IPv6 header; its upper layer follows at once unless an extension header comes first. */
function ipv6(b, o, hs) {
	if (b.length < o + 40) {
		hs.push({ name: 'IPv6 (truncated)', off: o, len: b.length - o, fields: [] });
		return { l4: -1, proto: -1 };
	}
	const nh = b[o + 6];
	hs.push({ name: 'IPv6', off: o, len: 40, fields: [
		['version', String(b[o] >> 4), o, 1], ['traffic class', `0x${hex2(((b[o] & 15) << 4) | (b[o + 1] >> 4))}`, o, 2],
		['flow label', `0x${(((b[o + 1] & 15) << 16) | u16(b, o + 2)).toString(16).padStart(5, '0')}`, o + 1, 3],
		['payload length', String(u16(b, o + 4)), o + 4, 2],
		['next header', `${nh}${PROTOS[nh] ? ` (${PROTOS[nh]})` : ''}`, o + 6, 1], ['hop limit', String(b[o + 7]), o + 7, 1],
		['source', ip6(b, o + 8), o + 8, 16], ['destination', ip6(b, o + 24), o + 24, 16]] });
	return { l4: o + 40, proto: nh };
}

function tcp(b, o, hs) {
	if (b.length < o + 20) return;
	const doff = (b[o + 12] >> 4) * 4, fl = b[o + 13];
	const names = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'].filter((_, i) => fl & (1 << i));
	hs.push({ name: 'TCP', off: o, len: Math.min(Math.max(20, doff), b.length - o), fields: [
		['source port', String(u16(b, o)), o, 2], ['destination port', String(u16(b, o + 2)), o + 2, 2],
		['sequence', String(u32(b, o + 4)), o + 4, 4], ['acknowledgment', String(u32(b, o + 8)), o + 8, 4],
		['header length', `${doff} bytes`, o + 12, 1], ['flags', names.join(' ') || 'none', o + 13, 1],
		['window', String(u16(b, o + 14)), o + 14, 2], ['checksum', `0x${u16(b, o + 16).toString(16).padStart(4, '0')}`, o + 16, 2]] });
}

function udp(b, o, hs) {
	if (b.length < o + 8) return;
	hs.push({ name: 'UDP', off: o, len: 8, fields: [
		['source port', String(u16(b, o)), o, 2], ['destination port', String(u16(b, o + 2)), o + 2, 2],
		['length', String(u16(b, o + 4)), o + 4, 2], ['checksum', `0x${u16(b, o + 6).toString(16).padStart(4, '0')}`, o + 6, 2]] });
}

const ICMP_TYPES = { 0: 'echo reply', 3: 'destination unreachable', 8: 'echo request', 11: 'time exceeded' };

function icmp(b, o, hs) {
	if (b.length < o + 8) return;
	const t = b[o];
	const f = [['type', `${t}${ICMP_TYPES[t] ? ` (${ICMP_TYPES[t]})` : ''}`, o, 1], ['code', String(b[o + 1]), o + 1, 1],
		['checksum', `0x${u16(b, o + 2).toString(16).padStart(4, '0')}`, o + 2, 2]];
	if (t === 0 || t === 8) f.push(['id', String(u16(b, o + 4)), o + 4, 2], ['sequence', String(u16(b, o + 6)), o + 6, 2]);
	hs.push({ name: 'ICMP', off: o, len: 8, fields: f });
}

/**
 * decodeFrame - the headers of a frame.
 * @param {Uint8Array} b @param {number} linktype @returns {Decoded}
 */
const ICMP6_TYPES = { 1: 'destination unreachable', 2: 'packet too big', 3: 'time exceeded', 4: 'parameter problem',
	128: 'echo request', 129: 'echo reply', 133: 'router solicitation', 134: 'router advertisement',
	135: 'neighbour solicitation', 136: 'neighbour advertisement' };

function icmp6(b, o, hs) {
	if (b.length < o + 8) return;
	const t = b[o];
	const f = [['type', `${t}${ICMP6_TYPES[t] ? ` (${ICMP6_TYPES[t]})` : ''}`, o, 1], ['code', String(b[o + 1]), o + 1, 1],
		['checksum', `0x${u16(b, o + 2).toString(16).padStart(4, '0')}`, o + 2, 2]];
	if (t === 128 || t === 129) f.push(['id', String(u16(b, o + 4)), o + 4, 2], ['sequence', String(u16(b, o + 6)), o + 6, 2]);
	if (t === 2) f.push(['MTU', String(u32(b, o + 4)), o + 4, 4]);
	hs.push({ name: 'ICMPv6', off: o, len: 8, fields: f });
}

export function decodeFrame(b, linktype) {
	/** @type {Header[]} */
	const hs = [];
	const link = linkHeader(b, linktype, hs);
	const out = { headers: hs, l3off: link.off, l4off: -1, proto: -1 };
	if (link.off < 0) return out;
	if (link.type === 0x0806) arp(b, link.off, hs);
	if (link.type !== 0x0800 && link.type !== 0x86dd) return out;
	const ip = link.type === 0x0800 ? ipv4(b, link.off, hs) : ipv6(b, link.off, hs);
	out.l4off = ip.l4;
	out.proto = ip.proto;
	if (ip.l4 < 0) return out;
	if (ip.proto === 6) tcp(b, ip.l4, hs);
	else if (ip.proto === 17) udp(b, ip.l4, hs);
	else if (ip.proto === 1 && link.type === 0x0800) icmp(b, ip.l4, hs);
	else if (ip.proto === 58 && link.type === 0x86dd) icmp6(b, ip.l4, hs);
	return out;
}
