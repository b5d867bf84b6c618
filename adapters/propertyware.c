/*
** propertyware.c — the Propertyware REST v1 adapter (PROPERTYWARE_REST).
**
** Protocol (Propertyware's OpenAPI spec, pms-specs/propertyware-openapi.json;
** research/pms-apis.md §6): paths live under /pw/api/rest/v1 on
** https://api.propertyware.com; every request carries the three API-key
** headers x-propertyware-client-id, x-propertyware-client-secret and
** x-propertyware-system-id (the organization); lists take offset (0-based)
** and limit (1..500), answer a bare JSON array and give the total in
** X-Total-Count; lastModifiedDateTimeStart (date-time) filters by change time
** for incremental syncs; the documented limit is 10 requests a second
** (marked FUTURE in the spec); errors are ErrorResponse {errorCode,
** userMessage, errors[{key, message}]}.
**
** Mapping: buildings -> properties (Propertyware's property record; units
** belong to a building), units, leases (tenants from the lease's contacts[]),
** contacts of type TENANT -> residents, prospects -> leads, work orders ->
** service_requests. Propertyware has no applicants resource of its own
** (screening is outside this API). Regular fields are the tables below;
** phones (five named slots), lease contacts, prospect contacts and entry
** permission are the fix-ups.
**
** Writes (capability/propertyware.json): residents create (POST /contacts)
** and update (PUT /contacts/{id}: SaveContact is replaced whole, so the
** current record is read first and resent with the changes), leads create
** (POST /prospects), service_requests create (POST /workorders), leases
** create (POST /leases) and update (PUT /leases/{leaseId}, read first like
** contacts: SaveLease is replaced whole, tenants included), units update
** (GET + PUT /units/{unitID}, SaveUnit) and properties update (GET + PUT
** /buildings/{buildingID}, SaveBuilding); residents, leases and
** service_requests delete (DELETE, 204).
*/
#include "../ext/pmsql.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PW_API "/pw/api/rest/v1"

/* ------------------------------------------------------------ enum maps */

static const pms_enum_map aPwCountry[] = {
  {"United States","US"}, {"USA","US"}, {"Canada","CA"}, {"Mexico","MX"},
  {0, 0}                                   /* others pass through */
};

static const pms_enum_map aPwPropertyType[] = {
  {"APARTMENT","MULTI_FAMILY"}, {"CONDO","MULTI_FAMILY"}, {"DU_FOUR_PLEX","MULTI_FAMILY"},
  {"SECTION_8_AFFORDABLE","MULTI_FAMILY"}, {"SENIOR","MULTI_FAMILY"}, {"STUDENT","MULTI_FAMILY"},
  {"HOUSE","SINGLE_FAMILY"}, {"TOWNHOUSE","SINGLE_FAMILY"}, {"COMMERCIAL","COMMERCIAL"},
  {0, "OTHER"}                             /* NONE, SHORT_TERM_VACATION, OTHER */
};

static const pms_enum_map aPwLeaseStatus[] = {
  {"Active","ACTIVE"}, {"Active - Notice Given","ACTIVE"}, {"Closed","INACTIVE"},
  {"Inactive","INACTIVE"}, {"Terminated","INACTIVE"}, {"Future","PENDING"},
  {"Pending","PENDING"},
  {0, "OTHER"}
};

/* ----------------------------------------------------------- field maps */

#define PW_ADDRESS(prefix) \
  { "address_1",  prefix ".address",     PMS_X_STRING, 0 }, \
  { "address_2",  prefix ".addressCont", PMS_X_STRING, 0 }, \
  { "city",       prefix ".city",        PMS_X_STRING, 0 }, \
  { "state",      prefix ".stateRegion", PMS_X_STRING, 0 }, \
  { "zip",        prefix ".postalCode",  PMS_X_STRING, 0 }, \
  { "country",    prefix ".country",     PMS_X_ENUM, aPwCountry }

static const pms_field_map aPwBuilding[] = {
  { "x_created_at",    "createdDateTime", PMS_X_DATETIME, 0 },
  { "code",            "abbreviation",    PMS_X_STRING, 0 },
  { "name",            "name",            PMS_X_STRING, 0 },
  PW_ADDRESS("address"),
  { "county",          "county",          PMS_X_STRING, 0 },
  { "is_active",       "active",          PMS_X_BOOL, 0 },
  { "number_of_units", "countUnit",       PMS_X_INT, 0 },
  { "square_feet",     "totalArea",       PMS_X_INT, 0 },
  { "year_built",      "yearBuilt",       PMS_X_INT, 0 },
  { "type_raw",        "propertyType",    PMS_X_STRING, 0 },
  { "type_normalized", "propertyType",    PMS_X_ENUM, aPwPropertyType },
  { "website",         "website",         PMS_X_STRING, 0 },
  { 0, 0, 0, 0 }
};

static const pms_field_map aPwUnit[] = {
  { "property_id",   "buildingID",        PMS_X_FK, "properties" },
  { "x_property_id", "buildingID",        PMS_X_ID, 0 },
  { "number",        "name",              PMS_X_STRING, 0 },
  { "bedrooms",      "numberOfBedrooms",  PMS_X_STRING, 0 },
  { "bathrooms",     "numberOfBathrooms", PMS_X_STRING, 0 },
  { "square_feet",   "totalArea",         PMS_X_INT, 0 },
  { "is_available",  "rentable",          PMS_X_BOOL, 0 },
  { "rent_amount_market_in_cents", "targetRent", PMS_X_CENTS, 0 },
  PW_ADDRESS("address"),
  { 0, 0, 0, 0 }
};

static const pms_field_map aPwLease[] = {
  { "property_id",       "buildingID",   PMS_X_FK, "properties" },
  { "x_property_id",     "buildingID",   PMS_X_ID, 0 },
  { "unit_id",           "unitID",       PMS_X_FK, "units" },
  { "x_unit_id",         "unitID",       PMS_X_ID, 0 },
  { "status_raw",        "status",       PMS_X_STRING, 0 },
  { "status_normalized", "status",       PMS_X_ENUM, aPwLeaseStatus },
  { "signature_date",    "signedDate",   PMS_X_DATE, 0 },
  { "start_date",        "startDate",    PMS_X_DATE, 0 },
  { "end_date",          "endDate",      PMS_X_DATE, 0 },
  { "realized_move_in_date",   "moveInDate",          PMS_X_DATE, 0 },
  { "realized_move_out_date",  "moveOutDate",         PMS_X_DATE, 0 },
  { "scheduled_move_out_date", "scheduleMoveOutDate", PMS_X_DATE, 0 },
  { "rent_amount_in_cents",    "baseRent",            PMS_X_CENTS, 0 },
  { "balance_amount_in_cents", "leaseBalance",        PMS_X_CENTS, 0 },
  { "balance_amount_raw",      "leaseBalance",        PMS_X_STRING, 0 },
  { 0, 0, 0, 0 }
};

static const pms_field_map aPwContact[] = {
  { "first_name",    "firstName",  PMS_X_STRING, 0 },
  { "middle_name",   "middleName", PMS_X_STRING, 0 },
  { "last_name",     "lastName",   PMS_X_STRING, 0 },
  { "email_1",       "email",      PMS_X_STRING, 0 },
  { "email_2",       "altEmail",   PMS_X_STRING, 0 },
  { "date_of_birth", "birthDate",  PMS_X_DATE, 0 },
  PW_ADDRESS("address"),
  { "notes",         "comments",   PMS_X_STRING, 0 },
  { 0, 0, 0, 0 }
};

static const pms_field_map aPwProspect[] = {
  { "property_id",   "buildingID",           PMS_X_FK, "properties" },
  { "x_property_id", "buildingID",           PMS_X_ID, 0 },
  { "x_unit_id",     "unitID",               PMS_X_ID, 0 },
  { "x_created_at",  "createdDateTime",      PMS_X_DATETIME, 0 },
  { "x_updated_at",  "lastModifiedDateTime", PMS_X_DATETIME, 0 },
  { "status",        "status",               PMS_X_STRING, 0 },
  { "lead_source",   "source",               PMS_X_STRING, 0 },
  { "notes",         "comments",             PMS_X_STRING, 0 },
  { "target_move_in_date",       "moveInDate",      PMS_X_DATE, 0 },
  { "desired_max_rent_in_cents", "rentMax",         PMS_X_CENTS, 0 },
  { "desired_min_rent_in_cents", "rentMin",         PMS_X_CENTS, 0 },
  { "desired_num_bedrooms",      "numberBedrooms",  PMS_X_INT, 0 },
  { "desired_num_bathrooms",     "numberBathrooms", PMS_X_REAL, 0 },
  { 0, 0, 0, 0 }
};

static const pms_field_map aPwWorkOrder[] = {
  { "property_id",         "buildingID",       PMS_X_FK, "properties" },
  { "x_property_id",       "buildingID",       PMS_X_ID, 0 },
  { "order_number",        "number",           PMS_X_STRING, 0 },
  { "service_description", "description",      PMS_X_STRING, 0 },
  { "service_category",    "category",         PMS_X_STRING, 0 },
  { "service_priority",    "priority",         PMS_X_STRING, 0 },
  { "status_raw",          "status",           PMS_X_STRING, 0 },
  { "date_created",        "createdDateTime",  PMS_X_DATETIME, 0 },
  { "date_due",            "scheduledEndDate", PMS_X_DATE, 0 },
  { "date_completed",      "completedDate",    PMS_X_DATE, 0 },
  { 0, 0, 0, 0 }
};

/* ------------------------------------------------------------- fix-ups */

static void pw_set(pms_row *pRow, const char *zCol, const char *zVal){
  int i = pms_row_col(pRow, zCol);
  if( i>=0 ) pms_row_set_text(pRow, i, zVal, -1);
}

static const char *pw_str(const cJSON *p, const char *zKey){
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, zKey);
  return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : 0;
}

/* custom_data: customFields [{fieldName, value, ...}] as {fieldName: value}. */
static void pw_custom_data(pms_row *pRow, const cJSON *pRec){
  const cJSON *pArr = cJSON_GetObjectItemCaseSensitive(pRec, "customFields"), *pF;
  cJSON *pOut;
  char *z;
  if( !cJSON_IsArray(pArr) || cJSON_GetArraySize(pArr)==0 ) return;
  pOut = cJSON_CreateObject();
  cJSON_ArrayForEach(pF, pArr){
    const char *zName = pw_str(pF, "fieldName");
    const cJSON *pV = cJSON_GetObjectItemCaseSensitive(pF, "value");
    if( zName && !cJSON_GetObjectItemCaseSensitive(pOut, zName) ){
      cJSON_AddItemToObject(pOut, zName, pV ? cJSON_Duplicate(pV, 1) : cJSON_CreateNull());
    }
  }
  z = cJSON_PrintUnformatted(pOut);
  if( z ){ pw_set(pRow, "custom_data", z); cJSON_free(z); }
  cJSON_Delete(pOut);
}

/* A contact's phones are named slots; the first two present, in this
** order, become phone_1 and phone_2. */
static const struct { const char *zSlot; const char *zType; } aPwPhone[] = {
  { "mobilePhone", "MOBILE" }, { "homePhone", "HOME" }, { "workPhone", "WORK" },
  { "otherPhone", "OTHER" }, { "fax", "FAX" },
};
#define PW_NPHONE ((int)(sizeof(aPwPhone)/sizeof(aPwPhone[0])))

/* The slots (indexes into aPwPhone) of phone_1 and phone_2; -1 if none. */
static void pw_phone_slots(const cJSON *pContact, int aSlot[2]){
  int i, n = 0;
  aSlot[0] = aSlot[1] = -1;
  for(i=0; i<PW_NPHONE && n<2; i++){
    if( pw_str(pContact, aPwPhone[i].zSlot) ) aSlot[n++] = i;
  }
}

static void pw_phones(pms_row *pRow, const cJSON *pContact){
  int aSlot[2], i;
  pw_phone_slots(pContact, aSlot);
  for(i=0; i<2; i++){
    char zCol[32];
    if( aSlot[i]<0 ) continue;
    snprintf(zCol, sizeof(zCol), "phone_%d", i+1);
    pw_set(pRow, zCol, pw_str(pContact, aPwPhone[aSlot[i]].zSlot));
    snprintf(zCol, sizeof(zCol), "phone_%d_type", i+1);
    pw_set(pRow, zCol, aPwPhone[aSlot[i]].zType);
  }
}

static int pw_building_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  (void)pS; (void)pzErr;
  pw_custom_data(pRow, pRec);
  return SQLITE_OK;
}

static int pw_contact_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  (void)pS; (void)pzErr;
  pw_custom_data(pRow, pRec);
  pw_phones(pRow, pRec);
  return SQLITE_OK;
}

static int pw_unit_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const char *zStatus = pw_str(pRec, "status");
  const cJSON *pBath = cJSON_GetObjectItemCaseSensitive(pRec, "numberOfBathrooms");
  (void)pS; (void)pzErr;
  pw_custom_data(pRow, pRec);
  if( zStatus ){
    if( sqlite3_stricmp(zStatus, "Vacant")==0 ) pms_row_set_int(pRow, pms_row_col(pRow, "is_vacant"), 1);
    else if( sqlite3_stricmp(zStatus, "Occupied")==0 ) pms_row_set_int(pRow, pms_row_col(pRow, "is_vacant"), 0);
  }
  if( cJSON_IsNumber(pBath) ){
    double r = pBath->valuedouble;
    pms_row_set_real(pRow, pms_row_col(pRow, "bathrooms_full"), (double)(long long)r);
    pms_row_set_real(pRow, pms_row_col(pRow, "bathrooms_half"), r - (double)(long long)r > 0.25 ? 1.0 : 0.0);
  }
  return SQLITE_OK;
}

/* residents_meta_data from the lease's contacts[] (the current tenants). */
static int pw_lease_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pC;
  pms_str s = {0};
  int n = 0;
  (void)pS; (void)pzErr;
  pw_custom_data(pRow, pRec);
  pms_str_appendz(&s, "[");
  cJSON_ArrayForEach(pC, cJSON_GetObjectItemCaseSensitive(pRec, "contacts")){
    char *zX = pms_json_id_text(cJSON_GetObjectItemCaseSensitive(pC, "id"));
    char *zId;
    if( zX==0 ) continue;
    zId = pms_make_id(pRow->zIntegration, pms_model_find("residents"), zX);
    pms_str_appendf(&s, "%s{\"resident_id\":", n++ ? "," : "");
    pms_str_append_json_string(&s, zId);
    pms_str_appendz(&s, ",\"x_resident_id\":");
    pms_str_append_json_string(&s, zX);
    pms_str_appendf(&s, ",\"is_primary\":%s}",
                    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pC, "primary")) ? "true" : "false");
    sqlite3_free(zId);
    free(zX);
  }
  pms_str_appendz(&s, "]");
  if( !s.oom ) pw_set(pRow, "residents_meta_data", s.z);
  pms_str_reset(&s);
  return SQLITE_OK;
}

/* The prospect's first contact carries the person. */
static int pw_prospect_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pC = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(pRec, "contacts"), 0);
  (void)pS; (void)pzErr;
  pw_custom_data(pRow, pRec);
  if( !cJSON_IsObject(pC) ) return SQLITE_OK;
  pw_set(pRow, "first_name", pw_str(pC, "firstName"));
  pw_set(pRow, "last_name", pw_str(pC, "lastName"));
  pw_set(pRow, "email_1", pw_str(pC, "email"));
  pw_phones(pRow, pC);
  return SQLITE_OK;
}

static int pw_workorder_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const char *z = pw_str(pRec, "authorizeEnter");
  (void)pS; (void)pzErr;
  pw_custom_data(pRow, pRec);
  if( z ) pms_row_set_int(pRow, pms_row_col(pRow, "access_is_authorized"), strcmp(z, "NO")!=0);
  return SQLITE_OK;
}

static const pms_adapter_model aPwModel[] = {
  { "properties",       "/buildings",  aPwBuilding,  1, pw_building_fixup, 0 },
  { "units",            "/units",      aPwUnit,      1, pw_unit_fixup, 0 },
  { "leases",           "/leases",     aPwLease,     1, pw_lease_fixup, 0 },
  { "residents",        "/contacts",   aPwContact,   1, pw_contact_fixup, 0 },
  { "leads",            "/prospects",  aPwProspect,  1, pw_prospect_fixup, 0 },
  { "service_requests", "/workorders", aPwWorkOrder, 1, pw_workorder_fixup, 0 },
  { 0, 0, 0, 0, 0, 0 }
};

/* List parameters each collection needs beyond paging. */
static const struct { const char *zModel; const char *zQuery; } aPwListQuery[] = {
  /* inactive buildings and units are hidden by default; contacts also
  ** hold owners, vendors...; custom fields come only when asked for */
  { "properties",       "&includeDeactivated=true&includeCustomFields=true" },
  { "units",            "&includeDeactivated=true&includeCustomFields=true" },
  { "residents",        "&type=TENANT&includeCustomFields=true" },
  { "leases",           "&includeCustomFields=true" },
  { "leads",            "&includeCustomFields=true" },
  { "service_requests", "&includeCustomFields=true" },
};

static const char *pw_list_query(const char *zModel){
  int i;
  for(i=0; i<(int)(sizeof(aPwListQuery)/sizeof(aPwListQuery[0])); i++){
    if( strcmp(aPwListQuery[i].zModel, zModel)==0 ) return aPwListQuery[i].zQuery;
  }
  return "";
}

/* ------------------------------------------------------------ protocol */

static int pw_authorize(pms_session *pS, pms_request *r){
  static const struct { const char *zHeader; const char *zKey; } aH[] = {
    { "x-propertyware-client-id", "client_id" },
    { "x-propertyware-client-secret", "client_secret" },
    { "x-propertyware-system-id", "system_id" },
  };
  int i;
  for(i=0; i<3; i++){
    char *z = pms_mprintf("%s: %s", aH[i].zHeader, pms_credential(pS, aH[i].zKey));
    if( z ){ pms_request_auth_header(r, z); pms_free_secret(z); }
  }
  pms_request_header(r, "Accept: application/json");
  return SQLITE_OK;
}

static pms_request *pw_list_request(pms_session *pS, const pms_adapter_model *pAM,
                                    const pms_list_page *pPg){
  pms_str u = {0};
  pms_request *r;
  pms_str_appendf(&u, "%s" PW_API "%s?offset=%lld&limit=%d&orderby=id%s", pS->zBaseUrl, pAM->zPath,
                  (long long)pPg->iPage * pPg->nPageSize, pPg->nPageSize, pw_list_query(pAM->zModel));
  if( pPg->zSince ){
    pms_str_appendz(&u, "&lastModifiedDateTimeStart=");
    pms_str_append_url_escaped(&u, pPg->zSince);
  }
  if( u.oom ){ pms_str_reset(&u); return 0; }
  r = pms_request_new("GET", u.z);
  pms_str_reset(&u);
  return r;
}

static int pw_list_parse(pms_session *pS, const pms_adapter_model *pAM,
                         pms_response *pResp, pms_list_result *pOut, char **pzErr){
  (void)pS; (void)pAM;
  pOut->pRoot = pms_response_json(pResp, 1, pzErr);
  if( pOut->pRoot==0 ) return SQLITE_ERROR;
  if( !cJSON_IsArray(pOut->pRoot) ){
    *pzErr = pms_strdup("expected a JSON array of records");
    return SQLITE_ERROR;
  }
  pOut->pItems = pOut->pRoot;
  pOut->nTotal = pms_response_count(pResp, "X-Total-Count");
  return SQLITE_OK;
}

static char *pw_record_id(const pms_adapter_model *pAM, const cJSON *pRec){
  (void)pAM;
  return pms_json_id_text(cJSON_GetObjectItemCaseSensitive(pRec, "id"));
}

/* ErrorResponse -> "userMessage [errorCode] (key: message; …)" */
static char *pw_error_message(const pms_response *pResp){
  cJSON *p = pResp->zBody ? cJSON_Parse(pResp->zBody) : 0;
  pms_str s = {0};
  if( cJSON_IsObject(p) ){
    const char *zMsg = pw_str(p, "userMessage");
    const char *zCode = pw_str(p, "errorCode");
    const cJSON *pE;
    int n = 0;
    if( zMsg ) pms_str_appendz(&s, zMsg);
    if( zCode ) pms_str_appendf(&s, " [%s]", zCode);
    cJSON_ArrayForEach(pE, cJSON_GetObjectItemCaseSensitive(p, "errors")){
      const char *zK = pw_str(pE, "key"), *zV = pw_str(pE, "message");
      pms_str_appendf(&s, "%s%s: %s", n++ ? "; " : " (", zK ? zK : "?", zV ? zV : "?");
    }
    if( n ) pms_str_appendz(&s, ")");
  }else if( pResp->zBody && pResp->nBody ){
    pms_str_appendf(&s, "%.200s", pResp->zBody);
  }
  cJSON_Delete(p);
  if( s.n==0 ){ pms_str_reset(&s); return 0; }
  return pms_str_finish(&s);
}

/* --------------------------------------------------------------- writes */

/* SaveContact: what PUT /contacts/{id} replaces, carried over from the
** current record so that fields the UPDATE leaves alone are kept. */
static const char *const azPwSaveContact[] = { "firstName", "lastName", "middleName", "email",
  "altEmail", "homePhone", "mobilePhone", "workPhone", "otherPhone", "fax", "birthDate",
  "comments", "company", "jobTitle", "nameOnCheck", "gender", "category", "salutation",
  "suffix", "namedOnLease", "allowESignature", "address", 0 };

static void pw_put(cJSON *pObj, const char *zKey, cJSON *pV){
  if( cJSON_GetObjectItemCaseSensitive(pObj, zKey) ) cJSON_ReplaceItemInObjectCaseSensitive(pObj, zKey, pV);
  else cJSON_AddItemToObject(pObj, zKey, pV);
}

/* A copy without null members (Save* schemas take no nulls). */
static cJSON *pw_without_nulls(const cJSON *p){
  cJSON *pOut = cJSON_Duplicate(p, 1), *pI = pOut ? pOut->child : 0;
  while( pI ){
    cJSON *pNext = pI->next;
    if( cJSON_IsNull(pI) ) cJSON_DeleteItemFromObjectCaseSensitive(pOut, pI->string);
    pI = pNext;
  }
  return pOut;
}

static int pw_phone_slot_of(const char *zType){
  int i;
  for(i=0; zType && i<PW_NPHONE; i++) if( strcmp(aPwPhone[i].zType, zType)==0 ) return i;
  return -1;
}

/* phone_1/phone_2 (and their types) onto a contact body. pCurrent (may be
** NULL) is the contact as it is now: a number keeps its slot unless its
** type changes, and a type change moves the number. */
static void pw_phones_for_write(cJSON *pBody, const cJSON *pCurrent, const cJSON *pLeft){
  int aSlot[2], i, mWritten = 0;   /* slots this write filled: never cleared again */
  pw_phone_slots(pCurrent, aSlot);
  for(i=0; i<2; i++){
    char zCol[32], zType[32];
    const cJSON *pN, *pT;
    int iNew;
    snprintf(zCol, sizeof(zCol), "phone_%d", i+1);
    snprintf(zType, sizeof(zType), "phone_%d_type", i+1);
    pN = cJSON_GetObjectItemCaseSensitive(pLeft, zCol);
    pT = cJSON_GetObjectItemCaseSensitive(pLeft, zType);
    if( pN==0 && pT==0 ) continue;
    iNew = cJSON_IsString(pT) ? pw_phone_slot_of(pT->valuestring) : aSlot[i];
    if( iNew<0 ) iNew = i==0 ? 0 : 1;             /* mobile, then home */
    if( pN==0 ){
      const char *zOld = aSlot[i]>=0 ? pw_str(pCurrent, aPwPhone[aSlot[i]].zSlot) : 0;
      if( zOld==0 ) continue;                      /* a type without a number */
      pw_put(pBody, aPwPhone[iNew].zSlot, cJSON_CreateString(zOld));
      mWritten |= 1<<iNew;
    }else if( cJSON_IsString(pN) ){
      pw_put(pBody, aPwPhone[iNew].zSlot, cJSON_CreateString(pN->valuestring));
      mWritten |= 1<<iNew;
    }else{
      cJSON_DeleteItemFromObjectCaseSensitive(pBody, aPwPhone[iNew].zSlot);
    }
    if( aSlot[i]>=0 && aSlot[i]!=iNew && (mWritten & (1<<aSlot[i]))==0 ){
      cJSON_DeleteItemFromObjectCaseSensitive(pBody, aPwPhone[aSlot[i]].zSlot);
    }
  }
}

/* SaveAddress needs a country; pmsql's writes default it to the US. */
static void pw_address_country(cJSON *pBody){
  cJSON *pA = cJSON_GetObjectItemCaseSensitive(pBody, "address");
  cJSON *pI, *pNext;
  if( !cJSON_IsObject(pA) ) return;
  for(pI=pA->child; pI; pI=pNext){
    pNext = pI->next;
    if( cJSON_IsNull(pI) ) cJSON_DeleteItemFromObjectCaseSensitive(pA, pI->string);
  }
  if( pA->child==0 ){ cJSON_DeleteItemFromObjectCaseSensitive(pBody, "address"); return; }
  if( !cJSON_GetObjectItemCaseSensitive(pA, "country") ){
    cJSON_AddStringToObject(pA, "country", "United States");
  }
}

static int pw_contact_body(cJSON *pBody, cJSON *pLeft, const cJSON *pCurrent, char **pzErr){
  const cJSON *pF;
  pw_phones_for_write(pBody, pCurrent, pLeft);
  pw_address_country(pBody);
  cJSON_ArrayForEach(pF, pLeft){
    if( strncmp(pF->string, "phone_", 6)!=0 ){
      *pzErr = pms_mprintf("the Propertyware adapter cannot write residents.%s", pF->string);
      return SQLITE_ERROR;
    }
  }
  return SQLITE_OK;
}

/* SaveProspect: the person goes in contacts[0] (SaveProspectContact). */
static int pw_prospect_body(cJSON *pBody, cJSON *pLeft, const cJSON *pCurrent, char **pzErr){
  cJSON *pC = cJSON_CreateObject(), *pArr = cJSON_CreateArray();
  static const struct { const char *zCol, *zKey; } aC[] = {
    { "first_name", "firstName" }, { "last_name", "lastName" }, { "email_1", "email" },
  };
  const cJSON *pF;
  int i;
  (void)pCurrent;
  for(i=0; i<3; i++){
    const cJSON *pV = cJSON_GetObjectItemCaseSensitive(pLeft, aC[i].zCol);
    if( cJSON_IsString(pV) ) cJSON_AddStringToObject(pC, aC[i].zKey, pV->valuestring);
  }
  pw_phones_for_write(pC, 0, pLeft);
  cJSON_AddItemToArray(pArr, pC);
  cJSON_AddItemToObject(pBody, "contacts", pArr);
  cJSON_ArrayForEach(pF, pLeft){
    const char *z = pF->string;
    if( strncmp(z, "phone_", 6)==0 ) continue;
    if( strcmp(z, "first_name") && strcmp(z, "last_name") && strcmp(z, "email_1") ){
      *pzErr = pms_mprintf("the Propertyware adapter cannot write leads.%s", z);
      return SQLITE_ERROR;
    }
  }
  return SQLITE_OK;
}

/* SaveWorkOrder: the unit as unitIDs, entry permission as authorizeEnter. */
static int pw_workorder_body(cJSON *pBody, cJSON *pLeft, const cJSON *pCurrent, char **pzErr){
  const cJSON *pF;
  (void)pCurrent;
  cJSON_ArrayForEach(pF, pLeft){
    const char *z = pF->string;
    if( strcmp(z, "unit_id")==0 ){
      if( cJSON_IsString(pF) ){
        cJSON *pArr = cJSON_CreateArray();
        cJSON_AddItemToArray(pArr, pms_fk_to_vendor(pF->valuestring));
        cJSON_AddItemToObject(pBody, "unitIDs", pArr);
      }
    }else if( strcmp(z, "access_is_authorized")==0 ){
      if( !cJSON_IsNull(pF) ){
        int b = cJSON_IsNumber(pF) ? pF->valuedouble!=0 : cJSON_IsTrue(pF);
        cJSON_AddStringToObject(pBody, "authorizeEnter", b ? "ANYTIME" : "NO");
      }
    }else{
      *pzErr = pms_mprintf("the Propertyware adapter cannot write service_requests.%s", z);
      return SQLITE_ERROR;
    }
  }
  return SQLITE_OK;
}

/* SaveLease: what PUT /leases/{leaseId} replaces, carried over. */
static const char *const azPwSaveLease[] = { "unitID", "startDate", "endDate", "moveInDate",
  "moveOutDate", "scheduleMoveOutDate", "signedDate", "baseRent", "comments", "status",
  "searchTag", "publicAssistanceProgram", 0 };

/* SaveLease names its tenants as tenantIDs plus primaryContactID: from
** residents_meta_data on create, from the lease's contacts[] on update. */
static int pw_lease_body(cJSON *pBody, cJSON *pLeft, const cJSON *pCurrent, char **pzErr){
  const cJSON *pF, *pE;
  cJSON *pIds = cJSON_CreateArray(), *pPrimary = 0;
  const cJSON *pMeta = cJSON_GetObjectItemCaseSensitive(pLeft, "residents_meta_data");
  int rc = SQLITE_OK;
  cJSON_ArrayForEach(pF, pLeft){
    if( strcmp(pF->string, "residents_meta_data")!=0 ){
      *pzErr = pms_mprintf("the Propertyware adapter cannot write leases.%s", pF->string);
      cJSON_Delete(pIds);
      return SQLITE_ERROR;
    }
  }
  if( pMeta ){
    cJSON *pArr = cJSON_IsString(pMeta) ? cJSON_Parse(pMeta->valuestring) : 0;
    cJSON_ArrayForEach(pE, pArr){
      const cJSON *pR = cJSON_GetObjectItemCaseSensitive(pE, "resident_id");
      if( !cJSON_IsString(pR) ) continue;
      cJSON_AddItemToArray(pIds, pms_fk_to_vendor(pR->valuestring));
      if( pPrimary==0 || cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pE, "is_primary")) ){
        cJSON_Delete(pPrimary);
        pPrimary = pms_fk_to_vendor(pR->valuestring);
      }
    }
    cJSON_Delete(pArr);
    if( cJSON_GetArraySize(pIds)==0 ){
      *pzErr = pms_strdup("leases.residents_meta_data must be a JSON array of objects with resident_id");
      rc = SQLITE_ERROR;
    }
  }else if( pCurrent ){
    cJSON_ArrayForEach(pE, cJSON_GetObjectItemCaseSensitive(pCurrent, "contacts")){
      const cJSON *pId = cJSON_GetObjectItemCaseSensitive(pE, "id");
      if( !cJSON_IsNumber(pId) ) continue;
      cJSON_AddItemToArray(pIds, cJSON_Duplicate(pId, 1));
      if( pPrimary==0 || cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pE, "primary")) ){
        cJSON_Delete(pPrimary);
        pPrimary = cJSON_Duplicate(pId, 1);
      }
    }
  }
  cJSON_AddItemToObject(pBody, "tenantIDs", pIds);
  if( pPrimary ) cJSON_AddItemToObject(pBody, "primaryContactID", pPrimary);
  return rc;
}

/* Where a Save* schema names a field differently from the record it
** returns, and the value's JSON type on the Save side. */
typedef struct pw_rename {
  const char *zModel, *zRead, *zSave, *zCol;
  int bString;                  /* Save side is a string (else a number) */
} pw_rename;
static const pw_rename aPwRename[] = {
  { "units",      "numberOfBedrooms",  "numberBedrooms",    "bedrooms", 0 },
  { "units",      "numberOfBathrooms", "numberBathrooms",   "bathrooms", 0 },
  { "properties", "numberOfBedrooms",  "numberBedrooms",    0, 0 },
  { "properties", "numberOfBathrooms", "numberBathrooms",   0, 0 },
  { "properties", "yearBuilt",         "yearBuiltAsString", "year_built", 1 },
};

static int pw_rename_fields(const char *zModel, cJSON *pBody, char **pzErr){
  int i;
  for(i=0; i<(int)(sizeof(aPwRename)/sizeof(aPwRename[0])); i++){
    const pw_rename *pR = &aPwRename[i];
    cJSON *pV;
    if( strcmp(pR->zModel, zModel)!=0 ) continue;
    pV = cJSON_DetachItemFromObjectCaseSensitive(pBody, pR->zRead);
    if( pV==0 ) continue;
    if( cJSON_IsString(pV) && !pR->bString ){
      char *zEnd = 0;
      double r = strtod(pV->valuestring, &zEnd);
      if( zEnd==pV->valuestring || *zEnd ){
        *pzErr = pms_mprintf("PROPERTYWARE_REST field '%s' on %s update must be a number (got '%s')",
                             pR->zCol ? pR->zCol : pR->zRead, zModel, pV->valuestring);
        cJSON_Delete(pV);
        return SQLITE_ERROR;
      }
      cJSON_Delete(pV);
      pV = cJSON_CreateNumber(r);
    }else if( cJSON_IsNumber(pV) && pR->bString ){
      char zNum[32];
      snprintf(zNum, sizeof(zNum), "%lld", (long long)pV->valuedouble);
      cJSON_Delete(pV);
      pV = cJSON_CreateString(zNum);
    }
    cJSON_AddItemToObject(pBody, pR->zSave, pV);
  }
  return SQLITE_OK;
}

/* SaveUnit / SaveBuilding: what PUT /units/{unitID} and PUT
** /buildings/{buildingID} replace, carried over (read names, renamed by
** aPwRename). Building.multiUnit is a string where SaveBuilding wants a
** boolean, so it is not carried (it is optional). */
static const char *const azPwSaveUnit[] = { "abbreviation", "buildingID", "category", "name",
  "portfolioID", "type", "address", "numberOfBedrooms", "numberOfBathrooms", "totalArea",
  "targetRent", "targetDeposit", "ready", "county", "neighborhood", "searchTag", 0 };
static const char *const azPwSaveBuilding[] = { "abbreviation", "category", "countUnit", "name",
  "portfolioID", "propertyType", "type", "address", "numberOfBedrooms", "numberOfBathrooms",
  "totalArea", "yearBuilt", "rentable", "targetRent", "targetDeposit", "numberFloors",
  "neighborhood", "searchTag", 0 };

/* Units and buildings: unified fields all go through the map; then the
** Save names. */
static int pw_structure_body(const char *zModel, cJSON *pBody, cJSON *pLeft, char **pzErr){
  const cJSON *pF;
  cJSON_ArrayForEach(pF, pLeft){
    *pzErr = pms_mprintf("the Propertyware adapter cannot write %s.%s", zModel, pF->string);
    return SQLITE_ERROR;
  }
  pw_address_country(pBody);
  return pw_rename_fields(zModel, pBody, pzErr);
}
static int pw_unit_body(cJSON *pBody, cJSON *pLeft, const cJSON *pCurrent, char **pzErr){
  (void)pCurrent;
  return pw_structure_body("units", pBody, pLeft, pzErr);
}
static int pw_building_body(cJSON *pBody, cJSON *pLeft, const cJSON *pCurrent, char **pzErr){
  (void)pCurrent;
  return pw_structure_body("properties", pBody, pLeft, pzErr);
}

/* Per writable model: the irregular fields of its request body. */
static const struct {
  const char *zModel;
  int (*xBody)(cJSON *pBody, cJSON *pLeft, const cJSON *pCurrent, char **pzErr);
  const char *const *azPut;     /* update: carried over from the current record */
} aPwWrite[] = {
  { "residents",        pw_contact_body,   azPwSaveContact },
  { "leases",           pw_lease_body,     azPwSaveLease },
  { "units",            pw_unit_body,      azPwSaveUnit },
  { "properties",       pw_building_body,  azPwSaveBuilding },
  { "leads",            pw_prospect_body,  0 },
  { "service_requests", pw_workorder_body, 0 },
};

static char *pw_write_body(const pms_adapter_model *pAM, pms_write *w, const cJSON *pCurrent,
                           char **pzErr){
  int bCreate = strcmp(w->zOp, "create")==0;
  cJSON *pBody = cJSON_CreateObject(), *pLeft = cJSON_CreateObject();
  char *zOut = 0;
  int iW, k;
  for(iW=0; iW<(int)(sizeof(aPwWrite)/sizeof(aPwWrite[0])); iW++){
    if( strcmp(aPwWrite[iW].zModel, pAM->zModel)==0 ) break;
  }
  if( iW==(int)(sizeof(aPwWrite)/sizeof(aPwWrite[0])) ){
    *pzErr = pms_mprintf("the Propertyware adapter does not write %s", pAM->zModel);
    goto done;
  }
  if( pBody==0 || pLeft==0 ) goto done;
  if( !bCreate && pCurrent && aPwWrite[iW].azPut ){
    for(k=0; aPwWrite[iW].azPut[k]; k++){
      const cJSON *pV = cJSON_GetObjectItemCaseSensitive(pCurrent, aPwWrite[iW].azPut[k]);
      if( pV==0 || cJSON_IsNull(pV) ) continue;
      cJSON_AddItemToObject(pBody, aPwWrite[iW].azPut[k],
                            cJSON_IsObject(pV) ? pw_without_nulls(pV) : cJSON_Duplicate(pV, 1));
    }
  }
  if( pms_map_unapply(pAM->aMap, w->pFields, pBody, pLeft, pzErr) ) goto done;
  if( aPwWrite[iW].xBody(pBody, pLeft, pCurrent, pzErr)==SQLITE_OK ){
    zOut = cJSON_PrintUnformatted(pBody);
  }
done:
  cJSON_Delete(pBody);
  cJSON_Delete(pLeft);
  if( zOut ){ char *z = pms_strdup(zOut); cJSON_free(zOut); return z; }
  if( *pzErr==0 ) *pzErr = pms_strdup("cannot build the request body");
  return 0;
}

static pms_request *pw_write_request(pms_session *pS, const pms_adapter_model *pAM, pms_write *w,
                                     const cJSON *pCurrent, char **pzErr){
  int bCreate = strcmp(w->zOp, "create")==0;
  char *zBody = pw_write_body(pAM, w, pCurrent, pzErr);
  char *zUrl, *zSeg = bCreate ? 0 : pms_url_segment(w->zXId);
  pms_request *r = 0;
  if( zBody==0 ){ free(zSeg); return 0; }
  zUrl = bCreate ? pms_mprintf("%s" PW_API "%s", pS->zBaseUrl, pAM->zPath)
                 : zSeg ? pms_mprintf("%s" PW_API "%s/%s", pS->zBaseUrl, pAM->zPath, zSeg) : 0;
  if( zUrl ) r = pms_request_new(bCreate ? "POST" : "PUT", zUrl);
  if( r ){
    pms_request_body(r, zBody, "application/json");
    if( bCreate ) pms_request_not_idempotent(r);
  }
  free(zSeg);
  free(zUrl);
  free(zBody);
  return r;
}

static pms_request *pw_get_request(pms_session *pS, const pms_adapter_model *pAM, const char *zXId){
  char *zSeg = pms_url_segment(zXId);
  char *zUrl = zSeg ? pms_mprintf("%s" PW_API "%s/%s", pS->zBaseUrl, pAM->zPath, zSeg) : 0;
  pms_request *r = zUrl ? pms_request_new("GET", zUrl) : 0;
  free(zSeg);
  free(zUrl);
  return r;
}

static cJSON *pw_get_parse(pms_session *pS, const pms_adapter_model *pAM, pms_response *pResp,
                           char **pzErr){
  cJSON *p;
  (void)pS; (void)pAM;
  if( !pms_response_is_json(pResp, 1) ){ *pzErr = pms_strdup("expected a JSON record"); return 0; }
  p = cJSON_ParseWithLength(pResp->zBody ? pResp->zBody : "", pResp->nBody);
  if( !cJSON_IsObject(p) ){
    cJSON_Delete(p);
    *pzErr = pms_strdup("expected a JSON record");
    return 0;
  }
  return p;
}

/* Update: GET the record (PUT replaces a Save* body whole), then PUT.
** Create: POST. A dry run builds the final request from the cached record. */
static pms_request *pw_write_begin(pms_session *pS, const pms_adapter_model *pAM, pms_write *w,
                                   int bDry, char **pzErr){
  pms_request *r;
  if( strcmp(w->zOp, "delete")==0 ){
    char *zSeg = pms_url_segment(w->zXId);
    char *zUrl = zSeg ? pms_mprintf("%s" PW_API "%s/%s", pS->zBaseUrl, pAM->zPath, zSeg) : 0;
    r = zUrl ? pms_request_new("DELETE", zUrl) : 0;
    free(zSeg);
    free(zUrl);
    w->iStep = 2;
    return r;
  }
  if( strcmp(w->zOp, "update")==0 && !bDry ){
    w->iStep = 1;
    return pw_get_request(pS, pAM, w->zXId);
  }
  w->iStep = 2;
  if( bDry ){
    cJSON *pCur = w->zCachedRemote ? cJSON_Parse(w->zCachedRemote) : 0;
    r = pw_write_request(pS, pAM, w, pCur, pzErr);
    cJSON_Delete(pCur);
    return r;
  }
  return pw_write_request(pS, pAM, w, 0, pzErr);
}

static void pw_write_failed(pms_write *w, const pms_response *pResp, const char *zWhat){
  char *zMsg = pw_error_message(pResp);
  w->zStatus = "failed";
  w->httpStatus = pResp->status;
  free(w->zMessage);
  w->zMessage = pms_mprintf("%sHTTP %ld%s%s", zWhat, pResp->status, zMsg ? ": " : "", zMsg ? zMsg : "");
  free(zMsg);
}

static pms_request *pw_write_step(pms_session *pS, const pms_adapter_model *pAM, pms_write *w,
                                  pms_response *pResp){
  char *zErr = 0;
  if( w->iStep==1 ){
    pms_request *r;
    if( pResp->status!=200 ){
      pw_write_failed(w, pResp, "reading the current record: ");
      return 0;
    }
    w->pCurrent = pw_get_parse(pS, pAM, pResp, &zErr);
    r = w->pCurrent ? pw_write_request(pS, pAM, w, w->pCurrent, &zErr) : 0;
    if( r==0 ){
      w->zStatus = "failed";
      w->zMessage = zErr ? zErr : pms_strdup("cannot build the request");
      return 0;
    }
    w->iStep = 2;
    return r;
  }
  w->httpStatus = pResp->status;
  if( strcmp(w->zOp, "delete")==0 && (pResp->status==200 || pResp->status==204) ){
    w->zStatus = "succeeded";
    return 0;
  }
  if( pResp->status==200 || pResp->status==201 ){
    w->zStatus = "succeeded";
    w->pResult = pw_get_parse(pS, pAM, pResp, &zErr);
    free(zErr);
    if( w->pResult && strcmp(w->zOp, "create")==0 ){
      w->zCreatedXId = pms_json_id_text(cJSON_GetObjectItemCaseSensitive(w->pResult, "id"));
    }
    return 0;
  }
  pw_write_failed(w, pResp, "");
  return 0;
}

static const char *const azPwCredential[] = { "client_id", "client_secret", "system_id", 0 };

const pms_adapter pms_adapter_propertyware = {
  "PROPERTYWARE_REST",
  "https://api.propertyware.com",
  azPwCredential,
  500,                /* limit ranges 1..500 */
  0,                  /* an empty list is 200 [] */
  10.0,               /* "10 concurrent requests per second" (spec, marked FUTURE) */
  4,
  aPwModel,
  0, 0,               /* no session: keys go on every request */
  pw_authorize,
  pw_list_request,
  pw_list_parse,
  pw_record_id,
  pw_error_message,
  pw_write_begin,
  pw_write_step,
  pw_get_request,
  pw_get_parse,
  0,                  /* xClassify: HTTP statuses mean what they say */
};
