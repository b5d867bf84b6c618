/*
** sync_spool.c — mapped rows parked in a file until they are applied.
**
** A parallel sync's fetch threads never touch the database: they map each
** record and write the row here; the caller's thread replays the spool
** into the cache inside the run's savepoint.
**
** The spools of runs fetched but not yet applied share one byte bound
** (PRAGMA pms_sync_spool_bytes): a fetch thread about to write past it
** waits until applies free bytes. It waits only while something else can
** free them — a fetched run queued for its apply, or another fetch still
** running that will end. When nothing can, one run (pOver) goes on past
** the bound to the end of its fetch (a model must be spooled whole before
** its apply), and no other run writes past it meanwhile. The disk in use
** is thus at most the bound plus what one run writes past it.
*/
#include "syncint.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A spool file: unnamed (unlinked at once) in $TMPDIR, else /tmp. */
FILE *sync_spool_open(char **pzErr){
  const char *zDir = getenv("TMPDIR");
  char zPath[4096];
  FILE *f = 0;
  int fd;
  if( zDir==0 || zDir[0]==0 ) zDir = "/tmp";
  snprintf(zPath, sizeof(zPath), "%s/pmsql-spool-XXXXXX", zDir);
  fd = mkstemp(zPath);
  if( fd>=0 ){
    unlink(zPath);
    f = fdopen(fd, "w+b");
    if( f==0 ) close(fd);
  }
  if( f==0 ) *pzErr = pms_mprintf("cannot create a sync spool file in %s: %s", zDir, strerror(errno));
  return f;
}

/* The spool of a parallel sync: rows mapped by an integration's fetch
** thread, replayed into the cache by the caller's thread. One record: a
** flag byte (1: read by the consistency pass), then per column a type
** byte and its value (8 bytes, or a 4-byte length and the text). */
void sync_budget_init(sync_budget *b, int64_t nMax){
  memset(b, 0, sizeof(*b));
  pthread_mutex_init(&b->mu, 0);
  pthread_cond_init(&b->cv, 0);
  b->nMax = nMax;
}

/* n more bytes for r's spool: waits while the bound is reached and an
** apply or another fetch can free some. */
static void sync_budget_take(sync_run *r, int64_t n){
  sync_budget *b = r->pBudget;
  if( b==0 ) return;
  pthread_mutex_lock(&b->mu);
  while( b->nUsed>0 && b->nUsed+n>b->nMax && b->pOver!=r ){
    if( b->pOver==0 && b->nReady==0 && b->nFetching-b->nWaiting<=1 ){
      b->pOver = r;             /* nothing else can free bytes: r goes on */
      break;
    }
    b->nWaiting++;
    pthread_cond_wait(&b->cv, &b->mu);
    b->nWaiting--;
  }
  b->nUsed += n;
  r->nSpool += n;
  if( b->nUsed>b->nPeak ) b->nPeak = b->nUsed;
  pthread_mutex_unlock(&b->mu);
}

/* A fetch begins (bEnd 0) or ends (1): a fetched run holding bytes is
** queued for its apply. */
void sync_budget_fetch(sync_run *r, int bEnd){
  sync_budget *b = r->pBudget;
  if( b==0 ) return;
  pthread_mutex_lock(&b->mu);
  if( !bEnd ){
    b->nFetching++;
  }else{
    b->nFetching--;
    if( b->pOver==r ) b->pOver = 0;
    if( r->nSpool>0 ){ r->bSpoolReady = 1; b->nReady++; }
    pthread_cond_broadcast(&b->cv);
  }
  pthread_mutex_unlock(&b->mu);
}

/* r's apply waits for the end of its integration (the write lock was
** busy): no fetch may wait for it meanwhile. */
void sync_budget_park(sync_run *r){
  sync_budget *b = r->pBudget;
  if( b==0 || !r->bSpoolReady ) return;
  pthread_mutex_lock(&b->mu);
  r->bSpoolReady = 0;
  b->nReady--;
  pthread_cond_broadcast(&b->cv);
  pthread_mutex_unlock(&b->mu);
}

/* r is applied (or dropped): its bytes are free. */
void sync_budget_release(sync_run *r){
  sync_budget *b = r->pBudget;
  if( b==0 ) return;
  pthread_mutex_lock(&b->mu);
  b->nUsed -= r->nSpool;
  if( r->bSpoolReady ) b->nReady--;
  r->nSpool = 0;
  r->bSpoolReady = 0;
  pthread_cond_broadcast(&b->cv);
  pthread_mutex_unlock(&b->mu);
}

/* The bytes one row takes in the spool (the format of sync_spool_write). */
static int64_t sync_spool_row_bytes(const sync_run *p){
  int64_t n = 1;
  int i;
  for(i=0; i<p->pM->nCol; i++){
    const pms_value *v = &p->row.a[i];
    n += 1;
    if( v->eType==SQLITE_INTEGER || v->eType==SQLITE_FLOAT ) n += 8;
    else if( v->eType==SQLITE_TEXT ) n += 4 + v->n;
  }
  return n;
}

int sync_spool_write(sync_run *p){
  const pms_model *pM = p->pM;
  FILE *f = p->pSpool;
  int i, ok;
  if( p->pBudget ) sync_budget_take(p, sync_spool_row_bytes(p));
  ok = fputc(p->bRepass ? 1 : 0, f)!=EOF;
  for(i=0; ok && i<pM->nCol; i++){
    const pms_value *v = &p->row.a[i];
    int e = v->eType==0 ? SQLITE_NULL : v->eType;
    ok = fputc(e, f)!=EOF;
    if( !ok ) break;
    if( e==SQLITE_INTEGER ) ok = fwrite(&v->i, sizeof(v->i), 1, f)==1;
    else if( e==SQLITE_FLOAT ) ok = fwrite(&v->r, sizeof(v->r), 1, f)==1;
    else if( e==SQLITE_TEXT ){
      uint32_t n = (uint32_t)v->n;
      ok = fwrite(&n, sizeof(n), 1, f)==1 && (n==0 || fwrite(v->z, n, 1, f)==1);
    }
  }
  if( !ok ){
    sync_fail(p, pms_mprintf("cannot write the sync spool of %s (disk full?)", pM->zName));
    return SQLITE_IOERR;
  }
  return SQLITE_OK;
}

/* Read one spooled row into p->row; 0 at the end, -1 on a damaged spool. */
static int sync_spool_read(sync_run *p, int *pbRepass){
  const pms_model *pM = p->pM;
  FILE *f = p->pSpool;
  int i, c = fgetc(f);
  if( c==EOF ) return 0;
  *pbRepass = c==1;
  pms_row_clear(&p->row);
  for(i=0; i<pM->nCol; i++){
    int e = fgetc(f);
    if( e==SQLITE_INTEGER ){
      sqlite3_int64 v;
      if( fread(&v, sizeof(v), 1, f)!=1 ) return -1;
      pms_row_set_int(&p->row, i, v);
    }else if( e==SQLITE_FLOAT ){
      double v;
      if( fread(&v, sizeof(v), 1, f)!=1 ) return -1;
      pms_row_set_real(&p->row, i, v);
    }else if( e==SQLITE_TEXT ){
      uint32_t n;
      char *z;
      if( fread(&n, sizeof(n), 1, f)!=1 ) return -1;
      z = malloc((size_t)n + 1);
      if( z==0 || (n>0 && fread(z, n, 1, f)!=1) ){ free(z); return -1; }
      z[n] = 0;
      pms_row_set_text(&p->row, i, z, (int)n);
      free(z);
    }else if( e!=SQLITE_NULL ){
      return -1;
    }
  }
  return 1;
}

/* Apply what a fetch thread spooled, in the run's savepoint. */
void sync_run_replay(sync_run *r){
  int bRepass = r->bRepass, bRowRepass = 0, rc;
  if( fseek(r->pSpool, 0, SEEK_SET)!=0 ){
    sync_fail(r, pms_strdup("cannot read the sync spool"));
    return;
  }
  while( r->zErr==0 && (rc = sync_spool_read(r, &bRowRepass))!=0 ){
    if( rc<0 ){ sync_fail(r, pms_strdup("the sync spool is damaged")); break; }
    r->bRepass = bRowRepass;
    sync_store(r);
  }
  r->bRepass = bRepass;
}
