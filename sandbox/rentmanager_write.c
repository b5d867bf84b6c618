/*
** rentmanager_write.c — Rent Manager writes: POST /<Collection> with a JSON
** array of records, POST /<Collection>/{id} with one record object.
**
** A record without its id (<Entity>ID) is created, one with it is updated
** partially: only the members it carries change. Member names match
** case-insensitively (as JSON.NET binds them); unknown and read-only
** members (Name, Status, CreateDate, UnitCount...) are ignored. An update
** must carry the record's current UpdateDate (as read, any accepted date
** format): missing -> 400 (ModelState "[i].UpdateDate"), different -> 409
** application error (ErrorCode 2001); Properties also take ConcurrencyID,
** checked the same way when given. Each write sets UpdateDate to now
** (strictly later than the previous UpdateDate of that record, so a stale
** copy never matches even within one second).
**
** The batch is all or nothing, checked in ASP.NET order: Content-Type
** (415), JSON syntax and shape (400: the body must be an array for the
** collection, an object for /{id}), model validation of every item (400:
** ModelState keys like "[0].LastName", "[0].Contacts[1].PhoneNumbers[0]
** .PhoneNumberTypeID"; types must match: text as JSON strings, integers,
** numbers, true/false, dates as "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS" or
** "MM/DD/YYYY"; referenced records must exist), then concurrency (409).
** Success: 201 when the batch created anything (Location: the created
** record's URL, or <Collection>?filters=<Entity>ID,in,(ids) for several),
** else 200; the body is the records in request order (an object for
** /{id}), rendered with the request's embeds=. nocontent=true: no body
** (201, or 204 for updates).
**
** Per resource (required on create; "create only" = ignored on updates):
**   Tenants: PropertyID (create only, must exist), FirstName or LastName;
**     Comment, WebMessage, RentDueDay (1-31), RentPeriod (Monthly, Weekly,
**     Biweekly, Semimonthly, Daily, Quarterly, Yearly), DoNotChargeLateFees.
**   Prospects: PropertyID (create only), LastName (cannot be cleared);
**     FirstName, Comment, WebMessage.
**   Tenants and Prospects take embedded Contacts (array), PrimaryContact
**     (object) and Addresses (array). A contact with ContactID updates that
**     contact of the record (it needs its own UpdateDate; 409 on conflict);
**     one without is added. On a create the PrimaryContact, else the first
**     contact with IsPrimary true, else the first contact is the primary;
**     with no contact at all one is made from FirstName/LastName. On an
**     update a PrimaryContact must carry the primary's ContactID. An
**     address with AddressID changes that address, one without is added
**     (AddressTypeID default 2 Home; 1 Primary for units). A phone number
**     with PhoneNumberID changes that number, one without is added and
**     needs PhoneNumberTypeID (1-5) and PhoneNumber. Setting IsPrimary on
**     an address or phone clears it on the others; the first one added to
**     an empty list is primary. Nothing is removed by omission. A contact's
**     or address's change bumps the saved record's UpdateDate; a contact
**     written through POST /Contacts does not bump its tenant's.
**   Contacts: ParentType (Tenant or Prospect) and ParentID (create only);
**     FirstName, LastName, MiddleName, Email (checked), DateOfBirth,
**     Comment, FederalTaxID, ContactTypeID (1-6), PhoneNumbers. IsPrimary
**     is read only (a contact added later is not primary).
**   Units: PropertyID (create only), Name (cannot be cleared); Comment,
**     UnitTypeID (1-5), SortOrder, Bedrooms (0-20), Bathrooms (0-20, in
**     halves), SquareFootage, MarketRent, Addresses.
**   Properties: updates only (a create is 400): Name, ShortName (cannot be
**     cleared), BillingName1, ManagerName, IsActive, Email, Comment,
**     Addresses.
**   Leases: TenantID, UnitID (create only; must exist), MoveInDate; optional
**     PropertyID (must be the unit's), MoveOutDate (not before MoveInDate),
**     SortOrder.
**   ServiceManagerIssues: PropertyID (create only), Title (cannot be
**     cleared); Description, UnitID (create only; a unit of the property),
**     PriorityID (1-3), StatusID (1-5), DueDate.
**   Charges, Payments: creates only (rentmanager_money.c has the rules).
**   RecurringCharges, ChargeTypes, Vendors: read only (POST -> 405).
*/
#include "rentmanager.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#define RM_MAX_BATCH 1000

/* Field flags */
#define W_REQ        0x01     /* required on create */
#define W_NONEMPTY   0x02     /* cannot be null or "" */
#define W_CREATE     0x04     /* create only: ignored on update */
#define W_NOSTORE    0x08     /* validated, kept elsewhere than the override */
#define W_EMAIL      0x10
#define W_HALVES     0x20     /* numbers in steps of 0.5 */

typedef struct rm_wfield {
  const char *name;
  char type;                  /* s i n b d */
  unsigned flags;
  int maxlen;
  double lo, hi;              /* i, n: range when hi > lo */
  const char *const *enums;
} rm_wfield;

static const char *const rm_periods[] = {
  "Monthly", "Weekly", "Biweekly", "Semimonthly", "Daily", "Quarterly", "Yearly", NULL
};
static const char *const rm_parent_types[] = { "Tenant", "Prospect", NULL };

static const rm_wfield rm_w_props[] = {
  { "Name", 's', W_NONEMPTY, 255, 0, 0, NULL },
  { "ShortName", 's', W_NONEMPTY, 50, 0, 0, NULL },
  { "BillingName1", 's', 0, 255, 0, 0, NULL },
  { "ManagerName", 's', 0, 255, 0, 0, NULL },
  { "IsActive", 'b', 0, 0, 0, 0, NULL },
  { "Email", 's', W_EMAIL, 255, 0, 0, NULL },
  { "Comment", 's', 0, 8000, 0, 0, NULL },
  { NULL, 0, 0, 0, 0, 0, NULL }
};
static const rm_wfield rm_w_units[] = {
  { "PropertyID", 'i', W_REQ | W_CREATE | W_NOSTORE, 0, 1, 2147483647, NULL },
  { "Name", 's', W_REQ | W_NONEMPTY, 50, 0, 0, NULL },
  { "Comment", 's', 0, 8000, 0, 0, NULL },
  { "UnitTypeID", 'i', 0, 0, 1, RM_NUNIT_TYPES, NULL },
  { "SortOrder", 'i', 0, 0, 0, 2147483647, NULL },
  { "Bedrooms", 'i', 0, 0, 0, 20, NULL },
  { "Bathrooms", 'n', W_HALVES, 0, 0, 20, NULL },
  { "SquareFootage", 'i', 0, 0, 0, 10000000, NULL },
  { "MarketRent", 'n', 0, 0, 0, 100000000, NULL },
  { NULL, 0, 0, 0, 0, 0, NULL }
};
static const rm_wfield rm_w_tenants[] = {
  { "PropertyID", 'i', W_REQ | W_CREATE, 0, 1, 2147483647, NULL },
  { "FirstName", 's', 0, 50, 0, 0, NULL },
  { "LastName", 's', 0, 50, 0, 0, NULL },
  { "Comment", 's', 0, 8000, 0, 0, NULL },
  { "WebMessage", 's', 0, 8000, 0, 0, NULL },
  { "RentDueDay", 'i', 0, 0, 1, 31, NULL },
  { "RentPeriod", 's', 0, 0, 0, 0, rm_periods },
  { "DoNotChargeLateFees", 'b', 0, 0, 0, 0, NULL },
  { NULL, 0, 0, 0, 0, 0, NULL }
};
static const rm_wfield rm_w_leases[] = {
  { "TenantID", 'i', W_REQ | W_CREATE | W_NOSTORE, 0, 1, 2147483647, NULL },
  { "UnitID", 'i', W_REQ | W_CREATE | W_NOSTORE, 0, 1, 2147483647, NULL },
  { "PropertyID", 'i', W_CREATE | W_NOSTORE, 0, 1, 2147483647, NULL },
  { "MoveInDate", 'd', W_REQ | W_NONEMPTY, 0, 0, 0, NULL },
  { "MoveOutDate", 'd', 0, 0, 0, 0, NULL },
  { "SortOrder", 'i', 0, 0, 0, 2147483647, NULL },
  { NULL, 0, 0, 0, 0, 0, NULL }
};
static const rm_wfield rm_w_prospects[] = {
  { "PropertyID", 'i', W_REQ | W_CREATE, 0, 1, 2147483647, NULL },
  { "FirstName", 's', 0, 50, 0, 0, NULL },
  { "LastName", 's', W_REQ | W_NONEMPTY, 50, 0, 0, NULL },
  { "Comment", 's', 0, 8000, 0, 0, NULL },
  { "WebMessage", 's', 0, 8000, 0, 0, NULL },
  { NULL, 0, 0, 0, 0, 0, NULL }
};
static const rm_wfield rm_w_issues[] = {
  { "PropertyID", 'i', W_REQ | W_CREATE, 0, 1, 2147483647, NULL },
  { "Title", 's', W_REQ | W_NONEMPTY, 255, 0, 0, NULL },
  { "Description", 's', 0, 8000, 0, 0, NULL },
  { "UnitID", 'i', W_CREATE | W_NOSTORE, 0, 1, 2147483647, NULL },
  { "PriorityID", 'i', 0, 0, 1, 3, NULL },
  { "StatusID", 'i', 0, 0, 1, 5, NULL },
  { "DueDate", 'd', 0, 0, 0, 0, NULL },
  { NULL, 0, 0, 0, 0, 0, NULL }
};
static const rm_wfield rm_w_contacts[] = {
  { "ParentType", 's', W_REQ | W_CREATE | W_NOSTORE, 0, 0, 0, rm_parent_types },
  { "ParentID", 'i', W_REQ | W_CREATE | W_NOSTORE, 0, 1, 2147483647, NULL },
  { "FirstName", 's', 0, 50, 0, 0, NULL },
  { "LastName", 's', 0, 50, 0, 0, NULL },
  { "MiddleName", 's', 0, 50, 0, 0, NULL },
  { "Email", 's', W_EMAIL, 255, 0, 0, NULL },
  { "DateOfBirth", 'd', 0, 0, 0, 0, NULL },
  { "Comment", 's', 0, 8000, 0, 0, NULL },
  { "FederalTaxID", 's', 0, 20, 0, 0, NULL },
  { "ContactTypeID", 'i', 0, 0, 1, RM_NCONTACT_TYPES, NULL },
  { NULL, 0, 0, 0, 0, 0, NULL }
};
/* Contacts embedded in a tenant or prospect: no parent members. */
static const rm_wfield *const rm_w_embedded_contact = rm_w_contacts + 2;

static const rm_wfield rm_w_address[] = {
  { "AddressTypeID", 'i', 0, 0, 1, RM_NADDR_TYPES, NULL },
  { "Street", 's', 0, 500, 0, 0, NULL },
  { "City", 's', 0, 100, 0, 0, NULL },
  { "State", 's', 0, 50, 0, 0, NULL },
  { "PostalCode", 's', 0, 20, 0, 0, NULL },
  { "IsPrimary", 'b', 0, 0, 0, 0, NULL },
  { "IsBilling", 'b', 0, 0, 0, 0, NULL },
  { NULL, 0, 0, 0, 0, 0, NULL }
};
static const rm_wfield rm_w_phone[] = {
  { "PhoneNumberTypeID", 'i', W_REQ | W_NONEMPTY, 0, 1, RM_NPHONE_TYPES, NULL },
  { "PhoneNumber", 's', W_REQ | W_NONEMPTY, 50, 0, 0, NULL },
  { "Extension", 's', 0, 20, 0, 0, NULL },
  { "IsPrimary", 'b', 0, 0, 0, 0, NULL },
  { NULL, 0, 0, 0, 0, 0, NULL }
};

static const char *const rm_account_types[] = { "Customer", NULL };
/* A posted charge or payment: kept in the ledger, not in an override. */
static const rm_wfield rm_w_charges[] = {
  { "AccountID", 'i', W_REQ | W_NOSTORE, 0, 1, 2147483647, NULL },
  { "AccountType", 's', W_NOSTORE, 0, 0, 0, rm_account_types },
  { "ChargeTypeID", 'i', W_REQ | W_NOSTORE, 0, 1, PF_NCHARGECODES, NULL },
  { "Amount", 'n', W_REQ | W_NOSTORE, 0, 0.01, 100000000, NULL },
  { "TransactionDate", 'd', W_REQ | W_NOSTORE, 0, 0, 0, NULL },
  { "Comment", 's', W_NOSTORE, 255, 0, 0, NULL },
  { "Reference", 's', W_NOSTORE, 50, 0, 0, NULL },
  { NULL, 0, 0, 0, 0, 0, NULL }
};
static const rm_wfield rm_w_payments[] = {
  { "AccountID", 'i', W_REQ | W_NOSTORE, 0, 1, 2147483647, NULL },
  { "AccountType", 's', W_NOSTORE, 0, 0, 0, rm_account_types },
  { "Amount", 'n', W_REQ | W_NOSTORE, 0, 0.01, 100000000, NULL },
  { "TransactionDate", 'd', W_REQ | W_NOSTORE, 0, 0, 0, NULL },
  { "Comment", 's', W_NOSTORE, 255, 0, 0, NULL },
  { "Reference", 's', W_NOSTORE, 50, 0, 0, NULL },
  { NULL, 0, 0, 0, 0, 0, NULL }
};

static const rm_wfield *const rm_wfields[RM_NKINDS] = {
  rm_w_props, rm_w_units, rm_w_tenants, rm_w_leases, rm_w_prospects,
  rm_w_issues, rm_w_contacts, rm_w_charges, rm_w_payments, NULL, NULL, NULL,
};

int rm_writable(int kind){
  return rm_wfields[kind] != NULL;
}

/* ------------------------------------------------------------------ */
/* Plumbing                                                             */

typedef struct wctx {
  rm_ctx *c;
  vd_errors *e;
  int conflict;
  char conf_dev[400];
  int64_t now;
} wctx;

static void wkey(char *out, size_t cap, const char *prefix, const char *name){
  if( prefix && *prefix ) snprintf(out, cap, "%s.%s", prefix, name);
  else snprintf(out, cap, "%s", name);
}

static const cJSON *wget(const cJSON *o, const char *name){
  return cJSON_IsObject(o) ? cJSON_GetObjectItem(o, name) : NULL;
}

static int w_is_int(const cJSON *v){
  return cJSON_IsNumber(v) && v->valuedouble == (double)(int64_t)v->valuedouble;
}

static uint32_t w_stamp(const wctx *w, uint32_t old){
  return w->now > (int64_t)old ? (uint32_t)w->now : old + 1;
}

static int w_has_err(const vd_errors *e, const char *key){
  for(int i = 0; i < e->n; i++){
    if( strcmp(e->keys[i], key) == 0 ) return 1;
  }
  return 0;
}

/* An optional integer id member: 0 absent/null, 1 with *id, -1 bad (error
** added unless the key has one already). */
static int w_id(wctx *w, const cJSON *o, const char *name, const char *prefix, int64_t *id){
  const cJSON *v = wget(o, name);
  char key[300];
  if( !v || cJSON_IsNull(v) ) return 0;
  if( !w_is_int(v) || v->valuedouble < 1 ){
    wkey(key, sizeof(key), prefix, name);
    if( !w_has_err(w->e, key) ) vd_add(w->e, key, "The %s field must be a positive integer.", name);
    return -1;
  }
  *id = (int64_t)v->valuedouble;
  return 1;
}

static void w_check_value(wctx *w, const rm_wfield *f, const cJSON *v, const char *key){
  switch( f->type ){
    case 's': {
      if( !cJSON_IsString(v) ){
        vd_add(w->e, key, "Error converting value to type 'String': the %s field must be a "
               "JSON string.", f->name);
        return;
      }
      if( f->maxlen && vd_utf8_len(v->valuestring) > (size_t)f->maxlen ){
        vd_add(w->e, key, "The field %s must be a string with a maximum length of %d.",
               f->name, f->maxlen);
      }
      if( f->enums && !vd_enum_canon(f->enums, v->valuestring) ){
        sb_buf l = { 0 };
        for(int i = 0; f->enums[i]; i++){
          if( i ) SB_LIT(&l, ", ");
          sb_puts(&l, f->enums[i]);
        }
        vd_add(w->e, key, "'%.100s' is not a valid %s (%s).", v->valuestring, f->name, sb_cstr(&l));
        sb_buf_free(&l);
      }
      if( (f->flags & W_EMAIL) && *v->valuestring && vd_check_email(v) ){
        vd_add(w->e, key, "The %s field is not a valid e-mail address.", f->name);
      }
      return;
    }
    case 'i':
      if( !w_is_int(v) ){
        vd_add(w->e, key, "The %s field must be an integer.", f->name);
      }else if( f->hi > f->lo && (v->valuedouble < f->lo || v->valuedouble > f->hi) ){
        vd_add(w->e, key, "The field %s must be between %.0f and %.0f.", f->name, f->lo, f->hi);
      }
      return;
    case 'n':
      if( !cJSON_IsNumber(v) ){
        vd_add(w->e, key, "The %s field must be a number.", f->name);
      }else if( f->hi > f->lo && (v->valuedouble < f->lo || v->valuedouble > f->hi) ){
        vd_add(w->e, key, "The field %s must be between %g and %g.", f->name, f->lo, f->hi);
      }else if( (f->flags & W_HALVES) && v->valuedouble * 2 != (double)(int64_t)(v->valuedouble * 2) ){
        vd_add(w->e, key, "The %s field must be a whole or half number (e.g. 1.5).", f->name);
      }
      return;
    case 'b':
      if( !cJSON_IsBool(v) ) vd_add(w->e, key, "The %s field must be true or false.", f->name);
      return;
    default: {                                  /* 'd' */
      int32_t d;
      if( !cJSON_IsString(v) || !rm_parse_day(v->valuestring, &d) ){
        vd_add(w->e, key, "The %s field must be a date (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS "
               "or MM/DD/YYYY).", f->name);
      }
      return;
    }
  }
}

/* Checks the scalar members of obj against fs. */
static void w_check_fields(wctx *w, const rm_wfield *fs, const cJSON *obj,
                           const char *prefix, int create){
  char key[300];
  for(const rm_wfield *f = fs; f->name; f++){
    const cJSON *v = wget(obj, f->name);
    wkey(key, sizeof(key), prefix, f->name);
    if( !create && (f->flags & W_CREATE) ) continue;
    int empty = !v || cJSON_IsNull(v) || (cJSON_IsString(v) && !*v->valuestring);
    if( create && (f->flags & W_REQ) && empty ){
      vd_add(w->e, key, "The %s field is required.", f->name);
      continue;
    }
    if( v && !create && (f->flags & W_NONEMPTY) && empty ){
      vd_add(w->e, key, "The %s field cannot be empty.", f->name);
      continue;
    }
    if( !v || cJSON_IsNull(v) ) continue;
    w_check_value(w, f, v, key);
  }
}

/* The normalized value of a checked member. */
static cJSON *w_norm(const rm_wfield *f, const cJSON *v){
  int32_t d;
  if( !v || cJSON_IsNull(v) ) return cJSON_CreateNull();
  switch( f->type ){
    case 's':
      if( f->enums ) return cJSON_CreateString(vd_enum_canon(f->enums, v->valuestring));
      return cJSON_CreateString(v->valuestring);
    case 'd':
      rm_parse_day(v->valuestring, &d);
      return cJSON_CreateNumber(d);
    default:
      return cJSON_Duplicate(v, 1);
  }
}

static void w_apply_fields(const rm_wfield *fs, const cJSON *obj, cJSON **dst, int create){
  for(const rm_wfield *f = fs; f->name; f++){
    const cJSON *v = wget(obj, f->name);
    if( !v || (f->flags & W_NOSTORE) || (!create && (f->flags & W_CREATE)) ) continue;
    if( !*dst ) *dst = cJSON_CreateObject();
    cJSON *n = w_norm(f, v);
    if( cJSON_GetObjectItemCaseSensitive(*dst, f->name) ){
      cJSON_ReplaceItemInObjectCaseSensitive(*dst, f->name, n);
    }else{
      cJSON_AddItemToObject(*dst, f->name, n);
    }
  }
}

/* The UpdateDate concurrency check of an update. */
static void w_check_stamp(wctx *w, const cJSON *obj, const char *prefix, int kind,
                          uint32_t idx){
  const cJSON *v = wget(obj, "UpdateDate");
  char key[300];
  int64_t t;
  wkey(key, sizeof(key), prefix, "UpdateDate");
  if( !v || cJSON_IsNull(v) ){
    vd_add(w->e, key, "The UpdateDate field is required to update a %s: send the "
           "UpdateDate of the record as read (concurrency check).", rm_kinds[kind].singular);
    return;
  }
  if( !cJSON_IsString(v) || !rm_parse_time(w->c, v->valuestring, &t) ){
    vd_add(w->e, key, "The UpdateDate field must be a date-time such as 2024-03-01T10:15:00.");
    return;
  }
  uint32_t cur = rm_updated(w->c, kind, idx);
  if( t != (int64_t)cur && !w->conflict ){
    char when[24];
    dt_fmt_datetime(when, (int64_t)cur + w->c->tzoff);
    when[19] = 0;
    w->conflict = 1;
    snprintf(w->conf_dev, sizeof(w->conf_dev), "Concurrency conflict: %s %u has UpdateDate %s "
             "but the request sent UpdateDate %.40s.", rm_kinds[kind].singular,
             (unsigned)idx + 1, when, v->valuestring);
  }
}

/* ------------------------------------------------------------------ */
/* Addresses                                                            */

static cJSON *w_addr_json(const rm_addr *a){
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "AddressID", (double)a->id);
  if( a->type > 0 ) cJSON_AddNumberToObject(o, "AddressTypeID", (double)a->type);
  else cJSON_AddNullToObject(o, "AddressTypeID");
  cJSON_AddItemToObject(o, "Street", a->street ? cJSON_CreateString(a->street) : cJSON_CreateNull());
  cJSON_AddItemToObject(o, "City", a->city ? cJSON_CreateString(a->city) : cJSON_CreateNull());
  cJSON_AddItemToObject(o, "State", a->state ? cJSON_CreateString(a->state) : cJSON_CreateNull());
  cJSON_AddItemToObject(o, "PostalCode", a->postal ? cJSON_CreateString(a->postal) : cJSON_CreateNull());
  cJSON_AddBoolToObject(o, "IsPrimary", a->primary);
  cJSON_AddBoolToObject(o, "IsBilling", a->billing);
  return o;
}

static void w_check_addrs(wctx *w, int kind, uint32_t idx, const cJSON *obj,
                          const char *prefix){
  const cJSON *arr = wget(obj, "Addresses"), *it;
  char key[300], sub[300];
  rm_addr cur[RM_MAX_ADDRS];
  rm_scratch s = { .n = 0 };
  int ncur = idx == PF_NONE ? 0 : rm_addresses(w->c, kind, idx, cur, &s), added = 0, i = 0;
  wkey(key, sizeof(key), prefix, "Addresses");
  if( !arr || cJSON_IsNull(arr) ) return;
  if( !cJSON_IsArray(arr) ){
    vd_add(w->e, key, "The Addresses field must be a JSON array.");
    return;
  }
  cJSON_ArrayForEach(it, arr){
    int64_t id;
    snprintf(sub, sizeof(sub), "%.250s[%d]", key, i++);
    if( !cJSON_IsObject(it) ){
      vd_add(w->e, sub, "Each address must be a JSON object.");
      continue;
    }
    int r = w_id(w, it, "AddressID", sub, &id);
    if( r == 1 ){
      int found = 0;
      for(int k = 0; k < ncur; k++) found |= cur[k].id == id;
      if( !found ){
        char k2[320];
        wkey(k2, sizeof(k2), sub, "AddressID");
        vd_add(w->e, k2, "No address with AddressID %lld belongs to this %s.", (long long)id,
               rm_kinds[kind].singular);
      }
    }else if( r == 0 ){
      added++;
    }
    w_check_fields(w, rm_w_address, it, sub, 0);
  }
  if( ncur + added > RM_MAX_ADDRS ){
    vd_add(w->e, key, "A record can have at most %d addresses.", RM_MAX_ADDRS);
  }
}

static void w_apply_addrs(wctx *w, int kind, uint32_t idx, const cJSON *obj, int dflt_type){
  const cJSON *arr = wget(obj, "Addresses"), *it;
  rm_ctx *c = w->c;
  if( !cJSON_IsArray(arr) || !cJSON_GetArraySize(arr) ) return;
  rm_ovr *o = rm_ovr_make(c, kind, idx);
  if( !o->addrs ){
    rm_addr cur[RM_MAX_ADDRS];
    rm_scratch s = { .n = 0 };
    int n = rm_addresses(c, kind, idx, cur, &s);
    o->addrs = cJSON_CreateArray();
    for(int k = 0; k < n; k++) cJSON_AddItemToArray(o->addrs, w_addr_json(&cur[k]));
  }
  cJSON_ArrayForEach(it, arr){
    const cJSON *idv = wget(it, "AddressID");
    cJSON *dst = NULL, *x;
    if( idv && cJSON_IsNumber(idv) ){
      cJSON_ArrayForEach(x, o->addrs){
        if( cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(x, "AddressID")) == idv->valuedouble ) dst = x;
      }
    }else{
      int first = cJSON_GetArraySize(o->addrs) == 0;
      dst = cJSON_CreateObject();
      cJSON_AddNumberToObject(dst, "AddressID", (double)c->next_addr_id++);
      cJSON_AddNumberToObject(dst, "AddressTypeID", dflt_type);
      cJSON_AddNullToObject(dst, "Street");
      cJSON_AddNullToObject(dst, "City");
      cJSON_AddNullToObject(dst, "State");
      cJSON_AddNullToObject(dst, "PostalCode");
      cJSON_AddBoolToObject(dst, "IsPrimary", first);
      cJSON_AddBoolToObject(dst, "IsBilling", 0);
      cJSON_AddItemToArray(o->addrs, dst);
    }
    if( !dst ) continue;
    w_apply_fields(rm_w_address, it, &dst, 1);
    if( cJSON_IsTrue(wget(it, "IsPrimary")) ){
      cJSON_ArrayForEach(x, o->addrs){
        if( x != dst ) cJSON_ReplaceItemInObjectCaseSensitive(x, "IsPrimary", cJSON_CreateFalse());
      }
    }
    /* A null AddressTypeID is not allowed to stick. */
    if( cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(dst, "AddressTypeID")) ){
      cJSON_ReplaceItemInObjectCaseSensitive(dst, "AddressTypeID", cJSON_CreateNumber(dflt_type));
    }
  }
}

/* ------------------------------------------------------------------ */
/* Phone numbers                                                        */

static cJSON *w_phone_json(const rm_phone *p){
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "PhoneNumberID", (double)p->id);
  cJSON_AddNumberToObject(o, "PhoneNumberTypeID", (double)p->type);
  cJSON_AddItemToObject(o, "PhoneNumber", p->number ? cJSON_CreateString(p->number) : cJSON_CreateNull());
  cJSON_AddItemToObject(o, "Extension", p->ext ? cJSON_CreateString(p->ext) : cJSON_CreateNull());
  cJSON_AddBoolToObject(o, "IsPrimary", p->primary);
  return o;
}

/* contact: the contact index, or PF_NONE for a new contact. */
static void w_check_phones(wctx *w, uint32_t contact, const cJSON *obj, const char *prefix){
  const cJSON *arr = wget(obj, "PhoneNumbers"), *it;
  char key[300], sub[300];
  rm_phone cur[RM_MAX_PHONES];
  rm_scratch s = { .n = 0 };
  int ncur = contact == PF_NONE ? 0 : rm_phones(w->c, contact, cur, &s), added = 0, i = 0;
  wkey(key, sizeof(key), prefix, "PhoneNumbers");
  if( !arr || cJSON_IsNull(arr) ) return;
  if( !cJSON_IsArray(arr) ){
    vd_add(w->e, key, "The PhoneNumbers field must be a JSON array.");
    return;
  }
  cJSON_ArrayForEach(it, arr){
    int64_t id;
    snprintf(sub, sizeof(sub), "%.250s[%d]", key, i++);
    if( !cJSON_IsObject(it) ){
      vd_add(w->e, sub, "Each phone number must be a JSON object.");
      continue;
    }
    int r = w_id(w, it, "PhoneNumberID", sub, &id);
    if( r == 1 ){
      int found = 0;
      for(int k = 0; k < ncur; k++) found |= cur[k].id == id;
      if( !found ){
        char k2[320];
        wkey(k2, sizeof(k2), sub, "PhoneNumberID");
        vd_add(w->e, k2, "No phone number with PhoneNumberID %lld belongs to this contact.",
               (long long)id);
      }
    }else if( r == 0 ){
      added++;
    }
    w_check_fields(w, rm_w_phone, it, sub, r == 0);
  }
  if( ncur + added > RM_MAX_PHONES ){
    vd_add(w->e, key, "A contact can have at most %d phone numbers.", RM_MAX_PHONES);
  }
}

static void w_apply_phones(wctx *w, uint32_t contact, const cJSON *obj){
  const cJSON *arr = wget(obj, "PhoneNumbers"), *it;
  rm_ctx *c = w->c;
  if( !cJSON_IsArray(arr) || !cJSON_GetArraySize(arr) ) return;
  rm_ovr *o = rm_ovr_make(c, RM_CONTACTS, contact);
  if( !o->phones ){
    rm_phone cur[RM_MAX_PHONES];
    rm_scratch s = { .n = 0 };
    int n = rm_phones(c, contact, cur, &s);
    o->phones = cJSON_CreateArray();
    for(int k = 0; k < n; k++) cJSON_AddItemToArray(o->phones, w_phone_json(&cur[k]));
  }
  cJSON_ArrayForEach(it, arr){
    const cJSON *idv = wget(it, "PhoneNumberID");
    cJSON *dst = NULL, *x;
    if( idv && cJSON_IsNumber(idv) ){
      cJSON_ArrayForEach(x, o->phones){
        if( cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(x, "PhoneNumberID")) == idv->valuedouble ) dst = x;
      }
    }else{
      int first = cJSON_GetArraySize(o->phones) == 0;
      dst = cJSON_CreateObject();
      cJSON_AddNumberToObject(dst, "PhoneNumberID", (double)c->next_phone_id++);
      cJSON_AddNumberToObject(dst, "PhoneNumberTypeID", RM_PT_CELL);
      cJSON_AddNullToObject(dst, "PhoneNumber");
      cJSON_AddNullToObject(dst, "Extension");
      cJSON_AddBoolToObject(dst, "IsPrimary", first);
      cJSON_AddItemToArray(o->phones, dst);
    }
    if( !dst ) continue;
    w_apply_fields(rm_w_phone, it, &dst, 1);
    if( cJSON_IsTrue(wget(it, "IsPrimary")) ){
      cJSON_ArrayForEach(x, o->phones){
        if( x != dst ) cJSON_ReplaceItemInObjectCaseSensitive(x, "IsPrimary", cJSON_CreateFalse());
      }
    }
  }
}

/* ------------------------------------------------------------------ */
/* Contacts embedded in tenants and prospects                           */

static int w_contact_of(rm_ctx *c, uint32_t contact, int pkind, uint32_t parent){
  int pk, primary;
  uint32_t p;
  if( contact >= rm_count(c, RM_CONTACTS) || !rm_exists(c, RM_CONTACTS, contact) ) return 0;
  rm_contact_owner(c, contact, &pk, &p, &primary);
  return pk == pkind && p == parent;
}

/* One embedded contact object; parent PF_NONE when the parent is new. */
static void w_check_contact(wctx *w, int pkind, uint32_t parent, const cJSON *it,
                            const char *sub, int must_be_primary){
  int64_t id;
  char k2[320];
  if( !cJSON_IsObject(it) ){
    vd_add(w->e, sub, "A contact must be a JSON object.");
    return;
  }
  int r = w_id(w, it, "ContactID", sub, &id);
  if( r == 1 ){
    uint32_t cidx = (uint32_t)(id - 1);
    wkey(k2, sizeof(k2), sub, "ContactID");
    if( parent == PF_NONE ){
      vd_add(w->e, k2, "A new %s cannot take an existing contact.", rm_kinds[pkind].singular);
      return;
    }
    if( !w_contact_of(w->c, cidx, pkind, parent) ){
      vd_add(w->e, k2, "No contact with ContactID %lld belongs to this %s.", (long long)id,
             rm_kinds[pkind].singular);
      return;
    }
    if( must_be_primary && cidx != rm_primary_contact(w->c, pkind, parent) ){
      vd_add(w->e, k2, "ContactID %lld is not the primary contact of this %s.", (long long)id,
             rm_kinds[pkind].singular);
      return;
    }
    w_check_fields(w, rm_w_embedded_contact, it, sub, 0);
    w_check_phones(w, cidx, it, sub);
    w_check_stamp(w, it, sub, RM_CONTACTS, cidx);
    return;
  }
  if( r < 0 ) return;
  if( must_be_primary && parent != PF_NONE ){
    wkey(k2, sizeof(k2), sub, "ContactID");
    vd_add(w->e, k2, "To update the primary contact send its ContactID and UpdateDate.");
    return;
  }
  w_check_fields(w, rm_w_embedded_contact, it, sub, 1);
  w_check_phones(w, PF_NONE, it, sub);
}

static void w_check_contacts(wctx *w, int pkind, uint32_t parent, const cJSON *obj,
                             const char *prefix){
  const cJSON *arr = wget(obj, "Contacts"), *pc = wget(obj, "PrimaryContact"), *it;
  char key[300], sub[300];
  int i = 0;
  if( arr && !cJSON_IsNull(arr) ){
    wkey(key, sizeof(key), prefix, "Contacts");
    if( !cJSON_IsArray(arr) ){
      vd_add(w->e, key, "The Contacts field must be a JSON array.");
    }else{
      if( cJSON_GetArraySize(arr) > 16 ) vd_add(w->e, key, "At most 16 contacts per record.");
      cJSON_ArrayForEach(it, arr){
        snprintf(sub, sizeof(sub), "%.250s[%d]", key, i++);
        w_check_contact(w, pkind, parent, it, sub, 0);
      }
    }
  }
  if( pc && !cJSON_IsNull(pc) ){
    wkey(key, sizeof(key), prefix, "PrimaryContact");
    w_check_contact(w, pkind, parent, pc, key, 1);
  }
}

static uint32_t w_new_contact(wctx *w, int pkind, uint32_t parent, int primary){
  rm_ctx *c = w->c;
  int k = pkind == RM_TENANTS ? 0 : 1;
  if( c->nxc == c->xc_cap ){
    c->xc_cap = c->xc_cap ? c->xc_cap * 2 : 64;
    c->xc = sb_xrealloc(c->xc, c->xc_cap * sizeof(rm_xcontact));
  }
  uint32_t x = c->nxc++;
  rm_xcontact *xc = &c->xc[x];
  xc->parent = parent;
  xc->pkind = (uint8_t)pkind;
  xc->primary = (uint8_t)primary;
  xc->created = xc->updated = (uint32_t)w->now;
  xc->next = PF_NONE;
  uint32_t *pp = rm_head_slot(&c->xc_by_parent[k], &c->xc_bp_cap[k], parent);
  while( *pp != PF_NONE ) pp = &c->xc[*pp].next;
  *pp = x;
  return c->Rg + c->Ag + x;
}

static void w_apply_contact(wctx *w, int pkind, uint32_t parent, const cJSON *it,
                            int primary){
  rm_ctx *c = w->c;
  const cJSON *idv = wget(it, "ContactID");
  uint32_t cidx;
  int create = !(idv && cJSON_IsNumber(idv));
  if( create ){
    cidx = w_new_contact(w, pkind, parent, primary);
  }else{
    cidx = (uint32_t)(idv->valuedouble - 1);
    rm_set_updated(c, RM_CONTACTS, cidx, w_stamp(w, rm_updated(c, RM_CONTACTS, cidx)));
  }
  rm_ovr *o = rm_ovr_make(c, RM_CONTACTS, cidx);
  w_apply_fields(rm_w_embedded_contact, it, &o->j, create);
  w_apply_phones(w, cidx, it);
}

/* The contacts of a tenant/prospect item; create: the parent is new. */
static void w_apply_contacts(wctx *w, int pkind, uint32_t parent, const cJSON *obj,
                             int create){
  const cJSON *arr = wget(obj, "Contacts"), *pc = wget(obj, "PrimaryContact"), *it;
  const cJSON *primary = NULL;
  if( !cJSON_IsArray(arr) ) arr = NULL;
  if( !cJSON_IsObject(pc) ) pc = NULL;
  if( create ){
    primary = pc;
    cJSON_ArrayForEach(it, arr){
      if( !primary && cJSON_IsTrue(wget(it, "IsPrimary")) ) primary = it;
    }
    if( !primary && arr ) primary = cJSON_GetArrayItem(arr, 0);
    if( primary ) w_apply_contact(w, pkind, parent, primary, 1);
  }
  cJSON_ArrayForEach(it, arr){
    if( it != primary ) w_apply_contact(w, pkind, parent, it, 0);
  }
  if( !create && pc ) w_apply_contact(w, pkind, parent, pc, 1);
  if( create && !primary ){
    /* No contact given: the primary is made from the record's names. */
    cJSON *d = cJSON_CreateObject();
    const cJSON *fn = wget(obj, "FirstName"), *ln = wget(obj, "LastName");
    if( cJSON_IsString(fn) ) cJSON_AddStringToObject(d, "FirstName", fn->valuestring);
    if( cJSON_IsString(ln) ) cJSON_AddStringToObject(d, "LastName", ln->valuestring);
    w_apply_contact(w, pkind, parent, d, 1);
    cJSON_Delete(d);
  }
}

/* ------------------------------------------------------------------ */
/* Per item                                                             */

static const char *const rm_id_names[RM_NKINDS] = {
  "PropertyID", "UnitID", "TenantID", "LeaseID", "ProspectID",
  "ServiceManagerIssueID", "ContactID", "ChargeID", "ID", "RecurringChargeID",
  "ChargeTypeID", "VendorID",
};

typedef struct witem {
  const cJSON *j;
  int create;
  uint32_t idx;
  char prefix[32];
} witem;

static int w_ref(wctx *w, int kind, const cJSON *o, const char *name, const char *prefix,
                 uint32_t *out){
  int64_t id;
  char key[300];
  int r = w_id(w, o, name, prefix, &id);
  if( r != 1 ) return r;
  if( id - 1 >= (int64_t)rm_count(w->c, kind) || !rm_exists(w->c, kind, (uint32_t)(id - 1)) ){
    wkey(key, sizeof(key), prefix, name);
    if( !w_has_err(w->e, key) ){
      vd_add(w->e, key, "No %s exists with %s %lld.", rm_kinds[kind].singular, name, (long long)id);
    }
    return -1;
  }
  *out = (uint32_t)(id - 1);
  return 1;
}

static void w_check_item(wctx *w, int kind, witem *it){
  rm_ctx *c = w->c;
  const cJSON *o = it->j;
  const char *px = it->prefix;
  char key[300];
  uint32_t ref, unit = PF_NONE, prop = PF_NONE;
  if( kind == RM_PROPERTIES && it->create ){
    wkey(key, sizeof(key), px, "PropertyID");
    vd_add(w->e, key, "Properties cannot be created through the API; send the PropertyID "
           "of the property to update.");
    return;
  }
  if( kind >= RM_MONEY0 && !it->create ){
    wkey(key, sizeof(key), px, rm_id_names[kind]);
    vd_add(w->e, key, "A posted %s cannot be changed through the API; post a new one.",
           kind == RM_CHARGES ? "charge" : "payment");
    return;
  }
  w_check_fields(w, rm_wfields[kind], o, px, it->create);
  if( !it->create ) w_check_stamp(w, o, px, kind, it->idx);
  switch( kind ){
    case RM_PROPERTIES: {
      const cJSON *cv = wget(o, "ConcurrencyID");
      if( cv && !cJSON_IsNull(cv) ){
        const rm_ovr *ov = rm_ovr_get(c, kind, it->idx);
        if( !w_is_int(cv) ){
          wkey(key, sizeof(key), px, "ConcurrencyID");
          vd_add(w->e, key, "The ConcurrencyID field must be an integer.");
        }else if( (uint32_t)cv->valuedouble != 1 + (ov ? ov->conc : 0) && !w->conflict ){
          w->conflict = 1;
          snprintf(w->conf_dev, sizeof(w->conf_dev), "Concurrency conflict: Property %u has "
                   "ConcurrencyID %u but the request sent %.0f.", (unsigned)it->idx + 1,
                   (unsigned)(1 + (ov ? ov->conc : 0)), cv->valuedouble);
        }
      }
      w_check_addrs(w, kind, it->create ? PF_NONE : it->idx, o, px);
      break;
    }
    case RM_UNITS:
      if( it->create ) w_ref(w, RM_PROPERTIES, o, "PropertyID", px, &ref);
      w_check_addrs(w, kind, it->create ? PF_NONE : it->idx, o, px);
      break;
    case RM_TENANTS:
    case RM_PROSPECTS: {
      if( it->create ) w_ref(w, RM_PROPERTIES, o, "PropertyID", px, &ref);
      if( kind == RM_TENANTS && it->create ){
        const cJSON *fn = wget(o, "FirstName"), *ln = wget(o, "LastName");
        int has = (cJSON_IsString(fn) && *fn->valuestring) || (cJSON_IsString(ln) && *ln->valuestring);
        if( !has ){
          wkey(key, sizeof(key), px, "LastName");
          vd_add(w->e, key, "A tenant needs a FirstName or a LastName.");
        }
      }
      w_check_contacts(w, kind, it->create ? PF_NONE : it->idx, o, px);
      w_check_addrs(w, kind, it->create ? PF_NONE : it->idx, o, px);
      break;
    }
    case RM_LEASES: {
      rm_lease_v cur;
      int32_t in = PF_NODATE, out = PF_NODATE, d;
      if( it->create ){
        uint32_t t;
        int tok = w_ref(w, RM_TENANTS, o, "TenantID", px, &t) == 1;
        if( w_ref(w, RM_UNITS, o, "UnitID", px, &unit) == 1 ){
          int64_t pid;
          uint32_t up = rm_unit_property(c, unit);
          if( w_id(w, o, "PropertyID", px, &pid) == 1 && pid - 1 != up ){
            wkey(key, sizeof(key), px, "PropertyID");
            vd_add(w->e, key, "PropertyID %lld is not the property of unit %u (%u).", (long long)pid,
                   (unsigned)unit + 1, (unsigned)up + 1);
          }else if( tok ){
            rm_view *vw = rm_view_new();
            rm_val tp;
            rm_view_fill(c, RM_TENANTS, t, vw);
            rm_value(c, RM_TENANTS, t, vw, rm_field_index(RM_TENANTS, "PropertyID"), &tp);
            rm_view_free(vw);
            if( !tp.null && tp.i - 1 != up ){
              wkey(key, sizeof(key), px, "UnitID");
              vd_add(w->e, key, "Unit %u is in property %u but tenant %u belongs to property "
                     "%lld.", (unsigned)unit + 1, (unsigned)up + 1, (unsigned)t + 1, (long long)tp.i);
            }
          }
        }
      }else{
        rm_lease_view(c, it->idx, &cur);
        in = cur.movein;
        out = cur.moveout;
      }
      const cJSON *vi = wget(o, "MoveInDate"), *vo = wget(o, "MoveOutDate");
      if( cJSON_IsString(vi) && rm_parse_day(vi->valuestring, &d) ) in = d;
      if( vo ) out = cJSON_IsString(vo) && rm_parse_day(vo->valuestring, &d) ? d : PF_NODATE;
      if( in != PF_NODATE && out != PF_NODATE && out < in ){
        wkey(key, sizeof(key), px, "MoveOutDate");
        vd_add(w->e, key, "The MoveOutDate cannot be before the MoveInDate.");
      }
      break;
    }
    case RM_ISSUES:
      if( it->create && w_ref(w, RM_PROPERTIES, o, "PropertyID", px, &prop) == 1
          && w_ref(w, RM_UNITS, o, "UnitID", px, &unit) == 1
          && rm_unit_property(c, unit) != prop ){
        wkey(key, sizeof(key), px, "UnitID");
        vd_add(w->e, key, "Unit %u is not in property %u.", (unsigned)unit + 1, (unsigned)prop + 1);
      }
      break;
    case RM_CHARGES:
    case RM_PAYMENTS: {
      const cJSON *a = wget(o, "Amount");
      if( cJSON_IsNumber(a) && fabs(a->valuedouble * 100 - round(a->valuedouble * 100)) > 1e-6 ){
        wkey(key, sizeof(key), px, "Amount");
        vd_add(w->e, key, "The Amount field must be in whole cents.");
      }
      if( w_ref(w, RM_TENANTS, o, "AccountID", px, &ref) == 1 ){
        uint32_t billed = rm_money_account(c, ref);
        if( billed != ref ){
          wkey(key, sizeof(key), px, "AccountID");
          if( billed == PF_NONE ){
            vd_add(w->e, key, "Tenant %u has no lease to post to.", (unsigned)ref + 1);
          }else{
            vd_add(w->e, key, "Tenant %u's lease is billed to tenant %u; post to AccountID %u.",
                   (unsigned)ref + 1, (unsigned)billed + 1, (unsigned)billed + 1);
          }
        }
      }
      break;
    }
    default: {                                  /* contacts */
      if( it->create ){
        const char *pt = cJSON_GetStringValue(wget(o, "ParentType"));
        const char *canon = pt ? vd_enum_canon(rm_parent_types, pt) : NULL;
        if( canon ){
          w_ref(w, strcmp(canon, "Tenant") == 0 ? RM_TENANTS : RM_PROSPECTS, o, "ParentID", px, &ref);
        }
      }
      w_check_phones(w, it->create ? PF_NONE : it->idx, o, px);
      break;
    }
  }
}

static uint32_t w_apply_item(wctx *w, int kind, witem *it){
  rm_ctx *c = w->c;
  sb_portfolio *pf = c->pf;
  const cJSON *o = it->j;
  uint32_t idx = it->idx;
  uint32_t now = (uint32_t)w->now;
  if( it->create ){
    switch( kind ){
      case RM_UNITS: {
        uint32_t prop = (uint32_t)(cJSON_GetNumberValue(wget(o, "PropertyID")) - 1);
        idx = pf_add_unit(pf);
        pf->units.v[idx].property = prop;
        pf->units.v[idx].created = pf->units.v[idx].updated = now;
        pf->props.v[prop].nunits++;
        break;
      }
      case RM_TENANTS:
        idx = pf_add_resident(pf);
        pf->res.v[idx].created = pf->res.v[idx].updated = now;
        break;
      case RM_PROSPECTS:
        idx = pf_add_applicant(pf);
        pf->apps.v[idx].unit = PF_NONE;
        pf->apps.v[idx].tenant = PF_NONE;
        pf->apps.v[idx].created = pf->apps.v[idx].updated = now;
        break;
      case RM_ISSUES: {
        const cJSON *u = wget(o, "UnitID");
        idx = pf_add_workorder(pf);
        pf_workorder *wo = &pf->wos.v[idx];
        wo->unit = cJSON_IsNumber(u) ? (uint32_t)(u->valuedouble - 1) : PF_NONE;
        wo->resident = PF_NONE;
        wo->task = pf->next_task++;
        wo->due = PF_NODATE;
        wo->created = wo->updated = now;
        break;
      }
      case RM_LEASES: {
        int32_t in = PF_NODATE, out = PF_NODATE;
        const cJSON *vo = wget(o, "MoveOutDate");
        rm_parse_day(cJSON_GetStringValue(wget(o, "MoveInDate")), &in);
        if( cJSON_IsString(vo) ) rm_parse_day(vo->valuestring, &out);
        if( c->nxl == c->xl_cap ){
          c->xl_cap = c->xl_cap ? c->xl_cap * 2 : 64;
          c->xl = sb_xrealloc(c->xl, c->xl_cap * sizeof(rm_xlease));
        }
        uint32_t x = c->nxl++;
        rm_xlease *l = &c->xl[x];
        l->tenant = (uint32_t)(cJSON_GetNumberValue(wget(o, "TenantID")) - 1);
        l->unit = (uint32_t)(cJSON_GetNumberValue(wget(o, "UnitID")) - 1);
        l->movein = in;
        l->moveout = out;
        l->created = l->updated = now;
        l->next_t = l->next_u = PF_NONE;
        uint32_t *pp = rm_head_slot(&c->xl_by_tenant, &c->xl_bt_cap, l->tenant);
        while( *pp != PF_NONE ) pp = &c->xl[*pp].next_t;
        *pp = x;
        pp = rm_head_slot(&c->xl_by_unit, &c->xl_bu_cap, l->unit);
        while( *pp != PF_NONE ) pp = &c->xl[*pp].next_u;
        *pp = x;
        idx = c->Rg + x;
        break;
      }
      case RM_CHARGES:
      case RM_PAYMENTS:
        return rm_money_post(c, kind, o, now);
      default: {                                /* contacts */
        const char *pt = vd_enum_canon(rm_parent_types, cJSON_GetStringValue(wget(o, "ParentType")));
        uint32_t parent = (uint32_t)(cJSON_GetNumberValue(wget(o, "ParentID")) - 1);
        idx = w_new_contact(w, strcmp(pt, "Tenant") == 0 ? RM_TENANTS : RM_PROSPECTS, parent, 0);
        break;
      }
    }
  }else{
    rm_set_updated(c, kind, idx, w_stamp(w, rm_updated(c, kind, idx)));
    if( kind == RM_PROPERTIES ) rm_ovr_make(c, kind, idx)->conc++;
  }
  rm_ovr *ov = rm_ovr_make(c, kind, idx);
  w_apply_fields(rm_wfields[kind], o, &ov->j, it->create);
  switch( kind ){
    case RM_TENANTS:
    case RM_PROSPECTS:
      w_apply_contacts(w, kind, idx, o, it->create);
      w_apply_addrs(w, kind, idx, o, 2);
      break;
    case RM_UNITS:
    case RM_PROPERTIES:
      w_apply_addrs(w, kind, idx, o, 1);
      break;
    case RM_CONTACTS:
      w_apply_phones(w, idx, o);
      break;
  }
  return idx;
}

/* ------------------------------------------------------------------ */
void rm_write(rm_ctx *c, int kind, uint32_t idx, unsigned emb, int nocontent,
              const sb_request *req, sb_response *resp){
  vd_errors e;
  wctx w;
  cJSON *body = NULL;
  witem *items = NULL;
  int n = 0, single = idx != PF_NONE, created = 0;
  const char *ent = single ? "entity" : "entities";
  vd_init(&e);
  memset(&w, 0, sizeof(w));
  w.c = c;
  w.e = &e;
  if( !sb_request_is_json(req) ){
    rm_error_msg(resp, 415, "The request entity's media type is not supported for this "
                 "resource; send application/json.", NULL);
    return;
  }
  if( !req->body_len ){
    vd_add(&e, ent, "A request body is required.");
  }else if( !vd_utf8_valid(req->body, req->body_len) ){
    vd_add(&e, ent, "The request body is not valid UTF-8.");
  }else if( !(body = cJSON_ParseWithLength(req->body, req->body_len)) ){
    vd_add(&e, ent, "The request body is not valid JSON.");
  }else if( single ){
    if( cJSON_IsArray(body) && cJSON_GetArraySize(body) == 1 && cJSON_IsObject(cJSON_GetArrayItem(body, 0)) ){
      /* a one-record array is fine too */
    }else if( !cJSON_IsObject(body) ){
      vd_add(&e, ent, "The request body must be a JSON object: the %s to update.",
             rm_kinds[kind].singular);
    }
  }else if( !cJSON_IsArray(body) ){
    vd_add(&e, ent, "The request body must be a JSON array of %s records (one element to "
           "save one record).", rm_kinds[kind].singular);
  }else if( cJSON_GetArraySize(body) == 0 ){
    vd_add(&e, ent, "The request body must contain at least one record.");
  }else if( cJSON_GetArraySize(body) > RM_MAX_BATCH ){
    vd_add(&e, ent, "At most %d records can be saved in one request.", RM_MAX_BATCH);
  }
  if( e.n ){
    rm_error_msg(resp, 400, "The request is invalid.", &e);
    goto out;
  }

  const cJSON *arr = cJSON_IsArray(body) ? body : NULL, *it;
  n = arr ? cJSON_GetArraySize(arr) : 1;
  items = sb_xcalloc((size_t)n, sizeof(witem));
  pthread_rwlock_wrlock(&c->lock);
  w.now = dt_now();
  int i = 0;
  if( arr ){
    cJSON_ArrayForEach(it, arr) items[i++].j = it;
  }else{
    items[0].j = body;
  }
  for(i = 0; i < n; i++){
    witem *x = &items[i];
    if( !single ) snprintf(x->prefix, sizeof(x->prefix), "[%d]", i);
    if( !cJSON_IsObject(x->j) ){
      vd_add(&e, x->prefix[0] ? x->prefix : ent, "Each record must be a JSON object.");
      continue;
    }
    int64_t id;
    if( single ){
      x->create = 0;
      x->idx = idx;
      if( !rm_exists(c, kind, idx) ){
        char msg[160];
        pthread_rwlock_unlock(&c->lock);
        snprintf(msg, sizeof(msg), "No %s was found with %s %u.", rm_kinds[kind].singular,
                 rm_id_names[kind], (unsigned)idx + 1);
        rm_error_msg(resp, 404, msg, NULL);
        goto out;
      }
    }else{
      int r = w_id(&w, x->j, rm_id_names[kind], x->prefix, &id);
      if( r < 0 ) continue;
      x->create = r == 0;
      if( r == 1 ){
        if( id - 1 >= (int64_t)rm_count(c, kind) || !rm_exists(c, kind, (uint32_t)(id - 1)) ){
          char key[64];
          wkey(key, sizeof(key), x->prefix, rm_id_names[kind]);
          vd_add(&e, key, "No %s exists with %s %lld.", rm_kinds[kind].singular,
                 rm_id_names[kind], (long long)id);
          continue;
        }
        x->idx = (uint32_t)(id - 1);
      }
    }
    w_check_item(&w, kind, x);
  }
  if( e.n ){
    pthread_rwlock_unlock(&c->lock);
    rm_error_msg(resp, 400, "The request is invalid.", &e);
    goto out;
  }
  if( w.conflict ){
    pthread_rwlock_unlock(&c->lock);
    rm_error_app(resp, 409, RM_EC_CONCURRENCY,
                 "The record has been changed by another user. Refresh it and try again.",
                 w.conf_dev);
    goto out;
  }
  for(i = 0; i < n; i++){
    items[i].idx = w_apply_item(&w, kind, &items[i]);
    created += items[i].create;
  }
  rm_invalidate(c);

  sb_response_reset(resp);
  resp->content_type = SB_JSON_TYPE;
  resp->status = created ? 201 : nocontent ? 204 : 200;
  if( created ){
    int first = 1;
    if( created == 1 ){
      for(i = 0; i < n; i++){
        if( items[i].create ){
          sb_printf(&resp->headers, "Location: %s/%s/%u\r\n", c->base, rm_kinds[kind].name,
                    (unsigned)items[i].idx + 1);
        }
      }
    }else{
      sb_printf(&resp->headers, "Location: %s/%s?filters=%s,in,(", c->base, rm_kinds[kind].name,
                rm_id_names[kind]);
      for(i = 0; i < n; i++){
        if( !items[i].create ) continue;
        sb_printf(&resp->headers, "%s%u", first ? "" : ",", (unsigned)items[i].idx + 1);
        first = 0;
      }
      SB_LIT(&resp->headers, ")\r\n");
    }
  }
  if( !nocontent ){
    if( single ){
      rm_render(c, kind, items[0].idx, ~(uint64_t)0, emb, &resp->body);
    }else{
      sb_putc(&resp->body, '[');
      for(i = 0; i < n; i++){
        if( i ) sb_putc(&resp->body, ',');
        rm_render(c, kind, items[i].idx, ~(uint64_t)0, emb, &resp->body);
      }
      sb_putc(&resp->body, ']');
    }
  }
  pthread_rwlock_unlock(&c->lock);
out:
  free(items);
  vd_free(&e);
  cJSON_Delete(body);
}
