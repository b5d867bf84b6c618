/*
** write.c — the write pipeline: staged rows to PMS requests and back.
**
** The model tables stage every INSERT/UPDATE row here after validating it
** (vtab.c): nothing is sent while a statement or transaction runs. At commit
** (the tables' xSync) the batch is sent: per integration, one session, the
** writes concurrently within the vendor's rate limit; each write is an
** adapter-driven sequence of requests (a read-before-write where the vendor
** replaces whole records). Every write is journaled ('sent' before its
** first mutating request leaves, then its outcome) and the commit fails,
** naming each failed row with the PMS's message, if any PMS rejected one.
** Savepoints drop the rows staged after them, so a failing statement inside
** a transaction sends nothing of itself.
**
** The cache is never changed by a write: the PMS is the source of truth.
** With refresh-after-write on, the record the PMS returns (or re-reads) is
** put into the cache like a sync would, with a pms_changes row — once every
** request of the batch is done, so the cache writes come after the network.
*/
#include "pmsql.h"
#include <stdlib.h>
#include <string.h>

void pms_write_free(pms_write *w){
  if( w==0 ) return;
  free(w->zIntegration);
  free(w->zVendor);
  free(w->zRecordId);
  free(w->zXId);
  cJSON_Delete(w->pFields);
  cJSON_Delete(w->pStripped);
  free(w->zCachedRemote);
  cJSON_Delete(w->pCurrent);
  cJSON_Delete(w->pLookup);
  free(w->zMethod);
  free(w->zUrl);
  free(w->zPayload);
  free(w->zMessage);
  free(w->zCreatedXId);
  cJSON_Delete(w->pResult);
  free(w);
}

void pms_write_discard(pms_conn *p){
  int i;
  for(i=0; i<p->nWrite; i++) pms_write_free(p->apWrite[i]);
  p->nWrite = 0;
}

void pms_write_conn_cleanup(pms_conn *p){
  pms_write_discard(p);
  free(p->apWrite);
  p->apWrite = 0;
  p->nWriteAlloc = 0;
  if( p->pJournal ) sqlite3_close(p->pJournal);
  p->pJournal = 0;
  free(p->zJournalPath);
  p->zJournalPath = 0;
}

int pms_write_stage(pms_conn *p, pms_write *w, char **pzErr){
  /* a write from a trigger is refused by pmsql's authorizer; without it
  ** installed, nothing can tell, so nothing is written */
  int rc = pms_conn_guard(p, pzErr);
  if( rc ) return rc;
  if( p->nWrite>=p->nWriteAlloc ){
    int n = p->nWriteAlloc ? p->nWriteAlloc*2 : 64;
    pms_write **a = realloc(p->apWrite, sizeof(pms_write*)*n);
    if( a==0 ){ *pzErr = pms_strdup("out of memory"); return SQLITE_NOMEM; }
    p->apWrite = a;
    p->nWriteAlloc = n;
  }
  p->apWrite[p->nWrite++] = w;
  return SQLITE_OK;
}

void pms_write_savepoint(pms_conn *p, int i){
  if( i>=0 && i<(int)(sizeof(p->aMark)/sizeof(p->aMark[0])) ) p->aMark[i] = p->nWrite;
}

void pms_write_rollback_to(pms_conn *p, int i){
  if( i>=0 && i<(int)(sizeof(p->aMark)/sizeof(p->aMark[0])) ){
    while( p->nWrite>p->aMark[i] ) pms_write_free(p->apWrite[--p->nWrite]);
  }
}

/* ----------------------------------------------------------- sending */

typedef struct write_run {
  pms_conn *pConn;
  sqlite3 *db;
  const char *zDb;
  pms_session *pSess;
  int bRefresh;
  pms_str errs;
  int nFailed;
} write_run;

static int write_is_mutating(const pms_request *r){
  return strcmp(pms_request_method(r), "GET")!=0;
}

/* The request as journaled: method, the URL without the base, the body. */
static void write_note_request(write_run *pR, pms_write *w, const pms_request *r){
  const char *zUrl = pms_request_url(r);
  size_t nBase = strlen(pR->pSess->zBaseUrl);
  free(w->zMethod); free(w->zUrl); free(w->zPayload);
  w->zMethod = pms_strdup(pms_request_method(r));
  w->zUrl = pms_strdup(strncmp(zUrl, pR->pSess->zBaseUrl, nBase)==0 ? zUrl + nBase : zUrl);
  w->zPayload = pms_request_payload(r) ? pms_strdup(pms_request_payload(r)) : 0;
}

static void write_fail_note(write_run *pR, pms_write *w){
  if( w->zStatus && strcmp(w->zStatus, "succeeded")==0 ) return;
  pR->nFailed++;
  if( pR->errs.n<4000 ){
    pms_str_appendf(&pR->errs, "%s%s %s %s %s: %s%s", pR->errs.n ? "; " : "",
                    w->zVendor, w->pModel->zName, w->zOp,
                    w->zRecordId ? w->zRecordId : "(new)",
                    w->httpStatus ? "" : "",
                    w->zMessage ? w->zMessage : w->zStatus);
  }
}

/* Submit a write's next request, journaling it first when it changes data. */
static void write_submit(write_run *pR, pms_write *w, pms_request *r){
  if( write_is_mutating(r) ){
    write_note_request(pR, w, r);
    w->zStatus = "sent";
    pms_journal_record(pR->pConn, w);
  }
  pR->pSess->pAdapter->xAuthorize(pR->pSess, r);
  pms_request_set_user(r, w, 0);
  pms_http_submit(pR->pSess->pHttp, r);
}

/* A refresh that failed: the write stands; the journal says why. */
static void write_refresh_note(pms_write *w, char *zErr /* malloc'd */){
  char *z = pms_mprintf("%s%s(refresh after write failed: %s)", w->zMessage ? w->zMessage : "",
                        w->zMessage ? " " : "", zErr);
  free(w->zMessage);
  w->zMessage = z;
  free(zErr);
}

/* Refresh after write, network half: re-read the record when the PMS did
** not return it. The cache half (write_refresh_put) waits until every
** request of the batch is done. */
static void write_refresh_fetch(write_run *pR, pms_write *w){
  const pms_adapter *pA = pR->pSess->pAdapter;
  const pms_adapter_model *pAM = pms_adapter_model_find(pA, w->pModel->zName);
  char *zErr = 0;
  if( pAM==0 || w->pResult ) return;
  if( pA->xGetRequest && pA->xGetParse && (w->zXId || w->zCreatedXId) ){
    cJSON *pCached = w->zCachedRemote ? cJSON_Parse(w->zCachedRemote) : 0;
    pms_request *r = pA->xGetRequest(pR->pSess, pAM, w->zXId ? w->zXId : w->zCreatedXId, pCached);
    pms_response resp;
    cJSON_Delete(pCached);
    if( r ){
      pA->xAuthorize(pR->pSess, r);
      pms_http_perform(pR->pSess->pHttp, r, &resp);
      if( resp.status==200 ){
        w->pResult = pA->xGetParse(pR->pSess, pAM, &resp, w->zXId ? w->zXId : w->zCreatedXId, &zErr);
      }
      pms_response_clear(&resp);
    }
  }
  if( zErr ) write_refresh_note(w, zErr);
}

/* Refresh after write, cache half: the record into the cache like a sync
** would. A failure leaves the write standing and says so in the journal. */
static void write_refresh_put(write_run *pR, pms_write *w){
  const pms_adapter_model *pAM = pms_adapter_model_find(pR->pSess->pAdapter, w->pModel->zName);
  char *zErr = 0;
  if( pAM==0 ) return;
  if( w->pResult && pms_cache_put(pR->db, pR->zDb, pR->pSess, pAM, w->pResult, 1, &zErr)==SQLITE_OK ){
    return;
  }
  if( zErr ){
    write_refresh_note(w, zErr);
    pms_journal_record(pR->pConn, w);
  }
}

static void write_finish(write_run *pR, pms_write *w){
  if( w->zStatus==0 || strcmp(w->zStatus, "sent")==0 ) w->zStatus = "failed";
  if( strcmp(w->zStatus, "succeeded")==0 && pR->bRefresh ) write_refresh_fetch(pR, w);
  pms_journal_record(pR->pConn, w);
  write_fail_note(pR, w);
}

static int write_on_response(void *pArg, pms_request *r, pms_response *pResp){
  write_run *pR = (write_run*)pArg;
  pms_write *w = (pms_write*)pms_request_user(r, 0);
  const pms_adapter *pA = pR->pSess->pAdapter;
  const pms_adapter_model *pAM = pms_adapter_model_find(pA, w->pModel->zName);
  pms_request *pNext;
  char *zErr = 0;
  if( write_is_mutating(r) ) w->nAttempt = pResp->nAttempt;
  if( pResp->status==401 && pms_session_reauthorize(pR->pSess, r, &zErr)==SQLITE_OK ){
    return PMS_HTTP_RETRY;     /* the token expired: logged in again, same request */
  }
  free(zErr);
  if( pResp->status==0 ){
    /* no answer: a read failed cleanly; a mutation may or may not have happened */
    int bMut = write_is_mutating(r);
    w->zStatus = bMut ? "unknown" : "failed";
    free(w->zMessage);
    w->zMessage = pms_mprintf("%s after %d attempt%s: %s", bMut
                              ? "no answer from the PMS (the write may or may not have happened; check before retrying)"
                              : "cannot read the current record", pResp->nAttempt,
                              pResp->nAttempt==1 ? "" : "s", pResp->zErr);
    write_finish(pR, w);
    return PMS_HTTP_OK;
  }
  pNext = pA->xWriteStep(pR->pSess, pAM, w, pResp);
  if( pNext ){
    write_submit(pR, w, pNext);
  }else{
    write_finish(pR, w);
  }
  return PMS_HTTP_OK;
}

/* Send the writes of one integration (indexes aiW into p->apWrite). */
static void write_send_integration(write_run *pR, pms_write **apW, int nW){
  pms_conn *p = pR->pConn;
  pms_session sess;
  const pms_adapter_model *pAM;
  char *zErr = 0;
  int i, bDry = pms_conn_flag(p, PMS_FLAG_DRY_RUN);
  int rc = pms_session_open(pR->db, pR->zDb, apW[0]->zIntegration, &sess, &zErr);
  if( rc==SQLITE_OK && !bDry && sess.pAdapter->xOpen ) rc = sess.pAdapter->xOpen(&sess, &zErr);
  if( rc ){
    for(i=0; i<nW; i++){
      apW[i]->zStatus = "failed";
      apW[i]->zMessage = pms_strdup(zErr ? zErr : "cannot open the integration");
      pms_journal_record(p, apW[i]);
      write_fail_note(pR, apW[i]);
    }
    free(zErr);
    if( rc!=SQLITE_NOMEM && sess.pHttp ) pms_session_close(&sess);
    return;
  }
  pR->pSess = &sess;
  pR->bRefresh = p->aFlag[PMS_FLAG_REFRESH]>=0 ? p->aFlag[PMS_FLAG_REFRESH]
               : cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sess.pOptions, "refresh_after_write"));
  for(i=0; i<nW; i++){
    pms_write *w = apW[i];
    pms_request *r;
    pAM = pms_adapter_model_find(sess.pAdapter, w->pModel->zName);
    zErr = 0;
    r = sess.pAdapter->xWriteBegin(&sess, pAM, w, bDry, &zErr);
    if( bDry ){
      w->zStatus = r ? "dry_run" : "failed";
      if( r ) write_note_request(pR, w, r);
      else w->zMessage = zErr ? zErr : pms_strdup("the adapter could not build the request");
      zErr = 0;
      pms_request_free(r);
      pms_journal_record(p, w);
      if( strcmp(w->zStatus, "failed")==0 ) write_fail_note(pR, w);
      continue;
    }
    if( r==0 ){
      w->zStatus = "failed";
      w->zMessage = zErr ? zErr : pms_strdup("the adapter could not build the request");
      zErr = 0;
      pms_journal_record(p, w);
      write_fail_note(pR, w);
      continue;
    }
    write_submit(pR, w, r);
  }
  if( !bDry ) pms_http_run(sess.pHttp, write_on_response, pR);
  /* the network is done: now the refreshed records into the cache */
  for(i=0; !bDry && pR->bRefresh && i<nW; i++){
    if( apW[i]->zStatus && strcmp(apW[i]->zStatus, "succeeded")==0 ) write_refresh_put(pR, apW[i]);
  }
  pR->pSess = 0;
  pms_session_close(&sess);
}

int pms_write_send(pms_conn *p, const char *zDb, char **pzErr){
  write_run run;
  int i, j, nTotal = p->nWrite;
  pms_write **apDone;
  int rc = SQLITE_OK;
  if( p->nWrite==0 || p->bSending ) return SQLITE_OK;
  rc = pms_journal_open(p, zDb, pzErr);
  if( rc ){ pms_write_discard(p); return rc; }
  memset(&run, 0, sizeof(run));
  run.pConn = p;
  run.db = p->db;
  run.zDb = zDb;
  p->bSending = 1;
  /* take the batch: what is staged from here on is a new batch */
  apDone = p->apWrite;
  p->apWrite = 0;
  p->nWrite = p->nWriteAlloc = 0;
  for(i=0; i<nTotal; i++){
    pms_write **apGroup;
    int nGroup = 0;
    if( apDone[i]==0 ) continue;
    apGroup = malloc(sizeof(pms_write*)*(nTotal - i));
    if( apGroup==0 ){ rc = SQLITE_NOMEM; break; }
    for(j=i; j<nTotal; j++){
      if( apDone[j] && strcmp(apDone[j]->zIntegration, apDone[i]->zIntegration)==0 ){
        apGroup[nGroup++] = apDone[j];
      }
    }
    write_send_integration(&run, apGroup, nGroup);
    for(j=0; j<nGroup; j++){
      int k;
      for(k=i; k<nTotal; k++) if( apDone[k]==apGroup[j] ){ pms_write_free(apDone[k]); apDone[k] = 0; }
    }
    free(apGroup);
  }
  for(i=0; i<nTotal; i++) pms_write_free(apDone[i]);
  free(apDone);
  p->bSending = 0;
  if( rc==SQLITE_OK && run.nFailed ){
    *pzErr = pms_mprintf("pmsql: %d of %d write%s failed: %s", run.nFailed, nTotal,
                         nTotal==1 ? "" : "s", run.errs.z ? run.errs.z : "");
    rc = SQLITE_ERROR;
  }
  pms_str_reset(&run.errs);
  return rc;
}

/* ----------------------------------------------------- pms_refresh() */

/* pms_refresh(model, id): re-read one record from its PMS into the cache. */
static void refresh_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  const char *zWhy = 0;
  const char *zDb = pms_find_schema_err(db, &zWhy);
  const pms_model *pM = pms_model_find((const char*)sqlite3_value_text(argv[0]));
  const char *zId = (const char*)sqlite3_value_text(argv[1]);
  sqlite3_stmt *pStmt = 0;
  char *zSql, *zInt = 0, *zX = 0, *zErr = 0;
  cJSON *pCached = 0;
  pms_session sess;
  const pms_adapter_model *pAM;
  (void)argc;
  if( zDb==0 ){
    zErr = pms_mprintf("pms_refresh: %s", zWhy);
    goto fail;
  }
  if( pM==0 ){
    zErr = pms_mprintf("pms_refresh: unknown model '%s'", sqlite3_value_text(argv[0]));
    goto fail;
  }
  zSql = sqlite3_mprintf("SELECT integration_id, x_id, remote_data FROM \"%w\".\"%w_cache\" WHERE id=?1",
                         zDb, pM->zName);
  if( zSql && sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0)==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, zId, -1, SQLITE_STATIC);
    if( sqlite3_step(pStmt)==SQLITE_ROW ){
      zInt = pms_strdup((const char*)sqlite3_column_text(pStmt, 0));
      zX = pms_strdup((const char*)sqlite3_column_text(pStmt, 1));
      if( sqlite3_column_type(pStmt, 2)==SQLITE_TEXT ){
        pCached = cJSON_Parse((const char*)sqlite3_column_text(pStmt, 2));   /* what the vendor sent */
      }
    }
  }
  sqlite3_finalize(pStmt);
  sqlite3_free(zSql);
  if( zInt==0 ){
    zErr = pms_mprintf("pms_refresh: no %s row with id '%s' in the cache (it re-reads records "
                       "pms_sync has brought in)", pM->zName, zId ? zId : "");
    goto fail;
  }
  if( pms_session_open(db, zDb, zInt, &sess, &zErr) ) goto fail;
  pAM = pms_adapter_model_find(sess.pAdapter, pM->zName);
  if( pAM==0 || sess.pAdapter->xGetRequest==0 ){
    zErr = pms_mprintf("pms_refresh: %s cannot read one %s record", sess.pAdapter->zVendor, pM->zName);
  }else if( sess.pAdapter->xOpen==0 || sess.pAdapter->xOpen(&sess, &zErr)==SQLITE_OK ){
    pms_request *r = sess.pAdapter->xGetRequest(&sess, pAM, zX, pCached);
    pms_response resp;
    cJSON *pRec = 0;
    memset(&resp, 0, sizeof(resp));
    if( r ){
      sess.pAdapter->xAuthorize(&sess, r);
      pms_http_perform(sess.pHttp, r, &resp);
    }else{
      /* the adapter has no single-record read for this model */
      zErr = pms_mprintf("pms_refresh: %s cannot read one %s record", sess.pAdapter->zVendor, pM->zName);
    }
    if( resp.status==200 ){
      pRec = sess.pAdapter->xGetParse(&sess, pAM, &resp, zX, &zErr);
      if( pRec ){
        /* the network is done: one short write transaction (sync_lock.c) */
        int bOwn, msBusy = pms_busy_budget(db, &sess);
        int rc = pms_tx_begin(db, msBusy, &bOwn);
        if( rc==SQLITE_BUSY ) zErr = pms_strdup("pms_refresh: database is locked by another connection");
        else if( rc ) zErr = pms_mprintf("pms_refresh: %s", sqlite3_errmsg(db));
        else{
          rc = pms_cache_put(db, zDb, &sess, pAM, pRec, 1, &zErr);
          if( pms_tx_end(db, bOwn, rc==SQLITE_OK, msBusy) && zErr==0 ){
            zErr = pms_strdup("pms_refresh: database is locked by another connection");
          }
        }
      }
      cJSON_Delete(pRec);
    }else if( zErr==0 ){
      char *zMsg = resp.status ? sess.pAdapter->xErrorMessage(sess.pAdapter, &resp) : 0;
      zErr = pms_mprintf("pms_refresh: %s %s %s: %s%ld%s%s", sess.pAdapter->zVendor, pM->zName, zX,
                         resp.status ? "HTTP " : "", resp.status, resp.status ? "" : resp.zErr,
                         zMsg ? zMsg : "");
      free(zMsg);
    }
    pms_response_clear(&resp);
  }
  pms_session_close(&sess);
  if( zErr ) goto fail;
  sqlite3_result_text(ctx, zId, -1, SQLITE_TRANSIENT);
  free(zInt); free(zX); cJSON_Delete(pCached);
  return;
fail:
  sqlite3_result_error(ctx, zErr ? zErr : "pms_refresh failed", -1);
  free(zErr); free(zInt); free(zX); cJSON_Delete(pCached);
}

int pms_write_functions_register(sqlite3 *db, pms_conn *p){
  (void)p;
  return sqlite3_create_function_v2(db, "pms_refresh", 2, SQLITE_UTF8|SQLITE_DIRECTONLY,
                                    0, refresh_func, 0, 0, 0);
}
