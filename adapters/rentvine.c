/*
** rentvine.c — the Rentvine Manager API adapter (RENTVINE).
**
** Protocol (research pms-apis.md §6, Rentvine's OpenAPI reference at
** docs.rentvine.com): base https://{account}.rentvine.com/api/manager (the
** integration's base_url is https://{account}.rentvine.com; the adapter adds
** /api/manager unless it is already there). HTTP Basic with the API access
** key and secret on every request, no session. Lists take page (from 1) and
** pageSize and answer a bare JSON array of wrapper objects keyed by record
** kind ({"lease":{…},"balances":{…},…}); no total is given, so pages are
** read one after another until a short page. The export endpoints
** (/leases/export, /properties/units/export) filter by
** dateTimeModifiedMin/Max, which makes leases and units incremental; the
** other lists are read whole. Field maps therefore address the wrapper:
** "lease.moveInDate". Validation errors are 400 with a body keyed by field
** path ({"charges[0].ledgerID": ["Payer is Invalid"]}); pmsql quotes them
** as "path: message". No leads API; no documented rate limit.
**
** Writes: POST /tenants/{contactID} (names and birth date of a resident;
** email, phone and address are contact sub-resources with their own ids,
** not written by pmsql) and POST /maintenance/work-orders (create a service
** request; Rentvine's other required flags are sent with fixed defaults,
** listed in capability/rentvine.json). Both answer the stored record.
*/
#include "../ext/pmsql.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RV_API "/api/manager"

/* ----------------------------------------------------------- field maps */

static const pms_field_map aRvProperty[] = {
  { "x_created_at",    "property.dateTimeCreated", PMS_X_DATETIME, 0 },
  { "name",            "property.name",        PMS_X_STRING, 0 },
  { "address_1",       "property.address",     PMS_X_STRING, 0 },
  { "address_2",       "property.address2",    PMS_X_STRING, 0 },
  { "city",            "property.city",        PMS_X_STRING, 0 },
  { "state",           "property.stateID",     PMS_X_STRING, 0 },
  { "zip",             "property.postalCode",  PMS_X_STRING, 0 },
  { "country",         "property.countryID",   PMS_X_STRING, 0 },
  { "is_active",       "property.isActive",    PMS_X_INT, 0 },
  { "number_of_units", "property.unitCount",   PMS_X_INT, 0 },
  { "year_built",      "property.yearBuilt",   PMS_X_INT, 0 },
  { 0, 0, 0, 0 }
};

static const pms_field_map aRvUnit[] = {
  { "property_id",    "unit.propertyID",  PMS_X_FK, "properties" },
  { "x_property_id",  "unit.propertyID",  PMS_X_ID, 0 },
  { "number",         "unit.name",        PMS_X_STRING, 0 },
  { "address_1",      "unit.address",     PMS_X_STRING, 0 },
  { "address_2",      "unit.address2",    PMS_X_STRING, 0 },
  { "city",           "unit.city",        PMS_X_STRING, 0 },
  { "state",          "unit.stateID",     PMS_X_STRING, 0 },
  { "zip",            "unit.postalCode",  PMS_X_STRING, 0 },
  { "country",        "unit.countryID",   PMS_X_STRING, 0 },
  { "bedrooms",       "unit.beds",        PMS_X_STRING, 0 },
  { "bathrooms_full", "unit.fullBaths",   PMS_X_REAL, 0 },
  { "bathrooms_half", "unit.halfBaths",   PMS_X_REAL, 0 },
  { "square_feet",    "unit.size",        PMS_X_INT, 0 },
  { "rent_amount_market_in_cents", "unit.rent", PMS_X_CENTS, 0 },
  { 0, 0, 0, 0 }
};

static const pms_field_map aRvLease[] = {
  { "property_id",   "lease.propertyID",  PMS_X_FK, "properties" },
  { "x_property_id", "lease.propertyID",  PMS_X_ID, 0 },
  { "unit_id",       "lease.unitID",      PMS_X_FK, "units" },
  { "x_unit_id",     "lease.unitID",      PMS_X_ID, 0 },
  { "unit_number",   "unit.name",         PMS_X_STRING, 0 },
  { "start_date",    "lease.startDate",   PMS_X_DATE, 0 },
  { "end_date",      "lease.endDate",     PMS_X_DATE, 0 },
  { "realized_move_in_date",  "lease.moveInDate",  PMS_X_DATE, 0 },
  { "realized_move_out_date", "lease.moveOutDate", PMS_X_DATE, 0 },
  { "scheduled_move_out_date", "lease.expectedMoveOutDate", PMS_X_DATE, 0 },
  { "balance_amount_in_cents",   "balances.unpaidTotalAmount",  PMS_X_CENTS, 0 },
  { "balance_amount_raw",        "balances.unpaidTotalAmount",  PMS_X_STRING, 0 },
  { "past_due_balance_in_cents", "balances.pastDueTotalAmount", PMS_X_CENTS, 0 },
  { "past_due_balance_raw",      "balances.pastDueTotalAmount", PMS_X_STRING, 0 },
  { 0, 0, 0, 0 }
};

static const pms_field_map aRvTenant[] = {
  { "first_name",    "contact.firstName",   PMS_X_STRING, 0 },
  { "middle_name",   "contact.middleName",  PMS_X_STRING, 0 },
  { "last_name",     "contact.lastName",    PMS_X_STRING, 0 },
  { "email_1",       "contact.email",       PMS_X_STRING, 0 },
  { "phone_1",       "contact.phone",       PMS_X_STRING, 0 },
  { "date_of_birth", "contact.dateOfBirth", PMS_X_DATE, 0 },
  { "address_1",     "contact.address",     PMS_X_STRING, 0 },
  { "address_2",     "contact.address2",    PMS_X_STRING, 0 },
  { "city",          "contact.city",        PMS_X_STRING, 0 },
  { "state",         "contact.stateID",     PMS_X_STRING, 0 },
  { "zip",           "contact.postalCode",  PMS_X_STRING, 0 },
  { "country",       "contact.countryID",   PMS_X_STRING, 0 },
  { 0, 0, 0, 0 }
};

static const pms_field_map aRvWorkOrder[] = {
  { "property_id",         "workOrder.propertyID",         PMS_X_FK, "properties" },
  { "x_property_id",       "workOrder.propertyID",         PMS_X_ID, 0 },
  { "unit_id",             "workOrder.unitID",             PMS_X_FK, "units" },
  { "x_unit_id",           "workOrder.unitID",             PMS_X_ID, 0 },
  { "order_number",        "workOrder.workOrderNumber",    PMS_X_STRING, 0 },
  { "service_description", "workOrder.description",        PMS_X_STRING, 0 },
  { "vendor_notes",        "workOrder.vendorInstructions", PMS_X_STRING, 0 },
  { "date_created",        "workOrder.dateTimeCreated",    PMS_X_DATETIME, 0 },
  { "date_scheduled",      "workOrder.scheduledStartDate", PMS_X_DATE, 0 },
  { 0, 0, 0, 0 }
};

/* ------------------------------------------------------------- fix-ups */

/* Rentvine's numeric enum ids -> names. */
typedef struct rv_idname { int id; const char *zName; } rv_idname;

static const rv_idname aRvLeaseStatus[] = {     /* primaryLeaseStatusID */
  { 1, "Pending" }, { 2, "Active" }, { 3, "Closed" }, { 0, 0 } };
static const rv_idname aRvLeaseNorm[] = {
  { 1, "PENDING" }, { 2, "ACTIVE" }, { 3, "INACTIVE" }, { 0, 0 } };
static const rv_idname aRvWoStatus[] = {        /* primaryWorkOrderStatusID */
  { 1, "Pending" }, { 2, "Open" }, { 3, "Closed" }, { 4, "On Hold" }, { 0, 0 } };
static const rv_idname aRvPriority[] = {        /* priorityID (unified values) */
  { 1, "LOW" }, { 2, "NORMAL" }, { 3, "HIGH" }, { 0, 0 } };
static const rv_idname aRvPropType[] = {        /* propertyTypeID */
  { 1, "Single Family" }, { 2, "Multi-Family" }, { 3, "Condo" }, { 0, 0 } };

static void rv_set_name(pms_row *pRow, const char *zCol, const rv_idname *a, const cJSON *pId){
  int i = pms_row_col(pRow, zCol);
  if( i<0 || !cJSON_IsNumber(pId) ) return;
  for(; a->zName; a++){
    if( a->id==(int)pId->valuedouble ){ pms_row_set_text(pRow, i, a->zName, -1); return; }
  }
}

static int rv_property_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  (void)pS; (void)pzErr;
  rv_set_name(pRow, "type_raw", aRvPropType, pms_json_path(pRec, "property.propertyTypeID"));
  return SQLITE_OK;
}

static int rv_unit_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pF = pms_json_path(pRec, "unit.fullBaths");
  const cJSON *pH = pms_json_path(pRec, "unit.halfBaths");
  (void)pS; (void)pzErr;
  if( cJSON_IsNumber(pF) ){
    char z[32];
    double r = pF->valuedouble + (cJSON_IsNumber(pH) ? 0.5*pH->valuedouble : 0);
    snprintf(z, sizeof(z), "%g", r);
    pms_row_set_text(pRow, pms_row_col(pRow, "bathrooms"), z, -1);
  }
  return SQLITE_OK;
}

/* The lease's tenants[] -> residents_meta_data. */
static int rv_lease_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pSt = pms_json_path(pRec, "lease.primaryLeaseStatusID"), *pT;
  pms_str s = {0};
  int n = 0;
  (void)pS; (void)pzErr;
  rv_set_name(pRow, "status_raw", aRvLeaseStatus, pSt);
  rv_set_name(pRow, "status_normalized", aRvLeaseNorm, pSt);
  pms_str_appendz(&s, "[");
  cJSON_ArrayForEach(pT, pms_json_path(pRec, "lease.tenants")){
    char *zX = pms_json_id_text(cJSON_GetObjectItemCaseSensitive(pT, "contactID"));
    char *zId;
    if( zX==0 ) continue;
    zId = pms_make_id(pRow->zIntegration, pms_model_find("residents"), zX);
    pms_str_appendz(&s, n++ ? ",{\"resident_id\":" : "{\"resident_id\":");
    pms_str_append_json_string(&s, zId);
    pms_str_appendz(&s, ",\"x_resident_id\":");
    pms_str_append_json_string(&s, zX);
    pms_str_appendz(&s, ",\"name\":");
    pms_str_append_json_string(&s, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pT, "name")));
    pms_str_appendf(&s, ",\"is_active\":%s}",
                    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pT, "isActive")) ? "true" : "false");
    sqlite3_free(zId);
    free(zX);
  }
  pms_str_appendz(&s, "]");
  if( !s.oom ) pms_row_set_text(pRow, pms_row_col(pRow, "residents_meta_data"), s.z, -1);
  pms_str_reset(&s);
  return SQLITE_OK;
}

static int rv_workorder_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  (void)pS; (void)pzErr;
  rv_set_name(pRow, "status_raw", aRvWoStatus, pms_json_path(pRec, "workOrder.primaryWorkOrderStatusID"));
  rv_set_name(pRow, "service_priority", aRvPriority, pms_json_path(pRec, "workOrder.priorityID"));
  return SQLITE_OK;
}

/* Per model: the wrapper key, the id inside it, the path of one record. */
static const struct {
  const char *zModel, *zWrap, *zIdField, *zGetPath;
} aRvRes[] = {
  { "properties",       "property",  "propertyID",  "/properties/" },
  { "units",            "unit",      "unitID",      0 },
  { "leases",           "lease",     "leaseID",     "/leases/" },
  { "residents",        "contact",   "contactID",   "/tenants/" },
  { "service_requests", "workOrder", "workOrderID", "/maintenance/work-orders/" },
};

static int rv_res(const char *zModel){
  int i;
  for(i=0; i<(int)(sizeof(aRvRes)/sizeof(aRvRes[0])); i++) if( strcmp(aRvRes[i].zModel, zModel)==0 ) return i;
  return 0;
}

static const pms_adapter_model aRvModel[] = {
  { "properties",       "/properties",              aRvProperty,  0, rv_property_fixup, 0 },
  { "units",            "/properties/units/export", aRvUnit,      1, rv_unit_fixup, 0 },
  { "leases",           "/leases/export",           aRvLease,     1, rv_lease_fixup, 0 },
  { "residents",        "/tenants/search",          aRvTenant,    0, 0, 0 },
  { "service_requests", "/maintenance/work-orders", aRvWorkOrder, 0, rv_workorder_fixup, 0 },
  { 0, 0, 0, 0, 0, 0 }
};

/* ------------------------------------------------------------ protocol */

/* The API root: base_url plus /api/manager unless base_url has it. */
static char *rv_url(pms_session *pS, const char *zPath){
  size_t n = strlen(pS->zBaseUrl), k = strlen(RV_API);
  int bHas = n>=k && strcmp(pS->zBaseUrl + n - k, RV_API)==0;
  return pms_mprintf("%s%s%s", pS->zBaseUrl, bHas ? "" : RV_API, zPath);
}

static int rv_authorize(pms_session *pS, pms_request *r){
  static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const char *zKey = pms_credential(pS, "api_key");
  const char *zSecret = pms_credential(pS, "api_secret");
  char *zPair = pms_mprintf("%s:%s", zKey ? zKey : "", zSecret ? zSecret : "");
  pms_str s = {0};
  size_t i, n;
  if( zPair==0 ) return SQLITE_NOMEM;
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
  pms_wipe(zPair, n);
  free(zPair);
  if( !s.oom ) pms_request_auth_header(r, s.z);
  if( s.z ) pms_wipe(s.z, s.n);
  pms_str_reset(&s);
  pms_request_header(r, "Accept: application/json");
  return SQLITE_OK;
}

/* Rentvine's error bodies -> "path: message, message; path: …". Field-path
** keys are kept (they name what is wrong); "error"/"message" keys are
** plain text. */
static char *rv_error_message(const pms_response *pResp){
  cJSON *p = pResp->zBody ? cJSON_Parse(pResp->zBody) : 0;
  pms_str s = {0};
  const cJSON *pM;
  if( cJSON_IsString(p) ){
    pms_str_appendz(&s, p->valuestring);
  }else if( cJSON_IsObject(p) ){
    cJSON_ArrayForEach(pM, p){
      int bPlain = strcmp(pM->string, "error")==0 || strcmp(pM->string, "message")==0;
      const cJSON *pV;
      int k = 0;
      if( s.n ) pms_str_appendz(&s, "; ");
      if( !bPlain ) pms_str_appendf(&s, "%s: ", pM->string);
      if( cJSON_IsString(pM) ){
        pms_str_appendz(&s, pM->valuestring);
      }else if( cJSON_IsArray(pM) ){
        cJSON_ArrayForEach(pV, pM){
          if( cJSON_IsString(pV) ) pms_str_appendf(&s, "%s%s", k++ ? ", " : "", pV->valuestring);
        }
      }else{
        char *z = cJSON_PrintUnformatted(pM);
        if( z ){ pms_str_appendz(&s, z); cJSON_free(z); }
      }
    }
  }else if( pResp->zBody && pResp->nBody && !pms_response_is_json(pResp, 0) ){
    pms_str_appendf(&s, "%.200s", pResp->zBody);
  }
  cJSON_Delete(p);
  if( s.n==0 ){ pms_str_reset(&s); return 0; }
  return pms_str_finish(&s);
}

static pms_request *rv_list_request(pms_session *pS, const pms_adapter_model *pAM,
                                    const pms_list_page *pPg){
  pms_str u = {0};
  pms_request *r = 0;
  char *zRoot = rv_url(pS, pAM->zPath);
  if( zRoot==0 ) return 0;
  pms_str_appendf(&u, "%s?page=%d&pageSize=%d", zRoot, pPg->iPage+1, pPg->nPageSize);
  if( pPg->zSince ){
    pms_str_appendz(&u, "&dateTimeModifiedMin=");
    pms_str_append_url_escaped(&u, pPg->zSince);
  }
  if( !u.oom ) r = pms_request_new("GET", u.z);
  pms_str_reset(&u);
  free(zRoot);
  return r;
}

static int rv_list_parse(pms_session *pS, const pms_adapter_model *pAM,
                         pms_response *pResp, pms_list_result *pOut, char **pzErr){
  (void)pS; (void)pAM;
  pOut->pRoot = pms_response_json(pResp, 0, pzErr);
  if( pOut->pRoot==0 ) return SQLITE_ERROR;
  if( !cJSON_IsArray(pOut->pRoot) ){ *pzErr = pms_strdup("expected a JSON array of records"); return SQLITE_ERROR; }
  pOut->pItems = pOut->pRoot;
  return SQLITE_OK;        /* no total: a short page ends the list */
}

static char *rv_record_id(const pms_adapter_model *pAM, const cJSON *pRec){
  int i = rv_res(pAM->zModel);
  return pms_json_id_text(pms_json_path(cJSON_GetObjectItemCaseSensitive(pRec, aRvRes[i].zWrap),
                                        aRvRes[i].zIdField));
}

/* --------------------------------------------------------------- writes */

static const pms_field_map aRvWriteTenant[] = {
  { "first_name",    "firstName",   PMS_X_STRING, 0 },
  { "middle_name",   "middleName",  PMS_X_STRING, 0 },
  { "last_name",     "lastName",    PMS_X_STRING, 0 },
  { "date_of_birth", "dateOfBirth", PMS_X_DATE, 0 },
  { 0, 0, 0, 0 }
};

static const pms_enum_map aRvPriorityOut[] = {
  { "1", "LOW" }, { "2", "NORMAL" }, { "3", "HIGH" }, { 0, 0 } };

static const pms_field_map aRvWriteWorkOrder[] = {
  { "property_id",         "propertyID",         PMS_X_FK, "properties" },
  { "unit_id",             "unitID",             PMS_X_FK, "units" },
  { "service_description", "description",        PMS_X_STRING, 0 },
  { "vendor_notes",        "vendorInstructions", PMS_X_STRING, 0 },
  { "date_scheduled",      "scheduledStartDate", PMS_X_DATE, 0 },
  { "service_priority",    "priorityID",         PMS_X_ENUM, aRvPriorityOut },
  { 0, 0, 0, 0 }
};

/* Rentvine wants ids as numbers. */
static void rv_numeric(cJSON *pBody, const char *zName){
  cJSON *p = cJSON_GetObjectItemCaseSensitive(pBody, zName);
  char *zEnd = 0;
  long long v;
  if( !cJSON_IsString(p) ) return;
  v = strtoll(p->valuestring, &zEnd, 10);
  if( zEnd!=p->valuestring && *zEnd==0 ) cJSON_ReplaceItemInObjectCaseSensitive(pBody, zName, cJSON_CreateNumber((double)v));
}

static char *rv_write_body(const pms_adapter_model *pAM, pms_write *w, char **pzErr){
  int bWo = strcmp(pAM->zModel, "service_requests")==0;
  cJSON *pBody = cJSON_CreateObject(), *pLeft = cJSON_CreateObject();
  char *zOut = 0, *z;
  if( pBody==0 || pLeft==0 ) goto done;
  if( pms_map_unapply(bWo ? aRvWriteWorkOrder : aRvWriteTenant, w->pFields, pBody, pLeft, pzErr) ) goto done;
  if( cJSON_GetArraySize(pLeft)>0 ){
    *pzErr = pms_mprintf("the Rentvine adapter cannot write %s.%s", pAM->zModel, pLeft->child->string);
    goto done;
  }
  if( bWo ){
    /* Rentvine requires these flags; pmsql has no unified column for them */
    static const struct { const char *zName; int v; } aDefault[] = {
      { "workOrderStatusID", 1 }, { "priorityID", 2 }, { "sourceTypeID", 1 },
      { "isOwnerApproved", 0 }, { "isVacant", 0 },
      { "isSharedWithTenant", 1 }, { "isSharedWithOwner", 1 },
    };
    size_t i;
    for(i=0; i<sizeof(aDefault)/sizeof(aDefault[0]); i++){
      if( !cJSON_HasObjectItem(pBody, aDefault[i].zName) ) cJSON_AddNumberToObject(pBody, aDefault[i].zName, aDefault[i].v);
    }
    rv_numeric(pBody, "propertyID");
    rv_numeric(pBody, "unitID");
    rv_numeric(pBody, "priorityID");
  }
  z = cJSON_PrintUnformatted(pBody);
  if( z ){ zOut = pms_strdup(z); cJSON_free(z); }
done:
  cJSON_Delete(pBody);
  cJSON_Delete(pLeft);
  if( zOut==0 && *pzErr==0 ) *pzErr = pms_strdup("cannot build the request body");
  return zOut;
}

static pms_request *rv_write_begin(pms_session *pS, const pms_adapter_model *pAM, pms_write *w,
                                   int bDry, char **pzErr){
  int bCreate = strcmp(w->zOp, "create")==0;
  char *zBody, *zPath, *zUrl;
  pms_request *r = 0;
  (void)bDry;   /* one request, built from the fields alone */
  if( strcmp(w->zOp, "delete")==0 ){
    *pzErr = pms_strdup("the Rentvine adapter does not delete records");
    return 0;
  }
  zBody = rv_write_body(pAM, w, pzErr);
  if( zBody==0 ) return 0;
  if( bCreate ){
    zPath = pms_strdup(pAM->zPath);
  }else{
    char *zSeg = pms_url_segment(w->zXId);
    zPath = zSeg ? pms_mprintf("%s%s", aRvRes[rv_res(pAM->zModel)].zGetPath, zSeg) : 0;
    free(zSeg);
  }
  zUrl = zPath ? rv_url(pS, zPath) : 0;
  if( zUrl ) r = pms_request_new("POST", zUrl);
  if( r ){
    pms_request_body(r, zBody, "application/json");
    if( bCreate ) pms_request_not_idempotent(r);
  }
  free(zUrl);
  free(zPath);
  free(zBody);
  return r;
}

static pms_request *rv_write_step(pms_session *pS, const pms_adapter_model *pAM, pms_write *w,
                                  pms_response *pResp){
  (void)pS;
  w->httpStatus = pResp->status;
  if( pResp->status>=200 && pResp->status<300 ){
    cJSON *p = pResp->zBody ? cJSON_Parse(pResp->zBody) : 0;
    w->zStatus = "succeeded";
    if( cJSON_IsObject(p) && cJSON_GetObjectItemCaseSensitive(p, aRvRes[rv_res(pAM->zModel)].zWrap) ){
      w->pResult = p;
      if( strcmp(w->zOp, "create")==0 ) w->zCreatedXId = rv_record_id(pAM, p);
    }else{
      cJSON_Delete(p);   /* some Rentvine writes answer 200 and nothing useful */
    }
    return 0;
  }
  {
    char *zMsg = rv_error_message(pResp);
    w->zStatus = "failed";
    free(w->zMessage);
    w->zMessage = pms_mprintf("HTTP %ld%s%s", pResp->status, zMsg ? ": " : "", zMsg ? zMsg : "");
    free(zMsg);
  }
  return 0;
}

static pms_request *rv_get_request(pms_session *pS, const pms_adapter_model *pAM, const char *zXId){
  const char *zGet = aRvRes[rv_res(pAM->zModel)].zGetPath;
  char *zPath, *zUrl;
  pms_request *r = 0;
  if( zGet==0 ) return 0;      /* a unit is only addressable under its property */
  {
    char *zSeg = pms_url_segment(zXId);
    zPath = zSeg ? pms_mprintf("%s%s", zGet, zSeg) : 0;
    free(zSeg);
  }
  zUrl = zPath ? rv_url(pS, zPath) : 0;
  if( zUrl ) r = pms_request_new("GET", zUrl);
  free(zUrl);
  free(zPath);
  return r;
}

static cJSON *rv_get_parse(pms_session *pS, const pms_adapter_model *pAM, pms_response *pResp, char **pzErr){
  cJSON *p;
  (void)pS;
  p = pms_response_is_json(pResp, 0) ? cJSON_ParseWithLength(pResp->zBody ? pResp->zBody : "", pResp->nBody) : 0;
  if( !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(p, aRvRes[rv_res(pAM->zModel)].zWrap)) ){
    cJSON_Delete(p);
    *pzErr = pms_mprintf("expected a {\"%s\": …} record", aRvRes[rv_res(pAM->zModel)].zWrap);
    return 0;
  }
  return p;
}

static const char *const azRvCredential[] = { "api_key", "api_secret", 0 };

const pms_adapter pms_adapter_rentvine = {
  "RENTVINE",
  "",                 /* per account: https://{account}.rentvine.com */
  azRvCredential,
  100,                /* pageSize: no documented maximum; 100 (chosen) */
  0,                  /* an empty list is 200 [] */
  0,                  /* no documented rate limit */
  2,                  /* pages come one after another anyway (no total) */
  aRvModel,
  0, 0,               /* no session: Basic auth on every request */
  rv_authorize,
  rv_list_request,
  rv_list_parse,
  rv_record_id,
  rv_error_message,
  rv_write_begin,
  rv_write_step,
  rv_get_request,
  rv_get_parse,
  0,                  /* xClassify: HTTP statuses mean what they say */
};
