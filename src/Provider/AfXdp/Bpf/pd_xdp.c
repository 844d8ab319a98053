// PD Cluster's XDP program: the receive-filter table of an AF_XDP adapter.
//
// Tuple-space search, as src/Queues/Classification does it: every distinct mask has an id, a rule is stored in one
// hash under (mask id, key AND mask), and a packet is looked up once per mask. The rule with the lowest rank wins
// (rank = priority, then the order filters were set). A match is redirected to its PD queue's AF_XDP socket through
// the XSKMAP; no match goes to the acquired RSS queues if there are any, else on to the kernel stack (XDP_PASS).
// Before a redirect the program writes 8 bytes of metadata in front of the frame: a magic word and the filter's slot,
// so the queue can report the filter's RxFilterContext.
//
// The key layout is mirrored byte for byte by XdpFilterKey.cs.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define PD_MAX_MASKS 32
#define PD_MAX_FILTERS 1024
#define PD_MAX_RULES 65536
#define PD_MAX_QUEUES 64
#define PD_MAX_RSS 16
#define PD_META_MAGIC 0x50444658u
#define PD_NO_FILTER 0xFFFFFFFFu

#define H_ETHERNET 0x01
#define H_VLAN 0x02
#define H_IP 0x04
#define H_IPV4 0x08
#define H_IPV6 0x10
#define H_PORTS 0x20
#define H_ICMP 0x40

struct pd_key {
	__u32 mask_id;
	__u16 headers;
	__be16 ether_type;
	__u8 dst_mac[6];
	__u8 src_mac[6];
	__be16 vlan_id;
	__u8 vlan_priority;
	__u8 ip_version;
	__u8 protocol;
	__u8 ttl_is_one;
	__u8 dscp;
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 pad[3];
	__be16 src_port;
	__be16 dst_port;
	__u8 src_ip[16];
	__u8 dst_ip[16];
};

#define PD_KEY_WORDS (sizeof(struct pd_key) / 4)

struct pd_rule {
	__u64 rank;
	__u32 filter;
	__u32 queue;
};

struct pd_config {
	__u32 mask_count;
	__u32 rss_count;
	__u32 rss_queues[PD_MAX_RSS];
};

struct pd_hits {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, PD_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} pd_xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PD_MAX_MASKS);
	__type(key, __u32);
	__type(value, struct pd_key);
} pd_masks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PD_MAX_RULES);
	__type(key, struct pd_key);
	__type(value, struct pd_rule);
} pd_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pd_config);
} pd_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PD_MAX_FILTERS);
	__type(key, __u32);
	__type(value, struct pd_hits);
} pd_hits SEC(".maps");

static __always_inline void map_ipv4(__u8 *out, __be32 address)
{
	__builtin_memset(out, 0, 10);
	out[10] = 0xff;
	out[11] = 0xff;
	__builtin_memcpy(out + 12, &address, 4);
}

static __always_inline void parse(struct xdp_md *ctx, struct pd_key *key)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return;
	key->headers = H_ETHERNET;
	__builtin_memcpy(key->dst_mac, eth->h_dest, 6);
	__builtin_memcpy(key->src_mac, eth->h_source, 6);
	__be16 type = eth->h_proto;
	void *next = eth + 1;
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (type != bpf_htons(ETH_P_8021Q) && type != bpf_htons(ETH_P_8021AD))
			break;
		__be16 *tag = next;
		if ((void *)(tag + 2) > end)
			return;
		if (!(key->headers & H_VLAN)) {
			__u16 tci = bpf_ntohs(tag[0]);
			key->headers |= H_VLAN;
			key->vlan_id = bpf_htons(tci & 0x0fff);
			key->vlan_priority = tci >> 13;
		}
		type = tag[1];
		next = tag + 2;
	}
	key->ether_type = type;
	__u8 protocol;
	void *l4;
	if (type == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = next;
		if ((void *)(ip + 1) > end || ip->ihl < 5)
			return;
		key->headers |= H_IP | H_IPV4;
		key->ip_version = 4;
		protocol = ip->protocol;
		key->ttl_is_one = ip->ttl == 1;
		key->dscp = ip->tos >> 2;
		map_ipv4(key->src_ip, ip->saddr);
		map_ipv4(key->dst_ip, ip->daddr);
		if (ip->frag_off & bpf_htons(0x1fff))
			goto done;
		l4 = (void *)ip + ip->ihl * 4;
	} else if (type == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = next;
		if ((void *)(ip6 + 1) > end)
			return;
		key->headers |= H_IP | H_IPV6;
		key->ip_version = 6;
		protocol = ip6->nexthdr;
		key->ttl_is_one = ip6->hop_limit == 1;
		key->dscp = ((bpf_ntohs(*(__be16 *)ip6) >> 6) & 0x3f);
		__builtin_memcpy(key->src_ip, &ip6->saddr, 16);
		__builtin_memcpy(key->dst_ip, &ip6->daddr, 16);
		l4 = ip6 + 1;
	} else {
		return;
	}
	if (protocol == IPPROTO_UDP || protocol == IPPROTO_TCP || protocol == IPPROTO_SCTP) {
		__be16 *ports = l4;
		if ((void *)(ports + 2) <= end) {
			key->headers |= H_PORTS;
			key->src_port = ports[0];
			key->dst_port = ports[1];
		}
	} else if (protocol == IPPROTO_ICMP || protocol == IPPROTO_ICMPV6) {
		__u8 *icmp = l4;
		if ((void *)(icmp + 2) <= end) {
			key->headers |= H_ICMP;
			key->icmp_type = icmp[0];
			key->icmp_code = icmp[1];
		}
	}
done:
	key->protocol = protocol;
}

static __always_inline int redirect(struct xdp_md *ctx, __u32 queue, __u32 filter)
{
	if (bpf_xdp_adjust_meta(ctx, -8) == 0) {
		__u32 *meta = (void *)(long)ctx->data_meta;
		if ((void *)(meta + 2) <= (void *)(long)ctx->data) {
			meta[0] = PD_META_MAGIC;
			meta[1] = filter;
		}
	}
	return bpf_redirect_map(&pd_xsks, queue, XDP_PASS);
}

SEC("xdp")
int pd_xdp(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct pd_config *config = bpf_map_lookup_elem(&pd_config, &zero);
	if (!config)
		return XDP_PASS;
	struct pd_key packet;
	__builtin_memset(&packet, 0, sizeof(packet));
	parse(ctx, &packet);
	__u32 length = ctx->data_end - ctx->data;

	struct pd_rule *best = 0;
	__u32 masks = config->mask_count;
	for (__u32 m = 0; m < PD_MAX_MASKS; m++) {
		if (m >= masks)
			break;
		__u32 id = m;
		struct pd_key *mask = bpf_map_lookup_elem(&pd_masks, &id);
		if (!mask)
			break;
		struct pd_key key;
		__u32 *k = (__u32 *)&key, *p = (__u32 *)&packet, *w = (__u32 *)mask;
#pragma unroll
		for (int i = 0; i < PD_KEY_WORDS; i++)
			k[i] = p[i] & w[i];
		key.mask_id = m;
		struct pd_rule *rule = bpf_map_lookup_elem(&pd_rules, &key);
		if (rule && (!best || rule->rank < best->rank))
			best = rule;
	}
	if (best) {
		__u32 filter = best->filter;
		struct pd_hits *hits = bpf_map_lookup_elem(&pd_hits, &filter);
		if (hits) {
			hits->packets++;
			hits->bytes += length;
		}
		return redirect(ctx, best->queue, filter);
	}
	__u32 rss = config->rss_count;
	if (rss == 0 || rss > PD_MAX_RSS)
		return XDP_PASS;
	__u32 slot = bpf_get_prandom_u32();
	if (packet.headers & H_IP) {
		__u32 *s = (__u32 *)packet.src_ip, *d = (__u32 *)packet.dst_ip;
		slot = s[3] ^ d[3] ^ ((__u32)packet.src_port << 16 | packet.dst_port) ^ packet.protocol;
		slot ^= slot >> 16;
	}
	slot %= rss;
	// The verifier does not bound a modulo by a variable, and clang drops a bound check it can prove: hide the value.
	asm volatile("" : "+r"(slot));
	if (slot >= PD_MAX_RSS)
		return XDP_PASS;
	return redirect(ctx, config->rss_queues[slot], PD_NO_FILTER);
}

char _license[] SEC("license") = "GPL";
