/*
** pmsql.c — the extension's entry point.
**
** sqlite3_pmsql_init() is what `.load ./pmsql` and load_extension() call.
** It loads the compiled-in schema and capability files once per process and
** registers, on the connection: the "pmsql" module (model tables), the
** "pmsql_integrations" and "pmsql_writes" modules, the eponymous
** pms_capabilities table, the functions pms_init, pms_sync, pms_refresh,
** pms_validate, pms_config and pms_version, and the connection's authorizer
** (pragmas, trigger guard; conn.c). The per-connection state (pms_conn) is
** shared by all of them. The list of vendors comes from the adapters
** compiled in, each bound to its manifest (adapter.c), so the engine never
** names a vendor.
*/
#include "pmsql.h"
SQLITE_EXTENSION_INIT1
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_pmsql_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi){
  char *zErr = 0;
  pms_conn *pConn;
  int rc;
  SQLITE_EXTENSION_INIT2(pApi);
  if( sqlite3_libversion_number()<3038000 ){
    *pzErrMsg = sqlite3_mprintf("pmsql needs SQLite 3.38.0 or later (this is %s)", sqlite3_libversion());
    return SQLITE_ERROR;
  }
  if( pms_schema_load(&zErr) || pms_capability_init(&zErr) || pms_adapter_init(&zErr) ){
    *pzErrMsg = sqlite3_mprintf("%s", zErr);
    free(zErr);
    return SQLITE_ERROR;
  }
  pConn = pms_conn_new(db);
  if( pConn==0 ) return SQLITE_NOMEM;
  pms_conn_ref(pConn);                       /* held until registration ends */
  rc = pms_vtab_register(db, pConn);
  if( rc==SQLITE_OK ) rc = pms_journal_register(db, pConn);
  if( rc==SQLITE_OK ) rc = pms_conn_register(db, pConn);
  if( rc==SQLITE_OK ) rc = pms_validate_register(db, pConn);
  if( rc==SQLITE_OK ) rc = pms_write_functions_register(db, pConn);
  if( rc==SQLITE_OK ) rc = pms_integrations_register(db);
  if( rc==SQLITE_OK ) rc = pms_capabilities_register(db);
  if( rc==SQLITE_OK ) rc = pms_init_register(db);
  if( rc==SQLITE_OK ) rc = pms_sync_register(db, pConn);
  pms_conn_unref(pConn);
  /* the default VFS wrapper lives in this library: never unload it */
  return rc==SQLITE_OK ? SQLITE_OK_LOAD_PERMANENTLY : rc;
}
