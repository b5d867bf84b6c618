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
** service_requests.notes. The regular facts (resources, field paths and
** transforms, writes, value maps, record ids) are capability/appfolio.json's;
** this file keeps what is irregular: the two APIs, the next-page links,
** the developer-id header, "Last, First" names and the 533.
*/
#include "../ext/pmsql.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AF_V0      "/api/v0"
#define AF_REPORTS "/api/v2/reports/"
#define AF_EPOCH   "1970-01-01T00:00:00Z"

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
  const cJSON *pSt = cJSON_GetObjectItemCaseSensitive(pRec, "status");
  cJSON *pA = cJSON_CreateArray(), *pO = cJSON_CreateObject();
  char *zX, *zId;
  (void)pzErr;
  if( pA==0 || pO==0 ){ cJSON_Delete(pA); cJSON_Delete(pO); return SQLITE_NOMEM; }
  af_split_name(pRow, pRec, "applicants");
  /* the application itself, in Propexo's names: applicants has no status
  ** column; a row is one application, so the applicant's is the row's id */
  zX = pms_json_id_text(cJSON_GetObjectItemCaseSensitive(pRec, "rental_application_id"));
  zId = pms_make_nested_id(pRow->zIntegration, "applications", zX ? zX : "");
  cJSON_AddStringToObject(pO, "applicant_id", pRow->a[pRow->pModel->iId].z);
  cJSON_AddStringToObject(pO, "application_id", zId ? zId : "");
  cJSON_AddStringToObject(pO, "x_application_id", zX ? zX : "");
  sqlite3_free(zId);
  free(zX);
  cJSON_AddItemToObject(pO, "status_raw", pSt ? cJSON_Duplicate(pSt, 1) : cJSON_CreateNull());
  cJSON_AddItemToObject(pO, "status_normalized", cJSON_IsString(pSt)
      ? cJSON_CreateString(pms_enum_lookup(pms_adapter_value_map(pS->pAdapter, "application_status"), pSt->valuestring))
      : cJSON_CreateNull());
  pSt = cJSON_GetObjectItemCaseSensitive(pRec, "received");
  cJSON_AddItemToObject(pO, "submitted_at", pSt ? cJSON_Duplicate(pSt, 1) : cJSON_CreateNull());
  cJSON_AddItemToArray(pA, pO);
  return pms_row_set_json(pRow, "applications", pA);
}

static int af_guest_card_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  (void)pS; (void)pzErr;
  af_split_name(pRow, pRec, "name");
  return SQLITE_OK;
}

/* The irregular fields; the regular ones are capability/appfolio.json's. */
static const pms_adapter_fixup aAfFixup[] = {
  { "units",      af_unit_fixup },
  { "applicants", af_application_fixup },
  { "leads",      af_guest_card_fixup },
  { 0, 0 }
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

/* Basic on every request; the developer id on v0 requests only (the
** Reports API takes the customer's credentials alone). */
static int af_authorize(pms_session *pS, pms_request *r){
  const char *zUrl = pms_request_url(r);
  pms_manifest_authorize(pS, r);     /* Basic client_id:client_secret */
  if( strstr(zUrl, AF_V0 "/") ){
    const char *zDev = pms_credential(pS, "developer_id");
    char *z = pms_mprintf("X-AppFolio-Developer-ID: %s", zDev ? zDev : "");
    if( z ){ pms_request_auth_header(r, z); pms_free_secret(z); }
  }
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

/* --------------------------------------------------------------- writes */

static pms_request *af_write_begin(pms_session *pS, const pms_adapter_model *pAM, pms_write *w,
                                   int bDry, char **pzErr){
  int bNote = strcmp(pAM->zModel, "service_requests")==0;
  cJSON *pBody = cJSON_CreateObject(), *pLeft = cJSON_CreateObject();
  char *zBody = 0, *zUrl = 0, *zSeg, *z;
  pms_request *r = 0;
  (void)bDry;   /* one request, built from the fields alone */
  if( strcmp(w->zOp, "update")!=0 || (!bNote && strcmp(pAM->zModel, "units")!=0) ){
    *pzErr = pms_mprintf("the AppFolio adapter cannot %s %s", w->zOp, pAM->zModel);
    goto done;
  }
  if( pBody==0 || pLeft==0 ) goto done;
  if( pms_map_unapply(pAM->aWrite, 0, w->pFields, pBody, pLeft, pzErr) ) goto done;
  if( cJSON_GetArraySize(pLeft)>0 ){
    *pzErr = pms_mprintf("the AppFolio adapter cannot write %s.%s", pAM->zModel, pLeft->child->string);
    goto done;
  }
  z = cJSON_PrintUnformatted(pBody);
  if( z ){ zBody = pms_strdup(z); cJSON_free(z); }
  zSeg = pms_url_segment(w->zXId);
  zUrl = zSeg ? pms_mprintf("%s%s/%s%s", pS->zBaseUrl, pAM->zPath, zSeg, bNote ? "/notes" : "") : 0;
  free(zSeg);
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
  if( pResp->status<200 || pResp->status>=300 ){
    pms_write_failed(pS, w, pResp, "");
    return 0;
  }
  w->httpStatus = pResp->status;
  w->zStatus = "succeeded";
  /* a unit PATCH answers the unit; a note is not the work order */
  if( strcmp(pAM->zModel, "units")==0 ){
    cJSON *p = pResp->zBody ? cJSON_Parse(pResp->zBody) : 0;
    if( cJSON_IsObject(p) && cJSON_GetObjectItemCaseSensitive(p, "Id") ) w->pResult = p;
    else cJSON_Delete(p);
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

static cJSON *af_get_parse(pms_session *pS, const pms_adapter_model *pAM, pms_response *pResp,
                           const char *zXId, char **pzErr){
  cJSON *p = pms_response_json(pResp, 0, pzErr), *pRec;
  const char *zId;
  (void)pS; (void)pAM;
  if( p==0 ) return 0;
  pRec = cJSON_DetachItemFromArray(cJSON_GetObjectItemCaseSensitive(p, "data"), 0);
  cJSON_Delete(p);
  /* the filtered list must hold exactly the record asked for */
  zId = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pRec, "Id"));
  if( !cJSON_IsObject(pRec) || zXId==0 || zId==0 || strcmp(zXId, zId)!=0 ){
    cJSON_Delete(pRec);
    *pzErr = pms_strdup("no such record");
    return 0;
  }
  return pRec;
}

/* Everything regular (base URL, credentials, page size, models, field reads
** and writes, the priority value map, record ids) is capability/appfolio.json's. */
const pms_adapter pms_adapter_appfolio = {
  .zVendor      = "APPFOLIO",
  .aFixup       = aAfFixup,
  .xClose       = af_close,          /* frees the next-page link; no xOpen: Basic needs no login */
  .xAuthorize   = af_authorize,
  .xListRequest = af_list_request,
  .xListParse   = af_list_parse,
  .xErrorMessage= af_error_message,
  .xWriteBegin  = af_write_begin,
  .xWriteStep   = af_write_step,
  .xGetRequest  = af_get_request,
  .xGetParse    = af_get_parse,
  .xClassify    = af_classify,
};
