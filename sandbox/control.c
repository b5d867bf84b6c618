/*
** control.c — the sandbox's own state beside the emulated API: the live
** settings (faults, latency, rate limit), the counters, the log of recent
** API requests, and the /__sandbox/ endpoints that expose them:
**
**   GET  /__sandbox/stats          counters and record counts
**   GET  /__sandbox/config         current live settings
**   POST /__sandbox/config         change settings (any subset), answer them
**   POST /__sandbox/reset-stats    zero the counters and the request log,
**                                  maxima of concurrency back to current
**   GET  /__sandbox/requests?limit=N   last N API requests, oldest first
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

static struct {
  pthread_mutex_t mu;
  const sb_vendor *vendor;
  void *vs;
  uint64_t seed;
  /* settings */
  int kinds[CTL_MAX_KINDS], nkinds;
  long fault_after;
  double fault_rate;
  long latency_ms;
  int rate_limit;
  /* fault progress */
  uint64_t fault_seen, fault_rot, fault_rng;
  /* counters */
  uint64_t requests, by_get, by_post, by_put, by_patch, by_delete;
  uint64_t writes, writes_rejected, rate_limited, faults, max_in_1s;
  double window[CTL_WINDOW_SIZE];
  uint64_t win_head, win_tail;
  uint64_t max_in_60s, b60_sum, b60_last;
  uint32_t b60[CTL_B60];
  uint64_t fault_gen;
  long conns, max_conns, in_flight, max_in_flight;
  ctl_logent log[CTL_LOG_SIZE];
  uint64_t seq;
  ctl_client clients[CTL_MAX_CLIENTS];
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

static void ctl_reset_faults_locked(void){
  ctl.fault_seen = 0;
  ctl.fault_rot = 0;
  ctl.fault_rng = sb_mix64(ctl.seed ^ 0xfa017ULL);
}

void ctl_init(const sb_options *opt, const sb_vendor *v, void *vs){
  char err[128];
  memset(&ctl, 0, sizeof(ctl));
  pthread_mutex_init(&ctl.mu, NULL);
  ctl.vendor = v;
  ctl.vs = vs;
  ctl.seed = opt->seed;
  ctl.nkinds = ctl_parse_faults(opt->fault, ctl.kinds, CTL_MAX_KINDS, err, sizeof(err));
  if( ctl.nkinds < 0 ) ctl.nkinds = 0;     /* main.c validated it already */
  ctl.fault_after = opt->fault_after;
  ctl.fault_rate = opt->fault_rate;
  ctl.latency_ms = opt->latency_ms;
  ctl.rate_limit = opt->rate_limit;
  ctl_reset_faults_locked();
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
  pthread_mutex_unlock(&ctl.mu);
}

uint64_t ctl_note_request(const sb_request *req){
  double now = dt_mono();
  uint64_t seq;
  pthread_mutex_lock(&ctl.mu);
  ctl.requests++;
  if( strcmp(req->method, "GET") == 0 ) ctl.by_get++;
  else if( strcmp(req->method, "POST") == 0 ) ctl.by_post++;
  else if( strcmp(req->method, "PUT") == 0 ) ctl.by_put++;
  else if( strcmp(req->method, "PATCH") == 0 ) ctl.by_patch++;
  else if( strcmp(req->method, "DELETE") == 0 ) ctl.by_delete++;

  /* Sliding one-second window over all API requests. */
  ctl.window[ctl.win_head++ % CTL_WINDOW_SIZE] = now;
  while( ctl.win_tail < ctl.win_head
         && (ctl.window[ctl.win_tail % CTL_WINDOW_SIZE] <= now - 1.0
             || ctl.win_head - ctl.win_tail > CTL_WINDOW_SIZE) ){
    ctl.win_tail++;
  }
  if( ctl.win_head - ctl.win_tail > ctl.max_in_1s ) ctl.max_in_1s = ctl.win_head - ctl.win_tail;

  /* Sliding 60-second window in 100 ms buckets. */
  uint64_t bk = (uint64_t)(now * 10.0);
  if( ctl.b60_sum == 0 || bk >= ctl.b60_last + CTL_B60 ){
    memset(ctl.b60, 0, sizeof(ctl.b60));
    ctl.b60_sum = 0;
  }else{
    for(uint64_t x = ctl.b60_last + 1; x <= bk; x++){
      ctl.b60_sum -= ctl.b60[x % CTL_B60];
      ctl.b60[x % CTL_B60] = 0;
    }
  }
  if( bk > ctl.b60_last || ctl.b60_sum == 0 ) ctl.b60_last = bk;
  ctl.b60[ctl.b60_last % CTL_B60]++;
  ctl.b60_sum++;
  if( ctl.b60_sum > ctl.max_in_60s ) ctl.max_in_60s = ctl.b60_sum;

  seq = ++ctl.seq;
  ctl_logent *e = &ctl.log[seq % CTL_LOG_SIZE];
  free(e->path);
  free(e->query);
  free(e->body);
  e->seq = seq;
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

void ctl_note_done(uint64_t seq, int is_write, int status){
  pthread_mutex_lock(&ctl.mu);
  ctl_logent *e = &ctl.log[seq % CTL_LOG_SIZE];
  if( e->seq == seq ) e->status = status;
  if( is_write ){
    if( status >= 200 && status < 300 ) ctl.writes++;
    else ctl.writes_rejected++;
  }
  pthread_mutex_unlock(&ctl.mu);
}

/* A connection's first request other than /__sandbox/ (open = 1), and its
** close after one (open = 0). */
void ctl_note_connection(int open){
  pthread_mutex_lock(&ctl.mu);
  ctl.conns += open ? 1 : -1;
  if( ctl.conns > ctl.max_conns ) ctl.max_conns = ctl.conns;
  pthread_mutex_unlock(&ctl.mu);
}

/* A request other than /__sandbox/ begins (delta 1) or is answered (-1). */
void ctl_note_in_flight(int delta){
  pthread_mutex_lock(&ctl.mu);
  ctl.in_flight += delta;
  if( ctl.in_flight > ctl.max_in_flight ) ctl.max_in_flight = ctl.in_flight;
  pthread_mutex_unlock(&ctl.mu);
}

int ctl_admit(const char *client){
  return ctl_admit_ex(client, NULL);
}

/* The client's slot, reusing the least recently seen one; caller locks. */
static ctl_client *ctl_client_slot(const char *client, double now){
  ctl_client *c = NULL, *oldest = &ctl.clients[0];
  for(int i = 0; i < CTL_MAX_CLIENTS; i++){
    if( ctl.clients[i].last > 0 && strcmp(ctl.clients[i].key, client) == 0 ){
      c = &ctl.clients[i];
      break;
    }
    if( ctl.clients[i].last < oldest->last ) oldest = &ctl.clients[i];
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
static int ctl_admit_minute(const char *client, long limit, sb_rate *r){
  double now = dt_mono();
  int ok = 1;
  pthread_mutex_lock(&ctl.mu);
  if( ctl.rate_limit ){
    ctl_client *c = ctl_client_slot(client, now);
    if( c->win_count == 0 || now - c->win_start >= 60.0 ){
      c->win_start = now;
      c->win_count = 0;
    }
    if( c->win_count >= limit ){
      ok = 0;
      ctl.rate_limited++;
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

int ctl_admit_ex(const char *client, sb_rate *r){
  int limit = ctl.vendor ? ctl.vendor->rate_per_sec : 0;
  double now = dt_mono();
  int ok = 1;
  if( r ) memset(r, 0, sizeof(*r));
  if( ctl.vendor && ctl.vendor->rate_per_min > 0 ){
    return ctl_admit_minute(client, ctl.vendor->rate_per_min, r);
  }
  if( limit <= 0 ) return 1;
  if( limit > CTL_RATE_MAX ) limit = CTL_RATE_MAX;
  pthread_mutex_lock(&ctl.mu);
  if( ctl.rate_limit ){
    ctl_client *c = NULL, *oldest = &ctl.clients[0];
    for(int i = 0; i < CTL_MAX_CLIENTS; i++){
      if( ctl.clients[i].count && strcmp(ctl.clients[i].key, client) == 0 ){
        c = &ctl.clients[i];
        break;
      }
      if( ctl.clients[i].last < oldest->last ) oldest = &ctl.clients[i];
    }
    if( !c ){
      c = oldest;
      memset(c, 0, sizeof(*c));
      snprintf(c->key, sizeof(c->key), "%s", client);
    }
    c->last = now;
    if( c->count >= limit ){
      double first = c->t[(c->head - c->count + CTL_RATE_MAX * 2) % CTL_RATE_MAX];
      if( first > now - 1.0 ){
        ok = 0;
        ctl.rate_limited++;
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

int ctl_pick_fault(void){
  int kind = SB_FAULT_NONE;
  pthread_mutex_lock(&ctl.mu);
  if( ctl.nkinds > 0 ){
    uint64_t n = ctl.fault_seen++;
    if( n >= (uint64_t)ctl.fault_after
        && (ctl.fault_rate >= 1.0 || sb_rng_unit(&ctl.fault_rng) < ctl.fault_rate) ){
      kind = ctl.kinds[ctl.fault_rot++ % (uint64_t)ctl.nkinds];
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

void ctl_count_fault(void){
  pthread_mutex_lock(&ctl.mu);
  ctl.faults++;
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

static void ctl_config_json_locked(sb_buf *b){
  SB_LIT(b, "{\"fault\":\"");
  for(int i = 0; i < ctl.nkinds; i++){
    if( i ) sb_putc(b, ',');
    sb_puts(b, ctl_fault_name(ctl.kinds[i]));
  }
  SB_LIT(b, "\",\"fault_after\":");
  jw_int(b, ctl.fault_after);
  SB_LIT(b, ",\"fault_rate\":");
  sb_printf(b, "%.6g", ctl.fault_rate);
  SB_LIT(b, ",\"latency_ms\":");
  jw_int(b, ctl.latency_ms);
  SB_LIT(b, ",\"rate_limit\":");
  jw_bool(b, ctl.rate_limit);
  sb_putc(b, '}');
}

static void ctl_stats(sb_response *resp){
  sb_buf *b = &resp->body;
  SB_LIT(b, "{\"vendor\":");
  jw_str(b, ctl.vendor->name);
  pthread_mutex_lock(&ctl.mu);
  SB_LIT(b, ",\"requests\":");
  jw_int(b, (int64_t)ctl.requests);
  SB_LIT(b, ",\"requests_by_method\":{\"GET\":");
  jw_int(b, (int64_t)ctl.by_get);
  SB_LIT(b, ",\"PUT\":");
  jw_int(b, (int64_t)ctl.by_put);
  SB_LIT(b, ",\"POST\":");
  jw_int(b, (int64_t)ctl.by_post);
  SB_LIT(b, ",\"PATCH\":");
  jw_int(b, (int64_t)ctl.by_patch);
  SB_LIT(b, ",\"DELETE\":");
  jw_int(b, (int64_t)ctl.by_delete);
  SB_LIT(b, "},\"writes\":");
  jw_int(b, (int64_t)ctl.writes);
  SB_LIT(b, ",\"writes_rejected\":");
  jw_int(b, (int64_t)ctl.writes_rejected);
  SB_LIT(b, ",\"rate_limited\":");
  jw_int(b, (int64_t)ctl.rate_limited);
  SB_LIT(b, ",\"faults_injected\":");
  jw_int(b, (int64_t)ctl.faults);
  SB_LIT(b, ",\"max_requests_in_1s\":");
  jw_int(b, (int64_t)ctl.max_in_1s);
  SB_LIT(b, ",\"max_requests_in_60s\":");
  jw_int(b, (int64_t)ctl.max_in_60s);
  SB_LIT(b, ",\"connections\":{\"current\":");
  jw_int(b, ctl.conns);
  SB_LIT(b, ",\"max_concurrent\":");
  jw_int(b, ctl.max_conns);
  SB_LIT(b, "},\"in_flight\":{\"current\":");
  jw_int(b, ctl.in_flight);
  SB_LIT(b, ",\"max_concurrent\":");
  jw_int(b, ctl.max_in_flight);
  sb_putc(b, '}');
  SB_LIT(b, ",\"config\":");
  ctl_config_json_locked(b);
  pthread_mutex_unlock(&ctl.mu);
  SB_LIT(b, ",\"counts\":");
  ctl.vendor->counts(ctl.vs, b);
  sb_putc(b, '}');
}

static void ctl_config_post(const sb_request *req, sb_response *resp){
  cJSON *j = cJSON_ParseWithLength(req->body ? req->body : "", req->body_len);
  const cJSON *v;
  int kinds[CTL_MAX_KINDS], nkinds = -1;
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
  pthread_mutex_lock(&ctl.mu);
  if( nkinds >= 0 ){
    memcpy(ctl.kinds, kinds, sizeof(int) * (size_t)nkinds);
    ctl.nkinds = nkinds;
  }
  if( after ) ctl.fault_after = (long)after->valuedouble;
  if( rate ) ctl.fault_rate = rate->valuedouble;
  if( lat ) ctl.latency_ms = (long)lat->valuedouble;
  if( rl ) ctl.rate_limit = cJSON_IsTrue(rl);
  ctl_reset_faults_locked();
  ctl.fault_gen++;
  ctl_config_json_locked(&resp->body);
  pthread_mutex_unlock(&ctl.mu);
done:
  cJSON_Delete(j);
}

static void ctl_reset_stats(sb_response *resp){
  pthread_mutex_lock(&ctl.mu);
  ctl.requests = ctl.by_get = ctl.by_post = ctl.by_put = 0;
  ctl.by_patch = ctl.by_delete = 0;
  ctl.writes = ctl.writes_rejected = ctl.rate_limited = ctl.faults = 0;
  ctl.max_in_1s = 0;
  ctl.win_head = ctl.win_tail = 0;
  ctl.max_in_60s = ctl.b60_sum = ctl.b60_last = 0;
  memset(ctl.b60, 0, sizeof(ctl.b60));
  ctl.max_conns = ctl.conns;
  ctl.max_in_flight = ctl.in_flight;
  ctl_log_clear_locked();
  pthread_mutex_unlock(&ctl.mu);
  SB_LIT(&resp->body, "{\"ok\":true}");
}

static void ctl_requests(const sb_request *req, sb_response *resp){
  sb_query q;
  long limit = 50;
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
  uint64_t last = ctl.seq, first = last > (uint64_t)limit ? last - (uint64_t)limit + 1 : 1;
  int any = 0;
  for(uint64_t s = first; s <= last && limit > 0; s++){
    ctl_logent *e = &ctl.log[s % CTL_LOG_SIZE];
    if( e->seq != s ) continue;           /* cleared by reset-stats */
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
    sb_putc(b, '}');
  }
  pthread_mutex_unlock(&ctl.mu);
  sb_putc(b, ']');
}

void ctl_handle(const sb_request *req, sb_response *resp){
  const char *p = req->path + strlen("/__sandbox/");
  int get = strcmp(req->method, "GET") == 0;
  int post = strcmp(req->method, "POST") == 0;
  resp->content_type = SB_JSON_TYPE;
  if( strcmp(p, "stats") == 0 && get ){
    ctl_stats(resp);
  }else if( strcmp(p, "config") == 0 && post ){
    ctl_config_post(req, resp);
  }else if( strcmp(p, "config") == 0 && get ){
    pthread_mutex_lock(&ctl.mu);
    ctl_config_json_locked(&resp->body);
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
