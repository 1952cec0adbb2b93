/* table: the aligned "  LABEL  VALUE  NOTE" rows of a report for people (cinfo,
 * boxstep-doctor), on stdout. */
#ifndef BOXSTEP_TABLE_H
#define BOXSTEP_TABLE_H

/* "  LABEL         VALUE                NOTE"; no note when note is "". */
void table_row(const char *label, const char *value, const char *note);
/* "  LABEL         VALUE             LIST", the comma-separated list wrapped at its
 * commas to fit 80 columns, continued lines aligned under it. */
void table_row_wrapped(const char *label, const char *value, const char *list);

/* One fact in either format: "KEY=VALUE" when kv, else the row LABEL VALUE. */
void table_fact(int kv, const char *key, const char *label, const char *value);

#endif
