/*
** entrata_money.c — the Entrata sandbox's money and vendors, from the
** portfolio's ledger (ledger.c), dispatched by entrata.c's method table:
** - artransactions/getLeaseArTransactions (r1): per property (propertyId
**   required), paged by lease: result.leases.lease[] of {id, propertyId,
**   unitSpaceId, customers:{customer:{id, firstName, lastName, ...},
**   ledgers:{ledger:{id, name, balance, pastDueBalance, writeOff,
**   transactions:{transaction:[...]}}}}}, the lease's ledger billed to its
**   first resident; lines as the generated client the research cites
**   (mo05mAn/entrata_api_client) has them: id, transactionTypeId,
**   arCodeId, arCodeName, leaseIntervalId, description, transactionDate,
**   postDate, postMonth, isTemporary, balanceDue, amount, amountPaid,
**   scheduledChargeId, creditArTransactionIds, arPaymentId. Chosen where
**   the client is silent: a charge is type 1, a payment type 2 with
**   arPaymentId = its id and a negative amount (a credit); amounts are
**   decimal dollars. Only open items unless showFullLedger is 1;
**   transactionFromDate/ToDate (MM/DD/YYYY) filter the lines, leaseIds the
**   leases.
** - artransactions/sendLeaseArTransactions (r1): posts a charge (see
**   en_send_lease_ar).
** - vendors/getVendors (r1): the ledger's suppliers in the generated
**   client's vendor shape, not paged; vendorIds selects.
*/
#include "entrata.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The filter of one getLeaseArTransactions call. */
typedef struct en_txfilter {
  int32_t from, to;             /* transactionFromDate/ToDate (days), inclusive */
  int full;                     /* showFullLedger: else only open items */
} en_txfilter;

static _Thread_local en_txfilter en_txf;   /* this thread's call's filter */

/* "MM/DD/YYYY" -> days; 0 if not that shape. */
static int en_parse_day(const char *z, int32_t *pd){
  int64_t t;
  int m, d, y, n = 0;
  if( !z || sscanf(z, "%2d/%2d/%4d%n", &m, &d, &y, &n) != 3 || z[n] || n != 10 ) return 0;
  if( !en_parse_mt(z, &t) ) return 0;
  *pd = dt_days(y, m, d);
  return 1;
}

/* An ids param (a comma list, or one number) as text; NULL if absent. */
static const char *en_ids_param(const cJSON *v, char *buf, size_t n){
  if( cJSON_IsNumber(v) ){ snprintf(buf, n, "%.0f", v->valuedouble); return buf; }
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Is id in the comma-separated id list z ("12,15")? */
static int en_in_ids(const char *z, unsigned long id){
  for(const char *q = z; *q; ){
    char *e;
    unsigned long v = strtoul(q, &e, 10);
    if( e == q ) return 0;
    if( v == id ) return 1;
    if( *e && *e != ',' ) return 0;
    q = *e ? e + 1 : e;
  }
  return 0;
}

static int en_tx_open(const pf_txn *t){ return t->paid_cents < t->amount_cents; }

static void en_tx_date(sb_buf *b, const char *k, int32_t days){
  sb_printf(b, ",\"%s\":", k);
  en_put_date(b, days);
}

/* One ledger line: a charge, or a payment (a credit: negative amount, with
** its arPaymentId). */
static void en_transaction(sb_buf *b, uint32_t lease, const pf_txn *t){
  int y, m, d;
  int pay = t->kind == PF_TX_PAYMENT;
  dt_civil(t->date, &y, &m, &d);
  sb_printf(b, "{\"id\":%u,\"transactionTypeId\":%d", t->id, pay ? 2 : 1);
  if( pay ) SB_LIT(b, ",\"arCodeId\":null,\"arCodeName\":\"Payment\"");
  else{
    sb_printf(b, ",\"arCodeId\":%u", (unsigned)t->code + 1);
    en_kv(b, "arCodeName", pf_charge_code_at(t->code)->name, 1);
  }
  sb_printf(b, ",\"leaseIntervalId\":%u", lease + 1);
  en_kv(b, "description", pf_ledger_memo(t), 1);
  en_tx_date(b, "transactionDate", t->date);
  en_tx_date(b, "postDate", t->date);
  sb_printf(b, ",\"postMonth\":\"%02d/%04d\",\"isTemporary\":false,\"balanceDue\":", m, y);
  jw_money(b, pay ? -(t->amount_cents - t->paid_cents) : t->amount_cents - t->paid_cents);
  SB_LIT(b, ",\"amount\":");
  jw_money(b, pay ? -t->amount_cents : t->amount_cents);
  SB_LIT(b, ",\"amountPaid\":");
  jw_money(b, pay ? 0 : t->paid_cents);
  SB_LIT(b, ",\"scheduledChargeId\":null,\"creditArTransactionIds\":null,\"arPaymentId\":");
  if( pay ) sb_printf(b, "%u}", t->id); else SB_LIT(b, "null}");
}

/* A lease with its billed customer's ledger (the lease's first resident,
** as ledger.c bills it), the call's filter applied to the lines. */
static void en_ar_lease(en_ctx *c, sb_buf *b, uint32_t l){
  const pf_lease *r = &c->pf->leases.v[l];
  pf_txn t[PF_TX_MAX];
  int n = pf_ledger_lease(c->pf, l, t), k = 0;
  int64_t bal = 0, due = 0;
  for(int i = 0; i < n; i++){
    int64_t open = t[i].amount_cents - t[i].paid_cents;
    bal += t[i].kind == PF_TX_CHARGE ? t[i].amount_cents : -t[i].amount_cents;
    if( t[i].kind == PF_TX_CHARGE && t[i].due < c->pf->asof ) due += open;
  }
  sb_printf(b, "{\"id\":%u,\"propertyId\":%u,\"unitSpaceId\":%u,\"customers\":{\"customer\":",
            l + 1, c->lease_prop[l] + 1, r->unit + 1);
  if( r->first_res == PF_NONE ) jw_null(b);
  else{
    const pf_resident *x = &c->pf->res.v[r->first_res];
    const cJSON *o = c->res_ovr[r->first_res];
    sb_printf(b, "{\"id\":%u", r->first_res + 1);
    en_kv(b, "firstName", en_ostr(o, "FirstName", pf_first_name(x->first)), 1);
    en_kv(b, "lastName", en_ostr(o, "LastName", pf_last_name(x->last)), 1);
    SB_LIT(b, ",\"isActiveBankruptcy\":false}");
  }
  sb_printf(b, ",\"ledgers\":{\"ledger\":{\"id\":1,\"name\":\"Resident\",\"balance\":");
  jw_money(b, bal);
  SB_LIT(b, ",\"pastDueBalance\":");
  jw_money(b, due > 0 ? due : 0);
  SB_LIT(b, ",\"writeOff\":0,\"transactions\":{\"transaction\":[");
  for(int i = 0; i < n; i++){
    if( t[i].date < en_txf.from || t[i].date > en_txf.to ) continue;
    if( !en_txf.full && !en_tx_open(&t[i]) ) continue;
    if( k++ ) sb_putc(b, ',');
    en_transaction(b, l, &t[i]);
  }
  SB_LIT(b, "]}}}}}");
}

/* artransactions/getLeaseArTransactions r1: {propertyId (required),
** leaseIds, showFullLedger, transactionFromDate, transactionToDate, ...};
** paged by lease. Without showFullLedger only open items (Entrata's
** default, per the generated client's parameter notes). */
void en_get_lease_ar(en_ctx *c, const en_call *k, sb_response *resp){
  uint32_t p;
  const char *zf = en_ostr(k->params, "transactionFromDate", NULL);
  const char *zt = en_ostr(k->params, "transactionToDate", NULL);
  const cJSON *full = cJSON_GetObjectItem(k->params, "showFullLedger");
  const cJSON *ids = cJSON_GetObjectItem(k->params, "leaseIds");
  if( !en_property_param(c, k, resp, &p) ) return;
  en_txf.from = INT32_MIN;
  en_txf.to = INT32_MAX;
  if( (zf && !en_parse_day(zf, &en_txf.from)) || (zt && !en_parse_day(zt, &en_txf.to)) ){
    en_error_body(resp, 200, 400, k->reqid,
                  "Invalid parameter 'transactionFromDate'/'transactionToDate': expected MM/DD/YYYY.");
    return;
  }
  en_txf.full = (cJSON_IsNumber(full) && full->valuedouble == 1) || cJSON_IsTrue(full)
             || (cJSON_IsString(full) && !strcmp(full->valuestring, "1"));
  uint32_t n0 = c->lease_off[p + 1] - c->lease_off[p], n = 0;
  uint32_t *ix = sb_xmalloc(sizeof(uint32_t) * (n0 + 1));
  char buf[32];
  const char *z = en_ids_param(ids, buf, sizeof(buf));
  for(uint32_t i = 0; i < n0; i++){
    uint32_t l = c->lease_ix[c->lease_off[p] + i];
    if( z && !en_in_ids(z, l + 1) ) continue;
    ix[n++] = l;
  }
  en_list(c, k, resp, "leases", "lease", ix, n, en_ar_lease);
  free(ix);
}

/* artransactions/sendLeaseArTransactions r1 (the generated client's
** params): {transactionId (the client system's unique id), leaseId,
** arCodeId, transactionAmount, transactionDate (MM/DD/YYYY), arPostMonth
** (MM/YYYY)}, all but arPostMonth required. A transactionId already posted
** is refused (chosen: Entrata's duplicate rule is not documented). The
** answer: Transactions.Transaction[{@attributes:{reference_id (the
** client's transactionId), transaction_id (the new AR transaction's id;
** chosen reading of the two), status, message}}]. */
void en_send_lease_ar(en_ctx *c, const en_call *k, sb_response *resp){
  const cJSON *pr = k->params;
  const cJSON *tid = cJSON_GetObjectItem(pr, "transactionId"), *lid = cJSON_GetObjectItem(pr, "leaseId");
  const cJSON *code = cJSON_GetObjectItem(pr, "arCodeId"), *amt = cJSON_GetObjectItem(pr, "transactionAmount");
  const char *zd = en_ostr(pr, "transactionDate", NULL), *zpm = en_ostr(pr, "arPostMonth", NULL);
  static const char *const req[] = { "transactionId", "leaseId", "arCodeId", "transactionAmount", "transactionDate" };
  char msg[200];
  int32_t day;
  for(int i = 0; i < 5; i++){
    if( !cJSON_GetObjectItem(pr, req[i]) ){
      snprintf(msg, sizeof(msg), "Required parameter '%s' is missing.", req[i]);
      en_error_body(resp, 200, 400, k->reqid, msg);
      return;
    }
  }
  if( !cJSON_IsNumber(tid) || tid->valuedouble < 1 || tid->valuedouble != (double)(int64_t)tid->valuedouble ){
    en_error_body(resp, 200, 400, k->reqid, "Invalid parameter 'transactionId': expected a positive integer.");
    return;
  }
  double dl = cJSON_IsNumber(lid) ? lid->valuedouble : -1;
  if( dl < 1 || dl > c->pf->leases.n || dl != (double)(uint32_t)dl
   || c->pf->leases.v[(uint32_t)dl - 1].first_res == PF_NONE ){
    en_error_body(resp, 200, 404, k->reqid, "Invalid parameter 'leaseId': no such lease.");
    return;
  }
  if( !cJSON_IsNumber(code) || code->valuedouble < 1 || code->valuedouble > PF_NCHARGECODES
   || code->valuedouble != (double)(int)code->valuedouble ){
    en_error_body(resp, 200, 400, k->reqid, "Invalid parameter 'arCodeId': no such AR code.");
    return;
  }
  double a = cJSON_IsNumber(amt) ? amt->valuedouble : 0;
  if( !(a > 0) || a > 1e9 || fabs(a * 100 - llround(a * 100)) > 1e-6 ){
    en_error_body(resp, 200, 400, k->reqid,
                  "Invalid parameter 'transactionAmount': expected an amount greater than 0 with at most 2 decimals.");
    return;
  }
  if( !en_parse_day(zd, &day) ){
    en_error_body(resp, 200, 400, k->reqid, "Invalid parameter 'transactionDate': expected MM/DD/YYYY.");
    return;
  }
  if( zpm ){
    int pm, py, n = 0;
    if( sscanf(zpm, "%2d/%4d%n", &pm, &py, &n) != 2 || zpm[n] || n != 7 || pm < 1 || pm > 12 ){
      en_error_body(resp, 200, 400, k->reqid, "Invalid parameter 'arPostMonth': expected MM/YYYY.");
      return;
    }
  }
  int64_t client = (int64_t)tid->valuedouble;
  for(uint32_t i = 0; i < c->nposted; i++){
    if( c->posted[i] == client ){
      snprintf(msg, sizeof(msg), "Transaction %lld has already been posted.", (long long)client);
      en_error_body(resp, 200, 409, k->reqid, msg);
      return;
    }
  }
  pf_txn t;
  memset(&t, 0, sizeof(t));
  t.lease = (uint32_t)dl - 1;
  t.kind = PF_TX_CHARGE;
  t.code = (uint8_t)(code->valuedouble - 1);
  t.date = t.due = day;
  t.amount_cents = llround(a * 100);
  t.created = (uint32_t)dt_now();
  uint32_t id = pf_ledger_add(c->pf, &t);
  c->posted = sb_xrealloc(c->posted, sizeof(int64_t) * (c->nposted + 1));
  c->posted[c->nposted++] = client;
  resp->status = 200;
  en_begin(&resp->body, k->reqid);
  sb_printf(&resp->body, ",\"code\":200,\"result\":{\"Transactions\":{\"Transaction\":[{\"@attributes\":"
            "{\"reference_id\":%lld,\"transaction_id\":\"%u\",\"status\":\"Success\","
            "\"message\":\"Transaction posted successfully.\"}}]}}}}", (long long)client, id);
}

/* vendors/getVendors r1: every vendor, or those of vendorIds (comma
** list); not paged (the generated client names getInvoices(r2),
** getPoReceivingRecords and getPurchaseOrders as the vendors service's
** paged methods). Members as the generated client's vendor record, ids
** and flags as strings as it types them. */
static void en_vendor(en_ctx *c, sb_buf *b, uint32_t v){
  pf_supplier s;
  char web[128], nf[64];
  pf_supplier_at(c->pf, v, &s);
  snprintf(nf, sizeof(nf), "%s", s.name);
  char *sp = strchr(nf, ' ');
  if( sp ) *sp = 0;
  snprintf(web, sizeof(web), "https://www.%s", strchr(s.email, '@') + 1);
  sb_printf(b, "{\"id\":\"%u\"", v + 1);
  en_kv(b, "vendorName", s.name, 1);
  SB_LIT(b, ",\"vendorTypeId\":\"1\",\"vendorType\":\"Vendor\"");
  sb_printf(b, ",\"statusTypeId\":\"%d\",\"status\":\"%s\"", s.active ? 1 : 2, s.active ? "Active" : "Inactive");
  SB_LIT(b, ",\"termId\":\"1\",\"term\":\"Net 30\",\"isConsolidated\":\"0\"");
  en_kv(b, "externalId", s.account, 1);
  SB_LIT(b, ",\"isOnSite\":\"0\",\"vendorCategoryTypeId\":\"1\",\"vendorCategoryType\":\"Maintenance\"");
  en_kv(b, "website", web, 1);
  SB_LIT(b, ",\"notes\":null");
  sb_printf(b, ",\"legalEntities\":{\"legalEntity\":[{\"id\":\"%u\"", v + 1);
  en_kv(b, "name", s.name, 1);
  en_kv(b, "taxIdNumber", s.tax_id, 1);
  SB_LIT(b, ",\"receives1099\":\"1\",\"form1099TypeId\":\"1\",\"form1099Type\":\"MISC\","
            "\"form1099BoxTypeId\":\"7\",\"form1099BoxType\":\"Nonemployee Compensation\"}]}");
  SB_LIT(b, ",\"apRemittances\":{\"apRemittance\":[]}");
  sb_printf(b, ",\"contacts\":{\"contact\":[{\"id\":\"%u\"", v + 1);
  en_kv(b, "nameFirst", nf, 1);
  en_kv(b, "nameLast", "Office", 1);
  en_kv(b, "email", s.email, 1);
  en_kv(b, "phone", s.phone, 1);
  en_kv(b, "position", "Dispatcher", 1);
  sb_printf(b, "}]},\"locations\":{\"location\":[{\"id\":\"%u\"", v + 1);
  en_kv(b, "name", "Main office", 1);
  en_kv(b, "vendorCode", s.account, 1);
  SB_LIT(b, ",\"isPrimary\":\"1\",\"propertyIds\":\"\"}]},\"compliances\":{\"compliance\":[]},"
            "\"accounts\":{\"account\":[]}}");
}

void en_get_vendors(en_ctx *c, const en_call *k, sb_response *resp){
  const cJSON *ids = cJSON_GetObjectItem(k->params, "vendorIds");
  uint32_t ix[PF_NVENDORS], n = 0;
  char buf[32];
  const char *z = en_ids_param(ids, buf, sizeof(buf));
  for(uint32_t v = 0; v < PF_NVENDORS; v++){
    if( z && !en_in_ids(z, v + 1) ) continue;
    ix[n++] = v;
  }
  en_call all = *k;
  all.page = 1;
  all.per_page = PF_NVENDORS;     /* not paged: the whole list */
  all.links = 0;
  en_list(c, &all, resp, "vendors", "vendor", ix, n, en_vendor);
}
