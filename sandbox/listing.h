/*
** listing.h — the list engine every sandbox vendor shares: which records
** of a collection a list request selects, in which order, and the page of
** them it answers with. A vendor keeps only what is its own: its paths,
** its query parameter names and error bodies, its filters (a match
** function), its sortable fields (a lookup and a value function) and its
** record shapes (a render function).
**
** The pieces, in the order a list request uses them:
**
**   sb_order_parse   "Field [asc|desc], ..." -> sb_order, with the vendor's
**                    field lookup; the vendor words its own 400 from the
**                    SB_ORDER_* code it gets back.
**   sb_select        the result set: every record that matches, sorted by
**                    the order (nulls first, strings case-insensitively,
**                    ties by record index), cached by a key of the
**                    vendor's choosing. Unfiltered id-ordered lists need no
**                    result set: rows are the record indexes themselves.
**   sb_rows_json     the page [offset, offset + limit) as a JSON array,
**                    each row written by the vendor's render function.
**
** Paging parameters stay the vendor's (their names, bounds, clamping and
** messages differ: limit/offset, pagesize/pagenumber, page/pageSize,
** Entrata's page_no/per_page); the engine takes the offset and limit they
** come to. A vendor that pages by cursor encodes that offset in its
** cursor. Totals (X-Total-Count, X-Total-Results, Link headers) are
** rows.total in the vendor's own header. Fault injection (empty pages,
** truncation, 429s, ...) is the server's (server.c, control.c) for every
** answer with is_list set.
**
** Also here: the state every vendor's lists share (sb_list_cache, the
** writer-preferring lock) and the counts of /__sandbox/stats by unified
** model (sb_counts_json). Fields written over generated records are kept
** in an sb_ovr (overrides.c, sandbox.h).
**
** Adding a resource to a vendor: give it a record count, a render function
** and, if it filters or sorts, a match function and a sortable-field
** lookup, then a list handler like this one (the vendor's names in <>):
**
**     <parse the paging parameters into offset, limit; filters into f>
**     struct <v>_listarg a = { ctx, kind, &f };
**     sb_select_spec sel = { .n = <count>, .filtered = <any filter>,
**                            .match = <match>, .order = &ord,
**                            .value = <sort value>, .arg = &a };
**     sb_rows rows;
**     sb_select(&sel, &rows);
**     sb_rows_json(&rows, offset, limit, <bytes per row>, <render>, &a,
**                  &resp->body);
**     <the total header from rows.total>; resp->is_list = 1;
**     sb_rows_free(&rows);
**
** under the vendor's read lock; add .cache/.key (and answer repeated
** queries from lists.pages) when lists are large. A new model also gets
** an SB_M_* entry below so /__sandbox/stats counts it. Adding a vendor:
** the same per resource, plus its routes, auth and error shape in its own
** file defining an sb_vendor (sandbox.h); make lists it.
*/
#ifndef SANDBOX_LISTING_H
#define SANDBOX_LISTING_H

#include "sandbox.h"

#include <pthread.h>

/* ------------------------------------------------------------------ */
/* Ordering                                                             */

#define SB_ORDER_MAX 8

typedef struct sb_order {
  int n;
  int field[SB_ORDER_MAX];      /* the vendor's field numbers; 0 = Id */
  int desc[SB_ORDER_MAX];
  int str[SB_ORDER_MAX];        /* string key (else a number) */
} sb_order;

enum { SB_ORDER_OK, SB_ORDER_UNKNOWN, SB_ORDER_DIRECTION, SB_ORDER_TOO_MANY };

/* The vendor's field lookup: its number for name (any case), or -1; sets
** *is_str for fields that sort as strings. */
typedef int (*sb_field_fn)(const void *fields, const char *name, int *is_str);

/* Parses "Field [asc|desc], ..." (empty items skipped) into o, with at
** most max keys. On SB_ORDER_UNKNOWN the unknown name is copied to bad. */
int sb_order_parse(const char *s, int max, sb_field_fn lookup, const void *fields,
                   sb_order *o, char *bad, size_t badlen);
/* One item "Field [asc|desc]" (modified in place) added to o, for vendors
** that split the list their own way; a blank item adds nothing. */
int sb_order_item(char *item, int max, sb_field_fn lookup, const void *fields,
                  sb_order *o, char *bad, size_t badlen);
/* Is the order the records' own (none, or Id ascending or descending)? */
int sb_order_by_id(const sb_order *o);
int sb_order_id_desc(const sb_order *o);

/* A sort key's value for record idx: a string key returns the string
** (NULL for null; it is copied at once, so scratch space may be reused);
** a number key sets *num (-HUGE_VAL for null) and returns NULL. */
typedef const char *(*sb_value_fn)(void *arg, uint32_t idx, int field, double *num);

/* Sorts ids[0..n) by o; ties keep record index order. */
void sb_sort(uint32_t *ids, uint32_t n, const sb_order *o, sb_value_fn value, void *arg);

/* ------------------------------------------------------------------ */
/* Selection                                                            */

typedef struct sb_select_spec {
  uint32_t n;                   /* records: indexes 0..n-1 */
  int filtered;                 /* 0: every record is in, and with an id
                                ** order no result set is built */
  int (*match)(void *arg, uint32_t idx);  /* NULL = all; else asked for
                                ** every record of a result set */
  const sb_order *order;        /* NULL = index order */
  sb_value_fn value;            /* sort keys, when order is not by id */
  void *arg;                    /* for match and value */
  sb_cache *cache;              /* result sets by key; NULL = no caching */
  const char *key;
  size_t klen;
} sb_select_spec;

typedef struct sb_rows {
  uint32_t total;               /* rows selected */
  uint32_t n;                   /* without ids: the records, 0..n-1 */
  int desc;                     /* without ids: highest index first */
  const uint32_t *ids;          /* the selected indexes, in order */
  sb_blob *rs;                  /* holds ids */
} sb_rows;

void sb_select(const sb_select_spec *s, sb_rows *out);
void sb_rows_free(sb_rows *r);
static inline uint32_t sb_rows_at(const sb_rows *r, uint32_t pos){
  return r->ids ? r->ids[pos] : r->desc ? r->n - 1 - pos : pos;
}
/* Rows on the page [offset, offset + limit). */
long sb_rows_on_page(const sb_rows *r, long offset, long limit);

typedef void (*sb_render_fn)(void *arg, uint32_t idx, sb_buf *b);

/* Appends "[row,row,...]" for the page [offset, offset + limit); hint is
** the expected bytes per row (the buffer is grown once). */
void sb_rows_json(const sb_rows *r, long offset, long limit, size_t hint,
                  sb_render_fn render, void *arg, sb_buf *b);

/* ------------------------------------------------------------------ */
/* A vendor's list state                                                */

/* Rendered pages by request and result sets by filter + order; a write
** clears both (under the write lock), so reads never see stale lists. */
typedef struct sb_list_cache {
  sb_cache *pages, *results;
} sb_list_cache;

void sb_list_cache_init(sb_list_cache *lc, size_t bytes);
void sb_list_cache_clear(sb_list_cache *lc);
void sb_list_cache_free(sb_list_cache *lc);

/* The records' lock: readers are lists and gets, writers are writes. It
** prefers writers: a steady stream of GETs must not starve a write. */
void sb_rwlock_init(pthread_rwlock_t *lock);

/* ------------------------------------------------------------------ */
/* Counts                                                               */

/* The unified models a sandbox counts in /__sandbox/stats ("counts"),
** in this order; a model the vendor does not serve counts 0. A new
** resource adds its model here. */
enum { SB_M_PROPERTIES, SB_M_UNITS, SB_M_RESIDENTS, SB_M_LEASES, SB_M_APPLICANTS,
       SB_M_LEADS, SB_M_SERVICE_REQUESTS, SB_NMODELS };

/* {"properties":N,...,"service_requests":N[,"<extra>":N]} */
void sb_counts_json(sb_buf *b, const int64_t n[SB_NMODELS], const char *extra,
                    int64_t extra_n);

#endif /* SANDBOX_LISTING_H */
