/* ns: namespace types and id maps. See ns.h. */
#include "ns.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "chain.h"
#include "clone_flags.h"
#include "log.h"
#include "sys.h"

static struct ns_type types[NS_TYPE_COUNT] = {
	{ "mount", "mnt", "CLONE_NEWNS", 'm', "2.4.19", "mount table", 0 },
	{ "uts", "uts", "CLONE_NEWUTS", 'u', "2.6.19", "hostname and domain name", 0 },
	{ "ipc", "ipc", "CLONE_NEWIPC", 'i', "2.6.19", "System V IPC and POSIX message queues", 0 },
	{ "pid", "pid", "CLONE_NEWPID", 'p', "2.6.24", "process ID numbers", 0 },
	{ "net", "net", "CLONE_NEWNET", 'n', "2.6.29", "network devices, addresses, routes, ports", 0 },
	{ "user", "user", "CLONE_NEWUSER", 'U', "3.8", "user and group IDs, capabilities", 0 },
	{ "cgroup", "cgroup", "CLONE_NEWCGROUP", 'C', "4.6", "view of the cgroup tree", 0 },
	{ "time", "time", "CLONE_NEWTIME", 'T', "5.6", "monotonic and boot-time clocks", 0 },
};

/* The flag values come from the generated table, never typed here. */
static void fill_flags(void)
{
	if (types[0].flag)
		return;
	static const struct { const char *name; unsigned long long value; } flags[] = {
#define CLONE_ENTRY(name, value) { name, (value) },
		CLONE_FLAG_TABLE(CLONE_ENTRY)
#undef CLONE_ENTRY
	};
	for (size_t i = 0; i < NS_TYPE_COUNT; i++)
		for (size_t j = 0; j < sizeof flags / sizeof flags[0]; j++)
			if (strcmp(types[i].clone_name, flags[j].name) == 0)
				types[i].flag = (int)flags[j].value;
}

const struct ns_type *ns_types(void)
{
	fill_flags();
	return types;
}

const struct ns_type *ns_by_name(const char *name)
{
	fill_flags();
	for (size_t i = 0; i < NS_TYPE_COUNT; i++)
		if (strcmp(name, types[i].option) == 0 || strcmp(name, types[i].proc) == 0)
			return &types[i];
	return NULL;
}

int ns_all_flags(bool with_user)
{
	fill_flags();
	int flags = 0;
	for (size_t i = 0; i < NS_TYPE_COUNT; i++)
		if (with_user || strcmp(types[i].option, "user") != 0)
			flags |= types[i].flag;
	return flags;
}

int ns_link(pid_t pid, const char *proc_name, char *buf, size_t size)
{
	char path[64];
	if (pid)
		snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, proc_name);
	else
		snprintf(path, sizeof path, "/proc/self/ns/%s", proc_name);
	ssize_t n = readlink(path, buf, size - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static void map_text(char *buf, size_t size, const struct id_range *r, size_t n)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%lu %lu %lu\n", r[i].inside,
					r[i].outside, r[i].count);
}

/* newuidmap PID IN OUT COUNT...: the setuid helper that checks /etc/subuid. */
static int map_with_helper(const char *helper, pid_t pid, const struct id_range *r, size_t n)
{
	char (*nums)[16] = calloc(3 * n + 1, sizeof *nums);
	char **argv = calloc(3 * n + 3, sizeof *argv);
	if (!nums || !argv)
		die("out of memory");
	size_t a = 0, k = 0;
	argv[a++] = (char *)helper;
	snprintf(nums[k], sizeof nums[k], "%d", (int)pid);
	argv[a++] = nums[k++];
	for (size_t i = 0; i < n; i++) {
		snprintf(nums[k], sizeof nums[k], "%lu", r[i].inside);
		argv[a++] = nums[k++];
		snprintf(nums[k], sizeof nums[k], "%lu", r[i].outside);
		argv[a++] = nums[k++];
		snprintf(nums[k], sizeof nums[k], "%lu", r[i].count);
		argv[a++] = nums[k++];
	}
	argv[a] = NULL;
	int code = chain_run(argv);
	free(argv);
	free(nums);
	if (code == EXIT_NOT_FOUND)
		hint("install Debian's uidmap package for multi-range maps, and give the user a range in /etc/subuid and /etc/subgid");
	return code == 0 ? 0 : -1;
}

int ns_map_fits(const struct id_range *r, size_t n)
{
	char text[NS_MAP_MAX + 64];
	map_text(text, sizeof text, r, n);
	return strlen(text) < NS_MAP_MAX;
}

static int write_map(pid_t pid, const char *which, const struct id_range *r, size_t n,
		     unsigned long own_id)
{
	char path[64], text[NS_MAP_MAX + 64];
	bool direct = geteuid() == 0 || (n == 1 && r[0].outside == own_id && r[0].count == 1);
	if (!direct)
		return map_with_helper(strcmp(which, "uid_map") == 0 ? "newuidmap" : "newgidmap", pid, r, n);
	if (strcmp(which, "gid_map") == 0 && geteuid() != 0) {
		/* user_namespaces(7): an unprivileged gid_map needs setgroups denied first,
		 * or the mapped user could drop groups that guard files against it. */
		snprintf(path, sizeof path, "/proc/%d/setgroups", (int)pid);
		if (sys_write_file(path, "deny") < 0) {
			report_call();
			return -1;
		}
	}
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, which);
	map_text(text, sizeof text, r, n);
	text[strlen(text) - 1] = '\0'; /* one write: the kernel takes the map once */
	if (sys_write_file(path, text) < 0) {
		report_call();
		hint_for_last_call(NULL);
		return -1;
	}
	return 0;
}

int ns_write_id_maps(pid_t pid, const struct id_range *uid, size_t nuid,
		     const struct id_range *gid, size_t ngid)
{
	if (nuid && write_map(pid, "uid_map", uid, nuid, geteuid()) < 0)
		return -1;
	if (ngid && write_map(pid, "gid_map", gid, ngid, getegid()) < 0)
		return -1;
	return 0;
}

void ns_map_writer_start(struct map_writer *w, const struct id_range *uid, size_t nuid,
			 const struct id_range *gid, size_t ngid)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		die("pipe2: %s", strerror(errno));
	pid_t target = getpid();
	pid_t pid = sys_fork("writes the id maps from the parent user namespace");
	if (pid < 0)
		die_call();
	if (pid == 0) {
		char byte;
		close(p[1]);
		if (read(p[0], &byte, 1) != 1)
			_exit(0); /* unshare failed: nothing to map */
		_exit(ns_write_id_maps(target, uid, nuid, gid, ngid) < 0 ? EXIT_TOOL_FAILED : 0);
	}
	close(p[0]);
	w->pid = pid;
	w->go = p[1];
}

int ns_map_writer_finish(struct map_writer *w)
{
	int status = -1;
	ssize_t n = write(w->go, "g", 1);
	close(w->go);
	if (n != 1 || waitpid(w->pid, &status, 0) < 0)
		return -1;
	return status == 0 ? 0 : -1;
}

/* Until it changes ids, the caller keeps its host uid for every file it touches,
 * even where the map shows it as 65534: a root that maps 0 inside to 100000 outside
 * must become that uid 0, as runc does, or remapping protects nothing. */
void ns_become_mapped_root(const struct id_range *uid, size_t nuid, const struct id_range *gid, size_t ngid)
{
	int uid0 = 0, gid0 = 0;
	char setgroups[16];
	for (size_t i = 0; i < nuid; i++)
		uid0 |= uid[i].inside == 0;
	for (size_t i = 0; i < ngid; i++)
		gid0 |= gid[i].inside == 0;
	if (!uid0) {
		for (size_t i = 0; i < nuid; i++)
			if (geteuid() >= uid[i].outside && geteuid() - uid[i].outside < uid[i].count)
				return; /* the caller's own uid is mapped: it is who the map says */
		warn("uid 0 is not mapped inside and your uid %u is not in the map: files still see uid %u",
		     (unsigned)geteuid(), (unsigned)geteuid());
		return;
	}
	/* user_namespaces(7): setgroups(2) works only once gid_map is written, and not
	 * where an unprivileged writer had to deny it. */
	if (ngid && read_file("/proc/self/setgroups", setgroups, sizeof setgroups) > 0 &&
	    strcmp(setgroups, "allow") == 0 && sys_setgroups(0, NULL) < 0)
		die_call();
	if (gid0 && sys_setresgid(0, 0, 0) < 0)
		die_call();
	if (sys_setresuid(0, 0, 0) < 0)
		die_call();
}
