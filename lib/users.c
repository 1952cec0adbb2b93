/* users: /etc/passwd and /etc/group lookups. See users.h. */
#include "users.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* Finds the line of FILE whose first field is key (a name) or whose third field
 * is key (a number, when by_number); copies fields 3 and 4 (id, group id). */
static int find(const char *file, const char *key, int by_number, unsigned long *id, unsigned long *gid)
{
	char line[1024];
	unsigned long want = 0;
	int found = -1;
	if (by_number && parse_uint(key, 0xfffffffeUL, &want) < 0)
		return -1;
	FILE *f = fopen(file, "re");
	if (!f)
		return -1;
	while (found < 0 && fgets(line, sizeof line, f)) {
		char *field[4] = { NULL, NULL, NULL, NULL }, *p = line;
		line[strcspn(line, "\n")] = '\0';
		for (int i = 0; i < 4 && p; i++) {
			field[i] = p;
			p = strchr(p, ':');
			if (p)
				*p++ = '\0';
		}
		if (!field[2] || parse_uint(field[2], 0xfffffffeUL, id) < 0)
			continue;
		if (by_number ? *id != want : strcmp(field[0], key) != 0)
			continue;
		if (gid && (!field[3] || parse_uint(field[3], 0xfffffffeUL, gid) < 0))
			continue;
		found = 0;
	}
	fclose(f);
	return found;
}

int users_user(const char *s, uid_t *uid, gid_t *gid)
{
	unsigned long u, g, n;
	int number = parse_uint(s, 0xfffffffeUL, &n) == 0;
	if (!*s)
		return -1;
	if (find("/etc/passwd", s, number, &u, &g) == 0) {
		*uid = (uid_t)u;
		*gid = (gid_t)g;
		return 0;
	}
	if (!number)
		return -1;
	*uid = (uid_t)n;
	return 1;
}

int users_group(const char *s, gid_t *gid)
{
	unsigned long g;
	if (!*s)
		return -1;
	if (parse_uint(s, 0xfffffffeUL, &g) == 0) {
		*gid = (gid_t)g;
		return 0;
	}
	if (find("/etc/group", s, 0, &g, NULL) < 0)
		return -1;
	*gid = (gid_t)g;
	return 0;
}
