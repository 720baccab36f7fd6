/* SPDX-License-Identifier: BSD-3-Clause */
/* imap_load - a load generator for any IMAP/LMTP server (bench/README.md).
 *
 *   imap_load populate -p PORT [-h HOST] -n USERS -N MSGS [-A admin:pw]
 *   imap_load imap     -p PORT [-h HOST] -c CLIENTS -t SECS -n USERS
 *   imap_load lmtp     -p PORT [-h HOST] -M MSGS -S SIZE -K RCPTS -P CONNS -n USERS
 *   imap_load idle     -p PORT [-h HOST] -c CONNS -n USERS
 *   imap_load list     -p PORT [-h HOST] -r TIMES [-L 'LIST arguments']
 *
 * Users are PREFIX1..PREFIXn (-u PREFIX, default "bench") with one password
 * (-w, default "benchpw").  Each client thread uses blocking sockets and
 * plain C string handling; one thread per connection, so the generator
 * costs a few microseconds of CPU per command.  Every tagged NO/BAD,
 * untagged BYE/BAD/NO, unexpected reply, EOF or timeout is a protocol error.
 * The last line printed is "RESULT key=value ...", for scripts.
 *
 * This file owns the options, the command line and the dispatch to the
 * modes.  The parts: imap_load_conn.c (sockets, line reader),
 * imap_load_imap.c (IMAP commands and replies), imap_load_msg.c (test
 * messages), imap_load_stats.c (latencies), and one file per kind of
 * run: imap_load_mix.c (imap), imap_load_fixture.c (populate, idle),
 * imap_load_list.c (list), imap_load_lmtp.c (lmtp). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/imap_load.h"

const char *opt_host = "127.0.0.1";
const char *opt_port;
const char *opt_prefix = "bench";
const char *opt_pass = "benchpw";
const char *opt_admin = "admin:admin-pw";
const char *opt_mailbox = "INBOX";
const char *opt_domain = "localhost";
const char *opt_list = "\"\" \"*\"";
int opt_clients = 10, opt_secs = 10, opt_users = 10, opt_msgs = 100;
int opt_rounds = 3, opt_lmtp_msgs = 1000, opt_size = 4096;
int opt_rcpts = 1, opt_conns = 4, opt_verbose = 0, opt_quickack = 0;
unsigned opt_seed = 1;

volatile int stop_flag;
unsigned run_nonce;

/* now - monotonic seconds */
double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* die - report a fatal error and exit 2 */
void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("imap_load: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

/* usage - print the options and exit 2 */
static void usage(void)
{
    fputs(
"usage: imap_load MODE -p PORT [options]\n"
"modes: populate | imap | lmtp | idle | list\n"
"  -h HOST      server address (127.0.0.1)\n"
"  -p PORT      server port (required)\n"
"  -u PREFIX    user names PREFIX1..PREFIXn (bench)\n"
"  -n USERS     number of users (10); client i uses user i mod n\n"
"  -w PASS      password of every user (benchpw)\n"
"  -A USER:PW   admin for populate's CREATE user/NAME (admin:admin-pw)\n"
"  -N MSGS      populate: messages per INBOX (100)\n"
"  -m MAILBOX   imap/idle: mailbox to SELECT (INBOX)\n"
"  -c CLIENTS   imap: concurrent clients; idle: connections (10)\n"
"  -t SECS      imap: duration (10)\n"
"  -r ROUNDS    imap: fetch/store rounds per session (3); list: LISTs\n"
"  -L ARGS      list: the LIST arguments (\"\" \"*\"), as user PREFIX1\n"
"  -s SEED      random seed (1)\n"
"  -M MSGS -S SIZE -K RCPTS -P CONNS -d DOMAIN   lmtp parameters\n"
"  -q           TCP_QUICKACK after every read (no delayed ACKs; see README)\n"
"  -v           print every protocol error\n", stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    const char *mode;
    int o;

    if (argc < 2)
        usage();
    mode = argv[1];
    optind = 2;
    while ((o = getopt(argc, argv, "h:p:u:n:w:A:N:m:c:t:r:s:M:S:K:P:d:L:qv")) != -1) {
        switch (o) {
        case 'h': opt_host = optarg; break;
        case 'p': opt_port = optarg; break;
        case 'u': opt_prefix = optarg; break;
        case 'n': opt_users = atoi(optarg); break;
        case 'w': opt_pass = optarg; break;
        case 'A': opt_admin = optarg; break;
        case 'N': opt_msgs = atoi(optarg); break;
        case 'm': opt_mailbox = optarg; break;
        case 'c': opt_clients = atoi(optarg); break;
        case 't': opt_secs = atoi(optarg); break;
        case 'r': opt_rounds = atoi(optarg); break;
        case 's': opt_seed = (unsigned)atoi(optarg); break;
        case 'M': opt_lmtp_msgs = atoi(optarg); break;
        case 'S': opt_size = atoi(optarg); break;
        case 'K': opt_rcpts = atoi(optarg); break;
        case 'P': opt_conns = atoi(optarg); break;
        case 'd': opt_domain = optarg; break;
        case 'L': opt_list = optarg; break;
        case 'q': opt_quickack = 1; break;
        case 'v': opt_verbose = 1; break;
        default: usage();
        }
    }
    if (!opt_port || opt_users < 1 || opt_clients < 1 || opt_conns < 1)
        usage();
    run_nonce = (unsigned)getpid() ^ (unsigned)time(NULL);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (strcmp(mode, "imap") == 0)
        return run_imap();
    if (strcmp(mode, "populate") == 0)
        return run_populate();
    if (strcmp(mode, "lmtp") == 0)
        return run_lmtp();
    if (strcmp(mode, "idle") == 0)
        return run_idle();
    if (strcmp(mode, "list") == 0)
        return run_list();
    usage();
    return 2;
}
