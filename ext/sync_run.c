/*
** sync_run.c — one run: one integration x one model.
**
** A run is split into init (database: mode, "since" and change events
** from the watermark), fetch (network, sync_page.c) and commit (database),
** so the serial and the parallel path share every step. The commit keeps
** the run inside its SAVEPOINT together with the new watermark and a
** pms_sync_runs row, or rolls it back, so a failed run leaves the cache and
** the watermark exactly as they were and only adds a row saying why.
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
void sync_run_free(sync_run *r){
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
void sync_run_report(sync_run *r, pms_str *pOut, char **pzFail){
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

void sync_set_status(sqlite3 *db, const char *zDb, const char *zInt, const char *zErr){
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
void sync_integration(sqlite3 *db, const char *zDb, const char *zInt,
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
  sync_retention(db, zDb, &sess);
  if( zFirstFail && *pzFail==0 ) *pzFail = zFirstFail;
  else free(zFirstFail);
  pms_session_close(&sess);
}
