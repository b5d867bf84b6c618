/*
** entrata.c — the Entrata adapter (ENTRATA).
**
** Protocol (research/pms-apis.md §4; propexo.md §1.5): RPC over HTTP. Every
** call is a POST to {base}/ext/orgs/{org}/v1/{service} with header X-Api-Key
** and the body {"auth":{"type":"apikey"}, "requestId", "method":{name,
** version, params}}; answers are {"response":{requestId, code, result}} and
** errors {"response":{code, error:{code, message}}}, often with HTTP 200:
** en_classify (pms_adapter.xClassify) turns such a body into the HTTP status
** it means before the client decides on retries, and an error naming a rate
** limit into a 429 that waits for the exhausted window of X-RateLimit-Reset.
** Paging: page_no (1-based) and per_page in the query string (500, as
** clients use), X-Total-Count. Lists other than properties need a
** propertyId, so those models are partitioned by property (the engine runs
** the list once per synced property). Times are Mountain Time
** (America/Denver, DST included) as MM/DD/YYYY HH:MM:SS and are converted
** to UTC here; dates are MM/DD/YYYY. Only getLeads filters by change time
** (fromDate on lastUpdatedDate), so leads alone sync incrementally.
**
** Money: resident_charges and resident_payments both read
** artransactions/getLeaseArTransactions, whose page holds leases, each
** with its customer's ledger of lines; en_ledger_lines flattens the lines
** into records (a payment is a line with arPaymentId) carrying the lease's
** ids, the Link header's rel="next" says whether another page follows, and
** window_days becomes transactionFromDate (the only date it filters on).
**
** Writes: residents update (customers/updateCustomers), leads create
** (leads/sendLeads) and update (leads/updateLeads), a charge
** (artransactions/sendLeaseArTransactions); the rest is refused by
** capability/entrata.json. A write answers ids and a status, not the record,
** so the cache sees the change at the next sync.
*/
#include "../ext/pmsql.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------- Mountain Time */

static int64_t en_days(int y, int m, int d){
  /* days since 1970-01-01 (Howard Hinnant's days_from_civil) */
  int64_t yy = y - (m <= 2);
  int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  int64_t yoe = yy - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* Day of month of the n-th Sunday (n=5: the last) of month m. */
static int en_sunday(int y, int m, int n){
  int64_t d1 = en_days(y, m, 1);
  int wd = (int)(((d1 % 7) + 11) % 7);          /* 0 = Sunday */
  int d = 1 + (7 - wd) % 7 + 7 * (n - 1);
  static const int mdays[] = {31,28,31,30,31,30,31,31,30,31,30,31};
  while( d > mdays[m-1] ) d -= 7;
  return d;
}

/* Is the UTC instant t (seconds) in Mountain Daylight Time? US rules of
** 2007 on (second Sunday of March to first Sunday of November, 02:00
** local), 1987-2006 (first Sunday of April to last Sunday of October). */
static int en_is_mdt(int64_t t){
  int64_t days = (t - 7*3600) / 86400;
  int y = 1970 + (int)(days / 365.2425) ;
  int64_t on, off;
  while( en_days(y+1, 1, 1) <= days ) y++;
  while( en_days(y, 1, 1) > days ) y--;
  if( y >= 2007 ){
    on = en_days(y, 3, en_sunday(y, 3, 2))*86400 + 2*3600 + 7*3600;
    off = en_days(y, 11, en_sunday(y, 11, 1))*86400 + 2*3600 + 6*3600;
  }else{
    on = en_days(y, 4, en_sunday(y, 4, 1))*86400 + 2*3600 + 7*3600;
    off = en_days(y, 10, en_sunday(y, 10, 5))*86400 + 2*3600 + 6*3600;
  }
  return t >= on && t < off;
}

/* "MM/DD/YYYY[ HH:MM[:SS]]" (Mountain Time) -> UTC seconds; 0 if not. A
** local time in the repeated fall-back hour is read as MDT (the first). */
static int en_parse_mt(const char *z, int64_t *pt, int *pbTime){
  int m, d, y, hh = 0, mi = 0, ss = 0, n = 0, n2 = 0;
  int64_t l;
  if( z==0 || sscanf(z, "%2d/%2d/%4d%n", &m, &d, &y, &n)!=3 ) return 0;
  *pbTime = 0;
  if( z[n] ){
    if( sscanf(z+n, " %2d:%2d%n", &hh, &mi, &n2)!=2 ) return 0;
    n += n2;
    if( z[n]==':' ){
      n2 = 0;
      if( sscanf(z+n, ":%2d%n", &ss, &n2)!=1 ) return 0;
      n += n2;
    }
    if( z[n] ) return 0;
    *pbTime = 1;
  }
  if( m<1 || m>12 || d<1 || d>31 || hh>23 || mi>59 || ss>59 ) return 0;
  l = en_days(y, m, d)*86400 + hh*3600 + mi*60 + ss;
  *pt = en_is_mdt(l + 6*3600) ? l + 6*3600 : l + 7*3600;
  return 1;
}

/* UTC ISO-8601 -> "MM/DD/YYYY HH:MM:SS" Mountain Time. */
static void en_to_mt(const char *zIso, char *zOut, size_t n){
  int64_t t = pms_iso_to_ms(zIso) / 1000;
  int64_t l = t - (en_is_mdt(t) ? 6 : 7)*3600;
  char z[32];
  pms_ms_to_iso(l*1000, z, 0);   /* YYYY-MM-DDTHH:MM:SSZ of the local clock */
  snprintf(zOut, n, "%.2s/%.2s/%.4s %.8s", z+5, z+8, z, z+11);
}

/* Only a value the vendor sent: a fix-up never clears what the map set. */
static void en_set_text(pms_row *pRow, const char *zCol, const char *z){
  if( z ) pms_row_set_column(pRow, zCol, z);
}

/* A vendor date or date-time into a unified date or UTC datetime column. */
static void en_set_time(pms_row *pRow, const char *zCol, const cJSON *pV, int bDateTime){
  int64_t t;
  int bTime;
  char z[32];
  if( !cJSON_IsString(pV) || !en_parse_mt(pV->valuestring, &t, &bTime) ) return;
  if( bDateTime ){
    pms_ms_to_iso(t*1000, z, 0);
    en_set_text(pRow, zCol, z);
  }else{
    /* a calendar date: no zone */
    snprintf(z, sizeof(z), "%.4s-%.2s-%.2s", pV->valuestring+6, pV->valuestring, pV->valuestring+3);
    en_set_text(pRow, zCol, z);
  }
}

static const cJSON *en_get(const cJSON *p, const char *zKey){
  return cJSON_GetObjectItemCaseSensitive(p, zKey);
}

/* ------------------------------------------------------------- fix-ups */

static int en_property_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pDis = en_get(pRec, "IsDisabled");
  (void)pS; (void)pzErr;
  if( cJSON_IsNumber(pDis) || cJSON_IsBool(pDis) ){
    int bDis = cJSON_IsNumber(pDis) ? pDis->valuedouble!=0 : cJSON_IsTrue(pDis);
    pms_row_set_int(pRow, pms_row_col(pRow, "is_active"), !bDis);
  }
  return SQLITE_OK;
}

static int en_unit_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pSp = cJSON_GetArrayItem(en_get(pRec, "unitSpaces"), 0);
  const cJSON *pSt = en_get(pSp, "unitSpaceStatusType");
  const cJSON *pBath = en_get(pRec, "noOfBathrooms");
  (void)pS; (void)pzErr;
  if( cJSON_IsString(pSt) ){
    pms_row_set_int(pRow, pms_row_col(pRow, "is_vacant"), strncasecmp(pSt->valuestring, "Vacant", 6)==0);
  }
  if( cJSON_IsNumber(pBath) ) pms_row_set_bathrooms(pRow, pBath->valuedouble);
  return SQLITE_OK;
}

/* vehicles in Propexo's names (resident_vehicles) from the customer's
** Vehicles[] (the research names the list; its members' names are inferred,
** as capability/entrata.json says). A customer without the list stays NULL. */
static int en_vehicles(pms_row *pRow, const cJSON *pRec){
  static const struct { const char *zFrom, *zTo; } aKey[] = {
    { "Make", "make" }, { "Model", "model" }, { "Color", "color" }, { "Year", "year" },
    { "LicensePlateNumber", "license_plate_number" },
    { "LicensePlateState", "license_plate_state" },
  };
  const cJSON *pList = en_get(pRec, "Vehicles"), *pV;
  cJSON *pArr;
  int rc = SQLITE_OK;
  if( !cJSON_IsArray(pList) ) return SQLITE_OK;
  if( (pArr = cJSON_CreateArray())==0 ) return SQLITE_NOMEM;
  cJSON_ArrayForEach(pV, pList){
    char *zX = pms_json_id_text(pms_json_path(pV, "@attributes.Id"));
    cJSON *pO = rc ? 0 : pms_nested_new("resident_vehicles", pRow->zIntegration, zX);
    size_t k;
    if( pO==0 && rc==SQLITE_OK ) rc = SQLITE_NOMEM;
    for(k=0; rc==SQLITE_OK && k<sizeof(aKey)/sizeof(aKey[0]); k++){
      char *zVal = pms_json_id_text(en_get(pV, aKey[k].zFrom));   /* text or number, as text */
      if( zVal ) rc = pms_nested_set(pO, aKey[k].zTo, cJSON_CreateString(zVal));
      free(zVal);
    }
    if( pO ) cJSON_AddItemToArray(pArr, pO);
    free(zX);
  }
  if( rc ){ cJSON_Delete(pArr); return rc; }
  return pms_row_set_json(pRow, "vehicles", pArr);
}

static int en_customer_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pL, *pLeases = en_get(pRec, "LeaseId");
  pms_str s = {0};
  int n = 0;
  (void)pS; (void)pzErr;
  pms_str_appendz(&s, "[");
  cJSON_ArrayForEach(pL, pLeases){
    char *zX = pms_json_id_text(pL);
    char *zId;
    if( zX==0 ) continue;
    zId = pms_make_id(pRow->zIntegration, pms_model_find("leases"), zX);
    pms_str_appendz(&s, n++ ? ",{\"lease_id\":" : "{\"lease_id\":");
    pms_str_append_json_string(&s, zId);
    pms_str_appendz(&s, ",\"x_lease_id\":");
    pms_str_append_json_string(&s, zX);
    pms_str_appendz(&s, "}");
    sqlite3_free(zId);
    free(zX);
  }
  pms_str_appendz(&s, "]");
  if( !s.oom && n ) en_set_text(pRow, "leases_meta_data", s.z);
  pms_str_reset(&s);
  /* the current lease: the last one listed */
  if( n ) pms_row_set_fk(pRow, "lease_id", "x_lease_id", "leases", cJSON_GetArrayItem(pLeases, n-1));
  return en_vehicles(pRow, pRec);
}

static int en_lease_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pI = cJSON_GetArrayItem(en_get(pRec, "leaseIntervals"), 0);
  const cJSON *pC;
  pms_str s = {0};
  int n = 0;
  (void)pS; (void)pzErr;
  en_set_time(pRow, "realized_move_in_date", en_get(pRec, "moveInDate"), 0);
  en_set_time(pRow, "realized_move_out_date", en_get(pRec, "moveOutDate"), 0);
  en_set_time(pRow, "start_date", en_get(pI, "startDate"), 0);
  en_set_time(pRow, "end_date", en_get(pI, "endDate"), 0);
  en_set_text(pRow, "type", cJSON_GetStringValue(en_get(pI, "leaseIntervalType")));
  pms_map_value(pRow, pms_row_col(pRow, "rent_amount_in_cents"), PMS_X_CENTS, 0, en_get(pI, "rent"), 0);
  pms_map_value(pRow, pms_row_col(pRow, "deposit_amount_in_cents"), PMS_X_CENTS, 0, en_get(pI, "securityDeposit"), 0);
  pms_str_appendz(&s, "[");
  cJSON_ArrayForEach(pC, en_get(pRec, "customers")){
    char *zX = pms_json_id_text(en_get(pC, "id"));
    char *zId;
    const cJSON *pIn = en_get(pC, "moveInDate");
    if( zX==0 ) continue;
    zId = pms_make_id(pRow->zIntegration, pms_model_find("residents"), zX);
    pms_str_appendz(&s, n++ ? ",{\"resident_id\":" : "{\"resident_id\":");
    pms_str_append_json_string(&s, zId);
    pms_str_appendz(&s, ",\"x_resident_id\":");
    pms_str_append_json_string(&s, zX);
    pms_str_appendz(&s, ",\"customer_type\":");
    pms_str_append_json_string(&s, cJSON_GetStringValue(en_get(pC, "customerType")));
    pms_str_appendz(&s, ",\"move_in_date\":");
    if( cJSON_IsString(pIn) && strlen(pIn->valuestring)>=10 ){
      pms_str_appendf(&s, "\"%.4s-%.2s-%.2s\"", pIn->valuestring+6, pIn->valuestring, pIn->valuestring+3);
    }else{
      pms_str_appendz(&s, "null");
    }
    pms_str_appendz(&s, "}");
    sqlite3_free(zId);
    free(zX);
  }
  pms_str_appendz(&s, "]");
  if( !s.oom ) en_set_text(pRow, "residents_meta_data", s.z);
  pms_str_reset(&s);
  return SQLITE_OK;
}

static int en_lead_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pC = cJSON_GetArrayItem(en_get(pRec, "customers"), 0);
  const cJSON *pU = en_get(pRec, "unitId");
  (void)pS; (void)pzErr;
  en_set_time(pRow, "x_created_at", en_get(pRec, "createdOn"), 1);
  en_set_time(pRow, "x_updated_at", en_get(pRec, "lastUpdatedDate"), 1);
  en_set_text(pRow, "first_name", cJSON_GetStringValue(en_get(pC, "firstName")));
  en_set_text(pRow, "last_name", cJSON_GetStringValue(en_get(pC, "lastName")));
  en_set_text(pRow, "email_1", cJSON_GetStringValue(en_get(pC, "email")));
  if( cJSON_IsString(en_get(pC, "cellPhoneNumber")) ){
    en_set_text(pRow, "phone_1", en_get(pC, "cellPhoneNumber")->valuestring);
    en_set_text(pRow, "phone_1_type", "MOBILE");
  }
  if( cJSON_IsNumber(pU) || cJSON_IsString(pU) ){
    char *zX = pms_json_id_text(pU);
    if( zX ) pms_row_set_preferred_unit(pRow, zX);
    free(zX);
  }
  return SQLITE_OK;
}

/* A ledger line's dates: transactionDate (MM/DD/YYYY) and postMonth
** (MM/YYYY as YYYY-MM). */
static void en_line_dates(pms_row *pRow, const cJSON *pRec, int bDue){
  const cJSON *pPm = en_get(pRec, "postMonth");
  en_set_time(pRow, "transaction_date", en_get(pRec, "transactionDate"), 0);
  if( bDue ) en_set_time(pRow, "due_date", en_get(pRec, "transactionDate"), 0);
  if( cJSON_IsString(pPm) && strlen(pPm->valuestring)==7 && pPm->valuestring[2]=='/' ){
    char z[8];
    snprintf(z, sizeof(z), "%.4s-%.2s", pPm->valuestring+3, pPm->valuestring);
    en_set_text(pRow, "post_month", z);
  }
}

static double en_number(const cJSON *p){
  if( cJSON_IsNumber(p) ) return p->valuedouble;
  if( cJSON_IsString(p) ) return atof(p->valuestring);
  return 0;
}

static int en_charge_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  (void)pS; (void)pzErr;
  en_line_dates(pRow, pRec, 1);
  pms_row_set_int(pRow, pms_row_col(pRow, "is_open"), en_number(en_get(pRec, "balanceDue")) > 0);
  return SQLITE_OK;
}

/* A payment is a credit line: its amount is negative; the columns hold
** what was paid (amount_raw: the amount as sent, without its sign). */
static int en_payment_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pAmt = en_get(pRec, "amount");
  (void)pS; (void)pzErr;
  en_line_dates(pRow, pRec, 0);
  pms_row_set_int(pRow, pms_row_col(pRow, "is_open"), en_number(en_get(pRec, "balanceDue")) < 0);
  if( cJSON_IsNumber(pAmt) || cJSON_IsString(pAmt) ){
    cJSON *pPos = cJSON_IsNumber(pAmt) ? cJSON_CreateNumber(fabs(pAmt->valuedouble))
                : cJSON_CreateString(pAmt->valuestring + (pAmt->valuestring[0]=='-'));
    if( pPos ){
      pms_map_value(pRow, pms_row_col(pRow, "amount_in_cents"), PMS_X_CENTS, 0, pPos, 0);
      pms_map_value(pRow, pms_row_col(pRow, "amount_raw"), PMS_X_STRING, 0, pPos, 0);
    }
    cJSON_Delete(pPos);
  }
  return SQLITE_OK;
}

/* contacts.contact[] as [{name, email, phone, phone_type}]. */
static int en_vendor_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const char *zSt = cJSON_GetStringValue(en_get(pRec, "status"));
  const cJSON *pC;
  cJSON *pOut = cJSON_CreateArray();
  char *zJson;
  (void)pS; (void)pzErr;
  if( zSt ) pms_row_set_int(pRow, pms_row_col(pRow, "is_active"), strcasecmp(zSt, "Active")==0);
  cJSON_ArrayForEach(pC, en_get(en_get(pRec, "contacts"), "contact")){
    const char *zF = cJSON_GetStringValue(en_get(pC, "nameFirst"));
    const char *zL = cJSON_GetStringValue(en_get(pC, "nameLast"));
    const char *zE = cJSON_GetStringValue(en_get(pC, "email"));
    const char *zP = cJSON_GetStringValue(en_get(pC, "phone"));
    cJSON *pO = cJSON_CreateObject();
    char *zName = (zF || zL) ? pms_mprintf("%s%s%s", zF ? zF : "", zF && zL ? " " : "", zL ? zL : "") : 0;
    if( pO==0 ) continue;
    cJSON_AddItemToObject(pO, "name", zName ? cJSON_CreateString(zName) : cJSON_CreateNull());
    cJSON_AddItemToObject(pO, "email", zE ? cJSON_CreateString(zE) : cJSON_CreateNull());
    cJSON_AddItemToObject(pO, "phone", zP ? cJSON_CreateString(zP) : cJSON_CreateNull());
    cJSON_AddNullToObject(pO, "phone_type");
    cJSON_AddItemToArray(pOut, pO);
    free(zName);
  }
  zJson = pOut ? cJSON_PrintUnformatted(pOut) : 0;
  if( zJson ) en_set_text(pRow, "contacts", zJson);
  cJSON_free(zJson);
  cJSON_Delete(pOut);
  return SQLITE_OK;
}

/* Per model: the method version, the param a partitioned list takes its
** property in, and the param that asks for some records by id (single
** reads). The service and method are the manifest's resource
** ("leases/getLeases"), the record id its read.id. */
typedef struct en_res {
  const char *zModel, *zVersion, *zPartParam, *zIdsParam;
} en_res;

static const en_res aEnRes[] = {
  { "properties", "r1", 0,             "propertyIds" },
  { "units",      "r1", "propertyIds", 0 },
  { "residents",  "r1", "propertyId",  "customerIds" },
  { "leases",     "r2", "propertyId",  "leaseIds" },
  { "leads",      "r1", "propertyId",  "leadId" },
  { "charge_codes", "r1", 0,           0 },
  { "resident_charges",  "r1", "propertyId", "leaseIds" },
  { "resident_payments", "r1", "propertyId", "leaseIds" },
  { "vendors",    "r1", 0,             "vendorIds" },
};

/* The models read from a lease's AR ledger (getLeaseArTransactions): its
** lines are flattened into records, the payments (with arPaymentId) one
** model's, the rest the other's. */
static int en_ledger_model(const char *zModel){
  if( strcmp(zModel, "resident_charges")==0 ) return 1;
  if( strcmp(zModel, "resident_payments")==0 ) return 2;
  return 0;
}

static const en_res *en_res_of(const char *zModel){
  size_t i;
  for(i=0; i<sizeof(aEnRes)/sizeof(aEnRes[0]); i++) if( strcmp(aEnRes[i].zModel, zModel)==0 ) return &aEnRes[i];
  return &aEnRes[0];
}

static const pms_adapter_fixup aEnFixup[] = {
  { "properties", en_property_fixup },
  { "units",      en_unit_fixup },
  { "leases",     en_lease_fixup },
  { "residents",  en_customer_fixup },
  { "leads",      en_lead_fixup },
  { "resident_charges",  en_charge_fixup },
  { "resident_payments", en_payment_fixup },
  { "vendors",    en_vendor_fixup },
  { 0, 0 }
};

/* ------------------------------------------------------------ protocol */

static int en_request_seq = 0;

/* A POST of one method call to a service ("service/method", as the
** manifest's resources are written); params is consumed. */
static pms_request *en_call(pms_session *pS, const char *zCall, const char *zQuery,
                            const char *zVersion, cJSON *pParams){
  cJSON *pBody = cJSON_CreateObject(), *pAuth, *pM;
  const char *zOrg = pms_credential(pS, "org");
  const char *zMethod = strchr(zCall, '/');
  char *zUrl, *zJson, zReq[24];
  pms_str u = {0};
  pms_request *r = 0;
  int nService = zMethod ? (int)(zMethod - zCall) : (int)strlen(zCall);
  zMethod = zMethod ? zMethod+1 : "";
  snprintf(zReq, sizeof(zReq), "%d", __atomic_add_fetch(&en_request_seq, 1, __ATOMIC_RELAXED));
  pAuth = cJSON_AddObjectToObject(pBody, "auth");
  cJSON_AddStringToObject(pAuth, "type", "apikey");
  cJSON_AddStringToObject(pBody, "requestId", zReq);
  pM = cJSON_AddObjectToObject(pBody, "method");
  cJSON_AddStringToObject(pM, "name", zMethod);
  cJSON_AddStringToObject(pM, "version", zVersion);
  cJSON_AddItemToObject(pM, "params", pParams ? pParams : cJSON_CreateObject());
  pms_str_appendf(&u, "%s/ext/orgs/", pS->zBaseUrl);
  pms_str_append_url_escaped(&u, zOrg ? zOrg : "");
  pms_str_appendf(&u, "/v1/%.*s%s", nService, zCall, zQuery ? zQuery : "");
  zUrl = pms_str_finish(&u);
  zJson = cJSON_PrintUnformatted(pBody);
  cJSON_Delete(pBody);
  if( zUrl && zJson ){
    r = pms_request_new("POST", zUrl);
    if( r ) pms_request_body(r, zJson, "application/json");
  }
  free(zUrl);
  cJSON_free(zJson);
  return r;
}

static int en_authorize(pms_session *pS, pms_request *r){
  const char *zKey = pms_credential(pS, "api_key");
  char *z = pms_mprintf("X-Api-Key: %s", zKey ? zKey : "");
  if( z ){
    pms_request_auth_header(r, z);
    pms_free_secret(z);
  }
  return SQLITE_OK;
}

/* A ledger read: the whole ledger (not only open items), from window_days
** back when the option limits the sync (the transaction date is the only
** date the method filters on). */
static void en_ledger_params(pms_session *pS, const pms_adapter_model *pAM, cJSON *pP){
  double nDays = pms_option_window_days(pS, pAM->zModel);
  cJSON_AddNumberToObject(pP, "showFullLedger", 1);
  if( nDays>0 ){
    char zIso[32], zMt[32];
    pms_ms_to_iso(pms_now_ms() - (int64_t)(nDays*86400000.0), zIso, 0);
    en_to_mt(zIso, zMt, sizeof(zMt));
    zMt[10] = 0;                       /* MM/DD/YYYY */
    cJSON_AddStringToObject(pP, "transactionFromDate", zMt);
  }
}

static pms_request *en_list_request(pms_session *pS, const pms_adapter_model *pAM,
                                    const pms_list_page *pPg){
  const en_res *pR = en_res_of(pAM->zModel);
  cJSON *pP = cJSON_CreateObject();
  char zQ[64];
  pms_request *r;
  if( pR->zPartParam && pPg->zPartition ){
    if( strcmp(pR->zPartParam, "propertyIds")==0 ){
      cJSON_AddStringToObject(pP, pR->zPartParam, pPg->zPartition);
    }else{
      cJSON_AddNumberToObject(pP, pR->zPartParam, atof(pPg->zPartition));
    }
  }
  if( pPg->zSince ){
    char zMt[32];
    en_to_mt(pPg->zSince, zMt, sizeof(zMt));
    cJSON_AddStringToObject(pP, pAM->zSince, zMt);
  }
  if( en_ledger_model(pAM->zModel) ) en_ledger_params(pS, pAM, pP);
  snprintf(zQ, sizeof(zQ), "?page_no=%d&per_page=%d", pPg->iPage+1, pPg->nPageSize);
  r = en_call(pS, pAM->zPath, zQ, pR->zVersion, pP);
  /* the ledger's pages hold leases, not records: the Link header says
  ** whether another follows */
  if( r && en_ledger_model(pAM->zModel) ) pms_request_header(r, "X-Send-Pagination-Links: 1");
  return r;
}

/* result.{Wrapper}.{Item}[]: the first array under result. */
static const cJSON *en_result_array(const cJSON *pResult){
  const cJSON *p = pResult;
  int nDepth = 0;
  while( cJSON_IsObject(p) && nDepth++ < 4 ){
    const cJSON *pC;
    const cJSON *pNext = 0;
    cJSON_ArrayForEach(pC, p){
      if( cJSON_IsArray(pC) ) return pC;
      if( cJSON_IsObject(pC) && pNext==0 ) pNext = pC;
    }
    p = pNext;
  }
  return 0;
}

/* An object or an array of them, as an array's first element or itself. */
static const cJSON *en_each_first(const cJSON *p){
  return cJSON_IsArray(p) ? p->child : p;
}

/* The lines of result.leases.lease[].customers.ledgers.ledger.transactions
** .transaction[] of model (1 charges, 2 payments), each a copy carrying its
** lease's leaseId, propertyId and customerId: a new tree {"lines":[...]};
** *pnLeases the leases the page held. */
static cJSON *en_ledger_lines(const cJSON *pResult, int eModel, int *pnLeases){
  cJSON *pOut = cJSON_CreateObject();
  cJSON *pArr = cJSON_AddArrayToObject(pOut, "lines");
  const cJSON *pLeases = en_get(en_get(pResult, "leases"), "lease");
  const cJSON *pL;
  *pnLeases = 0;
  if( pArr==0 ){ cJSON_Delete(pOut); return 0; }
  for(pL=en_each_first(pLeases); pL; pL=cJSON_IsArray(pLeases) ? pL->next : 0){
    const cJSON *pCusts = en_get(pL, "customers");
    const cJSON *pCu, *pLg, *pT;
    (*pnLeases)++;
    for(pCu=en_each_first(pCusts); pCu; pCu=cJSON_IsArray(pCusts) ? pCu->next : 0){
      const cJSON *pCust = en_get(en_get(pCu, "customer"), "id");
      const cJSON *pLedgers = en_get(en_get(pCu, "ledgers"), "ledger");
      for(pLg=en_each_first(pLedgers); pLg; pLg=cJSON_IsArray(pLedgers) ? pLg->next : 0){
        cJSON_ArrayForEach(pT, en_get(en_get(pLg, "transactions"), "transaction")){
          const cJSON *pPay = en_get(pT, "arPaymentId");
          int bPay = pPay && !cJSON_IsNull(pPay);
          cJSON *pC;
          if( bPay != (eModel==2) ) continue;
          pC = cJSON_Duplicate(pT, 1);
          if( pC==0 ){ cJSON_Delete(pOut); return 0; }
          cJSON_AddItemToObject(pC, "leaseId", cJSON_Duplicate(en_get(pL, "id"), 1));
          cJSON_AddItemToObject(pC, "propertyId", cJSON_Duplicate(en_get(pL, "propertyId"), 1));
          if( pCust ) cJSON_AddItemToObject(pC, "customerId", cJSON_Duplicate(pCust, 1));
          cJSON_AddItemToArray(pArr, pC);
        }
      }
    }
  }
  return pOut;
}

static int en_list_parse(pms_session *pS, const pms_adapter_model *pAM,
                         pms_response *pResp, pms_list_result *pOut, char **pzErr){
  const cJSON *pResult;
  int eLedger = en_ledger_model(pAM->zModel);
  (void)pS;
  if( eLedger ){
    cJSON *pDoc = pms_response_json(pResp, 0, pzErr);
    int nLeases = 0;
    char *zLink;
    if( pDoc==0 ) return SQLITE_ERROR;
    pResult = pms_json_path(pDoc, "response.result");
    if( !cJSON_IsObject(pResult) ){
      if( pms_json_arena_owns(pResp->pArena, pDoc) ) pms_json_arena_reset(pResp->pArena);
      else cJSON_Delete(pDoc);
      *pzErr = pms_strdup("expected {\"response\":{\"result\":…}}");
      return SQLITE_ERROR;
    }
    pOut->pRoot = en_ledger_lines(pResult, eLedger, &nLeases);
    /* the lines are copies: the page's tree can go now (an arena page is
    ** reset, as the engine does once it is done with a page) */
    if( pms_json_arena_owns(pResp->pArena, pDoc) ) pms_json_arena_reset(pResp->pArena);
    else cJSON_Delete(pDoc);
    if( pOut->pRoot==0 ){ *pzErr = pms_strdup("out of memory"); return SQLITE_NOMEM; }
    pOut->pItems = en_get(pOut->pRoot, "lines");
    pOut->nTotal = -1;
    /* only a page the previous one linked is asked for, so a page without
    ** leases while X-Total-Count counts some is a hiccup, not the end */
    if( nLeases==0 && pms_response_count(pResp, "X-Total-Count")>0 ){
      *pzErr = pms_strdup("a page without leases where X-Total-Count counts some");
      return SQLITE_ERROR;
    }
    zLink = pms_response_header(pResp, "Link");
    pOut->bMore = zLink && strstr(zLink, "rel=\"next\"");
    pOut->bLast = !pOut->bMore;
    free(zLink);
    return SQLITE_OK;
  }
  pOut->pRoot = pms_response_json(pResp, 0, pzErr);
  if( pOut->pRoot==0 ) return SQLITE_ERROR;
  pResult = pms_json_path(pOut->pRoot, "response.result");
  if( !cJSON_IsObject(pResult) ){
    *pzErr = pms_strdup("expected {\"response\":{\"result\":…}}");
    return SQLITE_ERROR;
  }
  pOut->pItems = en_result_array(pResult);
  if( pOut->pItems==0 ){
    /* a result without a list: no records */
    pOut->nTotal = 0;
    pOut->bLast = 1;
    return SQLITE_OK;
  }
  pOut->nTotal = pms_response_count(pResp, "X-Total-Count");
  return SQLITE_OK;
}

/* The error object of an Entrata answer, or NULL. Only the envelope's head
** is looked at first, so a large list page is not parsed twice. */
static cJSON *en_error_of(const pms_response *pResp, const cJSON **ppErr){
  const char *z = pResp->zBody;
  const char *zE, *zR;
  size_t nHead;
  cJSON *p;
  *ppErr = 0;
  if( z==0 || pResp->nBody==0 ) return 0;
  nHead = pResp->nBody < 512 ? pResp->nBody : 512;
  zE = memmem(z, nHead, "\"error\"", 7);
  zR = memmem(z, nHead, "\"result\"", 8);
  if( zE==0 || (zR && zR<zE) ) return 0;
  p = cJSON_ParseWithLength(z, pResp->nBody);
  *ppErr = pms_json_path(p, "response.error");
  if( !cJSON_IsObject(*ppErr) ){ *ppErr = 0; cJSON_Delete(p); return 0; }
  return p;
}

static int en_is_rate_limit(const cJSON *pErr){
  const cJSON *pCode = en_get(pErr, "code");
  const char *zMsg = cJSON_GetStringValue(en_get(pErr, "message"));
  if( cJSON_IsNumber(pCode) && pCode->valuedouble==429 ) return 1;
  return zMsg && (strcasestr(zMsg, "rate limit") || strcasestr(zMsg, "too many requests"));
}

/* The wait X-RateLimit-Reset asks for: the longest reset among the windows
** whose X-RateLimit-Remaining is 0 ("14996/DAY;999/HOUR;0/MINUTE" with
** "36686;686;26"); 0 when no window is known exhausted. */
static long en_rate_wait_ms(const pms_response *pResp){
  char *zRem = pms_response_header(pResp, "X-RateLimit-Remaining");
  char *zReset = pms_response_header(pResp, "X-RateLimit-Reset");
  long ms = 0;
  if( zRem && zReset ){
    const char *a = zRem, *b = zReset;
    while( *a && *b ){
      long rem = strtol(a, 0, 10), secs = strtol(b, 0, 10);
      if( rem<=0 && secs*1000>ms ) ms = secs*1000;
      a = strchr(a, ';'); b = strchr(b, ';');
      if( !a || !b ) break;
      a++; b++;
    }
  }
  free(zRem);
  free(zReset);
  return ms;
}

/* pms_adapter.xClassify: an error envelope in a 2xx answer becomes the
** status it means (its code when 4xx/5xx, else 400); a rate-limit error,
** whatever the HTTP status, becomes a 429 waiting for its window. */
static void en_classify(pms_response *pResp){
  const cJSON *pErr;
  cJSON *p = en_error_of(pResp, &pErr);
  if( p==0 ) return;
  if( en_is_rate_limit(pErr) ){
    pResp->status = 429;
    pResp->retryAfterMs = en_rate_wait_ms(pResp);
  }else if( pResp->status>=200 && pResp->status<300 ){
    const cJSON *pCode = en_get(pErr, "code");
    int c = cJSON_IsNumber(pCode) ? (int)pCode->valuedouble : 0;
    pResp->status = (c>=400 && c<600) ? c : 400;
  }
  cJSON_Delete(p);
}

static char *en_error_message(const pms_adapter *pA, const pms_response *pResp){
  const cJSON *pErr;
  cJSON *p = en_error_of(pResp, &pErr);
  char *zOut = 0;
  (void)pA;
  if( p ){
    const cJSON *pCode = en_get(pErr, "code");
    const char *zMsg = cJSON_GetStringValue(en_get(pErr, "message"));
    if( cJSON_IsNumber(pCode) ){
      zOut = pms_mprintf("Entrata error %d: %s", (int)pCode->valuedouble, zMsg ? zMsg : "(no message)");
    }else{
      zOut = pms_mprintf("Entrata error: %s", zMsg ? zMsg : "(no message)");
    }
    cJSON_Delete(p);
  }else if( !pms_response_is_json(pResp, 0) ){
    zOut = pms_mprintf("a non-JSON answer (%s)", pResp->zContentType ? pResp->zContentType : "no content type");
  }
  return zOut;
}

/* --------------------------------------------------------------- writes */

/* The property a cached record belongs to (customers say PropertyId). */
static const cJSON *en_record_property(const cJSON *pRec){
  const cJSON *pId = en_get(pRec, "PropertyId");
  return pId ? pId : en_get(pRec, "propertyId");
}

static cJSON *en_cached_property(const pms_write *w){
  cJSON *p = w->zCachedRemote ? cJSON_Parse(w->zCachedRemote) : 0;
  const cJSON *pId = en_record_property(p);
  cJSON *pOut = pId ? cJSON_Duplicate(pId, 1) : 0;
  cJSON_Delete(p);
  return pOut;
}

/* artransactions/sendLeaseArTransactions r1: leaseId, arCodeId and
** transactionAmount by the manifest's write map; the dates here, in
** Entrata's forms (MM/DD/YYYY, MM/YYYY); transactionId, the client
** system's unique id: 53 random bits (exact in a JSON number), since
** writes go out concurrently and from several processes (a clock and a
** counter gave two writes of one millisecond the same id). */
static pms_request *en_charge_begin(pms_session *pS, const pms_adapter_model *pAM, pms_write *w,
                                    char **pzErr){
  cJSON *pParams = cJSON_CreateObject();
  const char *zDate = cJSON_GetStringValue(en_get(w->pFields, "transaction_date"));
  const char *zPm = cJSON_GetStringValue(en_get(w->pFields, "post_month"));
  char z[16];
  pms_request *r;
  sqlite3_uint64 uRand;
  int64_t iTx;
  sqlite3_randomness(sizeof(uRand), &uRand);
  iTx = (int64_t)(uRand & ((1ull<<53) - 1)) | 1;
  cJSON_AddNumberToObject(pParams, "transactionId", (double)iTx);
  if( pms_map_unapply(pAM->aWrite, 0, w->pFields, pParams, 0, pzErr) ){
    cJSON_Delete(pParams);
    return 0;
  }
  if( zDate==0 || strlen(zDate)!=10 ){
    cJSON_Delete(pParams);
    *pzErr = pms_strdup("transaction_date must be YYYY-MM-DD");
    return 0;
  }
  snprintf(z, sizeof(z), "%.2s/%.2s/%.4s", zDate+5, zDate+8, zDate);
  cJSON_AddStringToObject(pParams, "transactionDate", z);
  if( zPm ){
    if( strlen(zPm)!=7 || zPm[4]!='-' ){
      cJSON_Delete(pParams);
      *pzErr = pms_strdup("post_month must be YYYY-MM");
      return 0;
    }
    snprintf(z, sizeof(z), "%.2s/%.4s", zPm+5, zPm);
    cJSON_AddStringToObject(pParams, "arPostMonth", z);
  }
  r = en_call(pS, "artransactions/sendLeaseArTransactions", 0, "r1", pParams);
  if( r ) pms_request_not_idempotent(r);
  return r;
}

static pms_request *en_write_begin(pms_session *pS, const pms_adapter_model *pAM, pms_write *w,
                                   int bDry, char **pzErr){
  int bCreate = strcmp(w->zOp, "create")==0;
  cJSON *pParams = cJSON_CreateObject();
  cJSON *pProp = 0, *pArr, *pOne, *pCust;
  pms_request *r = 0;
  (void)bDry;   /* one request, built without reading first */
  if( strcmp(pAM->zModel, "resident_charges")==0 && bCreate ){
    cJSON_Delete(pParams);
    return en_charge_begin(pS, pAM, w, pzErr);
  }
  if( bCreate ){
    const cJSON *pP = en_get(w->pFields, "property_id");
    pProp = pms_fk_to_vendor(cJSON_IsString(pP) ? pP->valuestring : 0);
  }else{
    pProp = en_cached_property(w);
  }
  if( pProp==0 || cJSON_IsNull(pProp) ){
    cJSON_Delete(pProp);
    cJSON_Delete(pParams);
    *pzErr = pms_strdup(bCreate ? "property_id is required" : "the cached record has no propertyId (sync it first)");
    return 0;
  }
  if( cJSON_IsString(pProp) ){
    double d = atof(pProp->valuestring);
    cJSON_Delete(pProp);
    pProp = cJSON_CreateNumber(d);
  }
  cJSON_AddItemToObject(pParams, "propertyId", pProp);
  if( strcmp(pAM->zModel, "residents")==0 && !bCreate ){
    cJSON *pAddr = cJSON_CreateObject();
    pArr = cJSON_AddArrayToObject(cJSON_AddObjectToObject(pParams, "customers"), "customer");
    pOne = cJSON_CreateObject();
    cJSON_AddItemToArray(pArr, pOne);
    cJSON_AddNumberToObject(pOne, "id", atof(w->zXId));
    if( pms_map_unapply(pAM->aWrite, "customer", w->pFields, pOne, 0, pzErr)
     || pms_map_unapply(pAM->aWrite, "address", w->pFields, pAddr, 0, pzErr) ){
      cJSON_Delete(pAddr);
      cJSON_Delete(pParams);
      return 0;
    }
    if( cJSON_GetArraySize(pAddr) ) cJSON_AddItemToObject(pOne, "address", pAddr);
    else cJSON_Delete(pAddr);
    r = en_call(pS, "customers/updateCustomers", 0, "r1", pParams);
  }else if( strcmp(pAM->zModel, "leads")==0 ){
    const cJSON *pNotes = en_get(w->pFields, "notes");
    if( bCreate ) cJSON_AddTrueToObject(pParams, "doNotSendConfirmationEmail");
    pArr = cJSON_AddArrayToObject(cJSON_AddObjectToObject(pParams, "prospects"), "prospect");
    pOne = cJSON_CreateObject();
    cJSON_AddItemToArray(pArr, pOne);
    if( !bCreate ) cJSON_AddNumberToObject(pOne, "applicationId", atof(w->zXId));
    pCust = cJSON_CreateObject();
    if( pms_map_unapply(pAM->aWrite, "prospect", w->pFields, pCust, 0, pzErr) ){
      cJSON_Delete(pCust);
      cJSON_Delete(pParams);
      return 0;
    }
    if( cJSON_GetArraySize(pCust) ){
      cJSON *pCs = cJSON_AddArrayToObject(cJSON_AddObjectToObject(pOne, "customers"), "customer");
      cJSON_AddItemToArray(pCs, pCust);
    }else{
      cJSON_Delete(pCust);
    }
    if( pNotes ) cJSON_AddItemToObject(pOne, "notes", cJSON_Duplicate(pNotes, 1));
    r = en_call(pS, bCreate ? "leads/sendLeads" : "leads/updateLeads", 0, "r1", pParams);
  }else{
    cJSON_Delete(pParams);
    *pzErr = pms_mprintf("the Entrata adapter cannot %s %s", w->zOp, pAM->zModel);
    return 0;
  }
  if( r && bCreate ) pms_request_not_idempotent(r);
  return r;
}

static pms_request *en_write_step(pms_session *pS, const pms_adapter_model *pAM, pms_write *w,
                                  pms_response *pResp){
  (void)pS;
  w->httpStatus = pResp->status;
  free(w->zMessage);
  w->zMessage = 0;
  if( pResp->status>=200 && pResp->status<300 ){
    cJSON *p = pResp->zBody ? cJSON_ParseWithLength(pResp->zBody, pResp->nBody) : 0;
    const cJSON *pArr = en_result_array(pms_json_path(p, "response.result"));
    const cJSON *pFirst = cJSON_GetArrayItem(pArr, 0);
    const cJSON *pAttr = en_get(pFirst, "@attributes");
    const cJSON *pInfo = pAttr ? pAttr : pFirst;   /* sendLeaseArTransactions: in @attributes */
    const char *zSt = cJSON_GetStringValue(en_get(pInfo, "status"));
    const char *zMsg = cJSON_GetStringValue(en_get(pInfo, "message"));
    if( pFirst && zSt && strcasecmp(zSt, "Success")!=0 ){
      w->zStatus = "failed";
      w->zMessage = pms_mprintf("Entrata %s: %s", zSt, zMsg ? zMsg : "the record was not accepted");
    }else if( pFirst==0 ){
      w->zStatus = "failed";
      w->zMessage = pms_strdup("Entrata answered without a result for the record");
    }else{
      w->zStatus = "succeeded";
      if( zMsg ) w->zMessage = pms_strdup(zMsg);
      if( strcmp(w->zOp, "create")==0 ){
        const char *zKey = strcmp(pAM->zModel, "leads")==0 ? "applicationId"
                         : strcmp(pAM->zModel, "resident_charges")==0 ? "transaction_id" : "id";
        w->zCreatedXId = pms_json_id_text(en_get(pInfo, zKey));
      }
    }
    cJSON_Delete(p);
    return 0;
  }
  w->zStatus = "failed";
  {
    char *zMsg = en_error_message(0, pResp);
    w->zMessage = pms_mprintf("HTTP %ld%s%s", pResp->status, zMsg ? ": " : "", zMsg ? zMsg : "");
    free(zMsg);
  }
  return 0;
}

/* One record: the model's list call for the record's property (from the
** cached record: Entrata lists need it) asking for that id, then the
** record with that id picked from the answer. A record the cache does not
** hold yet cannot be read alone. */
static pms_request *en_get_request(pms_session *pS, const pms_adapter_model *pAM,
                                   const char *zXId, const cJSON *pCached){
  const en_res *pR = en_res_of(pAM->zModel);
  const cJSON *pProp = en_record_property(pCached);
  cJSON *pP;
  char zQ[64];
  if( pR->zPartParam && pProp==0 ) return 0;
  pP = cJSON_CreateObject();
  if( pR->zPartParam ){
    char *zProp = pms_json_id_text(pProp);
    if( zProp && strcmp(pR->zPartParam, "propertyIds")==0 ) cJSON_AddStringToObject(pP, pR->zPartParam, zProp);
    else if( zProp ) cJSON_AddNumberToObject(pP, pR->zPartParam, atof(zProp));
    free(zProp);
  }
  if( en_ledger_model(pAM->zModel) ){
    /* a ledger line is found in its lease's ledger */
    char *zLease = pms_json_id_text(en_get(pCached, "leaseId"));
    if( zLease==0 ){ cJSON_Delete(pP); return 0; }
    cJSON_AddStringToObject(pP, pR->zIdsParam, zLease);
    cJSON_AddNumberToObject(pP, "showFullLedger", 1);
    free(zLease);
  }else if( pR->zIdsParam ){
    cJSON_AddStringToObject(pP, pR->zIdsParam, zXId);
  }
  snprintf(zQ, sizeof(zQ), "?page_no=1&per_page=%d", pS->pAdapter->nMaxPageSize);
  return en_call(pS, pAM->zPath, zQ, pR->zVersion, pP);
}

static cJSON *en_get_parse(pms_session *pS, const pms_adapter_model *pAM, pms_response *pResp,
                           const char *zXId, char **pzErr){
  cJSON *p = pms_response_json(pResp, 0, pzErr);
  cJSON *pRec;
  const cJSON *pList;
  int eLedger = en_ledger_model(pAM->zModel), nLeases;
  if( p==0 ) return 0;
  if( eLedger ){
    cJSON *pLines = en_ledger_lines(pms_json_path(p, "response.result"), eLedger, &nLeases);
    cJSON_Delete(p);
    p = pLines;
    pList = en_get(p, "lines");
  }else{
    pList = en_result_array(pms_json_path(p, "response.result"));
  }
  cJSON_ArrayForEach(pRec, (cJSON*)pList){
    char *zId = pS->pAdapter->xRecordId(pAM, pRec);
    int bMatch = zId && zXId && strcmp(zId, zXId)==0;
    free(zId);
    if( bMatch ){
      cJSON *pOut = cJSON_Duplicate(pRec, 1);
      cJSON_Delete(p);
      return pOut;
    }
  }
  cJSON_Delete(p);
  *pzErr = pms_mprintf("Entrata did not return %s %s", pAM->zModel, zXId ? zXId : "");
  return 0;
}

const pms_adapter pms_adapter_entrata = {
  .zVendor       = "ENTRATA",
  .aFixup        = aEnFixup,
  .xAuthorize    = en_authorize,
  .xListRequest  = en_list_request,
  .xListParse    = en_list_parse,
  .xErrorMessage = en_error_message,
  .xWriteBegin   = en_write_begin,
  .xWriteStep    = en_write_step,
  .xGetRequest   = en_get_request,
  .xGetParse     = en_get_parse,
  .xClassify     = en_classify,
  /* record ids (PropertyID, @attributes.Id, …): the manifest's, by the engine's default */
};
