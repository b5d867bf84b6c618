/*
** http_host.c — the connections to one host, shared by every client.
**
** A host is scheme://host:port of a client's base URL. Each host has one
** transfer thread with one curl multi handle; every client of that host
** (each integration's sync, write batch or one-off request, in whatever
** thread) queues its requests here and the thread runs them. So:
**  - the host's connection cap holds across all its clients: at most nCap
**    transfers run at once, and curl's own per-host limit on the multi
**    handle keeps the open connections (idle ones included) within it too;
**    a connection is handed from one client's transfer to the next without
**    being closed, so no second connection is opened meanwhile;
**  - the cap is the smallest that any attached client was configured with
**    (option host_connections, default the vendor's manifest connections):
**    an integration that says its host allows 2 is believed;
**  - free connections go round-robin: each start goes to the next client
**    in the ring that has a request ready, so an account with 100,000
**    records queued gets one turn in k, not the host, while k others wait;
**  - each client's own limits still hold at the start: its max_connections
**    (its running transfers) and its rate window (http_rate_wait), and a
**    retry's back-off (tNotBefore).
** The caller's thread keeps everything else (callbacks, retries, parsing):
** the host thread hands each finished transfer back on the client's pDone
** and signals it. The thread outlives its last client by HTTP_HOST_LINGER_MS
** with its idle connections, so the next integration of a sync (or the next
** call) reuses them: closing them and opening new ones at once could, for
** a moment, have the server count both.
*/
#include "httpint.h"
#include <stdlib.h>
#include <string.h>

pthread_mutex_t httpHostMutex = PTHREAD_MUTEX_INITIALIZER;

#define HTTP_HOST_LINGER_MS 2000

struct http_host {
  char *zKey;               /* scheme://host:port */
  int nRef;                 /* clients attached */
  int nCap;                 /* transfers at once: the smallest client cap */
  int nCapSet;              /* the cap the multi handle was last given */
  int nRunning;
  pms_http *pRing;          /* the client whose turn is next */
  CURLM *pMulti;
  pthread_t thread;
  int64_t tIdle;            /* when its last client left (nRef 0) */
  http_host *pNext;
};

static http_host *pHttpHosts = 0;

/* scheme://host:port of a URL (the port spelled out), or "" when it has
** none: clients without a base URL share one anonymous host. */
static char *http_host_key(const char *zUrl){
  CURLU *pU = zUrl ? curl_url() : 0;
  char *zScheme = 0, *zHost = 0, *zPort = 0, *zKey = 0;
  if( pU && curl_url_set(pU, CURLUPART_URL, zUrl, 0)==CURLUE_OK ){
    curl_url_get(pU, CURLUPART_SCHEME, &zScheme, 0);
    curl_url_get(pU, CURLUPART_HOST, &zHost, 0);
    curl_url_get(pU, CURLUPART_PORT, &zPort, CURLU_DEFAULT_PORT);
  }
  if( zScheme && zHost ){
    char *z;
    zKey = pms_mprintf("%s://%s:%s", zScheme, zHost, zPort ? zPort : "");
    for(z=zKey; z && *z; z++) if( *z>='A' && *z<='Z' ) *z += 'a'-'A';   /* names are case-blind */
  }else{
    zKey = pms_strdup("");
  }
  curl_free(zScheme); curl_free(zHost); curl_free(zPort);
  curl_url_cleanup(pU);
  return zKey;
}

static int http_client_cap(const pms_http *h){
  return h->cfg.hostConnections>0 ? h->cfg.hostConnections : h->cfg.maxConnections;
}

/* The host's cap: the smallest of its clients'. Caller holds the lock. */
static void http_host_recap(http_host *pH){
  pms_http *c = pH->pRing;
  int n = 0;
  if( c ) do{
    if( n==0 || http_client_cap(c)<n ) n = http_client_cap(c);
    c = c->pHostNext;
  }while( c!=pH->pRing );
  if( n>0 ) pH->nCap = n;
}

/* A finished (or never started) transfer back to its client. */
static void http_host_done(pms_http *c, pms_request *r){
  r->pNext = 0;
  if( c->pDone ) c->pDoneTail->pNext = r;
  else c->pDone = r;
  c->pDoneTail = r;
  pthread_cond_signal(&c->cv);
}

static void http_host_unrun(http_host *pH, pms_http *c, pms_request *r){
  int i;
  for(i=0; i<c->nActive && c->apActive[i]!=r; i++){}
  if( i<c->nActive ) c->apActive[i] = c->apActive[--c->nActive];
  pH->nRunning--;
}

/* Start what the cap allows, one request per client in turn. Lowers
** *ptWake to when a request held back by a rate window or a back-off may
** go. Caller holds the lock. */
static void http_host_start(http_host *pH, int64_t now, int64_t *ptWake){
  while( pH->nRunning<pH->nCap && pH->pRing ){
    pms_http *c = pH->pRing, *pPick = 0;
    pms_request **pp = 0, *pPrev = 0, *r;
    do{
      if( !c->bCancel && c->pQueue && c->nActive<c->cfg.maxConnections ){
        int64_t tRate = http_rate_wait(c, now);
        if( tRate>0 ){
          if( now+tRate<*ptWake ) *ptWake = now+tRate;
        }else{
          for(pp=&c->pQueue, pPrev=0; *pp && (*pp)->tNotBefore>now; pPrev=*pp, pp=&(*pp)->pNext){
            if( (*pp)->tNotBefore<*ptWake ) *ptWake = (*pp)->tNotBefore;
          }
          if( *pp ){ pPick = c; break; }
        }
      }
      c = c->pHostNext;
    }while( c!=pH->pRing );
    if( pPick==0 ) return;
    pH->pRing = pPick->pHostNext;        /* the next client goes first next time */
    r = *pp;
    *pp = r->pNext;
    if( pPick->pQueueTail==r ) pPick->pQueueTail = pPrev;
    r->pNext = 0;
    if( http_prepare(pPick, r)!=SQLITE_OK || curl_multi_add_handle(pH->pMulti, r->pEasy)!=CURLM_OK ){
      r->bStartFailed = 1;
      http_host_done(pPick, r);
      continue;
    }
    http_rate_note(pPick, now);
    pPick->apActive[pPick->nActive++] = r;
    pH->nRunning++;
  }
}

/* Drop the running transfers of clients that stopped. Caller holds the lock. */
static void http_host_reap(http_host *pH){
  pms_http *c = pH->pRing;
  if( c ) do{
    if( c->bCancel && c->nActive ){
      while( c->nActive ){
        pms_request *r = c->apActive[--c->nActive];
        curl_multi_remove_handle(pH->pMulti, r->pEasy);
        pms_request_free(r);
        pH->nRunning--;
      }
      pthread_cond_broadcast(&c->cv);
    }
    c = c->pHostNext;
  }while( c!=pH->pRing );
}

static void *http_host_main(void *pArg){
  http_host *pH = (http_host*)pArg, **pp;
  pthread_mutex_lock(&httpHostMutex);
  for(;;){
    int64_t now = pms_now_ms(), tWake = now + 1000, wait;
    int nRunning = 0, nMsg = 0;
    CURLMsg *pMsg;
    if( pH->nRef==0 && now - pH->tIdle >= HTTP_HOST_LINGER_MS ){
      for(pp=&pHttpHosts; *pp!=pH; pp=&(*pp)->pNext){}
      *pp = pH->pNext;       /* no client can find it now */
      break;
    }
    if( pH->nCapSet!=pH->nCap ){
      curl_multi_setopt(pH->pMulti, CURLMOPT_MAX_HOST_CONNECTIONS, (long)pH->nCap);
      curl_multi_setopt(pH->pMulti, CURLMOPT_MAXCONNECTS, (long)pH->nCap);
      pH->nCapSet = pH->nCap;
    }
    http_host_reap(pH);
    http_host_start(pH, now, &tWake);
    pthread_mutex_unlock(&httpHostMutex);
    curl_multi_perform(pH->pMulti, &nRunning);
    pthread_mutex_lock(&httpHostMutex);
    while( (pMsg = curl_multi_info_read(pH->pMulti, &nMsg))!=0 ){
      pms_request *r = 0;
      if( pMsg->msg!=CURLMSG_DONE ) continue;
      curl_easy_getinfo(pMsg->easy_handle, CURLINFO_PRIVATE, (char**)&r);
      r->eResult = pMsg->data.result;
      curl_multi_remove_handle(pH->pMulti, pMsg->easy_handle);
      http_host_unrun(pH, r->pOwner, r);
      http_host_done(r->pOwner, r);
    }
    /* a finished transfer frees a connection: start the next at once */
    if( nMsg>0 || (pH->nRunning<pH->nCap && pH->pRing) ){
      int64_t t = pms_now_ms();
      http_host_start(pH, t, &tWake);
    }
    pthread_mutex_unlock(&httpHostMutex);
    wait = tWake - pms_now_ms();
    if( wait<0 ) wait = 0;
    curl_multi_poll(pH->pMulti, 0, 0, (int)(wait>1000 ? 1000 : wait), 0);
    pthread_mutex_lock(&httpHostMutex);
  }
  pthread_mutex_unlock(&httpHostMutex);
  curl_multi_cleanup(pH->pMulti);
  free(pH->zKey);
  free(pH);
  return 0;
}

int http_host_attach(pms_http *h){
  char *zKey = http_host_key(h->cfg.zHostUrl);
  http_host *pH;
  if( zKey==0 ) return SQLITE_NOMEM;
  pthread_mutex_lock(&httpHostMutex);
  for(pH=pHttpHosts; pH && strcmp(pH->zKey, zKey)!=0; pH=pH->pNext){}
  if( pH==0 ){
    pH = calloc(1, sizeof(*pH));
    if( pH ) pH->pMulti = curl_multi_init();
    if( pH==0 || pH->pMulti==0 || pthread_create(&pH->thread, 0, http_host_main, pH)!=0 ){
      if( pH && pH->pMulti ) curl_multi_cleanup(pH->pMulti);
      free(pH);
      pthread_mutex_unlock(&httpHostMutex);
      free(zKey);
      return SQLITE_NOMEM;
    }
    pthread_detach(pH->thread);   /* it ends itself (see above) */
    pH->zKey = zKey;
    zKey = 0;
    pH->pNext = pHttpHosts;
    pHttpHosts = pH;
  }
  free(zKey);
  if( pH->pRing==0 ){
    h->pHostNext = h->pHostPrev = h;
    pH->pRing = h;
  }else{
    /* last in the ring: its first turn comes after everyone waiting now */
    h->pHostNext = pH->pRing;
    h->pHostPrev = pH->pRing->pHostPrev;
    h->pHostPrev->pHostNext = h;
    pH->pRing->pHostPrev = h;
  }
  h->pHost = pH;
  pH->nRef++;
  http_host_recap(pH);
  pthread_mutex_unlock(&httpHostMutex);
  curl_multi_wakeup(pH->pMulti);
  return SQLITE_OK;
}

void http_host_detach(pms_http *h){
  http_host *pH = h->pHost;
  if( pH==0 ) return;
  pthread_mutex_lock(&httpHostMutex);
  if( h->pHostNext==h ){
    pH->pRing = 0;
  }else{
    if( pH->pRing==h ) pH->pRing = h->pHostNext;
    h->pHostPrev->pHostNext = h->pHostNext;
    h->pHostNext->pHostPrev = h->pHostPrev;
  }
  h->pHostNext = h->pHostPrev = 0;
  h->pHost = 0;
  if( --pH->nRef>0 ) http_host_recap(pH);
  else pH->tIdle = pms_now_ms();
  pthread_mutex_unlock(&httpHostMutex);
}

void http_host_wake(pms_http *h){
  if( h->pHost ) curl_multi_wakeup(h->pHost->pMulti);
}

/* The caller stopped: its queued, running and finished requests go. */
void http_host_cancel(pms_http *h){
  pthread_mutex_lock(&httpHostMutex);
  h->bCancel = 1;
  while( h->pQueue ){
    pms_request *r = h->pQueue;
    h->pQueue = r->pNext;
    pms_request_free(r);
  }
  h->pQueueTail = 0;
  if( h->nActive ){
    http_host_wake(h);
    while( h->nActive ) pthread_cond_wait(&h->cv, &httpHostMutex);
  }
  while( h->pDone ){
    pms_request *r = h->pDone;
    h->pDone = r->pNext;
    pms_request_free(r);
  }
  h->pDoneTail = 0;
  h->bCancel = 0;
  pthread_mutex_unlock(&httpHostMutex);
}
