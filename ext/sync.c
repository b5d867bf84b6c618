/*
** sync.c — the SQL functions of the sync engine: pms_sync([integration
** [, model [, mode]]]) and pms_sync_due() for cron.
**
** They check their arguments, pick the integrations and hand them to
** sync_integration (one) or sync_each (several, in parallel). How a run
** works is in sync_run.c; the other sync_*.c files each own one step (see
** syncint.h).
*/
#include "syncint.h"
#include <stdlib.h>
#include <string.h>

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
