/*
** sync_page.c — reading a model's lists through the HTTP client.
**
** The adapter builds each page request and parses each response; this
** file queues pages (concurrently once the vendor tells the total, a window
** of SYNC_PAGE_WINDOW at a time), checks each page against its total,
** retries hiccups, follows a growing list and reads a shrinking one twice,
** and hands every record to sync_record. Lists served per parent record are
** read as one part per parent. A server cannot hold a run: page counts are
** computed in 64 bits and bounded by max_pages, with or without a total; an
** empty page right after a full one (no total) is asked again once before
** it ends the list, so a hiccup does not cut an incremental run short.
*/
#include "syncint.h"
#include <stdlib.h>
#include <string.h>

static char *sync_http_error(sync_run *p, const pms_response *pResp){
  const char *zV = p->pSess->pAdapter->zVendor;
  if( pResp->status==0 ){
    return pms_mprintf("%s %s: request failed after %d attempt%s: %s", zV, p->pM->zName,
                       pResp->nAttempt, pResp->nAttempt==1 ? "" : "s",
                       pResp->zErr[0] ? pResp->zErr : "transport error");
  }else{
    char *zMsg = p->pSess->pAdapter->xErrorMessage(p->pSess->pAdapter, pResp);
    char *zOut = pms_mprintf("%s %s: HTTP %ld after %d attempt%s%s%s%s%s%s", zV, p->pM->zName,
                             pResp->status, pResp->nAttempt, pResp->nAttempt==1 ? "" : "s",
                             zMsg ? ": " : "", zMsg ? zMsg : "",
                             pResp->zErr[0] ? " (" : "", pResp->zErr, pResp->zErr[0] ? ")" : "");
    free(zMsg);
    return zOut;
  }
}

static int sync_submit_page(sync_run *p, sync_part *pPart, int iPage){
  pms_list_page pg;
  pms_request *r;
  pg.iPage = iPage;
  pg.nPageSize = p->nPageSize;
  pg.zSince = p->zSince;
  pg.zPartition = pPart->zKey;
  r = p->pSess->pAdapter->xListRequest(p->pSess, p->pAM, &pg);
  if( r==0 ){
    sync_fail(p, pms_strdup("out of memory"));
    return SQLITE_NOMEM;
  }
  p->pSess->pAdapter->xAuthorize(p->pSess, r);
  pms_request_set_user(r, pPart, iPage);
  pms_http_submit(p->pSess->pHttp, r);
  pPart->nInFlight++;
  if( iPage>=pPart->nPageNext ) pPart->nPageNext = iPage+1;
  return SQLITE_OK;
}

/* Pages a total of nTotal records needs, in 64 bits; fails the run when
** that is more than max_pages. Returns -1 after a failure. */
static int64_t sync_page_count(sync_run *p, int64_t nTotal){
  int64_t n = nTotal/p->nPageSize + (nTotal%p->nPageSize!=0);
  if( n>p->nMaxPages ){
    sync_fail(p, pms_mprintf("%s %s: the server reports %lld records, %lld pages of %d: more "
                             "than max_pages (%d); raise the option max_pages if that is right",
                             p->pSess->pAdapter->zVendor, p->pM->zName, (long long)nTotal,
                             (long long)n, p->nPageSize, p->nMaxPages));
    return -1;
  }
  return n;
}

/* Queue the part's next pages up to the window (its total is known). */
static int sync_queue_window(sync_run *p, sync_part *pPart){
  while( pPart->nPageNext < pPart->nPageExpected && pPart->nInFlight < SYNC_PAGE_WINDOW ){
    if( sync_submit_page(p, pPart, pPart->nPageNext) ) return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

/* When stderr is a terminal, one line per model, rewritten as pages come. */
void sync_progress(sync_run *p){
  int64_t ms;
  if( !p->bProgress ) return;
  ms = pms_now_ms() - p->tStart;
  fprintf(stderr, "\rpmsql sync %s %s: %d page%s, %d records",
          p->pSess->zIntegration, p->pM->zName, p->nPages, p->nPages==1 ? "" : "s", p->nFetched);
  if( p->nTotal>0 ) fprintf(stderr, " of %lld", (long long)p->nTotal);
  if( ms>0 ) fprintf(stderr, ", %.0f records/s", 1000.0*p->nFetched/ms);
  fprintf(stderr, "   ");
  fflush(stderr);
}

/* Let go of a page's tree: the arena's is reset, cJSON's deleted. */
static void sync_page_drop(sync_run *p, cJSON *pRoot){
  if( pms_json_arena_owns(p->pArena, pRoot) ) pms_json_arena_reset(p->pArena);
  else cJSON_Delete(pRoot);
}

/* The run's arena for page trees, made on the first page (NULL if out of
** memory: cJSON parses then). */
static pms_json_arena *sync_page_arena(sync_run *p){
  if( p->pArena==0 ) p->pArena = pms_json_arena_new();
  return p->pArena;
}

/* The adapter parses the page; pms_response_json puts the tree in the
** run's arena. */
static int sync_list_parse(sync_run *p, pms_response *pResp, pms_list_result *pLr, char **pzErr){
  pResp->pArena = sync_page_arena(p);
  return p->pSess->pAdapter->xListParse(p->pSess, p->pAM, pResp, pLr, pzErr);
}

static int sync_on_page(void *pArg, pms_request *r, pms_response *pResp){
  sync_run *p = (sync_run*)pArg;
  pms_list_result lr;
  char *zErr = 0;
  int iPage, n, i;
  const cJSON *pItem;
  sync_part *pPart = (sync_part*)pms_request_user(r, &iPage);
  if( pResp->status==401 && pms_session_reauthorize(p->pSess, r, &zErr)==SQLITE_OK ){
    return PMS_HTTP_RETRY;      /* the vendor's token expired: logged in again */
  }
  if( zErr ){
    sync_fail(p, pms_mprintf("%s %s: HTTP 401, and logging in again failed: %s",
                             p->pSess->pAdapter->zVendor, p->pM->zName, zErr));
    free(zErr);
    return PMS_HTTP_STOP;
  }
  memset(&lr, 0, sizeof(lr));
  lr.nTotal = -1;
  if( pResp->status && pResp->status==p->pSess->pAdapter->iEmptyListStatus ){
    lr.nTotal = 0;              /* the vendor's way of saying "no rows" */
  }else if( pResp->status==404 && pPart->zKey ){
    lr.nTotal = 0;              /* a list per parent: the parent is gone since
                                ** it was synced, so nothing is under it */
  }else if( pResp->status<200 || pResp->status>=300 ){
    sync_fail(p, sync_http_error(p, pResp));
    return PMS_HTTP_STOP;
  }else if( sync_list_parse(p, pResp, &lr, &zErr) ){
    sync_page_drop(p, lr.pRoot);
    if( pResp->nAttempt < (int)pms_option_number(p->pSess, "max_attempts", 4) ){
      free(zErr);
      return PMS_HTTP_RETRY;
    }
    sync_fail(p, pms_mprintf("%s %s page %d: %s (after %d attempts)", p->pSess->pAdapter->zVendor,
                             p->pM->zName, iPage+1, zErr ? zErr : "unreadable response", pResp->nAttempt));
    free(zErr);
    return PMS_HTTP_STOP;
  }
  n = cJSON_GetArraySize(lr.pItems);
  /* A page shorter than its own total promises (an empty page in the middle,
  ** a last page cut short) is a vendor hiccup: ask again rather than lose
  ** records. Records deleted meanwhile lower the page's total too, so they
  ** do not trip this. */
  {
    int64_t nLeft = lr.nTotal - (int64_t)iPage*p->nPageSize;
    int64_t nExpect = nLeft < p->nPageSize ? nLeft : p->nPageSize;
    if( lr.nTotal>=0 && n<nExpect ){
      sync_page_drop(p, lr.pRoot);
      if( pResp->nAttempt < (int)pms_option_number(p->pSess, "max_attempts", 4) ) return PMS_HTTP_RETRY;
      sync_fail(p, pms_mprintf("%s %s page %d: %d records where %lld were expected (after %d attempts)",
                               p->pSess->pAdapter->zVendor, p->pM->zName, iPage+1, n,
                               (long long)nExpect, pResp->nAttempt));
      return PMS_HTTP_STOP;
    }
  }
  pPart->nInFlight--;            /* this page is taken */
  if( lr.nTotal<0 && n==0 && iPage>0 && !lr.bLast && pPart->iReasked!=iPage ){
    /* an empty page right after a full one: a hiccup as often as the end
    ** (taken as the end, an incremental run would move its watermark past
    ** records it never read); ask once more */
    pPart->iReasked = iPage;
    sync_page_drop(p, lr.pRoot);
    return sync_submit_page(p, pPart, iPage) ? PMS_HTTP_STOP : PMS_HTTP_OK;
  }
  p->nPages++;
  i = 0;
  {
    /* the raw text of each record, when the body is the array itself:
    ** noted by the arena's parse, else found by a scan */
    const char *const *azRaw = 0;
    const size_t *anRaw = 0;
    const char **azScan = 0;
    size_t *anScan = 0;
    int nRaw = -1;
    if( lr.pItems==lr.pRoot && n>0 && pResp->zBody ){
      if( pms_json_arena_owns(p->pArena, lr.pRoot) ){
        nRaw = pms_json_arena_spans(p->pArena, &azRaw, &anRaw);
      }else{
        azScan = malloc(sizeof(char*)*n);
        anScan = malloc(sizeof(size_t)*n);
        if( azScan && anScan ) nRaw = pms_json_array_slices(pResp->zBody, pResp->nBody, azScan, anScan, n);
        azRaw = azScan;
        anRaw = anScan;
      }
    }
    p->zPartKey = pPart->zParentX ? pPart->zParentX : pPart->zKey;
    cJSON_ArrayForEach(pItem, lr.pItems){
      p->zRaw = nRaw==n ? azRaw[i] : 0;
      p->nRaw = nRaw==n ? anRaw[i] : 0;
      if( sync_record(p, pItem) ){
        p->zRaw = 0;
        p->zPartKey = 0;
        free(azScan); free(anScan);
        sync_page_drop(p, lr.pRoot);
        return PMS_HTTP_STOP;
      }
      i++;
    }
    p->zRaw = 0;
    p->zPartKey = 0;
    free(azScan); free(anScan);
  }
  p->nFetched += i;
  if( lr.nTotal>=0 && lr.nTotal<pPart->nTotal ) pPart->bShrunk = p->bShrunk = 1;
  if( lr.nTotal>pPart->nTotal ) pPart->nTotal = lr.nTotal;
  if( lr.nTotal>=0 && lr.nTotal>p->nTotal ) p->nTotal = lr.nTotal;
  sync_progress(p);
  if( lr.nTotal>=0 ){
    /* known total: pages go concurrently, a window at a time; records
    ** added while we read (ordered by a unique key ascending, they land at
    ** the end) raise the total, and the pages it now needs follow */
    int64_t nPages = sync_page_count(p, lr.nTotal);
    if( nPages<0 ){ sync_page_drop(p, lr.pRoot); return PMS_HTTP_STOP; }
    if( !pPart->bPagesQueued ){
      pPart->bPagesQueued = 1;
      pPart->nPageExpected = (int)nPages;
    }else if( nPages>pPart->nPageExpected ){
      pPart->nPageExpected = (int)nPages;
    }
    if( sync_queue_window(p, pPart) ){ sync_page_drop(p, lr.pRoot); return PMS_HTTP_STOP; }
  }else if( !pPart->bPagesQueued && (lr.bMore || (!lr.bLast && n>=p->nPageSize)) ){
    if( iPage+1>=p->nMaxPages ){
      sync_fail(p, pms_mprintf("%s %s: the list has not ended after max_pages (%d) pages of %d "
                               "and gives no total; raise the option max_pages if it is that long",
                               p->pSess->pAdapter->zVendor, p->pM->zName, p->nMaxPages, p->nPageSize));
      sync_page_drop(p, lr.pRoot);
      return PMS_HTTP_STOP;
    }
    if( sync_submit_page(p, pPart, iPage+1) ){ sync_page_drop(p, lr.pRoot); return PMS_HTTP_STOP; }
  }
  sync_page_drop(p, lr.pRoot);
  return PMS_HTTP_OK;
}

/* The parts of a run's list: one, or one per synced record of the parent
** model (pms_adapter_model.zPartition), read from the cache. A parent never
** synced is an error: its list cannot be read yet — unless another run is
** syncing it now, when the run is skipped (SQLITE_DONE). */
int sync_partitions(sync_run *p){
  const char *zParent = p->pAM->zPartition;
  const pms_model *pPM;
  sqlite3_stmt *pStmt = 0;
  char *zWm;
  int rc;
  if( zParent==0 ){
    p->aPart = calloc(1, sizeof(sync_part));
    if( p->aPart==0 ){ sync_fail(p, pms_strdup("out of memory")); return SQLITE_NOMEM; }
    p->aPart[0].nPageExpected = -1;
    p->aPart[0].iReasked = -1;
    p->nPart = 1;
    return SQLITE_OK;
  }
  pPM = pms_model_find(zParent);
  zWm = pPM ? sync_watermark(p->db, p->zDb, p->pSess->zIntegration, zParent) : 0;
  if( zWm==0 && pPM && sync_lease_skip_for_parent(p, zParent) ) return SQLITE_DONE;
  if( zWm==0 ){
    sync_fail(p, pms_mprintf("%s serves %s per %s: sync %s first",
                             p->pSess->pAdapter->zVendor, p->pM->zName, zParent, zParent));
    return SQLITE_ERROR;
  }
  free(zWm);
  /* with a partition_key, the list is keyed by a value of the parent's
  ** vendor record (a work order's Task.Id), not by its id; a parent
  ** without one has nothing under it */
  rc = sync_prepare(p->db, &pStmt, sqlite3_mprintf(
      "SELECT %s, x_id FROM \"%w\".\"%w_cache\" WHERE integration_id=?1 ORDER BY x_id",
      p->pAM->zPartitionKey ? "json_extract(remote_data, ?2)" : "x_id", p->zDb, zParent));
  if( rc==SQLITE_OK ){
    char *zJsonPath = p->pAM->zPartitionKey ? pms_json_path_sql(p->pAM->zPartitionKey) : 0;
    sqlite3_bind_text(pStmt, 1, p->pSess->zIntegration, -1, SQLITE_STATIC);
    if( zJsonPath ) sqlite3_bind_text(pStmt, 2, zJsonPath, -1, free);
    else if( p->pAM->zPartitionKey ) rc = SQLITE_NOMEM;
    while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
      sync_part *aNew;
      const char *zKey = (const char*)sqlite3_column_text(pStmt, 0);
      if( zKey==0 || *zKey==0 ) continue;
      aNew = realloc(p->aPart, sizeof(sync_part)*(size_t)(p->nPart+1));
      if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
      p->aPart = aNew;
      memset(&aNew[p->nPart], 0, sizeof(sync_part));
      aNew[p->nPart].nPageExpected = -1;
      aNew[p->nPart].iReasked = -1;
      aNew[p->nPart].zKey = pms_strdup(zKey);
      if( p->pAM->zPartitionKey ){
        aNew[p->nPart].zParentX = pms_strdup((const char*)sqlite3_column_text(pStmt, 1));
        if( aNew[p->nPart].zParentX==0 ){ p->nPart++; rc = SQLITE_NOMEM; break; }
      }
      if( aNew[p->nPart++].zKey==0 ){ rc = SQLITE_NOMEM; break; }
    }
    if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
    else sqlite3_finalize(pStmt);
  }
  if( rc ) sync_fail(p, pms_mprintf("cannot read the %s to sync %s by: %s", zParent, p->pM->zName,
                                    sqlite3_errmsg(p->db)));
  return rc;
}

/* Read the model's lists: the first page of every part at once (the client
** runs them concurrently within the vendor's limits), the rest as totals
** allow; each record goes to sync_record. No database access of its own
** when the run spools (a parallel sync's fetch thread). */
void sync_run_fetch(sync_run *r){
  pms_http_stats st0, st1;
  int i, rc = SQLITE_OK, nLeft;
  pms_http_get_stats(r->pSess->pHttp, &st0);
  for(i=0; rc==SQLITE_OK && i<r->nPart; i++) rc = sync_submit_page(r, &r->aPart[i], 0);
  if( rc==SQLITE_OK && r->nPart>0 ){
    nLeft = pms_http_run(r->pSess->pHttp, sync_on_page, r);
    if( r->zErr==0 && nLeft ) r->zErr = pms_strdup("sync stopped with requests outstanding");
  }
  if( rc==SQLITE_OK && r->zErr==0 && r->bShrunk ){
    /* Records were deleted while the pages were read: with offset paging
    ** the rest moved down, and one may have slipped onto a page already
    ** read. Read the list once more (in the same savepoint), so every
    ** record that exists is seen by this run. */
    r->bRepass = 1;
    r->bShrunk = 0;
    for(i=0; rc==SQLITE_OK && i<r->nPart; i++){
      sync_part *pPart = &r->aPart[i];
      if( !pPart->bShrunk ) continue;
      pPart->bShrunk = 0;
      pPart->bPagesQueued = 0;
      pPart->nPageExpected = -1;
      pPart->nPageNext = pPart->nInFlight = 0;
      pPart->iReasked = -1;
      pPart->nTotal = 0;
      rc = sync_submit_page(r, pPart, 0);
    }
    if( rc==SQLITE_OK ){
      nLeft = pms_http_run(r->pSess->pHttp, sync_on_page, r);
      if( r->zErr==0 && nLeft ) r->zErr = pms_strdup("sync stopped with requests outstanding");
    }
  }
  pms_json_arena_free(r->pArena);     /* the pages are read: memory back now, */
  r->pArena = 0;                      /* not when the run is reported */
  pms_http_get_stats(r->pSess->pHttp, &st1);
  r->st.nRequest = st1.nRequest - st0.nRequest;
  r->st.nRetry = st1.nRetry - st0.nRetry;
}
