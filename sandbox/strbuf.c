/*
** strbuf.c — the growable byte buffer every response is built in, the
** refcounted blobs the caches share with connections, and the out-of-memory
** policy (abort: the sandbox is a test tool and a half-built response would
** only hide the problem).
**
** sb_put()/sb_putc() are inline in sandbox.h so the JSON renderers can
** append field names with a memcpy; this file holds the slow paths.
*/
#include "sandbox.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static void sb_oom(void){
  fputs("pms-sandbox: out of memory\n", stderr);
  abort();
}

void *sb_xmalloc(size_t n){
  void *p = malloc(n ? n : 1);
  if( !p ) sb_oom();
  return p;
}

void *sb_xcalloc(size_t n, size_t sz){
  void *p = calloc(n ? n : 1, sz ? sz : 1);
  if( !p ) sb_oom();
  return p;
}

void *sb_xrealloc(void *p, size_t n){
  p = realloc(p, n ? n : 1);
  if( !p ) sb_oom();
  return p;
}

char *sb_xstrdup(const char *s){
  return s ? sb_xstrndup(s, strlen(s)) : NULL;
}

char *sb_xstrndup(const char *s, size_t n){
  char *p = sb_xmalloc(n + 1);
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

/* Doubling keeps appends amortised O(1); pages of a few MB settle after a
** handful of reallocations. */
void sb_buf_grow(sb_buf *b, size_t need){
  size_t cap = b->cap ? b->cap : 256;
  while( cap - b->n < need ) cap *= 2;
  b->p = sb_xrealloc(b->p, cap);
  b->cap = cap;
}

void sb_buf_free(sb_buf *b){
  free(b->p);
  b->p = NULL;
  b->n = b->cap = 0;
}

void sb_puts(sb_buf *b, const char *s){
  sb_put(b, s, strlen(s));
}

void sb_printf(sb_buf *b, const char *fmt, ...){
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
  va_end(ap);
  if( n < 0 ) return;
  if( !b->p || (size_t)n >= b->cap - b->n ){
    sb_buf_grow(b, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
  }
  b->n += (size_t)n;
}

const char *sb_cstr(sb_buf *b){
  if( b->cap - b->n < 1 || !b->p ) sb_buf_grow(b, 1);
  b->p[b->n] = 0;
  return b->p;
}

sb_blob *sb_blob_new(const void *data, size_t len, int64_t aux){
  sb_blob *x = sb_xmalloc(sizeof(*x) + len + 1);
  atomic_init(&x->refs, 1);
  x->aux = aux;
  x->len = len;
  x->data = x->inl;
  if( len ) memcpy(x->data, data, len);
  x->data[len] = 0;
  return x;
}

/* Adopts the buffer's memory rather than copying a multi-megabyte page. */
sb_blob *sb_blob_from_buf(sb_buf *b, int64_t aux){
  sb_blob *x = sb_xmalloc(sizeof(*x));
  atomic_init(&x->refs, 1);
  x->aux = aux;
  x->len = b->n;
  x->data = sb_xrealloc(b->p, b->n + 1);
  x->data[b->n] = 0;
  b->p = NULL;
  b->n = b->cap = 0;
  return x;
}

void sb_blob_ref(sb_blob *x){
  atomic_fetch_add_explicit(&x->refs, 1, memory_order_relaxed);
}

void sb_blob_unref(sb_blob *x){
  if( x && atomic_fetch_sub_explicit(&x->refs, 1, memory_order_acq_rel) == 1 ){
    if( x->data != x->inl ) free(x->data);
    free(x);
  }
}

void sb_response_init(sb_response *r){
  memset(r, 0, sizeof(*r));
  r->status = 200;
}

/* Drops whatever was built so far, e.g. when a fault replaces the answer. */
void sb_response_reset(sb_response *r){
  r->status = 200;
  r->content_type = NULL;
  r->headers.n = 0;
  r->body.n = 0;
  sb_blob_unref(r->blob);
  r->blob = NULL;
  r->is_list = 0;
  r->list_offset = 0;
}

void sb_response_free(sb_response *r){
  sb_buf_free(&r->headers);
  sb_buf_free(&r->body);
  sb_blob_unref(r->blob);
  r->blob = NULL;
}

const char *sb_response_data(const sb_response *r, size_t *len){
  if( r->blob ){
    *len = r->blob->len;
    return r->blob->data;
  }
  *len = r->body.n;
  return r->body.p ? r->body.p : "";
}
