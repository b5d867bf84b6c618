/*
** rentmanager.c — the Rent Manager Web API adapter (RENTMANAGER).
**
** Protocol (research/pms-apis.md §2; no public spec exists): a session logs
** in with POST /Authentication/AuthorizeUser {Username, Password, LocationID}
** and gets the token back as a JSON-quoted string, sent as X-RM12Api-ApiToken
** (and X-RM12API-PartnerToken for partner integrations); a 401 mid-run logs in
** again once (engine). Lists take pagesize (<= 1000) and pagenumber, answer
** 206 with Link and X-Total-Results when paged, and 404 when a filtered list
** matches nothing ("no rows"). Related data comes through embeds= (emails and
** phones live on Contacts). Incremental reads filter with RQL
** filters=UpdateDate,ge,<time>. Dates are the location's local time without
** an offset; pmsql reads them as UTC unless the integration's
** utc_offset_minutes option says otherwise. About 500 requests a minute.
**
** Writes: create and update are both a POST of a JSON array to the
** collection. An update is partial and carries the record's UpdateDate as a
** concurrency token (taken from the cached record: a record changed in Rent
** Manager since the last sync answers 409, reported as such). Contact fields
** (names, email, phones, birth date) go in the embedded PrimaryContact with
** its ContactID and UpdateDate; the primary address in Addresses with its
** AddressID. Error bodies: {Message, ModelState} for 4xx, {UserMessage,
** DeveloperMessage, ErrorCode, …} for application errors.
*/
#include "../ext/pmsql.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rm_state {
  char *zToken;
  cJSON *pPhoneTypes;    /* /PhoneNumberTypes: [{PhoneNumberTypeID, Name}] */
} rm_state;

/* ------------------------------------------------------------- fix-ups */

/* The primary entry of an embedded array (IsPrimary, else the first). */
static const cJSON *rm_primary(const cJSON *pArr){
  const cJSON *p;
  cJSON_ArrayForEach(p, pArr){
    if( cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "IsPrimary")) ) return p;
  }
  return cJSON_GetArrayItem(pArr, 0);
}

/* Street is multi-line: the first line is address_1, the rest address_2. */
static void rm_address(pms_row *pRow, const cJSON *pAddr, const char *zSuffix){
  const cJSON *pStreet = cJSON_GetObjectItemCaseSensitive(pAddr, "Street");
  char zCol[40];
  if( !cJSON_IsObject(pAddr) ) return;
  if( cJSON_IsString(pStreet) ){
    const char *z = pStreet->valuestring;
    const char *zNl = strpbrk(z, "\r\n");
    char *zFirst = pms_mprintf("%.*s", zNl ? (int)(zNl - z) : (int)strlen(z), z);
    snprintf(zCol, sizeof(zCol), "address_1%s", zSuffix);
    if( zFirst ){ pms_row_set_column(pRow, zCol, zFirst); free(zFirst); }
    if( zNl && *zSuffix==0 ){
      while( *zNl=='\r' || *zNl=='\n' ) zNl++;
      if( *zNl ) pms_row_set_column(pRow, "address_2", zNl);
    }
  }
  snprintf(zCol, sizeof(zCol), "city%s", zSuffix);
  if( cJSON_IsString(cJSON_GetObjectItemCaseSensitive(pAddr, "City")) ) pms_row_set_column(pRow, zCol, cJSON_GetObjectItemCaseSensitive(pAddr, "City")->valuestring);
  snprintf(zCol, sizeof(zCol), "state%s", zSuffix);
  if( cJSON_IsString(cJSON_GetObjectItemCaseSensitive(pAddr, "State")) ) pms_row_set_column(pRow, zCol, cJSON_GetObjectItemCaseSensitive(pAddr, "State")->valuestring);
  snprintf(zCol, sizeof(zCol), "zip%s", zSuffix);
  if( cJSON_IsString(cJSON_GetObjectItemCaseSensitive(pAddr, "PostalCode")) ) pms_row_set_column(pRow, zCol, cJSON_GetObjectItemCaseSensitive(pAddr, "PostalCode")->valuestring);
}

/* The primary contact: middle name, email, birth date, two phones. */
static void rm_contact(pms_session *pS, pms_row *pRow, const cJSON *pRec){
  const pms_enum_map *aType = pms_adapter_value_map(pS->pAdapter, "phone_type");
  const cJSON *pC = cJSON_GetObjectItemCaseSensitive(pRec, "PrimaryContact");
  const cJSON *pP;
  int n = 0;
  if( !cJSON_IsObject(pC) ) pC = rm_primary(cJSON_GetObjectItemCaseSensitive(pRec, "Contacts"));
  if( !cJSON_IsObject(pC) ) return;
  if( cJSON_IsString(cJSON_GetObjectItemCaseSensitive(pC, "MiddleName")) ) pms_row_set_column(pRow, "middle_name", cJSON_GetObjectItemCaseSensitive(pC, "MiddleName")->valuestring);
  if( cJSON_IsString(cJSON_GetObjectItemCaseSensitive(pC, "Email")) ) pms_row_set_column(pRow, "email_1", cJSON_GetObjectItemCaseSensitive(pC, "Email")->valuestring);
  pms_map_value(pRow, pms_row_col(pRow, "date_of_birth"), PMS_X_DATE, 0,
                cJSON_GetObjectItemCaseSensitive(pC, "DateOfBirth"), 0);
  cJSON_ArrayForEach(pP, cJSON_GetObjectItemCaseSensitive(pC, "PhoneNumbers")){
    const cJSON *pNum = cJSON_GetObjectItemCaseSensitive(pP, "PhoneNumber");
    const cJSON *pType = pms_json_path(pP, "PhoneNumberType.Name");
    char zCol[32];
    if( !cJSON_IsString(pNum) || n>=2 ) continue;
    n++;
    snprintf(zCol, sizeof(zCol), "phone_%d", n);
    pms_row_set_column(pRow, zCol, pNum->valuestring);
    snprintf(zCol, sizeof(zCol), "phone_%d_type", n);
    pms_row_set_column(pRow, zCol, pms_enum_lookup(aType, cJSON_IsString(pType) ? pType->valuestring : 0));
  }
}

static int rm_property_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  (void)pS; (void)pzErr;
  rm_address(pRow, cJSON_GetObjectItemCaseSensitive(pRec, "PrimaryAddress"), "");
  return SQLITE_OK;
}

static int rm_unit_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pBath = cJSON_GetObjectItemCaseSensitive(pRec, "Bathrooms");
  const cJSON *pOcc = cJSON_GetObjectItemCaseSensitive(pRec, "CurrentOccupants");
  (void)pS; (void)pzErr;
  rm_address(pRow, rm_primary(cJSON_GetObjectItemCaseSensitive(pRec, "Addresses")), "");
  if( cJSON_IsNumber(pBath) ) pms_row_set_bathrooms(pRow, pBath->valuedouble);
  if( cJSON_IsArray(pOcc) ) pms_row_set_int(pRow, pms_row_col(pRow, "is_vacant"), cJSON_GetArraySize(pOcc)==0);
  return SQLITE_OK;
}

/* vehicles in Propexo's names (resident_vehicles) from each contact's
** Vehicle, a free-text field: it is the vehicle's notes, make, model and
** plate stay null (Rent Manager does not split them); x_id is the contact's. */
static int rm_vehicles(pms_row *pRow, const cJSON *pRec){
  cJSON *pArr = cJSON_CreateArray();
  const cJSON *pC;
  int rc = pArr ? SQLITE_OK : SQLITE_NOMEM;
  cJSON_ArrayForEach(pC, cJSON_GetObjectItemCaseSensitive(pRec, "Contacts")){
    const cJSON *pV = cJSON_GetObjectItemCaseSensitive(pC, "Vehicle");
    char *zX = pms_json_id_text(cJSON_GetObjectItemCaseSensitive(pC, "ContactID"));
    if( rc==SQLITE_OK && zX && cJSON_IsString(pV) && pV->valuestring[0] ){
      cJSON *pO = pms_nested_new("resident_vehicles", pRow->zIntegration, zX);
      rc = pO ? pms_nested_set(pO, "notes", cJSON_CreateString(pV->valuestring)) : SQLITE_NOMEM;
      if( pO ) cJSON_AddItemToArray(pArr, pO);
    }
    free(zX);
  }
  if( rc ){ cJSON_Delete(pArr); return rc; }
  return pms_row_set_json(pRow, "vehicles", pArr);
}

static int rm_tenant_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pAddrs = cJSON_GetObjectItemCaseSensitive(pRec, "Addresses");
  const cJSON *pPrimary = rm_primary(pAddrs), *pA, *pL, *pCur = 0;
  pms_str s = {0};
  int n = 0;
  (void)pzErr;
  rm_contact(pS, pRow, pRec);
  rm_address(pRow, pPrimary, "");
  cJSON_ArrayForEach(pA, pAddrs){
    if( pA!=pPrimary ){ rm_address(pRow, pA, "_alternate"); break; }
  }
  /* the current lease: one without a move-out, else the latest move-out */
  pms_str_appendz(&s, "[");
  cJSON_ArrayForEach(pL, cJSON_GetObjectItemCaseSensitive(pRec, "Leases")){
    char *zX = pms_json_id_text(cJSON_GetObjectItemCaseSensitive(pL, "LeaseID"));
    const cJSON *pIn = cJSON_GetObjectItemCaseSensitive(pL, "MoveInDate");
    const cJSON *pOut = cJSON_GetObjectItemCaseSensitive(pL, "MoveOutDate");
    char *zId;
    if( zX==0 ) continue;
    if( pCur==0 || !cJSON_IsString(pOut)
     || (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(pCur, "MoveOutDate"))
         && strcmp(pOut->valuestring, cJSON_GetObjectItemCaseSensitive(pCur, "MoveOutDate")->valuestring)>0) ){
      if( pCur==0 || cJSON_IsString(cJSON_GetObjectItemCaseSensitive(pCur, "MoveOutDate")) ) pCur = pL;
    }
    zId = pms_make_id(pRow->zIntegration, pms_model_find("leases"), zX);
    pms_str_appendf(&s, "%s{\"lease_id\":", n++ ? "," : "");
    pms_str_append_json_string(&s, zId);
    pms_str_appendz(&s, ",\"x_lease_id\":");
    pms_str_append_json_string(&s, zX);
    pms_str_appendf(&s, ",\"move_in_date\":");
    if( cJSON_IsString(pIn) ) pms_str_appendf(&s, "\"%.10s\"", pIn->valuestring); else pms_str_appendz(&s, "null");
    pms_str_appendz(&s, ",\"move_out_date\":");
    if( cJSON_IsString(pOut) ) pms_str_appendf(&s, "\"%.10s\"", pOut->valuestring); else pms_str_appendz(&s, "null");
    pms_str_appendz(&s, "}");
    sqlite3_free(zId);
    free(zX);
  }
  pms_str_appendz(&s, "]");
  if( !s.oom ) pms_row_set_column(pRow, "leases_meta_data", s.z);
  pms_str_reset(&s);
  if( pCur ){
    char *zX = pms_json_id_text(cJSON_GetObjectItemCaseSensitive(pCur, "LeaseID"));
    if( zX ){
      char *zId = pms_make_id(pRow->zIntegration, pms_model_find("leases"), zX);
      pms_row_set_column(pRow, "lease_id", zId);
      pms_row_set_column(pRow, "x_lease_id", zX);
      sqlite3_free(zId);
      free(zX);
    }
  }
  return rm_vehicles(pRow, pRec);
}

/* Rent Manager leases carry no status: it follows the dates, as of today
** at the location (utc_offset_minutes): moved in and not (yet) out is
** ACTIVE, a move-in to come PENDING, a move-out passed INACTIVE. */
static void rm_lease_status(pms_session *pS, pms_row *pRow){
  int iIn = pms_row_col(pRow, "realized_move_in_date");
  int iOut = pms_row_col(pRow, "realized_move_out_date");
  int iSt = pms_row_col(pRow, "status_normalized");
  const char *zIn, *zOut, *zSt;
  char zToday[32];
  if( iIn<0 || iOut<0 || iSt<0 ) return;
  zIn = pRow->a[iIn].eType==SQLITE_TEXT ? pRow->a[iIn].z : 0;
  zOut = pRow->a[iOut].eType==SQLITE_TEXT ? pRow->a[iOut].z : 0;
  if( zIn==0 ) return;
  pms_ms_to_iso(pms_now_ms() + (int64_t)(pms_option_number(pS, "utc_offset_minutes", 0)*60000), zToday, 0);
  if( strncmp(zIn, zToday, 10)>0 ) zSt = "PENDING";
  else if( zOut && strncmp(zOut, zToday, 10)<0 ) zSt = "INACTIVE";
  else zSt = "ACTIVE";
  pms_row_set_text(pRow, iSt, zSt, -1);
}

static int rm_lease_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  char *zX = pms_json_id_text(cJSON_GetObjectItemCaseSensitive(pRec, "TenantID"));
  (void)pzErr;
  rm_lease_status(pS, pRow);
  if( zX ){
    char *zId = pms_make_id(pRow->zIntegration, pms_model_find("residents"), zX);
    const cJSON *pIn = cJSON_GetObjectItemCaseSensitive(pRec, "MoveInDate");
    const cJSON *pOut = cJSON_GetObjectItemCaseSensitive(pRec, "MoveOutDate");
    /* vendor text: escaped, never pasted (dates cut to YYYY-MM-DD) */
    pms_str s = {0};
    char zDate[11];
    pms_str_appendz(&s, "[{\"resident_id\":");
    pms_str_append_json_string(&s, zId);
    pms_str_appendz(&s, ",\"x_resident_id\":");
    pms_str_append_json_string(&s, zX);
    pms_str_appendz(&s, ",\"move_in_date\":");
    if( cJSON_IsString(pIn) ){ snprintf(zDate, sizeof(zDate), "%s", pIn->valuestring); pms_str_append_json_string(&s, zDate); }
    else pms_str_appendz(&s, "null");
    pms_str_appendz(&s, ",\"move_out_date\":");
    if( cJSON_IsString(pOut) ){ snprintf(zDate, sizeof(zDate), "%s", pOut->valuestring); pms_str_append_json_string(&s, zDate); }
    else pms_str_appendz(&s, "null");
    pms_str_appendz(&s, "}]");
    if( !s.oom ) pms_row_set_column(pRow, "residents_meta_data", s.z);
    pms_str_reset(&s);
    sqlite3_free(zId);
    free(zX);
  }
  return SQLITE_OK;
}

static int rm_prospect_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  (void)pzErr;
  rm_contact(pS, pRow, pRec);
  rm_address(pRow, rm_primary(cJSON_GetObjectItemCaseSensitive(pRec, "Addresses")), "");
  return SQLITE_OK;
}

/* Charges and payments: post_month is the month of the transaction date;
** what is still open on a charge is its Amount less AmountAllocated. */
static int rm_txn_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pDate = cJSON_GetObjectItemCaseSensitive(pRec, "TransactionDate");
  const cJSON *pAmt = cJSON_GetObjectItemCaseSensitive(pRec, "Amount");
  const cJSON *pAlloc = cJSON_GetObjectItemCaseSensitive(pRec, "AmountAllocated");
  int iOpen = pms_row_col(pRow, "amount_open_in_cents");
  (void)pS; (void)pzErr;
  if( cJSON_IsString(pDate) && strlen(pDate->valuestring)>=7 ){
    pms_row_set_text(pRow, pms_row_col(pRow, "post_month"), pDate->valuestring, 7);
  }
  if( iOpen>=0 && cJSON_IsNumber(pAmt) && cJSON_IsNumber(pAlloc) ){
    pms_row_set_int(pRow, iOpen, llround(pAmt->valuedouble*100) - llround(pAlloc->valuedouble*100));
  }
  return SQLITE_OK;
}

/* Per model: the embeds a read asks for (the related records the fix-ups
** read from, fetched in the same request). */
static const struct { const char *zModel; const char *zEmbeds; } aRmEmbeds[] = {
  { "properties",       "PrimaryAddress" },
  { "units",            "Addresses,CurrentOccupants" },
  { "residents",        "Contacts,Contacts.PhoneNumbers,Addresses,Leases,Balance" },
  { "leads",            "Contacts,Contacts.PhoneNumbers,Addresses" },
};

static const char *rm_embeds(const char *zModel){
  size_t i;
  for(i=0; i<sizeof(aRmEmbeds)/sizeof(aRmEmbeds[0]); i++){
    if( strcmp(aRmEmbeds[i].zModel, zModel)==0 ) return aRmEmbeds[i].zEmbeds;
  }
  return 0;
}

static const pms_adapter_fixup aRmFixup[] = {
  { "properties", rm_property_fixup },
  { "units",      rm_unit_fixup },
  { "leases",     rm_lease_fixup },
  { "residents",  rm_tenant_fixup },
  { "leads",      rm_prospect_fixup },
  { "resident_charges",  rm_txn_fixup },
  { "resident_payments", rm_txn_fixup },
  { 0, 0 }
};

/* ------------------------------------------------------------ protocol */

/* Rent Manager's two error shapes -> one message that quotes the PMS. */
static char *rm_error_message(const pms_adapter *pA, const pms_response *pResp){
  cJSON *p = pResp->zBody ? cJSON_Parse(pResp->zBody) : 0;
  pms_str s = {0};
  (void)pA;
  if( cJSON_IsObject(p) ){
    const cJSON *pUser = cJSON_GetObjectItemCaseSensitive(p, "UserMessage");
    const cJSON *pDev = cJSON_GetObjectItemCaseSensitive(p, "DeveloperMessage");
    const cJSON *pMsg = cJSON_GetObjectItemCaseSensitive(p, "Message");
    const cJSON *pCode = cJSON_GetObjectItemCaseSensitive(p, "ErrorCode");
    const cJSON *pState = cJSON_GetObjectItemCaseSensitive(p, "ModelState"), *pK, *pV;
    if( cJSON_IsString(pUser) ) pms_str_appendz(&s, pUser->valuestring);
    else if( cJSON_IsString(pMsg) ) pms_str_appendz(&s, pMsg->valuestring);
    if( cJSON_IsString(pDev) ) pms_str_appendf(&s, " (%s)", pDev->valuestring);
    if( cJSON_IsNumber(pCode) ) pms_str_appendf(&s, " [ErrorCode %d]", pCode->valueint);
    cJSON_ArrayForEach(pK, pState){
      cJSON_ArrayForEach(pV, pK){
        if( cJSON_IsString(pV) ) pms_str_appendf(&s, " %s: %s;", pK->string, pV->valuestring);
      }
    }
  }else if( pResp->zBody && pResp->nBody ){
    pms_str_appendf(&s, "%.200s", pResp->zBody);
  }
  cJSON_Delete(p);
  if( s.n==0 ){ pms_str_reset(&s); return 0; }
  return pms_str_finish(&s);
}

static void rm_close(pms_session *pS){
  rm_state *st = (rm_state*)pS->pAdapterData;
  if( st ){
    pms_free_secret(st->zToken);
    cJSON_Delete(st->pPhoneTypes);
    free(st);
  }
  pS->pAdapterData = 0;
}

static void rm_partner_header(pms_session *pS, pms_request *r){
  const char *zPartner = pms_credential(pS, "partner_token");
  if( zPartner ){
    char *z = pms_mprintf("X-RM12API-PartnerToken: %s", zPartner);
    if( z ){ pms_request_auth_header(r, z); pms_free_secret(z); }
  }
}

static int rm_authorize(pms_session *pS, pms_request *r){
  rm_state *st = (rm_state*)pS->pAdapterData;
  if( st && st->zToken ){
    char *z = pms_mprintf("X-RM12Api-ApiToken: %s", st->zToken);
    if( z ){ pms_request_auth_header(r, z); pms_free_secret(z); }
  }
  rm_partner_header(pS, r);
  pms_request_header(r, "Accept: application/json");
  return SQLITE_OK;
}

/* Log in: the token comes back as a JSON string. Then the phone types. */
static int rm_open(pms_session *pS, char **pzErr){
  rm_state *st = calloc(1, sizeof(*st));
  cJSON *pBody = cJSON_CreateObject(), *pTok = 0;
  const char *zLoc = pms_credential(pS, "location_id");
  char *zBody = 0, *zUrl = pms_mprintf("%s/Authentication/AuthorizeUser", pS->zBaseUrl);
  pms_request *r = 0;
  pms_response resp;
  int rc = SQLITE_ERROR;
  memset(&resp, 0, sizeof(resp));
  if( st==0 || pBody==0 || zUrl==0 ){ *pzErr = pms_strdup("out of memory"); goto done; }
  cJSON_AddStringToObject(pBody, "Username", pms_credential(pS, "username"));
  cJSON_AddStringToObject(pBody, "Password", pms_credential(pS, "password"));
  cJSON_AddNumberToObject(pBody, "LocationID", zLoc ? atof(zLoc) : 1);
  zBody = cJSON_PrintUnformatted(pBody);
  r = zBody ? pms_request_new("POST", zUrl) : 0;
  if( r==0 ){ *pzErr = pms_strdup("out of memory"); goto done; }
  pms_request_body(r, zBody, "application/json");
  rm_partner_header(pS, r);
  pms_http_perform(pS->pHttp, r, &resp);
  if( resp.status!=200 ){
    char *zMsg = resp.status ? rm_error_message(0, &resp) : 0;
    *pzErr = pms_mprintf("RENTMANAGER login failed: %s%ld%s%s", resp.status ? "HTTP " : "",
                         resp.status, resp.status ? (zMsg ? ": " : "") : resp.zErr, zMsg ? zMsg : "");
    free(zMsg);
    goto done;
  }
  pTok = resp.zBody ? cJSON_Parse(resp.zBody) : 0;
  if( !cJSON_IsString(pTok) || pTok->valuestring[0]==0 ){
    *pzErr = pms_strdup("RENTMANAGER login answered without a token");
    goto done;
  }
  st->zToken = pms_strdup(pTok->valuestring);
  pS->pAdapterData = st;
  st = 0;
  rc = SQLITE_OK;
  /* phone types are a per-database list: names to ids for writes */
  {
    char *zPt = pms_mprintf("%s/PhoneNumberTypes", pS->zBaseUrl);
    pms_request *rp = zPt ? pms_request_new("GET", zPt) : 0;
    pms_response rr;
    free(zPt);
    if( rp ){
      rm_authorize(pS, rp);
      pms_http_perform(pS->pHttp, rp, &rr);
      if( rr.status==200 && rr.zBody ) ((rm_state*)pS->pAdapterData)->pPhoneTypes = cJSON_Parse(rr.zBody);
      pms_response_clear(&rr);
    }
  }
done:
  if( st ) free(st);
  if( zBody ){ pms_wipe(zBody, strlen(zBody)); cJSON_free(zBody); }
  pms_json_wipe(pBody);
  cJSON_Delete(pBody);
  pms_json_wipe(pTok);
  cJSON_Delete(pTok);
  pms_wipe(resp.zBody, resp.nBody);     /* the session token */
  pms_response_clear(&resp);
  free(zUrl);
  return rc;
}

/* RQL wants the location's clock: UTC plus the integration's offset. */
static void rm_since(pms_session *pS, const char *zSince, char *zOut){
  int64_t ms = pms_iso_to_ms(zSince) + (int64_t)(pms_option_number(pS, "utc_offset_minutes", 0)*60000);
  pms_ms_to_iso(ms, zOut, 0);
  zOut[19] = 0;          /* no Z: Rent Manager times carry no offset */
}

static pms_request *rm_list_request(pms_session *pS, const pms_adapter_model *pAM,
                                    const pms_list_page *pPg){
  const char *zEmbeds = rm_embeds(pAM->zModel);
  pms_str u = {0};
  pms_request *r;
  pms_str_appendf(&u, "%s%s?pagesize=%d&pagenumber=%d&orderby=%s", pS->zBaseUrl, pAM->zPath,
                  pPg->nPageSize, pPg->iPage+1, pAM->zIdPath);
  if( zEmbeds ) pms_str_appendf(&u, "&embeds=%s", zEmbeds);
  if( pPg->zSince ){
    char zLocal[32];
    rm_since(pS, pPg->zSince, zLocal);
    pms_str_appendz(&u, "&filters=");
    pms_str_append_url_escaped(&u, pAM->zSince);
    pms_str_append_url_escaped(&u, ",ge,");
    pms_str_append_url_escaped(&u, zLocal);
  }
  if( u.oom ){ pms_str_reset(&u); return 0; }
  r = pms_request_new("GET", u.z);
  pms_str_reset(&u);
  return r;
}

static int rm_list_parse(pms_session *pS, const pms_adapter_model *pAM,
                         pms_response *pResp, pms_list_result *pOut, char **pzErr){
  (void)pS; (void)pAM;
  if( pResp->status==204 ){ pOut->nTotal = 0; return SQLITE_OK; }
  pOut->pRoot = pms_response_json(pResp, 0, pzErr);
  if( pOut->pRoot==0 ) return SQLITE_ERROR;
  if( !cJSON_IsArray(pOut->pRoot) ){ *pzErr = pms_strdup("expected a JSON array of records"); return SQLITE_ERROR; }
  pOut->pItems = pOut->pRoot;
  pOut->nTotal = pms_response_count(pResp, "X-Total-Results");
  if( pResp->status==200 && pOut->nTotal<0 ) pOut->bLast = 1;   /* unpaged answer */
  return SQLITE_OK;
}

/* --------------------------------------------------------------- writes */

/* The database's PhoneNumberTypeID for a unified phone type: the type
** whose name is what the phone_type value map writes for it. */
static cJSON *rm_phone_type_id(pms_session *pS, const char *zUnified){
  rm_state *st = (rm_state*)pS->pAdapterData;
  const char *zName = pms_enum_vendor(pms_adapter_value_map(pS->pAdapter, "phone_type"), zUnified);
  const cJSON *p;
  if( zName==0 || st==0 ) return 0;
  cJSON_ArrayForEach(p, st->pPhoneTypes){
    const cJSON *pN = cJSON_GetObjectItemCaseSensitive(p, "Name");
    if( cJSON_IsString(pN) && sqlite3_stricmp(pN->valuestring, zName)==0 ){
      return cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(p, "PhoneNumberTypeID"), 1);
    }
  }
  return 0;
}

/* A lease create's tenant: residents_meta_data (its first resident_id) or
** the create-only tenants (validation saw to it that one of the two is
** given), exactly one resident either way (a Rent Manager lease has one
** TenantID; a second tenant is a second lease). */
static int rm_lease_tenant(pms_write *w, cJSON *pRec, char **pzErr){
  const cJSON *pMeta = cJSON_GetObjectItemCaseSensitive(w->pFields, "residents_meta_data");
  const cJSON *pTen = cJSON_GetObjectItemCaseSensitive(w->pFields, "tenants");
  cJSON *pA = 0;
  const cJSON *pR;
  const pms_model *pM;
  int rc = SQLITE_ERROR;
  if( pMeta ){
    pA = cJSON_IsString(pMeta) ? cJSON_Parse(pMeta->valuestring) : 0;
    pR = pms_json_path(cJSON_GetArrayItem(pA, 0), "resident_id");
    cJSON_AddItemToObject(pRec, "TenantID", pms_fk_to_vendor(cJSON_IsString(pR) ? pR->valuestring : 0));
    rc = SQLITE_OK;
  }else if( pTen ){
    pA = cJSON_IsString(pTen) ? cJSON_Parse(pTen->valuestring) : 0;
    pR = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(pA, 0), "id");
    pM = cJSON_IsString(pR) ? pms_id_model(pR->valuestring, w->zIntegration) : 0;
    if( cJSON_GetArraySize(pA)!=1 || pM==0 || strcmp(pM->zName, "residents")!=0 ){
      *pzErr = pms_mprintf("%s field 'tenants' on leases create must name exactly one resident "
                           "(a Rent Manager lease has one TenantID)", w->zVendor);
    }else{
      cJSON_AddItemToObject(pRec, "TenantID", pms_fk_to_vendor(pR->valuestring));
      rc = SQLITE_OK;
    }
  }else{
    rc = SQLITE_OK;
  }
  cJSON_Delete(pA);
  return rc;
}

/* The record to POST: the id and UpdateDate for an update, the changed
** fields, and the primary contact / primary address with theirs. */
static char *rm_write_body(pms_session *pS, const pms_adapter_model *pAM, pms_write *w, char **pzErr){
  int bCreate = strcmp(w->zOp, "create")==0;
  int bPerson = strcmp(pAM->zModel, "residents")==0 || strcmp(pAM->zModel, "leads")==0;
  cJSON *pCached = w->zCachedRemote ? cJSON_Parse(w->zCachedRemote) : 0;
  cJSON *pRec = cJSON_CreateObject(), *pLeft = cJSON_CreateObject(), *pRest = cJSON_CreateObject();
  cJSON *pContact = 0, *pAddr = 0, *pArr, *pF;
  char *zOut = 0;
  if( pRec==0 || pLeft==0 || pRest==0 ) goto done;
  if( !bCreate ){
    const cJSON *pUpd = cJSON_GetObjectItemCaseSensitive(pCached, "UpdateDate");
    cJSON_AddItemToObject(pRec, pAM->zIdPath, pms_fk_to_vendor(w->zXId));
    if( !cJSON_IsString(pUpd) ){
      *pzErr = pms_strdup("the cached record has no UpdateDate (sync it first)");
      goto done;
    }
    cJSON_AddStringToObject(pRec, "UpdateDate", pUpd->valuestring);
  }
  if( pms_map_unapply(pAM->aWrite, 0, w->pFields, pRec, pLeft, pzErr) ) goto done;
  if( bCreate && strcmp(pAM->zModel, "leases")==0 && rm_lease_tenant(w, pRec, pzErr) ) goto done;
  cJSON_ArrayForEach(pF, pLeft){
    const char *z = pF->string;
    if( bPerson && (pms_model_column(w->pModel, z)>=0) && (strncmp(z, "phone_", 6)==0
        || strcmp(z, "middle_name")==0 || strcmp(z, "email_1")==0 || strcmp(z, "date_of_birth")==0) ){
      continue;
    }
    if( strcmp(z, "address_1")==0 || strcmp(z, "city")==0 || strcmp(z, "state")==0 || strcmp(z, "zip")==0 ){
      continue;
    }
    if( strcmp(z, "notes")==0 && strcmp(pAM->zModel, "residents")!=0 ){
      cJSON_AddItemToObject(pRec, "Comment", cJSON_Duplicate(pF, 1));
      continue;
    }
    if( (strcmp(z, "residents_meta_data")==0 || strcmp(z, "tenants")==0) && bCreate ){
      continue;   /* rm_lease_tenant */
    }
    *pzErr = pms_mprintf("the Rent Manager adapter cannot write %s.%s", pAM->zModel, z);
    goto done;
  }
  if( bPerson ){
    /* contact fields: names are on both the record and its contact */
    const cJSON *pCur = cJSON_GetObjectItemCaseSensitive(pCached, "PrimaryContact");
    int i;
    if( !cJSON_IsObject(pCur) ) pCur = rm_primary(cJSON_GetObjectItemCaseSensitive(pCached, "Contacts"));
    pContact = cJSON_CreateObject();
    if( !bCreate && cJSON_IsObject(pCur) ){
      cJSON_AddItemToObject(pContact, "ContactID", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(pCur, "ContactID"), 1));
      cJSON_AddItemToObject(pContact, "UpdateDate", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(pCur, "UpdateDate"), 1));
    }
    if( pms_map_unapply(pAM->aWrite, "contact", w->pFields, pContact, 0, pzErr) ) goto done;
    for(i=1; i<=2; i++){
      char zN[32], zT[32];
      const cJSON *pN, *pT, *pOld;
      cJSON *pPhone;
      snprintf(zN, sizeof(zN), "phone_%d", i);
      snprintf(zT, sizeof(zT), "phone_%d_type", i);
      pN = cJSON_GetObjectItemCaseSensitive(w->pFields, zN);
      pT = cJSON_GetObjectItemCaseSensitive(w->pFields, zT);
      if( pN==0 && pT==0 ) continue;
      pOld = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(pCur, "PhoneNumbers"), i-1);
      pPhone = cJSON_CreateObject();
      if( pOld ) cJSON_AddItemToObject(pPhone, "PhoneNumberID", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(pOld, "PhoneNumberID"), 1));
      if( pN ) cJSON_AddItemToObject(pPhone, "PhoneNumber", cJSON_Duplicate(pN, 1));
      if( cJSON_IsString(pT) ){
        cJSON *pId = rm_phone_type_id(pS, pT->valuestring);
        if( pId==0 ){
          cJSON_Delete(pPhone);
          *pzErr = pms_mprintf("Rent Manager has no phone type for %s", pT->valuestring);
          goto done;
        }
        cJSON_AddItemToObject(pPhone, "PhoneNumberTypeID", pId);
      }else if( pOld==0 ){
        cJSON_AddItemToObject(pPhone, "PhoneNumberTypeID", rm_phone_type_id(pS, i==1 ? "MOBILE" : "HOME"));
      }
      if( !cJSON_GetObjectItemCaseSensitive(pContact, "PhoneNumbers") ){
        cJSON_AddItemToObject(pContact, "PhoneNumbers", cJSON_CreateArray());
      }
      cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(pContact, "PhoneNumbers"), pPhone);
    }
    if( cJSON_GetArraySize(pContact) > (bCreate ? 0 : 2) ){
      cJSON_AddItemToObject(pRec, "PrimaryContact", pContact);
      pContact = 0;
    }
  }
  {
    /* the primary address, with its id when it exists */
    static const struct { const char *zCol, *zRm; } aA[] = {
      {"address_1","Street"}, {"city","City"}, {"state","State"}, {"zip","PostalCode"} };
    const cJSON *pCurA = rm_primary(cJSON_GetObjectItemCaseSensitive(pCached, "Addresses"));
    size_t k;
    for(k=0; k<sizeof(aA)/sizeof(aA[0]); k++){
      const cJSON *pV = cJSON_GetObjectItemCaseSensitive(w->pFields, aA[k].zCol);
      if( pV==0 ) continue;
      if( pAddr==0 ){
        pAddr = cJSON_CreateObject();
        if( !bCreate && cJSON_IsObject(pCurA) ){
          cJSON_AddItemToObject(pAddr, "AddressID", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(pCurA, "AddressID"), 1));
        }else{
          cJSON_AddTrueToObject(pAddr, "IsPrimary");
        }
      }
      cJSON_AddItemToObject(pAddr, aA[k].zRm, cJSON_Duplicate(pV, 1));
    }
    if( pAddr ){
      pArr = cJSON_CreateArray();
      cJSON_AddItemToArray(pArr, pAddr);
      pAddr = 0;
      cJSON_AddItemToObject(pRec, "Addresses", pArr);
    }
  }
  pArr = cJSON_CreateArray();
  cJSON_AddItemToArray(pArr, pRec);
  pRec = 0;
  zOut = cJSON_PrintUnformatted(pArr);
  cJSON_Delete(pArr);
done:
  cJSON_Delete(pCached);
  cJSON_Delete(pRec);
  cJSON_Delete(pLeft);
  cJSON_Delete(pRest);
  cJSON_Delete(pContact);
  cJSON_Delete(pAddr);
  if( zOut ){ char *z = pms_strdup(zOut); cJSON_free(zOut); return z; }
  if( *pzErr==0 ) *pzErr = pms_strdup("cannot build the request body");
  return 0;
}

static pms_request *rm_write_begin(pms_session *pS, const pms_adapter_model *pAM, pms_write *w,
                                   int bDry, char **pzErr){
  char *zBody, *zUrl;
  pms_request *r = 0;
  (void)bDry;   /* one request, built from the cached record: a dry run sees it whole */
  if( strcmp(w->zOp, "delete")==0 ){
    char *zSeg = pms_url_segment(w->zXId);
    zUrl = zSeg ? pms_mprintf("%s%s/%s", pS->zBaseUrl, pAM->zPath, zSeg) : 0;
    r = zUrl ? pms_request_new("DELETE", zUrl) : 0;
    free(zSeg);
    free(zUrl);
    return r;
  }
  zBody = rm_write_body(pS, pAM, w, pzErr);
  if( zBody==0 ) return 0;
  zUrl = pms_mprintf("%s%s%s%s", pS->zBaseUrl, pAM->zPath, rm_embeds(pAM->zModel) ? "?embeds=" : "",
                     rm_embeds(pAM->zModel) ? rm_embeds(pAM->zModel) : "");
  if( zUrl ) r = pms_request_new("POST", zUrl);
  if( r ){
    pms_request_body(r, zBody, "application/json");
    if( strcmp(w->zOp, "create")==0 ) pms_request_not_idempotent(r);
  }
  free(zUrl);
  free(zBody);
  return r;
}

static pms_request *rm_write_step(pms_session *pS, const pms_adapter_model *pAM, pms_write *w,
                                  pms_response *pResp){
  w->httpStatus = pResp->status;
  if( pResp->status>=200 && pResp->status<300 ){
    cJSON *pArr = pResp->zBody ? cJSON_Parse(pResp->zBody) : 0;
    cJSON *pFirst = cJSON_IsArray(pArr) ? cJSON_DetachItemFromArray(pArr, 0) : 0;
    w->zStatus = "succeeded";
    if( cJSON_IsObject(pFirst) ){
      w->pResult = pFirst;
      if( strcmp(w->zOp, "create")==0 ) w->zCreatedXId = pS->pAdapter->xRecordId(pAM, pFirst);
    }else{
      cJSON_Delete(pFirst);
    }
    cJSON_Delete(pArr);
    return 0;
  }
  w->zStatus = "failed";
  free(w->zMessage);
  if( pResp->status==409 ){
    char *zMsg = rm_error_message(0, pResp);
    w->zMessage = pms_mprintf("HTTP 409: the record changed in Rent Manager since it was read; "
                              "sync (or pms_refresh) and retry. Rent Manager said: %s", zMsg ? zMsg : "conflict");
    free(zMsg);
  }else{
    char *zMsg = rm_error_message(0, pResp);
    w->zMessage = pms_mprintf("HTTP %ld%s%s", pResp->status, zMsg ? ": " : "", zMsg ? zMsg : "");
    free(zMsg);
  }
  return 0;
}

static pms_request *rm_get_request(pms_session *pS, const pms_adapter_model *pAM, const char *zXId,
                                    const cJSON *pCached){
  const char *zEmbeds = rm_embeds(pAM->zModel);
  char *zSeg = pms_url_segment(zXId);
  char *zUrl = zSeg ? pms_mprintf("%s%s/%s%s%s", pS->zBaseUrl, pAM->zPath, zSeg,
                                  zEmbeds ? "?embeds=" : "", zEmbeds ? zEmbeds : "") : 0;
  pms_request *r = zUrl ? pms_request_new("GET", zUrl) : 0;
  (void)pCached;
  free(zSeg);
  free(zUrl);
  return r;
}

static cJSON *rm_get_parse(pms_session *pS, const pms_adapter_model *pAM, pms_response *pResp,
                           const char *zXId, char **pzErr){
  cJSON *p;
  (void)pS; (void)pAM; (void)zXId;
  p = pms_response_is_json(pResp, 0) ? cJSON_ParseWithLength(pResp->zBody ? pResp->zBody : "", pResp->nBody) : 0;
  if( cJSON_IsArray(p) ){
    cJSON *pFirst = cJSON_DetachItemFromArray(p, 0);
    cJSON_Delete(p);
    p = pFirst;
  }
  if( !cJSON_IsObject(p) ){
    cJSON_Delete(p);
    *pzErr = pms_strdup("expected a JSON record");
    return 0;
  }
  return p;
}

const pms_adapter pms_adapter_rentmanager = {
  .zVendor       = "RENTMANAGER",
  .aFixup        = aRmFixup,
  .xOpen         = rm_open,
  .xClose        = rm_close,
  .xAuthorize    = rm_authorize,
  .xListRequest  = rm_list_request,
  .xListParse    = rm_list_parse,
  .xErrorMessage = rm_error_message,
  .xWriteBegin   = rm_write_begin,
  .xWriteStep    = rm_write_step,
  .xGetRequest   = rm_get_request,
  .xGetParse     = rm_get_parse,
  /* record ids (PropertyID, UnitID, …): the manifest's, by the engine's default */
};
