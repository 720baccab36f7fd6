/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lmtp_recipient.c - LMTP paths and addresses, and their resolution to a
 * mailbox through mailboxes.db and ACLs (the rules are in lmtp_recipient.h).
 *
 * Used by the LMTP engine (path syntax), by lmtpd's local delivery and by
 * lmtpproxyd.  No process state: the configuration arrives in a struct
 * lmtp_resolve_cfg.  Database faults are logged by mboxlist and reported
 * as LMTP_RCPT_TEMPFAIL, so the sender retries rather than bounces.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/acl.h"
#include "imap/auth_state.h"
#include "imap/mboxlist.h"
#include "imap/mboxname.h"
#include "lib/cfg.h"
#include "lib/str.h"
#include "lmtpd/lmtp_recipient.h"
#include "lib/xmalloc.h"

int lmtp_resolve_init_from_cfg(struct lmtp_resolve_cfg *cfg,
                               const char **error_r)
{
    const char *pu = cfg_get_string(IMAPOPT_POSTUSER);

    memset(cfg, 0, sizeof(*cfg));
    if (namespace_init_from_cfg(&cfg->ns, 1, error_r) < 0)
        return -1;
    cfg->downcase = cfg_get_switch(IMAPOPT_LMTP_DOWNCASE_RCPT);
    cfg->postuser = pu ? pu : "";
    return 1;
}

/* local_char - may c appear unquoted in a local part?  (atext and '.',
 * RFC 5322 3.2.3, plus 8-bit bytes for RFC 6531 senders) */
static int local_char(unsigned char c)
{
    if (c >= 0x80)
        return 1;
    if (c <= 0x20 || c == 0x7f)
        return 0;
    return strchr("<>@()[],;:\\\"", c) == NULL;
}

/* parse_quoted - a quoted local part at s[*i] (the opening '"'), unquoted
 * into out; 1, or -1 */
static int parse_quoted(const char *s, size_t len, size_t *i, struct buf *out)
{
    size_t j = *i + 1;

    for (; j < len && s[j] != '"'; j++) {
        if (s[j] == '\\' && j + 1 < len)
            j++;
        if ((unsigned char)s[j] < 0x20 || s[j] == 0x7f)
            return -1;
        buf_putc(out, s[j]);
    }
    if (j >= len)
        return -1;
    *i = j + 1;
    return 1;
}

/* parse_domain - the domain at s[*i] up to '>' appended to out; 1, or -1
 * when empty or holding spaces, controls or brackets of a path */
static int parse_domain(const char *s, size_t len, size_t *i, struct buf *out)
{
    size_t j = *i;

    while (j < len && s[j] != '>') {
        unsigned char c = (unsigned char)s[j];
        if (c <= 0x20 || c == 0x7f || c == '<' || c == '@')
            return -1;
        buf_putc(out, (char)c);
        j++;
    }
    if (j == *i)
        return -1;
    *i = j;
    return 1;
}

int lmtp_path_parse(const char *s, size_t len, int allow_null, char **addr_r,
                    size_t *used_r, const char **error_r)
{
    struct buf a = BUF_INIT;
    size_t i = 1;
    int r = -1;

    *error_r = "Syntax error in address: <local-part@domain> expected";
    if (len < 2 || s[0] != '<')
        return -1;
    if (s[1] == '>') {
        if (!allow_null) {
            *error_r = "Null address not allowed here";
            return -1;
        }
        *addr_r = xstrdup("");
        *used_r = 2;
        return 1;
    }
    if (s[1] == '@') { /* source route: "@a,@b:" is skipped (RFC 5321 C) */
        const char *colon = memchr(s, ':', len);
        const char *gt = memchr(s, '>', len);
        if (!colon || (gt && gt < colon))
            return -1;
        i = (size_t)(colon - s) + 1;
    }
    if (i < len && s[i] == '"') {
        if (parse_quoted(s, len, &i, &a) < 0)
            goto out;
    } else {
        for (; i < len && local_char((unsigned char)s[i]); i++)
            buf_putc(&a, s[i]);
    }
    if (i < len && s[i] == '@') {
        buf_putc(&a, '@');
        i++;
        if (parse_domain(s, len, &i, &a) < 0)
            goto out;
    }
    if (i >= len || s[i] != '>' || a.len == 0)
        goto out;
    if (a.len > LMTP_ADDRESS_MAX) {
        *error_r = "Address too long";
        goto out;
    }
    *addr_r = buf_release(&a);
    *used_r = i + 1;
    r = 1;
out:
    buf_free(&a);
    return r;
}

int lmtp_address_split(const char *addr, int downcase, struct lmtp_address *a)
{
    const char *at = strrchr(addr, '@');
    size_t loclen = at ? (size_t)(at - addr) : strlen(addr);
    const char *plus = memchr(addr, '+', loclen);

    memset(a, 0, sizeof(*a));
    if (!*addr || (at && !at[1]))
        return -1;
    a->user = xstrndup(addr, plus ? (size_t)(plus - addr) : loclen);
    if (plus)
        a->detail = xstrndup(plus + 1, loclen - (size_t)(plus - addr) - 1);
    if (at)
        a->domain = str_lcase(xstrdup(at + 1));
    if (downcase)
        str_lcase(a->user);
    return 1;
}

void lmtp_address_fini(struct lmtp_address *a)
{
    free(a->user);
    free(a->detail);
    free(a->domain);
    memset(a, 0, sizeof(*a));
}

/* lookup - the usable entry of name: UNKNOWN for missing, reserved or
 * deleted entries, TEMPFAIL for database errors and mailboxes being moved
 * to another server */
static int lookup(const char *name, struct mboxlist_entry **e_r)
{
    int r = mboxlist_lookup(name, e_r);

    if (r == MBOXLIST_NOTFOUND)
        return LMTP_RCPT_UNKNOWN;
    if (r != MBOXLIST_OK)
        return LMTP_RCPT_TEMPFAIL;
    if ((*e_r)->type & (MBTYPE_RESERVE | MBTYPE_DELETED)) {
        mboxlist_entry_free(e_r);
        return LMTP_RCPT_UNKNOWN;
    }
    if ((*e_r)->type & MBTYPE_MOVING) { /* XFER under way: retry later */
        mboxlist_entry_free(e_r);
        return LMTP_RCPT_TEMPFAIL;
    }
    return LMTP_RCPT_OK;
}

/* may_post - does anonymous (an unauthenticated sender) have `p` on e? */
static int may_post(const struct mboxlist_entry *e)
{
    struct auth_state *st = auth_state_new(NULL, 0);
    unsigned rights = acl_myrights(st, e->acl);

    auth_state_free(&st);
    return (rights & ACL_POST) != 0;
}

/* recipient_new - a recipient for address delivering to entry e */
static struct lmtp_recipient *recipient_new(const char *address,
                                            const char *userid,
                                            const struct mboxlist_entry *e)
{
    struct lmtp_recipient *r = xzmalloc(sizeof(*r));

    r->address = xstrdup(address);
    r->userid = xstrdupnull(userid);
    r->mailbox = xstrdup(e->name);
    r->partition = xstrdupnull(e->partition);
    r->server = xstrdupnull(e->server);
    return r;
}

/* user_id - the userid of a's user part (user@domain with virtdomains);
 * allocated */
static char *user_id(const struct lmtp_resolve_cfg *cfg,
                     const struct lmtp_address *a)
{
    struct buf b = BUF_INIT;

    buf_setcstr(&b, a->user);
    if (cfg->ns.virtdomains && a->domain)
        buf_printf(&b, "@%s", a->domain);
    return buf_release(&b);
}

/* shared_name - the internal name of POSTUSER+box's box (allocated), or
 * NULL when box is not a valid name */
static char *shared_name(const struct lmtp_resolve_cfg *cfg,
                         const struct lmtp_address *a)
{
    struct buf ext = BUF_INIT;
    char *name = NULL;

    buf_setcstr(&ext, a->detail);
    if (cfg->ns.virtdomains && a->domain &&
        strcmp(a->domain, cfg->ns.defaultdomain) != 0)
        buf_printf(&ext, "@%s", a->domain);
    if (mboxname_to_internal(&cfg->ns, buf_cstring(&ext), NULL, &name,
                             NULL) != 1) {
        free(name);
        name = NULL;
    }
    buf_free(&ext);
    return name;
}

/* resolve_user - user[+folder]: the folder when it exists and accepts
 * posting, else the INBOX */
static int resolve_user(const struct lmtp_resolve_cfg *cfg, const char *addr,
                        const struct lmtp_address *a,
                        struct lmtp_recipient **r_r)
{
    struct mboxlist_entry *e = NULL, *fe = NULL;
    char *userid = user_id(cfg, a), *inbox, *folder = NULL;
    struct buf ext = BUF_INIT;
    int r;

    inbox = mboxname_user_inbox(&cfg->ns, userid);
    r = inbox ? lookup(inbox, &e) : LMTP_RCPT_UNKNOWN;
    if (r == LMTP_RCPT_OK && a->detail && *a->detail) {
        buf_printf(&ext, "INBOX%c%s", cfg->ns.sep, a->detail);
        if (mboxname_to_internal(&cfg->ns, buf_cstring(&ext), userid, &folder,
                                 NULL) == 1 &&
            lookup(folder, &fe) == LMTP_RCPT_OK && !may_post(fe))
            mboxlist_entry_free(&fe);
    }
    if (r == LMTP_RCPT_OK)
        *r_r = recipient_new(addr, userid, fe ? fe : e);
    mboxlist_entry_free(&e);
    mboxlist_entry_free(&fe);
    buf_free(&ext);
    free(folder);
    free(inbox);
    free(userid);
    return r;
}

/* resolve_shared - POSTUSER+box: the shared mailbox box, when anonymous
 * may post to it */
static int resolve_shared(const struct lmtp_resolve_cfg *cfg, const char *addr,
                          const struct lmtp_address *a,
                          struct lmtp_recipient **r_r)
{
    struct mboxlist_entry *e = NULL;
    char *name = shared_name(cfg, a);
    int r = name ? lookup(name, &e) : LMTP_RCPT_UNKNOWN;

    if (r == LMTP_RCPT_OK && !may_post(e))
        r = LMTP_RCPT_NOPOST;
    if (r == LMTP_RCPT_OK)
        *r_r = recipient_new(addr, NULL, e);
    mboxlist_entry_free(&e);
    free(name);
    return r;
}

/* is_shared - does a name a shared mailbox (POSTUSER+box)? */
static int is_shared(const struct lmtp_resolve_cfg *cfg,
                     const struct lmtp_address *a)
{
    return a->detail && *a->detail && strcmp(a->user, cfg->postuser) == 0;
}

int lmtp_recipient_target(const struct lmtp_resolve_cfg *cfg,
                          const char *address, char **name_r)
{
    struct lmtp_address a;
    char *userid;

    *name_r = NULL;
    if (lmtp_address_split(address, cfg->downcase, &a) < 0)
        return -1;
    if (is_shared(cfg, &a)) {
        *name_r = shared_name(cfg, &a);
    } else if (*a.user) {
        userid = user_id(cfg, &a);
        *name_r = mboxname_user_inbox(&cfg->ns, userid);
        free(userid);
    }
    lmtp_address_fini(&a);
    return *name_r ? 1 : 0;
}

int lmtp_recipient_resolve(const struct lmtp_resolve_cfg *cfg,
                           const char *address, struct lmtp_recipient **r_r)
{
    struct lmtp_address a;
    int r;

    *r_r = NULL;
    if (lmtp_address_split(address, cfg->downcase, &a) < 0)
        return LMTP_RCPT_BADADDR;
    if (is_shared(cfg, &a))
        r = resolve_shared(cfg, address, &a, r_r);
    else if (!*a.user)
        r = LMTP_RCPT_UNKNOWN;
    else
        r = resolve_user(cfg, address, &a, r_r);
    lmtp_address_fini(&a);
    return r;
}

void lmtp_recipient_free(struct lmtp_recipient **rp)
{
    struct lmtp_recipient *r = *rp;

    if (!r)
        return;
    free(r->address);
    free(r->userid);
    free(r->mailbox);
    free(r->partition);
    free(r->server);
    free(r->reply);
    free(r);
    *rp = NULL;
}

void lmtp_rcpt_result_reply(int result, int overquota_perm, struct buf *out)
{
    buf_reset(out);
    switch (result) {
    case LMTP_RCPT_OK:
        buf_setcstr(out, "250 2.1.5 Ok");
        break;
    case LMTP_RCPT_BADADDR:
        buf_setcstr(out, "501 5.1.3 Bad recipient address syntax");
        break;
    case LMTP_RCPT_UNKNOWN:
        buf_setcstr(out, "550 5.1.1 User unknown");
        break;
    case LMTP_RCPT_NOPOST:
        buf_setcstr(out, "550 5.7.1 Permission denied to post to mailbox");
        break;
    case LMTP_RCPT_OVERQUOTA:
        buf_setcstr(out, overquota_perm ? "552 5.2.2 Over quota"
                                        : "452 4.2.2 Over quota");
        break;
    case LMTP_RCPT_TOOBIG:
        buf_setcstr(out, "552 5.3.4 Message too big");
        break;
    default:
        buf_setcstr(out, "451 4.3.0 Temporary failure, try again later");
        break;
    }
}
