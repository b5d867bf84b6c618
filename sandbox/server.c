/*
** server.c — the HTTP/1.1 server: listening on 127.0.0.1, one thread per
** connection, keep-alive, Content-Length and chunked request bodies,
** "Expect: 100-continue", and responses with Content-Length.
**
** Each request is routed here: /__sandbox/ goes to control.c; paths under
** the vendor's API prefix are API calls, which are logged, authenticated,
** rate limited and possibly faulted (in that order) before the vendor
** handles them, then delayed by the configured latency; anything else goes
** straight to the vendor, which answers its own 404.
**
** Faults that change the answer (429, 500, html, ...) replace the vendor's
** response; the ones that break the transport (reset, truncate) are applied
** while sending it. A vendor may veto a picked fault for one request
** (sb_vendor.fault; Rent Manager does for token-expiry on its login).
** Vendors limited per minute get Retry-After on their 429s and
** x-ratelimit-remaining / x-ratelimit-resettime on every admitted answer. Sleeping (latency, the slow fault) happens in the
** connection's own thread, so it never holds up other connections.
** Every request but /__sandbox/ is counted in flight from its headers read
** to its answer sent, and its connection as open from then until it closes
** (control.c reports both, for checking a client's connection caps).
**
** Sockets get TCP_NODELAY and a multi-megabyte send buffer: a list page of
** 1000 records is a few MB, and with Nagle or a small buffer its tail would
** wait on delayed ACKs from the client.
*/
#include "sandbox.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define SRV_MAX_HEADER (64 * 1024)
#define SRV_MAX_BODY (64 * 1024 * 1024)
#define SRV_MAX_HEADERS 100
#define SRV_SNDBUF (4 * 1024 * 1024)
#define SRV_THREAD_STACK (512 * 1024)

typedef struct srv_conn {
  int fd;
  int counted;          /* has carried a request other than /__sandbox/ */
  struct srv_conn *prev, *next;
  char *buf;
  size_t len, cap;
} srv_conn;

static struct {
  const sb_vendor *vendor;
  void *vs;
  int listen_fd;
  atomic_int stopping;
  pthread_t acceptor;
  int acceptor_started;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  srv_conn *conns;
  int nconns;
} srv = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

int srv_stopping(void){
  return atomic_load(&srv.stopping);
}

int srv_sleep_ms(long ms){
  while( ms > 0 && !srv_stopping() ){
    long step = ms > 50 ? 50 : ms;
    dt_sleep_ms(step);
    ms -= step;
  }
  return !srv_stopping();
}

const char *sb_request_header(const sb_request *r, const char *name){
  for(int i = 0; i < r->nheaders; i++){
    if( strcasecmp(r->headers[i].name, name) == 0 ) return r->headers[i].value;
  }
  return NULL;
}

/* Is the request's Content-Type JSON: application/json, text/json or
** application/<x>+json, with any parameters? */
int sb_request_is_json(const sb_request *r){
  const char *ct = sb_request_header(r, "Content-Type");
  char t[128];
  size_t n = 0;
  if( !ct ) return 0;
  while( *ct == ' ' ) ct++;
  while( ct[n] && ct[n] != ';' && ct[n] != ' ' && n < sizeof(t) - 1 ){
    t[n] = ct[n];
    n++;
  }
  t[n] = 0;
  return strcasecmp(t, "application/json") == 0 || strcasecmp(t, "text/json") == 0
         || (strncasecmp(t, "application/", 12) == 0 && n > 5 && strcasecmp(t + n - 5, "+json") == 0);
}

static const char *srv_reason(int status){
  switch( status ){
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

/* ---- socket I/O ---- */

static int srv_send_all(int fd, struct iovec *iov, int n){
  while( n > 0 ){
    struct msghdr m = { .msg_iov = iov, .msg_iovlen = (size_t)n };
    ssize_t w = sendmsg(fd, &m, MSG_NOSIGNAL);
    if( w < 0 ){
      if( errno == EINTR ) continue;
      return -1;
    }
    while( n > 0 && (size_t)w >= iov->iov_len ){
      w -= (ssize_t)iov->iov_len;
      iov++;
      n--;
    }
    if( n > 0 ){
      iov->iov_base = (char *)iov->iov_base + w;
      iov->iov_len -= (size_t)w;
    }
  }
  return 0;
}

static int srv_send_str(int fd, const char *s){
  struct iovec v = { (void *)s, strlen(s) };
  return srv_send_all(fd, &v, 1);
}

/* Reads more bytes into the connection buffer; 0 on EOF or error. */
static int srv_recv_more(srv_conn *c){
  if( c->cap - c->len < 16384 ){
    c->cap = c->cap ? c->cap * 2 : 65536;
    c->buf = sb_xrealloc(c->buf, c->cap);
  }
  for(;;){
    ssize_t r = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, 0);
    if( r > 0 ){
      c->len += (size_t)r;
      return 1;
    }
    if( r < 0 && errno == EINTR ) continue;
    return 0;
  }
}

static int srv_fill(srv_conn *c, size_t need){
  while( c->len < need ){
    if( !srv_recv_more(c) ) return 0;
  }
  return 1;
}

/* Offset just past the next CRLF at or after 'from', reading as needed. */
static long srv_line_end(srv_conn *c, size_t from, size_t limit){
  for(;;){
    for(size_t i = from; i + 1 < c->len; i++){
      if( c->buf[i] == '\r' && c->buf[i + 1] == '\n' ) return (long)(i + 2);
    }
    if( c->len - from > limit ) return -1;
    if( !srv_recv_more(c) ) return -1;
  }
}

/* Decodes a chunked body that starts at 'at' into out; returns the offset
** just past it, or -1. */
static long srv_read_chunked(srv_conn *c, size_t at, sb_buf *out){
  for(;;){
    long le = srv_line_end(c, at, 1024);
    if( le < 0 ) return -1;
    char *end;
    unsigned long sz = strtoul(c->buf + at, &end, 16);
    if( end == c->buf + at ) return -1;
    at = (size_t)le;
    if( sz == 0 ){
      for(;;){                         /* trailers, up to the empty line */
        le = srv_line_end(c, at, SRV_MAX_HEADER);
        if( le < 0 ) return -1;
        if( (size_t)le == at + 2 ) return le;
        at = (size_t)le;
      }
    }
    if( out->n + sz > SRV_MAX_BODY ) return -1;
    if( !srv_fill(c, at + sz + 2) ) return -1;
    sb_put(out, c->buf + at, sz);
    at += sz + 2;
  }
}

/* ---- responses ---- */

static void srv_set_linger0(int fd){
  struct linger lg = { 1, 0 };
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

/* Sends resp; returns 0 if the connection must close afterwards. */
static int srv_send_response(srv_conn *c, const sb_request *req,
                             sb_response *resp, int fault, int keep_alive){
  char head[1024];
  size_t blen;
  const char *body = sb_response_data(resp, &blen);
  int head_only = req && strcmp(req->method, "HEAD") == 0;
  if( fault == SB_FAULT_RESET || fault == SB_FAULT_TRUNCATE ) keep_alive = 0;
  int n = snprintf(head, sizeof(head),
                   "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                   "Server: pms-sandbox\r\n%s",
                   resp->status, srv_reason(resp->status),
                   resp->content_type ? resp->content_type : SB_JSON_TYPE, blen,
                   keep_alive ? "" : "Connection: close\r\n");
  if( n < 0 || (size_t)n >= sizeof(head) ) return 0;
  sb_buf h = { 0 };
  sb_put(&h, head, (size_t)n);
  if( resp->headers.n ) sb_put(&h, resp->headers.p, resp->headers.n);
  SB_LIT(&h, "\r\n");

  size_t send_len = head_only ? 0 : blen;
  if( fault == SB_FAULT_RESET || fault == SB_FAULT_TRUNCATE ) send_len = blen / 2;
  struct iovec iov[2] = { { h.p, h.n }, { (void *)body, send_len } };
  int ok = srv_send_all(c->fd, iov, send_len ? 2 : 1) == 0;
  sb_buf_free(&h);
  if( !ok ) return 0;
  if( fault == SB_FAULT_RESET ){
    /* Let the partial response reach the client, then abort with RST. */
    dt_sleep_ms(20);
    srv_set_linger0(c->fd);
    return 0;
  }
  if( fault == SB_FAULT_TRUNCATE ){
    shutdown(c->fd, SHUT_WR);
    return 0;
  }
  return keep_alive;
}

static void srv_simple_error(srv_conn *c, int status, const char *msg){
  sb_response r;
  sb_response_init(&r);
  r.status = status;
  SB_LIT(&r.body, "{\"error\":");
  jw_str(&r.body, msg);
  sb_putc(&r.body, '}');
  srv_send_response(c, NULL, &r, SB_FAULT_NONE, 0);
  sb_response_free(&r);
}

/* ---- dispatch ---- */

static const char srv_html_page[] =
  "<!DOCTYPE html>\n<html><head><title>Service Temporarily Unavailable</title>"
  "</head>\n<body><h1>Service Temporarily Unavailable</h1>\n"
  "<p>The server is temporarily unable to service your request due to "
  "maintenance downtime or capacity problems. Please try again later.</p>\n"
  "</body></html>\n";

static void srv_rate_headers(sb_response *resp, const sb_rate *r){
  if( !r->limited ) return;
  sb_printf(&resp->headers, "x-ratelimit-remaining: %ld\r\nx-ratelimit-resettime: %lld\r\n",
            r->remaining, (long long)r->reset_at);
}

/* Runs an API request through auth, rate limit and fault selection. */
static int srv_api(const sb_request *req, sb_response *resp){
  const sb_vendor *v = srv.vendor;
  char key[128];
  int fault = SB_FAULT_NONE;
  sb_rate rate;
  if( !v->authorize(srv.vs, req, key, sizeof(key), resp) ) return SB_FAULT_NONE;
  if( !ctl_admit_ex(key, &rate) ){
    if( v->rate_per_min > 0 ){
      char msg[160];
      snprintf(msg, sizeof(msg), "The rate limit of %d requests per minute was "
               "exceeded. Retry after %ld seconds.", v->rate_per_min, rate.retry_after);
      v->error(srv.vs, 429, msg, resp);
      sb_printf(&resp->headers, "Retry-After: %ld\r\n", rate.retry_after);
      srv_rate_headers(resp, &rate);
    }else{
      v->error(srv.vs, 429, "The rate limit of 10 requests per second was exceeded. "
               "Retry after a short interval (~200ms).", resp);
    }
    return SB_FAULT_NONE;
  }
  fault = ctl_pick_fault();
  if( fault != SB_FAULT_NONE && v->fault ) fault = v->fault(srv.vs, req, fault);
  switch( fault ){
    case SB_FAULT_429:
      v->error(srv.vs, 429, "Too many requests.", resp);
      break;
    case SB_FAULT_429_RETRY:
      v->error(srv.vs, 429, "Too many requests.", resp);
      SB_LIT(&resp->headers, "Retry-After: 1\r\n");
      break;
    case SB_FAULT_429_RETRY_DATE: {
      /* RFC 9110 allows an HTTP date too; two seconds ahead, so a client
      ** that ignores it and backs off briefly is caught out */
      char date[32];
      size_t n = dt_fmt_http_date(date, dt_now() + 2);
      v->error(srv.vs, 429, "Too many requests.", resp);
      sb_printf(&resp->headers, "Retry-After: %.*s\r\n", (int)n, date);
      break;
    }
    case SB_FAULT_500:
      v->error(srv.vs, 500, "An unexpected error has occurred.", resp);
      break;
    case SB_FAULT_503:
      v->error(srv.vs, 503, "The service is temporarily unavailable.", resp);
      SB_LIT(&resp->headers, "Retry-After: 1\r\n");
      break;
    case SB_FAULT_TOKEN_EXPIRY:
      v->error(srv.vs, 401, "The API key couldn't be authorized. The client id "
               "and secret are no longer valid.", resp);
      break;
    case SB_FAULT_INVALID_JSON:
      resp->status = 200;
      SB_LIT(&resp->body, "[{\"Id\":1001,\"Name\":\"Oak Ridge Apart");
      break;
    case SB_FAULT_HTML:
      resp->status = 200;
      resp->content_type = "text/html; charset=utf-8";
      SB_LIT(&resp->body, srv_html_page);
      break;
    case SB_FAULT_SLOW:
      if( !srv_sleep_ms(60000) ) return SB_FAULT_NONE;
      v->handle(srv.vs, req, resp);
      break;
    default:
      v->handle(srv.vs, req, resp);
      break;
  }
  if( fault == SB_FAULT_EMPTY_PAGE ){
    if( (resp->status == 200 || resp->status == 206) && resp->is_list
        && resp->list_offset > 0 ){
      sb_blob_unref(resp->blob);
      resp->blob = NULL;
      resp->body.n = 0;
      if( v->empty_page ) v->empty_page(srv.vs, req, resp);
      else SB_LIT(&resp->body, "[]");
    }else{
      fault = SB_FAULT_NONE;
    }
  }
  if( fault != SB_FAULT_NONE ) ctl_count_fault();
  srv_rate_headers(resp, &rate);
  return fault;
}

static int srv_handle(srv_conn *c, const sb_request *req, int keep_alive){
  sb_response resp;
  int fault = SB_FAULT_NONE, api = 0;
  uint64_t seq = 0;
  const char *prefix = srv.vendor->api_prefix;
  int control = strncmp(req->path, "/__sandbox/", 11) == 0;
  sb_response_init(&resp);
  if( !control ){
    if( !c->counted ) ctl_note_connection(1);
    c->counted = 1;
    ctl_note_in_flight(1);
  }
  if( control ){
    ctl_handle(req, &resp);
  }else if( strncmp(req->path, prefix, strlen(prefix)) == 0 ){
    api = 1;
    seq = ctl_note_request(req);
    fault = srv_api(req, &resp);
    /* a request cut short by the server stopping is never answered */
    if( !srv_stopping() ) rec_note(req, &resp, fault);
    long lat = ctl_latency_ms();
    if( lat > 0 ) srv_sleep_ms(lat);
  }else{
    srv.vendor->handle(srv.vs, req, &resp);
  }
  keep_alive = srv_send_response(c, req, &resp, fault, keep_alive);
  if( !control ) ctl_note_in_flight(-1);
  if( api ){
    int is_write = strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0
                   && !resp.not_write;
    ctl_note_done(seq, is_write, resp.status);
  }
  sb_response_free(&resp);
  return keep_alive;
}

static int srv_parse_and_answer(srv_conn *c, char *hb, size_t hend);

/* Reads, parses and answers one request from the connection; returns 0
** when the connection should close. */
static int srv_one_request(srv_conn *c){
  size_t hend = 0;
  /* Find the end of the header block. */
  for(;;){
    char *p = c->len >= 4 ? memmem(c->buf, c->len, "\r\n\r\n", 4) : NULL;
    if( p ){
      hend = (size_t)(p - c->buf) + 4;
      break;
    }
    if( c->len > SRV_MAX_HEADER ){
      srv_simple_error(c, 431, "request header too large");
      return 0;
    }
    if( !srv_recv_more(c) ) return 0;
  }
  /* Parse a private copy of the header block: reading the body may grow
  ** (move) the connection buffer under any pointers into it. */
  char *hb = sb_xstrndup(c->buf, hend - 2);
  int keep_alive = srv_parse_and_answer(c, hb, hend);
  free(hb);
  return keep_alive;
}

static int srv_parse_and_answer(srv_conn *c, char *hb, size_t hend){
  /* Request line. */
  char *line = hb, *save = NULL;
  char *eol = strstr(line, "\r\n");
  if( eol ) *eol = 0;
  char *method = strtok_r(line, " ", &save);
  char *target = strtok_r(NULL, " ", &save);
  char *version = strtok_r(NULL, " ", &save);
  if( !method || !target || !version || strncmp(version, "HTTP/1.", 7) != 0 ){
    srv_simple_error(c, 400, "malformed request line");
    return 0;
  }
  int keep_alive = strcmp(version, "HTTP/1.0") != 0;

  /* Headers. */
  sb_header hdrs[SRV_MAX_HEADERS];
  int nh = 0;
  char *h = eol ? eol + 2 : NULL;
  while( h && *h ){
    char *e = strstr(h, "\r\n");
    if( e ) *e = 0;
    char *colon = strchr(h, ':');
    if( colon && nh < SRV_MAX_HEADERS ){
      *colon = 0;
      char *v = colon + 1;
      while( *v == ' ' || *v == '\t' ) v++;
      size_t vl = strlen(v);
      while( vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t') ) v[--vl] = 0;
      hdrs[nh].name = h;
      hdrs[nh].value = v;
      nh++;
    }
    h = e ? e + 2 : NULL;
  }
  sb_request req = { .method = method, .headers = hdrs, .nheaders = nh };
  const char *conn = sb_request_header(&req, "Connection");
  if( conn && strcasecmp(conn, "close") == 0 ) keep_alive = 0;
  if( conn && strcasecmp(conn, "keep-alive") == 0 ) keep_alive = 1;

  /* Body. */
  const char *cl = sb_request_header(&req, "Content-Length");
  const char *te = sb_request_header(&req, "Transfer-Encoding");
  const char *expect = sb_request_header(&req, "Expect");
  int chunked = te && strcasestr(te, "chunked") != NULL;
  size_t blen = 0, consumed = hend;
  sb_buf body = { 0 };
  if( cl && !chunked ){
    char *end;
    unsigned long long v = strtoull(cl, &end, 10);
    if( end == cl || *end ){
      srv_simple_error(c, 400, "invalid Content-Length");
      return 0;
    }
    if( v > SRV_MAX_BODY ){
      srv_simple_error(c, 413, "request body too large");
      return 0;
    }
    blen = (size_t)v;
  }
  if( expect && strcasecmp(expect, "100-continue") == 0
      && (chunked || c->len < hend + blen) && (chunked || blen > 0) ){
    if( srv_send_str(c->fd, "HTTP/1.1 100 Continue\r\n\r\n") != 0 ) return 0;
  }
  if( chunked ){
    long end = srv_read_chunked(c, hend, &body);
    if( end < 0 ){
      sb_buf_free(&body);
      srv_simple_error(c, 400, "malformed chunked body");
      return 0;
    }
    consumed = (size_t)end;
  }else{
    if( !srv_fill(c, hend + blen) ) return 0;
    sb_put(&body, c->buf + hend, blen);
    consumed = hend + blen;
  }
  sb_cstr(&body);

  char *q = strchr(target, '?');
  if( q ) *q = 0;
  req.path = target;
  req.query = q ? q + 1 : "";
  req.body = body.p;
  req.body_len = body.n;

  keep_alive = srv_handle(c, &req, keep_alive);
  sb_buf_free(&body);

  memmove(c->buf, c->buf + consumed, c->len - consumed);
  c->len -= consumed;
  return keep_alive && !srv_stopping();
}

static void srv_conn_unregister(srv_conn *c){
  pthread_mutex_lock(&srv.mu);
  if( c->prev ) c->prev->next = c->next;
  else srv.conns = c->next;
  if( c->next ) c->next->prev = c->prev;
  srv.nconns--;
  pthread_cond_broadcast(&srv.cv);
  pthread_mutex_unlock(&srv.mu);
}

static void *srv_conn_main(void *arg){
  srv_conn *c = arg;
  while( srv_one_request(c) ){}
  srv_conn_unregister(c);
  close(c->fd);
  if( c->counted ) ctl_note_connection(0);
  free(c->buf);
  free(c);
  return NULL;
}

static void srv_tune_socket(int fd){
  int one = 1, sz = SRV_SNDBUF;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  /* SO_SNDBUFFORCE ignores net.core.wmem_max when we may; otherwise the
  ** kernel caps SO_SNDBUF at wmem_max, which is still far above the
  ** default initial buffer. */
  if( setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) != 0 ){
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
  }
}

static void *srv_accept_main(void *arg){
  (void)arg;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, SRV_THREAD_STACK);
  while( !srv_stopping() ){
    int fd = accept4(srv.listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if( fd < 0 ){
      if( srv_stopping() ) break;
      if( errno == EMFILE || errno == ENFILE || errno == ENOMEM ) dt_sleep_ms(50);
      continue;
    }
    srv_tune_socket(fd);
    srv_conn *c = sb_xcalloc(1, sizeof(*c));
    c->fd = fd;
    pthread_mutex_lock(&srv.mu);
    c->next = srv.conns;
    if( srv.conns ) srv.conns->prev = c;
    srv.conns = c;
    srv.nconns++;
    pthread_mutex_unlock(&srv.mu);
    pthread_t t;
    if( pthread_create(&t, &attr, srv_conn_main, c) != 0 ){
      srv_conn_unregister(c);
      close(fd);
      free(c);
      dt_sleep_ms(10);
    }
  }
  pthread_attr_destroy(&attr);
  return NULL;
}

int srv_listen(int port, int *bound_port){
  struct sockaddr_in a;
  socklen_t alen = sizeof(a);
  int one = 1;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if( fd < 0 ) return -1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if( bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 1024) != 0
      || getsockname(fd, (struct sockaddr *)&a, &alen) != 0 ){
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  *bound_port = ntohs(a.sin_port);
  return fd;
}

int srv_start(int listen_fd, const sb_vendor *v, void *vs){
  srv.vendor = v;
  srv.vs = vs;
  srv.listen_fd = listen_fd;
  if( pthread_create(&srv.acceptor, NULL, srv_accept_main, NULL) != 0 ) return -1;
  srv.acceptor_started = 1;
  return 0;
}

/* Stops accepting, wakes every connection and waits (briefly) for their
** threads to finish, so the caller can free what they were using. */
int srv_stop(void){
  atomic_store(&srv.stopping, 1);
  shutdown(srv.listen_fd, SHUT_RDWR);
  if( srv.acceptor_started ) pthread_join(srv.acceptor, NULL);
  close(srv.listen_fd);
  pthread_mutex_lock(&srv.mu);
  for(srv_conn *c = srv.conns; c; c = c->next) shutdown(c->fd, SHUT_RDWR);
  double deadline = dt_mono() + 2.0;
  while( srv.nconns > 0 && dt_mono() < deadline ){
    pthread_mutex_unlock(&srv.mu);
    dt_sleep_ms(10);
    pthread_mutex_lock(&srv.mu);
  }
  int done = srv.nconns == 0;
  pthread_mutex_unlock(&srv.mu);
  return done;
}
