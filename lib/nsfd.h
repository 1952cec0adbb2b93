/* nsfd: a namespace by descriptor (ioctl_ns(2)): /proc/PID/ns/TYPE, or a file a
 * namespace is bind-mounted on, opened; what nsjoin and vethpair setns(2) into. */
#ifndef BOXSTEP_NSFD_H
#define BOXSTEP_NSFD_H

#include <sys/types.h>

#include "ns.h"

/* The type of the namespace fd refers to (NS_GET_NSTYPE), or NULL with errno:
 * ENOTTY or EINVAL when fd is not a namespace file. */
const struct ns_type *nsfd_type(int fd);
/* Its inode number, the namespace's identity ("net:[4026531840]" shows it); 0 with
 * errno on error. */
unsigned long nsfd_inode(int fd);
/* The inode of the caller's own namespace of type t, 0 when the kernel lacks the
 * type. */
unsigned long ns_self_inode(const struct ns_type *t);
/* "net:[4026531840]" for fd, for trace lines and messages. */
const char *nsfd_label(int fd, const struct ns_type *t, char *buf, size_t size);

#endif
