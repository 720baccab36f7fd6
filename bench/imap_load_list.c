/* SPDX-License-Identifier: BSD-3-Clause */
/* imap_load_list.c - the list mode: LIST latency as seen by one user
 * (PREFIX1) on one connection, exact percentiles from every round trip,
 * and a check that every reply has the same number of LIST lines. */
#include <stdio.h>
#include <stdlib.h>

#include "bench/imap_load.h"

/* cmp_double - qsort order of doubles */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* run_list - LIST latency: user PREFIX1 logs in and sends `LIST <-L>`
 * -r times on one connection, one after the other; exact p50/p99/max
 * of the round trip (to the tagged OK) and the LIST lines per reply. */
int run_list(void)
{
    struct client cl = { 0 };
    struct reply r;
    char user[128];
    double *lat = calloc((size_t)opt_rounds, sizeof(*lat)), sum = 0;
    int n = 0, lines = -1;

    if (!lat)
        die("out of memory");
    user_name(user, sizeof(user), 0);
    if (do_connect(&cl) < 0 || do_login(&cl, user, opt_pass) < 0)
        die("login %s failed", user);
    for (int i = 0; i < opt_rounds; i++) {
        double t0 = now();
        if (cmd(&cl, -1, &r, "LIST %s", opt_list) < 0)
            break;
        lat[n] = now() - t0;
        sum += lat[n++];
        if (lines >= 0 && r.lists != lines)
            note_error(&cl, "list", "(number of LIST lines changed)");
        lines = r.lists;
    }
    cl.in_logout = 1;
    cmd(&cl, -1, &r, "LOGOUT");
    conn_close(&cl.c);
    qsort(lat, (size_t)n, sizeof(*lat), cmp_double);
    printf("RESULT mode=list user=%s times=%d lines=%d avg_ms=%.2f p50_ms=%.2f "
           "p99_ms=%.2f max_ms=%.2f errors=%llu\n", user, n, lines,
           n ? 1000 * sum / n : 0, n ? 1000 * lat[n / 2] : 0,
           n ? 1000 * lat[(size_t)(0.99 * (n - 1))] : 0,
           n ? 1000 * lat[n - 1] : 0, (unsigned long long)cl.st.errors);
    free(lat);
    return cl.st.errors || n < opt_rounds ? 1 : 0;
}
