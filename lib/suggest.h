/* suggest: "did you mean ...?" for a mistyped name (a capability, a syscall, an
 * errno), by edit distance, as git and setpriv do. */
#ifndef BOXSTEP_SUGGEST_H
#define BOXSTEP_SUGGEST_H

#include <stddef.h>

/* The edit distance (insertions, deletions, substitutions, swaps of two neighbours)
 * between a and b, ignoring case; stops counting at 99. */
int suggest_distance(const char *a, const char *b);

/* Keeps the closest of the candidates offered one by one: start with
 * struct suggestion s = SUGGESTION_INIT(word), call suggest_offer(&s, name) for each
 * known name, then suggest_best(&s) is the closest one, or NULL when none is close
 * enough to be meant (more than a third of the word, at least 2, differs). */
struct suggestion {
	const char *word;
	const char *best;
	int distance;
};
#define SUGGESTION_INIT(w) { (w), NULL, 100 }
void suggest_offer(struct suggestion *s, const char *candidate);
const char *suggest_best(const struct suggestion *s);

#endif
