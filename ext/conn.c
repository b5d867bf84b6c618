/*
** conn.c — per-connection state: the pmsql pragmas, pms_config(), and the
** authorizer that guards writes.
**
** Pragmas. SQLite hands a PRAGMA it does not know to two places: the
** authorizer (as SQLITE_PRAGMA, with the name and value, at prepare time) and
** the main file's SQLITE_FCNTL_PRAGMA file control, which alone can return a
** result row. pmsql uses both: its authorizer applies the setting on this
** connection (that works everywhere, :memory: included) and notes which
** connection asked; a thin wrapper around the database file's I/O methods
** answers SQLITE_FCNTL_PRAGMA with the value, so `PRAGMA pms_dry_run;`
** returns it. The wrapper is installed on files the connection already had
** open when the extension was loaded (so it works in the sqlite3 shell right
** after .load) and, through a pass-through default VFS, on files opened
** later. An in-memory database has no file: there the set form works and
** the query form returns no row; pms_config(name) answers everywhere.
**
** Guard. The same authorizer refuses INSERT/UPDATE/DELETE on a model table
** when the statement comes from a trigger, so an untrusted database cannot
** make pmsql send a request. A host that installs its own authorizer replaces
** pmsql's, and SQLite offers no way to read the installed one back; so before
** a write is staged, pms_conn_guard() prepares a probe statement and checks
** that pmsql's authorizer saw it. When it did not, the write is refused (fail
** closed: pmsql can no longer tell a trigger's write from the user's) and
** the pragmas fall back to pms_config().
**
** The pragma's connection is handed from the authorizer to the file control
** in a thread-local; it is set only when the authorizer lets the pragma
** through, cleared when read, and accepted only by a file of that same
** connection while the connection is alive (conn_live), so a pragma run
** under another authorizer can never reach a stale or foreign connection.
*/
#include "pmsql.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Kinds: 'b' ON/OFF, 'd' ON/OFF/DEFAULT, 'n' a whole number from rMin to
** rMax or DEFAULT (its query form shows the value in effect). */
static const struct { const char *zName; int eFlag; char eKind; double rMin, rMax; } aConnPragma[] = {
  { "pms_ignore_unknown_fields", PMS_FLAG_IGNORE_UNKNOWN, 'b', 0, 0 },
  { "pms_dry_run",               PMS_FLAG_DRY_RUN,        'b', 0, 0 },
  { "pms_refresh_after_write",   PMS_FLAG_REFRESH,        'd', 0, 0 },
  { "pms_sync_progress",         PMS_FLAG_SYNC_PROGRESS,  'd', 0, 0 },
  { "pms_sync_parallel",         PMS_FLAG_SYNC_PARALLEL,  'n', 1, 256 },
  { "pms_sync_spool_bytes",      PMS_FLAG_SYNC_SPOOL,     'n', 65536, 1099511627776.0 },
};
#define CONN_NPRAGMA ((int)(sizeof(aConnPragma)/sizeof(aConnPragma[0])))

/* The connection whose authorizer let a pmsql pragma through last on this
** thread; the file control that follows in the same prepare reads it. */
static _Thread_local pms_conn *tlsPragmaConn = 0;

/* Every live pms_conn, so a pointer can be checked before it is used. */
static pms_conn **apConnLive = 0;
static int nConnLive = 0, nConnLiveAlloc = 0;
static pthread_mutex_t connLiveMutex = PTHREAD_MUTEX_INITIALIZER;

pms_conn *pms_conn_new(sqlite3 *db){
  pms_conn *p = calloc(1, sizeof(*p));
  if( p==0 ) return 0;
  p->db = db;
  p->aFlag[PMS_FLAG_REFRESH] = -1;     /* the integration's option decides */
  p->aFlag[PMS_FLAG_SYNC_PROGRESS] = -1;
  p->aFlag[PMS_FLAG_SYNC_PARALLEL] = -1;
  p->aFlag[PMS_FLAG_SYNC_SPOOL] = -1;
  pthread_mutex_lock(&connLiveMutex);
  if( nConnLive>=nConnLiveAlloc ){
    int n = nConnLiveAlloc ? nConnLiveAlloc*2 : 16;
    pms_conn **a = realloc(apConnLive, sizeof(*a)*n);
    if( a ){ apConnLive = a; nConnLiveAlloc = n; }
  }
  if( nConnLive<nConnLiveAlloc ) apConnLive[nConnLive++] = p;
  else{ free(p); p = 0; }
  pthread_mutex_unlock(&connLiveMutex);
  return p;
}

void pms_conn_ref(pms_conn *p){ p->nRef++; }

void pms_conn_unref(void *pArg){
  pms_conn *p = (pms_conn*)pArg;
  if( p && --p->nRef<=0 ){
    int i;
    if( tlsPragmaConn==p ) tlsPragmaConn = 0;
    pthread_mutex_lock(&connLiveMutex);
    for(i=0; i<nConnLive && apConnLive[i]!=p; i++){}
    if( i<nConnLive ) apConnLive[i] = apConnLive[--nConnLive];
    pthread_mutex_unlock(&connLiveMutex);
    pms_write_conn_cleanup(p);
    free(p);
  }
}

/* Is p a live connection that has f open as one of its database files? */
static int conn_owns_file(pms_conn *p, sqlite3_file *f){
  int i, bLive = 0;
  const char *zName;
  pthread_mutex_lock(&connLiveMutex);
  for(i=0; i<nConnLive; i++) if( apConnLive[i]==p ) bLive = 1;
  pthread_mutex_unlock(&connLiveMutex);
  if( !bLive ) return 0;
  for(i=0; (zName = sqlite3_db_name(p->db, i))!=0; i++){
    sqlite3_file *g = 0;
    if( sqlite3_file_control(p->db, zName, SQLITE_FCNTL_FILE_POINTER, &g)==SQLITE_OK && g==f ) return 1;
  }
  return 0;
}

int pms_conn_flag(const pms_conn *p, int eFlag){
  return p ? (int)p->aFlag[eFlag] : 0;
}

static int conn_pragma_index(const char *zName){
  int i;
  for(i=0; zName && i<CONN_NPRAGMA; i++){
    if( sqlite3_stricmp(zName, aConnPragma[i].zName)==0 ) return i;
  }
  return -1;
}

/* Pragma i's value: ON, TRUE, YES, 1 / OFF, FALSE, NO, 0; DEFAULT where
** the pragma has one; a number in range for a number. Returns 0/1, the
** number, or -1 for DEFAULT; -2 when the value is not understood. */
static sqlite3_int64 conn_parse_value(int i, const char *z){
  static const char *const azOn[] = { "on", "true", "yes", "1", 0 };
  static const char *const azOff[] = { "off", "false", "no", "0", 0 };
  int k;
  if( z==0 ) return -2;
  if( aConnPragma[i].eKind!='b' && sqlite3_stricmp(z, "default")==0 ) return -1;
  if( aConnPragma[i].eKind=='n' ){
    char *zEnd = 0;
    long long v = strtoll(z, &zEnd, 10);
    if( zEnd==z || *zEnd || v<aConnPragma[i].rMin || v>aConnPragma[i].rMax ) return -2;
    return v;
  }
  for(k=0; azOn[k]; k++) if( sqlite3_stricmp(z, azOn[k])==0 ) return 1;
  for(k=0; azOff[k]; k++) if( sqlite3_stricmp(z, azOff[k])==0 ) return 0;
  return -2;
}

/* What the query form shows: a number pragma its value in effect (the
** sync decides its defaults), the others 0/1 or "default". */
static sqlite3_int64 conn_value(const pms_conn *p, int i){
  switch( aConnPragma[i].eFlag ){
    case PMS_FLAG_SYNC_PARALLEL: return pms_sync_parallel(p);
    case PMS_FLAG_SYNC_SPOOL:    return pms_sync_spool_max(p);
  }
  return p->aFlag[aConnPragma[i].eFlag];
}

static char *conn_value_text(const pms_conn *p, int i){
  sqlite3_int64 v = conn_value(p, i);
  return v<0 ? sqlite3_mprintf("default") : sqlite3_mprintf("%lld", (long long)v);
}

static char *conn_bad_value(int i, const char *zValue){
  if( aConnPragma[i].eKind=='n' ){
    return sqlite3_mprintf("pmsql: PRAGMA %s takes a whole number from %.0f to %.0f or DEFAULT "
                           "(got '%s')", aConnPragma[i].zName, aConnPragma[i].rMin,
                           aConnPragma[i].rMax, zValue);
  }
  return sqlite3_mprintf("pmsql: PRAGMA %s takes ON or OFF%s (got '%s')", aConnPragma[i].zName,
                         aConnPragma[i].eKind=='d' ? " or DEFAULT" : "", zValue);
}

/* --------------------------------------------------- authorizer (guard) */

static int conn_authorizer(void *pArg, int eAction, const char *z1, const char *z2,
                           const char *zDb, const char *zTrigger){
  pms_conn *p = (pms_conn*)pArg;
  (void)zDb;
  if( p->bGuardProbe ) p->bGuardSeen = 1;     /* pms_conn_guard's probe */
  if( eAction==SQLITE_PRAGMA ){
    int i = conn_pragma_index(z1);
    tlsPragmaConn = 0;
    if( i>=0 ){
      if( z2 ){
        sqlite3_int64 v = conn_parse_value(i, z2);
        if( v==-2 ){
          /* the file control reports the error where there is a file;
          ** elsewhere the only way to fail is to deny */
          if( !pms_conn_has_pragma_file(p->db) ) return SQLITE_DENY;
          tlsPragmaConn = p;
          return SQLITE_OK;
        }
        p->aFlag[aConnPragma[i].eFlag] = v;
      }
      tlsPragmaConn = p;
    }
    return SQLITE_OK;
  }
  if( (eAction==SQLITE_INSERT || eAction==SQLITE_UPDATE || eAction==SQLITE_DELETE)
   && zTrigger && z1 && pms_model_find(z1) && strcmp(pms_model_find(z1)->zName, z1)==0 ){
    return SQLITE_DENY;   /* "not authorized": no PMS request from a trigger */
  }
  return SQLITE_OK;
}

/* Is pmsql's authorizer the one installed on the connection now? A probe
** statement is prepared (never run); only pmsql's authorizer marks it. */
int pms_conn_guard(pms_conn *p, char **pzErr){
  sqlite3_stmt *pStmt = 0;
  int bSeen;
  p->bGuardProbe = 1;
  p->bGuardSeen = 0;
  sqlite3_prepare_v2(p->db, "SELECT 1", -1, &pStmt, 0);
  sqlite3_finalize(pStmt);
  bSeen = p->bGuardSeen;
  p->bGuardProbe = p->bGuardSeen = 0;
  if( bSeen ) return SQLITE_OK;
  *pzErr = pms_strdup("pmsql: writes to the model tables are refused on this connection: "
                      "another authorizer replaced pmsql's, so pmsql cannot tell your writes "
                      "from a trigger's (use a connection without a host authorizer for pmsql "
                      "writes; see README, Security model)");
  return SQLITE_AUTH;
}

/* ------------------------------------------------------ pms_config() */

static void conn_config_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  pms_conn *p = (pms_conn*)sqlite3_user_data(ctx);
  const char *zName = (const char*)sqlite3_value_text(argv[0]);
  int i = conn_pragma_index(zName);
  char *z;
  if( i<0 ){
    sqlite3_str *pKnown = sqlite3_str_new(0);
    int k;
    for(k=0; k<CONN_NPRAGMA; k++) sqlite3_str_appendf(pKnown, "%s%s", k ? ", " : "", aConnPragma[k].zName);
    z = sqlite3_str_finish(pKnown);
    z = sqlite3_mprintf("pms_config: unknown setting '%s' (known: %z)", zName ? zName : "", z);
    sqlite3_result_error(ctx, z, -1);
    sqlite3_free(z);
    return;
  }
  if( argc>1 ){
    const char *zVal = (const char*)sqlite3_value_text(argv[1]);
    sqlite3_int64 v = conn_parse_value(i, zVal);
    if( v==-2 ){
      z = conn_bad_value(i, zVal ? zVal : "NULL");
      sqlite3_result_error(ctx, z, -1);
      sqlite3_free(z);
      return;
    }
    p->aFlag[aConnPragma[i].eFlag] = v;
  }
  if( conn_value(p, i)<0 ) sqlite3_result_text(ctx, "default", -1, SQLITE_STATIC);
  else sqlite3_result_int64(ctx, conn_value(p, i));
}

/* --------------------------------------- file wrapper for the pragma rows */

/* One wrapper method table per distinct original table: the original is
** found from the file's own pMethods, so no per-file state is needed. */
typedef struct conn_methods {
  sqlite3_io_methods base;
  const sqlite3_io_methods *pOrig;
  struct conn_methods *pNext;
} conn_methods;

static conn_methods *pConnMethods = 0;
static pthread_mutex_t connMutex = PTHREAD_MUTEX_INITIALIZER;

#define ORIG(f) (((const conn_methods*)(f)->pMethods)->pOrig)

static int cm_close(sqlite3_file *f){ return ORIG(f)->xClose(f); }
static int cm_read(sqlite3_file *f, void *p, int n, sqlite3_int64 o){ return ORIG(f)->xRead(f, p, n, o); }
static int cm_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 o){ return ORIG(f)->xWrite(f, p, n, o); }
static int cm_truncate(sqlite3_file *f, sqlite3_int64 n){ return ORIG(f)->xTruncate(f, n); }
static int cm_sync(sqlite3_file *f, int fl){ return ORIG(f)->xSync(f, fl); }
static int cm_size(sqlite3_file *f, sqlite3_int64 *p){ return ORIG(f)->xFileSize(f, p); }
static int cm_lock(sqlite3_file *f, int e){ return ORIG(f)->xLock(f, e); }
static int cm_unlock(sqlite3_file *f, int e){ return ORIG(f)->xUnlock(f, e); }
static int cm_check(sqlite3_file *f, int *p){ return ORIG(f)->xCheckReservedLock(f, p); }
static int cm_sector(sqlite3_file *f){ return ORIG(f)->xSectorSize(f); }
static int cm_devchar(sqlite3_file *f){ return ORIG(f)->xDeviceCharacteristics(f); }
static int cm_shm_map(sqlite3_file *f, int i, int sz, int b, void volatile **pp){ return ORIG(f)->xShmMap(f, i, sz, b, pp); }
static int cm_shm_lock(sqlite3_file *f, int o, int n, int fl){ return ORIG(f)->xShmLock(f, o, n, fl); }
static void cm_shm_barrier(sqlite3_file *f){ ORIG(f)->xShmBarrier(f); }
static int cm_shm_unmap(sqlite3_file *f, int d){ return ORIG(f)->xShmUnmap(f, d); }
static int cm_fetch(sqlite3_file *f, sqlite3_int64 o, int n, void **pp){ return ORIG(f)->xFetch(f, o, n, pp); }
static int cm_unfetch(sqlite3_file *f, sqlite3_int64 o, void *p){ return ORIG(f)->xUnfetch(f, o, p); }

static int cm_file_control(sqlite3_file *f, int op, void *pArg){
  if( op==SQLITE_FCNTL_PRAGMA ){
    char **az = (char**)pArg;
    int i = conn_pragma_index(az[1]);
    if( i>=0 ){
      pms_conn *p = tlsPragmaConn;
      tlsPragmaConn = 0;
      if( p && !conn_owns_file(p, f) ) p = 0;   /* another connection's pragma */
      if( p==0 ){
        az[0] = sqlite3_mprintf("pmsql: PRAGMA %s needs pmsql's authorizer, which this host "
                                "replaced; use SELECT pms_config('%s'%s)", aConnPragma[i].zName,
                                aConnPragma[i].zName, az[2] ? ", value" : "");
        return SQLITE_ERROR;
      }
      if( az[2] ){
        sqlite3_int64 v = conn_parse_value(i, az[2]);
        if( v==-2 ){ az[0] = conn_bad_value(i, az[2]); return SQLITE_ERROR; }
        p->aFlag[aConnPragma[i].eFlag] = v;
      }
      az[0] = conn_value_text(p, i);
      return SQLITE_OK;
    }
  }
  return ORIG(f)->xFileControl(f, op, pArg);
}

static const conn_methods *conn_methods_for(const sqlite3_io_methods *pOrig){
  conn_methods *p;
  pthread_mutex_lock(&connMutex);
  for(p=pConnMethods; p && p->pOrig!=pOrig; p=p->pNext){}
  if( p==0 && (p = calloc(1, sizeof(*p)))!=0 ){
    sqlite3_io_methods *m = &p->base;
    p->pOrig = pOrig;
    m->iVersion = pOrig->iVersion;
    m->xClose = cm_close; m->xRead = cm_read; m->xWrite = cm_write;
    m->xTruncate = cm_truncate; m->xSync = cm_sync; m->xFileSize = cm_size;
    m->xLock = cm_lock; m->xUnlock = cm_unlock; m->xCheckReservedLock = cm_check;
    m->xFileControl = cm_file_control; m->xSectorSize = cm_sector;
    m->xDeviceCharacteristics = cm_devchar;
    if( pOrig->iVersion>=2 ){
      m->xShmMap = pOrig->xShmMap ? cm_shm_map : 0;
      m->xShmLock = pOrig->xShmLock ? cm_shm_lock : 0;
      m->xShmBarrier = pOrig->xShmBarrier ? cm_shm_barrier : 0;
      m->xShmUnmap = pOrig->xShmUnmap ? cm_shm_unmap : 0;
    }
    if( pOrig->iVersion>=3 ){
      m->xFetch = pOrig->xFetch ? cm_fetch : 0;
      m->xUnfetch = pOrig->xUnfetch ? cm_unfetch : 0;
    }
    p->pNext = pConnMethods;
    pConnMethods = p;
  }
  pthread_mutex_unlock(&connMutex);
  return p;
}

static int conn_is_wrapped(const sqlite3_io_methods *pM){
  const conn_methods *p;
  int bFound = 0;
  pthread_mutex_lock(&connMutex);
  for(p=pConnMethods; p; p=p->pNext) if( &p->base==pM ) bFound = 1;
  pthread_mutex_unlock(&connMutex);
  return bFound;
}

static void conn_wrap_file(sqlite3_file *f){
  const conn_methods *p;
  if( f==0 || f->pMethods==0 || conn_is_wrapped(f->pMethods) ) return;
  p = conn_methods_for(f->pMethods);
  if( p ) f->pMethods = &p->base;
}

int pms_conn_has_pragma_file(sqlite3 *db){
  sqlite3_file *f = 0;
  if( sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &f)!=SQLITE_OK ) return 0;
  return f && f->pMethods && conn_is_wrapped(f->pMethods);
}

/* -------------------------------------------- pass-through default VFS */

static sqlite3_vfs connVfs;
static sqlite3_vfs *pConnRealVfs = 0;
#define REAL_VFS (pConnRealVfs)

static int cv_open(sqlite3_vfs *v, const char *z, sqlite3_file *f, int fl, int *pOut){
  int rc = REAL_VFS->xOpen(REAL_VFS, z, f, fl, pOut);
  (void)v;
  if( rc==SQLITE_OK && (fl & SQLITE_OPEN_MAIN_DB) ) conn_wrap_file(f);
  return rc;
}
static int cv_delete(sqlite3_vfs *v, const char *z, int s){ (void)v; return REAL_VFS->xDelete(REAL_VFS, z, s); }
static int cv_access(sqlite3_vfs *v, const char *z, int fl, int *p){ (void)v; return REAL_VFS->xAccess(REAL_VFS, z, fl, p); }
static int cv_full(sqlite3_vfs *v, const char *z, int n, char *o){ (void)v; return REAL_VFS->xFullPathname(REAL_VFS, z, n, o); }
static void *cv_dlopen(sqlite3_vfs *v, const char *z){ (void)v; return REAL_VFS->xDlOpen(REAL_VFS, z); }
static void cv_dlerror(sqlite3_vfs *v, int n, char *z){ (void)v; REAL_VFS->xDlError(REAL_VFS, n, z); }
static void (*cv_dlsym(sqlite3_vfs *v, void *p, const char *z))(void){ (void)v; return REAL_VFS->xDlSym(REAL_VFS, p, z); }
static void cv_dlclose(sqlite3_vfs *v, void *p){ (void)v; REAL_VFS->xDlClose(REAL_VFS, p); }
static int cv_random(sqlite3_vfs *v, int n, char *z){ (void)v; return REAL_VFS->xRandomness(REAL_VFS, n, z); }
static int cv_sleep(sqlite3_vfs *v, int n){ (void)v; return REAL_VFS->xSleep(REAL_VFS, n); }
static int cv_time(sqlite3_vfs *v, double *p){ (void)v; return REAL_VFS->xCurrentTime(REAL_VFS, p); }
static int cv_lasterr(sqlite3_vfs *v, int n, char *z){ (void)v; return REAL_VFS->xGetLastError ? REAL_VFS->xGetLastError(REAL_VFS, n, z) : 0; }
static int cv_time64(sqlite3_vfs *v, sqlite3_int64 *p){ (void)v; return REAL_VFS->xCurrentTimeInt64(REAL_VFS, p); }
static int cv_setsys(sqlite3_vfs *v, const char *z, sqlite3_syscall_ptr p){ (void)v; return REAL_VFS->xSetSystemCall(REAL_VFS, z, p); }
static sqlite3_syscall_ptr cv_getsys(sqlite3_vfs *v, const char *z){ (void)v; return REAL_VFS->xGetSystemCall(REAL_VFS, z); }
static const char *cv_nextsys(sqlite3_vfs *v, const char *z){ (void)v; return REAL_VFS->xNextSystemCall(REAL_VFS, z); }

static void conn_vfs_once(void){
  sqlite3_vfs *pReal = sqlite3_vfs_find(0);
  if( pReal==0 || strcmp(pReal->zName, "pmsql")==0 || pReal->iVersion<3 ) return;
  pConnRealVfs = pReal;
  memset(&connVfs, 0, sizeof(connVfs));
  connVfs.iVersion = 3;
  connVfs.szOsFile = pReal->szOsFile;
  connVfs.mxPathname = pReal->mxPathname;
  connVfs.zName = "pmsql";
  connVfs.xOpen = cv_open; connVfs.xDelete = cv_delete; connVfs.xAccess = cv_access;
  connVfs.xFullPathname = cv_full; connVfs.xDlOpen = cv_dlopen; connVfs.xDlError = cv_dlerror;
  connVfs.xDlSym = cv_dlsym; connVfs.xDlClose = cv_dlclose; connVfs.xRandomness = cv_random;
  connVfs.xSleep = cv_sleep; connVfs.xCurrentTime = cv_time; connVfs.xGetLastError = cv_lasterr;
  connVfs.xCurrentTimeInt64 = cv_time64; connVfs.xSetSystemCall = cv_setsys;
  connVfs.xGetSystemCall = cv_getsys; connVfs.xNextSystemCall = cv_nextsys;
  sqlite3_vfs_register(&connVfs, 1);
}

static pthread_once_t connVfsOnce = PTHREAD_ONCE_INIT;

/* Install the pragmas, pms_config() and the guard on a connection. */
int pms_conn_register(sqlite3 *db, pms_conn *p){
  const char *zName;
  int i, rc;
  pthread_once(&connVfsOnce, conn_vfs_once);
  /* files this connection opened before the load */
  for(i=0; (zName = sqlite3_db_name(db, i))!=0; i++){
    sqlite3_file *f = 0;
    if( sqlite3_file_control(db, zName, SQLITE_FCNTL_FILE_POINTER, &f)==SQLITE_OK ) conn_wrap_file(f);
  }
  sqlite3_set_authorizer(db, conn_authorizer, p);
  pms_conn_ref(p);
  rc = sqlite3_create_function_v2(db, "pms_config", 1, SQLITE_UTF8|SQLITE_DIRECTONLY,
                                  p, conn_config_func, 0, 0, pms_conn_unref);
  if( rc==SQLITE_OK ){
    pms_conn_ref(p);
    rc = sqlite3_create_function_v2(db, "pms_config", 2, SQLITE_UTF8|SQLITE_DIRECTONLY,
                                    p, conn_config_func, 0, 0, pms_conn_unref);
  }
  return rc;
}
