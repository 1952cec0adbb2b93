/* sysfs: traced wrappers for the filesystem calls of the root-filesystem tools
 * (mkrootfs, overlaymount, pivot), made the way lib/sys makes them: format the call
 * as strace shows it, make it, hand the result to trace_call(). */
#ifndef BOXSTEP_SYSFS_H
#define BOXSTEP_SYSFS_H

#include <sys/types.h>

int sys_pivot_root(const char *new_root, const char *put_old); /* pivot_root(2) */
/* fchdir(2); path is what fd names, for the trace: fchdir(3</srv/rootfs>). */
int sys_fchdir(int fd, const char *path);
int sys_chroot(const char *path);                         /* chroot(2) */
int sys_symlink(const char *target, const char *linkpath); /* symlink(2) */
int sys_chmod(const char *path, mode_t mode);             /* chmod(2) */
int sys_unlink(const char *path);                         /* unlink(2) */
/* open(path, O_WRONLY|O_CREAT|O_EXCL), write len bytes of data (may be 0),
 * close: traced as the open and write lines strace shows. */
int sys_create_file(const char *path, mode_t mode, const char *data, size_t len);
/* Copies the bytes of the regular file src into a new file dst (O_EXCL) with
 * sendfile(2), traced as one line: sendfile(4<"DST">, 3<"SRC">, NULL, N) = N.
 * Returns the number of bytes, or -1 with errno. */
long sys_copy_file(const char *src, const char *dst, mode_t mode);

#endif
