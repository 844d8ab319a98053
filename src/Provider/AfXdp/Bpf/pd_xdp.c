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
#include <linux/in6.h>
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

// The parse mirrors src/Queues/Packets/PacketParser.cs for the outer fields the key holds: a header counts (its bit in
// key->headers) only when it is complete, a field is read only from a complete header, and the transport header is
// looked for within the IP packet's own length, not the frame's (padding is no header). Lengths are kept as offsets
// from the frame's start; every read is checked against data_end as well, which the verifier needs.

#define PD_MAX_OFFSET 0xffff
#define PD_MAX_EXTENSION_HEADERS 8

static __always_inline int is_vlan(__be16 type)
{
	return type == bpf_htons(ETH_P_8021Q) || type == bpf_htons(ETH_P_8021AD) || type == bpf_htons(0x9100);
}

static __always_inline int is_extension_header(__u8 next)
{
	switch (next) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_FRAGMENT:
	case IPPROTO_AH:
	case IPPROTO_DSTOPTS:
	case IPPROTO_MH:
	case 139: // Host Identity Protocol
	case 140: // Shim6
		return 1;
	default:
		return 0;
	}
}

// The transport header at offset l4 of an IP packet that ends at offset limit: ports of a whole UDP or TCP header,
// type and code of a whole ICMP or ICMPv6 header, nothing for any other protocol.
static __always_inline void transport(void *data, void *end, __u32 l4, __u32 limit, __u8 protocol, struct pd_key *key)
{
	if (l4 > limit || l4 > PD_MAX_OFFSET)
		return;
	__u32 available = limit - l4;
	__u8 *p = data + l4;
	if (protocol == IPPROTO_TCP) {
		if (available < 20 || (void *)(p + 20) > end)
			return;
		__u32 length = (p[12] >> 4) * 4;
		if (length < 20 || available < length)
			return;
	} else if (protocol == IPPROTO_UDP) {
		if (available < 8 || (void *)(p + 8) > end)
			return;
	} else if (protocol == IPPROTO_ICMP || protocol == IPPROTO_ICMPV6) {
		if (available < 4 || (void *)(p + 4) > end)
			return;
		key->headers |= H_ICMP;
		key->icmp_type = p[0];
		key->icmp_code = p[1];
		return;
	} else {
		return;
	}
	key->headers |= H_PORTS;
	__builtin_memcpy(&key->src_port, p, 2);
	__builtin_memcpy(&key->dst_port, p + 2, 2);
}

static __always_inline void ipv4(void *data, void *end, __u32 offset, __u32 length, struct pd_key *key)
{
	struct iphdr *ip = data + offset;
	if ((void *)(ip + 1) > end || ip->version != 4 || ip->ihl < 5)
		return;
	__u32 header = ip->ihl * 4;
	__u32 total = bpf_ntohs(ip->tot_len);
	if (length - offset < header || total < header)
		return;
	key->headers |= H_IP | H_IPV4;
	key->ip_version = 4;
	key->protocol = ip->protocol;
	key->ttl_is_one = ip->ttl == 1;
	key->dscp = ip->tos >> 2;
	map_ipv4(key->src_ip, ip->saddr);
	map_ipv4(key->dst_ip, ip->daddr);
	if (ip->frag_off & bpf_htons(0x1fff))
		return;
	__u32 limit = length - offset < total ? length : offset + total;
	transport(data, end, offset + header, limit, ip->protocol, key);
}

// IPv6 past up to PD_MAX_EXTENSION_HEADERS extension headers. Where the walk stops (too many, or one cut short) the
// protocol is the header it could not get past; a fragment other than the first has the fragment header's next
// header as protocol and no transport fields.
static __always_inline void ipv6(void *data, void *end, __u32 offset, __u32 length, struct pd_key *key)
{
	struct ipv6hdr *ip6 = data + offset;
	if ((void *)(ip6 + 1) > end || ip6->version != 6)
		return;
	key->headers |= H_IP | H_IPV6;
	key->ip_version = 6;
	key->ttl_is_one = ip6->hop_limit == 1;
	key->dscp = (bpf_ntohs(*(__be16 *)ip6) >> 6) & 0x3f;
	__builtin_memcpy(key->src_ip, &ip6->saddr, 16);
	__builtin_memcpy(key->dst_ip, &ip6->daddr, 16);
	__u32 payload = bpf_ntohs(ip6->payload_len);
	__u32 cursor = offset + sizeof(*ip6);
	__u32 limit = payload == 0 || length - cursor < payload ? length : cursor + payload;
	__u8 next = ip6->nexthdr;
	for (int seen = 0; seen <= PD_MAX_EXTENSION_HEADERS; seen++) {
		if (!is_extension_header(next))
			break;
		key->protocol = next;
		if (seen == PD_MAX_EXTENSION_HEADERS || limit - cursor < 8 || cursor > PD_MAX_OFFSET)
			return;
		__u8 *header = data + cursor;
		if ((void *)(header + 8) > end)
			return;
		__u32 size = next == IPPROTO_FRAGMENT ? 8 : next == IPPROTO_AH ? (header[1] + 2) * 4 : (header[1] + 1) * 8;
		if (next == IPPROTO_FRAGMENT && (((header[2] << 8) | header[3]) >> 3) != 0) {
			key->protocol = header[0];
			return;
		}
		if (limit - cursor < size)
			return;
		next = header[0];
		cursor += size;
	}
	key->protocol = next;
	transport(data, end, cursor, limit, next, key);
}

static __always_inline void parse(struct xdp_md *ctx, struct pd_key *key)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 length = end - data;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return;
	__be16 type = eth->h_proto;
	__u32 offset = sizeof(*eth);
	__u16 tci = 0;
	int tags = 0;
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (!is_vlan(type))
			break;
		__be16 *tag = data + offset;
		if ((void *)(tag + 2) > end)
			return;
		if (i == 0)
			tci = bpf_ntohs(tag[0]);
		type = tag[1];
		offset += 4;
		tags++;
	}
	key->headers = H_ETHERNET;
	__builtin_memcpy(key->dst_mac, eth->h_dest, 6);
	__builtin_memcpy(key->src_mac, eth->h_source, 6);
	key->ether_type = type;
	if (tags > 0) {
		key->headers |= H_VLAN;
		key->vlan_id = bpf_htons(tci & 0x0fff);
		key->vlan_priority = tci >> 13;
	}
	if (type == bpf_htons(ETH_P_IP))
		ipv4(data, end, offset, length, key);
	else if (type == bpf_htons(ETH_P_IPV6))
		ipv6(data, end, offset, length, key);
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
	// No receive filter, and one RSS queue takes every frame: nothing to parse.
	if (config->mask_count == 0 && config->rss_count == 1)
		return redirect(ctx, config->rss_queues[0], PD_NO_FILTER);
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
	__u32 slot;
	if (packet.headers & H_IP) {
		__u32 *s = (__u32 *)packet.src_ip, *d = (__u32 *)packet.dst_ip;
		slot = s[3] ^ d[3] ^ ((__u32)packet.src_port << 16 | packet.dst_port) ^ packet.protocol;
		slot ^= slot >> 16;
	} else {
		slot = bpf_get_prandom_u32();
	}
	slot %= rss;
	// The verifier does not bound a modulo by a variable, and clang drops a bound check it can prove: hide the value.
	asm volatile("" : "+r"(slot));
	if (slot >= PD_MAX_RSS)
		return XDP_PASS;
	return redirect(ctx, config->rss_queues[slot], PD_NO_FILTER);
}

char _license[] SEC("license") = "GPL";
