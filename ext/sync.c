/*
** sync.c — the SQL functions of the sync engine: pms_sync([integration
** [, model [, mode]]]) and pms_sync_due() for cron.
**
** They check their arguments, pick the integrations and hand them to
** sync_one or sync_each (sync_pool.c: fetch threads, applied here). How a run
** works is in sync_run.c; the other sync_*.c files each own one step (see
** syncint.h).
*/
#include "syncint.h"
#include <stdlib.h>
#include <string.h>

/* The connection's sync pragmas, for one call. */
static void sync_opts_get(sqlite3_context *ctx, sync_opts *pOpts){
  const pms_conn *pConn = (const pms_conn*)sqlite3_user_data(ctx);
  pOpts->nParallel = pms_sync_parallel(pConn);
  pOpts->nSpoolMax = pms_sync_spool_max(pConn);
  pOpts->bProgress = pms_sync_progress_on(pConn);
}

/* The models parsed, and schema zDb holding every table this build uses
** (pms_init_outdated); else an error named after zFunc and 0. */
static int sync_schema_ready(sqlite3_context *ctx, sqlite3 *db, const char *zDb, const char *zFunc){
  char *zErr = 0, *zOld;
  if( pms_schema_load(&zErr) ){
    sqlite3_result_error(ctx, zErr, -1);
    free(zErr);
    return 0;
  }
  if( (zOld = pms_init_outdated(db, zDb))!=0 ){
    char *z = sqlite3_mprintf("%s: %s", zFunc, zOld);
    sqlite3_result_error(ctx, z, -1);
    sqlite3_free(z);
    sqlite3_free(zOld);
    return 0;
  }
  return 1;
}

/* pms_sync([integration [, model [, mode]]]) */
static void sync_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  const char *zWhy = 0;
  const char *zDb = pms_find_schema_err(db, &zWhy);
  const char *zInt = argc>0 ? (const char*)sqlite3_value_text(argv[0]) : 0;
  const char *zModel = argc>1 ? (const char*)sqlite3_value_text(argv[1]) : 0;
  const char *zMode = argc>2 ? (const char*)sqlite3_value_text(argv[2]) : 0;
  const pms_model *pOnly = 0;
  pms_str out = {0};
  char *zFail = 0, *zErr = 0;
  int nRun = 0;
  int64_t nSpoolPeak = 0;
  sync_opts opts;

  if( zDb==0 ){
    char *z = sqlite3_mprintf("pms_sync: %s", zWhy);
    sqlite3_result_error(ctx, z, -1);
    sqlite3_free(z);
    return;
  }
  if( !sync_schema_ready(ctx, db, zDb, "pms_sync") ) return;
  sync_opts_get(ctx, &opts);
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
    char *zVendor = pms_integration_vendor(db, zDb, zInt);
    const pms_adapter *pA = pms_adapter_find(zVendor);
    int bFound = zVendor!=0;
    free(zVendor);
    if( pOnly && pA && pms_adapter_model_find(pA, pOnly->zName)==0 ){
      char *z = sqlite3_mprintf("pms_sync: %s does not support read on %s", pA->zVendor, pOnly->zName);
      sqlite3_result_error(ctx, z, -1);
      sqlite3_free(z);
      pms_str_reset(&out);
      return;
    }
    if( !bFound ){
      char *z = sqlite3_mprintf("pms_sync: no integration '%s' in pms_integrations", zInt);
      sqlite3_result_error(ctx, z, -1);
      sqlite3_free(z);
      pms_str_reset(&out);
      return;
    }
    sync_one(db, zDb, zInt, pA, pOnly, zMode, &opts, &out, &nRun, &zFail, &nSpoolPeak);
  }else{
    sync_each(db, zDb, sqlite3_mprintf("SELECT id, vendor FROM \"%w\".pms_integrations_store ORDER BY id", zDb),
              pOnly, zMode, 0, &opts, &out, &nRun, &zFail, &nSpoolPeak);
  }
  pms_str_appendf(&out, "],\"spool_peak_bytes\":%lld,\"status\":\"%s\"}", (long long)nSpoolPeak,
                  zFail ? "failed" : "succeeded");
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
** elapsed since its last sync, or sync_retry_minutes (30) since a failed
** one (SYNC_DUE_SQL). For cron. Two at once sync each due model
** once between them: a model another run holds, or synced since this call
** began, is skipped (sync_lock.c). */
static void sync_due_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  const char *zWhy = 0;
  const char *zDb = pms_find_schema_err(db, &zWhy);
  sqlite3_stmt *pStmt = 0;
  pms_str out = {0}, skipped = {0};
  char *zFail = 0;
  char zCalled[32];
  int nRun = 0, nSkip = 0;
  int64_t nSpoolPeak = 0;
  sync_opts opts;
  (void)argc; (void)argv;
  sync_opts_get(ctx, &opts);
  pms_now_iso(zCalled);
  if( zDb==0 ){
    char *z = sqlite3_mprintf("pms_sync_due: %s", zWhy);
    sqlite3_result_error(ctx, z, -1);
    sqlite3_free(z);
    return;
  }
  if( !sync_schema_ready(ctx, db, zDb, "pms_sync_due") ) return;
  /* what is not due, before syncing moves anyone's last_sync_at */
  if( sync_prepare(db, &pStmt, sqlite3_mprintf(
        "SELECT id FROM \"%w\".pms_integrations_store WHERE NOT " SYNC_DUE_SQL " ORDER BY id", zDb))==SQLITE_OK ){
    while( sqlite3_step(pStmt)==SQLITE_ROW ){
      if( nSkip++ ) pms_str_appendz(&skipped, ",");
      pms_str_append_json_string(&skipped, (const char*)sqlite3_column_text(pStmt, 0));
    }
    sqlite3_finalize(pStmt);
  }
  pms_str_appendz(&out, "{\"runs\":[");
  sync_each(db, zDb, sqlite3_mprintf(
      "SELECT id, vendor FROM \"%w\".pms_integrations_store WHERE " SYNC_DUE_SQL " ORDER BY id", zDb),
      0, "incremental", zCalled, &opts, &out, &nRun, &zFail, &nSpoolPeak);
  pms_str_appendf(&out, "],\"not_due\":[%s],\"spool_peak_bytes\":%lld,\"status\":\"%s\"}",
                  skipped.z ? skipped.z : "", (long long)nSpoolPeak, zFail ? "failed" : "succeeded");
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

/* Each function holds a reference to the connection's state (its pragmas). */
int pms_sync_register(sqlite3 *db, pms_conn *pConn){
  int rc = SQLITE_OK, i;
  for(i=0; rc==SQLITE_OK && i<=3; i++){
    pms_conn_ref(pConn);
    rc = sqlite3_create_function_v2(db, "pms_sync", i, SQLITE_UTF8|SQLITE_DIRECTONLY,
                                    pConn, sync_func, 0, 0, pms_conn_unref);
  }
  if( rc==SQLITE_OK ){
    pms_conn_ref(pConn);
    rc = sqlite3_create_function_v2(db, "pms_sync_due", 0, SQLITE_UTF8|SQLITE_DIRECTONLY,
                                    pConn, sync_due_func, 0, 0, pms_conn_unref);
  }
  return rc;
}
