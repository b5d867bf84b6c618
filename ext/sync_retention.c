/*
** sync_retention.c — how long the sync's own history is kept.
**
** pms_changes and pms_sync_runs grow with every run; at a thousand
** integrations synced several times a day they would grow without end.
** After an integration's sync, its rows older than the integration's
** retention options are deleted in one short transaction of their own:
**   changes_retention_days    pms_changes rows (default 30: Propexo keeps
**                             data diffs 30 days)
**   sync_runs_retention_days  pms_sync_runs rows (default 90); the latest
**                             run of each model is always kept, so the
**                             history never forgets how a model last ended
** 0 keeps everything. Only the integration that synced is touched: an
** integration that is never synced keeps its history as it is.
*/
#include "syncint.h"
#include <string.h>

#define RETAIN_CHANGES_DAYS   30
#define RETAIN_SYNC_RUNS_DAYS 90

/* The UTC instant nDays before now, as the tables store it. */
static void retain_cutoff(double nDays, char *zOut /* >= 32 */){
  pms_ms_to_iso(pms_now_ms() - (int64_t)(nDays*86400000.0), zOut, 1);
}

static int retain_delete(sqlite3 *db, char *zSql /* sqlite3_mprintf'd */,
                         const char *zInt, const char *zCutoff){
  sqlite3_stmt *pStmt = 0;
  int rc = sync_prepare(db, &pStmt, zSql);
  if( rc ) return rc;
  sqlite3_bind_text(pStmt, 1, zInt, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, zCutoff, -1, SQLITE_STATIC);
  sqlite3_step(pStmt);
  return sqlite3_finalize(pStmt);
}

/* Apply the retention options of an open session's integration. Errors
** are not the sync's: a locked or read-only database keeps its history
** until the next run. */
void sync_retention(sqlite3 *db, const char *zDb, const pms_session *pSess){
  double nChanges = pms_option_number(pSess, "changes_retention_days", RETAIN_CHANGES_DAYS);
  double nRuns = pms_option_number(pSess, "sync_runs_retention_days", RETAIN_SYNC_RUNS_DAYS);
  char zCutoff[32];
  if( nChanges<=0 && nRuns<=0 ) return;
  if( pms_exec(db, 0, "SAVEPOINT pms_retention") ) return;
  if( nChanges>0 ){
    retain_cutoff(nChanges, zCutoff);
    retain_delete(db, sqlite3_mprintf(
        "DELETE FROM \"%w\".pms_changes WHERE integration_id=?1 AND created_at<?2", zDb),
        pSess->zIntegration, zCutoff);
  }
  if( nRuns>0 ){
    retain_cutoff(nRuns, zCutoff);
    retain_delete(db, sqlite3_mprintf(
        "DELETE FROM \"%w\".pms_sync_runs AS r WHERE integration_id=?1 AND started_at<?2 "
        "AND started_at<(SELECT max(started_at) FROM \"%w\".pms_sync_runs "
        "WHERE integration_id=?1 AND model=r.model)",
        zDb, zDb), pSess->zIntegration, zCutoff);
  }
  pms_exec(db, 0, "RELEASE pms_retention");
}
