/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * search_date.c - IMAP search dates, RFC 5322 Date: headers, day numbers.
 *
 * Used by the SEARCH parser (search_expr.c) for date keys, by the
 * evaluator for SENT* and by SORT/THREAD for the sent date.  Day numbers
 * come from the civil-calendar formula, so no mktime() and no dependence
 * on TZ except in search_date_localday().  Malformed input returns 0.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "imap/search_date.h"
#include "lib/str.h"

static const char *const month_names[12] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

int64_t search_date_days(int64_t y, unsigned m, unsigned d)
{
    /* shift the year to start in March, so the leap day is last */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

/* month_days - days in month m of year y */
static unsigned month_days(int64_t y, unsigned m)
{
    static const unsigned days[12] = { 31, 28, 31, 30, 31, 30,
                                       31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : days[m - 1];
}

/* month_lookup - 1..12 for a three-letter month name, 0 if none */
static unsigned month_lookup(const char *s, size_t len)
{
    if (len != 3)
        return 0;
    for (unsigned i = 0; i < 12; i++) {
        if (str_ncasecmp(s, month_names[i], 3) == 0)
            return i + 1;
    }
    return 0;
}

/* digits - parse 1..max decimal digits at *pp into *v, advancing */
static int digits(const char **pp, const char *end, size_t max, unsigned *v)
{
    const char *p = *pp;
    unsigned n = 0;
    size_t k = 0;

    while (p < end && k < max && isdigit((unsigned char)*p)) {
        n = n * 10 + (unsigned)(*p++ - '0');
        k++;
    }
    if (k == 0 || (p < end && isdigit((unsigned char)*p)))
        return 0;
    *pp = p;
    *v = n;
    return 1;
}

int search_date_imap(const char *s, int64_t *day_r)
{
    const char *p = s, *end = s + strlen(s);
    unsigned d, m, y;

    if (!digits(&p, end, 2, &d) || p >= end || *p++ != '-')
        return 0;
    if (end - p < 4 || !(m = month_lookup(p, 3)) || p[3] != '-')
        return 0;
    p += 4;
    if (end - p != 4 || !digits(&p, end, 4, &y) || p != end)
        return 0;
    if (d < 1 || d > month_days(y, m))
        return 0;
    *day_r = search_date_days(y, m, d);
    return 1;
}

int search_date_datetime(const char *s, int64_t *t_r)
{
    const char *p = s, *end = s + strlen(s);
    unsigned d, m, y, hh, mm, ss, zh, zm;
    int sign;

    if (p < end && *p == ' ')
        p++;
    if (!digits(&p, end, 2, &d) || p >= end || *p++ != '-')
        return 0;
    if (end - p < 4 || !(m = month_lookup(p, 3)) || p[3] != '-')
        return 0;
    p += 4;
    if (!digits(&p, end, 4, &y) || p >= end || *p++ != ' ' ||
        !digits(&p, end, 2, &hh) || p >= end || *p++ != ':' ||
        !digits(&p, end, 2, &mm) || p >= end || *p++ != ':' ||
        !digits(&p, end, 2, &ss) || p >= end || *p++ != ' ' ||
        p >= end || (*p != '+' && *p != '-'))
        return 0;
    sign = *p++ == '-' ? -1 : 1;
    if (end - p != 4 || !digits(&p, p + 2, 2, &zh) ||
        !digits(&p, end, 2, &zm))
        return 0;
    if (y < 1970 || d < 1 || d > month_days(y, m) || hh > 23 || mm > 59 ||
        ss > 60 || zh > 23 || zm > 59)
        return 0;
    *t_r = search_date_days(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss -
           sign * (int64_t)(zh * 3600 + zm * 60);
    return 1;
}

int64_t search_date_localday(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (!localtime_r(&tt, &tm))
        return t / 86400;
    return search_date_days((int64_t)tm.tm_year + 1900,
                            (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday);
}

/* skip_cfws - skip blanks and (nested) comments */
static const char *skip_cfws(const char *p, const char *end)
{
    int depth = 0;

    for (; p < end; p++) {
        if (*p == '(')
            depth++;
        else if (*p == ')' && depth > 0)
            depth--;
        else if (*p == '\\' && depth > 0 && p + 1 < end)
            p++;
        else if (depth == 0 && !isspace((unsigned char)*p))
            break;
    }
    return p;
}

/* zone_offset - the offset in seconds of the zone at p; 0 when unknown */
static int64_t zone_offset(const char *p, const char *end)
{
    static const struct { const char *name; int hours; } names[] = {
        { "UT", 0 }, { "GMT", 0 }, { "Z", 0 }, { "EST", -5 }, { "EDT", -4 },
        { "CST", -6 }, { "CDT", -5 }, { "MST", -7 }, { "MDT", -6 },
        { "PST", -8 }, { "PDT", -7 },
    };
    size_t n = 0;

    if (p < end && (*p == '+' || *p == '-')) {
        const char *q = p + 1;
        unsigned hhmm;
        if (end - q < 4 || !digits(&q, q + 4, 4, &hhmm))
            return 0;
        int64_t off = (int64_t)(hhmm / 100) * 3600 + (hhmm % 100) * 60;
        return *p == '-' ? -off : off;
    }
    while (p + n < end && isalpha((unsigned char)p[n]))
        n++;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strlen(names[i].name) == n && str_ncasecmp(p, names[i].name, n) == 0)
            return (int64_t)names[i].hours * 3600;
    }
    return 0; /* RFC 5322 4.3: other military zones and unknowns are -0000 */
}

/* parse_time - "hh:mm[:ss]" at *pp into seconds of the day */
static int parse_time(const char **pp, const char *end, int64_t *secs)
{
    unsigned h, m, s = 0;
    const char *p = *pp;

    if (!digits(&p, end, 2, &h) || p >= end || *p++ != ':' ||
        !digits(&p, end, 2, &m))
        return 0;
    if (p < end && *p == ':') {
        p++;
        if (!digits(&p, end, 2, &s))
            return 0;
    }
    if (h > 23 || m > 59 || s > 60)
        return 0;
    *secs = (int64_t)h * 3600 + m * 60 + s;
    *pp = p;
    return 1;
}

int search_date_rfc5322(const char *s, size_t len, int64_t *utc_r,
                        int64_t *day_r)
{
    const char *p = s, *end = s + len, *w;
    unsigned d, m, y;
    int64_t secs = 0, day;

    p = skip_cfws(p, end);
    if (p < end && isalpha((unsigned char)*p)) {        /* day-of-week */
        while (p < end && isalpha((unsigned char)*p))
            p++;
        p = skip_cfws(p, end);
        if (p < end && *p == ',')
            p = skip_cfws(p + 1, end);
    }
    if (!digits(&p, end, 2, &d))
        return 0;
    p = skip_cfws(p, end);
    for (w = p; p < end && isalpha((unsigned char)*p); p++)
        ;
    if (!(m = month_lookup(w, (size_t)(p - w))))
        return 0;
    p = skip_cfws(p, end);
    if (!digits(&p, end, 4, &y))
        return 0;
    if (y < 100)                            /* obsolete 2-digit years */
        y += y < 50 ? 2000 : 1900;
    else if (y < 1000)                      /* obsolete 3-digit years */
        y += 1900;
    if (d < 1 || d > month_days(y, m))
        return 0;
    day = search_date_days(y, m, d);
    p = skip_cfws(p, end);
    if (p < end && isdigit((unsigned char)*p)) {
        if (!parse_time(&p, end, &secs))
            return 0;
        p = skip_cfws(p, end);
    }
    if (utc_r)
        *utc_r = day * 86400 + secs - zone_offset(p, end);
    if (day_r)
        *day_r = day;
    return 1;
}
