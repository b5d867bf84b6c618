/*
** cache.c — a thread-safe LRU map from string keys to blobs, bounded by the
** total bytes of its values.
**
** Vendors use it twice: for rendered list pages (key = path and the full
** query) and for filtered/sorted result sets (key = the query without
** limit/offset, value = an array of record indexes), so paging through a
** filtered list scans the portfolio once, not once per page. Entries are
** never stale because every write clears the caches while it holds the
** store's write lock; the cache itself only needs a mutex.
**
** get() hands out a new reference, so an entry evicted while a connection
** is still sending it stays alive until that send finishes.
*/
#include "sandbox.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct ce_entry {
  struct ce_entry *hnext;           /* hash chain */
  struct ce_entry *prev, *next;     /* LRU list, most recent first */
  uint64_t hash;
  size_t klen;
  sb_blob *val;
  char key[];
} ce_entry;

struct sb_cache {
  pthread_mutex_t mu;
  ce_entry **slots;
  size_t nslots, count;
  size_t bytes, max_bytes;
  ce_entry *head, *tail;
};

static uint64_t ce_hash(const char *s, size_t n){
  uint64_t h = 0xcbf29ce484222325ULL;           /* FNV-1a */
  for(size_t i = 0; i < n; i++){
    h ^= (unsigned char)s[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

static size_t ce_cost(const ce_entry *e){
  return e->val->len + e->klen + sizeof(*e) + sizeof(sb_blob);
}

sb_cache *sb_cache_new(size_t max_bytes){
  sb_cache *c = sb_xcalloc(1, sizeof(*c));
  pthread_mutex_init(&c->mu, NULL);
  c->nslots = 4096;
  c->slots = sb_xcalloc(c->nslots, sizeof(ce_entry *));
  c->max_bytes = max_bytes;
  return c;
}

static void ce_lru_unlink(sb_cache *c, ce_entry *e){
  if( e->prev ) e->prev->next = e->next;
  else c->head = e->next;
  if( e->next ) e->next->prev = e->prev;
  else c->tail = e->prev;
  e->prev = e->next = NULL;
}

static void ce_lru_front(sb_cache *c, ce_entry *e){
  e->prev = NULL;
  e->next = c->head;
  if( c->head ) c->head->prev = e;
  c->head = e;
  if( !c->tail ) c->tail = e;
}

static void ce_remove(sb_cache *c, ce_entry *e){
  ce_entry **pp = &c->slots[e->hash % c->nslots];
  while( *pp != e ) pp = &(*pp)->hnext;
  *pp = e->hnext;
  ce_lru_unlink(c, e);
  c->bytes -= ce_cost(e);
  c->count--;
  sb_blob_unref(e->val);
  free(e);
}

static void ce_rehash(sb_cache *c){
  size_t n = c->nslots * 2;
  ce_entry **slots = sb_xcalloc(n, sizeof(ce_entry *));
  for(size_t i = 0; i < c->nslots; i++){
    ce_entry *e = c->slots[i], *nx;
    for(; e; e = nx){
      nx = e->hnext;
      e->hnext = slots[e->hash % n];
      slots[e->hash % n] = e;
    }
  }
  free(c->slots);
  c->slots = slots;
  c->nslots = n;
}

sb_blob *sb_cache_get(sb_cache *c, const char *key, size_t klen){
  uint64_t h = ce_hash(key, klen);
  sb_blob *v = NULL;
  pthread_mutex_lock(&c->mu);
  for(ce_entry *e = c->slots[h % c->nslots]; e; e = e->hnext){
    if( e->hash == h && e->klen == klen && memcmp(e->key, key, klen) == 0 ){
      ce_lru_unlink(c, e);
      ce_lru_front(c, e);
      v = e->val;
      sb_blob_ref(v);
      break;
    }
  }
  pthread_mutex_unlock(&c->mu);
  return v;
}

/* Takes its own reference to v. A value bigger than the whole budget is
** simply not cached. */
void sb_cache_put(sb_cache *c, const char *key, size_t klen, sb_blob *v){
  uint64_t h = ce_hash(key, klen);
  ce_entry *e = sb_xmalloc(sizeof(*e) + klen);
  e->hash = h;
  e->klen = klen;
  memcpy(e->key, key, klen);
  e->val = v;
  e->prev = e->next = e->hnext = NULL;
  if( ce_cost(e) > c->max_bytes ){
    free(e);
    return;
  }
  sb_blob_ref(v);
  pthread_mutex_lock(&c->mu);
  for(ce_entry *o = c->slots[h % c->nslots]; o; o = o->hnext){
    if( o->hash == h && o->klen == klen && memcmp(o->key, key, klen) == 0 ){
      ce_remove(c, o);
      break;
    }
  }
  while( c->tail && c->bytes + ce_cost(e) > c->max_bytes ) ce_remove(c, c->tail);
  if( c->count + 1 > c->nslots ) ce_rehash(c);
  e->hnext = c->slots[h % c->nslots];
  c->slots[h % c->nslots] = e;
  ce_lru_front(c, e);
  c->bytes += ce_cost(e);
  c->count++;
  pthread_mutex_unlock(&c->mu);
}

void sb_cache_clear(sb_cache *c){
  pthread_mutex_lock(&c->mu);
  while( c->head ) ce_remove(c, c->head);
  pthread_mutex_unlock(&c->mu);
}

void sb_cache_free(sb_cache *c){
  if( !c ) return;
  sb_cache_clear(c);
  pthread_mutex_destroy(&c->mu);
  free(c->slots);
  free(c);
}
