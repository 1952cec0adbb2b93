/* ocirun: run an OCI runtime bundle as the boxstep chain (runtime-spec, config.md).
 *
 * A bundle is a directory holding config.json and a root filesystem: what runc,
 * crun and youki take, and what containerd hands them for every `docker run`.
 * config.json describes a container field by field; each field is one kernel
 * mechanism, so each maps to one boxstep stage and its options (lib/ocispec). ocirun
 * prints that chain (--print) or execs it: it is not a runtime with state, only a
 * translator, so there is no create/start/kill/delete, and the chain's supervisors
 * (cgset, mkns --pid) clean up when the program ends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chain.h"
#include "log.h"
#include "ocispec.h"

#define USAGE "ocirun [--print] [-v] BUNDLE | ocirun --print-seccomp default"

static const struct tool tool = {
	"ocirun", USAGE,
	"Run the container BUNDLE/config.json describes as the boxstep chain that builds\n"
	"it, or print that chain (--print). BUNDLE: a directory with config.json and the\n"
	"root filesystem it names (runc spec writes one; mkrootfs makes a root).\n"
	"\n"
	"Options:\n"
	"      --print        print the chain, one stage a line, and run nothing\n"
	"      --print-seccomp default   print Docker's profile as seccompbpf --profile\n"
	"                     default builds it, as config.json's linux.seccomp (what\n"
	"                     boxrun --bundle writes; ocirun maps it back to that)\n"
	"  -v, --verbose      trace every kernel call of every stage (BOXSTEP_TRACE=1)\n"
	"  -h, --help         this help\n"
	"  -V, --version      version\n"
	"\n"
	"config.json                        boxstep stage and option\n"
	"  linux.cgroupsPath /P/NAME, NAME   cgset --parent /P --name NAME (NAME: --parent self)\n"
	"  linux.resources memory cpu pids   cgset --memory --swap --cpus --cpu-weight --cpuset --pids\n"
	"  linux.namespaces[].path           nsjoin --TYPE=PATH\n"
	"  linux.namespaces[] (no path)      mkns --TYPE; uid/gidMappings: --uid-map --gid-map;\n"
	"  hostname, domainname              mkns --hostname --domainname; timeOffsets: --monotonic\n"
	"  root.path, root.readonly          pivot ROOT, --readonly\n"
	"  mounts: proc sysfs devpts mqueue  pivot's own, at /proc /sys /dev/pts /dev/mqueue\n"
	"          tmpfs, bind               pivot --tmpfs DST[:SIZE], --bind SRC:DST[:ro]\n"
	"  maskedPaths, readonlyPaths        pivot's (Docker's lists); none, sysfs rw: --no-masks\n"
	"  process.cwd                       pivot --chdir\n"
	"  process.rlimits                   rlimits --nofile SOFT:HARD ...\n"
	"  process.capabilities              capdrop --keep (bounding = permitted = effective),\n"
	"                                    --ambient (= inheritable)\n"
	"  process.user, noNewPrivileges     capdrop --user UID:GID --groups, --no-new-privs\n"
	"  linux.seccomp                     seccompbpf --deny or --allow LIST --action\n"
	"  process.args, process.env         PROGRAM, its whole environment (env -i)\n"
	"Any other field is refused with its JSON path. Warnings only: process.terminal true\n"
	"(no new pty), linux.resources.devices (no device cgroup: nodev mounts instead), a\n"
	"cgroup mount (none inside), and masks pivot adds to a shorter list.\n"
	"BOXSTEP_* variables pass on to the chain besides process.env.\n"
	"\n"
	"Kernel calls: none of its own: it reads BUNDLE/config.json and calls\n"
	"  execve(\"cgset\" or \"mkns\", [... the chain ...], process.env)\n"
	"\n"
	"Example:\n"
	"  mkdir box && cd box && mkrootfs rootfs && runc spec && ocirun --print .\n"
	"\n"
	"Exit status: the program's own; 125 if ocirun or a stage failed; 126/127 if the\n"
	"program could not run.\n"
	"See ocirun(1), runc(8), rlimits(1), pivot(1), capdrop(1), seccompbpf(1), boxrun(1).\n",
};

extern char **environ;

enum { OPT_PRINT = 256, OPT_PRINT_SECCOMP };

static const struct option longopts[] = {
	{ "print", no_argument, NULL, OPT_PRINT },
	{ "print-seccomp", required_argument, NULL, OPT_PRINT_SECCOMP },
	CHAIN_COMMON_LONGOPTS,
};

/* A word as the shell reads it back: bare when it is safe, else in single quotes. */
static void put_word(const char *w)
{
	if (*w && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:=,+@%-") == strlen(w)) {
		fputs(w, stdout);
		return;
	}
	putchar('\'');
	for (; *w; w++)
		if (*w == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*w);
	putchar('\'');
}

/* BOXSTEP_* variables of ocirun's own environment: they steer the chain (trace,
 * cgroup parent), so they go on with process.env. */
static void keep_boxstep_vars(struct ocispec_words *out)
{
	for (char **e = environ; *e; e++)
		if (!strncmp(*e, "BOXSTEP_", 8)) {
			size_t n = out->n;
			out->w = realloc(out->w, (n + 2) * sizeof *out->w);
			if (!out->w)
				die("out of memory");
			out->w[n] = *e;
			out->w[n + 1] = NULL;
			out->n = n + 1;
		}
}

static void print_chain(const struct ocispec_chain *c, const struct ocispec_words *boxstep)
{
	printf("# %s as a boxstep chain\n", c->config);
	fputs("env -i", stdout);
	for (size_t i = 0; i < boxstep->n; i++) {
		putchar(' ');
		put_word(boxstep->w[i]);
	}
	for (size_t i = 0; i < c->env.n; i++) {
		putchar(' ');
		put_word(c->env.w[i]);
	}
	int first = 1;
	for (int s = 0; s < OCI_STAGES; s++) {
		if (!c->stage[s].n)
			continue;
		fputs(" \\\n  ", stdout);
		for (size_t i = 0; i < c->stage[s].n; i++) {
			if (i)
				putchar(' ');
			if (first) { /* env -i leaves PATH to process.env: the first stage by its path */
				fputs(chain_toolkit_dir(), stdout);
				putchar('/');
				first = 0;
			}
			put_word(c->stage[s].w[i]);
		}
		if (s != OCI_PROGRAM)
			fputs(" --", stdout);
	}
	putchar('\n');
}

int main(int argc, char **argv)
{
	int print = 0, once_print = 0, c;
	const char *profile = NULL;
	struct ocispec_chain chain;
	struct ocispec_words boxstep = { NULL, 0, 0 };

	chain_init(&tool);
	while ((c = getopt_long(argc, argv, "+:" CHAIN_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_PRINT: chain_once(&once_print, "--print"); print = 1; break;
		case OPT_PRINT_SECCOMP:
			if (profile || strcmp(optarg, "default"))
				usage_error("--print-seccomp takes 'default' (Docker's profile), once");
			profile = optarg;
			break;
		case 'v':
			setenv("BOXSTEP_TRACE", "1", 1); /* the whole chain, as boxrun --verbose */
			/* fall through */
		default: chain_common_option(&tool, c, argv);
		}
	}
	if (profile) {
		if (print || optind < argc)
			usage_error("--print-seccomp prints and runs nothing: no bundle, no --print");
		char *text = ocispec_docker_seccomp();
		puts(text);
		free(text);
		return fflush(stdout) == 0 ? 0 : EXIT_TOOL_FAILED;
	}
	if (optind >= argc)
		usage_error("no bundle given: the directory holding config.json");
	if (argc - optind > 1)
		usage_error("one bundle only, then nothing: the program is process.args ('%s' is extra)", argv[optind + 1]);

	ocispec_load(argv[optind], &chain);
	keep_boxstep_vars(&boxstep);
	if (print) {
		print_chain(&chain, &boxstep);
		return 0;
	}

	/* process.env is the chain's whole environment (runc's too): every stage and the
	 * program see it, with the BOXSTEP_* variables that steer the stages. */
	char **env = calloc(boxstep.n + chain.env.n + 1, sizeof *env);
	if (!env)
		die("out of memory");
	for (size_t i = 0; i < boxstep.n; i++)
		env[i] = boxstep.w[i];
	for (size_t i = 0; i < chain.env.n; i++)
		env[boxstep.n + i] = chain.env.w[i];
	environ = env;
	trace_comment("%s: %zu variables of process.env, %zu BOXSTEP_* ones", chain.config, chain.env.n, boxstep.n);
	chain_exec(ocispec_argv(&chain));
}
