/* table: report rows. See table.h. */
#include "table.h"

#include <stdio.h>
#include <string.h>

void table_row(const char *label, const char *value, const char *note)
{
	if (*note)
		printf("  %-13s %-20s %s\n", label, value, note);
	else
		printf("  %-13s %s\n", label, value);
}

void table_row_wrapped(const char *label, const char *value, const char *list)
{
	const int indent = 34, width = 79 - indent;
	printf("  %-13s %-16s  ", label, value);
	while ((int)strlen(list) > width) {
		int cut = width;
		while (cut > 0 && list[cut] != ',')
			cut--;
		if (cut == 0)
			break;
		printf("%.*s,\n%*s", cut, list, indent, "");
		list += cut + 1;
	}
	printf("%s\n", list);
}

void table_fact(int kv, const char *key, const char *label, const char *value)
{
	if (kv)
		printf("%s=%s\n", key, value);
	else
		table_row(label, value, "");
}
