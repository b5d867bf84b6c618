/*
** buildium_money.c — Buildium's lease ledgers, recurring charges, general
** ledger accounts and vendors, rendered from the portfolio's ledger
** (ledger.c):
**
**   GET  /generalledger/transactions           GeneralLedgerTransactionMessage[]
**        ?startdate&enddate (YYYY-MM-DD) &glaccountids (repeatable), all
**        three required; &lastupdatedfrom&lastupdatedto: every lease's
**        charges and payments whose GL account is asked for (a payment's
**        line is Rent Income)
**   GET  /generalledger/transactions/{id}      GeneralLedgerTransactionMessage
**   GET  /leases/{leaseId}/transactions        LeaseTransactionMessage[]
**        ?transactiondatefrom&transactiondateto (YYYY-MM-DD)
**        &transactiontypes=Charge|Payment (repeatable)
**   GET  /leases/{leaseId}/transactions/{id}
**   GET  /leases/{leaseId}/charges             LeaseChargeMessage[]
**   GET  /leases/{leaseId}/charges/{id}
**   POST /leases/{leaseId}/charges             LeaseChargePostMessage ->
**        201 [LeaseTransactionMessage] (one transaction per line)
**   POST /leases/{leaseId}/payments            LeaseLedgerPaymentPostMessage
**        -> 201 LeaseTransactionMessage
**   GET  /leases/{leaseId}/recurringtransactions  RecurringTransactionMessage[]
**   GET  /leases/recurringtransactions         BulkLeaseRecurringTransactionMessage[]
**        ?leaseids (repeatable) &lastupdatedfrom&lastupdatedto
**   POST /leases/{leaseId}/recurringcharges    ChargeRecurringTransactionPostMessage
**        -> 201 LeaseChargeRecurringTransactionMessage; the charge is then
**        in both recurring lists (it posts nothing to the ledger here)
**   GET  /leases/outstandingbalances           LeaseOutstandingBalanceMessage[]
**        (leases whose balance is not zero; open charges aged from their
**        date to the portfolio's as-of date) ?leaseids (repeatable)
**   POST /vendors, PUT /vendors/{id}           VendorPostMessage,
**        VendorPutMessage (buildium_write.c) -> 201/200 VendorMessage
**   GET  /vendors/categories                   VendorCategoryMessage[]
**   GET  /glaccounts, /glaccounts/{id}         GLAccountMessage (the income
**        accounts charges are booked to: the portfolio's charge codes)
**   GET  /vendors, /vendors/{id}               VendorMessage
**        ?lastupdatedfrom&lastupdatedto
**
** Lists page with limit (default 50, at most 1000) and offset and give
** X-Total-Count, like every Buildium list. Simplifications: orderby is
** accepted and ignored (lists are in date/Id order); a payment's journal
** has one line per line sent (generated payments one Rent Income line);
** CashierCheck reads back as MoneyOrder and DirectDeposit as
** ElectronicPayment (the portfolio keeps five payment methods).
*/
#include "buildium.h"
#include "ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

static const char *const bdm_method_names[] = {   /* LeaseLedgerPaymentPostMessage */
  "Check", "Cash", "MoneyOrder", "CashierCheck", "DirectDeposit", "CreditCard",
  "ElectronicPayment", NULL
};
/* Buildium payment method of each PF_PM_*, and back. */
static const char *const bdm_pm_out[PF_NPAYMETHODS] = {
  "Check", "Cash", "MoneyOrder", "CreditCard", "ElectronicPayment",
};
static int bdm_pm_in(const char *s){
  if( strcasecmp(s, "Check") == 0 ) return PF_PM_CHECK;
  if( strcasecmp(s, "Cash") == 0 ) return PF_PM_CASH;
  if( strcasecmp(s, "MoneyOrder") == 0 || strcasecmp(s, "CashierCheck") == 0 ) return PF_PM_MONEY_ORDER;
  if( strcasecmp(s, "CreditCard") == 0 ) return PF_PM_CREDIT_CARD;
  return PF_PM_ACH;
}

/* ---- request helpers ---- */

static int bdm_int(const char *s, int64_t *out){
  char *end;
  if( !s || !*s ) return 0;
  long long v = strtoll(s, &end, 10);
  if( *end ) return 0;
  *out = v;
  return 1;
}

/* limit/offset as Buildium takes them; 0 after answering a 400. */
static int bdm_paging(const sb_query *q, long *limit, long *offset, sb_response *resp){
  const char *ls = sb_query_get(q, "limit"), *os = sb_query_get(q, "offset");
  int64_t v;
  vd_errors e;
  vd_init(&e);
  *limit = 50;
  *offset = 0;
  if( ls ){
    if( !bdm_int(ls, &v) || v < 1 ) vd_add(&e, "limit", "The limit must be an integer between 1 and 1000.");
    else *limit = v > 1000 ? 1000 : (long)v;
  }
  if( os ){
    if( !bdm_int(os, &v) || v < 0 ) vd_add(&e, "offset", "The offset must be a non-negative integer.");
    else *offset = (long)v;
  }
  if( e.n ) bd_error(resp, 400, "BadRequest", "The request is invalid.", &e);
  int ok = e.n == 0;
  vd_free(&e);
  return ok;
}

/* A page being built: items are counted, those in [offset, offset+limit)
** rendered. */
typedef struct bdm_page {
  sb_buf *b;
  long limit, offset, total, shown;
} bdm_page;

static int bdm_take(bdm_page *p){
  if( p->total++ < p->offset || p->shown >= p->limit ) return 0;
  if( p->shown++ ) sb_putc(p->b, ',');
  return 1;
}

static void bdm_list_done(bdm_page *p, sb_response *resp){
  sb_putc(p->b, ']');
  resp->status = 200;
  resp->content_type = SB_JSON_TYPE;
  resp->is_list = 1;
  resp->list_offset = p->offset;
  sb_printf(&resp->headers, "X-Total-Count: %ld\r\n", p->total);
}

static void bdm_not_found(sb_response *resp){
  bd_error(resp, 404, "NotFound", "The requested resource was not found.", NULL);
}

/* The GL account of a transaction's one journal line. */
static unsigned bdm_txn_account(const pf_txn *t){
  return t->kind == PF_TX_PAYMENT ? PF_CC_RENT : t->code;
}

/* Is lease j among the leaseids asked for (all when none are)? */
static int bdm_leaseids_ok(const sb_query *q, uint32_t j){
  int any = 0;
  for(int i = 0; i < q->n; i++){
    int64_t v;
    if( strcmp(q->p[i].key, "leaseids") != 0 ) continue;
    any = 1;
    if( bdm_int(q->p[i].val, &v) && v == BD_ID_LEASE + (int64_t)j ) return 1;
  }
  return !any;
}

/* ---- rendering ---- */

static void bdm_glaccount(sb_buf *b, unsigned code){
  const pf_charge_code *cc = pf_charge_code_at(code);
  SB_LIT(b, "{\"Id\":");
  jw_int(b, BD_ID_CHARGECODE + code);
  SB_LIT(b, ",\"AccountNumber\":");
  jw_str(b, cc->number);
  SB_LIT(b, ",\"Name\":");
  jw_str(b, cc->name);
  SB_LIT(b, ",\"Description\":");
  jw_str(b, cc->desc);
  SB_LIT(b, ",\"Type\":\"Income\",\"SubType\":\"Income\",\"IsDefaultGLAccount\":");
  jw_bool(b, code == PF_CC_RENT);
  SB_LIT(b, ",\"DefaultAccountName\":");
  jw_str(b, code == PF_CC_RENT ? "Rent Income" : NULL);
  SB_LIT(b, ",\"IsContraAccount\":false,\"IsBankAccount\":false,"
            "\"CashFlowClassification\":\"OperatingActivities\","
            "\"ExcludeFromCashBalances\":false,\"SubAccounts\":[],\"IsActive\":true,"
            "\"ParentGLAccountId\":null}");
}

/* What a LeaseTransactionMessage and a GeneralLedgerTransactionMessage
** share: the head of the record (left open) ... */
static void bdm_txn_head(const pf_txn *t, sb_buf *b){
  int pay = t->kind == PF_TX_PAYMENT;
  SB_LIT(b, "{\"Id\":");
  jw_int(b, BD_ID_TXN + (int64_t)t->id);
  SB_LIT(b, ",\"Date\":");
  jw_date(b, t->date);
  SB_LIT(b, ",\"TransactionType\":");
  jw_str(b, pay ? "Payment" : "Charge");
  SB_LIT(b, ",\"TotalAmount\":");
  jw_money(b, t->amount_cents);
  SB_LIT(b, ",\"CheckNumber\":");
  jw_str(b, pay && t->code == PF_PM_CHECK ? t->reference : NULL);
}

/* ... and the journal's memo and its one line up to where each names the
** property and unit its own way (left open). */
static void bdm_journal_head(const pf_txn *t, sb_buf *b){
  SB_LIT(b, ",\"Journal\":{\"Memo\":");
  jw_str(b, pf_ledger_memo(t));
  SB_LIT(b, ",\"Lines\":[{\"GLAccount\":");
  bdm_glaccount(b, bdm_txn_account(t));
  SB_LIT(b, ",\"Amount\":");
  jw_money(b, t->amount_cents);
  SB_LIT(b, ",\"IsCashPosting\":");
  jw_bool(b, t->kind == PF_TX_PAYMENT);
  SB_LIT(b, ",\"ReferenceNumber\":");
  jw_str(b, t->reference);
  SB_LIT(b, ",\"Memo\":null");
}

static void bdm_transaction(bd_ctx *c, const pf_txn *t, sb_buf *b){
  const pf_lease *l = &c->pf->leases.v[t->lease];
  uint32_t prop = c->pf->units.v[l->unit].property;
  int pay = t->kind == PF_TX_PAYMENT;
  bdm_txn_head(t, b);
  SB_LIT(b, ",\"TransactionTypeEnum\":");
  jw_str(b, pay ? "Payment" : "Charge");
  SB_LIT(b, ",\"LeaseId\":");
  jw_int(b, BD_ID_LEASE + (int64_t)t->lease);
  SB_LIT(b, ",\"PayeeTenantId\":");
  jw_int_or_null(b, pay && l->first_res != PF_NONE, BD_ID_TENANT + (int64_t)l->first_res);
  SB_LIT(b, ",\"PaymentMethod\":");
  jw_str(b, pay ? bdm_pm_out[t->code % PF_NPAYMETHODS] : "None");
  bdm_journal_head(t, b);
  SB_LIT(b, ",\"PropertyId\":");
  jw_int(b, BD_ID_RENTAL + (int64_t)prop);
  SB_LIT(b, ",\"UnitId\":");
  jw_int(b, BD_ID_UNIT + (int64_t)l->unit);
  SB_LIT(b, "}]}}");
}

static void bdm_gl_transaction(bd_ctx *c, const pf_txn *t, sb_buf *b){
  const pf_lease *l = &c->pf->leases.v[t->lease];
  uint32_t prop = c->pf->units.v[l->unit].property;
  int pay = t->kind == PF_TX_PAYMENT;
  bd_scratch s = { .n = 0 };
  bdm_txn_head(t, b);
  SB_LIT(b, ",\"UnitAgreement\":{\"Id\":");
  jw_int(b, BD_ID_LEASE + (int64_t)t->lease);
  SB_LIT(b, ",\"Type\":\"Lease\",\"Href\":null},\"UnitId\":");
  jw_int(b, BD_ID_UNIT + (int64_t)l->unit);
  SB_LIT(b, ",\"UnitNumber\":");
  jw_str(b, bd_unit_number(c, l->unit, &s));
  SB_LIT(b, ",\"PaymentDetail\":");
  if( pay ){
    SB_LIT(b, "{\"PaymentMethod\":");
    jw_str(b, bdm_pm_out[t->code % PF_NPAYMETHODS]);
    SB_LIT(b, ",\"Payee\":");
    if( l->first_res != PF_NONE ){
      SB_LIT(b, "{\"Id\":");
      jw_int(b, BD_ID_TENANT + (int64_t)l->first_res);
      SB_LIT(b, ",\"Name\":null,\"Type\":\"Tenant\",\"Href\":null}");
    }else{
      jw_null(b);
    }
    SB_LIT(b, ",\"IsInternalTransaction\":false,\"InternalTransactionStatus\":null}");
  }else{
    jw_null(b);
  }
  SB_LIT(b, ",\"DepositDetails\":null,\"Application\":null");
  bdm_journal_head(t, b);
  SB_LIT(b, ",\"AccountingEntity\":{\"Id\":");
  jw_int(b, BD_ID_RENTAL + (int64_t)prop);
  SB_LIT(b, ",\"AccountingEntityType\":\"Rental\",\"Href\":null,\"Unit\":{\"Id\":");
  jw_int(b, BD_ID_UNIT + (int64_t)l->unit);
  SB_LIT(b, ",\"Href\":null}}}]},\"LastUpdatedDateTime\":");
  jw_datetime(b, t->created);
  sb_putc(b, '}');
}

static void bdm_charge(const pf_txn *t, sb_buf *b){
  SB_LIT(b, "{\"Id\":");
  jw_int(b, BD_ID_TXN + (int64_t)t->id);
  SB_LIT(b, ",\"Date\":");
  jw_date(b, t->date);
  SB_LIT(b, ",\"TotalAmount\":");
  jw_money(b, t->amount_cents);
  SB_LIT(b, ",\"Memo\":");
  jw_str(b, pf_ledger_memo(t));
  SB_LIT(b, ",\"BillId\":null,\"Lines\":[{\"Amount\":");
  jw_money(b, t->amount_cents);
  SB_LIT(b, ",\"GLAccountId\":");
  jw_int(b, BD_ID_CHARGECODE + t->code);
  SB_LIT(b, "}]}");
}

/* A recurring charge; w: the posted one it is (memo, frequency, duration,
** days in advance as sent), NULL for a generated one. */
static void bdm_recurring(bd_ctx *c, const pf_recurring *r, const bd_recurring_w *w, int bulk,
                          sb_buf *b){
  const pf_lease *l = &c->pf->leases.v[r->lease];
  SB_LIT(b, "{\"Id\":");
  jw_int(b, BD_ID_RECURRING + (int64_t)r->id);
  if( bulk ){
    SB_LIT(b, ",\"LeaseId\":");
    jw_int(b, BD_ID_LEASE + (int64_t)r->lease);
  }
  SB_LIT(b, ",\"TransactionType\":\"Charge\",\"IsExpired\":");
  jw_bool(b, !r->active);
  SB_LIT(b, ",\"RentId\":null,\"OffsettingGLAccountId\":null,\"Lines\":[{\"GLAccountId\":");
  jw_int(b, BD_ID_CHARGECODE + r->code);
  SB_LIT(b, ",\"Amount\":");
  jw_money(b, r->amount_cents);
  SB_LIT(b, "}],\"Amount\":");
  jw_money(b, r->amount_cents);
  SB_LIT(b, ",\"Memo\":");
  jw_str(b, w ? w->memo : pf_charge_code_at(r->code)->name);
  SB_LIT(b, ",\"FirstOccurrenceDate\":");
  jw_date(b, r->start);
  if( r->active ){                /* not nullable in the spec: left out when none */
    int y, m, d;
    dt_civil(c->pf->asof, &y, &m, &d);
    SB_LIT(b, ",\"NextOccurrenceDate\":");
    jw_date(b, w && r->start > c->pf->asof ? r->start : dt_add_months(dt_days(y, m, 1), 1));
  }
  SB_LIT(b, ",\"PostDaysInAdvance\":");
  jw_int(b, w ? w->post_days : 0);
  SB_LIT(b, ",\"Frequency\":");
  jw_str(b, w ? w->frequency : "Monthly");
  SB_LIT(b, ",\"Duration\":");
  jw_str(b, w ? w->duration : l->end == PF_NODATE ? "Unspecified" : "UntilEndOfTerm");
  if( bulk ){
    SB_LIT(b, ",\"CreatedDateTime\":");
    jw_datetime(b, r->created);
    SB_LIT(b, ",\"LastUpdatedDateTime\":");
    jw_datetime(b, r->updated);
  }
  sb_putc(b, '}');
}

static void bdm_vendor(unsigned v, const pf_supplier *s, sb_buf *b){
  SB_LIT(b, "{\"Id\":");
  jw_int(b, BD_ID_VENDOR + (int64_t)v);
  SB_LIT(b, ",\"IsCompany\":true,\"IsActive\":");
  jw_bool(b, s->active);
  SB_LIT(b, ",\"FirstName\":\"\",\"LastName\":\"\",\"PrimaryEmail\":");
  jw_str(b, s->email);
  SB_LIT(b, ",\"AlternateEmail\":null,\"CompanyName\":");
  jw_str(b, s->name);
  SB_LIT(b, ",\"PhoneNumbers\":[{\"Number\":");
  jw_str(b, s->phone);
  SB_LIT(b, ",\"Type\":\"Office\"}],\"Website\":null,"
            "\"Category\":{\"Id\":1,\"Name\":\"Maintenance\"},"
            "\"Address\":null,\"VendorInsurance\":null,\"Comments\":null,\"AccountNumber\":");
  jw_str(b, s->account);
  SB_LIT(b, ",\"ExpenseGLAccountId\":null,\"TaxInformation\":{\"TaxPayerIdType\":\"EIN\","
            "\"TaxPayerId\":");
  jw_str(b, s->tax_id);
  SB_LIT(b, ",\"TaxPayerName1\":");
  jw_str(b, s->name);
  SB_LIT(b, ",\"TaxPayerName2\":null,\"IncludeIn1099\":false,\"Address\":null}}");
}

/* Vendor categories (GET /vendors/categories): the generated vendors are
** all Maintenance; Uncategorized is Buildium's system category. */
static const struct { int64_t id; const char *name; int system; } bdm_categories[] = {
  { 1, "Maintenance", 0 }, { 2, "Uncategorized", 1 }, { 3, "Landscaping", 0 },
  { 4, "Cleaning", 0 },
};
#define BDM_NCATEGORIES (sizeof(bdm_categories)/sizeof(bdm_categories[0]))

const char *bd_vendor_category(int64_t id){
  for(size_t i = 0; i < BDM_NCATEGORIES; i++){
    if( bdm_categories[i].id == id ) return bdm_categories[i].name;
  }
  return NULL;
}

uint32_t bd_vendor_count(const bd_ctx *c){
  return c->nvendors > PF_NVENDORS ? c->nvendors : PF_NVENDORS;
}

static const cJSON *bdm_vendor_written(const bd_ctx *c, uint32_t v){
  return v < c->nvendors ? c->vendors[v].body : NULL;
}

/* The written phone object {Home, Work, Mobile, Fax} as the read's
** [{Number, Type}] (Work reads as Office, Mobile as Cell). */
static cJSON *bdm_phones_read(const cJSON *ph){
  static const char *const slot[][2] = {
    { "Home", "Home" }, { "Work", "Office" }, { "Mobile", "Cell" }, { "Fax", "Fax" },
  };
  cJSON *a = cJSON_CreateArray();
  for(int i = 0; i < 4; i++){
    const char *n = vd_str(ph, slot[i][0]);
    if( !n ) continue;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "Number", n);
    cJSON_AddStringToObject(o, "Type", slot[i][1]);
    cJSON_AddItemToArray(a, o);
  }
  return a;
}

static void bdm_copy(cJSON *o, const char *k, const cJSON *w, const char *wk){
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(w, wk ? wk : k);
  cJSON_AddItemToObject(o, k, v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull());
}

/* A written vendor as VendorMessage: the body's members under their read
** names and shapes. */
static void bdm_vendor_from(bd_ctx *c, uint32_t v, const cJSON *w, sb_buf *b){
  cJSON *o = cJSON_CreateObject(), *cat = cJSON_CreateObject();
  const cJSON *ins = cJSON_GetObjectItemCaseSensitive(w, "VendorInsurance");
  const cJSON *tax = cJSON_GetObjectItemCaseSensitive(w, "TaxInformation");
  double cid = 0;
  pf_supplier s;
  int active = 1;
  if( v < PF_NVENDORS ){
    pf_supplier_at(c->pf, v, &s);
    active = s.active;
  }
  cJSON_AddNumberToObject(o, "Id", (double)(BD_ID_VENDOR + (int64_t)v));
  bdm_copy(o, "IsCompany", w, NULL);
  cJSON_AddBoolToObject(o, "IsActive", active);
  cJSON_AddStringToObject(o, "FirstName", vd_str(w, "FirstName") ? vd_str(w, "FirstName") : "");
  cJSON_AddStringToObject(o, "LastName", vd_str(w, "LastName") ? vd_str(w, "LastName") : "");
  bdm_copy(o, "PrimaryEmail", w, NULL);
  bdm_copy(o, "AlternateEmail", w, NULL);
  cJSON_AddStringToObject(o, "CompanyName", vd_str(w, "CompanyName") ? vd_str(w, "CompanyName") : "");
  cJSON_AddItemToObject(o, "PhoneNumbers", bdm_phones_read(cJSON_GetObjectItemCaseSensitive(w, "PhoneNumbers")));
  bdm_copy(o, "Website", w, NULL);
  bd_jnum(w, "CategoryId", &cid);
  cJSON_AddNumberToObject(cat, "Id", cid);
  cJSON_AddStringToObject(cat, "Name", bd_vendor_category((int64_t)cid));
  cJSON_AddItemToObject(o, "Category", cat);
  bdm_copy(o, "Address", w, NULL);
  if( ins ){
    cJSON *i = cJSON_CreateObject();
    const char *exp = vd_str(ins, "ExpirationDate");
    char dt[32];
    bdm_copy(i, "Provider", ins, NULL);
    bdm_copy(i, "PolicyNumber", ins, NULL);
    if( exp ){
      snprintf(dt, sizeof(dt), "%.10sT00:00:00Z", exp);
      cJSON_AddStringToObject(i, "ExpirationDate", dt);
    }else{
      cJSON_AddNullToObject(i, "ExpirationDate");
    }
    cJSON_AddItemToObject(o, "VendorInsurance", i);
  }else{
    cJSON_AddNullToObject(o, "VendorInsurance");
  }
  bdm_copy(o, "Comments", w, NULL);
  bdm_copy(o, "AccountNumber", w, NULL);
  bdm_copy(o, "ExpenseGLAccountId", w, "ExpenseGlAccountId");
  if( tax ){
    cJSON *t = cJSON_CreateObject();
    bdm_copy(t, "TaxPayerIdType", tax, "TaxPayerType");
    bdm_copy(t, "TaxPayerId", tax, NULL);
    bdm_copy(t, "TaxPayerName1", tax, NULL);
    bdm_copy(t, "TaxPayerName2", tax, NULL);
    cJSON_AddBoolToObject(t, "IncludeIn1099", cJSON_IsTrue(vd_get(tax, "IncludeIn1099")));
    bdm_copy(t, "Address", tax, NULL);
    cJSON_AddItemToObject(o, "TaxInformation", t);
  }else{
    cJSON_AddNullToObject(o, "TaxInformation");
  }
  char *z = cJSON_PrintUnformatted(o);
  sb_puts(b, z);
  free(z);
  cJSON_Delete(o);
}

void bd_render_vendor(bd_ctx *c, uint32_t v, sb_buf *b){
  const cJSON *w = bdm_vendor_written(c, v);
  pf_supplier s;
  if( w ){
    bdm_vendor_from(c, v, w, b);
    return;
  }
  pf_supplier_at(c->pf, v, &s);
  bdm_vendor(v, &s, b);
}

/* ---- lists ---- */

/* lastupdatedfrom/to as Buildium takes them; 0 after answering a 400. */
static int bdm_updated_range(const sb_query *q, int64_t *from, int64_t *to,
                             sb_response *resp){
  const char *f = sb_query_get(q, "lastupdatedfrom"), *t = sb_query_get(q, "lastupdatedto");
  vd_errors e;
  vd_init(&e);
  *from = INT64_MIN;
  *to = INT64_MAX;
  if( f && !dt_parse_datetime(f, 1, from) ) vd_add(&e, "lastupdatedfrom", "The value '%s' is not a valid date.", f);
  if( t && !dt_parse_datetime(t, 1, to) ) vd_add(&e, "lastupdatedto", "The value '%s' is not a valid date.", t);
  if( e.n ) bd_error(resp, 400, "BadRequest", "The request is invalid.", &e);
  int ok = e.n == 0;
  vd_free(&e);
  return ok;
}

static void bdm_transactions(bd_ctx *c, uint32_t lease, int charges_only,
                             const sb_query *q, sb_response *resp){
  int32_t from = INT32_MIN, to = INT32_MAX;
  int want[2] = { 1, 1 };
  bdm_page p = { &resp->body, 0, 0, 0, 0 };
  const char *s;
  vd_errors e;
  if( !bdm_paging(q, &p.limit, &p.offset, resp) ) return;
  vd_init(&e);
  if( (s = sb_query_get(q, "transactiondatefrom")) && !dt_parse_date(s, &from) ){
    vd_add(&e, "transactiondatefrom", "The date must be formatted as YYYY-MM-DD.");
  }
  if( (s = sb_query_get(q, "transactiondateto")) && !dt_parse_date(s, &to) ){
    vd_add(&e, "transactiondateto", "The date must be formatted as YYYY-MM-DD.");
  }
  if( charges_only ){
    want[PF_TX_PAYMENT] = 0;
  }else{
    int any = 0, typed[2] = { 0, 0 };
    for(int i = 0; i < q->n; i++){
      if( strcmp(q->p[i].key, "transactiontypes") != 0 ) continue;
      any = 1;
      if( strcasecmp(q->p[i].val, "Charge") == 0 ) typed[PF_TX_CHARGE] = 1;
      else if( strcasecmp(q->p[i].val, "Payment") == 0 ) typed[PF_TX_PAYMENT] = 1;
      else if( !vd_enum_canon((const char *const[]){ "Bill", "Check", "Credit", "Refund",
                 "ApplyDeposit", "ElectronicFundsTransfer", "Other", "Deposit",
                 "GeneralJournalEntry", "ReversePayment", NULL }, q->p[i].val) ){
        vd_add(&e, "transactiontypes", "The value '%s' is not valid.", q->p[i].val);
      }
    }
    if( any ){ want[0] = typed[0]; want[1] = typed[1]; }
  }
  if( e.n ){
    bd_error(resp, 400, "BadRequest", "The request is invalid.", &e);
    vd_free(&e);
    return;
  }
  vd_free(&e);
  pthread_rwlock_rdlock(&c->lock);
  if( lease >= c->pf->leases.n ){
    pthread_rwlock_unlock(&c->lock);
    bdm_not_found(resp);
    return;
  }
  pf_txn t[PF_TX_MAX];
  int n = pf_ledger_lease(c->pf, lease, t);
  sb_putc(p.b, '[');
  for(int i = 0; i < n; i++){
    if( !want[t[i].kind] || t[i].date < from || t[i].date > to ) continue;
    if( !bdm_take(&p) ) continue;
    if( charges_only ) bdm_charge(&t[i], p.b);
    else bdm_transaction(c, &t[i], p.b);
  }
  pthread_rwlock_unlock(&c->lock);
  bdm_list_done(&p, resp);
}

static void bdm_gl_transactions(bd_ctx *c, const sb_query *q, sb_response *resp){
  bdm_page p = { &resp->body, 0, 0, 0, 0 };
  int32_t from = 0, to = 0;
  int64_t ufrom, uto;
  int want[PF_NCHARGECODES] = { 0 }, nacct = 0;
  const char *s;
  vd_errors e;
  if( !bdm_paging(q, &p.limit, &p.offset, resp) ) return;
  if( !bdm_updated_range(q, &ufrom, &uto, resp) ) return;
  vd_init(&e);
  if( !(s = sb_query_get(q, "startdate")) || !dt_parse_date(s, &from) ){
    vd_add(&e, "startdate", "The startdate field is required and must be formatted as YYYY-MM-DD.");
  }
  if( !(s = sb_query_get(q, "enddate")) || !dt_parse_date(s, &to) ){
    vd_add(&e, "enddate", "The enddate field is required and must be formatted as YYYY-MM-DD.");
  }
  for(int i = 0; i < q->n; i++){
    int64_t v;
    if( strcmp(q->p[i].key, "glaccountids") != 0 ) continue;
    nacct++;
    if( !bdm_int(q->p[i].val, &v) ) vd_add(&e, "glaccountids", "The value '%s' is not valid.", q->p[i].val);
    else if( v >= BD_ID_CHARGECODE && v < BD_ID_CHARGECODE + PF_NCHARGECODES ) want[v - BD_ID_CHARGECODE] = 1;
  }
  if( nacct == 0 ) vd_add(&e, "glaccountids", "The glaccountids field is required.");
  if( e.n ){
    bd_error(resp, 400, "BadRequest", "The request is invalid.", &e);
    vd_free(&e);
    return;
  }
  vd_free(&e);
  pthread_rwlock_rdlock(&c->lock);
  sb_putc(p.b, '[');
  for(uint32_t j = 0; j < c->pf->leases.n; j++){
    pf_txn t[PF_TX_MAX];
    int n = pf_ledger_lease(c->pf, j, t);
    for(int i = 0; i < n; i++){
      if( !want[bdm_txn_account(&t[i])] || t[i].date < from || t[i].date > to
          || t[i].created < ufrom || t[i].created > uto ) continue;
      if( bdm_take(&p) ) bdm_gl_transaction(c, &t[i], p.b);
    }
  }
  pthread_rwlock_unlock(&c->lock);
  bdm_list_done(&p, resp);
}

/* One transaction: shape 0 LeaseTransactionMessage, 1 LeaseChargeMessage
** (charges only), 2 GeneralLedgerTransactionMessage (any lease: PF_NONE). */
static void bdm_transaction_get(bd_ctx *c, uint32_t lease, const char *seg,
                                int shape, sb_response *resp){
  int64_t id;
  pf_txn t;
  pthread_rwlock_rdlock(&c->lock);
  int ok = bdm_int(seg, &id) && id >= BD_ID_TXN && id - BD_ID_TXN <= UINT32_MAX
           && pf_ledger_find(c->pf, (uint32_t)(id - BD_ID_TXN), &t)
           && (lease == PF_NONE || t.lease == lease)
           && (shape != 1 || t.kind == PF_TX_CHARGE);
  if( ok ){
    resp->status = 200;
    resp->content_type = SB_JSON_TYPE;
    if( shape == 1 ) bdm_charge(&t, &resp->body);
    else if( shape == 2 ) bdm_gl_transaction(c, &t, &resp->body);
    else bdm_transaction(c, &t, &resp->body);
  }
  pthread_rwlock_unlock(&c->lock);
  if( !ok ) bdm_not_found(resp);
}

static void bdm_recurring_list(bd_ctx *c, uint32_t lease, const sb_query *q,
                               sb_response *resp){
  bdm_page p = { &resp->body, 0, 0, 0, 0 };
  int64_t from, to;
  int bulk = lease == PF_NONE;
  if( !bdm_paging(q, &p.limit, &p.offset, resp) ) return;
  if( bulk && !bdm_updated_range(q, &from, &to, resp) ) return;
  pthread_rwlock_rdlock(&c->lock);
  if( !bulk && lease >= c->pf->leases.n ){
    pthread_rwlock_unlock(&c->lock);
    bdm_not_found(resp);
    return;
  }
  uint32_t lo = bulk ? 0 : lease, hi = bulk ? c->pf->leases.n : lease + 1;
  sb_putc(p.b, '[');
  for(uint32_t j = lo; j < hi; j++){
    pf_recurring r[PF_RC_SLOTS];
    if( bulk && !bdm_leaseids_ok(q, j) ) continue;
    int n = pf_recurring_lease(c->pf, j, r);
    for(int k = 0; k < n; k++){
      if( bulk && (r[k].updated < from || r[k].updated > to) ) continue;
      if( bdm_take(&p) ) bdm_recurring(c, &r[k], NULL, bulk, p.b);
    }
    for(uint32_t k = 0; k < c->nrcs; k++){     /* posted through the API */
      pf_recurring w = c->rcs[k].r;
      if( w.lease != j || (bulk && (w.updated < from || w.updated > to)) ) continue;
      w.active = c->pf->leases.v[j].status == PF_LS_ACTIVE;
      if( bdm_take(&p) ) bdm_recurring(c, &w, &c->rcs[k], bulk, p.b);
    }
  }
  pthread_rwlock_unlock(&c->lock);
  bdm_list_done(&p, resp);
}

static void bdm_glaccounts(const sb_query *q, const char *seg, sb_response *resp){
  bdm_page p = { &resp->body, 0, 0, 0, 0 };
  if( seg ){
    int64_t id;
    if( !bdm_int(seg, &id) || id < BD_ID_CHARGECODE || id >= BD_ID_CHARGECODE + PF_NCHARGECODES ){
      bdm_not_found(resp);
      return;
    }
    resp->status = 200;
    resp->content_type = SB_JSON_TYPE;
    bdm_glaccount(&resp->body, (unsigned)(id - BD_ID_CHARGECODE));
    return;
  }
  if( !bdm_paging(q, &p.limit, &p.offset, resp) ) return;
  const char *types = sb_query_get(q, "accounttypes");
  sb_putc(p.b, '[');
  for(unsigned i = 0; i < PF_NCHARGECODES; i++){
    if( types && strcasecmp(types, "Income") != 0 ) continue;
    if( bdm_take(&p) ) bdm_glaccount(p.b, i);
  }
  bdm_list_done(&p, resp);
}

static void bdm_vendors(bd_ctx *c, const sb_query *q, const char *seg, sb_response *resp){
  bdm_page p = { &resp->body, 0, 0, 0, 0 };
  pf_supplier s;
  int64_t from, to;
  if( seg ){
    int64_t id;
    pthread_rwlock_rdlock(&c->lock);
    if( !bdm_int(seg, &id) || id < BD_ID_VENDOR || id >= BD_ID_VENDOR + bd_vendor_count(c) ){
      pthread_rwlock_unlock(&c->lock);
      bdm_not_found(resp);
      return;
    }
    resp->status = 200;
    resp->content_type = SB_JSON_TYPE;
    bd_render_vendor(c, (uint32_t)(id - BD_ID_VENDOR), &resp->body);
    pthread_rwlock_unlock(&c->lock);
    return;
  }
  if( !bdm_paging(q, &p.limit, &p.offset, resp) ) return;
  if( !bdm_updated_range(q, &from, &to, resp) ) return;
  pthread_rwlock_rdlock(&c->lock);
  sb_putc(p.b, '[');
  for(uint32_t v = 0, n = bd_vendor_count(c); v < n; v++){
    int64_t updated;
    if( bdm_vendor_written(c, v) ){
      updated = c->vendors[v].updated;
    }else{
      pf_supplier_at(c->pf, v, &s);
      updated = s.updated;
    }
    if( updated < from || updated > to ) continue;
    if( bdm_take(&p) ) bd_render_vendor(c, v, p.b);
  }
  pthread_rwlock_unlock(&c->lock);
  bdm_list_done(&p, resp);
}

static void bdm_categories_list(const sb_query *q, sb_response *resp){
  bdm_page p = { &resp->body, 0, 0, 0, 0 };
  if( !bdm_paging(q, &p.limit, &p.offset, resp) ) return;
  sb_putc(p.b, '[');
  for(size_t i = 0; i < BDM_NCATEGORIES; i++){
    if( !bdm_take(&p) ) continue;
    SB_LIT(p.b, "{\"Id\":");
    jw_int(p.b, bdm_categories[i].id);
    SB_LIT(p.b, ",\"Name\":");
    jw_str(p.b, bdm_categories[i].name);
    SB_LIT(p.b, ",\"IsSystemCategory\":");
    jw_bool(p.b, bdm_categories[i].system);
    sb_putc(p.b, '}');
  }
  bdm_list_done(&p, resp);
}

static void bdm_outstanding(bd_ctx *c, const sb_query *q, sb_response *resp){
  bdm_page p = { &resp->body, 0, 0, 0, 0 };
  if( !bdm_paging(q, &p.limit, &p.offset, resp) ) return;
  pthread_rwlock_rdlock(&c->lock);
  sb_putc(p.b, '[');
  for(uint32_t j = 0; j < c->pf->leases.n; j++){
    pf_txn t[PF_TX_MAX];
    int64_t bucket[4] = { 0, 0, 0, 0 }, total = 0;
    int n;
    if( !bdm_leaseids_ok(q, j) || (n = pf_ledger_lease(c->pf, j, t)) == 0 ) continue;
    for(int i = 0; i < n; i++){
      if( t[i].kind == PF_TX_PAYMENT ){ total -= t[i].amount_cents; continue; }
      int32_t age = c->pf->asof - t[i].date;
      total += t[i].amount_cents;
      bucket[age <= 30 ? 0 : age <= 60 ? 1 : age <= 90 ? 2 : 3] += t[i].amount_cents - t[i].paid_cents;
    }
    if( total == 0 || !bdm_take(&p) ) continue;
    const pf_lease *l = &c->pf->leases.v[j];
    SB_LIT(p.b, "{\"LeaseId\":");
    jw_int(p.b, BD_ID_LEASE + (int64_t)j);
    SB_LIT(p.b, ",\"PropertyId\":");
    jw_int(p.b, BD_ID_RENTAL + (int64_t)c->pf->units.v[l->unit].property);
    SB_LIT(p.b, ",\"UnitId\":");
    jw_int(p.b, BD_ID_UNIT + (int64_t)l->unit);
    SB_LIT(p.b, ",\"Balance0To30Days\":");
    jw_money(p.b, bucket[0]);
    SB_LIT(p.b, ",\"Balance31To60Days\":");
    jw_money(p.b, bucket[1]);
    SB_LIT(p.b, ",\"Balance61To90Days\":");
    jw_money(p.b, bucket[2]);
    SB_LIT(p.b, ",\"BalanceOver90Days\":");
    jw_money(p.b, bucket[3]);
    SB_LIT(p.b, ",\"TotalBalance\":");
    jw_money(p.b, total);
    SB_LIT(p.b, ",\"Balances\":[],\"PastDueEmailSentDate\":null,"
                "\"EvictionPendingDate\":null,\"IsNoticeGiven\":false}");
  }
  pthread_rwlock_unlock(&c->lock);
  bdm_list_done(&p, resp);
}

/* ---- writes ---- */

static const vd_field bdm_f_charge_line[] = {
  { .name = "Amount", .type = VT_NUMBER, .flags = VF_REQUIRED },
  { .name = "GLAccountId", .type = VT_INT, .flags = VF_REQUIRED },
  { .name = "ReferenceNumber", .type = VT_STRING, .maxlen = 30 },
  { 0 }
};
static const vd_schema bdm_s_charge_line = { "LeaseChargeLineSaveMessage", bdm_f_charge_line, NULL };
static const vd_field bdm_f_charge[] = {
  { .name = "Date", .type = VT_DATE, .flags = VF_REQUIRED },
  { .name = "Memo", .type = VT_STRING, .maxlen = 65 },
  { .name = "BillId", .type = VT_INT },
  { .name = "Lines", .type = VT_OBJECT_ARRAY, .flags = VF_REQUIRED, .sub = &bdm_s_charge_line },
  { 0 }
};
static const vd_schema bdm_s_charge = { "LeaseChargePostMessage", bdm_f_charge, NULL };
static const vd_field bdm_f_payment_line[] = {
  { .name = "Amount", .type = VT_NUMBER, .flags = VF_REQUIRED },
  { .name = "GLAccountId", .type = VT_INT, .flags = VF_REQUIRED },
  { 0 }
};
static const vd_schema bdm_s_payment_line = { "LeaseLedgerPaymentLineSaveMessage", bdm_f_payment_line, NULL };
static const vd_field bdm_f_payment[] = {
  { .name = "Date", .type = VT_DATE, .flags = VF_REQUIRED },
  { .name = "PaymentMethod", .type = VT_ENUM, .flags = VF_REQUIRED, .enums = bdm_method_names },
  { .name = "PayeeUserId", .type = VT_INT },
  { .name = "Memo", .type = VT_STRING, .maxlen = 65 },
  { .name = "ReferenceNumber", .type = VT_STRING, .maxlen = 30 },
  { .name = "SendEmailReceipt", .type = VT_BOOL, .flags = VF_REQUIRED },
  { .name = "Lines", .type = VT_OBJECT_ARRAY, .flags = VF_REQUIRED, .sub = &bdm_s_payment_line },
  { 0 }
};
static const vd_schema bdm_s_payment = { "LeaseLedgerPaymentPostMessage", bdm_f_payment, NULL };

/* Lines: at least one, amounts positive with cents, GL accounts known. */
static int64_t bdm_check_lines(const cJSON *lines, vd_errors *e){
  int64_t total = 0;
  int i = 0;
  const cJSON *it;
  if( cJSON_GetArraySize(lines) == 0 ) vd_add(e, "Lines", "At least one line item is required.");
  cJSON_ArrayForEach(it, lines){
    char key[64];
    double a = cJSON_GetObjectItemCaseSensitive(it, "Amount")->valuedouble;
    double g = cJSON_GetObjectItemCaseSensitive(it, "GLAccountId")->valuedouble;
    snprintf(key, sizeof(key), "Lines[%d].Amount", i);
    if( a <= 0 || a > 1e9 ) vd_add(e, key, "The amount must be greater than 0.");
    else{
      double frac = a * 100 - (double)sb_llround(a * 100);
      if( frac > 1e-6 || frac < -1e-6 ) vd_add(e, key, "The amount can have at most two decimal places.");
    }
    snprintf(key, sizeof(key), "Lines[%d].GLAccountId", i);
    if( g < BD_ID_CHARGECODE || g >= BD_ID_CHARGECODE + PF_NCHARGECODES ){
      vd_add(e, key, "The general ledger account %.0f does not exist or is not an income account.", g);
    }
    total += sb_llround(a * 100);
    i++;
  }
  return total;
}

/* A write on a lease's ledger: the write lock taken (1), or a 404 answered
** for a lease that does not exist (0, unlocked). */
static int bdm_lock_lease(bd_ctx *c, uint32_t lease, sb_response *resp){
  pthread_rwlock_wrlock(&c->lock);
  if( lease < c->pf->leases.n ) return 1;
  pthread_rwlock_unlock(&c->lock);
  bdm_not_found(resp);
  return 0;
}

static void bdm_post(bd_ctx *c, uint32_t lease, int payment, const sb_request *req,
                     sb_response *resp){
  const vd_schema *s = payment ? &bdm_s_payment : &bdm_s_charge;
  vd_errors e;
  cJSON *body = bd_read_body(req, resp);
  if( !body ) return;
  vd_init(&e);
  vd_object(s, body, "", &e);
  int64_t total = e.n ? 0 : bdm_check_lines(cJSON_GetObjectItemCaseSensitive(body, "Lines"), &e);
  if( e.n ){
    bd_invalid(resp, &e);
    goto out;
  }
  if( !bdm_lock_lease(c, lease, resp) ) goto out;
  pf_txn t;
  memset(&t, 0, sizeof(t));
  t.lease = lease;
  dt_parse_date(vd_str(body, "Date"), &t.date);
  t.due = t.date;
  t.created = (uint32_t)dt_now();
  t.memo = vd_str(body, "Memo");
  sb_response_reset(resp);
  resp->status = 201;
  resp->content_type = SB_JSON_TYPE;
  if( payment ){
    t.kind = PF_TX_PAYMENT;
    t.code = (uint8_t)bdm_pm_in(vd_str(body, "PaymentMethod"));
    t.reference = vd_str(body, "ReferenceNumber");
    t.amount_cents = total;
    uint32_t id = pf_ledger_add(c->pf, &t);
    pf_ledger_find(c->pf, id, &t);
    bdm_transaction(c, &t, &resp->body);
  }else{
    const cJSON *it;
    int first = 1;
    sb_putc(&resp->body, '[');
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(body, "Lines")){
      pf_txn one = t;
      one.kind = PF_TX_CHARGE;
      one.code = (uint8_t)(cJSON_GetObjectItemCaseSensitive(it, "GLAccountId")->valuedouble
                           - BD_ID_CHARGECODE);
      one.amount_cents = sb_llround(cJSON_GetObjectItemCaseSensitive(it, "Amount")->valuedouble * 100);
      one.reference = vd_str(it, "ReferenceNumber");
      uint32_t id = pf_ledger_add(c->pf, &one);
      pf_ledger_find(c->pf, id, &one);
      if( !first ) sb_putc(&resp->body, ',');
      first = 0;
      bdm_transaction(c, &one, &resp->body);
    }
    sb_putc(&resp->body, ']');
  }
  bd_invalidate(c);
  pthread_rwlock_unlock(&c->lock);
out:
  vd_free(&e);
  cJSON_Delete(body);
}

static const char *const bdm_duration_names[] = { "UntilEndOfTerm", "SpecificNumber", NULL };
static const vd_field bdm_f_recurring[] = {
  { .name = "GLAccountId", .type = VT_INT, .flags = VF_REQUIRED },
  { .name = "Amount", .type = VT_NUMBER, .flags = VF_REQUIRED },
  { .name = "Memo", .type = VT_STRING, .maxlen = 65 },
  { .name = "FirstOccurrenceDate", .type = VT_DATE, .flags = VF_REQUIRED },
  { .name = "PostDaysInAdvance", .type = VT_INT, .flags = VF_REQUIRED },
  { .name = "Frequency", .type = VT_ENUM, .flags = VF_REQUIRED, .enums = bd_cycle_names },
  { .name = "Duration", .type = VT_ENUM, .enums = bdm_duration_names },
  { .name = "NumberOfOccurrences", .type = VT_INT },
  { 0 }
};
static const vd_schema bdm_s_recurring = { "ChargeRecurringTransactionPostMessage", bdm_f_recurring, NULL };

/* POST /leases/{leaseId}/recurringcharges: the spec's rules beyond the
** schema (days in advance 0-45, 60, 75 or 90; occurrences with
** SpecificNumber, at most 100; an income account; cents). */
static void bdm_post_recurring(bd_ctx *c, uint32_t lease, const sb_request *req, sb_response *resp){
  vd_errors e;
  cJSON *body = bd_read_body(req, resp), *line = NULL, *lines = NULL;
  double days = 0, occ = 0;
  if( !body ) return;
  vd_init(&e);
  vd_object(&bdm_s_recurring, body, "", &e);
  if( !e.n ){
    const char *dur = vd_enum_canon(bdm_duration_names, vd_str(body, "Duration"));
    bd_jnum(body, "PostDaysInAdvance", &days);
    if( !((days >= 0 && days <= 45) || days == 60 || days == 75 || days == 90) ){
      vd_add(&e, "PostDaysInAdvance", "The value must be between 0 and 45, or 60, 75 or 90.");
    }
    if( dur && strcmp(dur, "SpecificNumber") == 0
        && (!bd_jnum(body, "NumberOfOccurrences", &occ) || occ < 1 || occ > 100) ){
      vd_add(&e, "NumberOfOccurrences", "NumberOfOccurrences is required when Duration is "
             "SpecificNumber and can not exceed 100.");
    }
    /* the amount and account as a one-line charge's */
    lines = cJSON_CreateArray();
    line = cJSON_CreateObject();
    cJSON_AddItemToObject(line, "Amount", cJSON_Duplicate(vd_get(body, "Amount"), 1));
    cJSON_AddItemToObject(line, "GLAccountId", cJSON_Duplicate(vd_get(body, "GLAccountId"), 1));
    cJSON_AddItemToArray(lines, line);
    vd_errors le;
    vd_init(&le);
    bdm_check_lines(lines, &le);
    for(int i = 0; i < le.n; i++) vd_add(&e, strchr(le.keys[i], '.') + 1, "%s", le.vals[i]);
    vd_free(&le);
    cJSON_Delete(lines);
  }
  if( e.n ){
    bd_invalid(resp, &e);
    goto out;
  }
  if( !bdm_lock_lease(c, lease, resp) ) goto out;
  if( c->nrcs == c->rcs_cap ){
    c->rcs_cap = c->rcs_cap ? c->rcs_cap * 2 : 16;
    c->rcs = sb_xrealloc(c->rcs, c->rcs_cap * sizeof(bd_recurring_w));
  }
  bd_recurring_w *w = &c->rcs[c->nrcs];
  memset(w, 0, sizeof(*w));
  w->r.id = BD_RC_WRITTEN + c->nrcs++;
  w->r.lease = lease;
  w->r.code = (uint8_t)(vd_get(body, "GLAccountId")->valuedouble - BD_ID_CHARGECODE);
  w->r.amount_cents = sb_llround(vd_get(body, "Amount")->valuedouble * 100);
  dt_parse_date(vd_str(body, "FirstOccurrenceDate"), &w->r.start);
  w->r.end = PF_NODATE;
  w->r.created = w->r.updated = (uint32_t)dt_now();
  w->r.active = c->pf->leases.v[lease].status == PF_LS_ACTIVE;
  w->memo = sb_xstrdup(vd_str(body, "Memo"));
  w->frequency = vd_enum_canon(bd_cycle_names, vd_str(body, "Frequency"));
  w->duration = vd_enum_canon(bdm_duration_names, vd_str(body, "Duration"));
  if( !w->duration ) w->duration = "UntilEndOfTerm";
  w->post_days = (int)days;
  w->occurrences = (int)occ;
  bd_invalidate(c);
  /* LeaseChargeRecurringTransactionMessage */
  sb_buf *b = &resp->body;
  resp->status = 201;
  resp->content_type = SB_JSON_TYPE;
  SB_LIT(b, "{\"Id\":");
  jw_int(b, BD_ID_RECURRING + (int64_t)w->r.id);
  SB_LIT(b, ",\"LeaseId\":");
  jw_int(b, BD_ID_LEASE + (int64_t)lease);
  SB_LIT(b, ",\"GLAccountId\":");
  jw_int(b, BD_ID_CHARGECODE + w->r.code);
  SB_LIT(b, ",\"RentId\":null,\"Amount\":");
  jw_money(b, w->r.amount_cents);
  SB_LIT(b, ",\"Memo\":");
  jw_str(b, w->memo);
  SB_LIT(b, ",\"OccurrencesRemaining\":");
  jw_int_or_null(b, w->occurrences > 0, w->occurrences);
  SB_LIT(b, ",\"FirstOccurrenceDate\":");
  jw_date(b, w->r.start);
  SB_LIT(b, ",\"NextOccurrenceDate\":");
  jw_date(b, w->r.start);
  SB_LIT(b, ",\"PostDaysInAdvance\":");
  jw_int(b, w->post_days);
  SB_LIT(b, ",\"Frequency\":");
  jw_str(b, w->frequency);
  SB_LIT(b, ",\"Duration\":");
  jw_str(b, w->duration);
  sb_putc(b, '}');
  pthread_rwlock_unlock(&c->lock);
out:
  vd_free(&e);
  cJSON_Delete(body);
}

/* ---- routing ---- */

static int bdm_digits(const char *s){
  if( !*s ) return 0;
  for(; *s; s++){
    if( *s < '0' || *s > '9' ) return 0;
  }
  return 1;
}

static uint32_t bdm_lease_idx(const char *seg){
  int64_t v;
  if( !bdm_int(seg, &v) || v < BD_ID_LEASE || v - BD_ID_LEASE >= PF_NONE ) return PF_NONE - 1;
  return (uint32_t)(v - BD_ID_LEASE);
}

int bd_money_route(bd_ctx *c, const sb_request *req, char **seg, int n,
                   sb_response *resp){
  int get = strcmp(req->method, "GET") == 0;
  int post = strcmp(req->method, "POST") == 0;
  sb_query q;
  int done = 1;
  sb_query_parse(req->query, &q);
  if( strcmp(seg[0], "generalledger") == 0 && n == 2 && get
      && strcmp(seg[1], "transactions") == 0 ){
    bdm_gl_transactions(c, &q, resp);
  }else if( strcmp(seg[0], "generalledger") == 0 && n == 3 && get
            && strcmp(seg[1], "transactions") == 0 && bdm_digits(seg[2]) ){
    bdm_transaction_get(c, PF_NONE, seg[2], 2, resp);
  }else if( strcmp(seg[0], "glaccounts") == 0 && n <= 2 && get ){
    bdm_glaccounts(&q, n == 2 ? seg[1] : NULL, resp);
  }else if( strcmp(seg[0], "vendors") == 0 && n == 2 && get
            && strcmp(seg[1], "categories") == 0 ){
    bdm_categories_list(&q, resp);
  }else if( strcmp(seg[0], "vendors") == 0 && n <= 2 && get
            && (n == 1 || bdm_digits(seg[1])) ){
    bdm_vendors(c, &q, n == 2 ? seg[1] : NULL, resp);
  }else if( strcmp(seg[0], "vendors") == 0 && n == 1 && post ){
    bd_vendor_write(c, PF_NONE, req, resp);
  }else if( strcmp(seg[0], "vendors") == 0 && n == 2 && strcmp(req->method, "PUT") == 0
            && bdm_digits(seg[1]) ){
    int64_t id;
    uint32_t v = bdm_int(seg[1], &id) && id >= BD_ID_VENDOR && id - BD_ID_VENDOR < PF_NONE
                 ? (uint32_t)(id - BD_ID_VENDOR) : PF_NONE - 1;
    bd_vendor_write(c, v, req, resp);
  }else if( strcmp(seg[0], "leases") == 0 && n == 2 && get
            && strcmp(seg[1], "recurringtransactions") == 0 ){
    bdm_recurring_list(c, PF_NONE, &q, resp);
  }else if( strcmp(seg[0], "leases") == 0 && n == 2 && get
            && strcmp(seg[1], "outstandingbalances") == 0 ){
    bdm_outstanding(c, &q, resp);
  }else if( strcmp(seg[0], "leases") == 0 && n >= 3 && n <= 4 && bdm_digits(seg[1]) ){
    uint32_t lease = bdm_lease_idx(seg[1]);
    const char *what = seg[2];
    if( n == 4 && !bdm_digits(seg[3]) ){
      done = 0;
    }else if( strcmp(what, "transactions") == 0 && get ){
      if( n == 3 ) bdm_transactions(c, lease, 0, &q, resp);
      else bdm_transaction_get(c, lease, seg[3], 0, resp);
    }else if( strcmp(what, "charges") == 0 && (get || (post && n == 3)) ){
      if( post ) bdm_post(c, lease, 0, req, resp);
      else if( n == 3 ) bdm_transactions(c, lease, 1, &q, resp);
      else bdm_transaction_get(c, lease, seg[3], 1, resp);
    }else if( strcmp(what, "payments") == 0 && post && n == 3 ){
      bdm_post(c, lease, 1, req, resp);
    }else if( strcmp(what, "recurringtransactions") == 0 && get && n == 3 ){
      bdm_recurring_list(c, lease, &q, resp);
    }else if( strcmp(what, "recurringcharges") == 0 && post && n == 3 ){
      bdm_post_recurring(c, lease, req, resp);
    }else if( strcmp(what, "transactions") == 0 || strcmp(what, "charges") == 0
              || strcmp(what, "payments") == 0 || strcmp(what, "recurringtransactions") == 0
              || strcmp(what, "recurringcharges") == 0 ){
      bd_error(resp, 405, "MethodNotAllowed", "The HTTP method is not allowed here.", NULL);
    }else{
      done = 0;
    }
  }else{
    done = 0;
  }
  sb_query_free(&q);
  return done;
}
