/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * thread.c - the REFERENCES threading algorithm of RFC 5256 section 3,
 * steps 1-6, and the THREAD response writer (imap/thread.h).
 *
 * Containers live in one array (messages first, then dummies created for
 * referenced ids that are not in the searched set, then dummies made by
 * subject merging); links are indexes-free pointers within it.  Message
 * ids are looked up in a lib/hash table that is dropped after step 1.
 * Loops are refused at link time (step 1), so every later walk ends.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/thread.h"
#include "lib/hash.h"
#include "lib/xmalloc.h"

struct node {
    struct thread_msg *msg;      /* NULL: a dummy */
    struct node *parent, *child, *next;
};

struct forest {
    struct node **all;           /* every node, for freeing */
    size_t count, alloc;
    struct node root;            /* step 2's dummy root */
};

/* node_new - a new container in f */
static struct node *node_new(struct forest *f, struct thread_msg *msg)
{
    struct node *n = xzmalloc(sizeof(*n));

    if (f->count == f->alloc) {
        f->alloc = f->alloc ? 2 * f->alloc : 64;
        f->all = xreallocarray(f->all, f->alloc, sizeof(*f->all));
    }
    f->all[f->count++] = n;
    n->msg = msg;
    return n;
}

/* unlink_node - detach n from its parent */
static void unlink_node(struct node *n)
{
    struct node **pp;

    if (!n->parent)
        return;
    for (pp = &n->parent->child; *pp != n; pp = &(*pp)->next)
        ;
    *pp = n->next;
    n->next = NULL;
    n->parent = NULL;
}

/* add_child - append c (detached) to p's children */
static void add_child(struct node *p, struct node *c)
{
    struct node **pp = &p->child;

    while (*pp)
        pp = &(*pp)->next;
    *pp = c;
    c->parent = p;
    c->next = NULL;
}

/* descends - true when a is b or below b */
static bool descends(const struct node *a, const struct node *b)
{
    for (; a; a = a->parent) {
        if (a == b)
            return true;
    }
    return false;
}

/* lookup - the container of id, created as a dummy if missing */
static struct node *lookup(struct forest *f, struct hash_table *ids,
                           const char *id)
{
    struct node *n = hash_lookup(ids, id);

    if (!n) {
        n = node_new(f, NULL);
        hash_insert(ids, id, n);
    }
    return n;
}

/* link_refs - step 1 for message m */
static void link_refs(struct forest *f, struct hash_table *ids,
                      struct thread_msg *m)
{
    struct node *self = NULL, *prev = NULL, *c;

    if (m->msgid && (self = hash_lookup(ids, m->msgid)) && !self->msg)
        self->msg = m;                 /* a dummy made by a reference */
    else if (m->msgid && !self)
        hash_insert(ids, m->msgid, self = node_new(f, m));
    else
        self = node_new(f, m);         /* no id, or a duplicate: unique */
    for (size_t i = 0; i < m->refs.count; i++) {
        c = lookup(f, ids, strarray_nth(&m->refs, i));
        if (prev && prev != c && !c->parent && !descends(prev, c))
            add_child(prev, c);
        prev = c;
    }
    unlink_node(self);                 /* step 1B */
    if (prev && !descends(prev, self))
        add_child(prev, self);
}

/* prune - step 3 on the children of p (is_root: p is the root) */
static void prune(struct node *p, bool is_root)
{
    struct node **pp = &p->child;

    while (*pp) {
        struct node *c = *pp;
        prune(c, false);
        if (c->msg || (is_root && c->child && c->child->next)) {
            pp = &c->next;
            continue;
        }
        /* splice c's children (maybe none) in place of c */
        struct node *kids = c->child, *last = NULL;
        for (struct node *k = kids; k; k = k->next) {
            k->parent = p;
            last = k;
        }
        if (last) {
            last->next = c->next;
            *pp = kids;
        } else {
            *pp = c->next;
        }
        c->child = c->next = NULL;
        c->parent = NULL;
    }
}

/* first_msg - the message a container sorts and is named by */
static const struct thread_msg *first_msg(const struct node *n)
{
    while (n && !n->msg)
        n = n->child;
    return n ? n->msg : NULL;
}

/* cmp_nodes - by sent date, then sequence number */
static int cmp_nodes(const void *a, const void *b)
{
    const struct thread_msg *x = first_msg(*(struct node *const *)a);
    const struct thread_msg *y = first_msg(*(struct node *const *)b);

    if (!x || !y)
        return !x - !y;
    if (x->sentdate != y->sentdate)
        return x->sentdate < y->sentdate ? -1 : 1;
    return x->msgno < y->msgno ? -1 : x->msgno > y->msgno;
}

/* sort_children - sort p's children (and below, when deep) by date */
static void sort_children(struct node *p, bool deep)
{
    size_t n = 0, i = 0;
    struct node *c, **v;

    for (c = p->child; c; c = c->next) {
        n++;
        if (deep || !c->msg)
            sort_children(c, deep);
    }
    if (n < 2)
        return;
    v = xcalloc(n, sizeof(*v));
    for (c = p->child; c; c = c->next)
        v[i++] = c;
    qsort(v, n, sizeof(*v), cmp_nodes);
    for (i = 0; i + 1 < n; i++)
        v[i]->next = v[i + 1];
    v[n - 1]->next = NULL;
    p->child = v[0];
    free(v);
}

/* subject_of - step 5.B.i: the thread subject of a root child */
static const struct thread_msg *subject_of(const struct node *n)
{
    if (n->msg)
        return n->msg;
    return n->child ? n->child->msg : NULL;
}

/* fill_table - step 5.B */
static void fill_table(struct forest *f, struct hash_table *subj)
{
    for (struct node *c = f->root.child; c; c = c->next) {
        const struct thread_msg *m = subject_of(c);
        struct node *old;
        if (!m || !m->subject || !*m->subject)
            continue;
        if (!(old = hash_lookup(subj, m->subject)))
            hash_insert(subj, m->subject, c);
        else if (old->msg && (!c->msg || (old->msg->is_reply && !c->msg->is_reply)))
            hash_insert(subj, m->subject, c);
    }
}

/* merge_one - step 5.C for root child c whose table entry is t; returns
 * the dummy that replaced t in the root, or NULL */
static struct node *merge_one(struct forest *f, struct hash_table *subj,
                      struct node *c, struct node *t, const char *key)
{
    struct node *d;

    unlink_node(c);
    if (!t->msg && !c->msg) {
        while (c->child) {
            struct node *k = c->child;
            unlink_node(k);
            add_child(t, k);
        }
    } else if (!t->msg || (c->msg && c->msg->is_reply && !t->msg->is_reply)) {
        add_child(t, c);
    } else {
        struct node **pp;
        d = node_new(f, NULL);
        for (pp = &f->root.child; *pp != t; pp = &(*pp)->next)
            ;
        d->next = t->next;             /* d takes t's place in the root */
        d->parent = &f->root;
        *pp = d;
        t->next = NULL;
        t->parent = NULL;
        add_child(d, t);
        add_child(d, c);
        hash_insert(subj, key, d);
        return d;
    }
    return NULL;
}

/* merge_subjects - step 5 */
static void merge_subjects(struct forest *f)
{
    struct hash_table *subj = hash_new(64);
    struct node *c = f->root.child, *next, *d;

    fill_table(f, subj);
    for (; c; c = next) {
        const struct thread_msg *m = subject_of(c);
        struct node *t;
        next = c->next;
        if (!m || !m->subject || !*m->subject)
            continue;
        t = hash_lookup(subj, m->subject);
        if (t && t != c && (d = merge_one(f, subj, c, t, m->subject)) &&
            next == t)
            next = d;                  /* t left the root list: go on at d */
    }
    hash_free(&subj, NULL);
}

/* write_chain - a node and its descendants in THREAD syntax */
static void write_chain(const struct node *n, struct buf *out)
{
    if (n->msg)
        buf_printf(out, "%u", n->msg->id);
    if (!n->child)
        return;
    if (!n->child->next && n->msg) {
        buf_putc(out, ' ');
        write_chain(n->child, out);
        return;
    }
    if (n->msg)
        buf_putc(out, ' ');
    for (const struct node *c = n->child; c; c = c->next) {
        buf_putc(out, '(');
        write_chain(c, out);
        buf_putc(out, ')');
    }
}

void thread_references(struct thread_msg *msgs, size_t n, struct buf *out)
{
    struct forest f;
    struct hash_table *ids = hash_new(n * 2 + 16);

    memset(&f, 0, sizeof(f));
    for (size_t i = 0; i < n; i++)
        link_refs(&f, ids, &msgs[i]);
    hash_free(&ids, NULL);                             /* step 3 of RFC */
    for (size_t i = 0; i < f.count; i++) {             /* step 2 */
        if (!f.all[i]->parent)
            add_child(&f.root, f.all[i]);
    }
    prune(&f.root, true);                              /* step 3 */
    sort_children(&f.root, false);                     /* step 4 */
    merge_subjects(&f);                                /* step 5 */
    sort_children(&f.root, true);                      /* step 6 */
    for (const struct node *c = f.root.child; c; c = c->next) {
        buf_putc(out, '(');
        write_chain(c, out);
        buf_putc(out, ')');
    }
    for (size_t i = 0; i < f.count; i++)
        free(f.all[i]);
    free(f.all);
}
