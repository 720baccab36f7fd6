/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_slave.h - slave mode of the mupdate daemon (a frontend's copy
 * of the murder's mailbox list): keeps <configdirectory>/mailboxes.db
 * current from the master's UPDATE stream and answers local processes
 * (FIND, LIST, NOOP = "catch up now") on its listeners.
 */
#ifndef MUPDATE_MUPDATE_SLAVE_H
#define MUPDATE_MUPDATE_SLAVE_H

struct tls_ctx;

/* mupdate_slave_run - the slave's event loop, from the service
 * skeleton's run callback (master/service.h); tls (may be NULL: no
 * STARTTLS) serves the TCP listener's peers.  Returns an exit code. */
int mupdate_slave_run(int listen_fd, struct tls_ctx *tls);

#endif /* MUPDATE_MUPDATE_SLAVE_H */
