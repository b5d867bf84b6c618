/*
** propertyware.c — the Propertyware REST vendor of pms-sandbox
** (--vendor propertyware; pmsql's PROPERTYWARE_REST).
**
** Emulates Propertyware REST v1 as its OpenAPI spec describes it
** (pms-specs/propertyware-openapi.json; research/pms-apis.md §6):
**   - every call under /pw/api/rest/v1/ carries x-propertyware-client-id,
**     x-propertyware-client-secret and x-propertyware-system-id: a wrong or
**     missing id/secret is 401, a right key for another system id is 403;
**   - lists are bare JSON arrays paged by offset (0-based) and limit
**     (1..500, default 100; outside that range 400), the total in
**     X-Total-Count; lastModifiedDateTimeStart/End filter by change time,
**     plus the list's own filters (contacts type, buildingID, unitID,
**     includeDeactivated for buildings and units: inactive ones are hidden
**     unless asked for);
**   - GET /{collection}/{id}, /leases/{leaseId}/contacts, /leases/statuses,
**     /prospects/statuses, /contacts/categories, /health; writes the spec
**     has for the models pmsql maps:
**     POST /contacts, PUT /contacts/{contactID} (a full replace of the
**     SaveContact fields), POST /leases, PUT /leases/{leaseId} (SaveLease,
**     also replaced whole), PUT /units/{unitID} and PUT
**     /buildings/{buildingID} (SaveUnit, SaveBuilding, replaced whole),
**     POST /prospects, POST /workorders, POST /vendors (SaveVendor);
**     DELETE of contacts, leases,
**     units, buildings and work orders (204);
**   - the portfolio's money (ledger.c): GET /accounting/glaccounts (its
**     charge codes as income accounts, and one bank account), GET /vendors,
**     GET and POST /leases/charges (ChargeTx: amountPaid and amountDue from
**     payments settling the oldest charges; SaveCharge) and
**     /leases/payments (Payment; SavePayment), GET
**     /leases/{leaseId}/autocharges (its recurring charges); the money
**     lists take lastModifiedDateTimeStart/End only (leaseID, postDate and
**     status filters are ignored);
**   - errors are the spec's ErrorResponse {errorCode, userMessage,
**     errors:[{key, message}]} with its status codes (400, 401, 403, 404).
**   - records carry only what the spec defines for them: empty fields are
**     left out (no field is nullable in the spec), and Save* members that
**     are instructions rather than fields (SaveContact.searchTag,
**     SaveLease.tenantIDs, SaveWorkOrder.unitIDs: VF_SAVE_ONLY) are read,
**     never stored.
**
** The records come from the shared portfolio (portfolio.c), rendered once
** at start into cJSON records per collection, kept in id order; writes
** change or append records there, so later reads return them. Buildings
** are the portfolio's properties, contacts of type TENANT its residents,
** prospects its applicants, work orders its work orders. A few OWNER
** contacts are added so the contacts type filter has something to filter,
** and each prospect's people are contacts of type PROSPECT, as in
** Propertyware. A prospect's pets are the spec's summary of its applicant's
** (household.c): hasPets, numberOfPets, petType, petWeights.
*/
#include "sandbox.h"
#include "household.h"
#include "ledger.h"
#include "listing.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#define PW_PREFIX "/pw/api/rest/v1"
#define PW_MAX_LIMIT 500
#define PW_DEFAULT_LIMIT 100
#define PW_NOWNERS 3

enum { PW_BUILDINGS, PW_UNITS, PW_LEASES, PW_CONTACTS, PW_PROSPECTS,
       PW_WORKORDERS, PW_GLACCOUNTS, PW_VENDORS, PW_CHARGES, PW_PAYMENTS, PW_NKINDS };

/* Collection path, id base of generated records, per kind. */
static const struct {
  const char *path;
  int64_t base;
} pw_kinds[PW_NKINDS] = {
  { "buildings",  1000000 },
  { "units",      2000000 },
  { "leases",     3000000 },
  { "contacts",   4000000 },
  { "prospects",  5000000 },
  { "workorders", 6000000 },
  { "accounting/glaccounts", 5500000 },   /* the charge codes, then a bank */
  { "vendors",    6500000 },
  { "leases/charges",  100000000 },       /* + the ledger's transaction id */
  { "leases/payments", 100000000 },
};
#define PW_ID_BANK 5500100                /* the operating bank GL account */
#define PW_ID_OWNER         3900000   /* owner contacts sort before tenants */
#define PW_ID_PROSPECT_CONTACT 7000000

/* A stored record: compact JSON text plus the few fields lists filter on,
** so a large portfolio costs little memory and a page is copied, not
** printed. Writes parse the text, change the cJSON and store it again. */
typedef struct pw_rec {
  int64_t id;
  int64_t modified;           /* lastModifiedDateTime, unix seconds */
  int64_t building, unit;     /* buildingID, unitID; -1 when absent */
  int type;                   /* contacts: index in pw_contact_types, else -1 */
  int inactive;               /* active is false */
  char *json;                 /* the record without customFields */
  char *custom;               /* its customFields array, or NULL */
} pw_rec;

typedef struct pw_coll {
  pw_rec *v;                  /* records in ascending id order */
  uint32_t n, cap;
  int64_t next_id;
} pw_coll;

typedef struct pw_ctx {
  sb_portfolio *pf;
  pthread_rwlock_t lock;
  pw_coll c[PW_NKINDS];
  int64_t next_wo_number;
  const char **pay_type;      /* paymentType posted, by written ledger id */
  uint32_t npay_type;
  char client_id[64], client_secret[64], system_id[32];
} pw_ctx;

/* ------------------------------------------------------------------ */
/* Small helpers                                                         */

static const char *const pw_contact_types[] = { "TENANT", "PROSPECT", "OWNER", "VENDOR", "OTHER", NULL };

static int64_t pw_num_of(const cJSON *o, const char *k){
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : -1;
}

static void pw_rec_clear(pw_rec *r){
  free(r->json);
  free(r->custom);
  memset(r, 0, sizeof(*r));
}

/* (Re)store a record from its cJSON form (which is left as it was). */
static void pw_rec_set(pw_rec *r, cJSON *o){
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "type");
  const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "lastModifiedDateTime");
  cJSON *cf = cJSON_DetachItemFromObjectCaseSensitive(o, "customFields");
  pw_rec_clear(r);
  r->id = pw_num_of(o, "id");
  r->building = pw_num_of(o, "buildingID");
  r->unit = pw_num_of(o, "unitID");
  r->type = -1;
  for(int i = 0; cJSON_IsString(t) && pw_contact_types[i]; i++){
    if( strcmp(pw_contact_types[i], t->valuestring) == 0 ) r->type = i;
  }
  r->inactive = cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(o, "active"));
  if( !cJSON_IsString(m) || !dt_parse_datetime(m->valuestring, 1, &r->modified) ) r->modified = 0;
  r->json = cJSON_PrintUnformatted(o);
  if( cf ){
    r->custom = cJSON_PrintUnformatted(cf);
    cJSON_AddItemToObject(o, "customFields", cf);
  }
}

/* The record as cJSON, customFields included (the caller frees it). */
static cJSON *pw_load(const pw_rec *r){
  cJSON *o = cJSON_Parse(r->json);
  if( o && r->custom ) cJSON_AddItemToObject(o, "customFields", cJSON_Parse(r->custom));
  return o;
}

/* Append a record (ids only grow) and free the cJSON. */
static void pw_add(pw_coll *c, cJSON *o){
  if( c->n == c->cap ){
    c->cap = c->cap ? c->cap * 2 : 64;
    c->v = sb_xrealloc(c->v, c->cap * sizeof(pw_rec));
  }
  memset(&c->v[c->n], 0, sizeof(pw_rec));
  pw_rec_set(&c->v[c->n++], o);
  cJSON_Delete(o);
}

/* Binary search by id (records are kept in id order). */
static pw_rec *pw_find(pw_ctx *x, int kind, int64_t id){
  pw_coll *c = &x->c[kind];
  uint32_t lo = 0, hi = c->n;
  while( lo < hi ){
    uint32_t mid = lo + (hi - lo) / 2;
    int64_t v = c->v[mid].id;
    if( v == id ) return &c->v[mid];
    if( v < id ) lo = mid + 1; else hi = mid;
  }
  return NULL;
}

/* An empty field is left out, never null: the spec declares no field
** nullable (test/sandbox_spec.test holds every answer to the spec). */
static void pw_set_str(cJSON *o, const char *k, const char *v){
  if( v ) cJSON_AddStringToObject(o, k, v);
}

static void pw_set_date(cJSON *o, const char *k, int32_t days){
  char d[11];
  if( days == PF_NODATE ) return;
  dt_fmt_date(d, days);
  d[10] = 0;
  cJSON_AddStringToObject(o, k, d);
}

/* Propertyware date-times: yyyy-MM-dd'T'HH:mm:ssXXX, UTC here ("...Z"). */
static void pw_set_time(cJSON *o, const char *k, int64_t t){
  char d[21];
  dt_fmt_datetime(d, t);
  d[20] = 0;
  cJSON_AddStringToObject(o, k, d);
}

static void pw_stamp(cJSON *o, int64_t created, int64_t updated){
  pw_set_time(o, "createdDateTime", created);
  cJSON_AddStringToObject(o, "createdBy", "Sandbox Admin");
  pw_set_time(o, "lastModifiedDateTime", updated);
  cJSON_AddStringToObject(o, "lastModifiedBy", "Sandbox Admin");
}

static void pw_touch(cJSON *o, int64_t now){
  char d[21];
  dt_fmt_datetime(d, now);
  d[20] = 0;
  cJSON_ReplaceItemInObjectCaseSensitive(o, "lastModifiedDateTime", cJSON_CreateString(d));
  cJSON_ReplaceItemInObjectCaseSensitive(o, "lastModifiedBy", cJSON_CreateString("API"));
}

static uint32_t pw_alt_digits(uint32_t d, uint32_t salt){
  /* the same derived numbers as the other vendors' renderings */
  return 2000000 + (uint32_t)(sb_mix64((uint64_t)d * 31 + salt) % 8000000);
}

static cJSON *pw_address(const char *line1, const char *line2, const char *city,
                         const char *state, const char *zip){
  cJSON *a = cJSON_CreateObject();
  pw_set_str(a, "address", line1);
  pw_set_str(a, "addressCont", line2);
  pw_set_str(a, "city", city);
  pw_set_str(a, "stateRegion", state);
  pw_set_str(a, "postalCode", zip);
  cJSON_AddStringToObject(a, "country", "United States");
  return a;
}

static cJSON *pw_property_address(pw_ctx *x, uint32_t p, const char *unit){
  char street[128], zip[16], line2[32];
  const pf_property *r = &x->pf->props.v[p];
  const pf_city *city = pf_city_at(r->city);
  pf_fmt_street(street, sizeof(street), r);
  pf_fmt_postal(zip, sizeof(zip), x->pf, p);
  if( unit ) snprintf(line2, sizeof(line2), "Unit %s", unit);
  return pw_address(street, unit ? line2 : NULL, city->name, city->state, zip);
}

/* ------------------------------------------------------------------ */
/* Rendering the portfolio                                               */

static int64_t pw_gen_id(int kind, uint32_t i){ return pw_kinds[kind].base + i + 1; }

/* Custom fields (CustomField: definitionID, fieldName, dataType, value):
** a few per kind, on some records, derived from the record's index. */
static void pw_custom(cJSON *o, int64_t def, const char *name, const char *value){
  cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "customFields"), *f = cJSON_CreateObject();
  if( !arr ) arr = cJSON_AddArrayToObject(o, "customFields");
  cJSON_AddNumberToObject(f, "definitionID", (double)def);
  cJSON_AddStringToObject(f, "fieldName", name);
  cJSON_AddStringToObject(f, "dataType", "TEXT");
  cJSON_AddStringToObject(f, "value", value);
  cJSON_AddItemToArray(arr, f);
}

static void pw_render_building(pw_ctx *x, uint32_t p){
  static const char *const types[] = { "APARTMENT", "CONDO", "HOUSE" };
  const pf_property *r = &x->pf->props.v[p];
  char name[160], abbr[32];
  cJSON *o = cJSON_CreateObject();
  pf_fmt_property_name(name, sizeof(name), x->pf, p);
  snprintf(abbr, sizeof(abbr), "B%04u", (unsigned)(p + 1));
  cJSON_AddNumberToObject(o, "id", (double)pw_gen_id(PW_BUILDINGS, p));
  cJSON_AddNumberToObject(o, "idNumber", p + 1);
  cJSON_AddStringToObject(o, "name", name);
  cJSON_AddStringToObject(o, "abbreviation", abbr);
  cJSON_AddBoolToObject(o, "active", !(r->flags & PF_PROP_INACTIVE));
  cJSON_AddItemToObject(o, "address", pw_property_address(x, p, NULL));
  cJSON_AddStringToObject(o, "category", "RESIDENTIAL");
  cJSON_AddStringToObject(o, "type", r->subtype == PF_SUB_SINGLEFAMILY ? "House" : "Apartment");
  cJSON_AddStringToObject(o, "propertyType", types[r->subtype % 3]);
  cJSON_AddStringToObject(o, "multiUnit", r->subtype == PF_SUB_SINGLEFAMILY ? "Single Family" : "Multi Family");
  cJSON_AddNumberToObject(o, "countUnit", r->nunits);
  if( !(r->flags & PF_PROP_NO_YEAR) ) cJSON_AddNumberToObject(o, "yearBuilt", r->year_built);
  pw_set_str(o, "maintenanceNotice", (r->flags & PF_PROP_DESC) ? pf_prop_desc(r->desc) : NULL);
  cJSON_AddNumberToObject(o, "portfolioID", 900 + r->manager);
  cJSON_AddStringToObject(o, "status", "Occupied");
  {
    static const char *const days[] = { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday" };
    pw_custom(o, 101, "Trash Day", days[p % 5]);
  }
  pw_stamp(o, r->created, r->updated);
  pw_add(&x->c[PW_BUILDINGS], o);
}

static void pw_render_unit(pw_ctx *x, uint32_t k){
  const pf_unit *u = &x->pf->units.v[k];
  const pf_property *pr = &x->pf->props.v[u->property];
  char num[16], abbr[16];
  cJSON *o = cJSON_CreateObject();
  pf_fmt_unit_number(num, sizeof(num), u);
  cJSON_AddNumberToObject(o, "id", (double)pw_gen_id(PW_UNITS, k));
  cJSON_AddStringToObject(o, "name", num);
  snprintf(abbr, sizeof(abbr), "U%u", (unsigned)(k + 1));
  cJSON_AddStringToObject(o, "abbreviation", abbr);
  cJSON_AddStringToObject(o, "type", pr->subtype == PF_SUB_SINGLEFAMILY ? "House" : "Apartment");
  cJSON_AddNumberToObject(o, "buildingID", (double)pw_gen_id(PW_BUILDINGS, u->property));
  cJSON_AddBoolToObject(o, "active", !(pr->flags & PF_PROP_INACTIVE));
  cJSON_AddItemToObject(o, "address", pw_property_address(x, u->property, num));
  cJSON_AddStringToObject(o, "category", "RESIDENTIAL");
  cJSON_AddNumberToObject(o, "numberOfBedrooms", u->beds);
  cJSON_AddNumberToObject(o, "numberOfBathrooms", u->baths / 2.0);
  if( !(u->flags & PF_UNIT_NO_SIZE) ) cJSON_AddNumberToObject(o, "totalArea", u->size);
  cJSON_AddStringToObject(o, "areaUnits", "Sq Ft");
  cJSON_AddNumberToObject(o, "targetRent", u->market_rent_cents / 100.0);
  cJSON_AddStringToObject(o, "targetRentUnits", "DOLLAR_PER_MONTH");
  cJSON_AddStringToObject(o, "status", u->active_leases ? "Occupied" : "Vacant");
  cJSON_AddBoolToObject(o, "rentable", u->active_leases == 0);
  cJSON_AddNumberToObject(o, "portfolioID", 900 + pr->manager);
  pw_stamp(o, u->created, u->updated);
  pw_add(&x->c[PW_UNITS], o);
}

static void pw_contact_fields(cJSON *o, unsigned first, unsigned last, unsigned email_no,
                              uint32_t phone){
  char tmp[160];
  cJSON_AddStringToObject(o, "firstName", pf_first_name(first));
  cJSON_AddStringToObject(o, "lastName", pf_last_name(last));
  cJSON_AddStringToObject(o, "email", pf_fmt_email(tmp, sizeof(tmp), first, last, email_no, "example.com"));
  cJSON_AddStringToObject(o, "mobilePhone", pf_fmt_phone(tmp, sizeof(tmp), phone));
}

static void pw_render_lease(pw_ctx *x, uint32_t j){
  static const char *const st[] = { "Active", "Closed", "Future" };
  const sb_portfolio *pf = x->pf;
  const pf_lease *l = &pf->leases.v[j];
  const pf_unit *u = &pf->units.v[l->unit];
  int status = pf_lease_status_on(l->start, l->end, pf->asof);
  char num[16], name[200];
  cJSON *o = cJSON_CreateObject(), *cs = cJSON_CreateArray();
  int n = 0;
  pf_fmt_unit_number(num, sizeof(num), u);
  cJSON_AddNumberToObject(o, "id", (double)pw_gen_id(PW_LEASES, j));
  cJSON_AddNumberToObject(o, "idNumber", j + 1);
  cJSON_AddNumberToObject(o, "buildingID", (double)pw_gen_id(PW_BUILDINGS, u->property));
  cJSON_AddNumberToObject(o, "unitID", (double)pw_gen_id(PW_UNITS, l->unit));
  cJSON_AddNumberToObject(o, "portfolioID", 900 + pf->props.v[u->property].manager);
  pw_set_date(o, "startDate", l->start);
  pw_set_date(o, "endDate", l->end);
  pw_set_date(o, "moveInDate", status == PF_LS_FUTURE ? PF_NODATE : l->start);
  pw_set_date(o, "moveOutDate", status == PF_LS_PAST ? l->end : PF_NODATE);
  pw_set_date(o, "scheduleMoveOutDate", status == PF_LS_ACTIVE && (l->flags & PF_LEASE_AUTO_OUT) ? l->end : PF_NODATE);
  pw_set_date(o, "signedDate", l->start == PF_NODATE ? PF_NODATE : l->start - 14);
  if( !(l->flags & PF_LEASE_NO_RENT) ) cJSON_AddNumberToObject(o, "baseRent", l->rent_cents / 100.0);
  cJSON_AddNumberToObject(o, "leaseBalance", pf_ledger_balance(pf, j) / 100.0);
  cJSON_AddStringToObject(o, "status", st[status]);
  cJSON_AddBoolToObject(o, "active", status == PF_LS_ACTIVE);
  name[0] = 0;
  for(uint32_t r = l->first_res; r != PF_NONE; r = pf->res.v[r].next){
    const pf_resident *pr = &pf->res.v[r];
    cJSON *c = cJSON_CreateObject();
    cJSON_AddNumberToObject(c, "id", (double)pw_gen_id(PW_CONTACTS, r));
    pw_contact_fields(c, pr->first, pr->last, pr->email_no, pr->phone);
    cJSON_AddBoolToObject(c, "namedOnLease", 1);
    cJSON_AddBoolToObject(c, "primary", n == 0);
    cJSON_AddItemToArray(cs, c);
    if( n++ == 0 ) snprintf(name, sizeof(name), "%s %s", pf_first_name(pr->first), pf_last_name(pr->last));
  }
  cJSON_AddStringToObject(o, "leaseName", name);
  cJSON_AddStringToObject(o, "location", num);
  cJSON_AddItemToObject(o, "contacts", cs);
  pw_stamp(o, l->created, l->updated);
  pw_add(&x->c[PW_LEASES], o);
}

static void pw_render_tenant(pw_ctx *x, uint32_t i){
  const sb_portfolio *pf = x->pf;
  const pf_resident *r = &pf->res.v[i];
  char tmp[160];
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "id", (double)pw_gen_id(PW_CONTACTS, i));
  cJSON_AddStringToObject(o, "type", "TENANT");
  pw_contact_fields(o, r->first, r->last, r->email_no, r->phone);
  pw_set_str(o, "altEmail", (r->flags & PF_RES_ALT_EMAIL)
             ? pf_fmt_email(tmp, sizeof(tmp), r->first, r->last, 0, "example.org") : NULL);
  pw_set_str(o, "homePhone", (r->flags & PF_RES_HOME_PHONE)
             ? pf_fmt_phone(tmp, sizeof(tmp), r->phone2) : NULL);
  pw_set_str(o, "workPhone", (r->flags & PF_RES_WORK_PHONE)
             ? pf_fmt_phone(tmp, sizeof(tmp), pw_alt_digits(r->phone2, 1)) : NULL);
  pw_set_date(o, "birthDate", r->dob);
  pw_set_str(o, "comments", (r->flags & PF_RES_COMMENT) ? pf_comment_text(r->comment) : NULL);
  if( r->lease != PF_NONE ){
    const pf_unit *u = &pf->units.v[pf->leases.v[r->lease].unit];
    char num[16];
    pf_fmt_unit_number(num, sizeof(num), u);
    cJSON_AddItemToObject(o, "address", pw_property_address(x, u->property, num));
  }
  cJSON_AddBoolToObject(o, "namedOnLease", 1);
  cJSON_AddBoolToObject(o, "allowESignature", 1);
  cJSON_AddStringToObject(o, "gender", "UNKNOWN");
  if( i % 4 == 0 ) pw_custom(o, 201, "Preferred Contact Time", (i / 4) % 2 ? "Mornings" : "Evenings");
  if( i % 6 == 0 ) pw_custom(o, 202, "Parking Spot", (i / 6) % 3 ? "Covered" : "Street");
  pw_stamp(o, r->created, r->updated);
  pw_add(&x->c[PW_CONTACTS], o);
}

static void pw_render_owner(pw_ctx *x, unsigned k){
  const pf_staff *s = pf_staff_at(k + 1);
  cJSON *o = cJSON_CreateObject();
  int64_t t = (int64_t)dt_days(2023, 1, 1) * 86400;
  cJSON_AddNumberToObject(o, "id", (double)(PW_ID_OWNER + k + 1));
  cJSON_AddStringToObject(o, "type", "OWNER");
  cJSON_AddStringToObject(o, "firstName", s->first);
  cJSON_AddStringToObject(o, "lastName", s->last);
  cJSON_AddStringToObject(o, "email", s->email);
  cJSON_AddStringToObject(o, "company", "Sandbox Owners LLC");
  pw_stamp(o, t, t);
  pw_add(&x->c[PW_CONTACTS], o);
}

/* The contact (type PROSPECT) behind a prospect's contacts[] entry: in
** Propertyware a prospect's people are contacts too. */
static void pw_add_prospect_contact(pw_ctx *x, const cJSON *pc, int64_t created, int64_t updated){
  static const char *const keys[] = { "id", "firstName", "lastName", "email", "mobilePhone",
                                      "homePhone", "workPhone", "otherPhone", "address" };
  cJSON *o = cJSON_CreateObject();
  for(size_t k = 0; k < sizeof(keys)/sizeof(keys[0]); k++){
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(pc, keys[k]);
    if( v ) cJSON_AddItemToObject(o, keys[k], cJSON_Duplicate(v, 1));
    if( k == 0 ) cJSON_AddStringToObject(o, "type", "PROSPECT");
  }
  pw_stamp(o, created, updated);
  pw_add(&x->c[PW_CONTACTS], o);
}

/* The spec's pet summary of a prospect (hasPets, numberOfPets, petType,
** petWeights: free text, here the weights in pounds joined by ", "). */
static void pw_prospect_pets(cJSON *o, const sb_portfolio *pf, uint32_t a){
  pf_pet pets[PF_MAX_PETS];
  int n = pf_applicant_pets(pf, a, pets);
  char w[64];
  size_t k = 0;
  cJSON_AddBoolToObject(o, "hasPets", n > 0);
  cJSON_AddNumberToObject(o, "numberOfPets", n);
  if( n == 0 ) return;
  cJSON_AddStringToObject(o, "petType", pets[0].type);
  for(int i = 0; i < n && k < sizeof(w); i++){
    k += (size_t)snprintf(w + k, sizeof(w) - k, "%s%d", i ? ", " : "", pets[i].weight_lbs);
  }
  cJSON_AddStringToObject(o, "petWeights", w);
}

static void pw_render_prospect(pw_ctx *x, uint32_t a){
  static const char *const st[] = { "New", "Active", "Approved", "Rejected",
                                    "Cancelled", "Deferred", "Leased" };
  const sb_portfolio *pf = x->pf;
  const pf_applicant *p = &pf->apps.v[a];
  cJSON *o = cJSON_CreateObject(), *cs = cJSON_CreateArray(), *c = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "id", (double)pw_gen_id(PW_PROSPECTS, a));
  if( p->unit != PF_NONE ){
    cJSON_AddNumberToObject(o, "buildingID", (double)pw_gen_id(PW_BUILDINGS, pf->units.v[p->unit].property));
    cJSON_AddNumberToObject(o, "unitID", (double)pw_gen_id(PW_UNITS, p->unit));
  }
  cJSON_AddStringToObject(o, "status", st[p->status % 7]);
  cJSON_AddStringToObject(o, "type", "Prospect");
  cJSON_AddStringToObject(o, "source", (a % 3) == 0 ? "Zillow" : (a % 3) == 1 ? "Website" : "Walk-in");
  pw_prospect_pets(o, pf, a);
  cJSON_AddNumberToObject(c, "id", (double)(PW_ID_PROSPECT_CONTACT + a + 1));
  pw_contact_fields(c, p->first, p->last, p->email_no, p->phone);
  cJSON_AddItemToArray(cs, c);
  cJSON_AddItemToObject(o, "contacts", cs);
  pw_stamp(o, p->created, p->updated);
  pw_add_prospect_contact(x, c, p->created, p->updated);   /* before o is stored and freed */
  pw_add(&x->c[PW_PROSPECTS], o);
}

/* Vendor v as a BasicVendor (what a work order's assignedVendors lists);
** the Vendor record adds to it. */
static cJSON *pw_basic_vendor(const sb_portfolio *pf, unsigned v, pf_supplier *sp){
  cJSON *o = cJSON_CreateObject();
  pf_supplier_at(pf, v, sp);
  cJSON_AddNumberToObject(o, "id", (double)pw_gen_id(PW_VENDORS, v));
  cJSON_AddStringToObject(o, "name", sp->name);
  cJSON_AddStringToObject(o, "email", sp->email);
  cJSON_AddStringToObject(o, "phone", sp->phone);
  pw_stamp(o, sp->created, sp->updated);
  return o;
}

static void pw_render_workorder(pw_ctx *x, uint32_t w){
  static const char *const pri[] = { "LOW", "MEDIUM", "HIGH" };
  static const char *const st[] = { "Open", "In Progress", "Completed", "Deferred", "Closed" };
  static const char *const entry[] = { "NO", "ANYTIME", "NO" };
  const sb_portfolio *pf = x->pf;
  const pf_workorder *r = &pf->wos.v[w];
  uint32_t prop = r->unit != PF_NONE ? pf->units.v[r->unit].property : w % pf->props.n;
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "id", (double)pw_gen_id(PW_WORKORDERS, w));
  cJSON_AddNumberToObject(o, "number", r->task);
  cJSON_AddNumberToObject(o, "buildingID", (double)pw_gen_id(PW_BUILDINGS, prop));
  cJSON_AddNumberToObject(o, "portfolioID", 900 + pf->props.v[prop].manager);
  if( r->unit != PF_NONE ){
    char num[16];
    pf_fmt_unit_number(num, sizeof(num), &pf->units.v[r->unit]);
    cJSON_AddStringToObject(o, "location", num);
  }
  cJSON_AddStringToObject(o, "description", pf_wo_title(r->title));
  cJSON_AddStringToObject(o, "specificLocation", pf_wo_details(w));
  cJSON_AddStringToObject(o, "priority", pri[r->priority % 3]);
  cJSON_AddStringToObject(o, "status", st[r->status % 5]);
  cJSON_AddStringToObject(o, "type", "General");
  cJSON_AddStringToObject(o, "category", "Maintenance");
  cJSON_AddStringToObject(o, "authorizeEnter", entry[r->entry % 3]);
  cJSON_AddStringToObject(o, "source", "Tenant Portal");
  pw_set_date(o, "scheduledEndDate", r->due);
  pw_set_date(o, "completedDate", r->status == PF_WS_COMPLETED || r->status == PF_WS_CLOSED
                                    ? (int32_t)(r->updated / 86400) : PF_NODATE);
  if( r->resident != PF_NONE ){
    char name[128];
    const pf_resident *pr = &pf->res.v[r->resident];
    snprintf(name, sizeof(name), "%s %s", pf_first_name(pr->first), pf_last_name(pr->last));
    cJSON_AddStringToObject(o, "requestedBy", name);
  }
  cJSON_AddNumberToObject(o, "costEstimate", r->amount_cents / 100.0);
  {   /* the work order's one vendor, as the spec's assignedVendors list */
    pf_supplier sp;
    cJSON *av = cJSON_CreateArray();
    cJSON_AddItemToArray(av, pw_basic_vendor(pf, r->vendor, &sp));
    cJSON_AddItemToObject(o, "assignedVendors", av);
  }
  pw_stamp(o, r->created, r->updated);
  if( (int64_t)r->task >= x->next_wo_number ) x->next_wo_number = (int64_t)r->task + 1;
  pw_add(&x->c[PW_WORKORDERS], o);
}

/* ---- money (ledger.c) ---- */

static const char *const pw_pay_types[PF_NPAYMETHODS] = {   /* by PF_PM_* */
  "CHECK", "CASH", "MONEY_ORDER", "CREDIT_CARD", "ECHECK",
};

static void pw_render_glaccount(pw_ctx *x, unsigned code){
  const pf_charge_code *cc = pf_charge_code_at(code);
  cJSON *o = cJSON_CreateObject();
  int bank = cc == NULL;
  cJSON_AddNumberToObject(o, "id", bank ? PW_ID_BANK : (double)pw_gen_id(PW_GLACCOUNTS, code));
  cJSON_AddStringToObject(o, "accountNumber", bank ? "1000" : cc->number);
  cJSON_AddStringToObject(o, "accountCode", bank ? "BANK" : cc->number);
  cJSON_AddStringToObject(o, "name", bank ? "Operating Bank" : cc->name);
  cJSON_AddStringToObject(o, "accountType", bank ? "Bank" : "Income");
  cJSON_AddBoolToObject(o, "active", 1);
  cJSON_AddBoolToObject(o, "rentAccount", code == PF_CC_RENT && !bank);
  cJSON_AddBoolToObject(o, "lateFeeApplicable", code == PF_CC_RENT && !bank);
  pw_stamp(o, (int64_t)dt_days(2023, 1, 1) * 86400, (int64_t)dt_days(2023, 1, 1) * 86400);
  (void)x;
  pw_add(&x->c[PW_GLACCOUNTS], o);
}

static void pw_render_vendor(pw_ctx *x, unsigned v){
  pf_supplier sp;
  cJSON *o = pw_basic_vendor(x->pf, v, &sp);
  cJSON_AddStringToObject(o, "companyName", sp.name);
  cJSON_AddStringToObject(o, "accountNumber", sp.account);
  cJSON_AddBoolToObject(o, "active", sp.active);
  cJSON_AddStringToObject(o, "taxId", sp.tax_id);
  cJSON_AddStringToObject(o, "type", "Maintenance");
  pw_add(&x->c[PW_VENDORS], o);
}

/* A ledger transaction as ChargeTx or Payment; modified: its
** lastModifiedDateTime. */
static cJSON *pw_txn_json(pw_ctx *x, const pf_txn *t, int64_t modified){
  const pf_lease *l = &x->pf->leases.v[t->lease];
  const pf_unit *u = &x->pf->units.v[l->unit];
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "id", (double)(pw_kinds[PW_CHARGES].base + t->id));
  cJSON_AddNumberToObject(o, "amount", t->amount_cents / 100.0);
  if( t->kind == PF_TX_CHARGE ){
    cJSON_AddNumberToObject(o, "amountDue", (t->amount_cents - t->paid_cents) / 100.0);
    cJSON_AddNumberToObject(o, "amountPaid", t->paid_cents / 100.0);
    cJSON_AddNumberToObject(o, "glAccountID", (double)pw_gen_id(PW_GLACCOUNTS, t->code));
    cJSON_AddItemToObject(o, "payments", cJSON_CreateArray());
  }else{
    cJSON_AddNumberToObject(o, "contactID", l->first_res == PF_NONE ? 0
                            : (double)pw_gen_id(PW_CONTACTS, l->first_res));
    pw_set_date(o, "depositDate", t->date);
    cJSON_AddNumberToObject(o, "destinationAccountID", PW_ID_BANK);
    cJSON_AddBoolToObject(o, "isDeposited", 1);
    uint32_t w = t->id - PF_TX_WRITTEN;            /* a written one: as posted */
    cJSON_AddStringToObject(o, "paymentType", t->id >= PF_TX_WRITTEN && w < x->npay_type && x->pay_type[w]
                            ? x->pay_type[w] : pw_pay_types[t->code % PF_NPAYMETHODS]);
    cJSON_AddStringToObject(o, "status", "Active");
  }
  pw_set_str(o, "comments", t->memo ? t->memo : pf_ledger_memo(t));
  pw_set_date(o, "date", t->date);
  cJSON_AddNumberToObject(o, "leaseID", (double)pw_gen_id(PW_LEASES, t->lease));
  cJSON_AddNumberToObject(o, "portfolioID", 900 + x->pf->props.v[u->property].manager);
  pw_set_str(o, "refNo", t->reference);
  pw_stamp(o, t->created, modified);
  return o;
}

/* (Re)render a lease's ledger: new transactions are appended (their ids
** are the largest), changed ones (what a payment paid) get a new
** lastModifiedDateTime. */
static void pw_render_ledger(pw_ctx *x, uint32_t j, int64_t now){
  pf_txn t[PF_TX_MAX];
  int n = pf_ledger_lease(x->pf, j, t);
  for(int i = 0; i < n; i++){
    int kind = t[i].kind == PF_TX_CHARGE ? PW_CHARGES : PW_PAYMENTS;
    pw_rec *r = pw_find(x, kind, pw_kinds[kind].base + t[i].id);
    cJSON *o = pw_txn_json(x, &t[i], now ? now : t[i].created);
    if( r == NULL ){
      pw_add(&x->c[kind], o);
      continue;
    }
    cJSON *was = pw_load(r);
    cJSON *cmp = pw_txn_json(x, &t[i], r->modified);
    if( !cJSON_Compare(was, cmp, 1) ) pw_rec_set(r, o);
    cJSON_Delete(was);
    cJSON_Delete(cmp);
    cJSON_Delete(o);
  }
}

static void pw_render_money(pw_ctx *x){
  for(unsigned k = 0; k <= PF_NCHARGECODES; k++) pw_render_glaccount(x, k);
  for(unsigned v = 0; v < PF_NVENDORS; v++) pw_render_vendor(x, v);
  for(uint32_t j = 0; j < x->pf->leases.n; j++) pw_render_ledger(x, j, 0);
}

static void pw_render_all(pw_ctx *x){
  const sb_portfolio *pf = x->pf;
  for(uint32_t i = 0; i < pf->props.n; i++) pw_render_building(x, i);
  for(uint32_t i = 0; i < pf->units.n; i++) pw_render_unit(x, i);
  for(uint32_t i = 0; i < pf->leases.n; i++) pw_render_lease(x, i);
  for(unsigned k = 0; k < PW_NOWNERS; k++) pw_render_owner(x, k);
  for(uint32_t i = 0; i < pf->res.n; i++) pw_render_tenant(x, i);
  for(uint32_t i = 0; i < pf->apps.n; i++) pw_render_prospect(x, i);
  for(uint32_t i = 0; i < pf->wos.n; i++) pw_render_workorder(x, i);
  pw_render_money(x);
  for(int k = 0; k < PW_NKINDS; k++){
    pw_coll *c = &x->c[k];
    int64_t last = c->n ? c->v[c->n - 1].id : pw_kinds[k].base;
    c->next_id = last + 1;
  }
}

/* ------------------------------------------------------------------ */
/* Errors: the spec's ErrorResponse                                      */

static void pw_error(sb_response *resp, int status, const char *code, const char *msg,
                     const vd_errors *e){
  sb_buf *b = &resp->body;
  sb_response_reset(resp);
  resp->status = status;
  resp->content_type = SB_JSON_TYPE;
  SB_LIT(b, "{\"errorCode\":");
  jw_str(b, code);
  SB_LIT(b, ",\"userMessage\":");
  jw_str(b, msg);
  SB_LIT(b, ",\"errors\":[");
  for(int i = 0; e && i < e->n; i++){
    if( i ) sb_putc(b, ',');
    SB_LIT(b, "{\"key\":");
    jw_str(b, e->keys[i]);
    SB_LIT(b, ",\"message\":");
    jw_str(b, e->vals[i]);
    sb_putc(b, '}');
  }
  SB_LIT(b, "]}");
}

static void pw_bad_request(sb_response *resp, const vd_errors *e){
  pw_error(resp, 400, "INVALID_REQUEST",
           "Unable to process the request due to malformed request syntax or invalid parameters.", e);
}

static void pw_not_found(sb_response *resp){
  pw_error(resp, 404, "NOT_FOUND", "Entity not found.", NULL);
}

/* ------------------------------------------------------------------ */
/* Lists                                                                 */

/* A query date-time: yyyy-MM-dd'T'HH:mm:ss with Z or +hh:mm/-hh:mm, or a
** bare date. */
static int pw_parse_time(const char *s, int64_t *t){
  char buf[40];
  size_t n = strlen(s);
  int sign = 0, hh = 0, mm = 0;
  if( n >= sizeof(buf) ) return 0;
  memcpy(buf, s, n + 1);
  if( n > 19 && (buf[n-6] == '+' || buf[n-6] == '-') && buf[n-3] == ':' ){
    sign = buf[n-6] == '+' ? 1 : -1;
    hh = atoi(buf + n - 5);
    mm = atoi(buf + n - 2);
    buf[n-6] = 0;
  }
  if( !dt_parse_datetime(buf, 1, t) ) return 0;
  *t -= sign * (hh * 3600 + mm * 60);
  return 1;
}

static int pw_parse_int(const char *s, int64_t *v){
  char *end;
  if( !s || !*s ) return 0;
  *v = strtoll(s, &end, 10);
  return *end == 0;
}

/* Which list filters each collection takes (beyond paging and dates). */
typedef struct pw_filter {
  int64_t building, unit;
  int has_building, has_unit;
  const char *type;
  int include_deactivated;
  int include_custom;           /* lists leave customFields out by default */
  int64_t from, to;
  int has_from, has_to;
} pw_filter;

static int pw_match(int kind, const pw_rec *r, const pw_filter *f){
  if( f->has_from && r->modified < f->from ) return 0;
  if( f->has_to && r->modified > f->to ) return 0;
  if( f->has_building && r->building != f->building ) return 0;
  if( f->has_unit && r->unit != f->unit ) return 0;
  if( f->type && (r->type < 0 || strcasecmp(pw_contact_types[r->type], f->type) != 0) ) return 0;
  if( (kind == PW_BUILDINGS || kind == PW_UNITS) && !f->include_deactivated && r->inactive ) return 0;
  return 1;
}

/* A record as JSON; customFields only when asked for. */
static void pw_print_record(sb_buf *b, const pw_rec *r, int with_custom){
  size_t n = strlen(r->json);
  if( !r->custom || !with_custom || n < 2 ){
    sb_put(b, r->json, n);
    return;
  }
  sb_put(b, r->json, n - 1);                 /* without the closing brace */
  SB_LIT(b, ",\"customFields\":");
  sb_puts(b, r->custom);
  sb_putc(b, '}');
}

/* The list engine's view of one Propertyware list. */
typedef struct pw_listarg {
  pw_ctx *x;
  int kind;
  const pw_filter *f;
} pw_listarg;

static int pw_match_cb(void *arg, uint32_t i){
  pw_listarg *a = arg;
  return pw_match(a->kind, &a->x->c[a->kind].v[i], a->f);
}

static void pw_render_cb(void *arg, uint32_t i, sb_buf *b){
  pw_listarg *a = arg;
  pw_print_record(b, &a->x->c[a->kind].v[i], a->f->include_custom);
}

static void pw_list(pw_ctx *x, int kind, const sb_request *req, sb_response *resp){
  sb_query q;
  vd_errors e;
  pw_filter f;
  int64_t offset = 0, limit = PW_DEFAULT_LIMIT, total = 0;
  const char *s;
  memset(&f, 0, sizeof(f));
  vd_init(&e);
  sb_query_parse(req->query, &q);
  if( (s = sb_query_get(&q, "offset")) && (!pw_parse_int(s, &offset) || offset < 0) ){
    vd_add(&e, "offset", "offset must be a non-negative integer.");
  }
  if( (s = sb_query_get(&q, "limit")) && (!pw_parse_int(s, &limit) || limit < 1 || limit > PW_MAX_LIMIT) ){
    vd_add(&e, "limit", "limit must be between 1 and %d.", PW_MAX_LIMIT);
  }
  if( (s = sb_query_get(&q, "lastModifiedDateTimeStart")) && !(f.has_from = pw_parse_time(s, &f.from)) ){
    vd_add(&e, "lastModifiedDateTimeStart", "Invalid date time format. Expected yyyy-MM-dd'T'HH:mm:ssXXX.");
  }
  if( (s = sb_query_get(&q, "lastModifiedDateTimeEnd")) && !(f.has_to = pw_parse_time(s, &f.to)) ){
    vd_add(&e, "lastModifiedDateTimeEnd", "Invalid date time format. Expected yyyy-MM-dd'T'HH:mm:ssXXX.");
  }
  if( kind != PW_CONTACTS && (s = sb_query_get(&q, "buildingID")) ){
    if( !(f.has_building = pw_parse_int(s, &f.building)) ) vd_add(&e, "buildingID", "buildingID must be an integer.");
  }
  if( kind == PW_LEASES && (s = sb_query_get(&q, "unitID")) ){
    if( !(f.has_unit = pw_parse_int(s, &f.unit)) ) vd_add(&e, "unitID", "unitID must be an integer.");
  }
  if( kind == PW_CONTACTS && (s = sb_query_get(&q, "type")) ){
    if( vd_enum_canon(pw_contact_types, s) ) f.type = s;
    else vd_add(&e, "type", "The value '%s' is not valid for type.", s);
  }
  if( (s = sb_query_get(&q, "includeDeactivated")) ) f.include_deactivated = strcasecmp(s, "true") == 0;
  if( (s = sb_query_get(&q, "includeCustomFields")) ) f.include_custom = strcasecmp(s, "true") == 0;
  if( (s = sb_query_get(&q, "orderby")) && strcasecmp(s, "id") != 0 && strcasecmp(s, "id asc") != 0
      && strcasecmp(s, "id+asc") != 0 ){
    vd_add(&e, "orderby", "Unsupported sort field '%s'. Records are returned in id order.", s);
  }
  if( e.n ){
    pw_bad_request(resp, &e);
    vd_free(&e);
    sb_query_free(&q);
    return;
  }
  resp->status = 200;
  resp->content_type = SB_JSON_TYPE;
  pthread_rwlock_rdlock(&x->lock);
  pw_listarg a = { .x = x, .kind = kind, .f = &f };
  sb_select_spec sel = { .n = x->c[kind].n, .filtered = 1, .match = pw_match_cb, .arg = &a };
  sb_rows rows;
  sb_select(&sel, &rows);
  sb_rows_json(&rows, (long)offset, (long)limit, 1024, pw_render_cb, &a, &resp->body);
  total = rows.total;
  sb_rows_free(&rows);
  pthread_rwlock_unlock(&x->lock);
  sb_printf(&resp->headers, "X-Total-Count: %lld\r\n", (long long)total);
  resp->is_list = 1;
  resp->list_offset = (long)offset;
  vd_free(&e);
  sb_query_free(&q);
}

static void pw_get_one(pw_ctx *x, int kind, int64_t id, const sb_request *req, sb_response *resp){
  sb_query q;
  const char *inc;
  sb_query_parse(req->query, &q);
  inc = sb_query_get(&q, "includeCustomFields");
  pthread_rwlock_rdlock(&x->lock);
  const pw_rec *o = pw_find(x, kind, id);
  if( o ){
    /* the single-record reads default includeCustomFields to true */
    resp->status = 200;
    resp->content_type = SB_JSON_TYPE;
    pw_print_record(&resp->body, o, !inc || strcasecmp(inc, "false") != 0);
  }
  sb_query_free(&q);
  pthread_rwlock_unlock(&x->lock);
  if( !o ) pw_not_found(resp);
}

/* ------------------------------------------------------------------ */
/* Write validation: the spec's Save* schemas as tables                  */

static void pw_address_rule(const cJSON *o, const char *prefix, vd_errors *e){
  const char *country = vd_str(o, "country");
  static const char *const need[] = { "address", "city", "stateRegion", "postalCode" };
  if( !country ) return;
  if( strcasecmp(country, "United States") && strcasecmp(country, "USA")
      && strcasecmp(country, "US") && strcasecmp(country, "Canada") ) return;
  for(int i = 0; i < 4; i++){
    const char *v = vd_str(o, need[i]);
    if( !v || !*v ){
      char key[96];
      snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "", need[i]);
      vd_add(e, key, "%s is required when country is United States or Canada.", need[i]);
    }
  }
}

static const vd_field pw_save_address_f[] = {
  { "address", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "addressCont", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "city", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "country", VT_STRING, VF_REQUIRED, 0, 0, 0, 0, 0 },
  { "postalCode", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "stateRegion", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { 0, 0, 0, 0, 0, 0, 0, 0 }
};
static const vd_schema pw_save_address = { "SaveAddress", pw_save_address_f, pw_address_rule };

static const char *const pw_genders[] = { "UNKNOWN", "MALE", "FEMALE", "DECLINE_TO_STATE", NULL };

static const vd_field pw_save_contact_f[] = {
  { "firstName", VT_STRING, VF_REQUIRED, 30, 0, 0, 0, 0 },
  { "lastName", VT_STRING, VF_REQUIRED, 30, 0, 0, 0, 0 },
  { "middleName", VT_STRING, 0, 30, 0, 0, 0, 0 },
  { "email", VT_STRING, 0, 0, 0, 0, 0, vd_check_email },
  { "altEmail", VT_STRING, 0, 0, 0, 0, 0, vd_check_email },
  { "homePhone", VT_STRING, 0, 22, 0, 0, 0, 0 },
  { "mobilePhone", VT_STRING, 0, 22, 0, 0, 0, 0 },
  { "workPhone", VT_STRING, 0, 22, 0, 0, 0, 0 },
  { "otherPhone", VT_STRING, 0, 22, 0, 0, 0, 0 },
  { "fax", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "birthDate", VT_DATE, 0, 0, 0, 0, 0, 0 },
  { "comments", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "company", VT_STRING, 0, 75, 0, 0, 0, 0 },
  { "jobTitle", VT_STRING, 0, 75, 0, 0, 0, 0 },
  { "nameOnCheck", VT_STRING, 0, 100, 0, 0, 0, 0 },
  { "gender", VT_ENUM, 0, 0, pw_genders, 0, 0, 0 },
  { "category", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "salutation", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "suffix", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "searchTag", VT_STRING, VF_SAVE_ONLY, 0, 0, 0, 0, 0 },   /* not in Contact */
  { "namedOnLease", VT_BOOL, 0, 0, 0, 0, 0, 0 },
  { "allowESignature", VT_BOOL, 0, 0, 0, 0, 0, 0 },
  { "address", VT_OBJECT, 0, 0, 0, &pw_save_address, 0, 0 },
  { 0, 0, 0, 0, 0, 0, 0, 0 }
};
static const vd_schema pw_save_contact = { "SaveContact", pw_save_contact_f, 0 };

static const vd_field pw_save_prospect_contact_f[] = {
  { "firstName", VT_STRING, VF_REQUIRED, 30, 0, 0, 0, 0 },
  { "lastName", VT_STRING, VF_REQUIRED, 30, 0, 0, 0, 0 },
  { "email", VT_STRING, 0, 0, 0, 0, 0, vd_check_email },
  { "homePhone", VT_STRING, 0, 22, 0, 0, 0, 0 },
  { "mobilePhone", VT_STRING, 0, 22, 0, 0, 0, 0 },
  { "workPhone", VT_STRING, 0, 22, 0, 0, 0, 0 },
  { "otherPhone", VT_STRING, 0, 22, 0, 0, 0, 0 },
  { "address", VT_OBJECT, 0, 0, 0, &pw_save_address, 0, 0 },
  { 0, 0, 0, 0, 0, 0, 0, 0 }
};
static const vd_schema pw_save_prospect_contact = { "SaveProspectContact", pw_save_prospect_contact_f, 0 };

static const vd_field pw_save_prospect_f[] = {
  { "buildingID", VT_INT, 0, 0, 0, 0, 0, 0 },
  { "comments", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "contacts", VT_OBJECT_ARRAY, 0, 0, 0, &pw_save_prospect_contact, 0, 0 },
  { "moveInDate", VT_DATE, 0, 0, 0, 0, 0, 0 },
  { "numberBedrooms", VT_INT, 0, 0, 0, 0, 0, 0 },
  { "numberBathrooms", VT_NUMBER, 0, 0, 0, 0, 0, 0 },
  { "rentMax", VT_NUMBER, 0, 0, 0, 0, 0, 0 },
  { "rentMin", VT_NUMBER, 0, 0, 0, 0, 0, 0 },
  { "source", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "status", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "type", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "hasPets", VT_BOOL, 0, 0, 0, 0, 0, 0 },
  { "numberOfPets", VT_INT, 0, 0, 0, 0, 0, 0 },
  { "petType", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "petWeights", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { 0, 0, 0, 0, 0, 0, 0, 0 }
};
static const vd_schema pw_save_prospect = { "SaveProspect", pw_save_prospect_f, 0 };

/* SaveVendor: daysToPay is one of the spec's payment terms. */
static void pw_vendor_rule(const cJSON *o, const char *prefix, vd_errors *e){
  static const int days[] = { 0, 5, 10, 15, 30, 45, 60, 90 };
  const cJSON *d = vd_get(o, "daysToPay");
  (void)prefix;
  if( !cJSON_IsNumber(d) ) return;
  for(size_t i = 0; i < sizeof(days)/sizeof(days[0]); i++){
    if( d->valuedouble == days[i] ) return;
  }
  vd_add(e, "daysToPay", "daysToPay must be one of 0, 5, 10, 15, 30, 45, 60, 90.");
}

static const vd_field pw_save_vendor_f[] = {
  { "accountNumber", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "address", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "address2", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "alertEmail", VT_STRING, 0, 0, 0, 0, 0, vd_check_email },
  { "city", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "companyName", VT_STRING, VF_REQUIRED, 0, 0, 0, 0, 0 },
  { "country", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "creditLimit", VT_NUMBER, 0, 0, 0, 0, 0, 0 },
  { "daysToPay", VT_INT, 0, 0, 0, 0, 0, 0 },
  { "defaultBillSplitAccountId", VT_INT, 0, 0, 0, 0, 0, 0 },
  { "defaultMarkupDiscountPercentage", VT_NUMBER, 0, 0, 0, 0, 0, 0 },
  { "description", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "eligible1099", VT_BOOL, 0, 0, 0, 0, 0, 0 },
  { "email", VT_STRING, 0, 0, 0, 0, 0, vd_check_email },
  { "fax", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "includeCompanyNameOn1099", VT_BOOL, 0, 0, 0, 0, 0, 0 },
  { "markupAccountId", VT_INT, 0, 0, 0, 0, 0, 0 },
  { "name", VT_STRING, VF_REQUIRED, 0, 0, 0, 0, 0 },
  { "nameOnCheck", VT_STRING, VF_REQUIRED, 0, 0, 0, 0, 0 },
  { "phone", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "searchTag", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "state", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "syncToVMM", VT_BOOL, 0, 0, 0, 0, 0, 0 },
  { "taxID", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "taxPayerName", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "terms", VT_STRING, 0, 0, 0, 0, 0, 0 },
  /* the Vendor's timeTracking is text whose values the spec does not give */
  { "timeTracking", VT_BOOL, VF_SAVE_ONLY, 0, 0, 0, 0, 0 },
  { "vendorType", VT_STRING, VF_REQUIRED, 0, 0, 0, 0, 0 },
  { "website", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "zip", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { 0, 0, 0, 0, 0, 0, 0, 0 }
};
static const vd_schema pw_save_vendor = { "SaveVendor", pw_save_vendor_f, pw_vendor_rule };

static const char *const pw_priorities[] = { "HIGH", "MEDIUM", "LOW", NULL };
static const char *const pw_enter[] = { "NO", "ANYTIME", "SPECIFIEDTIME", NULL };

static const vd_field pw_save_workorder_f[] = {
  { "buildingID", VT_INT, VF_REQUIRED, 0, 0, 0, 0, 0 },
  { "description", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "category", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "priority", VT_ENUM, 0, 0, pw_priorities, 0, 0, 0 },
  { "authorizeEnter", VT_ENUM, 0, 0, pw_enter, 0, 0, 0 },
  { "type", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "costEstimate", VT_NUMBER, 0, 0, 0, 0, 0, 0 },
  { "hourEstimate", VT_NUMBER, 0, 0, 0, 0, 0, 0 },
  { "dateToEnter", VT_DATE, 0, 0, 0, 0, 0, 0 },
  { "startDate", VT_DATE, 0, 0, 0, 0, 0, 0 },
  { "scheduledEndDate", VT_DATE, 0, 0, 0, 0, 0, 0 },
  { "searchTag", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "unitIDs", VT_INT_ARRAY, VF_SAVE_ONLY, 0, 0, 0, 0, 0 },
  { "requestedBy", VT_INT, VF_SAVE_ONLY, 0, 0, 0, 0, 0 },
  { 0, 0, 0, 0, 0, 0, 0, 0 }
};
static const vd_schema pw_save_workorder = { "SaveWorkOrder", pw_save_workorder_f, 0 };

static const vd_field pw_save_lease_f[] = {
  { "unitID", VT_INT, VF_REQUIRED, 0, 0, 0, 0, 0 },
  { "tenantIDs", VT_INT_ARRAY, VF_REQUIRED | VF_SAVE_ONLY, 0, 0, 0, 0, 0 },
  { "primaryContactID", VT_INT, VF_REQUIRED | VF_SAVE_ONLY, 0, 0, 0, 0, 0 },
  { "startDate", VT_DATE, VF_REQUIRED, 0, 0, 0, 0, 0 },
  { "endDate", VT_DATE, VF_REQUIRED, 0, 0, 0, 0, 0 },
  { "moveInDate", VT_DATE, VF_REQUIRED, 0, 0, 0, 0, 0 },
  { "moveOutDate", VT_DATE, 0, 0, 0, 0, 0, 0 },
  { "scheduleMoveOutDate", VT_DATE, 0, 0, 0, 0, 0, 0 },
  { "signedDate", VT_DATE, 0, 0, 0, 0, 0, 0 },
  { "baseRent", VT_NUMBER, 0, 0, 0, 0, 0, 0 },
  { "comments", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "status", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "searchTag", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "publicAssistanceProgram", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { 0, 0, 0, 0, 0, 0, 0, 0 }
};
static const vd_schema pw_save_lease = { "SaveLease", pw_save_lease_f, 0 };

static const char *const pw_categories[] = { "RESIDENTIAL", "COMMERCIAL", NULL };

/* SaveUnit.numberBathrooms: 0, 1, 1.5 ... 10 (the spec's enum). */
static const char *pw_check_baths(const cJSON *v){
  double h = v->valuedouble * 2;
  if( h < 0 || h > 20 || h != (double)(int)h || h == 1 ) return "must be one of 0, 1, 1.5, 2, ... 10";
  return NULL;
}

static const vd_field pw_save_unit_f[] = {
  { "abbreviation", VT_STRING, VF_REQUIRED, 12, 0, 0, 0, 0 },
  { "buildingID", VT_INT, VF_REQUIRED, 0, 0, 0, 0, 0 },
  { "category", VT_ENUM, VF_REQUIRED, 0, pw_categories, 0, 0, 0 },
  { "name", VT_STRING, VF_REQUIRED, 0, 0, 0, 0, 0 },
  { "portfolioID", VT_INT, VF_REQUIRED, 0, 0, 0, 0, 0 },
  { "type", VT_STRING, VF_REQUIRED, 0, 0, 0, 0, 0 },
  { "address", VT_OBJECT, 0, 0, 0, &pw_save_address, 0, 0 },
  { "numberBedrooms", VT_INT, 0, 0, 0, 0, 0, 0 },
  { "numberBathrooms", VT_NUMBER, 0, 0, 0, 0, 0, pw_check_baths },
  { "totalArea", VT_NUMBER, 0, 0, 0, 0, 0, 0 },
  { "targetRent", VT_NUMBER, 0, 0, 0, 0, 0, 0 },
  { "targetDeposit", VT_NUMBER, 0, 0, 0, 0, 0, 0 },
  { "ready", VT_BOOL, 0, 0, 0, 0, 0, 0 },
  { "county", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "neighborhood", VT_STRING, 0, 30, 0, 0, 0, 0 },
  { "searchTag", VT_STRING, 0, 25, 0, 0, 0, 0 },
  { 0, 0, 0, 0, 0, 0, 0, 0 }
};
static const vd_schema pw_save_unit = { "SaveUnit", pw_save_unit_f, 0 };

static const char *const pw_property_types[] = { "NONE", "APARTMENT", "CONDO", "COMMERCIAL",
  "DU_FOUR_PLEX", "HOUSE", "SECTION_8_AFFORDABLE", "SENIOR", "SHORT_TERM_VACATION", "STUDENT",
  "TOWNHOUSE", "OTHER", NULL };

static const char *pw_check_year(const cJSON *v){
  const char *z = v->valuestring;
  for(int i = 0; i < 4; i++) if( z[i] < '0' || z[i] > '9' ) return "must be a four-digit year";
  return z[4] ? "must be a four-digit year" : NULL;
}

static const vd_field pw_save_building_f[] = {
  { "abbreviation", VT_STRING, VF_REQUIRED, 0, 0, 0, 0, 0 },
  { "category", VT_ENUM, VF_REQUIRED, 0, pw_categories, 0, 0, 0 },
  { "countUnit", VT_INT, VF_REQUIRED, 0, 0, 0, 0, 0 },
  { "name", VT_STRING, VF_REQUIRED, 0, 0, 0, 0, 0 },
  { "portfolioID", VT_INT, VF_REQUIRED, 0, 0, 0, 0, 0 },
  { "propertyType", VT_ENUM, VF_REQUIRED, 0, pw_property_types, 0, 0, 0 },
  { "type", VT_STRING, VF_REQUIRED, 0, 0, 0, 0, 0 },
  { "address", VT_OBJECT, 0, 0, 0, &pw_save_address, 0, 0 },
  { "yearBuiltAsString", VT_STRING, 0, 0, 0, 0, 0, pw_check_year },
  { "totalArea", VT_NUMBER, 0, 0, 0, 0, 0, 0 },
  { "numberBedrooms", VT_INT, 0, 0, 0, 0, 0, 0 },
  { "numberBathrooms", VT_NUMBER, 0, 0, 0, 0, 0, 0 },
  { "numberFloors", VT_INT, 0, 0, 0, 0, 0, 0 },
  { "rentable", VT_BOOL, 0, 0, 0, 0, 0, 0 },
  { "targetRent", VT_NUMBER, 0, 0, 0, 0, 0, 0 },
  { "targetDeposit", VT_NUMBER, 0, 0, 0, 0, 0, 0 },
  { "neighborhood", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { "searchTag", VT_STRING, 0, 0, 0, 0, 0, 0 },
  { 0, 0, 0, 0, 0, 0, 0, 0 }
};
static const vd_schema pw_save_building = { "SaveBuilding", pw_save_building_f, 0 };

/* Parse and validate a write body; on failure the 400 is in resp. */
static cJSON *pw_body(const sb_request *req, const vd_schema *s, sb_response *resp){
  vd_errors e;
  cJSON *body = req->body_len ? cJSON_ParseWithLength(req->body, req->body_len) : NULL;
  vd_init(&e);
  if( !cJSON_IsObject(body) ){
    vd_add(&e, "body", "The request body must be a JSON object (%s).", s->name);
  }else{
    vd_object(s, body, "", &e);
  }
  if( e.n ){
    pw_bad_request(resp, &e);
    vd_free(&e);
    cJSON_Delete(body);
    return NULL;
  }
  vd_free(&e);
  return body;
}

static void pw_put_item(cJSON *o, const char *k, cJSON *v){
  if( cJSON_GetObjectItemCaseSensitive(o, k) ) cJSON_ReplaceItemInObjectCaseSensitive(o, k, v);
  else cJSON_AddItemToObject(o, k, v);
}

/* Copy the schema's members from the body onto the record (canonical
** names). With replace, a member the body leaves out (or sends null) is
** removed: PUT replaces every Save* field, and an empty field is omitted.
** Save-only members (VF_SAVE_ONLY: instructions such as tenantIDs, not
** fields of the record) are never copied. */
static void pw_apply(cJSON *rec, const vd_schema *s, const cJSON *body, int replace){
  cJSON *norm = vd_normalize(s, body);
  for(const vd_field *f = s->fields; f->name; f++){
    if( f->flags & VF_SAVE_ONLY ) continue;
    cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(norm, f->name);
    if( !v ){
      if( replace ) cJSON_DeleteItemFromObjectCaseSensitive(rec, f->name);
      continue;
    }
    pw_put_item(rec, f->name, v);
  }
  cJSON_Delete(norm);
}

static void pw_send_record(sb_response *resp, int status, const cJSON *o){
  char *z = cJSON_PrintUnformatted(o);
  resp->status = status;
  resp->content_type = SB_JSON_TYPE;
  sb_puts(&resp->body, z);
  free(z);
}

static void pw_new_stamp(cJSON *o, int64_t id){
  int64_t now = dt_now();
  cJSON_AddNumberToObject(o, "id", (double)id);
  pw_set_time(o, "createdDateTime", now);
  cJSON_AddStringToObject(o, "createdBy", "API");
  pw_set_time(o, "lastModifiedDateTime", now);
  cJSON_AddStringToObject(o, "lastModifiedBy", "API");
}

/* POST /contacts and PUT /contacts/{contactID}. */
static void pw_save_contact_w(pw_ctx *x, const sb_request *req, int64_t id, sb_response *resp){
  cJSON *body = pw_body(req, &pw_save_contact, resp);
  if( !body ) return;
  pthread_rwlock_wrlock(&x->lock);
  if( id < 0 ){
    cJSON *o = cJSON_CreateObject();
    pw_new_stamp(o, x->c[PW_CONTACTS].next_id++);
    /* SaveContact has no type; contacts created through the API are
    ** treated as tenants here (inference: Propexo's create resident). */
    cJSON_AddStringToObject(o, "type", "TENANT");
    pw_apply(o, &pw_save_contact, body, 1);
    pw_send_record(resp, 201, o);
    pw_add(&x->c[PW_CONTACTS], o);
  }else{
    pw_rec *r = pw_find(x, PW_CONTACTS, id);
    if( r ){
      cJSON *o = pw_load(r);
      pw_apply(o, &pw_save_contact, body, 1);
      pw_touch(o, dt_now());
      pw_rec_set(r, o);
      pw_send_record(resp, 200, o);
      cJSON_Delete(o);
    }else{
      pw_not_found(resp);
    }
  }
  pthread_rwlock_unlock(&x->lock);
  cJSON_Delete(body);
}

static void pw_save_prospect_w(pw_ctx *x, const sb_request *req, sb_response *resp){
  cJSON *body = pw_body(req, &pw_save_prospect, resp), *o, *c;
  if( !body ) return;
  pthread_rwlock_wrlock(&x->lock);
  const cJSON *b = vd_get(body, "buildingID");
  if( b && cJSON_IsNumber(b) && !pw_find(x, PW_BUILDINGS, (int64_t)b->valuedouble) ){
    vd_errors e;
    vd_init(&e);
    vd_add(&e, "buildingID", "Building %lld does not exist.", (long long)b->valuedouble);
    pw_bad_request(resp, &e);
    vd_free(&e);
    goto done;
  }
  o = cJSON_CreateObject();
  pw_new_stamp(o, x->c[PW_PROSPECTS].next_id++);
  pw_apply(o, &pw_save_prospect, body, 1);
  if( !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "status")) ){
    pw_put_item(o, "status", cJSON_CreateString("New"));
  }
  cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(o, "contacts")){
    int64_t now = dt_now();
    cJSON_DeleteItemFromObjectCaseSensitive(c, "id");
    cJSON_AddNumberToObject(c, "id", (double)x->c[PW_CONTACTS].next_id++);
    pw_add_prospect_contact(x, c, now, now);
    cJSON_DeleteItemFromObjectCaseSensitive(c, "address");   /* ProspectContact has none */
  }
  pw_send_record(resp, 201, o);
  pw_add(&x->c[PW_PROSPECTS], o);
done:
  pthread_rwlock_unlock(&x->lock);
  cJSON_Delete(body);
}

/* POST /vendors: SaveVendor onto a new Vendor, the members the Vendor
** names differently renamed (vendorType is its type, taxID its taxId,
** daysToPay and terms its paymentTermDaysToPay and paymentTerms, which
** default to NET 30); a new vendor is active. */
static void pw_save_vendor_w(pw_ctx *x, const sb_request *req, sb_response *resp){
  static const char *const renames[][2] = {
    { "vendorType", "type" }, { "taxID", "taxId" }, { "daysToPay", "paymentTermDaysToPay" },
    { "terms", "paymentTerms" },
  };
  cJSON *body = pw_body(req, &pw_save_vendor, resp), *o;
  if( !body ) return;
  pthread_rwlock_wrlock(&x->lock);
  o = cJSON_CreateObject();
  pw_new_stamp(o, x->c[PW_VENDORS].next_id++);
  pw_apply(o, &pw_save_vendor, body, 1);
  for(size_t i = 0; i < sizeof(renames)/sizeof(renames[0]); i++){
    cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(o, renames[i][0]);
    if( v ) pw_put_item(o, renames[i][1], v);
  }
  if( !cJSON_GetObjectItemCaseSensitive(o, "paymentTerms") ) cJSON_AddStringToObject(o, "paymentTerms", "NET 30");
  cJSON_AddBoolToObject(o, "active", 1);
  pw_send_record(resp, 201, o);
  pw_add(&x->c[PW_VENDORS], o);
  pthread_rwlock_unlock(&x->lock);
  cJSON_Delete(body);
}

static void pw_save_workorder_w(pw_ctx *x, const sb_request *req, sb_response *resp){
  cJSON *body = pw_body(req, &pw_save_workorder, resp), *o, *u;
  vd_errors e;
  if( !body ) return;
  vd_init(&e);
  pthread_rwlock_wrlock(&x->lock);
  int64_t bid = (int64_t)vd_get(body, "buildingID")->valuedouble;
  if( !pw_find(x, PW_BUILDINGS, bid) ){
    vd_add(&e, "buildingID", "Building %lld does not exist.", (long long)bid);
  }
  int i = 0;
  cJSON_ArrayForEach(u, (cJSON*)vd_get(body, "unitIDs")){
    const pw_rec *unit = pw_find(x, PW_UNITS, (int64_t)u->valuedouble);
    if( !unit || unit->building != bid ){
      char key[32];
      snprintf(key, sizeof(key), "unitIDs[%d]", i);
      vd_add(&e, key, "Unit %lld is not attached to building %lld.", (long long)u->valuedouble, (long long)bid);
    }
    i++;
  }
  /* requestedBy: the id of the contact who reported it (SaveWorkOrder); the
  ** WorkOrder read shows that person's name */
  const cJSON *rq = vd_get(body, "requestedBy");
  const pw_rec *who = rq && cJSON_IsNumber(rq) ? pw_find(x, PW_CONTACTS, (int64_t)rq->valuedouble) : NULL;
  if( rq && cJSON_IsNumber(rq) && !who ){
    vd_add(&e, "requestedBy", "Contact %lld does not exist.", (long long)rq->valuedouble);
  }
  if( e.n ){
    pw_bad_request(resp, &e);
    goto done;
  }
  o = cJSON_CreateObject();
  pw_new_stamp(o, x->c[PW_WORKORDERS].next_id++);
  cJSON_AddNumberToObject(o, "number", (double)x->next_wo_number++);
  pw_apply(o, &pw_save_workorder, body, 1);
  if( who ){
    cJSON *c = pw_load(who);
    const cJSON *fn = cJSON_GetObjectItemCaseSensitive(c, "firstName");
    const cJSON *ln = cJSON_GetObjectItemCaseSensitive(c, "lastName");
    char name[256];
    snprintf(name, sizeof(name), "%s %s", cJSON_IsString(fn) ? fn->valuestring : "",
             cJSON_IsString(ln) ? ln->valuestring : "");
    cJSON_AddStringToObject(o, "requestedBy", name);
    cJSON_Delete(c);
  }
  cJSON_AddStringToObject(o, "status", "Open");
  if( !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "priority")) ){
    pw_put_item(o, "priority", cJSON_CreateString("MEDIUM"));
  }
  pw_send_record(resp, 201, o);
  pw_add(&x->c[PW_WORKORDERS], o);
done:
  pthread_rwlock_unlock(&x->lock);
  vd_free(&e);
  cJSON_Delete(body);
}

/* A lease's contacts[] (LeaseContact) from its tenant contacts. */
static cJSON *pw_lease_contacts(pw_ctx *x, const cJSON *ids, int64_t primary){
  cJSON *out = cJSON_CreateArray(), *id;
  static const char *const keys[] = { "firstName", "lastName", "email", "mobilePhone",
                                      "homePhone", "workPhone", "company" };
  cJSON_ArrayForEach(id, (cJSON*)ids){
    const pw_rec *r = pw_find(x, PW_CONTACTS, (int64_t)id->valuedouble);
    cJSON *c = r ? pw_load(r) : NULL;
    cJSON *lc = cJSON_CreateObject();
    cJSON_AddNumberToObject(lc, "id", id->valuedouble);
    for(size_t k = 0; c && k < sizeof(keys)/sizeof(keys[0]); k++){
      const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, keys[k]);
      if( cJSON_IsString(v) ) cJSON_AddStringToObject(lc, keys[k], v->valuestring);
    }
    cJSON_AddBoolToObject(lc, "namedOnLease", 1);
    cJSON_AddBoolToObject(lc, "primary", (int64_t)id->valuedouble == primary);
    cJSON_AddItemToArray(out, lc);
    cJSON_Delete(c);
  }
  return out;
}

/* POST /leases and PUT /leases/{leaseId} (SaveLease). */
static void pw_save_lease_w(pw_ctx *x, const sb_request *req, int64_t id, sb_response *resp){
  cJSON *body = pw_body(req, &pw_save_lease, resp), *o = NULL, *t;
  pw_rec *rec = NULL;
  const pw_rec *unit;
  vd_errors e;
  int64_t primary, uid;
  int i = 0, has_primary = 0;
  if( !body ) return;
  vd_init(&e);
  pthread_rwlock_wrlock(&x->lock);
  if( id > 0 && !(rec = pw_find(x, PW_LEASES, id)) ){
    pw_not_found(resp);
    goto done;
  }
  uid = (int64_t)vd_get(body, "unitID")->valuedouble;
  primary = (int64_t)vd_get(body, "primaryContactID")->valuedouble;
  if( !(unit = pw_find(x, PW_UNITS, uid)) ) vd_add(&e, "unitID", "Unit %lld does not exist.", (long long)uid);
  cJSON_ArrayForEach(t, (cJSON*)vd_get(body, "tenantIDs")){
    const pw_rec *c = pw_find(x, PW_CONTACTS, (int64_t)t->valuedouble);
    if( !c || c->type != 0 ){                  /* TENANT */
      char key[32];
      snprintf(key, sizeof(key), "tenantIDs[%d]", i);
      vd_add(&e, key, "Contact %lld is not a tenant.", (long long)t->valuedouble);
    }
    if( (int64_t)t->valuedouble == primary ) has_primary = 1;
    i++;
  }
  if( i == 0 ) vd_add(&e, "tenantIDs", "At least one tenant is required.");
  if( !has_primary ) vd_add(&e, "primaryContactID", "Should be one of tenant IDs.");
  if( strcmp(vd_str(body, "endDate"), vd_str(body, "startDate")) < 0 ){
    vd_add(&e, "endDate", "End date must be on or after the start date.");
  }
  if( e.n ){
    pw_bad_request(resp, &e);
    goto done;
  }
  if( !rec ){
    o = cJSON_CreateObject();
    pw_new_stamp(o, x->c[PW_LEASES].next_id++);
  }else{
    o = pw_load(rec);
    pw_touch(o, dt_now());
  }
  pw_apply(o, &pw_save_lease, body, 1);
  pw_put_item(o, "buildingID", cJSON_CreateNumber((double)unit->building));
  pw_put_item(o, "contacts", pw_lease_contacts(x, vd_get(body, "tenantIDs"), primary));
  if( !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "status")) ){
    pw_put_item(o, "status", cJSON_CreateString("Active"));
  }
  pw_send_record(resp, id > 0 ? 200 : 201, o);
  if( rec ){
    pw_rec_set(rec, o);
    cJSON_Delete(o);
  }else{
    pw_add(&x->c[PW_LEASES], o);
  }
done:
  pthread_rwlock_unlock(&x->lock);
  vd_free(&e);
  cJSON_Delete(body);
}

/* PUT /units/{unitID} (SaveUnit) and PUT /buildings/{buildingID}
** (SaveBuilding): some Save names differ from the record's. */
static const struct { int kind; const char *save, *rec; int to_int; } pw_renames[] = {
  { PW_UNITS, "numberBedrooms", "numberOfBedrooms", 0 },
  { PW_UNITS, "numberBathrooms", "numberOfBathrooms", 0 },
  { PW_BUILDINGS, "numberBedrooms", "numberOfBedrooms", 0 },
  { PW_BUILDINGS, "numberBathrooms", "numberOfBathrooms", 0 },
  { PW_BUILDINGS, "yearBuiltAsString", "yearBuilt", 1 },
};

static void pw_save_structure_w(pw_ctx *x, int kind, const sb_request *req, int64_t id,
                                sb_response *resp){
  const vd_schema *sch = kind == PW_UNITS ? &pw_save_unit : &pw_save_building;
  cJSON *body = pw_body(req, sch, resp), *o;
  const cJSON *b;
  pw_rec *rec;
  if( !body ) return;
  pthread_rwlock_wrlock(&x->lock);
  b = vd_get(body, "buildingID");
  if( !(rec = pw_find(x, kind, id)) ){
    pw_not_found(resp);
  }else if( kind == PW_UNITS && !pw_find(x, PW_BUILDINGS, (int64_t)b->valuedouble) ){
    vd_errors e;
    vd_init(&e);
    vd_add(&e, "buildingID", "Building %lld does not exist.", (long long)b->valuedouble);
    pw_bad_request(resp, &e);
    vd_free(&e);
  }else{
    o = pw_load(rec);
    pw_apply(o, sch, body, 1);
    for(size_t k = 0; k < sizeof(pw_renames)/sizeof(pw_renames[0]); k++){
      cJSON *v;
      if( pw_renames[k].kind != kind ) continue;
      v = cJSON_DetachItemFromObjectCaseSensitive(o, pw_renames[k].save);
      if( v && pw_renames[k].to_int && cJSON_IsString(v) ){
        cJSON *n = cJSON_CreateNumber(atoi(v->valuestring));
        cJSON_Delete(v);
        v = n;
      }
      if( v ) pw_put_item(o, pw_renames[k].rec, v);
    }
    pw_touch(o, dt_now());
    pw_rec_set(rec, o);
    pw_send_record(resp, 200, o);
    cJSON_Delete(o);
  }
  pthread_rwlock_unlock(&x->lock);
  cJSON_Delete(body);
}

/* DELETE /{collection}/{id} (contacts, leases, units, buildings, work
** orders in the spec): 204 No Content, the record is gone. */
static void pw_delete_w(pw_ctx *x, int kind, int64_t id, sb_response *resp){
  pw_coll *c = &x->c[kind];
  int found = 0;
  pthread_rwlock_wrlock(&x->lock);
  pw_rec *r = pw_find(x, kind, id);
  if( r ){
    uint32_t i = (uint32_t)(r - c->v);
    pw_rec_clear(r);
    memmove(&c->v[i], &c->v[i + 1], (c->n - i - 1) * sizeof(pw_rec));
    c->n--;
    found = 1;
  }
  pthread_rwlock_unlock(&x->lock);
  if( !found ){ pw_not_found(resp); return; }
  resp->status = 204;
  resp->content_type = SB_JSON_TYPE;
}

/* ------------------------------------------------------------------ */
/* Routing                                                               */

/* The collection a path starts with (the longest: leases/charges before
** leases); *len is its length. */
static int pw_kind_of(const char *p, size_t *len){
  int best = -1;
  for(int k = 0; k < PW_NKINDS; k++){
    size_t n = strlen(pw_kinds[k].path);
    if( strncmp(p, pw_kinds[k].path, n) == 0 && (p[n] == 0 || p[n] == '/')
        && (best < 0 || n > *len) ){
      best = k;
      *len = n;
    }
  }
  return best;
}

/* Fixed lookups of the spec (LeaseStatus, ProspectStatus, ContactCategory). */
static const struct { const char *path, *body; } pw_fixed[] = {
  { PW_PREFIX "/health", "{\"status\":\"UP\"}" },
  { PW_PREFIX "/leases/statuses",
    "[{\"id\":1,\"status\":\"Active\",\"defineActive\":true,\"orderIndex\":1,\"portalLoginEnabled\":true,\"readonly\":true},"
    "{\"id\":2,\"status\":\"Active - Notice Given\",\"defineActive\":true,\"orderIndex\":2,\"portalLoginEnabled\":true,\"readonly\":true},"
    "{\"id\":3,\"status\":\"Future\",\"defineActive\":false,\"orderIndex\":3,\"portalLoginEnabled\":false,\"readonly\":false},"
    "{\"id\":4,\"status\":\"Draft\",\"defineActive\":false,\"orderIndex\":4,\"portalLoginEnabled\":false,\"readonly\":true},"
    "{\"id\":5,\"status\":\"Eviction\",\"defineActive\":true,\"orderIndex\":5,\"portalLoginEnabled\":true,\"readonly\":true},"
    "{\"id\":6,\"status\":\"Terminated\",\"defineActive\":false,\"orderIndex\":6,\"portalLoginEnabled\":false,\"readonly\":true},"
    "{\"id\":7,\"status\":\"Closed\",\"defineActive\":false,\"orderIndex\":7,\"portalLoginEnabled\":false,\"readonly\":true}]" },
  { PW_PREFIX "/prospects/statuses",
    "[{\"id\":1,\"status\":\"New\",\"readonly\":true,\"visibleOnPortal\":true},"
    "{\"id\":2,\"status\":\"Active\",\"readonly\":false,\"visibleOnPortal\":true},"
    "{\"id\":3,\"status\":\"Approved\",\"readonly\":false,\"visibleOnPortal\":true},"
    "{\"id\":4,\"status\":\"Rejected\",\"readonly\":false,\"visibleOnPortal\":false},"
    "{\"id\":5,\"status\":\"Cancelled\",\"readonly\":false,\"visibleOnPortal\":false},"
    "{\"id\":6,\"status\":\"Deferred\",\"readonly\":false,\"visibleOnPortal\":false},"
    "{\"id\":7,\"status\":\"Leased\",\"readonly\":true,\"visibleOnPortal\":false}]" },
  { PW_PREFIX "/contacts/categories",
    "[{\"id\":1,\"categoryName\":\"Tenant\"},{\"id\":2,\"categoryName\":\"Owner\"},"
    "{\"id\":3,\"categoryName\":\"Prospect\"}]" },
};

/* GET /leases/{leaseId}/autocharges: the lease's recurring charges (Charge);
** a lease created through the API has none yet, a deleted one is 404. */
static void pw_autocharges_get(pw_ctx *x, int64_t id, sb_response *resp){
  pf_recurring rc[PF_RC_SLOTS];
  int64_t j = id - pw_kinds[PW_LEASES].base - 1;
  pthread_rwlock_rdlock(&x->lock);
  if( pw_find(x, PW_LEASES, id) == NULL ){
    pthread_rwlock_unlock(&x->lock);
    pw_not_found(resp);
    return;
  }
  int n = j >= 0 && j < x->pf->leases.n ? pf_recurring_lease(x->pf, (uint32_t)j, rc) : 0;
  cJSON *a = cJSON_CreateArray();
  for(int i = 0; i < n; i++){
    const pf_charge_code *cc = pf_charge_code_at(rc[i].code);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)(pw_kinds[PW_CHARGES].base + 90000000 + rc[i].id));
    cJSON_AddStringToObject(o, "account", cc->number);
    cJSON_AddNumberToObject(o, "amount", rc[i].amount_cents / 100.0);
    cJSON_AddStringToObject(o, "description", cc->name);
    cJSON_AddStringToObject(o, "dueDay", "1st of the month");
    if( rc[i].code != PF_CC_RENT ){                  /* the extra: a reference of its own */
      char ref[24];
      snprintf(ref, sizeof(ref), "AC-%u", (unsigned)rc[i].id);
      cJSON_AddStringToObject(o, "referenceNumber", ref);
    }
    pw_set_date(o, "endDate", rc[i].end);
    cJSON_AddStringToObject(o, "frequency", "MONTHLY");
    cJSON_AddNumberToObject(o, "glAccountID", (double)pw_gen_id(PW_GLACCOUNTS, rc[i].code));
    pw_set_date(o, "lastPostDate", rc[i].active ? dt_add_months(x->pf->asof - 29, 0) : PF_NODATE);
    pw_set_date(o, "startDate", rc[i].start);
    cJSON_AddItemToArray(a, o);
  }
  pthread_rwlock_unlock(&x->lock);
  pw_send_record(resp, 200, a);
  cJSON_Delete(a);
}

/* POST /leases/charges (SaveCharge) and POST /leases/payments
** (SavePayment): the transaction goes on the lease's ledger; the lease's
** charges are rendered again (a payment pays the oldest). */
static const char *const pw_pay_types_in[] = { "CHECK", "CHECK21", "CASHIERS_CHECK",
  "CREDIT_CARD", "CASH", "MONEY_ORDER", "OTHER", "CLICKPAY", "SECTION8", "EPAY", "ECHECK",
  "NACHA", "RENTMONEY", "PUBLIC_ASSISTANCE", NULL };
static const vd_field pw_save_charge_f[] = {
  { .name = "amount", .type = VT_NUMBER, .flags = VF_REQUIRED },
  { .name = "comments", .type = VT_STRING },
  { .name = "date", .type = VT_DATE, .flags = VF_REQUIRED },
  { .name = "glAccountID", .type = VT_INT, .flags = VF_REQUIRED },
  { .name = "leaseID", .type = VT_INT, .flags = VF_REQUIRED },
  { .name = "refNo", .type = VT_STRING },
  { 0 }
};
static const vd_schema pw_save_charge = { "SaveCharge", pw_save_charge_f, 0 };
static const vd_field pw_save_payment_f[] = {
  { .name = "amount", .type = VT_NUMBER, .flags = VF_REQUIRED },
  { .name = "comments", .type = VT_STRING },
  { .name = "contactID", .type = VT_INT, .flags = VF_REQUIRED },
  { .name = "date", .type = VT_DATE, .flags = VF_REQUIRED },
  { .name = "depositDate", .type = VT_DATE, .flags = VF_REQUIRED },
  { .name = "destinationAccountID", .type = VT_INT, .flags = VF_REQUIRED },
  { .name = "leaseID", .type = VT_INT, .flags = VF_REQUIRED },
  { .name = "paymentType", .type = VT_ENUM, .flags = VF_REQUIRED, .enums = pw_pay_types_in },
  { .name = "refNo", .type = VT_STRING, .flags = VF_REQUIRED },
  { 0 }
};
static const vd_schema pw_save_payment = { "SavePayment", pw_save_payment_f, 0 };

static void pw_save_txn_w(pw_ctx *x, int kind, const sb_request *req, sb_response *resp){
  cJSON *body = pw_body(req, kind == PW_CHARGES ? &pw_save_charge : &pw_save_payment, resp);
  vd_errors e;
  pf_txn t;
  if( !body ) return;
  vd_init(&e);
  memset(&t, 0, sizeof(t));
  double amount = cJSON_GetObjectItemCaseSensitive(body, "amount")->valuedouble;
  int64_t lease = pw_num_of(body, "leaseID");
  int64_t j = lease - pw_kinds[PW_LEASES].base - 1;
  if( amount <= 0 ) vd_add(&e, "amount", "amount must be greater than 0.");
  pthread_rwlock_wrlock(&x->lock);
  if( pw_find(x, PW_LEASES, lease) == NULL || j < 0 || j >= x->pf->leases.n ){
    vd_add(&e, "leaseID", "Lease %lld does not exist.", (long long)lease);
  }
  if( kind == PW_CHARGES ){
    int64_t gl = pw_num_of(body, "glAccountID") - pw_kinds[PW_GLACCOUNTS].base - 1;
    if( gl < 0 || gl >= PF_NCHARGECODES ){
      vd_add(&e, "glAccountID", "GL account %lld is not an income account.", (long long)pw_num_of(body, "glAccountID"));
    }
    t.kind = PF_TX_CHARGE;
    t.code = (uint8_t)(gl < 0 ? 0 : gl);
  }else{
    const char *ty = vd_enum_canon(pw_pay_types_in, vd_str(body, "paymentType"));
    if( pw_num_of(body, "destinationAccountID") != PW_ID_BANK ){
      vd_add(&e, "destinationAccountID", "GL account %lld is not a bank account.",
             (long long)pw_num_of(body, "destinationAccountID"));
    }
    if( pw_find(x, PW_CONTACTS, pw_num_of(body, "contactID")) == NULL ){
      vd_add(&e, "contactID", "Contact %lld does not exist.", (long long)pw_num_of(body, "contactID"));
    }
    t.kind = PF_TX_PAYMENT;
    t.code = strcmp(ty, "CASH") == 0 ? PF_PM_CASH
           : strcmp(ty, "MONEY_ORDER") == 0 || strcmp(ty, "CASHIERS_CHECK") == 0 ? PF_PM_MONEY_ORDER
           : strcmp(ty, "CREDIT_CARD") == 0 ? PF_PM_CREDIT_CARD
           : strncmp(ty, "CHECK", 5) == 0 ? PF_PM_CHECK : PF_PM_ACH;
  }
  if( e.n ){
    pthread_rwlock_unlock(&x->lock);
    pw_bad_request(resp, &e);
  }else{
    int64_t now = dt_now();
    t.lease = (uint32_t)j;
    t.amount_cents = sb_llround(amount * 100);
    dt_parse_date(vd_str(body, "date"), &t.date);
    t.due = t.date;
    t.created = (uint32_t)now;
    t.memo = vd_str(body, "comments");
    t.reference = vd_str(body, "refNo");
    uint32_t id = pf_ledger_add(x->pf, &t);
    if( kind == PW_PAYMENTS ){
      uint32_t w = id - PF_TX_WRITTEN;
      if( w >= x->npay_type ){
        uint32_t n = w + 16;
        x->pay_type = sb_xrealloc(x->pay_type, n * sizeof(*x->pay_type));
        memset(x->pay_type + x->npay_type, 0, (n - x->npay_type) * sizeof(*x->pay_type));
        x->npay_type = n;
      }
      x->pay_type[w] = vd_enum_canon(pw_pay_types_in, vd_str(body, "paymentType"));
    }
    pw_render_ledger(x, (uint32_t)j, now);
    pw_rec *lr = pw_find(x, PW_LEASES, lease);          /* its leaseBalance moves */
    cJSON *lo = pw_load(lr);
    pw_put_item(lo, "leaseBalance", cJSON_CreateNumber(pf_ledger_balance(x->pf, (uint32_t)j) / 100.0));
    pw_touch(lo, now);
    pw_rec_set(lr, lo);
    cJSON_Delete(lo);
    const pw_rec *r = pw_find(x, kind, pw_kinds[PW_CHARGES].base + id);
    cJSON *o = r ? pw_load(r) : NULL;
    pthread_rwlock_unlock(&x->lock);
    pw_send_record(resp, 201, o);
    cJSON_Delete(o);
  }
  vd_free(&e);
  cJSON_Delete(body);
}

/* GET /leases/{leaseId}/contacts: the lease's tenants as Contact records. */
static void pw_lease_contacts_get(pw_ctx *x, int64_t id, const sb_request *req, sb_response *resp){
  sb_query q;
  const char *inc;
  const pw_rec *l;
  sb_query_parse(req->query, &q);
  inc = sb_query_get(&q, "includeCustomFields");
  pthread_rwlock_rdlock(&x->lock);
  if( (l = pw_find(x, PW_LEASES, id)) != NULL ){
    cJSON *o = pw_load(l), *c;
    int n = 0;
    resp->status = 200;
    resp->content_type = SB_JSON_TYPE;
    sb_putc(&resp->body, '[');
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(o, "contacts")){
      const pw_rec *r = pw_find(x, PW_CONTACTS, pw_num_of(c, "id"));
      if( !r ) continue;
      if( n++ ) sb_putc(&resp->body, ',');
      pw_print_record(&resp->body, r, inc && strcasecmp(inc, "true") == 0);
    }
    sb_putc(&resp->body, ']');
    cJSON_Delete(o);
  }
  pthread_rwlock_unlock(&x->lock);
  sb_query_free(&q);
  if( !l ) pw_not_found(resp);
}

static void pw_route(pw_ctx *x, const sb_request *req, sb_response *resp){
  const char *p = req->path + strlen(PW_PREFIX);
  const char *slash;
  char *rest = NULL;
  int64_t id = -1;
  int kind;
  if( *p != '/' ){ pw_not_found(resp); return; }
  p++;
  size_t klen = 0;
  kind = pw_kind_of(p, &klen);
  slash = kind >= 0 && p[klen] == '/' ? p + klen : NULL;
  for(size_t i = 0; i < sizeof(pw_fixed)/sizeof(pw_fixed[0]); i++){
    if( strcmp(req->path, pw_fixed[i].path) == 0 && strcmp(req->method, "GET") == 0 ){
      resp->status = 200;
      resp->content_type = SB_JSON_TYPE;
      sb_puts(&resp->body, pw_fixed[i].body);
      return;
    }
  }
  if( kind < 0 ){ pw_not_found(resp); return; }
  if( slash ){
    id = strtoll(slash + 1, &rest, 10);
    if( rest == slash + 1 || id <= 0 ){ pw_not_found(resp); return; }
    if( *rest ){
      if( kind == PW_LEASES && strcmp(rest, "/contacts") == 0 && strcmp(req->method, "GET") == 0 ){
        pw_lease_contacts_get(x, id, req, resp);
      }else if( kind == PW_LEASES && strcmp(rest, "/autocharges") == 0 && strcmp(req->method, "GET") == 0 ){
        pw_autocharges_get(x, id, resp);
      }else{
        pw_not_found(resp);
      }
      return;
    }
  }
  if( strcmp(req->method, "GET") == 0 ){
    if( id < 0 ) pw_list(x, kind, req, resp); else pw_get_one(x, kind, id, req, resp);
    return;
  }
  if( kind == PW_CONTACTS && strcmp(req->method, "POST") == 0 && id < 0 ){
    pw_save_contact_w(x, req, -1, resp);
  }else if( kind == PW_CONTACTS && strcmp(req->method, "PUT") == 0 && id > 0 ){
    pw_save_contact_w(x, req, id, resp);
  }else if( kind == PW_PROSPECTS && strcmp(req->method, "POST") == 0 && id < 0 ){
    pw_save_prospect_w(x, req, resp);
  }else if( (kind == PW_UNITS || kind == PW_BUILDINGS) && strcmp(req->method, "PUT") == 0 && id > 0 ){
    pw_save_structure_w(x, kind, req, id, resp);
  }else if( kind == PW_LEASES && strcmp(req->method, "POST") == 0 && id < 0 ){
    pw_save_lease_w(x, req, -1, resp);
  }else if( kind == PW_LEASES && strcmp(req->method, "PUT") == 0 && id > 0 ){
    pw_save_lease_w(x, req, id, resp);
  }else if( kind <= PW_WORKORDERS && kind != PW_PROSPECTS && strcmp(req->method, "DELETE") == 0 && id > 0 ){
    pw_delete_w(x, kind, id, resp);
  }else if( kind == PW_WORKORDERS && strcmp(req->method, "POST") == 0 && id < 0 ){
    pw_save_workorder_w(x, req, resp);
  }else if( kind == PW_VENDORS && strcmp(req->method, "POST") == 0 && id < 0 ){
    pw_save_vendor_w(x, req, resp);
  }else if( (kind == PW_CHARGES || kind == PW_PAYMENTS) && strcmp(req->method, "POST") == 0 && id < 0 ){
    pw_save_txn_w(x, kind, req, resp);
  }else{
    pw_error(resp, 405, "METHOD_NOT_ALLOWED",
             "This sandbox does not emulate that operation on the resource.", NULL);
  }
}

/* ------------------------------------------------------------------ */
/* The sb_vendor                                                         */

static void pw_credentials(const sb_options *opt, sb_buf *out){
  char id[64], secret[64], sys[32];
  snprintf(id, sizeof(id), "pw-sandbox-client-%llu", (unsigned long long)opt->seed);
  snprintf(secret, sizeof(secret), "pw-sandbox-secret-%llu", (unsigned long long)opt->seed);
  snprintf(sys, sizeof(sys), "%llu", (unsigned long long)(100000 + opt->seed % 900000));
  SB_LIT(out, "{\"client_id\":");
  jw_str(out, id);
  SB_LIT(out, ",\"client_secret\":");
  jw_str(out, secret);
  SB_LIT(out, ",\"system_id\":");
  jw_str(out, sys);
  sb_putc(out, '}');
}

static void *pw_open(sb_portfolio *pf, const sb_options *opt){
  pw_ctx *x = sb_xcalloc(1, sizeof(*x));
  x->pf = pf;
  sb_rwlock_init(&x->lock);
  snprintf(x->client_id, sizeof(x->client_id), "pw-sandbox-client-%llu", (unsigned long long)opt->seed);
  snprintf(x->client_secret, sizeof(x->client_secret), "pw-sandbox-secret-%llu", (unsigned long long)opt->seed);
  snprintf(x->system_id, sizeof(x->system_id), "%llu", (unsigned long long)(100000 + opt->seed % 900000));
  x->next_wo_number = 1;
  pw_render_all(x);
  return x;
}

static void pw_close(void *vs){
  pw_ctx *x = vs;
  if( !x ) return;
  for(int k = 0; k < PW_NKINDS; k++){
    for(uint32_t i = 0; i < x->c[k].n; i++) pw_rec_clear(&x->c[k].v[i]);
    free(x->c[k].v);
  }
  free(x->pay_type);
  pthread_rwlock_destroy(&x->lock);
  free(x);
}

static int pw_authorize(void *vs, const sb_request *req, char *key, size_t keylen,
                        sb_response *resp){
  pw_ctx *x = vs;
  const char *id = sb_request_header(req, "x-propertyware-client-id");
  const char *secret = sb_request_header(req, "x-propertyware-client-secret");
  const char *sys = sb_request_header(req, "x-propertyware-system-id");
  if( !id || !secret || strcmp(id, x->client_id) != 0 || strcmp(secret, x->client_secret) != 0 ){
    pw_error(resp, 401, "UNAUTHORIZED", "The API key couldn't be authorized.", NULL);
    return 0;
  }
  if( !sys || strcmp(sys, x->system_id) != 0 ){
    pw_error(resp, 403, "FORBIDDEN",
             "The supplied credentials don't have permissions to access the resources.", NULL);
    return 0;
  }
  snprintf(key, keylen, "%s", id);
  return 1;
}

static void pw_handle(void *vs, const sb_request *req, sb_response *resp){
  pw_route(vs, req, resp);
}

static void pw_vendor_error(void *vs, int status, const char *msg, sb_response *resp){
  const char *code;
  (void)vs;
  switch( status ){
    case 401: code = "UNAUTHORIZED"; break;
    case 429: code = "TOO_MANY_REQUESTS"; break;
    case 503: code = "SERVICE_UNAVAILABLE"; break;
    default: code = "INTERNAL_SERVER_ERROR"; break;
  }
  pw_error(resp, status, code, msg, NULL);
}

static void pw_counts(void *vs, sb_buf *b){
  pw_ctx *x = vs;
  int64_t tenants = 0;
  pthread_rwlock_rdlock(&x->lock);
  for(uint32_t i = 0; i < x->c[PW_CONTACTS].n; i++){
    if( x->c[PW_CONTACTS].v[i].type == 0 ) tenants++;     /* TENANT */
  }
  int64_t n[SB_NMODELS] = {
    [SB_M_PROPERTIES] = x->c[PW_BUILDINGS].n, [SB_M_UNITS] = x->c[PW_UNITS].n,
    [SB_M_RESIDENTS] = tenants, [SB_M_LEASES] = x->c[PW_LEASES].n,
    [SB_M_LEADS] = x->c[PW_PROSPECTS].n, [SB_M_SERVICE_REQUESTS] = x->c[PW_WORKORDERS].n,
  };
  sb_counts_json(b, n, "contacts", x->c[PW_CONTACTS].n);
  pthread_rwlock_unlock(&x->lock);
}

/* --accounts: the client id is "pw-sandbox-client-<seed>". */
static int pw_account_seed(const sb_request *req, uint64_t *seed){
  return sb_seed_after(sb_request_header(req, "x-propertyware-client-id"), "pw-sandbox-client-", 0, seed);
}

const sb_vendor sb_vendor_propertyware = {
  .name = "propertyware",
  .api_prefix = PW_PREFIX "/",
  .rate_per_sec = 10,
  .open = pw_open,
  .close = pw_close,
  .credentials = pw_credentials,
  .authorize = pw_authorize,
  .handle = pw_handle,
  .error = pw_vendor_error,
  .counts = pw_counts,
  .account_seed = pw_account_seed,
};
