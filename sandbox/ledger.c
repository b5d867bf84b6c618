/*
** ledger.c — the portfolio's money and suppliers, vendor-neutral, so every
** sandbox bills the same charges and takes the same payments whatever shape
** it renders them in (see ledger.h for the interface).
**
** Each lease that has started by the as-of date (2026-06-30) and is not one
** created through an API has a ledger for the months of its term inside
** the six months up to the as-of month (2026-01 .. 2026-06): on the first of
** each month a rent charge (the lease's rent, charge code Rent Income) and,
** for 25% of leases, parking $75.00 (15%: pet rent $35.00) — the lease's
** recurring charges. How the household pays, drawn once per lease:
**
**   70% on time        every month paid in full, 0-4 days after the charge
**   12% one behind     the last month unpaid
**    6% two behind     the last two months unpaid, a $50.00 late fee on the
**                      6th of each unpaid month
**    5% four behind    the last four months unpaid (fewer if the term is
**                      shorter), late fees as above
**    5% partial        the last month paid half (of its rent, to the cent)
**    2% in credit      the last month paid with $100.00 extra
**
** Payment methods: check, cash, money order, credit card, ACH. Payments go
** to the oldest open charges first, so a charge is open when the payments
** so far do not cover it. The balance of a lease is its charges minus its
** payments; it is billed to the lease's first (primary) resident, whose
** balance it is, and its other residents owe nothing. Transactions written
** through a vendor's API are appended to the lease's ledger (pf_ledger_add).
**
** Suppliers are the PF_NVENDORS maintenance vendors work orders already
** name; work-order history is one entry per status the order went through.
** Everything derives from (seed, kind, index) like the rest of the
** portfolio, so a ledger is computed when asked for, never stored.
*/
#include "ledger.h"

#include <stdio.h>
#include <stdlib.h>

enum { K_LEDGER = 0x21, K_SUPPLIER, K_WOHIST };   /* distinct from portfolio.c's */

static const pf_charge_code lg_codes[PF_NCHARGECODES] = {
  { "4000", "Rent Income", "Monthly rent" },
  { "4100", "Late Fee Income", "Late fees on unpaid rent" },
  { "4200", "Pet Rent", "Monthly pet rent" },
  { "4300", "Parking Income", "Monthly parking" },
  { "4400", "Utility Reimbursement", "Utilities billed back to residents" },
};
static const char *const lg_methods[PF_NPAYMETHODS] = {
  "Check", "Cash", "MoneyOrder", "CreditCard", "ACH",
};
static const char *const lg_wo_notes[] = {
  "Request received.", "Vendor scheduled.", "Parts ordered.",
  "Work completed; resident notified.", "Closed after inspection.",
  "Deferred until parts arrive.",
};
#define LG_NWONOTES (sizeof(lg_wo_notes) / sizeof(lg_wo_notes[0]))

/* Written transactions, in the order they were written. */
typedef struct pf_ledger {
  pf_txn *v;
  uint32_t n, cap;
} pf_ledger;

const pf_charge_code *pf_charge_code_at(unsigned i){
  return i < PF_NCHARGECODES ? &lg_codes[i] : NULL;
}

const char *pf_payment_method_name(unsigned m){
  return lg_methods[m % PF_NPAYMETHODS];
}

const char *pf_ledger_memo(const pf_txn *t){
  if( t->memo ) return t->memo;
  if( t->kind == PF_TX_PAYMENT ) return "Payment";
  return lg_codes[t->code % PF_NCHARGECODES].name;
}

static int32_t lg_month_of(int32_t days){
  int y, m, d;
  dt_civil(days, &y, &m, &d);
  return dt_days(y, m, 1);
}

/* The extra recurring charge of a lease: its code, or -1; amount in *cents. */
static int lg_extra(const sb_portfolio *pf, uint32_t j, int64_t *cents){
  uint64_t rng = pf_stream(pf->seed, K_LEDGER, j);
  uint32_t r = sb_rng_below(&rng, 100);
  if( r < 25 ){ *cents = 7500; return PF_CC_PARKING; }
  if( r < 40 ){ *cents = 3500; return PF_CC_PET_RENT; }
  *cents = 0;
  return -1;
}

/* Does lease j have a generated ledger, and over which months? */
static int lg_window(const sb_portfolio *pf, uint32_t j, int32_t *m0, int *nmonths){
  const pf_lease *l = &pf->leases.v[j];
  int32_t asof_m = lg_month_of(pf->asof);
  if( j >= pf->leases.gen || l->start == PF_NODATE || l->start > pf->asof ) return 0;
  int32_t first = lg_month_of(l->start);
  int32_t last = l->end != PF_NODATE && l->end < pf->asof ? lg_month_of(l->end) : asof_m;
  int32_t lo = dt_add_months(asof_m, -5);
  if( first < lo ) first = lo;
  if( first > last ) return 0;
  int n = 0;
  for(int32_t m = first; m <= last; m = dt_add_months(m, 1)) n++;
  *m0 = first;
  *nmonths = n;
  return 1;
}

static void lg_push(pf_txn *out, int *n, uint32_t j, int kind, int code,
                    int32_t date, int64_t cents){
  pf_txn *t = &out[*n];
  memset(t, 0, sizeof(*t));
  t->id = j * PF_TX_SLOTS + (uint32_t)*n;
  t->lease = j;
  t->kind = (uint8_t)kind;
  t->code = (uint8_t)code;
  t->date = t->due = date;
  t->amount_cents = cents;
  t->created = (uint32_t)((int64_t)date * 86400 + 8 * 3600 + *n * 97);
  (*n)++;
}

/* The generated part of lease j's ledger; returns the count. */
static int lg_generate(const sb_portfolio *pf, uint32_t j, pf_txn *out){
  int32_t m0;
  int nm, n = 0;
  if( !lg_window(pf, j, &m0, &nm) ) return 0;
  const pf_lease *l = &pf->leases.v[j];
  uint64_t rng = pf_stream(pf->seed, K_LEDGER, j);
  (void)sb_rng_below(&rng, 100);                 /* the extra, see lg_extra */
  int64_t extra_cents;
  int extra = lg_extra(pf, j, &extra_cents);
  uint32_t c = sb_rng_below(&rng, 100);
  int missed = c < 70 ? 0 : c < 82 ? 1 : c < 88 ? 2 : c < 93 ? 4 : 0;
  int partial = c >= 93 && c < 98, credit = c >= 98;
  if( missed > nm ) missed = nm;
  for(int i = 0; i < nm; i++){
    int32_t date = dt_add_months(m0, i);
    int64_t due = 0;
    if( l->rent_cents ){
      lg_push(out, &n, j, PF_TX_CHARGE, PF_CC_RENT, date, l->rent_cents);
      due += l->rent_cents;
    }
    if( extra >= 0 ){
      lg_push(out, &n, j, PF_TX_CHARGE, extra, date, extra_cents);
      due += extra_cents;
    }
    uint32_t lag = sb_rng_below(&rng, 5);
    uint32_t method = sb_rng_below(&rng, PF_NPAYMETHODS);
    if( i >= nm - missed ){
      if( date + 5 <= pf->asof ) lg_push(out, &n, j, PF_TX_CHARGE, PF_CC_LATE_FEE, date + 5, 5000);
      continue;
    }
    if( i == nm - 1 && partial ) due -= (int64_t)l->rent_cents / 2;
    if( i == nm - 1 && credit ) due += 10000;
    if( due <= 0 ) continue;
    int32_t pd = date + (int32_t)lag;
    if( pd > pf->asof ) pd = pf->asof;
    lg_push(out, &n, j, PF_TX_PAYMENT, (int)method, pd, due);
  }
  return n;
}

static int lg_cmp(const void *pa, const void *pb){
  const pf_txn *a = pa, *b = pb;
  if( a->date != b->date ) return a->date < b->date ? -1 : 1;
  return a->id < b->id ? -1 : a->id > b->id;
}

int pf_ledger_lease(const sb_portfolio *pf, uint32_t lease, pf_txn *out){
  if( lease >= pf->leases.n ) return 0;
  int n = lg_generate(pf, lease, out);
  const pf_ledger *w = pf->ledger;
  for(uint32_t k = 0; w && k < w->n && n < PF_TX_MAX; k++){
    if( w->v[k].lease == lease ) out[n++] = w->v[k];
  }
  qsort(out, (size_t)n, sizeof(*out), lg_cmp);
  /* Payments pay the oldest open charges first. */
  int64_t pool = 0, charged = 0;
  for(int i = 0; i < n; i++){
    if( out[i].kind == PF_TX_PAYMENT ) pool += out[i].amount_cents;
    else charged += out[i].amount_cents;
  }
  for(int i = 0; i < n; i++){
    int64_t *left = out[i].kind == PF_TX_CHARGE ? &pool : &charged;
    int64_t take = *left < out[i].amount_cents ? *left : out[i].amount_cents;
    out[i].paid_cents = take;
    *left -= take;
  }
  return n;
}

int64_t pf_ledger_balance(const sb_portfolio *pf, uint32_t lease){
  pf_txn t[PF_TX_MAX];
  int n = pf_ledger_lease(pf, lease, t);
  int64_t bal = 0;
  for(int i = 0; i < n; i++){
    bal += t[i].kind == PF_TX_CHARGE ? t[i].amount_cents : -t[i].amount_cents;
  }
  return bal;
}

int64_t pf_resident_balance(const sb_portfolio *pf, uint32_t res){
  if( res >= pf->res.n ) return 0;
  uint32_t l = pf->res.v[res].lease;
  if( l == PF_NONE || pf->leases.v[l].first_res != res ) return 0;
  return pf_ledger_balance(pf, l);
}

int pf_ledger_find(const sb_portfolio *pf, uint32_t id, pf_txn *out){
  pf_txn t[PF_TX_MAX];
  uint32_t lease;
  if( id >= PF_TX_WRITTEN ){
    const pf_ledger *w = pf->ledger;
    if( !w || id - PF_TX_WRITTEN >= w->n ) return 0;
    lease = w->v[id - PF_TX_WRITTEN].lease;
  }else{
    lease = id / PF_TX_SLOTS;
  }
  int n = pf_ledger_lease(pf, lease, t);
  for(int i = 0; i < n; i++){
    if( t[i].id == id ){ *out = t[i]; return 1; }
  }
  return 0;
}

uint32_t pf_ledger_add(sb_portfolio *pf, const pf_txn *t){
  pf_ledger *w = pf->ledger;
  if( !w ) w = pf->ledger = sb_xcalloc(1, sizeof(*w));
  if( w->n == w->cap ){
    w->cap = w->cap ? w->cap * 2 : 16;
    w->v = sb_xrealloc(w->v, w->cap * sizeof(*w->v));
  }
  pf_txn *c = &w->v[w->n];
  *c = *t;
  c->id = PF_TX_WRITTEN + w->n++;
  c->memo = sb_xstrdup(t->memo);
  c->reference = sb_xstrdup(t->reference);
  return c->id;
}

uint32_t pf_ledger_written(const sb_portfolio *pf){
  return pf->ledger ? ((const pf_ledger *)pf->ledger)->n : 0;
}

void pf_ledger_free(sb_portfolio *pf){
  pf_ledger *w = pf->ledger;
  if( !w ) return;
  for(uint32_t k = 0; k < w->n; k++){
    free((char *)w->v[k].memo);
    free((char *)w->v[k].reference);
  }
  free(w->v);
  free(w);
  pf->ledger = NULL;
}

int pf_recurring_lease(const sb_portfolio *pf, uint32_t lease, pf_recurring *out){
  int n = 0;
  if( lease >= pf->leases.gen ) return 0;
  const pf_lease *l = &pf->leases.v[lease];
  int64_t extra_cents;
  int extra = lg_extra(pf, lease, &extra_cents);
  int active = l->status == PF_LS_ACTIVE;
  for(int s = 0; s < PF_RC_SLOTS; s++){
    int code = s == 0 ? PF_CC_RENT : extra;
    int64_t cents = s == 0 ? (int64_t)l->rent_cents : extra_cents;
    if( code < 0 || cents == 0 ) continue;
    pf_recurring *r = &out[n++];
    memset(r, 0, sizeof(*r));
    r->id = lease * PF_RC_SLOTS + (uint32_t)s;
    r->lease = lease;
    r->code = (uint8_t)code;
    r->active = (uint8_t)active;
    r->amount_cents = cents;
    r->start = l->start;
    r->end = l->end;
    r->created = l->created;
    r->updated = l->created;
  }
  return n;
}

void pf_supplier_at(const sb_portfolio *pf, unsigned v, pf_supplier *out){
  uint64_t rng = pf_stream(pf->seed, K_SUPPLIER, v);
  char slug[64];
  size_t k = 0;
  memset(out, 0, sizeof(*out));
  out->name = pf_vendor_name(v);
  for(const char *p = out->name; *p && k < sizeof(slug) - 1; p++){
    if( *p >= 'A' && *p <= 'Z' ) slug[k++] = (char)(*p - 'A' + 'a');
    else if( *p >= 'a' && *p <= 'z' ) slug[k++] = *p;
  }
  slug[k] = 0;
  out->active = v % PF_NVENDORS != PF_NVENDORS - 1;   /* the last one retired */
  snprintf(out->email, sizeof(out->email), "office@%s.example.com", slug);
  pf_fmt_phone(out->phone, sizeof(out->phone), 2000000 + sb_rng_below(&rng, 8000000));
  snprintf(out->tax_id, sizeof(out->tax_id), "9%u-%07u", v % 10,
           (unsigned)sb_rng_below(&rng, 10000000));
  snprintf(out->account, sizeof(out->account), "V-%04u", 1000 + v);
  out->created = (uint32_t)((int64_t)dt_days(2023, 1, 1) * 86400 + (int64_t)v * 86400);
  out->updated = out->created + sb_rng_below(&rng, 365 * 86400);
}

int pf_wo_history_of(const sb_portfolio *pf, uint32_t wo, pf_wo_history *out){
  if( wo >= pf->wos.n ) return 0;
  const pf_workorder *o = &pf->wos.v[wo];
  uint64_t rng = pf_stream(pf->seed, K_WOHIST, wo);
  int n = 0;
  out[n] = (pf_wo_history){ wo * PF_WH_SLOTS, wo, o->created, PF_WS_NEW,
                            (uint8_t)(1 + sb_rng_below(&rng, PF_NSTAFF)), lg_wo_notes[0] };
  n++;
  if( o->status != PF_WS_NEW ){
    int mid = o->status == PF_WS_DEFERRED ? PF_WS_DEFERRED : PF_WS_IN_PROGRESS;
    out[n] = (pf_wo_history){ wo * PF_WH_SLOTS + 1, wo,
                              o->created + ((int64_t)o->updated - o->created) / 2,
                              (uint8_t)mid, (uint8_t)(1 + sb_rng_below(&rng, PF_NSTAFF)),
                              lg_wo_notes[mid == PF_WS_DEFERRED ? 5 : 1 + sb_rng_below(&rng, 2)] };
    n++;
  }
  if( o->status == PF_WS_COMPLETED || o->status == PF_WS_CLOSED ){
    out[n] = (pf_wo_history){ wo * PF_WH_SLOTS + 2, wo, o->updated, o->status,
                              (uint8_t)(1 + sb_rng_below(&rng, PF_NSTAFF)),
                              lg_wo_notes[o->status == PF_WS_CLOSED ? 4 : 3] };
    n++;
  }
  (void)LG_NWONOTES;
  return n;
}
