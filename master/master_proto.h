/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * master_proto.h - the contract between master and the children it execs.
 *
 * A SERVICES child starts with these descriptors open (and only these
 * beyond stdin/stdout/stderr; everything else master holds is close-on-exec):
 *
 *   STATUS_FD  write end of the service's status pipe; the child writes
 *              struct master_status_msg records to it.  POLLERR on it
 *              means master is gone.
 *   LISTEN_FD  the listening socket (non-blocking), shared by all children
 *              of the service; children accept() on it.
 *   LOCK_FD    the service's accept lock (a file; fcntl write lock held
 *              while waiting for a connection, so one child waits at a time).
 *
 * A DAEMON child with wait=y instead gets, as Cyrus, a pipe on fd 3 to which
 * it writes "ok\r\n" once ready.  EVENTS and START children get none.
 *
 * Environment: CYRUS_SERVICE=<cyrus.conf entry name> (all kinds) and
 * MASTER_GENERATION=<n> (the configuration generation the child belongs
 * to; it increases on every SIGHUP reload).
 */
#ifndef MASTER_MASTER_PROTO_H
#define MASTER_MASTER_PROTO_H

#include <stdint.h>

#define STATUS_FD  3
#define LISTEN_FD  4
#define LOCK_FD    5
/* First descriptor number not reserved for the child contract. */
#define MASTER_FIRST_FREE_FD 6

#define MASTER_ENV_SERVICE    "CYRUS_SERVICE"
#define MASTER_ENV_GENERATION "MASTER_GENERATION"

/* What a child tells master about itself. */
enum master_status {
    MASTER_STATUS_READY = 1,   /* waiting for a connection */
    MASTER_STATUS_BUSY = 2,    /* serving a connection */
    MASTER_STATUS_EXITING = 3, /* leaving (maxuse reached, SIGHUP, error) */
};

#define MASTER_STATUS_MAGIC 0x4d535431u /* "MST1" */

/* One status record.  Written with a single write(2) of exactly this size
 * (far below PIPE_BUF, so records never interleave); master checks magic,
 * status, and that pid and generation match a child it started for this
 * service before trusting it. */
struct master_status_msg {
    uint32_t magic;
    uint32_t status;     /* enum master_status */
    int32_t pid;
    uint32_t generation;
};

/* The readiness line a wait=y DAEMON writes to fd 3 (Cyrus compatible). */
#define MASTER_DAEMON_READY "ok\r\n"

#endif /* MASTER_MASTER_PROTO_H */
