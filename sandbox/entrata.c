/*
** entrata.c — the Entrata vendor of pms-sandbox (--vendor entrata).
**
** Emulated behaviour (research/pms-apis.md §4 and §8; propexo.md §1.5):
** - RPC over HTTP: every call is a POST to /ext/orgs/{org}/v1/{service} with
**   header X-Api-Key and a JSON body {auth:{type:"apikey"}, requestId,
**   method:{name, version, params}}; the sandbox dispatches on service,
**   method.name and method.version. A wrong org or key answers HTTP 401.
** - Answers are wrapped: {"response":{"requestId", "code":200, "result":…}};
**   errors {"response":{"requestId", "code":N, "error":{"code":N,
**   "message"}}}. Method-level errors (unknown method or version, missing or
**   invalid params, unknown record) arrive with HTTP 200, as the research says
**   Entrata often does; so do injected 429 faults. The error codes are the
**   HTTP-like numbers 400/404/405/429 (approximation: Entrata's own code
**   table is not in the research).
** - Paging: query page_no (1-based) and per_page (at most 500, the size
**   clients use); X-Total-Count on every list; Link headers when the request
**   sends X-Send-Pagination-Links: 1.
** - Lists are per property: getCustomers, getLeases and getLeads require
**   params.propertyId; getPropertyUnits takes propertyIds.
** - Times are Mountain Time (America/Denver, with DST) as MM/DD/YYYY
**   HH:MM:SS; dates MM/DD/YYYY. getLeads filters fromDate/toDate on
**   lastUpdatedDate (MT).
** - Rate limits per API method per key, in minute/hour/day windows, reported
**   as X-RateLimit-Limit "15000/DAY;1000/HOUR;150/MINUTE", -Remaining and
**   -Reset (seconds) on every answer; over a limit the answer is HTTP 429
**   with error code 429. POST /__entrata/ratelimits {"minute":N, "hour":N,
**   "day":N, "minute_seconds":S} changes the limits (and, for tests, the
**   length of the minute window); --no-rate-limit turns them off.
** - arcodes/getArCodes (r1): the ledger's charge codes (ledger.c) as AR
**   codes, result.arcodes.arcode[] of {id, code, name, codeType,
**   chargeUsage, associatedLedger, debitGlAccountId, creditGlAccountId,
**   displayAs, isDisabled, isEntrataDisabled, isTaxable} (the members of the
**   generated client the research cites, mo05mAn/entrata_api_client, in
**   Entrata's camelCase: inferred); company-wide, an optional propertyId
**   must name a property. Its GL account ids: 1100 (accounts receivable,
**   the debit) and 4000 + 100 i (the code's income account; chosen).
** - artransactions (getLeaseArTransactions, sendLeaseArTransactions) and
**   vendors/getVendors: entrata_money.c.
** - Writes: customers/updateCustomers, leads/sendLeads (create) and
**   leads/updateLeads, validated and kept, so later reads return them and
**   lastUpdatedDate moves. Other write methods answer error 405 ("not
**   supported"), as Propexo documents for creating residents.
** Record shapes follow the research's field lists; wrappers such as
** result.Customers.Customer[] and the property record are inferred, and so
** are the members of a customer's Vehicles[] ({@attributes.Id, Make, Model,
** Color, Year, LicensePlateNumber, LicensePlateState}; the portfolio's
** vehicles, household.c).
*/
#include "entrata.h"
#include "household.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>


/* ------------------------------------------------------------ time */

/* Day of month of the n-th (1-based) Sunday of month m of year y. */
static int en_nth_sunday(int y, int m, int n){
  int32_t d = dt_days(y, m, 1);
  int wd = (int)(((d % 7) + 11) % 7);   /* 1970-01-01 was a Thursday: 0=Sun */
  return 1 + (7 - wd) % 7 + 7 * (n - 1);
}

/* Seconds east of UTC in America/Denver at UTC time t: MDT (-6) from the
** second Sunday of March 02:00 MST to the first Sunday of November 02:00
** MDT (2007 on); first Sunday of April to last Sunday of October before. */
static int en_mt_offset(int64_t t){
  int y, m, d, ds, de, ms = 3, me = 11;
  dt_civil((int32_t)((t - 7 * 3600) / 86400), &y, &m, &d);
  if( y >= 2007 ){
    ds = en_nth_sunday(y, 3, 2);
    de = en_nth_sunday(y, 11, 1);
  }else{
    ms = 4; me = 10;
    ds = en_nth_sunday(y, 4, 1);
    de = en_nth_sunday(y, 10, 5) > 31 ? en_nth_sunday(y, 10, 4) : en_nth_sunday(y, 10, 5);
  }
  int64_t on = (int64_t)dt_days(y, ms, ds) * 86400 + 2 * 3600 + 7 * 3600;
  int64_t off = (int64_t)dt_days(y, me, de) * 86400 + 2 * 3600 + 6 * 3600;
  return (t >= on && t < off) ? -6 * 3600 : -7 * 3600;
}

static void en_put_mt(sb_buf *b, int64_t t){
  int64_t l = t + en_mt_offset(t);
  int32_t days = (int32_t)(l >= 0 ? l / 86400 : (l - 86399) / 86400);
  int64_t s = l - (int64_t)days * 86400;
  int y, m, d;
  dt_civil(days, &y, &m, &d);
  sb_printf(b, "\"%02d/%02d/%04d %02d:%02d:%02d\"", m, d, y, (int)(s / 3600),
            (int)(s / 60 % 60), (int)(s % 60));
}

void en_put_date(sb_buf *b, int32_t days){
  int y, m, d;
  if( days == PF_NODATE ){ jw_null(b); return; }
  dt_civil(days, &y, &m, &d);
  sb_printf(b, "\"%02d/%02d/%04d\"", m, d, y);
}

/* "MM/DD/YYYY[ HH:MM[:SS]]" in Mountain Time -> UTC seconds. */
int en_parse_mt(const char *z, int64_t *pt){
  int m, d, y, hh = 0, mi = 0, ss = 0, n = 0;
  if( !z ) return 0;
  if( sscanf(z, "%2d/%2d/%4d%n", &m, &d, &y, &n) != 3 ) return 0;
  if( z[n] ){
    int n2 = 0;
    if( sscanf(z + n, " %2d:%2d%n", &hh, &mi, &n2) != 2 ) return 0;
    n += n2;
    if( z[n] == ':' ){
      n2 = 0;
      if( sscanf(z + n, ":%2d%n", &ss, &n2) != 1 ) return 0;
      n += n2;
    }
    if( z[n] ) return 0;
  }
  if( m < 1 || m > 12 || d < 1 || d > 31 || hh > 23 || mi > 59 || ss > 59 ) return 0;
  int64_t l = (int64_t)dt_days(y, m, d) * 86400 + hh * 3600 + mi * 60 + ss;
  /* the offset at the local time read as MST, then checked as MDT */
  int64_t t = l + 7 * 3600;
  if( en_mt_offset(l + 6 * 3600) == -6 * 3600 ) t = l + 6 * 3600;
  *pt = t;
  return 1;
}

/* ------------------------------------------------------------ answers */

void en_begin(sb_buf *b, const char *reqid){
  SB_LIT(b, "{\"response\":{\"requestId\":");
  jw_str(b, reqid ? reqid : "1");
}

void en_error_body(sb_response *resp, int http, int code, const char *reqid,
                          const char *msg){
  resp->status = http;
  resp->content_type = SB_JSON_TYPE;
  resp->body.n = 0;
  en_begin(&resp->body, reqid);
  sb_printf(&resp->body, ",\"code\":%d,\"error\":{\"code\":%d,\"message\":", code, code);
  jw_str(&resp->body, msg);
  SB_LIT(&resp->body, "}}}");
}

/* ------------------------------------------------------------ views */

static uint32_t en_unit_prop(en_ctx *c, uint32_t u){ return c->pf->units.v[u].property; }

static uint32_t en_res_prop(en_ctx *c, uint32_t r){
  uint32_t l = c->pf->res.v[r].lease;
  return l == PF_NONE ? PF_NONE : c->lease_prop[l];
}

static uint32_t en_lead_prop(en_ctx *c, uint32_t a){
  const cJSON *o = sb_ovr_get(&c->lead_ovr, a);
  const cJSON *p = o ? cJSON_GetObjectItem(o, "propertyId") : NULL;
  if( cJSON_IsNumber(p) ) return (uint32_t)p->valuedouble - 1;
  uint32_t u = c->pf->apps.v[a].unit;
  return u == PF_NONE ? a % c->Pg : en_unit_prop(c, u);
}

const char *en_ostr(const cJSON *o, const char *k, const char *dflt){
  const cJSON *v = o ? cJSON_GetObjectItem(o, k) : NULL;
  return cJSON_IsString(v) ? v->valuestring : dflt;
}

void en_kv(sb_buf *b, const char *k, const char *v, int comma){
  if( comma ) sb_putc(b, ',');
  jw_str(b, k);
  sb_putc(b, ':');
  jw_str(b, v);
}

static void en_property(en_ctx *c, sb_buf *b, uint32_t p){
  const pf_property *r = &c->pf->props.v[p];
  const pf_city *city = pf_city_at(r->city);
  char tmp[128];
  static const char *const types[] = { "Apartment", "Condo", "Single Family" };
  sb_printf(b, "{\"PropertyID\":%u", p + 1);
  en_kv(b, "MarketingName", pf_fmt_property_name(tmp, sizeof(tmp), c->pf, p), 1);
  en_kv(b, "Type", types[r->subtype % 3], 1);
  if( r->flags & PF_PROP_NO_YEAR ) SB_LIT(b, ",\"YearBuilt\":null");
  else sb_printf(b, ",\"YearBuilt\":%u", r->year_built);
  sb_printf(b, ",\"IsDisabled\":%d,\"NumberOfUnits\":%u", (r->flags & PF_PROP_INACTIVE) ? 1 : 0, r->nunits);
  SB_LIT(b, ",\"Address\":{");
  en_kv(b, "Address", pf_fmt_street(tmp, sizeof(tmp), r), 0);
  en_kv(b, "City", city->name, 1);
  en_kv(b, "State", city->state, 1);
  en_kv(b, "PostalCode", pf_fmt_postal(tmp, sizeof(tmp), c->pf, p), 1);
  en_kv(b, "Country", "US", 1);
  SB_LIT(b, "}}");
}

static void en_unit(en_ctx *c, sb_buf *b, uint32_t u){
  const pf_unit *r = &c->pf->units.v[u];
  const pf_property *p = &c->pf->props.v[r->property];
  const pf_city *city = pf_city_at(p->city);
  char tmp[128];
  static const char *const tn[] = { "Studio", "1 Bed", "2 Bed", "3 Bed", "4 Bed" };
  sb_printf(b, "{\"id\":%u,\"propertyId\":%u", u + 1, r->property + 1);
  en_kv(b, "unitNumber", pf_fmt_unit_number(tmp, sizeof(tmp), r), 1);
  SB_LIT(b, ",\"buildingName\":null");
  sb_printf(b, ",\"floorplanId\":%u,\"floorplanName\":\"%s\",\"unitTypeId\":%u,\"unitTypeName\":\"%s\"",
            (unsigned)(r->beds + 1), tn[r->beds % 5], (unsigned)(r->beds + 1), tn[r->beds % 5]);
  sb_printf(b, ",\"noOfBedrooms\":%u,\"noOfBathrooms\":", r->beds);
  jw_double(b, r->baths / 2.0);
  if( r->flags & PF_UNIT_NO_SIZE ) SB_LIT(b, ",\"squareFeet\":null");
  else sb_printf(b, ",\"squareFeet\":%u", r->size);
  SB_LIT(b, ",\"marketRent\":");
  jw_money(b, r->market_rent_cents);
  SB_LIT(b, ",\"unitAddress\":{");
  en_kv(b, "address", pf_fmt_street(tmp, sizeof(tmp), p), 0);
  en_kv(b, "city", city->name, 1);
  en_kv(b, "state", city->state, 1);
  en_kv(b, "postalCode", pf_fmt_postal(tmp, sizeof(tmp), c->pf, r->property), 1);
  sb_printf(b, "},\"unitSpaces\":[{\"id\":%u,\"unitSpaceStatusType\":\"%s\"}]}", u + 1,
            r->active_leases ? "Occupied" : "Vacant Unrented Ready");
}

static void en_customer(en_ctx *c, sb_buf *b, uint32_t i){
  const pf_resident *r = &c->pf->res.v[i];
  const cJSON *o = c->res_ovr[i];
  uint32_t p = en_res_prop(c, i);
  const pf_property *pp = &c->pf->props.v[p];
  const pf_unit *u = &c->pf->units.v[c->pf->leases.v[r->lease].unit];
  const pf_city *city = pf_city_at(pp->city);
  char tmp[128], street[128], zip[16], email[128], phone[32], unit[16];
  pf_fmt_street(street, sizeof(street), pp);
  pf_fmt_postal(zip, sizeof(zip), c->pf, p);
  pf_fmt_email(email, sizeof(email), r->first, r->last, r->email_no, "example.com");
  pf_fmt_phone(phone, sizeof(phone), r->phone);
  pf_fmt_unit_number(unit, sizeof(unit), u);
  sb_printf(b, "{\"@attributes\":{\"Id\":%u},\"PropertyId\":%u", i + 1, p + 1);
  en_kv(b, "FirstName", en_ostr(o, "FirstName", pf_first_name(r->first)), 1);
  en_kv(b, "LastName", en_ostr(o, "LastName", pf_last_name(r->last)), 1);
  en_kv(b, "UnitNumber", unit, 1);
  SB_LIT(b, ",\"BuildingName\":null");
  en_kv(b, "Address", en_ostr(o, "Address", street), 1);
  en_kv(b, "City", en_ostr(o, "City", city->name), 1);
  en_kv(b, "State", en_ostr(o, "State", city->state), 1);
  en_kv(b, "PostalCode", en_ostr(o, "PostalCode", zip), 1);
  en_kv(b, "Email", en_ostr(o, "Email", email), 1);
  en_kv(b, "PhoneNumber", en_ostr(o, "PhoneNumber", phone), 1);
  snprintf(tmp, sizeof(tmp), ",\"LeaseId\":[%u]", r->lease + 1);
  sb_puts(b, tmp);
  /* Vehicles[]: the research names the list; its members' names are chosen
  ** in the record's PascalCase (the vehicle id is the customer's) */
  pf_vehicle car;
  SB_LIT(b, ",\"Vehicles\":[");
  if( pf_resident_vehicle(c->pf, i, &car) ){
    sb_printf(b, "{\"@attributes\":{\"Id\":%u}", i + 1);
    en_kv(b, "Make", car.make, 1);
    en_kv(b, "Model", car.model, 1);
    en_kv(b, "Color", car.color, 1);
    snprintf(tmp, sizeof(tmp), "%d", car.year);
    en_kv(b, "Year", tmp, 1);
    en_kv(b, "LicensePlateNumber", car.plate, 1);
    en_kv(b, "LicensePlateState", car.plate_state, 1);
    SB_LIT(b, "}");
  }
  SB_LIT(b, "]}");
}

static int en_lease_status_id(int st){
  return st == PF_LS_FUTURE ? 3 : st == PF_LS_PAST ? 6 : 4;
}

static void en_lease(en_ctx *c, sb_buf *b, uint32_t l){
  const pf_lease *r = &c->pf->leases.v[l];
  const pf_unit *u = &c->pf->units.v[r->unit];
  char tmp[128], email[128];
  int st = pf_lease_status_on(r->start, r->end, c->pf->asof);
  static const char *const sn[] = { "Current", "Past", "Future" };
  sb_printf(b, "{\"id\":%u,\"propertyId\":%u,\"unitId\":%u", l + 1, c->lease_prop[l] + 1, r->unit + 1);
  en_kv(b, "unitNumber", pf_fmt_unit_number(tmp, sizeof(tmp), u), 1);
  sb_printf(b, ",\"leaseStatusTypeId\":%d,\"leaseStatusType\":\"%s\"", en_lease_status_id(st), sn[st]);
  SB_LIT(b, ",\"moveInDate\":");
  en_put_date(b, r->start);
  SB_LIT(b, ",\"moveOutDate\":");
  en_put_date(b, st == PF_LS_PAST ? r->end : PF_NODATE);
  sb_printf(b, ",\"leaseIntervals\":[{\"id\":%u,\"leaseIntervalType\":\"%s\",\"startDate\":", l + 1,
            (r->flags & PF_LEASE_RENEWAL) ? "Renewal" : "Lease");
  en_put_date(b, r->start);
  SB_LIT(b, ",\"endDate\":");
  en_put_date(b, r->end);
  SB_LIT(b, ",\"rent\":");
  if( r->flags & PF_LEASE_NO_RENT ) jw_null(b); else jw_money(b, r->rent_cents);
  SB_LIT(b, ",\"securityDeposit\":");
  if( r->flags & PF_LEASE_NO_DEPOSIT ) jw_null(b); else jw_money(b, r->deposit_cents);
  SB_LIT(b, "}],\"customers\":[");
  int k = 0;
  for(uint32_t i = r->first_res; i != PF_NONE; i = c->pf->res.v[i].next){
    const pf_resident *x = &c->pf->res.v[i];
    const cJSON *o = c->res_ovr[i];
    const char *fn = en_ostr(o, "FirstName", pf_first_name(x->first));
    const char *ln = en_ostr(o, "LastName", pf_last_name(x->last));
    pf_fmt_email(email, sizeof(email), x->first, x->last, x->email_no, "example.com");
    if( k ) sb_putc(b, ',');
    sb_printf(b, "{\"id\":%u,\"customerType\":\"%s\"", i + 1, k ? "Responsible" : "Primary");
    en_kv(b, "firstName", fn, 1);
    en_kv(b, "lastName", ln, 1);
    snprintf(tmp, sizeof(tmp), "%s %s", fn, ln);
    en_kv(b, "nameFull", tmp, 1);
    en_kv(b, "emailAddress", en_ostr(o, "Email", email), 1);
    en_kv(b, "leaseCustomerStatus", sn[st], 1);
    SB_LIT(b, ",\"moveInDate\":");
    en_put_date(b, r->start);
    SB_LIT(b, "}");
    k++;
  }
  SB_LIT(b, "]}");
}

static const char *en_lead_status(int s){
  switch( s ){
    case PF_AS_NEW: return "Guest Card Completed";
    case PF_AS_UNDECIDED: return "Application Started";
    case PF_AS_APPROVED: return "Application Approved";
    case PF_AS_REJECTED: return "Application Denied";
    case PF_AS_CANCELLED: return "Cancelled";
    case PF_AS_DEFERRED: return "Application On Hold";
    default: return "Lease Approved";
  }
}

static void en_lead(en_ctx *c, sb_buf *b, uint32_t a){
  const pf_applicant *r = &c->pf->apps.v[a];
  const cJSON *o = sb_ovr_get(&c->lead_ovr, a);
  char email[128], phone[32];
  int gen = a < c->Ag;
  if( gen ){
    pf_fmt_email(email, sizeof(email), r->first, r->last, r->email_no, "example.com");
    pf_fmt_phone(phone, sizeof(phone), r->phone);
  }
  sb_printf(b, "{\"applicationId\":%u,\"propertyId\":%u", a + 1, en_lead_prop(c, a) + 1);
  en_kv(b, "status", en_ostr(o, "status", en_lead_status(r->status)), 1);
  en_kv(b, "leadSource", en_ostr(o, "leadSource", "Internet Listing Service"), 1);
  SB_LIT(b, ",\"createdOn\":");
  en_put_mt(b, r->created);
  SB_LIT(b, ",\"lastUpdatedDate\":");
  en_put_mt(b, r->updated);
  if( r->unit != PF_NONE ) sb_printf(b, ",\"unitId\":%u", r->unit + 1);
  else SB_LIT(b, ",\"unitId\":null");
  SB_LIT(b, ",\"notes\":");
  jw_str(b, en_ostr(o, "notes", NULL));
  sb_printf(b, ",\"customers\":[{\"customerId\":%u", a + 1);
  en_kv(b, "firstName", en_ostr(o, "firstName", gen ? pf_first_name(r->first) : ""), 1);
  en_kv(b, "lastName", en_ostr(o, "lastName", gen ? pf_last_name(r->last) : ""), 1);
  SB_LIT(b, ",\"email\":");
  jw_str(b, en_ostr(o, "email", gen ? email : NULL));
  SB_LIT(b, ",\"cellPhoneNumber\":");
  jw_str(b, en_ostr(o, "cellPhoneNumber", gen ? phone : NULL));
  SB_LIT(b, "}],\"events\":[]}");
}

/* ------------------------------------------------------------ lists */


typedef struct en_listarg {
  en_ctx *c;
  en_render render;
} en_listarg;

static void en_render_cb(void *arg, uint32_t idx, sb_buf *b){
  en_listarg *a = arg;
  a->render(a->c, b, idx);
}

/* The paged list page of ids ix[0..n), wrapped as result.{outer}.{inner}[]. */
void en_list(en_ctx *c, const en_call *k, sb_response *resp, const char *outer,
                    const char *inner, const uint32_t *ix, uint32_t n, en_render render){
  sb_buf *b = &resp->body;
  uint32_t lo = (uint32_t)(k->page - 1) * (uint32_t)k->per_page;
  resp->status = 200;
  resp->is_list = 1;
  resp->list_offset = lo;
  en_begin(b, k->reqid);
  sb_printf(b, ",\"code\":200,\"result\":{\"%s\":{\"%s\":", outer, inner);
  en_listarg a = { .c = c, .render = render };
  sb_rows rows = { .total = n, .ids = ix };
  sb_rows_json(&rows, lo, k->per_page, 512, en_render_cb, &a, b);
  SB_LIT(b, "}}}}");
  sb_printf(&resp->headers, "X-Total-Count: %u\r\n", n);
  if( k->links ){
    uint32_t last = n ? (n + (uint32_t)k->per_page - 1) / (uint32_t)k->per_page : 1;
    sb_printf(&resp->headers, "Link: </ext/orgs/%s/v1/%s?page_no=%u&per_page=%d>; rel=\"last\"",
              c->org, k->service, last, k->per_page);
    if( (uint32_t)k->page < last )
      sb_printf(&resp->headers, ", </ext/orgs/%s/v1/%s?page_no=%d&per_page=%d>; rel=\"next\"",
                c->org, k->service, k->page + 1, k->per_page);
    SB_LIT(&resp->headers, "\r\n");
  }
}

/* params.propertyId (required), a property of this org; else an error. */
int en_property_param(en_ctx *c, const en_call *k, sb_response *resp, uint32_t *pp){
  const cJSON *v = cJSON_GetObjectItem(k->params, "propertyId");
  double d = -1;
  if( cJSON_IsNumber(v) ) d = v->valuedouble;
  else if( cJSON_IsString(v) ){ char *e; d = strtod(v->valuestring, &e); if( *e || e == v->valuestring ) d = -1; }
  if( !v ){
    en_error_body(resp, 200, 400, k->reqid, "Required parameter 'propertyId' is missing.");
    return 0;
  }
  if( d < 1 || d > c->Pg || d != (double)(uint32_t)d ){
    en_error_body(resp, 200, 400, k->reqid, "Invalid parameter 'propertyId': no such property.");
    return 0;
  }
  *pp = (uint32_t)d - 1;
  return 1;
}

static void en_get_properties(en_ctx *c, const en_call *k, sb_response *resp){
  uint32_t *ix = sb_xmalloc(sizeof(uint32_t) * (c->Pg + 1));
  for(uint32_t i = 0; i < c->Pg; i++) ix[i] = i;
  en_list(c, k, resp, "PhysicalProperty", "Property", ix, c->Pg, en_property);
  free(ix);
}

static void en_get_units(en_ctx *c, const en_call *k, sb_response *resp){
  const cJSON *v = cJSON_GetObjectItem(k->params, "propertyIds");
  const char *z = cJSON_IsString(v) ? v->valuestring : NULL;
  char buf[32];
  uint32_t *ix = NULL, n = 0, cap = 0;
  if( cJSON_IsNumber(v) ){ snprintf(buf, sizeof(buf), "%u", (unsigned)v->valuedouble); z = buf; }
  if( !z || !*z ){
    en_error_body(resp, 200, 400, k->reqid, "Required parameter 'propertyIds' is missing.");
    return;
  }
  while( *z ){
    char *e;
    unsigned long p = strtoul(z, &e, 10);
    if( e == z || p < 1 || p > c->Pg ){
      free(ix);
      en_error_body(resp, 200, 400, k->reqid, "Invalid parameter 'propertyIds': no such property.");
      return;
    }
    const pf_property *pr = &c->pf->props.v[p - 1];
    for(uint32_t u = pr->first_unit; u < pr->first_unit + pr->gen_units; u++){
      if( n == cap ){ cap = cap ? cap * 2 : 64; ix = sb_xrealloc(ix, cap * sizeof(uint32_t)); }
      ix[n++] = u;
    }
    z = *e == ',' ? e + 1 : e;
    if( *e && *e != ',' ) break;
  }
  en_list(c, k, resp, "units", "unit", ix, n, en_unit);
  free(ix);
}

static void en_arcode(en_ctx *c, sb_buf *b, uint32_t i){
  const pf_charge_code *cc = pf_charge_code_at(i);
  (void)c;
  sb_printf(b, "{\"id\":%u,\"code\":%s", i + 1, cc->number);
  en_kv(b, "name", cc->name, 1);
  en_kv(b, "codeType", "Charge", 1);
  en_kv(b, "chargeUsage", i == PF_CC_RENT ? "Rent" : "Other Income", 1);
  en_kv(b, "chargeTiming", i == PF_CC_LATE_FEE ? "Late Fee" : "Monthly", 1);
  en_kv(b, "associatedLedger", "Resident", 1);
  sb_printf(b, ",\"debitGlAccountId\":1100,\"creditGlAccountId\":%u", 4000 + 100 * i);
  en_kv(b, "displayAs", cc->desc, 1);
  SB_LIT(b, ",\"isDisabled\":false,\"isEntrataDisabled\":false,\"isTaxable\":false}");
}

static void en_get_arcodes(en_ctx *c, const en_call *k, sb_response *resp){
  const cJSON *v = cJSON_GetObjectItem(k->params, "propertyId");
  uint32_t ix[PF_NCHARGECODES];
  if( v && !cJSON_IsNull(v) && !(cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble <= c->Pg) ){
    en_error_body(resp, 200, 400, k->reqid, "Invalid parameter 'propertyId': no such property.");
    return;
  }
  for(uint32_t i = 0; i < PF_NCHARGECODES; i++) ix[i] = i;
  en_list(c, k, resp, "arcodes", "arcode", ix, PF_NCHARGECODES, en_arcode);
}

static void en_get_customers(en_ctx *c, const en_call *k, sb_response *resp){
  uint32_t p;
  if( !en_property_param(c, k, resp, &p) ) return;
  en_list(c, k, resp, "Customers", "Customer", c->res_ix + c->res_off[p],
          c->res_off[p + 1] - c->res_off[p], en_customer);
}

static void en_get_leases(en_ctx *c, const en_call *k, sb_response *resp){
  uint32_t p;
  if( !en_property_param(c, k, resp, &p) ) return;
  en_list(c, k, resp, "leases", "lease", c->lease_ix + c->lease_off[p],
          c->lease_off[p + 1] - c->lease_off[p], en_lease);
}

static void en_get_leads(en_ctx *c, const en_call *k, sb_response *resp){
  uint32_t p, n = 0;
  int64_t from = INT64_MIN, to = INT64_MAX;
  const char *zf = en_ostr(k->params, "fromDate", NULL), *zt = en_ostr(k->params, "toDate", NULL);
  if( !en_property_param(c, k, resp, &p) ) return;
  if( (zf && !en_parse_mt(zf, &from)) || (zt && !en_parse_mt(zt, &to)) ){
    en_error_body(resp, 200, 400, k->reqid,
                  "Invalid parameter 'fromDate'/'toDate': expected MM/DD/YYYY or MM/DD/YYYY HH:MM:SS.");
    return;
  }
  uint32_t ng = c->lead_off[p + 1] - c->lead_off[p];
  uint32_t *ix = sb_xmalloc(sizeof(uint32_t) * (ng + c->pf->apps.n - c->Ag + 1));
  for(uint32_t i = 0; i < ng; i++){
    uint32_t a = c->lead_ix[c->lead_off[p] + i];
    int64_t t = c->pf->apps.v[a].updated;
    if( t >= from && t <= to ) ix[n++] = a;
  }
  for(uint32_t a = c->Ag; a < c->pf->apps.n; a++){
    int64_t t = c->pf->apps.v[a].updated;
    if( en_lead_prop(c, a) == p && t >= from && t <= to ) ix[n++] = a;
  }
  en_list(c, k, resp, "prospects", "prospect", ix, n, en_lead);
  free(ix);
}

/* ------------------------------------------------------------ writes */

static const char *en_check_text(const cJSON *v, int maxlen){
  if( !v ) return NULL;
  if( !cJSON_IsString(v) ) return "must be a string";
  if( (int)vd_utf8_len(v->valuestring) > maxlen ) return "is too long";
  return NULL;
}

/* customers/updateCustomers: {propertyId, customers:{customer:[{id, firstName,
** lastName, email, phoneNumber, address:{streetLine1, city, state,
** postalCode}}]}} */
static void en_update_customers(en_ctx *c, const en_call *k, sb_response *resp){
  uint32_t p;
  char msg[256];
  if( !en_property_param(c, k, resp, &p) ) return;
  const cJSON *arr = cJSON_GetObjectItem(cJSON_GetObjectItem(k->params, "customers"), "customer");
  if( cJSON_IsObject(arr) ) arr = NULL;
  if( !cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0 ){
    en_error_body(resp, 200, 400, k->reqid, "Required parameter 'customers.customer' is missing.");
    return;
  }
  static const struct { const char *in, *out; int max; } af[] = {
    {"firstName", "FirstName", 50}, {"lastName", "LastName", 50}, {"email", "Email", 100},
    {"phoneNumber", "PhoneNumber", 30} };
  static const struct { const char *in, *out; int max; } aa[] = {
    {"streetLine1", "Address", 100}, {"city", "City", 50}, {"state", "State", 2}, {"postalCode", "PostalCode", 10} };
  const cJSON *cu;
  /* validate every customer first: all or nothing */
  cJSON_ArrayForEach(cu, arr){
    const cJSON *id = cJSON_GetObjectItem(cu, "id");
    if( !cJSON_IsNumber(id) || id->valuedouble < 1 || id->valuedouble > c->Rg
        || en_res_prop(c, (uint32_t)id->valuedouble - 1) != p ){
      en_error_body(resp, 200, 404, k->reqid, "Customer not found for the given propertyId.");
      return;
    }
    for(size_t i = 0; i < sizeof(af) / sizeof(af[0]); i++){
      const char *e = en_check_text(cJSON_GetObjectItem(cu, af[i].in), af[i].max);
      if( !e && (i == 0 || i == 1) && cJSON_IsString(cJSON_GetObjectItem(cu, af[i].in))
          && !*cJSON_GetObjectItem(cu, af[i].in)->valuestring ) e = "cannot be empty";
      if( !e && i == 2 && cJSON_GetObjectItem(cu, "email") && vd_check_email(cJSON_GetObjectItem(cu, "email")) )
        e = "is not a valid email address";
      if( e ){
        snprintf(msg, sizeof(msg), "Invalid parameter 'customers.customer.%s': %s.", af[i].in, e);
        en_error_body(resp, 200, 400, k->reqid, msg);
        return;
      }
    }
    const cJSON *ad = cJSON_GetObjectItem(cu, "address");
    for(size_t i = 0; ad && i < sizeof(aa) / sizeof(aa[0]); i++){
      const cJSON *v = cJSON_GetObjectItem(ad, aa[i].in);
      const char *e = en_check_text(v, aa[i].max);
      if( !e && i == 2 && v && !vd_us_state(v->valuestring) ) e = "is not a US state code";
      if( e ){
        snprintf(msg, sizeof(msg), "Invalid parameter 'customers.customer.address.%s': %s.", aa[i].in, e);
        en_error_body(resp, 200, 400, k->reqid, msg);
        return;
      }
    }
    for(const cJSON *f = cu->child; f; f = f->next){
      int ok = !strcmp(f->string, "id") || !strcmp(f->string, "address");
      for(size_t i = 0; i < sizeof(af) / sizeof(af[0]); i++) ok |= !strcmp(f->string, af[i].in);
      if( !ok ){
        snprintf(msg, sizeof(msg), "Invalid parameter 'customers.customer.%.60s': updateCustomers does not accept it.", f->string);
        en_error_body(resp, 200, 400, k->reqid, msg);
        return;
      }
    }
  }
  sb_buf *b = &resp->body;
  resp->status = 200;
  en_begin(b, k->reqid);
  SB_LIT(b, ",\"code\":200,\"result\":{\"customers\":{\"customer\":[");
  int n = 0;
  uint32_t now = (uint32_t)dt_now();
  cJSON_ArrayForEach(cu, arr){
    uint32_t i = (uint32_t)cJSON_GetObjectItem(cu, "id")->valuedouble - 1;
    if( !c->res_ovr[i] ) c->res_ovr[i] = cJSON_CreateObject();
    for(size_t j = 0; j < sizeof(af) / sizeof(af[0]); j++){
      const cJSON *v = cJSON_GetObjectItem(cu, af[j].in);
      if( v ){ cJSON_DeleteItemFromObject(c->res_ovr[i], af[j].out); cJSON_AddStringToObject(c->res_ovr[i], af[j].out, v->valuestring); }
    }
    const cJSON *ad = cJSON_GetObjectItem(cu, "address");
    for(size_t j = 0; ad && j < sizeof(aa) / sizeof(aa[0]); j++){
      const cJSON *v = cJSON_GetObjectItem(ad, aa[j].in);
      if( v ){ cJSON_DeleteItemFromObject(c->res_ovr[i], aa[j].out); cJSON_AddStringToObject(c->res_ovr[i], aa[j].out, v->valuestring); }
    }
    c->pf->res.v[i].updated = now;
    sb_printf(b, "%s{\"id\":%u,\"status\":\"Success\",\"message\":\"Customer updated successfully.\"}", n++ ? "," : "", i + 1);
  }
  SB_LIT(b, "]}}}}");
}

/* The customer of a prospect: name.first/last, email, phone.cellPhoneNumber. */
static int en_prospect_fields(const cJSON *pr, cJSON *out, char *msg, size_t cap){
  const cJSON *cu = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(pr, "customers"), "customer"), 0);
  const cJSON *nm = cJSON_GetObjectItem(cu, "name");
  static const struct { const char *path[2]; const char *out; int max; } af[] = {
    {{"name", "first"}, "firstName", 50}, {{"name", "last"}, "lastName", 50},
    {{"email", 0}, "email", 100}, {{"phone", "cellPhoneNumber"}, "cellPhoneNumber", 30} };
  (void)nm;
  for(size_t i = 0; i < sizeof(af) / sizeof(af[0]); i++){
    const cJSON *v = cJSON_GetObjectItem(cu, af[i].path[0]);
    if( af[i].path[1] ) v = cJSON_GetObjectItem(v, af[i].path[1]);
    const char *e = en_check_text(v, af[i].max);
    if( !e && i == 2 && v && vd_check_email(v) ) e = "is not a valid email address";
    if( e ){
      snprintf(msg, cap, "Invalid parameter 'prospects.prospect.customers.customer.%s%s%s': %s.",
               af[i].path[0], af[i].path[1] ? "." : "", af[i].path[1] ? af[i].path[1] : "", e);
      return 0;
    }
    if( v ) cJSON_AddStringToObject(out, af[i].out, v->valuestring);
  }
  const cJSON *nt = cJSON_GetObjectItem(pr, "notes");
  const char *e = en_check_text(nt, 2000);
  if( e ){ snprintf(msg, cap, "Invalid parameter 'prospects.prospect.notes': %s.", e); return 0; }
  if( nt ) cJSON_AddStringToObject(out, "notes", nt->valuestring);
  return 1;
}

/* leads/sendLeads (create) and leads/updateLeads (applicationId given). */
static void en_send_leads(en_ctx *c, const en_call *k, sb_response *resp, int update){
  uint32_t p;
  char msg[256];
  if( !en_property_param(c, k, resp, &p) ) return;
  const cJSON *arr = cJSON_GetObjectItem(cJSON_GetObjectItem(k->params, "prospects"), "prospect");
  if( !cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0 ){
    en_error_body(resp, 200, 400, k->reqid, "Required parameter 'prospects.prospect' is missing.");
    return;
  }
  const cJSON *pr;
  cJSON *all = cJSON_CreateArray();
  cJSON_ArrayForEach(pr, arr){
    cJSON *f = cJSON_CreateObject();
    cJSON_AddItemToArray(all, f);
    if( !en_prospect_fields(pr, f, msg, sizeof(msg)) ){
      cJSON_Delete(all);
      en_error_body(resp, 200, 400, k->reqid, msg);
      return;
    }
    if( update ){
      const cJSON *id = cJSON_GetObjectItem(pr, "applicationId");
      if( !cJSON_IsNumber(id) || id->valuedouble < 1 || id->valuedouble > c->pf->apps.n
          || en_lead_prop(c, (uint32_t)id->valuedouble - 1) != p ){
        cJSON_Delete(all);
        en_error_body(resp, 200, 404, k->reqid, "Lead (applicationId) not found for the given propertyId.");
        return;
      }
    }else{
      if( !cJSON_GetObjectItem(f, "firstName") || !cJSON_GetObjectItem(f, "lastName") ){
        cJSON_Delete(all);
        en_error_body(resp, 200, 400, k->reqid, "Required parameter 'prospects.prospect.customers.customer.name' (first and last) is missing.");
        return;
      }
      if( !cJSON_GetObjectItem(f, "email") && !cJSON_GetObjectItem(f, "cellPhoneNumber") ){
        cJSON_Delete(all);
        en_error_body(resp, 200, 400, k->reqid, "A prospect needs an email or a phone number.");
        return;
      }
    }
  }
  sb_buf *b = &resp->body;
  uint32_t now = (uint32_t)dt_now();
  int n = 0;
  resp->status = 200;
  en_begin(b, k->reqid);
  SB_LIT(b, ",\"code\":200,\"result\":{\"prospects\":{\"prospect\":[");
  cJSON *f = all->child;
  cJSON_ArrayForEach(pr, arr){
    uint32_t a;
    if( update ){
      a = (uint32_t)cJSON_GetObjectItem(pr, "applicationId")->valuedouble - 1;
    }else{
      a = pf_add_applicant(c->pf);
      pf_applicant *x = &c->pf->apps.v[a];
      memset(x, 0, sizeof(*x));
      x->created = now;
      x->unit = PF_NONE;
      x->tenant = PF_NONE;
      x->status = PF_AS_NEW;
    }
    cJSON *ov = sb_ovr_slot(&c->lead_ovr, a);
    if( !update ) cJSON_AddNumberToObject(ov, "propertyId", p + 1);
    for(cJSON *v = f->child; v; v = v->next){
      cJSON_DeleteItemFromObject(ov, v->string);
      cJSON_AddStringToObject(ov, v->string, v->valuestring);
    }
    c->pf->apps.v[a].updated = now;
    sb_printf(b, "%s{\"applicationId\":%u,\"applicantId\":%u,\"status\":\"Success\",\"message\":\"%s\"}",
              n++ ? "," : "", a + 1, a + 1, update ? "Lead updated successfully." : "Application Created Successfully.");
    f = f->next;
  }
  SB_LIT(b, "]}}}}");
  cJSON_Delete(all);
}

static void en_m_send_leads(en_ctx *c, const en_call *k, sb_response *resp){ en_send_leads(c, k, resp, 0); }
static void en_m_update_leads(en_ctx *c, const en_call *k, sb_response *resp){ en_send_leads(c, k, resp, 1); }

static void en_not_supported(en_ctx *c, const en_call *k, sb_response *resp){
  char msg[160];
  (void)c;
  snprintf(msg, sizeof(msg), "Method '%.40s' is not supported for this integration.", k->name);
  en_error_body(resp, 200, 405, k->reqid, msg);
}

typedef void (*en_handler)(en_ctx *, const en_call *, sb_response *);
static const struct {
  const char *service, *name, *versions;   /* versions: space separated */
  en_handler fn;
  int write;
} en_methods[] = {
  { "properties",    "getProperties",    "r1",    en_get_properties,   0 },
  { "propertyunits", "getPropertyUnits", "r1",    en_get_units,        0 },
  { "arcodes",       "getArCodes",       "r1",    en_get_arcodes,      0 },
  { "customers",     "getCustomers",     "r1",    en_get_customers,    0 },
  { "customers",     "updateCustomers",  "r1",    en_update_customers, 1 },
  { "customers",     "sendCustomers",    "r1",    en_not_supported,    1 },
  { "leases",        "getLeases",        "r1 r2", en_get_leases,       0 },
  { "leads",         "getLeads",         "r1",    en_get_leads,        0 },
  { "leads",         "sendLeads",        "r1",    en_m_send_leads,     1 },
  { "leads",         "updateLeads",      "r1 r2", en_m_update_leads,   1 },
  { "properties",    "updateProperties", "r1",    en_not_supported,    1 },
  { "artransactions", "getLeaseArTransactions", "r1", en_get_lease_ar,  0 },
  { "artransactions", "sendLeaseArTransactions", "r1", en_send_lease_ar, 1 },
  { "vendors",       "getVendors",       "r1",    en_get_vendors,      0 },
};
#define EN_NMETHODS (int)(sizeof(en_methods) / sizeof(en_methods[0]))

/* ------------------------------------------------------------ rate limits */

static const char *const en_win_name[3] = { "MINUTE", "HOUR", "DAY" };

/* Count one call of method; 0 when a window is exhausted. Fills the
** X-RateLimit-* headers either way. */
static int en_rate(en_ctx *c, const char *method, sb_response *resp){
  if( !c->rate_on ) return 1;
  pthread_mutex_lock(&c->rl_mu);
  en_limit *l = NULL;
  for(int i = 0; i < c->nrl; i++) if( !strcmp(c->rl[i].method, method) ) l = &c->rl[i];
  if( !l && c->nrl < EN_MAX_METHODS ){
    l = &c->rl[c->nrl++];
    memset(l, 0, sizeof(*l));
    snprintf(l->method, sizeof(l->method), "%s", method);
  }
  if( !l ){ pthread_mutex_unlock(&c->rl_mu); return 1; }
  double tnow = dt_mono();
  int64_t now = (int64_t)(tnow * 1000);
  int ok = 1;
  long rem[3], reset[3];
  for(int w = 0; w < 3; w++){
    if( l->start[w] == 0 || now - l->start[w] >= c->win[w] * 1000 ){ l->start[w] = now; l->n[w] = 0; }
    if( l->n[w] >= c->lim[w] ) ok = 0;
  }
  for(int w = 0; w < 3; w++){
    if( ok ) l->n[w]++;
    rem[w] = c->lim[w] - l->n[w];
    reset[w] = (long)((l->start[w] + c->win[w] * 1000 - now + 999) / 1000);
  }
  sb_printf(&resp->headers, "X-RateLimit-Limit: %ld/DAY;%ld/HOUR;%ld/MINUTE\r\n"
            "X-RateLimit-Remaining: %ld/DAY;%ld/HOUR;%ld/MINUTE\r\n"
            "X-RateLimit-Reset: %ld;%ld;%ld\r\n",
            c->lim[2], c->lim[1], c->lim[0], rem[2], rem[1], rem[0], reset[2], reset[1], reset[0]);
  pthread_mutex_unlock(&c->rl_mu);
  (void)en_win_name;
  return ok;
}

static void en_ratelimits(en_ctx *c, const sb_request *req, sb_response *resp){
  cJSON *j = cJSON_ParseWithLength(req->body ? req->body : "", req->body_len);
  static const char *const keys[3] = { "minute", "hour", "day" };
  pthread_mutex_lock(&c->rl_mu);
  for(int w = 0; w < 3; w++){
    const cJSON *v = cJSON_GetObjectItem(j, keys[w]);
    if( cJSON_IsNumber(v) && v->valuedouble >= 0 ) c->lim[w] = (long)v->valuedouble;
  }
  const cJSON *ms = cJSON_GetObjectItem(j, "minute_seconds");
  if( cJSON_IsNumber(ms) && ms->valuedouble >= 1 ) c->win[0] = (long)ms->valuedouble;
  const cJSON *on = cJSON_GetObjectItem(j, "enabled");
  c->rate_on = on ? cJSON_IsTrue(on) : 1;
  c->nrl = 0;
  pthread_mutex_unlock(&c->rl_mu);
  cJSON_Delete(j);
  resp->status = 200;
  resp->content_type = SB_JSON_TYPE;
  sb_printf(&resp->body, "{\"minute\":%ld,\"hour\":%ld,\"day\":%ld,\"minute_seconds\":%ld}",
            c->lim[0], c->lim[1], c->lim[2], c->win[0]);
}

/* ------------------------------------------------------------ dispatch */

/* /ext/orgs/{org}/v1/{service} -> service (into out); 0 if not that shape. */
static int en_path(en_ctx *c, const char *path, char *svc, size_t cap, int *org_ok){
  const char *z = path + strlen("/ext/orgs/");
  const char *e = strchr(z, '/');
  if( !e ) return 0;
  *org_ok = (size_t)(e - z) == strlen(c->org) && strncmp(z, c->org, (size_t)(e - z)) == 0;
  if( strncmp(e, "/v1/", 4) ) return 0;
  snprintf(svc, cap, "%s", e + 4);
  size_t n = strlen(svc);
  while( n && svc[n - 1] == '/' ) svc[--n] = 0;
  return n > 0 && !strchr(svc, '/');
}

static void en_route(en_ctx *c, const sb_request *req, sb_response *resp){
  char svc[64];
  int org_ok = 0;
  en_call k;
  memset(&k, 0, sizeof(k));
  if( !strncmp(req->path, "/__entrata/ratelimits", 21) && !strcmp(req->method, "POST") ){
    en_ratelimits(c, req, resp);
    return;
  }
  if( strncmp(req->path, "/ext/orgs/", 10) || !en_path(c, req->path, svc, sizeof(svc), &org_ok) ){
    en_error_body(resp, 404, 404, NULL, "Not found: the API endpoint is POST /ext/orgs/{org}/v1/{service}.");
    return;
  }
  if( strcmp(req->method, "POST") ){
    en_error_body(resp, 405, 405, NULL, "Every Entrata API call is a POST.");
    return;
  }
  cJSON *j = cJSON_ParseWithLength(req->body ? req->body : "", req->body_len);
  const cJSON *m = cJSON_GetObjectItem(j, "method");
  const cJSON *rid = cJSON_GetObjectItem(j, "requestId");
  char ridbuf[32];
  if( cJSON_IsString(rid) ) k.reqid = rid->valuestring;
  else if( cJSON_IsNumber(rid) ){ snprintf(ridbuf, sizeof(ridbuf), "%.0f", rid->valuedouble); k.reqid = ridbuf; }
  k.service = svc;
  k.name = en_ostr(m, "name", NULL);
  k.version = en_ostr(m, "version", "r1");
  k.params = cJSON_GetObjectItem(m, "params");
  if( !cJSON_IsObject(j) || !k.name ){
    en_error_body(resp, 400, 400, k.reqid, "The request body must be JSON {auth, requestId, method:{name, version, params}}.");
    cJSON_Delete(j);
    return;
  }
  int found = -1;
  for(int i = 0; i < EN_NMETHODS; i++){
    if( !strcmp(en_methods[i].service, svc) && !strcmp(en_methods[i].name, k.name) ) found = i;
  }
  if( found < 0 ){
    char msg[160];
    snprintf(msg, sizeof(msg), "Method '%.40s' is not available in the '%.40s' web service.", k.name, svc);
    en_error_body(resp, 200, 404, k.reqid, msg);
    cJSON_Delete(j);
    return;
  }
  {
    const char *vs = en_methods[found].versions;
    size_t n = strlen(k.version);
    const char *hit = strstr(vs, k.version);
    if( n == 0 || !hit || (hit[n] && hit[n] != ' ') ){
      char msg[160];
      snprintf(msg, sizeof(msg), "Version '%.10s' of method '%.40s' is not supported (versions: %s).",
               k.version, k.name, vs);
      en_error_body(resp, 200, 404, k.reqid, msg);
      cJSON_Delete(j);
      return;
    }
  }
  if( !en_methods[found].write ) resp->not_write = 1;
  if( !en_rate(c, k.name, resp) ){
    char msg[160];
    snprintf(msg, sizeof(msg), "API rate limit exceeded for method '%.40s'; see X-RateLimit-Reset.", k.name);
    en_error_body(resp, 429, 429, k.reqid, msg);
    cJSON_Delete(j);
    return;
  }
  if( !k.params ) k.params = cJSON_CreateObject(), cJSON_AddItemToObject((cJSON*)m, "params", (cJSON*)k.params);
  sb_query q;
  sb_query_parse(req->query, &q);
  const char *pn = sb_query_get(&q, "page_no"), *pp = sb_query_get(&q, "per_page");
  k.page = pn ? atoi(pn) : 1;
  k.per_page = pp ? atoi(pp) : EN_MAX_PAGE;
  sb_query_free(&q);
  if( k.page < 1 ) k.page = 1;
  if( k.per_page < 1 || k.per_page > EN_MAX_PAGE ) k.per_page = EN_MAX_PAGE;
  const char *lk = sb_request_header(req, "X-Send-Pagination-Links");
  k.links = lk && !strcmp(lk, "1");
  resp->content_type = SB_JSON_TYPE;
  if( en_methods[found].write ){
    pthread_rwlock_wrlock(&c->lock);
    en_methods[found].fn(c, &k, resp);
  }else{
    pthread_rwlock_rdlock(&c->lock);
    en_methods[found].fn(c, &k, resp);
  }
  pthread_rwlock_unlock(&c->lock);
  cJSON_Delete(j);
}

/* ------------------------------------------------------------ vendor */

static void en_credentials(const sb_options *opt, sb_buf *out){
  char o[64], k[64];
  snprintf(o, sizeof(o), "sandbox%llu", (unsigned long long)opt->seed);
  snprintf(k, sizeof(k), "sandbox-key-%llu", (unsigned long long)opt->seed);
  SB_LIT(out, "{\"org\":");
  jw_str(out, o);
  SB_LIT(out, ",\"api_key\":");
  jw_str(out, k);
  sb_putc(out, '}');
}

/* Per-property index of ids: off[p]..off[p+1] into ix. */
static void en_csr(uint32_t nprop, uint32_t n, uint32_t (*prop)(en_ctx *, uint32_t), en_ctx *c,
                   uint32_t **poff, uint32_t **pix){
  uint32_t *off = sb_xcalloc(nprop + 2, sizeof(uint32_t));
  uint32_t *ix = sb_xmalloc(sizeof(uint32_t) * (n + 1));
  for(uint32_t i = 0; i < n; i++){ uint32_t p = prop(c, i); if( p < nprop ) off[p + 2]++; }
  for(uint32_t p = 0; p < nprop; p++) off[p + 2] += off[p + 1];
  for(uint32_t i = 0; i < n; i++){ uint32_t p = prop(c, i); if( p < nprop ) ix[off[p + 1]++] = i; }
  *poff = off;
  *pix = ix;
}

static uint32_t en_lease_prop_of(en_ctx *c, uint32_t l){ return c->lease_prop[l]; }

static void *en_open(sb_portfolio *pf, const sb_options *opt){
  en_ctx *c = sb_xcalloc(1, sizeof(*c));
  c->pf = pf;
  pthread_rwlock_init(&c->lock, NULL);
  pthread_mutex_init(&c->rl_mu, NULL);
  c->Pg = pf->props.n;
  c->Rg = pf->res.n;
  c->Ag = pf->apps.n;
  c->lease_prop = sb_xmalloc(sizeof(uint32_t) * (pf->leases.n + 1));
  for(uint32_t l = 0; l < pf->leases.n; l++) c->lease_prop[l] = pf->units.v[pf->leases.v[l].unit].property;
  en_csr(c->Pg, pf->leases.n, en_lease_prop_of, c, &c->lease_off, &c->lease_ix);
  en_csr(c->Pg, c->Rg, en_res_prop, c, &c->res_off, &c->res_ix);
  en_csr(c->Pg, c->Ag, en_lead_prop, c, &c->lead_off, &c->lead_ix);
  c->res_ovr = sb_xcalloc(c->Rg + 1, sizeof(cJSON*));
  snprintf(c->org, sizeof(c->org), "sandbox%llu", (unsigned long long)opt->seed);
  snprintf(c->key, sizeof(c->key), "sandbox-key-%llu", (unsigned long long)opt->seed);
  c->rate_on = opt->rate_limit;
  c->lim[0] = 150; c->lim[1] = 1000; c->lim[2] = 15000;   /* the observed headers */
  c->win[0] = 60; c->win[1] = 3600; c->win[2] = 86400;
  return c;
}

static void en_close(void *vs){
  en_ctx *c = vs;
  if( !c ) return;
  for(uint32_t i = 0; i < c->Rg; i++) cJSON_Delete(c->res_ovr[i]);
  sb_ovr_free(&c->lead_ovr);
  free(c->res_ovr); free(c->lease_prop);
  free(c->lease_off); free(c->lease_ix); free(c->res_off); free(c->res_ix);
  free(c->lead_off); free(c->lead_ix); free(c->posted);
  pthread_rwlock_destroy(&c->lock);
  pthread_mutex_destroy(&c->rl_mu);
  free(c);
}

static int en_authorize(void *vs, const sb_request *req, char *key, size_t keylen, sb_response *resp){
  en_ctx *c = vs;
  char svc[64];
  int org_ok = 0;
  const char *k = sb_request_header(req, "X-Api-Key");
  if( en_path(c, req->path, svc, sizeof(svc), &org_ok) && !org_ok ){
    en_error_body(resp, 401, 401, NULL, "Invalid organization in the request URL, or the API key has no access to it.");
    return 0;
  }
  if( !k || strcmp(k, c->key) ){
    en_error_body(resp, 401, 401, NULL, k ? "Invalid API key." : "The X-Api-Key header is missing.");
    return 0;
  }
  snprintf(key, keylen, "%s", c->key);
  return 1;
}

static void en_handle(void *vs, const sb_request *req, sb_response *resp){
  en_route(vs, req, resp);
}

static void en_vendor_error(void *vs, int status, const char *msg, sb_response *resp){
  (void)vs;
  /* an injected 429 arrives as Entrata often sends errors: HTTP 200 */
  en_error_body(resp, status == 429 ? 200 : status, status, NULL, msg);
}

/* The empty-page fault: the same envelope with no records. */
static void en_empty_page(void *vs, const sb_request *req, sb_response *resp){
  (void)vs; (void)req;
  SB_LIT(&resp->body, "{\"response\":{\"requestId\":\"1\",\"code\":200,\"result\":{\"list\":{\"item\":[]}}}}");
}

static void en_counts(void *vs, sb_buf *b){
  en_ctx *c = vs;
  pthread_rwlock_rdlock(&c->lock);
  int64_t n[SB_NMODELS] = {
    [SB_M_PROPERTIES] = c->Pg, [SB_M_UNITS] = c->pf->units.n,
    [SB_M_RESIDENTS] = c->res_off[c->Pg], [SB_M_LEASES] = c->lease_off[c->Pg],
    [SB_M_LEADS] = c->pf->apps.n,
  };
  sb_counts_json(b, n, NULL, 0);
  pthread_rwlock_unlock(&c->lock);
}

/* --accounts: the API key is "sandbox-key-<seed>"; without one, the org
** "sandbox<seed>" of the path. */
static int en_account_seed(const sb_request *req, uint64_t *seed){
  const char *k = sb_request_header(req, "X-Api-Key");
  if( k ) return sb_seed_after(k, "sandbox-key-", 0, seed);
  return strncmp(req->path, "/ext/orgs/", 10) == 0
         && sb_seed_after(req->path + 10, "sandbox", '/', seed);
}

const sb_vendor sb_vendor_entrata = {
  .name = "entrata",
  .api_prefix = "/ext/orgs/",
  .rate_per_sec = 0,
  .rate_per_min = 0,
  .open = en_open,
  .close = en_close,
  .credentials = en_credentials,
  .authorize = en_authorize,
  .handle = en_handle,
  .error = en_vendor_error,
  .counts = en_counts,
  .empty_page = en_empty_page,
  .account_seed = en_account_seed,
};
