/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cfg.h - imapd.conf: loading and typed access to options.
 *
 * Every option is declared once in lib/imapoptions (name, type, default,
 * bounds, doc text); tools/gen-imapopts.pl generates from it the enum
 * imapopt and the defaults table (lib/imapopts.h, lib/imapopts.c) and the
 * man page man/imapd.conf.5.
 *
 * Syntax: "key: value" lines, '#' comments, blank lines.  Keys are
 * case-insensitive.  "partition-NAME: path" declares a partition.
 * "SERVICE_option" (SERVICE = the cyrus.conf service name given to
 * cfg_load) overrides "option" for that service only, e.g. lmtp_admins.
 * Keys starting "sasl_" are passed to cyrus-sasl via cfg_get_raw().
 *
 * An unknown key logs a warning naming file:line and is otherwise ignored.
 * A bad value (not a number, out of bounds, not one of an enum's values) is
 * an error naming file, line, key and what is allowed.
 *
 * The loaded configuration is process-wide (one process serves one
 * service) and read-only after cfg_load().  Strings returned stay valid
 * until cfg_reset() or the next cfg_load().
 */
#ifndef LIB_CFG_H
#define LIB_CFG_H

#include "lib/imapopts.h" /* generated: enum imapopt, enum values */

/* The compiled-in path used when no -C is given. */
#define CFG_DEFAULT_PATH SYSCONFDIR "/imapd.conf"

/* cfg_load - read path as the configuration of service (NULL for none).
 * Returns 1 on success; -1 on error with a message in *error_r (static
 * storage, valid until the next call), e.g.
 *   "/etc/imapd.conf:12: timeout: 'abc' is not a number (allowed: 30..1440)"
 * A missing file is an error.  On error the previous configuration (or
 * the defaults) stays in force. */
int cfg_load(const char *path, const char *service, const char **error_r);
/* cfg_load_or_die - cfg_load, and fatal(EX_CONFIG) on error. */
void cfg_load_or_die(const char *path, const char *service);
/* cfg_reset - back to compiled-in defaults (tests). */
void cfg_reset(void);

/* cfg_path - the file loaded, or NULL. */
const char *cfg_path(void);
/* cfg_service - the service name given to cfg_load, or NULL. */
const char *cfg_service(void);

/* Typed getters.  Calling one with an option of another type is a bug and
 * panics.  Defaults apply when the file does not set the option. */
const char *cfg_get_string(enum imapopt opt);  /* may be NULL if unset */
long cfg_get_int(enum imapopt opt);
int cfg_get_switch(enum imapopt opt);          /* 0 or 1 */
int cfg_get_enum(enum imapopt opt);            /* one of IMAP_ENUM_* */

/* cfg_get_partition - path of partition NAME, or NULL when undeclared. */
const char *cfg_get_partition(const char *name);
/* cfg_get_raw - the value of any key as written (after the service
 * override), including keys not in the option table; NULL if unset. */
const char *cfg_get_raw(const char *key);
/* cfg_foreach_prefix - call cb for every key set in the file that starts
 * with prefix (after service overrides); stop when cb returns non-zero. */
int cfg_foreach_prefix(const char *prefix,
                       int (*cb)(const char *key, const char *value, void *rock),
                       void *rock);

#endif /* LIB_CFG_H */
