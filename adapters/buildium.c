/*
** buildium.c — what is irregular about the Buildium Open API (BUILDIUM).
**
** capability/buildium.json says the regular part once: the x-buildium-*
** key headers, the resources under /v1, offset paging (limit <= 1000,
** X-Total-Count), the lastupdatedfrom filter, 10 requests/second, the
** ApiErrorResponse shape, every field read and written with its path,
** transform and value map. The engine does all of that from the manifest.
**
** The list URLs are the manifest's too (read.query: orderby=Id asc keeps
** paging stable; work orders filter by date only: since_format).
** What stays here: the fix-ups (phone arrays, manager names,
** the resident's current lease, tenant and application link arrays,
** half baths, a ledger transaction's type and month, a vendor's name and
** contacts), and writes, because every Buildium PUT is a full replace:
** an update reads the record first and resends it with the changes laid
** over it, phones go as {Home, Mobile, Work, Fax} slots, and a few create
** fields take shapes of their own (LeaseId, TenantIds, SecurityDeposit).
** Charges and payments are read from the general ledger, one list per
** income GL account (the query's {partition}), and posted to a lease's
** ledger (POST /leases/{leaseId}/charges or /payments), read back by id.
** A work order's history is its task's (/v1/tasks/{taskId}/history, read
** per work order by the Task.Id of its record: read.partition_key); the
** fix-up names the work order the list was read for.
*/
#include "../ext/pmsql.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------- fix-ups */

/* PhoneNumbers[] {Number, Type} -> <prefix>phone_1/_type, phone_2/_type */
static void bd_phones(pms_session *pS, pms_row *pRow, const cJSON *pPhones, const char *zPrefix){
  const pms_enum_map *aType = pms_adapter_value_map(pS->pAdapter, "phone_type");
  const cJSON *p;
  int n = 0;
  cJSON_ArrayForEach(p, pPhones){
    const cJSON *pNum = cJSON_GetObjectItemCaseSensitive(p, "Number");
    const cJSON *pType = cJSON_GetObjectItemCaseSensitive(p, "Type");
    char zCol[64];
    if( !cJSON_IsString(pNum) || n>=2 ) continue;
    n++;
    snprintf(zCol, sizeof(zCol), "%sphone_%d", zPrefix, n);
    pms_row_set_column(pRow, zCol, pNum->valuestring);
    snprintf(zCol, sizeof(zCol), "%sphone_%d_type", zPrefix, n);
    pms_row_set_column(pRow, zCol, pms_enum_lookup(aType, cJSON_IsString(pType) ? pType->valuestring : 0));
  }
}


static int bd_property_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pMgr = cJSON_GetObjectItemCaseSensitive(pRec, "RentalManager");
  (void)pzErr;
  if( cJSON_IsObject(pMgr) ){
    const cJSON *pCo = cJSON_GetObjectItemCaseSensitive(pMgr, "CompanyName");
    const cJSON *pF = cJSON_GetObjectItemCaseSensitive(pMgr, "FirstName");
    const cJSON *pL = cJSON_GetObjectItemCaseSensitive(pMgr, "LastName");
    if( cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pMgr, "IsCompany")) && cJSON_IsString(pCo) ){
      pms_row_set_column(pRow, "manager_name", pCo->valuestring);
    }else if( cJSON_IsString(pF) || cJSON_IsString(pL) ){
      char *z = pms_mprintf("%s%s%s", cJSON_IsString(pF) ? pF->valuestring : "",
                            cJSON_IsString(pF) && cJSON_IsString(pL) ? " " : "",
                            cJSON_IsString(pL) ? pL->valuestring : "");
      if( z ){ pms_row_set_column(pRow, "manager_name", z); free(z); }
    }
    bd_phones(pS, pRow, cJSON_GetObjectItemCaseSensitive(pMgr, "PhoneNumbers"), "manager_");
  }
  return SQLITE_OK;
}

static int bd_unit_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pBath = cJSON_GetObjectItemCaseSensitive(pRec, "UnitBathrooms");
  const pms_enum_map *aBath = pms_adapter_value_map(pS->pAdapter, "bathrooms");
  const char *zB = cJSON_IsString(pBath) ? pms_enum_lookup(aBath, pBath->valuestring) : 0;
  (void)pzErr;
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
  pms_row_set_column(pRow, "residents_meta_data", s.z);
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
  (void)pzErr;
  bd_phones(pS, pRow, cJSON_GetObjectItemCaseSensitive(pRec, "PhoneNumbers"), "");
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
  pms_row_set_column(pRow, "leases_meta_data", s.z);
  pms_str_reset(&s);
  if( pBest ){
    pms_row_set_fk(pRow, "lease_id", "x_lease_id", "leases", cJSON_GetObjectItemCaseSensitive(pBest, "Id"));
    pms_row_set_fk(pRow, "property_id", "x_property_id", "properties",
          cJSON_GetObjectItemCaseSensitive(pBest, "PropertyId"));
  }
  return SQLITE_OK;
}

static int bd_applicant_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pUnit = cJSON_GetObjectItemCaseSensitive(pRec, "UnitId");
  const cJSON *pStatus = cJSON_GetObjectItemCaseSensitive(pRec, "Status");
  const cJSON *pApp;
  pms_str s = {0};
  char *zId;
  int n = 0;
  const pms_enum_map *aStatus = pms_adapter_value_map(pS->pAdapter, "application_status");
  (void)pzErr;
  bd_phones(pS, pRow, cJSON_GetObjectItemCaseSensitive(pRec, "PhoneNumbers"), "");
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
    zId = pms_make_nested_id(pRow->zIntegration, "applications", zX);
    pms_str_appendf(&s, "%s{\"applicant_id\":", n++ ? "," : "");
    pms_str_append_json_string(&s, pRow->a[pRow->pModel->iId].z);
    pms_str_appendz(&s, ",\"application_id\":");
    pms_str_append_json_string(&s, zId);
    sqlite3_free(zId);
    pms_str_appendz(&s, ",\"x_application_id\":");
    pms_str_append_json_string(&s, zX);
    pms_str_appendz(&s, ",\"status_raw\":");
    if( zSt ) pms_str_append_json_string(&s, zSt); else pms_str_appendz(&s, "null");
    pms_str_appendz(&s, ",\"status_normalized\":");
    pms_str_append_json_string(&s, pms_enum_lookup(aStatus, zSt));
    pms_str_appendz(&s, ",\"submitted_at\":");
    if( cJSON_IsString(pAt) ) pms_str_append_json_string(&s, pAt->valuestring);
    else pms_str_appendz(&s, "null");
    pms_str_appendz(&s, "}");
    free(zX);
  }
  pms_str_appendz(&s, "]");
  if( s.oom ){ pms_str_reset(&s); return SQLITE_NOMEM; }
  pms_row_set_column(pRow, "applications", s.z);
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
  /* Propexo's nested names: vendor_id (a vendors row) and x_vendor_id */
  return pms_row_set_links(pRow, "vendors", "vendors", "vendor_id", pVendor, 0);
}

/* A task history entry names neither its work order (the list's: read per
** work order, by its Task.Id) nor its creator as one name. */
static int bd_task_history_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pUser = cJSON_GetObjectItemCaseSensitive(pRec, "CreatedByUser");
  const char *zFirst = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pUser, "FirstName"));
  const char *zLast = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pUser, "LastName"));
  (void)pS; (void)pzErr;
  if( pRow->zPartition ){
    cJSON *pWo = cJSON_CreateString(pRow->zPartition);
    pms_row_set_fk(pRow, "service_request_id", "x_service_request_id", "service_requests", pWo);
    cJSON_Delete(pWo);
  }
  if( (zFirst && *zFirst) || (zLast && *zLast) ){
    char *z = pms_mprintf("%s%s%s", zFirst ? zFirst : "", zFirst && *zFirst && zLast && *zLast ? " " : "",
                          zLast ? zLast : "");
    if( z ){ pms_row_set_column(pRow, "creator_name", z); free(z); }
  }
  return SQLITE_OK;
}

/* General-ledger transactions: charges and payments share the list; each
** model keeps its own TransactionType of lease transactions. post_month is
** the month of the date. */
static int bd_transaction_fixup(pms_row *pRow, const cJSON *pRec, const char *zType){
  const cJSON *pDate = cJSON_GetObjectItemCaseSensitive(pRec, "Date");
  const cJSON *pType = cJSON_GetObjectItemCaseSensitive(pRec, "TransactionType");
  const cJSON *pAgr = cJSON_GetObjectItemCaseSensitive(pRec, "UnitAgreement");
  const cJSON *pAgrType = cJSON_GetObjectItemCaseSensitive(pAgr, "Type");
  if( !cJSON_IsString(pType) || strcmp(pType->valuestring, zType)!=0
   || !cJSON_IsString(pAgrType) || strcmp(pAgrType->valuestring, "Lease")!=0 ){
    return PMS_SKIP_RECORD;   /* a bill, a deposit, an association fee, the other model */
  }
  if( cJSON_IsString(pDate) && strlen(pDate->valuestring)>=7 ){
    pms_row_set_text(pRow, pms_row_col(pRow, "post_month"), pDate->valuestring, 7);
  }
  return SQLITE_OK;
}

static int bd_charge_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  (void)pS; (void)pzErr;
  return bd_transaction_fixup(pRow, pRec, "Charge");
}

static int bd_payment_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  (void)pS; (void)pzErr;
  return bd_transaction_fixup(pRow, pRec, "Payment");
}

/* A person vendor's name: FirstName LastName (malloc'd). */
static char *bd_vendor_person_name(const cJSON *pRec){
  const cJSON *pF = cJSON_GetObjectItemCaseSensitive(pRec, "FirstName");
  const cJSON *pL = cJSON_GetObjectItemCaseSensitive(pRec, "LastName");
  return pms_mprintf("%s%s%s", cJSON_IsString(pF) ? pF->valuestring : "",
                     cJSON_IsString(pF) && cJSON_IsString(pL) ? " " : "",
                     cJSON_IsString(pL) ? pL->valuestring : "");
}

/* A person's name when the vendor is not a company; contacts as Propexo's
** [{name, email, phone, phone_type}]. */
static int bd_vendor_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pEmail = cJSON_GetObjectItemCaseSensitive(pRec, "PrimaryEmail");
  const cJSON *pPhone = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(pRec, "PhoneNumbers"), 0);
  const cJSON *pNum = cJSON_GetObjectItemCaseSensitive(pPhone, "Number");
  const cJSON *pType = cJSON_GetObjectItemCaseSensitive(pPhone, "Type");
  char *z;
  int iName;
  (void)pzErr;
  if( !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pRec, "IsCompany")) ){
    z = bd_vendor_person_name(pRec);
    if( z ){ pms_row_set_column(pRow, "name", z); free(z); }
  }
  iName = pms_row_col(pRow, "name");
  return pms_row_set_vendor_contact(pRow, iName>=0 ? pRow->a[iName].z : 0,
      cJSON_IsString(pEmail) ? pEmail->valuestring : 0, cJSON_IsString(pNum) ? pNum->valuestring : 0,
      cJSON_IsString(pType) ? pms_enum_lookup(pms_adapter_value_map(pS->pAdapter, "phone_type"), pType->valuestring) : 0);
}

static const pms_adapter_fixup aBdFixup[] = {
  { "properties",       bd_property_fixup },
  { "units",            bd_unit_fixup },
  { "leases",           bd_lease_fixup },
  { "residents",        bd_resident_fixup },
  { "applicants",       bd_applicant_fixup },
  { "service_requests", bd_work_order_fixup },
  { "service_request_history", bd_task_history_fixup },
  { "vendors",          bd_vendor_fixup },
  { "resident_charges", bd_charge_fixup },
  { "resident_payments", bd_payment_fixup },
  { 0, 0 }
};

/* --------------------------------------------------------------- writes */

/* Buildium writes phones as {Home, Work, Mobile, Fax}; reads give
** [{Number, Type}]. The slot of a type is the vendor value a write sends
** for the unified type it reads as (the phone_type value map both ways);
** types without a write slot take a free one. */
static const char *bd_phone_slot(const pms_enum_map *aType, const char *zType){
  return zType ? pms_enum_vendor(aType, pms_enum_lookup(aType, zType)) : 0;
}

/* The write-shape phones: the current numbers (read shape), with
** phone_1/phone_2 (and their types) from the write laid over them. */
static cJSON *bd_phones_for_write(const pms_enum_map *aType, const cJSON *pCurrent,
                                  const cJSON *pFields){
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
    a[n].zSlot = bd_phone_slot(aType, cJSON_IsString(pT) ? pT->valuestring : 0);
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
    if( cJSON_IsString(pT) ) a[i].zSlot = bd_phone_slot(aType, pT->valuestring);
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

/* A vendor's tax information as a PUT's TaxInformationSaveMessage: the
** read's TaxPayerIdType is the write's TaxPayerType (IncludeIn1099, which
** the PUT requires, as read). */
static cJSON *bd_vendor_tax_for_write(const cJSON *pV){
  static const char *const azKey[] = { "TaxPayerId", "TaxPayerName1", "TaxPayerName2",
                                       "IncludeIn1099", "Address", 0 };
  const cJSON *pT = cJSON_GetObjectItemCaseSensitive(pV, "TaxPayerIdType");
  cJSON *pOut = cJSON_CreateObject();
  int i;
  for(i=0; azKey[i]; i++){
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(pV, azKey[i]);
    if( p && !cJSON_IsNull(p) ) cJSON_AddItemToObject(pOut, azKey[i], cJSON_Duplicate(p, 1));
  }
  if( cJSON_IsString(pT) ) cJSON_AddStringToObject(pOut, "TaxPayerType", pT->valuestring);
  return pOut;
}

/* A tax id's TaxPayerType, told by its format (Buildium's own formats for
** each); NULL when it has neither. */
static const char *bd_tax_payer_type(const char *z){
  static const char *const aShape[][2] = { { "dd-ddddddd", "EIN" }, { "ddd-dd-dddd", "SSN" } };
  int i, k;
  for(i=0; i<2; i++){
    const char *p = aShape[i][0];
    for(k=0; p[k] && z[k] && (p[k]=='d' ? (z[k]>='0' && z[k]<='9') : z[k]==p[k]); k++){}
    if( p[k]==0 && z[k]==0 ) return aShape[i][1];
  }
  return 0;
}

/* tax_id into the body's TaxInformation (carried on update) with its
** type; NULL or '' clears both. */
static void bd_vendor_tax_id(cJSON *pBody, const cJSON *pV, int bCreate){
  cJSON *pTax = cJSON_GetObjectItemCaseSensitive(pBody, "TaxInformation");
  const char *z = cJSON_IsString(pV) ? pV->valuestring : "";
  if( !cJSON_IsObject(pTax) ){
    cJSON_DeleteItemFromObjectCaseSensitive(pBody, "TaxInformation");
    pTax = cJSON_AddObjectToObject(pBody, "TaxInformation");
  }
  cJSON_DeleteItemFromObjectCaseSensitive(pTax, "TaxPayerId");
  cJSON_DeleteItemFromObjectCaseSensitive(pTax, "TaxPayerType");
  if( *z ){
    cJSON_AddStringToObject(pTax, "TaxPayerId", z);
    cJSON_AddStringToObject(pTax, "TaxPayerType", bd_tax_payer_type(z));
  }
  /* a PUT's TaxInformationSaveMessage requires it */
  if( !bCreate && !cJSON_GetObjectItemCaseSensitive(pTax, "IncludeIn1099") ) cJSON_AddFalseToObject(pTax, "IncludeIn1099");
}

/* The vendor's name as read: CompanyName, or FirstName LastName. */
static int bd_vendor_name_is(const cJSON *pCurrent, const char *z){
  const cJSON *pCo = cJSON_GetObjectItemCaseSensitive(pCurrent, "CompanyName");
  char *zName;
  int bSame;
  if( cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pCurrent, "IsCompany")) ){
    return cJSON_IsString(pCo) && strcmp(pCo->valuestring, z)==0;
  }
  zName = bd_vendor_person_name(pCurrent);
  bSame = zName && strcmp(zName, z)==0;
  free(zName);
  return bSame;
}

/* contacts into the body: email as PrimaryEmail, phone and phone_type as
** the first phone (the others carried on update). Its name is the
** vendor's name: one that is not fails the write (name says it). */
static int bd_vendor_contacts(pms_session *pS, pms_write *w, cJSON *pBody, const cJSON *pV,
                              const cJSON *pCurrent, char **pzErr){
  cJSON *pC = pms_vendor_contact(pV, "Buildium", pzErr);
  const cJSON *pName, *pEmail, *pWant = cJSON_GetObjectItemCaseSensitive(w->pFields, "name");
  if( pC==0 ) return SQLITE_ERROR;
  pName = cJSON_GetObjectItemCaseSensitive(pC, "name");
  if( cJSON_IsString(pName) && (cJSON_IsString(pWant) ? strcmp(pWant->valuestring, pName->valuestring)!=0
                                                      : !pCurrent || !bd_vendor_name_is(pCurrent, pName->valuestring)) ){
    *pzErr = pms_mprintf("a Buildium vendor's contact is named as the vendor: set name, not contacts[0].name ('%s')",
                         pName->valuestring);
    cJSON_Delete(pC);
    return SQLITE_ERROR;
  }
  pEmail = cJSON_GetObjectItemCaseSensitive(pC, "email");
  if( pEmail ){
    cJSON *pE = cJSON_IsString(pEmail) ? cJSON_CreateString(pEmail->valuestring) : cJSON_CreateNull();
    if( cJSON_GetObjectItemCaseSensitive(pBody, "PrimaryEmail") ) cJSON_ReplaceItemInObjectCaseSensitive(pBody, "PrimaryEmail", pE);
    else cJSON_AddItemToObject(pBody, "PrimaryEmail", pE);
  }
  if( cJSON_GetObjectItemCaseSensitive(pC, "phone") || cJSON_GetObjectItemCaseSensitive(pC, "phone_type") ){
    const pms_enum_map *aType = pms_adapter_value_map(pS->pAdapter, "phone_type");
    const cJSON *pT = cJSON_GetObjectItemCaseSensitive(pC, "phone_type");
    cJSON *pAs = cJSON_CreateObject(), *pPh;
    if( cJSON_IsString(pT) && pms_enum_vendor(aType, pT->valuestring)==0 ){
      *pzErr = pms_mprintf("Buildium vendor contacts[0].phone_type '%s' is not one of HOME, MOBILE, WORK, FAX",
                           pT->valuestring);
      cJSON_Delete(pAs);
      cJSON_Delete(pC);
      return SQLITE_ERROR;
    }
    /* the contact's phone is the first phone (phone_1 of bd_phones_for_write) */
    if( cJSON_GetObjectItemCaseSensitive(pC, "phone") ){
      cJSON_AddItemToObject(pAs, "phone_1", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(pC, "phone"), 1));
    }
    if( pT ) cJSON_AddItemToObject(pAs, "phone_1_type", cJSON_Duplicate(pT, 1));
    pPh = bd_phones_for_write(aType, pCurrent ? cJSON_GetObjectItemCaseSensitive(pCurrent, "PhoneNumbers") : 0, pAs);
    cJSON_Delete(pAs);
    if( cJSON_GetObjectItemCaseSensitive(pBody, "PhoneNumbers") ) cJSON_ReplaceItemInObjectCaseSensitive(pBody, "PhoneNumbers", pPh);
    else cJSON_AddItemToObject(pBody, "PhoneNumbers", pPh);
  }
  cJSON_Delete(pC);
  return SQLITE_OK;
}

/* A key update.carry carries over from the current record, in the shape a
** PUT takes: phones as slots, the manager and entry contact as their ids;
** a vendor's category as its id, its insurance expiration as a date. */
static int bd_write_carry(pms_session *pS, const pms_adapter_model *pAM, const char *zKey,
                          const cJSON *pV, cJSON *pBody){
  if( strcmp(pAM->zModel, "vendors")==0 && cJSON_IsNull(pV) ){
    /* left out reads as null in a full replace */
  }else if( strcmp(pAM->zModel, "vendors")==0 && strcmp(zKey, "Category")==0 ){
    const cJSON *pId = cJSON_GetObjectItemCaseSensitive(pV, "Id");
    if( pId ) cJSON_AddItemToObject(pBody, "CategoryId", cJSON_Duplicate(pId, 1));
  }else if( strcmp(zKey, "ExpenseGLAccountId")==0 ){
    cJSON_AddItemToObject(pBody, "ExpenseGlAccountId", cJSON_Duplicate(pV, 1));
  }else if( strcmp(zKey, "TaxInformation")==0 ){
    cJSON_AddItemToObject(pBody, zKey, bd_vendor_tax_for_write(pV));
  }else if( strcmp(zKey, "VendorInsurance")==0 ){
    cJSON *pIns = cJSON_Duplicate(pV, 1);
    const cJSON *pExp = cJSON_GetObjectItemCaseSensitive(pIns, "ExpirationDate");
    if( cJSON_IsString(pExp) && strlen(pExp->valuestring)>10 ){
      char zDate[11];
      memcpy(zDate, pExp->valuestring, 10);
      zDate[10] = 0;
      cJSON_ReplaceItemInObjectCaseSensitive(pIns, "ExpirationDate", cJSON_CreateString(zDate));
    }
    cJSON_AddItemToObject(pBody, zKey, pIns);
  }else if( strcmp(zKey, "PhoneNumbers")==0 ){
    cJSON_AddItemToObject(pBody, zKey, bd_phones_for_write(pms_adapter_value_map(pS->pAdapter, "phone_type"), pV, 0));
  }else if( strcmp(zKey, "RentalManager")==0 || strcmp(zKey, "EntryContact")==0 ){
    const cJSON *pId = cJSON_GetObjectItemCaseSensitive(pV, "Id");
    if( pId ) cJSON_AddItemToObject(pBody, zKey[0]=='R' ? "PropertyManagerId" : "EntryContactId", cJSON_Duplicate(pId, 1));
  }else{
    cJSON_AddItemToObject(pBody, zKey, cJSON_Duplicate(pV, 1));
  }
  return SQLITE_OK;
}

/* A lease create's tenants ([{"id": <pmsql id>}], validated as ids of the
** integration's residents, applicants or leads): residents go to
** TenantIds, applicants to ApplicantIds; Buildium's lease takes no lead. */
static int bd_lease_tenants(const char *zInt, const cJSON *pF, cJSON *pBody, char **pzErr){
  cJSON *pArr = cJSON_IsString(pF) ? cJSON_Parse(pF->valuestring) : 0;
  cJSON *pE;
  int rc = SQLITE_OK;
  cJSON_ArrayForEach(pE, pArr){
    const cJSON *pId = cJSON_GetObjectItemCaseSensitive(pE, "id");
    const pms_model *pT = cJSON_IsString(pId) ? pms_id_model(pId->valuestring, zInt) : 0;
    const char *zKey = pT==0 ? 0 : strcmp(pT->zName, "residents")==0 ? "TenantIds"
                     : strcmp(pT->zName, "applicants")==0 ? "ApplicantIds" : 0;
    cJSON *pList;
    if( zKey==0 ){
      *pzErr = pms_mprintf("BUILDIUM field 'tenants' on leases create: %s is not a resident or an "
                           "applicant (a Buildium lease takes existing tenants and applicants only)",
                           cJSON_IsString(pId) ? pId->valuestring : "?");
      rc = SQLITE_ERROR;
      break;
    }
    pList = cJSON_GetObjectItemCaseSensitive(pBody, zKey);
    if( pList==0 ) pList = cJSON_AddArrayToObject(pBody, zKey);
    cJSON_AddItemToArray(pList, pms_fk_to_vendor(pId->valuestring));
  }
  cJSON_Delete(pArr);
  return rc;
}

/* The fields the write maps leave: phones, and create fields with shapes of
** their own. */
static int bd_write_fields(pms_session *pS, const pms_adapter_model *pAM, pms_write *w,
                           cJSON *pBody, cJSON *pLeft, const cJSON *pCurrent, char **pzErr){
  const pms_enum_map *aType = pms_adapter_value_map(pS->pAdapter, "phone_type");
  int bCreate = strcmp(w->zOp, "create")==0;
  cJSON *pF;
  if( strcmp(pAM->zModel, "vendors")==0 && cJSON_GetObjectItemCaseSensitive(w->pFields, "name")
   && pCurrent && cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(pCurrent, "IsCompany")) ){
    *pzErr = pms_mprintf("Buildium vendor %s is a person (IsCompany false): its name is FirstName "
                         "and LastName, and pmsql writes name as the CompanyName of a company only",
                         w->zXId ? w->zXId : "");
    return SQLITE_ERROR;
  }
  /* irregular fields */
  if( cJSON_GetObjectItemCaseSensitive(pLeft, "phone_1") || cJSON_GetObjectItemCaseSensitive(pLeft, "phone_2")
   || cJSON_GetObjectItemCaseSensitive(pLeft, "phone_1_type") || cJSON_GetObjectItemCaseSensitive(pLeft, "phone_2_type") ){
    const cJSON *pCur = pCurrent ? cJSON_GetObjectItemCaseSensitive(pCurrent, "PhoneNumbers") : 0;
    cJSON *pPh = bd_phones_for_write(aType, pCur, pLeft);
    if( cJSON_GetObjectItemCaseSensitive(pBody, "PhoneNumbers") ){
      cJSON_ReplaceItemInObjectCaseSensitive(pBody, "PhoneNumbers", pPh);
    }else{
      cJSON_AddItemToObject(pBody, "PhoneNumbers", pPh);
    }
  }
  cJSON_ArrayForEach(pF, pLeft){
    const char *z = pF->string;
    if( strncmp(z, "phone_", 6)==0 ) continue;
    if( strcmp(z, "lease_id")==0 && bCreate && strcmp(pAM->zModel, "recurring_resident_charges")==0 ){
      /* in the path: bd_write_begin */
    }else if( strcmp(z, "contacts")==0 && strcmp(pAM->zModel, "vendors")==0 ){
      if( bd_vendor_contacts(pS, w, pBody, pF, pCurrent, pzErr) ) return SQLITE_ERROR;
    }else if( strcmp(z, "tax_id")==0 && strcmp(pAM->zModel, "vendors")==0 ){
      bd_vendor_tax_id(pBody, pF, bCreate);
    }else if( strcmp(z, "type")==0 && strcmp(pAM->zModel, "vendors")==0 ){
      /* the category bd_vendor_category found; a dry run looks nothing up,
      ** so its body has the carried CategoryId, or none on a create */
      if( w->pLookup ){
        if( cJSON_GetObjectItemCaseSensitive(pBody, "CategoryId") ){
          cJSON_ReplaceItemInObjectCaseSensitive(pBody, "CategoryId", cJSON_Duplicate(w->pLookup, 1));
        }else{
          cJSON_AddItemToObject(pBody, "CategoryId", cJSON_Duplicate(w->pLookup, 1));
        }
      }
    }else if( strcmp(z, "lease_id")==0 && bCreate ){
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
    }else if( strcmp(z, "employee_id")==0 && bCreate ){
      /* the new task's assignee: a Buildium staff user id, as a number */
      cJSON *pTask = cJSON_GetObjectItemCaseSensitive(pBody, "Task");
      if( pTask==0 ) pTask = cJSON_AddObjectToObject(pBody, "Task");
      cJSON_AddItemToObject(pTask, "AssignedToUserId", pms_fk_to_vendor(cJSON_IsString(pF) ? pF->valuestring : 0));
    }else if( strcmp(z, "tenants")==0 && bCreate ){
      if( bd_lease_tenants(w->zIntegration, pF, pBody, pzErr) ) return SQLITE_ERROR;
    }else{
      *pzErr = pms_mprintf("the Buildium adapter cannot write %s.%s", pAM->zModel, z);
      return SQLITE_ERROR;
    }
  }
  return SQLITE_OK;
}

/* A charge or a payment goes on a lease's ledger: POST
** /v1/leases/{leaseId}/charges (LeaseChargePostMessage) or /payments
** (LeaseLedgerPaymentPostMessage), one line on the GL account given. */
static int bd_is_ledger(const pms_adapter_model *pAM){
  return strcmp(pAM->zModel, "resident_charges")==0 || strcmp(pAM->zModel, "resident_payments")==0;
}

static char *bd_ledger_body(pms_session *pS, const pms_adapter_model *pAM, pms_write *w, char **pzErr){
  static const char *const azKnown[] = { "lease_id", "amount_in_cents", "description",
    "reference_number", "charge_code_id", "transaction_date", "resident_id",
    "payment_method_normalized", 0 };
  int bPay = strcmp(pAM->zModel, "resident_payments")==0;
  const cJSON *pF = w->pFields;
  const cJSON *pAmt = cJSON_GetObjectItemCaseSensitive(pF, "amount_in_cents");
  const cJSON *pMemo = cJSON_GetObjectItemCaseSensitive(pF, "description");
  const cJSON *pRef = cJSON_GetObjectItemCaseSensitive(pF, "reference_number");
  const cJSON *pCode = cJSON_GetObjectItemCaseSensitive(pF, "charge_code_id");
  const cJSON *pDate = cJSON_GetObjectItemCaseSensitive(pF, "transaction_date");
  cJSON *pBody = cJSON_CreateObject(), *pLines = cJSON_AddArrayToObject(pBody, "Lines");
  cJSON *pLine = cJSON_CreateObject();
  const cJSON *pI;
  char *zOut = 0;
  if( pLines==0 || pLine==0 ){ cJSON_Delete(pLine); goto done; }
  cJSON_AddItemToArray(pLines, pLine);
  cJSON_ArrayForEach(pI, pF){
    int k;
    for(k=0; azKnown[k] && strcmp(azKnown[k], pI->string)!=0; k++){}
    if( azKnown[k]==0 ){
      *pzErr = pms_mprintf("the Buildium adapter cannot write %s.%s", pAM->zModel, pI->string);
      goto done;
    }
  }
  if( cJSON_IsString(pDate) ) cJSON_AddStringToObject(pBody, "Date", pDate->valuestring);
  if( cJSON_IsString(pMemo) ) cJSON_AddStringToObject(pBody, "Memo", pMemo->valuestring);
  cJSON_AddNumberToObject(pLine, "Amount", cJSON_IsNumber(pAmt) ? pAmt->valuedouble/100.0 : 0);
  cJSON_AddItemToObject(pLine, "GLAccountId", pms_fk_to_vendor(cJSON_IsString(pCode) ? pCode->valuestring : 0));
  if( bPay ){
    /* the first vendor value of the payment_method map that reads as it */
    const cJSON *pM = cJSON_GetObjectItemCaseSensitive(pF, "payment_method_normalized");
    const cJSON *pRes = cJSON_GetObjectItemCaseSensitive(pF, "resident_id");
    const pms_enum_map *pE = pms_adapter_value_map(pS->pAdapter, "payment_method");
    while( pE && pE->zVendor && !(cJSON_IsString(pM) && pE->zUnified && strcmp(pE->zUnified, pM->valuestring)==0) ) pE++;
    if( pE==0 || pE->zVendor==0 ){
      *pzErr = pms_mprintf("no Buildium payment method for '%s'", cJSON_IsString(pM) ? pM->valuestring : "");
      goto done;
    }
    cJSON_AddStringToObject(pBody, "PaymentMethod", pE->zVendor);
    if( cJSON_IsString(pRes) ) cJSON_AddItemToObject(pBody, "PayeeUserId", pms_fk_to_vendor(pRes->valuestring));
    if( cJSON_IsString(pRef) ) cJSON_AddStringToObject(pBody, "ReferenceNumber", pRef->valuestring);
    cJSON_AddFalseToObject(pBody, "SendEmailReceipt");
  }else if( cJSON_IsString(pRef) ){
    cJSON_AddStringToObject(pLine, "ReferenceNumber", pRef->valuestring);
  }
  zOut = cJSON_PrintUnformatted(pBody);
done:
  cJSON_Delete(pBody);
  if( zOut ){ char *z = pms_strdup(zOut); cJSON_free(zOut); return z; }
  if( *pzErr==0 ) *pzErr = pms_strdup("cannot build the request body");
  return 0;
}

/* What a create posts to under /v1/leases/{leaseId}/: charges, payments
** and recurring charges go on a lease; NULL for the engine's writer. */
static const char *bd_lease_path(const pms_adapter_model *pAM, const pms_write *w){
  if( strcmp(w->zOp, "create")!=0 ) return 0;
  if( strcmp(pAM->zModel, "resident_charges")==0 ) return "charges";
  if( strcmp(pAM->zModel, "resident_payments")==0 ) return "payments";
  if( strcmp(pAM->zModel, "recurring_resident_charges")==0 ) return "recurringcharges";
  return 0;
}

/* A vendor write that sets type first reads Buildium's vendor categories
** (CategoryId is required and type is its name): this step, then the
** engine's POST or read-then-PUT. */
#define BD_STEP_CATEGORIES 10

static int bd_wants_category(const pms_adapter_model *pAM, const pms_write *w){
  return strcmp(pAM->zModel, "vendors")==0 && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(w->pFields, "type"));
}

/* The id of the category named like the write's type, into w->pLookup; or
** the write fails naming the categories Buildium has. */
static int bd_vendor_category(pms_write *w, pms_response *pResp){
  const char *zType = cJSON_GetObjectItemCaseSensitive(w->pFields, "type")->valuestring;
  char *zErr = 0;
  cJSON *pList = pms_response_json(pResp, 1, &zErr);
  const cJSON *pArr = cJSON_IsArray(pList) ? pList : NULL, *pC;
  pms_str names = {0};
  cJSON_ArrayForEach(pC, pArr){
    const cJSON *pName = cJSON_GetObjectItemCaseSensitive(pC, "Name");
    const cJSON *pId = cJSON_GetObjectItemCaseSensitive(pC, "Id");
    if( !cJSON_IsString(pName) || !cJSON_IsNumber(pId) ) continue;
    if( strcasecmp(pName->valuestring, zType)==0 ){
      w->pLookup = cJSON_Duplicate(pId, 1);
      break;
    }
    pms_str_appendf(&names, "%s%s", names.n ? ", " : "", pName->valuestring);
  }
  if( w->pLookup==0 ){
    w->zStatus = "failed";
    free(w->zMessage);
    w->zMessage = zErr ? pms_mprintf("reading the vendor categories: %s", zErr)
                       : pms_mprintf("Buildium has no vendor category named '%s' (GET /v1/vendors/categories "
                                     "has: %s)", zType, names.z ? names.z : "none");
  }
  free(zErr);
  pms_str_reset(&names);
  cJSON_Delete(pList);
  return w->pLookup ? SQLITE_OK : SQLITE_ERROR;
}

/* Charges, payments and recurring charges: POST /v1/leases/{leaseId}/...
** (a ledger transaction's body is built here, a recurring charge's by the
** write map); a vendor's category first; everything else goes through the
** engine. */
static pms_request *bd_write_begin(pms_session *pS, const pms_adapter_model *pAM, pms_write *w,
                                   int bDry, char **pzErr){
  const cJSON *pLease = cJSON_GetObjectItemCaseSensitive(w->pFields, "lease_id");
  const char *zPath = bd_lease_path(pAM, w);
  cJSON *pX;
  char *zBody, *zLease, *zUrl;
  pms_request *r = 0;
  if( strcmp(pAM->zModel, "vendors")==0 ){
    const cJSON *pTax = cJSON_GetObjectItemCaseSensitive(w->pFields, "tax_id");
    const cJSON *pCon = cJSON_GetObjectItemCaseSensitive(w->pFields, "contacts");
    if( pCon ){
      cJSON *pC = pms_vendor_contact(pCon, "Buildium", pzErr);   /* its shape, before any request */
      if( pC==0 ) return 0;
      cJSON_Delete(pC);
    }
    if( cJSON_IsString(pTax) && pTax->valuestring[0] && bd_tax_payer_type(pTax->valuestring)==0 ){
      *pzErr = pms_mprintf("Buildium takes a vendor's tax_id as an EIN (12-3456789) or an SSN "
                           "(123-45-6789), which tells it the TaxPayerType; '%s' is neither", pTax->valuestring);
      return 0;
    }
  }
  if( bd_wants_category(pAM, w) && !bDry ){
    w->iStep = BD_STEP_CATEGORIES;
    zUrl = pms_mprintf("%s/v1/vendors/categories?limit=1000&offset=0", pS->zBaseUrl);
    r = zUrl ? pms_request_new("GET", zUrl) : 0;
    free(zUrl);
    return r;
  }
  if( zPath==0 ) return pms_rest_write_begin(pS, pAM, w, bDry, pzErr);
  w->iStep = 2;
  zBody = bd_is_ledger(pAM) ? bd_ledger_body(pS, pAM, w, pzErr) : pms_rest_write_body(pS, pAM, w, 0, pzErr);
  if( zBody==0 ) return 0;
  pX = pms_fk_to_vendor(cJSON_IsString(pLease) ? pLease->valuestring : 0);
  zLease = pms_json_id_text(pX);
  cJSON_Delete(pX);
  if( zLease ){ char *zSeg = pms_url_segment(zLease); free(zLease); zLease = zSeg; }
  zUrl = zLease ? pms_mprintf("%s/v1/leases/%s/%s", pS->zBaseUrl, zLease, zPath) : 0;
  if( zUrl ) r = pms_request_new("POST", zUrl);
  if( r ){
    pms_request_body(r, zBody, "application/json");
    pms_request_not_idempotent(r);
  }
  free(zLease);
  free(zUrl);
  free(zBody);
  return r;
}

static pms_request *bd_write_step(pms_session *pS, const pms_adapter_model *pAM, pms_write *w,
                                  pms_response *pResp){
  if( w->iStep==BD_STEP_CATEGORIES ){
    char *zErr = 0;
    pms_request *r;
    if( pResp->status!=200 ){
      pms_write_failed(pS, w, pResp, "reading the vendor categories: ");
      return 0;
    }
    if( bd_vendor_category(w, pResp) ) return 0;
    r = pms_rest_write_begin(pS, pAM, w, 0, &zErr);
    if( r==0 ){
      w->zStatus = "failed";
      free(w->zMessage);
      w->zMessage = zErr ? zErr : pms_strdup("cannot build the request");
    }
    return r;
  }
  if( bd_lease_path(pAM, w)==0 ) return pms_rest_write_step(pS, pAM, w, pResp);
  w->httpStatus = pResp->status;
  if( pResp->status==201 || pResp->status==200 ){
    /* the answer is a LeaseTransactionMessage (an array of them for a
    ** charge) or a LeaseChargeRecurringTransactionMessage, not the shape
    ** the model reads: a refresh reads it by id */
    cJSON *p = cJSON_ParseWithLength(pResp->zBody ? pResp->zBody : "", pResp->nBody);
    const cJSON *pT = cJSON_IsArray(p) ? cJSON_GetArrayItem(p, 0) : p;
    w->zStatus = "succeeded";
    w->zCreatedXId = pms_json_id_text(cJSON_GetObjectItemCaseSensitive(pT, "Id"));
    cJSON_Delete(p);
  }else{
    pms_write_failed(pS, w, pResp, "");
  }
  return 0;
}

/* One record: GET <resource>/<id>, except a recurring transaction, which
** Buildium reads only through its lease. */
static pms_request *bd_get_request(pms_session *pS, const pms_adapter_model *pAM,
                                   const char *zXId, const cJSON *pCached){
  (void)pCached;
  if( strcmp(pAM->zModel, "recurring_resident_charges")==0 ) return 0;
  return pms_get_by_id(pS, pAM, zXId);
}

const pms_adapter pms_adapter_buildium = {
  .zVendor      = "BUILDIUM",
  .aFixup       = aBdFixup,
  .xWriteBegin  = bd_write_begin,
  .xWriteStep   = bd_write_step,
  .xGetRequest  = bd_get_request,
  .xWriteCarry  = bd_write_carry,
  .xWriteFields = bd_write_fields,
  /* auth headers, bare-array lists, Id, ApiErrorResponse, POST / read-then-PUT
  ** with update.carry and create.fixed: the manifest says them and the
  ** engine's defaults do them (bd_write_begin hands them on) */
};
