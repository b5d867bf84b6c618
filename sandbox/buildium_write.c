/*
** buildium_write.c — Buildium's POST (create) and PUT (full replace)
** endpoints for rentals, units, leases, tenants, applicants, work orders,
** tenant notes and vendors.
**
** Request schemas mirror the spec's *PostMessage / *PutMessage definitions:
** required members, maxLength, enums (Country is the spec's full list),
** dates as YYYY-MM-DD, the write-side PhoneNumbers OBJECT
** {Home, Work, Mobile, Fax} (10-20 characters each; the read-side array
** form is rejected), a valid US state when Country is UnitedStates, e-mail
** and TaxId formats. The order of checks follows ASP.NET: Content-Type
** (415), JSON syntax (400), model validation (400 with one Errors entry
** per problem), then the action: unknown path id or referenced record
** (404), business rules (400).
**
** An accepted body is normalized (vd_normalize) and stored as the record's
** override, replacing any earlier one, so omitted optional members read
** back as null: PUT is a full replacement. Relations and numbers live in
** the portfolio records and are updated in place; the record's internal
** last-updated time becomes the wall clock. Every write clears the list
** caches while it holds the write lock.
**
** Simplifications: lease Cosigners, ProratedFirst/LastMonthRent, property
** RentalOwnerIds and work-order tasks' AssignedToUserId are validated but
** not kept; TenantIds on a new lease move those tenants to it.
*/
#include "buildium.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

/* ------------------------------------------------------------------ */
/* Schemas                                                              */

static const char *const bd_mailing_names[] = { "PrimaryAddress", "AlternateAddress", NULL };
const char *const bd_cycle_names[] = {
  "Monthly", "Weekly", "Every2Weeks", "Quarterly", "Yearly", "Every2Months",
  "Daily", "Every6Months", "OneTime", NULL
};

static void bd_check_address(const cJSON *o, const char *prefix, vd_errors *e){
  const char *country = vd_str(o, "Country"), *state = vd_str(o, "State");
  char key[256];
  if( country && strcasecmp(country, "UnitedStates") == 0 && state && *state
      && !vd_us_state(state) ){
    snprintf(key, sizeof(key), "%s%sState", prefix, *prefix ? "." : "");
    vd_add(e, key, "'%s' is not a valid state name or abbreviation for the "
           "United States.", state);
  }
}

static const vd_field bd_f_address[] = {
  { .name = "AddressLine1", .type = VT_STRING, .flags = VF_REQUIRED, .maxlen = 100 },
  { .name = "AddressLine2", .type = VT_STRING, .maxlen = 100 },
  { .name = "AddressLine3", .type = VT_STRING, .maxlen = 100 },
  { .name = "City", .type = VT_STRING, .maxlen = 100 },
  { .name = "State", .type = VT_STRING, .maxlen = 100 },
  { .name = "PostalCode", .type = VT_STRING, .flags = VF_REQUIRED },
  { .name = "Country", .type = VT_ENUM, .flags = VF_REQUIRED, .enums = bd_country_names },
  { 0 }
};
static const vd_schema bd_s_address = { "SaveAddressMessage", bd_f_address, bd_check_address };

static const vd_field bd_f_phones[] = {
  { .name = "Home", .type = VT_STRING, .check = vd_check_phone },
  { .name = "Work", .type = VT_STRING, .check = vd_check_phone },
  { .name = "Mobile", .type = VT_STRING, .check = vd_check_phone },
  { .name = "Fax", .type = VT_STRING, .check = vd_check_phone },
  { 0 }
};
static const vd_schema bd_s_phones = { "PhoneNumbersMessage", bd_f_phones, NULL };

static const vd_field bd_f_emergency[] = {
  { .name = "Name", .type = VT_STRING },
  { .name = "RelationshipDescription", .type = VT_STRING },
  { .name = "Phone", .type = VT_STRING },
  { .name = "Email", .type = VT_STRING, .check = vd_check_email },
  { 0 }
};
static const vd_schema bd_s_emergency = { "SaveEmergencyContactMessage", bd_f_emergency, NULL };

static void bd_check_tenant(const cJSON *o, const char *prefix, vd_errors *e){
  const char *mp = vd_str(o, "MailingPreference");
  const cJSON *alt = vd_get(o, "AlternateAddress");
  char key[256];
  if( mp && strcasecmp(mp, "AlternateAddress") == 0 && (!alt || cJSON_IsNull(alt)) ){
    snprintf(key, sizeof(key), "%s%sMailingPreference", prefix, *prefix ? "." : "");
    vd_add(e, key, "MailingPreference can only be AlternateAddress when an "
           "AlternateAddress is provided.");
  }
}

#define BD_TENANT_FIELDS \
  { .name = "FirstName", .type = VT_STRING, .flags = VF_REQUIRED, .maxlen = 127 }, \
  { .name = "LastName", .type = VT_STRING, .flags = VF_REQUIRED, .maxlen = 127 }, \
  { .name = "Email", .type = VT_STRING, .check = vd_check_email }, \
  { .name = "AlternateEmail", .type = VT_STRING, .check = vd_check_email }, \
  { .name = "PhoneNumbers", .type = VT_OBJECT, .sub = &bd_s_phones }, \
  { .name = "DateOfBirth", .type = VT_DATE }, \
  { .name = "Comment", .type = VT_STRING, .maxlen = 65535 }, \
  { .name = "TaxId", .type = VT_STRING, .check = vd_check_taxid }, \
  { .name = "EmergencyContact", .type = VT_OBJECT, .sub = &bd_s_emergency }, \
  { .name = "Address", .type = VT_OBJECT, .flags = VF_REQUIRED, .sub = &bd_s_address }, \
  { .name = "AlternateAddress", .type = VT_OBJECT, .sub = &bd_s_address }, \
  { .name = "MailingPreference", .type = VT_ENUM, .enums = bd_mailing_names }

static const vd_field bd_f_tenant_put[] = { BD_TENANT_FIELDS, { 0 } };
static const vd_field bd_f_tenant_post[] = {
  { .name = "LeaseId", .type = VT_INT, .flags = VF_REQUIRED },
  BD_TENANT_FIELDS, { 0 }
};
static const vd_schema bd_s_tenant_put = { "RentalTenantPutMessage", bd_f_tenant_put, bd_check_tenant };
static const vd_schema bd_s_tenant_post = { "RentalTenantPostMessage", bd_f_tenant_post, bd_check_tenant };

#define BD_UNIT_FIELDS \
  { .name = "UnitNumber", .type = VT_STRING, .flags = VF_REQUIRED, .maxlen = 30 }, \
  { .name = "UnitSize", .type = VT_INT }, \
  { .name = "MarketRent", .type = VT_NUMBER }, \
  { .name = "Address", .type = VT_OBJECT, .flags = VF_REQUIRED, .sub = &bd_s_address }, \
  { .name = "UnitBedrooms", .type = VT_ENUM, .enums = bd_bedroom_names }, \
  { .name = "UnitBathrooms", .type = VT_ENUM, .enums = bd_bathroom_names }, \
  { .name = "Description", .type = VT_STRING, .maxlen = 65535 }

static const vd_field bd_f_unit_put[] = { BD_UNIT_FIELDS, { 0 } };
static const vd_field bd_f_unit_post[] = {
  { .name = "PropertyId", .type = VT_INT, .flags = VF_REQUIRED },
  BD_UNIT_FIELDS, { 0 }
};
static const vd_schema bd_s_unit_put = { "RentalUnitPutMessage", bd_f_unit_put, NULL };
static const vd_schema bd_s_unit_post = { "RentalUnitsPostMessage", bd_f_unit_post, NULL };

static void bd_check_rental(const cJSON *o, const char *prefix, vd_errors *e){
  const cJSON *y = vd_get(o, "YearBuilt");
  int y_now, m, d;
  (void)prefix;
  dt_civil((int32_t)(dt_now() / 86400), &y_now, &m, &d);
  if( cJSON_IsNumber(y) && (y->valuedouble < 1000 || y->valuedouble > y_now) ){
    vd_add(e, "YearBuilt", "YearBuilt must be a four digit year between 1000 and %d.", y_now);
  }
}

#define BD_RENTAL_FIELDS \
  { .name = "Name", .type = VT_STRING, .flags = VF_REQUIRED, .maxlen = 127 }, \
  { .name = "StructureDescription", .type = VT_STRING, .maxlen = 65535 }, \
  { .name = "Address", .type = VT_OBJECT, .flags = VF_REQUIRED, .sub = &bd_s_address }, \
  { .name = "RentalSubType", .type = VT_ENUM, .flags = VF_REQUIRED, .enums = bd_subtype_names }, \
  { .name = "OperatingBankAccountId", .type = VT_INT, .flags = VF_REQUIRED }, \
  { .name = "PropertyManagerId", .type = VT_INT }, \
  { .name = "Reserve", .type = VT_NUMBER }, \
  { .name = "YearBuilt", .type = VT_INT }

static const vd_field bd_f_rental_put[] = { BD_RENTAL_FIELDS, { 0 } };
static const vd_field bd_f_rental_post[] = {
  BD_RENTAL_FIELDS,
  { .name = "RentalOwnerIds", .type = VT_INT_ARRAY },
  { .name = "Units", .type = VT_OBJECT_ARRAY, .sub = &bd_s_unit_put, .maxitems = 100 },
  { 0 }
};
static const vd_schema bd_s_rental_put = { "RentalPropertyPutMessage", bd_f_rental_put, bd_check_rental };
static const vd_schema bd_s_rental_post = { "RentalPropertyPostMessage", bd_f_rental_post, bd_check_rental };

static void bd_check_lease(const cJSON *o, const char *prefix, vd_errors *e){
  const char *type = vd_str(o, "LeaseType");
  const char *from = vd_str(o, "LeaseFromDate"), *to = vd_str(o, "LeaseToDate");
  int32_t df, dt;
  (void)prefix;
  if( type && strcasecmp(type, "AtWill") != 0 && vd_enum_canon(bd_lease_type_names, type)
      && (!to || !*to) ){
    vd_add(e, "LeaseToDate", "The LeaseToDate field is required for %s leases.", type);
  }
  if( from && to && dt_parse_date(from, &df) && dt_parse_date(to, &dt) && dt < df ){
    vd_add(e, "LeaseToDate", "LeaseToDate must be on or after LeaseFromDate.");
  }
}

static const vd_field bd_f_lease_put[] = {
  { .name = "LeaseType", .type = VT_ENUM, .flags = VF_REQUIRED, .enums = bd_lease_type_names },
  { .name = "UnitId", .type = VT_INT, .flags = VF_REQUIRED },
  { .name = "LeaseFromDate", .type = VT_DATE, .flags = VF_REQUIRED },
  { .name = "LeaseToDate", .type = VT_DATE },
  { .name = "IsEvictionPending", .type = VT_BOOL, .flags = VF_REQUIRED },
  { .name = "AutomaticallyMoveOutTenants", .type = VT_BOOL },
  { 0 }
};
static const vd_schema bd_s_lease_put = { "LeasePutMessage", bd_f_lease_put, bd_check_lease };

static const vd_field bd_f_charge[] = {
  { .name = "Amount", .type = VT_NUMBER, .flags = VF_REQUIRED },
  { .name = "GlAccountId", .type = VT_INT, .flags = VF_REQUIRED },
  { .name = "NextDueDate", .type = VT_DATE, .flags = VF_REQUIRED },
  { .name = "Memo", .type = VT_STRING },
  { 0 }
};
static const vd_schema bd_s_charge = { "LeaseRentChargePostMessage", bd_f_charge, NULL };
static const vd_field bd_f_rent[] = {
  { .name = "Cycle", .type = VT_ENUM, .flags = VF_REQUIRED, .enums = bd_cycle_names },
  { .name = "Charges", .type = VT_OBJECT_ARRAY, .flags = VF_REQUIRED, .sub = &bd_s_charge },
  { 0 }
};
static const vd_schema bd_s_rent = { "LeaseRentPostMessage", bd_f_rent, NULL };
static const vd_field bd_f_deposit[] = {
  { .name = "DueDate", .type = VT_DATE, .flags = VF_REQUIRED },
  { .name = "Amount", .type = VT_NUMBER, .flags = VF_REQUIRED },
  { 0 }
};
static const vd_schema bd_s_deposit = { "LeaseSecurityDepositPostMessage", bd_f_deposit, NULL };
static const vd_field bd_f_cosigner[] = {
  { .name = "FirstName", .type = VT_STRING, .flags = VF_REQUIRED, .maxlen = 127 },
  { .name = "LastName", .type = VT_STRING, .flags = VF_REQUIRED, .maxlen = 127 },
  { .name = "Email", .type = VT_STRING, .check = vd_check_email },
  { .name = "AlternateEmail", .type = VT_STRING, .check = vd_check_email },
  { .name = "PhoneNumbers", .type = VT_OBJECT, .sub = &bd_s_phones },
  { .name = "Address", .type = VT_OBJECT, .sub = &bd_s_address },
  { .name = "AlternateAddress", .type = VT_OBJECT, .sub = &bd_s_address },
  { .name = "MailingPreference", .type = VT_ENUM, .enums = bd_mailing_names },
  { 0 }
};
static const vd_schema bd_s_cosigner = { "LeaseCosignerPostMessage", bd_f_cosigner, NULL };

static const vd_field bd_f_lease_post[] = {
  { .name = "LeaseType", .type = VT_ENUM, .flags = VF_REQUIRED, .enums = bd_lease_type_names },
  { .name = "UnitId", .type = VT_INT, .flags = VF_REQUIRED },
  { .name = "LeaseFromDate", .type = VT_DATE, .flags = VF_REQUIRED },
  { .name = "LeaseToDate", .type = VT_DATE },
  { .name = "SendWelcomeEmail", .type = VT_BOOL, .flags = VF_REQUIRED },
  { .name = "Tenants", .type = VT_OBJECT_ARRAY, .sub = &bd_s_tenant_put, .maxitems = 5 },
  { .name = "TenantIds", .type = VT_INT_ARRAY, .maxitems = 5 },
  { .name = "ApplicantIds", .type = VT_INT_ARRAY, .maxitems = 5 },
  { .name = "Cosigners", .type = VT_OBJECT_ARRAY, .sub = &bd_s_cosigner },
  { .name = "Rent", .type = VT_OBJECT, .sub = &bd_s_rent },
  { .name = "SecurityDeposit", .type = VT_OBJECT, .sub = &bd_s_deposit },
  { .name = "ProratedFirstMonthRent", .type = VT_NUMBER },
  { .name = "ProratedLastMonthRent", .type = VT_NUMBER },
  { 0 }
};
static const vd_schema bd_s_lease_post = { "LeasePostMessage", bd_f_lease_post, bd_check_lease };

#define BD_APPLICANT_FIELDS \
  { .name = "UnitId", .type = VT_INT }, \
  { .name = "FirstName", .type = VT_STRING, .flags = VF_REQUIRED, .maxlen = 127 }, \
  { .name = "LastName", .type = VT_STRING, .flags = VF_REQUIRED, .maxlen = 127 }, \
  { .name = "Email", .type = VT_STRING, .check = vd_check_email }, \
  { .name = "PhoneNumbers", .type = VT_OBJECT, .sub = &bd_s_phones }

static const vd_field bd_f_applicant_put[] = { BD_APPLICANT_FIELDS, { 0 } };
static const vd_field bd_f_applicant_post[] = {
  BD_APPLICANT_FIELDS,
  { .name = "SendRentalApplicationEmail", .type = VT_BOOL, .flags = VF_REQUIRED },
  { 0 }
};
static const vd_schema bd_s_applicant_put = { "ApplicantPutMessage", bd_f_applicant_put, NULL };
static const vd_schema bd_s_applicant_post = { "ApplicantPostMessage", bd_f_applicant_post, NULL };

static const vd_field bd_f_lineitem[] = {
  { .name = "GlAccountId", .type = VT_INT },
  { .name = "Quantity", .type = VT_NUMBER, .flags = VF_REQUIRED },
  { .name = "Memo", .type = VT_STRING },
  { .name = "UnitPrice", .type = VT_NUMBER, .flags = VF_REQUIRED },
  { 0 }
};
static const vd_schema bd_s_lineitem = { "WorkOrderLineItemSaveMessage", bd_f_lineitem, NULL };
static const vd_field bd_f_task[] = {
  { .name = "Title", .type = VT_STRING, .flags = VF_REQUIRED, .maxlen = 127 },
  { .name = "DueDate", .type = VT_DATE },
  { .name = "Priority", .type = VT_ENUM, .flags = VF_REQUIRED, .enums = bd_wo_priority_names },
  { .name = "Status", .type = VT_ENUM, .flags = VF_REQUIRED, .enums = bd_wo_status_names },
  { .name = "PropertyId", .type = VT_INT },
  { .name = "UnitId", .type = VT_INT },
  { .name = "AssignedToUserId", .type = VT_INT, .flags = VF_REQUIRED },
  { 0 }
};
static const vd_schema bd_s_task = { "WorkOrderTaskPostMessage", bd_f_task, NULL };

static void bd_check_wo_post(const cJSON *o, const char *prefix, vd_errors *e){
  const cJSON *id = vd_get(o, "TaskId"), *task = vd_get(o, "Task");
  int has_id = id && !cJSON_IsNull(id), has_task = task && !cJSON_IsNull(task);
  (void)prefix;
  if( has_id == has_task ){
    vd_add(e, "TaskId", "Provide either TaskId (an existing task) or Task (a new "
           "task), but not both.");
  }
}

#define BD_WORKORDER_FIELDS \
  { .name = "WorkDetails", .type = VT_STRING, .maxlen = 65535 }, \
  { .name = "InvoiceNumber", .type = VT_STRING, .maxlen = 50 }, \
  { .name = "ChargeableTo", .type = VT_STRING, .maxlen = 100 }, \
  { .name = "EntryAllowed", .type = VT_ENUM, .flags = VF_REQUIRED, .enums = bd_entry_names }, \
  { .name = "EntryNotes", .type = VT_STRING, .maxlen = 65535 }, \
  { .name = "VendorId", .type = VT_INT, .flags = VF_REQUIRED }, \
  { .name = "VendorNotes", .type = VT_STRING, .maxlen = 65535 }, \
  { .name = "EntryContactId", .type = VT_INT }, \
  { .name = "EntryContactIds", .type = VT_INT_ARRAY }, \
  { .name = "LineItems", .type = VT_OBJECT_ARRAY, .sub = &bd_s_lineitem }

static const vd_field bd_f_wo_put[] = { BD_WORKORDER_FIELDS, { 0 } };
static const vd_field bd_f_wo_post[] = {
  BD_WORKORDER_FIELDS,
  { .name = "TaskId", .type = VT_INT },
  { .name = "Task", .type = VT_OBJECT, .sub = &bd_s_task },
  { 0 }
};
static const vd_schema bd_s_wo_put = { "WorkOrderPutMessage", bd_f_wo_put, NULL };
static const vd_schema bd_s_wo_post = { "WorkOrderPostMessage", bd_f_wo_post, bd_check_wo_post };

static const vd_field bd_f_note[] = {
  { .name = "Note", .type = VT_STRING, .flags = VF_REQUIRED, .maxlen = 65535 },
  { 0 }
};
static const vd_schema bd_s_note = { "NotePostMessage", bd_f_note, NULL };

/* [kind][0 = PUT, 1 = POST] */
static const vd_schema *const bd_schemas[BD_NKINDS][2] = {
  { &bd_s_rental_put, &bd_s_rental_post },
  { &bd_s_unit_put, &bd_s_unit_post },
  { &bd_s_lease_put, &bd_s_lease_post },
  { &bd_s_tenant_put, &bd_s_tenant_post },
  { &bd_s_applicant_put, &bd_s_applicant_post },
  { &bd_s_wo_put, &bd_s_wo_post },
};

/* ------------------------------------------------------------------ */
/* Request plumbing                                                     */

/* The parsed body, or NULL after filling resp with a 415 or 400. */
cJSON *bd_read_body(const sb_request *req, sb_response *resp){
  vd_errors e;
  cJSON *j;
  if( !sb_request_is_json(req) ){
    bd_error(resp, 415, "UnsupportedMediaType",
             "The Content-Type header is missing or unsupported; send application/json.",
             NULL);
    return NULL;
  }
  vd_init(&e);
  if( !req->body_len ){
    vd_add(&e, "body", "A request body is required.");
  }else if( !vd_utf8_valid(req->body, req->body_len) ){
    vd_add(&e, "body", "The request body is not valid UTF-8.");
  }else if( !(j = cJSON_ParseWithLength(req->body, req->body_len)) ){
    vd_add(&e, "body", "The request body is not valid JSON.");
  }else if( !cJSON_IsObject(j) ){
    cJSON_Delete(j);
    vd_add(&e, "body", "The request body must be a JSON object.");
  }else{
    return j;
  }
  bd_error(resp, 400, "InvalidRequestBody", "The request body could not be read.", &e);
  vd_free(&e);
  return NULL;
}

static const int64_t bd_bases[BD_NKINDS] = {
  BD_ID_RENTAL, BD_ID_UNIT, BD_ID_LEASE, BD_ID_TENANT, BD_ID_APPLICANT,
  BD_ID_WORKORDER,
};
static const char *const bd_kind_names[BD_NKINDS] = {
  "rental property", "rental unit", "lease", "tenant", "applicant", "work order",
};

/* Resolves id (a Buildium id of type kind) to a record index, or PF_NONE
** after adding an error under key. */
static uint32_t bd_resolve(bd_ctx *c, int kind, int64_t id, const char *key, vd_errors *e){
  int64_t idx = id - bd_bases[kind];
  if( idx < 0 || idx >= bd_count(c, kind) ){
    vd_add(e, key, "No %s exists with Id %lld.", bd_kind_names[kind], (long long)id);
    return PF_NONE;
  }
  return (uint32_t)idx;
}

/* Optional id member: PF_NONE when absent; *bad set if it names nothing. */
static uint32_t bd_ref(bd_ctx *c, int kind, const cJSON *o, const char *name,
                       const char *key, vd_errors *e){
  double d;
  if( !bd_jnum(o, name, &d) ) return PF_NONE;
  return bd_resolve(c, kind, (int64_t)d, key ? key : name, e);
}

static int bd_in_range(const cJSON *o, const char *name, int64_t base, int64_t n){
  double d;
  if( !bd_jnum(o, name, &d) ) return 1;
  return (int64_t)d >= base && (int64_t)d < base + n;
}

static void bd_not_found_refs(sb_response *resp, const vd_errors *e){
  bd_error(resp, 404, "NotFound", "A referenced resource was not found.", e);
}

void bd_invalid(sb_response *resp, const vd_errors *e){
  bd_error(resp, 400, "ValidationFailed", "The request is invalid.", e);
}

static int32_t bd_date_of(const cJSON *o, const char *name){
  int32_t d;
  const char *s = bd_js(o, name);
  return s && dt_parse_date(s, &d) ? d : PF_NODATE;
}

static int bd_enum_index_ci(const char *const *names, const char *v){
  for(int i = 0; v && names[i]; i++){
    if( strcasecmp(names[i], v) == 0 ) return i;
  }
  return -1;
}

static int32_t bd_today(void){
  return (int32_t)(dt_now() / 86400);
}

/* ------------------------------------------------------------------ */
/* Per-entity actions. Each runs under the write lock and returns the     */
/* HTTP status: 200/201 with *idx set, or an error already put in resp.  */

static int bd_unit_number_taken(bd_ctx *c, uint32_t prop, const char *num, uint32_t self){
  const pf_property *p = &c->pf->props.v[prop];
  for(uint32_t k = p->first_unit; k < p->first_unit + p->gen_units; k++){
    bd_scratch s = { .n = 0 };
    if( k != self && strcasecmp(bd_unit_number(c, k, &s), num) == 0 ) return 1;
  }
  for(uint32_t k = c->pf->units.gen; k < c->pf->units.n; k++){
    bd_scratch s = { .n = 0 };
    if( k != self && c->pf->units.v[k].property == prop
        && strcasecmp(bd_unit_number(c, k, &s), num) == 0 ) return 1;
  }
  return 0;
}

static int bd_do_tenant(bd_ctx *c, uint32_t *idx, cJSON *j, sb_response *resp){
  vd_errors e;
  int64_t now = dt_now();
  vd_init(&e);
  if( *idx == PF_NONE ){
    uint32_t lease = bd_ref(c, BD_LEASES, j, "LeaseId", NULL, &e);
    if( e.n ){
      bd_not_found_refs(resp, &e);
      vd_free(&e);
      return 404;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(j, "LeaseId");
    *idx = pf_add_resident(c->pf);
    c->pf->res.v[*idx].created = (uint32_t)now;
    c->pf->res.v[*idx].updated = (uint32_t)now;
    pf_link_resident(c->pf, *idx, lease);
    bd_set_ovr(c, BD_TENANTS, *idx, j);
    return 201;
  }
  c->pf->res.v[*idx].updated = (uint32_t)now;
  bd_set_ovr(c, BD_TENANTS, *idx, j);
  return 200;
}

static int bd_do_unit(bd_ctx *c, uint32_t *idx, cJSON *j, sb_response *resp){
  vd_errors e;
  int64_t now = dt_now();
  uint32_t prop;
  vd_init(&e);
  if( *idx == PF_NONE ){
    prop = bd_ref(c, BD_RENTALS, j, "PropertyId", NULL, &e);
    if( e.n ){
      bd_not_found_refs(resp, &e);
      vd_free(&e);
      return 404;
    }
  }else{
    prop = c->pf->units.v[*idx].property;
  }
  if( bd_unit_number_taken(c, prop, bd_js(j, "UnitNumber"), *idx) ){
    vd_add(&e, "UnitNumber", "The unit number '%s' is already used by another unit "
           "of this property.", bd_js(j, "UnitNumber"));
    bd_invalid(resp, &e);
    vd_free(&e);
    return 400;
  }
  if( *idx == PF_NONE ){
    cJSON_DeleteItemFromObjectCaseSensitive(j, "PropertyId");
    *idx = pf_add_unit(c->pf);
    pf_unit *u = &c->pf->units.v[*idx];
    u->property = prop;
    u->created = u->updated = (uint32_t)now;
    c->pf->props.v[prop].nunits++;
    bd_set_ovr(c, BD_UNITS, *idx, j);
    return 201;
  }
  c->pf->units.v[*idx].updated = (uint32_t)now;
  bd_set_ovr(c, BD_UNITS, *idx, j);
  return 200;
}

static int bd_do_rental(bd_ctx *c, uint32_t *idx, cJSON *j, sb_response *resp){
  vd_errors e;
  int64_t now = dt_now();
  vd_init(&e);
  if( !bd_in_range(j, "OperatingBankAccountId", BD_ID_BANK, 3) ){
    vd_add(&e, "OperatingBankAccountId", "No bank account exists with that Id "
           "(the sandbox has %d..%d).", BD_ID_BANK, BD_ID_BANK + 2);
  }
  if( !bd_in_range(j, "PropertyManagerId", BD_ID_STAFF, PF_NSTAFF) ){
    vd_add(&e, "PropertyManagerId", "No staff user exists with that Id "
           "(the sandbox has %d..%d).", BD_ID_STAFF, BD_ID_STAFF + PF_NSTAFF - 1);
  }
  const cJSON *units = cJSON_GetObjectItemCaseSensitive(j, "Units"), *u, *w;
  int i = 0;
  cJSON_ArrayForEach(u, units){
    int k = 0;
    cJSON_ArrayForEach(w, units){
      if( k++ < i + 1 ) continue;
      if( strcasecmp(bd_js(u, "UnitNumber"), bd_js(w, "UnitNumber")) == 0 ){
        vd_add(&e, "Units", "The unit number '%s' appears more than once.", bd_js(u, "UnitNumber"));
      }
    }
    i++;
  }
  if( e.n ){
    bd_invalid(resp, &e);
    vd_free(&e);
    return 400;
  }
  if( *idx != PF_NONE ){
    c->pf->props.v[*idx].updated = (uint32_t)now;
    bd_set_ovr(c, BD_RENTALS, *idx, j);
    return 200;
  }
  cJSON *ulist = cJSON_DetachItemFromObjectCaseSensitive(j, "Units");
  cJSON_DeleteItemFromObjectCaseSensitive(j, "RentalOwnerIds");
  *idx = pf_add_property(c->pf);
  pf_property *p = &c->pf->props.v[*idx];
  p->created = p->updated = (uint32_t)now;
  p->first_unit = c->pf->units.n;
  if( !cJSON_GetArraySize(ulist) ){
    /* Buildium creates a default unit when none are given. */
    cJSON_Delete(ulist);
    ulist = cJSON_CreateArray();
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "UnitNumber", "1");
    cJSON_AddItemToObject(d, "Address", cJSON_Duplicate(bd_jo(j, "Address"), 1));
    cJSON_AddItemToArray(ulist, d);
  }
  uint32_t prop = *idx;
  while( cJSON_GetArraySize(ulist) ){
    cJSON *one = cJSON_DetachItemFromArray(ulist, 0);
    uint32_t k = pf_add_unit(c->pf);
    c->pf->units.v[k].property = prop;
    c->pf->units.v[k].created = c->pf->units.v[k].updated = (uint32_t)now;
    c->pf->props.v[prop].nunits++;
    bd_set_ovr(c, BD_UNITS, k, one);
  }
  cJSON_Delete(ulist);
  bd_set_ovr(c, BD_RENTALS, prop, j);
  return 201;
}

static void bd_lease_set_status(bd_ctx *c, uint32_t j, uint32_t unit, int status){
  pf_lease *l = &c->pf->leases.v[j];
  if( l->status == PF_LS_ACTIVE && c->pf->units.v[l->unit].active_leases ){
    c->pf->units.v[l->unit].active_leases--;
  }
  l->unit = unit;
  l->status = (uint8_t)status;
  if( status == PF_LS_ACTIVE ) c->pf->units.v[unit].active_leases++;
}

/* A tenant created from an applicant moving onto a lease. */
static cJSON *bd_tenant_from_applicant(bd_ctx *c, uint32_t a, uint32_t unit){
  bd_scratch s = { .n = 0 };
  bd_applicant_v v;
  bd_unit_v u;
  cJSON *t = cJSON_CreateObject(), *ph = cJSON_CreateObject(), *ad = cJSON_CreateObject();
  bd_applicant_view(c, a, &v, &s);
  bd_unit_view(c, unit, &u, &s);
  cJSON_AddStringToObject(t, "FirstName", v.first ? v.first : "");
  cJSON_AddStringToObject(t, "LastName", v.last ? v.last : "");
  if( v.email ) cJSON_AddStringToObject(t, "Email", v.email);
  if( v.ph.home ) cJSON_AddStringToObject(ph, "Home", v.ph.home);
  if( v.ph.work ) cJSON_AddStringToObject(ph, "Work", v.ph.work);
  if( v.ph.mobile ) cJSON_AddStringToObject(ph, "Mobile", v.ph.mobile);
  if( v.ph.fax ) cJSON_AddStringToObject(ph, "Fax", v.ph.fax);
  cJSON_AddItemToObject(t, "PhoneNumbers", ph);
  const char *parts[][2] = {
    { "AddressLine1", u.addr.line1 }, { "AddressLine2", u.addr.line2 },
    { "AddressLine3", u.addr.line3 }, { "City", u.addr.city },
    { "State", u.addr.state }, { "PostalCode", u.addr.postal },
    { "Country", u.addr.country ? u.addr.country : "UnitedStates" },
  };
  for(size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++){
    if( parts[i][1] ) cJSON_AddStringToObject(ad, parts[i][0], parts[i][1]);
  }
  cJSON_AddItemToObject(t, "Address", ad);
  return t;
}

static int bd_do_lease(bd_ctx *c, uint32_t *idx, cJSON *j, sb_response *resp){
  vd_errors e;
  int64_t now = dt_now();
  const cJSON *it;
  int i = 0;
  char key[64];
  vd_init(&e);
  uint32_t unit = bd_ref(c, BD_UNITS, j, "UnitId", NULL, &e);
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "TenantIds")){
    snprintf(key, sizeof(key), "TenantIds[%d]", i++);
    bd_resolve(c, BD_TENANTS, (int64_t)it->valuedouble, key, &e);
  }
  i = 0;
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "ApplicantIds")){
    snprintf(key, sizeof(key), "ApplicantIds[%d]", i++);
    bd_resolve(c, BD_APPLICANTS, (int64_t)it->valuedouble, key, &e);
  }
  if( e.n ){
    bd_not_found_refs(resp, &e);
    vd_free(&e);
    return 404;
  }
  i = 0;
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "ApplicantIds")){
    uint32_t a = (uint32_t)((int64_t)it->valuedouble - BD_ID_APPLICANT);
    snprintf(key, sizeof(key), "ApplicantIds[%d]", i++);
    if( c->pf->apps.v[a].status != PF_AS_APPROVED ){
      vd_add(&e, key, "Applicant %lld must have a Status of Approved.", (long long)it->valuedouble);
    }
  }
  if( e.n ){
    bd_invalid(resp, &e);
    vd_free(&e);
    return 400;
  }

  int type = bd_enum_index_ci(bd_lease_type_names, bd_js(j, "LeaseType"));
  int32_t start = bd_date_of(j, "LeaseFromDate"), end = bd_date_of(j, "LeaseToDate");
  int status = pf_lease_status_on(start, end, bd_today());
  int created = *idx == PF_NONE;
  if( created ){
    *idx = pf_add_lease(c->pf);
    pf_lease *l = &c->pf->leases.v[*idx];
    l->created = (uint32_t)now;
    l->unit = unit;
    l->status = PF_LS_PAST;                  /* counted by set_status below */
    l->due_day = 1;
    const cJSON *rent = bd_jo(j, "Rent"), *dep = bd_jo(j, "SecurityDeposit");
    double sum = 0, d;
    if( rent ){
      cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(rent, "Charges")){
        if( bd_jnum(it, "Amount", &d) ) sum += d;
        int32_t due = bd_date_of(it, "NextDueDate");
        if( due != PF_NODATE ){
          int y, m, dd;
          dt_civil(due, &y, &m, &dd);
          l->due_day = (uint8_t)dd;
        }
      }
      l->rent_cents = (uint32_t)sb_llround(sum * 100);
    }else{
      l->flags |= PF_LEASE_NO_RENT;
    }
    if( dep && bd_jnum(dep, "Amount", &d) ) l->deposit_cents = (uint32_t)sb_llround(d * 100);
    else l->flags |= PF_LEASE_NO_DEPOSIT;
  }
  pf_lease *l = &c->pf->leases.v[*idx];
  l->type = (uint8_t)(type < 0 ? PF_LT_FIXED : type);
  l->start = start;
  l->end = end;
  l->updated = (uint32_t)now;
  l->flags &= (uint8_t)~(PF_LEASE_EVICTION | PF_LEASE_AUTO_OUT);
  if( cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "IsEvictionPending")) ) l->flags |= PF_LEASE_EVICTION;
  if( cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "AutomaticallyMoveOutTenants")) ) l->flags |= PF_LEASE_AUTO_OUT;
  bd_lease_set_status(c, *idx, unit, status);
  if( !created ){
    cJSON_Delete(j);
    return 200;
  }

  uint32_t lease = *idx;
  cJSON *tenants = cJSON_DetachItemFromObjectCaseSensitive(j, "Tenants");
  while( cJSON_GetArraySize(tenants) ){
    uint32_t r = pf_add_resident(c->pf);
    c->pf->res.v[r].created = c->pf->res.v[r].updated = (uint32_t)now;
    pf_link_resident(c->pf, r, lease);
    bd_set_ovr(c, BD_TENANTS, r, cJSON_DetachItemFromArray(tenants, 0));
  }
  cJSON_Delete(tenants);
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "TenantIds")){
    uint32_t r = (uint32_t)((int64_t)it->valuedouble - BD_ID_TENANT);
    if( c->pf->res.v[r].lease == lease ) continue;
    pf_unlink_resident(c->pf, r);
    pf_link_resident(c->pf, r, lease);
    c->pf->res.v[r].updated = (uint32_t)now;
  }
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "ApplicantIds")){
    uint32_t a = (uint32_t)((int64_t)it->valuedouble - BD_ID_APPLICANT);
    cJSON *t = bd_tenant_from_applicant(c, a, unit);
    uint32_t r = pf_add_resident(c->pf);
    c->pf->res.v[r].created = c->pf->res.v[r].updated = (uint32_t)now;
    pf_link_resident(c->pf, r, lease);
    bd_set_ovr(c, BD_TENANTS, r, t);
    c->pf->apps.v[a].status = PF_AS_ADDED_TO_LEASE;
    c->pf->apps.v[a].tenant = r;
    c->pf->apps.v[a].updated = (uint32_t)now;
  }
  cJSON_Delete(j);
  return 201;
}

static int bd_do_applicant(bd_ctx *c, uint32_t *idx, cJSON *j, sb_response *resp){
  vd_errors e;
  int64_t now = dt_now();
  vd_init(&e);
  uint32_t unit = bd_ref(c, BD_UNITS, j, "UnitId", NULL, &e);
  if( e.n ){
    bd_not_found_refs(resp, &e);
    vd_free(&e);
    return 404;
  }
  cJSON_DeleteItemFromObjectCaseSensitive(j, "UnitId");
  int code = *idx == PF_NONE ? 201 : 200;
  if( *idx == PF_NONE ){
    *idx = pf_add_applicant(c->pf);
    pf_applicant *a = &c->pf->apps.v[*idx];
    a->created = (uint32_t)now;
    a->status = PF_AS_NEW;
    a->tenant = PF_NONE;
  }else{
    /* Not part of the PUT message: keep what the POST said. */
    const cJSON *old = bd_ovr(c, BD_APPLICANTS, *idx);
    const cJSON *se = old ? cJSON_GetObjectItemCaseSensitive(old, "SendRentalApplicationEmail") : NULL;
    if( se ) cJSON_AddItemToObject(j, "SendRentalApplicationEmail", cJSON_Duplicate(se, 1));
  }
  pf_applicant *a = &c->pf->apps.v[*idx];
  a->unit = unit;
  a->updated = (uint32_t)now;
  bd_set_ovr(c, BD_APPLICANTS, *idx, j);
  return code;
}

static int bd_is_contact(bd_ctx *c, int64_t id){
  return (id >= BD_ID_STAFF && id < BD_ID_STAFF + PF_NSTAFF)
         || (id >= BD_ID_TENANT && id - BD_ID_TENANT < c->pf->res.n);
}

static int bd_do_workorder(bd_ctx *c, uint32_t *idx, cJSON *j, sb_response *resp){
  vd_errors e;
  int64_t now = dt_now();
  const cJSON *it;
  double d;
  vd_init(&e);
  if( !bd_in_range(j, "VendorId", BD_ID_VENDOR, PF_NVENDORS) ){
    vd_add(&e, "VendorId", "No vendor exists with that Id (the sandbox has %d..%d).",
           BD_ID_VENDOR, BD_ID_VENDOR + PF_NVENDORS - 1);
  }
  if( bd_jnum(j, "EntryContactId", &d) && !bd_is_contact(c, (int64_t)d) ){
    vd_add(&e, "EntryContactId", "No tenant or staff user exists with Id %lld.", (long long)d);
  }
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "EntryContactIds")){
    if( !bd_is_contact(c, (int64_t)it->valuedouble) ){
      vd_add(&e, "EntryContactIds", "No tenant or staff user exists with Id %lld.",
             (long long)it->valuedouble);
    }
  }
  uint32_t src = PF_NONE;
  cJSON *task = cJSON_GetObjectItemCaseSensitive(j, "Task");
  if( *idx == PF_NONE && bd_jnum(j, "TaskId", &d) ){
    int64_t t = (int64_t)d - BD_ID_TASK;
    for(uint32_t w = 0; t >= 0 && w < c->pf->wos.n && src == PF_NONE; w++){
      if( c->pf->wos.v[w].task == (uint64_t)t ) src = w;
    }
    if( src == PF_NONE ) vd_add(&e, "TaskId", "No task exists with Id %lld.", (long long)d);
  }
  if( task ){
    if( !bd_in_range(task, "AssignedToUserId", BD_ID_STAFF, PF_NSTAFF) ){
      vd_add(&e, "Task.AssignedToUserId", "The assigned user must be a staff user "
             "(the sandbox has %d..%d).", BD_ID_STAFF, BD_ID_STAFF + PF_NSTAFF - 1);
    }
  }
  if( e.n ){
    bd_invalid(resp, &e);
    vd_free(&e);
    return 400;
  }
  uint32_t tunit = PF_NONE, tprop = PF_NONE;
  if( task ){
    tprop = bd_ref(c, BD_RENTALS, task, "PropertyId", "Task.PropertyId", &e);
    tunit = bd_ref(c, BD_UNITS, task, "UnitId", "Task.UnitId", &e);
    if( e.n ){
      bd_not_found_refs(resp, &e);
      vd_free(&e);
      return 404;
    }
    if( tunit != PF_NONE && tprop != PF_NONE && c->pf->units.v[tunit].property != tprop ){
      vd_add(&e, "Task.UnitId", "The unit does not belong to the property given in Task.PropertyId.");
      bd_invalid(resp, &e);
      vd_free(&e);
      return 400;
    }
  }

  if( *idx != PF_NONE ){
    /* The task is not part of the PUT message: keep it. */
    cJSON *old = bd_ovr(c, BD_WORKORDERS, *idx);
    const cJSON *ot = old ? bd_jo(old, "Task") : NULL;
    if( ot ) cJSON_AddItemToObject(j, "Task", cJSON_Duplicate(ot, 1));
    pf_workorder *o = &c->pf->wos.v[*idx];
    o->updated = (uint32_t)now;
    bd_set_ovr(c, BD_WORKORDERS, *idx, j);
    bd_scratch s = { .n = 0 };
    bd_workorder_v v;
    bd_workorder_view(c, *idx, &v, &s);
    o->amount_cents = (uint32_t)(v.amount_cents < 0 ? 0 : v.amount_cents);
    return 200;
  }

  uint32_t w = pf_add_workorder(c->pf);
  pf_workorder *o = &c->pf->wos.v[w];
  if( src != PF_NONE ){
    const pf_workorder *from = &c->pf->wos.v[src];
    const cJSON *ft = bd_ovr(c, BD_WORKORDERS, src) ? bd_jo(bd_ovr(c, BD_WORKORDERS, src), "Task") : NULL;
    o->unit = from->unit;
    o->resident = from->resident;
    o->task = from->task;
    o->due = from->due;
    o->priority = from->priority;
    o->status = from->status;
    o->title = from->title;
    if( ft ) cJSON_AddItemToObject(j, "Task", cJSON_Duplicate(ft, 1));
  }else{
    o->unit = tunit;
    o->resident = PF_NONE;
    o->task = c->pf->next_task++;
    o->due = bd_date_of(task, "DueDate");
    o->priority = (uint8_t)bd_enum_index_ci(bd_wo_priority_names, bd_js(task, "Priority"));
    o->status = (uint8_t)bd_enum_index_ci(bd_wo_status_names, bd_js(task, "Status"));
  }
  cJSON_DeleteItemFromObjectCaseSensitive(j, "TaskId");
  o->created = o->updated = (uint32_t)now;
  *idx = w;
  bd_set_ovr(c, BD_WORKORDERS, w, j);
  bd_scratch s = { .n = 0 };
  bd_workorder_v v;
  bd_workorder_view(c, w, &v, &s);
  o->amount_cents = (uint32_t)(v.amount_cents < 0 ? 0 : v.amount_cents);
  return 201;
}

typedef int (*bd_action)(bd_ctx *, uint32_t *, cJSON *, sb_response *);
static const bd_action bd_actions[BD_NKINDS] = {
  bd_do_rental, bd_do_unit, bd_do_lease, bd_do_tenant, bd_do_applicant,
  bd_do_workorder,
};

void bd_write(bd_ctx *c, int kind, uint32_t idx, const sb_request *req,
              sb_response *resp){
  int post = idx == PF_NONE;
  const vd_schema *s = bd_schemas[kind][post];
  vd_errors e;
  cJSON *body = bd_read_body(req, resp);
  if( !body ) return;
  vd_init(&e);
  vd_object(s, body, "", &e);
  if( e.n ){
    bd_invalid(resp, &e);
    goto out;
  }
  cJSON *norm = vd_normalize(s, body);
  pthread_rwlock_wrlock(&c->lock);
  if( !post && idx >= bd_count(c, kind) ){
    pthread_rwlock_unlock(&c->lock);
    cJSON_Delete(norm);
    bd_error(resp, 404, "NotFound", "The requested resource was not found.", NULL);
    goto out;
  }
  int status = bd_actions[kind](c, &idx, norm, resp);
  if( status == 200 || status == 201 ){
    bd_invalidate(c);
    sb_response_reset(resp);
    resp->status = status;
    resp->content_type = SB_JSON_TYPE;
    bd_render(c, kind, idx, &resp->body);
  }else{
    cJSON_Delete(norm);
  }
  pthread_rwlock_unlock(&c->lock);
out:
  vd_free(&e);
  cJSON_Delete(body);
}

void bd_note_write(bd_ctx *c, uint32_t tenant, uint32_t note,
                   const sb_request *req, sb_response *resp){
  vd_errors e;
  cJSON *body = bd_read_body(req, resp);
  if( !body ) return;
  vd_init(&e);
  vd_object(&bd_s_note, body, "", &e);
  if( e.n ){
    bd_invalid(resp, &e);
    goto out;
  }
  pthread_rwlock_wrlock(&c->lock);
  if( tenant >= c->pf->res.n
      || (note != PF_NONE && (note >= c->nnotes || c->notes[note].tenant != tenant)) ){
    pthread_rwlock_unlock(&c->lock);
    bd_error(resp, 404, "NotFound", "The requested resource was not found.", NULL);
    goto out;
  }
  const char *text = vd_str(body, "Note");
  if( note == PF_NONE ){
    if( c->nnotes == c->notes_cap ){
      c->notes_cap = c->notes_cap ? c->notes_cap * 2 : 64;
      c->notes = sb_xrealloc(c->notes, c->notes_cap * sizeof(bd_note));
    }
    note = c->nnotes++;
    c->notes[note].id = BD_ID_NOTE + note;
    c->notes[note].tenant = tenant;
    c->notes[note].text = NULL;
    resp->status = 201;
  }else{
    resp->status = 200;
  }
  free(c->notes[note].text);
  c->notes[note].text = sb_xstrdup(text);
  c->notes[note].updated = (uint32_t)dt_now();
  resp->content_type = SB_JSON_TYPE;
  bd_render_note(c, &c->notes[note], &resp->body);
  pthread_rwlock_unlock(&c->lock);
out:
  vd_free(&e);
  cJSON_Delete(body);
}

/* ------------------------------------------------------------------ */
/* Vendors: POST /vendors (VendorPostMessage), PUT /vendors/{id}        */
/* (VendorPutMessage, the same members). A company needs CompanyName, a */
/* person FirstName and LastName; CategoryId must name a category of     */
/* GET /vendors/categories (else 404, like any unknown reference).       */

static const char *const bd_taxpayer_names[] = { "SSN", "EIN", NULL };

/* TaxPayerId and TaxPayerType come together, the id in the type's format. */
static void bd_check_vendor_tax(const cJSON *o, const char *prefix, vd_errors *e){
  const char *id = vd_str(o, "TaxPayerId"), *type = vd_str(o, "TaxPayerType");
  const char *shape = type && strcasecmp(type, "SSN") == 0 ? "ddd-dd-dddd" : "dd-ddddddd";
  char key[256], tkey[256];
  size_t k = 0;
  snprintf(key, sizeof(key), "%s%sTaxPayerId", prefix, *prefix ? "." : "");
  snprintf(tkey, sizeof(tkey), "%s%sTaxPayerType", prefix, *prefix ? "." : "");
  if( (id && *id) != (type && *type) ){
    vd_add(e, (id && *id) ? tkey : key, "TaxPayerId and TaxPayerType are required together.");
    return;
  }
  if( !id || !*id ) return;
  while( shape[k] && id[k] && (shape[k] == 'd' ? (id[k] >= '0' && id[k] <= '9') : id[k] == shape[k]) ) k++;
  if( shape[k] || id[k] ){
    vd_add(e, key, "A %s must be formatted as %s.", type,
           strcasecmp(type, "SSN") == 0 ? "123-45-6789" : "12-3456789");
  }
}

/* A POST's TaxInformationPostMessage; a PUT's TaxInformationSaveMessage
** also requires IncludeIn1099. */
#define BD_VENDOR_TAX_FIELDS \
  { .name = "TaxPayerId", .type = VT_STRING }, \
  { .name = "TaxPayerType", .type = VT_ENUM, .enums = bd_taxpayer_names }, \
  { .name = "TaxPayerName1", .type = VT_STRING, .maxlen = 40 }, \
  { .name = "TaxPayerName2", .type = VT_STRING, .maxlen = 40 }, \
  { .name = "Address", .type = VT_OBJECT, .sub = &bd_s_address }
static const vd_field bd_f_vendor_tax_post[] = { BD_VENDOR_TAX_FIELDS, { 0 } };
static const vd_field bd_f_vendor_tax_put[] = {
  BD_VENDOR_TAX_FIELDS,
  { .name = "IncludeIn1099", .type = VT_BOOL, .flags = VF_REQUIRED },
  { 0 }
};
static const vd_schema bd_s_vendor_tax_post = { "TaxInformationPostMessage", bd_f_vendor_tax_post, bd_check_vendor_tax };
static const vd_schema bd_s_vendor_tax_put = { "TaxInformationSaveMessage", bd_f_vendor_tax_put, bd_check_vendor_tax };

static const vd_field bd_f_vendor_ins[] = {
  { .name = "Provider", .type = VT_STRING, .maxlen = 65 },
  { .name = "PolicyNumber", .type = VT_STRING, .maxlen = 65 },
  { .name = "ExpirationDate", .type = VT_DATE },
  { 0 }
};
static const vd_schema bd_s_vendor_ins = { "VendorInsuranceSaveMessage", bd_f_vendor_ins, NULL };

static const char *bd_check_website(const cJSON *v){
  const char *s = v->valuestring;
  return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0
         ? NULL : "The value must be a valid URL. For example http://www.example.com.";
}

static void bd_check_vendor(const cJSON *o, const char *prefix, vd_errors *e){
  const cJSON *company = vd_get(o, "IsCompany");
  const char *name = vd_str(o, "CompanyName"), *first = vd_str(o, "FirstName"),
             *last = vd_str(o, "LastName");
  (void)prefix;
  if( cJSON_IsTrue(company) && !(name && *name) ){
    vd_add(e, "CompanyName", "The CompanyName field is required when IsCompany is true.");
  }
  if( cJSON_IsFalse(company) ){
    if( !(first && *first) ) vd_add(e, "FirstName", "The FirstName field is required when IsCompany is false.");
    if( !(last && *last) ) vd_add(e, "LastName", "The LastName field is required when IsCompany is false.");
  }
}

#define BD_VENDOR_FIELDS \
  { .name = "FirstName", .type = VT_STRING, .maxlen = 127 }, \
  { .name = "LastName", .type = VT_STRING, .maxlen = 127 }, \
  { .name = "IsCompany", .type = VT_BOOL, .flags = VF_REQUIRED }, \
  { .name = "CompanyName", .type = VT_STRING, .maxlen = 127 }, \
  { .name = "PrimaryEmail", .type = VT_STRING, .check = vd_check_email }, \
  { .name = "AlternateEmail", .type = VT_STRING, .check = vd_check_email }, \
  { .name = "PhoneNumbers", .type = VT_OBJECT, .sub = &bd_s_phones }, \
  { .name = "Address", .type = VT_OBJECT, .sub = &bd_s_address }, \
  { .name = "CategoryId", .type = VT_INT, .flags = VF_REQUIRED }, \
  { .name = "ExpenseGlAccountId", .type = VT_INT }, \
  { .name = "AccountNumber", .type = VT_STRING, .maxlen = 30 }, \
  { .name = "Website", .type = VT_STRING, .maxlen = 100, .check = bd_check_website }, \
  { .name = "VendorInsurance", .type = VT_OBJECT, .sub = &bd_s_vendor_ins }, \
  { .name = "Comments", .type = VT_STRING, .maxlen = 65535 }
static const vd_field bd_f_vendor_post[] = {
  BD_VENDOR_FIELDS,
  { .name = "TaxInformation", .type = VT_OBJECT, .sub = &bd_s_vendor_tax_post },
  { 0 }
};
static const vd_field bd_f_vendor_put[] = {
  BD_VENDOR_FIELDS,
  { .name = "TaxInformation", .type = VT_OBJECT, .sub = &bd_s_vendor_tax_put },
  { 0 }
};
static const vd_schema bd_s_vendor_post = { "VendorPostMessage", bd_f_vendor_post, bd_check_vendor };
static const vd_schema bd_s_vendor_put = { "VendorPutMessage", bd_f_vendor_put, bd_check_vendor };

void bd_vendor_write(bd_ctx *c, uint32_t idx, const sb_request *req, sb_response *resp){
  int post = idx == PF_NONE;
  const vd_schema *s = post ? &bd_s_vendor_post : &bd_s_vendor_put;
  vd_errors e;
  double cat;
  cJSON *body = bd_read_body(req, resp);
  if( !body ) return;
  vd_init(&e);
  vd_object(s, body, "", &e);
  if( e.n ){
    bd_invalid(resp, &e);
    goto out;
  }
  if( bd_jnum(body, "CategoryId", &cat) && !bd_vendor_category((int64_t)cat) ){
    vd_add(&e, "CategoryId", "No vendor category exists with Id %.0f.", cat);
    bd_not_found_refs(resp, &e);
    goto out;
  }
  pthread_rwlock_wrlock(&c->lock);
  uint32_t n = bd_vendor_count(c);
  if( !post && idx >= n ){
    pthread_rwlock_unlock(&c->lock);
    bd_error(resp, 404, "NotFound", "The requested resource was not found.", NULL);
    goto out;
  }
  if( post ) idx = n;
  if( idx >= c->vendors_cap ){
    uint32_t cap = c->vendors_cap ? c->vendors_cap * 2 : 64;
    while( cap <= idx ) cap *= 2;
    c->vendors = sb_xrealloc(c->vendors, cap * sizeof(bd_vendor_w));
    memset(c->vendors + c->vendors_cap, 0, (cap - c->vendors_cap) * sizeof(bd_vendor_w));
    c->vendors_cap = cap;
  }
  if( c->nvendors < n ) c->nvendors = n;   /* the generated ones, first write */
  if( idx >= c->nvendors ) c->nvendors = idx + 1;
  cJSON_Delete(c->vendors[idx].body);
  c->vendors[idx].body = vd_normalize(s, body);
  c->vendors[idx].updated = (uint32_t)dt_now();
  bd_invalidate(c);
  resp->status = post ? 201 : 200;
  resp->content_type = SB_JSON_TYPE;
  bd_render_vendor(c, idx, &resp->body);
  pthread_rwlock_unlock(&c->lock);
out:
  vd_free(&e);
  cJSON_Delete(body);
}
