/* netlink: a small rtnetlink client. See netlink.h.
 *
 * A request is a struct nlmsghdr, a fixed header (struct ifinfomsg, ifaddrmsg or
 * rtmsg) and attributes, each a struct rtattr {len, type} and its data padded to 4
 * bytes; a nested attribute's data is more attributes. While the message is built,
 * the same calls write its description for the trace and the error line, so what is
 * printed is what was sent. */
#include "netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "parse.h"

#define BUF_SIZE 2048
#define DESC_SIZE 1024

struct req {
	union {
		struct nlmsghdr h;
		char buf[BUF_SIZE];
	} u;
	char desc[DESC_SIZE];
	size_t dlen;
	bool sep; /* the next item needs ", " before it */
};

static char last_req[DESC_SIZE], last_ext[512];

const char *nl_last_request(void) { return last_req; }
const char *nl_last_ext_ack(void) { return last_ext; }

static void d_put(char *d, size_t size, size_t *len, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void d_put(char *d, size_t size, size_t *len, const char *fmt, ...)
{
	if (*len >= size - 1)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(d + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len = *len + (size_t)n < size - 1 ? *len + (size_t)n : size - 1;
}
#define R_PUT(r, ...) d_put((r)->desc, DESC_SIZE, &(r)->dlen, __VA_ARGS__)

static void r_item(struct req *r)
{
	if (r->sep)
		R_PUT(r, ", ");
	r->sep = true;
}

static void *r_grow(struct req *r, size_t len)
{
	size_t off = NLMSG_ALIGN(r->u.h.nlmsg_len);
	if (off + RTA_ALIGN(len) > BUF_SIZE)
		abort(); /* requests here are small and fixed: a bug, not an input error */
	memset(r->u.buf + off, 0, RTA_ALIGN(len));
	r->u.h.nlmsg_len = (unsigned)(off + len);
	return r->u.buf + off;
}

/* The netlink header, then the fixed header whose description is fixed_desc. */
static void *r_init(struct req *r, unsigned short type, const char *type_name, unsigned short flags,
		    const char *flag_names, size_t fixed_len)
{
	memset(&r->u.h, 0, sizeof r->u.h);
	r->u.h.nlmsg_len = NLMSG_HDRLEN;
	r->u.h.nlmsg_type = type;
	r->u.h.nlmsg_flags = (unsigned short)(NLM_F_REQUEST | NLM_F_ACK | flags);
	r->dlen = 0;
	r->sep = false;
	R_PUT(r, "%s{", type_name);
	if (flag_names) { /* "NLM_F_CREATE | NLM_F_EXCL" as written, without the blanks */
		for (; *flag_names; flag_names++)
			if (*flag_names != ' ')
				R_PUT(r, "%c", *flag_names);
		r->sep = true;
	}
	return r_grow(r, fixed_len);
}

static struct rtattr *r_attr(struct req *r, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = r_grow(r, RTA_LENGTH(len));
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	return a;
}

static void attr_str(struct req *r, unsigned short type, const char *name, const char *s)
{
	r_attr(r, type, s, strlen(s) + 1);
	r_item(r);
	char q[128] = "";
	quote_str(q, sizeof q, s);
	R_PUT(r, "%s=%s", name, q);
}

static void attr_u32(struct req *r, unsigned short type, const char *name, unsigned v)
{
	r_attr(r, type, &v, sizeof v);
	r_item(r);
	R_PUT(r, "%s=%u", name, v);
}

static void attr_in4(struct req *r, unsigned short type, const char *name, struct in_addr a)
{
	char s[INET_ADDRSTRLEN];
	r_attr(r, type, &a, sizeof a);
	r_item(r);
	R_PUT(r, "%s=%s", name, inet_ntop(AF_INET, &a, s, sizeof s));
}

static size_t nest_begin(struct req *r, unsigned short type, const char *name)
{
	size_t off = NLMSG_ALIGN(r->u.h.nlmsg_len);
	r_attr(r, type, NULL, 0);
	r_item(r);
	R_PUT(r, "%s={", name);
	r->sep = false;
	return off;
}

static void nest_end(struct req *r, size_t off)
{
	struct rtattr *a = (struct rtattr *)(r->u.buf + off);
	a->rta_len = (unsigned short)(r->u.h.nlmsg_len - off);
	R_PUT(r, "}");
	r->sep = true;
}

/* The constants' own names for the description. */
#define ATTR_STR(r, t, s) attr_str(r, t, #t, s)
#define ATTR_U32(r, t, v) attr_u32(r, t, #t, v)
#define ATTR_IN4(r, t, a) attr_in4(r, t, #t, a)
#define NEST(r, t) nest_begin(r, t, #t)
#define INIT(r, type, flags, fixed) r_init(r, type, #type, flags, #flags, sizeof(fixed))
#define INIT0(r, type, fixed) r_init(r, type, #type, 0, NULL, sizeof(fixed))

static char *errno_str(char *buf, size_t size, int err)
{
	const char *name = errno_name(err);
	if (name)
		snprintf(buf, size, "-%s", name);
	else
		snprintf(buf, size, "%d", -err);
	return buf;
}

/* "IFF_UP|IFF_LOWER_UP" for the flags ip-link(8) shows. */
static const char *iff_str(char *buf, size_t size, unsigned flags)
{
#define IFF(name) { #name, name }
	static const struct { const char *name; unsigned v; } names[] = {
		IFF(IFF_UP), IFF(IFF_BROADCAST), IFF(IFF_LOOPBACK), IFF(IFF_RUNNING),
		IFF(IFF_MULTICAST), IFF(IFF_LOWER_UP),
	};
#undef IFF
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (flags & names[i].v)
			d_put(buf, size, &len, "%s%s", len ? "|" : "", names[i].name);
	if (!len)
		d_put(buf, size, &len, "0");
	return buf;
}

/* The description of one reply message, appended to d; on NLMSG_ERROR, *err is set
 * to the kernel's answer (0 for an ACK) and the extended ACK text kept. */
static void describe_reply(const struct nlmsghdr *h, char *d, size_t size, size_t *len, int *err,
			   struct nl_link *link)
{
	if (h->nlmsg_type == NLMSG_DONE) {
		d_put(d, size, len, "NLMSG_DONE");
		return;
	}
	if (h->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(h);
		char en[32];
		*err = e->error;
		d_put(d, size, len, "NLMSG_ERROR{error=%s", e->error ? errno_str(en, sizeof en, -e->error) : "0");
		last_ext[0] = '\0';
		if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
			/* With NETLINK_CAP_ACK the TLVs follow struct nlmsgerr directly. */
			size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof *e);
			const struct rtattr *a = (const void *)((const char *)h + off);
			int left = (int)h->nlmsg_len - (int)off;
			for (; RTA_OK(a, left); a = RTA_NEXT(a, left))
				if (a->rta_type == NLMSGERR_ATTR_MSG)
					snprintf(last_ext, sizeof last_ext, "%.*s", (int)RTA_PAYLOAD(a),
						 (const char *)RTA_DATA(a));
		}
		if (last_ext[0]) {
			char q[560] = "";
			quote_str(q, sizeof q, last_ext);
			d_put(d, size, len, ", msg=%s", q);
		}
		d_put(d, size, len, "}");
		return;
	}
	if (h->nlmsg_type == RTM_NEWLINK && link) {
		const struct ifinfomsg *ifi = NLMSG_DATA(h);
		const struct rtattr *a = IFLA_RTA(ifi);
		int left = (int)IFLA_PAYLOAD(h);
		memset(link, 0, sizeof *link);
		link->index = ifi->ifi_index;
		link->flags = ifi->ifi_flags;
		char f[128];
		d_put(d, size, len, "RTM_NEWLINK{{ifi_index=%d, ifi_flags=%s}", ifi->ifi_index,
		      iff_str(f, sizeof f, ifi->ifi_flags));
		for (; RTA_OK(a, left); a = RTA_NEXT(a, left)) {
			if (a->rta_type == IFLA_IFNAME) {
				snprintf(link->name, sizeof link->name, "%s", (const char *)RTA_DATA(a));
				d_put(d, size, len, ", IFLA_IFNAME=\"%s\"", link->name);
			} else if (a->rta_type == IFLA_MTU) {
				link->mtu = *(const unsigned *)RTA_DATA(a);
				d_put(d, size, len, ", IFLA_MTU=%u", link->mtu);
			} else if (a->rta_type == IFLA_MASTER) {
				link->master = *(const int *)RTA_DATA(a);
				d_put(d, size, len, ", IFLA_MASTER=%d", link->master);
			} else if (a->rta_type == IFLA_LINKINFO) {
				const struct rtattr *b = RTA_DATA(a);
				int l2 = (int)RTA_PAYLOAD(a);
				for (; RTA_OK(b, l2); b = RTA_NEXT(b, l2))
					if (b->rta_type == IFLA_INFO_KIND) {
						snprintf(link->kind, sizeof link->kind, "%s", (const char *)RTA_DATA(b));
						d_put(d, size, len, ", IFLA_LINKINFO={IFLA_INFO_KIND=\"%s\", ...}", link->kind);
					}
			}
		}
		d_put(d, size, len, ", ...}");
		return;
	}
	d_put(d, size, len, "{nlmsg_type=%u, ...}", h->nlmsg_type);
}

/* Sends r and reads replies up to the ACK. link (may be NULL) receives an
 * RTM_NEWLINK reply. 0, or -1 with errno. */
static int transact(struct nl_sock *s, struct req *r, struct nl_link *link)
{
	static char rbuf[32768];
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct iovec iov = { r->u.buf, r->u.h.nlmsg_len };
	struct msghdr m = { .msg_name = &kernel, .msg_namelen = sizeof kernel, .msg_iov = &iov, .msg_iovlen = 1 };

	R_PUT(r, "}");
	snprintf(last_req, sizeof last_req, "%s", r->desc);
	last_ext[0] = '\0';
	r->u.h.nlmsg_seq = ++s->seq;
	if (trace_call(sendmsg(s->fd, &m, 0), "sendmsg(%d, %s)", s->fd, r->desc) < 0)
		return -1;
	for (;;) {
		ssize_t n = recv(s->fd, rbuf, sizeof rbuf, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return (int)trace_call(-1, "recvmsg(%d)", s->fd);
		}
		char d[2048];
		size_t dlen = 0;
		int err = 1, count = 0;
		int left = (int)n;
		for (struct nlmsghdr *h = (void *)rbuf; NLMSG_OK(h, (unsigned)left); h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != s->seq)
				continue; /* a late answer to an earlier request */
			if (count++)
				d_put(d, sizeof d, &dlen, ", ");
			describe_reply(h, d, sizeof d, &dlen, &err, link);
		}
		if (count == 0)
			continue;
		trace_call(n, count > 1 ? "recvmsg(%d, [%s])" : "recvmsg(%d, %s)", s->fd, d);
		if (err <= 0) {
			if (err == 0)
				return 0;
			errno = -err;
			return -1;
		}
	}
}

int nl_open(struct nl_sock *s, const char *why)
{
	int one = 1;
	s->seq = 0;
	s->fd = (int)trace_call_why(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), why,
				    "socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE)");
	if (s->fd < 0)
		return -1;
	/* The kernel's reason in text (extended ACK), and the refused request not echoed
	 * back in full (CAP_ACK). Both are optional: an old kernel just says less. */
	trace_call(setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one),
		   "setsockopt(%d, SOL_NETLINK, NETLINK_EXT_ACK, [1], 4)", s->fd);
	trace_call(setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one),
		   "setsockopt(%d, SOL_NETLINK, NETLINK_CAP_ACK, [1], 4)", s->fd);
	return 0;
}

void nl_close(struct nl_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

int nl_link_get(struct nl_sock *s, const char *name, struct nl_link *out)
{
	struct req r;
	struct ifinfomsg *ifi = INIT0(&r, RTM_GETLINK, struct ifinfomsg);
	ifi->ifi_family = AF_UNSPEC;
	ATTR_STR(&r, IFLA_IFNAME, name);
	out->index = 0;
	if (transact(s, &r, out) < 0)
		return -1;
	if (out->index == 0) {
		errno = ENODEV;
		return -1;
	}
	return 0;
}

int nl_link_find(struct nl_sock *s, const char *name, struct nl_link *out)
{
	if (nl_link_get(s, name, out) == 0)
		return 1;
	if (errno != ENODEV)
		nl_die();
	return 0;
}

static struct ifinfomsg *link_req(struct req *r, int create)
{
	struct ifinfomsg *ifi = create ? INIT(r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, struct ifinfomsg)
				       : INIT0(r, RTM_NEWLINK, struct ifinfomsg);
	ifi->ifi_family = AF_UNSPEC;
	return ifi;
}

int nl_veth_add(struct nl_sock *s, const char *name, const char *peer, unsigned mtu, int peer_netns_fd)
{
	struct req r;
	link_req(&r, 1);
	ATTR_STR(&r, IFLA_IFNAME, name);
	if (mtu)
		ATTR_U32(&r, IFLA_MTU, mtu);
	size_t info = NEST(&r, IFLA_LINKINFO);
	ATTR_STR(&r, IFLA_INFO_KIND, "veth");
	size_t data = NEST(&r, IFLA_INFO_DATA);
	/* The peer is described like a link of its own: a struct ifinfomsg, then its
	 * attributes, nested in VETH_INFO_PEER (veth(4)). */
	size_t p = NEST(&r, VETH_INFO_PEER);
	struct ifinfomsg *pifi = r_grow(&r, sizeof *pifi);
	pifi->ifi_family = AF_UNSPEC;
	ATTR_STR(&r, IFLA_IFNAME, peer);
	if (mtu)
		ATTR_U32(&r, IFLA_MTU, mtu);
	if (peer_netns_fd >= 0)
		ATTR_U32(&r, IFLA_NET_NS_FD, (unsigned)peer_netns_fd);
	nest_end(&r, p);
	nest_end(&r, data);
	nest_end(&r, info);
	return transact(s, &r, NULL);
}

int nl_bridge_add(struct nl_sock *s, const char *name, unsigned mtu)
{
	struct req r;
	link_req(&r, 1);
	ATTR_STR(&r, IFLA_IFNAME, name);
	if (mtu)
		ATTR_U32(&r, IFLA_MTU, mtu);
	size_t info = NEST(&r, IFLA_LINKINFO);
	ATTR_STR(&r, IFLA_INFO_KIND, "bridge");
	nest_end(&r, info);
	return transact(s, &r, NULL);
}

int nl_link_up(struct nl_sock *s, int index, int master)
{
	struct req r;
	struct ifinfomsg *ifi = link_req(&r, 0);
	ifi->ifi_index = index;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	r_item(&r);
	R_PUT(&r, "{ifi_index=%d, ifi_flags=IFF_UP, ifi_change=IFF_UP}", index);
	if (master > 0)
		ATTR_U32(&r, IFLA_MASTER, (unsigned)master);
	return transact(s, &r, NULL);
}

int nl_link_del(struct nl_sock *s, int index)
{
	struct req r;
	struct ifinfomsg *ifi = INIT0(&r, RTM_DELLINK, struct ifinfomsg);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	r_item(&r);
	R_PUT(&r, "{ifi_index=%d}", index);
	return transact(s, &r, NULL);
}

int nl_addr_add(struct nl_sock *s, int index, struct in_addr addr, unsigned prefix)
{
	struct req r;
	struct ifaddrmsg *ifa = INIT(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, struct ifaddrmsg);
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_index = (unsigned)index;
	r_item(&r);
	R_PUT(&r, "{ifa_family=AF_INET, ifa_prefixlen=%u, ifa_index=%d}", prefix, index);
	/* LOCAL is this end's address; ADDRESS the peer's, the same on a broadcast link. */
	ATTR_IN4(&r, IFA_LOCAL, addr);
	ATTR_IN4(&r, IFA_ADDRESS, addr);
	return transact(s, &r, NULL);
}

int nl_route_add_default(struct nl_sock *s, int index, struct in_addr gateway)
{
	struct req r;
	struct rtmsg *rt = INIT(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, struct rtmsg);
	rt->rtm_family = AF_INET;
	rt->rtm_dst_len = 0; /* 0.0.0.0/0: the default route */
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_BOOT;
	rt->rtm_scope = RT_SCOPE_UNIVERSE;
	rt->rtm_type = RTN_UNICAST;
	r_item(&r);
	R_PUT(&r, "{rtm_family=AF_INET, rtm_dst_len=0, rtm_table=RT_TABLE_MAIN, rtm_type=RTN_UNICAST}");
	ATTR_IN4(&r, RTA_GATEWAY, gateway);
	ATTR_U32(&r, RTA_OIF, (unsigned)index);
	return transact(s, &r, NULL);
}

int nl_addr_each(struct nl_sock *s, void (*each)(const char *ifname, const char *addr, unsigned prefix, void *ctx),
		 void *ctx)
{
	static char rbuf[32768];
	struct req r;
	struct ifaddrmsg *ifa = INIT(&r, RTM_GETADDR, NLM_F_DUMP, struct ifaddrmsg);
	ifa->ifa_family = AF_INET;
	r.u.h.nlmsg_flags &= (unsigned short)~NLM_F_ACK; /* a dump ends with NLMSG_DONE */
	R_PUT(&r, "}");
	r.u.h.nlmsg_seq = ++s->seq;
	if (trace_call(send(s->fd, r.u.buf, r.u.h.nlmsg_len, 0), "sendmsg(%d, %s)", s->fd, r.desc) < 0)
		return -1;
	for (;;) {
		ssize_t n = recv(s->fd, rbuf, sizeof rbuf, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return (int)trace_call(n, "recvmsg(%d)", s->fd);
		int left = (int)n, count = 0, done = 0, err = 0;
		for (struct nlmsghdr *h = (void *)rbuf; NLMSG_OK(h, (unsigned)left); h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != s->seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				if (h->nlmsg_type == NLMSG_ERROR)
					err = -((const struct nlmsgerr *)NLMSG_DATA(h))->error;
				break;
			}
			if (h->nlmsg_type != RTM_NEWADDR)
				continue;
			count++;
			const struct ifaddrmsg *a = NLMSG_DATA(h);
			const struct rtattr *at = IFA_RTA(a);
			int l = (int)IFA_PAYLOAD(h);
			char name[NL_IFNAMSIZ] = "?", addr[INET_ADDRSTRLEN] = "";
			for (; RTA_OK(at, l); at = RTA_NEXT(at, l)) {
				if (at->rta_type == IFA_LABEL)
					snprintf(name, sizeof name, "%s", (const char *)RTA_DATA(at));
				else if (at->rta_type == IFA_LOCAL)
					inet_ntop(AF_INET, RTA_DATA(at), addr, sizeof addr);
			}
			if (addr[0])
				each(name, addr, a->ifa_prefixlen, ctx);
		}
		trace_call(n, "recvmsg(%d, [%d x RTM_NEWADDR%s])", s->fd, count, done ? ", NLMSG_DONE" : "");
		if (err) {
			errno = err;
			return -1;
		}
		if (done)
			return 0;
	}
}

void nl_report(void)
{
	int err = errno;
	if (last_ext[0])
		fprintf(stderr, "%s: %s: %s (kernel: \"%s\")\n", log_prog(), last_req, strerror(err), last_ext);
	else
		fprintf(stderr, "%s: %s: %s\n", log_prog(), last_req, strerror(err));
	errno = err;
}

_Noreturn void nl_die(void)
{
	nl_report();
	exit(EXIT_TOOL_FAILED);
}

int parse_ip4(const char *s, struct in_addr *addr)
{
	/* inet_pton takes dotted decimal only: no "10.1", no hex, no trailing text. */
	return inet_pton(AF_INET, s, addr) == 1 ? 0 : -1;
}

int parse_cidr4(const char *s, struct in_addr *addr, unsigned *prefix)
{
	char ip[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	unsigned long p;
	if (!slash || (size_t)(slash - s) >= sizeof ip)
		return -1;
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = '\0';
	if (parse_ip4(ip, addr) < 0 || parse_uint(slash + 1, 32, &p) < 0)
		return -1;
	*prefix = (unsigned)p;
	return 0;
}

bool same_subnet4(struct in_addr a, struct in_addr b, unsigned prefix)
{
	uint32_t mask = prefix ? htonl(~0u << (32 - prefix)) : 0;
	return (a.s_addr & mask) == (b.s_addr & mask);
}

bool valid_ifname(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n >= NL_IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	return strcspn(name, "/: \t\n") == n;
}
