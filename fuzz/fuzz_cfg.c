/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_cfg.c - libFuzzer harness for the imapd.conf reader (lib/cfg.c).
 *
 * Each input is written to a private temporary file and loaded with
 * cfg_load() as the service "imap" (so service overrides are exercised),
 * then every typed getter is read and the configuration is reset.  Bugs
 * show up as sanitizer reports or leaks; load errors are expected.
 * Run: ./fuzz/fuzz_cfg -max_total_time=60 [corpus-dir]
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/cfg.h"
#include "lib/log.h"
#include "lib/strarray.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

/* remove_tmp - at exit */
static void remove_tmp(void)
{
    unlink(path);
}

/* setup - once per process: quiet logging and a temp file name */
static void setup(void)
{
    int fd;

    log_open("fuzz_cfg", NULL);
    log_set_file("/dev/null");
    snprintf(path, sizeof(path), "/tmp/fuzz_cfg.XXXXXX");
    fd = mkstemp(path);
    if (fd < 0)
        abort();
    close(fd);
    atexit(remove_tmp);
}

/* touch_all - read every option through its typed getter */
static void touch_all(void)
{
    for (int o = IMAPOPT_ZERO + 1; o < IMAPOPT_LAST; o++) {
        switch (imapopts[o].type) {
        case IMAPOPT_TYPE_STRING: (void)cfg_get_string(o); break;
        case IMAPOPT_TYPE_LIST:   (void)cfg_get_list(o)->count; break;
        case IMAPOPT_TYPE_INT:    (void)cfg_get_int(o); break;
        case IMAPOPT_TYPE_SWITCH: (void)cfg_get_switch(o); break;
        case IMAPOPT_TYPE_ENUM:   (void)cfg_get_enum(o); break;
        }
    }
    (void)cfg_get_partition("default");
    (void)cfg_get_raw("sasl_mech_list");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *error;
    FILE *f;

    if (!path[0])
        setup();
    f = fopen(path, "w");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    (void)cfg_load(path, "imap", &error);
    touch_all();
    cfg_reset();
    return 0;
}
