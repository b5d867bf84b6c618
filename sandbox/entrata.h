/*
** entrata.h — the Entrata sandbox's state and the helpers its two files
** share: entrata.c (the RPC gateway: dispatch, auth, rate limits, the
** property, unit, customer, lease and lead methods) and entrata_money.c
** (AR transactions and vendors from the ledger).
*/
#ifndef SANDBOX_ENTRATA_H
#define SANDBOX_ENTRATA_H

#include "sandbox.h"
#include "listing.h"
#include "ledger.h"

#include <pthread.h>

#define EN_MAX_PAGE 500
#define EN_MAX_METHODS 16

typedef struct en_limit {
  char method[40];
  long n[3];                    /* minute, hour, day counts */
  int64_t start[3];             /* window starts (unix secs) */
} en_limit;

typedef struct en_ctx {
  sb_portfolio *pf;
  pthread_rwlock_t lock;
  uint32_t Pg, Rg, Ag;
  /* per property: generated leases, residents and leads (CSR) */
  uint32_t *lease_off, *lease_ix, *res_off, *res_ix, *lead_off, *lead_ix;
  uint32_t *lease_prop;         /* property of each lease */
  cJSON **res_ovr;              /* per resident: written fields */
  sb_ovr lead_ovr;              /* per lead: written fields (created: all) */
  char org[64], key[64];
  /* rate limits */
  pthread_mutex_t rl_mu;
  int rate_on;
  long lim[3];
  long win[3];                  /* window lengths in seconds */
  en_limit rl[EN_MAX_METHODS];
  int nrl;
  int64_t *posted;              /* transactionIds sendLeaseArTransactions took */
  uint32_t nposted;
} en_ctx;

typedef struct en_call {
  const char *service, *name, *version, *reqid;
  const cJSON *params;
  int page, per_page;
  int links;
} en_call;

typedef void (*en_render)(en_ctx *, sb_buf *, uint32_t);

/* entrata.c */
void en_put_date(sb_buf *b, int32_t days);                 /* "MM/DD/YYYY" */
int en_parse_mt(const char *z, int64_t *pt);               /* Mountain Time -> UTC */
void en_begin(sb_buf *b, const char *reqid);               /* {"response":{"requestId": */
void en_error_body(sb_response *resp, int http, int code, const char *reqid, const char *msg);
const char *en_ostr(const cJSON *o, const char *k, const char *dflt);
void en_kv(sb_buf *b, const char *k, const char *v, int comma);
/* The paged list page of ids ix[0..n), wrapped as result.{outer}.{inner}[]. */
void en_list(en_ctx *c, const en_call *k, sb_response *resp, const char *outer,
             const char *inner, const uint32_t *ix, uint32_t n, en_render render);
/* params.propertyId (required), a property of this org; else an error. */
int en_property_param(en_ctx *c, const en_call *k, sb_response *resp, uint32_t *pp);

/* entrata_money.c */
void en_get_lease_ar(en_ctx *c, const en_call *k, sb_response *resp);
void en_send_lease_ar(en_ctx *c, const en_call *k, sb_response *resp);
void en_get_vendors(en_ctx *c, const en_call *k, sb_response *resp);

#endif
