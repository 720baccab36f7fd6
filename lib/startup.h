/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * startup.h - the start-up every program shares once imapd.conf is read:
 * logging, umask, the configuration's warnings, the database environment.
 *
 * Daemons get this from the service skeleton (master/service.c); admin
 * tools (ctl_cyrusdb, ctl_mboxlist, reconstruct, ...) call startup_tool().
 * Errors in the environment are fatal (EX_CONFIG), as the configuration
 * itself is.
 */
#ifndef LIB_STARTUP_H
#define LIB_STARTUP_H

/* startup_apply_config - with imapd.conf loaded: log as ident with its
 * syslog_prefix, to log_file when set (else syslog), debug lines when the
 * debug option or force_debug is on, the configured umask; then log the
 * configuration's warnings (cfg_log_warnings), now that they can reach the
 * log.  A log_file that cannot be opened is a warning, logging stays on
 * syslog. */
void startup_apply_config(const char *ident, int force_debug);

/* startup_tool - start an admin tool: load conf (fatal, naming file and
 * line, when it is wrong), then startup_apply_config(ident). */
void startup_tool(const char *ident, const char *conf);

/* startup_db - open the process's database environment in
 * <configdirectory>/db with db_init() flags (DB_OPT_RECOVER to run
 * recovery).  Returns the db_init() result (DB_OK on success); fatal when
 * configdirectory is unset. */
int startup_db(int flags);

#endif /* LIB_STARTUP_H */
