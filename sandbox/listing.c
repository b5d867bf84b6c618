/*
** listing.c — the list engine of the sandbox vendors (see listing.h):
** orderby parsing, sorting by sort keys, result sets (filter + order,
** cached) and writing a page of rows as a JSON array.
**
** Also the list state vendors share (caches, lock) and the stats counts.
**
** Sorting extracts each key of every selected record once (strings into
** one arena per key, numbers as doubles), then sorts positions with
** qsort_r: a comparison never calls back into the vendor.
*/
#include "listing.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

/* ------------------------------------------------------------------ */
/* Ordering                                                             */

int sb_order_item(char *item, int max, sb_field_fn lookup, const void *fields,
                  sb_order *o, char *bad, size_t badlen){
  char *save, *name = strtok_r(item, " \t", &save), *dir = strtok_r(NULL, " \t", &save);
  int is_str = 0, f;
  if( max > SB_ORDER_MAX ) max = SB_ORDER_MAX;
  if( !name ) return SB_ORDER_OK;
  f = lookup(fields, name, &is_str);
  if( f < 0 ){
    snprintf(bad, badlen, "%s", name);
    return SB_ORDER_UNKNOWN;
  }
  if( (dir && strcasecmp(dir, "asc") != 0 && strcasecmp(dir, "desc") != 0)
      || strtok_r(NULL, " \t", &save) ){
    return SB_ORDER_DIRECTION;
  }
  if( o->n == max ) return SB_ORDER_TOO_MANY;
  o->field[o->n] = f;
  o->desc[o->n] = dir && strcasecmp(dir, "desc") == 0;
  o->str[o->n] = is_str;
  o->n++;
  return SB_ORDER_OK;
}

int sb_order_parse(const char *s, int max, sb_field_fn lookup, const void *fields,
                   sb_order *o, char *bad, size_t badlen){
  char buf[512], *outer;
  snprintf(buf, sizeof(buf), "%s", s);
  o->n = 0;
  for(char *tok = strtok_r(buf, ",", &outer); tok; tok = strtok_r(NULL, ",", &outer)){
    int rc = sb_order_item(tok, max, lookup, fields, o, bad, badlen);
    if( rc != SB_ORDER_OK ) return rc;
  }
  return SB_ORDER_OK;
}

int sb_order_by_id(const sb_order *o){
  return !o || o->n == 0 || (o->n == 1 && o->field[0] == 0);
}

int sb_order_id_desc(const sb_order *o){
  return o && o->n == 1 && o->field[0] == 0 && o->desc[0];
}

typedef struct sl_sortctx {
  const sb_order *o;
  double *num[SB_ORDER_MAX];
  size_t *off[SB_ORDER_MAX];    /* (size_t)-1 = null string */
  sb_buf arena[SB_ORDER_MAX];
  const uint32_t *ids;
} sl_sortctx;

static int sl_cmp(const void *pa, const void *pb, void *arg){
  const sl_sortctx *x = arg;
  uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
  for(int k = 0; k < x->o->n; k++){
    int r;
    if( x->o->str[k] ){
      size_t oa = x->off[k][a], ob = x->off[k][b];
      if( oa == (size_t)-1 || ob == (size_t)-1 ) r = (oa != (size_t)-1) - (ob != (size_t)-1);
      else r = strcasecmp(x->arena[k].p + oa, x->arena[k].p + ob);
    }else{
      double va = x->num[k][a], vb = x->num[k][b];
      r = va < vb ? -1 : va > vb;
    }
    if( x->o->desc[k] ) r = -r;
    if( r ) return r;
  }
  return x->ids[a] < x->ids[b] ? -1 : x->ids[a] > x->ids[b];
}

void sb_sort(uint32_t *ids, uint32_t n, const sb_order *o, sb_value_fn value, void *arg){
  sl_sortctx x;
  memset(&x, 0, sizeof(x));
  x.o = o;
  x.ids = ids;
  for(int k = 0; k < o->n; k++){
    if( o->str[k] ) x.off[k] = sb_xmalloc((size_t)n * sizeof(size_t) + 1);
    else x.num[k] = sb_xmalloc((size_t)n * sizeof(double) + 1);
  }
  for(uint32_t i = 0; i < n; i++){
    for(int k = 0; k < o->n; k++){
      double num = -HUGE_VAL;
      const char *s = value(arg, ids[i], o->field[k], &num);
      if( !o->str[k] ){
        x.num[k][i] = num;
      }else if( s ){
        x.off[k][i] = x.arena[k].n;
        sb_put(&x.arena[k], s, strlen(s) + 1);
      }else{
        x.off[k][i] = (size_t)-1;
      }
    }
  }
  uint32_t *pos = sb_xmalloc((size_t)n * sizeof(uint32_t) + 1);
  for(uint32_t i = 0; i < n; i++) pos[i] = i;
  qsort_r(pos, n, sizeof(uint32_t), sl_cmp, &x);
  uint32_t *sorted = sb_xmalloc((size_t)n * sizeof(uint32_t) + 1);
  for(uint32_t i = 0; i < n; i++) sorted[i] = ids[pos[i]];
  memcpy(ids, sorted, (size_t)n * sizeof(uint32_t));
  free(sorted);
  free(pos);
  for(int k = 0; k < o->n; k++){
    free(x.num[k]);
    free(x.off[k]);
    sb_buf_free(&x.arena[k]);
  }
}

/* ------------------------------------------------------------------ */
/* Selection                                                            */

void sb_select(const sb_select_spec *s, sb_rows *out){
  int by_id = sb_order_by_id(s->order);
  memset(out, 0, sizeof(*out));
  out->n = s->n;
  if( !s->filtered && by_id ){
    out->total = s->n;
    out->desc = sb_order_id_desc(s->order);
    return;
  }
  sb_blob *rs = s->cache ? sb_cache_get(s->cache, s->key, s->klen) : NULL;
  if( !rs ){
    uint32_t *v = sb_xmalloc((size_t)s->n * sizeof(uint32_t) + 1), m = 0;
    for(uint32_t i = 0; i < s->n; i++){
      if( !s->match || s->match(s->arg, i) ) v[m++] = i;
    }
    if( !by_id ){
      sb_sort(v, m, s->order, s->value, s->arg);
    }else if( sb_order_id_desc(s->order) ){
      for(uint32_t a = 0, z = m ? m - 1 : 0; a < z; a++, z--){
        uint32_t t = v[a]; v[a] = v[z]; v[z] = t;
      }
    }
    rs = sb_blob_new(v, (size_t)m * sizeof(uint32_t), m);
    free(v);
    if( s->cache ) sb_cache_put(s->cache, s->key, s->klen, rs);
  }
  out->rs = rs;
  out->ids = (const uint32_t *)rs->data;
  out->total = (uint32_t)rs->aux;
}

void sb_rows_free(sb_rows *r){
  sb_blob_unref(r->rs);
  memset(r, 0, sizeof(*r));
}

long sb_rows_on_page(const sb_rows *r, long offset, long limit){
  long rows = (long)r->total > offset ? (long)r->total - offset : 0;
  return rows > limit ? limit : rows;
}

void sb_rows_json(const sb_rows *r, long offset, long limit, size_t hint,
                  sb_render_fn render, void *arg, sb_buf *b){
  long rows = sb_rows_on_page(r, offset, limit);
  if( rows > 0 ) sb_buf_grow(b, (size_t)rows * hint + 2);
  sb_putc(b, '[');
  for(long k = 0; k < rows; k++){
    if( k ) sb_putc(b, ',');
    render(arg, sb_rows_at(r, (uint32_t)(offset + k)), b);
  }
  sb_putc(b, ']');
}

/* ------------------------------------------------------------------ */
/* A vendor's list state                                                */

void sb_list_cache_init(sb_list_cache *lc, size_t bytes){
  lc->pages = sb_cache_new(bytes);
  lc->results = sb_cache_new(bytes / 4 + (64u << 20));
}

void sb_list_cache_clear(sb_list_cache *lc){
  sb_cache_clear(lc->pages);
  sb_cache_clear(lc->results);
}

void sb_list_cache_free(sb_list_cache *lc){
  sb_cache_free(lc->pages);
  sb_cache_free(lc->results);
  lc->pages = lc->results = NULL;
}

void sb_rwlock_init(pthread_rwlock_t *lock){
  pthread_rwlockattr_t attr;
  pthread_rwlockattr_init(&attr);
  pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
  pthread_rwlock_init(lock, &attr);
  pthread_rwlockattr_destroy(&attr);
}

/* ------------------------------------------------------------------ */
/* Counts                                                               */

static const char *const sl_model_names[SB_NMODELS] = {
  "properties", "units", "residents", "leases", "applicants", "leads",
  "service_requests",
};

void sb_counts_json(sb_buf *b, const int64_t n[SB_NMODELS], const char *extra,
                    int64_t extra_n){
  for(int m = 0; m < SB_NMODELS; m++){
    sb_printf(b, "%c\"%s\":", m ? ',' : '{', sl_model_names[m]);
    jw_int(b, n[m]);
  }
  if( extra ){
    sb_printf(b, ",\"%s\":", extra);
    jw_int(b, extra_n);
  }
  sb_putc(b, '}');
}
