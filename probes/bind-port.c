/* bind-port PORT: binds a TCP socket to 0.0.0.0:PORT and says what the kernel
 * answered, strace-style:
 *   bind(0.0.0.0:80) = 0
 *   bind(0.0.0.0:80) = -1 EACCES (Permission denied)
 * Ports below /proc/sys/net/ipv4/ip_unprivileged_port_start (1024) need
 * CAP_NET_BIND_SERVICE. Exits 0 when bound, 1 when refused, 2 on bad usage. Run it
 * in a network namespace of its own (mkns --net) to leave the host's ports alone. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

int main(int argc, char **argv)
{
	char *end;
	long port = argc == 2 ? strtol(argv[1], &end, 10) : -1;
	if (argc != 2 || *end || port < 0 || port > 65535) {
		fprintf(stderr, "usage: bind-port PORT\n");
		return 2;
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		printf("socket(AF_INET, SOCK_STREAM) = -1 %s (%s)\n", errno_name(errno), strerror(errno));
		return 1;
	}
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_ANY);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		printf("bind(0.0.0.0:%ld) = -1 %s (%s)\n", port, errno_name(errno), strerror(errno));
		return 1;
	}
	printf("bind(0.0.0.0:%ld) = 0\n", port);
	close(fd);
	return 0;
}
