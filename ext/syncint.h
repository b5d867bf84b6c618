/*
** syncint.h — what the files of the sync engine share (not the rest of the
** extension: its interface to them is pms_sync_register and pms_cache_put
** in pmsql.h).
**
** The engine, one concern per file:
**   sync.c        the SQL functions pms_sync() and pms_sync_due()
**   sync_run.c    one run = one integration x one model: set-up from the
**                 watermark, commit-or-nothing in a savepoint, pms_sync_runs
**   sync_page.c   reading a model's lists: pages, totals, retries, parts
**   sync_cache.c  one record into "<model>_cache": map, hash, upsert, diff
**   sync_spool.c  mapped rows parked in a file until the apply; their
**                 byte bound
**   sync_pool.c   integrations in parallel: a bounded pool of fetch threads,
**                 applied here; the progress line
**   sync_lock.c   short write transactions that wait for the lock; leases
**   sync_retention.c  how long pms_changes and pms_sync_runs rows are kept
*/
#ifndef PMSQL_SYNCINT_H
#define PMSQL_SYNCINT_H

#include "pmsql.h"
#include <pthread.h>
#include <stdio.h>

/* How a call syncs its integrations (the connection's sync pragmas). */
typedef struct sync_opts {
  int nParallel;            /* integrations at once (PRAGMA pms_sync_parallel) */
  int64_t nSpoolMax;        /* spool bytes (PRAGMA pms_sync_spool_bytes) */
  int bProgress;            /* a progress line on stderr (PRAGMA pms_sync_progress) */
} sync_opts;

/* The spool's disk of one parallel sync (sync_spool.c): bytes of runs
** fetched but not yet applied, bounded by nMax. */
typedef struct sync_budget {
  pthread_mutex_t mu;
  pthread_cond_t cv;        /* bytes were freed, or a fetch ended */
  int64_t nMax;
  int64_t nUsed, nPeak;
  int nFetching;            /* runs being fetched */
  int nWaiting;             /* of those, waiting for bytes */
  int nReady;               /* runs fetched, holding bytes, queued for their apply */
  struct sync_run *pOver;   /* the one run that may write past nMax, or NULL */
} sync_budget;

typedef struct sync_stmts {
  sqlite3_stmt *pFind;     /* rowid, _hash, last_seen by id */
  sqlite3_stmt *pInsert;   /* every column + _hash */
  sqlite3_stmt *pUpdate;   /* every non-core column + updated_at, last_seen, _hash */
  sqlite3_stmt *pTouch;    /* last_seen only */
  sqlite3_stmt *pOld;      /* the previous values, for the diff */
  sqlite3_stmt *pChange;   /* INSERT INTO pms_changes */
} sync_stmts;

/* One paged list of a run: the whole list, or one parent's part of it
** (pms_adapter_model.zPartition). */
typedef struct sync_part {
  char *zKey;               /* the parent's x_id, NULL for the whole list */
  int bPagesQueued;         /* the total is known: pages go by the window */
  int nPageExpected;        /* pages the total needs; -1 unknown */
  int nPageNext;            /* next page not yet submitted */
  int nInFlight;            /* submitted, not yet taken */
  int iReasked;             /* page asked again after an empty answer, or -1 */
  int64_t nTotal;           /* largest total its pages reported */
  int bShrunk;              /* a page's total fell below one seen before */
} sync_part;

/* Pages of one list a run reads at most (option max_pages): a server that
** claims an absurd total, or never ends a list without one, fails the run
** with an error naming the option instead of holding it forever. */
#define SYNC_MAX_PAGES 100000
/* Pages of one part queued ahead of the answers: the client runs them
** concurrently; the rest are queued as answers come (memory stays flat
** whatever total a server claims). */
#define SYNC_PAGE_WINDOW 16

typedef struct sync_run {
  sqlite3 *db;
  const char *zDb;
  pms_session *pSess;
  const pms_adapter_model *pAM;
  const pms_model *pM;
  const char *zMode;        /* "full", "incremental", "backsync" */
  char *zSince;             /* incremental lower bound sent to the vendor */
  int bEvents;              /* emit pms_changes rows */
  int nPageSize;
  int nMaxPages;            /* option max_pages */
  sync_part *aPart;         /* one per parent record, or one for the list */
  int nPart;
  int64_t nTotal;
  int bShrunk;              /* some part shrank (sync_part.bShrunk) */
  int bRepass;              /* reading the list a second time (see sync_model) */
  int bProgress;            /* stderr is a terminal */
  int64_t tStart;
  char zNow[32];            /* this run's timestamp for last_seen etc. */
  sqlite3_int64 iRunId;     /* pms_sync_runs.id once written */
  sync_stmts s;
  pms_row row;
  int *aiMapCol;            /* model column of each field-map entry */
  pms_link *pLink;          /* derived foreign keys (link.c), or NULL */
  int bOneRecord;           /* pms_cache_put: one record, not a whole list */
  int bFresh;               /* no record of the integration cached at the apply's start */
  uint64_t mDeferred;       /* cache indexes dropped for the apply, built after */
  pms_json_arena *pArena;   /* the list pages' trees (json_arena.c) */
  const char *zRaw;         /* the current record's raw text, if known */
  size_t nRaw;
  /* counters */
  int nPages, nFetched, nNew, nChanged, nUnchanged;
  int nSkipped;             /* records skipped for an unsafe id */
  char *zSkipped;           /* the first such id, malloc'd */
  pms_http_stats st;        /* requests and retries of the run */
  char *zErr;               /* first error, malloc'd */
  char *zWm;                /* watermark before the run, malloc'd or NULL */
  char zStarted[32];        /* started_at */
  char zWmNew[32];          /* the watermark a success saves */
  FILE *pSpool;             /* mapped rows, applied after the fetch */
  sync_budget *pBudget;     /* the parallel sync's spool bound, or NULL */
  int64_t nSpool;           /* bytes in pSpool (counted in pBudget) */
  int bSpoolReady;          /* counted in pBudget->nReady */
  char *zSpoolBuf;          /* one spooled record, written or read */
  size_t nSpoolBuf;
  int msBusy;               /* pmsql's own wait for the write lock (sync_lock.c) */
  const char *zDueSince;    /* pms_sync_due: skip a model synced since then */
  char *zSkip;              /* skipped (another run holds it): why, malloc'd */
  char zHolder[64];         /* the lease this run holds, "" if none */
  int bFetched;             /* the fetch is done (or was never needed) */
  int bDeferred;            /* the lock could not be had: retried at the end */
  int bRetried;             /* it was (reported as "lock_retry") */
  int64_t msApply;          /* the apply's write transaction, begin to commit */
} sync_run;

/* sync_run.c — runs: set-up, bookkeeping (pms_sync_runs, pms_sync_state), commit or roll back, one integration serially */
void sync_fail(sync_run *p, char *zErr /* malloc'd */);
void sync_integration(sqlite3 *db, const char *zDb, const char *zInt,
                      const pms_adapter *pA, const pms_model *pOnly, const char *zMode,
                      const char *zDueSince, pms_str *pOut, int *pnRun, char **pzFail);
int sync_log_skip(sync_run *r);
int sync_prepare(sqlite3 *db, sqlite3_stmt **pp, char *zSql /* sqlite3_mprintf'd */);
int sync_run_apply(sync_run *r, int bLast);
void sync_run_step(sync_run *r, int bLast);
void sync_run_commit(sync_run *r);
void sync_run_free(sync_run *r);
void sync_run_init(sync_run *r, sqlite3 *db, const char *zDb, pms_session *pSess,
                   const pms_adapter_model *pAM, const char *zModeReq);
void sync_run_report(sync_run *r, pms_str *pOut, int *pnRun, char **pzFail);
void sync_set_status(sqlite3 *db, const char *zDb, const char *zInt, const char *zErr, int msBusy);
char *sync_watermark(sqlite3 *db, const char *zDb, const char *zInt, const char *zModel);

/* sync_page.c — paging: page requests, the page callback, parts of per-parent lists */
int sync_partitions(sync_run *p);
void sync_progress(sync_run *p);
void sync_run_fetch(sync_run *r);

/* sync_cache.c — the cache: mapping a record to a row, upsert with change detection and pms_changes events */
void sync_finalize_all(sync_run *p);
int sync_prepare_all(sync_run *p);
int sync_record(sync_run *p, const cJSON *pRec);
int sync_store(sync_run *p);
int sync_indexes_defer(sync_run *p);
int sync_indexes_build(sync_run *p);

/* sync_spool.c — spool files: rows mapped away from the database, applied later */
void sync_run_replay(sync_run *r);
FILE *sync_spool_open(char **pzErr);
int sync_spool_write(sync_run *p);
void sync_budget_init(sync_budget *b, int64_t nMax);
void sync_budget_fetch(sync_run *r, int bEnd);
void sync_budget_park(sync_run *r);
void sync_budget_release(sync_run *r);

/* sync_pool.c — integrations at once: fetch threads and the applying thread */
void sync_each(sqlite3 *db, const char *zDb, char *zSql /* sqlite3_mprintf'd */,
               const pms_model *pOnly, const char *zMode, const char *zDueSince,
               const sync_opts *pOpts, pms_str *pOut, int *pnRun, char **pzFail,
               int64_t *pnSpoolPeak);

void sync_one(sqlite3 *db, const char *zDb, const char *zInt, const pms_adapter *pA,
              const pms_model *pOnly, const char *zMode, const sync_opts *pOpts,
              pms_str *pOut, int *pnRun, char **pzFail, int64_t *pnSpoolPeak);

/* When pms_sync_due finds a row of pms_integrations_store due, as one SQL
** condition (the one place it is written): never synced, or its
** sync_interval_hours (12) passed since the last sync — or, when that sync
** failed, its sync_retry_minutes (30) passed, so one failure at 3 a.m. does
** not leave the cache stale until the next interval. */
#define SYNC_DUE_SQL \
  "(last_sync_at IS NULL OR julianday('now') - julianday(last_sync_at) >= " \
  "min(coalesce(json_extract(options, '$.sync_interval_hours'), 12) / 24.0, " \
  "CASE WHEN last_sync_status='error' " \
  "THEN coalesce(json_extract(options, '$.sync_retry_minutes'), 30) / 1440.0 ELSE 1e9 END))"

/* sync_lock.c — short write transactions that wait for the lock; leases */
int sync_lease_take(sync_run *r);
void sync_lease_release(sync_run *r, int bOwnTx);
int sync_lease_skip_for_parent(sync_run *r, const char *zParent);
char *sync_due_recheck(sqlite3 *db, const char *zDb, const pms_session *pSess);

/* sync_retention.c — old pms_changes and pms_sync_runs rows of an integration */
void sync_retention(sqlite3 *db, const char *zDb, const pms_session *pSess);

#endif /* PMSQL_SYNCINT_H */
