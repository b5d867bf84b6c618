/*
** accounts.c — the customer accounts behind one port (--accounts N), so one
** sandbox process stands in for a vendor's cloud with N customers.
**
** Account k (0 <= k < N) is what `pms-sandbox --seed S+k` would be on its
** own: its portfolio is generated from seed S+k, and every vendor derives
** its credentials from the seed, so `--print-credentials --account k` are
** the credentials of `--seed S+k`. Its size is --size, or with a range
** --size LO-HI a size in [LO, HI] drawn from its seed, so accounts differ.
** Without --accounts there is one account, account 0: seed S and --size,
** exactly the sandbox of before.
**
** A request's credentials select its account: the vendor reads the seed
** they name (sb_vendor.account_seed); account S+k's vendor state then
** authorizes them in full, so a wrong secret gets the vendor's own auth
** error. Credentials that name no account go to account 0, which refuses
** them the same way.
**
** Account 0 is built at start (a bad size fails before the port answers);
** the others on their first request, since N=200 eager portfolios would be
** memory for customers a test never calls. Each account has its own vendor
** state (records, caches, tokens, the vendor's own limiters); control.c
** keeps each account's counters, rate-limit windows and faults.
*/
#include "sandbox.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

typedef struct acct {
  sb_portfolio pf;
  void *_Atomic vs;             /* NULL until built */
} acct;

static struct {
  const sb_vendor *vendor;
  sb_options opt;               /* the command line's: seed S, --size */
  int n;
  acct *a;
  char base_url[64];
  pthread_mutex_t mu;           /* serializes building */
} acc = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* The options account k is opened with: the command line's, with seed
** S+k and its size. */
void acct_options(const sb_options *opt, int k, sb_options *out){
  *out = *opt;
  out->seed = opt->seed + (uint64_t)k;
  if( opt->size_max > opt->size ){
    uint64_t span = (uint64_t)(opt->size_max - opt->size) + 1;
    out->size = opt->size + (uint32_t)(sb_mix64(out->seed ^ 0xacc0u) % span);
  }
  out->size_max = 0;
}

/* The same for account k of the running sandbox. */
void acct_account_options(int k, sb_options *out){
  acct_options(&acc.opt, k, out);
}

static void *acct_build_locked(int k){
  acct *a = &acc.a[k];
  void *vs = atomic_load(&a->vs);
  if( vs ) return vs;
  sb_options o;
  acct_options(&acc.opt, k, &o);
  if( pf_generate(&a->pf, o.size, o.seed) != 0 ) return NULL;
  vs = acc.vendor->open(&a->pf, &o);
  if( acc.vendor->set_base_url && acc.base_url[0] ) acc.vendor->set_base_url(vs, acc.base_url);
  atomic_store(&a->vs, vs);
  return vs;
}

/* Account k's vendor state, built on first use. */
void *acct_vs(int k){
  if( k < 0 || k >= acc.n ) k = 0;
  void *vs = atomic_load(&acc.a[k].vs);
  if( vs ) return vs;
  pthread_mutex_lock(&acc.mu);
  vs = acct_build_locked(k);
  pthread_mutex_unlock(&acc.mu);
  if( !vs ){                    /* sizes were checked at start: out of memory */
    fprintf(stderr, "pms-sandbox: cannot generate the portfolio of account %d\n", k);
    abort();
  }
  return vs;
}

int acct_built(void){
  int b = 0;
  for(int k = 0; k < acc.n; k++) b += atomic_load(&acc.a[k].vs) != NULL;
  return b;
}

/* Sets up n accounts and builds account 0; returns its vendor state, or
** NULL when its portfolio cannot be generated. */
void *acct_open(const sb_options *opt, const sb_vendor *v, int n){
  acc.vendor = v;
  acc.opt = *opt;
  acc.n = n < 1 ? 1 : n;
  acc.a = sb_xcalloc((size_t)acc.n, sizeof(acct));
  pthread_mutex_lock(&acc.mu);
  void *vs = acct_build_locked(0);
  pthread_mutex_unlock(&acc.mu);
  return vs;
}

void acct_set_base_url(const char *url){
  snprintf(acc.base_url, sizeof(acc.base_url), "%s", url);
  pthread_mutex_lock(&acc.mu);
  for(int k = 0; k < acc.n; k++){
    void *vs = atomic_load(&acc.a[k].vs);
    if( vs && acc.vendor->set_base_url ) acc.vendor->set_base_url(vs, url);
  }
  pthread_mutex_unlock(&acc.mu);
}

/* The account a request's credentials name (0 when they name none). A
** vendor's own test endpoints outside its API (AppFolio's /__appfolio/config,
** Entrata's /__entrata/ratelimits) take ?account=K instead. */
int acct_of_request(const sb_request *req){
  uint64_t seed;
  if( acc.n <= 1 ) return 0;
  if( strncmp(req->path, acc.vendor->api_prefix, strlen(acc.vendor->api_prefix)) != 0 ){
    sb_query q;
    long k;
    sb_query_parse(req->query, &q);
    const char *s = sb_query_get(&q, "account");
    int ok = s && sb_parse_long(s, &k) && k >= 0 && k < acc.n;
    sb_query_free(&q);
    return ok ? (int)k : 0;
  }
  if( !acc.vendor->account_seed || !acc.vendor->account_seed(req, &seed) ) return 0;
  if( seed < acc.opt.seed || seed - acc.opt.seed >= (uint64_t)acc.n ) return 0;
  return (int)(seed - acc.opt.seed);
}

void acct_close(void){
  for(int k = 0; k < acc.n; k++){
    void *vs = atomic_load(&acc.a[k].vs);
    if( !vs ) continue;
    acc.vendor->close(vs);
    pf_free(&acc.a[k].pf);
  }
  free(acc.a);
  acc.a = NULL;
  acc.n = 0;
}

/* ---- helpers for the vendors' account_seed ---- */

/* s is prefix followed by a decimal seed, up to the end or the byte stop:
** 1 and the seed, else 0. */
int sb_seed_after(const char *s, const char *prefix, char stop, uint64_t *seed){
  size_t n = strlen(prefix);
  uint64_t v = 0;
  int digits = 0;
  if( !s || strncmp(s, prefix, n) != 0 ) return 0;
  for(s += n; *s && *s != stop; s++, digits++){
    if( *s < '0' || *s > '9' || digits >= 19 ) return 0;
    v = v * 10 + (uint64_t)(*s - '0');
  }
  if( !digits ) return 0;
  *seed = v;
  return 1;
}

/* The user name of an "Authorization: Basic" header into out (cap bytes);
** 1 when there is one. */
int sb_basic_user(const sb_request *req, char *out, size_t cap){
  static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const char *a = sb_request_header(req, "Authorization");
  uint32_t acc_bits = 0;
  int nbits = 0;
  size_t n = 0;
  if( !a || strncasecmp(a, "Basic ", 6) != 0 ) return 0;
  for(a += 6; *a && *a != '='; a++){
    const char *p = strchr(b64, *a);
    if( !p || !*a ) return 0;
    acc_bits = (acc_bits << 6) | (uint32_t)(p - b64);
    nbits += 6;
    if( nbits >= 8 ){
      nbits -= 8;
      char ch = (char)((acc_bits >> nbits) & 0xff);
      if( ch == ':' ){
        out[n] = 0;
        return 1;
      }
      if( n + 1 >= cap ) return 0;
      out[n++] = ch;
    }
  }
  return 0;
}
