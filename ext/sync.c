/*
** sync.c — pms_sync(): pull each model of each integration into its cache.
**
** One run = one integration x one model. The adapter builds page requests
** and parses responses; this file drives them through the HTTP client
** (pages concurrently once the vendor tells the total), maps every record to
** a unified row and upserts it into "<model>_cache", all inside a SAVEPOINT
** that is released together with the new watermark and the pms_sync_runs
** row — or rolled back, so a failed run leaves the cache and the watermark
** exactly as they were and only adds a pms_sync_runs row saying why.
**
** Change detection: each cached row keeps a 64-bit hash of its content
** (unified fields and remote_data). Unchanged records only get last_seen;
** changed ones get new values, updated_at (only when a unified field
** changed) and a pms_changes row whose diff holds just the changed fields.
** Like Propexo, a model's first sync and backsyncs emit no change events.
** Records absent from the PMS are never deleted: their last_seen stops.
**
** Several integrations sync in parallel (sync_parallel): fetch threads map
** records into spool files, the caller's thread applies them; a run is
** split into init (database), fetch (network) and commit (database) so
** the serial and the parallel path share every step.
*/
#include "pmsql.h"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct sync_stmts {
  sqlite3_stmt *pFind;     /* rowid, _hash, last_seen by id */
  sqlite3_stmt *pInsert;   /* every column + _hash */
  sqlite3_stmt *pUpdate;   /* every non-core column + updated_at, last_seen, _hash */
  sqlite3_stmt *pTouch;    /* last_seen only */
  sqlite3_stmt *pOld;      /* the previous values, for the diff */
  sqlite3_stmt *pChange;   /* INSERT INTO pms_changes */
} sync_stmts;

/* One paged list of a run: the whole list, or one parent's part of it
** (pms_adapter_model.zPartition). */
typedef struct sync_part {
  char *zKey;               /* the parent's x_id, NULL for the whole list */
  int bPagesQueued;         /* pages 1..n submitted after the first */
  int nPageExpected;        /* -1 unknown */
  int64_t nTotal;           /* largest total its pages reported */
  int bShrunk;              /* a page's total fell below one seen before */
} sync_part;

typedef struct sync_run {
  sqlite3 *db;
  const char *zDb;
  pms_session *pSess;
  const pms_adapter_model *pAM;
  const pms_model *pM;
  const char *zMode;        /* "full", "incremental", "backsync" */
  char *zSince;             /* incremental lower bound sent to the vendor */
  int bEvents;              /* emit pms_changes rows */
  int nPageSize;
  sync_part *aPart;         /* one per parent record, or one for the list */
  int nPart;
  int64_t nTotal;
  int bShrunk;              /* some part shrank (sync_part.bShrunk) */
  int bRepass;              /* reading the list a second time (see sync_model) */
  int bProgress;            /* stderr is a terminal */
  int64_t tStart;
  char zNow[32];            /* this run's timestamp for last_seen etc. */
  sqlite3_int64 iRunId;     /* pms_sync_runs.id once written */
  sync_stmts s;
  pms_row row;
  int *aiMapCol;            /* model column of each field-map entry */
  pms_link *pLink;          /* derived foreign keys (link.c), or NULL */
  int bOneRecord;           /* pms_cache_put: one record, not a whole list */
  const char *zRaw;         /* the current record's raw text, if known */
  size_t nRaw;
  /* counters */
  int nPages, nFetched, nNew, nChanged, nUnchanged;
  pms_http_stats st;        /* requests and retries of the run */
  char *zErr;               /* first error, malloc'd */
  char *zWm;                /* watermark before the run, malloc'd or NULL */
  char zStarted[32];        /* started_at */
  char zWmNew[32];          /* the watermark a success saves */
  FILE *pSpool;             /* parallel syncs: mapped rows, applied later */
} sync_run;

static void sync_fail(sync_run *p, char *zErr /* malloc'd */){
  if( p->zErr==0 ) p->zErr = zErr;
  else free(zErr);
}

static int sync_prepare(sqlite3 *db, sqlite3_stmt **pp, char *zSql /* sqlite3_mprintf'd */){
  int rc = zSql ? sqlite3_prepare_v3(db, zSql, -1, SQLITE_PREPARE_PERSISTENT, pp, 0) : SQLITE_NOMEM;
  sqlite3_free(zSql);
  return rc;
}

static int sync_is_core(const pms_model *pM, int i){
  return i==pM->iId || i==pM->iIntegration || i==pM->iVendor || i==pM->iXId
      || i==pM->iCreated || i==pM->iUpdated || i==pM->iLastSeen;
}

static int sync_prepare_all(sync_run *p){
  const pms_model *pM = p->pM;
  sqlite3_str *pCols = sqlite3_str_new(0), *pVals = sqlite3_str_new(0), *pSet = sqlite3_str_new(0);
  char *zCols, *zVals, *zSet;
  int i, rc;
  for(i=0; i<pM->nCol; i++){
    sqlite3_str_appendf(pCols, "%s\"%w\"", i ? ", " : "", pM->aCol[i].zName);
    sqlite3_str_appendf(pVals, "%s?%d", i ? ", " : "", i+1);
    if( !sync_is_core(pM, i) ){
      sqlite3_str_appendf(pSet, "\"%w\"=?%d, ", pM->aCol[i].zName, i+1);
    }
  }
  zCols = sqlite3_str_finish(pCols);
  zVals = sqlite3_str_finish(pVals);
  zSet = sqlite3_str_finish(pSet);
  if( zCols==0 || zVals==0 || zSet==0 ){ rc = SQLITE_NOMEM; goto done; }
  if( p->aiMapCol==0 ){
    char *zErr = 0;
    p->aiMapCol = pms_map_columns(pM, p->pAM->aMap, &zErr);
    if( p->aiMapCol==0 ){ sync_fail(p, zErr ? zErr : pms_strdup("out of memory")); rc = SQLITE_ERROR; goto done; }
  }
  if( p->pLink==0 ) p->pLink = pms_link_new(p->db, p->zDb, p->pSess->zIntegration, pM, !p->bOneRecord);
  rc = sync_prepare(p->db, &p->s.pFind, sqlite3_mprintf(
      "SELECT rowid, _hash, last_seen FROM \"%w\".\"%w_cache\" WHERE id=?1", p->zDb, pM->zName));
  if( rc==SQLITE_OK ) rc = sync_prepare(p->db, &p->s.pInsert, sqlite3_mprintf(
      "INSERT INTO \"%w\".\"%w_cache\"(%s, _hash) VALUES(%s, ?%d)",
      p->zDb, pM->zName, zCols, zVals, pM->nCol+1));
  if( rc==SQLITE_OK ) rc = sync_prepare(p->db, &p->s.pUpdate, sqlite3_mprintf(
      "UPDATE \"%w\".\"%w_cache\" SET %s\"updated_at\"=?%d, \"last_seen\"=?%d, _hash=?%d WHERE rowid=?%d",
      p->zDb, pM->zName, zSet, pM->iUpdated+1, pM->iLastSeen+1, pM->nCol+1, pM->nCol+2));
  if( rc==SQLITE_OK ) rc = sync_prepare(p->db, &p->s.pTouch, sqlite3_mprintf(
      "UPDATE \"%w\".\"%w_cache\" SET last_seen=?1 WHERE rowid=?2", p->zDb, pM->zName));
  if( rc==SQLITE_OK ) rc = sync_prepare(p->db, &p->s.pOld, sqlite3_mprintf(
      "SELECT %s FROM \"%w\".\"%w_cache\" WHERE rowid=?1", zCols, p->zDb, pM->zName));
  if( rc==SQLITE_OK ) rc = sync_prepare(p->db, &p->s.pChange, sqlite3_mprintf(
      "INSERT INTO \"%w\".pms_changes(integration_id, integration_vendor, model, record_id, "
      "x_id, event, diff, created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", p->zDb));
done:
  sqlite3_free(zCols);
  sqlite3_free(zVals);
  sqlite3_free(zSet);
  if( rc ) sync_fail(p, pms_mprintf("cannot prepare the cache statements: %s", sqlite3_errmsg(p->db)));
  return rc;
}

static void sync_finalize_all(sync_run *p){
  sqlite3_finalize(p->s.pFind);
  sqlite3_finalize(p->s.pInsert);
  sqlite3_finalize(p->s.pUpdate);
  sqlite3_finalize(p->s.pTouch);
  sqlite3_finalize(p->s.pOld);
  sqlite3_finalize(p->s.pChange);
  memset(&p->s, 0, sizeof(p->s));
  free(p->aiMapCol);
  p->aiMapCol = 0;
  pms_link_free(p->pLink);
  p->pLink = 0;
}

static void sync_bind_value(sqlite3_stmt *pStmt, int iVar, const pms_value *v){
  switch( v->eType ){
    case SQLITE_INTEGER: sqlite3_bind_int64(pStmt, iVar, v->i); break;
    case SQLITE_FLOAT:   sqlite3_bind_double(pStmt, iVar, v->r); break;
    case SQLITE_TEXT:    sqlite3_bind_text(pStmt, iVar, v->z, v->n, SQLITE_STATIC); break;
    default:             sqlite3_bind_null(pStmt, iVar); break;
  }
}

static uint64_t sync_row_hash(const pms_row *pRow){
  const pms_model *pM = pRow->pModel;
  uint64_t h = PMS_HASH_INIT;
  int i;
  for(i=0; i<pM->nCol; i++){
    const pms_value *v = &pRow->a[i];
    unsigned char t = (unsigned char)v->eType;
    if( sync_is_core(pM, i) ) continue;
    h = pms_hash(h, &t, 1);
    if( v->eType==SQLITE_INTEGER ) h = pms_hash(h, &v->i, sizeof(v->i));
    else if( v->eType==SQLITE_FLOAT ) h = pms_hash(h, &v->r, sizeof(v->r));
    else if( v->eType==SQLITE_TEXT ) h = pms_hash(h, v->z, (size_t)v->n);
  }
  return h;
}

/* Does the cached value (column iCol of pOld) equal the new one? */
static int sync_same(sqlite3_stmt *pOld, int iCol, const pms_value *v){
  int t = sqlite3_column_type(pOld, iCol);
  int tNew = v->eType ? v->eType : SQLITE_NULL;
  if( t!=tNew ) return 0;
  switch( t ){
    case SQLITE_INTEGER: return sqlite3_column_int64(pOld, iCol)==v->i;
    case SQLITE_FLOAT:   return sqlite3_column_double(pOld, iCol)==v->r;
    case SQLITE_TEXT:    return sqlite3_column_bytes(pOld, iCol)==v->n
                             && memcmp(sqlite3_column_text(pOld, iCol), v->z, (size_t)v->n)==0;
    default:             return 1;
  }
}

static void sync_json_value(pms_str *s, const pms_value *v){
  switch( v->eType ){
    case SQLITE_INTEGER: pms_str_appendf(s, "%lld", (long long)v->i); break;
    case SQLITE_FLOAT:   pms_str_appendf(s, "%.17g", v->r); break;
    case SQLITE_TEXT:    pms_str_append_json_string(s, v->z); break;
    default:             pms_str_appendz(s, "null"); break;
  }
}

static void sync_json_column(pms_str *s, sqlite3_stmt *pStmt, int i){
  switch( sqlite3_column_type(pStmt, i) ){
    case SQLITE_INTEGER: pms_str_appendf(s, "%lld", (long long)sqlite3_column_int64(pStmt, i)); break;
    case SQLITE_FLOAT:   pms_str_appendf(s, "%.17g", sqlite3_column_double(pStmt, i)); break;
    case SQLITE_TEXT:    pms_str_append_json_string(s, (const char*)sqlite3_column_text(pStmt, i)); break;
    default:             pms_str_appendz(s, "null"); break;
  }
}

static int sync_record_change(sync_run *p, const char *zEvent, const char *zDiff){
  sqlite3_stmt *pC = p->s.pChange;
  const pms_row *pRow = &p->row;
  const pms_model *pM = p->pM;
  int rc;
  sqlite3_bind_text(pC, 1, p->pSess->zIntegration, -1, SQLITE_STATIC);
  sqlite3_bind_text(pC, 2, p->pSess->pAdapter->zVendor, -1, SQLITE_STATIC);
  sqlite3_bind_text(pC, 3, pM->zName, -1, SQLITE_STATIC);
  sync_bind_value(pC, 4, &pRow->a[pM->iId]);
  sync_bind_value(pC, 5, &pRow->a[pM->iXId]);
  sqlite3_bind_text(pC, 6, zEvent, -1, SQLITE_STATIC);
  sqlite3_bind_text(pC, 7, zDiff, -1, SQLITE_STATIC);
  sqlite3_bind_text(pC, 8, p->zNow, -1, SQLITE_STATIC);
  sqlite3_step(pC);
  rc = sqlite3_reset(pC);
  sqlite3_clear_bindings(pC);
  return rc;
}

/* Upsert p->row (core columns already filled but timestamps). */
static int sync_upsert(sync_run *p){
  const pms_model *pM = p->pM;
  pms_row *pRow = &p->row;
  uint64_t h = sync_row_hash(pRow);
  sqlite3_int64 iRowid = 0, iHash = 0;
  int bFound = 0, bSeen = 0, rc, i;
  sqlite3_stmt *pS;

  sync_bind_value(p->s.pFind, 1, &pRow->a[pM->iId]);
  if( sqlite3_step(p->s.pFind)==SQLITE_ROW ){
    bFound = 1;
    iRowid = sqlite3_column_int64(p->s.pFind, 0);
    iHash = sqlite3_column_int64(p->s.pFind, 1);
    /* the second reading of a list counts only what the first missed */
    if( p->bRepass ){
      const char *zSeen = (const char*)sqlite3_column_text(p->s.pFind, 2);
      bSeen = zSeen && strcmp(zSeen, p->zNow)==0;
    }
  }
  rc = sqlite3_reset(p->s.pFind);
  if( rc ) return rc;

  if( !bFound ){
    pms_row_set_text(pRow, pM->iCreated, p->zNow, -1);
    pms_row_set_text(pRow, pM->iUpdated, p->zNow, -1);
    pms_row_set_text(pRow, pM->iLastSeen, p->zNow, -1);
    pS = p->s.pInsert;
    for(i=0; i<pM->nCol; i++) sync_bind_value(pS, i+1, &pRow->a[i]);
    sqlite3_bind_int64(pS, pM->nCol+1, (sqlite3_int64)h);
    sqlite3_step(pS);
    rc = sqlite3_reset(pS);
    if( rc ) return rc;
    p->nNew++;
    if( p->bEvents ){
      pms_str d = {0};
      int bFirst = 1;
      pms_str_appendz(&d, "{\"new\":{");
      for(i=0; i<pM->nCol; i++){
        if( sync_is_core(pM, i) || i==pM->iRemote || pRow->a[i].eType==SQLITE_NULL ) continue;
        pms_str_appendf(&d, "%s\"%s\":", bFirst ? "" : ",", pM->aCol[i].zName);
        sync_json_value(&d, &pRow->a[i]);
        bFirst = 0;
      }
      pms_str_appendz(&d, "},\"previous\":{}}");
      if( d.oom ){ pms_str_reset(&d); return SQLITE_NOMEM; }
      rc = sync_record_change(p, "NEW", d.z);
      pms_str_reset(&d);
    }
    return rc;
  }

  if( (uint64_t)iHash==h ){
    pS = p->s.pTouch;
    sqlite3_bind_text(pS, 1, p->zNow, -1, SQLITE_STATIC);
    sqlite3_bind_int64(pS, 2, iRowid);
    sqlite3_step(pS);
    if( !bSeen ) p->nUnchanged++;
    return sqlite3_reset(pS);
  }

  /* content changed: diff the unified fields against the cached row */
  {
    pms_str dNew = {0}, dOld = {0};
    int nDiff = 0;
    sqlite3_stmt *pOld = p->s.pOld;
    sqlite3_bind_int64(pOld, 1, iRowid);
    if( sqlite3_step(pOld)!=SQLITE_ROW ){
      sqlite3_reset(pOld);
      return SQLITE_CORRUPT;
    }
    for(i=0; i<pM->nCol; i++){
      if( sync_is_core(pM, i) || i==pM->iRemote ) continue;
      if( sync_same(pOld, i, &pRow->a[i]) ) continue;
      pms_str_appendf(&dNew, "%s\"%s\":", nDiff ? "," : "", pM->aCol[i].zName);
      sync_json_value(&dNew, &pRow->a[i]);
      pms_str_appendf(&dOld, "%s\"%s\":", nDiff ? "," : "", pM->aCol[i].zName);
      sync_json_column(&dOld, pOld, i);
      nDiff++;
    }
    /* created_at and (when only remote_data moved) updated_at stay as cached */
    pms_row_set_text(pRow, pM->iCreated, (const char*)sqlite3_column_text(pOld, pM->iCreated), -1);
    if( nDiff ){
      pms_row_set_text(pRow, pM->iUpdated, p->zNow, -1);
    }else{
      pms_row_set_text(pRow, pM->iUpdated, (const char*)sqlite3_column_text(pOld, pM->iUpdated), -1);
    }
    sqlite3_reset(pOld);
    pms_row_set_text(pRow, pM->iLastSeen, p->zNow, -1);
    pS = p->s.pUpdate;
    for(i=0; i<pM->nCol; i++) sync_bind_value(pS, i+1, &pRow->a[i]);
    sqlite3_bind_int64(pS, pM->nCol+1, (sqlite3_int64)h);
    sqlite3_bind_int64(pS, pM->nCol+2, iRowid);
    sqlite3_step(pS);
    rc = sqlite3_reset(pS);
    if( rc==SQLITE_OK && nDiff ){
      p->nChanged++;
      if( p->bEvents ){
        pms_str d = {0};
        pms_str_appendf(&d, "{\"new\":{%s},\"previous\":{%s}}", dNew.z ? dNew.z : "", dOld.z ? dOld.z : "");
        rc = d.oom ? SQLITE_NOMEM : sync_record_change(p, "UPDATE", d.z);
        pms_str_reset(&d);
      }
    }else if( rc==SQLITE_OK ){
      p->nUnchanged++;
    }
    pms_str_reset(&dNew);
    pms_str_reset(&dOld);
    return rc;
  }
}

/* Map one vendor record and upsert it. */
static int sync_store(sync_run *p);

/* A spool file: unnamed (unlinked at once) in $TMPDIR, else /tmp. */
static FILE *sync_spool_open(char **pzErr){
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
static int sync_spool_write(sync_run *p){
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

static int sync_record(sync_run *p, const cJSON *pRec){
  const pms_model *pM = p->pM;
  pms_row *pRow = &p->row;
  char *zX, *zId, *zErr = 0, *zRaw;
  int rc;
  pms_row_clear(pRow);
  zX = p->pSess->pAdapter->xRecordId(p->pAM, pRec);
  if( zX==0 || *zX==0 ){
    free(zX);
    sync_fail(p, pms_mprintf("%s returned a %s record without an id",
                             p->pSess->pAdapter->zVendor, pM->zName));
    return SQLITE_ERROR;
  }
  zId = pms_make_id(p->pSess->zIntegration, pM, zX);
  pms_row_set_text(pRow, pM->iId, zId, -1);
  sqlite3_free(zId);
  pms_row_set_text(pRow, pM->iIntegration, p->pSess->zIntegration, -1);
  pms_row_set_text(pRow, pM->iVendor, p->pSess->pAdapter->zVendor, -1);
  pms_row_take_text(pRow, pM->iXId, zX);
  rc = pms_map_apply_cols(pRow, p->pAM->aMap, p->aiMapCol, pRec, &zErr);
  if( rc==SQLITE_OK && p->pAM->xFixup ) rc = p->pAM->xFixup(p->pSess, pRow, pRec, &zErr);
  if( rc ){
    sync_fail(p, zErr ? zErr : pms_strdup("cannot map a record"));
    return rc;
  }
  if( p->zRaw ){
    pms_row_set_text(pRow, pM->iRemote, p->zRaw, (int)p->nRaw);   /* as received */
  }else{
    zRaw = cJSON_PrintUnformatted(pRec);
    if( zRaw ){ pms_row_set_text(pRow, pM->iRemote, zRaw, -1); cJSON_free(zRaw); }
  }
  if( p->pSpool ) return sync_spool_write(p);
  return sync_store(p);
}

/* The database half of a record: derived links, then the upsert. */
static int sync_store(sync_run *p){
  const pms_model *pM = p->pM;
  pms_row *pRow = &p->row;
  int rc;
  if( p->pLink && pms_link_apply(p->pLink, pRow, pRow->a[pM->iId].z) ){
    sync_fail(p, pms_mprintf("cannot derive the links of %s: %s", pM->zName, sqlite3_errmsg(p->db)));
    return SQLITE_ERROR;
  }
  rc = sync_upsert(p);
  if( rc ){
    sync_fail(p, pms_mprintf("cannot write %s to the cache: %s", pM->zName, sqlite3_errmsg(p->db)));
  }
  return rc;
}

/* One record into the cache, as a sync would put it (refresh after a
** write, pms_refresh). Runs inside the caller's transaction. */
int pms_cache_put(sqlite3 *db, const char *zDb, pms_session *pSess, const pms_adapter_model *pAM,
                  const cJSON *pRec, int bEvents, char **pzErr){
  sync_run r;
  int rc;
  memset(&r, 0, sizeof(r));
  r.db = db;
  r.zDb = zDb;
  r.pSess = pSess;
  r.pAM = pAM;
  r.pM = pms_model_find(pAM->zModel);
  r.bEvents = bEvents;
  r.bOneRecord = 1;
  pms_now_iso(r.zNow);
  pms_row_init(&r.row, r.pM, pSess->zIntegration);
  rc = sync_prepare_all(&r);
  if( rc==SQLITE_OK ) rc = sync_record(&r, pRec);
  sync_finalize_all(&r);
  pms_row_free(&r.row);
  if( rc && r.zErr==0 ) r.zErr = pms_strdup(sqlite3_errmsg(db));
  if( r.zErr ){ *pzErr = r.zErr; r.zErr = 0; rc = rc ? rc : SQLITE_ERROR; }
  return rc;
}

static char *sync_http_error(sync_run *p, const pms_response *pResp){
  const char *zV = p->pSess->pAdapter->zVendor;
  if( pResp->status==0 ){
    return pms_mprintf("%s %s: request failed after %d attempt%s: %s", zV, p->pM->zName,
                       pResp->nAttempt, pResp->nAttempt==1 ? "" : "s",
                       pResp->zErr[0] ? pResp->zErr : "transport error");
  }else{
    char *zMsg = p->pSess->pAdapter->xErrorMessage(pResp);
    char *zOut = pms_mprintf("%s %s: HTTP %ld after %d attempt%s%s%s", zV, p->pM->zName,
                             pResp->status, pResp->nAttempt, pResp->nAttempt==1 ? "" : "s",
                             zMsg ? ": " : "", zMsg ? zMsg : "");
    free(zMsg);
    return zOut;
  }
}

static int sync_submit_page(sync_run *p, sync_part *pPart, int iPage){
  pms_list_page pg;
  pms_request *r;
  pg.iPage = iPage;
  pg.nPageSize = p->nPageSize;
  pg.zSince = p->zSince;
  pg.zPartition = pPart->zKey;
  r = p->pSess->pAdapter->xListRequest(p->pSess, p->pAM, &pg);
  if( r==0 ){
    sync_fail(p, pms_strdup("out of memory"));
    return SQLITE_NOMEM;
  }
  p->pSess->pAdapter->xAuthorize(p->pSess, r);
  pms_request_set_user(r, pPart, iPage);
  pms_http_submit(p->pSess->pHttp, r);
  return SQLITE_OK;
}

/* When stderr is a terminal, one line per model, rewritten as pages come. */
static void sync_progress(sync_run *p){
  int64_t ms;
  if( !p->bProgress ) return;
  ms = pms_now_ms() - p->tStart;
  fprintf(stderr, "\rpmsql sync %s %s: %d page%s, %d records",
          p->pSess->zIntegration, p->pM->zName, p->nPages, p->nPages==1 ? "" : "s", p->nFetched);
  if( p->nTotal>0 ) fprintf(stderr, " of %lld", (long long)p->nTotal);
  if( ms>0 ) fprintf(stderr, ", %.0f records/s", 1000.0*p->nFetched/ms);
  fprintf(stderr, "   ");
  fflush(stderr);
}

static int sync_on_page(void *pArg, pms_request *r, pms_response *pResp){
  sync_run *p = (sync_run*)pArg;
  pms_list_result lr;
  char *zErr = 0;
  int iPage, n, i;
  const cJSON *pItem;
  sync_part *pPart = (sync_part*)pms_request_user(r, &iPage);
  if( pResp->status==401 && pms_session_reauthorize(p->pSess, r, &zErr)==SQLITE_OK ){
    return PMS_HTTP_RETRY;      /* the vendor's token expired: logged in again */
  }
  if( zErr ){
    sync_fail(p, pms_mprintf("%s %s: HTTP 401, and logging in again failed: %s",
                             p->pSess->pAdapter->zVendor, p->pM->zName, zErr));
    free(zErr);
    return PMS_HTTP_STOP;
  }
  memset(&lr, 0, sizeof(lr));
  lr.nTotal = -1;
  if( pResp->status && pResp->status==p->pSess->pAdapter->iEmptyListStatus ){
    lr.nTotal = 0;              /* the vendor's way of saying "no rows" */
  }else if( pResp->status<200 || pResp->status>=300 ){
    sync_fail(p, sync_http_error(p, pResp));
    return PMS_HTTP_STOP;
  }else if( p->pSess->pAdapter->xListParse(p->pSess, p->pAM, pResp, &lr, &zErr) ){
    cJSON_Delete(lr.pRoot);
    if( pResp->nAttempt < (int)pms_option_number(p->pSess, "max_attempts", 4) ){
      free(zErr);
      return PMS_HTTP_RETRY;
    }
    sync_fail(p, pms_mprintf("%s %s page %d: %s (after %d attempts)", p->pSess->pAdapter->zVendor,
                             p->pM->zName, iPage+1, zErr ? zErr : "unreadable response", pResp->nAttempt));
    free(zErr);
    return PMS_HTTP_STOP;
  }
  n = cJSON_GetArraySize(lr.pItems);
  /* A page shorter than its own total promises (an empty page in the middle,
  ** a last page cut short) is a vendor hiccup: ask again rather than lose
  ** records. Records deleted meanwhile lower the page's total too, so they
  ** do not trip this. */
  {
    int64_t nLeft = lr.nTotal - (int64_t)iPage*p->nPageSize;
    int64_t nExpect = nLeft < p->nPageSize ? nLeft : p->nPageSize;
    if( lr.nTotal>=0 && n<nExpect ){
      cJSON_Delete(lr.pRoot);
      if( pResp->nAttempt < (int)pms_option_number(p->pSess, "max_attempts", 4) ) return PMS_HTTP_RETRY;
      sync_fail(p, pms_mprintf("%s %s page %d: %d records where %lld were expected (after %d attempts)",
                               p->pSess->pAdapter->zVendor, p->pM->zName, iPage+1, n,
                               (long long)nExpect, pResp->nAttempt));
      return PMS_HTTP_STOP;
    }
  }
  p->nPages++;
  i = 0;
  {
    /* the raw text of each record, when the body is the array itself */
    const char **azRaw = 0;
    size_t *anRaw = 0;
    int nRaw = -1;
    if( lr.pItems==lr.pRoot && n>0 && pResp->zBody ){
      azRaw = malloc(sizeof(char*)*n);
      anRaw = malloc(sizeof(size_t)*n);
      if( azRaw && anRaw ) nRaw = pms_json_array_slices(pResp->zBody, pResp->nBody, azRaw, anRaw, n);
    }
    cJSON_ArrayForEach(pItem, lr.pItems){
      p->zRaw = nRaw==n ? azRaw[i] : 0;
      p->nRaw = nRaw==n ? anRaw[i] : 0;
      if( sync_record(p, pItem) ){
        p->zRaw = 0;
        free(azRaw); free(anRaw);
        cJSON_Delete(lr.pRoot);
        return PMS_HTTP_STOP;
      }
      i++;
    }
    p->zRaw = 0;
    free(azRaw); free(anRaw);
  }
  p->nFetched += i;
  if( lr.nTotal>=0 && lr.nTotal<pPart->nTotal ) pPart->bShrunk = p->bShrunk = 1;
  if( lr.nTotal>pPart->nTotal ) pPart->nTotal = lr.nTotal;
  if( lr.nTotal>=0 && lr.nTotal>p->nTotal ) p->nTotal = lr.nTotal;
  sync_progress(p);
  if( pPart->bPagesQueued && lr.nTotal>=0 ){
    /* records added while we read (ordered by a unique key ascending, they
    ** land at the end): fetch the pages the growing total now needs */
    int nPages = (int)((lr.nTotal + p->nPageSize - 1) / p->nPageSize);
    while( pPart->nPageExpected < nPages ){
      if( sync_submit_page(p, pPart, pPart->nPageExpected++) ){ cJSON_Delete(lr.pRoot); return PMS_HTTP_STOP; }
    }
  }
  if( !pPart->bPagesQueued ){
    if( lr.nTotal>=0 ){
      /* known total: queue every remaining page now; they run concurrently */
      int nPages = (int)((lr.nTotal + p->nPageSize - 1) / p->nPageSize);
      int k;
      pPart->bPagesQueued = 1;
      pPart->nPageExpected = nPages;
      for(k=iPage+1; k<nPages; k++){
        if( sync_submit_page(p, pPart, k) ){ cJSON_Delete(lr.pRoot); return PMS_HTTP_STOP; }
      }
    }else if( lr.bMore || (!lr.bLast && n>=p->nPageSize) ){
      if( sync_submit_page(p, pPart, iPage+1) ){ cJSON_Delete(lr.pRoot); return PMS_HTTP_STOP; }
    }
  }
  cJSON_Delete(lr.pRoot);
  return PMS_HTTP_OK;
}

/* Watermark of the last successful run of this model, or NULL. */
static char *sync_watermark(sqlite3 *db, const char *zDb, const char *zInt, const char *zModel){
  sqlite3_stmt *pStmt = 0;
  char *zOut = 0;
  if( sync_prepare(db, &pStmt, sqlite3_mprintf(
        "SELECT watermark FROM \"%w\".pms_sync_state WHERE integration_id=?1 AND model=?2", zDb))==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, zInt, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 2, zModel, -1, SQLITE_STATIC);
    if( sqlite3_step(pStmt)==SQLITE_ROW && sqlite3_column_type(pStmt, 0)==SQLITE_TEXT ){
      zOut = pms_strdup((const char*)sqlite3_column_text(pStmt, 0));
    }
  }
  sqlite3_finalize(pStmt);
  return zOut;
}

static int sync_save_state(sync_run *p, const char *zWatermark){
  sqlite3_stmt *pStmt = 0;
  int rc = sync_prepare(p->db, &pStmt, sqlite3_mprintf(
      "INSERT INTO \"%w\".pms_sync_state(integration_id, model, watermark, last_success_at, last_mode) "
      "VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(integration_id, model) DO UPDATE SET "
      "watermark=excluded.watermark, last_success_at=excluded.last_success_at, last_mode=excluded.last_mode",
      p->zDb));
  if( rc ) return rc;
  sqlite3_bind_text(pStmt, 1, p->pSess->zIntegration, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, p->pM->zName, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 3, zWatermark, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 4, p->zNow, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 5, p->zMode, -1, SQLITE_STATIC);
  sqlite3_step(pStmt);
  return sqlite3_finalize(pStmt);
}

static int sync_log_run(sqlite3 *db, const char *zDb, const char *zInt, const char *zModel,
                        const char *zMode, const char *zStarted, const char *zStatus,
                        const sync_run *p, const pms_http_stats *pSt,
                        const char *zWmBefore, const char *zWmAfter, const char *zErr,
                        sqlite3_int64 *piRun){
  sqlite3_stmt *pStmt = 0;
  char zEnd[32];
  int rc = sync_prepare(db, &pStmt, sqlite3_mprintf(
      "INSERT INTO \"%w\".pms_sync_runs(integration_id, model, mode, started_at, finished_at, "
      "status, pages, requests, retries, fetched, new, changed, unchanged, "
      "watermark_before, watermark_after, error) "
      "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)", zDb));
  if( rc ) return rc;
  pms_now_iso(zEnd);
  sqlite3_bind_text(pStmt, 1, zInt, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, zModel, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 3, zMode, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 4, zStarted, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 5, zEnd, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 6, zStatus, -1, SQLITE_STATIC);
  sqlite3_bind_int(pStmt, 7, p ? p->nPages : 0);
  sqlite3_bind_int(pStmt, 8, pSt ? pSt->nRequest : 0);
  sqlite3_bind_int(pStmt, 9, pSt ? pSt->nRetry : 0);
  sqlite3_bind_int(pStmt, 10, p ? p->nFetched : 0);
  sqlite3_bind_int(pStmt, 11, p ? p->nNew : 0);
  sqlite3_bind_int(pStmt, 12, p ? p->nChanged : 0);
  sqlite3_bind_int(pStmt, 13, p ? p->nUnchanged : 0);
  sqlite3_bind_text(pStmt, 14, zWmBefore, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 15, zWmAfter, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 16, zErr, -1, SQLITE_STATIC);
  sqlite3_step(pStmt);
  rc = sqlite3_finalize(pStmt);
  if( piRun ) *piRun = sqlite3_last_insert_rowid(db);
  return rc;
}

/* The parts of a run's list: one, or one per synced record of the parent
** model (pms_adapter_model.zPartition), read from the cache. A parent never
** synced is an error: its list cannot be read yet. */
static int sync_partitions(sync_run *p){
  const char *zParent = p->pAM->zPartition;
  const pms_model *pPM;
  sqlite3_stmt *pStmt = 0;
  char *zWm;
  int rc;
  if( zParent==0 ){
    p->aPart = calloc(1, sizeof(sync_part));
    if( p->aPart==0 ){ sync_fail(p, pms_strdup("out of memory")); return SQLITE_NOMEM; }
    p->aPart[0].nPageExpected = -1;
    p->nPart = 1;
    return SQLITE_OK;
  }
  pPM = pms_model_find(zParent);
  zWm = pPM ? sync_watermark(p->db, p->zDb, p->pSess->zIntegration, zParent) : 0;
  if( zWm==0 ){
    sync_fail(p, pms_mprintf("%s serves %s per %s: sync %s first",
                             p->pSess->pAdapter->zVendor, p->pM->zName, zParent, zParent));
    return SQLITE_ERROR;
  }
  free(zWm);
  rc = sync_prepare(p->db, &pStmt, sqlite3_mprintf(
      "SELECT x_id FROM \"%w\".\"%w_cache\" WHERE integration_id=?1 ORDER BY x_id", p->zDb, zParent));
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, p->pSess->zIntegration, -1, SQLITE_STATIC);
    while( sqlite3_step(pStmt)==SQLITE_ROW ){
      sync_part *aNew;
      const char *zKey = (const char*)sqlite3_column_text(pStmt, 0);
      if( zKey==0 ) continue;
      aNew = realloc(p->aPart, sizeof(sync_part)*(size_t)(p->nPart+1));
      if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
      p->aPart = aNew;
      memset(&aNew[p->nPart], 0, sizeof(sync_part));
      aNew[p->nPart].nPageExpected = -1;
      aNew[p->nPart].zKey = pms_strdup(zKey);
      if( aNew[p->nPart++].zKey==0 ){ rc = SQLITE_NOMEM; break; }
    }
    if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
    else sqlite3_finalize(pStmt);
  }
  if( rc ) sync_fail(p, pms_mprintf("cannot read the %s to sync %s by: %s", zParent, p->pM->zName,
                                    sqlite3_errmsg(p->db)));
  return rc;
}

/* Set up the run of one model: its mode, "since" and change events follow
** from its watermark and the integration's options. Reads the database. */
static void sync_run_init(sync_run *r, sqlite3 *db, const char *zDb, pms_session *pSess,
                          const pms_adapter_model *pAM, const char *zModeReq){
  int64_t tStart = pms_now_ms();
  memset(r, 0, sizeof(*r));
  r->db = db;
  r->zDb = zDb;
  r->pSess = pSess;
  r->pAM = pAM;
  r->pM = pms_model_find(pAM->zModel);
  r->nTotal = -1;
  r->tStart = tStart;
  r->bProgress = isatty(2);
  r->nPageSize = (int)pms_option_number(pSess, "page_size", pSess->pAdapter->nMaxPageSize);
  if( r->nPageSize>pSess->pAdapter->nMaxPageSize ) r->nPageSize = pSess->pAdapter->nMaxPageSize;
  pms_ms_to_iso(tStart, r->zStarted, 1);
  memcpy(r->zNow, r->zStarted, sizeof(r->zStarted));
  pms_ms_to_iso(tStart, r->zWmNew, 0);

  r->zWm = sync_watermark(db, zDb, pSess->zIntegration, r->pM->zName);
  r->zMode = zModeReq;
  if( strcmp(zModeReq, "incremental")==0 && (r->zWm==0 || !pAM->bIncremental) ) r->zMode = "full";
  if( strcmp(r->zMode, "incremental")==0 ){
    int64_t ms = pms_iso_to_ms(r->zWm) - (int64_t)(pms_option_number(pSess, "overlap_seconds", 300)*1000);
    r->zSince = malloc(32);
    if( r->zSince ) pms_ms_to_iso(ms, r->zSince, 0);
  }else if( strcmp(r->zMode, "full")==0 && pAM->bIncremental ){
    /* Propexo's date-limited sync: a full run looks back window_days (one
    ** number, or one per model); backsync pulls the whole history */
    const cJSON *pWin = cJSON_GetObjectItemCaseSensitive(pSess->pOptions, "window_days");
    if( cJSON_IsObject(pWin) ) pWin = cJSON_GetObjectItemCaseSensitive(pWin, r->pM->zName);
    if( cJSON_IsNumber(pWin) && pWin->valuedouble>0 ){
      r->zSince = malloc(32);
      if( r->zSince ) pms_ms_to_iso(tStart - (int64_t)(pWin->valuedouble*86400000.0), r->zSince, 0);
    }
  }
  /* no change events on a model's first sync or a backsync (Propexo's rule) */
  r->bEvents = r->zWm!=0 && strcmp(r->zMode, "backsync")!=0;
  pms_row_init(&r->row, r->pM, pSess->zIntegration);
}

/* Read the model's lists: the first page of every part at once (the client
** runs them concurrently within the vendor's limits), the rest as totals
** allow; each record goes to sync_record. No database access of its own
** when the run spools (a parallel sync's fetch thread). */
static void sync_run_fetch(sync_run *r){
  pms_http_stats st0, st1;
  int i, rc = SQLITE_OK, nLeft;
  pms_http_get_stats(r->pSess->pHttp, &st0);
  for(i=0; rc==SQLITE_OK && i<r->nPart; i++) rc = sync_submit_page(r, &r->aPart[i], 0);
  if( rc==SQLITE_OK && r->nPart>0 ){
    nLeft = pms_http_run(r->pSess->pHttp, sync_on_page, r);
    if( r->zErr==0 && nLeft ) r->zErr = pms_strdup("sync stopped with requests outstanding");
  }
  if( rc==SQLITE_OK && r->zErr==0 && r->bShrunk ){
    /* Records were deleted while the pages were read: with offset paging
    ** the rest moved down, and one may have slipped onto a page already
    ** read. Read the list once more (in the same savepoint), so every
    ** record that exists is seen by this run. */
    r->bRepass = 1;
    r->bShrunk = 0;
    for(i=0; rc==SQLITE_OK && i<r->nPart; i++){
      sync_part *pPart = &r->aPart[i];
      if( !pPart->bShrunk ) continue;
      pPart->bShrunk = 0;
      pPart->bPagesQueued = 0;
      pPart->nPageExpected = -1;
      pPart->nTotal = 0;
      rc = sync_submit_page(r, pPart, 0);
    }
    if( rc==SQLITE_OK ){
      nLeft = pms_http_run(r->pSess->pHttp, sync_on_page, r);
      if( r->zErr==0 && nLeft ) r->zErr = pms_strdup("sync stopped with requests outstanding");
    }
  }
  pms_http_get_stats(r->pSess->pHttp, &st1);
  r->st.nRequest = st1.nRequest - st0.nRequest;
  r->st.nRetry = st1.nRetry - st0.nRetry;
}

/* Apply what a fetch thread spooled, in the run's savepoint. */
static void sync_run_replay(sync_run *r){
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

/* End a run inside its savepoint: keep it with the new watermark and a
** succeeded run row, or roll it back and record why. */
static void sync_run_commit(sync_run *r){
  sqlite3 *db = r->db;
  int rc = SQLITE_OK;
  sync_finalize_all(r);
  if( r->zErr==0 ) rc = sync_save_state(r, r->zWmNew);
  if( r->zErr==0 && rc ) r->zErr = pms_mprintf("cannot save the watermark: %s", sqlite3_errmsg(db));
  if( r->zErr ){
    pms_exec(db, 0, "ROLLBACK TO pms_sync_model");
    pms_exec(db, 0, "RELEASE pms_sync_model");
  }else{
    rc = sync_log_run(db, r->zDb, r->pSess->zIntegration, r->pM->zName, r->zMode, r->zStarted,
                      "succeeded", r, &r->st, r->zWm, r->zWmNew, 0, &r->iRunId);
    if( rc ){
      r->zErr = pms_mprintf("cannot record the run: %s", sqlite3_errmsg(db));
      pms_exec(db, 0, "ROLLBACK TO pms_sync_model");
      pms_exec(db, 0, "RELEASE pms_sync_model");
    }else{
      pms_exec(db, &r->zErr, "RELEASE pms_sync_model");
    }
  }
  if( r->zErr ){
    /* the failed run is recorded outside the rolled-back savepoint */
    r->nNew = r->nChanged = r->nUnchanged = 0;   /* nothing of it was kept */
    sync_log_run(db, r->zDb, r->pSess->zIntegration, r->pM->zName, r->zMode, r->zStarted,
                 "failed", r, &r->st, r->zWm, r->zWm, r->zErr, &r->iRunId);
  }
}

/* Everything a run holds. */
static void sync_run_free(sync_run *r){
  int i;
  sync_finalize_all(r);
  pms_row_free(&r->row);
  for(i=0; i<r->nPart; i++) free(r->aPart[i].zKey);
  free(r->aPart);
  free(r->zSince);
  free(r->zWm);
  free(r->zErr);
  if( r->pSpool ) fclose(r->pSpool);
  memset(r, 0, sizeof(*r));
}

/* The run's summary into pOut (and its first error into *pzFail); frees
** the run. */
static void sync_run_report(sync_run *r, pms_str *pOut, char **pzFail){
  if( r->bProgress ){
    sync_progress(r);
    fprintf(stderr, "%s\n", r->zErr ? " - failed" : " - done");
  }
  pms_str_appendf(pOut, "{\"integration\":");
  pms_str_append_json_string(pOut, r->pSess->zIntegration);
  pms_str_appendf(pOut, ",\"model\":\"%s\",\"mode\":\"%s\",\"status\":\"%s\",\"run_id\":%lld,"
                  "\"pages\":%d,\"fetched\":%d,\"new\":%d,\"changed\":%d,\"unchanged\":%d,\"ms\":%lld",
                  r->pM->zName, r->zMode, r->zErr ? "failed" : "succeeded", (long long)r->iRunId,
                  r->nPages, r->nFetched, r->nNew, r->nChanged, r->nUnchanged,
                  (long long)(pms_now_ms() - r->tStart));
  if( r->bRepass ) pms_str_appendz(pOut, ",\"consistency_pass\":true");
  if( r->zErr ){
    pms_str_appendz(pOut, ",\"error\":");
    pms_str_append_json_string(pOut, r->zErr);
    if( *pzFail==0 ) *pzFail = pms_mprintf("%s.%s: %s", r->pSess->zIntegration, r->pM->zName, r->zErr);
  }
  pms_str_appendz(pOut, "}");
  sync_run_free(r);
}

/* Sync one model of an open session. Appends its summary to pOut. */
static int sync_model(sqlite3 *db, const char *zDb, pms_session *pSess,
                      const pms_adapter_model *pAM, const char *zModeReq, pms_str *pOut,
                      char **pzFail){
  sync_run r;
  int rc;
  sync_run_init(&r, db, zDb, pSess, pAM, zModeReq);
  rc = pms_exec(db, 0, "SAVEPOINT pms_sync_model");
  if( rc ){
    r.zErr = pms_mprintf("cannot start a savepoint: %s", sqlite3_errmsg(db));
  }else{
    rc = sync_prepare_all(&r);
    if( rc==SQLITE_OK ) rc = sync_partitions(&r);
    if( rc==SQLITE_OK ) sync_run_fetch(&r);
    sync_run_commit(&r);
  }
  sync_run_report(&r, pOut, pzFail);
  return SQLITE_OK;
}

static void sync_set_status(sqlite3 *db, const char *zDb, const char *zInt, const char *zErr){
  sqlite3_stmt *pStmt = 0;
  char zNow[32];
  if( sync_prepare(db, &pStmt, sqlite3_mprintf(
        "UPDATE \"%w\".pms_integrations_store SET last_sync_at=?2, last_sync_status=?3, last_error=?4 "
        "WHERE id=?1", zDb)) ) return;
  pms_now_iso(zNow);
  sqlite3_bind_text(pStmt, 1, zInt, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, zNow, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 3, zErr ? "error" : "ok", -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 4, zErr, -1, SQLITE_STATIC);
  sqlite3_step(pStmt);
  sqlite3_finalize(pStmt);
}

/* Sync the requested models of one integration. */
static void sync_integration(sqlite3 *db, const char *zDb, const char *zInt,
                             const pms_adapter *pA, const pms_model *pOnly, const char *zMode,
                             pms_str *pOut, int *pnRun, char **pzFail){
  pms_session sess;
  char *zErr = 0;
  char *zFirstFail = 0;
  int i;
  if( pms_session_open(db, zDb, zInt, &sess, &zErr) ){
    char zNow[32];
    pms_now_iso(zNow);
    for(i=0; i<pms_model_count(); i++){
      const pms_model *pM = pms_model_at(i);
      if( (pOnly && pOnly!=pM) || pA==0 || pms_adapter_model_find(pA, pM->zName)==0 ) continue;
      sync_log_run(db, zDb, zInt, pM->zName, zMode, zNow, "failed", 0, 0, 0, 0, zErr, 0);
    }
    pms_str_appendf(pOut, "%s{\"integration\":", (*pnRun)++ ? "," : "");
    pms_str_append_json_string(pOut, zInt);
    pms_str_appendz(pOut, ",\"status\":\"failed\",\"error\":");
    pms_str_append_json_string(pOut, zErr);
    pms_str_appendz(pOut, "}");
    sync_set_status(db, zDb, zInt, zErr);
    if( *pzFail==0 ) *pzFail = pms_mprintf("%s: %s", zInt, zErr);
    free(zErr);
    return;
  }
  if( sess.pAdapter->xOpen && sess.pAdapter->xOpen(&sess, &zErr) ){
    pms_str_appendf(pOut, "%s{\"integration\":", (*pnRun)++ ? "," : "");
    pms_str_append_json_string(pOut, zInt);
    pms_str_appendz(pOut, ",\"status\":\"failed\",\"error\":");
    pms_str_append_json_string(pOut, zErr);
    pms_str_appendz(pOut, "}");
    sync_set_status(db, zDb, zInt, zErr);
    if( *pzFail==0 ) *pzFail = pms_mprintf("%s: %s", zInt, zErr);
    free(zErr);
    pms_session_close(&sess);
    return;
  }
  for(i=0; i<pms_model_count(); i++){
    const pms_model *pM = pms_model_at(i);
    const pms_adapter_model *pAM;
    if( pOnly && pOnly!=pM ) continue;
    pAM = pms_adapter_model_find(sess.pAdapter, pM->zName);
    if( pAM==0 ) continue;    /* the vendor has no such data; its capability says so */
    if( (*pnRun)++ ) pms_str_appendz(pOut, ",");
    sync_model(db, zDb, &sess, pAM, zMode, pOut, &zFirstFail);
  }
  sync_set_status(db, zDb, zInt, zFirstFail);
  if( zFirstFail && *pzFail==0 ) *pzFail = zFirstFail;
  else free(zFirstFail);
  pms_session_close(&sess);
}

/* ------------------------------------------------------------------------
** Several integrations in parallel. Each integration gets a fetch thread
** with its own session and HTTP client: it logs in and reads its models'
** lists in order, mapping each record into a spool file. The caller's
** thread, which alone touches the database, applies each finished model in
** its savepoint (the same commit-or-nothing as a serial run), whichever
** integration finishes first. Models served per parent (zPartition) wait
** until the models before them are applied, since their parts come from
** the cache. At most SYNC_MAX_PARALLEL integrations fetch at once.
*/
#define SYNC_MAX_PARALLEL 8

typedef struct sync_job {
  char *zInt;
  const pms_adapter *pA;
  pms_session sess;
  int bSession;             /* sess is open */
  sync_run *aRun;           /* one per model to sync, in model order */
  int nRun;
  int nPlanned;             /* runs [0,nPlanned) may be fetched */
  int nFetched;             /* runs [0,nFetched) are fetched */
  int nApplied;             /* runs [0,nApplied) are applied and reported */
  char *zOpenErr;           /* logging in failed: the thread fetched nothing */
  pthread_t thread;
  int bThread;
} sync_job;

typedef struct sync_pool {
  pthread_mutex_t mu;
  pthread_cond_t cv;        /* a run was planned or fetched */
} sync_pool;

typedef struct sync_thread_arg { sync_pool *pPool; sync_job *pJob; } sync_thread_arg;

static void *sync_fetch_thread(void *pArg){
  sync_pool *pPool = ((sync_thread_arg*)pArg)->pPool;
  sync_job *pJob = ((sync_thread_arg*)pArg)->pJob;
  char *zErr = 0;
  int i;
  free(pArg);
  if( pJob->sess.pAdapter->xOpen && pJob->sess.pAdapter->xOpen(&pJob->sess, &zErr) ){
    pthread_mutex_lock(&pPool->mu);
    pJob->zOpenErr = zErr ? zErr : pms_strdup("cannot log in");
    pJob->nFetched = pJob->nRun;
    pthread_cond_broadcast(&pPool->cv);
    pthread_mutex_unlock(&pPool->mu);
    return 0;
  }
  for(i=0; i<pJob->nRun; i++){
    sync_run *r = &pJob->aRun[i];
    pthread_mutex_lock(&pPool->mu);
    while( pJob->nPlanned<=i ) pthread_cond_wait(&pPool->cv, &pPool->mu);
    pthread_mutex_unlock(&pPool->mu);
    if( r->zErr==0 ){
      char *zSpoolErr = 0;
      r->pSpool = sync_spool_open(&zSpoolErr);
      if( r->pSpool==0 ) sync_fail(r, zSpoolErr);
      else sync_run_fetch(r);
    }
    pthread_mutex_lock(&pPool->mu);
    pJob->nFetched = i+1;
    pthread_cond_broadcast(&pPool->cv);
    pthread_mutex_unlock(&pPool->mu);
  }
  return 0;
}

/* Plan what may be fetched next: a run served per parent only once every
** run before it is applied (its parts are read from the cache). Caller
** holds the pool's lock. */
static void sync_job_plan(sync_job *pJob){
  while( pJob->nPlanned<pJob->nRun ){
    sync_run *r = &pJob->aRun[pJob->nPlanned];
    if( r->pAM->zPartition && pJob->nApplied<pJob->nPlanned ) break;
    sync_partitions(r);         /* on failure the run carries its error */
    pJob->nPlanned++;
  }
}

/* Open an integration's session and set up its runs. Returns 0 when the
** integration must go the serial way (it reports its own failure). */
static int sync_job_open(sqlite3 *db, const char *zDb, sync_job *pJob, const pms_model *pOnly,
                         const char *zMode){
  char *zErr = 0;
  int i;
  if( pJob->pA==0 || pms_session_open(db, zDb, pJob->zInt, &pJob->sess, &zErr) ){
    free(zErr);
    return 0;
  }
  pJob->bSession = 1;
  pJob->aRun = calloc((size_t)pms_model_count(), sizeof(sync_run));
  if( pJob->aRun==0 ) return 0;
  for(i=0; i<pms_model_count(); i++){
    const pms_model *pM = pms_model_at(i);
    const pms_adapter_model *pAM;
    sync_run *r;
    if( pOnly && pOnly!=pM ) continue;
    pAM = pms_adapter_model_find(pJob->sess.pAdapter, pM->zName);
    if( pAM==0 ) continue;
    r = &pJob->aRun[pJob->nRun++];
    sync_run_init(r, db, zDb, &pJob->sess, pAM, zMode);
    r->bProgress = 0;             /* the applying thread reports */
    r->aiMapCol = pms_map_columns(r->pM, pAM->aMap, &zErr);
    if( r->aiMapCol==0 ){ sync_fail(r, zErr ? zErr : pms_strdup("out of memory")); zErr = 0; }
  }
  return 1;
}

/* Apply one fetched run in its savepoint and report it. */
static void sync_job_apply(sync_run *r, pms_str *pOut, int *pnRun, char **pzFail){
  int rc;
  if( (*pnRun)++ ) pms_str_appendz(pOut, ",");
  r->bProgress = isatty(2);
  rc = pms_exec(r->db, 0, "SAVEPOINT pms_sync_model");
  if( rc ){
    sync_fail(r, pms_mprintf("cannot start a savepoint: %s", sqlite3_errmsg(r->db)));
  }else{
    if( r->zErr==0 && sync_prepare_all(r)==SQLITE_OK ) sync_run_replay(r);
    sync_run_commit(r);
  }
  sync_run_report(r, pOut, pzFail);
}

static void sync_job_close(sqlite3 *db, const char *zDb, sync_job *pJob, char *zFirstFail,
                           char **pzFail){
  int i;
  if( pJob->bThread ) pthread_join(pJob->thread, 0);
  /* runs not applied (logging in failed) are freed without a report */
  for(i=pJob->nApplied; i<pJob->nRun; i++) sync_run_free(&pJob->aRun[i]);
  free(pJob->aRun);
  if( pJob->bSession ){
    sync_set_status(db, zDb, pJob->zInt, pJob->zOpenErr ? pJob->zOpenErr : zFirstFail);
    pms_session_close(&pJob->sess);
  }
  if( zFirstFail && *pzFail==0 ) *pzFail = zFirstFail;
  else free(zFirstFail);
  free(pJob->zOpenErr);
}

/* Sync a batch of integrations in parallel (see above). */
static void sync_parallel(sqlite3 *db, const char *zDb, char **azInt, const pms_adapter **apA,
                          int nInt, const pms_model *pOnly, const char *zMode, pms_str *pOut,
                          int *pnRun, char **pzFail){
  sync_pool pool;
  sync_job aJob[SYNC_MAX_PARALLEL];
  char *azFail[SYNC_MAX_PARALLEL];
  int i, nLeft = 0;
  memset(aJob, 0, sizeof(aJob));
  memset(azFail, 0, sizeof(azFail));
  pthread_mutex_init(&pool.mu, 0);
  pthread_cond_init(&pool.cv, 0);
  for(i=0; i<nInt; i++){
    sync_job *pJob = &aJob[i];
    sync_thread_arg *pArg;
    pJob->zInt = azInt[i];
    pJob->pA = apA[i];
    if( !sync_job_open(db, zDb, pJob, pOnly, zMode) ){
      /* the serial path reports a session that cannot open */
      if( pJob->bSession ) pms_session_close(&pJob->sess);
      free(pJob->aRun);
      memset(pJob, 0, sizeof(*pJob));
      sync_integration(db, zDb, azInt[i], apA[i], pOnly, zMode, pOut, pnRun, pzFail);
      continue;
    }
    pthread_mutex_lock(&pool.mu);
    sync_job_plan(pJob);
    pthread_mutex_unlock(&pool.mu);
    pArg = malloc(sizeof(*pArg));
    if( pArg ){
      pArg->pPool = &pool;
      pArg->pJob = pJob;
      pJob->bThread = pthread_create(&pJob->thread, 0, sync_fetch_thread, pArg)==0;
      if( !pJob->bThread ) free(pArg);
    }
    if( !pJob->bThread ){
      pJob->zOpenErr = pms_strdup("cannot start a sync thread");
      pJob->nFetched = pJob->nRun;
    }
    nLeft++;
  }
  while( nLeft>0 ){
    sync_job *pReady = 0;
    pthread_mutex_lock(&pool.mu);
    for(;;){
      for(i=0; i<nInt && pReady==0; i++){
        sync_job *pJob = &aJob[i];
        if( pJob->zInt==0 || pJob->aRun==0 ) continue;
        if( pJob->nApplied<pJob->nFetched || (pJob->nApplied==pJob->nRun) ) pReady = pJob;
      }
      if( pReady ) break;
      pthread_cond_wait(&pool.cv, &pool.mu);
    }
    pthread_mutex_unlock(&pool.mu);
    i = (int)(pReady - aJob);
    if( pReady->zOpenErr ){
      pms_str_appendf(pOut, "%s{\"integration\":", (*pnRun)++ ? "," : "");
      pms_str_append_json_string(pOut, pReady->zInt);
      pms_str_appendz(pOut, ",\"status\":\"failed\",\"error\":");
      pms_str_append_json_string(pOut, pReady->zOpenErr);
      pms_str_appendz(pOut, "}");
      if( *pzFail==0 ) *pzFail = pms_mprintf("%s: %s", pReady->zInt, pReady->zOpenErr);
    }else if( pReady->nApplied<pReady->nRun ){
      sync_job_apply(&pReady->aRun[pReady->nApplied], pOut, pnRun, &azFail[i]);
      pthread_mutex_lock(&pool.mu);
      pReady->nApplied++;
      sync_job_plan(pReady);
      pthread_cond_broadcast(&pool.cv);
      pthread_mutex_unlock(&pool.mu);
      if( pReady->nApplied<pReady->nRun ) continue;
    }
    sync_job_close(db, zDb, pReady, azFail[i], pzFail);
    azFail[i] = 0;
    pReady->aRun = 0;
    nLeft--;
  }
  pthread_cond_destroy(&pool.cv);
  pthread_mutex_destroy(&pool.mu);
}

/* Sync every integration a query (id, vendor) selects, in its order; more
** than one in parallel (sync_parallel), in batches. The ids are read first:
** syncing writes to the table the query reads. */
static void sync_each(sqlite3 *db, const char *zDb, char *zSql /* sqlite3_mprintf'd */,
                      const pms_model *pOnly, const char *zMode, pms_str *pOut,
                      int *pnRun, char **pzFail){
  sqlite3_stmt *pStmt = 0;
  char **azInt = 0;
  const pms_adapter **apA = 0;
  int nInt = 0, i;
  if( sync_prepare(db, &pStmt, zSql)==SQLITE_OK ){
    while( sqlite3_step(pStmt)==SQLITE_ROW ){
      char **azNew = realloc(azInt, sizeof(char*)*(nInt+1));
      const pms_adapter **apNew = realloc(apA, sizeof(pms_adapter*)*(nInt+1));
      if( azNew ) azInt = azNew;
      if( apNew ) apA = apNew;
      if( azNew==0 || apNew==0 ) break;
      azInt[nInt] = pms_strdup((const char*)sqlite3_column_text(pStmt, 0));
      apA[nInt++] = pms_adapter_find((const char*)sqlite3_column_text(pStmt, 1));
    }
  }
  sqlite3_finalize(pStmt);
  if( nInt==1 ){
    sync_integration(db, zDb, azInt[0], apA[0], pOnly, zMode, pOut, pnRun, pzFail);
  }else{
    for(i=0; i<nInt; i+=SYNC_MAX_PARALLEL){
      int n = nInt-i < SYNC_MAX_PARALLEL ? nInt-i : SYNC_MAX_PARALLEL;
      sync_parallel(db, zDb, azInt+i, apA+i, n, pOnly, zMode, pOut, pnRun, pzFail);
    }
  }
  for(i=0; i<nInt; i++) free(azInt[i]);
  free(azInt);
  free(apA);
}

/* pms_sync([integration [, model [, mode]]]) */
static void sync_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  const char *zDb = pms_find_schema(db);
  const char *zInt = argc>0 ? (const char*)sqlite3_value_text(argv[0]) : 0;
  const char *zModel = argc>1 ? (const char*)sqlite3_value_text(argv[1]) : 0;
  const char *zMode = argc>2 ? (const char*)sqlite3_value_text(argv[2]) : 0;
  const pms_model *pOnly = 0;
  pms_str out = {0};
  char *zFail = 0, *zErr = 0;
  int nRun = 0;

  if( zDb==0 ){
    sqlite3_result_error(ctx, "pms_sync: this database has no pmsql tables; run SELECT pms_init() first", -1);
    return;
  }
  if( pms_schema_load(&zErr) ){
    sqlite3_result_error(ctx, zErr, -1);
    free(zErr);
    return;
  }
  if( zMode==0 ) zMode = "incremental";
  if( strcmp(zMode, "full")!=0 && strcmp(zMode, "incremental")!=0 && strcmp(zMode, "backsync")!=0 ){
    char *z = sqlite3_mprintf("pms_sync: mode must be 'full', 'incremental' or 'backsync' (got '%s')", zMode);
    sqlite3_result_error(ctx, z, -1);
    sqlite3_free(z);
    return;
  }
  if( zModel ){
    pOnly = pms_model_find(zModel);
    if( pOnly==0 ){
      sqlite3_str *p = sqlite3_str_new(0);
      int i;
      sqlite3_str_appendf(p, "pms_sync: unknown model '%s' (models:", zModel);
      for(i=0; i<pms_model_count(); i++) sqlite3_str_appendf(p, " %s", pms_model_at(i)->zName);
      sqlite3_str_appendall(p, ")");
      zErr = sqlite3_str_finish(p);
      sqlite3_result_error(ctx, zErr, -1);
      sqlite3_free(zErr);
      return;
    }
  }
  pms_str_appendz(&out, "{\"runs\":[");
  if( zInt ){
    sqlite3_stmt *pStmt = 0;
    const pms_adapter *pA = 0;
    int bFound = 0;
    if( sync_prepare(db, &pStmt, sqlite3_mprintf(
          "SELECT vendor FROM \"%w\".pms_integrations_store WHERE id=?1", zDb))==SQLITE_OK ){
      sqlite3_bind_text(pStmt, 1, zInt, -1, SQLITE_STATIC);
      if( sqlite3_step(pStmt)==SQLITE_ROW ){
        pA = pms_adapter_find((const char*)sqlite3_column_text(pStmt, 0));
        bFound = 1;
        if( pOnly && pA && pms_adapter_model_find(pA, pOnly->zName)==0 ){
          char *z = sqlite3_mprintf("pms_sync: %s does not support read on %s", pA->zVendor, pOnly->zName);
          sqlite3_finalize(pStmt);
          sqlite3_result_error(ctx, z, -1);
          sqlite3_free(z);
          pms_str_reset(&out);
          return;
        }
      }
    }
    sqlite3_finalize(pStmt);
    if( !bFound ){
      char *z = sqlite3_mprintf("pms_sync: no integration '%s' in pms_integrations", zInt);
      sqlite3_result_error(ctx, z, -1);
      sqlite3_free(z);
      pms_str_reset(&out);
      return;
    }
    sync_integration(db, zDb, zInt, pA, pOnly, zMode, &out, &nRun, &zFail);
  }else{
    sync_each(db, zDb, sqlite3_mprintf("SELECT id, vendor FROM \"%w\".pms_integrations_store ORDER BY id", zDb),
              pOnly, zMode, &out, &nRun, &zFail);
  }
  pms_str_appendf(&out, "],\"status\":\"%s\"}", zFail ? "failed" : "succeeded");
  if( out.oom ){
    sqlite3_result_error_nomem(ctx);
  }else if( zFail ){
    char *z = sqlite3_mprintf("pms_sync failed: %s (see pms_sync_runs)", zFail);
    sqlite3_result_error(ctx, z, -1);
    sqlite3_free(z);
  }else{
    sqlite3_result_text(ctx, out.z, (int)out.n, SQLITE_TRANSIENT);
  }
  free(zFail);
  pms_str_reset(&out);
}

/* pms_sync_due(): an incremental sync of every integration whose sync
** interval (option sync_interval_hours, default 12, Propexo's default) has
** elapsed since its last sync. For cron. */
static void sync_due_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  const char *zDb = pms_find_schema(db);
  sqlite3_stmt *pStmt = 0;
  pms_str out = {0}, skipped = {0};
  char *zFail = 0;
  int nRun = 0, nSkip = 0;
  (void)argc; (void)argv;
  if( zDb==0 ){
    sqlite3_result_error(ctx, "pms_sync_due: this database has no pmsql tables; run SELECT pms_init() first", -1);
    return;
  }
  /* what is not due, before syncing moves anyone's last_sync_at */
  if( sync_prepare(db, &pStmt, sqlite3_mprintf(
        "SELECT id FROM \"%w\".pms_integrations_store WHERE NOT (last_sync_at IS NULL "
        "OR julianday('now') - julianday(last_sync_at) >= "
        "coalesce(json_extract(options, '$.sync_interval_hours'), 12) / 24.0) ORDER BY id", zDb))==SQLITE_OK ){
    while( sqlite3_step(pStmt)==SQLITE_ROW ){
      if( nSkip++ ) pms_str_appendz(&skipped, ",");
      pms_str_append_json_string(&skipped, (const char*)sqlite3_column_text(pStmt, 0));
    }
    sqlite3_finalize(pStmt);
  }
  pms_str_appendz(&out, "{\"runs\":[");
  sync_each(db, zDb, sqlite3_mprintf(
      "SELECT id, vendor FROM \"%w\".pms_integrations_store WHERE last_sync_at IS NULL "
      "OR julianday('now') - julianday(last_sync_at) >= "
      "coalesce(json_extract(options, '$.sync_interval_hours'), 12) / 24.0 ORDER BY id", zDb),
      0, "incremental", &out, &nRun, &zFail);
  pms_str_appendf(&out, "],\"not_due\":[%s],\"status\":\"%s\"}", skipped.z ? skipped.z : "",
                  zFail ? "failed" : "succeeded");
  if( out.oom ){
    sqlite3_result_error_nomem(ctx);
  }else if( zFail ){
    char *z = sqlite3_mprintf("pms_sync_due failed: %s (see pms_sync_runs)", zFail);
    sqlite3_result_error(ctx, z, -1);
    sqlite3_free(z);
  }else{
    sqlite3_result_text(ctx, out.z, (int)out.n, SQLITE_TRANSIENT);
  }
  free(zFail);
  pms_str_reset(&out);
  pms_str_reset(&skipped);
}

int pms_sync_register(sqlite3 *db){
  int rc = SQLITE_OK, i;
  for(i=0; rc==SQLITE_OK && i<=3; i++){
    rc = sqlite3_create_function_v2(db, "pms_sync", i, SQLITE_UTF8|SQLITE_DIRECTONLY,
                                    0, sync_func, 0, 0, 0);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function_v2(db, "pms_sync_due", 0, SQLITE_UTF8|SQLITE_DIRECTONLY,
                                    0, sync_due_func, 0, 0, 0);
  }
  return rc;
}
