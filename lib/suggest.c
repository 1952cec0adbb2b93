/* suggest: the closest known name. See suggest.h. */
#include "suggest.h"

#include <string.h>

#define WORD_MAX 64

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int min3(int a, int b, int c)
{
	int m = a < b ? a : b;
	return m < c ? m : c;
}

/* Damerau-Levenshtein (optimal string alignment), three rows. */
int suggest_distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	int rows[3][WORD_MAX + 1];
	int *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
	if (n > WORD_MAX || m > WORD_MAX)
		return 99;
	for (size_t j = 0; j <= m; j++)
		prev[j] = (int)j;
	for (size_t i = 1; i <= n; i++) {
		cur[0] = (int)i;
		for (size_t j = 1; j <= m; j++) {
			int cost = lower(a[i - 1]) != lower(b[j - 1]);
			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
			if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
			    lower(a[i - 2]) == lower(b[j - 1]) && prev2[j - 2] + 1 < cur[j])
				cur[j] = prev2[j - 2] + 1;
		}
		int *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[m] > 99 ? 99 : prev[m];
}

void suggest_offer(struct suggestion *s, const char *candidate)
{
	int d = suggest_distance(s->word, candidate);
	if (d < s->distance) {
		s->distance = d;
		s->best = candidate;
	}
}

const char *suggest_best(const struct suggestion *s)
{
	int allowed = (int)strlen(s->word) / 3;
	if (allowed < 2)
		allowed = 2;
	return s->best && s->distance <= allowed ? s->best : NULL;
}
