/* ocispec: an OCI runtime bundle's config.json (the runtime-spec's config.md and
 * config-linux.md), read with lib/json and mapped to the boxstep chain that builds
 * the same container, for ocirun(1):
 *
 *   cgset      linux.cgroupsPath, linux.resources (memory, cpu, pids)
 *   nsjoin     linux.namespaces with a path (joining an existing one)
 *   mkns       linux.namespaces without a path, uid/gid mappings, timeOffsets,
 *              hostname, domainname
 *   pivot      root (path, readonly), mounts (pivot's own /proc /dev /sys, tmpfs,
 *              bind), process.cwd, maskedPaths, readonlyPaths
 *   rlimits    process.rlimits
 *   capdrop    process.capabilities, process.user, process.noNewPrivileges
 *   seccompbpf linux.seccomp
 *   PROGRAM    process.args, with process.env as its whole environment
 *
 * A member it cannot map is an error naming its JSON path and place
 * ("config.json:12:5: linux.sysctl: ..."), exit 125, before anything runs. Three
 * members every `runc spec` bundle holds only get a warning: linux.resources.devices
 * (no device cgroup: the chain's nodev mounts stand for it), process.terminal: true
 * (the program gets the caller's terminal, no new pty) and the cgroup mount at
 * /sys/fs/cgroup (the container sees sysfs's empty directory there). */
#ifndef BOXSTEP_OCISPEC_H
#define BOXSTEP_OCISPEC_H

#include <stddef.h>

struct ocispec_words {
	char **w; /* NULL-terminated */
	size_t n, cap;
};

enum ocispec_stage {
	OCI_CGSET, OCI_NSJOIN, OCI_MKNS, OCI_PIVOT, OCI_RLIMITS, OCI_CAPDROP, OCI_SECCOMP,
	OCI_PROGRAM, OCI_STAGES
};

struct ocispec_chain {
	struct ocispec_words stage[OCI_STAGES]; /* each stage's words, its name first; n 0: left out */
	struct ocispec_words env;               /* process.env, "KEY=VALUE" */
	char config[4096];                      /* BUNDLE/config.json, for messages */
};

/* Reads bundle/config.json into c; exits 125 with the reason when it cannot be
 * mapped. Warnings and trace comments go out as it reads. */
void ocispec_load(const char *bundle, struct ocispec_chain *c);
/* The whole chain as one argv: the stages in order with "--" between them, then
 * the program (malloc'ed array of the chain's own strings; NULL-terminated). */
char **ocispec_argv(const struct ocispec_chain *c);

/* Docker's default seccomp profile as seccompbpf --profile default builds it, as
 * config.json's linux.seccomp (compact JSON, malloc'ed): an allowlist, clone
 * without namespace flags, personality's few values, ioctl but TIOCSTI, socket
 * but AF_VSOCK, clone3 ENOSYS. A config holding exactly this maps back to
 * seccompbpf --profile default. (Numbers the headers do not name get EPERM from
 * libseccomp, ENOSYS from seccompbpf.) */
char *ocispec_docker_seccomp(void);

/* pivot's masked and read-only paths (Docker's lists, as lib/rootfs.c mounts them). */
extern const char *const ocispec_pivot_masked[];
extern const char *const ocispec_pivot_readonly[];

#endif
