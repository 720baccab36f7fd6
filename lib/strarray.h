/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strarray.h - a growable array of owned NUL-terminated strings.
 *
 * The array owns every string in it (they are copied in, or taken with the
 * _take functions).  data[count] is always NULL, so data can be passed as an
 * argv.  A zeroed struct (STRARRAY_INIT) is an empty array.
 */
#ifndef LIB_STRARRAY_H
#define LIB_STRARRAY_H

#include <stddef.h>

struct strarray {
    size_t count;
    size_t alloc;
    char **data; /* NULL-terminated once anything was added */
};

#define STRARRAY_INIT { 0, 0, NULL }

void strarray_append(struct strarray *sa, const char *s);  /* copies s */
void strarray_appendm(struct strarray *sa, char *s);       /* takes s */
void strarray_insert(struct strarray *sa, size_t idx, const char *s);
/* strarray_remove - remove and return (caller frees) element idx. */
char *strarray_remove(struct strarray *sa, size_t idx);
/* strarray_nth - element idx, or NULL when out of range. */
const char *strarray_nth(const struct strarray *sa, size_t idx);
/* strarray_find - first index >= start equal to s, or -1. */
long strarray_find(const struct strarray *sa, const char *s, size_t start);
/* strarray_join - all elements joined by sep; caller frees. */
char *strarray_join(const struct strarray *sa, const char *sep);
/* strarray_split - split s on any byte in seps, skipping empty fields. */
void strarray_split(struct strarray *sa, const char *s, const char *seps);
void strarray_sort(struct strarray *sa);
void strarray_truncate(struct strarray *sa, size_t count);
void strarray_fini(struct strarray *sa); /* free contents, keep struct */
void strarray_free(struct strarray **sap); /* free a heap array, NULL it */
struct strarray *strarray_new(void);

#endif /* LIB_STRARRAY_H */
