/* privs: prints who it runs as and what it may do, in one line:
 *   uid=1000 euid=0 gid=1000 egid=1000 cap.eff=00000000a80425fb nnp=1
 * The tests copy it, make the copy setuid root (chown root, chmod 4755) and run it
 * as uid 1000: without no_new_privs, execve makes it euid 0 with the bounding set's
 * capabilities; with no_new_privs it stays what its caller was. */
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

int main(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
	if (syscall(SYS_capget, &h, d) < 0) {
		perror("privs: capget");
		return 1;
	}
	printf("uid=%u euid=%u gid=%u egid=%u cap.eff=%08x%08x nnp=%d\n", (unsigned)getuid(), (unsigned)geteuid(),
	       (unsigned)getgid(), (unsigned)getegid(), d[1].effective, d[0].effective,
	       prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	return 0;
}
