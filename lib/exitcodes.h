/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * exitcodes.h - the exit codes every program in the tree uses.
 *
 * They are sysexits(3) values so that the master, init systems and shell
 * scripts can tell a configuration error (do not restart in a loop) from a
 * temporary failure (retry) and a software bug (look at the core).
 */
#ifndef LIB_EXITCODES_H
#define LIB_EXITCODES_H

#define EX_OK           0   /* normal exit */
#define EX_USAGE        64  /* bad command line */
#define EX_DATAERR      65  /* input data was wrong (e.g. undump file) */
#define EX_NOINPUT      66  /* an input file was missing or unreadable */
#define EX_NOUSER       67  /* the configured run-as user does not exist */
#define EX_UNAVAILABLE  69  /* a needed service is not available */
#define EX_SOFTWARE     70  /* internal error: panic() */
#define EX_OSERR        71  /* system error: fork, pipe, out of memory */
#define EX_IOERR        74  /* an I/O error on a file or database */
#define EX_TEMPFAIL     75  /* temporary failure: try again later */
#define EX_PROTOCOL     76  /* peer broke the protocol */
#define EX_NOPERM       77  /* permission denied */
#define EX_CONFIG       78  /* configuration file is wrong */

#endif /* LIB_EXITCODES_H */
