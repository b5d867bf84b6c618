/*
** sync_spool.c — mapped rows parked in a file until they are applied.
**
** A parallel sync's fetch threads never touch the database: they map each
** record and write the row here; the caller's thread replays the spool
** into the cache inside the run's savepoint.
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
int sync_spool_write(sync_run *p){
  const pms_model *pM = p->pM;
  FILE *f = p->pSpool;
  int i, ok;
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
