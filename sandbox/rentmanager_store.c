/*
** rentmanager_store.c — the Rent Manager store and its JSON: ids, overrides,
** leases and contacts, the views that give each record its Rent Manager
** values, the field tables (one per resource) that rendering, RQL filters,
** orderby and fields= all share, and the renderer with its embeds.
**
** A view is generated from the portfolio record, then overlaid with the
** members the API wrote (rm_ovr.j), so a partial update changes just those
** members. Generated values (choices the research leaves open, see also the
** opening comment of rentmanager.c):
**   - Tenant Name and Prospect Name are "FirstName LastName";
**   - a tenant has one generated contact, its primary (ContactTypeID 1
**     "Tenant"), holding email, date of birth, tax id and phones: Cell
**     (always, IsPrimary), Home and Work when the resident has them;
**     the tenant's own FirstName/LastName and its primary contact's are
**     stored separately (writing one does not change the other);
**   - a prospect (from an applicant) has one primary contact (ContactTypeID
**     2 "Prospect") with email and a Cell phone, and no addresses;
**   - addresses: Street holds all lines joined by CR LF; a property's
**     address is its street (AddressTypeID 1 "Primary"), a unit's adds
**     "Unit <Name>" as a second line, a tenant's is its unit's as generated
**     (AddressTypeID 2 "Home"); later writes to the unit do not change it;
**   - Rent Manager leases link one tenant to one unit: every resident has
**     one (MoveInDate = the portfolio lease's start; MoveOutDate = its end
**     for Past leases, else null); a two-resident lease is two leases;
**   - tenant Status (Current/Past/Future) and unit CurrentOccupants follow
**     the lease dates as of the portfolio's as-of date (2026-06-30), like
**     every sandbox's lease statuses, so occupancy agrees across vendors;
**   - Balance: the resident's balance on the portfolio's ledger (ledger.c:
**     charges minus payments of the lease, billed to its first resident;
**     0 for the others and for tenants created through the API);
**   - a contact's Vehicle (free text, as the research's Contacts field
**     list has it): "2019 Toyota Camry, Silver, TX ABC1234" on a tenant's
**     primary contact when the portfolio gives the resident a vehicle
**     (household.c), else null;
**   - dates are written as date-times at midnight ("2024-03-01T00:00:00").
*/
#include "rentmanager.h"
#include "ledger.h"
#include "household.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */

const char *rm_keep(rm_scratch *s, const char *str){
  size_t n = str ? strlen(str) : 0;
  if( !str ) return NULL;
  if( s->n + n + 1 > sizeof(s->buf) ) return "";
  char *p = s->buf + s->n;
  memcpy(p, str, n + 1);
  s->n += n + 1;
  return p;
}

const char *rm_sfmt(rm_scratch *s, const char *fmt, ...){
  va_list ap;
  size_t room = sizeof(s->buf) - s->n;
  char *p = s->buf + s->n;
  va_start(ap, fmt);
  int n = vsnprintf(p, room, fmt, ap);
  va_end(ap);
  if( n < 0 || (size_t)n >= room ) return "";
  s->n += (size_t)n + 1;
  return p;
}

int32_t rm_today(rm_ctx *c){
  return c->pf->asof;
}

void rm_put_time(rm_ctx *c, sb_buf *b, int64_t t){
  char tmp[22];
  if( t == INT64_MIN ){
    jw_null(b);
    return;
  }
  tmp[0] = '"';
  dt_fmt_datetime(tmp + 1, t + c->tzoff);
  tmp[20] = '"';                        /* over the Z: local, no offset */
  sb_put(b, tmp, 21);
}

static int rm_digits(const char *s, int n, int *out){
  int v = 0;
  for(int i = 0; i < n; i++){
    if( !isdigit((unsigned char)s[i]) ) return 0;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 1;
}

/* M/D/YYYY or MM/DD/YYYY, optionally followed by a time; *rest after it. */
static int rm_parse_us(const char *s, int32_t *days, const char **rest){
  int m = 0, d = 0, y = 0, k = 0;
  while( isdigit((unsigned char)s[k]) && k < 2 ) m = m * 10 + (s[k++] - '0');
  if( !k || s[k] != '/' ) return 0;
  s += k + 1;
  k = 0;
  while( isdigit((unsigned char)s[k]) && k < 2 ) d = d * 10 + (s[k++] - '0');
  if( !k || s[k] != '/' ) return 0;
  s += k + 1;
  if( !rm_digits(s, 4, &y) ) return 0;
  if( y < 1 || m < 1 || m > 12 || d < 1 || d > 31 ) return 0;
  *days = dt_days(y, m, d);
  {
    int yy, mm, dd;                   /* reject 02/31 and the like */
    dt_civil(*days, &yy, &mm, &dd);
    if( yy != y || mm != m || dd != d ) return 0;
  }
  *rest = s + 4;
  return 1;
}

int rm_parse_time(rm_ctx *c, const char *s, int64_t *t){
  int32_t days;
  const char *rest;
  char buf[64];
  if( !s ) return 0;
  while( *s == ' ' ) s++;
  if( rm_parse_us(s, &days, &rest) ){
    /* "MM/DD/YYYY" or "MM/DD/YYYY HH:MM:SS" */
    char iso[11];
    dt_fmt_date(iso, days);
    iso[10] = 0;
    snprintf(buf, sizeof(buf), "%s%s", iso, rest);
    s = buf;
  }
  if( !dt_parse_datetime(s, 1, t) ) return 0;
  *t -= c->tzoff;
  return 1;
}

int rm_parse_day(const char *s, int32_t *days){
  int64_t t;
  const char *rest;
  if( !s ) return 0;
  if( rm_parse_us(s, days, &rest) ) return *rest == 0 || *rest == ' ';
  if( !dt_parse_datetime(s, 1, &t) ) return 0;
  *days = (int32_t)(t >= 0 ? t / 86400 : (t - 86399) / 86400);
  return 1;
}

/* ------------------------------------------------------------------ */
/* Overrides and link lists                                             */

rm_ovr *rm_ovr_get(rm_ctx *c, int kind, uint32_t idx){
  return idx < c->ovr_cap[kind] ? c->ovr[kind][idx] : NULL;
}

rm_ovr *rm_ovr_make(rm_ctx *c, int kind, uint32_t idx){
  if( idx >= c->ovr_cap[kind] ){
    uint32_t cap = c->ovr_cap[kind] ? c->ovr_cap[kind] : 64;
    while( cap <= idx ) cap *= 2;
    c->ovr[kind] = sb_xrealloc(c->ovr[kind], cap * sizeof(rm_ovr *));
    memset(c->ovr[kind] + c->ovr_cap[kind], 0,
           (cap - c->ovr_cap[kind]) * sizeof(rm_ovr *));
    c->ovr_cap[kind] = cap;
  }
  if( !c->ovr[kind][idx] ) c->ovr[kind][idx] = sb_xcalloc(1, sizeof(rm_ovr));
  return c->ovr[kind][idx];
}

uint32_t *rm_head_slot(uint32_t **arr, uint32_t *cap, uint32_t idx){
  if( idx >= *cap ){
    uint32_t n = *cap ? *cap : 64;
    while( n <= idx ) n *= 2;
    *arr = sb_xrealloc(*arr, n * sizeof(uint32_t));
    for(uint32_t i = *cap; i < n; i++) (*arr)[i] = PF_NONE;
    *cap = n;
  }
  return &(*arr)[idx];
}

uint32_t rm_head(uint32_t *arr, uint32_t cap, uint32_t idx){
  return idx < cap ? arr[idx] : PF_NONE;
}

/* ------------------------------------------------------------------ */
/* Counts, existence, times                                             */

uint32_t rm_count(rm_ctx *c, int kind){
  switch( kind ){
    case RM_PROPERTIES: return c->pf->props.n;
    case RM_UNITS: return c->pf->units.n;
    case RM_TENANTS: return c->pf->res.n;
    case RM_LEASES: return c->Rg + c->nxl;
    case RM_PROSPECTS: return c->pf->apps.n;
    case RM_ISSUES: return c->pf->wos.n;
    case RM_CONTACTS: return c->Rg + c->Ag + c->nxc;
    default: return rm_money_count(c, kind);
  }
}

int rm_exists(rm_ctx *c, int kind, uint32_t idx){
  if( idx >= rm_count(c, kind) ) return 0;
  const rm_ovr *o = rm_ovr_get(c, kind, idx);
  return !o || !o->deleted;
}

uint32_t rm_created(rm_ctx *c, int kind, uint32_t idx){
  const sb_portfolio *pf = c->pf;
  switch( kind ){
    case RM_PROPERTIES: return pf->props.v[idx].created;
    case RM_UNITS: return pf->units.v[idx].created;
    case RM_TENANTS: return pf->res.v[idx].created;
    case RM_LEASES:
      if( idx < c->Rg ) return pf->leases.v[pf->res.v[idx].lease].created;
      return c->xl[idx - c->Rg].created;
    case RM_PROSPECTS: return pf->apps.v[idx].created;
    case RM_ISSUES: return pf->wos.v[idx].created;
    case RM_CONTACTS:
      if( idx < c->Rg ) return pf->res.v[idx].created;
      if( idx < c->Rg + c->Ag ) return pf->apps.v[idx - c->Rg].created;
      return c->xc[idx - c->Rg - c->Ag].created;
    default:
      return rm_money_created(c, kind, idx);
  }
}

uint32_t rm_updated(rm_ctx *c, int kind, uint32_t idx){
  const sb_portfolio *pf = c->pf;
  const rm_ovr *o;
  switch( kind ){
    case RM_PROPERTIES: return pf->props.v[idx].updated;
    case RM_UNITS: return pf->units.v[idx].updated;
    case RM_TENANTS: return pf->res.v[idx].updated;
    case RM_LEASES:
      if( idx >= c->Rg ) return c->xl[idx - c->Rg].updated;
      o = rm_ovr_get(c, kind, idx);
      if( o && o->updated ) return o->updated;
      return pf->leases.v[pf->res.v[idx].lease].updated;
    case RM_PROSPECTS: return pf->apps.v[idx].updated;
    case RM_ISSUES: return pf->wos.v[idx].updated;
    case RM_CONTACTS:
      if( idx >= c->Rg + c->Ag ) return c->xc[idx - c->Rg - c->Ag].updated;
      o = rm_ovr_get(c, kind, idx);
      if( o && o->updated ) return o->updated;
      /* A generated contact was last changed when it was created. */
      return rm_created(c, kind, idx);
    default:
      return rm_money_updated(c, kind, idx);
  }
}

void rm_set_updated(rm_ctx *c, int kind, uint32_t idx, uint32_t t){
  sb_portfolio *pf = c->pf;
  switch( kind ){
    case RM_PROPERTIES: pf->props.v[idx].updated = t; break;
    case RM_UNITS: pf->units.v[idx].updated = t; break;
    case RM_TENANTS: pf->res.v[idx].updated = t; break;
    case RM_PROSPECTS: pf->apps.v[idx].updated = t; break;
    case RM_ISSUES: pf->wos.v[idx].updated = t; break;
    case RM_LEASES:
      if( idx >= c->Rg ) c->xl[idx - c->Rg].updated = t;
      else rm_ovr_make(c, kind, idx)->updated = t;
      break;
    case RM_CONTACTS:
      if( idx >= c->Rg + c->Ag ) c->xc[idx - c->Rg - c->Ag].updated = t;
      else rm_ovr_make(c, kind, idx)->updated = t;
      break;
    default:                    /* the ledger's records are never updated */
      break;
  }
}

void rm_contact_owner(rm_ctx *c, uint32_t idx, int *pkind, uint32_t *parent,
                      int *primary){
  if( idx < c->Rg ){
    *pkind = RM_TENANTS;
    *parent = idx;
    *primary = 1;
  }else if( idx < c->Rg + c->Ag ){
    *pkind = RM_PROSPECTS;
    *parent = idx - c->Rg;
    *primary = 1;
  }else{
    const rm_xcontact *x = &c->xc[idx - c->Rg - c->Ag];
    *pkind = x->pkind;
    *parent = x->parent;
    *primary = x->primary;
  }
}

static uint32_t rm_xc_head(rm_ctx *c, int pkind, uint32_t parent){
  int k = pkind == RM_TENANTS ? 0 : 1;
  return rm_head(c->xc_by_parent[k], c->xc_bp_cap[k], parent);
}

uint32_t rm_primary_contact(rm_ctx *c, int pkind, uint32_t parent){
  if( pkind == RM_TENANTS && parent < c->Rg ) return parent;
  if( pkind == RM_PROSPECTS && parent < c->Ag ) return c->Rg + parent;
  for(uint32_t x = rm_xc_head(c, pkind, parent); x != PF_NONE; x = c->xc[x].next){
    if( c->xc[x].primary && rm_exists(c, RM_CONTACTS, c->Rg + c->Ag + x) ){
      return c->Rg + c->Ag + x;
    }
  }
  return PF_NONE;
}

/* All live contacts of a parent, primary first. */
static int rm_parent_contacts(rm_ctx *c, int pkind, uint32_t parent,
                              uint32_t *out, int max){
  int n = 0;
  uint32_t p = rm_primary_contact(c, pkind, parent);
  if( p != PF_NONE && rm_exists(c, RM_CONTACTS, p) ) out[n++] = p;
  for(uint32_t x = rm_xc_head(c, pkind, parent); x != PF_NONE && n < max; x = c->xc[x].next){
    uint32_t idx = c->Rg + c->Ag + x;
    if( idx != p && rm_exists(c, RM_CONTACTS, idx) ) out[n++] = idx;
  }
  return n;
}

uint32_t rm_unit_property(rm_ctx *c, uint32_t unit){
  return unit < c->pf->units.n ? c->pf->units.v[unit].property : PF_NONE;
}

/* ------------------------------------------------------------------ */
/* Overlay accessors                                                    */

static const cJSON *ov_item(const rm_ovr *o, const char *name){
  return o && o->j ? cJSON_GetObjectItemCaseSensitive(o->j, name) : NULL;
}

/* 1 if the override has the member; *out is its string (NULL for null). */
static int ov_str(const rm_ovr *o, const char *name, const char **out){
  const cJSON *v = ov_item(o, name);
  if( !v ) return 0;
  *out = cJSON_IsString(v) ? v->valuestring : NULL;
  return 1;
}

/* 1 if the override has the member; *has is 0 when it is null. */
static int ov_num(const rm_ovr *o, const char *name, int *has, double *out){
  const cJSON *v = ov_item(o, name);
  if( !v ) return 0;
  *has = cJSON_IsNumber(v);
  *out = *has ? v->valuedouble : 0;
  return 1;
}

static int ov_bool(const rm_ovr *o, const char *name, int *out){
  const cJSON *v = ov_item(o, name);
  if( !cJSON_IsBool(v) ) return 0;
  *out = cJSON_IsTrue(v);
  return 1;
}

/* ------------------------------------------------------------------ */
/* Leases                                                               */

void rm_lease_view(rm_ctx *c, uint32_t idx, rm_lease_v *v){
  const rm_ovr *o = rm_ovr_get(c, RM_LEASES, idx);
  double d;
  int has;
  if( idx < c->Rg ){
    const pf_lease *l = &c->pf->leases.v[c->pf->res.v[idx].lease];
    v->tenant = idx;
    v->unit = l->unit;
    v->movein = l->start;
    v->moveout = l->status == PF_LS_PAST ? l->end : PF_NODATE;
    v->sort = 1;
  }else{
    const rm_xlease *x = &c->xl[idx - c->Rg];
    v->tenant = x->tenant;
    v->unit = x->unit;
    v->movein = x->movein;
    v->moveout = x->moveout;
    v->sort = 1;
  }
  if( ov_num(o, "MoveInDate", &has, &d) ) v->movein = has ? (int32_t)d : PF_NODATE;
  if( ov_num(o, "MoveOutDate", &has, &d) ) v->moveout = has ? (int32_t)d : PF_NODATE;
  if( ov_num(o, "SortOrder", &has, &d) ) v->sort = has ? (int64_t)d : 0;
  v->prop = rm_unit_property(c, v->unit);
}

int rm_tenant_leases(rm_ctx *c, uint32_t tenant, uint32_t *out, int max){
  int n = 0;
  if( tenant < c->Rg && n < max ) out[n++] = tenant;
  for(uint32_t x = rm_head(c->xl_by_tenant, c->xl_bt_cap, tenant);
      x != PF_NONE && n < max; x = c->xl[x].next_t){
    if( rm_exists(c, RM_LEASES, c->Rg + x) ) out[n++] = c->Rg + x;
  }
  return n;
}

int rm_lease_is_current(rm_ctx *c, uint32_t lease){
  rm_lease_v v;
  int32_t today = rm_today(c);
  rm_lease_view(c, lease, &v);
  return v.movein != PF_NODATE && v.movein <= today
         && (v.moveout == PF_NODATE || v.moveout >= today);
}

static const char *rm_tenant_status(rm_ctx *c, uint32_t tenant){
  uint32_t ls[16];
  int n = rm_tenant_leases(c, tenant, ls, 16), future = 0;
  int32_t today = rm_today(c);
  for(int i = 0; i < n; i++){
    rm_lease_v v;
    rm_lease_view(c, ls[i], &v);
    if( v.movein != PF_NODATE && v.movein <= today
        && (v.moveout == PF_NODATE || v.moveout >= today) ) return "Current";
    if( v.movein == PF_NODATE || v.movein > today ) future = 1;
  }
  if( n == 0 || future ) return "Future";
  return "Past";
}

int rm_unit_occupants(rm_ctx *c, uint32_t unit, uint32_t *out, int max){
  int n = 0;
  const sb_portfolio *pf = c->pf;
  if( unit < pf->leases.gen ){
    for(uint32_t r = pf->leases.v[unit].first_res; r != PF_NONE && n < max; r = pf->res.v[r].next){
      if( r < c->Rg && pf->res.v[r].lease == unit && rm_exists(c, RM_TENANTS, r)
          && rm_lease_is_current(c, r) ){
        rm_lease_v v;
        rm_lease_view(c, r, &v);
        if( v.unit == unit ) out[n++] = r;
      }
    }
  }
  for(uint32_t x = rm_head(c->xl_by_unit, c->xl_bu_cap, unit);
      x != PF_NONE && n < max; x = c->xl[x].next_u){
    uint32_t t = c->xl[x].tenant;
    int dup = 0;
    if( !rm_exists(c, RM_LEASES, c->Rg + x) || !rm_lease_is_current(c, c->Rg + x) ) continue;
    for(int i = 0; i < n; i++) dup |= out[i] == t;
    if( !dup ) out[n++] = t;
  }
  return n;
}

/* ------------------------------------------------------------------ */
/* Lookup lists                                                         */

const char *rm_phone_type_name(int64_t id){
  static const char *const names[] = { "Home", "Work", "Cell", "Fax", "Other" };
  return id >= 1 && id <= RM_NPHONE_TYPES ? names[id - 1] : NULL;
}

int rm_valid_addr_type(int64_t id){
  return id >= 1 && id <= RM_NADDR_TYPES;
}

int rm_valid_contact_type(int64_t id){
  return id >= 1 && id <= RM_NCONTACT_TYPES;
}

static const char *rm_contact_type_name(int64_t id){
  static const char *const names[] = {
    "Tenant", "Prospect", "Roommate", "Co-Signer", "Emergency Contact", "Other"
  };
  return id >= 1 && id <= RM_NCONTACT_TYPES ? names[id - 1] : NULL;
}

/* ------------------------------------------------------------------ */
/* Addresses and phones                                                 */

static uint32_t rm_alt_digits(uint32_t d, uint32_t salt){
  return 2000000 + (uint32_t)(sb_mix64((uint64_t)d * 31 + salt) % 8000000);
}

static void rm_prop_street(rm_ctx *c, uint32_t p, rm_addr *a, rm_scratch *s){
  char tmp[128];
  const pf_property *r = &c->pf->props.v[p];
  const pf_city *city = pf_city_at(r->city);
  a->street = rm_keep(s, pf_fmt_street(tmp, sizeof(tmp), r));
  a->city = city->name;
  a->state = city->state;
  a->postal = rm_keep(s, pf_fmt_postal(tmp, sizeof(tmp), c->pf, p));
}

static int rm_addrs_from_json(const cJSON *arr, rm_addr *out){
  const cJSON *it;
  int n = 0;
  cJSON_ArrayForEach(it, arr){
    if( n == RM_MAX_ADDRS ) break;
    rm_addr *a = &out[n++];
    const cJSON *v;
    memset(a, 0, sizeof(*a));
    a->id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(it, "AddressID"));
    v = cJSON_GetObjectItemCaseSensitive(it, "AddressTypeID");
    a->type = cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
    a->street = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "Street"));
    a->city = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "City"));
    a->state = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "State"));
    a->postal = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "PostalCode"));
    a->primary = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "IsPrimary"));
    a->billing = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "IsBilling"));
  }
  return n;
}

int rm_addresses(rm_ctx *c, int kind, uint32_t idx, rm_addr *out, rm_scratch *s){
  const rm_ovr *o = rm_ovr_get(c, kind, idx);
  char num[16];
  if( o && o->addrs ) return rm_addrs_from_json(o->addrs, out);
  memset(out, 0, sizeof(*out));
  out->primary = 1;
  switch( kind ){
    case RM_PROPERTIES:
      if( idx >= c->Pg ) return 0;
      out->id = (int64_t)idx + 1;
      out->type = 1;
      rm_prop_street(c, idx, out, s);
      return 1;
    case RM_UNITS: {
      if( idx >= c->Ug ) return 0;
      const pf_unit *u = &c->pf->units.v[idx];
      out->id = (int64_t)c->Pg + idx + 1;
      out->type = 1;
      rm_prop_street(c, u->property, out, s);
      out->street = rm_sfmt(s, "%s\r\nUnit %s", out->street,
                            pf_fmt_unit_number(num, sizeof(num), u));
      return 1;
    }
    case RM_TENANTS: {
      if( idx >= c->Rg ) return 0;
      const pf_lease *l = &c->pf->leases.v[c->pf->res.v[idx].lease];
      const pf_unit *u = &c->pf->units.v[l->unit];
      out->id = (int64_t)c->Pg + c->Ug + idx + 1;
      out->type = 2;
      rm_prop_street(c, u->property, out, s);
      out->street = rm_sfmt(s, "%s\r\nUnit %s", out->street,
                            pf_fmt_unit_number(num, sizeof(num), u));
      return 1;
    }
    default:
      return 0;
  }
}

static int rm_phones_from_json(const cJSON *arr, rm_phone *out){
  const cJSON *it;
  int n = 0;
  cJSON_ArrayForEach(it, arr){
    if( n == RM_MAX_PHONES ) break;
    rm_phone *p = &out[n++];
    p->id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(it, "PhoneNumberID"));
    p->type = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(it, "PhoneNumberTypeID"));
    p->number = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "PhoneNumber"));
    p->ext = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "Extension"));
    p->primary = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "IsPrimary"));
  }
  return n;
}

int rm_phones(rm_ctx *c, uint32_t contact, rm_phone *out, rm_scratch *s){
  const rm_ovr *o = rm_ovr_get(c, RM_CONTACTS, contact);
  char tmp[32];
  int n = 0;
  if( o && o->phones ) return rm_phones_from_json(o->phones, out);
  if( contact < c->Rg ){
    const pf_resident *r = &c->pf->res.v[contact];
    int64_t base = (int64_t)contact * 3;
    out[n++] = (rm_phone){ base + 1, RM_PT_CELL,
                           rm_keep(s, pf_fmt_phone(tmp, sizeof(tmp), r->phone)), NULL, 1 };
    if( r->flags & PF_RES_HOME_PHONE ){
      out[n++] = (rm_phone){ base + 2, RM_PT_HOME,
                             rm_keep(s, pf_fmt_phone(tmp, sizeof(tmp), r->phone2)), NULL, 0 };
    }
    if( r->flags & PF_RES_WORK_PHONE ){
      out[n++] = (rm_phone){ base + 3, RM_PT_WORK,
                             rm_keep(s, pf_fmt_phone(tmp, sizeof(tmp), rm_alt_digits(r->phone2, 1))),
                             NULL, 0 };
    }
  }else if( contact < c->Rg + c->Ag ){
    const pf_applicant *a = &c->pf->apps.v[contact - c->Rg];
    out[n++] = (rm_phone){ (int64_t)c->Rg * 3 + (contact - c->Rg) + 1, RM_PT_CELL,
                           rm_keep(s, pf_fmt_phone(tmp, sizeof(tmp), a->phone)), NULL, 1 };
  }
  return n;
}

/* ------------------------------------------------------------------ */
/* Field tables                                                         */

enum { PR_ID, PR_NAME, PR_SHORT, PR_BILLING, PR_MANAGER, PR_ACTIVE, PR_TYPE,
       PR_EMAIL, PR_COMMENT, PR_UNITS, PR_OCC, PR_VACANT, PR_CONC, PR_CDATE,
       PR_CUSER, PR_UDATE, PR_UUSER, PR_N };
static const rm_field rm_f_props[PR_N] = {
  { "PropertyID", RT_INT }, { "Name", RT_STR }, { "ShortName", RT_STR },
  { "BillingName1", RT_STR }, { "ManagerName", RT_STR }, { "IsActive", RT_BOOL },
  { "PropertyType", RT_STR }, { "Email", RT_STR }, { "Comment", RT_STR },
  { "UnitCount", RT_INT }, { "OccupiedUnitCount", RT_INT },
  { "VacantUnitCount", RT_INT }, { "ConcurrencyID", RT_INT },
  { "CreateDate", RT_TIME }, { "CreateUserID", RT_INT },
  { "UpdateDate", RT_TIME }, { "UpdateUserID", RT_INT },
};

enum { UN_ID, UN_PROP, UN_NAME, UN_COMMENT, UN_TYPE, UN_SORT, UN_BEDS,
       UN_BATHS, UN_SQFT, UN_RENT, UN_CDATE, UN_CUSER, UN_UDATE, UN_UUSER,
       UN_N };
static const rm_field rm_f_units[UN_N] = {
  { "UnitID", RT_INT }, { "PropertyID", RT_INT }, { "Name", RT_STR },
  { "Comment", RT_STR }, { "UnitTypeID", RT_INT }, { "SortOrder", RT_INT },
  { "Bedrooms", RT_INT }, { "Bathrooms", RT_NUM }, { "SquareFootage", RT_INT },
  { "MarketRent", RT_MONEY }, { "CreateDate", RT_TIME },
  { "CreateUserID", RT_INT }, { "UpdateDate", RT_TIME },
  { "UpdateUserID", RT_INT },
};

enum { TE_ID, TE_DISPLAY, TE_NAME, TE_FIRST, TE_LAST, TE_WEB, TE_COMMENT,
       TE_DUEDAY, TE_PERIOD, TE_PROP, TE_PSTART, TE_PEND, TE_CDATE, TE_CUSER,
       TE_UDATE, TE_UUSER, TE_STATUS, TE_FIRSTCONTACT, TE_NOLATE, TE_N };
static const rm_field rm_f_tenants[TE_N] = {
  { "TenantID", RT_INT }, { "TenantDisplayID", RT_INT }, { "Name", RT_STR },
  { "FirstName", RT_STR }, { "LastName", RT_STR }, { "WebMessage", RT_STR },
  { "Comment", RT_STR }, { "RentDueDay", RT_INT }, { "RentPeriod", RT_STR },
  { "PropertyID", RT_INT }, { "PostingStartDate", RT_TIME },
  { "PostingEndDate", RT_TIME }, { "CreateDate", RT_TIME },
  { "CreateUserID", RT_INT }, { "UpdateDate", RT_TIME },
  { "UpdateUserID", RT_INT }, { "Status", RT_STR },
  { "FirstContact", RT_TIME }, { "DoNotChargeLateFees", RT_BOOL },
};

enum { LE_ID, LE_TENANT, LE_UNIT, LE_PROP, LE_IN, LE_OUT, LE_SORT, LE_CDATE,
       LE_CUSER, LE_UDATE, LE_UUSER, LE_N };
static const rm_field rm_f_leases[LE_N] = {
  { "LeaseID", RT_INT }, { "TenantID", RT_INT }, { "UnitID", RT_INT },
  { "PropertyID", RT_INT }, { "MoveInDate", RT_TIME },
  { "MoveOutDate", RT_TIME }, { "SortOrder", RT_INT },
  { "CreateDate", RT_TIME }, { "CreateUserID", RT_INT },
  { "UpdateDate", RT_TIME }, { "UpdateUserID", RT_INT },
};

enum { PS_ID, PS_DISPLAY, PS_PROP, PS_NAME, PS_FIRST, PS_LAST, PS_WEB,
       PS_COMMENT, PS_CDATE, PS_CUSER, PS_UDATE, PS_UUSER, PS_STATUS, PS_LOST,
       PS_CHANGED, PS_FIRSTCONTACT, PS_LASTHIST, PS_N };
static const rm_field rm_f_prospects[PS_N] = {
  { "ProspectID", RT_INT }, { "ProspectDisplayID", RT_INT },
  { "PropertyID", RT_INT }, { "Name", RT_STR }, { "FirstName", RT_STR },
  { "LastName", RT_STR }, { "WebMessage", RT_STR }, { "Comment", RT_STR },
  { "CreateDate", RT_TIME }, { "CreateUserID", RT_INT },
  { "UpdateDate", RT_TIME }, { "UpdateUserID", RT_INT },
  { "ProspectStatus", RT_STR }, { "ProspectLostReasonDescription", RT_STR },
  { "LastStatusChangedDate", RT_TIME }, { "FirstContact", RT_TIME },
  { "LastHistoryItem", RT_TIME },
};

enum { IS_ID, IS_TITLE, IS_DESC, IS_PROP, IS_UNIT, IS_TENANT, IS_PRIO,
       IS_STATUS, IS_CLOSED, IS_DUE, IS_OPEN, IS_CLOSE, IS_CDATE, IS_CUSER,
       IS_UDATE, IS_UUSER, IS_N };
static const rm_field rm_f_issues[IS_N] = {
  { "ServiceManagerIssueID", RT_INT }, { "Title", RT_STR },
  { "Description", RT_STR }, { "PropertyID", RT_INT }, { "UnitID", RT_INT },
  { "TenantID", RT_INT }, { "PriorityID", RT_INT }, { "StatusID", RT_INT },
  { "IsClosed", RT_BOOL }, { "DueDate", RT_TIME }, { "OpenDate", RT_TIME },
  { "CloseDate", RT_TIME }, { "CreateDate", RT_TIME },
  { "CreateUserID", RT_INT }, { "UpdateDate", RT_TIME },
  { "UpdateUserID", RT_INT },
};

enum { CO_ID, CO_FIRST, CO_LAST, CO_MIDDLE, CO_PRIMARY, CO_TYPEID, CO_TYPE,
       CO_DOB, CO_TAXID, CO_COMMENT, CO_EMAIL, CO_VEHICLE, CO_PARENT, CO_PTYPE, CO_CDATE,
       CO_CUSER, CO_UDATE, CO_UUSER, CO_N };
static const rm_field rm_f_contacts[CO_N] = {
  { "ContactID", RT_INT }, { "FirstName", RT_STR }, { "LastName", RT_STR },
  { "MiddleName", RT_STR }, { "IsPrimary", RT_BOOL },
  { "ContactTypeID", RT_INT }, { "ContactType", RT_STR },
  { "DateOfBirth", RT_TIME }, { "FederalTaxID", RT_STR },
  { "Comment", RT_STR }, { "Email", RT_STR }, { "Vehicle", RT_STR },
  { "ParentID", RT_INT },
  { "ParentType", RT_STR }, { "CreateDate", RT_TIME },
  { "CreateUserID", RT_INT }, { "UpdateDate", RT_TIME },
  { "UpdateUserID", RT_INT },
};

static const rm_embed rm_e_props[] = {
  { "Addresses", RE_ADDRESSES, "Addresses" },
  { "PrimaryAddress", RE_PRIMARY_ADDRESS, "PrimaryAddress" },
  { NULL, 0, NULL }
};
static const rm_embed rm_e_units[] = {
  { "Addresses", RE_ADDRESSES, "Addresses" },
  { "CurrentOccupants", RE_OCCUPANTS, "CurrentOccupants" },
  { NULL, 0, NULL }
};
static const rm_embed rm_e_tenants[] = {
  { "Addresses", RE_ADDRESSES, "Addresses" },
  { "Contacts", RE_CONTACTS, "Contacts" },
  { "Contacts.PhoneNumbers", RE_CONTACTS | RE_CONTACT_PHONES, "Contacts" },
  { "Contacts.PhoneNumbers.PhoneNumberType", RE_CONTACTS | RE_CONTACT_PHONES, "Contacts" },
  { "PrimaryContact", RE_PRIMARY, "PrimaryContact" },
  { "PrimaryContact.PhoneNumbers", RE_PRIMARY | RE_PRIMARY_PHONES, "PrimaryContact" },
  { "PrimaryContact.PhoneNumbers.PhoneNumberType", RE_PRIMARY | RE_PRIMARY_PHONES, "PrimaryContact" },
  { "Leases", RE_LEASES, "Leases" },
  { "Balance", RE_BALANCE, "Balance" },
  { NULL, 0, NULL }
};
static const rm_embed rm_e_prospects[] = {
  { "Addresses", RE_ADDRESSES, "Addresses" },
  { "Contacts", RE_CONTACTS, "Contacts" },
  { "Contacts.PhoneNumbers", RE_CONTACTS | RE_CONTACT_PHONES, "Contacts" },
  { "Contacts.PhoneNumbers.PhoneNumberType", RE_CONTACTS | RE_CONTACT_PHONES, "Contacts" },
  { "PrimaryContact", RE_PRIMARY, "PrimaryContact" },
  { "PrimaryContact.PhoneNumbers", RE_PRIMARY | RE_PRIMARY_PHONES, "PrimaryContact" },
  { "PrimaryContact.PhoneNumbers.PhoneNumberType", RE_PRIMARY | RE_PRIMARY_PHONES, "PrimaryContact" },
  { NULL, 0, NULL }
};
static const rm_embed rm_e_none[] = { { NULL, 0, NULL } };
static const rm_embed rm_e_contacts[] = {
  { "PhoneNumbers", RE_PHONES, "PhoneNumbers" },
  { "PhoneNumbers.PhoneNumberType", RE_PHONES, "PhoneNumbers" },
  { NULL, 0, NULL }
};

const rm_kind rm_kinds[RM_NKINDS] = {
  { "Properties", "Property", rm_f_props, PR_N, rm_e_props },
  { "Units", "Unit", rm_f_units, UN_N, rm_e_units },
  { "Tenants", "Tenant", rm_f_tenants, TE_N, rm_e_tenants },
  { "Leases", "Lease", rm_f_leases, LE_N, rm_e_none },
  { "Prospects", "Prospect", rm_f_prospects, PS_N, rm_e_prospects },
  { "ServiceManagerIssues", "ServiceManagerIssue", rm_f_issues, IS_N, rm_e_none },
  { "Contacts", "Contact", rm_f_contacts, CO_N, rm_e_contacts },
  { "Charges", "Charge", rm_f_charges, CH_N, rm_e_none },
  { "Payments", "Payment", rm_f_payments, PA_N, rm_e_none },
  { "RecurringCharges", "RecurringCharge", rm_f_recurring, RC_N, rm_e_none },
  { "ChargeTypes", "ChargeType", rm_f_chargetypes, CT_N, rm_e_none },
  { "Vendors", "Vendor", rm_f_vendors, VE_N, rm_e_none },
};

int rm_field_index(int kind, const char *name){
  const rm_kind *k = &rm_kinds[kind];
  for(int i = 0; i < k->nfields; i++){
    if( strcasecmp(k->fields[i].name, name) == 0 ) return i;
  }
  return -1;
}

int rm_field_cheap(int kind, int f){
  const char *n = rm_kinds[kind].fields[f].name;
  return f == 0 || strcmp(n, "CreateDate") == 0 || strcmp(n, "UpdateDate") == 0;
}

/* ------------------------------------------------------------------ */
/* Views                                                                */

typedef struct rm_prop_v {
  const char *name, *short_name, *type, *email, *comment, *manager, *billing;
  int active;
  int64_t units, occupied;
} rm_prop_v;

typedef struct rm_unit_v {
  const char *name, *comment;
  int has_type, has_beds, has_baths, has_sqft, has_rent;
  int64_t type, sort, beds, sqft, rent_cents;
  double baths;
} rm_unit_v;

typedef struct rm_tenant_v {
  const char *first, *last, *name, *comment, *web, *period, *status;
  int has_due;
  int64_t due;
  uint32_t prop;
  int nolate;
} rm_tenant_v;

typedef struct rm_prospect_v {
  const char *first, *last, *name, *comment, *web, *status, *lost;
  uint32_t prop;
  int64_t last_hist;            /* INT64_MIN = none */
} rm_prospect_v;

typedef struct rm_issue_v {
  const char *title, *desc;
  uint32_t prop, unit, tenant;
  int64_t prio, status;
  int32_t due;
} rm_issue_v;

typedef struct rm_contact_v {
  int pkind, primary;
  uint32_t parent;
  const char *first, *last, *middle, *email, *comment, *taxid;
  const char *vehicle;      /* free text: "2019 Toyota Camry, Silver, TX ABC1234" */
  int32_t dob;
  int64_t ctype;
} rm_contact_v;

struct rm_view {
  rm_scratch s;
  union {
    rm_prop_v p;
    rm_unit_v u;
    rm_tenant_v t;
    rm_lease_v l;
    rm_prospect_v a;
    rm_issue_v w;
    rm_contact_v k;
    rm_money_v m;
  } v;
};

rm_view *rm_view_new(void){
  return sb_xmalloc(sizeof(rm_view));
}

void rm_view_free(rm_view *v){
  free(v);
}

static const char *rm_join_name(rm_scratch *s, const char *first, const char *last){
  if( first && *first && last && *last ) return rm_sfmt(s, "%s %s", first, last);
  if( first && *first ) return first;
  return last ? last : "";
}

/* Initials of the name's words plus the id: "Oak Ridge Apartments" -> ORA-1 */
static const char *rm_short_name(rm_scratch *s, const char *name, uint32_t p){
  char out[24];
  size_t n = 0;
  int word = 1;
  for(const char *q = name; *q && n < 8; q++){
    unsigned char ch = (unsigned char)*q;
    if( ch == ' ' ){ word = 1; continue; }
    if( word && isalpha(ch) ) out[n++] = (char)toupper(ch);
    word = 0;
  }
  snprintf(out + n, sizeof(out) - n, "-%u", (unsigned)(p + 1));
  return rm_keep(s, out);
}

static int64_t rm_prop_occupied(rm_ctx *c, uint32_t p){
  const pf_property *r = &c->pf->props.v[p];
  uint32_t occ[4];
  int64_t n = 0;
  for(uint32_t k = r->first_unit; k < r->first_unit + r->gen_units && p < c->Pg; k++){
    if( rm_exists(c, RM_UNITS, k) && rm_unit_occupants(c, k, occ, 1) ) n++;
  }
  for(uint32_t k = c->Ug; k < c->pf->units.n; k++){
    if( c->pf->units.v[k].property == p && rm_exists(c, RM_UNITS, k)
        && rm_unit_occupants(c, k, occ, 1) ) n++;
  }
  return n;
}

static void rm_fill_prop(rm_ctx *c, uint32_t p, rm_prop_v *v, rm_scratch *s){
  const rm_ovr *o = rm_ovr_get(c, RM_PROPERTIES, p);
  const pf_property *r = &c->pf->props.v[p];
  char tmp[160];
  static const char *const types[] = { "Multi-Family", "Condo/Townhome", "Single Family" };
  memset(v, 0, sizeof(*v));
  if( p < c->Pg ){
    const pf_staff *st = pf_staff_at(r->manager);
    v->name = rm_keep(s, pf_fmt_property_name(tmp, sizeof(tmp), c->pf, p));
    v->short_name = rm_short_name(s, v->name, p);
    v->type = types[r->subtype % 3];
    v->email = st ? st->email : NULL;
    v->manager = st ? rm_sfmt(s, "%s %s", st->first, st->last) : NULL;
    v->comment = (r->flags & PF_PROP_DESC) ? pf_prop_desc(r->desc) : NULL;
  }
  v->active = !(r->flags & PF_PROP_INACTIVE);
  ov_str(o, "Name", &v->name);
  ov_str(o, "ShortName", &v->short_name);
  ov_str(o, "Email", &v->email);
  ov_str(o, "Comment", &v->comment);
  ov_str(o, "ManagerName", &v->manager);
  ov_bool(o, "IsActive", &v->active);
  v->billing = v->name;
  ov_str(o, "BillingName1", &v->billing);
  v->units = r->nunits;
  v->occupied = rm_prop_occupied(c, p);
}

static void rm_fill_unit(rm_ctx *c, uint32_t k, rm_unit_v *v, rm_scratch *s){
  const rm_ovr *o = rm_ovr_get(c, RM_UNITS, k);
  const pf_unit *u = &c->pf->units.v[k];
  char num[16];
  double d;
  int has;
  memset(v, 0, sizeof(*v));
  if( k < c->Ug ){
    v->name = rm_keep(s, pf_fmt_unit_number(num, sizeof(num), u));
    v->comment = (u->flags & PF_UNIT_DESC) ? pf_unit_desc(u->desc) : NULL;
    v->has_type = v->has_beds = v->has_baths = v->has_rent = 1;
    v->type = u->beds + 1;
    v->sort = k % PF_UNITS_PER_PROPERTY + 1;
    v->beds = u->beds;
    v->baths = u->baths / 2.0;
    v->has_sqft = !(u->flags & PF_UNIT_NO_SIZE);
    v->sqft = u->size;
    v->rent_cents = u->market_rent_cents;
  }
  ov_str(o, "Name", &v->name);
  ov_str(o, "Comment", &v->comment);
  if( ov_num(o, "UnitTypeID", &has, &d) ){ v->has_type = has; v->type = (int64_t)d; }
  if( ov_num(o, "SortOrder", &has, &d) ) v->sort = (int64_t)d;
  if( ov_num(o, "Bedrooms", &has, &d) ){ v->has_beds = has; v->beds = (int64_t)d; }
  if( ov_num(o, "Bathrooms", &has, &d) ){ v->has_baths = has; v->baths = d; }
  if( ov_num(o, "SquareFootage", &has, &d) ){ v->has_sqft = has; v->sqft = (int64_t)d; }
  if( ov_num(o, "MarketRent", &has, &d) ){ v->has_rent = has; v->rent_cents = sb_llround(d * 100); }
}

static void rm_fill_tenant(rm_ctx *c, uint32_t i, rm_tenant_v *v, rm_scratch *s){
  const rm_ovr *o = rm_ovr_get(c, RM_TENANTS, i);
  double d;
  int has;
  memset(v, 0, sizeof(*v));
  v->prop = PF_NONE;
  v->period = "Monthly";
  v->has_due = 1;
  v->due = 1;
  if( i < c->Rg ){
    const pf_resident *r = &c->pf->res.v[i];
    const pf_lease *l = &c->pf->leases.v[r->lease];
    v->first = pf_first_name(r->first);
    v->last = pf_last_name(r->last);
    v->comment = (r->flags & PF_RES_COMMENT) ? pf_comment_text(r->comment) : NULL;
    v->due = l->due_day;
    v->prop = rm_unit_property(c, l->unit);
  }
  ov_str(o, "FirstName", &v->first);
  ov_str(o, "LastName", &v->last);
  ov_str(o, "Comment", &v->comment);
  ov_str(o, "WebMessage", &v->web);
  ov_str(o, "RentPeriod", &v->period);
  ov_bool(o, "DoNotChargeLateFees", &v->nolate);
  if( ov_num(o, "RentDueDay", &has, &d) ){ v->has_due = has; v->due = (int64_t)d; }
  if( ov_num(o, "PropertyID", &has, &d) && has ) v->prop = (uint32_t)(d - 1);
  v->name = rm_join_name(s, v->first, v->last);
  v->status = rm_tenant_status(c, i);
}

static void rm_fill_prospect(rm_ctx *c, uint32_t a, rm_prospect_v *v, rm_scratch *s){
  static const char *const status[] = {
    "New", "Applied", "Approved", "Denied", "Cancelled", "On Hold", "Converted"
  };
  const rm_ovr *o = rm_ovr_get(c, RM_PROSPECTS, a);
  const pf_applicant *p = &c->pf->apps.v[a];
  double d;
  int has;
  memset(v, 0, sizeof(*v));
  v->prop = PF_NONE;
  v->last_hist = INT64_MIN;
  v->status = "New";
  if( a < c->Ag ){
    v->first = pf_first_name(p->first);
    v->last = pf_last_name(p->last);
    v->status = status[p->status % 7];
    if( p->status == PF_AS_REJECTED ) v->lost = "Did not meet screening criteria";
    if( p->status == PF_AS_CANCELLED ) v->lost = "Chose another property";
    if( p->submitted ) v->last_hist = p->submitted;
  }
  if( p->unit != PF_NONE ) v->prop = rm_unit_property(c, p->unit);
  ov_str(o, "FirstName", &v->first);
  ov_str(o, "LastName", &v->last);
  ov_str(o, "Comment", &v->comment);
  ov_str(o, "WebMessage", &v->web);
  if( ov_num(o, "PropertyID", &has, &d) && has ) v->prop = (uint32_t)(d - 1);
  v->name = rm_join_name(s, v->first, v->last);
}

static void rm_fill_issue(rm_ctx *c, uint32_t w, rm_issue_v *v, rm_scratch *s){
  const rm_ovr *o = rm_ovr_get(c, RM_ISSUES, w);
  const pf_workorder *r = &c->pf->wos.v[w];
  static const int64_t status_ids[] = { 1, 2, 3, 4, 5 };
  double d;
  int has;
  (void)s;
  memset(v, 0, sizeof(*v));
  v->unit = r->unit;
  v->prop = r->unit != PF_NONE ? rm_unit_property(c, r->unit) : PF_NONE;
  v->tenant = r->resident;
  v->due = PF_NODATE;
  v->prio = 2;
  v->status = 1;
  if( w < c->pf->wos.gen ){
    v->title = pf_wo_title(r->title);
    v->desc = pf_wo_details(w);
    v->prio = r->priority + 1;
    v->status = status_ids[r->status % 5];
    v->due = r->due;
  }
  ov_str(o, "Title", &v->title);
  ov_str(o, "Description", &v->desc);
  if( ov_num(o, "PriorityID", &has, &d) && has ) v->prio = (int64_t)d;
  if( ov_num(o, "StatusID", &has, &d) && has ) v->status = (int64_t)d;
  if( ov_num(o, "DueDate", &has, &d) ) v->due = has ? (int32_t)d : PF_NODATE;
  if( ov_num(o, "PropertyID", &has, &d) && has ) v->prop = (uint32_t)(d - 1);
}

static void rm_fill_contact(rm_ctx *c, uint32_t idx, rm_contact_v *v, rm_scratch *s){
  const rm_ovr *o = rm_ovr_get(c, RM_CONTACTS, idx);
  char tmp[160];
  double d;
  int has;
  memset(v, 0, sizeof(*v));
  v->dob = PF_NODATE;
  rm_contact_owner(c, idx, &v->pkind, &v->parent, &v->primary);
  v->ctype = v->pkind == RM_TENANTS ? 1 : 2;
  if( !v->primary ) v->ctype = 6;
  if( idx < c->Rg ){
    const pf_resident *r = &c->pf->res.v[idx];
    v->first = pf_first_name(r->first);
    v->last = pf_last_name(r->last);
    v->email = rm_keep(s, pf_fmt_email(tmp, sizeof(tmp), r->first, r->last,
                                       r->email_no, "example.com"));
    v->dob = r->dob;
    if( r->flags & PF_RES_TAXID ) v->taxid = rm_keep(s, pf_fmt_taxid(tmp, sizeof(tmp), r, idx));
    pf_vehicle car;
    if( pf_resident_vehicle(c->pf, idx, &car) ){
      snprintf(tmp, sizeof(tmp), "%d %s %s, %s, %s %s", car.year, car.make, car.model,
               car.color, car.plate_state, car.plate);
      v->vehicle = rm_keep(s, tmp);
    }
  }else if( idx < c->Rg + c->Ag ){
    const pf_applicant *a = &c->pf->apps.v[idx - c->Rg];
    v->first = pf_first_name(a->first);
    v->last = pf_last_name(a->last);
    v->email = rm_keep(s, pf_fmt_email(tmp, sizeof(tmp), a->first, a->last,
                                       a->email_no, "example.com"));
  }
  ov_str(o, "FirstName", &v->first);
  ov_str(o, "LastName", &v->last);
  ov_str(o, "MiddleName", &v->middle);
  ov_str(o, "Email", &v->email);
  ov_str(o, "Comment", &v->comment);
  ov_str(o, "FederalTaxID", &v->taxid);
  if( ov_num(o, "DateOfBirth", &has, &d) ) v->dob = has ? (int32_t)d : PF_NODATE;
  if( ov_num(o, "ContactTypeID", &has, &d) && has ) v->ctype = (int64_t)d;
}

void rm_view_fill(rm_ctx *c, int kind, uint32_t idx, rm_view *v){
  v->s.n = 0;
  switch( kind ){
    case RM_PROPERTIES: rm_fill_prop(c, idx, &v->v.p, &v->s); break;
    case RM_UNITS: rm_fill_unit(c, idx, &v->v.u, &v->s); break;
    case RM_TENANTS: rm_fill_tenant(c, idx, &v->v.t, &v->s); break;
    case RM_LEASES: rm_lease_view(c, idx, &v->v.l); break;
    case RM_PROSPECTS: rm_fill_prospect(c, idx, &v->v.a, &v->s); break;
    case RM_ISSUES: rm_fill_issue(c, idx, &v->v.w, &v->s); break;
    case RM_CONTACTS: rm_fill_contact(c, idx, &v->v.k, &v->s); break;
    default: rm_money_fill(c, kind, idx, &v->v.m); break;
  }
}

/* ------------------------------------------------------------------ */
/* Values                                                               */


void rm_value(rm_ctx *c, int kind, uint32_t idx, const rm_view *vw, int f,
              rm_val *o){
  const char *name = rm_kinds[kind].fields[f].name;
  memset(o, 0, sizeof(*o));
  if( f == 0 ){
    V_INT(o, (int64_t)idx + 1);
    return;
  }
  if( strcmp(name, "CreateDate") == 0 ){ V_INT(o, rm_created(c, kind, idx)); return; }
  if( strcmp(name, "UpdateDate") == 0 ){ V_INT(o, rm_updated(c, kind, idx)); return; }
  if( strcmp(name, "CreateUserID") == 0 || strcmp(name, "UpdateUserID") == 0 ){
    V_INT(o, 1);
    return;
  }
  switch( kind ){
    case RM_PROPERTIES: {
      const rm_prop_v *v = &vw->v.p;
      const rm_ovr *ov = rm_ovr_get(c, kind, idx);
      switch( f ){
        case PR_NAME: V_STR(o, v->name); break;
        case PR_SHORT: V_STR(o, v->short_name); break;
        case PR_BILLING: V_STR(o, v->billing); break;
        case PR_MANAGER: V_STR(o, v->manager); break;
        case PR_ACTIVE: V_INT(o, v->active); break;
        case PR_TYPE: V_STR(o, v->type); break;
        case PR_EMAIL: V_STR(o, v->email); break;
        case PR_COMMENT: V_STR(o, v->comment); break;
        case PR_UNITS: V_INT(o, v->units); break;
        case PR_OCC: V_INT(o, v->occupied); break;
        case PR_VACANT: V_INT(o, v->units - v->occupied); break;
        case PR_CONC: V_INT(o, 1 + (ov ? ov->conc : 0)); break;
      }
      return;
    }
    case RM_UNITS: {
      const rm_unit_v *v = &vw->v.u;
      switch( f ){
        case UN_PROP: V_ID(o, rm_unit_property(c, idx)); break;
        case UN_NAME: V_STR(o, v->name); break;
        case UN_COMMENT: V_STR(o, v->comment); break;
        case UN_TYPE: V_INT(o, v->type); o->null = !v->has_type; break;
        case UN_SORT: V_INT(o, v->sort); break;
        case UN_BEDS: V_INT(o, v->beds); o->null = !v->has_beds; break;
        case UN_BATHS: o->d = v->baths; o->null = !v->has_baths; break;
        case UN_SQFT: V_INT(o, v->sqft); o->null = !v->has_sqft; break;
        case UN_RENT: V_INT(o, v->rent_cents); o->null = !v->has_rent; break;
      }
      return;
    }
    case RM_TENANTS: {
      const rm_tenant_v *v = &vw->v.t;
      switch( f ){
        case TE_DISPLAY: V_INT(o, (int64_t)idx + 1); break;
        case TE_NAME: V_STR(o, v->name); break;
        case TE_FIRST: V_STR(o, v->first); break;
        case TE_LAST: V_STR(o, v->last); break;
        case TE_WEB: V_STR(o, v->web); break;
        case TE_COMMENT: V_STR(o, v->comment); break;
        case TE_DUEDAY: V_INT(o, v->due); o->null = !v->has_due; break;
        case TE_PERIOD: V_STR(o, v->period); break;
        case TE_PROP: V_ID(o, v->prop); break;
        case TE_PSTART: case TE_PEND: o->null = 1; break;
        case TE_STATUS: V_STR(o, v->status); break;
        case TE_FIRSTCONTACT: V_INT(o, rm_created(c, kind, idx)); break;
        case TE_NOLATE: V_INT(o, v->nolate); break;
      }
      return;
    }
    case RM_LEASES: {
      const rm_lease_v *v = &vw->v.l;
      switch( f ){
        case LE_TENANT: V_ID(o, v->tenant); break;
        case LE_UNIT: V_ID(o, v->unit); break;
        case LE_PROP: V_ID(o, v->prop); break;
        case LE_IN: V_DAY(o, v->movein); break;
        case LE_OUT: V_DAY(o, v->moveout); break;
        case LE_SORT: V_INT(o, v->sort); break;
      }
      return;
    }
    case RM_PROSPECTS: {
      const rm_prospect_v *v = &vw->v.a;
      switch( f ){
        case PS_DISPLAY: V_INT(o, (int64_t)idx + 1); break;
        case PS_PROP: V_ID(o, v->prop); break;
        case PS_NAME: V_STR(o, v->name); break;
        case PS_FIRST: V_STR(o, v->first); break;
        case PS_LAST: V_STR(o, v->last); break;
        case PS_WEB: V_STR(o, v->web); break;
        case PS_COMMENT: V_STR(o, v->comment); break;
        case PS_STATUS: V_STR(o, v->status); break;
        case PS_LOST: V_STR(o, v->lost); break;
        case PS_CHANGED: V_INT(o, rm_updated(c, kind, idx)); break;
        case PS_FIRSTCONTACT: V_INT(o, rm_created(c, kind, idx)); break;
        case PS_LASTHIST: V_INT(o, v->last_hist); o->null = v->last_hist == INT64_MIN; break;
      }
      return;
    }
    case RM_ISSUES: {
      const rm_issue_v *v = &vw->v.w;
      int closed = v->status == 3 || v->status == 5;
      switch( f ){
        case IS_TITLE: V_STR(o, v->title); break;
        case IS_DESC: V_STR(o, v->desc); break;
        case IS_PROP: V_ID(o, v->prop); break;
        case IS_UNIT: V_ID(o, v->unit); break;
        case IS_TENANT: V_ID(o, v->tenant); break;
        case IS_PRIO: V_INT(o, v->prio); break;
        case IS_STATUS: V_INT(o, v->status); break;
        case IS_CLOSED: V_INT(o, closed); break;
        case IS_DUE: V_DAY(o, v->due); break;
        case IS_OPEN: V_INT(o, rm_created(c, kind, idx)); break;
        case IS_CLOSE: V_INT(o, rm_updated(c, kind, idx)); o->null = !closed; break;
      }
      return;
    }
    case RM_CONTACTS: {
      const rm_contact_v *v = &vw->v.k;
      switch( f ){
        case CO_FIRST: V_STR(o, v->first); break;
        case CO_LAST: V_STR(o, v->last); break;
        case CO_MIDDLE: V_STR(o, v->middle); break;
        case CO_PRIMARY: V_INT(o, v->primary); break;
        case CO_TYPEID: V_INT(o, v->ctype); break;
        case CO_TYPE: V_STR(o, rm_contact_type_name(v->ctype)); break;
        case CO_DOB: V_DAY(o, v->dob); break;
        case CO_TAXID: V_STR(o, v->taxid); break;
        case CO_COMMENT: V_STR(o, v->comment); break;
        case CO_EMAIL: V_STR(o, v->email); break;
        case CO_VEHICLE: V_STR(o, v->vehicle); break;
        case CO_PARENT: V_ID(o, v->parent); break;
        case CO_PTYPE: V_STR(o, v->pkind == RM_TENANTS ? "Tenant" : "Prospect"); break;
      }
      return;
    }
    default:
      rm_money_value(c, kind, idx, &vw->v.m, f, o);
      return;
  }
}

/* ------------------------------------------------------------------ */
/* Rendering                                                            */

static void rm_put_val(rm_ctx *c, sb_buf *b, char type, const rm_val *v){
  if( v->null ){
    jw_null(b);
    return;
  }
  switch( type ){
    case RT_INT: jw_int(b, v->i); break;
    case RT_NUM: jw_double(b, v->d); break;
    case RT_MONEY: jw_money(b, v->i); break;
    case RT_BOOL: jw_bool(b, (int)v->i); break;
    case RT_TIME: rm_put_time(c, b, v->i); break;
    default: jw_str(b, v->s); break;
  }
}

static void rm_put_addr(sb_buf *b, int kind, uint32_t idx, const rm_addr *a){
  static const char *const ptypes[] = {
    "Property", "Unit", "Tenant", "Lease", "Prospect", "ServiceManagerIssue", "Contact"
  };
  SB_LIT(b, "{\"AddressID\":");
  jw_int(b, a->id);
  SB_LIT(b, ",\"AddressTypeID\":");
  jw_int_or_null(b, a->type > 0, a->type);
  SB_LIT(b, ",\"Address\":");
  {
    /* The whole address as one text, as Rent Manager shows it. */
    sb_buf t = { 0 };
    if( a->street ) sb_puts(&t, a->street);
    if( a->city || a->state || a->postal ){
      if( t.n ) SB_LIT(&t, "\r\n");
      if( a->city ) sb_puts(&t, a->city);
      if( a->state ){
        if( a->city ) SB_LIT(&t, ", ");
        sb_puts(&t, a->state);
      }
      if( a->postal ){
        sb_putc(&t, ' ');
        sb_puts(&t, a->postal);
      }
    }
    jw_strn(b, t.p ? t.p : "", t.n);
    sb_buf_free(&t);
  }
  SB_LIT(b, ",\"Street\":");
  jw_str(b, a->street);
  SB_LIT(b, ",\"City\":");
  jw_str(b, a->city);
  SB_LIT(b, ",\"State\":");
  jw_str(b, a->state);
  SB_LIT(b, ",\"PostalCode\":");
  jw_str(b, a->postal);
  SB_LIT(b, ",\"IsPrimary\":");
  jw_bool(b, a->primary);
  SB_LIT(b, ",\"IsBilling\":");
  jw_bool(b, a->billing);
  SB_LIT(b, ",\"ParentID\":");
  jw_int(b, (int64_t)idx + 1);
  SB_LIT(b, ",\"ParentType\":\"");
  sb_puts(b, ptypes[kind]);
  SB_LIT(b, "\"}");
}

static void rm_put_phones(rm_ctx *c, sb_buf *b, uint32_t contact){
  rm_phone ph[RM_MAX_PHONES];
  rm_scratch s = { .n = 0 };
  int n = rm_phones(c, contact, ph, &s);
  sb_putc(b, '[');
  for(int i = 0; i < n; i++){
    const char *tn = rm_phone_type_name(ph[i].type);
    char stripped[64];
    size_t k = 0;
    for(const char *p = ph[i].number; p && *p && k < sizeof(stripped) - 1; p++){
      if( isdigit((unsigned char)*p) ) stripped[k++] = *p;
    }
    stripped[k] = 0;
    if( i ) sb_putc(b, ',');
    SB_LIT(b, "{\"PhoneNumberID\":");
    jw_int(b, ph[i].id);
    SB_LIT(b, ",\"PhoneNumberTypeID\":");
    jw_int(b, ph[i].type);
    SB_LIT(b, ",\"PhoneNumber\":");
    jw_str(b, ph[i].number);
    SB_LIT(b, ",\"Extension\":");
    jw_str(b, ph[i].ext);
    SB_LIT(b, ",\"StrippedPhoneNumber\":");
    jw_str(b, stripped);
    SB_LIT(b, ",\"IsPrimary\":");
    jw_bool(b, ph[i].primary);
    SB_LIT(b, ",\"ParentID\":");
    jw_int(b, (int64_t)contact + 1);
    SB_LIT(b, ",\"ParentType\":\"Contact\",\"PhoneNumberType\":");
    if( tn ){
      SB_LIT(b, "{\"PhoneNumberTypeID\":");
      jw_int(b, ph[i].type);
      SB_LIT(b, ",\"Name\":");
      jw_str(b, tn);
      sb_putc(b, '}');
    }else{
      jw_null(b);
    }
    sb_putc(b, '}');
  }
  sb_putc(b, ']');
}

/* The tenant's balance in cents: the portfolio ledger's, the same money
** every vendor's ledger shows. */
static int64_t rm_balance(rm_ctx *c, uint32_t i){
  return i < c->Rg ? pf_resident_balance(c->pf, i) : 0;
}

void rm_render(rm_ctx *c, int kind, uint32_t idx, uint64_t fmask,
               unsigned emb, sb_buf *b){
  rm_view vw;
  const rm_kind *k = &rm_kinds[kind];
  int any = 0;
  rm_view_fill(c, kind, idx, &vw);
  sb_putc(b, '{');
  for(int f = 0; f < k->nfields; f++){
    rm_val v;
    if( !(fmask & ((uint64_t)1 << f)) ) continue;
    if( any++ ) sb_putc(b, ',');
    sb_putc(b, '"');
    sb_puts(b, k->fields[f].name);
    SB_LIT(b, "\":");
    rm_value(c, kind, idx, &vw, f, &v);
    rm_put_val(c, b, k->fields[f].type, &v);
  }
#define RM_KEY(lit) do{ if( any++ ) sb_putc(b, ','); SB_LIT(b, lit); }while(0)
  if( emb & (RE_ADDRESSES | RE_PRIMARY_ADDRESS) ){
    rm_addr a[RM_MAX_ADDRS];
    rm_scratch s = { .n = 0 };
    int n = rm_addresses(c, kind, idx, a, &s);
    if( emb & RE_ADDRESSES ){
      RM_KEY("\"Addresses\":[");
      for(int i = 0; i < n; i++){
        if( i ) sb_putc(b, ',');
        rm_put_addr(b, kind, idx, &a[i]);
      }
      sb_putc(b, ']');
    }
    if( emb & RE_PRIMARY_ADDRESS ){
      int p = -1;
      for(int i = 0; i < n && p < 0; i++) if( a[i].primary ) p = i;
      if( p < 0 && n ) p = 0;
      RM_KEY("\"PrimaryAddress\":");
      if( p >= 0 ) rm_put_addr(b, kind, idx, &a[p]);
      else jw_null(b);
    }
  }
  if( emb & RE_OCCUPANTS ){
    uint32_t occ[16];
    int n = rm_unit_occupants(c, idx, occ, 16);
    RM_KEY("\"CurrentOccupants\":[");
    for(int i = 0; i < n; i++){
      if( i ) sb_putc(b, ',');
      rm_render(c, RM_TENANTS, occ[i], ~(uint64_t)0, 0, b);
    }
    sb_putc(b, ']');
  }
  if( emb & (RE_CONTACTS | RE_PRIMARY) ){
    int pk = kind == RM_TENANTS ? RM_TENANTS : RM_PROSPECTS;
    if( emb & RE_CONTACTS ){
      uint32_t cs[16];
      int n = rm_parent_contacts(c, pk, idx, cs, 16);
      RM_KEY("\"Contacts\":[");
      for(int i = 0; i < n; i++){
        if( i ) sb_putc(b, ',');
        rm_render(c, RM_CONTACTS, cs[i], ~(uint64_t)0,
                  (emb & RE_CONTACT_PHONES) ? RE_PHONES : 0, b);
      }
      sb_putc(b, ']');
    }
    if( emb & RE_PRIMARY ){
      uint32_t p = rm_primary_contact(c, pk, idx);
      RM_KEY("\"PrimaryContact\":");
      if( p != PF_NONE && rm_exists(c, RM_CONTACTS, p) ){
        rm_render(c, RM_CONTACTS, p, ~(uint64_t)0,
                  (emb & RE_PRIMARY_PHONES) ? RE_PHONES : 0, b);
      }else{
        jw_null(b);
      }
    }
  }
  if( emb & RE_PHONES ){
    RM_KEY("\"PhoneNumbers\":");
    rm_put_phones(c, b, idx);
  }
  if( emb & RE_LEASES ){
    uint32_t ls[16];
    int n = rm_tenant_leases(c, idx, ls, 16);
    RM_KEY("\"Leases\":[");
    for(int i = 0; i < n; i++){
      if( i ) sb_putc(b, ',');
      rm_render(c, RM_LEASES, ls[i], ~(uint64_t)0, 0, b);
    }
    sb_putc(b, ']');
  }
  if( emb & RE_BALANCE ){
    RM_KEY("\"Balance\":");
    jw_money(b, rm_balance(c, idx));
  }
#undef RM_KEY
  sb_putc(b, '}');
}
