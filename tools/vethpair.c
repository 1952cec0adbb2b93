/* vethpair: a virtual cable from a new network namespace to the outer one (veth(4)).
 *
 * A new network namespace holds only lo, down. A veth pair is two devices joined back
 * to back. vethpair creates it inside with the peer in the outer namespace, reached
 * through the handle mkns --net leaves (BOXSTEP_OUTER_NETNS_FD); wires both ends over
 * rtnetlink(7); closes the handle, so the program keeps no way back; and execs. It does
 * not fork: the pair dies with the namespace; a bridge outlives containers, as docker0. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
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

#define USAGE "vethpair [--bridge NAME [--bridge-addr CIDR] | --host-addr CIDR] [--addr CIDR [--gateway IP]] [options] [--] [PROGRAM [ARGS...]]"

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
	"      --rm-bridge NAME     only remove bridge NAME from this namespace\n"
	"  -v, --verbose            trace every kernel call and netlink message\n"
	"  -h, --help               this help\n"
	"  -V, --version            version\n"
	"\n"
	"Kernel calls, in order (each netlink request with its ACK):\n"
	"  socket(AF_NETLINK), setns(OUTER), socket(AF_NETLINK), setns(back)  one socket each side\n"
	"  RTM_GETLINK                        are the names free, is the bridge a bridge?\n"
	"  RTM_NEWLINK veth, VETH_INFO_PEER   the pair, the peer in the outer namespace\n"
	"  RTM_NEWLINK bridge, RTM_NEWADDR    --bridge-addr: the missing bridge\n"
	"  RTM_NEWLINK IFLA_MASTER, IFF_UP    the outer end on the bridge (or --host-addr), up\n"
	"  RTM_NEWLINK lo up; RTM_NEWADDR, RTM_NEWLINK eth0 up; RTM_NEWROUTE default via IP\n"
	"  close(OUTER), execve(PROGRAM)\n"
	"\n"
	"Example:\n"
	"  mkns --net -- vethpair --bridge br0 --bridge-addr 10.0.0.1/24 --addr 10.0.0.2/24 -- sh\n"
	"\n"
	"Exit status: PROGRAM's own; 125 if vethpair failed; 126/127 if PROGRAM could not run.\n"
	"See vethpair(1), veth(4), rtnetlink(7), network_namespaces(7), ip-link(8).\n",
};

struct cidr { const char *s; struct in_addr a; unsigned prefix; }; /* s: as given, or NULL */

struct options {
	const char *name, *host_name, *bridge, *rm_bridge, *gw_s;
	struct cidr addr, bridge_addr, host_addr;
	struct in_addr gw;
	unsigned long mtu;
	int once[9];
};

enum { OPT_NAME = 256, OPT_HOST_NAME, OPT_ADDR, OPT_GATEWAY, OPT_BRIDGE, OPT_BRIDGE_ADDR, OPT_HOST_ADDR, OPT_MTU, OPT_RM_BRIDGE };

static const struct option longopts[] = {
	{ "name", required_argument, NULL, OPT_NAME },	   { "host-name", required_argument, NULL, OPT_HOST_NAME },
	{ "addr", required_argument, NULL, OPT_ADDR },	   { "gateway", required_argument, NULL, OPT_GATEWAY },
	{ "bridge", required_argument, NULL, OPT_BRIDGE }, { "bridge-addr", required_argument, NULL, OPT_BRIDGE_ADDR },
	{ "host-addr", required_argument, NULL, OPT_HOST_ADDR }, { "mtu", required_argument, NULL, OPT_MTU },
	{ "rm-bridge", required_argument, NULL, OPT_RM_BRIDGE }, CHAIN_COMMON_LONGOPTS,
};

static const char *ifname_value(const char *option, const char *s)
{
	if (!valid_ifname(s))
		usage_error("invalid device name '%s' for %s: 1 to 15 characters, no '/', ':' or blank", s, option);
	return s;
}

static void cidr_value(const char *option, const char *s, struct cidr *c)
{
	c->s = s;
	if (parse_cidr4(s, &c->a, &c->prefix) < 0)
		usage_error("invalid CIDR '%s' for %s: expected an IPv4 address and prefix, as 10.0.0.2/24", s, option);
}

static void parse_args(struct options *o, int argc, char **argv)
{
	int c;
	while ((c = getopt_long(argc, argv, "+:" CHAIN_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		char opt[32];
		if (c >= OPT_NAME && c <= OPT_RM_BRIDGE) {
			snprintf(opt, sizeof opt, "--%s", longopts[c - OPT_NAME].name);
			chain_once(&o->once[c - OPT_NAME], opt);
		}
		switch (c) {
		case OPT_NAME: o->name = ifname_value(opt, optarg); break;
		case OPT_HOST_NAME: o->host_name = ifname_value(opt, optarg); break;
		case OPT_BRIDGE: o->bridge = ifname_value(opt, optarg); break;
		case OPT_RM_BRIDGE: o->rm_bridge = ifname_value(opt, optarg); break;
		case OPT_ADDR: cidr_value(opt, optarg, &o->addr); break;
		case OPT_BRIDGE_ADDR: cidr_value(opt, optarg, &o->bridge_addr); break;
		case OPT_HOST_ADDR: cidr_value(opt, optarg, &o->host_addr); break;
		case OPT_GATEWAY:
			if (parse_ip4(o->gw_s = optarg, &o->gw) < 0)
				usage_error("invalid address '%s' for --gateway: expected an IPv4 address, as 10.0.0.1", optarg);
			break;
		case OPT_MTU:
			if (parse_uint(optarg, 65535, &o->mtu) < 0 || o->mtu < 68)
				usage_error("invalid MTU '%s': 68 to 65535", optarg);
			break;
		default: chain_common_option(&tool, c, argv);
		}
	}
}

/* Everything is checked before the first kernel call (DESIGN.md 3). */
static void validate(const struct options *o, char **program)
{
	const struct cidr *a = &o->addr;
	if (o->rm_bridge && (o->name || o->host_name || a->s || o->gw_s || o->bridge || o->bridge_addr.s ||
			     o->host_addr.s || o->mtu || *program))
		usage_error("--rm-bridge is a step of its own: no other option, no PROGRAM");
	if (o->gw_s && !a->s)
		usage_error("--gateway needs --addr: the gateway is reached through the container's subnet");
	if (o->gw_s && !same_subnet4(a->a, o->gw, a->prefix))
		usage_error("--gateway %s is not in --addr %s's subnet: the kernel could not reach it", o->gw_s, a->s);
	if (o->gw_s && o->gw.s_addr == a->a.s_addr)
		usage_error("--gateway %s is the container's own address", o->gw_s);
	if (o->bridge_addr.s && !o->bridge)
		usage_error("--bridge-addr needs --bridge: it is the address of the bridge it creates");
	if (o->bridge && o->host_addr.s)
		usage_error("give --bridge or --host-addr, not both: on a bridge the bridge holds the host's address");
	if (a->s && ((o->host_addr.s && o->host_addr.a.s_addr == a->a.s_addr) ||
		     (o->bridge_addr.s && o->bridge_addr.a.s_addr == a->a.s_addr)))
		usage_error("--addr %s is also the outer side's address: each end needs its own", a->s);
}

static _Noreturn void __attribute__((format(printf, 2, 3))) refuse(const char *hint_text, const char *fmt, ...)
{
	char text[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	fprintf(stderr, "vethpair: %s\n", text);
	hint("%s", hint_text);
	exit(EXIT_TOOL_FAILED);
}

/* The handle mkns --net left on the outer network namespace. */
static int outer_netns_fd(void)
{
	const char *v = getenv("BOXSTEP_OUTER_NETNS_FD");
	const struct ns_type *t;
	unsigned long fd;
	if (!v)
		refuse("run vethpair right after mkns --net, which leaves it a handle on the namespace it left: mkns --net -- vethpair ...",
		       "no outer network namespace to connect to: BOXSTEP_OUTER_NETNS_FD is not set");
	if (parse_uint(v, 1 << 20, &fd) < 0 || fd < 3 || !(t = nsfd_type((int)fd)) || strcmp(t->proc, "net"))
		die("BOXSTEP_OUTER_NETNS_FD=%s is not an open network namespace descriptor", v);
	if (nsfd_inode((int)fd) == ns_self_inode(t))
		refuse("put vethpair right after mkns --net", "this is not a new network namespace: BOXSTEP_OUTER_NETNS_FD names this one");
	return (int)fd;
}

static struct nl_sock out = { -1, 0 };
static int created_bridge; /* its index: removed again if vethpair fails later */

static void remove_created_bridge(void)
{
	if (created_bridge) /* vethpair failed after creating it */
		nl_link_del(&out, created_bridge);
}

static void must_be_free(struct nl_sock *s, const char *name, const char *where, const char *hint_text)
{
	struct nl_link l;
	if (nl_link_find(s, name, &l))
		refuse(hint_text, "a device named \"%s\" already exists in %s", name, where);
}

#define OUTER_BUT "exists in the outer network namespace but "
static void must_be_bridge(const struct nl_link *l, const char *where)
{
	if (strcmp(l->kind, "bridge") != 0)
		die("\"%s\" %sis not a bridge (kind \"%s\")%s", l->name, where, l->kind[0] ? l->kind : "none",
		    *where ? "" : ": not removed");
}

/* The bridge, found before (br->index) or created now; its address; up. */
static int wire_bridge(const struct options *o, struct nl_link *br)
{
	if (!br->index) {
		int made = nl_bridge_add(&out, o->bridge, 0) == 0;
		if ((!made && errno != EEXIST) || !nl_link_find(&out, o->bridge, br))
			nl_die(); /* EEXIST: another vethpair made it just now */
		must_be_bridge(br, OUTER_BUT);
		created_bridge = made ? br->index : 0;
		if (made)
			trace_comment("created bridge %s: it stays after the container, as docker0 does", o->bridge);
	}
	if (o->bridge_addr.s && nl_addr_add(&out, br->index, o->bridge_addr.a, o->bridge_addr.prefix) < 0) {
		if (errno != EEXIST)
			nl_die();
		trace_comment("%s already has %s", o->bridge, o->bridge_addr.s);
	}
	if (nl_link_up(&out, br->index, 0) < 0)
		nl_die();
	return br->index;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	chain_init(&tool);
	parse_args(&o, argc, argv);
	char **program = argv + optind;
	validate(&o, program);
	struct nl_link br = { 0 }, host_end, eth, lo;
	if (o.rm_bridge) { /* a step of its own, in this namespace */
		if (nl_open(&out, "rtnetlink in this namespace") < 0)
			die_call();
		if (!nl_link_find(&out, o.rm_bridge, &br))
			refuse("ip -d link show type bridge lists the bridges", "there is no device \"%s\" here", o.rm_bridge);
		must_be_bridge(&br, "");
		if (nl_link_del(&out, br.index) < 0)
			nl_die();
		return 0;
	}
	if (!o.name)
		o.name = "eth0";
	int outer = outer_netns_fd();
	const struct ns_type *net = nsfd_type(outer);
	char veth[NL_IFNAMSIZ], label[64]; /* the default outer name: unique while this namespace lives */
	snprintf(veth, sizeof veth, "veth%07lx", ns_self_inode(net) & 0xfffffff);
	const char *host_name = o.host_name ? o.host_name : veth;

	/* A netlink socket talks to the namespace it was made in: one here, one made
	 * in the outer namespace after a setns() there and back. */
	struct nl_sock in;
	int self;
	if (nl_open(&in, "rtnetlink in the container's namespace") < 0 ||
	    (self = sys_open("/proc/self/ns/net", O_RDONLY, 0)) < 0)
		die_call();
	if (sys_setns(outer, net->flag, nsfd_label(outer, net, label, sizeof label)) < 0) {
		report_call();
		if (errno == EPERM)
			hint("a rootless chain cannot reach the outer network namespace: it belongs to a user namespace where you are not root; rootless runtimes use a user-space network stack (slirp4netns, pasta) instead");
		exit(EXIT_TOOL_FAILED);
	}
	if (nl_open(&out, "rtnetlink in the outer namespace") < 0 || sys_setns(self, net->flag, "/proc/self/ns/net") < 0)
		die_call();
	close(self);

	/* The names and the bridge, checked before anything is made. */
	must_be_free(&in, o.name, "the container's network namespace", "choose another --name");
	must_be_free(&out, host_name, "the outer network namespace", "choose another --host-name (ip link lists the names taken)");
	if (o.bridge && nl_link_find(&out, o.bridge, &br))
		must_be_bridge(&br, OUTER_BUT);
	else if (o.bridge && !o.bridge_addr.s)
		refuse("add --bridge-addr CIDR to create it, as Docker creates docker0 with 172.17.0.1/16",
		       "there is no bridge \"%s\" in the outer network namespace", o.bridge);

	if (nl_veth_add(&in, o.name, host_name, (unsigned)o.mtu, outer) < 0)
		nl_die();
	atexit(remove_created_bridge);
	if (!nl_link_find(&out, host_name, &host_end))
		nl_die();
	if (!o.bridge && o.host_addr.s && nl_addr_add(&out, host_end.index, o.host_addr.a, o.host_addr.prefix) < 0)
		nl_die();
	if (nl_link_up(&out, host_end.index, o.bridge ? wire_bridge(&o, &br) : 0) < 0)
		nl_die();
	if (!nl_link_find(&in, "lo", &lo) || nl_link_up(&in, lo.index, 0) < 0 || !nl_link_find(&in, o.name, &eth))
		nl_die();
	if (o.addr.s && nl_addr_add(&in, eth.index, o.addr.a, o.addr.prefix) < 0)
		nl_die();
	if (nl_link_up(&in, eth.index, 0) < 0 || (o.gw_s && nl_route_add_default(&in, eth.index, o.gw) < 0))
		nl_die();
	created_bridge = 0;

	/* No way back: the program gets no handle on the outer namespace. */
	nl_close(&in), nl_close(&out);
	if (trace_call(close(outer), "close(%d)", outer) < 0)
		die_call();
	unsetenv("BOXSTEP_OUTER_NETNS_FD");
	trace_comment("%s here, %s outside%s%s", o.name, host_name, o.bridge ? " on " : "", o.bridge ? o.bridge : "");
	chain_exec(program);
}
