/*
** appfolio.c — the AppFolio adapter (APPFOLIO): one integration, two APIs.
**
** Protocol (research pms-apis.md §3; AppFolio publishes no spec, so the
** capability notes say which facts are the research's and which inferred):
**
**  - The partner "database" API v0 (https://api.appfolio.com/api/v0):
**    properties, units, tenants (residents) and work orders (service
**    requests). HTTP Basic client_id:client_secret plus the header
**    X-AppFolio-Developer-ID on every request. Lists require
**    filters[LastUpdatedAtFrom] — the incremental watermark; a full sync
**    passes the epoch — and page with page[number]/page[size]; an answer
**    is {"data":[…], "next_page_path": "/api/v0/…" | null} with no total,
**    so pages are read one after another by following next_page_path
**    (the engine's no-total path: pms_list_result.bMore/bLast).
**  - The Reports API v2 (https://{database}.appfolio.com/api/v2/reports),
**    read only, for the models v0 lacks: rental_applications -> applicants,
**    guest_card_inquiries -> leads. POST with a JSON filter body, then GET
**    each next_page_url (absolute; followed only on the reports host, so
**    the credentials never go elsewhere). Same Basic credentials, no
**    developer id. 7 report requests per 15 s (next pages exempt): the
**    429 and its Retry-After are waited out by the HTTP client.
**    The reports host: base_url when the integration sets one (a sandbox
**    or a proxy serves both APIs), else https://{database}.appfolio.com
**    with the customer's database name (a required credential).
**
** AppFolio's own status 533 ("data unavailable") is retried like a 503
** (af_classify). Writes (v0): PATCH /units/{id} {"RentReady"} from
** units.is_available, POST /work_orders/{id}/notes {"Body"} from
** service_requests.notes. Field facts live in capability/appfolio.json;
** the maps below are its read/write halves (to move into the manifest).
*/
#include "../ext/pmsql.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TRANSITION: the C tables below predate the manifest form (zPart, aWrite …
** stay zero) until the field facts move into capability/appfolio.json. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define AF_V0      "/api/v0"
#define AF_REPORTS "/api/v2/reports/"
#define AF_EPOCH   "1970-01-01T00:00:00Z"

/* ----------------------------------------------------------- field maps */

static const pms_field_map aAfProperty[] = {
  { "x_created_at",    "CreatedAt",    PMS_X_DATETIME, 0 },
  { "name",            "Name",         PMS_X_STRING, 0 },
  { "address_1",       "Address1",     PMS_X_STRING, 0 },
  { "address_2",       "Address2",     PMS_X_STRING, 0 },
  { "city",            "City",         PMS_X_STRING, 0 },
  { "state",           "State",        PMS_X_STRING, 0 },
  { "zip",             "Zip",          PMS_X_STRING, 0 },
  { "is_active",       "Hidden",       PMS_X_NOT_BOOL, 0 },
  { "number_of_units", "UnitCount",    PMS_X_INT, 0 },
  { "year_built",      "YearBuilt",    PMS_X_INT, 0 },
  { "type_raw",        "PropertyType", PMS_X_STRING, 0 },
  { 0, 0, 0, 0 }
};

static const pms_field_map aAfUnit[] = {
  { "property_id",    "PropertyId",  PMS_X_FK, "properties" },
  { "x_property_id",  "PropertyId",  PMS_X_ID, 0 },
  { "number",         "Name",        PMS_X_STRING, 0 },
  { "address_1",      "Address1",    PMS_X_STRING, 0 },
  { "address_2",      "Address2",    PMS_X_STRING, 0 },
  { "city",           "City",        PMS_X_STRING, 0 },
  { "state",          "State",       PMS_X_STRING, 0 },
  { "zip",            "Zip",         PMS_X_STRING, 0 },
  { "bedrooms",       "Bedrooms",    PMS_X_STRING, 0 },
  { "bathrooms",      "Bathrooms",   PMS_X_STRING, 0 },
  { "square_feet",    "SquareFeet",  PMS_X_INT, 0 },
  { "rent_amount_market_in_cents", "MarketRent", PMS_X_CENTS, 0 },
  { "is_available",   "RentReady",   PMS_X_BOOL, 0 },
  { 0, 0, 0, 0 }
};

static const pms_field_map aAfTenant[] = {
  { "property_id",   "PropertyId",  PMS_X_FK, "properties" },
  { "x_property_id", "PropertyId",  PMS_X_ID, 0 },
  { "x_lease_id",    "OccupancyId", PMS_X_ID, 0 },
  { "first_name",    "FirstName",   PMS_X_STRING, 0 },
  { "last_name",     "LastName",    PMS_X_STRING, 0 },
  { "email_1",       "Email",       PMS_X_STRING, 0 },
  { "phone_1",       "PhoneNumber", PMS_X_STRING, 0 },
  { "date_of_birth", "BirthDate",   PMS_X_DATE, 0 },
  { 0, 0, 0, 0 }
};

static const pms_enum_map aAfPriority[] = {
  { "Low", "LOW" }, { "Normal", "NORMAL" }, { "Urgent", "HIGH" }, { 0, 0 } };

static const pms_field_map aAfWorkOrder[] = {
  { "property_id",         "PropertyId",         PMS_X_FK, "properties" },
  { "x_property_id",       "PropertyId",         PMS_X_ID, 0 },
  { "unit_id",             "UnitId",             PMS_X_FK, "units" },
  { "x_unit_id",           "UnitId",             PMS_X_ID, 0 },
  { "order_number",        "WorkOrderNumber",    PMS_X_STRING, 0 },
  { "service_description", "JobDescription",     PMS_X_STRING, 0 },
  { "vendor_notes",        "VendorInstructions", PMS_X_STRING, 0 },
  { "status_raw",          "Status",             PMS_X_STRING, 0 },
  { "service_priority",    "Priority",           PMS_X_ENUM, aAfPriority },
  { "date_created",        "CreatedAt",          PMS_X_DATETIME, 0 },
  { "date_scheduled",      "ScheduledStartOn",   PMS_X_DATE, 0 },
  { "date_completed",      "CompletedOn",        PMS_X_DATE, 0 },
  { 0, 0, 0, 0 }
};

/* Report rows are snake_case; their ids are AppFolio's numeric ids, not
** v0's UUIDs, so only the x_ halves of foreign keys are filled. */
static const pms_field_map aAfApplication[] = {
  { "x_property_id",       "property_id",   PMS_X_ID, 0 },
  { "x_unit_id_preferred", "unit_id",       PMS_X_ID, 0 },
  { "x_lead_id",           "guest_card_id", PMS_X_ID, 0 },
  { "email_1",             "email_address", PMS_X_STRING, 0 },
  { "phone_1",             "phone_number",  PMS_X_STRING, 0 },
  { 0, 0, 0, 0 }
};

static const pms_field_map aAfGuestCard[] = {
  { "x_property_id",  "property_id",     PMS_X_ID, 0 },
  { "x_unit_id",      "unit_id",         PMS_X_ID, 0 },
  { "x_guestcard_id", "guest_card_uuid", PMS_X_ID, 0 },
  { "x_created_at",   "received",        PMS_X_DATETIME, 0 },
  { "email_1",        "email_address",   PMS_X_STRING, 0 },
  { "phone_1",        "phone_number",    PMS_X_STRING, 0 },
  { "status",         "status",          PMS_X_STRING, 0 },
  { "lead_source",    "source",          PMS_X_STRING, 0 },
  { "notes",          "notes",           PMS_X_STRING, 0 },
  { 0, 0, 0, 0 }
};

/* ------------------------------------------------------------- fix-ups */

static int af_unit_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const char *z = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pRec, "Status"));
  (void)pS; (void)pzErr;
  if( z ) pms_row_set_int(pRow, pms_row_col(pRow, "is_vacant"), strcmp(z, "Vacant")==0);
  return SQLITE_OK;
}

/* Reports write people as "Last, First" (as in a real guest-card row). */
static void af_split_name(pms_row *pRow, const cJSON *pRec, const char *zKey){
  const char *z = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pRec, zKey));
  const char *zComma = z ? strstr(z, ", ") : 0;
  if( z==0 ) return;
  if( zComma ){
    pms_row_set_text(pRow, pms_row_col(pRow, "last_name"), z, (int)(zComma - z));
    pms_row_set_text(pRow, pms_row_col(pRow, "first_name"), zComma + 2, -1);
  }else{
    pms_row_set_text(pRow, pms_row_col(pRow, "last_name"), z, -1);
  }
}

static int af_application_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  cJSON *pA = cJSON_CreateArray(), *pO = cJSON_CreateObject();
  char *z, *zId;
  (void)pS; (void)pzErr;
  af_split_name(pRow, pRec, "applicants");
  /* the application itself: applicants has no status column */
  zId = pms_json_id_text(cJSON_GetObjectItemCaseSensitive(pRec, "rental_application_id"));
  cJSON_AddStringToObject(pO, "x_application_id", zId ? zId : "");
  free(zId);
  cJSON_AddItemToObject(pO, "status", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(pRec, "status"), 1));
  cJSON_AddItemToObject(pO, "received", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(pRec, "received"), 1));
  cJSON_AddItemToArray(pA, pO);
  z = cJSON_PrintUnformatted(pA);
  if( z ){ pms_row_set_text(pRow, pms_row_col(pRow, "applications"), z, -1); cJSON_free(z); }
  cJSON_Delete(pA);
  return SQLITE_OK;
}

static int af_guest_card_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  (void)pS; (void)pzErr;
  af_split_name(pRow, pRec, "name");
  return SQLITE_OK;
}

/* v0 resources carry "Id"; report rows name their own id column. */
static const struct {
  const char *zModel, *zIdField;
} aAfId[] = {
  { "applicants", "rental_application_id" },
  { "leads",      "guest_card_id" },
};

static const pms_adapter_model aAfModel[] = {
  { "properties",       AF_V0 "/properties",  aAfProperty,  1, 0, 0 },
  { "units",            AF_V0 "/units",       aAfUnit,      1, af_unit_fixup, 0 },
  { "residents",        AF_V0 "/tenants",     aAfTenant,    1, 0, 0 },
  { "applicants",       AF_REPORTS "rental_applications.json",  aAfApplication, 0, af_application_fixup, 0 },
  { "leads",            AF_REPORTS "guest_card_inquiries.json", aAfGuestCard,   0, af_guest_card_fixup, 0 },
  { "service_requests", AF_V0 "/work_orders", aAfWorkOrder, 1, 0, 0 },
  { 0, 0, 0, 0, 0, 0 }
};

/* ------------------------------------------------------------ protocol */

/* Per session: the link to the next page of the list being read (pages of
** one list come one after another: there is no total to run ahead with). */
typedef struct af_state {
  char *zNext;
} af_state;

static af_state *af_st(pms_session *pS){
  if( pS->pAdapterData==0 ) pS->pAdapterData = calloc(1, sizeof(af_state));
  return (af_state*)pS->pAdapterData;
}

static void af_close(pms_session *pS){
  af_state *p = (af_state*)pS->pAdapterData;
  if( p ){ free(p->zNext); free(p); }
  pS->pAdapterData = 0;
}

static int af_is_report(const pms_adapter_model *pAM){
  return strncmp(pAM->zPath, AF_REPORTS, strlen(AF_REPORTS))==0;
}

/* The Reports API's root (scheme and host), malloc'd; NULL when unknown. */
static char *af_reports_root(pms_session *pS){
  const char *zDb = pms_credential(pS, "database");
  if( strcmp(pS->zBaseUrl, pS->pAdapter->zDefaultBaseUrl)!=0 ) return pms_strdup(pS->zBaseUrl);
  if( zDb==0 || zDb[0]==0 ) return 0;
  return pms_mprintf("https://%s.appfolio.com", zDb);
}

static void af_basic(pms_session *pS, pms_request *r){
  static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const char *zId = pms_credential(pS, "client_id");
  const char *zSecret = pms_credential(pS, "client_secret");
  char *zPair = pms_mprintf("%s:%s", zId ? zId : "", zSecret ? zSecret : "");
  pms_str s = {0};
  size_t i, n;
  if( zPair==0 ) return;
  n = strlen(zPair);
  pms_str_appendz(&s, "Authorization: Basic ");
  for(i=0; i<n; i+=3){
    unsigned v = (unsigned)(unsigned char)zPair[i] << 16;
    char q[4];
    if( i+1<n ) v |= (unsigned)(unsigned char)zPair[i+1] << 8;
    if( i+2<n ) v |= (unsigned char)zPair[i+2];
    q[0] = t[(v>>18)&63];
    q[1] = t[(v>>12)&63];
    q[2] = i+1<n ? t[(v>>6)&63] : '=';
    q[3] = i+2<n ? t[v&63] : '=';
    pms_str_append(&s, q, 4);
  }
  memset(zPair, 0, n);
  free(zPair);
  if( !s.oom ) pms_request_auth_header(r, s.z);
  if( s.z ) memset(s.z, 0, s.n);
  pms_str_reset(&s);
}

/* Basic on every request; the developer id on v0 requests only (the
** Reports API takes the customer's credentials alone). */
static int af_authorize(pms_session *pS, pms_request *r){
  const char *zUrl = pms_request_url(r);
  af_basic(pS, r);
  if( strstr(zUrl, AF_V0 "/") ){
    const char *zDev = pms_credential(pS, "developer_id");
    char *z = pms_mprintf("X-AppFolio-Developer-ID: %s", zDev ? zDev : "");
    if( z ){ pms_request_auth_header(r, z); memset(z, 0, strlen(z)); free(z); }
  }
  pms_request_header(r, "Accept: application/json");
  return SQLITE_OK;
}

/* JSON:API-style {"errors":[{"title","detail"}]} -> "title: detail; …";
** other bodies: their "error"/"message" text, or the first 200 bytes of
** a body that is not JSON. */
static char *af_error_message(const pms_adapter *pA, const pms_response *pResp){
  cJSON *p = pResp->zBody && pms_response_is_json(pResp, 1) ? cJSON_Parse(pResp->zBody) : 0;
  const cJSON *pE;
  pms_str s = {0};
  (void)pA;
  cJSON_ArrayForEach(pE, cJSON_GetObjectItemCaseSensitive(p, "errors")){
    const char *zT = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pE, "title"));
    const char *zD = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pE, "detail"));
    if( s.n ) pms_str_appendz(&s, "; ");
    pms_str_appendf(&s, "%s%s%s", zT ? zT : "", zT && zD ? ": " : "", zD ? zD : "");
  }
  if( s.n==0 ){
    const char *z = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "error"));
    if( z==0 ) z = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "message"));
    if( z ) pms_str_appendz(&s, z);
    else if( p==0 && pResp->zBody && pResp->nBody ) pms_str_appendf(&s, "%.200s", pResp->zBody);
  }
  cJSON_Delete(p);
  if( s.n==0 ){ pms_str_reset(&s); return 0; }
  return pms_str_finish(&s);
}

/* 533 "data unavailable" is AppFolio's "try again": treat it as the 503
** it means, so writes are retried too and Retry-After is honoured. */
static void af_classify(pms_response *pResp){
  if( pResp->status==533 ) pResp->status = 503;
}

static pms_request *af_list_request(pms_session *pS, const pms_adapter_model *pAM,
                                    const pms_list_page *pPg){
  af_state *pSt = af_st(pS);
  pms_request *r = 0;
  if( pSt==0 ) return 0;
  if( pPg->iPage>0 ){
    /* the link the previous page gave (af_list_parse checked it) */
    char *zUrl = af_is_report(pAM) ? pms_strdup(pSt->zNext)
                                   : pms_mprintf("%s%s", pS->zBaseUrl, pSt->zNext ? pSt->zNext : "");
    if( zUrl && pSt->zNext ) r = pms_request_new("GET", zUrl);
    free(zUrl);
    return r;
  }
  if( af_is_report(pAM) ){
    char *zRoot = af_reports_root(pS);
    char *zUrl = zRoot ? pms_mprintf("%s%s", zRoot, pAM->zPath) : 0;
    /* reports default to active properties only: ask for all */
    if( zUrl ) r = pms_request_new("POST", zUrl);
    if( r ) pms_request_body(r, "{\"property_visibility\":\"all\"}", "application/json");
    free(zUrl);
    free(zRoot);
  }else{
    pms_str u = {0};
    pms_str_appendf(&u, "%s%s?filters[LastUpdatedAtFrom]=", pS->zBaseUrl, pAM->zPath);
    pms_str_append_url_escaped(&u, pPg->zSince ? pPg->zSince : AF_EPOCH);
    pms_str_appendf(&u, "&page[number]=1&page[size]=%d", pPg->nPageSize);
    if( !u.oom ) r = pms_request_new("GET", u.z);
    pms_str_reset(&u);
  }
  return r;
}

static int af_list_parse(pms_session *pS, const pms_adapter_model *pAM,
                         pms_response *pResp, pms_list_result *pOut, char **pzErr){
  int bReport = af_is_report(pAM);
  af_state *pSt = af_st(pS);
  const cJSON *pNext;
  pOut->pRoot = pms_response_json(pResp, 0, pzErr);
  if( pOut->pRoot==0 ) return SQLITE_ERROR;
  pOut->pItems = cJSON_GetObjectItemCaseSensitive(pOut->pRoot, bReport ? "results" : "data");
  if( !cJSON_IsArray(pOut->pItems) ){
    *pzErr = pms_strdup(bReport ? "expected {\"results\": [...]}" : "expected {\"data\": [...]}");
    return SQLITE_ERROR;
  }
  pNext = cJSON_GetObjectItemCaseSensitive(pOut->pRoot, bReport ? "next_page_url" : "next_page_path");
  if( pSt==0 ){ *pzErr = pms_strdup("out of memory"); return SQLITE_ERROR; }
  free(pSt->zNext);
  pSt->zNext = 0;
  if( cJSON_IsString(pNext) && pNext->valuestring[0] ){
    const char *z = pNext->valuestring;
    if( cJSON_GetArraySize(pOut->pItems)==0 ){
      /* a page that links a next one cannot be empty: a hiccup, ask again */
      *pzErr = pms_strdup("0 records where more were expected");
      return SQLITE_ERROR;
    }
    if( bReport ){
      /* follow the link only on the reports host: it gets the credentials */
      char *zRoot = af_reports_root(pS);
      size_t n = zRoot ? strlen(zRoot) : 0;
      int bOk = zRoot && strncmp(z, zRoot, n)==0 && z[n]=='/';
      free(zRoot);
      if( !bOk ){ *pzErr = pms_strdup("next_page_url leaves the reports host"); return SQLITE_ERROR; }
    }else if( strncmp(z, AF_V0 "/", strlen(AF_V0)+1)!=0 ){
      *pzErr = pms_strdup("next_page_path is not an /api/v0/ path");
      return SQLITE_ERROR;
    }
    pSt->zNext = pms_strdup(z);
    pOut->bMore = 1;
  }else{
    pOut->bLast = 1;
  }
  return SQLITE_OK;
}

static char *af_record_id(const pms_adapter_model *pAM, const cJSON *pRec){
  size_t i;
  for(i=0; i<sizeof(aAfId)/sizeof(aAfId[0]); i++){
    if( strcmp(aAfId[i].zModel, pAM->zModel)==0 ){
      return pms_json_id_text(cJSON_GetObjectItemCaseSensitive(pRec, aAfId[i].zIdField));
    }
  }
  return pms_json_id_text(cJSON_GetObjectItemCaseSensitive(pRec, "Id"));
}

/* --------------------------------------------------------------- writes */

static const pms_field_map aAfWriteUnit[] = {
  { "is_available", "RentReady", PMS_X_BOOL, 0 },
  { 0, 0, 0, 0 }
};

static const pms_field_map aAfWriteNote[] = {
  { "notes", "Body", PMS_X_STRING, 0 },
  { 0, 0, 0, 0 }
};

static pms_request *af_write_begin(pms_session *pS, const pms_adapter_model *pAM, pms_write *w,
                                   int bDry, char **pzErr){
  int bNote = strcmp(pAM->zModel, "service_requests")==0;
  cJSON *pBody = cJSON_CreateObject(), *pLeft = cJSON_CreateObject();
  char *zBody = 0, *zUrl = 0, *z;
  pms_request *r = 0;
  (void)bDry;   /* one request, built from the fields alone */
  if( strcmp(w->zOp, "update")!=0 || (!bNote && strcmp(pAM->zModel, "units")!=0) ){
    *pzErr = pms_mprintf("the AppFolio adapter cannot %s %s", w->zOp, pAM->zModel);
    goto done;
  }
  if( pBody==0 || pLeft==0 ) goto done;
  if( pms_map_unapply(bNote ? aAfWriteNote : aAfWriteUnit, 0, w->pFields, pBody, pLeft, pzErr) ) goto done;
  if( cJSON_GetArraySize(pLeft)>0 ){
    *pzErr = pms_mprintf("the AppFolio adapter cannot write %s.%s", pAM->zModel, pLeft->child->string);
    goto done;
  }
  z = cJSON_PrintUnformatted(pBody);
  if( z ){ zBody = pms_strdup(z); cJSON_free(z); }
  zUrl = pms_mprintf("%s%s/%s%s", pS->zBaseUrl, pAM->zPath, w->zXId, bNote ? "/notes" : "");
  if( zBody && zUrl ) r = pms_request_new(bNote ? "POST" : "PATCH", zUrl);
  if( r ){
    pms_request_body(r, zBody, "application/json");
    if( bNote ) pms_request_not_idempotent(r);   /* each POST adds a note */
  }
done:
  if( r==0 && *pzErr==0 ) *pzErr = pms_strdup("cannot build the request");
  cJSON_Delete(pBody);
  cJSON_Delete(pLeft);
  free(zBody);
  free(zUrl);
  return r;
}

static pms_request *af_write_step(pms_session *pS, const pms_adapter_model *pAM, pms_write *w,
                                  pms_response *pResp){
  (void)pS;
  w->httpStatus = pResp->status;
  if( pResp->status>=200 && pResp->status<300 ){
    w->zStatus = "succeeded";
    /* a unit PATCH answers the unit; a note is not the work order */
    if( strcmp(pAM->zModel, "units")==0 ){
      cJSON *p = pResp->zBody ? cJSON_Parse(pResp->zBody) : 0;
      if( cJSON_IsObject(p) && cJSON_GetObjectItemCaseSensitive(p, "Id") ) w->pResult = p;
      else cJSON_Delete(p);
    }
    return 0;
  }
  {
    char *zMsg = af_error_message(pS->pAdapter, pResp);
    w->zStatus = "failed";
    free(w->zMessage);
    w->zMessage = pms_mprintf("HTTP %ld%s%s", pResp->status, zMsg ? ": " : "", zMsg ? zMsg : "");
    free(zMsg);
  }
  return 0;
}

/* One v0 record: its list filtered by Id (the research shows filters[Id],
** no by-id path). Report rows cannot be read one by one. */
static pms_request *af_get_request(pms_session *pS, const pms_adapter_model *pAM, const char *zXId,
                                   const cJSON *pCached){
  (void)pCached;
  pms_str u = {0};
  pms_request *r = 0;
  if( af_is_report(pAM) ) return 0;
  pms_str_appendf(&u, "%s%s?filters[LastUpdatedAtFrom]=%s&filters[Id]=", pS->zBaseUrl, pAM->zPath, AF_EPOCH);
  pms_str_append_url_escaped(&u, zXId);
  pms_str_appendz(&u, "&page[number]=1&page[size]=1");
  if( !u.oom ) r = pms_request_new("GET", u.z);
  pms_str_reset(&u);
  return r;
}

static cJSON *af_get_parse(pms_session *pS, const pms_adapter_model *pAM, pms_response *pResp, char **pzErr){
  cJSON *p = pms_response_json(pResp, 0, pzErr), *pRec;
  (void)pS; (void)pAM;
  if( p==0 ) return 0;
  pRec = cJSON_DetachItemFromArray(cJSON_GetObjectItemCaseSensitive(p, "data"), 0);
  cJSON_Delete(p);
  if( !cJSON_IsObject(pRec) ){
    cJSON_Delete(pRec);
    *pzErr = pms_strdup("no such record");
    return 0;
  }
  return pRec;
}

/* Vendor facts (base URL, credentials, page size, connections) come from
** capability/appfolio.json; the models are still C tables (the manifest's
** per-field read/write form is the next step). */
const pms_adapter pms_adapter_appfolio = {
  .zVendor      = "APPFOLIO",
  .aModel       = aAfModel,
  .xClose       = af_close,          /* frees the next-page link; no xOpen: Basic needs no login */
  .xAuthorize   = af_authorize,
  .xListRequest = af_list_request,
  .xListParse   = af_list_parse,
  .xRecordId    = af_record_id,
  .xErrorMessage= af_error_message,
  .xWriteBegin  = af_write_begin,
  .xWriteStep   = af_write_step,
  .xGetRequest  = af_get_request,
  .xGetParse    = af_get_parse,
  .xClassify    = af_classify,
};
