/*
** sync_lock.c — sharing the database: short write transactions that wait
** for the write lock, and the leases that keep two syncs of one model
** apart.
**
** pmsql lives in the application's database. The sync fetches with no
** transaction open and applies each finished model in one short write
** transaction (BEGIN IMMEDIATE, so a WAL reader's snapshot never has to be
** upgraded). Waiting for the lock: SQLite has no call that reads a
** connection's busy handler, only its busy timeout (PRAGMA busy_timeout).
** When the host set a timeout, SQLite waits that long and pmsql adds
** nothing. When it reads 0 (no handler, or a handler of the host's own,
** which SQLite still calls at each attempt) pmsql retries for the
** integration option busy_timeout_ms (default PMS_BUSY_TIMEOUT_MS). pmsql
** never installs or replaces a busy handler: the host's stays as it was.
**
** A lease row in pms_sync_leases (integration, model, holder
** "pid:start:nonce" as the write journal's owners, pid, started_at) says a
** model is being synced. It is taken and given back in short transactions
** of its own, never held open across the network. A lease whose process
** has ended is taken over; so is one of this process whose holder is no
** longer running here (a run that could not give it back).
*/
#include "syncint.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PMS_BUSY_TIMEOUT_MS 10000

int pms_busy_budget(sqlite3 *db, const pms_session *pSess){
  sqlite3_stmt *pStmt = 0;
  int ms = 0;
  if( sqlite3_prepare_v2(db, "PRAGMA busy_timeout", -1, &pStmt, 0)==SQLITE_OK
   && sqlite3_step(pStmt)==SQLITE_ROW ){
    ms = sqlite3_column_int(pStmt, 0);
  }
  sqlite3_finalize(pStmt);
  if( ms>0 ) return 0;        /* the host's timeout: SQLite waits, pmsql adds nothing */
  return pSess ? (int)pms_option_number(pSess, "busy_timeout_ms", PMS_BUSY_TIMEOUT_MS)
               : PMS_BUSY_TIMEOUT_MS;
}

static int lock_is_busy(int rc){
  return (rc & 0xff)==SQLITE_BUSY || (rc & 0xff)==SQLITE_LOCKED;
}

/* Sleep before the next attempt: 1, 2, 4 … up to 50 ms. 0 once past the
** deadline. */
int pms_busy_pause(int *pnTry, int64_t tDeadline){
  int ms = 1 << (*pnTry < 6 ? *pnTry : 6);
  if( pms_now_ms()>=tDeadline ) return 0;
  if( ms>50 ) ms = 50;
  (*pnTry)++;
  sqlite3_sleep(ms);
  return 1;
}

int pms_tx_begin(sqlite3 *db, int msBudget, int *pbOwn){
  int64_t tEnd = pms_now_ms() + msBudget;
  int nTry = 0, rc;
  *pbOwn = 0;
  if( !sqlite3_get_autocommit(db) ) return SQLITE_OK;   /* the caller's transaction */
  do{
    rc = sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0);
  }while( lock_is_busy(rc) && pms_busy_pause(&nTry, tEnd) );
  if( rc==SQLITE_OK ) *pbOwn = 1;
  return lock_is_busy(rc) ? SQLITE_BUSY : rc;
}

int pms_tx_end(sqlite3 *db, int bOwn, int bCommit, int msBudget){
  int64_t tEnd = pms_now_ms() + msBudget;
  int nTry = 0, rc = SQLITE_OK;
  if( !bOwn ) return SQLITE_OK;
  if( bCommit ){
    /* rollback-journal mode: the commit waits for readers to leave */
    do{
      rc = sqlite3_exec(db, "COMMIT", 0, 0, 0);
    }while( lock_is_busy(rc) && pms_busy_pause(&nTry, tEnd) );
  }
  if( !bCommit || rc ) sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
  return lock_is_busy(rc) ? SQLITE_BUSY : rc;
}

/* ------------------------------------------------------------ leases */

/* Holders of this process whose runs are under way; a lease of this
** process naming any other holder was left behind. */
#define LOCK_MAX_LOCAL 64
static pthread_mutex_t lockMutex = PTHREAD_MUTEX_INITIALIZER;
static char lockLocal[LOCK_MAX_LOCAL][64];

static void lock_local_set(const char *zHolder, int bOn){
  int i;
  pthread_mutex_lock(&lockMutex);
  for(i=0; i<LOCK_MAX_LOCAL; i++){
    if( bOn ? lockLocal[i][0]==0 : strcmp(lockLocal[i], zHolder)==0 ){
      if( bOn ) snprintf(lockLocal[i], sizeof(lockLocal[i]), "%s", zHolder);
      else lockLocal[i][0] = 0;
      break;
    }
  }
  pthread_mutex_unlock(&lockMutex);
}

static int lock_holder_alive(const char *zHolder, sqlite3_int64 pid){
  int i, bFound = 0, bFull = 1;
  if( !pms_owner_alive(zHolder) ) return 0;
  if( pid!=(sqlite3_int64)getpid() ) return 1;
  pthread_mutex_lock(&lockMutex);
  for(i=0; i<LOCK_MAX_LOCAL; i++){
    if( lockLocal[i][0]==0 ) bFull = 0;
    else if( strcmp(lockLocal[i], zHolder)==0 ) bFound = 1;
  }
  pthread_mutex_unlock(&lockMutex);
  return bFound || bFull;     /* a full table cannot tell: assume it runs */
}

/* In the lease's transaction: is the model held by a live run, or (for
** pms_sync_due) synced by another run since zDueSince? Sets r->zSkip. */
/* Who holds a live lease on zModel of the run's integration, as "process
** N since T" (malloc'd in *pzWho), or *pzWho 0. */
static int lock_holder(sync_run *r, const char *zModel, char **pzWho){
  sqlite3_stmt *pStmt = 0;
  int rc = sync_prepare(r->db, &pStmt, sqlite3_mprintf(
      "SELECT holder, pid, started_at FROM \"%w\".pms_sync_leases WHERE integration_id=?1 AND model=?2",
      r->zDb));
  *pzWho = 0;
  if( rc ) return rc;
  sqlite3_bind_text(pStmt, 1, r->pSess->zIntegration, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, zModel, -1, SQLITE_STATIC);
  if( sqlite3_step(pStmt)==SQLITE_ROW
   && lock_holder_alive((const char*)sqlite3_column_text(pStmt, 0), sqlite3_column_int64(pStmt, 1)) ){
    *pzWho = pms_mprintf("process %lld since %s", (long long)sqlite3_column_int64(pStmt, 1),
                         (const char*)sqlite3_column_text(pStmt, 2));
  }
  return sqlite3_finalize(pStmt);
}

static int lock_check(sync_run *r){
  sqlite3_stmt *pStmt = 0;
  char *zWho = 0;
  int rc = lock_holder(r, r->pM->zName, &zWho);
  if( zWho ){
    r->zSkip = pms_mprintf("already being synced by %s", zWho);
    free(zWho);
  }
  if( rc || r->zSkip || r->zDueSince==0 ) return rc;
  rc = sync_prepare(r->db, &pStmt, sqlite3_mprintf(
      "SELECT finished_at FROM \"%w\".pms_sync_runs WHERE integration_id=?1 AND model=?2 "
      "AND status='succeeded' AND finished_at>=?3 ORDER BY id DESC LIMIT 1", r->zDb));
  if( rc ) return rc;
  sqlite3_bind_text(pStmt, 1, r->pSess->zIntegration, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, r->pM->zName, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 3, r->zDueSince, -1, SQLITE_STATIC);
  if( sqlite3_step(pStmt)==SQLITE_ROW ){
    r->zSkip = pms_mprintf("synced by another run at %s", (const char*)sqlite3_column_text(pStmt, 0));
  }
  return sqlite3_finalize(pStmt);
}

int sync_lease_take(sync_run *r){
  sqlite3_stmt *pStmt = 0;
  int bOwn, rc;
  char zHolder[64];
  rc = pms_tx_begin(r->db, r->msBusy, &bOwn);
  if( rc==SQLITE_BUSY ) return rc;
  if( rc==SQLITE_OK && r->zSkip==0 ) rc = lock_check(r);
  if( rc==SQLITE_OK && r->zSkip ){
    rc = sync_log_skip(r);
  }else if( rc==SQLITE_OK ){
    pms_owner_new(zHolder, sizeof(zHolder));
    rc = sync_prepare(r->db, &pStmt, sqlite3_mprintf(
        "INSERT OR REPLACE INTO \"%w\".pms_sync_leases(integration_id, model, holder, pid, started_at) "
        "VALUES(?1, ?2, ?3, ?4, ?5)", r->zDb));
    if( rc==SQLITE_OK ){
      sqlite3_bind_text(pStmt, 1, r->pSess->zIntegration, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 2, r->pM->zName, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 3, zHolder, -1, SQLITE_STATIC);
      sqlite3_bind_int64(pStmt, 4, (sqlite3_int64)getpid());
      sqlite3_bind_text(pStmt, 5, r->zStarted, -1, SQLITE_STATIC);
      sqlite3_step(pStmt);
      rc = sqlite3_finalize(pStmt);
    }
  }
  if( rc && !lock_is_busy(rc) ){
    sync_fail(r, pms_mprintf("cannot take the sync lease: %s", sqlite3_errmsg(r->db)));
  }
  {
    int rcEnd = pms_tx_end(r->db, bOwn, rc==SQLITE_OK, r->msBusy);
    if( rc==SQLITE_OK ) rc = rcEnd;
  }
  if( lock_is_busy(rc) ){
    free(r->zSkip);
    r->zSkip = 0;
    return SQLITE_BUSY;
  }
  if( rc==SQLITE_OK && r->zSkip==0 ){
    memcpy(r->zHolder, zHolder, sizeof(zHolder));
    lock_local_set(zHolder, 1);
  }
  return rc;
}

/* Give the lease back: inside the apply's transaction, or (bOwnTx) in one
** of its own. Once this process no longer lists the holder, a lease that
** could not be deleted is taken over by the next run. */
void sync_lease_release(sync_run *r, int bOwnTx){
  sqlite3_stmt *pStmt = 0;
  int bOwn = 0;
  if( r->zHolder[0]==0 ) return;
  if( !bOwnTx || pms_tx_begin(r->db, r->msBusy, &bOwn)==SQLITE_OK ){
    if( sync_prepare(r->db, &pStmt, sqlite3_mprintf(
          "DELETE FROM \"%w\".pms_sync_leases WHERE integration_id=?1 AND model=?2 AND holder=?3",
          r->zDb))==SQLITE_OK ){
      sqlite3_bind_text(pStmt, 1, r->pSess->zIntegration, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 2, r->pM->zName, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 3, r->zHolder, -1, SQLITE_STATIC);
      sqlite3_step(pStmt);
    }
    sqlite3_finalize(pStmt);
    if( bOwnTx ) pms_tx_end(r->db, bOwn, 1, r->msBusy);
  }
  lock_local_set(r->zHolder, 0);
  r->zHolder[0] = 0;
}

/* A run served per a parent model that was never synced, while another
** run holds the parent's lease (a pms_sync of the parent alone, in another
** process): the run is skipped, not failed — the parent's list is on its
** way. Returns 1 when it skipped the run (its lease given back, its row
** logged), 0 when the parent is not held. */
int sync_lease_skip_for_parent(sync_run *r, const char *zParent){
  char *zWho = 0;
  int bOwn, rc;
  rc = pms_tx_begin(r->db, r->msBusy, &bOwn);
  if( rc ) return 0;
  rc = lock_holder(r, zParent, &zWho);
  if( rc==SQLITE_OK && zWho ){
    r->zSkip = pms_mprintf("served per %s, which is being synced by %s", zParent, zWho);
    rc = sync_log_skip(r);
    if( rc==SQLITE_OK ) sync_lease_release(r, 0);
  }
  free(zWho);
  if( pms_tx_end(r->db, bOwn, rc==SQLITE_OK, r->msBusy) || rc ){
    free(r->zSkip);
    r->zSkip = 0;
    return 0;
  }
  return r->zSkip!=0;
}

/* pms_sync_due, in the transaction that takes an integration's leases:
** another process may have synced it, or be syncing it, since this call
** found it due. Its models finished before this call began, so the
** per-model check (lock_check) cannot see them: the whole integration is
** skipped when it is no longer due (another run's pass ended), or when
** another live run holds a lease of it (a pass under way — its leases
** are taken together, sync_pool.c). Returns why (malloc'd) or 0. */
char *sync_due_recheck(sqlite3 *db, const char *zDb, const pms_session *pSess){
  sqlite3_stmt *pStmt = 0;
  char *zWhy = 0;
  if( sync_prepare(db, &pStmt, sqlite3_mprintf(
        "SELECT last_sync_at FROM \"%w\".pms_integrations_store WHERE id=?1 AND NOT " SYNC_DUE_SQL,
        zDb))==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, pSess->zIntegration, -1, SQLITE_STATIC);
    if( sqlite3_step(pStmt)==SQLITE_ROW ){
      zWhy = pms_mprintf("synced by another run at %s", (const char*)sqlite3_column_text(pStmt, 0));
    }
    sqlite3_finalize(pStmt);
  }
  if( zWhy ) return zWhy;
  if( sync_prepare(db, &pStmt, sqlite3_mprintf(
        "SELECT holder, pid, started_at FROM \"%w\".pms_sync_leases WHERE integration_id=?1 "
        "ORDER BY started_at", zDb))==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, pSess->zIntegration, -1, SQLITE_STATIC);
    while( zWhy==0 && sqlite3_step(pStmt)==SQLITE_ROW ){
      if( lock_holder_alive((const char*)sqlite3_column_text(pStmt, 0), sqlite3_column_int64(pStmt, 1)) ){
        zWhy = pms_mprintf("already being synced by process %lld since %s",
                           (long long)sqlite3_column_int64(pStmt, 1),
                           (const char*)sqlite3_column_text(pStmt, 2));
      }
    }
    sqlite3_finalize(pStmt);
  }
  return zWhy;
}
