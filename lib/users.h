/* users: names in /etc/passwd and /etc/group of the current root (after pivot, the
 * image's), read directly: a static binary cannot use NSS, and a container's users
 * are the image's, not the host's. */
#ifndef BOXSTEP_USERS_H
#define BOXSTEP_USERS_H

#include <sys/types.h>

/* A user name or number. Returns 0 and fills uid and gid (its primary group) when
 * /etc/passwd has it; 1 for a number it lacks (uid set, gid untouched); -1 for a
 * name it lacks, or a malformed value. */
int users_user(const char *s, uid_t *uid, gid_t *gid);
/* A group name or number: 0 with gid set, -1 when a name is not in /etc/group. */
int users_group(const char *s, gid_t *gid);

#endif
