/*
** control.c — the sandbox's own state beside the emulated API: the live
** settings (faults, latency, rate limit), the counters, the log of recent
** API requests, and the /__sandbox/ endpoints that expose them:
**
**   GET  /__sandbox/stats          counters and record counts; with
**                                  ?account=K one account's (--accounts),
**                                  without it the totals of all accounts
**   GET  /__sandbox/config         current live settings (?account=K: the
**                                  fault settings account K sees)
**   POST /__sandbox/config         change settings (any subset), answer them;
**                                  with "account": K the fault settings
**                                  (fault, fault_after, fault_rate) of
**                                  account K alone, which from then on no
**                                  longer follows the shared ones
**   POST /__sandbox/reset-stats    zero the counters and the request log,
**                                  maxima of concurrency back to current
**   GET  /__sandbox/requests?limit=N[&account=K]   last N API requests
**                                  (of account K), oldest first
**
** server.c calls in here for every API request (ctl_note_request, then
** ctl_admit for the rate limit, ctl_pick_fault, ctl_note_done). One mutex
** guards everything: these are a few counter updates per request, far
** cheaper than the response they accompany.
**
** Fault selection: faults apply to API requests after the first
** fault_after of them (counted since start or since the last config POST),
** to a fraction fault_rate of those (a splitmix64 stream seeded from --seed,
** so a run is repeatable), rotating through the configured kinds.
**
** Rate limit: per client identity, at most rate_per_sec admitted requests in
** any sliding one-second window; rejected requests do not use up the window.
** A vendor with rate_per_min instead allows that many admitted requests per
** fixed one-minute window per client, the window starting at the client's
** first request after the previous one ended (so a burst of limit+1
** requests always sees the last one refused, whatever the wall clock).
** max_requests_in_1s counts every API request, admitted or not, so a client
** that overruns the limit shows it; max_requests_in_60s is the same over
** any 60 s (in 100 ms buckets, so exact to within one bucket).
**
** With --accounts (accounts.c) every counter, window and maximum here is
** kept per account as well as in total, and each account has its own
** rate-limit windows: one customer's 429s never touch another's. An
** account's connections are the open ones whose latest request was its.
**
** Concurrency, for checking a client's connection caps: "connections" counts
** the open connections that have carried a request other than /__sandbox/
** (so a test polling the stats is not one of them), "in_flight" the
** requests being answered (from their headers read to their answer sent,
** latency included); each reports its current value and the maximum seen.
** POST /__sandbox/reset-stats sets each maximum back to its current value.
*/
#include "sandbox.h"
#include <time.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#define CTL_MAX_KINDS 16
#define CTL_LOG_SIZE 1000
#define CTL_LOG_BODY_MAX (64 * 1024)
#define CTL_WINDOW_SIZE 65536          /* timestamps kept for max_in_1s */
#define CTL_ACCOUNT_WINDOW 1024        /* the same per account (max_in_1s saturates there) */
#define CTL_MAX_CLIENTS 32
#define CTL_RATE_MAX 64
#define CTL_B60 600                    /* 100 ms buckets of the 60 s window */

static const char *const ctl_fault_names[SB_FAULT_COUNT] = {
  "", "429", "429-retry-after", "500", "503", "reset", "truncate",
  "invalid-json", "html", "slow", "empty-page", "token-expiry",
  "429-retry-date",
};

typedef struct ctl_logent {
  uint64_t seq;
  int account;
  int64_t at_ms;            /* when it arrived, unix ms (orders requests across sandboxes) */
  char method[12];
  char *path, *query, *body;
  int status;
} ctl_logent;

typedef struct ctl_client {
  char key[128];
  double t[CTL_RATE_MAX];              /* ring of admitted request times */
  int head, count;
  double last;
  double win_start;                    /* per-minute vendors: window start */
  long win_count;                      /* admitted in the current window */
} ctl_client;

/* Counters of one account, or of all (ctl.total). */
typedef struct ctl_counts {
  uint64_t requests, by_get, by_post, by_put, by_patch, by_delete;
  uint64_t writes, writes_rejected, rate_limited, faults, max_in_1s;
  double *window;                      /* wsize timestamps for max_in_1s */
  uint64_t wsize, win_head, win_tail;
  uint64_t max_in_60s, b60_sum, b60_last;
  uint32_t b60[CTL_B60];
  long conns, max_conns, in_flight, max_in_flight;
} ctl_counts;

/* Fault settings and the progress through them. */
typedef struct ctl_faults {
  int kinds[CTL_MAX_KINDS], nkinds;
  long fault_after;
  double fault_rate;
  uint64_t seen, rot, rng;
} ctl_faults;

/* One account: its counters (unused with one account, whose counters are
** the totals), its own faults if set, its rate-limit windows. */
typedef struct ctl_account {
  ctl_counts n;
  ctl_faults own;
  int has_own;                         /* own faults set by a config POST */
  ctl_client clients[CTL_MAX_CLIENTS];
} ctl_account;

static struct {
  pthread_mutex_t mu;
  const sb_vendor *vendor;
  uint64_t seed;
  /* settings */
  ctl_faults faults;                   /* one stream shared by the accounts
                                       ** without their own */
  long latency_ms;
  int rate_limit;
  ctl_counts total;
  int naccounts;
  ctl_account **acct;                  /* allocated on an account's first request */
  uint64_t fault_gen;
  ctl_logent log[CTL_LOG_SIZE];
  uint64_t seq;
} ctl;

const char *ctl_fault_name(int kind){
  return kind > 0 && kind < SB_FAULT_COUNT ? ctl_fault_names[kind] : "";
}

/* Parses "500,reset" into kinds; returns the count or -1 (err says why). */
int ctl_parse_faults(const char *list, int *kinds, int max, char *err,
                     size_t errlen){
  int n = 0;
  const char *s = list;
  while( s && *s ){
    const char *e = strchr(s, ',');
    size_t len = e ? (size_t)(e - s) : strlen(s);
    int k = 0;
    while( len && *s == ' ' ){ s++; len--; }
    while( len && s[len - 1] == ' ' ) len--;
    if( len ){
      for(int i = 1; i < SB_FAULT_COUNT; i++){
        if( strlen(ctl_fault_names[i]) == len && strncmp(ctl_fault_names[i], s, len) == 0 ){
          k = i;
        }
      }
      if( !k ){
        snprintf(err, errlen, "unknown fault kind '%.*s'", (int)len, s);
        return -1;
      }
      if( n == max ){
        snprintf(err, errlen, "too many fault kinds (max %d)", max);
        return -1;
      }
      kinds[n++] = k;
    }
    s = e ? e + 1 : NULL;
  }
  return n;
}

static void ctl_faults_reset(ctl_faults *f, uint64_t seed){
  f->seen = 0;
  f->rot = 0;
  f->rng = sb_mix64(seed ^ 0xfa017ULL);
}

static void ctl_counts_init(ctl_counts *n, uint64_t wsize){
  n->wsize = wsize;
  n->window = sb_xcalloc(wsize, sizeof(double));
}

void ctl_init(const sb_options *opt, const sb_vendor *v, int naccounts){
  char err[128];
  memset(&ctl, 0, sizeof(ctl));
  pthread_mutex_init(&ctl.mu, NULL);
  ctl.vendor = v;
  ctl.seed = opt->seed;
  ctl.faults.nkinds = ctl_parse_faults(opt->fault, ctl.faults.kinds, CTL_MAX_KINDS, err, sizeof(err));
  if( ctl.faults.nkinds < 0 ) ctl.faults.nkinds = 0;     /* main.c validated it already */
  ctl.faults.fault_after = opt->fault_after;
  ctl.faults.fault_rate = opt->fault_rate;
  ctl.latency_ms = opt->latency_ms;
  ctl.rate_limit = opt->rate_limit;
  ctl_faults_reset(&ctl.faults, ctl.seed);
  ctl_counts_init(&ctl.total, CTL_WINDOW_SIZE);
  ctl.naccounts = naccounts < 1 ? 1 : naccounts;
  ctl.acct = sb_xcalloc((size_t)ctl.naccounts, sizeof(ctl_account *));
}

/* Account k's state, allocated on first use; caller locks. */
static ctl_account *ctl_acct_locked(int k){
  if( k < 0 || k >= ctl.naccounts ) k = 0;
  if( !ctl.acct[k] ){
    ctl.acct[k] = sb_xcalloc(1, sizeof(ctl_account));
    ctl_counts_init(&ctl.acct[k]->n, CTL_ACCOUNT_WINDOW);
  }
  return ctl.acct[k];
}

static void ctl_log_clear_locked(void){
  for(int i = 0; i < CTL_LOG_SIZE; i++){
    free(ctl.log[i].path);
    free(ctl.log[i].query);
    free(ctl.log[i].body);
    memset(&ctl.log[i], 0, sizeof(ctl.log[i]));
  }
}

void ctl_shutdown(void){
  pthread_mutex_lock(&ctl.mu);
  ctl_log_clear_locked();
  for(int k = 0; k < ctl.naccounts; k++){
    if( ctl.acct[k] ) free(ctl.acct[k]->n.window);
    free(ctl.acct[k]);
  }
  free(ctl.acct);
  ctl.acct = NULL;
  free(ctl.total.window);
  ctl.total.window = NULL;
  pthread_mutex_unlock(&ctl.mu);
}

/* One request into a set of counters: by method, and the sliding 1 s and
** 60 s windows. */
static void ctl_count_request(ctl_counts *n, const char *method, double now){
  n->requests++;
  if( strcmp(method, "GET") == 0 ) n->by_get++;
  else if( strcmp(method, "POST") == 0 ) n->by_post++;
  else if( strcmp(method, "PUT") == 0 ) n->by_put++;
  else if( strcmp(method, "PATCH") == 0 ) n->by_patch++;
  else if( strcmp(method, "DELETE") == 0 ) n->by_delete++;

  /* Sliding one-second window over all API requests. */
  n->window[n->win_head++ % n->wsize] = now;
  while( n->win_tail < n->win_head
         && (n->window[n->win_tail % n->wsize] <= now - 1.0
             || n->win_head - n->win_tail > n->wsize) ){
    n->win_tail++;
  }
  if( n->win_head - n->win_tail > n->max_in_1s ) n->max_in_1s = n->win_head - n->win_tail;

  /* Sliding 60-second window in 100 ms buckets. */
  uint64_t bk = (uint64_t)(now * 10.0);
  if( n->b60_sum == 0 || bk >= n->b60_last + CTL_B60 ){
    memset(n->b60, 0, sizeof(n->b60));
    n->b60_sum = 0;
  }else{
    for(uint64_t x = n->b60_last + 1; x <= bk; x++){
      n->b60_sum -= n->b60[x % CTL_B60];
      n->b60[x % CTL_B60] = 0;
    }
  }
  if( bk > n->b60_last || n->b60_sum == 0 ) n->b60_last = bk;
  n->b60[n->b60_last % CTL_B60]++;
  n->b60_sum++;
  if( n->b60_sum > n->max_in_60s ) n->max_in_60s = n->b60_sum;
}

uint64_t ctl_note_request(const sb_request *req, int account){
  double now = dt_mono();
  uint64_t seq;
  pthread_mutex_lock(&ctl.mu);
  ctl_account *a = ctl_acct_locked(account);
  ctl_count_request(&ctl.total, req->method, now);
  if( ctl.naccounts > 1 ) ctl_count_request(&a->n, req->method, now);

  seq = ++ctl.seq;
  ctl_logent *e = &ctl.log[seq % CTL_LOG_SIZE];
  free(e->path);
  free(e->query);
  free(e->body);
  e->seq = seq;
  e->account = account;
  {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    e->at_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
  }
  snprintf(e->method, sizeof(e->method), "%s", req->method);
  e->path = sb_xstrdup(req->path);
  e->query = sb_xstrdup(req->query);
  e->body = sb_xstrndup(req->body ? req->body : "",
                        req->body_len > CTL_LOG_BODY_MAX ? CTL_LOG_BODY_MAX : req->body_len);
  e->status = 0;
  pthread_mutex_unlock(&ctl.mu);
  return seq;
}

/* The counters of account k to bump beside the totals: NULL when there is
** one account (its counters are the totals); caller locks. */
static ctl_counts *ctl_acct_counts_locked(int k){
  return ctl.naccounts > 1 ? &ctl_acct_locked(k)->n : NULL;
}

void ctl_note_done(uint64_t seq, int account, int is_write, int status){
  pthread_mutex_lock(&ctl.mu);
  ctl_logent *e = &ctl.log[seq % CTL_LOG_SIZE];
  ctl_counts *a = ctl_acct_counts_locked(account);
  if( e->seq == seq ) e->status = status;
  if( is_write ){
    int ok = status >= 200 && status < 300;
    if( ok ) ctl.total.writes++;
    else ctl.total.writes_rejected++;
    if( a && ok ) a->writes++;
    else if( a ) a->writes_rejected++;
  }
  pthread_mutex_unlock(&ctl.mu);
}

static void ctl_conn_add(ctl_counts *n, int delta){
  n->conns += delta;
  if( n->conns > n->max_conns ) n->max_conns = n->conns;
}

/* A connection's request other than /__sandbox/ for account 'to', its
** previous one having been for 'from' (-1: its first); to = -1 when it
** closes after one. */
void ctl_note_connection(int from, int to){
  if( from == to ) return;
  pthread_mutex_lock(&ctl.mu);
  if( from < 0 ) ctl_conn_add(&ctl.total, 1);
  if( to < 0 ) ctl_conn_add(&ctl.total, -1);
  ctl_counts *a;
  if( from >= 0 && (a = ctl_acct_counts_locked(from)) != NULL ) ctl_conn_add(a, -1);
  if( to >= 0 && (a = ctl_acct_counts_locked(to)) != NULL ) ctl_conn_add(a, 1);
  pthread_mutex_unlock(&ctl.mu);
}

static void ctl_in_flight_add(ctl_counts *n, int delta){
  n->in_flight += delta;
  if( n->in_flight > n->max_in_flight ) n->max_in_flight = n->in_flight;
}

/* A request other than /__sandbox/ begins (delta 1) or is answered (-1). */
void ctl_note_in_flight(int account, int delta){
  pthread_mutex_lock(&ctl.mu);
  ctl_in_flight_add(&ctl.total, delta);
  ctl_counts *a = ctl_acct_counts_locked(account);
  if( a ) ctl_in_flight_add(a, delta);
  pthread_mutex_unlock(&ctl.mu);
}

static void ctl_count_limited_locked(int account){
  ctl_counts *a = ctl_acct_counts_locked(account);
  ctl.total.rate_limited++;
  if( a ) a->rate_limited++;
}

/* The client's slot among its account's, reusing the least recently seen
** one; caller locks. */
static ctl_client *ctl_client_slot(int account, const char *client, double now){
  ctl_client *cl = ctl_acct_locked(account)->clients;
  ctl_client *c = NULL, *oldest = &cl[0];
  for(int i = 0; i < CTL_MAX_CLIENTS; i++){
    if( cl[i].last > 0 && strcmp(cl[i].key, client) == 0 ){
      c = &cl[i];
      break;
    }
    if( cl[i].last < oldest->last ) oldest = &cl[i];
  }
  if( !c ){
    c = oldest;
    memset(c, 0, sizeof(*c));
    snprintf(c->key, sizeof(c->key), "%s", client);
  }
  c->last = now;
  return c;
}

/* Fixed one-minute windows per client (rate_per_min vendors). */
static int ctl_admit_minute(int account, const char *client, long limit, sb_rate *r){
  double now = dt_mono();
  int ok = 1;
  pthread_mutex_lock(&ctl.mu);
  if( ctl.rate_limit ){
    ctl_client *c = ctl_client_slot(account, client, now);
    if( c->win_count == 0 || now - c->win_start >= 60.0 ){
      c->win_start = now;
      c->win_count = 0;
    }
    if( c->win_count >= limit ){
      ok = 0;
      ctl_count_limited_locked(account);
    }else{
      c->win_count++;
    }
    if( r ){
      double left = c->win_start + 60.0 - now;
      long secs = (long)left + ((double)(long)left < left);
      if( secs < 1 ) secs = 1;
      r->limited = 1;
      r->limit = limit;
      r->remaining = limit - c->win_count;
      r->retry_after = secs;
      r->reset_at = dt_now() + secs;
    }
  }
  pthread_mutex_unlock(&ctl.mu);
  return ok;
}

int ctl_admit_ex(int account, const char *client, sb_rate *r){
  int limit = ctl.vendor ? ctl.vendor->rate_per_sec : 0;
  double now = dt_mono();
  int ok = 1;
  if( r ) memset(r, 0, sizeof(*r));
  if( ctl.vendor && ctl.vendor->rate_per_min > 0 ){
    return ctl_admit_minute(account, client, ctl.vendor->rate_per_min, r);
  }
  if( limit <= 0 ) return 1;
  if( limit > CTL_RATE_MAX ) limit = CTL_RATE_MAX;
  pthread_mutex_lock(&ctl.mu);
  if( ctl.rate_limit ){
    ctl_client *c = ctl_client_slot(account, client, now);
    if( c->count >= limit ){
      double first = c->t[(c->head - c->count + CTL_RATE_MAX * 2) % CTL_RATE_MAX];
      if( first > now - 1.0 ){
        ok = 0;
        ctl_count_limited_locked(account);
      }else{
        c->count--;
      }
    }
    if( ok ){
      c->t[c->head] = now;
      c->head = (c->head + 1) % CTL_RATE_MAX;
      c->count++;
    }
  }
  pthread_mutex_unlock(&ctl.mu);
  return ok;
}

int ctl_pick_fault(int account){
  int kind = SB_FAULT_NONE;
  pthread_mutex_lock(&ctl.mu);
  ctl_account *a = ctl_acct_locked(account);
  ctl_faults *f = a->has_own ? &a->own : &ctl.faults;
  if( f->nkinds > 0 ){
    uint64_t n = f->seen++;
    if( n >= (uint64_t)f->fault_after
        && (f->fault_rate >= 1.0 || sb_rng_unit(&f->rng) < f->fault_rate) ){
      kind = f->kinds[f->rot++ % (uint64_t)f->nkinds];
    }
  }
  pthread_mutex_unlock(&ctl.mu);
  return kind;
}

uint64_t ctl_fault_generation(void){
  pthread_mutex_lock(&ctl.mu);
  uint64_t g = ctl.fault_gen;
  pthread_mutex_unlock(&ctl.mu);
  return g;
}

void ctl_count_fault(int account){
  pthread_mutex_lock(&ctl.mu);
  ctl_counts *a = ctl_acct_counts_locked(account);
  ctl.total.faults++;
  if( a ) a->faults++;
  pthread_mutex_unlock(&ctl.mu);
}

long ctl_latency_ms(void){
  pthread_mutex_lock(&ctl.mu);
  long ms = ctl.latency_ms;
  pthread_mutex_unlock(&ctl.mu);
  return ms;
}

/* ---- endpoints ---- */

static void ctl_json_error(sb_response *resp, int status, const char *msg){
  resp->status = status;
  SB_LIT(&resp->body, "{\"error\":");
  jw_str(&resp->body, msg);
  sb_putc(&resp->body, '}');
}

/* The ?account=K of a control request: 1 and K (-1 when absent), or 0 with
** a 400 in resp. */
static int ctl_account_param(const sb_request *req, int *account, sb_response *resp){
  sb_query q;
  long k;
  char msg[96];
  *account = -1;
  sb_query_parse(req->query, &q);
  const char *s = sb_query_get(&q, "account");
  int ok = !s || (sb_parse_long(s, &k) && k >= 0 && k < ctl.naccounts);
  if( s && ok ) *account = (int)k;
  sb_query_free(&q);
  if( !ok ){
    snprintf(msg, sizeof(msg), "account must be an integer from 0 to %d", ctl.naccounts - 1);
    ctl_json_error(resp, 400, msg);
  }
  return ok;
}

static void ctl_config_json_locked(sb_buf *b, int account){
  const ctl_faults *f = &ctl.faults;
  if( account >= 0 && ctl.acct[account] && ctl.acct[account]->has_own ) f = &ctl.acct[account]->own;
  SB_LIT(b, "{\"fault\":\"");
  for(int i = 0; i < f->nkinds; i++){
    if( i ) sb_putc(b, ',');
    sb_puts(b, ctl_fault_name(f->kinds[i]));
  }
  SB_LIT(b, "\",\"fault_after\":");
  jw_int(b, f->fault_after);
  SB_LIT(b, ",\"fault_rate\":");
  sb_printf(b, "%.6g", f->fault_rate);
  SB_LIT(b, ",\"latency_ms\":");
  jw_int(b, ctl.latency_ms);
  SB_LIT(b, ",\"rate_limit\":");
  jw_bool(b, ctl.rate_limit);
  if( account >= 0 ){
    SB_LIT(b, ",\"account\":");
    jw_int(b, account);
  }
  sb_putc(b, '}');
}

static void ctl_counts_json_locked(sb_buf *b, const ctl_counts *n){
  SB_LIT(b, ",\"requests\":");
  jw_int(b, (int64_t)n->requests);
  SB_LIT(b, ",\"requests_by_method\":{\"GET\":");
  jw_int(b, (int64_t)n->by_get);
  SB_LIT(b, ",\"PUT\":");
  jw_int(b, (int64_t)n->by_put);
  SB_LIT(b, ",\"POST\":");
  jw_int(b, (int64_t)n->by_post);
  SB_LIT(b, ",\"PATCH\":");
  jw_int(b, (int64_t)n->by_patch);
  SB_LIT(b, ",\"DELETE\":");
  jw_int(b, (int64_t)n->by_delete);
  SB_LIT(b, "},\"writes\":");
  jw_int(b, (int64_t)n->writes);
  SB_LIT(b, ",\"writes_rejected\":");
  jw_int(b, (int64_t)n->writes_rejected);
  SB_LIT(b, ",\"rate_limited\":");
  jw_int(b, (int64_t)n->rate_limited);
  SB_LIT(b, ",\"faults_injected\":");
  jw_int(b, (int64_t)n->faults);
  SB_LIT(b, ",\"max_requests_in_1s\":");
  jw_int(b, (int64_t)n->max_in_1s);
  SB_LIT(b, ",\"max_requests_in_60s\":");
  jw_int(b, (int64_t)n->max_in_60s);
  SB_LIT(b, ",\"connections\":{\"current\":");
  jw_int(b, n->conns);
  SB_LIT(b, ",\"max_concurrent\":");
  jw_int(b, n->max_conns);
  SB_LIT(b, "},\"in_flight\":{\"current\":");
  jw_int(b, n->in_flight);
  SB_LIT(b, ",\"max_concurrent\":");
  jw_int(b, n->max_in_flight);
  sb_putc(b, '}');
}

/* The totals, or one account's counters and record counts. With several
** accounts the totals carry no record counts (that would build every
** account) but how many accounts there are and have been built. */
static void ctl_stats(const sb_request *req, sb_response *resp){
  sb_buf *b = &resp->body;
  int account;
  if( !ctl_account_param(req, &account, resp) ) return;
  void *vs = account >= 0 || ctl.naccounts == 1 ? acct_vs(account < 0 ? 0 : account) : NULL;
  SB_LIT(b, "{\"vendor\":");
  jw_str(b, ctl.vendor->name);
  if( account >= 0 ){
    sb_options o;
    acct_account_options(account, &o);
    SB_LIT(b, ",\"account\":");
    jw_int(b, account);
    SB_LIT(b, ",\"seed\":");
    jw_int(b, (int64_t)o.seed);
    SB_LIT(b, ",\"size\":");
    jw_int(b, o.size);
  }
  pthread_mutex_lock(&ctl.mu);
  const ctl_counts *n = &ctl.total;
  if( account >= 0 && ctl.naccounts > 1 ) n = &ctl_acct_locked(account)->n;
  ctl_counts_json_locked(b, n);
  SB_LIT(b, ",\"config\":");
  ctl_config_json_locked(b, account);
  pthread_mutex_unlock(&ctl.mu);
  if( ctl.naccounts > 1 && account < 0 ){
    SB_LIT(b, ",\"accounts\":{\"count\":");
    jw_int(b, ctl.naccounts);
    SB_LIT(b, ",\"built\":");
    jw_int(b, acct_built());
    sb_putc(b, '}');
  }
  if( vs ){
    SB_LIT(b, ",\"counts\":");
    ctl.vendor->counts(vs, b);
  }
  sb_putc(b, '}');
}

static void ctl_config_post(const sb_request *req, sb_response *resp){
  cJSON *j = cJSON_ParseWithLength(req->body ? req->body : "", req->body_len);
  const cJSON *v;
  int kinds[CTL_MAX_KINDS], nkinds = -1, account = -1;
  char err[160];
  if( !cJSON_IsObject(j) ){
    cJSON_Delete(j);
    ctl_json_error(resp, 400, "body must be a JSON object");
    return;
  }
  if( (v = cJSON_GetObjectItemCaseSensitive(j, "fault")) != NULL ){
    if( cJSON_IsNull(v) ){
      nkinds = 0;
    }else if( !cJSON_IsString(v) ){
      ctl_json_error(resp, 400, "fault must be a string");
      goto done;
    }else if( (nkinds = ctl_parse_faults(v->valuestring, kinds, CTL_MAX_KINDS,
                                         err, sizeof(err))) < 0 ){
      ctl_json_error(resp, 400, err);
      goto done;
    }
  }
  const cJSON *after = cJSON_GetObjectItemCaseSensitive(j, "fault_after");
  const cJSON *rate = cJSON_GetObjectItemCaseSensitive(j, "fault_rate");
  const cJSON *lat = cJSON_GetObjectItemCaseSensitive(j, "latency_ms");
  const cJSON *rl = cJSON_GetObjectItemCaseSensitive(j, "rate_limit");
  const cJSON *acc = cJSON_GetObjectItemCaseSensitive(j, "account");
  if( after && (!cJSON_IsNumber(after) || after->valuedouble < 0) ){
    ctl_json_error(resp, 400, "fault_after must be a number >= 0");
    goto done;
  }
  if( rate && (!cJSON_IsNumber(rate) || rate->valuedouble < 0 || rate->valuedouble > 1) ){
    ctl_json_error(resp, 400, "fault_rate must be a number in [0, 1]");
    goto done;
  }
  if( lat && (!cJSON_IsNumber(lat) || lat->valuedouble < 0) ){
    ctl_json_error(resp, 400, "latency_ms must be a number >= 0");
    goto done;
  }
  if( rl && !cJSON_IsBool(rl) ){
    ctl_json_error(resp, 400, "rate_limit must be true or false");
    goto done;
  }
  if( acc ){
    if( !cJSON_IsNumber(acc) || acc->valuedouble < 0 || acc->valuedouble >= ctl.naccounts
        || acc->valuedouble != (double)(int)acc->valuedouble ){
      snprintf(err, sizeof(err), "account must be an integer from 0 to %d", ctl.naccounts - 1);
      ctl_json_error(resp, 400, err);
      goto done;
    }
    if( lat || rl ){
      ctl_json_error(resp, 400, "latency_ms and rate_limit are shared by every account: "
                                "set them without \"account\"");
      goto done;
    }
    account = (int)acc->valuedouble;
  }
  pthread_mutex_lock(&ctl.mu);
  ctl_faults *f = &ctl.faults;
  if( account >= 0 ){
    ctl_account *a = ctl_acct_locked(account);
    if( !a->has_own ) a->own = ctl.faults;    /* starts from the shared settings */
    a->has_own = 1;
    f = &a->own;
  }
  if( nkinds >= 0 ){
    memcpy(f->kinds, kinds, sizeof(int) * (size_t)nkinds);
    f->nkinds = nkinds;
  }
  if( after ) f->fault_after = (long)after->valuedouble;
  if( rate ) f->fault_rate = rate->valuedouble;
  if( lat ) ctl.latency_ms = (long)lat->valuedouble;
  if( rl ) ctl.rate_limit = cJSON_IsTrue(rl);
  ctl_faults_reset(f, account >= 0 ? ctl.seed + (uint64_t)account : ctl.seed);
  ctl.fault_gen++;
  ctl_config_json_locked(&resp->body, account);
  pthread_mutex_unlock(&ctl.mu);
done:
  cJSON_Delete(j);
}

static void ctl_counts_reset(ctl_counts *n){
  double *w = n->window;
  uint64_t wsize = n->wsize;
  long conns = n->conns, in_flight = n->in_flight;
  memset(n, 0, sizeof(*n));
  n->window = w;
  n->wsize = wsize;
  n->conns = n->max_conns = conns;
  n->in_flight = n->max_in_flight = in_flight;
}

static void ctl_reset_stats(sb_response *resp){
  pthread_mutex_lock(&ctl.mu);
  ctl_counts_reset(&ctl.total);
  for(int k = 0; k < ctl.naccounts; k++){
    if( ctl.acct[k] ) ctl_counts_reset(&ctl.acct[k]->n);
  }
  ctl_log_clear_locked();
  pthread_mutex_unlock(&ctl.mu);
  SB_LIT(&resp->body, "{\"ok\":true}");
}

static void ctl_requests(const sb_request *req, sb_response *resp){
  sb_query q;
  long limit = 50;
  int account;
  if( !ctl_account_param(req, &account, resp) ) return;
  sb_query_parse(req->query, &q);
  const char *ls = sb_query_get(&q, "limit");
  if( ls ){
    char *end;
    limit = strtol(ls, &end, 10);
    if( *end || limit < 0 ){
      sb_query_free(&q);
      ctl_json_error(resp, 400, "limit must be a non-negative integer");
      return;
    }
  }
  sb_query_free(&q);
  if( limit > CTL_LOG_SIZE ) limit = CTL_LOG_SIZE;
  sb_buf *b = &resp->body;
  sb_putc(b, '[');
  pthread_mutex_lock(&ctl.mu);
  /* the last 'limit' entries (of the account), walking back from the newest */
  uint64_t last = ctl.seq, first = last + 1;
  long found = 0;
  while( first > 1 && last - first + 1 < CTL_LOG_SIZE && found < limit ){
    ctl_logent *e = &ctl.log[(first - 1) % CTL_LOG_SIZE];
    first--;
    if( e->seq == first && (account < 0 || e->account == account) ) found++;
  }
  int any = 0;
  for(uint64_t s = first; s <= last && found > 0; s++){
    ctl_logent *e = &ctl.log[s % CTL_LOG_SIZE];
    if( e->seq != s ) continue;           /* cleared by reset-stats */
    if( account >= 0 && e->account != account ) continue;
    if( any++ ) sb_putc(b, ',');
    SB_LIT(b, "{\"method\":");
    jw_str(b, e->method);
    SB_LIT(b, ",\"path\":");
    jw_str(b, e->path);
    SB_LIT(b, ",\"query\":");
    jw_str(b, e->query);
    SB_LIT(b, ",\"body\":");
    jw_str(b, e->body);
    SB_LIT(b, ",\"status\":");
    jw_int(b, e->status);
    SB_LIT(b, ",\"at_ms\":");
    jw_int(b, e->at_ms);
    if( ctl.naccounts > 1 ){
      SB_LIT(b, ",\"account\":");
      jw_int(b, e->account);
    }
    sb_putc(b, '}');
  }
  pthread_mutex_unlock(&ctl.mu);
  sb_putc(b, ']');
}

void ctl_handle(const sb_request *req, sb_response *resp){
  const char *p = req->path + strlen("/__sandbox/");
  int get = strcmp(req->method, "GET") == 0;
  int post = strcmp(req->method, "POST") == 0;
  int account;
  resp->content_type = SB_JSON_TYPE;
  if( strcmp(p, "stats") == 0 && get ){
    ctl_stats(req, resp);
  }else if( strcmp(p, "config") == 0 && post ){
    ctl_config_post(req, resp);
  }else if( strcmp(p, "config") == 0 && get ){
    if( !ctl_account_param(req, &account, resp) ) return;
    pthread_mutex_lock(&ctl.mu);
    ctl_config_json_locked(&resp->body, account);
    pthread_mutex_unlock(&ctl.mu);
  }else if( strcmp(p, "reset-stats") == 0 && post ){
    ctl_reset_stats(resp);
  }else if( strcmp(p, "requests") == 0 && get ){
    ctl_requests(req, resp);
  }else if( strcmp(p, "stats") == 0 || strcmp(p, "config") == 0
            || strcmp(p, "reset-stats") == 0 || strcmp(p, "requests") == 0 ){
    ctl_json_error(resp, 405, "method not allowed");
  }else{
    ctl_json_error(resp, 404, "unknown control endpoint");
  }
}
