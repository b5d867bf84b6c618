/*
** buildium.c — the Buildium Open API vendor: authentication, routing, list
** endpoints (filters, orderby, limit/offset, X-Total-Count), reads by id,
** and the ApiErrorResponse error shape. Message rendering is in
** buildium_render.c, writes in buildium_write.c.
**
** Routes (all under /v1, case-sensitive; anything else is a 404):
**   GET|POST /rentals                    GET|PUT /rentals/{id}
**   GET|POST /rentals/units              GET|PUT /rentals/units/{id}
**   GET|POST /leases                     GET|PUT /leases/{id}
**   GET|POST /leases/tenants             GET|PUT /leases/tenants/{id}
**   GET|POST /leases/tenants/{id}/notes  GET|PUT /leases/tenants/{id}/notes/{noteId}
**   GET|POST /applicants                 GET|PUT /applicants/{id}
**   GET|POST /workorders                 GET|PUT /workorders/{id}
**   and the ledgers, recurring charges, GL accounts and vendors of
**   buildium_money.c
**
** Behaviour copied from the API documentation: both x-buildium-client-id
** and x-buildium-client-secret are required (401); query parameter names
** are case-sensitive (a known parameter in the wrong case, such as Limit,
** is a 404); limit defaults to 50 and is silently clamped to 1000; orderby
** takes "Field [asc|desc], ..." with case-insensitive field names; array
** filters are repeated keys; a query string over 4096 characters is a 500.
** Unknown parameters are ignored, as ASP.NET model binding does.
**
** Speed: a list request is answered from the page cache when the same query
** was served since the last write. Otherwise the matching record indexes
** are computed once per filter/order combination (result cache) and the
** requested page is rendered from them. Unfiltered lists in Id order need
** no result set at all. Every write clears both caches under the write lock.
*/
#include "buildium.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#define BD_DEFAULT_LIMIT 50
#define BD_MAX_LIMIT 1000
#define BD_MAX_QUERY 4096
#define BD_MAX_SORT 4

/* ------------------------------------------------------------------ */
/* Errors                                                               */

void bd_error(sb_response *resp, int status, const char *code, const char *msg,
              const vd_errors *errs){
  sb_buf *b = &resp->body;
  sb_response_reset(resp);
  resp->status = status;
  resp->content_type = SB_JSON_TYPE;
  SB_LIT(b, "{\"UserMessage\":");
  jw_str(b, msg);
  SB_LIT(b, ",\"ErrorCode\":");
  jw_str(b, code);
  SB_LIT(b, ",\"Errors\":");
  if( errs && errs->n ){
    sb_putc(b, '[');
    for(int i = 0; i < errs->n; i++){
      if( i ) sb_putc(b, ',');
      SB_LIT(b, "{\"Key\":");
      jw_str(b, errs->keys[i]);
      SB_LIT(b, ",\"Value\":");
      jw_str(b, errs->vals[i]);
      sb_putc(b, '}');
    }
    sb_putc(b, ']');
  }else{
    jw_null(b);
  }
  sb_putc(b, '}');
}

static void bd_not_found(sb_response *resp){
  bd_error(resp, 404, "NotFound", "The requested resource was not found.", NULL);
}

/* ------------------------------------------------------------------ */
/* Store helpers                                                        */

cJSON *bd_ovr(bd_ctx *c, int kind, uint32_t idx){
  return sb_ovr_get(&c->ovr[kind], idx);
}

void bd_set_ovr(bd_ctx *c, int kind, uint32_t idx, cJSON *j){
  sb_ovr_set(&c->ovr[kind], idx, j);
}

void bd_invalidate(bd_ctx *c){
  sb_list_cache_clear(&c->lists);
}

uint32_t bd_count(bd_ctx *c, int kind){
  switch( kind ){
    case BD_RENTALS: return c->pf->props.n;
    case BD_UNITS: return c->pf->units.n;
    case BD_LEASES: return c->pf->leases.n;
    case BD_TENANTS: return c->pf->res.n;
    case BD_APPLICANTS: return c->pf->apps.n;
    default: return c->pf->wos.n;
  }
}

void bd_render(bd_ctx *c, int kind, uint32_t idx, sb_buf *b){
  switch( kind ){
    case BD_RENTALS: bd_render_rental(c, idx, b); break;
    case BD_UNITS: bd_render_unit(c, idx, b); break;
    case BD_LEASES: bd_render_lease(c, idx, b, 0); break;
    case BD_TENANTS: bd_render_tenant(c, idx, b, 0); break;
    case BD_APPLICANTS: bd_render_applicant(c, idx, b); break;
    default: bd_render_workorder(c, idx, b); break;
  }
}

/* ------------------------------------------------------------------ */
/* List parameters                                                      */

static const char *const bd_params_rentals[] = {
  "location", "types", "subtypes", "status", "rentalownerids", "propertyids",
  "lastupdatedfrom", "lastupdatedto", NULL
};
static const char *const bd_params_units[] = {
  "propertyids", "lastupdatedfrom", "lastupdatedto", NULL
};
static const char *const bd_params_leases[] = {
  "propertyids", "rentalownerids", "unitnumber", "tenantname", "leasedatefrom",
  "leasedateto", "leasetypes", "leasestatuses", "createddatetimefrom",
  "createddatetimeto", "lastupdatedfrom", "lastupdatedto", NULL
};
static const char *const bd_params_tenants[] = {
  "buildingstatuses", "leasetermstatuses", "unitnumber", "name", "phone",
  "email", "propertyids", "rentalownerids", "lastupdatedfrom", "lastupdatedto",
  "unitids", NULL
};
static const char *const bd_params_applicants[] = {
  "entityid", "entitytype", "applicationstatuses", "unitids", "name", "email",
  "applicationsubmittedstartdate", "applicationsubmittedenddate",
  "lastupdatedfrom", "lastupdatedto", NULL
};
static const char *const bd_params_workorders[] = {
  "entitytype", "entityid", "statuses", "type", "unitid", "unitagreementid",
  "lastupdatedfrom", "lastupdatedto", "duedatefrom", "duedateto",
  "taskcategoryid", "priorities", "assignedtoid", "vendorids", "amountfrom",
  "amountto", "isbilled", "title", "taskids", NULL
};
static const char *const bd_params_notes[] = {
  "updateddatetimefrom", "updateddatetimeto", "lastupdatedbyuserid", NULL
};
static const char *const *const bd_params[BD_NKINDS] = {
  bd_params_rentals, bd_params_units, bd_params_leases, bd_params_tenants,
  bd_params_applicants, bd_params_workorders,
};

static const char *const bd_yes_no_building[] = { "Active", "InActive", NULL };
static const char *const bd_rental_types[] = { "Residential", "Commercial", NULL };
static const char *const bd_lease_types_q[] = {
  "None", "Fixed", "FixedWithRollover", "AtWill", NULL
};
static const char *const bd_app_statuses_q[] = {
  "Undecided", "Approved", "Rejected", "AddedToLease", "Cancelled", "Deferred",
  "New", "Draft", "AddedToDraftLease", NULL
};
static const char *const bd_entity_types[] = { "Rental", "RentalOwner", "Association", NULL };
static const char *const bd_task_types[] = {
  "ContactRequest", "ResidentRequest", "Todo", "RentalOwnerRequest", NULL
};

typedef struct bd_ids {
  int64_t *v;
  int n;
} bd_ids;

/* Parsed filters. An enum filter is a bitmask over the portfolio's enum
** values plus a flag, because a valid value the portfolio never uses
** (e.g. Draft) must still match nothing. */
typedef struct bd_filter {
  int any;
  int has_upd_from, has_upd_to;
  int64_t upd_from, upd_to;
  bd_ids propertyids, unitids, vendorids, taskids;
  int never;                    /* filters on data the sandbox has none of */
  int has_statuses, has_types, has_subtypes, has_prio, has_bstat;
  unsigned statuses, types, subtypes, prio, bstat;
  int status_active;            /* rentals "status": -1 any */
  const char *name, *email, *phone, *unitnumber, *tenantname, *location, *title;
  int has_ldfrom, has_ldto, has_duefrom, has_dueto;
  int32_t ldfrom, ldto, duefrom, dueto;
  int has_cfrom, has_cto, has_subfrom, has_subto;
  int64_t cfrom, cto, subfrom, subto;
  int has_entity, entitytype;
  int64_t entityid;
  int has_unitid, has_agreement;
  int64_t unitid, agreement;
  int has_amtfrom, has_amtto;
  double amtfrom, amtto;
  int has_wotype, wotype;
} bd_filter;

static void bd_filter_free(bd_filter *f){
  free(f->propertyids.v);
  free(f->unitids.v);
  free(f->vendorids.v);
  free(f->taskids.v);
}

static int bd_parse_int(const char *s, int64_t *out){
  char *end;
  if( !s || !*s ) return 0;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if( *end || errno || v < -2147483648LL || v > 2147483647LL ) return 0;
  *out = v;
  return 1;
}

static int bd_has(const char *const *list, const char *s){
  for(int i = 0; list[i]; i++){
    if( strcmp(list[i], s) == 0 ) return 1;
  }
  return 0;
}

static int bd_enum_index(const char *const *names, const char *v){
  for(int i = 0; names[i]; i++){
    if( strcasecmp(names[i], v) == 0 ) return i;
  }
  return -1;
}

static void bd_ids_add(bd_ids *ids, int64_t v){
  ids->v = sb_xrealloc(ids->v, (size_t)(ids->n + 1) * sizeof(int64_t));
  ids->v[ids->n++] = v;
}

static int bd_ids_has(const bd_ids *ids, int64_t v){
  for(int i = 0; i < ids->n; i++){
    if( ids->v[i] == v ) return 1;
  }
  return 0;
}

/* Adds the bit for value v of the query enum 'names' mapped into the
** portfolio enum 'pf_names' (NULL = same list). */
static int bd_enum_bit(const char *const *names, const char *const *pf_names,
                       const char *v, unsigned *mask){
  int i = bd_enum_index(names, v);
  if( i < 0 ) return 0;
  if( pf_names ){
    int k = bd_enum_index(pf_names, names[i]);
    if( k >= 0 ) *mask |= 1u << k;
  }else{
    *mask |= 1u << i;
  }
  return 1;
}

static void bd_bad_param(vd_errors *e, const char *key, const char *what){
  vd_add(e, key, "The value is not valid for %s: %s.", key, what);
}

static void bd_filter_param(int kind, const char *k, const char *v,
                            bd_filter *f, vd_errors *e){
  int64_t iv;
  int32_t d;
  f->any = 1;
  if( strcmp(k, "lastupdatedfrom") == 0 || strcmp(k, "lastupdatedto") == 0 ){
    int from = k[11] == 'f';
    int64_t t;
    /* Work orders take a date: "from" is the day's start, "to" its end. */
    if( kind == BD_WORKORDERS && dt_parse_date(v, &d) ){
      t = (int64_t)d * 86400 + (from ? 0 : 86399);
    }else if( !dt_parse_datetime(v, 1, &t) ){
      bd_bad_param(e, k, kind == BD_WORKORDERS ? "expected a date formatted as YYYY-MM-DD"
                   : "expected a UTC date and time formatted as YYYY-MM-DDTHH:MM:SSZ");
      return;
    }
    if( from ){ f->has_upd_from = 1; f->upd_from = t; }
    else{ f->has_upd_to = 1; f->upd_to = t; }
  }else if( strcmp(k, "createddatetimefrom") == 0 || strcmp(k, "createddatetimeto") == 0
            || strcmp(k, "applicationsubmittedstartdate") == 0
            || strcmp(k, "applicationsubmittedenddate") == 0 ){
    int64_t t;
    if( !dt_parse_datetime(v, 1, &t) ){
      bd_bad_param(e, k, "expected a date and time formatted as YYYY-MM-DD HH:MM:SS");
      return;
    }
    if( strcmp(k, "createddatetimefrom") == 0 ){ f->has_cfrom = 1; f->cfrom = t; }
    else if( strcmp(k, "createddatetimeto") == 0 ){ f->has_cto = 1; f->cto = t; }
    else if( strstr(k, "start") ){ f->has_subfrom = 1; f->subfrom = t; }
    else{
      /* A bare date as the end means the whole day. */
      if( strlen(v) == 10 ) t += 86399;
      f->has_subto = 1;
      f->subto = t;
    }
  }else if( strcmp(k, "leasedatefrom") == 0 || strcmp(k, "leasedateto") == 0
            || strcmp(k, "duedatefrom") == 0 || strcmp(k, "duedateto") == 0 ){
    int64_t t;
    if( dt_parse_date(v, &d) ){
      /* fine */
    }else if( dt_parse_datetime(v, 1, &t) ){
      d = (int32_t)(t / 86400);
    }else{
      bd_bad_param(e, k, "expected a date formatted as YYYY-MM-DD");
      return;
    }
    if( k[0] == 'l' ){
      if( strstr(k, "from") ){ f->has_ldfrom = 1; f->ldfrom = d; }
      else{ f->has_ldto = 1; f->ldto = d; }
    }else{
      if( strstr(k, "from") ){ f->has_duefrom = 1; f->duefrom = d; }
      else{ f->has_dueto = 1; f->dueto = d; }
    }
  }else if( strcmp(k, "propertyids") == 0 || strcmp(k, "unitids") == 0
            || strcmp(k, "vendorids") == 0 || strcmp(k, "taskids") == 0
            || strcmp(k, "rentalownerids") == 0 ){
    if( !bd_parse_int(v, &iv) ){
      bd_bad_param(e, k, "expected an integer (repeat the parameter for several values)");
      return;
    }
    if( k[0] == 'p' ) bd_ids_add(&f->propertyids, iv);
    else if( k[0] == 'u' ) bd_ids_add(&f->unitids, iv);
    else if( k[0] == 'v' ) bd_ids_add(&f->vendorids, iv);
    else if( k[0] == 't' ) bd_ids_add(&f->taskids, iv);
    else f->never = 1;            /* the sandbox has no rental owners */
  }else if( strcmp(k, "entityid") == 0 || strcmp(k, "unitid") == 0
            || strcmp(k, "unitagreementid") == 0 || strcmp(k, "taskcategoryid") == 0
            || strcmp(k, "assignedtoid") == 0 || strcmp(k, "lastupdatedbyuserid") == 0 ){
    if( !bd_parse_int(v, &iv) ){
      bd_bad_param(e, k, "expected an integer");
      return;
    }
    if( strcmp(k, "entityid") == 0 ){ f->has_entity |= 1; f->entityid = iv; }
    else if( strcmp(k, "unitid") == 0 ){ f->has_unitid = 1; f->unitid = iv; }
    else if( strcmp(k, "unitagreementid") == 0 ){ f->has_agreement = 1; f->agreement = iv; }
    else if( strcmp(k, "lastupdatedbyuserid") != 0 ) f->never = 1;
  }else if( strcmp(k, "entitytype") == 0 ){
    int i = bd_enum_index(bd_entity_types, v);
    if( i < 0 || (kind != BD_WORKORDERS && i == 2) ){
      bd_bad_param(e, k, v);
      return;
    }
    f->has_entity |= 2;
    f->entitytype = i;
  }else if( strcmp(k, "leasestatuses") == 0 || strcmp(k, "leasetermstatuses") == 0 ){
    f->has_statuses = 1;
    if( !bd_enum_bit(bd_lease_status_names, NULL, v, &f->statuses) ) bd_bad_param(e, k, v);
  }else if( strcmp(k, "applicationstatuses") == 0 ){
    f->has_statuses = 1;
    if( !bd_enum_bit(bd_app_statuses_q, bd_app_status_names, v, &f->statuses) ) bd_bad_param(e, k, v);
  }else if( strcmp(k, "statuses") == 0 ){
    f->has_statuses = 1;
    if( !bd_enum_bit(bd_wo_status_names, NULL, v, &f->statuses) ) bd_bad_param(e, k, v);
  }else if( strcmp(k, "priorities") == 0 ){
    f->has_prio = 1;
    if( !bd_enum_bit(bd_wo_priority_names, NULL, v, &f->prio) ) bd_bad_param(e, k, v);
  }else if( strcmp(k, "leasetypes") == 0 ){
    f->has_types = 1;
    if( !bd_enum_bit(bd_lease_types_q, bd_lease_type_names, v, &f->types) ) bd_bad_param(e, k, v);
  }else if( strcmp(k, "types") == 0 ){
    f->has_types = 1;
    if( !bd_enum_bit(bd_rental_types, NULL, v, &f->types) ) bd_bad_param(e, k, v);
  }else if( strcmp(k, "subtypes") == 0 ){
    f->has_subtypes = 1;
    if( !bd_enum_bit(bd_subtype_names, NULL, v, &f->subtypes) ) bd_bad_param(e, k, v);
  }else if( strcmp(k, "buildingstatuses") == 0 ){
    f->has_bstat = 1;
    if( !bd_enum_bit(bd_yes_no_building, NULL, v, &f->bstat) ) bd_bad_param(e, k, v);
  }else if( strcmp(k, "status") == 0 ){
    int i = bd_enum_index(bd_yes_no_building, v);
    if( i < 0 ) bd_bad_param(e, k, v);
    else f->status_active = i == 0;
  }else if( strcmp(k, "type") == 0 ){
    int i = bd_enum_index(bd_task_types, v);
    if( i < 0 ) bd_bad_param(e, k, v);
    else{ f->has_wotype = 1; f->wotype = i; }
  }else if( strcmp(k, "amountfrom") == 0 || strcmp(k, "amountto") == 0 ){
    char *end;
    double x = strtod(v, &end);
    if( !*v || *end ){
      bd_bad_param(e, k, "expected a number");
      return;
    }
    if( k[6] == 'f' ){ f->has_amtfrom = 1; f->amtfrom = x; }
    else{ f->has_amtto = 1; f->amtto = x; }
  }else if( strcmp(k, "isbilled") == 0 ){
    if( strcasecmp(v, "true") == 0 ) f->never = 1;
    else if( strcasecmp(v, "false") != 0 ) bd_bad_param(e, k, "expected true or false");
  }else if( strcmp(k, "updateddatetimefrom") == 0 || strcmp(k, "updateddatetimeto") == 0 ){
    int64_t t;
    if( !dt_parse_datetime(v, 1, &t) ){
      bd_bad_param(e, k, "expected a date and time formatted as YYYY-MM-DD HH:MM:SS");
      return;
    }
    if( strstr(k, "from") ){ f->has_upd_from = 1; f->upd_from = t; }
    else{ f->has_upd_to = 1; f->upd_to = t; }
  }else if( strcmp(k, "name") == 0 ) f->name = v;
  else if( strcmp(k, "email") == 0 ) f->email = v;
  else if( strcmp(k, "phone") == 0 ) f->phone = v;
  else if( strcmp(k, "unitnumber") == 0 ) f->unitnumber = v;
  else if( strcmp(k, "tenantname") == 0 ) f->tenantname = v;
  else if( strcmp(k, "location") == 0 ) f->location = v;
  else if( strcmp(k, "title") == 0 ) f->title = v;
}

/* ------------------------------------------------------------------ */
/* Matching                                                             */

static int bd_contains(const char *hay, const char *needle){
  return hay && strcasestr(hay, needle) != NULL;
}

static int bd_upd_ok(const bd_filter *f, int64_t t){
  if( f->has_upd_from && t < f->upd_from ) return 0;
  if( f->has_upd_to && t > f->upd_to ) return 0;
  return 1;
}

static int bd_name_ok(const char *needle, const char *first, const char *last,
                      bd_scratch *s){
  if( bd_contains(first, needle) || bd_contains(last, needle) ) return 1;
  char full[300];
  (void)s;
  snprintf(full, sizeof(full), "%s %s", first ? first : "", last ? last : "");
  return bd_contains(full, needle);
}

static int bd_phones_ok(const bd_phones *p, const char *needle){
  return bd_contains(p->home, needle) || bd_contains(p->work, needle)
         || bd_contains(p->mobile, needle) || bd_contains(p->fax, needle);
}

static int bd_match_rental(bd_ctx *c, uint32_t p, const bd_filter *f){
  const pf_property *r = &c->pf->props.v[p];
  if( !bd_upd_ok(f, r->updated) ) return 0;
  if( f->propertyids.n && !bd_ids_has(&f->propertyids, BD_ID_RENTAL + (int64_t)p) ) return 0;
  if( f->status_active >= 0 && f->status_active != !(r->flags & PF_PROP_INACTIVE) ) return 0;
  if( f->location || f->has_types || f->has_subtypes ){
    bd_scratch s = { .n = 0 };
    bd_rental_v v;
    bd_rental_view(c, p, &v, &s);
    if( f->location && !bd_contains(v.addr.city, f->location)
        && !bd_contains(v.addr.state, f->location) ) return 0;
    int sub = v.subtype ? bd_enum_index(bd_subtype_names, v.subtype) : -1;
    if( f->has_subtypes && (sub < 0 || !(f->subtypes & (1u << sub))) ) return 0;
    if( f->has_types ){
      int commercial = sub > 2;
      if( !(f->types & (1u << commercial)) ) return 0;
    }
  }
  return 1;
}

static int bd_match_unit(bd_ctx *c, uint32_t k, const bd_filter *f){
  const pf_unit *u = &c->pf->units.v[k];
  if( !bd_upd_ok(f, u->updated) ) return 0;
  if( f->propertyids.n && !bd_ids_has(&f->propertyids, BD_ID_RENTAL + (int64_t)u->property) ) return 0;
  return 1;
}

static int bd_match_lease(bd_ctx *c, uint32_t j, const bd_filter *f){
  const pf_lease *l = &c->pf->leases.v[j];
  const pf_unit *u = &c->pf->units.v[l->unit];
  if( !bd_upd_ok(f, l->updated) ) return 0;
  if( f->has_cfrom && l->created < f->cfrom ) return 0;
  if( f->has_cto && l->created > f->cto ) return 0;
  if( f->propertyids.n && !bd_ids_has(&f->propertyids, BD_ID_RENTAL + (int64_t)u->property) ) return 0;
  if( f->has_statuses && !(f->statuses & (1u << l->status)) ) return 0;
  if( f->has_types && !(f->types & (1u << l->type)) ) return 0;
  if( f->has_ldfrom && l->start < f->ldfrom ) return 0;
  if( f->has_ldto && (l->end == PF_NODATE || l->end > f->ldto) ) return 0;
  if( f->unitnumber ){
    bd_scratch s = { .n = 0 };
    if( !bd_contains(bd_unit_number(c, l->unit, &s), f->unitnumber) ) return 0;
  }
  if( f->tenantname ){
    int hit = 0;
    for(uint32_t r = l->first_res; r != PF_NONE && !hit; r = c->pf->res.v[r].next){
      bd_scratch s = { .n = 0 };
      bd_tenant_v v;
      bd_tenant_view(c, r, &v, &s);
      hit = bd_name_ok(f->tenantname, v.first, v.last, &s);
    }
    if( !hit ) return 0;
  }
  return 1;
}

static int bd_match_tenant(bd_ctx *c, uint32_t i, const bd_filter *f){
  const pf_resident *r = &c->pf->res.v[i];
  const pf_lease *l = r->lease != PF_NONE ? &c->pf->leases.v[r->lease] : NULL;
  uint32_t unit = l ? l->unit : PF_NONE;
  uint32_t prop = l ? c->pf->units.v[unit].property : PF_NONE;
  if( !bd_upd_ok(f, r->updated) ) return 0;
  if( f->propertyids.n && (!l || !bd_ids_has(&f->propertyids, BD_ID_RENTAL + (int64_t)prop)) ) return 0;
  if( f->unitids.n && (!l || !bd_ids_has(&f->unitids, BD_ID_UNIT + (int64_t)unit)) ) return 0;
  if( f->has_statuses && (!l || !(f->statuses & (1u << l->status))) ) return 0;
  if( f->has_bstat ){
    int inactive = l && (c->pf->props.v[prop].flags & PF_PROP_INACTIVE);
    if( !l || !(f->bstat & (1u << inactive)) ) return 0;
  }
  if( f->name || f->email || f->phone || f->unitnumber ){
    bd_scratch s = { .n = 0 };
    bd_tenant_v v;
    bd_tenant_view(c, i, &v, &s);
    if( f->email && !bd_contains(v.email, f->email) ) return 0;
    if( f->phone && !bd_phones_ok(&v.ph, f->phone) ) return 0;
    if( f->name && !bd_name_ok(f->name, v.first, v.last, &s) ) return 0;
    if( f->unitnumber && (!l || !bd_contains(bd_unit_number(c, unit, &s), f->unitnumber)) ) return 0;
  }
  return 1;
}

static int bd_match_applicant(bd_ctx *c, uint32_t a, const bd_filter *f){
  const pf_applicant *p = &c->pf->apps.v[a];
  if( !bd_upd_ok(f, p->updated) ) return 0;
  if( f->unitids.n && (p->unit == PF_NONE || !bd_ids_has(&f->unitids, BD_ID_UNIT + (int64_t)p->unit)) ) return 0;
  if( f->has_statuses && !(f->statuses & (1u << p->status)) ) return 0;
  if( f->has_subfrom && (!p->submitted || p->submitted < f->subfrom) ) return 0;
  if( f->has_subto && (!p->submitted || p->submitted > f->subto) ) return 0;
  if( f->has_entity & 1 ){
    if( f->entitytype != 0 || p->unit == PF_NONE
        || BD_ID_RENTAL + (int64_t)c->pf->units.v[p->unit].property != f->entityid ) return 0;
  }
  if( f->name || f->email ){
    bd_scratch s = { .n = 0 };
    bd_applicant_v v;
    bd_applicant_view(c, a, &v, &s);
    if( f->email && !bd_contains(v.email, f->email) ) return 0;
    if( f->name && !bd_name_ok(f->name, v.first, v.last, &s) ) return 0;
  }
  return 1;
}

static int bd_match_workorder(bd_ctx *c, uint32_t w, const bd_filter *f){
  const pf_workorder *o = &c->pf->wos.v[w];
  if( !bd_upd_ok(f, o->updated) ) return 0;
  if( f->has_statuses && !(f->statuses & (1u << o->status)) ) return 0;
  if( f->has_prio && !(f->prio & (1u << o->priority)) ) return 0;
  if( f->has_unitid && (o->unit == PF_NONE || BD_ID_UNIT + (int64_t)o->unit != f->unitid) ) return 0;
  if( f->has_entity & 1 ){
    if( f->entitytype != 0 || o->unit == PF_NONE
        || BD_ID_RENTAL + (int64_t)c->pf->units.v[o->unit].property != f->entityid ) return 0;
  }
  if( f->has_wotype && f->wotype != (o->resident != PF_NONE ? 1 : 2) ) return 0;
  if( f->has_duefrom && (o->due == PF_NODATE || o->due < f->duefrom) ) return 0;
  if( f->has_dueto && (o->due == PF_NODATE || o->due > f->dueto) ) return 0;
  if( f->taskids.n && !bd_ids_has(&f->taskids, BD_ID_TASK + (int64_t)o->task) ) return 0;
  if( f->has_agreement ){
    uint32_t l = o->resident != PF_NONE ? c->pf->res.v[o->resident].lease : PF_NONE;
    if( l == PF_NONE || BD_ID_LEASE + (int64_t)l != f->agreement ) return 0;
  }
  if( f->vendorids.n || f->has_amtfrom || f->has_amtto || f->title ){
    bd_scratch s = { .n = 0 };
    bd_workorder_v v;
    bd_workorder_view(c, w, &v, &s);
    if( f->vendorids.n && !bd_ids_has(&f->vendorids, v.vendor_id) ) return 0;
    if( f->has_amtfrom && v.amount_cents < sb_llround(f->amtfrom * 100) ) return 0;
    if( f->has_amtto && v.amount_cents > sb_llround(f->amtto * 100) ) return 0;
    if( f->title && !bd_contains(v.title, f->title) ) return 0;
  }
  return 1;
}

static int bd_match(bd_ctx *c, int kind, uint32_t idx, const bd_filter *f){
  if( f->never ) return 0;
  switch( kind ){
    case BD_RENTALS: return bd_match_rental(c, idx, f);
    case BD_UNITS: return bd_match_unit(c, idx, f);
    case BD_LEASES: return bd_match_lease(c, idx, f);
    case BD_TENANTS: return bd_match_tenant(c, idx, f);
    case BD_APPLICANTS: return bd_match_applicant(c, idx, f);
    default: return bd_match_workorder(c, idx, f);
  }
}

/* ------------------------------------------------------------------ */
/* Ordering                                                             */

/* Sortable fields per list; 's' = string (case-insensitive), 'i' = number.
** Ids sort the same as record indexes, which is what makes "Id" free. */
typedef struct bd_sortfield {
  const char *name;
  char type;
} bd_sortfield;

static const bd_sortfield bd_sorts_rentals[] = {
  { "Id", 'i' }, { "Name", 's' }, { "YearBuilt", 'i' }, { "NumberUnits", 'i' },
  { "City", 's' }, { "State", 's' }, { "RentalSubType", 's' }, { NULL, 0 }
};
static const bd_sortfield bd_sorts_units[] = {
  { "Id", 'i' }, { "PropertyId", 'i' }, { "UnitNumber", 's' },
  { "MarketRent", 'i' }, { "UnitSize", 'i' }, { NULL, 0 }
};
static const bd_sortfield bd_sorts_leases[] = {
  { "Id", 'i' }, { "PropertyId", 'i' }, { "UnitId", 'i' }, { "UnitNumber", 's' },
  { "LeaseFromDate", 'i' }, { "LeaseToDate", 'i' }, { "LeaseStatus", 's' },
  { "LeaseType", 's' }, { "CreatedDateTime", 'i' }, { "LastUpdatedDateTime", 'i' },
  { "Rent", 'i' }, { NULL, 0 }
};
static const bd_sortfield bd_sorts_tenants[] = {
  { "Id", 'i' }, { "FirstName", 's' }, { "LastName", 's' }, { "Email", 's' },
  { "CreatedDateTime", 'i' }, { "DateOfBirth", 's' }, { NULL, 0 }
};
static const bd_sortfield bd_sorts_applicants[] = {
  { "Id", 'i' }, { "FirstName", 's' }, { "LastName", 's' }, { "Email", 's' },
  { "Status", 's' }, { "LastUpdatedDateTime", 'i' }, { "PropertyId", 'i' },
  { "UnitId", 'i' }, { NULL, 0 }
};
static const bd_sortfield bd_sorts_workorders[] = {
  { "Id", 'i' }, { "Title", 's' }, { "DueDate", 'i' }, { "Priority", 'i' },
  { "Status", 's' }, { "Amount", 'i' }, { "VendorId", 'i' }, { NULL, 0 }
};
static const bd_sortfield *const bd_sorts[BD_NKINDS] = {
  bd_sorts_rentals, bd_sorts_units, bd_sorts_leases, bd_sorts_tenants,
  bd_sorts_applicants, bd_sorts_workorders,
};

static int bd_sort_field(const void *fields, const char *name, int *is_str){
  const bd_sortfield *t = fields;
  int f = -1;
  for(int i = 0; t[i].name; i++){
    if( strcasecmp(t[i].name, name) == 0 ) f = i;
  }
  if( f >= 0 ) *is_str = t[f].type == 's';
  return f;
}

/* "Field [asc|desc], ..." -> order; 0 after adding the error. */
static int bd_parse_orderby(int kind, const char *s, sb_order *o, vd_errors *e){
  char bad[128];
  switch( sb_order_parse(s, BD_MAX_SORT, bd_sort_field, bd_sorts[kind], o, bad, sizeof(bad)) ){
    case SB_ORDER_UNKNOWN:
      vd_add(e, "orderby", "'%s' is not a sortable property of this resource.", bad);
      return 0;
    case SB_ORDER_DIRECTION:
      vd_add(e, "orderby", "The sort direction must be asc or desc.");
      return 0;
    case SB_ORDER_TOO_MANY:
      vd_add(e, "orderby", "At most %d sort properties are supported.", BD_MAX_SORT);
      return 0;
  }
  return 1;
}

/* The value of sort field f of record idx: number in *iv or string. */
static const char *bd_sort_value(bd_ctx *c, int kind, int f, uint32_t idx,
                                 int64_t *iv, bd_scratch *s){
  const char *name = bd_sorts[kind][f].name;
  *iv = 0;
  if( strcmp(name, "Id") == 0 ){
    *iv = idx;
    return NULL;
  }
  switch( kind ){
    case BD_RENTALS: {
      bd_rental_v v;
      bd_rental_view(c, idx, &v, s);
      if( strcmp(name, "Name") == 0 ) return v.name;
      if( strcmp(name, "City") == 0 ) return v.addr.city;
      if( strcmp(name, "State") == 0 ) return v.addr.state;
      if( strcmp(name, "RentalSubType") == 0 ) return v.subtype;
      if( strcmp(name, "YearBuilt") == 0 ) *iv = v.has_year ? v.year : INT64_MIN;
      else *iv = c->pf->props.v[idx].nunits;
      return NULL;
    }
    case BD_UNITS: {
      bd_unit_v v;
      if( strcmp(name, "PropertyId") == 0 ){
        *iv = c->pf->units.v[idx].property;
        return NULL;
      }
      bd_unit_view(c, idx, &v, s);
      if( strcmp(name, "UnitNumber") == 0 ) return v.number;
      if( strcmp(name, "MarketRent") == 0 ) *iv = v.has_rent ? v.rent_cents : INT64_MIN;
      else *iv = v.has_size ? v.size : INT64_MIN;
      return NULL;
    }
    case BD_LEASES: {
      const pf_lease *l = &c->pf->leases.v[idx];
      if( strcmp(name, "PropertyId") == 0 ) *iv = c->pf->units.v[l->unit].property;
      else if( strcmp(name, "UnitId") == 0 ) *iv = l->unit;
      else if( strcmp(name, "UnitNumber") == 0 ) return bd_unit_number(c, l->unit, s);
      else if( strcmp(name, "LeaseFromDate") == 0 ) *iv = l->start;
      else if( strcmp(name, "LeaseToDate") == 0 ) *iv = l->end == PF_NODATE ? INT64_MIN : l->end;
      else if( strcmp(name, "LeaseStatus") == 0 ) return bd_lease_status_names[l->status % 3];
      else if( strcmp(name, "LeaseType") == 0 ) return bd_lease_type_names[l->type % 3];
      else if( strcmp(name, "CreatedDateTime") == 0 ) *iv = l->created;
      else if( strcmp(name, "LastUpdatedDateTime") == 0 ) *iv = l->updated;
      else *iv = (l->flags & PF_LEASE_NO_RENT) ? INT64_MIN : l->rent_cents;
      return NULL;
    }
    case BD_TENANTS: {
      bd_tenant_v v;
      if( strcmp(name, "CreatedDateTime") == 0 ){
        *iv = c->pf->res.v[idx].created;
        return NULL;
      }
      bd_tenant_view(c, idx, &v, s);
      if( strcmp(name, "FirstName") == 0 ) return v.first;
      if( strcmp(name, "LastName") == 0 ) return v.last;
      if( strcmp(name, "Email") == 0 ) return v.email;
      return v.dob;
    }
    case BD_APPLICANTS: {
      const pf_applicant *p = &c->pf->apps.v[idx];
      bd_applicant_v v;
      if( strcmp(name, "Status") == 0 ) return bd_app_status_names[p->status % 7];
      if( strcmp(name, "LastUpdatedDateTime") == 0 ){ *iv = p->updated; return NULL; }
      if( strcmp(name, "PropertyId") == 0 ){
        *iv = p->unit == PF_NONE ? INT64_MIN : c->pf->units.v[p->unit].property;
        return NULL;
      }
      if( strcmp(name, "UnitId") == 0 ){
        *iv = p->unit == PF_NONE ? INT64_MIN : p->unit;
        return NULL;
      }
      bd_applicant_view(c, idx, &v, s);
      if( strcmp(name, "FirstName") == 0 ) return v.first;
      if( strcmp(name, "LastName") == 0 ) return v.last;
      return v.email;
    }
    default: {
      const pf_workorder *o = &c->pf->wos.v[idx];
      bd_workorder_v v;
      if( strcmp(name, "DueDate") == 0 ){ *iv = o->due == PF_NODATE ? INT64_MIN : o->due; return NULL; }
      if( strcmp(name, "Priority") == 0 ){ *iv = o->priority; return NULL; }
      if( strcmp(name, "Status") == 0 ) return bd_wo_status_names[o->status % 5];
      bd_workorder_view(c, idx, &v, s);
      if( strcmp(name, "Title") == 0 ) return v.title;
      if( strcmp(name, "Amount") == 0 ) *iv = v.amount_cents;
      else *iv = v.vendor_id;
      return NULL;
    }
  }
}

/* The list engine's view of one Buildium list: match and sort keys. */
typedef struct bd_listarg {
  bd_ctx *c;
  int kind;
  const bd_filter *f;
  bd_scratch s;
} bd_listarg;

static int bd_match_cb(void *arg, uint32_t idx){
  bd_listarg *a = arg;
  return bd_match(a->c, a->kind, idx, a->f);
}

static const char *bd_value_cb(void *arg, uint32_t idx, int field, double *num){
  bd_listarg *a = arg;
  int64_t iv;
  a->s.n = 0;
  const char *sv = bd_sort_value(a->c, a->kind, field, idx, &iv, &a->s);
  *num = iv == INT64_MIN ? -HUGE_VAL : (double)iv;
  return sv;
}

static void bd_render_cb(void *arg, uint32_t idx, sb_buf *b){
  bd_listarg *a = arg;
  bd_render(a->c, a->kind, idx, b);
}

/* ------------------------------------------------------------------ */
/* Lists                                                                */

/* A known parameter name in the wrong case is a 404, as documented for
** limit and offset. */
static int bd_wrong_case_param(const sb_query *q, const char *const *params){
  for(int i = 0; i < q->n; i++){
    char low[64];
    size_t n = strlen(q->p[i].key), k;
    int upper = 0;
    if( n >= sizeof(low) ) continue;
    for(k = 0; k < n; k++){
      upper |= isupper((unsigned char)q->p[i].key[k]) != 0;
      low[k] = (char)tolower((unsigned char)q->p[i].key[k]);
    }
    low[n] = 0;
    if( !upper ) continue;
    if( strcmp(low, "limit") == 0 || strcmp(low, "offset") == 0
        || strcmp(low, "orderby") == 0 || bd_has(params, low) ) return 1;
  }
  return 0;
}

/* Parses limit and offset; 0 after adding errors. */
static int bd_paging(const sb_query *q, long *limit, long *offset, vd_errors *e){
  const char *ls = sb_query_get(q, "limit"), *os = sb_query_get(q, "offset");
  int64_t v;
  *limit = BD_DEFAULT_LIMIT;
  *offset = 0;
  if( ls ){
    if( !bd_parse_int(ls, &v) || v < 1 ) vd_add(e, "limit", "The limit must be an integer between 1 and 1000.");
    else *limit = v > BD_MAX_LIMIT ? BD_MAX_LIMIT : (long)v;
  }
  if( os ){
    if( !bd_parse_int(os, &v) || v < 0 ) vd_add(e, "offset", "The offset must be a non-negative integer.");
    else *offset = (long)v;
  }
  return e->n == 0;
}

static void bd_bad_request(sb_response *resp, const vd_errors *e){
  bd_error(resp, 400, "BadRequest", "The request is invalid.", e);
}

/* The query without limit and offset: the key of a result set. */
static void bd_result_key(const char *path, const sb_query *q, sb_buf *k){
  sb_puts(k, path);
  sb_putc(k, '?');
  for(int i = 0; i < q->n; i++){
    if( strcmp(q->p[i].key, "limit") == 0 || strcmp(q->p[i].key, "offset") == 0 ) continue;
    sb_puts(k, q->p[i].key);
    sb_putc(k, '=');
    sb_puts(k, q->p[i].val);
    sb_putc(k, '\x01');
  }
}

static void bd_list(bd_ctx *c, int kind, const sb_request *req, sb_response *resp){
  sb_query q;
  vd_errors e;
  bd_filter f;
  sb_order ord = { 0 };
  long limit, offset;
  sb_buf key = { 0 }, page = { 0 };
  sb_blob *blob = NULL;

  sb_query_parse(req->query, &q);
  vd_init(&e);
  memset(&f, 0, sizeof(f));
  f.status_active = -1;
  if( bd_wrong_case_param(&q, bd_params[kind]) ){
    bd_not_found(resp);
    goto out;
  }
  if( !bd_paging(&q, &limit, &offset, &e) ){
    bd_bad_request(resp, &e);
    goto out;
  }

  sb_puts(&key, req->path);
  sb_putc(&key, '?');
  sb_puts(&key, req->query);
  pthread_rwlock_rdlock(&c->lock);
  blob = sb_cache_get(c->lists.pages, key.p, key.n);
  if( !blob ){
    for(int i = 0; i < q.n; i++){
      const char *k = q.p[i].key;
      if( strcmp(k, "orderby") == 0 ){
        bd_parse_orderby(kind, q.p[i].val, &ord, &e);
      }else if( bd_has(bd_params[kind], k) ){
        bd_filter_param(kind, k, q.p[i].val, &f, &e);
      }
    }
    if( e.n ){
      pthread_rwlock_unlock(&c->lock);
      bd_bad_request(resp, &e);
      goto out;
    }
    sb_buf rk = { 0 };
    bd_result_key(req->path, &q, &rk);
    bd_listarg a = { .c = c, .kind = kind, .f = &f };
    sb_select_spec sel = {
      .n = bd_count(c, kind), .filtered = f.any, .match = bd_match_cb,
      .order = &ord, .value = bd_value_cb, .arg = &a,
      .cache = c->lists.results, .key = rk.p, .klen = rk.n,
    };
    sb_rows rows;
    sb_select(&sel, &rows);
    sb_buf_free(&rk);
    sb_rows_json(&rows, offset, limit, 1536, bd_render_cb, &a, &page);
    blob = sb_blob_from_buf(&page, rows.total);
    sb_rows_free(&rows);
    sb_cache_put(c->lists.pages, key.p, key.n, blob);
  }
  pthread_rwlock_unlock(&c->lock);
  resp->status = 200;
  resp->content_type = SB_JSON_TYPE;
  resp->blob = blob;
  resp->is_list = 1;
  resp->list_offset = offset;
  sb_printf(&resp->headers, "X-Total-Count: %lld\r\n", (long long)blob->aux);
out:
  sb_buf_free(&key);
  sb_buf_free(&page);
  bd_filter_free(&f);
  vd_free(&e);
  sb_query_free(&q);
}

static void bd_get_one(bd_ctx *c, int kind, uint32_t idx, sb_response *resp){
  pthread_rwlock_rdlock(&c->lock);
  if( idx >= bd_count(c, kind) ){
    pthread_rwlock_unlock(&c->lock);
    bd_not_found(resp);
    return;
  }
  resp->status = 200;
  resp->content_type = SB_JSON_TYPE;
  bd_render(c, kind, idx, &resp->body);
  pthread_rwlock_unlock(&c->lock);
}

/* ---- tenant notes ---- */

static void bd_notes_list(bd_ctx *c, uint32_t tenant, const sb_request *req,
                          sb_response *resp){
  sb_query q;
  vd_errors e;
  bd_filter f;
  long limit, offset;
  int desc = 0;
  sb_query_parse(req->query, &q);
  vd_init(&e);
  memset(&f, 0, sizeof(f));
  if( bd_wrong_case_param(&q, bd_params_notes) ){
    bd_not_found(resp);
    goto out;
  }
  bd_paging(&q, &limit, &offset, &e);
  for(int i = 0; i < q.n; i++){
    if( bd_has(bd_params_notes, q.p[i].key) ) bd_filter_param(-1, q.p[i].key, q.p[i].val, &f, &e);
    if( strcmp(q.p[i].key, "orderby") == 0 ){
      const char *o = q.p[i].val;
      if( strncasecmp(o, "Id", 2) != 0 || (o[2] && strcasecmp(o + 2, " asc") != 0
                                          && strcasecmp(o + 2, " desc") != 0) ){
        vd_add(&e, "orderby", "Notes can be ordered by Id only.");
      }
      desc = strcasestr(o, "desc") != NULL;
    }
  }
  if( e.n ){
    bd_bad_request(resp, &e);
    goto out;
  }
  pthread_rwlock_rdlock(&c->lock);
  if( tenant >= c->pf->res.n ){
    pthread_rwlock_unlock(&c->lock);
    bd_not_found(resp);
    goto out;
  }
  long total = 0, shown = 0;
  sb_buf *b = &resp->body;
  sb_putc(b, '[');
  for(uint32_t k = 0; k < c->nnotes; k++){
    const bd_note *n = &c->notes[desc ? c->nnotes - 1 - k : k];
    if( n->tenant != tenant || !bd_upd_ok(&f, n->updated) ) continue;
    if( total++ < offset || shown >= limit ) continue;
    if( shown++ ) sb_putc(b, ',');
    bd_render_note(c, n, b);
  }
  sb_putc(b, ']');
  pthread_rwlock_unlock(&c->lock);
  resp->status = 200;
  resp->content_type = SB_JSON_TYPE;
  resp->is_list = 1;
  resp->list_offset = offset;
  sb_printf(&resp->headers, "X-Total-Count: %ld\r\n", total);
out:
  bd_filter_free(&f);
  vd_free(&e);
  sb_query_free(&q);
}

static void bd_note_get(bd_ctx *c, uint32_t tenant, uint32_t note, sb_response *resp){
  pthread_rwlock_rdlock(&c->lock);
  if( tenant >= c->pf->res.n || note >= c->nnotes || c->notes[note].tenant != tenant ){
    pthread_rwlock_unlock(&c->lock);
    bd_not_found(resp);
    return;
  }
  resp->status = 200;
  resp->content_type = SB_JSON_TYPE;
  bd_render_note(c, &c->notes[note], &resp->body);
  pthread_rwlock_unlock(&c->lock);
}

/* ------------------------------------------------------------------ */
/* Routing                                                              */

/* A path id segment: digits only and in the type's range; else PF_NONE,
** which every lookup treats as not found. */
static uint32_t bd_path_id(const char *seg, int64_t base){
  int64_t v;
  for(const char *p = seg; *p; p++){
    if( *p < '0' || *p > '9' ) return PF_NONE - 1;
  }
  if( !bd_parse_int(seg, &v) || v < base || v - base >= PF_NONE - 1 ) return PF_NONE - 1;
  return (uint32_t)(v - base);
}

static int bd_is_digits(const char *s){
  if( !*s ) return 0;
  for(; *s; s++){
    if( *s < '0' || *s > '9' ) return 0;
  }
  return 1;
}

static void bd_route(bd_ctx *c, const sb_request *req, sb_response *resp){
  char path[512];
  char *seg[8];
  int n = 0;
  int get = strcmp(req->method, "GET") == 0;
  int post = strcmp(req->method, "POST") == 0;
  int put = strcmp(req->method, "PUT") == 0;
  if( strncmp(req->path, "/v1/", 4) != 0 || strlen(req->path) >= sizeof(path) ){
    bd_not_found(resp);
    return;
  }
  snprintf(path, sizeof(path), "%s", req->path + 4);
  for(char *s = path; s && *s && n < 8; ){
    char *slash = strchr(s, '/');
    if( slash ) *slash = 0;
    seg[n++] = s;
    s = slash ? slash + 1 : NULL;
  }
  if( bd_money_route(c, req, seg, n, resp) ) return;
  static const struct { const char *a, *b; int kind; } lists[] = {
    { "rentals", NULL, BD_RENTALS }, { "rentals", "units", BD_UNITS },
    { "leases", NULL, BD_LEASES }, { "leases", "tenants", BD_TENANTS },
    { "applicants", NULL, BD_APPLICANTS }, { "workorders", NULL, BD_WORKORDERS },
  };
  static const int64_t bases[BD_NKINDS] = {
    BD_ID_RENTAL, BD_ID_UNIT, BD_ID_LEASE, BD_ID_TENANT, BD_ID_APPLICANT,
    BD_ID_WORKORDER,
  };
  for(int i = (int)(sizeof(lists) / sizeof(lists[0])) - 1; i >= 0; i--){
    int depth = lists[i].b ? 2 : 1;
    if( n < depth || strcmp(seg[0], lists[i].a) != 0 ) continue;
    if( lists[i].b && strcmp(seg[1], lists[i].b) != 0 ) continue;
    int kind = lists[i].kind;
    if( n == depth ){                                   /* collection */
      if( get ) bd_list(c, kind, req, resp);
      else if( post ) bd_write(c, kind, PF_NONE, req, resp);
      else bd_error(resp, 405, "MethodNotAllowed", "The HTTP method is not allowed here.", NULL);
      return;
    }
    if( !bd_is_digits(seg[depth]) ) continue;           /* e.g. /leases/tenants */
    uint32_t idx = bd_path_id(seg[depth], bases[kind]);
    if( n == depth + 1 ){                               /* one record */
      if( get ) bd_get_one(c, kind, idx, resp);
      else if( put ) bd_write(c, kind, idx, req, resp);
      else bd_error(resp, 405, "MethodNotAllowed", "The HTTP method is not allowed here.", NULL);
      return;
    }
    if( kind == BD_TENANTS && strcmp(seg[depth + 1], "notes") == 0 ){
      if( n == depth + 2 ){
        if( get ) bd_notes_list(c, idx, req, resp);
        else if( post ) bd_note_write(c, idx, PF_NONE, req, resp);
        else bd_error(resp, 405, "MethodNotAllowed", "The HTTP method is not allowed here.", NULL);
        return;
      }
      if( n == depth + 3 && bd_is_digits(seg[depth + 2]) ){
        uint32_t note = bd_path_id(seg[depth + 2], BD_ID_NOTE);
        if( get ) bd_note_get(c, idx, note, resp);
        else if( put ) bd_note_write(c, idx, note, req, resp);
        else bd_error(resp, 405, "MethodNotAllowed", "The HTTP method is not allowed here.", NULL);
        return;
      }
    }
    break;
  }
  bd_not_found(resp);
}

/* ------------------------------------------------------------------ */
/* The sb_vendor                                                        */

static void bd_credentials(const sb_options *opt, sb_buf *out){
  char id[64], secret[64];
  uint64_t seed = opt->seed;
  snprintf(id, sizeof(id), "sandbox-client-%llu", (unsigned long long)seed);
  snprintf(secret, sizeof(secret), "sandbox-secret-%llu", (unsigned long long)seed);
  SB_LIT(out, "{\"client_id\":");
  jw_str(out, id);
  SB_LIT(out, ",\"client_secret\":");
  jw_str(out, secret);
  sb_putc(out, '}');
}

static void *bd_open(sb_portfolio *pf, const sb_options *opt){
  bd_ctx *c = sb_xcalloc(1, sizeof(*c));
  c->pf = pf;
  sb_rwlock_init(&c->lock);
  sb_list_cache_init(&c->lists, opt->cache_bytes);
  snprintf(c->client_id, sizeof(c->client_id), "sandbox-client-%llu",
           (unsigned long long)opt->seed);
  snprintf(c->client_secret, sizeof(c->client_secret), "sandbox-secret-%llu",
           (unsigned long long)opt->seed);
  snprintf(c->base, sizeof(c->base), "http://127.0.0.1");
  return c;
}

static void bd_close(void *vs){
  bd_ctx *c = vs;
  if( !c ) return;
  for(int k = 0; k < BD_NKINDS; k++) sb_ovr_free(&c->ovr[k]);
  for(uint32_t i = 0; i < c->nnotes; i++) free(c->notes[i].text);
  free(c->notes);
  for(uint32_t v = 0; v < c->nvendors; v++) cJSON_Delete(c->vendors[v].body);
  free(c->vendors);
  for(uint32_t k = 0; k < c->nrcs; k++) free(c->rcs[k].memo);
  free(c->rcs);
  sb_list_cache_free(&c->lists);
  pthread_rwlock_destroy(&c->lock);
  free(c);
}

static void bd_set_base_url(void *vs, const char *url){
  bd_ctx *c = vs;
  snprintf(c->base, sizeof(c->base), "%s", url);
}

static int bd_authorize(void *vs, const sb_request *req, char *key, size_t keylen,
                        sb_response *resp){
  bd_ctx *c = vs;
  const char *id = sb_request_header(req, "x-buildium-client-id");
  const char *secret = sb_request_header(req, "x-buildium-client-secret");
  if( !id || !secret || strcmp(id, c->client_id) != 0 || strcmp(secret, c->client_secret) != 0 ){
    bd_error(resp, 401, "Unauthorized",
             "The API key couldn't be authorized. Provide valid x-buildium-client-id "
             "and x-buildium-client-secret headers.", NULL);
    return 0;
  }
  snprintf(key, keylen, "%s", id);
  return 1;
}

static void bd_handle(void *vs, const sb_request *req, sb_response *resp){
  bd_ctx *c = vs;
  resp->content_type = SB_JSON_TYPE;
  if( strlen(req->query) > BD_MAX_QUERY ){
    bd_error(resp, 500, "InternalServerError",
             "The query string exceeds the maximum length of 4096 characters.", NULL);
    return;
  }
  bd_route(c, req, resp);
}

static void bd_vendor_error(void *vs, int status, const char *msg, sb_response *resp){
  const char *code;
  (void)vs;
  switch( status ){
    case 401: code = "Unauthorized"; break;
    case 429: code = "TooManyRequests"; break;
    case 503: code = "ServiceUnavailable"; break;
    default: code = "InternalServerError"; break;
  }
  bd_error(resp, status, code, msg, NULL);
}

static void bd_counts(void *vs, sb_buf *b){
  bd_ctx *c = vs;
  pthread_rwlock_rdlock(&c->lock);
  int64_t n[SB_NMODELS] = {
    [SB_M_PROPERTIES] = c->pf->props.n, [SB_M_UNITS] = c->pf->units.n,
    [SB_M_RESIDENTS] = c->pf->res.n, [SB_M_LEASES] = c->pf->leases.n,
    [SB_M_APPLICANTS] = c->pf->apps.n, [SB_M_SERVICE_REQUESTS] = c->pf->wos.n,
  };
  sb_counts_json(b, n, "notes", c->nnotes);
  pthread_rwlock_unlock(&c->lock);
}

/* --accounts: the client id is "sandbox-client-<seed>". */
static int bd_account_seed(const sb_request *req, uint64_t *seed){
  return sb_seed_after(sb_request_header(req, "x-buildium-client-id"), "sandbox-client-", 0, seed);
}

const sb_vendor sb_vendor_buildium = {
  .name = "buildium",
  .api_prefix = "/v1/",
  .rate_per_sec = 10,
  .open = bd_open,
  .close = bd_close,
  .credentials = bd_credentials,
  .set_base_url = bd_set_base_url,
  .authorize = bd_authorize,
  .handle = bd_handle,
  .error = bd_vendor_error,
  .counts = bd_counts,
  .account_seed = bd_account_seed,
};
