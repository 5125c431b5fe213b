/*
 * events.c - JSON serialisation of trace events (schema version 1).
 * Written by hand into a reusable buffer: no cJSON tree per event.
 */
#include "events.h"

#include <string.h>

static void put_state(struct jw *w, const struct skb_state *st)
{
	jw_key(w, "skb_state");
	jw_obj_open(w);
	jw_kv_uint(w, "len", st->len);
	jw_kv_int(w, "data", st->data);
	jw_kv_int(w, "nh", st->nh);
	jw_kv_int(w, "th", st->th);
	jw_kv_str(w, "pkt_type", pkt_type_name(st->pkt_type));
	jw_kv_str(w, "protocol", eth_proto_name(st->protocol));
	jw_kv_int(w, "ifindex", st->ifindex);
	jw_obj_close(w);
}

static void put_tail(struct jw *w, const struct trace_event *ev)
{
	if (ev->verdict != V_NONE)
		jw_kv_str(w, "verdict", verdict_name(ev->verdict));
	if (ev->verdict == V_DROP) {
		jw_kv_str(w, "reason", drop_reason_name(ev->reason));
	} else if (ev->ph == 'E') {
		jw_key(w, "reason");
		jw_val_null(w);
	}
	if (ev->n_mib) {
		jw_key(w, "mib");
		jw_obj_open(w);
		for (int i = 0; i < ev->n_mib; i++)
			jw_kv_uint(w, mib_name(ev->mib[i].id), ev->mib[i].n);
		jw_obj_close(w);
	}
	if (ev->n_from) {
		jw_key(w, "from");
		jw_arr_open(w);
		for (int i = 0; i < ev->n_from; i++)
			jw_val_uint(w, ev->from[i]);
		jw_arr_close(w);
	}
}

void event_to_json(struct jw *w, const struct trace_event *ev)
{
	char ph[2] = { ev->ph, 0 };
	jw_obj_open(w);
	jw_kv_int(w, "v", TRACE_SCHEMA_VERSION);
	jw_kv_uint(w, "seq", ev->seq);
	jw_key(w, "parent");
	if (ev->parent)
		jw_val_uint(w, ev->parent);
	else
		jw_val_null(w);
	jw_kv_int(w, "depth", ev->depth);
	jw_kv_str(w, "ph", ph);
	jw_kv_str(w, "fn", ev->fn);
	jw_kv_str(w, "layer", ev->layer);
	jw_key(w, "pkt");
	if (ev->pkt >= 0) jw_val_int(w, ev->pkt); else jw_val_null(w);
	jw_key(w, "skb");
	if (ev->skb >= 0) jw_val_int(w, ev->skb); else jw_val_null(w);
	jw_kv_uint(w, "ts_ns", ev->ts_ns);
	if (ev->st)
		put_state(w, ev->st);
	if (ev->msg)
		jw_kv_str(w, "msg", ev->msg);
	if (ev->args) {
		jw_key(w, "args");
		jw_val_raw(w, ev->args);
	}
	put_tail(w, ev);
	jw_obj_close(w);
}

void event_meta_start(struct jw *w, const char *source, const char *scenario_json, const char *kernel)
{
	jw_obj_open(w);
	jw_kv_int(w, "v", TRACE_SCHEMA_VERSION);
	jw_kv_str(w, "ph", "M");
	jw_kv_str(w, "kind", "trace_start");
	jw_kv_str(w, "tool", "netjourney");
	jw_kv_str(w, "models", "Linux 6.13 IPv4 receive path");
	jw_kv_str(w, "kernel", kernel);
	jw_kv_str(w, "source", source);
	if (scenario_json) {
		jw_key(w, "scenario");
		jw_val_raw(w, scenario_json);
	}
	jw_obj_close(w);
}

void event_meta_end(struct jw *w, const struct net *net, int complete, uint64_t events, uint64_t packets,
		    const char *error)
{
	jw_obj_open(w);
	jw_kv_int(w, "v", TRACE_SCHEMA_VERSION);
	jw_kv_str(w, "ph", "M");
	jw_kv_str(w, "kind", "trace_end");
	jw_kv_bool(w, "complete", complete);
	jw_kv_uint(w, "events", events);
	jw_kv_uint(w, "packets", packets);
	if (error)
		jw_kv_str(w, "error", error);
	jw_key(w, "mib");
	jw_obj_open(w);
	for (int i = 0; i < MIB_MAX; i++)
		if (net->mib[i])
			jw_kv_uint(w, mib_name(i), net->mib[i]);
	jw_obj_close(w);
	jw_obj_close(w);
}

enum nj_verdict event_outcome(const char *fn, char ph, enum nj_verdict v)
{
	if (ph == 'i')
		return v == V_DROP ? V_DROP : V_NONE;
	if (ph != 'E' || v == V_NONE || v == V_PASS)
		return V_NONE;
	if (v == V_QUEUED && !strcmp(fn, "netif_rx"))
		return V_NONE;
	if (v == V_SENT)		/* a recorded transmit is the packet's fate; */
		return strcmp(fn, "driver_rx") ? V_NONE : V_SENT;	/* else a reply leaving */	/* a reply or forwarded copy leaving; the packet's own fate follows */
	return v;
}
