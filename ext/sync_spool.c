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
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SYNC_SPOOL_IOBUF (1<<20)

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
    /* a megabyte per system call instead of stdio's 4 KiB: a model's spool
    ** is tens of megabytes, written once and read once */
    else if( setvbuf(f, 0, _IOFBF, SYNC_SPOOL_IOBUF)!=0 ){ fclose(f); f = 0; errno = ENOMEM; }
  }
  if( f==0 ) *pzErr = pms_mprintf("cannot create a sync spool file in %s: %s", zDir, strerror(errno));
  return f;
}

/* The spool bound (see the head of this file). */
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

/* The spool of a parallel sync: rows mapped by an integration's fetch
** thread, replayed into the cache by the caller's thread. One record: its
** length (4 bytes), a flag byte (1: read by the consistency pass), then per
** column a type byte and its value (8 bytes, or a 4-byte length, the text
** and a 0). A record goes out in one write and comes back in one read, and
** the replayed row points into that buffer: no copy per value. */
static int sync_spool_reserve(sync_run *p, size_t n){
  if( n>p->nSpoolBuf ){
    size_t nNew = p->nSpoolBuf ? p->nSpoolBuf : 4096;
    char *z;
    while( nNew<n ) nNew *= 2;
    z = realloc(p->zSpoolBuf, nNew);
    if( z==0 ) return SQLITE_NOMEM;
    p->zSpoolBuf = z;
    p->nSpoolBuf = nNew;
  }
  return SQLITE_OK;
}

int sync_spool_write(sync_run *p){
  const pms_model *pM = p->pM;
  size_t n = 4 + 1, i;
  uint32_t nRec;
  char *z;
  for(i=0; i<(size_t)pM->nCol; i++){
    const pms_value *v = &p->row.a[i];
    n += 1 + (v->eType==SQLITE_TEXT ? 4 + (size_t)v->n + 1 : v->eType==SQLITE_INTEGER || v->eType==SQLITE_FLOAT ? 8 : 0);
  }
  if( n>UINT32_MAX || sync_spool_reserve(p, n) ){
    sync_fail(p, pms_mprintf("a %s record too large for the sync spool", pM->zName));
    return SQLITE_NOMEM;
  }
  if( p->pBudget ) sync_budget_take(p, (int64_t)n);
  z = p->zSpoolBuf;
  nRec = (uint32_t)(n - 4);
  memcpy(z, &nRec, 4);
  z += 4;
  *z++ = p->bRepass ? 1 : 0;
  for(i=0; i<(size_t)pM->nCol; i++){
    const pms_value *v = &p->row.a[i];
    int e = v->eType==0 ? SQLITE_NULL : v->eType;
    *z++ = (char)e;
    if( e==SQLITE_INTEGER ){ memcpy(z, &v->i, 8); z += 8; }
    else if( e==SQLITE_FLOAT ){ memcpy(z, &v->r, 8); z += 8; }
    else if( e==SQLITE_TEXT ){
      uint32_t nText = (uint32_t)v->n;
      memcpy(z, &nText, 4);
      if( nText ) memcpy(z+4, v->z, nText);
      z[4+nText] = 0;
      z += 4 + nText + 1;
    }
  }
  if( fwrite(p->zSpoolBuf, n, 1, p->pSpool)!=1 ){
    sync_fail(p, pms_mprintf("cannot write the sync spool of %s (disk full?)", pM->zName));
    return SQLITE_IOERR;
  }
  return SQLITE_OK;
}

/* Read one spooled row into p->row, its text borrowed from the spool
** buffer; 0 at the end, -1 on a damaged spool. */
static int sync_spool_read(sync_run *p, int *pbRepass){
  const pms_model *pM = p->pM;
  uint32_t nRec;
  const char *z, *zEnd;
  int i;
  if( fread(&nRec, 4, 1, p->pSpool)!=1 ) return 0;
  pms_row_clear(&p->row);
  if( nRec<1 || sync_spool_reserve(p, nRec) || fread(p->zSpoolBuf, nRec, 1, p->pSpool)!=1 ) return -1;
  z = p->zSpoolBuf;
  zEnd = z + nRec;
  *pbRepass = *z++==1;
  for(i=0; i<pM->nCol; i++){
    int e = z<zEnd ? *z++ : -1;
    if( e==SQLITE_INTEGER || e==SQLITE_FLOAT ){
      if( zEnd-z<8 ) return -1;
      if( e==SQLITE_INTEGER ){
        sqlite3_int64 v;
        memcpy(&v, z, 8);
        pms_row_set_int(&p->row, i, v);
      }else{
        double v;
        memcpy(&v, z, 8);
        pms_row_set_real(&p->row, i, v);
      }
      z += 8;
    }else if( e==SQLITE_TEXT ){
      uint32_t n;
      if( zEnd-z<4 ) return -1;
      memcpy(&n, z, 4);
      if( (size_t)(zEnd-z-4)<(size_t)n+1 || n>INT_MAX || z[4+n]!=0 ) return -1;
      pms_row_borrow_text(&p->row, i, z+4, (int)n);    /* cleaned when mapped */
      z += 4 + n + 1;
    }else if( e!=SQLITE_NULL ){
      return -1;
    }
  }
  return z==zEnd ? 1 : -1;
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
