/* mkrootfs: a root filesystem as a plain directory, offline: busybox and its
 * applets, or host programs with every library they load, or an application
 * layer of a few files. A builder, not a chain stage: it runs nothing after.
 *
 * A root filesystem is only files: a program, the libraries its ELF headers name,
 * the dynamic loader, /etc/passwd. pivot(1) makes one the root of a container;
 * overlaymount(1) stacks a layer on top of another. */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chain.h"
#include "elfinfo.h"
#include "log.h"
#include "mount.h"
#include "sys.h"
#include "sysfs.h"

#define USAGE "mkrootfs DIR | mkrootfs --from-host PROGRAM... DIR | mkrootfs --layer DIR FILE[:DEST]..."

static const struct tool tool = {
	"mkrootfs", USAGE,
	"Build a root filesystem in DIR, without any image registry.\n"
	"\n"
	"  mkrootfs DIR       a minimal root: bin sbin etc dev proc sys tmp root, busybox (from\n"
	"                     the busybox-static package) with each applet as a link to it,\n"
	"                     /etc/passwd and /etc/group (root, nobody), /etc/hostname, and the\n"
	"                     /.boxstep/bin mount point pivot(1) uses. DIR: new or empty.\n"
	"  --from-host PROGRAM... DIR\n"
	"                     copies host programs (a name is looked up in PATH) and every\n"
	"                     shared library they need, found in the ELF files themselves:\n"
	"                     the loader (PT_INTERP), the libraries (DT_NEEDED) searched in\n"
	"                     DT_RUNPATH, /etc/ld.so.conf and the standard directories, and\n"
	"                     theirs in turn. No ldd. A script brings its #! interpreter.\n"
	"                     Libraries loaded with dlopen(3) are not seen: interpreters such\n"
	"                     as python3 also need their library trees copied by hand.\n"
	"                     DIR may exist (add bash to a busybox root); files are replaced.\n"
	"  --layer DIR FILE[:DEST]...\n"
	"                     an application layer holding only the given files, each at DEST\n"
	"                     (default: FILE's own path, taken from the layer's root). DIR: new\n"
	"                     or empty. For overlaymount(1) --lower.\n"
	"\n"
	"Options:\n"
	"  -v, --verbose      trace every kernel call (or BOXSTEP_TRACE=1)\n"
	"  -h, --help         this help\n"
	"  -V, --version      version\n"
	"\n"
	"Kernel calls: mkdir(2), open(2), sendfile(2) to copy, symlink(2); clone() and execve\n"
	"of busybox --list-full for its applet names.\n"
	"\n"
	"Example:\n"
	"  mkrootfs rootfs && mkns --mount --pid -- pivot rootfs -- /bin/sh\n"
	"\n"
	"Exit status: 0, or 125 if mkrootfs failed (nothing is created when the input is bad).\n"
	"See mkrootfs(1), pivot(1), overlaymount(1), elf(5), ld.so(8).\n",
};

#define MAX_FILES 512

struct file {
	char src[PATH_MAX], dst[PATH_MAX]; /* dst: absolute inside DIR */
};
static struct file files[MAX_FILES];
static size_t nfiles;

static const struct option longopts[] = {
	{ "from-host", no_argument, NULL, 'H' }, { "layer", no_argument, NULL, 'L' }, CHAIN_COMMON_LONGOPTS,
};

/* DIR is new, or an existing directory (empty when empty_only). */
static void check_dir(const char *dir, int empty_only)
{
	struct stat st;
	if (stat(dir, &st) < 0) {
		if (errno != ENOENT)
			die("DIR: stat(\"%s\"): %s", dir, strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode))
		die("DIR '%s' exists and is not a directory", dir);
	DIR *d = empty_only ? opendir(dir) : NULL;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			die("DIR '%s' exists and is not empty: give a new directory", dir);
	if (d)
		closedir(d);
}

static void add_file(const char *src, const char *dst)
{
	for (size_t i = 0; i < nfiles; i++)
		if (strcmp(files[i].dst, dst) == 0)
			return;
	if (nfiles == MAX_FILES)
		die("more than %d files to copy", MAX_FILES);
	snprintf(files[nfiles].src, sizeof files[0].src, "%s", src);
	snprintf(files[nfiles].dst, sizeof files[0].dst, "%s", dst);
	nfiles++;
}

/* FILE[:DEST]: DEST, or FILE's own path, taken from the layer's root. */
static void add_layer_file(char *arg)
{
	char *colon = strchr(arg, ':');
	const char *dst = colon ? colon + 1 : arg;
	struct stat st;
	if (colon)
		*colon = '\0';
	if (!*arg || !*dst || strstr(dst, "..") || strcmp(dst + strspn(dst, "/"), "") == 0)
		usage_error("invalid FILE '%s%s%s' for --layer: a path without '..', as app/run.sh or "
			    "run.sh:/app/run.sh", arg, colon ? ":" : "", colon ? dst : "");
	if (stat(arg, &st) < 0 || !S_ISREG(st.st_mode))
		die("--layer: '%s' is not a regular file%s%s", arg, errno == ENOENT ? ": " : "",
		    errno == ENOENT ? strerror(errno) : "");
	char abs[PATH_MAX];
	snprintf(abs, sizeof abs, "/%s", dst + strspn(dst, "/"));
	add_file(arg, abs);
}

static void make(const char *path, mode_t mode)
{
	struct stat st;
	if (lstat(path, &st) == 0)
		return;
	if (sys_mkdir(path, mode) < 0 || ((mode & 07000) && sys_chmod(path, mode) < 0))
		die_call();
}

static void write_new(const char *dir, const char *name, const char *text)
{
	char p[PATH_MAX + 64];
	struct stat st;
	snprintf(p, sizeof p, "%s/%s", dir, name);
	if (lstat(p, &st) < 0 && sys_create_file(p, 0644, text, strlen(text)) < 0)
		die_call();
}

static void skeleton(const char *dir)
{
	static const char *const dirs[] = { "bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "dev",
					     "proc", "sys", "root", ".boxstep", ".boxstep/bin" };
	char p[PATH_MAX + 64];
	make(dir, 0755);
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, dirs[i]);
		make(p, strcmp(dirs[i], "root") == 0 ? 0700 : 0755);
	}
	snprintf(p, sizeof p, "%s/tmp", dir);
	make(p, 01777);
	write_new(dir, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
	write_new(dir, "etc/group", "root:x:0:\nnobody:x:65534:\n");
	write_new(dir, "etc/hostname", "box\n");
}

/* Copies every file into DIR, at its dst, replacing what is there. */
static void copy_files(const char *dir)
{
	char real[PATH_MAX], parent[PATH_MAX], p[PATH_MAX];
	if (!realpath(dir, real))
		die("realpath(\"%s\"): %s", dir, strerror(errno));
	for (size_t i = 0; i < nfiles; i++) {
		struct stat st, old;
		char *slash = strrchr(files[i].dst, '/');
		snprintf(parent, sizeof parent, "%.*s", (int)(slash - files[i].dst), files[i].dst);
		if (stat(files[i].src, &st) < 0)
			die("stat(\"%s\"): %s", files[i].src, strerror(errno));
		if (root_mkpath(real, parent, 0, p, sizeof p) < 0)
			die_call();
		size_t len = strlen(p);
		snprintf(p + len, sizeof p - len, "/%s", slash + 1);
		if ((lstat(p, &old) == 0 || errno != ENOENT) && sys_unlink(p) < 0)
			die_call();
		if (sys_copy_file(files[i].src, p, st.st_mode & 07777) < 0)
			die_call();
	}
}

/* The applets, from busybox --list-full: "bin/ls", "usr/bin/awk", ... */
static char *busybox_applets(const char *busybox)
{
	static char out[64 * 1024];
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		die("pipe2: %s", strerror(errno));
	pid_t pid = sys_fork("runs busybox --list-full");
	if (pid < 0)
		die_call();
	if (pid == 0) {
		dup2(p[1], 1);
		trace_line("execve(\"%s\", [\"busybox\", \"--list-full\"]) = 0", busybox);
		execl(busybox, "busybox", "--list-full", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	size_t len = 0;
	ssize_t n;
	while (len + 1 < sizeof out && (n = read(p[0], out + len, sizeof out - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(p[0]);
	int status;
	if (waitpid(pid, &status, 0) < 0 || status != 0 || len == 0)
		die("%s --list-full failed: is it busybox?", busybox);
	return out;
}

static void busybox_root(const char *dir)
{
	char busybox[PATH_MAX], link[PATH_MAX + 64], target[64];
	struct elf_info e;
	snprintf(busybox, sizeof busybox, "/bin/busybox");
	if (access(busybox, X_OK) < 0)
		busybox[0] = '\0';
	if (!busybox[0] || elf_read(busybox, &e) < 0 || e.interp[0]) {
		fprintf(stderr, "mkrootfs: %s\n", !busybox[0] ? "busybox not found: /bin/busybox is missing" :
			e.interp[0] ? "busybox is linked dynamically: it would not run in a root without libraries" :
			"busybox is not an ELF program");
		hint("install the static build: apt-get install busybox-static");
		exit(EXIT_TOOL_FAILED);
	}
	char *applets = busybox_applets(busybox);
	skeleton(dir);
	add_file(busybox, "/bin/busybox");
	copy_files(dir);
	for (char *line = strtok(applets, "\n"); line; line = strtok(NULL, "\n")) {
		char *slash = strrchr(line, '/');
		if (!slash || strcmp(line, "bin/busybox") == 0 || strstr(line, ".."))
			continue;
		int depth = 0;
		for (char *c = line; c < slash; c++)
			depth += *c == '/';
		snprintf(target, sizeof target, "%s", strncmp(line, "bin/", 4) == 0 ? "busybox" :
			 depth == 0 ? "../bin/busybox" : "../../bin/busybox");
		snprintf(link, sizeof link, "%s/%s", dir, line);
		struct stat st;
		if (lstat(link, &st) < 0 && sys_symlink(target, link) < 0)
			die_call();
	}
}

int main(int argc, char **argv)
{
	int c, from_host = 0, layer = 0;
	chain_init(&tool);
	while ((c = getopt_long(argc, argv, "+:" CHAIN_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (c == 'H')
			chain_once(&from_host, "--from-host");
		else if (c == 'L')
			chain_once(&layer, "--layer");
		else
			chain_common_option(&tool, c, argv);
	}
	int n = argc - optind;
	char **args = argv + optind;
	if (from_host && layer)
		usage_error("give either --from-host or --layer");
	if (n < 1 || (n != 1 && !from_host && !layer) || ((from_host || layer) && n < 2))
		usage_error("%s", from_host ? "expected PROGRAM... DIR" : layer ? "expected DIR FILE..."
			    : n ? "expected one DIR (to copy host programs: --from-host)" : "missing DIR");
	if (layer) {
		check_dir(args[0], 1);
		for (int i = 1; i < n; i++)
			add_layer_file(args[i]);
		make(args[0], 0755);
		copy_files(args[0]);
	} else if (from_host) {
		check_dir(args[n - 1], 0);
		static struct elf_files progs;
		for (int i = 0; i < n - 1; i++)
			elf_add_program(&progs, args[i]);
		for (size_t i = 0; i < progs.n; i++)
			add_file(progs.path[i], progs.path[i]);
		skeleton(args[n - 1]);
		copy_files(args[n - 1]);
	} else {
		check_dir(args[0], 1);
		busybox_root(args[0]);
	}
	return 0;
}
