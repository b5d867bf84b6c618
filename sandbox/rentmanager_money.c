/*
** rentmanager_money.c — the Rent Manager resources of the portfolio's
** ledger (ledger.c), served by the list engine of rentmanager.c like every
** other kind: GET /Charges, /Payments, /RecurringCharges, /ChargeTypes,
** /Vendors (filters=, orderby=, fields=, 206 paging), GET /<them>/{id}, and
** POST /Charges, POST /Payments (a charge or a payment posted to a tenant's
** account; rentmanager_write.c validates and calls rm_money_post).
**
** Shapes (research pms-apis.md §2: the rmhari Java SDK's Charge, Payment,
** RecurringCharge, ChargeType and Vendor models; members the models lack
** are marked chosen):
**   Charges   {ChargeID, ID (the same), AccountID (the TenantID billed),
**             AccountType "Customer", TransactionType "Charge", Amount,
**             AmountAllocated (payments applied, oldest charge first),
**             IsFullyAllocated, TransactionDate, PropertyID, UnitID,
**             ChargeTypeID, Comment and Reference (chosen: as on Payments),
**             CreateDate, CreateUserID, UpdateDate, UpdateUserID}
**   Payments  {ID, AccountID, AccountType, TransactionType "Payment",
**             Amount, AmountAllocated, IsFullyAllocated, TransactionDate,
**             Comment, Reference, stamps}
**   RecurringCharges {RecurringChargeID, EntityType "Tenant", EntityKeyID
**             (the TenantID), UnitID, Frequency (chosen: 1 = monthly; the
**             model types it as an integer and names no values),
**             ChargeTypeID, Amount, Comment, FromDate, ToDate (null when
**             open-ended), SortOrder, stamps}
**   ChargeTypes {ChargeTypeID, Name, Description} (no stamps)
**   Vendors   {VendorID, Name, Payee, IsActive (chosen), CreateDate,
**             CreateUserID, UpdateDate, UpdateUserID (chosen)}
** Rent Manager bills an account, the tenant: a lease's ledger is the
** account of its first (primary) resident (the tenant whose Balance embed
** shows it), so AccountID is that tenant. A charge's UpdateDate moves when
** a payment is posted to its account (the payment reallocates the open
** charges); posted records are never changed otherwise. Posting either
** moves the tenant's UpdateDate (its Balance changed; chosen).
**
** Posting (chosen where the research is silent):
**   POST /Charges  [{AccountID, ChargeTypeID, Amount, TransactionDate,
**                    Comment, Reference, AccountType}]
**   POST /Payments [{AccountID, Amount, TransactionDate, Comment,
**                    Reference, AccountType}]
**   AccountID, Amount (> 0, whole cents), TransactionDate and (charges)
**   ChargeTypeID are required; AccountType, when sent, must be "Customer";
**   the account must be a tenant with a lease billed to it (a roommate's
**   charges go to the lease's primary tenant: 400 naming that TenantID).
**   Updates of posted transactions are refused (400).
*/
#include "rentmanager.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

const rm_field rm_f_charges[CH_N] = {
  { "ChargeID", RT_INT }, { "ID", RT_INT }, { "AccountID", RT_INT },
  { "AccountType", RT_STR }, { "TransactionType", RT_STR },
  { "Amount", RT_MONEY }, { "AmountAllocated", RT_MONEY },
  { "IsFullyAllocated", RT_BOOL }, { "TransactionDate", RT_TIME },
  { "PropertyID", RT_INT }, { "UnitID", RT_INT }, { "ChargeTypeID", RT_INT },
  { "Comment", RT_STR }, { "Reference", RT_STR }, { "CreateDate", RT_TIME },
  { "CreateUserID", RT_INT }, { "UpdateDate", RT_TIME },
  { "UpdateUserID", RT_INT },
};
const rm_field rm_f_payments[PA_N] = {
  { "ID", RT_INT }, { "AccountID", RT_INT }, { "AccountType", RT_STR },
  { "TransactionType", RT_STR }, { "Amount", RT_MONEY },
  { "AmountAllocated", RT_MONEY }, { "IsFullyAllocated", RT_BOOL },
  { "TransactionDate", RT_TIME }, { "Comment", RT_STR },
  { "Reference", RT_STR }, { "CreateDate", RT_TIME },
  { "CreateUserID", RT_INT }, { "UpdateDate", RT_TIME },
  { "UpdateUserID", RT_INT },
};
const rm_field rm_f_recurring[RC_N] = {
  { "RecurringChargeID", RT_INT }, { "EntityType", RT_STR },
  { "EntityKeyID", RT_INT }, { "UnitID", RT_INT }, { "Frequency", RT_INT },
  { "ChargeTypeID", RT_INT }, { "Amount", RT_MONEY }, { "Comment", RT_STR },
  { "FromDate", RT_TIME }, { "ToDate", RT_TIME }, { "SortOrder", RT_INT },
  { "CreateDate", RT_TIME }, { "CreateUserID", RT_INT },
  { "UpdateDate", RT_TIME }, { "UpdateUserID", RT_INT },
};
const rm_field rm_f_chargetypes[CT_N] = {
  { "ChargeTypeID", RT_INT }, { "Name", RT_STR }, { "Description", RT_STR },
};
const rm_field rm_f_vendors[VE_N] = {
  { "VendorID", RT_INT }, { "Name", RT_STR }, { "Payee", RT_STR },
  { "IsActive", RT_BOOL }, { "CreateDate", RT_TIME },
  { "CreateUserID", RT_INT }, { "UpdateDate", RT_TIME },
  { "UpdateUserID", RT_INT },
};

static void mo_push(rm_txref **v, uint32_t *n, uint32_t *cap, const pf_txn *t){
  if( *n == *cap ){
    *cap = *cap ? *cap * 2 : 256;
    *v = sb_xrealloc(*v, *cap * sizeof(**v));
  }
  (*v)[(*n)++] = (rm_txref){ t->id, t->lease, t->created };
}

/* The index spaces: every generated lease's ledger, once. */
void rm_money_open(rm_ctx *c){
  rm_money *m = &c->money;
  const sb_portfolio *pf = c->pf;
  pf_txn t[PF_TX_MAX];
  pf_recurring r[PF_RC_SLOTS];
  uint32_t rc_cap = 0;
  memset(m, 0, sizeof(*m));
  m->paid_at = sb_xcalloc(pf->leases.n ? pf->leases.n : 1, sizeof(uint32_t));
  for(uint32_t j = 0; j < pf->leases.gen; j++){
    int n = pf_ledger_lease(pf, j, t);
    for(int i = 0; i < n; i++){
      if( t[i].kind == PF_TX_CHARGE ) mo_push(&m->chg, &m->nchg, &m->chg_cap, &t[i]);
      else mo_push(&m->pay, &m->npay, &m->pay_cap, &t[i]);
    }
    n = pf_recurring_lease(pf, j, r);
    for(int i = 0; i < n; i++){
      if( m->nrc == rc_cap ){
        rc_cap = rc_cap ? rc_cap * 2 : 256;
        m->rc = sb_xrealloc(m->rc, rc_cap * sizeof(uint32_t));
      }
      m->rc[m->nrc++] = r[i].id;
    }
  }
}

void rm_money_close(rm_ctx *c){
  free(c->money.chg);
  free(c->money.pay);
  free(c->money.rc);
  free(c->money.paid_at);
}

uint32_t rm_money_count(rm_ctx *c, int kind){
  switch( kind ){
    case RM_CHARGES: return c->money.nchg;
    case RM_PAYMENTS: return c->money.npay;
    case RM_RECURRING: return c->money.nrc;
    case RM_CHARGETYPES: return PF_NCHARGECODES;
    default: return PF_NVENDORS;
  }
}

static const rm_txref *mo_ref(rm_ctx *c, int kind, uint32_t idx){
  return kind == RM_CHARGES ? &c->money.chg[idx] : &c->money.pay[idx];
}

/* A lease's recurring charge by pf_recurring id. */
static void mo_recurring(rm_ctx *c, uint32_t id, pf_recurring *out){
  pf_recurring r[PF_RC_SLOTS];
  int n = pf_recurring_lease(c->pf, id / PF_RC_SLOTS, r);
  memset(out, 0, sizeof(*out));
  for(int i = 0; i < n; i++) if( r[i].id == id ) *out = r[i];
}

uint32_t rm_money_created(rm_ctx *c, int kind, uint32_t idx){
  pf_supplier s;
  pf_recurring r;
  switch( kind ){
    case RM_CHARGES: case RM_PAYMENTS: return mo_ref(c, kind, idx)->created;
    case RM_RECURRING: mo_recurring(c, c->money.rc[idx], &r); return r.created;
    case RM_VENDORS: pf_supplier_at(c->pf, idx, &s); return s.created;
    default: return 0;
  }
}

uint32_t rm_money_updated(rm_ctx *c, int kind, uint32_t idx){
  pf_supplier s;
  pf_recurring r;
  switch( kind ){
    case RM_CHARGES: {
      const rm_txref *x = mo_ref(c, kind, idx);
      uint32_t p = c->money.paid_at[x->lease];
      return p > x->created ? p : x->created;
    }
    case RM_PAYMENTS: return mo_ref(c, kind, idx)->created;
    case RM_RECURRING: mo_recurring(c, c->money.rc[idx], &r); return r.updated;
    case RM_VENDORS: pf_supplier_at(c->pf, idx, &s); return s.updated;
    default: return 0;
  }
}

/* The tenant a lease's ledger bills, and its unit. */
static void mo_account(rm_ctx *c, uint32_t lease, rm_money_v *v){
  const pf_lease *l = &c->pf->leases.v[lease];
  v->tenant = l->first_res;
  v->unit = l->unit;
}

void rm_money_fill(rm_ctx *c, int kind, uint32_t idx, rm_money_v *v){
  memset(v, 0, sizeof(*v));
  v->tenant = v->unit = PF_NONE;
  switch( kind ){
    case RM_CHARGES:
    case RM_PAYMENTS:
      pf_ledger_find(c->pf, mo_ref(c, kind, idx)->txn, &v->t);
      mo_account(c, v->t.lease, v);
      break;
    case RM_RECURRING:
      mo_recurring(c, c->money.rc[idx], &v->r);
      mo_account(c, v->r.lease, v);
      break;
    case RM_VENDORS:
      pf_supplier_at(c->pf, idx, &v->s);
      break;
  }
}

void rm_money_value(rm_ctx *c, int kind, uint32_t idx, const rm_money_v *v,
                    int f, rm_val *o){
  switch( kind ){
    case RM_CHARGES:
    case RM_PAYMENTS: {
      const pf_txn *t = &v->t;
      /* the members the two share, by name */
      const char *name = rm_kinds[kind].fields[f].name;
      if( f == CH_ID2 && kind == RM_CHARGES ) V_INT(o, (int64_t)idx + 1);
      else if( strcmp(name, "AccountID") == 0 ) V_ID(o, v->tenant);
      else if( strcmp(name, "AccountType") == 0 ) V_STR(o, "Customer");
      else if( strcmp(name, "TransactionType") == 0 ) V_STR(o, kind == RM_CHARGES ? "Charge" : "Payment");
      else if( strcmp(name, "Amount") == 0 ) V_INT(o, t->amount_cents);
      else if( strcmp(name, "AmountAllocated") == 0 ) V_INT(o, t->paid_cents);
      else if( strcmp(name, "IsFullyAllocated") == 0 ) V_INT(o, t->paid_cents >= t->amount_cents);
      else if( strcmp(name, "TransactionDate") == 0 ) V_DAY(o, t->date);
      else if( strcmp(name, "PropertyID") == 0 ) V_ID(o, v->unit == PF_NONE ? PF_NONE : rm_unit_property(c, v->unit));
      else if( strcmp(name, "UnitID") == 0 ) V_ID(o, v->unit);
      else if( strcmp(name, "ChargeTypeID") == 0 ) V_INT(o, (int64_t)t->code + 1);
      else if( strcmp(name, "Comment") == 0 ) V_STR(o, pf_ledger_memo(t));
      else if( strcmp(name, "Reference") == 0 ) V_STR(o, t->reference);
      else o->null = 1;
      return;
    }
    case RM_RECURRING: {
      const pf_recurring *r = &v->r;
      switch( f ){
        case RC_ETYPE: V_STR(o, "Tenant"); break;
        case RC_EKEY: V_ID(o, v->tenant); break;
        case RC_UNIT: V_ID(o, v->unit); break;
        case RC_FREQ: V_INT(o, 1); break;
        case RC_TYPE: V_INT(o, (int64_t)r->code + 1); break;
        case RC_AMOUNT: V_INT(o, r->amount_cents); break;
        case RC_COMMENT: V_STR(o, pf_charge_code_at(r->code)->desc); break;
        case RC_FROM: V_DAY(o, r->start); break;
        case RC_TO: V_DAY(o, r->end); break;
        case RC_SORT: V_INT(o, r->id % PF_RC_SLOTS); break;
        default: o->null = 1; break;
      }
      return;
    }
    case RM_CHARGETYPES: {
      const pf_charge_code *cc = pf_charge_code_at(idx);
      if( f == CT_NAME ) V_STR(o, cc->name);
      else if( f == CT_DESC ) V_STR(o, cc->desc);
      return;
    }
    default:
      switch( f ){
        case VE_NAME: case VE_PAYEE: V_STR(o, v->s.name); break;
        case VE_ACTIVE: V_INT(o, v->s.active); break;
        default: o->null = 1; break;
      }
      return;
  }
}

/* ------------------------------------------------------------------ */
/* Posting                                                              */

uint32_t rm_money_account(rm_ctx *c, uint32_t tenant){
  const sb_portfolio *pf = c->pf;
  if( tenant >= c->Rg ) return PF_NONE;
  uint32_t l = pf->res.v[tenant].lease;
  if( l == PF_NONE || l >= pf->leases.gen ) return PF_NONE;
  return pf->leases.v[l].first_res;
}

uint32_t rm_money_post(rm_ctx *c, int kind, const cJSON *o, uint32_t now){
  rm_money *m = &c->money;
  pf_txn t;
  uint32_t tenant = (uint32_t)(cJSON_GetNumberValue(cJSON_GetObjectItem(o, "AccountID")) - 1);
  memset(&t, 0, sizeof(t));
  t.lease = c->pf->res.v[tenant].lease;
  t.kind = kind == RM_CHARGES ? PF_TX_CHARGE : PF_TX_PAYMENT;
  t.code = kind == RM_CHARGES
           ? (uint8_t)(cJSON_GetNumberValue(cJSON_GetObjectItem(o, "ChargeTypeID")) - 1)
           : PF_PM_CHECK;
  rm_parse_day(cJSON_GetStringValue(cJSON_GetObjectItem(o, "TransactionDate")), &t.date);
  t.due = t.date;
  t.amount_cents = (int64_t)llround(cJSON_GetNumberValue(cJSON_GetObjectItem(o, "Amount")) * 100);
  t.created = now;
  t.memo = cJSON_GetStringValue(cJSON_GetObjectItem(o, "Comment"));
  t.reference = cJSON_GetStringValue(cJSON_GetObjectItem(o, "Reference"));
  t.id = pf_ledger_add(c->pf, &t);
  /* the account's Balance changed, and with it the tenant */
  uint32_t old = rm_updated(c, RM_TENANTS, tenant);
  rm_set_updated(c, RM_TENANTS, tenant, now > old ? now : old + 1);
  if( kind == RM_CHARGES ){
    mo_push(&m->chg, &m->nchg, &m->chg_cap, &t);
    return m->nchg - 1;
  }
  m->paid_at[t.lease] = now;
  mo_push(&m->pay, &m->npay, &m->pay_cap, &t);
  return m->npay - 1;
}
