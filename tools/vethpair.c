/* vethpair: a virtual cable from the container's network namespace to the outer one
 * (veth(4), rtnetlink(7)).
 *
 * A new network namespace holds only lo, down. A veth pair is two devices joined
 * back to back: a frame sent into one comes out of the other. vethpair creates the
 * pair inside, with the peer placed in the outer namespace (IFLA_NET_NS_FD), which
 * it reaches through the handle mkns --net leaves (BOXSTEP_OUTER_NETNS_FD). It then
 * wires the outer end (to a bridge, or an address of its own) and the inner one
 * (address, up, default route), closes the handle and execs the rest of the chain,
 * so the program keeps no way back. It does not fork: the inner end, and with it
 * the pair, dies with the namespace; a bridge outlives containers, as docker0 does. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chain.h"
#include "log.h"
#include "netlink.h"
#include "nsfd.h"
#include "parse.h"
#include "sys.h"

#define USAGE "vethpair [--name NAME] [--host-name NAME] [--addr CIDR [--gateway IP]] " \
	"[--bridge NAME [--bridge-addr CIDR] | --host-addr CIDR] [--mtu N] [--] [PROGRAM [ARGS...]]\n" \
	"       vethpair --rm-bridge NAME"

static const struct tool tool = {
	"vethpair", USAGE,
	"Connect this (new) network namespace to the outer one with a veth pair, then run\n"
	"PROGRAM (default /bin/sh). A chain stage right after mkns --net.\n"
	"\n"
	"Options:\n"
	"      --name NAME          the container's end (default eth0)\n"
	"      --host-name NAME     the outer end (default veth + the namespace's inode)\n"
	"      --addr CIDR          the container end's address, as 10.0.0.2/24\n"
	"      --gateway IP         default route through IP (in --addr's subnet)\n"
	"      --bridge NAME        attach the outer end to bridge NAME, as docker0\n"
	"      --bridge-addr CIDR   create the bridge with this address when it is missing\n"
	"      --host-addr CIDR     no bridge: give the outer end this address\n"
	"      --mtu N              MTU of both ends (68..65535)\n"
	"      --rm-bridge NAME     remove bridge NAME from this namespace, and stop\n"
	"  -v, --verbose            trace every kernel call and netlink message\n"
	"  -h, --help               this help\n"
	"  -V, --version            version\n"
	"\n"
	"Kernel calls, in order (every netlink request asks for an ACK):\n"
	"  socket(AF_NETLINK, ..., NETLINK_ROUTE)  rtnetlink here, then after\n"
	"  setns(OUTER, CLONE_NEWNET)              one in the outer namespace, and back\n"
	"  RTM_GETLINK                             names free? the bridge a bridge?\n"
	"  RTM_NEWLINK veth, VETH_INFO_PEER        the pair; the peer in the outer namespace\n"
	"  RTM_NEWLINK bridge, RTM_NEWADDR         --bridge-addr: the missing bridge\n"
	"  RTM_NEWLINK IFLA_MASTER, IFF_UP         outer end on the bridge (or RTM_NEWADDR\n"
	"                                          --host-addr), up\n"
	"  RTM_NEWLINK IFF_UP lo; RTM_NEWADDR, IFF_UP eth0; RTM_NEWROUTE default via IP\n"
	"  close(OUTER), execve(PROGRAM)\n"
	"\n"
	"Example:\n"
	"  mkns --net --uts -- vethpair --bridge br0 --bridge-addr 10.0.0.1/24 \\\n"
	"      --addr 10.0.0.2/24 --gateway 10.0.0.1 -- ping -c1 10.0.0.1\n"
	"\n"
	"Exit status: PROGRAM's own; 125 if vethpair failed (nothing was made); 126/127\n"
	"if PROGRAM could not run.\n"
	"See vethpair(1), veth(4), rtnetlink(7), network_namespaces(7), ip-link(8).\n",
};

struct options {
	const char *name, *host_name, *bridge, *rm_bridge;
	const char *addr_s, *gw_s, *bridge_addr_s, *host_addr_s;
	struct in_addr addr, gw, bridge_addr, host_addr;
	unsigned prefix, bridge_prefix, host_prefix;
	unsigned long mtu;
	int once[9];
};

enum { OPT_NAME = 256, OPT_HOST_NAME, OPT_ADDR, OPT_GATEWAY, OPT_BRIDGE, OPT_BRIDGE_ADDR, OPT_HOST_ADDR, OPT_MTU, OPT_RM_BRIDGE };

static const struct option longopts[] = {
	{ "name", required_argument, NULL, OPT_NAME },
	{ "host-name", required_argument, NULL, OPT_HOST_NAME },
	{ "addr", required_argument, NULL, OPT_ADDR },
	{ "gateway", required_argument, NULL, OPT_GATEWAY },
	{ "bridge", required_argument, NULL, OPT_BRIDGE },
	{ "bridge-addr", required_argument, NULL, OPT_BRIDGE_ADDR },
	{ "host-addr", required_argument, NULL, OPT_HOST_ADDR },
	{ "mtu", required_argument, NULL, OPT_MTU },
	{ "rm-bridge", required_argument, NULL, OPT_RM_BRIDGE },
	CHAIN_COMMON_LONGOPTS,
};

static const char *ifname_value(const char *option, const char *s)
{
	if (!valid_ifname(s))
		usage_error("invalid device name '%s' for %s: 1 to 15 characters, no '/', ':' or blank", s, option);
	return s;
}

static void cidr_value(const char *option, const char *s, struct in_addr *a, unsigned *prefix)
{
	if (parse_cidr4(s, a, prefix) < 0)
		usage_error("invalid CIDR '%s' for %s: expected an IPv4 address and prefix, as 10.0.0.2/24", s, option);
}

static void parse_args(struct options *o, int argc, char **argv)
{
	int c;
	while ((c = getopt_long(argc, argv, "+:" CHAIN_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (c >= OPT_NAME && c <= OPT_RM_BRIDGE) {
			char opt[32];
			snprintf(opt, sizeof opt, "--%s", longopts[c - OPT_NAME].name);
			chain_once(&o->once[c - OPT_NAME], opt);
		}
		switch (c) {
		case OPT_NAME: o->name = ifname_value("--name", optarg); break;
		case OPT_HOST_NAME: o->host_name = ifname_value("--host-name", optarg); break;
		case OPT_ADDR: o->addr_s = optarg; cidr_value("--addr", optarg, &o->addr, &o->prefix); break;
		case OPT_GATEWAY:
			o->gw_s = optarg;
			if (parse_ip4(optarg, &o->gw) < 0)
				usage_error("invalid address '%s' for --gateway: expected an IPv4 address, as 10.0.0.1", optarg);
			break;
		case OPT_BRIDGE: o->bridge = ifname_value("--bridge", optarg); break;
		case OPT_BRIDGE_ADDR:
			o->bridge_addr_s = optarg;
			cidr_value("--bridge-addr", optarg, &o->bridge_addr, &o->bridge_prefix);
			break;
		case OPT_HOST_ADDR: o->host_addr_s = optarg; cidr_value("--host-addr", optarg, &o->host_addr, &o->host_prefix); break;
		case OPT_MTU:
			if (parse_uint(optarg, 65535, &o->mtu) < 0 || o->mtu < 68)
				usage_error("invalid MTU '%s': 68 to 65535", optarg);
			break;
		case OPT_RM_BRIDGE: o->rm_bridge = ifname_value("--rm-bridge", optarg); break;
		default: chain_common_option(&tool, c, argv);
		}
	}
}

/* Everything is checked before the first kernel call (DESIGN.md 3). */
static void validate(const struct options *o, char **program)
{
	if (o->rm_bridge) {
		if (o->name || o->host_name || o->addr_s || o->gw_s || o->bridge || o->bridge_addr_s ||
		    o->host_addr_s || o->mtu || *program)
			usage_error("--rm-bridge is a step of its own: no other option, no PROGRAM");
		return;
	}
	if (o->gw_s && !o->addr_s)
		usage_error("--gateway needs --addr: the gateway is reached through the container's subnet");
	if (o->gw_s && !same_subnet4(o->addr, o->gw, o->prefix))
		usage_error("--gateway %s is not in --addr %s's subnet: the kernel could not reach it", o->gw_s, o->addr_s);
	if (o->gw_s && o->gw.s_addr == o->addr.s_addr)
		usage_error("--gateway %s is the container's own address", o->gw_s);
	if (o->bridge_addr_s && !o->bridge)
		usage_error("--bridge-addr needs --bridge: it is the address of the bridge it creates");
	if (o->bridge && o->host_addr_s)
		usage_error("give --bridge or --host-addr, not both: on a bridge the bridge holds the host's address");
	if (o->host_addr_s && o->addr_s && o->host_addr.s_addr == o->addr.s_addr)
		usage_error("--host-addr and --addr are the same address: each end needs its own");
	if (o->bridge_addr_s && o->addr_s && o->bridge_addr.s_addr == o->addr.s_addr)
		usage_error("--bridge-addr and --addr are the same address: each needs its own");
}

/* The handle mkns --net left on the outer network namespace. */
static int outer_netns_fd(void)
{
	const char *v = getenv("BOXSTEP_OUTER_NETNS_FD");
	unsigned long fd;
	if (!v) {
		fprintf(stderr, "vethpair: no outer network namespace to connect to: BOXSTEP_OUTER_NETNS_FD is not set\n");
		hint("run vethpair right after mkns --net, which leaves it a handle on the namespace it left: mkns --net -- vethpair ...");
		exit(EXIT_TOOL_FAILED);
	}
	const struct ns_type *t;
	if (parse_uint(v, 1 << 20, &fd) < 0 || fd < 3 || !(t = nsfd_type((int)fd)) || strcmp(t->proc, "net"))
		die("BOXSTEP_OUTER_NETNS_FD=%s is not an open network namespace descriptor", v);
	if (nsfd_inode((int)fd) == ns_self_inode(t)) {
		fprintf(stderr, "vethpair: this is not a new network namespace: BOXSTEP_OUTER_NETNS_FD=%s names this one\n", v);
		hint("put vethpair right after mkns --net");
		exit(EXIT_TOOL_FAILED);
	}
	return (int)fd;
}

static struct nl_sock out = { -1, 0 };
static int created_bridge; /* its index: removed again if vethpair fails later */

static void remove_created_bridge(void)
{
	if (created_bridge) {
		trace_comment("failed after creating the bridge: removing it");
		nl_link_del(&out, created_bridge);
	}
}

static _Noreturn void fail(const char *hint_text)
{
	nl_report();
	if (hint_text)
		hint("%s", hint_text);
	exit(EXIT_TOOL_FAILED);
}

static void must_be_free(struct nl_sock *s, const char *name, const char *where, const char *option)
{
	struct nl_link l;
	if (nl_link_get(s, name, &l) == 0) {
		fprintf(stderr, "vethpair: a device named \"%s\" already exists in %s\n", name, where);
		hint("choose another %s (ip link lists the names taken)", option);
		exit(EXIT_TOOL_FAILED);
	}
	if (errno != ENODEV)
		fail(NULL);
}

static int rm_bridge(const char *name)
{
	struct nl_link l;
	if (nl_open(&out, "rtnetlink in this namespace") < 0)
		die_call();
	if (nl_link_get(&out, name, &l) < 0)
		fail(errno == ENODEV ? "there is no such device here: ip -d link show type bridge lists the bridges" : NULL);
	if (strcmp(l.kind, "bridge") != 0)
		die("\"%s\" is not a bridge (kind \"%s\"): not removed", name, l.kind);
	if (nl_link_del(&out, l.index) < 0)
		fail(NULL);
	return 0;
}

/* The bridge the outer end goes on: found, or created with --bridge-addr. */
static int bridge_index(const struct options *o)
{
	struct nl_link l;
	if (nl_link_get(&out, o->bridge, &l) < 0) {
		if (errno != ENODEV)
			fail(NULL);
		if (nl_bridge_add(&out, o->bridge, 0) == 0) {
			if (nl_link_get(&out, o->bridge, &l) < 0)
				fail(NULL);
			created_bridge = l.index;
			trace_comment("created bridge %s: it stays after the container, as docker0 does", o->bridge);
		} else if (errno != EEXIST || nl_link_get(&out, o->bridge, &l) < 0) {
			fail(NULL); /* EEXIST: another vethpair made it just now */
		}
	}
	if (strcmp(l.kind, "bridge") != 0)
		die("\"%s\" exists in the outer network namespace but is not a bridge (kind \"%s\")", o->bridge,
		    l.kind[0] ? l.kind : "none");
	if (o->bridge_addr_s) {
		if (nl_addr_add(&out, l.index, o->bridge_addr, o->bridge_prefix) < 0) {
			if (errno != EEXIST)
				fail(NULL);
			trace_comment("%s already has %s", o->bridge, o->bridge_addr_s);
		}
	}
	if (nl_link_up(&out, l.index, 0) < 0)
		fail(NULL);
	return l.index;
}

int main(int argc, char **argv)
{
	struct options o;
	memset(&o, 0, sizeof o);
	chain_init(&tool);
	parse_args(&o, argc, argv);
	char **program = argv + optind;
	validate(&o, program);
	if (o.rm_bridge)
		return rm_bridge(o.rm_bridge);
	if (!o.name)
		o.name = "eth0";
	int outer = outer_netns_fd();
	const struct ns_type *net = nsfd_type(outer);
	char host_name[NL_IFNAMSIZ], label[64];
	if (!o.host_name) /* unique while this namespace lives: its inode */
		snprintf(host_name, sizeof host_name, "veth%07lx", ns_self_inode(net) & 0xfffffff);
	else
		snprintf(host_name, sizeof host_name, "%s", o.host_name);

	/* A netlink socket talks to the namespace it was made in: one here, one made
	 * in the outer namespace after a setns() there and back. */
	struct nl_sock in;
	if (nl_open(&in, "rtnetlink in the container's namespace") < 0)
		die_call();
	int self = sys_open("/proc/self/ns/net", O_RDONLY, 0);
	if (self < 0)
		die_call();
	if (sys_setns(outer, net->flag, nsfd_label(outer, net, label, sizeof label)) < 0) {
		report_call();
		if (errno == EPERM)
			hint("a rootless chain cannot reach the outer network namespace: it belongs to a user namespace where you are not root; rootless runtimes use a user-space network stack (slirp4netns, pasta) instead");
		exit(EXIT_TOOL_FAILED);
	}
	if (nl_open(&out, "rtnetlink in the outer namespace") < 0)
		die_call();
	if (sys_setns(self, net->flag, "/proc/self/ns/net") < 0)
		die_call();
	close(self);

	must_be_free(&in, o.name, "the container's network namespace", "--name");
	must_be_free(&out, host_name, "the outer network namespace", "--host-name");
	struct nl_link l;
	if (o.bridge && nl_link_get(&out, o.bridge, &l) == 0 && strcmp(l.kind, "bridge") != 0)
		die("\"%s\" exists in the outer network namespace but is not a bridge (kind \"%s\")", o.bridge,
		    l.kind[0] ? l.kind : "none");
	if (o.bridge && !o.bridge_addr_s && l.index == 0) {
		fprintf(stderr, "vethpair: there is no bridge \"%s\" in the outer network namespace\n", o.bridge);
		hint("add --bridge-addr CIDR to create it, as Docker creates docker0 with 172.17.0.1/16");
		exit(EXIT_TOOL_FAILED);
	}

	if (nl_veth_add(&in, o.name, host_name, (unsigned)o.mtu, outer) < 0)
		fail(NULL);
	atexit(remove_created_bridge);
	struct nl_link host_end, eth, lo;
	if (nl_link_get(&out, host_name, &host_end) < 0)
		fail(NULL);
	if (o.bridge) {
		if (nl_link_up(&out, host_end.index, bridge_index(&o)) < 0)
			fail(NULL);
	} else {
		if (o.host_addr_s && nl_addr_add(&out, host_end.index, o.host_addr, o.host_prefix) < 0)
			fail(NULL);
		if (nl_link_up(&out, host_end.index, 0) < 0)
			fail(NULL);
	}
	if (nl_link_get(&in, "lo", &lo) < 0 || nl_link_up(&in, lo.index, 0) < 0 || nl_link_get(&in, o.name, &eth) < 0)
		fail(NULL);
	if (o.addr_s && nl_addr_add(&in, eth.index, o.addr, o.prefix) < 0)
		fail(NULL);
	if (nl_link_up(&in, eth.index, 0) < 0)
		fail(NULL);
	if (o.gw_s && nl_route_add_default(&in, eth.index, o.gw) < 0)
		fail(NULL);
	created_bridge = 0;

	/* No way back: the program gets no handle on the outer namespace. */
	nl_close(&in);
	nl_close(&out);
	if (trace_call(close(outer), "close(%d<%s>)", outer, label) < 0)
		die_call();
	unsetenv("BOXSTEP_OUTER_NETNS_FD");
	trace_comment("%s here, %s outside%s%s", o.name, host_name, o.bridge ? " on " : "", o.bridge ? o.bridge : "");
	chain_exec(program);
}
