/* netlink: a small rtnetlink client (rtnetlink(7), netlink(7)), enough to wire a
 * container: a veth pair, a bridge, addresses, a default route, links up or gone.
 *
 * One socket talks to the network namespace it was created in, whatever namespace
 * the process moves to later: vethpair opens one per namespace. Every request asks
 * for an ACK; in trace mode the request and the kernel's reply are printed
 * strace-shaped, one line each:
 *   vethpair: sendmsg(4, {RTM_NEWADDR, NLM_F_CREATE|NLM_F_EXCL, seq=5, {ifa_family=AF_INET,
 *             ifa_prefixlen=24, ifa_index=2}, IFA_LOCAL=10.0.0.2, IFA_ADDRESS=10.0.0.2}) = 40
 *   vethpair: recvmsg(4, {NLMSG_ERROR, seq=5, error=0}) = 36
 * A refused request keeps the kernel's own explanation (the extended ACK,
 * NLMSGERR_ATTR_MSG) for the error line, printed by nl_die(). */
#ifndef BOXSTEP_NETLINK_H
#define BOXSTEP_NETLINK_H

#include <netinet/in.h>
#include <stdbool.h>

#define NL_IFNAMSIZ 16 /* IFNAMSIZ: 15 characters and the NUL */

struct nl_sock {
	int fd;
	unsigned seq;
};

/* socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE) in the caller's network
 * namespace, with extended ACKs on; why is a comment for the trace. 0 or -1. */
int nl_open(struct nl_sock *s, const char *why);
void nl_close(struct nl_sock *s);

/* What RTM_GETLINK tells about one device. */
struct nl_link {
	int index;
	unsigned flags;         /* IFF_UP, ... */
	unsigned mtu;
	int master;             /* ifindex of the bridge it is attached to, 0 if none */
	char name[NL_IFNAMSIZ];
	char kind[16];          /* IFLA_INFO_KIND: "veth", "bridge"; "" for lo or a NIC */
};

/* The device called name: 0, or -1 with errno (ENODEV: there is none). */
int nl_link_get(struct nl_sock *s, const char *name, struct nl_link *out);

/* The same, as a question: 1 it exists, 0 it does not; exits 125 (nl_die) when
 * the kernel gives any other answer. */
int nl_link_find(struct nl_sock *s, const char *name, struct nl_link *out);

/* Every request returns 0 when the kernel ACKs it, or -1 with errno (the kernel's
 * answer; its text for nl_die). */
/* A veth pair: name here, peer in the namespace of peer_netns_fd (-1: here too). */
int nl_veth_add(struct nl_sock *s, const char *name, const char *peer, unsigned mtu, int peer_netns_fd);
/* A bridge device (bridge(8)'s "ip link add NAME type bridge"). */
int nl_bridge_add(struct nl_sock *s, const char *name, unsigned mtu);
/* Sets IFLA_MASTER (master > 0: attach to that bridge) and brings the link up. */
int nl_link_up(struct nl_sock *s, int index, int master);
int nl_link_del(struct nl_sock *s, int index);
/* An IPv4 address with its prefix length on a link. */
int nl_addr_add(struct nl_sock *s, int index, struct in_addr addr, unsigned prefix);
/* The default route through gateway, out of link index. */
int nl_route_add_default(struct nl_sock *s, int index, struct in_addr gateway);

/* The IPv4 addresses of the namespace: each(ifname, "10.0.0.2", prefix, ctx) per
 * address, in the kernel's order (a dump: RTM_GETADDR with NLM_F_DUMP). 0 or -1. */
int nl_addr_each(struct nl_sock *s, void (*each)(const char *ifname, const char *addr, unsigned prefix, void *ctx),
		 void *ctx);

/* The last refused request, as traced ("RTM_NEWLINK{IFLA_IFNAME=\"eth0\", ...}"),
 * and the kernel's text for it ("" when it gave none). */
const char *nl_last_request(void);
const char *nl_last_ext_ack(void);
/* "PROG: REQUEST: strerror(errno) (kernel: "TEXT")" on stderr, errno kept;
 * nl_die() then exits 125. */
void nl_report(void);
_Noreturn void nl_die(void);

/* "10.0.0.2/24": an IPv4 address and a prefix length 0..32. 0 or -1. */
int parse_cidr4(const char *s, struct in_addr *addr, unsigned *prefix);
/* An IPv4 address without a prefix. 0 or -1. */
int parse_ip4(const char *s, struct in_addr *addr);
/* true when a and b share their first prefix bits. */
bool same_subnet4(struct in_addr a, struct in_addr b, unsigned prefix);
/* A device name the kernel takes: 1 to 15 characters, no '/', ':' or blank, not
 * "." or "..". */
bool valid_ifname(const char *name);

#endif
