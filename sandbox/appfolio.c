/*
** appfolio.c — the AppFolio vendor: `pms-sandbox --vendor appfolio`.
** Sources: research pms-apis.md §3 (3a Reports API, 3b "database" API v0),
** propexo.md §1.3-1.5, a real guest_card_inquiries row (research §3a's
** StantonManagement sample). AppFolio publishes no spec: everything here
** that the research does not state is marked (chosen).
**
** AppFolio has two APIs; the sandbox serves both on one port (in
** production v0 is https://api.appfolio.com and the reports live on the
** customer's https://{database}.appfolio.com).
**
** 1. The partner "database" API v0, under /api/v0/:
**    Auth: HTTP Basic client_id:client_secret plus the header
**    X-AppFolio-Developer-ID; either missing or wrong -> 401.
**    Lists: GET /api/v0/{properties,units,tenants,work_orders,vendors}
**      filters[LastUpdatedAtFrom]=<ISO-8601>  required (400 without it)
**      filters[Id]=uuid,uuid                  optional
**      page[number] (from 1), page[size] (default 100, at most 1000:
**      chosen; larger is a 400)
**    -> {"data":[…PascalCase records…],"next_page_path":"/api/v0/…"|null}
**    with no total anywhere; next_page_path is null on the last page.
**    Records have UUID Ids; LastUpdatedAt is what the filter compares
**    (LastUpdatedAt/CreatedAt names chosen after the filter's name).
**    Writes, as the research's operation catalogue shows them:
**      PATCH /api/v0/units/{id}            {"RentReady": bool}
**      PATCH /api/v0/vendors/{id}          CompanyName, Email, PhoneNumber
**      POST  /api/v0/work_orders/{id}/notes {"Body": "…"} -> 201 the note
**      GET   /api/v0/work_orders/{id}/notes the notes of a work order
**    A PATCH answers 200 and the updated record (chosen); errors are 400
**    with JSON:API-style bodies {"errors":[{"status","title","detail"}]}
**    (chosen: the API's filters[]/page[] parameters are JSON:API's).
**
** 2. The Reports API v2, under /api/v2/reports/, read only:
**    POST /api/v2/reports/{rental_applications,guest_card_inquiries}.json
**    with HTTP Basic (no developer id) and a JSON filter body:
**    property_visibility (active|hidden|all, default active),
**    properties {properties_ids:[…]}, received_on_from / received_on_to
**    (YYYY-MM-DD), columns [names]; any other key -> 400 (chosen).
**    -> {"results":[…snake_case rows…],"next_page_url":"http://…"|null};
**    pages of 5000 rows; next_page_url is followed with GET or POST, its
**    filters fixed, valid 30 minutes. Rate limit: 7 requests per 15
**    seconds per client, next_page_url requests exempt (as clients
**    report); the 8th -> 429 with Retry-After. Ids in reports are AppFolio's
**    numeric ids as strings ("property_id": "17"), names "Last, First"
**    (both as in the real row); guest cards carry a guest_card_uuid.
**    rental_applications' columns are not in the research: chosen in the
**    style of the guest-card row.
**
** Faults: the fault table (control.c), plus AppFolio's own 533 "data
** unavailable": POST /__appfolio/config {"data_unavailable": N} makes the
** next N API requests answer 533; {"report_page_size": N} shrinks report
** pages so tests can page with few rows.
**
** The portfolio (portfolio.c) maps: properties, units, residents ->
** tenants (one per resident, Status from the lease, OccupancyId = the
** lease's UUID), work orders, the 20 portfolio vendors; applicants -> one
** rental application and one guest card inquiry each. Leases have no
** endpoint (the research shows none).
*/
#include "sandbox.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#define AF_V0       "/api/v0/"
#define AF_REPORTS  "/api/v2/reports/"
#define AF_CONTROL  "/__appfolio/config"
#define AF_DEFAULT_PAGE 100
#define AF_MAX_PAGE 1000
#define AF_REPORT_PAGE 5000
#define AF_REPORT_LIMIT 7            /* requests … */
#define AF_REPORT_WINDOW 15.0        /* … per this many seconds */
#define AF_CURSOR_TTL 1800.0
#define AF_MAX_CURSORS 256
#define AF_MAX_NOTE 5000             /* chosen */

/* Record kinds: the v0 resources, then ids that only appear inside them. */
enum { AF_PROPERTIES, AF_UNITS, AF_TENANTS, AF_WORK_ORDERS, AF_VENDORS,
       AF_NLIST, AF_OCCUPANCIES = AF_NLIST, AF_GUEST_CARDS, AF_NOTES };
static const char *const af_resource[AF_NLIST] = {
  "properties", "units", "tenants", "work_orders", "vendors"
};
enum { AF_R_APPLICATIONS, AF_R_GUEST_CARDS, AF_NREPORT };
static const char *const af_report[AF_NREPORT] = {
  "rental_applications", "guest_card_inquiries"
};

typedef struct af_note {
  uint32_t wo;
  uint32_t created;
  char *body;
} af_note;

typedef struct af_cursor {
  char token[20];
  int report;
  int visibility;               /* 0 active, 1 hidden, 2 all */
  int32_t from, to;             /* received_on range, PF_NODATE = open */
  cJSON *columns;               /* NULL = all */
  uint32_t next;                /* first row index of the next page */
  double created;
} af_cursor;

typedef struct af_client {
  char key[64];
  double t[AF_REPORT_LIMIT];    /* times of the last report requests */
  int n;
} af_client;

typedef struct af_ctx {
  sb_portfolio *pf;
  uint64_t seed;
  pthread_mutex_t mu;
  char auth[256], devid[64], key[64];
  char base[128];
  sb_ovr ovr[AF_NLIST];         /* per record: members the API wrote */
  uint32_t vendor_updated[PF_NVENDORS];
  af_note *notes;
  uint32_t nnotes, capnotes;
  af_cursor cursors[AF_MAX_CURSORS];
  uint32_t ncursor;             /* cursors made so far (ring index) */
  af_client clients[8];
  int rate_limit;
  long unavailable;             /* API requests still to answer 533 */
  long report_page;
  long nwrites;
} af_ctx;

/* ------------------------------------------------------------------ */
/* Ids: deterministic UUIDs that carry their kind and index              */

static void af_uuid(const af_ctx *c, int kind, uint32_t i, char out[40]){
  uint64_t h = sb_mix64(sb_mix64(c->seed ^ ((uint64_t)(kind + 1) << 48)) + i);
  snprintf(out, 40, "%08x-%04x-4%03x-a%03x-%012llx", (unsigned)(uint32_t)h,
           (unsigned)((h >> 32) & 0xffff), (unsigned)kind & 0xfff,
           (unsigned)((h >> 48) & 0xfff), (unsigned long long)i);
}

/* The index of a UUID of this kind, if it is one the sandbox made. */
static int af_uuid_index(const af_ctx *c, int kind, const char *s, uint32_t n, uint32_t *out){
  char want[40];
  unsigned long long i;
  if( strlen(s) != 36 ) return 0;
  i = strtoull(s + 24, NULL, 16);
  if( i >= n ) return 0;
  af_uuid(c, kind, (uint32_t)i, want);
  if( strcasecmp(want, s) != 0 ) return 0;
  *out = (uint32_t)i;
  return 1;
}

static uint32_t af_count(const af_ctx *c, int kind){
  switch( kind ){
    case AF_PROPERTIES: return c->pf->props.n;
    case AF_UNITS: return c->pf->units.n;
    case AF_TENANTS: return c->pf->res.n;
    case AF_WORK_ORDERS: return c->pf->wos.n;
    default: return PF_NVENDORS;
  }
}

static uint32_t af_updated(const af_ctx *c, int kind, uint32_t i){
  switch( kind ){
    case AF_PROPERTIES: return c->pf->props.v[i].updated;
    case AF_UNITS: return c->pf->units.v[i].updated;
    case AF_TENANTS: return c->pf->res.v[i].updated;
    case AF_WORK_ORDERS: return c->pf->wos.v[i].updated;
    default: return c->vendor_updated[i];
  }
}

/* ------------------------------------------------------------------ */
/* Errors                                                               */

static const char *af_title(int status){
  switch( status ){
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 429: return "Too Many Requests";
    case 533: return "Data Unavailable";
    default: return status >= 500 ? "Internal Server Error" : "Error";
  }
}

static void af_error(sb_response *resp, int status, const char *detail){
  sb_response_reset(resp);
  resp->status = status;
  resp->content_type = SB_JSON_TYPE;
  sb_printf(&resp->body, "{\"errors\":[{\"status\":\"%d\",\"title\":", status);
  jw_str(&resp->body, af_title(status));
  SB_LIT(&resp->body, ",\"detail\":");
  jw_str(&resp->body, detail);
  SB_LIT(&resp->body, "}]}");
}

/* ------------------------------------------------------------------ */
/* v0 records                                                           */

static void af_add_id(const af_ctx *c, cJSON *o, const char *name, int kind, uint32_t i){
  char id[40];
  if( i == PF_NONE ){ cJSON_AddNullToObject(o, name); return; }
  af_uuid(c, kind, i, id);
  cJSON_AddStringToObject(o, name, id);
}

static void af_address(const af_ctx *c, uint32_t p, cJSON *o){
  char tmp[128];
  const pf_property *r = &c->pf->props.v[p];
  const pf_city *city = pf_city_at(r->city);
  cJSON_AddStringToObject(o, "Address1", pf_fmt_street(tmp, sizeof(tmp), r));
  cJSON_AddNullToObject(o, "Address2");
  cJSON_AddStringToObject(o, "City", city->name);
  cJSON_AddStringToObject(o, "State", city->state);
  cJSON_AddStringToObject(o, "Zip", pf_fmt_postal(tmp, sizeof(tmp), c->pf, p));
}

static cJSON *af_property(af_ctx *c, uint32_t p){
  char tmp[128];
  const pf_property *r = &c->pf->props.v[p];
  cJSON *o = cJSON_CreateObject();
  af_add_id(c, o, "Id", AF_PROPERTIES, p);
  cJSON_AddStringToObject(o, "Name", pf_fmt_property_name(tmp, sizeof(tmp), c->pf, p));
  af_address(c, p, o);
  /* chosen type names */
  cJSON_AddStringToObject(o, "PropertyType", r->subtype == PF_SUB_SINGLEFAMILY ? "Single-Family"
                          : r->subtype == PF_SUB_CONDO ? "Condo" : "Multi-Family");
  if( r->flags & PF_PROP_NO_YEAR ) cJSON_AddNullToObject(o, "YearBuilt");
  else cJSON_AddNumberToObject(o, "YearBuilt", r->year_built);
  cJSON_AddNumberToObject(o, "UnitCount", r->nunits);
  /* hidden properties: the reports' property_visibility=hidden */
  cJSON_AddBoolToObject(o, "Hidden", (r->flags & PF_PROP_INACTIVE) != 0);
  jc_add_datetime(o, "CreatedAt", r->created);
  jc_add_datetime(o, "LastUpdatedAt", r->updated);
  sb_ovr_apply(&c->ovr[AF_PROPERTIES], p, o);
  return o;
}

static cJSON *af_unit(af_ctx *c, uint32_t k){
  char tmp[64];
  const pf_unit *u = &c->pf->units.v[k];
  cJSON *o = cJSON_CreateObject();
  af_add_id(c, o, "Id", AF_UNITS, k);
  af_add_id(c, o, "PropertyId", AF_PROPERTIES, u->property);
  cJSON_AddStringToObject(o, "Name", pf_fmt_unit_number(tmp, sizeof(tmp), u));
  af_address(c, u->property, o);
  snprintf(tmp, sizeof(tmp), "Unit %u", (unsigned)u->number);
  cJSON_ReplaceItemInObjectCaseSensitive(o, "Address2", cJSON_CreateString(tmp));
  cJSON_AddNumberToObject(o, "Bedrooms", u->beds);
  cJSON_AddNumberToObject(o, "Bathrooms", u->baths / 2.0);
  if( u->flags & PF_UNIT_NO_SIZE ) cJSON_AddNullToObject(o, "SquareFeet");
  else cJSON_AddNumberToObject(o, "SquareFeet", u->size);
  jc_add_money(o, "MarketRent", u->market_rent_cents);
  cJSON_AddStringToObject(o, "Status", u->active_leases ? "Occupied" : "Vacant");  /* chosen values */
  cJSON_AddBoolToObject(o, "RentReady", u->active_leases == 0);
  jc_add_date(o, "AvailableOn", u->active_leases ? PF_NODATE : c->pf->asof);
  jc_add_datetime(o, "CreatedAt", u->created);
  jc_add_datetime(o, "LastUpdatedAt", u->updated);
  sb_ovr_apply(&c->ovr[AF_UNITS], k, o);
  return o;
}

static cJSON *af_tenant(af_ctx *c, uint32_t i){
  char tmp[160];
  const pf_resident *r = &c->pf->res.v[i];
  cJSON *o = cJSON_CreateObject();
  af_add_id(c, o, "Id", AF_TENANTS, i);
  cJSON_AddStringToObject(o, "FirstName", pf_first_name(r->first));
  cJSON_AddStringToObject(o, "LastName", pf_last_name(r->last));
  cJSON_AddStringToObject(o, "Email", pf_fmt_email(tmp, sizeof(tmp), r->first, r->last,
                                                  r->email_no, "example.com"));
  cJSON_AddStringToObject(o, "PhoneNumber", pf_fmt_phone(tmp, sizeof(tmp), r->phone));
  if( r->lease != PF_NONE ){
    const pf_lease *l = &c->pf->leases.v[r->lease];
    const pf_unit *u = &c->pf->units.v[l->unit];
    cJSON_AddStringToObject(o, "Status", l->status == PF_LS_FUTURE ? "Future"
                            : l->status == PF_LS_PAST ? "Past" : "Current");
    jc_add_date(o, "MoveInOn", l->status == PF_LS_FUTURE ? PF_NODATE : l->start);
    jc_add_date(o, "MoveOutOn", l->status == PF_LS_PAST ? l->end : PF_NODATE);
    af_add_id(c, o, "OccupancyId", AF_OCCUPANCIES, r->lease);
    af_add_id(c, o, "UnitId", AF_UNITS, l->unit);
    af_add_id(c, o, "PropertyId", AF_PROPERTIES, u->property);
  }else{
    cJSON_AddStringToObject(o, "Status", "Past");
    cJSON_AddNullToObject(o, "MoveInOn");
    cJSON_AddNullToObject(o, "MoveOutOn");
    cJSON_AddNullToObject(o, "OccupancyId");
    cJSON_AddNullToObject(o, "UnitId");
    cJSON_AddNullToObject(o, "PropertyId");
  }
  jc_add_date(o, "BirthDate", r->dob);    /* chosen name */
  jc_add_datetime(o, "CreatedAt", r->created);
  jc_add_datetime(o, "LastUpdatedAt", r->updated);
  sb_ovr_apply(&c->ovr[AF_TENANTS], i, o);
  return o;
}

static const char *const af_wo_status[] = {   /* PF_WS_* (chosen names) */
  "New", "Assigned", "Completed", "Waiting", "Canceled"
};
static const char *const af_wo_priority[] = { "Low", "Normal", "Urgent" };  /* chosen */

static cJSON *af_work_order(af_ctx *c, uint32_t w){
  const pf_workorder *o = &c->pf->wos.v[w];
  cJSON *j = cJSON_CreateObject();
  af_add_id(c, j, "Id", AF_WORK_ORDERS, w);
  cJSON_AddNumberToObject(j, "WorkOrderNumber", 1000 + o->task);
  if( o->unit != PF_NONE ){
    af_add_id(c, j, "PropertyId", AF_PROPERTIES, c->pf->units.v[o->unit].property);
    af_add_id(c, j, "UnitId", AF_UNITS, o->unit);
  }else{
    cJSON_AddNullToObject(j, "PropertyId");
    cJSON_AddNullToObject(j, "UnitId");
  }
  af_add_id(c, j, "RequestingTenantId", AF_TENANTS, o->resident);
  af_add_id(c, j, "VendorId", AF_VENDORS, o->vendor % PF_NVENDORS);
  cJSON_AddStringToObject(j, "Status", af_wo_status[o->status % 5]);
  cJSON_AddStringToObject(j, "Priority", af_wo_priority[o->priority % 3]);
  cJSON_AddStringToObject(j, "JobDescription", pf_wo_title(o->title));
  cJSON_AddStringToObject(j, "VendorInstructions", pf_wo_details(o->title));
  jc_add_date(j, "ScheduledStartOn", o->due);
  jc_add_date(j, "CompletedOn", o->status == PF_WS_COMPLETED ? (int32_t)(o->updated / 86400) : PF_NODATE);
  jc_add_datetime(j, "CreatedAt", o->created);
  jc_add_datetime(j, "LastUpdatedAt", o->updated);
  sb_ovr_apply(&c->ovr[AF_WORK_ORDERS], w, j);
  return j;
}

static cJSON *af_vendor(af_ctx *c, uint32_t v){
  char tmp[128], dom[64];
  const char *name = pf_vendor_name(v);
  size_t k = 0;
  cJSON *j = cJSON_CreateObject();
  af_add_id(c, j, "Id", AF_VENDORS, v);
  cJSON_AddStringToObject(j, "CompanyName", name);
  for(const char *p = name; *p && k + 1 < 40; p++){
    if( (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ) dom[k++] = *p;
    else if( *p >= 'A' && *p <= 'Z' ) dom[k++] = (char)(*p - 'A' + 'a');
  }
  dom[k] = 0;
  snprintf(tmp, sizeof(tmp), "office@%s.example.com", dom);
  cJSON_AddStringToObject(j, "Email", tmp);
  cJSON_AddStringToObject(j, "PhoneNumber", pf_fmt_phone(tmp, sizeof(tmp), 5550100 + v));
  jc_add_datetime(j, "LastUpdatedAt", c->vendor_updated[v]);
  sb_ovr_apply(&c->ovr[AF_VENDORS], v, j);
  return j;
}

static cJSON *af_record(af_ctx *c, int kind, uint32_t i){
  switch( kind ){
    case AF_PROPERTIES: return af_property(c, i);
    case AF_UNITS: return af_unit(c, i);
    case AF_TENANTS: return af_tenant(c, i);
    case AF_WORK_ORDERS: return af_work_order(c, i);
    default: return af_vendor(c, i);
  }
}

static void af_send_json(sb_response *resp, int status, cJSON *j){
  char *z = cJSON_PrintUnformatted(j);
  resp->status = status;
  resp->content_type = SB_JSON_TYPE;
  sb_puts(&resp->body, z);
  cJSON_free(z);
  cJSON_Delete(j);
}

/* ------------------------------------------------------------------ */
/* v0 lists                                                             */

/* Is record i one of the comma-separated UUIDs? */
static int af_in_ids(const af_ctx *c, int kind, uint32_t i, const char *ids){
  char id[40];
  size_t n;
  af_uuid(c, kind, i, id);
  n = strlen(id);
  for(const char *p = ids; *p; ){
    const char *e = strchr(p, ',');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if( len == n && strncasecmp(p, id, n) == 0 ) return 1;
    if( !e ) break;
    p = e + 1;
  }
  return 0;
}

static void af_list(af_ctx *c, int kind, const sb_request *req, sb_response *resp){
  sb_query q;
  const char *since = NULL, *ids = NULL, *s;
  long page = 1, size = AF_DEFAULT_PAGE;
  int64_t from = 0;
  char msg[160];
  sb_query_parse(req->query, &q);
  since = sb_query_get(&q, "filters[LastUpdatedAtFrom]");
  ids = sb_query_get(&q, "filters[Id]");
  if( !since ){
    af_error(resp, 400, "filters[LastUpdatedAtFrom] is required");
    goto done;
  }
  if( !dt_parse_datetime(since, 1, &from) ){
    snprintf(msg, sizeof(msg), "filters[LastUpdatedAtFrom] is not an ISO-8601 date-time: '%.60s'", since);
    af_error(resp, 400, msg);
    goto done;
  }
  if( (s = sb_query_get(&q, "page[number]")) && (!sb_parse_long(s, &page) || page < 1) ){
    af_error(resp, 400, "page[number] must be a positive integer");
    goto done;
  }
  if( (s = sb_query_get(&q, "page[size]")) && (!sb_parse_long(s, &size) || size < 1 || size > AF_MAX_PAGE) ){
    af_error(resp, 400, "page[size] must be between 1 and 1000");
    goto done;
  }
  {
    uint32_t n = af_count(c, kind), i;
    long skip = (page - 1) * size, sent = 0;
    int more = 0;
    sb_buf *b = &resp->body;
    resp->status = 200;
    resp->content_type = SB_JSON_TYPE;
    resp->is_list = 1;
    resp->list_offset = skip;
    SB_LIT(b, "{\"data\":[");
    for(i = 0; i < n; i++){
      if( (int64_t)af_updated(c, kind, i) < from ) continue;
      if( ids && !af_in_ids(c, kind, i, ids) ) continue;
      if( skip > 0 ){ skip--; continue; }
      if( sent == size ){ more = 1; break; }
      cJSON *o = af_record(c, kind, i);
      char *z = cJSON_PrintUnformatted(o);
      if( sent ) sb_putc(b, ',');
      sb_puts(b, z);
      cJSON_free(z);
      cJSON_Delete(o);
      sent++;
    }
    SB_LIT(b, "],\"next_page_path\":");
    if( more ){
      /* the same filters, the next page number (brackets as AppFolio shows them) */
      sb_buf p = {0};
      sb_printf(&p, "%s%s?filters[LastUpdatedAtFrom]=", AF_V0, af_resource[kind]);
      for(const char *x = since; *x; x++){
        if( *x == ':' || *x == '+' || *x == ' ' ) sb_printf(&p, "%%%02X", (unsigned char)*x);
        else sb_putc(&p, *x);
      }
      if( ids ){ sb_puts(&p, "&filters[Id]="); sb_puts(&p, ids); }
      sb_printf(&p, "&page[number]=%ld&page[size]=%ld", page + 1, size);
      jw_str(b, sb_cstr(&p));
      sb_buf_free(&p);
    }else{
      jw_null(b);
    }
    sb_putc(b, '}');
  }
done:
  sb_query_free(&q);
}

/* ------------------------------------------------------------------ */
/* v0 writes                                                            */

static cJSON *af_body(const sb_request *req, sb_response *resp){
  cJSON *j = cJSON_ParseWithLength(req->body ? req->body : "", req->body_len);
  if( !cJSON_IsObject(j) ){
    cJSON_Delete(j);
    af_error(resp, 400, "The request body must be a JSON object");
    return NULL;
  }
  return j;
}

static void af_unit_patch(af_ctx *c, uint32_t k, const sb_request *req, sb_response *resp){
  cJSON *j = af_body(req, resp), *m;
  char msg[160];
  if( !j ) return;
  cJSON_ArrayForEach(m, j){
    if( strcmp(m->string, "RentReady") != 0 ){
      snprintf(msg, sizeof(msg), "'%.60s' is not an updatable attribute of a unit", m->string);
      af_error(resp, 400, msg);
      cJSON_Delete(j);
      return;
    }
    if( !cJSON_IsBool(m) ){
      af_error(resp, 400, "RentReady must be true or false");
      cJSON_Delete(j);
      return;
    }
  }
  cJSON *o = sb_ovr_slot(&c->ovr[AF_UNITS], k);
  cJSON_ArrayForEach(m, j){
    cJSON_DeleteItemFromObjectCaseSensitive(o, m->string);
    cJSON_AddItemToObject(o, m->string, cJSON_Duplicate(m, 1));
  }
  c->pf->units.v[k].updated = (uint32_t)dt_now();
  c->nwrites++;
  af_send_json(resp, 200, af_unit(c, k));
  cJSON_Delete(j);
}

static void af_vendor_patch(af_ctx *c, uint32_t v, const sb_request *req, sb_response *resp){
  static const vd_field fields[] = {
    { "CompanyName", VT_STRING, 0, 255, NULL, NULL, 0, NULL },
    { "Email", VT_STRING, 0, 255, NULL, NULL, 0, vd_check_email },
    { "PhoneNumber", VT_STRING, 0, 30, NULL, NULL, 0, vd_check_phone },
    { NULL, 0, 0, 0, NULL, NULL, 0, NULL }
  };
  static const vd_schema schema = { "vendor", fields, NULL };
  cJSON *j = af_body(req, resp), *m, *n;
  vd_errors e;
  if( !j ) return;
  vd_init(&e);
  cJSON_ArrayForEach(m, j){
    int known = 0;
    for(const vd_field *f = fields; f->name; f++) known |= strcmp(f->name, m->string) == 0;
    if( !known ) vd_add(&e, m->string, "'%s' is not an updatable attribute of a vendor", m->string);
  }
  vd_object(&schema, j, "", &e);
  if( e.n ){
    af_error(resp, 400, e.vals[0]);   /* each message names its field */
  }else{
    cJSON *o = sb_ovr_slot(&c->ovr[AF_VENDORS], v);
    n = vd_normalize(&schema, j);
    cJSON_ArrayForEach(m, n){
      cJSON_DeleteItemFromObjectCaseSensitive(o, m->string);
      cJSON_AddItemToObject(o, m->string, cJSON_Duplicate(m, 1));
    }
    cJSON_Delete(n);
    c->vendor_updated[v] = (uint32_t)dt_now();
    c->nwrites++;
    af_send_json(resp, 200, af_vendor(c, v));
  }
  vd_free(&e);
  cJSON_Delete(j);
}

static cJSON *af_note_json(af_ctx *c, uint32_t k){
  cJSON *o = cJSON_CreateObject();
  af_add_id(c, o, "Id", AF_NOTES, k);
  af_add_id(c, o, "WorkOrderId", AF_WORK_ORDERS, c->notes[k].wo);
  cJSON_AddStringToObject(o, "Body", c->notes[k].body);
  jc_add_datetime(o, "CreatedAt", c->notes[k].created);
  return o;
}

static void af_note_create(af_ctx *c, uint32_t w, const sb_request *req, sb_response *resp){
  cJSON *j = af_body(req, resp), *m;
  const char *body;
  char msg[96];
  if( !j ) return;
  cJSON_ArrayForEach(m, j){
    if( strcmp(m->string, "Body") != 0 ){
      snprintf(msg, sizeof(msg), "'%.40s' is not an attribute of a note", m->string);
      af_error(resp, 400, msg);
      cJSON_Delete(j);
      return;
    }
  }
  body = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "Body"));
  if( !body || !*body ){
    af_error(resp, 400, "Body is required");
  }else if( vd_utf8_len(body) > AF_MAX_NOTE ){
    af_error(resp, 400, "Body is longer than 5000 characters");
  }else{
    if( c->nnotes == c->capnotes ){
      c->capnotes = c->capnotes ? 2 * c->capnotes : 16;
      c->notes = sb_xrealloc(c->notes, c->capnotes * sizeof(af_note));
    }
    af_note *n = &c->notes[c->nnotes];
    n->wo = w;
    n->created = (uint32_t)dt_now();
    n->body = sb_xstrdup(body);
    c->pf->wos.v[w].updated = n->created;   /* a note moves the work order (chosen) */
    c->nwrites++;
    af_send_json(resp, 201, af_note_json(c, c->nnotes++));
  }
  cJSON_Delete(j);
}

static void af_note_list(af_ctx *c, uint32_t w, sb_response *resp){
  cJSON *o = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(o, "data");
  for(uint32_t k = 0; k < c->nnotes; k++){
    if( c->notes[k].wo == w ) cJSON_AddItemToArray(a, af_note_json(c, k));
  }
  cJSON_AddNullToObject(o, "next_page_path");
  af_send_json(resp, 200, o);
}

/* ------------------------------------------------------------------ */
/* Reports                                                              */

/* "Last, First" as in the real guest-card row. */
static void af_add_name(cJSON *o, const char *key, unsigned first, unsigned last){
  char tmp[128];
  snprintf(tmp, sizeof(tmp), "%s, %s", pf_last_name(last), pf_first_name(first));
  cJSON_AddStringToObject(o, key, tmp);
}

static void af_add_numid(cJSON *o, const char *key, uint32_t i){
  char tmp[16];
  if( i == PF_NONE ){ cJSON_AddNullToObject(o, key); return; }
  snprintf(tmp, sizeof(tmp), "%u", (unsigned)(i + 1));
  cJSON_AddStringToObject(o, key, tmp);
}

static uint32_t af_app_property(const af_ctx *c, const pf_applicant *a){
  return a->unit == PF_NONE ? PF_NONE : c->pf->units.v[a->unit].property;
}

static void af_report_place(af_ctx *c, cJSON *o, const pf_applicant *a){
  char tmp[192], name[128], street[96];
  uint32_t p = af_app_property(c, a);
  if( p == PF_NONE ){
    cJSON_AddNullToObject(o, "property");
    cJSON_AddNullToObject(o, "unit");
  }else{
    snprintf(tmp, sizeof(tmp), "%s - %s", pf_fmt_property_name(name, sizeof(name), c->pf, p),
             pf_fmt_street(street, sizeof(street), &c->pf->props.v[p]));
    cJSON_AddStringToObject(o, "property", tmp);
    cJSON_AddStringToObject(o, "unit", pf_fmt_unit_number(tmp, sizeof(tmp), &c->pf->units.v[a->unit]));
  }
  af_add_numid(o, "property_id", p);
  af_add_numid(o, "unit_id", a->unit);
}

static const char *const af_app_status[] = {   /* PF_AS_* (chosen names) */
  "New", "Pending", "Approved", "Denied", "Canceled", "Pending", "Converted"
};

static cJSON *af_application_row(af_ctx *c, uint32_t i){
  char tmp[160];
  const pf_applicant *a = &c->pf->apps.v[i];
  cJSON *o = cJSON_CreateObject();
  af_add_name(o, "applicants", a->first, a->last);
  cJSON_AddStringToObject(o, "email_address", pf_fmt_email(tmp, sizeof(tmp), a->first, a->last,
                                                          a->email_no, "example.com"));
  cJSON_AddStringToObject(o, "phone_number", pf_fmt_phone(tmp, sizeof(tmp), a->phone));
  cJSON_AddStringToObject(o, "status", af_app_status[a->status % 7]);
  jc_add_datetime(o, "received", a->submitted ? a->submitted : a->created);
  cJSON_AddNullToObject(o, "desired_move_in");
  af_report_place(c, o, a);
  cJSON_AddNumberToObject(o, "rental_application_id", i + 1);
  cJSON_AddNumberToObject(o, "rental_application_group_id", i + 1);
  cJSON_AddNumberToObject(o, "guest_card_id", i + 1);
  af_add_numid(o, "tenant_id", a->tenant);
  jc_add_datetime(o, "last_updated_at", a->updated);
  return o;
}

static cJSON *af_guest_card_row(af_ctx *c, uint32_t i){
  char tmp[160];
  const pf_applicant *a = &c->pf->apps.v[i];
  cJSON *o = cJSON_CreateObject();
  af_add_name(o, "name", a->first, a->last);
  cJSON_AddStringToObject(o, "email_address", pf_fmt_email(tmp, sizeof(tmp), a->first, a->last,
                                                          a->email_no, "example.com"));
  cJSON_AddStringToObject(o, "phone_number", pf_fmt_phone(tmp, sizeof(tmp), a->phone));
  jc_add_datetime(o, "received", a->created);
  tmp[dt_fmt_date(tmp, (int32_t)(a->updated / 86400))] = 0;
  cJSON_AddStringToObject(o, "last_activity_date", tmp);
  cJSON_AddStringToObject(o, "last_activity_type", a->status == PF_AS_NEW ? "Auto-Response Email Sent"
                                                                           : "Rental Application Received");
  cJSON_AddStringToObject(o, "status", a->status == PF_AS_CANCELLED || a->status == PF_AS_REJECTED
                                       ? "Inactive" : "Active");
  cJSON_AddNullToObject(o, "move_in_preference");
  cJSON_AddNullToObject(o, "max_rent");
  cJSON_AddStringToObject(o, "source", (i % 3) == 0 ? "Zillow Rental Network"
                                       : (i % 3) == 1 ? "Website" : "Walk-In");  /* chosen */
  af_report_place(c, o, a);
  cJSON_AddNumberToObject(o, "guest_card_id", i + 1);
  af_add_id(c, o, "guest_card_uuid", AF_GUEST_CARDS, i);
  cJSON_AddNumberToObject(o, "inquiry_id", i + 1);
  cJSON_AddNullToObject(o, "notes");
  af_add_numid(o, "tenant_id", a->tenant);
  if( a->status == PF_AS_NEW ) cJSON_AddNullToObject(o, "rental_application_id");
  else cJSON_AddNumberToObject(o, "rental_application_id", i + 1);
  cJSON_AddStringToObject(o, "inquiry_type", "Email");
  return o;
}

static int af_report_match(const af_ctx *c, const af_cursor *k, uint32_t i){
  const pf_applicant *a = &c->pf->apps.v[i];
  uint32_t p = af_app_property(c, a);
  int32_t d = (int32_t)((k->report == AF_R_APPLICATIONS && a->submitted ? a->submitted : a->created) / 86400);
  if( k->visibility != 2 ){
    int hidden = p != PF_NONE && (c->pf->props.v[p].flags & PF_PROP_INACTIVE);
    if( hidden != (k->visibility == 1) ) return 0;
  }
  if( k->from != PF_NODATE && d < k->from ) return 0;
  if( k->to != PF_NODATE && d > k->to ) return 0;
  return 1;
}

/* One page of a report from the cursor; a next_page_url when rows remain. */
static void af_report_page(af_ctx *c, af_cursor *k, sb_response *resp){
  uint32_t n = c->pf->apps.n, i, sent = 0;
  long size = c->report_page;
  sb_buf *b = &resp->body;
  resp->status = 200;
  resp->content_type = SB_JSON_TYPE;
  resp->is_list = 1;
  SB_LIT(b, "{\"results\":[");
  for(i = k->next; i < n && sent < (uint32_t)size; i++){
    if( !af_report_match(c, k, i) ) continue;
    cJSON *o = k->report == AF_R_APPLICATIONS ? af_application_row(c, i) : af_guest_card_row(c, i);
    if( k->columns ){
      cJSON *m = o->child;
      while( m ){
        cJSON *next = m->next;
        int keep = 0;
        const cJSON *col;
        cJSON_ArrayForEach(col, k->columns) keep |= cJSON_IsString(col) && strcmp(col->valuestring, m->string) == 0;
        if( !keep ) cJSON_Delete(cJSON_DetachItemViaPointer(o, m));
        m = next;
      }
    }
    char *z = cJSON_PrintUnformatted(o);
    if( sent ) sb_putc(b, ',');
    sb_puts(b, z);
    cJSON_free(z);
    cJSON_Delete(o);
    sent++;
  }
  while( i < n && !af_report_match(c, k, i) ) i++;
  SB_LIT(b, "],\"next_page_url\":");
  if( i < n ){
    af_cursor *nk = &c->cursors[c->ncursor % AF_MAX_CURSORS];
    if( nk != k ) cJSON_Delete(nk->columns);
    if( nk != k ){
      *nk = *k;
      nk->columns = k->columns ? cJSON_Duplicate(k->columns, 1) : NULL;
    }
    nk->next = i;
    nk->created = dt_mono();
    snprintf(nk->token, sizeof(nk->token), "%016llx",
             (unsigned long long)sb_mix64(c->seed + 0x51ed27 + c->ncursor));
    c->ncursor++;
    sb_printf(b, "\"%s%s%s.json?metadata_id=%s\"", c->base, AF_REPORTS, af_report[nk->report], nk->token);
  }else{
    jw_null(b);
  }
  sb_putc(b, '}');
}

static int af_date_filter(const cJSON *j, const char *name, int32_t *out, sb_response *resp){
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
  char msg[96];
  *out = PF_NODATE;
  if( !v || cJSON_IsNull(v) ) return 1;
  if( cJSON_IsString(v) && dt_parse_date(v->valuestring, out) ) return 1;
  snprintf(msg, sizeof(msg), "%s must be a date (YYYY-MM-DD)", name);
  af_error(resp, 400, msg);
  return 0;
}

/* A first report request: the filter body makes a cursor at row 0. */
static void af_report_start(af_ctx *c, int report, const sb_request *req, sb_response *resp){
  static const char *const known[] = {
    "property_visibility", "properties", "received_on_from", "received_on_to", "columns", NULL
  };
  af_cursor k;
  cJSON *j = req->body_len ? cJSON_ParseWithLength(req->body, req->body_len) : cJSON_CreateObject();
  const cJSON *m;
  char msg[128];
  memset(&k, 0, sizeof(k));
  k.report = report;
  if( !cJSON_IsObject(j) ){
    af_error(resp, 400, "The filters must be a JSON object");
    goto done;
  }
  cJSON_ArrayForEach(m, j){
    int ok = 0;
    for(int i = 0; known[i]; i++) ok |= strcmp(known[i], m->string) == 0;
    if( !ok ){
      snprintf(msg, sizeof(msg), "Unknown filter '%.60s'", m->string);
      af_error(resp, 400, msg);
      goto done;
    }
  }
  m = cJSON_GetObjectItemCaseSensitive(j, "property_visibility");
  if( !m ) k.visibility = 0;
  else if( cJSON_IsString(m) && strcmp(m->valuestring, "active") == 0 ) k.visibility = 0;
  else if( cJSON_IsString(m) && strcmp(m->valuestring, "hidden") == 0 ) k.visibility = 1;
  else if( cJSON_IsString(m) && strcmp(m->valuestring, "all") == 0 ) k.visibility = 2;
  else{
    af_error(resp, 400, "property_visibility must be one of active, hidden, all");
    goto done;
  }
  if( !af_date_filter(j, "received_on_from", &k.from, resp) ) goto done;
  if( !af_date_filter(j, "received_on_to", &k.to, resp) ) goto done;
  m = cJSON_GetObjectItemCaseSensitive(j, "columns");
  if( m && !cJSON_IsArray(m) ){
    af_error(resp, 400, "columns must be an array of column names");
    goto done;
  }
  k.columns = m && cJSON_GetArraySize(m) > 0 ? cJSON_Duplicate(m, 1) : NULL;
  k.next = 0;
  af_report_page(c, &k, resp);
  cJSON_Delete(k.columns);
done:
  cJSON_Delete(j);
}

static void af_report_next(af_ctx *c, int report, const char *token, sb_response *resp){
  uint32_t n = c->ncursor < AF_MAX_CURSORS ? c->ncursor : AF_MAX_CURSORS;
  for(uint32_t i = 0; i < n; i++){
    af_cursor *k = &c->cursors[i];
    if( strcmp(k->token, token) != 0 || k->report != report ) continue;
    if( dt_mono() - k->created > AF_CURSOR_TTL ) break;
    resp->list_offset = 1;        /* a later page: the empty-page fault may hit it */
    af_report_page(c, k, resp);
    resp->list_offset = 1;
    return;
  }
  af_error(resp, 400, "next_page_url has expired or is unknown; run the report again");
}

/* 7 report requests per 15 s per client; next-page requests are exempt. */
static int af_report_admit(af_ctx *c, const char *client, long *retry_after){
  af_client *cl = NULL, *oldest = &c->clients[0];
  double now = dt_mono();
  if( !c->rate_limit ) return 1;
  for(int i = 0; i < 8; i++){
    if( strcmp(c->clients[i].key, client) == 0 ){ cl = &c->clients[i]; break; }
    if( c->clients[i].n == 0 || c->clients[i].t[0] < oldest->t[0] ) oldest = &c->clients[i];
  }
  if( !cl ){
    cl = oldest;
    memset(cl, 0, sizeof(*cl));
    snprintf(cl->key, sizeof(cl->key), "%s", client);
  }
  while( cl->n > 0 && now - cl->t[0] >= AF_REPORT_WINDOW ){
    memmove(cl->t, cl->t + 1, (size_t)(cl->n - 1) * sizeof(double));
    cl->n--;
  }
  if( cl->n >= AF_REPORT_LIMIT ){
    double left = cl->t[0] + AF_REPORT_WINDOW - now;
    *retry_after = (long)left + 1;
    return 0;
  }
  cl->t[cl->n++] = now;
  return 1;
}

/* ------------------------------------------------------------------ */
/* Routing                                                              */

static void af_route_v0(af_ctx *c, const sb_request *req, sb_response *resp){
  char seg[4][48];
  int n = 0, kind = -1;
  const char *p = req->path + strlen(AF_V0);
  int get = strcmp(req->method, "GET") == 0, patch = strcmp(req->method, "PATCH") == 0;
  int post = strcmp(req->method, "POST") == 0;
  uint32_t i;
  while( *p && n < 4 ){
    const char *e = strchr(p, '/');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if( len >= 48 ) len = 47;
    memcpy(seg[n], p, len);
    seg[n++][len] = 0;
    if( !e ) break;
    p = e + 1;
  }
  if( *p && n == 4 ) n = 5;       /* too deep */
  if( n >= 1 ){
    for(int k = 0; k < AF_NLIST; k++) if( strcmp(seg[0], af_resource[k]) == 0 ) kind = k;
  }
  if( kind < 0 || n > 3 ){ af_error(resp, 404, "No such resource"); return; }
  if( n == 1 ){
    if( get ) af_list(c, kind, req, resp);
    else af_error(resp, 405, "Method not allowed");
    return;
  }
  if( !af_uuid_index(c, kind, seg[1], af_count(c, kind), &i) ){
    af_error(resp, 404, "No record with that Id");
    return;
  }
  if( n == 3 ){
    if( kind != AF_WORK_ORDERS || strcmp(seg[2], "notes") != 0 ){ af_error(resp, 404, "No such resource"); return; }
    if( post ) af_note_create(c, i, req, resp);
    else if( get ) af_note_list(c, i, resp);
    else af_error(resp, 405, "Method not allowed");
    return;
  }
  if( patch && kind == AF_UNITS ) af_unit_patch(c, i, req, resp);
  else if( patch && kind == AF_VENDORS ) af_vendor_patch(c, i, req, resp);
  else af_error(resp, 405, "Method not allowed");
}

static void af_route_reports(af_ctx *c, const sb_request *req, sb_response *resp,
                             const char *client){
  const char *name = req->path + strlen(AF_REPORTS);
  int report = -1;
  sb_query q;
  const char *token;
  for(int k = 0; k < AF_NREPORT; k++){
    size_t len = strlen(af_report[k]);
    if( strncmp(name, af_report[k], len) == 0 && strcmp(name + len, ".json") == 0 ) report = k;
  }
  if( report < 0 ){ af_error(resp, 404, "No such report"); return; }
  sb_query_parse(req->query, &q);
  token = sb_query_get(&q, "metadata_id");
  if( token && (strcmp(req->method, "GET") == 0 || strcmp(req->method, "POST") == 0) ){
    af_report_next(c, report, token, resp);
  }else if( strcmp(req->method, "POST") != 0 ){
    af_error(resp, 405, "Reports are requested with POST");
  }else{
    long retry = 0;
    if( !af_report_admit(c, client, &retry) ){
      char msg[128];
      snprintf(msg, sizeof(msg), "Rate limit of 7 report requests per 15 seconds exceeded; retry in %ld seconds", retry);
      af_error(resp, 429, msg);
      sb_printf(&resp->headers, "Retry-After: %ld\r\n", retry);
    }else{
      af_report_start(c, report, req, resp);
    }
  }
  resp->not_write = 1;            /* a report POST reads */
  sb_query_free(&q);
}

/* POST /__appfolio/config: the vendor's own live settings. */
static void af_control(af_ctx *c, const sb_request *req, sb_response *resp){
  cJSON *j = cJSON_ParseWithLength(req->body ? req->body : "", req->body_len);
  const cJSON *v;
  if( strcmp(req->method, "POST") != 0 || !cJSON_IsObject(j) ){
    cJSON_Delete(j);
    af_error(resp, 400, "POST a JSON object: {\"data_unavailable\": N, \"report_page_size\": N}");
    return;
  }
  if( cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(j, "data_unavailable")) && v->valuedouble >= 0 ){
    c->unavailable = (long)v->valuedouble;
  }
  if( cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(j, "report_page_size")) && v->valuedouble >= 1 ){
    c->report_page = (long)v->valuedouble;
  }
  cJSON_Delete(j);
  resp->status = 200;
  resp->content_type = SB_JSON_TYPE;
  sb_printf(&resp->body, "{\"data_unavailable\":%ld,\"report_page_size\":%ld}", c->unavailable, c->report_page);
}

/* ------------------------------------------------------------------ */
/* The sb_vendor                                                        */

static void af_creds(uint64_t seed, char *id, char *secret, char *dev, size_t cap){
  snprintf(id, cap, "sandbox-client-%llu", (unsigned long long)seed);
  snprintf(secret, cap, "sandbox-secret-%llu", (unsigned long long)seed);
  snprintf(dev, cap, "sandbox-developer-%llu", (unsigned long long)seed);
}

static void af_credentials(const sb_options *opt, sb_buf *out){
  char id[64], s[64], d[64];
  af_creds(opt->seed, id, s, d, sizeof(id));
  SB_LIT(out, "{\"client_id\":");
  jw_str(out, id);
  SB_LIT(out, ",\"client_secret\":");
  jw_str(out, s);
  SB_LIT(out, ",\"developer_id\":");
  jw_str(out, d);
  SB_LIT(out, ",\"database\":\"sandbox\"");   /* {database}.appfolio.com */
  sb_putc(out, '}');
}

static void *af_open(sb_portfolio *pf, const sb_options *opt){
  af_ctx *c = sb_xcalloc(1, sizeof(*c));
  char s[64], pair[160], enc[230];
  c->pf = pf;
  c->seed = opt->seed;
  c->rate_limit = opt->rate_limit;
  c->report_page = AF_REPORT_PAGE;
  pthread_mutex_init(&c->mu, NULL);
  af_creds(opt->seed, c->key, s, c->devid, sizeof(c->key));
  snprintf(pair, sizeof(pair), "%s:%s", c->key, s);
  sb_base64(pair, enc, sizeof(enc));
  snprintf(c->auth, sizeof(c->auth), "Basic %s", enc);
  /* vendors change at fixed times before the portfolio's today */
  for(uint32_t v = 0; v < PF_NVENDORS; v++){
    c->vendor_updated[v] = (uint32_t)((int64_t)(pf->asof - 400 + 7 * (int32_t)v) * 86400);
  }
  return c;
}

static void af_close(void *vs){
  af_ctx *c = vs;
  if( !c ) return;
  for(int k = 0; k < AF_NLIST; k++) sb_ovr_free(&c->ovr[k]);
  for(uint32_t i = 0; i < c->nnotes; i++) free(c->notes[i].body);
  free(c->notes);
  for(int i = 0; i < AF_MAX_CURSORS; i++) cJSON_Delete(c->cursors[i].columns);
  pthread_mutex_destroy(&c->mu);
  free(c);
}

static void af_set_base_url(void *vs, const char *url){
  af_ctx *c = vs;
  snprintf(c->base, sizeof(c->base), "%s", url);
}

static int af_authorize(void *vs, const sb_request *req, char *key, size_t keylen,
                        sb_response *resp){
  af_ctx *c = vs;
  const char *a = sb_request_header(req, "Authorization");
  const char *d = sb_request_header(req, "X-AppFolio-Developer-ID");
  int v0 = strncmp(req->path, AF_V0, strlen(AF_V0)) == 0;
  if( !a || strcmp(a, c->auth) != 0 ){
    af_error(resp, 401, a ? "Invalid client credentials" : "HTTP Basic client credentials are required");
    return 0;
  }
  if( v0 && (!d || strcmp(d, c->devid) != 0) ){
    af_error(resp, 401, d ? "Unknown X-AppFolio-Developer-ID" : "The X-AppFolio-Developer-ID header is required");
    return 0;
  }
  snprintf(key, keylen, "%s", c->key);
  return 1;
}

static void af_handle(void *vs, const sb_request *req, sb_response *resp){
  af_ctx *c = vs;
  resp->content_type = SB_JSON_TYPE;
  pthread_mutex_lock(&c->mu);
  if( strcmp(req->path, AF_CONTROL) == 0 ){
    af_control(c, req, resp);
  }else if( strncmp(req->path, "/api/", 5) != 0 ){
    af_error(resp, 404, "Not Found");
  }else if( c->unavailable > 0 ){
    c->unavailable--;
    af_error(resp, 533, "Data is temporarily unavailable; retry the request");
  }else if( strncmp(req->path, AF_V0, strlen(AF_V0)) == 0 ){
    af_route_v0(c, req, resp);
  }else if( strncmp(req->path, AF_REPORTS, strlen(AF_REPORTS)) == 0 ){
    af_route_reports(c, req, resp, c->key);
  }else{
    af_error(resp, 404, "Not Found");
  }
  pthread_mutex_unlock(&c->mu);
}

static void af_vendor_error(void *vs, int status, const char *msg, sb_response *resp){
  (void)vs;
  af_error(resp, status, msg);
}

/* The empty-page fault: the records vanish, the cursor stays (so a client
** can tell a hiccup from the end of the list). */
static void af_empty_page(void *vs, const sb_request *req, sb_response *resp){
  sb_response full;
  cJSON *j;
  sb_response_init(&full);
  af_handle(vs, req, &full);
  j = cJSON_ParseWithLength(full.body.p ? full.body.p : "", full.body.n);
  if( cJSON_HasObjectItem(j, "data") ) cJSON_ReplaceItemInObjectCaseSensitive(j, "data", cJSON_CreateArray());
  if( cJSON_HasObjectItem(j, "results") ) cJSON_ReplaceItemInObjectCaseSensitive(j, "results", cJSON_CreateArray());
  if( j ){
    char *z = cJSON_PrintUnformatted(j);
    sb_puts(&resp->body, z);
    cJSON_free(z);
  }else{
    SB_LIT(&resp->body, "{\"data\":[],\"next_page_path\":null}");
  }
  cJSON_Delete(j);
  sb_response_free(&full);
}

static void af_counts(void *vs, sb_buf *b){
  af_ctx *c = vs;
  pthread_mutex_lock(&c->mu);
  sb_printf(b, "{\"properties\":%u,\"units\":%u,\"leases\":0,\"residents\":%u,"
            "\"applicants\":%u,\"leads\":%u,\"service_requests\":%u,\"vendors\":%d,"
            "\"notes\":%u,\"writes_stored\":%ld}",
            c->pf->props.n, c->pf->units.n, c->pf->res.n, c->pf->apps.n, c->pf->apps.n,
            c->pf->wos.n, PF_NVENDORS, c->nnotes, c->nwrites);
  pthread_mutex_unlock(&c->mu);
}

/* --accounts: the Basic user is "sandbox-client-<seed>". */
static int af_account_seed(const sb_request *req, uint64_t *seed){
  char user[96];
  return sb_basic_user(req, user, sizeof(user)) && sb_seed_after(user, "sandbox-client-", 0, seed);
}

const sb_vendor sb_vendor_appfolio = {
  .name = "appfolio",
  .api_prefix = "/api/",
  .rate_per_sec = 0,              /* v0: no documented limit; reports: own window */
  .rate_per_min = 0,
  .open = af_open,
  .close = af_close,
  .credentials = af_credentials,
  .set_base_url = af_set_base_url,
  .authorize = af_authorize,
  .handle = af_handle,
  .error = af_vendor_error,
  .counts = af_counts,
  .fault = NULL,
  .empty_page = af_empty_page,
  .account_seed = af_account_seed,
};
