/*
** rentvine.c — the Rentvine Manager API vendor: `pms-sandbox --vendor rentvine`.
** Sources: research pms-apis.md §6 (Rentvine's own OpenAPI reference at
** docs.rentvine.com, a user's sandbox notes), propexo.md §1.5 and §3.5.
** Where those are silent the behaviour is marked (chosen).
**
** Everything lives under /api/manager (the real base is
** https://{account}.rentvine.com/api/manager); every request there is an API
** call: counted, authenticated, faulted.
**
** Auth: HTTP Basic, access key as user name, secret as password. Missing or
** wrong -> 401 {"error": "..."} (chosen shape; the research shows only the
** validation shape). Credentials (--print-credentials):
** {"api_key":"sandbox-key-S","api_secret":"sandbox-secret-S"}.
**
** Reads: bare JSON arrays of wrapper objects, one per record, keyed by the
** record's kind; paging with page (from 1, default 1) and pageSize (default
** 25, at most 100: larger is clamped, chosen); no total anywhere, the end of
** a list is a short (or empty) page. A record by id answers the wrapper
** object alone.
**   GET /properties                  [{"property":{…}}]
**   GET /properties/{id}             {"property":{…}}
**   GET /properties/units/export     [{"unit":{…},"property":{…}}]
**                                    dateTimeModifiedMin/Max
**   GET /properties/{pid}/units/{id} {"unit":{…}}
**   GET /leases/export               [{"lease":{… tenants[…]},"balances":{…},
**                                      "unpaid_charges":[],"property":{…},
**                                      "unit":{…},"portfolio":{…}}]
**                                    leaseIDs[], primaryLeaseStatusIDs[]
**                                    (1 Pending, 2 Active, 3 Closed),
**                                    dateTimeModifiedMin/Max
**   GET /leases/{id}                 {"lease":{…}}
**   GET /tenants/search              [{"contact":{…}}]  (also GET /tenants)
**                                    search= (name, email or phone contains)
**   GET /tenants/{contactID}         {"contact":{…}}
**   GET /maintenance/work-orders     [{"workOrder":{…}}]
**   GET /maintenance/work-orders/{id} {"workOrder":{…}}
** Date-time filters take ISO-8601 (a space for the T and no zone also
** accepted, read as UTC); a bad one -> 400 keyed by the parameter name.
** Records are ordered by id ascending. Ids: the portfolio index + 1 in each
** kind (contactID of resident i is i + 1; work orders the API creates come
** after the generated ones).
**
** Writes (POST, JSON bodies, 200 and the stored record's wrapper):
**   POST /tenants/{contactID}        partial update of firstName,
**                                    middleName, lastName, dateOfBirth
**                                    (email, phone and address are contact
**                                    sub-resources: not emulated); the
**                                    tenant's lease gets a new
**                                    dateTimeModified, as Rentvine documents
**   POST /maintenance/work-orders    create; required propertyID,
**                                    workOrderStatusID, priorityID,
**                                    isOwnerApproved, isVacant, description,
**                                    isSharedWithTenant, isSharedWithOwner,
**                                    sourceTypeID; optional unitID, leaseID,
**                                    requestedByContactID, vendorInstructions,
**                                    scheduledStartDate, scheduledEndDate,
**                                    estimatedAmount
** Validation errors: 400 with an object keyed by field path, each a list of
** messages: {"description":["Description is required"]}. Leads: no API
** (404 like any unknown route). No documented rate limit: none enforced.
** Unknown route -> 404 {"error":"Not Found"}; a known path with another
** method -> 405 {"error":"Method Not Allowed"}.
*/
#include "sandbox.h"
#include "listing.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define RV_PREFIX "/api/manager"
#define RV_MAX_PAGE 100
#define RV_DEFAULT_PAGE 25

enum { RV_PROPERTIES, RV_UNITS, RV_LEASES, RV_TENANTS, RV_WORKORDERS, RV_NKINDS };

typedef struct rv_ctx {
  sb_portfolio *pf;
  pthread_mutex_t mu;
  char auth[256];               /* the expected Authorization header */
  char key[64];
  sb_ovr ovr[RV_NKINDS];        /* per record: members the API wrote */
  long nwrites;
} rv_ctx;

/* ------------------------------------------------------------------ */
/* Errors                                                               */

static void rv_error(sb_response *resp, int status, const char *msg){
  sb_response_reset(resp);
  resp->status = status;
  resp->content_type = SB_JSON_TYPE;
  SB_LIT(&resp->body, "{\"error\":");
  jw_str(&resp->body, msg);
  sb_putc(&resp->body, '}');
}

/* 400 with Rentvine's field-path keyed body. */
static void rv_invalid(sb_response *resp, const vd_errors *e){
  sb_response_reset(resp);
  resp->status = 400;
  resp->content_type = SB_JSON_TYPE;
  sb_putc(&resp->body, '{');
  for(int i = 0; i < e->n; i++){
    int dup = 0;
    for(int j = 0; j < i; j++) if( strcmp(e->keys[j], e->keys[i]) == 0 ) dup = 1;
    if( dup ) continue;
    if( resp->body.n > 1 ) sb_putc(&resp->body, ',');
    jw_str(&resp->body, e->keys[i]);
    SB_LIT(&resp->body, ":[");
    int first = 1;
    for(int j = i; j < e->n; j++){
      if( strcmp(e->keys[j], e->keys[i]) != 0 ) continue;
      if( !first ) sb_putc(&resp->body, ',');
      jw_str(&resp->body, e->vals[j]);
      first = 0;
    }
    sb_putc(&resp->body, ']');
  }
  sb_putc(&resp->body, '}');
}

/* ------------------------------------------------------------------ */
/* Rendering: each record as a cJSON object, the API's writes on top    */

static const cJSON *rv_ovr(rv_ctx *c, int kind, uint32_t i){
  return sb_ovr_get(&c->ovr[kind], i);
}

static void rv_address(rv_ctx *c, uint32_t p, cJSON *o){
  char tmp[128];
  const pf_property *r = &c->pf->props.v[p];
  const pf_city *city = pf_city_at(r->city);
  cJSON_AddStringToObject(o, "address", pf_fmt_street(tmp, sizeof(tmp), r));
  cJSON_AddNullToObject(o, "address2");
  cJSON_AddStringToObject(o, "city", city->name);
  cJSON_AddStringToObject(o, "stateID", city->state);
  cJSON_AddStringToObject(o, "postalCode", pf_fmt_postal(tmp, sizeof(tmp), c->pf, p));
  cJSON_AddStringToObject(o, "countryID", "US");
}

static cJSON *rv_property(rv_ctx *c, uint32_t p){
  char tmp[128];
  const pf_property *r = &c->pf->props.v[p];
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "propertyID", p + 1);
  cJSON_AddNumberToObject(o, "portfolioID", 1);
  /* 1 Single Family, 2 Multi-Family, 3 Condo (chosen ids) */
  cJSON_AddNumberToObject(o, "propertyTypeID", r->subtype == PF_SUB_SINGLEFAMILY ? 1
                          : r->subtype == PF_SUB_CONDO ? 3 : 2);
  cJSON_AddStringToObject(o, "name", pf_fmt_property_name(tmp, sizeof(tmp), c->pf, p));
  rv_address(c, p, o);
  if( r->flags & PF_PROP_NO_YEAR ) cJSON_AddNullToObject(o, "yearBuilt");
  else cJSON_AddNumberToObject(o, "yearBuilt", r->year_built);
  cJSON_AddNumberToObject(o, "unitCount", r->nunits);
  cJSON_AddNumberToObject(o, "isActive", (r->flags & PF_PROP_INACTIVE) ? 0 : 1);
  jc_add_datetime(o, "dateTimeCreated", r->created);
  jc_add_datetime(o, "dateTimeModified", r->updated);
  sb_ovr_apply(&c->ovr[RV_PROPERTIES], p, o);
  return o;
}

static cJSON *rv_unit(rv_ctx *c, uint32_t k){
  char tmp[32];
  const pf_unit *u = &c->pf->units.v[k];
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "unitID", k + 1);
  cJSON_AddNumberToObject(o, "propertyID", u->property + 1);
  cJSON_AddStringToObject(o, "name", pf_fmt_unit_number(tmp, sizeof(tmp), u));
  rv_address(c, u->property, o);
  snprintf(tmp, sizeof(tmp), "Unit %u", (unsigned)u->number);
  cJSON_ReplaceItemInObjectCaseSensitive(o, "address2", cJSON_CreateString(tmp));
  cJSON_AddNumberToObject(o, "beds", u->beds);
  cJSON_AddNumberToObject(o, "fullBaths", u->baths / 2);
  cJSON_AddNumberToObject(o, "halfBaths", u->baths % 2);
  if( u->flags & PF_UNIT_NO_SIZE ) cJSON_AddNullToObject(o, "size");
  else cJSON_AddNumberToObject(o, "size", u->size);
  jc_add_money(o, "rent", u->market_rent_cents);
  cJSON_AddNumberToObject(o, "isActive", 1);
  jc_add_datetime(o, "dateTimeCreated", u->created);
  jc_add_datetime(o, "dateTimeModified", u->updated);
  sb_ovr_apply(&c->ovr[RV_UNITS], k, o);
  return o;
}

static int rv_lease_status(const pf_lease *l){
  return l->status == PF_LS_FUTURE ? 1 : l->status == PF_LS_PAST ? 3 : 2;
}

static void rv_tenant_names(rv_ctx *c, uint32_t i, const char **first, const char **last){
  const cJSON *w = rv_ovr(c, RV_TENANTS, i);
  const pf_resident *r = &c->pf->res.v[i];
  *first = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w, "firstName"));
  *last = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w, "lastName"));
  if( !*first ) *first = pf_first_name(r->first);
  if( !*last ) *last = pf_last_name(r->last);
}

static cJSON *rv_lease(rv_ctx *c, uint32_t j){
  char tmp[160];
  const pf_lease *l = &c->pf->leases.v[j];
  const pf_unit *u = &c->pf->units.v[l->unit];
  int st = rv_lease_status(l);
  cJSON *o = cJSON_CreateObject(), *ts;
  cJSON_AddNumberToObject(o, "leaseID", j + 1);
  snprintf(tmp, sizeof(tmp), "L%06u", (unsigned)(j + 1));
  cJSON_AddStringToObject(o, "code", tmp);
  cJSON_AddNumberToObject(o, "propertyID", u->property + 1);
  cJSON_AddNumberToObject(o, "unitID", l->unit + 1);
  cJSON_AddNumberToObject(o, "primaryLeaseStatusID", st);
  cJSON_AddNumberToObject(o, "leaseStatusID", st);   /* one custom status per primary (chosen) */
  jc_add_date(o, "moveInDate", st == 1 ? PF_NODATE : l->start);
  jc_add_date(o, "moveOutDate", st == 3 ? l->end : PF_NODATE);
  jc_add_date(o, "startDate", l->start);
  jc_add_date(o, "endDate", l->end);
  jc_add_date(o, "closedDate", st == 3 ? l->end : PF_NODATE);
  jc_add_date(o, "expectedMoveOutDate", PF_NODATE);
  ts = cJSON_AddArrayToObject(o, "tenants");
  for(uint32_t r = l->first_res; r != PF_NONE; r = c->pf->res.v[r].next){
    const pf_resident *x = &c->pf->res.v[r];
    const char *first, *last;
    cJSON *t = cJSON_CreateObject();
    rv_tenant_names(c, r, &first, &last);
    snprintf(tmp, sizeof(tmp), "%s %s", first, last);
    cJSON_AddStringToObject(t, "name", tmp);
    cJSON_AddStringToObject(t, "email", pf_fmt_email(tmp, sizeof(tmp), x->first, x->last,
                                                    x->email_no, "example.com"));
    cJSON_AddStringToObject(t, "phone", pf_fmt_phone(tmp, sizeof(tmp), x->phone));
    cJSON_AddBoolToObject(t, "isActive", st != 3);
    cJSON_AddNumberToObject(t, "contactID", r + 1);
    cJSON_AddItemToArray(ts, t);
  }
  jc_add_datetime(o, "dateTimeCreated", l->created);
  jc_add_datetime(o, "dateTimeModified", l->updated);
  sb_ovr_apply(&c->ovr[RV_LEASES], j, o);
  return o;
}

/* The export wrapper of a lease. */
static cJSON *rv_lease_export(rv_ctx *c, uint32_t j){
  char tmp[160];
  const pf_lease *l = &c->pf->leases.v[j];
  const pf_unit *u = &c->pf->units.v[l->unit];
  cJSON *w = cJSON_CreateObject(), *b, *p, *un, *pf;
  cJSON_AddItemToObject(w, "lease", rv_lease(c, j));
  b = cJSON_AddObjectToObject(w, "balances");
  jc_add_money(b, "unpaidTotalAmount", 0);
  jc_add_money(b, "unpaidRentAmount", 0);
  jc_add_money(b, "pastDueTotalAmount", 0);
  jc_add_money(b, "pastDueRentAmount", 0);
  cJSON_AddArrayToObject(w, "unpaid_charges");
  p = cJSON_AddObjectToObject(w, "property");
  cJSON_AddNumberToObject(p, "propertyID", u->property + 1);
  cJSON_AddStringToObject(p, "name", pf_fmt_property_name(tmp, sizeof(tmp), c->pf, u->property));
  un = cJSON_AddObjectToObject(w, "unit");
  cJSON_AddNumberToObject(un, "unitID", l->unit + 1);
  cJSON_AddStringToObject(un, "name", pf_fmt_unit_number(tmp, sizeof(tmp), u));
  pf = cJSON_AddObjectToObject(w, "portfolio");
  cJSON_AddNumberToObject(pf, "portfolioID", 1);
  cJSON_AddStringToObject(pf, "name", "Sandbox Portfolio");
  return w;
}

static cJSON *rv_tenant(rv_ctx *c, uint32_t i){
  char tmp[160];
  const pf_resident *r = &c->pf->res.v[i];
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "contactID", i + 1);
  cJSON_AddNumberToObject(o, "contactTypeID", 2);
  cJSON_AddStringToObject(o, "firstName", pf_first_name(r->first));
  cJSON_AddNullToObject(o, "middleName");
  cJSON_AddStringToObject(o, "lastName", pf_last_name(r->last));
  cJSON_AddStringToObject(o, "email", pf_fmt_email(tmp, sizeof(tmp), r->first, r->last,
                                                  r->email_no, "example.com"));
  cJSON_AddStringToObject(o, "phone", pf_fmt_phone(tmp, sizeof(tmp), r->phone));
  if( r->lease != PF_NONE ){
    const pf_unit *u = &c->pf->units.v[c->pf->leases.v[r->lease].unit];
    rv_address(c, u->property, o);
    snprintf(tmp, sizeof(tmp), "Unit %u", (unsigned)u->number);
    cJSON_ReplaceItemInObjectCaseSensitive(o, "address2", cJSON_CreateString(tmp));
  }
  jc_add_date(o, "dateOfBirth", r->dob);
  cJSON_AddNumberToObject(o, "isActive", 1);
  jc_add_datetime(o, "dateTimeCreated", r->created);
  jc_add_datetime(o, "dateTimeModified", r->updated);
  sb_ovr_apply(&c->ovr[RV_TENANTS], i, o);
  {
    /* the display name follows the name parts */
    const char *first, *last;
    rv_tenant_names(c, i, &first, &last);
    snprintf(tmp, sizeof(tmp), "%s %s", first, last);
    cJSON_AddStringToObject(o, "name", tmp);
  }
  return o;
}

static cJSON *rv_workorder(rv_ctx *c, uint32_t w){
  const pf_workorder *o = &c->pf->wos.v[w];
  cJSON *j = cJSON_CreateObject();
  static const int st[] = { 1, 2, 3, 4, 3 };          /* PF_WS_* -> primary status */
  cJSON_AddNumberToObject(j, "workOrderID", w + 1);
  cJSON_AddNumberToObject(j, "workOrderNumber", 1000 + o->task);
  if( o->unit != PF_NONE ){
    cJSON_AddNumberToObject(j, "propertyID", c->pf->units.v[o->unit].property + 1);
    cJSON_AddNumberToObject(j, "unitID", o->unit + 1);
  }else{
    cJSON_AddNullToObject(j, "propertyID");
    cJSON_AddNullToObject(j, "unitID");
  }
  if( o->resident != PF_NONE ) cJSON_AddNumberToObject(j, "leaseID", c->pf->res.v[o->resident].lease + 1);
  else cJSON_AddNullToObject(j, "leaseID");
  cJSON_AddNumberToObject(j, "primaryWorkOrderStatusID", st[o->status % 5]);
  cJSON_AddNumberToObject(j, "workOrderStatusID", st[o->status % 5]);
  cJSON_AddNumberToObject(j, "priorityID", o->priority + 1);
  cJSON_AddNumberToObject(j, "sourceTypeID", 1);
  cJSON_AddStringToObject(j, "description", pf_wo_title(o->title));
  cJSON_AddStringToObject(j, "vendorInstructions", pf_wo_details(o->title));
  cJSON_AddNumberToObject(j, "isOwnerApproved", 1);
  cJSON_AddNumberToObject(j, "isVacant", o->resident == PF_NONE);
  cJSON_AddNumberToObject(j, "isSharedWithTenant", 1);
  cJSON_AddNumberToObject(j, "isSharedWithOwner", 1);
  if( o->resident != PF_NONE ) cJSON_AddNumberToObject(j, "requestedByContactID", o->resident + 1);
  else cJSON_AddNullToObject(j, "requestedByContactID");
  jc_add_date(j, "scheduledStartDate", o->due);
  cJSON_AddNullToObject(j, "scheduledEndDate");
  if( o->amount_cents ) jc_add_money(j, "estimatedAmount", o->amount_cents);
  else cJSON_AddNullToObject(j, "estimatedAmount");
  jc_add_datetime(j, "dateTimeCreated", o->created);
  jc_add_datetime(j, "dateTimeModified", o->updated);
  sb_ovr_apply(&c->ovr[RV_WORKORDERS], w, j);
  return j;
}

static uint32_t rv_count(rv_ctx *c, int kind){
  switch( kind ){
    case RV_PROPERTIES: return c->pf->props.n;
    case RV_UNITS: return c->pf->units.n;
    case RV_LEASES: return c->pf->leases.n;
    case RV_TENANTS: return c->pf->res.n;
    default: return c->pf->wos.n;
  }
}

static uint32_t rv_modified(rv_ctx *c, int kind, uint32_t i){
  switch( kind ){
    case RV_PROPERTIES: return c->pf->props.v[i].updated;
    case RV_UNITS: return c->pf->units.v[i].updated;
    case RV_LEASES: return c->pf->leases.v[i].updated;
    case RV_TENANTS: return c->pf->res.v[i].updated;
    default: return c->pf->wos.v[i].updated;
  }
}


/* The wrapper object of record i as a list renders it. */
static cJSON *rv_item(rv_ctx *c, int kind, uint32_t i){
  cJSON *w;
  if( kind == RV_LEASES ) return rv_lease_export(c, i);
  w = cJSON_CreateObject();
  switch( kind ){
    case RV_PROPERTIES: cJSON_AddItemToObject(w, "property", rv_property(c, i)); break;
    case RV_UNITS:{
      char tmp[128];
      uint32_t p = c->pf->units.v[i].property;
      cJSON *pp;
      cJSON_AddItemToObject(w, "unit", rv_unit(c, i));
      pp = cJSON_AddObjectToObject(w, "property");
      cJSON_AddNumberToObject(pp, "propertyID", p + 1);
      cJSON_AddStringToObject(pp, "name", pf_fmt_property_name(tmp, sizeof(tmp), c->pf, p));
      break;
    }
    case RV_TENANTS: cJSON_AddItemToObject(w, "contact", rv_tenant(c, i)); break;
    default: cJSON_AddItemToObject(w, "workOrder", rv_workorder(c, i)); break;
  }
  return w;
}

/* ------------------------------------------------------------------ */
/* Lists                                                                */

typedef struct rv_list {
  long page, size;
  int has_min, has_max;
  int64_t tmin, tmax;
  int nids, nstat;
  long ids[64], stat[8];
  char search[96];              /* tenants: name, email or phone contains */
} rv_list;

static int rv_list_params(const sb_request *req, int kind, rv_list *l, vd_errors *e){
  sb_query q;
  const char *s;
  memset(l, 0, sizeof(*l));
  l->page = 1;
  l->size = RV_DEFAULT_PAGE;
  sb_query_parse(req->query, &q);
  if( (s = sb_query_get(&q, "page")) && (!sb_parse_long(s, &l->page) || l->page < 1) ){
    vd_add(e, "page", "The page must be at least 1.");
  }
  if( (s = sb_query_get(&q, "pageSize")) && (!sb_parse_long(s, &l->size) || l->size < 1) ){
    vd_add(e, "pageSize", "The page size must be at least 1.");
  }
  if( l->size > RV_MAX_PAGE ) l->size = RV_MAX_PAGE;
  if( kind == RV_UNITS || kind == RV_LEASES ){
    if( (s = sb_query_get(&q, "dateTimeModifiedMin")) ){
      if( dt_parse_datetime(s, 1, &l->tmin) ) l->has_min = 1;
      else vd_add(e, "dateTimeModifiedMin", "The date time modified min is not a valid date.");
    }
    if( (s = sb_query_get(&q, "dateTimeModifiedMax")) ){
      if( dt_parse_datetime(s, 1, &l->tmax) ) l->has_max = 1;
      else vd_add(e, "dateTimeModifiedMax", "The date time modified max is not a valid date.");
    }
  }
  if( kind == RV_TENANTS && (s = sb_query_get(&q, "search")) ){
    snprintf(l->search, sizeof(l->search), "%s", s);
  }
  if( kind == RV_LEASES ){
    for(int i = 0; i < q.n; i++){
      long v;
      int ids = strcmp(q.p[i].key, "leaseIDs[]") == 0;
      int st = strcmp(q.p[i].key, "primaryLeaseStatusIDs[]") == 0;
      if( !ids && !st ) continue;
      if( !sb_parse_long(q.p[i].val, &v) || (st && (v < 1 || v > 3)) ){
        vd_add(e, q.p[i].key, "The selected value is invalid.");
      }else if( ids && l->nids < 64 ){
        l->ids[l->nids++] = v;
      }else if( st && l->nstat < 8 ){
        l->stat[l->nstat++] = v;
      }
    }
  }
  sb_query_free(&q);
  return e->n == 0;
}

/* A tenant's name, email or phone contains the search text (any case). */
static int rv_search_hit(rv_ctx *c, uint32_t i, const char *text){
  char buf[160];
  const char *first, *last;
  const pf_resident *r = &c->pf->res.v[i];
  rv_tenant_names(c, i, &first, &last);
  snprintf(buf, sizeof(buf), "%s %s", first, last);
  if( strcasestr(buf, text) ) return 1;
  if( strcasestr(pf_fmt_email(buf, sizeof(buf), r->first, r->last, r->email_no, "example.com"), text) ) return 1;
  return strcasestr(pf_fmt_phone(buf, sizeof(buf), r->phone), text) != NULL;
}

static int rv_match(rv_ctx *c, int kind, uint32_t i, const rv_list *l){
  int64_t t = rv_modified(c, kind, i);
  if( l->search[0] && !rv_search_hit(c, i, l->search) ) return 0;
  if( l->has_min && t < l->tmin ) return 0;
  if( l->has_max && t > l->tmax ) return 0;
  if( l->nids ){
    int ok = 0;
    for(int k = 0; k < l->nids; k++) if( l->ids[k] == (long)i + 1 ) ok = 1;
    if( !ok ) return 0;
  }
  if( l->nstat ){
    int ok = 0, st = rv_lease_status(&c->pf->leases.v[i]);
    for(int k = 0; k < l->nstat; k++) if( l->stat[k] == st ) ok = 1;
    if( !ok ) return 0;
  }
  return 1;
}

/* The list engine's view of one Rentvine list. */
typedef struct rv_listarg {
  rv_ctx *c;
  int kind;
  const rv_list *l;
} rv_listarg;

static int rv_match_cb(void *arg, uint32_t i){
  rv_listarg *a = arg;
  return rv_match(a->c, a->kind, i, a->l);
}

static void rv_render_cb(void *arg, uint32_t i, sb_buf *b){
  rv_listarg *a = arg;
  cJSON *w = rv_item(a->c, a->kind, i);
  char *z = cJSON_PrintUnformatted(w);
  sb_puts(b, z);
  cJSON_free(z);
  cJSON_Delete(w);
}

static void rv_list_send(rv_ctx *c, int kind, const sb_request *req, sb_response *resp){
  vd_errors e;
  rv_list l;
  vd_init(&e);
  if( !rv_list_params(req, kind, &l, &e) ){
    rv_invalid(resp, &e);
    vd_free(&e);
    return;
  }
  vd_free(&e);
  rv_listarg a = { .c = c, .kind = kind, .l = &l };
  sb_select_spec sel = {
    .n = rv_count(c, kind), .match = rv_match_cb, .arg = &a,
    .filtered = l.has_min || l.has_max || l.nids || l.nstat || l.search[0],
  };
  sb_rows rows;
  long skip = (l.page - 1) * l.size;
  sb_select(&sel, &rows);
  resp->status = 200;
  resp->is_list = 1;
  resp->list_offset = skip;
  sb_rows_json(&rows, skip, l.size, 1024, rv_render_cb, &a, &resp->body);
  sb_rows_free(&rows);
}

static void rv_send_one(rv_ctx *c, int kind, uint32_t i, sb_response *resp){
  cJSON *w;
  char *z;
  if( kind == RV_LEASES ){
    w = cJSON_CreateObject();
    cJSON_AddItemToObject(w, "lease", rv_lease(c, i));
  }else{
    w = rv_item(c, kind, i);
    if( kind == RV_UNITS ) cJSON_DeleteItemFromObjectCaseSensitive(w, "property");
  }
  z = cJSON_PrintUnformatted(w);
  resp->status = 200;
  sb_puts(&resp->body, z);
  cJSON_free(z);
  cJSON_Delete(w);
}

/* An id path segment: 1..count, else 404. */
static int rv_id(rv_ctx *c, int kind, const char *seg, uint32_t *out){
  long v;
  if( !sb_parse_long(seg, &v) || v < 1 || (uint64_t)v > rv_count(c, kind) ) return 0;
  *out = (uint32_t)(v - 1);
  return 1;
}

/* ------------------------------------------------------------------ */
/* Writes                                                               */

static const char *rv_check_date(const cJSON *v){
  int32_t d;
  if( cJSON_IsNull(v) ) return NULL;
  return cJSON_IsString(v) && dt_parse_date(v->valuestring, &d) ? NULL : "is not a valid date (YYYY-MM-DD)";
}

static const vd_field rv_tenant_fields[] = {
  { "firstName", VT_STRING, 0, 50, NULL, NULL, 0, NULL },
  { "middleName", VT_STRING, 0, 50, NULL, NULL, 0, NULL },
  { "lastName", VT_STRING, 0, 50, NULL, NULL, 0, NULL },
  { "dateOfBirth", VT_STRING, 0, 10, NULL, NULL, 0, rv_check_date },
  { NULL, 0, 0, 0, NULL, NULL, 0, NULL }
};
static const vd_schema rv_tenant_schema = { "contact", rv_tenant_fields, NULL };

static const vd_field rv_wo_fields[] = {
  { "propertyID", VT_INT, VF_REQUIRED, 0, NULL, NULL, 0, NULL },
  { "unitID", VT_INT, 0, 0, NULL, NULL, 0, NULL },
  { "leaseID", VT_INT, 0, 0, NULL, NULL, 0, NULL },
  { "workOrderStatusID", VT_INT, VF_REQUIRED, 0, NULL, NULL, 0, NULL },
  { "priorityID", VT_INT, VF_REQUIRED, 0, NULL, NULL, 0, NULL },
  { "sourceTypeID", VT_INT, VF_REQUIRED, 0, NULL, NULL, 0, NULL },
  { "isOwnerApproved", VT_INT, VF_REQUIRED, 0, NULL, NULL, 0, NULL },
  { "isVacant", VT_INT, VF_REQUIRED, 0, NULL, NULL, 0, NULL },
  { "isSharedWithTenant", VT_INT, VF_REQUIRED, 0, NULL, NULL, 0, NULL },
  { "isSharedWithOwner", VT_INT, VF_REQUIRED, 0, NULL, NULL, 0, NULL },
  { "description", VT_STRING, VF_REQUIRED, 5000, NULL, NULL, 0, NULL },
  { "vendorInstructions", VT_STRING, 0, 5000, NULL, NULL, 0, NULL },
  { "requestedByContactID", VT_INT, 0, 0, NULL, NULL, 0, NULL },
  { "scheduledStartDate", VT_STRING, 0, 10, NULL, NULL, 0, rv_check_date },
  { "scheduledEndDate", VT_STRING, 0, 10, NULL, NULL, 0, rv_check_date },
  { "estimatedAmount", VT_NUMBER, 0, 0, NULL, NULL, 0, NULL },
  { NULL, 0, 0, 0, NULL, NULL, 0, NULL }
};
static const vd_schema rv_wo_schema = { "workOrder", rv_wo_fields, NULL };

static cJSON *rv_body(const sb_request *req, sb_response *resp){
  cJSON *j = cJSON_ParseWithLength(req->body ? req->body : "", req->body_len);
  if( !cJSON_IsObject(j) ){
    cJSON_Delete(j);
    rv_error(resp, 400, "The request body must be a JSON object.");
    return NULL;
  }
  return j;
}

static int rv_int_in(const cJSON *j, const char *name, long lo, long hi){
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
  return !v || cJSON_IsNull(v) || (cJSON_IsNumber(v) && v->valuedouble >= lo && v->valuedouble <= hi);
}

static void rv_tenant_update(rv_ctx *c, uint32_t i, const sb_request *req, sb_response *resp){
  cJSON *j = rv_body(req, resp), *n, *m;
  vd_errors e;
  if( !j ) return;
  vd_init(&e);
  vd_object(&rv_tenant_schema, j, "", &e);
  m = cJSON_GetObjectItemCaseSensitive(j, "lastName");
  if( m && (!cJSON_IsString(m) || !*m->valuestring) ) vd_add(&e, "lastName", "The last name field is required.");
  m = cJSON_GetObjectItemCaseSensitive(j, "firstName");
  if( m && cJSON_IsString(m) && !*m->valuestring ) vd_add(&e, "firstName", "The first name field is required.");
  if( e.n ){
    rv_invalid(resp, &e);
  }else{
    cJSON *o;
    n = vd_normalize(&rv_tenant_schema, j);
    o = sb_ovr_slot(&c->ovr[RV_TENANTS], i);
    cJSON_ArrayForEach(m, n){
      cJSON_DeleteItemFromObjectCaseSensitive(o, m->string);
      cJSON_AddItemToObject(o, m->string, cJSON_Duplicate(m, 1));
    }
    cJSON_Delete(n);
    c->pf->res.v[i].updated = (uint32_t)dt_now();
    /* Rentvine moves the lease's dateTimeModified when a tenant changes */
    if( c->pf->res.v[i].lease != PF_NONE ) c->pf->leases.v[c->pf->res.v[i].lease].updated = c->pf->res.v[i].updated;
    c->nwrites++;
    rv_send_one(c, RV_TENANTS, i, resp);
  }
  vd_free(&e);
  cJSON_Delete(j);
}

static void rv_wo_create(rv_ctx *c, const sb_request *req, sb_response *resp){
  cJSON *j = rv_body(req, resp), *n, *m;
  vd_errors e;
  long v;
  if( !j ) return;
  vd_init(&e);
  vd_object(&rv_wo_schema, j, "", &e);
  m = cJSON_GetObjectItemCaseSensitive(j, "propertyID");
  if( cJSON_IsNumber(m) && (m->valuedouble < 1 || m->valuedouble > c->pf->props.n) ){
    vd_add(&e, "propertyID", "The selected property is invalid.");
  }
  m = cJSON_GetObjectItemCaseSensitive(j, "unitID");
  if( cJSON_IsNumber(m) ){
    v = (long)m->valuedouble;
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "propertyID");
    if( v < 1 || (uint32_t)v > c->pf->units.n ) vd_add(&e, "unitID", "The selected unit is invalid.");
    else if( cJSON_IsNumber(p) && c->pf->units.v[v-1].property + 1 != (uint32_t)p->valuedouble ){
      vd_add(&e, "unitID", "The unit does not belong to the property.");
    }
  }
  m = cJSON_GetObjectItemCaseSensitive(j, "requestedByContactID");
  if( cJSON_IsNumber(m) && (m->valuedouble < 1 || m->valuedouble > c->pf->res.n) ){
    vd_add(&e, "requestedByContactID", "The selected requested by contact is invalid.");
  }
  m = cJSON_GetObjectItemCaseSensitive(j, "description");
  if( cJSON_IsString(m) && !*m->valuestring ) vd_add(&e, "description", "The description field is required.");
  if( !rv_int_in(j, "priorityID", 1, 3) ) vd_add(&e, "priorityID", "The selected priority is invalid.");
  if( !rv_int_in(j, "workOrderStatusID", 1, 4) ) vd_add(&e, "workOrderStatusID", "The selected status is invalid.");
  if( !rv_int_in(j, "sourceTypeID", 1, 6) ) vd_add(&e, "sourceTypeID", "The selected source type is invalid.");
  if( e.n ){
    rv_invalid(resp, &e);
    vd_free(&e);
    cJSON_Delete(j);
    return;
  }
  vd_free(&e);
  n = vd_normalize(&rv_wo_schema, j);
  uint32_t w = pf_add_workorder(c->pf);
  pf_workorder *o = &c->pf->wos.v[w];
  memset(o, 0, sizeof(*o));
  o->created = o->updated = (uint32_t)dt_now();
  m = cJSON_GetObjectItemCaseSensitive(n, "unitID");
  o->unit = cJSON_IsNumber(m) ? (uint32_t)m->valuedouble - 1 : PF_NONE;
  o->resident = PF_NONE;
  o->task = c->pf->next_task++;
  o->due = PF_NODATE;
  cJSON *ov = sb_ovr_slot(&c->ovr[RV_WORKORDERS], w);
  cJSON_ArrayForEach(m, n) cJSON_AddItemToObject(ov, m->string, cJSON_Duplicate(m, 1));
  m = cJSON_GetObjectItemCaseSensitive(n, "workOrderStatusID");
  cJSON_AddItemToObject(ov, "primaryWorkOrderStatusID", cJSON_Duplicate(m, 1));
  if( !cJSON_HasObjectItem(ov, "unitID") ) cJSON_AddNullToObject(ov, "unitID");
  if( !cJSON_HasObjectItem(ov, "vendorInstructions") ) cJSON_AddNullToObject(ov, "vendorInstructions");
  cJSON_Delete(n);
  c->nwrites++;
  rv_send_one(c, RV_WORKORDERS, w, resp);
  cJSON_Delete(j);
}

/* ------------------------------------------------------------------ */
/* Routing                                                              */

static int rv_split(const char *path, char seg[6][48]){
  int n = 0;
  const char *p = path;
  while( *p == '/' ) p++;
  while( *p && n < 6 ){
    const char *e = strchr(p, '/');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if( len >= 48 ) len = 47;
    memcpy(seg[n], p, len);
    seg[n][len] = 0;
    n++;
    if( !e ) break;
    p = e + 1;
    while( *p == '/' ) p++;
  }
  return n;
}

static void rv_not_found(sb_response *resp, const char *what){
  char msg[96];
  snprintf(msg, sizeof(msg), "%s not found.", what);
  rv_error(resp, 404, msg);
}

static void rv_route(rv_ctx *c, const sb_request *req, sb_response *resp){
  char seg[6][48];
  const char *path = req->path + strlen(RV_PREFIX);
  int n = rv_split(path, seg);
  int get = strcmp(req->method, "GET") == 0, post = strcmp(req->method, "POST") == 0;
  uint32_t i;
#define RV_S(k, s) (n > (k) && strcmp(seg[k], s) == 0)
  if( n == 1 && RV_S(0, "properties") ){
    if( get ) rv_list_send(c, RV_PROPERTIES, req, resp); else goto bad_method;
    return;
  }
  if( n == 3 && RV_S(0, "properties") && RV_S(1, "units") && RV_S(2, "export") ){
    if( get ) rv_list_send(c, RV_UNITS, req, resp); else goto bad_method;
    return;
  }
  if( n == 2 && RV_S(0, "properties") ){
    if( !get ) goto bad_method;
    if( rv_id(c, RV_PROPERTIES, seg[1], &i) ) rv_send_one(c, RV_PROPERTIES, i, resp);
    else rv_not_found(resp, "Property");
    return;
  }
  if( n == 4 && RV_S(0, "properties") && RV_S(2, "units") ){
    uint32_t p;
    if( !get ) goto bad_method;
    if( rv_id(c, RV_PROPERTIES, seg[1], &p) && rv_id(c, RV_UNITS, seg[3], &i)
        && c->pf->units.v[i].property == p ){
      rv_send_one(c, RV_UNITS, i, resp);
    }else{
      rv_not_found(resp, "Unit");
    }
    return;
  }
  if( n == 2 && RV_S(0, "leases") && RV_S(1, "export") ){
    if( get ) rv_list_send(c, RV_LEASES, req, resp); else goto bad_method;
    return;
  }
  if( n == 2 && RV_S(0, "leases") ){
    if( !get ) goto bad_method;
    if( rv_id(c, RV_LEASES, seg[1], &i) ) rv_send_one(c, RV_LEASES, i, resp);
    else rv_not_found(resp, "Lease");
    return;
  }
  if( (n == 1 && RV_S(0, "tenants")) || (n == 2 && RV_S(0, "tenants") && RV_S(1, "search")) ){
    if( get ) rv_list_send(c, RV_TENANTS, req, resp); else goto bad_method;
    return;
  }
  if( n == 2 && RV_S(0, "tenants") ){
    if( !rv_id(c, RV_TENANTS, seg[1], &i) ){ rv_not_found(resp, "Tenant"); return; }
    if( get ) rv_send_one(c, RV_TENANTS, i, resp);
    else if( post ) rv_tenant_update(c, i, req, resp);
    else goto bad_method;
    return;
  }
  if( n == 2 && RV_S(0, "maintenance") && RV_S(1, "work-orders") ){
    if( get ) rv_list_send(c, RV_WORKORDERS, req, resp);
    else if( post ) rv_wo_create(c, req, resp);
    else goto bad_method;
    return;
  }
  if( n == 3 && RV_S(0, "maintenance") && RV_S(1, "work-orders") ){
    if( !get ) goto bad_method;
    if( rv_id(c, RV_WORKORDERS, seg[2], &i) ) rv_send_one(c, RV_WORKORDERS, i, resp);
    else rv_not_found(resp, "Work order");
    return;
  }
#undef RV_S
  rv_error(resp, 404, "Not Found");
  return;
bad_method:
  rv_error(resp, 405, "Method Not Allowed");
}

/* ------------------------------------------------------------------ */
/* The sb_vendor                                                        */

static void rv_creds(uint64_t seed, char *key, size_t nk, char *secret, size_t ns){
  snprintf(key, nk, "sandbox-key-%llu", (unsigned long long)seed);
  snprintf(secret, ns, "sandbox-secret-%llu", (unsigned long long)seed);
}

static void rv_credentials(const sb_options *opt, sb_buf *out){
  char k[64], s[64];
  rv_creds(opt->seed, k, sizeof(k), s, sizeof(s));
  SB_LIT(out, "{\"api_key\":");
  jw_str(out, k);
  SB_LIT(out, ",\"api_secret\":");
  jw_str(out, s);
  sb_putc(out, '}');
}

static void *rv_open(sb_portfolio *pf, const sb_options *opt){
  rv_ctx *c = sb_xcalloc(1, sizeof(*c));
  char s[64], pair[160], enc[230];
  c->pf = pf;
  pthread_mutex_init(&c->mu, NULL);
  rv_creds(opt->seed, c->key, sizeof(c->key), s, sizeof(s));
  snprintf(pair, sizeof(pair), "%s:%s", c->key, s);
  sb_base64(pair, enc, sizeof(enc));
  snprintf(c->auth, sizeof(c->auth), "Basic %s", enc);
  return c;
}

static void rv_close(void *vs){
  rv_ctx *c = vs;
  if( !c ) return;
  for(int k = 0; k < RV_NKINDS; k++) sb_ovr_free(&c->ovr[k]);
  pthread_mutex_destroy(&c->mu);
  free(c);
}

static int rv_authorize(void *vs, const sb_request *req, char *key, size_t keylen,
                        sb_response *resp){
  rv_ctx *c = vs;
  const char *a = sb_request_header(req, "Authorization");
  if( !a || strcmp(a, c->auth) != 0 ){
    rv_error(resp, 401, a ? "Unauthorized: the access key or secret is not valid."
                          : "Unauthorized: send the access key and secret with HTTP Basic authentication.");
    return 0;
  }
  snprintf(key, keylen, "%s", c->key);
  return 1;
}

static void rv_handle(void *vs, const sb_request *req, sb_response *resp){
  rv_ctx *c = vs;
  resp->content_type = SB_JSON_TYPE;
  pthread_mutex_lock(&c->mu);
  rv_route(c, req, resp);
  pthread_mutex_unlock(&c->mu);
}

static void rv_vendor_error(void *vs, int status, const char *msg, sb_response *resp){
  (void)vs;
  if( status == 401 ) msg = "Unauthorized: the access key or secret is not valid.";
  rv_error(resp, status, msg);
}

static void rv_counts(void *vs, sb_buf *b){
  rv_ctx *c = vs;
  pthread_mutex_lock(&c->mu);
  int64_t n[SB_NMODELS] = {
    [SB_M_PROPERTIES] = c->pf->props.n, [SB_M_UNITS] = c->pf->units.n,
    [SB_M_RESIDENTS] = c->pf->res.n, [SB_M_LEASES] = c->pf->leases.n,
    [SB_M_SERVICE_REQUESTS] = c->pf->wos.n,
  };
  sb_counts_json(b, n, "writes_stored", c->nwrites);
  pthread_mutex_unlock(&c->mu);
}

/* --accounts: the Basic user is "sandbox-key-<seed>". */
static int rv_account_seed(const sb_request *req, uint64_t *seed){
  char user[96];
  return sb_basic_user(req, user, sizeof(user)) && sb_seed_after(user, "sandbox-key-", 0, seed);
}

const sb_vendor sb_vendor_rentvine = {
  .name = "rentvine",
  .api_prefix = RV_PREFIX "/",
  .rate_per_sec = 0,
  .rate_per_min = 0,
  .open = rv_open,
  .close = rv_close,
  .credentials = rv_credentials,
  .authorize = rv_authorize,
  .handle = rv_handle,
  .error = rv_vendor_error,
  .counts = rv_counts,
  .fault = NULL,
  .account_seed = rv_account_seed,
};
