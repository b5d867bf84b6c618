/*
** init.c — pms_init([schema]) and pms_version().
**
** pms_init makes a database a PMS cache: the pms_integrations table, one
** model table per unified model (each with its <model>_cache shadow table)
** and pmsql's own plain tables: pms_sync_state (watermarks), pms_sync_runs
** (history) and pms_changes (the change feed); and pms_writes, the write
** journal's table (its rows live in a file of their own, journal.c). Every statement is
** CREATE … IF NOT EXISTS, so calling it again changes nothing.
*/
#include "pmsql.h"
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

static const char zInitOwnTables[] =
  "CREATE TABLE IF NOT EXISTS \"%w\".pms_sync_state("
  "  integration_id TEXT NOT NULL,"
  "  model TEXT NOT NULL,"
  "  watermark TEXT,"            /* lower bound for the next incremental run */
  "  last_success_at TEXT,"
  "  last_mode TEXT,"
  "  PRIMARY KEY(integration_id, model));"
  "CREATE TABLE IF NOT EXISTS \"%w\".pms_sync_runs("
  "  id INTEGER PRIMARY KEY,"
  "  integration_id TEXT NOT NULL,"
  "  model TEXT NOT NULL,"
  "  mode TEXT NOT NULL,"
  "  started_at TEXT NOT NULL,"
  "  finished_at TEXT,"
  "  status TEXT NOT NULL,"
  "  pages INTEGER, requests INTEGER, retries INTEGER,"
  "  fetched INTEGER, new INTEGER, changed INTEGER, unchanged INTEGER,"
  "  watermark_before TEXT, watermark_after TEXT,"
  "  error TEXT);"
  "CREATE INDEX IF NOT EXISTS \"%w\".pms_sync_runs_by_model ON pms_sync_runs(integration_id, model);"
  "CREATE TABLE IF NOT EXISTS \"%w\".pms_changes("
  "  id INTEGER PRIMARY KEY,"
  "  integration_id TEXT NOT NULL,"
  "  integration_vendor TEXT NOT NULL,"
  "  model TEXT NOT NULL,"
  "  record_id TEXT NOT NULL,"
  "  x_id TEXT,"
  "  event TEXT NOT NULL CHECK(event IN ('NEW','UPDATE')),"
  "  diff TEXT NOT NULL,"
  "  created_at TEXT NOT NULL);"
  "CREATE INDEX IF NOT EXISTS \"%w\".pms_changes_by_record ON pms_changes(model, record_id);"
  "CREATE INDEX IF NOT EXISTS \"%w\".pms_changes_by_integration ON pms_changes(integration_id, created_at);";

static int init_schema_exists(sqlite3 *db, const char *zDb){
  sqlite3_stmt *pStmt = 0;
  int bFound = 0;
  if( sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_database_list WHERE name=?1", -1, &pStmt, 0)==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, zDb, -1, SQLITE_STATIC);
    bFound = sqlite3_step(pStmt)==SQLITE_ROW;
  }
  sqlite3_finalize(pStmt);
  return bFound;
}

static void init_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  const char *zDb = argc>0 ? (const char*)sqlite3_value_text(argv[0]) : "main";
  char *zErr = 0;
  int rc, i;
  if( zDb==0 ) zDb = "main";
  if( pms_schema_load(&zErr) || pms_capability_init(&zErr) ){
    sqlite3_result_error(ctx, zErr, -1);
    free(zErr);
    return;
  }
  if( !init_schema_exists(db, zDb) ){
    char *z = sqlite3_mprintf("pms_init: no attached database named '%s'", zDb);
    sqlite3_result_error(ctx, z, -1);
    sqlite3_free(z);
    return;
  }
  rc = pms_exec(db, &zErr, "SAVEPOINT pms_init");
  if( rc==SQLITE_OK ){
    rc = pms_exec(db, &zErr,
        "CREATE VIRTUAL TABLE IF NOT EXISTS \"%w\".pms_integrations USING pmsql_integrations", zDb);
  }
  if( rc==SQLITE_OK ) rc = pms_exec(db, &zErr, zInitOwnTables, zDb, zDb, zDb, zDb, zDb, zDb);
  if( rc==SQLITE_OK ){
    rc = pms_exec(db, &zErr,
        "CREATE VIRTUAL TABLE IF NOT EXISTS \"%w\".pms_writes USING pmsql_writes", zDb);
  }
  for(i=0; rc==SQLITE_OK && i<pms_model_count(); i++){
    rc = pms_exec(db, &zErr, "CREATE VIRTUAL TABLE IF NOT EXISTS \"%w\".\"%w\" USING pmsql",
                  zDb, pms_model_at(i)->zName);
  }
  if( rc==SQLITE_OK ){
    rc = pms_exec(db, &zErr, "RELEASE pms_init");
  }else{
    pms_exec(db, 0, "ROLLBACK TO pms_init");
    pms_exec(db, 0, "RELEASE pms_init");
  }
  if( rc ){
    char *z = sqlite3_mprintf("pms_init: %s", zErr ? zErr : sqlite3_errmsg(db));
    sqlite3_result_error(ctx, z, -1);
    sqlite3_free(z);
  }else{
    char *z = sqlite3_mprintf("pmsql %s: %s ready (%d models, %d vendors)",
                              PMSQL_VERSION, zDb, pms_model_count(), pms_adapter_count());
    sqlite3_result_text(ctx, z, -1, sqlite3_free);
  }
  free(zErr);
}

/* pms_version(): JSON with the version, libraries, build and vendors. */
static void version_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  pms_str s = {0};
  const curl_version_info_data *pCurl = curl_version_info(CURLVERSION_NOW);
  int i;
  (void)argc; (void)argv;
  pms_str_appendf(&s, "{\"version\":\"%s\",\"sqlite\":\"%s\",\"curl\":\"%s\",\"ssl\":",
                  PMSQL_VERSION, sqlite3_libversion(), pCurl->version);
  pms_str_append_json_string(&s, pCurl->ssl_version ? pCurl->ssl_version : "");
  pms_str_appendf(&s, ",\"cjson\":\"%s\",\"build\":{\"compiler\":\"%s\",\"debug\":%s,"
                  "\"sanitize\":%s},\"vendors\":[",
                  cJSON_Version(), __VERSION__,
#ifdef NDEBUG
                  "false",
#else
                  "true",
#endif
#if defined(__SANITIZE_ADDRESS__)
                  "true"
#else
                  "false"
#endif
                  );
  for(i=0; i<pms_adapter_count(); i++){
    pms_str_appendf(&s, "%s\"%s\"", i ? "," : "", pms_adapter_at(i)->zVendor);
  }
  pms_str_appendz(&s, "],\"models\":[");
  for(i=0; i<pms_model_count(); i++){
    pms_str_appendf(&s, "%s\"%s\"", i ? "," : "", pms_model_at(i)->zName);
  }
  pms_str_appendz(&s, "]}");
  if( s.oom ) sqlite3_result_error_nomem(ctx);
  else sqlite3_result_text(ctx, s.z, (int)s.n, SQLITE_TRANSIENT);
  pms_str_reset(&s);
}

int pms_init_register(sqlite3 *db){
  int rc = sqlite3_create_function_v2(db, "pms_init", 0, SQLITE_UTF8|SQLITE_DIRECTONLY,
                                      0, init_func, 0, 0, 0);
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function_v2(db, "pms_init", 1, SQLITE_UTF8|SQLITE_DIRECTONLY,
                                    0, init_func, 0, 0, 0);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function_v2(db, "pms_version", 0, SQLITE_UTF8|SQLITE_INNOCUOUS,
                                    0, version_func, 0, 0, 0);
  }
  return rc;
}
