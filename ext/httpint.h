/*
** httpint.h — what the two files of the HTTP client share (the rest of the
** extension sees pms_http and pms_request through pmsql.h only).
**
**   http.c       requests, responses, retries and the rate limiter: the
**                client a sync run or a write batch drives (pms_http_run
**                runs on the caller's thread, callbacks included)
**   http_host.c  one transfer thread per host (scheme://host:port) that
**                every client of that host hands its requests to: the
**                host's connection cap holds across all of them, and free
**                connections go round-robin from client to client
*/
#ifndef PMSQL_HTTPINT_H
#define PMSQL_HTTPINT_H

#include "pmsql.h"
#include <curl/curl.h>
#include <pthread.h>

struct pms_request {
  char *zMethod;
  char *zUrl;
  struct curl_slist *pHeaders;
  struct curl_slist *pAuth;   /* replaced when a session re-authenticates */
  struct curl_slist *pAll;    /* pHeaders + pAuth for the current attempt */
  char *zBody;
  void *pUser;
  int iUser;
  int bNotIdempotent;
  int bTooLarge;              /* the body passed maxResponseBytes */
  int64_t nMaxBody;
  /* while queued or running */
  CURL *pEasy;
  pms_str body;
  pms_str headers;
  int nAttempt;
  int64_t tNotBefore;
  CURLcode eResult;           /* how the transfer ended (set by the host) */
  int bStartFailed;           /* the host could not start it */
  pms_http *pOwner;           /* the client it was submitted to */
  pms_request *pNext;
};

#define HTTP_WINDOW_MAX 1024

/* Sliding-window rate limiter: the send times of the last nWindow requests.
** One per rate key (integration and URL), shared by every client of the
** process, so a write right after a sync still respects the vendor's limit. */
typedef struct http_window {
  char *zKey;
  int nWindow;
  int64_t msWindow;
  int64_t aSent[HTTP_WINDOW_MAX];
  int iSent;
  struct http_window *pNext;
} http_window;

typedef struct http_host http_host;

/* A client. Its queues and counters belong to its host's lock
** (httpHostMutex): the host's thread starts its queued requests and hands
** finished ones back on pDone. */
struct pms_http {
  pms_http_config cfg;
  http_host *pHost;
  pms_http *pHostNext, *pHostPrev;  /* the host's clients, a ring */
  pms_request *pQueue;      /* waiting to start */
  pms_request *pQueueTail;  /* its last entry: queueing is O(1) */
  pms_request **apActive;   /* running on the host */
  int nActive;
  pms_request *pDone;       /* finished, not yet handed to the caller */
  pms_request *pDoneTail;
  int bCancel;              /* the caller stopped: the host drops its transfers */
  pthread_cond_t cv;        /* something finished (or was cancelled) */
  http_window *pWindow;     /* NULL: no rate limit */
  http_window ownWindow;    /* used when there is no rate key */
  pms_http_stats stats;
};

/* The lock of every host and every client's queues. */
extern pthread_mutex_t httpHostMutex;

/* http.c: prepare r's easy handle for its next attempt (no I/O), and the
** limiter's wait before a client may send one more request. */
int http_prepare(pms_http *h, pms_request *r);
int64_t http_rate_wait(pms_http *h, int64_t now);
void http_rate_note(pms_http *h, int64_t now);

/* http_host.c */
int http_host_attach(pms_http *h);        /* SQLITE_OK or SQLITE_NOMEM */
void http_host_detach(pms_http *h);       /* nothing of h may be running */
void http_host_wake(pms_http *h);         /* h queued something */
void http_host_cancel(pms_http *h);       /* drop h's running transfers; waits */

#endif /* PMSQL_HTTPINT_H */
