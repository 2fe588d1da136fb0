// SPDX-License-Identifier: GPL-2.0
/*
 * XDP program for selftests/xdp.sh: drops IPv4 ICMP and passes everything
 * else. Attached to a tlstun device, it can only tell ICMP from the rest
 * if the frames it is given are the opened inner frames, not ciphertext.
 * No libbpf helpers: plain clang -target bpf.
 */

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>

__attribute__((section("xdp"), used))
int xdp_drop_icmp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);

	if ((void *)(ip + 1) > end)
		return XDP_PASS;
	if (eth->h_proto != __builtin_bswap16(ETH_P_IP))
		return XDP_PASS;
	return ip->protocol == IPPROTO_ICMP ? XDP_DROP : XDP_PASS;
}

char _license[] __attribute__((section("license"), used)) = "GPL";
