/*
** journal.c — pms_writes, the write journal that never forgets.
**
** Every write attempt is recorded in a database of its own beside the main
** file ("<db>.pms_writes", WAL mode), on a private connection that commits
** each change at once. So the user's ROLLBACK, a failed COMMIT or a process
** killed mid-send cannot erase what was sent to a PMS: the row is written as
** 'sent' before the request leaves and updated when the answer comes. A row
** still 'sent' whose process is gone is marked 'unknown' the next time the
** journal is opened; pmsql never re-sends it blindly. For a database with no
** file (:memory:, temp) the journal is in memory and lives as long as the
** connection.
**
** The pms_writes virtual table (created by pms_init) reads the journal.
** Reading never writes: no journal file is created by a SELECT, and a row
** whose process is gone shows as 'unknown' without being rewritten (the
** table is innocuous, so a view in someone else's database may read it).
**
** The journal holds personal data (payloads), so it is created with the
** main database file's permissions (O_CREAT|O_EXCL|O_NOFOLLOW), and every
** connection to it is DEFENSIVE with trusted_schema=OFF: the file sits
** beside a database that may have come from someone else.
*/
#include "pmsql.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char zJournalDdl[] =
  "CREATE TABLE IF NOT EXISTS pms_writes("
  "  id INTEGER PRIMARY KEY,"
  "  created_at TEXT NOT NULL,"
  "  updated_at TEXT NOT NULL,"
  "  integration_id TEXT NOT NULL,"
  "  vendor TEXT NOT NULL,"
  "  model TEXT NOT NULL,"
  "  operation TEXT NOT NULL,"
  "  record_id TEXT,"
  "  x_id TEXT,"
  "  method TEXT,"
  "  url TEXT,"
  "  payload TEXT,"
  "  stripped TEXT,"
  "  status TEXT NOT NULL,"
  "  http_status INTEGER,"
  "  pms_message TEXT,"
  "  created_id TEXT,"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  owner TEXT);"
  "CREATE INDEX IF NOT EXISTS pms_writes_open ON pms_writes(status) WHERE status='sent';";

/* A process's start time (clock ticks since boot, /proc/<pid>/stat field
** 22) and state; 0 when unknown. Together with the pid it names a process
** even after the pid is reused. */
static unsigned long long journal_proc_start(long pid, char *pState){
  char zPath[64], zBuf[1024];
  FILE *f;
  size_t n;
  const char *z;
  int i;
  unsigned long long t = 0;
  *pState = 0;
  snprintf(zPath, sizeof(zPath), "/proc/%ld/stat", pid);
  f = fopen(zPath, "r");
  if( f==0 ) return 0;
  n = fread(zBuf, 1, sizeof(zBuf)-1, f);
  fclose(f);
  zBuf[n] = 0;
  z = strrchr(zBuf, ')');            /* the command name may hold spaces */
  if( z==0 ) return 0;
  z += 2;
  *pState = *z;
  for(i=3; i<22 && z; i++){ z = strchr(z, ' '); if( z ) z++; }
  if( z ) t = strtoull(z, 0, 10);
  return t;
}

/* Is the process that wrote owner "pid:start:nonce" still running? (Also
** the sync leases' test, sync_lock.c.) */
int pms_owner_alive(const char *zOwner){
  long pid = zOwner ? atol(zOwner) : 0;
  const char *zStart = zOwner ? strchr(zOwner, ':') : 0;
  char cState;
  unsigned long long t;
  if( pid<=0 ) return 0;
  if( kill((pid_t)pid, 0)!=0 && errno==ESRCH ) return 0;
  t = journal_proc_start(pid, &cState);
  if( t==0 ) return 1;                         /* no /proc: trust kill() */
  if( cState=='Z' || cState=='X' ) return 0;   /* killed, not yet reaped */
  return zStart && strtoull(zStart+1, 0, 10)==t;
}

/* What an orphaned row ('sent' by a process that is gone) says. */
static const char zJournalOrphanMsg[] =
  "pmsql stopped before the PMS answered; check the PMS before retrying";
/* A fresh owner "pid:start:nonce" naming this process and one holder in it. */
void pms_owner_new(char *zBuf, size_t n){
  sqlite3_uint64 nonce;
  char cState;
  sqlite3_randomness(sizeof(nonce), &nonce);
  snprintf(zBuf, n, "%ld:%llu:%016llx", (long)getpid(),
           journal_proc_start((long)getpid(), &cState), (unsigned long long)nonce);
}

/* Rows left 'sent' by a process that no longer exists: outcome unknown. */
static void journal_mark_orphans(pms_conn *p){
  sqlite3_stmt *pSel = 0, *pUpd = 0;
  char zNow[32];
  pms_now_iso(zNow);
  if( sqlite3_prepare_v2(p->pJournal, "SELECT id, owner FROM pms_writes WHERE status='sent'", -1, &pSel, 0) ) return;
  if( sqlite3_prepare_v2(p->pJournal,
        "UPDATE pms_writes SET status='unknown', updated_at=?2, "
        "pms_message=coalesce(pms_message, ?3) WHERE id=?1", -1, &pUpd, 0) ){
    sqlite3_finalize(pSel);
    return;
  }
  while( sqlite3_step(pSel)==SQLITE_ROW ){
    if( !pms_owner_alive((const char*)sqlite3_column_text(pSel, 1)) ){
      sqlite3_bind_int64(pUpd, 1, sqlite3_column_int64(pSel, 0));
      sqlite3_bind_text(pUpd, 2, zNow, -1, SQLITE_STATIC);
      sqlite3_bind_text(pUpd, 3, zJournalOrphanMsg, -1, SQLITE_STATIC);
      sqlite3_step(pUpd);
      sqlite3_reset(pUpd);
    }
  }
  sqlite3_finalize(pSel);
  sqlite3_finalize(pUpd);
}

/* The journal's path for schema zDb (malloc'd): "<file>.pms_writes", or
** ":memory:" for a database without a file. */
static char *journal_path(pms_conn *p, const char *zDb, const char **pzFile){
  const char *zFile = sqlite3_db_filename(p->db, zDb ? zDb : "main");
  *pzFile = (zFile && zFile[0]) ? zFile : 0;
  return *pzFile ? pms_mprintf("%s.pms_writes", zFile) : pms_strdup(":memory:");
}

/* A connection to the journal, hardened: the file lies beside a database
** that may come from someone else. */
static int journal_connect(const char *zPath, int flags, sqlite3 **ppDb){
  int rc = sqlite3_open_v2(zPath, ppDb, flags|SQLITE_OPEN_NOFOLLOW|SQLITE_OPEN_NOMUTEX, 0);
  if( rc==SQLITE_OK ){
    sqlite3_db_config(*ppDb, SQLITE_DBCONFIG_DEFENSIVE, 1, (int*)0);
    sqlite3_db_config(*ppDb, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int*)0);
    sqlite3_busy_timeout(*ppDb, 10000);
  }
  return rc;
}

/* Create the journal file with the database file's permissions, refusing a
** symlink; an existing journal is used as it is. */
static int journal_create_file(const char *zFile, const char *zPath){
  struct stat st;
  mode_t mode = 0600;
  int fd;
  if( stat(zFile, &st)==0 ) mode = st.st_mode & 0666;
  fd = open(zPath, O_CREAT|O_EXCL|O_NOFOLLOW|O_WRONLY|O_CLOEXEC, mode);
  if( fd>=0 ){ close(fd); return SQLITE_OK; }
  return errno==EEXIST ? SQLITE_OK : SQLITE_CANTOPEN;
}

int pms_journal_open(pms_conn *p, const char *zDb, char **pzErr){
  const char *zFile;
  char *zPath;
  int rc;
  if( p->pJournal ) return SQLITE_OK;
  zPath = journal_path(p, zDb, &zFile);
  if( zPath==0 ) return SQLITE_NOMEM;
  rc = zFile ? journal_create_file(zFile, zPath) : SQLITE_OK;
  if( rc ){
    *pzErr = pms_mprintf("pmsql: cannot create the write journal %s: %s", zPath, strerror(errno));
    free(zPath);
    return rc;
  }
  rc = journal_connect(zPath, SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE, &p->pJournal);
  if( rc==SQLITE_OK ){
    rc = sqlite3_exec(p->pJournal, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", 0, 0, 0);
    if( rc==SQLITE_OK ) rc = sqlite3_exec(p->pJournal, zJournalDdl, 0, 0, 0);
  }
  if( rc ){
    *pzErr = pms_mprintf("pmsql: cannot open the write journal %s: %s", zPath,
                         p->pJournal ? sqlite3_errmsg(p->pJournal) : "out of memory");
    sqlite3_close(p->pJournal);
    p->pJournal = 0;
    free(zPath);
    return rc;
  }
  p->zJournalPath = zPath;
  pms_owner_new(p->zOwner, sizeof(p->zOwner));
  journal_mark_orphans(p);
  return SQLITE_OK;
}

static void journal_bind_text(sqlite3_stmt *pStmt, int i, const char *z){
  if( z ) sqlite3_bind_text(pStmt, i, z, -1, SQLITE_TRANSIENT);
  else sqlite3_bind_null(pStmt, i);
}

int pms_journal_record(pms_conn *p, pms_write *w){
  sqlite3_stmt *pStmt = 0;
  char zNow[32];
  char *zStripped = 0;
  int rc;
  if( p->pJournal==0 ) return SQLITE_MISUSE;
  pms_now_iso(zNow);
  if( w->pStripped && cJSON_GetArraySize(w->pStripped)>0 ) zStripped = cJSON_PrintUnformatted(w->pStripped);
  if( w->iJournal==0 ){
    rc = sqlite3_prepare_v2(p->pJournal,
        "INSERT INTO pms_writes(created_at, updated_at, integration_id, vendor, model, operation, "
        "record_id, x_id, method, url, payload, stripped, status, http_status, pms_message, "
        "created_id, attempts, owner) VALUES(?1,?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17)",
        -1, &pStmt, 0);
  }else{
    rc = sqlite3_prepare_v2(p->pJournal,
        "UPDATE pms_writes SET updated_at=?1, method=?8, url=?9, payload=?10, stripped=?11, "
        "status=?12, http_status=?13, pms_message=?14, created_id=?15, attempts=?16, owner=?17, "
        "x_id=coalesce(?7, x_id) WHERE id=?18", -1, &pStmt, 0);
  }
  if( rc ){ cJSON_free(zStripped); return rc; }
  journal_bind_text(pStmt, 1, zNow);
  journal_bind_text(pStmt, 2, w->zIntegration);
  journal_bind_text(pStmt, 3, w->zVendor);
  journal_bind_text(pStmt, 4, w->pModel->zName);
  journal_bind_text(pStmt, 5, w->zOp);
  journal_bind_text(pStmt, 6, w->zRecordId);
  journal_bind_text(pStmt, 7, w->zXId ? w->zXId : w->zCreatedXId);
  journal_bind_text(pStmt, 8, w->zMethod);
  journal_bind_text(pStmt, 9, w->zUrl);
  journal_bind_text(pStmt, 10, w->zPayload);
  journal_bind_text(pStmt, 11, zStripped);
  journal_bind_text(pStmt, 12, w->zStatus);
  if( w->httpStatus ) sqlite3_bind_int64(pStmt, 13, w->httpStatus);
  journal_bind_text(pStmt, 14, w->zMessage);
  journal_bind_text(pStmt, 15, w->zCreatedXId);
  sqlite3_bind_int(pStmt, 16, w->nAttempt);
  journal_bind_text(pStmt, 17, p->zOwner);
  if( w->iJournal ) sqlite3_bind_int64(pStmt, 18, w->iJournal);
  rc = sqlite3_step(pStmt);
  rc = rc==SQLITE_DONE ? SQLITE_OK : rc;
  if( rc==SQLITE_OK && w->iJournal==0 ) w->iJournal = sqlite3_last_insert_rowid(p->pJournal);
  sqlite3_finalize(pStmt);
  cJSON_free(zStripped);
  return rc;
}

/* ---------------------------------------------------- pms_writes table */

#define JV_COLUMNS "id, created_at, updated_at, integration_id, vendor, model, operation, " \
  "record_id, x_id, method, url, payload, stripped, status, http_status, pms_message, created_id, attempts"

typedef struct jv_table {
  sqlite3_vtab base;
  pms_conn *pConn;
  char *zDb;
} jv_table;

typedef struct jv_cursor {
  sqlite3_vtab_cursor base;
  sqlite3_stmt *pStmt;
  sqlite3 *pRead;     /* read-only journal connection of this scan, or NULL */
  int bEof;
} jv_cursor;

static int jv_connect(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                      sqlite3_vtab **ppVtab, char **pzErr){
  jv_table *p;
  int rc;
  (void)argc;
  rc = sqlite3_declare_vtab(db, "CREATE TABLE x(id INTEGER, created_at TEXT, updated_at TEXT, "
      "integration_id TEXT, vendor TEXT, model TEXT, operation TEXT, record_id TEXT, x_id TEXT, "
      "method TEXT, url TEXT, payload TEXT, stripped TEXT, status TEXT, http_status INTEGER, "
      "pms_message TEXT, created_id TEXT, attempts INTEGER)");
  if( rc ) return rc;
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
  p = sqlite3_malloc(sizeof(*p));
  if( p==0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  p->pConn = (pms_conn*)pAux;
  p->zDb = sqlite3_mprintf("%s", argv[1]);
  *ppVtab = &p->base;
  (void)pzErr;
  return SQLITE_OK;
}

static int jv_disconnect(sqlite3_vtab *pVtab){
  jv_table *p = (jv_table*)pVtab;
  sqlite3_free(p->zDb);
  sqlite3_free(p);
  return SQLITE_OK;
}

static int jv_best_index(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  int i;
  (void)pVtab;
  pInfo->estimatedCost = 100000;
  for(i=0; i<pInfo->nConstraint; i++){
    if( pInfo->aConstraint[i].usable && pInfo->aConstraint[i].iColumn==0
     && pInfo->aConstraint[i].op==SQLITE_INDEX_CONSTRAINT_EQ ){
      pInfo->aConstraintUsage[i].argvIndex = 1;
      pInfo->aConstraintUsage[i].omit = 1;
      pInfo->idxNum = 1;
      pInfo->estimatedCost = 1;
      pInfo->estimatedRows = 1;
      pInfo->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
      break;
    }
  }
  if( pInfo->nOrderBy==1 && pInfo->aOrderBy[0].iColumn==0 && !pInfo->aOrderBy[0].desc ){
    pInfo->orderByConsumed = 1;
  }
  return SQLITE_OK;
}

static int jv_open(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  jv_cursor *pCur = sqlite3_malloc(sizeof(*pCur));
  (void)pVtab;
  if( pCur==0 ) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

static int jv_close(sqlite3_vtab_cursor *cur){
  sqlite3_finalize(((jv_cursor*)cur)->pStmt);
  sqlite3_close(((jv_cursor*)cur)->pRead);
  sqlite3_free(cur);
  return SQLITE_OK;
}

static int jv_next(sqlite3_vtab_cursor *cur){
  jv_cursor *pCur = (jv_cursor*)cur;
  int rc = sqlite3_step(pCur->pStmt);
  pCur->bEof = rc!=SQLITE_ROW;
  return (rc==SQLITE_ROW || rc==SQLITE_DONE) ? SQLITE_OK : rc;
}

static int jv_filter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                     int argc, sqlite3_value **argv){
  jv_cursor *pCur = (jv_cursor*)cur;
  jv_table *p = (jv_table*)cur->pVtab;
  sqlite3 *pJ = p->pConn->pJournal;
  int rc;
  (void)idxStr;
  sqlite3_finalize(pCur->pStmt);
  pCur->pStmt = 0;
  pCur->bEof = 1;
  if( pJ==0 ){
    /* this connection has not written yet: read the file if there is one,
    ** on a read-only connection; no file means no writes */
    const char *zFile;
    char *zPath = journal_path(p->pConn, p->zDb, &zFile);
    struct stat st;
    if( zPath==0 ) return SQLITE_NOMEM;
    if( zFile==0 || lstat(zPath, &st)!=0 || !S_ISREG(st.st_mode) ){ free(zPath); return SQLITE_OK; }
    if( pCur->pRead==0 ) rc = journal_connect(zPath, SQLITE_OPEN_READONLY, &pCur->pRead);
    else rc = SQLITE_OK;
    free(zPath);
    if( rc ){
      sqlite3_free(p->base.zErrMsg);
      p->base.zErrMsg = sqlite3_mprintf("pmsql: cannot read the write journal: %s", sqlite3_errmsg(pCur->pRead));
      return rc;
    }
    pJ = pCur->pRead;
  }
  rc = sqlite3_prepare_v2(pJ, idxNum==1
       ? "SELECT " JV_COLUMNS ", owner FROM pms_writes WHERE id=?1"
       : "SELECT " JV_COLUMNS ", owner FROM pms_writes ORDER BY id", -1, &pCur->pStmt, 0);
  if( rc ){
    sqlite3_free(p->base.zErrMsg);
    p->base.zErrMsg = sqlite3_mprintf("pmsql: cannot read the write journal: %s", sqlite3_errmsg(pJ));
    return rc;
  }
  if( idxNum==1 && argc>0 ) sqlite3_bind_value(pCur->pStmt, 1, argv[0]);
  return jv_next(cur);
}

static int jv_eof(sqlite3_vtab_cursor *cur){ return ((jv_cursor*)cur)->bEof; }

#define JV_STATUS 13
#define JV_MESSAGE 15
#define JV_OWNER 18

static int jv_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  sqlite3_stmt *pStmt = ((jv_cursor*)cur)->pStmt;
  /* a row 'sent' by a process that is gone reads as journal_mark_orphans
  ** will write it at the next write: outcome unknown */
  if( (i==JV_STATUS || i==JV_MESSAGE)
   && sqlite3_stricmp((const char*)sqlite3_column_text(pStmt, JV_STATUS), "sent")==0
   && !pms_owner_alive((const char*)sqlite3_column_text(pStmt, JV_OWNER)) ){
    if( i==JV_STATUS ){ sqlite3_result_text(ctx, "unknown", -1, SQLITE_STATIC); return SQLITE_OK; }
    if( sqlite3_column_type(pStmt, JV_MESSAGE)==SQLITE_NULL ){
      sqlite3_result_text(ctx, zJournalOrphanMsg, -1, SQLITE_STATIC);
      return SQLITE_OK;
    }
  }
  sqlite3_result_value(ctx, sqlite3_column_value(pStmt, i));
  return SQLITE_OK;
}

static int jv_rowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  *pRowid = sqlite3_column_int64(((jv_cursor*)cur)->pStmt, 0);
  return SQLITE_OK;
}

static sqlite3_module jvModule = {
  0,
  jv_connect, jv_connect, jv_best_index, jv_disconnect, jv_disconnect,
  jv_open, jv_close, jv_filter, jv_next, jv_eof, jv_column, jv_rowid,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};

int pms_journal_register(sqlite3 *db, pms_conn *p){
  pms_conn_ref(p);
  return sqlite3_create_module_v2(db, "pmsql_writes", &jvModule, p, pms_conn_unref);
}
