// PD Cluster's OS-path program: attached at the ingress of an AF_XDP adapter's TAP, it moves every frame PD hands
// back (written to the TAP) onto the receive path of the PD interface itself (bpf_redirect with BPF_F_INGRESS). The
// kernel then takes the frame as one that arrived on that interface: its MAC decides the packet type, neighbours are
// learnt there, reverse-path checks pass, and replies (ARP included) leave through it. Native XDP runs in the
// driver, so a frame entering this way does not meet the XDP program again.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

// Entry 0: the ifindex of the PD interface, set by the provider after loading.
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} pd_os_target SEC(".maps");

SEC("tc")
int pd_os_ingress(struct __sk_buff *skb)
{
	__u32 zero = 0;
	__u32 *ifindex = bpf_map_lookup_elem(&pd_os_target, &zero);

	if (!ifindex || *ifindex == 0)
		return TC_ACT_SHOT;
	return bpf_redirect(*ifindex, BPF_F_INGRESS);
}

char _license[] SEC("license") = "GPL";
