/*
** http.c — the HTTP client every adapter goes through (libcurl multi).
**
** One pms_http per session (a sync's integration, a write batch) queues
** requests; the transfer thread of its host (http_host.c) runs them on
** connections shared by every client of that host, up to the host's cap
** and to the client's own maxConnections, and a sliding-window limiter
** keeps requests within the vendor's documented rate (N requests in any
** window of W ms), so a well-behaved run never earns a 429. Callbacks,
** retries and parsing stay on the caller's thread. Every transfer has a connect and a
** total timeout. Retries are bounded: transport failures (reset, truncated
** body, timeout), 408, 429 and 5xx are retried with exponential backoff and
** jitter; 429/503 honour Retry-After (seconds or an HTTP date) up to
** PMS_HTTP_MAX_RETRY_WAIT_MS, and a server asking for longer gets its answer
** handed back at once; other 4xx are handed to the caller at once. Every
** body is capped (pms_http_config.maxResponseBytes, counted after
** decompression, so a small gzip body cannot expand without bound). Secrets
** travel only in request headers and are never copied into errors (and are
** wiped before they are freed).
*/
#include "httpint.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static http_window *pHttpWindows = 0;
static pthread_mutex_t httpWindowMutex = PTHREAD_MUTEX_INITIALIZER;

static http_window *http_window_for(pms_http *h, int nWindow, int64_t msWindow){
  http_window *p;
  if( h->cfg.zRateKey==0 ){
    p = &h->ownWindow;
  }else{
    pthread_mutex_lock(&httpWindowMutex);
    for(p=pHttpWindows; p && strcmp(p->zKey, h->cfg.zRateKey)!=0; p=p->pNext){}
    if( p==0 && (p = calloc(1, sizeof(*p)))!=0 ){
      p->zKey = pms_strdup(h->cfg.zRateKey);
      p->pNext = pHttpWindows;
      pHttpWindows = p;
    }
    pthread_mutex_unlock(&httpWindowMutex);
    if( p==0 ) return 0;
  }
  if( p->nWindow!=nWindow || p->msWindow!=msWindow ){
    pthread_mutex_lock(&httpWindowMutex);
    memset(p->aSent, 0, sizeof(p->aSent));
    p->iSent = 0;
    p->nWindow = nWindow;
    p->msWindow = msWindow;
    pthread_mutex_unlock(&httpWindowMutex);
  }
  return p;
}

static pthread_once_t httpOnce = PTHREAD_ONCE_INIT;
static void http_global_init(void){ curl_global_init(CURL_GLOBAL_DEFAULT); }

pms_http *pms_http_new(const pms_http_config *pCfg){
  pms_http *h;
  pthread_once(&httpOnce, http_global_init);
  h = calloc(1, sizeof(*h));
  if( h==0 ) return 0;
  h->cfg = *pCfg;
  if( h->cfg.connectTimeoutMs<=0 ) h->cfg.connectTimeoutMs = 10000;
  if( h->cfg.timeoutMs<=0 ) h->cfg.timeoutMs = 60000;
  if( h->cfg.maxConnections<=0 ) h->cfg.maxConnections = 4;
  if( h->cfg.maxAttempts<=0 ) h->cfg.maxAttempts = 4;
  if( h->cfg.retryBaseMs<=0 ) h->cfg.retryBaseMs = 250;
  if( h->cfg.maxResponseBytes<=0 ) h->cfg.maxResponseBytes = PMS_HTTP_MAX_RESPONSE;
  h->cfg.zCaFile = pCfg->zCaFile ? pms_strdup(pCfg->zCaFile) : 0;
  h->cfg.zRateKey = pCfg->zRateKey ? pms_strdup(pCfg->zRateKey) : 0;
  h->cfg.zHostUrl = pCfg->zHostUrl ? pms_strdup(pCfg->zHostUrl) : 0;
  pthread_cond_init(&h->cv, 0);
  if( h->cfg.maxPerSecond>0 ){
    /* N per W ms with N whole: 10/s -> 10 per 1000 ms; 500/min -> 8 per 960 ms.
    ** A small margin covers the difference between send and arrival times. */
    double n = h->cfg.maxPerSecond>=1 ? (double)(int)h->cfg.maxPerSecond : 1;
    if( n>HTTP_WINDOW_MAX ) n = HTTP_WINDOW_MAX;
    h->pWindow = http_window_for(h, (int)n, (int64_t)(1000.0*n/h->cfg.maxPerSecond) + 50);
  }
  h->apActive = calloc((size_t)h->cfg.maxConnections, sizeof(pms_request*));
  if( h->apActive==0 || http_host_attach(h)!=SQLITE_OK ){ pms_http_free(h); return 0; }
  return h;
}

/* Auth header lines hold secrets: wiped before they are freed. */
static void http_slist_wipe(struct curl_slist *p){
  for(; p; p=p->next) if( p->data ) pms_wipe(p->data, strlen(p->data));
}

static void http_request_reset(pms_request *r){
  if( r->pEasy ){ curl_easy_cleanup(r->pEasy); r->pEasy = 0; }
  http_slist_wipe(r->pAll);
  curl_slist_free_all(r->pAll);
  r->pAll = 0;
  pms_str_reset(&r->body);
  pms_str_reset(&r->headers);
}

void pms_request_free(pms_request *r){
  if( r==0 ) return;
  http_request_reset(r);
  free(r->zMethod);
  free(r->zUrl);
  curl_slist_free_all(r->pHeaders);
  http_slist_wipe(r->pAuth);
  curl_slist_free_all(r->pAuth);
  if( r->zBody ) pms_wipe(r->zBody, strlen(r->zBody));   /* a login's body */
  free(r->zBody);
  free(r);
}

void pms_http_free(pms_http *h){
  if( h==0 ) return;
  if( h->pHost ){
    http_host_cancel(h);       /* anything still queued or running */
    http_host_detach(h);
  }
  free(h->apActive);
  free((char*)h->cfg.zCaFile);
  free((char*)h->cfg.zRateKey);
  free((char*)h->cfg.zHostUrl);
  pthread_cond_destroy(&h->cv);
  free(h);
}

pms_request *pms_request_new(const char *zMethod, const char *zUrl){
  pms_request *r = calloc(1, sizeof(*r));
  if( r==0 ) return 0;
  r->zMethod = pms_strdup(zMethod);
  r->zUrl = pms_strdup(zUrl);
  if( r->zMethod==0 || r->zUrl==0 ){ pms_request_free(r); return 0; }
  /* curl would otherwise wait for "100 Continue" on large bodies */
  r->pHeaders = curl_slist_append(0, "Expect:");
  return r;
}

void pms_request_header(pms_request *r, const char *zLine){
  struct curl_slist *p = curl_slist_append(r->pHeaders, zLine);
  if( p ) r->pHeaders = p;
}

void pms_request_auth_header(pms_request *r, const char *zLine){
  struct curl_slist *p = curl_slist_append(r->pAuth, zLine);
  if( p ) r->pAuth = p;
}

void pms_request_clear_auth(pms_request *r){
  http_slist_wipe(r->pAuth);
  curl_slist_free_all(r->pAuth);
  r->pAuth = 0;
}

void pms_request_body(pms_request *r, const char *zBody, const char *zType){
  char *zLine;
  free(r->zBody);
  r->zBody = pms_strdup(zBody);
  zLine = pms_mprintf("Content-Type: %s", zType ? zType : "application/json");
  if( zLine ){ pms_request_header(r, zLine); free(zLine); }
}

void pms_request_replace_body(pms_request *r, const char *zBody){
  if( r->zBody ) pms_wipe(r->zBody, strlen(r->zBody));
  free(r->zBody);
  r->zBody = pms_strdup(zBody);
}

void pms_request_not_idempotent(pms_request *r){ r->bNotIdempotent = 1; }
const char *pms_request_method(const pms_request *r){ return r->zMethod; }
const char *pms_request_payload(const pms_request *r){ return r->zBody; }

void pms_request_set_user(pms_request *r, void *pUser, int iUser){
  r->pUser = pUser;
  r->iUser = iUser;
}

void *pms_request_user(const pms_request *r, int *piUser){
  if( piUser ) *piUser = r->iUser;
  return r->pUser;
}

const char *pms_request_url(const pms_request *r){ return r->zUrl; }

void pms_http_submit(pms_http *h, pms_request *r){
  pthread_mutex_lock(&httpHostMutex);
  r->pNext = 0;                      /* FIFO keeps page order */
  r->pOwner = h;
  if( h->pQueue ) h->pQueueTail->pNext = r;
  else h->pQueue = r;
  h->pQueueTail = r;
  pthread_mutex_unlock(&httpHostMutex);
  http_host_wake(h);
}

static size_t http_on_body(char *p, size_t sz, size_t n, void *pArg){
  pms_request *r = (pms_request*)pArg;
  if( (int64_t)(r->body.n + sz*n) > r->nMaxBody ){
    r->bTooLarge = 1;                /* fails the transfer: CURLE_WRITE_ERROR */
    return 0;
  }
  pms_str_append(&r->body, p, sz*n);
  return r->body.oom ? 0 : sz*n;
}

static size_t http_on_header(char *p, size_t sz, size_t n, void *pArg){
  pms_request *r = (pms_request*)pArg;
  /* keep only the final response's headers (not 100 Continue's) */
  if( sz*n>=5 && strncmp(p, "HTTP/", 5)==0 ) r->headers.n = 0;
  pms_str_append(&r->headers, p, sz*n);
  return r->headers.oom ? 0 : sz*n;
}

/* The easy handle of r's next attempt (http_host.c starts it). */
int http_prepare(pms_http *h, pms_request *r){
  CURL *e;
  http_request_reset(r);
  e = r->pEasy = curl_easy_init();
  if( e==0 ) return SQLITE_NOMEM;
  curl_easy_setopt(e, CURLOPT_URL, r->zUrl);
  curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->zMethod);
  if( strcmp(r->zMethod, "GET")==0 ) curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  if( r->zBody ){
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->zBody);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(r->zBody));
  }
  {
    struct curl_slist *p;
    for(p=r->pHeaders; p; p=p->next) r->pAll = curl_slist_append(r->pAll, p->data);
    for(p=r->pAuth; p; p=p->next) r->pAll = curl_slist_append(r->pAll, p->data);
  }
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->pAll);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, http_on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
  curl_easy_setopt(e, CURLOPT_PRIVATE, r);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, h->cfg.connectTimeoutMs);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, h->cfg.timeoutMs);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(e, CURLOPT_USERAGENT, "pmsql/" PMSQL_VERSION);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  if( h->cfg.zCaFile ) curl_easy_setopt(e, CURLOPT_CAINFO, h->cfg.zCaFile);
  curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
  /* a declared length over the cap fails before any byte is read; the body
  ** callback holds the cap for the rest (chunked, compressed) */
  curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->cfg.maxResponseBytes);
  r->nMaxBody = h->cfg.maxResponseBytes;
  r->bTooLarge = 0;
  r->nAttempt++;
  h->stats.nRequest++;
  return SQLITE_OK;
}

/* A request of h was sent at now: the limiter counts it. */
void http_rate_note(pms_http *h, int64_t now){
  http_window *w = h->pWindow;
  if( w==0 ) return;
  pthread_mutex_lock(&httpWindowMutex);
  w->aSent[w->iSent] = now;
  w->iSent = (w->iSent+1) % w->nWindow;
  pthread_mutex_unlock(&httpWindowMutex);
}

/* Milliseconds until the limiter lets one more request go (0: now). */
int64_t http_rate_wait(pms_http *h, int64_t now){
  int64_t tOldest, wait;
  http_window *w = h->pWindow;
  if( w==0 ) return 0;
  pthread_mutex_lock(&httpWindowMutex);
  tOldest = w->aSent[w->iSent];     /* the send nWindow requests ago */
  wait = (tOldest && tOldest + w->msWindow > now) ? tOldest + w->msWindow - now : 0;
  pthread_mutex_unlock(&httpWindowMutex);
  return wait;
}

int pms_response_is_json(const pms_response *pResp, int bPlusJson){
  const char *z = pResp->zContentType;
  return z && (strncmp(z, "application/json", 16)==0 || (bPlusJson && strstr(z, "+json")!=0));
}

cJSON *pms_response_json(const pms_response *pResp, int bPlusJson, char **pzErr){
  cJSON *p;
  if( !pms_response_is_json(pResp, bPlusJson) ){
    *pzErr = pms_mprintf("expected JSON, got %s", pResp->zContentType ? pResp->zContentType : "no content type");
    return 0;
  }
  p = pResp->pArena && pResp->zBody ? pms_json_arena_parse(pResp->pArena, pResp->zBody, pResp->nBody) : 0;
  if( p==0 ) p = cJSON_ParseWithLength(pResp->zBody ? pResp->zBody : "", pResp->nBody);
  if( p==0 ) *pzErr = pms_strdup("the response is not valid JSON");
  return p;
}

int64_t pms_response_count(const pms_response *pResp, const char *zHeader){
  char *z = pms_response_header(pResp, zHeader);
  int64_t n = -1;
  if( z ){
    char *zEnd = 0;
    long long v = strtoll(z, &zEnd, 10);
    if( zEnd!=z && *zEnd==0 && v>=0 ) n = v;
    free(z);
  }
  return n;
}

char *pms_response_header(const pms_response *pResp, const char *zName){
  const char *z = pResp->zHeaders;
  size_t nName = strlen(zName);
  while( z && *z ){
    const char *zEol = strchr(z, '\n');
    size_t nLine = zEol ? (size_t)(zEol - z) : strlen(z);
    if( nLine>nName && strncasecmp(z, zName, nName)==0 && z[nName]==':' ){
      const char *v = z + nName + 1;
      const char *e = z + nLine;
      char *zOut;
      while( v<e && (*v==' ' || *v=='\t') ) v++;
      while( e>v && (e[-1]=='\r' || e[-1]==' ') ) e--;
      zOut = malloc((size_t)(e - v) + 1);
      if( zOut ){ memcpy(zOut, v, (size_t)(e - v)); zOut[e - v] = 0; }
      return zOut;
    }
    z = zEol ? zEol+1 : 0;
  }
  return 0;
}

/* An RFC 9110 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") as unix
** milliseconds, or -1. Parsed by hand: strptime's %a and %b follow the
** host's locale, and a host application may have set one. */
static int64_t http_parse_date(const char *z){
  static const char azMon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  int d, y, hh, mm, ss, m, n = 0;
  char zMon[4];
  if( strlen(z)<29 || z[3]!=',' ) return -1;
  if( sscanf(z+4, " %2d %3s %4d %2d:%2d:%2d GMT%n", &d, zMon, &y, &hh, &mm, &ss, &n)!=6 || n==0 ){
    return -1;
  }
  for(m=0; m<12 && memcmp(azMon+3*m, zMon, 3)!=0; m++){}
  if( m==12 || d<1 || d>31 || hh>23 || mm>59 || ss>60 || y<1970 ) return -1;
  {
    /* days from civil (proleptic Gregorian), m in 0..11 */
    int yy = y - (m<2);
    int era = yy/400;
    int yoe = yy - era*400;
    int mp = (m + 10) % 12;
    int doy = (153*mp + 2)/5 + d - 1;
    int doe = yoe*365 + yoe/4 - yoe/100 + doy;
    int64_t days = (int64_t)era*146097 + doe - 719468;
    return ((days*86400) + hh*3600 + mm*60 + ss) * 1000;
  }
}

/* Retry-After as milliseconds from now; -1 when absent or unparseable. */
static int64_t http_retry_after(const pms_response *pResp){
  char *z = pms_response_header(pResp, "Retry-After");
  int64_t ms = -1;
  if( z ){
    char *zEnd = 0;
    long long secs = strtoll(z, &zEnd, 10);
    if( zEnd!=z && *zEnd==0 && secs>=0 ){
      /* clamped before the multiplication: any value past the longest wait
      ** means the same thing, and 1000*secs must not overflow */
      if( secs > PMS_HTTP_MAX_RETRY_WAIT_MS/1000 + 1 ) secs = PMS_HTTP_MAX_RETRY_WAIT_MS/1000 + 1;
      ms = (int64_t)secs*1000;
    }else{
      int64_t t = http_parse_date(z);
      if( t>=0 ){
        t -= pms_now_ms();
        ms = t>0 ? t : 0;
      }
    }
    free(z);
  }
  return ms;
}

static int http_is_transient(const pms_request *r, const pms_response *pResp){
  if( r->bNotIdempotent ){
    /* the server may have acted on it: only a refusal or a connection
    ** that never opened is safe to repeat */
    return pResp->status==429 || pResp->status==503
        || pResp->curlCode==CURLE_COULDNT_CONNECT || pResp->curlCode==CURLE_COULDNT_RESOLVE_HOST;
  }
  if( r->bTooLarge || pResp->curlCode==CURLE_FILESIZE_EXCEEDED ) return 0;
  if( pResp->curlCode!=CURLE_OK ){
    return pResp->curlCode!=CURLE_SSL_CACERT_BADFILE
        && pResp->curlCode!=CURLE_PEER_FAILED_VERIFICATION
        && pResp->curlCode!=CURLE_SSL_CONNECT_ERROR
        && pResp->curlCode!=CURLE_UNSUPPORTED_PROTOCOL
        && pResp->curlCode!=CURLE_URL_MALFORMAT;
  }
  return pResp->status==408 || pResp->status==429 || pResp->status>=500;
}

/* Move a finished transfer's result into a pms_response. */
static void http_collect(pms_request *r, CURLcode code, pms_response *pResp){
  char *zType = 0;
  memset(pResp, 0, sizeof(*pResp));
  pResp->curlCode = (int)code;
  pResp->nAttempt = r->nAttempt;
  curl_easy_getinfo(r->pEasy, CURLINFO_RESPONSE_CODE, &pResp->status);
  curl_easy_getinfo(r->pEasy, CURLINFO_CONTENT_TYPE, &zType);
  pResp->zContentType = zType ? pms_strdup(zType) : 0;
  if( r->bTooLarge || code==CURLE_FILESIZE_EXCEEDED ){
    snprintf(pResp->zErr, sizeof(pResp->zErr), "response larger than %lld bytes "
             "(option max_response_bytes)", (long long)r->nMaxBody);
    pResp->status = 0;
  }else if( code!=CURLE_OK ){
    snprintf(pResp->zErr, sizeof(pResp->zErr), "%s", curl_easy_strerror(code));
    if( code==CURLE_COULDNT_CONNECT || code==CURLE_COULDNT_RESOLVE_HOST ){
      /* say where: host and port only (a URL's path or query could carry
      ** more than a message should) */
      CURLU *pU = curl_url();
      char *zHost = 0, *zPort = 0;
      if( pU && curl_url_set(pU, CURLUPART_URL, r->zUrl, 0)==CURLUE_OK ){
        curl_url_get(pU, CURLUPART_HOST, &zHost, 0);
        curl_url_get(pU, CURLUPART_PORT, &zPort, CURLU_DEFAULT_PORT);
      }
      if( zHost ){
        snprintf(pResp->zErr, sizeof(pResp->zErr), "%s (%s port %s)", curl_easy_strerror(code),
                 zHost, zPort ? zPort : "?");
      }
      curl_free(zHost); curl_free(zPort);
      curl_url_cleanup(pU);
    }
    pResp->status = 0;
  }
  pResp->nBody = r->body.n;
  pResp->zBody = pms_str_finish(&r->body);
  pResp->zHeaders = pms_str_finish(&r->headers);
}

/* A finished transfer as the caller will see it: the vendor may read an
** error out of a 2xx body (pms_http_config.xClassify). */
static void http_finish(pms_http *h, pms_request *r, CURLcode code, pms_response *pResp){
  http_collect(r, code, pResp);
  if( h->cfg.xClassify && pResp->status>0 ) h->cfg.xClassify(pResp);
}

void pms_response_clear(pms_response *pResp){
  free(pResp->zBody);
  free(pResp->zContentType);
  free(pResp->zHeaders);
  memset(pResp, 0, sizeof(*pResp));
}

static int64_t http_backoff(pms_http *h, int nAttempt){
  int64_t ms = h->cfg.retryBaseMs << (nAttempt>10 ? 10 : nAttempt-1);
  if( ms>30000 ) ms = 30000;
  /* jitter: 50%..150% so parallel clients do not retry in lockstep */
  return ms/2 + (int64_t)((double)ms * ((double)rand() / RAND_MAX));
}

/* A finished transfer to the caller: retried (transient failures, with
** back-off or the server's Retry-After) or handed to xDone. Runs on the
** caller's thread. Returns xDone's verdict (PMS_HTTP_OK for a retry). */
static int http_deliver(pms_http *h, pms_request *r, pms_http_done xDone, void *pArg){
  pms_response resp;
  int rc;
  if( r->bStartFailed ){
    r->bStartFailed = 0;
    memset(&resp, 0, sizeof(resp));
    snprintf(resp.zErr, sizeof(resp.zErr), "cannot start a transfer");
    resp.nAttempt = r->nAttempt;
    rc = xDone(pArg, r, &resp);
    pms_request_free(r);
    return rc==PMS_HTTP_STOP ? PMS_HTTP_STOP : PMS_HTTP_OK;
  }
  http_finish(h, r, r->eResult, &resp);
  if( http_is_transient(r, &resp) && r->nAttempt < h->cfg.maxAttempts ){
    int64_t wait = -1;
    if( resp.status==429 || resp.status==503 ){
      wait = resp.retryAfterMs>0 ? resp.retryAfterMs : http_retry_after(&resp);
    }
    if( wait>PMS_HTTP_MAX_RETRY_WAIT_MS ){
      /* longer than pmsql waits: the caller gets the answer now */
      snprintf(resp.zErr, sizeof(resp.zErr), "the server asked to retry after %lld s, "
               "longer than pmsql waits (%d s)", (long long)(wait/1000),
               PMS_HTTP_MAX_RETRY_WAIT_MS/1000);
      goto deliver;
    }
    if( wait<0 ) wait = http_backoff(h, r->nAttempt);
    r->tNotBefore = pms_now_ms() + wait;
    h->stats.nRetry++;
    pms_response_clear(&resp);
    http_request_reset(r);
    pms_http_submit(h, r);
    return PMS_HTTP_OK;
  }
deliver:
  rc = xDone(pArg, r, &resp);
  pms_response_clear(&resp);
  if( rc==PMS_HTTP_RETRY && r->nAttempt < h->cfg.maxAttempts ){
    r->tNotBefore = pms_now_ms() + http_backoff(h, r->nAttempt);
    h->stats.nRetry++;
    http_request_reset(r);
    pms_http_submit(h, r);
    return PMS_HTTP_OK;
  }
  pms_request_free(r);
  return rc==PMS_HTTP_STOP ? PMS_HTTP_STOP : PMS_HTTP_OK;
}

/* Wait for each of h's requests to finish on its host (http_host.c) and
** deliver it here, until none is left or a callback says stop. */
int pms_http_run(pms_http *h, pms_http_done xDone, void *pArg){
  int bStop = 0, n = 0;
  pms_request *r;
  pthread_mutex_lock(&httpHostMutex);
  while( !bStop && (h->pQueue || h->nActive || h->pDone) ){
    r = h->pDone;
    if( r==0 ){
      pthread_cond_wait(&h->cv, &httpHostMutex);
      continue;
    }
    h->pDone = r->pNext;
    if( h->pDone==0 ) h->pDoneTail = 0;
    r->pNext = 0;
    pthread_mutex_unlock(&httpHostMutex);
    bStop = http_deliver(h, r, xDone, pArg)==PMS_HTTP_STOP;
    pthread_mutex_lock(&httpHostMutex);
  }
  if( bStop ){
    n = h->nActive;
    for(r=h->pQueue; r; r=r->pNext) n++;
    for(r=h->pDone; r; r=r->pNext) n++;
  }
  pthread_mutex_unlock(&httpHostMutex);
  if( bStop ) http_host_cancel(h);
  return n;
}

typedef struct http_one {
  pms_response *pOut;
} http_one;

static int http_one_done(void *pArg, pms_request *r, pms_response *pResp){
  http_one *p = (http_one*)pArg;
  (void)r;
  *p->pOut = *pResp;
  memset(pResp, 0, sizeof(*pResp));   /* ownership moves to the caller */
  return PMS_HTTP_OK;
}

/* One request, run on a client of its own (same limits, same shared rate
** window), so it is safe from inside another run's callback (a login after
** a 401, a read-back after a write). */
int pms_http_perform(pms_http *h, pms_request *r, pms_response *pOut){
  http_one one;
  pms_http *pOne = pms_http_new(&h->cfg);
  memset(pOut, 0, sizeof(*pOut));
  if( pOne==0 ){
    pms_request_free(r);
    snprintf(pOut->zErr, sizeof(pOut->zErr), "out of memory");
    return SQLITE_NOMEM;
  }
  one.pOut = pOut;
  pms_http_submit(pOne, r);
  pms_http_run(pOne, http_one_done, &one);
  pthread_mutex_lock(&httpHostMutex);
  h->stats.nRequest += pOne->stats.nRequest;
  h->stats.nRetry += pOne->stats.nRetry;
  pthread_mutex_unlock(&httpHostMutex);
  pms_http_free(pOne);
  return pOut->status>=200 && pOut->status<300 ? SQLITE_OK : SQLITE_ERROR;
}

void pms_http_get_stats(pms_http *h, pms_http_stats *p){
  pthread_mutex_lock(&httpHostMutex);
  *p = h->stats;
  pthread_mutex_unlock(&httpHostMutex);
}
