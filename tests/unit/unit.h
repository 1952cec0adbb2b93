/* unit.h: the few macros the unit tests of lib/ share (tests/unit/NAME.c, run
 * by tests/unit.bats; exit status 0 means every check passed). */
#ifndef BOXSTEP_UNIT_H
#define BOXSTEP_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_checks, unit_failures;

#define CHECK(cond) \
	do { \
		unit_checks++; \
		if (!(cond)) { \
			unit_failures++; \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
		} \
	} while (0)

#define CHECK_STR(got, want) \
	do { \
		const char *g_ = (got), *w_ = (want); \
		unit_checks++; \
		if (!g_ || strcmp(g_, w_)) { \
			unit_failures++; \
			fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #got, \
				g_ ? g_ : "(null)", w_); \
		} \
	} while (0)

static inline int unit_report(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, unit_checks, unit_failures);
	return unit_failures ? 1 : 0;
}

#endif
