/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * master_signals.c - master's signal handling through a self-pipe.
 *
 * Handlers only record which signal arrived and write one byte to a
 * non-blocking pipe that the main loop polls, so no real work ever runs
 * in signal context.  SIGPIPE is ignored (a child's socket closing under
 * us is an error return, not a death).  Called from master.c only.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "lib/exitcodes.h"
#include "lib/log.h"
#include "master/master.h"

static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t got_chld, got_hup, got_term;

/* on_signal - note the signal and wake the loop */
static void on_signal(int sig)
{
    int saved = errno;
    char c = 0;

    if (sig == SIGCHLD)
        got_chld = 1;
    else if (sig == SIGHUP)
        got_hup = 1;
    else
        got_term = sig;
    if (write(sig_pipe[1], &c, 1) < 0) {
        /* full pipe: the loop is already due to wake up */
    }
    errno = saved;
}

int master_signals_init(void)
{
    struct sigaction sa;
    static const int sigs[] = { SIGCHLD, SIGHUP, SIGTERM, SIGINT, SIGQUIT };

    if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
        fatal(EX_OSERR, "IOERROR: cannot create the signal pipe error=<%m>");
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        if (sigaction(sigs[i], &sa, NULL) < 0)
            fatal(EX_OSERR, "cannot install a signal handler error=<%m>");
    sa.sa_handler = SIG_IGN;
    sa.sa_flags = 0;
    sigaction(SIGPIPE, &sa, NULL);
    return sig_pipe[0];
}

int master_signals_take(int *termsig_r)
{
    char drain[64];
    int bits = 0;

    while (read(sig_pipe[0], drain, sizeof(drain)) > 0)
        ;
    if (got_chld) {
        got_chld = 0;
        bits |= MASTER_SIG_CHLD;
    }
    if (got_hup) {
        got_hup = 0;
        bits |= MASTER_SIG_HUP;
    }
    if (got_term) {
        *termsig_r = got_term;
        bits |= MASTER_SIG_TERM;
    }
    return bits;
}
