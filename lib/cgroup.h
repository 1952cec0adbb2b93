/* cgroup: which cgroup hierarchies this host mounts (cgroups(7)).
 *
 * A host mounts cgroups one of three ways under /sys/fs/cgroup:
 *   v2      one unified cgroup2 tree at /sys/fs/cgroup (statfs: CGROUP2_SUPER_MAGIC);
 *   hybrid  a tmpfs holding one v1 tree per controller, plus a cgroup2 tree with
 *           (usually) no controllers at /sys/fs/cgroup/unified;
 *   v1      the tmpfs with v1 trees only.
 * This module only looks; it makes no kernel call a trace would show. */
#ifndef BOXSTEP_CGROUP_H
#define BOXSTEP_CGROUP_H

#include <stddef.h>

#define CGROUP_MOUNT "/sys/fs/cgroup"
#define CGROUP_HYBRID_V2 "/sys/fs/cgroup/unified"

enum cgroup_layout { CGROUP_V2, CGROUP_HYBRID, CGROUP_V1, CGROUP_NONE };

/* Detects the layout from statfs(/sys/fs/cgroup) and /proc/self/mountinfo. */
enum cgroup_layout cgroup_layout(void);
/* "v2", "hybrid", "v1" or "none". */
const char *cgroup_layout_name(enum cgroup_layout layout);
/* The root of the cgroup2 tree for a layout, or NULL when it has none. */
const char *cgroup_v2_root(enum cgroup_layout layout);

/* The v1 controllers mounted under /sys/fs/cgroup, space-separated in mount order
 * ("cpu cpuacct memory pids"; named hierarchies such as name=systemd are left out).
 * Returns how many, 0 when none. */
int cgroup_v1_controllers(char *buf, size_t size);
/* Where the v1 controller is mounted ("/sys/fs/cgroup/memory"); -1 when it is not. */
int cgroup_v1_mount(const char *controller, char *path, size_t size);
/* The controllers the cgroup2 root offers (its cgroup.controllers), space-separated.
 * Returns how many, 0 when none, -1 when the layout has no cgroup2 tree. */
int cgroup_v2_controllers(enum cgroup_layout layout, char *buf, size_t size);

#endif
