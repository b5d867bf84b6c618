/*
** buildium.c — the Buildium Open API adapter (BUILDIUM).
**
** Protocol (official OpenAPI spec; research/pms-apis.md §1): every request
** carries x-buildium-client-id and x-buildium-client-secret; paths live under
** /v1 and are case-sensitive; lists take limit (<= 1000) and offset, answer a
** bare JSON array and give the total in X-Total-Count; orderby=Id asc keeps
** paging stable; lastupdatedfrom (UTC YYYY-MM-DDTHH:MM:SSZ, a date for work
** orders) filters by change time for incremental syncs; 10 requests/second;
** errors are ApiErrorResponse {UserMessage, ErrorCode, Errors[{Key,Value}]}.
**
** Mapping: rentals -> properties, rental units -> units, leases, rental
** tenants -> residents, applicants, work orders -> service_requests. Buildium
** has no leads API (capability/buildium.json says so). Regular fields are
** the tables below; phones, the resident's current lease, link arrays and
** manager names are the fix-ups, because their shape is irregular.
*/
#include "../ext/pmsql.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ enum maps */

static const pms_enum_map aBdCountry[] = {
  {"UnitedStates","US"}, {"Canada","CA"}, {"Mexico","MX"}, {"PuertoRico","PR"},
  {"VirginIslands","VI"}, {"Guam","GU"}, {"AmericanSamoa","AS"},
  {"NorthernMarianaIslands","MP"}, {"UnitedKingdom","GB"}, {"Ireland","IE"},
  {"Australia","AU"}, {"NewZealand","NZ"},
  {0, 0}                                   /* others pass through */
};

static const pms_enum_map aBdPhoneType[] = {
  {"Home","HOME"}, {"Cell","MOBILE"}, {"Mobile","MOBILE"}, {"Office","WORK"},
  {"Work","WORK"}, {"Fax","FAX"},
  {0, "OTHER"}                             /* Personal, Other, NotSet */
};

static const pms_enum_map aBdPropertyType[] = {
  {"SingleFamily","SINGLE_FAMILY"}, {"MultiFamily","MULTI_FAMILY"},
  {"CondoTownhome","MULTI_FAMILY"}, {"Industrial","COMMERCIAL"},
  {"Office","COMMERCIAL"}, {"Retail","COMMERCIAL"},
  {"ShoppingCenter","COMMERCIAL"}, {"Storage","COMMERCIAL"},
  {"ParkingSpace","COMMERCIAL"},
  {0, "OTHER"}
};

static const pms_enum_map aBdBedrooms[] = {
  {"NotSet",0}, {"Studio","0"}, {"OneBed","1"}, {"TwoBed","2"}, {"ThreeBed","3"},
  {"FourBed","4"}, {"FiveBed","5"}, {"SixBed","6"}, {"SevenBed","7"},
  {"EightBed","8"}, {"NineBedPlus","9+"},
  {0, 0}
};

static const pms_enum_map aBdBathrooms[] = {
  {"NotSet",0}, {"OneBath","1"}, {"OnePointFiveBath","1.5"}, {"TwoBath","2"},
  {"TwoPointFiveBath","2.5"}, {"ThreeBath","3"}, {"ThreePointFiveBath","3.5"},
  {"FourBath","4"}, {"FourPointFiveBath","4.5"}, {"FiveBath","5"},
  {"FivePlusBath","5+"},
  {0, 0}
};

static const pms_enum_map aBdLeaseStatus[] = {
  {"Active","ACTIVE"}, {"Past","INACTIVE"}, {"Future","PENDING"},
  {0, "OTHER"}
};

static const pms_enum_map aBdApplicationStatus[] = {
  {"Approved","APPROVED"}, {"AddedToLease","APPROVED"}, {"AddedToDraftLease","APPROVED"},
  {"Rejected","DENIED"}, {"Cancelled","CANCELED"}, {"Undecided","PENDING"},
  {"New","PENDING"}, {"Draft","PENDING"}, {"Deferred","PENDING"},
  {0, "OTHER"}
};

/* ----------------------------------------------------------- field maps */

#define BD_ADDRESS(prefix, suffix) \
  { "address_1" suffix, prefix ".AddressLine1", PMS_X_STRING, 0 }, \
  { "address_2" suffix, prefix ".AddressLine2", PMS_X_STRING, 0 }, \
  { "city" suffix,      prefix ".City",         PMS_X_STRING, 0 }, \
  { "state" suffix,     prefix ".State",        PMS_X_STRING, 0 }, \
  { "zip" suffix,       prefix ".PostalCode",   PMS_X_STRING, 0 }, \
  { "country" suffix,   prefix ".Country",      PMS_X_ENUM, aBdCountry }

static const pms_field_map aBdProperty[] = {
  { "name",             "Name",                 PMS_X_STRING, 0 },
  BD_ADDRESS("Address", ""),
  { "is_active",        "IsActive",             PMS_X_BOOL, 0 },
  { "number_of_units",  "NumberUnits",          PMS_X_INT, 0 },
  { "year_built",       "YearBuilt",            PMS_X_INT, 0 },
  { "type_raw",         "RentalSubType",        PMS_X_STRING, 0 },
  { "type_normalized",  "RentalSubType",        PMS_X_ENUM, aBdPropertyType },
  { "long_description", "StructureDescription", PMS_X_STRING, 0 },
  { "manager_email",    "RentalManager.Email",  PMS_X_STRING, 0 },
  { 0, 0, 0, 0 }
};

static const pms_field_map aBdUnit[] = {
  { "property_id",   "PropertyId",   PMS_X_FK, "properties" },
  { "x_property_id", "PropertyId",   PMS_X_ID, 0 },
  { "number",        "UnitNumber",   PMS_X_STRING, 0 },
  { "building_name", "BuildingName", PMS_X_STRING, 0 },
  { "bedrooms",      "UnitBedrooms", PMS_X_ENUM, aBdBedrooms },
  { "bathrooms",     "UnitBathrooms", PMS_X_ENUM, aBdBathrooms },
  { "square_feet",   "UnitSize",     PMS_X_INT, 0 },
  { "is_available",  "IsUnitListed", PMS_X_BOOL, 0 },
  { "is_vacant",     "IsUnitOccupied", PMS_X_NOT_BOOL, 0 },
  { "rent_amount_market_in_cents", "MarketRent", PMS_X_CENTS, 0 },
  BD_ADDRESS("Address", ""),
  { 0, 0, 0, 0 }
};

static const pms_field_map aBdLease[] = {
  { "property_id",       "PropertyId",    PMS_X_FK, "properties" },
  { "x_property_id",     "PropertyId",    PMS_X_ID, 0 },
  { "unit_id",           "UnitId",        PMS_X_FK, "units" },
  { "x_unit_id",         "UnitId",        PMS_X_ID, 0 },
  { "unit_number",       "UnitNumber",    PMS_X_STRING, 0 },
  { "status_raw",        "LeaseStatus",   PMS_X_STRING, 0 },
  { "status_normalized", "LeaseStatus",   PMS_X_ENUM, aBdLeaseStatus },
  { "type",              "LeaseType",     PMS_X_STRING, 0 },
  { "term",              "TermType",      PMS_X_STRING, 0 },
  { "start_date",        "LeaseFromDate", PMS_X_DATE, 0 },
  { "end_date",          "LeaseToDate",   PMS_X_DATE, 0 },
  { "rent_amount_in_cents",    "AccountDetails.Rent",            PMS_X_CENTS, 0 },
  { "deposit_amount",          "AccountDetails.SecurityDeposit", PMS_X_STRING, 0 },
  { "deposit_amount_in_cents", "AccountDetails.SecurityDeposit", PMS_X_CENTS, 0 },
  { "rent_due_day",      "PaymentDueDay", PMS_X_INT, 0 },
  { 0, 0, 0, 0 }
};

static const pms_field_map aBdResident[] = {
  { "first_name",    "FirstName",      PMS_X_STRING, 0 },
  { "last_name",     "LastName",       PMS_X_STRING, 0 },
  { "email_1",       "Email",          PMS_X_STRING, 0 },
  { "email_2",       "AlternateEmail", PMS_X_STRING, 0 },
  { "date_of_birth", "DateOfBirth",    PMS_X_DATE, 0 },
  BD_ADDRESS("Address", ""),
  BD_ADDRESS("AlternateAddress", "_alternate"),
  { "notes",         "Comment",        PMS_X_STRING, 0 },
  { 0, 0, 0, 0 }
};

static const pms_field_map aBdApplicant[] = {
  { "property_id",   "PropertyId", PMS_X_FK, "properties" },
  { "x_property_id", "PropertyId", PMS_X_ID, 0 },
  { "first_name",    "FirstName",  PMS_X_STRING, 0 },
  { "last_name",     "LastName",   PMS_X_STRING, 0 },
  { "email_1",       "Email",      PMS_X_STRING, 0 },
  { 0, 0, 0, 0 }
};

static const pms_field_map aBdWorkOrder[] = {
  { "unit_id",             "Task.UnitId", PMS_X_FK, "units" },
  { "x_unit_id",           "Task.UnitId", PMS_X_ID, 0 },
  { "service_description", "Title",       PMS_X_STRING, 0 },
  { "service_details",     "WorkDetails", PMS_X_STRING, 0 },
  { "service_priority",    "Priority",    PMS_X_STRING, 0 },
  { "status_raw",          "Status",      PMS_X_STRING, 0 },
  { "access_notes",        "EntryNotes",  PMS_X_STRING, 0 },
  { "vendor_notes",        "VendorNotes", PMS_X_STRING, 0 },
  { "date_due",            "DueDate",     PMS_X_DATE, 0 },
  { 0, 0, 0, 0 }
};

/* ------------------------------------------------------------- fix-ups */

static void bd_set(pms_row *pRow, const char *zCol, const char *zVal){
  int i = pms_row_col(pRow, zCol);
  if( i>=0 ) pms_row_set_text(pRow, i, zVal, -1);
}

/* PhoneNumbers[] {Number, Type} -> <prefix>phone_1/_type, phone_2/_type */
static void bd_phones(pms_row *pRow, const cJSON *pPhones, const char *zPrefix){
  const cJSON *p;
  int n = 0;
  cJSON_ArrayForEach(p, pPhones){
    const cJSON *pNum = cJSON_GetObjectItemCaseSensitive(p, "Number");
    const cJSON *pType = cJSON_GetObjectItemCaseSensitive(p, "Type");
    char zCol[64];
    if( !cJSON_IsString(pNum) || n>=2 ) continue;
    n++;
    snprintf(zCol, sizeof(zCol), "%sphone_%d", zPrefix, n);
    bd_set(pRow, zCol, pNum->valuestring);
    snprintf(zCol, sizeof(zCol), "%sphone_%d_type", zPrefix, n);
    bd_set(pRow, zCol, pms_enum_lookup(aBdPhoneType, cJSON_IsString(pType) ? pType->valuestring : 0));
  }
}


/* Set a pmsql foreign key and its vendor id from a Buildium id. */
static void bd_fk(pms_row *pRow, const char *zCol, const char *zXCol,
                  const char *zModel, const cJSON *pId){
  int i = pms_row_col(pRow, zCol), iX = pms_row_col(pRow, zXCol);
  char *zX = pms_json_id_text(pId);
  if( zX && i>=0 ){
    char *zId = pms_make_id(pRow->zIntegration, pms_model_find(zModel), zX);
    pms_row_set_text(pRow, i, zId, -1);
    sqlite3_free(zId);
  }
  if( zX && iX>=0 ) pms_row_set_text(pRow, iX, zX, -1);
  free(zX);
}

static int bd_property_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pMgr = cJSON_GetObjectItemCaseSensitive(pRec, "RentalManager");
  (void)pS; (void)pzErr;
  if( cJSON_IsObject(pMgr) ){
    const cJSON *pCo = cJSON_GetObjectItemCaseSensitive(pMgr, "CompanyName");
    const cJSON *pF = cJSON_GetObjectItemCaseSensitive(pMgr, "FirstName");
    const cJSON *pL = cJSON_GetObjectItemCaseSensitive(pMgr, "LastName");
    if( cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pMgr, "IsCompany")) && cJSON_IsString(pCo) ){
      bd_set(pRow, "manager_name", pCo->valuestring);
    }else if( cJSON_IsString(pF) || cJSON_IsString(pL) ){
      char *z = pms_mprintf("%s%s%s", cJSON_IsString(pF) ? pF->valuestring : "",
                            cJSON_IsString(pF) && cJSON_IsString(pL) ? " " : "",
                            cJSON_IsString(pL) ? pL->valuestring : "");
      if( z ){ bd_set(pRow, "manager_name", z); free(z); }
    }
    bd_phones(pRow, cJSON_GetObjectItemCaseSensitive(pMgr, "PhoneNumbers"), "manager_");
  }
  return SQLITE_OK;
}

static int bd_unit_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pBath = cJSON_GetObjectItemCaseSensitive(pRec, "UnitBathrooms");
  const char *zB = cJSON_IsString(pBath) ? pms_enum_lookup(aBdBathrooms, pBath->valuestring) : 0;
  (void)pS; (void)pzErr;
  if( zB ){
    double r = atof(zB);
    int iFull = pms_row_col(pRow, "bathrooms_full");
    int iHalf = pms_row_col(pRow, "bathrooms_half");
    pms_row_set_real(pRow, iFull, (double)(int)r);
    pms_row_set_real(pRow, iHalf, r - (int)r > 0.25 ? 1.0 : 0.0);
  }
  return SQLITE_OK;
}

static int bd_lease_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pT;
  const cJSON *pMoveOut = cJSON_GetObjectItemCaseSensitive(pRec, "MoveOutData");
  pms_str s = {0};
  int n = 0;
  (void)pS; (void)pzErr;
  pms_str_appendz(&s, "[");
  cJSON_ArrayForEach(pT, cJSON_GetObjectItemCaseSensitive(pRec, "Tenants")){
    char *zX = pms_json_id_text(cJSON_GetObjectItemCaseSensitive(pT, "Id"));
    const cJSON *pSt = cJSON_GetObjectItemCaseSensitive(pT, "Status");
    const cJSON *pIn = cJSON_GetObjectItemCaseSensitive(pT, "MoveInDate");
    const cJSON *pMo;
    char *zId;
    if( zX==0 ) continue;
    zId = pms_make_id(pRow->zIntegration, pms_model_find("residents"), zX);
    pms_str_appendf(&s, "%s{\"resident_id\":", n++ ? "," : "");
    pms_str_append_json_string(&s, zId);
    pms_str_appendz(&s, ",\"x_resident_id\":");
    pms_str_append_json_string(&s, zX);
    pms_str_appendz(&s, ",\"x_resident_type\":");
    if( cJSON_IsString(pSt) ) pms_str_append_json_string(&s, pSt->valuestring);
    else pms_str_appendz(&s, "null");
    pms_str_appendz(&s, ",\"move_in_date\":");
    if( cJSON_IsString(pIn) ) pms_str_append_json_string(&s, pIn->valuestring);
    else pms_str_appendz(&s, "null");
    cJSON_ArrayForEach(pMo, pMoveOut){
      char *zTid = pms_json_id_text(cJSON_GetObjectItemCaseSensitive(pMo, "TenantId"));
      if( zTid && strcmp(zTid, zX)==0 ){
        const cJSON *pD = cJSON_GetObjectItemCaseSensitive(pMo, "MoveOutDate");
        const cJSON *pN = cJSON_GetObjectItemCaseSensitive(pMo, "NoticeGivenDate");
        if( cJSON_IsString(pD) ){ pms_str_appendz(&s, ",\"move_out_date\":"); pms_str_append_json_string(&s, pD->valuestring); }
        if( cJSON_IsString(pN) ){ pms_str_appendz(&s, ",\"notice_date\":"); pms_str_append_json_string(&s, pN->valuestring); }
      }
      free(zTid);
    }
    pms_str_appendz(&s, "}");
    sqlite3_free(zId);
    free(zX);
  }
  pms_str_appendz(&s, "]");
  if( s.oom ){ pms_str_reset(&s); return SQLITE_NOMEM; }
  bd_set(pRow, "residents_meta_data", s.z);
  pms_str_reset(&s);
  return SQLITE_OK;
}

/* Rank of a lease for "the resident's current lease": Active, Future, Past. */
static int bd_lease_rank(const cJSON *pLease){
  const cJSON *pSt = cJSON_GetObjectItemCaseSensitive(pLease, "LeaseStatus");
  const char *z = cJSON_IsString(pSt) ? pSt->valuestring : "";
  return strcmp(z, "Active")==0 ? 3 : strcmp(z, "Future")==0 ? 2 : 1;
}

static int bd_resident_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pLeases = cJSON_GetObjectItemCaseSensitive(pRec, "Leases");
  const cJSON *pL, *pBest = 0;
  pms_str s = {0};
  int n = 0;
  (void)pS; (void)pzErr;
  bd_phones(pRow, cJSON_GetObjectItemCaseSensitive(pRec, "PhoneNumbers"), "");
  pms_str_appendz(&s, "[");
  cJSON_ArrayForEach(pL, pLeases){
    char *zX = pms_json_id_text(cJSON_GetObjectItemCaseSensitive(pL, "Id"));
    const cJSON *pFrom = cJSON_GetObjectItemCaseSensitive(pL, "LeaseFromDate");
    const cJSON *pTo = cJSON_GetObjectItemCaseSensitive(pL, "LeaseToDate");
    char *zId;
    if( zX==0 ) continue;
    if( pBest==0 || bd_lease_rank(pL)>bd_lease_rank(pBest)
     || (bd_lease_rank(pL)==bd_lease_rank(pBest) && cJSON_IsString(pFrom)
         && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(pBest, "LeaseFromDate"))
         && strcmp(pFrom->valuestring,
                   cJSON_GetObjectItemCaseSensitive(pBest, "LeaseFromDate")->valuestring)>0) ){
      pBest = pL;
    }
    zId = pms_make_id(pRow->zIntegration, pms_model_find("leases"), zX);
    pms_str_appendf(&s, "%s{\"lease_id\":", n++ ? "," : "");
    pms_str_append_json_string(&s, zId);
    pms_str_appendz(&s, ",\"x_lease_id\":");
    pms_str_append_json_string(&s, zX);
    pms_str_appendz(&s, ",\"resident_type_normalized\":\"PRIMARY\",\"move_in_date\":");
    if( cJSON_IsString(pFrom) ) pms_str_append_json_string(&s, pFrom->valuestring);
    else pms_str_appendz(&s, "null");
    pms_str_appendz(&s, ",\"move_out_date\":");
    if( cJSON_IsString(pTo) ) pms_str_append_json_string(&s, pTo->valuestring);
    else pms_str_appendz(&s, "null");
    pms_str_appendz(&s, "}");
    sqlite3_free(zId);
    free(zX);
  }
  pms_str_appendz(&s, "]");
  if( s.oom ){ pms_str_reset(&s); return SQLITE_NOMEM; }
  bd_set(pRow, "leases_meta_data", s.z);
  pms_str_reset(&s);
  if( pBest ){
    bd_fk(pRow, "lease_id", "x_lease_id", "leases", cJSON_GetObjectItemCaseSensitive(pBest, "Id"));
    bd_fk(pRow, "property_id", "x_property_id", "properties",
          cJSON_GetObjectItemCaseSensitive(pBest, "PropertyId"));
  }
  return SQLITE_OK;
}

static int bd_applicant_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pUnit = cJSON_GetObjectItemCaseSensitive(pRec, "UnitId");
  const cJSON *pStatus = cJSON_GetObjectItemCaseSensitive(pRec, "Status");
  const cJSON *pApp;
  pms_str s = {0};
  int n = 0;
  (void)pS; (void)pzErr;
  bd_phones(pRow, cJSON_GetObjectItemCaseSensitive(pRec, "PhoneNumbers"), "");
  if( cJSON_IsNumber(pUnit) ){
    char *zX = pms_json_id_text(pUnit);
    if( zX ) pms_row_set_preferred_unit(pRow, zX);
    free(zX);
  }
  pms_str_appendz(&s, "[");
  cJSON_ArrayForEach(pApp, cJSON_GetObjectItemCaseSensitive(pRec, "Applications")){
    char *zX = pms_json_id_text(cJSON_GetObjectItemCaseSensitive(pApp, "Id"));
    const cJSON *pSt = cJSON_GetObjectItemCaseSensitive(pApp, "ApplicationStatus");
    const cJSON *pAt = cJSON_GetObjectItemCaseSensitive(pApp, "ApplicationSubmittedDateTime");
    const char *zSt = cJSON_IsString(pSt) ? pSt->valuestring
                    : cJSON_IsString(pStatus) ? pStatus->valuestring : 0;
    if( zX==0 ) continue;
    pms_str_appendf(&s, "%s{\"x_application_id\":", n++ ? "," : "");
    pms_str_append_json_string(&s, zX);
    pms_str_appendz(&s, ",\"status_raw\":");
    if( zSt ) pms_str_append_json_string(&s, zSt); else pms_str_appendz(&s, "null");
    pms_str_appendz(&s, ",\"status_normalized\":");
    pms_str_append_json_string(&s, pms_enum_lookup(aBdApplicationStatus, zSt));
    pms_str_appendz(&s, ",\"submitted_at\":");
    if( cJSON_IsString(pAt) ) pms_str_append_json_string(&s, pAt->valuestring);
    else pms_str_appendz(&s, "null");
    pms_str_appendz(&s, "}");
    free(zX);
  }
  pms_str_appendz(&s, "]");
  if( s.oom ){ pms_str_reset(&s); return SQLITE_NOMEM; }
  bd_set(pRow, "applications", s.z);
  pms_str_reset(&s);
  return SQLITE_OK;
}

static int bd_work_order_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pEntry = cJSON_GetObjectItemCaseSensitive(pRec, "EntryAllowed");
  const cJSON *pVendor = cJSON_GetObjectItemCaseSensitive(pRec, "VendorId");
  int i = pms_row_col(pRow, "access_is_authorized");
  (void)pS; (void)pzErr;
  if( cJSON_IsString(pEntry) && strcmp(pEntry->valuestring, "Yes")==0 ) pms_row_set_int(pRow, i, 1);
  else if( cJSON_IsString(pEntry) && strcmp(pEntry->valuestring, "No")==0 ) pms_row_set_int(pRow, i, 0);
  if( cJSON_IsNumber(pVendor) ){
    char *z = pms_mprintf("[{\"x_vendor_id\":\"%lld\"}]", (long long)pVendor->valuedouble);
    if( z ){ bd_set(pRow, "vendors", z); free(z); }
  }
  return SQLITE_OK;
}

static const pms_adapter_model aBdModel[] = {
  { "properties",       "/rentals",         aBdProperty,  1, bd_property_fixup, 0 },
  { "units",            "/rentals/units",   aBdUnit,      1, bd_unit_fixup, 0 },
  { "leases",           "/leases",          aBdLease,     1, bd_lease_fixup, 0 },
  { "residents",        "/leases/tenants",  aBdResident,  1, bd_resident_fixup, 0 },
  { "applicants",       "/applicants",      aBdApplicant, 1, bd_applicant_fixup, 0 },
  { "service_requests", "/workorders",      aBdWorkOrder, 1, bd_work_order_fixup, 0 },
  { 0, 0, 0, 0, 0, 0 }
};

/* ------------------------------------------------------------ protocol */

static int bd_authorize(pms_session *pS, pms_request *r){
  char *z = pms_mprintf("x-buildium-client-id: %s", pms_credential(pS, "client_id"));
  if( z ){ pms_request_auth_header(r, z); free(z); }
  z = pms_mprintf("x-buildium-client-secret: %s", pms_credential(pS, "client_secret"));
  if( z ){ pms_request_auth_header(r, z); pms_free_secret(z); }
  pms_request_header(r, "Accept: application/json");
  return SQLITE_OK;
}

static pms_request *bd_list_request(pms_session *pS, const pms_adapter_model *pAM,
                                    const pms_list_page *pPg){
  pms_str u = {0};
  pms_request *r;
  pms_str_appendf(&u, "%s/v1%s?limit=%d&offset=%lld&orderby=Id%%20asc", pS->zBaseUrl, pAM->zPath,
                  pPg->nPageSize, (long long)pPg->iPage * pPg->nPageSize);
  if( pPg->zSince ){
    /* work orders filter by date only; the rest by UTC date-time */
    char zDate[11];
    pms_str_appendz(&u, "&lastupdatedfrom=");
    if( strcmp(pAM->zModel, "service_requests")==0 ){
      size_t n = strlen(pPg->zSince);
      if( n>10 ) n = 10;
      memcpy(zDate, pPg->zSince, n);
      zDate[n] = 0;
      pms_str_append_url_escaped(&u, zDate);
    }else{
      pms_str_append_url_escaped(&u, pPg->zSince);
    }
  }
  if( u.oom ){ pms_str_reset(&u); return 0; }
  r = pms_request_new("GET", u.z);
  pms_str_reset(&u);
  return r;
}

static int bd_list_parse(pms_session *pS, const pms_adapter_model *pAM,
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

static char *bd_record_id(const pms_adapter_model *pAM, const cJSON *pRec){
  (void)pAM;
  return pms_json_id_text(cJSON_GetObjectItemCaseSensitive(pRec, "Id"));
}

/* ApiErrorResponse -> "UserMessage [ErrorCode] (Key: Value; …)" */
static char *bd_error_message(const pms_response *pResp){
  cJSON *p = pResp->zBody ? cJSON_Parse(pResp->zBody) : 0;
  pms_str s = {0};
  if( cJSON_IsObject(p) ){
    const cJSON *pMsg = cJSON_GetObjectItemCaseSensitive(p, "UserMessage");
    const cJSON *pCode = cJSON_GetObjectItemCaseSensitive(p, "ErrorCode");
    const cJSON *pE;
    int n = 0;
    if( cJSON_IsString(pMsg) ) pms_str_appendz(&s, pMsg->valuestring);
    if( cJSON_IsString(pCode) ) pms_str_appendf(&s, " [%s]", pCode->valuestring);
    cJSON_ArrayForEach(pE, cJSON_GetObjectItemCaseSensitive(p, "Errors")){
      const cJSON *pK = cJSON_GetObjectItemCaseSensitive(pE, "Key");
      const cJSON *pV = cJSON_GetObjectItemCaseSensitive(pE, "Value");
      pms_str_appendf(&s, "%s%s: %s", n++ ? "; " : " (", cJSON_IsString(pK) ? pK->valuestring : "?",
                      cJSON_IsString(pV) ? pV->valuestring : "?");
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

/* What a full-replace PUT carries over from the record as Buildium has it
** now (the *PutMessage schemas); the changed fields are laid over it. */
static const char *const azBdPutTenant[] = { "FirstName", "LastName", "Email", "AlternateEmail",
  "PhoneNumbers", "DateOfBirth", "Comment", "TaxId", "EmergencyContact", "Address",
  "AlternateAddress", "MailingPreference", 0 };
static const char *const azBdPutUnit[] = { "UnitNumber", "UnitSize", "MarketRent", "Address",
  "UnitBedrooms", "UnitBathrooms", "Description", 0 };
static const char *const azBdPutRental[] = { "Name", "StructureDescription", "Address",
  "RentalSubType", "OperatingBankAccountId", "Reserve", "YearBuilt", 0 };
static const char *const azBdPutLease[] = { "LeaseType", "UnitId", "LeaseFromDate", "LeaseToDate",
  "IsEvictionPending", "AutomaticallyMoveOutTenants", 0 };
static const char *const azBdPutApplicant[] = { "UnitId", "FirstName", "LastName", "Email",
  "PhoneNumbers", 0 };
static const char *const azBdPutWorkOrder[] = { "WorkDetails", "InvoiceNumber", "ChargeableTo",
  "EntryAllowed", "EntryNotes", "VendorId", "VendorNotes", "LineItems", 0 };

static const struct {
  const char *zModel;
  const char *const *azPut;
  const char *zCreateExtra;     /* fixed fields a create must carry */
} aBdWrite[] = {
  { "residents",        azBdPutTenant,    0 },
  { "units",            azBdPutUnit,      0 },
  { "properties",       azBdPutRental,    0 },
  { "leases",           azBdPutLease,     "{\"SendWelcomeEmail\":false}" },
  { "applicants",       azBdPutApplicant, "{\"SendRentalApplicationEmail\":false}" },
  { "service_requests", azBdPutWorkOrder, 0 },
};

/* Buildium writes phones as {Home, Work, Mobile, Fax}; reads give
** [{Number, Type}]. Read types without a write slot take a free one. */
static const char *bd_phone_slot(const char *zType){
  if( zType==0 ) return 0;
  if( strcmp(zType, "Home")==0 || strcmp(zType, "HOME")==0 ) return "Home";
  if( strcmp(zType, "Cell")==0 || strcmp(zType, "Mobile")==0 || strcmp(zType, "MOBILE")==0 ) return "Mobile";
  if( strcmp(zType, "Office")==0 || strcmp(zType, "Work")==0 || strcmp(zType, "WORK")==0 ) return "Work";
  if( strcmp(zType, "Fax")==0 || strcmp(zType, "FAX")==0 ) return "Fax";
  return 0;
}

/* The write-shape phones: the current numbers (read shape), with
** phone_1/phone_2 (and their types) from the write laid over them. */
static cJSON *bd_phones_for_write(const cJSON *pCurrent, const cJSON *pFields){
  struct { const char *zNum; const char *zSlot; } a[8];
  static const char *const azFree[] = { "Mobile", "Home", "Work", "Fax" };
  const cJSON *pP;
  cJSON *pOut = cJSON_CreateObject();
  int n = 0, i, k;
  cJSON_ArrayForEach(pP, pCurrent){
    const cJSON *pN = cJSON_GetObjectItemCaseSensitive(pP, "Number");
    const cJSON *pT = cJSON_GetObjectItemCaseSensitive(pP, "Type");
    if( !cJSON_IsString(pN) || n>=8 ) continue;
    a[n].zNum = pN->valuestring;
    a[n].zSlot = bd_phone_slot(cJSON_IsString(pT) ? pT->valuestring : 0);
    n++;
  }
  for(i=0; i<2; i++){
    char zCol[32], zType[32];
    const cJSON *pN, *pT;
    snprintf(zCol, sizeof(zCol), "phone_%d", i+1);
    snprintf(zType, sizeof(zType), "phone_%d_type", i+1);
    pN = cJSON_GetObjectItemCaseSensitive(pFields, zCol);
    pT = cJSON_GetObjectItemCaseSensitive(pFields, zType);
    if( pN==0 && pT==0 ) continue;
    while( n<=i ){ a[n].zNum = 0; a[n].zSlot = 0; n++; }
    if( pN ) a[i].zNum = cJSON_IsString(pN) ? pN->valuestring : 0;
    if( cJSON_IsString(pT) ) a[i].zSlot = bd_phone_slot(pT->valuestring);
    if( a[i].zSlot==0 ) a[i].zSlot = i==0 ? "Mobile" : "Home";
  }
  for(i=0; i<n; i++){
    if( a[i].zNum==0 ) continue;
    if( a[i].zSlot==0 || cJSON_GetObjectItemCaseSensitive(pOut, a[i].zSlot) ){
      for(k=0; k<4 && cJSON_GetObjectItemCaseSensitive(pOut, azFree[k]); k++){}
      if( k==4 ) continue;
      a[i].zSlot = azFree[k];
    }
    cJSON_AddStringToObject(pOut, a[i].zSlot, a[i].zNum);
  }
  return pOut;
}

static int bd_write_index(const char *zModel){
  int i;
  for(i=0; i<(int)(sizeof(aBdWrite)/sizeof(aBdWrite[0])); i++){
    if( strcmp(aBdWrite[i].zModel, zModel)==0 ) return i;
  }
  return -1;
}

/* The request body: for an update, the current record's PUT fields; then
** the unified fields through the read map reversed; then the irregular ones. */
static char *bd_write_body(const pms_adapter_model *pAM, pms_write *w, const cJSON *pCurrent,
                           char **pzErr){
  int iW = bd_write_index(pAM->zModel);
  int bCreate = strcmp(w->zOp, "create")==0;
  cJSON *pBody = cJSON_CreateObject(), *pLeft = cJSON_CreateObject(), *pF;
  char *zOut = 0;
  int k;
  if( pBody==0 || pLeft==0 || iW<0 ) goto done;
  if( !bCreate && pCurrent ){
    for(k=0; aBdWrite[iW].azPut[k]; k++){
      const char *zKey = aBdWrite[iW].azPut[k];
      const cJSON *pV = cJSON_GetObjectItemCaseSensitive(pCurrent, zKey);
      if( pV==0 ) continue;
      if( strcmp(zKey, "PhoneNumbers")==0 ){
        cJSON_AddItemToObject(pBody, zKey, bd_phones_for_write(pV, 0));
      }else{
        cJSON_AddItemToObject(pBody, zKey, cJSON_Duplicate(pV, 1));
      }
    }
    if( strcmp(pAM->zModel, "properties")==0 ){
      const cJSON *pMgr = pms_json_path(pCurrent, "RentalManager.Id");
      if( pMgr ) cJSON_AddItemToObject(pBody, "PropertyManagerId", cJSON_Duplicate(pMgr, 1));
    }
    if( strcmp(pAM->zModel, "service_requests")==0 ){
      const cJSON *pEc = pms_json_path(pCurrent, "EntryContact.Id");
      if( pEc ) cJSON_AddItemToObject(pBody, "EntryContactId", cJSON_Duplicate(pEc, 1));
    }
  }
  if( bCreate && aBdWrite[iW].zCreateExtra ){
    cJSON *pX = cJSON_Parse(aBdWrite[iW].zCreateExtra);
    cJSON *pI;
    cJSON_ArrayForEach(pI, pX) cJSON_AddItemToObject(pBody, pI->string, cJSON_Duplicate(pI, 1));
    cJSON_Delete(pX);
  }
  if( pms_map_unapply(pAM->aMap, w->pFields, pBody, pLeft, pzErr) ) goto done;
  /* irregular fields */
  if( cJSON_GetObjectItemCaseSensitive(pLeft, "phone_1") || cJSON_GetObjectItemCaseSensitive(pLeft, "phone_2")
   || cJSON_GetObjectItemCaseSensitive(pLeft, "phone_1_type") || cJSON_GetObjectItemCaseSensitive(pLeft, "phone_2_type") ){
    const cJSON *pCur = pCurrent ? cJSON_GetObjectItemCaseSensitive(pCurrent, "PhoneNumbers") : 0;
    cJSON *pPh = bd_phones_for_write(pCur, pLeft);
    if( cJSON_GetObjectItemCaseSensitive(pBody, "PhoneNumbers") ){
      cJSON_ReplaceItemInObjectCaseSensitive(pBody, "PhoneNumbers", pPh);
    }else{
      cJSON_AddItemToObject(pBody, "PhoneNumbers", pPh);
    }
  }
  cJSON_ArrayForEach(pF, pLeft){
    const char *z = pF->string;
    if( strncmp(z, "phone_", 6)==0 ) continue;
    if( strcmp(z, "lease_id")==0 && bCreate ){
      cJSON_AddItemToObject(pBody, "LeaseId", pms_fk_to_vendor(cJSON_IsString(pF) ? pF->valuestring : 0));
    }else if( strcmp(z, "unit_id_preferred")==0 ){
      cJSON *pArr = cJSON_IsString(pF) ? cJSON_Parse(pF->valuestring) : 0;
      cJSON *pFirst = cJSON_GetArrayItem(pArr, 0);
      cJSON *pV = cJSON_IsString(pFirst) ? pms_fk_to_vendor(pFirst->valuestring) : cJSON_CreateNull();
      if( cJSON_GetObjectItemCaseSensitive(pBody, "UnitId") ) cJSON_ReplaceItemInObjectCaseSensitive(pBody, "UnitId", pV);
      else cJSON_AddItemToObject(pBody, "UnitId", pV);
      cJSON_Delete(pArr);
    }else if( strcmp(z, "access_is_authorized")==0 ){
      const char *zE = cJSON_IsNull(pF) ? "Unknown" : (cJSON_IsNumber(pF) && pF->valuedouble!=0) ? "Yes" : "No";
      cJSON *pV = cJSON_CreateString(zE);
      if( cJSON_GetObjectItemCaseSensitive(pBody, "EntryAllowed") ) cJSON_ReplaceItemInObjectCaseSensitive(pBody, "EntryAllowed", pV);
      else cJSON_AddItemToObject(pBody, "EntryAllowed", pV);
    }else if( strcmp(z, "residents_meta_data")==0 && bCreate ){
      cJSON *pArr = cJSON_IsString(pF) ? cJSON_Parse(pF->valuestring) : 0;
      cJSON *pIds = cJSON_CreateArray(), *pE;
      cJSON_ArrayForEach(pE, pArr){
        const cJSON *pR = cJSON_GetObjectItemCaseSensitive(pE, "resident_id");
        if( cJSON_IsString(pR) ) cJSON_AddItemToArray(pIds, pms_fk_to_vendor(pR->valuestring));
      }
      cJSON_AddItemToObject(pBody, "TenantIds", pIds);
      cJSON_Delete(pArr);
    }else if( strcmp(z, "deposit_amount_in_cents")==0 && bCreate ){
      cJSON *pDep = cJSON_CreateObject();
      const cJSON *pDate = cJSON_GetObjectItemCaseSensitive(w->pFields, "deposit_date");
      if( !cJSON_IsString(pDate) ) pDate = cJSON_GetObjectItemCaseSensitive(w->pFields, "start_date");
      cJSON_AddNumberToObject(pDep, "Amount", cJSON_IsNumber(pF) ? pF->valuedouble/100.0 : 0);
      if( cJSON_IsString(pDate) ) cJSON_AddStringToObject(pDep, "DueDate", pDate->valuestring);
      cJSON_AddItemToObject(pBody, "SecurityDeposit", pDep);
    }else if( strcmp(z, "deposit_date")==0 && bCreate ){
      /* carried by deposit_amount_in_cents */
    }else{
      *pzErr = pms_mprintf("the Buildium adapter cannot write %s.%s", pAM->zModel, z);
      goto done;
    }
  }
  zOut = cJSON_PrintUnformatted(pBody);
done:
  cJSON_Delete(pBody);
  cJSON_Delete(pLeft);
  if( zOut ){ char *z = pms_strdup(zOut); cJSON_free(zOut); return z; }
  if( *pzErr==0 ) *pzErr = pms_strdup("cannot build the request body");
  return 0;
}

static pms_request *bd_write_request(pms_session *pS, const pms_adapter_model *pAM, pms_write *w,
                                     const cJSON *pCurrent, char **pzErr){
  int bCreate = strcmp(w->zOp, "create")==0;
  char *zBody = bd_write_body(pAM, w, pCurrent, pzErr);
  char *zUrl, *zSeg = bCreate ? 0 : pms_url_segment(w->zXId);
  pms_request *r = 0;
  if( zBody==0 ){ free(zSeg); return 0; }
  zUrl = bCreate ? pms_mprintf("%s/v1%s", pS->zBaseUrl, pAM->zPath)
                 : zSeg ? pms_mprintf("%s/v1%s/%s", pS->zBaseUrl, pAM->zPath, zSeg) : 0;
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

static pms_request *bd_get_request(pms_session *pS, const pms_adapter_model *pAM, const char *zXId){
  char *zSeg = pms_url_segment(zXId);
  char *zUrl = zSeg ? pms_mprintf("%s/v1%s/%s", pS->zBaseUrl, pAM->zPath, zSeg) : 0;
  pms_request *r = zUrl ? pms_request_new("GET", zUrl) : 0;
  free(zSeg);
  free(zUrl);
  return r;
}

static cJSON *bd_get_parse(pms_session *pS, const pms_adapter_model *pAM, pms_response *pResp,
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

/* Update: GET the record (Buildium's PUT replaces everything), then PUT.
** Create: POST. A dry run builds the final request from the cached record. */
static pms_request *bd_write_begin(pms_session *pS, const pms_adapter_model *pAM, pms_write *w,
                                   int bDry, char **pzErr){
  pms_request *r;
  if( strcmp(w->zOp, "update")==0 && !bDry ){
    w->iStep = 1;
    return bd_get_request(pS, pAM, w->zXId);
  }
  w->iStep = 2;
  if( bDry ){
    cJSON *pCur = w->zCachedRemote ? cJSON_Parse(w->zCachedRemote) : 0;
    r = bd_write_request(pS, pAM, w, pCur, pzErr);
    cJSON_Delete(pCur);
    return r;
  }
  return bd_write_request(pS, pAM, w, 0, pzErr);
}

static void bd_write_failed(pms_write *w, const pms_response *pResp, const char *zWhat){
  char *zMsg = bd_error_message(pResp);
  w->zStatus = "failed";
  w->httpStatus = pResp->status;
  free(w->zMessage);
  w->zMessage = pms_mprintf("%sHTTP %ld%s%s", zWhat, pResp->status, zMsg ? ": " : "", zMsg ? zMsg : "");
  free(zMsg);
}

static pms_request *bd_write_step(pms_session *pS, const pms_adapter_model *pAM, pms_write *w,
                                  pms_response *pResp){
  char *zErr = 0;
  if( w->iStep==1 ){
    pms_request *r;
    if( pResp->status!=200 ){
      bd_write_failed(w, pResp, "reading the current record: ");
      return 0;
    }
    w->pCurrent = bd_get_parse(pS, pAM, pResp, &zErr);
    r = w->pCurrent ? bd_write_request(pS, pAM, w, w->pCurrent, &zErr) : 0;
    if( r==0 ){
      w->zStatus = "failed";
      w->zMessage = zErr ? zErr : pms_strdup("cannot build the request");
      return 0;
    }
    w->iStep = 2;
    return r;
  }
  w->httpStatus = pResp->status;
  if( pResp->status==200 || pResp->status==201 ){
    w->zStatus = "succeeded";
    w->pResult = bd_get_parse(pS, pAM, pResp, &zErr);
    free(zErr);
    if( w->pResult && strcmp(w->zOp, "create")==0 ){
      w->zCreatedXId = pms_json_id_text(cJSON_GetObjectItemCaseSensitive(w->pResult, "Id"));
    }
    return 0;
  }
  bd_write_failed(w, pResp, "");
  return 0;
}

static const char *const azBdCredential[] = { "client_id", "client_secret", 0 };

const pms_adapter pms_adapter_buildium = {
  "BUILDIUM",
  "https://api.buildium.com",
  azBdCredential,
  1000,               /* limit is clamped to 1000 */
  0,                  /* an empty list is 200 [] */
  10.0,               /* 10 requests per second */
  4,
  aBdModel,
  0, 0,               /* no session: keys go on every request */
  bd_authorize,
  bd_list_request,
  bd_list_parse,
  bd_record_id,
  bd_error_message,
  bd_write_begin,
  bd_write_step,
  bd_get_request,
  bd_get_parse,
  0,                  /* xClassify: HTTP statuses mean what they say */
};
