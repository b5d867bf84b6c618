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

/* ------------------------------------------------------------- fix-ups */

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
  const cJSON *pT;
  pms_str s = {0};
  int n = 0;
  (void)pS; (void)pzErr;
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

/* Per model: the wrapper key of its records and the path of one record
** (the lists are exports and searches, the records live elsewhere). */
static const struct {
  const char *zModel, *zWrap, *zGetPath;
} aRvRes[] = {
  { "properties",       "property",  "/properties/" },
  { "units",            "unit",      0 },
  { "leases",           "lease",     "/leases/" },
  { "residents",        "contact",   "/tenants/" },
  { "service_requests", "workOrder", "/maintenance/work-orders/" },
};

static int rv_res(const char *zModel){
  int i;
  for(i=0; i<(int)(sizeof(aRvRes)/sizeof(aRvRes[0])); i++) if( strcmp(aRvRes[i].zModel, zModel)==0 ) return i;
  return 0;
}

static const pms_adapter_fixup aRvFixup[] = {
  { "units",  rv_unit_fixup },
  { "leases", rv_lease_fixup },
  { 0, 0 }
};

/* ------------------------------------------------------------ protocol */

/* The API root: base_url plus /api/manager unless base_url has it. */
static char *rv_url(pms_session *pS, const char *zPath){
  size_t n = strlen(pS->zBaseUrl), k = strlen(RV_API);
  int bHas = n>=k && strcmp(pS->zBaseUrl + n - k, RV_API)==0;
  return pms_mprintf("%s%s%s", pS->zBaseUrl, bHas ? "" : RV_API, zPath);
}

/* Rentvine's error bodies -> "path: message, message; path: …". Field-path
** keys are kept (they name what is wrong); "error"/"message" keys are
** plain text. */
static char *rv_error_message(const pms_adapter *pA, const pms_response *pResp){
  cJSON *p = pResp->zBody ? cJSON_Parse(pResp->zBody) : 0;
  pms_str s = {0};
  const cJSON *pM;
  (void)pA;
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
    pms_str_appendf(&u, "&%s=", pAM->zSince);
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

/* --------------------------------------------------------------- writes */

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
  if( pms_map_unapply(pAM->aWrite, 0, w->pFields, pBody, pLeft, pzErr) ) goto done;
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
  w->httpStatus = pResp->status;
  if( pResp->status>=200 && pResp->status<300 ){
    cJSON *p = pResp->zBody ? cJSON_Parse(pResp->zBody) : 0;
    w->zStatus = "succeeded";
    if( cJSON_IsObject(p) && cJSON_GetObjectItemCaseSensitive(p, aRvRes[rv_res(pAM->zModel)].zWrap) ){
      w->pResult = p;
      if( strcmp(w->zOp, "create")==0 ) w->zCreatedXId = pS->pAdapter->xRecordId(pAM, p);
    }else{
      cJSON_Delete(p);   /* some Rentvine writes answer 200 and nothing useful */
    }
    return 0;
  }
  {
    char *zMsg = rv_error_message(0, pResp);
    w->zStatus = "failed";
    free(w->zMessage);
    w->zMessage = pms_mprintf("HTTP %ld%s%s", pResp->status, zMsg ? ": " : "", zMsg ? zMsg : "");
    free(zMsg);
  }
  return 0;
}

static pms_request *rv_get_request(pms_session *pS, const pms_adapter_model *pAM, const char *zXId,
                                    const cJSON *pCached){
  const char *zGet = aRvRes[rv_res(pAM->zModel)].zGetPath;
  char *zPath, *zUrl;
  pms_request *r = 0;
  (void)pCached;
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

static cJSON *rv_get_parse(pms_session *pS, const pms_adapter_model *pAM, pms_response *pResp,
                           const char *zXId, char **pzErr){
  cJSON *p;
  (void)pS; (void)zXId;
  p = pms_response_is_json(pResp, 0) ? cJSON_ParseWithLength(pResp->zBody ? pResp->zBody : "", pResp->nBody) : 0;
  if( !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(p, aRvRes[rv_res(pAM->zModel)].zWrap)) ){
    cJSON_Delete(p);
    *pzErr = pms_mprintf("expected a {\"%s\": …} record", aRvRes[rv_res(pAM->zModel)].zWrap);
    return 0;
  }
  return p;
}

const pms_adapter pms_adapter_rentvine = {
  .zVendor       = "RENTVINE",
  .aFixup        = aRvFixup,
  .xListRequest  = rv_list_request,
  .xListParse    = rv_list_parse,
  .xErrorMessage = rv_error_message,
  .xWriteBegin   = rv_write_begin,
  .xWriteStep    = rv_write_step,
  .xGetRequest   = rv_get_request,
  .xGetParse     = rv_get_parse,
  /* Basic auth and the record ids (wrapper.id): the manifest's, by the
  ** engine's defaults */
};
