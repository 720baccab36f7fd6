/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * search_date.h - the dates SEARCH, SORT and THREAD compare.
 *
 * IMAP date keys (BEFORE, ON, SINCE, SENT*) name a calendar day and
 * ignore time and zone (RFC 3501 6.4.4), so a date is kept as a civil day
 * number: days since 1970-01-01 in the proleptic Gregorian calendar.  The
 * internal date of a message is turned into the day of the server's local
 * time (as Cyrus does); the Date: header into the day written in it (its
 * own zone).  SORT DATE and THREAD use the Date: header as an instant in
 * UTC (RFC 5256 2.2).  Pure functions, no state; parse failures return 0.
 */
#ifndef IMAP_SEARCH_DATE_H
#define IMAP_SEARCH_DATE_H

#include <stddef.h>
#include <stdint.h>

/* search_date_days - the civil day number of y-m-d (m 1..12, d 1..31). */
int64_t search_date_days(int64_t y, unsigned m, unsigned d);

/* search_date_imap - parse an IMAP search date "d-Mon-yyyy" (day 1 or 2
 * digits, month name in any case, 4-digit year; RFC 3501 "date-text").
 * 1 with *day_r set, 0 when malformed or not a real day (31-Feb-2000). */
int search_date_imap(const char *s, int64_t *day_r);

/* search_date_datetime - parse an IMAP date-time "dd-Mon-yyyy hh:mm:ss
 * +zzzz" (RFC 3501; the day may be " d" or "d"; years from 1970).  1 with
 * *t_r (seconds since the epoch, zone applied), 0 when malformed or not a
 * real day. */
int search_date_datetime(const char *s, int64_t *t_r);

/* search_date_localday - the day number of time t in local time. */
int64_t search_date_localday(int64_t t);

/* search_date_rfc5322 - parse a Date: header value s[0..len) ("[Mon, ]
 * 12 Jun 2001 10:11:12 +0200", with the obsolete forms: 2-digit years,
 * missing seconds, zone names, comments).  1 with *utc_r (seconds since
 * the epoch, zone applied) and *day_r (the day as written) set; 0 when it
 * cannot be read.  Either output may be NULL. */
int search_date_rfc5322(const char *s, size_t len, int64_t *utc_r,
                        int64_t *day_r);

#endif /* IMAP_SEARCH_DATE_H */
