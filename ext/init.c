/*
** init.c — pms_init([schema]) and pms_version().
**
** pms_init makes a database a PMS cache: the pms_integrations table, one
** model table per unified model (each with its <model>_cache shadow table)
** and pmsql's own plain tables: pms_sync_state (watermarks), pms_sync_runs
** (history) and pms_changes (the change feed); and pms_writes, the write
** journal's table (its rows live in a file of their own, journal.c), and
** pms_sync_leases (which sync runs are under way, sync_lock.c). Every
** statement is CREATE … IF NOT EXISTS, so calling it again changes nothing.
**
** A database in a file is put in WAL mode, so readers never wait for a
** sync and a sync waits only for the application's own short writes;
** pms_init(schema, 'keep') keeps the database's journal mode. :memory: and
** temporary databases have no file to share and are left alone. The
** result says which mode the database is in.
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
  "CREATE INDEX IF NOT EXISTS \"%w\".pms_changes_by_integration ON pms_changes(integration_id, created_at);"
  "CREATE TABLE IF NOT EXISTS \"%w\".pms_sync_leases("
  "  integration_id TEXT NOT NULL,"
  "  model TEXT NOT NULL,"
  "  holder TEXT NOT NULL,"       /* "pid:start:nonce" of the running sync */
  "  pid INTEGER NOT NULL,"
  "  started_at TEXT NOT NULL,"
  "  PRIMARY KEY(integration_id, model));";

/* "PRAGMA <db>.journal_mode", read or set to WAL: the mode after it
** (sqlite3_mprintf'd), or NULL with *pRc. */
static char *init_pragma_mode(sqlite3 *db, const char *zDb, int bRead, int *pRc){
  char *zSql = sqlite3_mprintf("PRAGMA \"%w\".journal_mode%s", zDb, bRead ? "" : "=WAL");
  sqlite3_stmt *pStmt = 0;
  char *zMode = 0;
  int rc = zSql ? sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0) : SQLITE_NOMEM;
  sqlite3_free(zSql);
  if( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    zMode = sqlite3_mprintf("%s", (const char*)sqlite3_column_text(pStmt, 0));
  }
  rc = sqlite3_finalize(pStmt);
  *pRc = zMode ? SQLITE_OK : rc ? rc : SQLITE_NOMEM;
  return zMode;
}

/* Put a file database in WAL mode (unless bKeep) and say which mode it is
** in: "" for a database without a file, else "; journal_mode <mode> …"
** (sqlite3_mprintf'd). Not inside a transaction (SQLite cannot change into
** WAL there), and a database other connections hold open keeps its mode
** (the result says so: run pms_init() again when they are closed). */
static char *init_journal_mode(sqlite3 *db, const char *zDb, int bKeep, char **pzErr){
  const char *zFile = sqlite3_db_filename(db, zDb);
  const char *zWhy = bKeep ? "as asked" : !sqlite3_get_autocommit(db) ? "inside a transaction" : 0;
  char *zMode = 0, *zOut;
  int rc = SQLITE_OK;
  if( zFile==0 || zFile[0]==0 ) return sqlite3_mprintf("");
  if( zWhy==0 ){
    zMode = init_pragma_mode(db, zDb, 0, &rc);
    if( (rc & 0xff)==SQLITE_BUSY || (rc & 0xff)==SQLITE_LOCKED ){
      zWhy = "the database is busy; run pms_init() again when other connections are closed";
    }else if( zMode && sqlite3_stricmp(zMode, "wal")!=0 ){
      zWhy = "SQLite cannot use WAL for this file";
    }
  }
  if( zMode==0 ) zMode = init_pragma_mode(db, zDb, 1, &rc);
  if( zMode==0 ){
    *pzErr = pms_mprintf("cannot read the journal mode: %s", sqlite3_errmsg(db));
    return 0;
  }
  if( sqlite3_stricmp(zMode, "wal")==0 ){
    zOut = sqlite3_mprintf("; journal_mode wal (readers never wait for a sync)");
  }else{
    zOut = sqlite3_mprintf("; journal_mode %s kept (%s: readers wait for each sync's writes)",
                           zMode, zWhy);
  }
  sqlite3_free(zMode);
  return zOut;
}

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

/* Does schema zDb hold every table this build's pms_init makes? A database
** set up by an older pmsql lacks the tables added since (pms_sync_leases, a
** newer model's table): a sync would fail on the first one with SQLite's
** bare "no such table", so it is refused up front, naming the table and the
** cure. NULL when current, else the message (sqlite3_mprintf'd). */
char *pms_init_outdated(sqlite3 *db, const char *zDb){
  static const char *const azOwn[] = {
    "pms_sync_state", "pms_sync_runs", "pms_changes", "pms_sync_leases", "pms_writes"
  };
  const char *zMissing = 0;
  int i;
  for(i=0; zMissing==0 && i<(int)(sizeof(azOwn)/sizeof(azOwn[0])); i++){
    if( sqlite3_table_column_metadata(db, zDb, azOwn[i], 0, 0, 0, 0, 0, 0)!=SQLITE_OK ) zMissing = azOwn[i];
  }
  for(i=0; zMissing==0 && i<pms_model_count(); i++){
    const char *zModel = pms_model_at(i)->zName;
    if( sqlite3_table_column_metadata(db, zDb, zModel, 0, 0, 0, 0, 0, 0)!=SQLITE_OK ) zMissing = zModel;
  }
  if( zMissing==0 ) return 0;
  return strcmp(zDb, "main")==0
    ? sqlite3_mprintf("database 'main' was set up by an older pmsql and has no table %s; "
                      "run SELECT pms_init() once to add the tables this version uses "
                      "(it keeps every row)", zMissing)
    : sqlite3_mprintf("database '%s' was set up by an older pmsql and has no table %s; "
                      "run SELECT pms_init('%s') once to add the tables this version uses "
                      "(it keeps every row)", zDb, zMissing, zDb);
}

static void init_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  const char *zDb = argc>0 ? (const char*)sqlite3_value_text(argv[0]) : "main";
  const char *zJournal = argc>1 ? (const char*)sqlite3_value_text(argv[1]) : "wal";
  char *zErr = 0, *zMode = 0;
  int rc, i;
  if( zDb==0 ) zDb = "main";
  if( zJournal==0 || (strcmp(zJournal, "wal")!=0 && strcmp(zJournal, "keep")!=0) ){
    char *z = sqlite3_mprintf("pms_init: the journal argument must be 'wal' (the default) or 'keep' "
                              "(got '%s')", zJournal ? zJournal : "NULL");
    sqlite3_result_error(ctx, z, -1);
    sqlite3_free(z);
    return;
  }
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
  zMode = init_journal_mode(db, zDb, strcmp(zJournal, "keep")==0, &zErr);
  rc = zMode ? pms_exec(db, &zErr, "SAVEPOINT pms_init") : SQLITE_ERROR;
  if( rc==SQLITE_OK ){
    rc = pms_exec(db, &zErr,
        "CREATE VIRTUAL TABLE IF NOT EXISTS \"%w\".pms_integrations USING pmsql_integrations", zDb);
  }
  if( rc==SQLITE_OK ) rc = pms_exec(db, &zErr, zInitOwnTables, zDb, zDb, zDb, zDb, zDb, zDb, zDb);
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
  }else if( zMode ){
    pms_exec(db, 0, "ROLLBACK TO pms_init");
    pms_exec(db, 0, "RELEASE pms_init");
  }
  if( rc ){
    char *z = sqlite3_mprintf("pms_init: %s", zErr ? zErr : sqlite3_errmsg(db));
    sqlite3_result_error(ctx, z, -1);
    sqlite3_free(z);
  }else{
    char *z = sqlite3_mprintf("pmsql %s: %s ready (%d models, %d vendors)%s",
                              PMSQL_VERSION, zDb, pms_model_count(), pms_adapter_count(), zMode);
    sqlite3_result_text(ctx, z, -1, sqlite3_free);
  }
  free(zErr);
  sqlite3_free(zMode);
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
    rc = sqlite3_create_function_v2(db, "pms_init", 2, SQLITE_UTF8|SQLITE_DIRECTONLY,
                                    0, init_func, 0, 0, 0);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function_v2(db, "pms_version", 0, SQLITE_UTF8|SQLITE_INNOCUOUS,
                                    0, version_func, 0, 0, 0);
  }
  return rc;
}
