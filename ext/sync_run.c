/*
** sync_run.c — one run: one integration x one model.
**
** A run is split into init (database: mode, "since" and change events
** from the watermark), lease (sync_lock.c: another run of the model skips
** it), fetch (network, sync_page.c, into a spool file with no transaction
** open) and apply (database: one short write transaction), so the serial
** and the parallel path share every step. The apply replays the spool
** inside a SAVEPOINT and keeps it together with the new watermark and a
** pms_sync_runs row, or rolls it back, so a failed run leaves the cache and
** the watermark exactly as they were and only adds a row saying why. An
** apply that cannot get the write lock is retried at the end of the
** integration's runs, then fails saying the database is locked.
** Like Propexo, a model's first sync and backsyncs emit no change events.
*/
#include "syncint.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void sync_fail(sync_run *p, char *zErr /* malloc'd */){
  if( p->zErr==0 ) p->zErr = zErr;
  else free(zErr);
}

int sync_prepare(sqlite3 *db, sqlite3_stmt **pp, char *zSql /* sqlite3_mprintf'd */){
  int rc = zSql ? sqlite3_prepare_v3(db, zSql, -1, SQLITE_PREPARE_PERSISTENT, pp, 0) : SQLITE_NOMEM;
  sqlite3_free(zSql);
  return rc;
}

/* Watermark of the last successful run of this model, or NULL. */
char *sync_watermark(sqlite3 *db, const char *zDb, const char *zInt, const char *zModel){
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

/* Set up the run of one model: its mode, "since" and change events follow
** from its watermark and the integration's options. Reads the database. */
void sync_run_init(sync_run *r, sqlite3 *db, const char *zDb, pms_session *pSess,
                          const pms_adapter_model *pAM, const char *zModeReq){
  int64_t tStart = pms_now_ms();
  int msBusy = pms_busy_budget(db, pSess);
  memset(r, 0, sizeof(*r));
  r->db = db;
  r->zDb = zDb;
  r->pSess = pSess;
  r->pAM = pAM;
  r->pM = pms_model_find(pAM->zModel);
  r->nTotal = -1;
  r->tStart = tStart;
  r->msBusy = msBusy;
  r->nPageSize = (int)pms_option_number(pSess, "page_size", pSess->pAdapter->nMaxPageSize);
  if( r->nPageSize>pSess->pAdapter->nMaxPageSize ) r->nPageSize = pSess->pAdapter->nMaxPageSize;
  r->nMaxPages = (int)pms_option_number(pSess, "max_pages", SYNC_MAX_PAGES);
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
    double nDays = pms_option_window_days(pSess, r->pM->zName);
    if( nDays>0 ){
      r->zSince = malloc(32);
      if( r->zSince ) pms_ms_to_iso(tStart - (int64_t)(nDays*86400000.0), r->zSince, 0);
    }
  }
  /* no change events on a model's first sync or a backsync (Propexo's rule) */
  r->bEvents = r->zWm!=0 && strcmp(r->zMode, "backsync")!=0;
  pms_row_init(&r->row, r->pM, pSess->zIntegration);
}

/* End a run inside its savepoint: keep it with the new watermark and a
** succeeded run row, or roll it back and record why. */
void sync_run_commit(sync_run *r){
  sqlite3 *db = r->db;
  int rc = SQLITE_OK;
  sync_finalize_all(r);
  if( r->zErr==0 ) rc = sync_save_state(r, r->zWmNew);
  if( r->zErr==0 && rc ) r->zErr = pms_mprintf("cannot save the watermark: %s", sqlite3_errmsg(db));
  if( r->zErr ){
    pms_exec(db, 0, "ROLLBACK TO pms_sync_model");
    pms_exec(db, 0, "RELEASE pms_sync_model");
  }else{
    char *zNote = r->nSkipped ? pms_mprintf("%d %s record%s skipped (first id '%.80s'): an id with "
                                            "/ ? # %% or .. is never used in a request", r->nSkipped,
                                            r->pM->zName, r->nSkipped==1 ? "" : "s", r->zSkipped) : 0;
    rc = sync_log_run(db, r->zDb, r->pSess->zIntegration, r->pM->zName, r->zMode, r->zStarted,
                      "succeeded", r, &r->st, r->zWm, r->zWmNew, zNote, &r->iRunId);
    free(zNote);
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
void sync_run_free(sync_run *r){
  int i;
  if( r->zHolder[0] ) sync_lease_release(r, 1);
  sync_finalize_all(r);
  pms_row_free(&r->row);
  for(i=0; i<r->nPart; i++) free(r->aPart[i].zKey);
  free(r->aPart);
  free(r->zSince);
  free(r->zWm);
  free(r->zErr);
  free(r->zSkipped);
  free(r->zSkip);
  if( r->pSpool ) fclose(r->pSpool);
  sync_budget_release(r);
  pms_json_arena_free(r->pArena);
  free(r->zSpoolBuf);
  memset(r, 0, sizeof(*r));
}

static const char zLocked[] = "database is locked by another connection";

/* A skipped run's row (in the lease's transaction): why, in "error". */
int sync_log_skip(sync_run *r){
  return sync_log_run(r->db, r->zDb, r->pSess->zIntegration, r->pM->zName, r->zMode, r->zStarted,
                      "skipped", 0, 0, r->zWm, r->zWm, r->zSkip, &r->iRunId);
}

/* Apply a fetched run (or record its failure) in one short write
** transaction; the lease goes back in the same transaction. SQLITE_BUSY:
** the write lock could not be had and nothing changed — unless bLast, when
** the run fails saying so. */
int sync_run_apply(sync_run *r, int bLast){
  sqlite3 *db = r->db;
  int bOwn, rc;
  rc = pms_tx_begin(db, r->msBusy, &bOwn);
  if( rc==SQLITE_BUSY && !bLast ) return SQLITE_BUSY;
  if( rc==SQLITE_BUSY ){
    sync_fail(r, pms_strdup(zLocked));
    r->nNew = r->nChanged = r->nUnchanged = 0;
    return SQLITE_OK;         /* no row can be written: the summary says it */
  }
  r->msApply = pms_now_ms();
  if( rc==SQLITE_OK ) rc = pms_exec(db, 0, "SAVEPOINT pms_sync_model");
  if( rc ){
    sync_fail(r, pms_mprintf("cannot start a savepoint: %s", sqlite3_errmsg(db)));
    pms_tx_end(db, bOwn, 0, 0);
    r->msApply = 0;
    return SQLITE_OK;
  }
  if( r->zErr==0 && (r->pSpool==0 || sync_indexes_defer(r)==SQLITE_OK)
   && sync_prepare_all(r)==SQLITE_OK && r->pSpool ) sync_run_replay(r);
  if( r->zErr==0 && r->mDeferred ) sync_indexes_build(r);
  sync_run_commit(r);
  sync_lease_release(r, 0);
  rc = pms_tx_end(db, bOwn, 1, r->msBusy);
  r->msApply = pms_now_ms() - r->msApply;
  if( rc ){
    sync_fail(r, rc==SQLITE_BUSY ? pms_strdup(zLocked)
                                 : pms_mprintf("cannot commit: %s", sqlite3_errmsg(db)));
    r->nNew = r->nChanged = r->nUnchanged = 0;
  }
  return SQLITE_OK;
}

/* Take a run as far as it goes: lease, fetch, apply. Leaves it
** bDeferred when the write lock could not be had (unless bLast). */
void sync_run_step(sync_run *r, int bLast){
  if( r->bDeferred && bLast ) r->bRetried = 1;
  r->bDeferred = 0;
  if( r->zHolder[0]==0 && r->zSkip==0 && r->zErr==0 ){
    int rc = sync_lease_take(r);
    if( rc==SQLITE_BUSY ){
      if( !bLast ){ r->bDeferred = 1; return; }
      sync_fail(r, pms_strdup(zLocked));
      return;                 /* nothing to apply, no row can be written */
    }
  }
  if( r->zSkip ) return;
  if( !r->bFetched && r->zErr==0 ){
    char *zErr = 0;
    r->bFetched = 1;
    if( r->aiMapCol==0 ) r->aiMapCol = pms_map_columns(r->pM, r->pAM->aMap, &zErr);
    if( r->aiMapCol==0 ) sync_fail(r, zErr ? zErr : pms_strdup("out of memory"));
    else if( sync_partitions(r)==SQLITE_OK ){
      r->pSpool = sync_spool_open(&zErr);
      if( r->pSpool==0 ) sync_fail(r, zErr);
      else sync_run_fetch(r);
    }
  }
  if( r->zSkip ) return;      /* its parent is being synced by another run */
  if( sync_run_apply(r, bLast)==SQLITE_BUSY ) r->bDeferred = 1;
}

/* The run's summary into pOut (and its first error into *pzFail); frees
** the run. */
void sync_run_report(sync_run *r, pms_str *pOut, int *pnRun, char **pzFail){
  const char *zStatus = r->zSkip ? "skipped" : r->zErr ? "failed" : "succeeded";
  if( r->bProgress ){
    sync_progress(r);
    fprintf(stderr, " - %s\n", r->zErr ? "failed" : r->zSkip ? "skipped" : "done");
  }
  pms_str_appendf(pOut, "%s{\"integration\":", (*pnRun)++ ? "," : "");
  pms_str_append_json_string(pOut, r->pSess->zIntegration);
  pms_str_appendf(pOut, ",\"model\":\"%s\",\"mode\":\"%s\",\"status\":\"%s\",\"run_id\":%lld,"
                  "\"pages\":%d,\"fetched\":%d,\"new\":%d,\"changed\":%d,\"unchanged\":%d,\"ms\":%lld,"
                  "\"apply_ms\":%lld",
                  r->pM->zName, r->zMode, zStatus, (long long)r->iRunId,
                  r->nPages, r->nFetched, r->nNew, r->nChanged, r->nUnchanged,
                  (long long)(pms_now_ms() - r->tStart), (long long)r->msApply);
  if( r->pBudget ) pms_str_appendf(pOut, ",\"spool_bytes\":%lld", (long long)r->nSpool);
  if( r->bRepass ) pms_str_appendz(pOut, ",\"consistency_pass\":true");
  if( r->nSkipped ) pms_str_appendf(pOut, ",\"skipped\":%d", r->nSkipped);
  if( r->bRetried ) pms_str_appendz(pOut, ",\"lock_retry\":true");
  if( r->zSkip ){
    pms_str_appendz(pOut, ",\"reason\":");
    pms_str_append_json_string(pOut, r->zSkip);
  }
  if( r->zErr ){
    pms_str_appendz(pOut, ",\"error\":");
    pms_str_append_json_string(pOut, r->zErr);
    if( *pzFail==0 ) *pzFail = pms_mprintf("%s.%s: %s", r->pSess->zIntegration, r->pM->zName, r->zErr);
  }
  pms_str_appendz(pOut, "}");
  sync_run_free(r);
}

void sync_set_status(sqlite3 *db, const char *zDb, const char *zInt, const char *zErr, int msBusy){
  sqlite3_stmt *pStmt = 0;
  char zNow[32];
  int bOwn, rc;
  rc = pms_tx_begin(db, msBusy, &bOwn);
  if( rc==SQLITE_OK ) rc = sync_prepare(db, &pStmt, sqlite3_mprintf(
        "UPDATE \"%w\".pms_integrations_store SET last_sync_at=?2, last_sync_status=?3, last_error=?4 "
        "WHERE id=?1", zDb));
  if( rc==SQLITE_OK ){
    pms_now_iso(zNow);
    sqlite3_bind_text(pStmt, 1, zInt, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 2, zNow, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 3, zErr ? "error" : "ok", -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 4, zErr, -1, SQLITE_STATIC);
    sqlite3_step(pStmt);
    rc = sqlite3_finalize(pStmt);
  }
  pms_tx_end(db, bOwn, rc==SQLITE_OK, msBusy);
}

/* An integration whose session cannot open or log in: a failed row per
** model it would sync, and one failed entry in the summary. */
static void sync_integration_fail(sqlite3 *db, const char *zDb, const char *zInt,
                                  const pms_adapter *pA, const pms_model *pOnly, const char *zMode,
                                  const char *zErr, pms_str *pOut, int *pnRun, char **pzFail){
  char zNow[32];
  int i, bOwn;
  pms_now_iso(zNow);
  if( pms_tx_begin(db, pms_busy_budget(db, 0), &bOwn)==SQLITE_OK ){
    for(i=0; i<pms_model_count(); i++){
      const pms_model *pM = pms_model_at(i);
      if( (pOnly && pOnly!=pM) || pA==0 || pms_adapter_model_find(pA, pM->zName)==0 ) continue;
      sync_log_run(db, zDb, zInt, pM->zName, zMode, zNow, "failed", 0, 0, 0, 0, zErr, 0);
    }
    pms_tx_end(db, bOwn, 1, pms_busy_budget(db, 0));
  }
  pms_str_appendf(pOut, "%s{\"integration\":", (*pnRun)++ ? "," : "");
  pms_str_append_json_string(pOut, zInt);
  pms_str_appendz(pOut, ",\"status\":\"failed\",\"error\":");
  pms_str_append_json_string(pOut, zErr);
  pms_str_appendz(pOut, "}");
  sync_set_status(db, zDb, zInt, zErr, pms_busy_budget(db, 0));
  if( *pzFail==0 ) *pzFail = pms_mprintf("%s: %s", zInt, zErr);
}

/* Sync the requested models of one integration in this thread, in model
** order; each is applied before the next is fetched (a model served per
** parent reads its parts from the cache). Runs that could not get the
** write lock are retried at the end, in order. sync_pool.c uses it for an
** integration its threads cannot take (the session does not open). */
void sync_integration(sqlite3 *db, const char *zDb, const char *zInt,
                      const pms_adapter *pA, const pms_model *pOnly, const char *zMode,
                      const char *zDueSince, pms_str *pOut, int *pnRun, char **pzFail){
  pms_session sess;
  sync_run *aRun;
  char *zErr = 0;
  char *zFirstFail = 0;
  int i, nRun = 0, nDeferred = 0;
  if( pms_session_open(db, zDb, zInt, &sess, &zErr) ){
    sync_integration_fail(db, zDb, zInt, pA, pOnly, zMode, zErr, pOut, pnRun, pzFail);
    free(zErr);
    return;
  }
  if( sess.pAdapter->xOpen && sess.pAdapter->xOpen(&sess, &zErr) ){
    pms_str_appendf(pOut, "%s{\"integration\":", (*pnRun)++ ? "," : "");
    pms_str_append_json_string(pOut, zInt);
    pms_str_appendz(pOut, ",\"status\":\"failed\",\"error\":");
    pms_str_append_json_string(pOut, zErr);
    pms_str_appendz(pOut, "}");
    sync_set_status(db, zDb, zInt, zErr, pms_busy_budget(db, &sess));
    if( *pzFail==0 ) *pzFail = pms_mprintf("%s: %s", zInt, zErr);
    free(zErr);
    pms_session_close(&sess);
    return;
  }
  aRun = calloc((size_t)pms_model_count(), sizeof(sync_run));
  if( aRun==0 ){
    sync_integration_fail(db, zDb, zInt, 0, 0, zMode, "out of memory", pOut, pnRun, pzFail);
    pms_session_close(&sess);
    return;
  }
  for(i=0; i<pms_model_count(); i++){
    const pms_model *pM = pms_model_at(i);
    const pms_adapter_model *pAM;
    sync_run *r;
    if( pOnly && pOnly!=pM ) continue;
    pAM = pms_adapter_model_find(sess.pAdapter, pM->zName);
    if( pAM==0 ) continue;    /* the vendor has no such data; its capability says so */
    r = &aRun[nRun++];
    sync_run_init(r, db, zDb, &sess, pAM, zMode);
    r->zDueSince = zDueSince;
    if( pAM->zPartition && nDeferred ){
      r->bDeferred = 1;       /* its parent may be among the deferred */
    }else{
      sync_run_step(r, 0);
    }
    if( r->bDeferred ) nDeferred++;
    else sync_run_report(r, pOut, pnRun, &zFirstFail);
  }
  for(i=0; i<nRun; i++){
    if( !aRun[i].bDeferred ) continue;
    sync_run_step(&aRun[i], 1);
    sync_run_report(&aRun[i], pOut, pnRun, &zFirstFail);
  }
  free(aRun);
  sync_set_status(db, zDb, zInt, zFirstFail, pms_busy_budget(db, &sess));
  sync_retention(db, zDb, &sess);
  if( zFirstFail && *pzFail==0 ) *pzFail = zFirstFail;
  else free(zFirstFail);
  pms_session_close(&sess);
}
