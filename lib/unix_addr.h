/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unix_addr.h - the address of a unix-domain socket at any path.
 * sockaddr_un holds 107 bytes; a longer path (a deep configdirectory) is
 * reached through its directory: the directory is opened (O_PATH) and the
 * address becomes /proc/self/fd/<n>/<name>, which the kernel resolves to
 * the same file for bind() and connect() alike.  Only the file name must
 * fit.
 */
#ifndef LIB_UNIX_ADDR_H
#define LIB_UNIX_ADDR_H

#include <sys/socket.h>
#include <sys/un.h>

struct unix_addr {
    struct sockaddr_un sun;
    socklen_t len;
    int dirfd;                  /* -1, or the directory held open */
};

/* unix_addr_init - the address of path; 0, or -1 with errno
 * (ENAMETOOLONG when even the file name does not fit, or what opening
 * the directory gave).  Call unix_addr_done after bind/connect. */
int unix_addr_init(struct unix_addr *a, const char *path);

/* unix_addr_done - close the directory, if one was opened */
void unix_addr_done(struct unix_addr *a);

#endif /* LIB_UNIX_ADDR_H */
