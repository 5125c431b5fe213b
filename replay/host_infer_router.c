/*
 * host_infer_router.c - a capture taken on a router (see host_infer.h): a
 * pcapng with several interfaces whose direction flags show what each
 * sent. Each interface's MAC is the source of its outbound frames, its
 * address the sender of its outbound ARP (else the source it used most);
 * the host forwards; the default route goes where its outbound frames
 * reached the most destinations; the neighbours are the senders of the
 * inbound frames on each link.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "host_infer_int.h"
#include "ip.h"
#include "source_pcap.h"

struct rt_neigh { uint32_t ip; uint8_t mac[6]; int ifc; };
struct rt_hop { uint8_t mac[6]; int ifc; uint32_t dst[64]; int ndst; };

struct rt_state {
	struct rt_neigh neigh[HI_NEIGH];
	int nneigh;
	struct rt_hop hop[32];
	int nhop;
};

static uint32_t ifc_addr(const struct hi_ifc *c)
{
	uint32_t best = c->arp_ip;
	uint64_t most = 0;
	for (int i = 0; i < c->nsrc && !best; i++)
		if (c->src_n[i] > most) {
			most = c->src_n[i];
			best = c->src[i];
		}
	return best;
}

void hi_router_frame(struct hi_state *s, int iface, int dir, const struct frame_l2 *l2, const uint8_t *p, size_t n,
		     const uint8_t *ip)
{
	int i = iface < HI_IFACES ? iface : HI_IFACES - 1;
	struct hi_ifc *c = &s->ifc[i];
	if (!c->frames++ && i + 1 > s->nifc)
		s->nifc = i + 1;
	if (dir != 2)
		return;
	c->out++;
	if (l2->src && l2->src_len == 6 && !c->have_mac && !(l2->src[0] & 1)) {
		c->have_mac = 1;
		memcpy(c->mac, l2->src, 6);
	}
	if (l2->proto == 0x0806 && l2->l3_off + 28 <= n && !c->arp_ip)
		memcpy(&c->arp_ip, p + l2->l3_off + 14, 4);
	uint32_t sa;
	if (!ip)
		return;
	memcpy(&sa, ip + 12, 4);
	for (int k = 0; k < c->nsrc; k++)
		if (c->src[k] == sa) {
			c->src_n[k]++;
			return;
		}
	if (c->nsrc < 8) {
		c->src[c->nsrc] = sa;
		c->src_n[c->nsrc++] = 1;
	}
}

/* Two or more interfaces, each sending frames of its own. */
int hi_is_router(const struct hi_state *s)
{
	int sending = 0;
	for (int i = 0; i < s->nifc; i++)
		sending += s->ifc[i].out > 0 && ifc_addr(&s->ifc[i]) != 0;
	return sending >= 2;
}

static int in24(uint32_t a, uint32_t b)
{
	return (a & htonl(0xffffff00)) == (b & htonl(0xffffff00));
}

static void rt_frame(struct rt_state *r, const struct hi_state *s, int ifc, int dir, const struct frame_l2 *l2,
		     const uint8_t *ip)
{
	uint32_t sa, da;
	if (!ip || !l2->src || l2->src_len != 6)
		return;
	memcpy(&sa, ip + 12, 4);
	memcpy(&da, ip + 16, 4);
	if (dir == 1 && in24(sa, ifc_addr(&s->ifc[ifc])) && r->nneigh < HI_NEIGH && !(l2->src[0] & 1)) {
		int k = 0;
		while (k < r->nneigh && r->neigh[k].ip != sa)
			k++;
		if (k == r->nneigh) {
			r->neigh[k].ip = sa;
			memcpy(r->neigh[k].mac, l2->src, 6);
			r->neigh[k].ifc = ifc;
			r->nneigh++;
		}
	}
	if (dir != 2 || !l2->dst || (l2->dst[0] & 1))
		return;
	int h = 0;
	while (h < r->nhop && (r->hop[h].ifc != ifc || memcmp(r->hop[h].mac, l2->dst, 6)))
		h++;
	if (h == r->nhop) {
		if (r->nhop == 32)
			return;
		memset(&r->hop[h], 0, sizeof(r->hop[h]));
		memcpy(r->hop[h].mac, l2->dst, 6);
		r->hop[h].ifc = ifc;
		r->nhop++;
	}
	for (int k = 0; k < r->hop[h].ndst; k++)
		if (r->hop[h].dst[k] == da)
			return;
	if (r->hop[h].ndst < 64)
		r->hop[h].dst[r->hop[h].ndst++] = da;
}

static int rt_pass(struct rt_state *r, const struct hi_state *s, const char *pcap, char *err, size_t errlen)
{
	struct pcap_source src;
	struct pcap_pkthdr *h;
	const uint8_t *d;
	struct frame_l2 l2;
	size_t avail;
	char e2[256];
	if (source_pcap_open(&src, pcap, err, errlen) < 0)
		return -1;
	while (src.frames < HI_FRAMES && source_pcap_next(&src, &h, &d, e2, sizeof(e2)) == 1) {
		const uint8_t *ip = frame_ipv4(src.frame_dlt, d, h->caplen, &l2, &avail);
		int i = src.iface < HI_IFACES ? src.iface : HI_IFACES - 1;
		if (ip)
			rt_frame(r, s, i, src.dir, &l2, ip);
		else if (l2.proto == 0x0806 && src.dir == 1 && l2.l3_off + 28 <= h->caplen) {
			uint8_t fake[20] = { 0x45 };	/* an ARP sender, as an IPv4 source */
			memcpy(fake + 12, d + l2.l3_off + 14, 4);
			memcpy(fake + 16, d + l2.l3_off + 24, 4);
			l2.src = d + l2.l3_off + 8;
			rt_frame(r, s, i, 1, &l2, fake);
		}
	}
	source_pcap_close(&src);
	return 0;
}

static const char *dev_name(int i)
{
	static char n[HI_IFACES][16];	/* room for any int: -O2 with profiling proves no bound on i */
	snprintf(n[i], sizeof(n[i]), "eth%d", i);
	return n[i];
}

/* The gateway: the next hop that took the most distinct destinations. */
static const struct rt_hop *rt_gateway(const struct rt_state *r)
{
	const struct rt_hop *g = NULL;
	for (int h = 0; h < r->nhop; h++)
		if (!g || r->hop[h].ndst > g->ndst)
			g = &r->hop[h];
	return g && g->ndst > 1 ? g : NULL;
}

static uint32_t rt_neigh_ip(const struct rt_state *r, const struct rt_hop *g)
{
	for (int k = 0; g && k < r->nneigh; k++)
		if (r->neigh[k].ifc == g->ifc && !memcmp(r->neigh[k].mac, g->mac, 6))
			return r->neigh[k].ip;
	return 0;
}

static cJSON *rt_json(const struct hi_state *s, const struct rt_state *r, uint32_t gw, const struct rt_hop *g)
{
	cJSON *root = cJSON_CreateObject(), *ifs;
	char a[40];
	cJSON_AddStringToObject(root, "kernel", "6.x");
	ifs = cJSON_AddArrayToObject(root, "interfaces");
	for (int i = 0; i < s->nifc; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", dev_name(i));
		cJSON_AddStringToObject(o, "mac", mac_fmt(s->ifc[i].mac));
		snprintf(a, sizeof(a), "%s/24", ip_fmt(ifc_addr(&s->ifc[i])));
		cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "addrs"), cJSON_CreateString(a));
		cJSON_AddItemToArray(ifs, o);
	}
	cJSON_AddBoolToObject(root, "forwarding", 1);
	cJSON *rt = cJSON_AddArrayToObject(root, "routes");
	if (gw) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "dst", "0.0.0.0/0");
		cJSON_AddStringToObject(o, "via", ip_fmt(gw));
		cJSON_AddStringToObject(o, "dev", dev_name(g->ifc));
		cJSON_AddItemToArray(rt, o);
	}
	cJSON *nb = cJSON_AddArrayToObject(root, "neighbours");
	for (int k = 0; k < r->nneigh; k++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "ip", ip_fmt(r->neigh[k].ip));
		cJSON_AddStringToObject(o, "mac", mac_fmt(r->neigh[k].mac));
		cJSON_AddStringToObject(o, "dev", dev_name(r->neigh[k].ifc));
		cJSON_AddItemToArray(nb, o);
	}
	return root;
}

int hi_router(struct hi_state *s, const char *pcap, struct host_infer *out, char *err, size_t errlen)
{
	struct rt_state *r = calloc(1, sizeof(*r));
	if (!r || rt_pass(r, s, pcap, err, errlen) < 0) {
		free(r);
		return -1;
	}
	const struct rt_hop *g = rt_gateway(r);
	uint32_t gw = rt_neigh_ip(r, g);
	cJSON *root = rt_json(s, r, gw, g);
	out->json = cJSON_PrintUnformatted(root);
	out->json_print = cJSON_Print(root);
	cJSON_Delete(root);
	size_t k = (size_t)snprintf(out->note, sizeof(out->note), "the capture was taken on a router with %d "
				    "interfaces (from the pcapng interfaces and their direction flags):", s->nifc);
	for (int i = 0; i < s->nifc && k < sizeof(out->note); i++)
		k += (size_t)snprintf(out->note + k, sizeof(out->note) - k, " %s %s %s%s", dev_name(i),
				      ip_fmt(ifc_addr(&s->ifc[i])), mac_fmt(s->ifc[i].mac), i + 1 < s->nifc ? "," : "");
	if (k < sizeof(out->note))
		snprintf(out->note + k, sizeof(out->note) - k, "\n  it forwards%s%s; %d neighbours; "
			 "--print-scenario to see it all", gw ? ", default route via " : "", gw ? ip_fmt(gw) : "",
			 r->nneigh);
	snprintf(out->addr, sizeof(out->addr), "%s", ip_fmt(ifc_addr(&s->ifc[0])));
	snprintf(out->mac, sizeof(out->mac), "%s", mac_fmt(s->ifc[0].mac));
	snprintf(out->why, sizeof(out->why), "a router: the pcapng interfaces' direction flags");
	free(r);
	return out->json && out->json_print ? 0 : -1;
}
