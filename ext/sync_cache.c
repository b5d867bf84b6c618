/*
** sync_cache.c — one vendor record into "<model>_cache".
**
** The adapter's field map turns the record into a unified row; the row is
** upserted with change detection: each cached row keeps a 64-bit hash of
** its content (unified fields and remote_data). Unchanged records only get
** last_seen; changed ones get new values, updated_at (only when a unified
** field changed) and a pms_changes row whose diff holds just the changed
** fields. Records absent from the PMS are never deleted: their last_seen
** stops. pms_cache_put is the same path for one record (refresh).
*/
#include "syncint.h"
#include <limits.h>
#include <stdlib.h>
#include <string.h>

int sync_prepare_all(sync_run *p){
  const pms_model *pM = p->pM;
  sqlite3_str *pCols = sqlite3_str_new(0), *pVals = sqlite3_str_new(0), *pSet = sqlite3_str_new(0);
  char *zCols, *zVals, *zSet;
  int i, rc;
  for(i=0; i<pM->nCol; i++){
    sqlite3_str_appendf(pCols, "%s\"%w\"", i ? ", " : "", pM->aCol[i].zName);
    sqlite3_str_appendf(pVals, "%s?%d", i ? ", " : "", i+1);
    if( !pms_column_is_bookkeeping(pM, i) ){
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
  if( rc==SQLITE_OK && !p->bOneRecord ){
    /* none of the integration's records cached yet (a first sync) */
    sqlite3_stmt *pAny = 0;
    rc = sync_prepare(p->db, &pAny, sqlite3_mprintf(
        "SELECT 1 FROM \"%w\".\"%w_cache\" WHERE integration_id=?1 LIMIT 1", p->zDb, pM->zName));
    if( rc==SQLITE_OK ){
      sqlite3_bind_text(pAny, 1, p->pSess->zIntegration, -1, SQLITE_STATIC);
      p->bFresh = sqlite3_step(pAny)==SQLITE_DONE;
      rc = sqlite3_finalize(pAny);
    }
  }
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

/* A first sync that brings more records than the cache table holds (and
** at least SYNC_DEFER_MIN) drops the model's non-unique indexes before the
** rows go in and builds them after: one sort each instead of a b-tree
** insert per row. Both happen inside the run's savepoint, so a failed run
** gets them back with the rest; the unique ones stay (they find a record
** met twice). */
#define SYNC_DEFER_MIN 1000

static int sync_exec_free(sqlite3 *db, char *zSql /* sqlite3_mprintf'd */){
  int rc = zSql ? sqlite3_exec(db, zSql, 0, 0, 0) : SQLITE_NOMEM;
  sqlite3_free(zSql);
  return rc;
}

int sync_indexes_defer(sync_run *p){
  const pms_model *pM = p->pM;
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 nRows = 0;
  int i, rc;
  p->mDeferred = 0;
  if( p->bOneRecord || p->nFetched<SYNC_DEFER_MIN || pM->nIndex>64 ) return SQLITE_OK;
  rc = sync_prepare(p->db, &pStmt, sqlite3_mprintf(
      "SELECT max(rowid) FROM \"%w\".\"%w_cache\"", p->zDb, pM->zName));
  if( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ) nRows = sqlite3_column_int64(pStmt, 0);
  sqlite3_finalize(pStmt);
  if( rc || nRows>=p->nFetched ) return rc;
  rc = sync_prepare(p->db, &pStmt, sqlite3_mprintf(
      "SELECT 1 FROM \"%w\".sqlite_master WHERE type='index' AND name=?1", p->zDb));
  for(i=0; rc==SQLITE_OK && i<pM->nIndex; i++){
    char *zName;
    int bExists;
    if( pM->aIndex[i].bUnique ) continue;
    zName = sqlite3_mprintf("%s_cache_%s", pM->zName, pM->aIndex[i].zSuffix);
    if( zName==0 ){ rc = SQLITE_NOMEM; break; }
    sqlite3_bind_text(pStmt, 1, zName, -1, SQLITE_STATIC);
    bExists = sqlite3_step(pStmt)==SQLITE_ROW;
    sqlite3_reset(pStmt);
    if( bExists ){
      rc = sync_exec_free(p->db, sqlite3_mprintf("DROP INDEX \"%w\".\"%w\"", p->zDb, zName));
      if( rc==SQLITE_OK ) p->mDeferred |= (uint64_t)1<<i;
    }
    sqlite3_free(zName);
  }
  sqlite3_finalize(pStmt);
  if( rc ) sync_fail(p, pms_mprintf("cannot set the %s indexes aside: %s", pM->zName, sqlite3_errmsg(p->db)));
  return rc;
}

/* Build what sync_indexes_defer dropped. */
int sync_indexes_build(sync_run *p){
  int i, rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<p->pM->nIndex; i++){
    if( p->mDeferred & ((uint64_t)1<<i) ) rc = sync_exec_free(p->db, pms_model_index_ddl(p->pM, p->zDb, i));
  }
  if( rc ) sync_fail(p, pms_mprintf("cannot build the %s indexes: %s", p->pM->zName, sqlite3_errmsg(p->db)));
  p->mDeferred = 0;
  return rc;
}

void sync_finalize_all(sync_run *p){
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
    if( pms_column_is_bookkeeping(pM, i) ) continue;
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

/* Insert p->row as a new record (and its NEW event). */
static int sync_insert(sync_run *p, uint64_t h){
  const pms_model *pM = p->pM;
  pms_row *pRow = &p->row;
  sqlite3_stmt *pS = p->s.pInsert;
  int rc = SQLITE_OK, i;
  pms_row_borrow_text(pRow, pM->iCreated, p->zNow, (int)strlen(p->zNow));
  pms_row_borrow_text(pRow, pM->iUpdated, p->zNow, (int)strlen(p->zNow));
  pms_row_borrow_text(pRow, pM->iLastSeen, p->zNow, (int)strlen(p->zNow));
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
      if( pms_column_is_engine(pM, i) || pRow->a[i].eType==SQLITE_NULL ) continue;
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

/* Upsert p->row (core columns already filled but timestamps). */
static int sync_upsert(sync_run *p){
  const pms_model *pM = p->pM;
  pms_row *pRow = &p->row;
  uint64_t h = sync_row_hash(pRow);
  sqlite3_int64 iRowid = 0, iHash = 0;
  int bFound = 0, bSeen = 0, rc, i;
  sqlite3_stmt *pS;

  if( p->bFresh && !p->bRepass ){
    /* the cache held none of the integration's records when the apply
    ** began: insert without looking first; a record met twice (pages that
    ** overlap) breaks the unique id and goes the usual way below */
    rc = sync_insert(p, h);
    if( (rc & 0xff)!=SQLITE_CONSTRAINT ) return rc;
  }

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

  if( !bFound ) return sync_insert(p, h);

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
      if( pms_column_is_engine(pM, i) ) continue;
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


int sync_record(sync_run *p, const cJSON *pRec){
  const pms_model *pM = p->pM;
  pms_row *pRow = &p->row;
  char *zX, *zId, *zErr = 0, *zRaw;
  int rc;
  pms_row_clear(pRow);
  pRow->zPartition = p->zPartKey;
  zX = p->pSess->pAdapter->xRecordId(p->pAM, pRec);
  if( zX==0 || *zX==0 ){
    free(zX);
    sync_fail(p, pms_mprintf("%s returned a %s record without an id",
                             p->pSess->pAdapter->zVendor, pM->zName));
    return SQLITE_ERROR;
  }
  if( zX[strcspn(zX, "/?#%")] || strstr(zX, "..") ){
    /* an id that would read as a path (1/../admin) is never cached, so it
    ** never reaches a request: the record is skipped, counted and noted in
    ** pms_sync_runs.error of the (succeeded) run */
    if( p->nSkipped++==0 ) p->zSkipped = zX;
    else free(zX);
    return SQLITE_OK;
  }
  zId = pms_make_id(p->pSess->zIntegration, pM, zX);
  pms_row_set_text(pRow, pM->iId, zId, -1);
  sqlite3_free(zId);
  pms_row_set_text(pRow, pM->iIntegration, p->pSess->zIntegration, -1);
  pms_row_set_text(pRow, pM->iVendor, p->pSess->pAdapter->zVendor, -1);
  pms_row_take_text(pRow, pM->iXId, zX);
  rc = pms_map_apply_cols(pRow, p->pAM->aMap, p->aiMapCol, pRec, &zErr);
  if( rc==SQLITE_OK && p->pAM->xFixup ) rc = p->pAM->xFixup(p->pSess, pRow, pRec, &zErr);
  if( rc==PMS_SKIP_RECORD ){                   /* another model's record */
    p->nFetched--;                             /* (the page adds it back) */
    return SQLITE_OK;
  }
  if( rc ){
    sync_fail(p, zErr ? zErr : pms_strdup("cannot map a record"));
    return rc;
  }
  if( p->zRaw && p->pSpool ){
    /* as received, straight from the page into the spool */
    pms_row_set_text_nocopy(pRow, pM->iRemote, p->zRaw, p->nRaw>INT_MAX ? INT_MAX : (int)p->nRaw);
  }else if( p->zRaw ){
    pms_row_set_text(pRow, pM->iRemote, p->zRaw, p->nRaw>INT_MAX ? INT_MAX : (int)p->nRaw);   /* as received */
  }else{
    zRaw = cJSON_PrintUnformatted(pRec);
    if( zRaw ){ pms_row_set_text(pRow, pM->iRemote, zRaw, -1); cJSON_free(zRaw); }
  }
  if( p->pSpool ) return sync_spool_write(p);
  return sync_store(p);
}

/* The database half of a record: derived links, then the upsert. */
int sync_store(sync_run *p){
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
