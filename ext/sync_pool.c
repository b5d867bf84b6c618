/*
** sync_pool.c — syncing integrations (one, or many in parallel). Each
** integration gets a fetch thread with its own session and HTTP client: it
** logs in and reads its models' lists in order, mapping each record into a
** spool file. The caller's thread, which alone touches the database,
** applies each finished model in one short write transaction (the same
** commit-or-nothing as a serial run), whichever integration finishes
** first, while the threads fetch on. Models served per parent (zPartition) wait
** until the models before them are applied, since their parts come from
** the cache. The leases of an integration's runs are taken before its
** thread starts; a run another sync holds is skipped. A run whose apply
** cannot get the write lock is retried once the integration's other runs
** are applied.
**
** Over many integrations (the global scheduler): at most nParallel
** integrations are open at once (PRAGMA pms_sync_parallel, default from the
** cores); as one ends the next starts, so memory is that of nParallel
** integrations whatever their number. Their requests meet at each host's
** transfer thread (http_host.c), which caps the host's connections across
** all of them and gives free connections round-robin, request by request:
** a large account gets its turns, not the host, and small ones finish
** early. Their spools share one byte bound (sync_spool.c). With more than
** one integration, the progress line (PRAGMA pms_sync_progress) counts
** integrations and records.
*/
#include "syncint.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Integrations at once by default: per core, four (a fetch thread mostly
** waits on the network), within [4, 64]. */
int pms_sync_parallel(const pms_conn *p){
  long n;
  if( p && p->aFlag[PMS_FLAG_SYNC_PARALLEL]>0 ) return (int)p->aFlag[PMS_FLAG_SYNC_PARALLEL];
  n = sysconf(_SC_NPROCESSORS_ONLN) * 4;
  return n<4 ? 4 : n>64 ? 64 : (int)n;
}

/* The spool's bound by default: 1 GiB of temporary disk. */
sqlite3_int64 pms_sync_spool_max(const pms_conn *p){
  if( p && p->aFlag[PMS_FLAG_SYNC_SPOOL]>0 ) return p->aFlag[PMS_FLAG_SYNC_SPOOL];
  return (sqlite3_int64)1<<30;
}

/* Progress by default only where someone watches: stderr is a terminal. */
int pms_sync_progress_on(const pms_conn *p){
  int v = p ? (int)p->aFlag[PMS_FLAG_SYNC_PROGRESS] : -1;
  return v<0 ? isatty(2) : v;
}

typedef struct sync_job {
  char *zInt;
  const pms_adapter *pA;
  pms_session sess;
  int bSession;             /* sess is open */
  sync_run *aRun;           /* one per model to sync, in model order */
  int nRun;
  int nPlanned;             /* runs [0,nPlanned) may be fetched */
  int nFetched;             /* runs [0,nFetched) are fetched */
  int nApplied;             /* runs [0,nApplied) are applied and reported */
  char *zOpenErr;           /* logging in failed: the thread fetched nothing */
  pthread_t thread;
  int bThread;
} sync_job;

typedef struct sync_pool {
  pthread_mutex_t mu;
  pthread_cond_t cv;        /* a run was planned or fetched */
  sync_budget budget;       /* the spools' bytes */
  const sync_opts *pOpts;
  int nInt, nDone;          /* integrations to sync, ended */
  int64_t nRecords;         /* records of the runs applied */
} sync_pool;

typedef struct sync_thread_arg { sync_pool *pPool; sync_job *pJob; } sync_thread_arg;

static void *sync_fetch_thread(void *pArg){
  sync_pool *pPool = ((sync_thread_arg*)pArg)->pPool;
  sync_job *pJob = ((sync_thread_arg*)pArg)->pJob;
  char *zErr = 0;
  int i;
  free(pArg);
  if( pJob->sess.pAdapter->xOpen && pJob->sess.pAdapter->xOpen(&pJob->sess, &zErr) ){
    pthread_mutex_lock(&pPool->mu);
    pJob->zOpenErr = zErr ? zErr : pms_strdup("cannot log in");
    pJob->nFetched = pJob->nRun;
    pthread_cond_broadcast(&pPool->cv);
    pthread_mutex_unlock(&pPool->mu);
    return 0;
  }
  for(i=0; i<pJob->nRun; i++){
    sync_run *r = &pJob->aRun[i];
    pthread_mutex_lock(&pPool->mu);
    while( pJob->nPlanned<=i ) pthread_cond_wait(&pPool->cv, &pPool->mu);
    pthread_mutex_unlock(&pPool->mu);
    if( r->zErr==0 && r->zSkip==0 ){
      char *zSpoolErr = 0;
      r->pSpool = sync_spool_open(&zSpoolErr);
      if( r->pSpool==0 ) sync_fail(r, zSpoolErr);
      else{
        r->pBudget = &pPool->budget;
        sync_budget_fetch(r, 0);
        sync_run_fetch(r);
        sync_budget_fetch(r, 1);
      }
    }
    pthread_mutex_lock(&pPool->mu);
    pJob->nFetched = i+1;
    pthread_cond_broadcast(&pPool->cv);
    pthread_mutex_unlock(&pPool->mu);
  }
  return 0;
}

/* Plan what may be fetched next: a run served per parent only once every
** run before it is applied (its parts are read from the cache). Caller
** holds the pool's lock. */
static void sync_job_plan(sync_job *pJob){
  while( pJob->nPlanned<pJob->nRun ){
    sync_run *r = &pJob->aRun[pJob->nPlanned];
    if( r->pAM->zPartition && pJob->nApplied<pJob->nPlanned ) break;
    if( r->zSkip==0 ) sync_partitions(r);   /* on failure the run carries its error */
    pJob->nPlanned++;
  }
}

/* Open an integration's session and set up its runs. Returns 0 when the
** integration must go the serial way (it reports its own failure). */
static int sync_job_open(sqlite3 *db, const char *zDb, sync_job *pJob, const pms_model *pOnly,
                         const char *zMode, const char *zDueSince, int bProgress){
  char *zErr = 0, *zNotDue = 0;
  int i, bOwnTx = 0, msBusy;
  if( pJob->pA==0 || pms_session_open(db, zDb, pJob->zInt, &pJob->sess, &zErr) ){
    free(zErr);
    return 0;
  }
  pJob->bSession = 1;
  pJob->aRun = calloc((size_t)pms_model_count(), sizeof(sync_run));
  if( pJob->aRun==0 ) return 0;
  /* An integration's leases are taken together, in one transaction: two
  ** processes syncing it at once never split its models between them, so
  ** a model served per another (resident_charges per charge_codes) is
  ** synced by the process that syncs its parent. Busy: each lease is
  ** then tried on its own and fails saying the database is locked. */
  msBusy = pms_busy_budget(db, &pJob->sess);
  pms_tx_begin(db, msBusy, &bOwnTx);
  if( zDueSince && bOwnTx ) zNotDue = sync_due_recheck(db, zDb, &pJob->sess);
  for(i=0; i<pms_model_count(); i++){
    const pms_model *pM = pms_model_at(i);
    const pms_adapter_model *pAM;
    sync_run *r;
    if( pOnly && pOnly!=pM ) continue;
    pAM = pms_adapter_model_find(pJob->sess.pAdapter, pM->zName);
    if( pAM==0 ) continue;
    r = &pJob->aRun[pJob->nRun++];
    sync_run_init(r, db, zDb, &pJob->sess, pAM, zMode);
    r->bProgress = bProgress;   /* alone: its fetch thread shows its pages */
    r->zDueSince = zDueSince;
    r->aiMapCol = pms_map_columns(r->pM, pAM->aMap, &zErr);
    if( r->aiMapCol==0 ){ sync_fail(r, zErr ? zErr : pms_strdup("out of memory")); zErr = 0; }
    if( r->zErr==0 && zNotDue ) r->zSkip = pms_strdup(zNotDue);
    if( r->zErr==0 && sync_lease_take(r)==SQLITE_BUSY ){
      sync_fail(r, pms_strdup("database is locked by another connection"));
    }
    r->bFetched = r->zErr!=0 || r->zSkip!=0;
  }
  pms_tx_end(db, bOwnTx, 1, msBusy);
  free(zNotDue);
  return 1;
}

/* Apply one fetched run and report it; one that cannot get the write lock
** waits (bDeferred) for the end of its integration. */
static void sync_job_apply(sync_pool *pPool, sync_run *r, int bLast, pms_str *pOut, int *pnRun,
                           char **pzFail){
  if( r->bDeferred && bLast ) r->bRetried = 1;
  r->bDeferred = 0;
  if( r->zSkip==0 && sync_run_apply(r, bLast)==SQLITE_BUSY ){
    r->bDeferred = 1;
    sync_budget_park(r);
    return;
  }
  if( r->zErr==0 ) pPool->nRecords += r->nFetched;
  sync_run_report(r, pOut, pnRun, pzFail);
}

/* The progress line over many integrations, rewritten in place. */
static void sync_pool_progress(const sync_pool *pPool, int bEnd){
  if( !pPool->pOpts->bProgress || pPool->nInt<2 ) return;
  fprintf(stderr, "\rpmsql sync: %d/%d integrations, %lld records%s", pPool->nDone, pPool->nInt,
          (long long)pPool->nRecords, bEnd ? "\n" : "   ");
  fflush(stderr);
}

static void sync_job_close(sqlite3 *db, const char *zDb, sync_pool *pPool, sync_job *pJob,
                           char *zFirstFail, pms_str *pOut, int *pnRun, char **pzFail){
  int i;
  if( pJob->bThread ) pthread_join(pJob->thread, 0);
  for(i=0; i<pJob->nApplied; i++){
    if( pJob->aRun[i].bDeferred ) sync_job_apply(pPool, &pJob->aRun[i], 1, pOut, pnRun, &zFirstFail);
  }
  /* runs not applied (logging in failed) are freed without a report */
  for(i=pJob->nApplied; i<pJob->nRun; i++) sync_run_free(&pJob->aRun[i]);
  free(pJob->aRun);
  if( pJob->bSession ){
    sync_set_status(db, zDb, pJob->zInt, pJob->zOpenErr ? pJob->zOpenErr : zFirstFail,
                    pms_busy_budget(db, &pJob->sess));
    sync_retention(db, zDb, &pJob->sess);
    pms_session_close(&pJob->sess);
  }
  if( zFirstFail && *pzFail==0 ) *pzFail = zFirstFail;
  else free(zFirstFail);
  free(pJob->zOpenErr);
  memset(pJob, 0, sizeof(*pJob));
  pPool->nDone++;
  sync_pool_progress(pPool, 0);
}

/* Start integration zInt in the free slot pJob: its session, its runs and
** its fetch thread. One whose session cannot open is synced (that is,
** reported failed) the serial way at once, leaving the slot free. */
static void sync_job_start(sqlite3 *db, const char *zDb, sync_pool *pPool, sync_job *pJob,
                           char *zInt, const pms_adapter *pA, const pms_model *pOnly,
                           const char *zMode, const char *zDueSince, pms_str *pOut, int *pnRun,
                           char **pzFail){
  sync_thread_arg *pArg;
  pJob->zInt = zInt;
  pJob->pA = pA;
  if( !sync_job_open(db, zDb, pJob, pOnly, zMode, zDueSince,
                     pPool->nInt==1 && pPool->pOpts->bProgress) ){
    /* the serial path reports a session that cannot open */
    if( pJob->bSession ) pms_session_close(&pJob->sess);
    free(pJob->aRun);
    memset(pJob, 0, sizeof(*pJob));
    sync_integration(db, zDb, zInt, pA, pOnly, zMode, zDueSince, pOut, pnRun, pzFail);
    pPool->nDone++;
    sync_pool_progress(pPool, 0);
    return;
  }
  pthread_mutex_lock(&pPool->mu);
  sync_job_plan(pJob);
  pthread_mutex_unlock(&pPool->mu);
  pArg = malloc(sizeof(*pArg));
  if( pArg ){
    pArg->pPool = pPool;
    pArg->pJob = pJob;
    pJob->bThread = pthread_create(&pJob->thread, 0, sync_fetch_thread, pArg)==0;
    if( !pJob->bThread ) free(pArg);
  }
  if( !pJob->bThread ){
    pJob->zOpenErr = pms_strdup("cannot start a sync thread");
    pJob->nFetched = pJob->nRun;
  }
}

/* Sync integrations azInt[0..nInt) with at most pOpts->nParallel open at
** once (see above). *pnSpoolPeak: the most spool bytes held at once. */
static void sync_parallel(sqlite3 *db, const char *zDb, char **azInt, const pms_adapter **apA,
                          int nInt, const pms_model *pOnly, const char *zMode,
                          const char *zDueSince, const sync_opts *pOpts, pms_str *pOut,
                          int *pnRun, char **pzFail, int64_t *pnSpoolPeak){
  sync_pool pool;
  sync_job *aJob;
  char **azFail;
  int nSlot = nInt<pOpts->nParallel ? nInt : pOpts->nParallel;
  int i, iNext = 0, nOpen = 0;
  if( nInt<=0 ) return;
  aJob = calloc((size_t)nSlot, sizeof(sync_job));
  azFail = calloc((size_t)nSlot, sizeof(char*));
  if( aJob==0 || azFail==0 ){
    free(aJob); free(azFail);
    for(i=0; i<nInt; i++){
      sync_integration(db, zDb, azInt[i], apA[i], pOnly, zMode, zDueSince, pOut, pnRun, pzFail);
    }
    return;
  }
  memset(&pool, 0, sizeof(pool));
  pthread_mutex_init(&pool.mu, 0);
  pthread_cond_init(&pool.cv, 0);
  sync_budget_init(&pool.budget, pOpts->nSpoolMax);
  pool.pOpts = pOpts;
  pool.nInt = nInt;
  sync_pool_progress(&pool, 0);
  for(;;){
    sync_job *pReady = 0;
    /* every free slot takes the next integration */
    for(i=0; i<nSlot && iNext<nInt; i++){
      if( aJob[i].zInt ) continue;
      sync_job_start(db, zDb, &pool, &aJob[i], azInt[iNext], apA[iNext], pOnly, zMode,
                     zDueSince, pOut, pnRun, pzFail);
      iNext++;
      if( aJob[i].zInt ) nOpen++;
      else i--;                 /* reported at once: the slot is still free */
    }
    if( nOpen==0 ) break;
    pthread_mutex_lock(&pool.mu);
    for(;;){
      for(i=0; i<nSlot && pReady==0; i++){
        sync_job *pJob = &aJob[i];
        if( pJob->zInt==0 || pJob->aRun==0 ) continue;
        if( pJob->nApplied<pJob->nFetched || (pJob->nApplied==pJob->nRun) ) pReady = pJob;
      }
      if( pReady ) break;
      pthread_cond_wait(&pool.cv, &pool.mu);
    }
    pthread_mutex_unlock(&pool.mu);
    i = (int)(pReady - aJob);
    if( pReady->zOpenErr ){
      pms_str_appendf(pOut, "%s{\"integration\":", (*pnRun)++ ? "," : "");
      pms_str_append_json_string(pOut, pReady->zInt);
      pms_str_appendz(pOut, ",\"status\":\"failed\",\"error\":");
      pms_str_append_json_string(pOut, pReady->zOpenErr);
      pms_str_appendz(pOut, "}");
      if( *pzFail==0 ) *pzFail = pms_mprintf("%s: %s", pReady->zInt, pReady->zOpenErr);
    }else if( pReady->nApplied<pReady->nRun ){
      sync_job_apply(&pool, &pReady->aRun[pReady->nApplied], 0, pOut, pnRun, &azFail[i]);
      pthread_mutex_lock(&pool.mu);
      pReady->nApplied++;
      sync_job_plan(pReady);
      pthread_cond_broadcast(&pool.cv);
      pthread_mutex_unlock(&pool.mu);
      if( pReady->nApplied<pReady->nRun ){
        sync_pool_progress(&pool, 0);
        continue;
      }
    }
    sync_job_close(db, zDb, &pool, pReady, azFail[i], pOut, pnRun, pzFail);
    azFail[i] = 0;
    nOpen--;
  }
  sync_pool_progress(&pool, 1);
  if( pnSpoolPeak && pool.budget.nPeak>*pnSpoolPeak ) *pnSpoolPeak = pool.budget.nPeak;
  pthread_cond_destroy(&pool.budget.cv);
  pthread_mutex_destroy(&pool.budget.mu);
  pthread_cond_destroy(&pool.cv);
  pthread_mutex_destroy(&pool.mu);
  free(aJob);
  free(azFail);
}

/* One integration: its fetch thread reads model k+1 while this thread
** applies model k. */
void sync_one(sqlite3 *db, const char *zDb, const char *zInt, const pms_adapter *pA,
              const pms_model *pOnly, const char *zMode, const sync_opts *pOpts,
              pms_str *pOut, int *pnRun, char **pzFail, int64_t *pnSpoolPeak){
  char *azInt[1];
  const pms_adapter *apA[1];
  azInt[0] = (char*)zInt;
  apA[0] = pA;
  sync_parallel(db, zDb, azInt, apA, 1, pOnly, zMode, 0, pOpts, pOut, pnRun, pzFail, pnSpoolPeak);
}

/* Sync every integration a query (id, vendor) selects, in its order, in
** parallel (sync_parallel). The ids are read first: syncing writes to the
** table the query reads. */
void sync_each(sqlite3 *db, const char *zDb, char *zSql /* sqlite3_mprintf'd */,
               const pms_model *pOnly, const char *zMode, const char *zDueSince,
               const sync_opts *pOpts, pms_str *pOut, int *pnRun, char **pzFail,
               int64_t *pnSpoolPeak){
  sqlite3_stmt *pStmt = 0;
  char **azInt = 0;
  const pms_adapter **apA = 0;
  int nInt = 0, i;
  if( sync_prepare(db, &pStmt, zSql)==SQLITE_OK ){
    while( sqlite3_step(pStmt)==SQLITE_ROW ){
      char **azNew = realloc(azInt, sizeof(char*)*(nInt+1));
      const pms_adapter **apNew = realloc(apA, sizeof(pms_adapter*)*(nInt+1));
      if( azNew ) azInt = azNew;
      if( apNew ) apA = apNew;
      if( azNew==0 || apNew==0 ) break;
      azInt[nInt] = pms_strdup((const char*)sqlite3_column_text(pStmt, 0));
      apA[nInt++] = pms_adapter_find((const char*)sqlite3_column_text(pStmt, 1));
    }
  }
  sqlite3_finalize(pStmt);
  sync_parallel(db, zDb, azInt, apA, nInt, pOnly, zMode, zDueSince, pOpts, pOut, pnRun, pzFail,
                pnSpoolPeak);
  for(i=0; i<nInt; i++) free(azInt[i]);
  free(azInt);
  free(apA);
}
