/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * startup.c - logging, umask, config warnings and the DB environment, set
 * from imapd.conf the same way in every program.
 *
 * Called once per process, after cfg_load().  The order matters: the
 * configuration names the log destination, so its own warnings are logged
 * only after the destination is in force.
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "lib/cfg.h"
#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/startup.h"
#include "lib/str.h"

/* apply_umask - the umask option, an octal string of at most 4 digits */
static void apply_umask(void)
{
    const char *s = cfg_get_string(IMAPOPT_UMASK);
    size_t n;

    if (!s || !*s)
        return;
    n = strlen(s);
    if (n <= 4 && strspn(s, "01234567") == n) {
        mode_t m = 0;
        for (size_t i = 0; i < n; i++)
            m = (mode_t)(m * 8 + (mode_t)(s[i] - '0'));
        umask(m);
    } else {
        log_warning("umask is not octal, ignored umask=<%s>", s);
    }
}

void startup_apply_config(const char *ident, int force_debug)
{
    const char *file = cfg_get_string(IMAPOPT_LOG_FILE);

    log_open(ident, cfg_get_string(IMAPOPT_SYSLOG_PREFIX));
    if (file && *file && log_set_file(file) < 0)
        log_warning("IOERROR: cannot open log file file=<%s> error=<%m>", file);
    log_set_debug(force_debug || cfg_get_switch(IMAPOPT_DEBUG));
    apply_umask();
    cfg_log_warnings();
}

void startup_tool(const char *ident, const char *conf)
{
    log_open(ident, NULL);
    cfg_load_or_die(conf, ident);
    startup_apply_config(ident, 0);
}
