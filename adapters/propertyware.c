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
** service_requests, income GL accounts -> charge_codes, vendors, lease
** charges and payments, lease auto charges -> recurring_resident_charges. Propertyware has no applicants resource of its own
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
** service_requests delete (DELETE, 204); resident_charges create (POST
** /leases/charges, SaveCharge, fields as the manifest writes them) and
** resident_payments create (POST /leases/payments, SavePayment: the same,
** and paymentType OTHER when no method is given).
**
** Auto charges (recurring_resident_charges) are read per lease from
** /leases/{leaseId}/autocharges; the records do not name the lease, so the
** fix-up takes it from the list they came in (pms_row.zPartition).
*/
#include "../ext/pmsql.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- fix-ups */

static const char *pw_str(const cJSON *p, const char *zKey){
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, zKey);
  return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : 0;
}

/* custom_data: customFields [{fieldName, value, ...}] as {fieldName: value}. */
static void pw_custom_data(pms_row *pRow, const cJSON *pRec){
  const cJSON *pArr = cJSON_GetObjectItemCaseSensitive(pRec, "customFields"), *pF;
  cJSON *pOut;
  if( !cJSON_IsArray(pArr) || cJSON_GetArraySize(pArr)==0 ) return;
  pOut = cJSON_CreateObject();
  cJSON_ArrayForEach(pF, pArr){
    const char *zName = pw_str(pF, "fieldName");
    const cJSON *pV = cJSON_GetObjectItemCaseSensitive(pF, "value");
    if( zName && !cJSON_GetObjectItemCaseSensitive(pOut, zName) ){
      cJSON_AddItemToObject(pOut, zName, pV ? cJSON_Duplicate(pV, 1) : cJSON_CreateNull());
    }
  }
  pms_row_set_json(pRow, "custom_data", pOut);   /* out of memory: left NULL */
}

#define PW_VENDOR "PROPERTYWARE_REST"

/* A contact's phones are named slots; the first two present, in the order
** of the manifest's phone_slot value map (slot -> type), become phone_1 and
** phone_2. */
static const pms_enum_map *pw_slots(void){
  return pms_adapter_value_map(pms_adapter_find(PW_VENDOR), "phone_slot");
}

/* The slots (indexes into pw_slots()) of phone_1 and phone_2; -1 if none. */
static void pw_phone_slots(const cJSON *pContact, int aSlot[2]){
  const pms_enum_map *a = pw_slots();
  int i, n = 0;
  aSlot[0] = aSlot[1] = -1;
  for(i=0; a && a[i].zVendor && n<2; i++){
    if( pw_str(pContact, a[i].zVendor) ) aSlot[n++] = i;
  }
}

static void pw_phones(pms_row *pRow, const cJSON *pContact){
  int aSlot[2], i;
  pw_phone_slots(pContact, aSlot);
  for(i=0; i<2; i++){
    char zCol[32];
    if( aSlot[i]<0 ) continue;
    snprintf(zCol, sizeof(zCol), "phone_%d", i+1);
    pms_row_set_column(pRow, zCol, pw_str(pContact, pw_slots()[aSlot[i]].zVendor));
    snprintf(zCol, sizeof(zCol), "phone_%d_type", i+1);
    pms_row_set_column(pRow, zCol, pw_slots()[aSlot[i]].zUnified);
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
  if( cJSON_IsNumber(pBath) ) pms_row_set_bathrooms(pRow, pBath->valuedouble);
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
  if( !s.oom ) pms_row_set_column(pRow, "residents_meta_data", s.z);
  pms_str_reset(&s);
  return SQLITE_OK;
}

/* petWeights read as one number per pet ("25, 40"): how many (at most
** nMax), or -1 when the text is anything else. */
static int pw_weights(const char *z, double *aW, int nMax){
  int n = 0;
  while( z && *z ){
    char *zEnd;
    double r = strtod(z, &zEnd);
    if( zEnd==z || n==nMax ) return -1;
    while( *zEnd==' ' ) zEnd++;
    if( *zEnd && *zEnd!=',' ) return -1;
    aW[n++] = r;
    z = *zEnd ? zEnd + 1 : zEnd;
  }
  return n;
}

/* pets in Propexo's names (lead_pets) from the prospect's summary: hasPets,
** numberOfPets, one petType for all and petWeights, free text. Each pet is
** of petType; its weight is the n-th number of petWeights when the text is
** exactly one number per pet (separated by commas), else the text is every
** pet's notes. Propertyware keeps no pet records: id and x_id are null. */
static int pw_pets(pms_row *pRow, const cJSON *pRec){
  const cJSON *pHas = cJSON_GetObjectItemCaseSensitive(pRec, "hasPets");
  const cJSON *pNum = cJSON_GetObjectItemCaseSensitive(pRec, "numberOfPets");
  const char *zType = pw_str(pRec, "petType");
  const char *zW = pw_str(pRec, "petWeights");
  double aW[16];
  int n, nW, i, rc = SQLITE_OK;
  cJSON *pArr;
  if( pHas==0 && pNum==0 ) return SQLITE_OK;        /* not told: stays NULL */
  n = cJSON_IsNumber(pNum) && pNum->valuedouble>0 ? (int)pNum->valuedouble : 0;
  if( n==0 && cJSON_IsTrue(pHas) ) n = 1;
  if( cJSON_IsFalse(pHas) ) n = 0;
  if( n>(int)(sizeof(aW)/sizeof(aW[0])) ) n = (int)(sizeof(aW)/sizeof(aW[0]));
  nW = pw_weights(zW, aW, n);
  if( (pArr = cJSON_CreateArray())==0 ) return SQLITE_NOMEM;
  for(i=0; i<n && rc==SQLITE_OK; i++){
    cJSON *pO = pms_nested_new("lead_pets", pRow->zIntegration, 0);
    if( pO==0 ){ rc = SQLITE_NOMEM; break; }
    cJSON_AddItemToArray(pArr, pO);
    if( zType ) rc = pms_nested_set(pO, "type", cJSON_CreateString(zType));
    if( rc==SQLITE_OK && nW==n ) rc = pms_nested_set(pO, "weight_in_pounds", cJSON_CreateNumber(aW[i]));
    if( rc==SQLITE_OK && nW!=n && zW ) rc = pms_nested_set(pO, "notes", cJSON_CreateString(zW));
  }
  if( rc ){ cJSON_Delete(pArr); return rc; }
  return pms_row_set_json(pRow, "pets", pArr);
}

/* The prospect's first contact carries the person. */
static int pw_prospect_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pC = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(pRec, "contacts"), 0);
  int rc;
  (void)pS; (void)pzErr;
  pw_custom_data(pRow, pRec);
  rc = pw_pets(pRow, pRec);
  if( rc ) return rc;
  if( !cJSON_IsObject(pC) ) return SQLITE_OK;
  pms_row_set_column(pRow, "first_name", pw_str(pC, "firstName"));
  pms_row_set_column(pRow, "last_name", pw_str(pC, "lastName"));
  pms_row_set_column(pRow, "email_1", pw_str(pC, "email"));
  pw_phones(pRow, pC);
  return SQLITE_OK;
}

static int pw_workorder_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const char *z = pw_str(pRec, "authorizeEnter");
  (void)pS; (void)pzErr;
  pw_custom_data(pRow, pRec);
  if( z ) pms_row_set_int(pRow, pms_row_col(pRow, "access_is_authorized"), strcmp(z, "NO")!=0);
  /* assignedVendors [BasicVendor]: links to vendors rows by their id */
  return pms_row_set_links(pRow, "vendors", "vendors", "vendor_id",
                           cJSON_GetObjectItemCaseSensitive(pRec, "assignedVendors"), "id");
}

/* Only income accounts are charge codes (the list has bank accounts too). */
static int pw_glaccount_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const char *z = pw_str(pRec, "accountType");
  (void)pS; (void)pRow; (void)pzErr;
  return z && strcmp(z, "Income")==0 ? SQLITE_OK : PMS_SKIP_RECORD;
}

/* contacts: the vendor's one contact, its name the vendor's; the Vendor's
** phone has no type. */
static int pw_vendor_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pName = cJSON_GetObjectItemCaseSensitive(pRec, "name");
  const cJSON *pEmail = cJSON_GetObjectItemCaseSensitive(pRec, "email");
  const cJSON *pPhone = cJSON_GetObjectItemCaseSensitive(pRec, "phone");
  (void)pS; (void)pzErr;
  return pms_row_set_vendor_contact(pRow, cJSON_IsString(pName) ? pName->valuestring : 0,
                                    cJSON_IsString(pEmail) ? pEmail->valuestring : 0,
                                    cJSON_IsString(pPhone) ? pPhone->valuestring : 0, 0);
}

/* post_month is the month of the post date; a charge is open while
** something is due on it. */
static int pw_txn_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const char *zDate = pw_str(pRec, "date");
  const cJSON *pDue = cJSON_GetObjectItemCaseSensitive(pRec, "amountDue");
  int iOpen = pms_row_col(pRow, "is_open");
  (void)pS; (void)pzErr;
  if( zDate && strlen(zDate)>=7 ) pms_row_set_text(pRow, pms_row_col(pRow, "post_month"), zDate, 7);
  if( iOpen>=0 && cJSON_IsNumber(pDue) ) pms_row_set_int(pRow, iOpen, pDue->valuedouble>0.004);
  return SQLITE_OK;
}

/* An auto charge names neither its lease (the list's, read per lease) nor a
** numeric due day (dueDay is text: "1st of the month"). */
static int pw_autocharge_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const char *zDue = pw_str(pRec, "dueDay");
  (void)pS; (void)pzErr;
  if( pRow->zPartition ){
    cJSON *pLease = cJSON_CreateString(pRow->zPartition);
    pms_row_set_fk(pRow, "lease_id", "x_lease_id", "leases", pLease);
    cJSON_Delete(pLease);
  }
  if( zDue && zDue[0]>='0' && zDue[0]<='9' ){
    int iDay = atoi(zDue);
    if( iDay>=1 && iDay<=31 ) pms_row_set_int(pRow, pms_row_col(pRow, "charge_due_day"), iDay);
  }
  return SQLITE_OK;
}

static const pms_adapter_fixup aPwFixup[] = {
  { "vendors",          pw_vendor_fixup },
  { "properties",       pw_building_fixup },
  { "units",            pw_unit_fixup },
  { "leases",           pw_lease_fixup },
  { "residents",        pw_contact_fixup },
  { "leads",            pw_prospect_fixup },
  { "service_requests", pw_workorder_fixup },
  { "charge_codes",     pw_glaccount_fixup },
  { "resident_charges", pw_txn_fixup },
  { "resident_payments", pw_txn_fixup },
  { "recurring_resident_charges", pw_autocharge_fixup },
  { 0, 0 }
};

/* --------------------------------------------------------------- writes */

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
  const pms_enum_map *a = pw_slots();
  int i;
  for(i=0; zType && a && a[i].zVendor; i++) if( strcmp(a[i].zUnified, zType)==0 ) return i;
  return -1;
}

/* phone_1/phone_2 (and their types) onto a contact body. pCurrent (may be
** NULL) is the contact as it is now: a number keeps its slot unless its
** type changes, and a type change moves the number. */
static void pw_phones_for_write(cJSON *pBody, const cJSON *pCurrent, const cJSON *pLeft){
  const pms_enum_map *a = pw_slots();
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
      const char *zOld = aSlot[i]>=0 ? pw_str(pCurrent, a[aSlot[i]].zVendor) : 0;
      if( zOld==0 ) continue;                      /* a type without a number */
      pw_put(pBody, a[iNew].zVendor, cJSON_CreateString(zOld));
      mWritten |= 1<<iNew;
    }else if( cJSON_IsString(pN) ){
      pw_put(pBody, a[iNew].zVendor, cJSON_CreateString(pN->valuestring));
      mWritten |= 1<<iNew;
    }else{
      cJSON_DeleteItemFromObjectCaseSensitive(pBody, a[iNew].zVendor);
    }
    if( aSlot[i]>=0 && aSlot[i]!=iNew && (mWritten & (1<<aSlot[i]))==0 ){
      cJSON_DeleteItemFromObjectCaseSensitive(pBody, a[aSlot[i]].zVendor);
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
      /* an integer as its digits; anything else (3.5, 1e300) as %.17g,
      ** never through an integer cast that truncates or overflows */
      char zNum[32], *zId = pms_json_id_text(pV);
      if( zId==0 ) snprintf(zNum, sizeof(zNum), "%.17g", pV->valuedouble);
      cJSON_Delete(pV);
      pV = cJSON_CreateString(zId ? zId : zNum);
      free(zId);
    }
    cJSON_AddItemToObject(pBody, pR->zSave, pV);
  }
  return SQLITE_OK;
}


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

/* A vendor's contacts: SaveVendor's email and phone (which has no type);
** its name is the vendor's name. */
static int pw_vendor_body(cJSON *pBody, cJSON *pLeft, const cJSON *pCurrent, char **pzErr){
  const cJSON *pV = cJSON_GetObjectItemCaseSensitive(pLeft, "contacts");
  const cJSON *pName = cJSON_GetObjectItemCaseSensitive(pBody, "name"), *pK;
  cJSON *pC;
  (void)pCurrent;
  if( pLeft->child && (pV==0 || pLeft->child->next) ){
    const cJSON *pOther = pLeft->child==pV ? pV->next : pLeft->child;
    *pzErr = pms_mprintf("the Propertyware adapter cannot write vendors.%s", pOther->string);
    return SQLITE_ERROR;
  }
  if( pV==0 ) return SQLITE_OK;
  pC = pms_vendor_contact(pV, "Propertyware", pzErr);
  if( pC==0 ) return SQLITE_ERROR;
  cJSON_ArrayForEach(pK, pC){
    if( cJSON_IsNull(pK) ) continue;
    if( strcmp(pK->string, "phone_type")==0 ){
      *pzErr = pms_strdup("a Propertyware vendor's phone has no type: leave contacts[0].phone_type out");
    }else if( strcmp(pK->string, "name")==0 && !(cJSON_IsString(pName) && cJSON_IsString(pK)
                                                && strcmp(pName->valuestring, pK->valuestring)==0) ){
      *pzErr = pms_mprintf("a Propertyware vendor's contact is named as the vendor: set name, not "
                           "contacts[0].name ('%s')", cJSON_IsString(pK) ? pK->valuestring : "");
    }else if( strcmp(pK->string, "name")!=0 ){
      cJSON_AddItemToObject(pBody, pK->string, cJSON_Duplicate(pK, 1));   /* email, phone */
    }
    if( *pzErr ) break;
  }
  cJSON_Delete(pC);
  return *pzErr ? SQLITE_ERROR : SQLITE_OK;
}

/* SaveCharge: every field the create accepts is written by the manifest. */
static int pw_charge_body(cJSON *pBody, cJSON *pLeft, const cJSON *pCurrent, char **pzErr){
  (void)pBody; (void)pCurrent;
  if( pLeft->child ){
    *pzErr = pms_mprintf("the Propertyware adapter cannot write resident_charges.%s", pLeft->child->string);
    return SQLITE_ERROR;
  }
  return SQLITE_OK;
}

/* SavePayment requires a paymentType; a payment written without a method
** is OTHER (the value map's word for it). */
static int pw_payment_body(cJSON *pBody, cJSON *pLeft, const cJSON *pCurrent, char **pzErr){
  (void)pCurrent;
  if( pLeft->child ){
    *pzErr = pms_mprintf("the Propertyware adapter cannot write resident_payments.%s", pLeft->child->string);
    return SQLITE_ERROR;
  }
  if( !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(pBody, "paymentType")) ){
    const char *zOther = pms_enum_vendor(pms_adapter_value_map(pms_adapter_find(PW_VENDOR), "payment_method"), "OTHER");
    cJSON_DeleteItemFromObjectCaseSensitive(pBody, "paymentType");
    cJSON_AddStringToObject(pBody, "paymentType", zOther ? zOther : "OTHER");
  }
  return SQLITE_OK;
}

/* Per writable model: the fields of its request body the write maps leave. */
static const struct {
  const char *zModel;
  int (*xBody)(cJSON *pBody, cJSON *pLeft, const cJSON *pCurrent, char **pzErr);
} aPwWrite[] = {
  { "vendors",          pw_vendor_body },
  { "residents",        pw_contact_body },
  { "leases",           pw_lease_body },
  { "units",            pw_unit_body },
  { "properties",       pw_building_body },
  { "leads",            pw_prospect_body },
  { "service_requests", pw_workorder_body },
  { "resident_charges", pw_charge_body },
  { "resident_payments", pw_payment_body },
};

/* A lease create's tenants ([{"id": <pmsql id>}]; validation saw to it that
** residents_meta_data is not given too) as the residents_meta_data
** pw_lease_body sends ([{"resident_id": ...}], the first primary): SaveLease
** takes tenant contacts only, so an applicant or a lead is refused. */
static int pw_lease_tenants(const pms_write *w, cJSON *pLeft, char **pzErr){
  cJSON *pT = cJSON_DetachItemFromObjectCaseSensitive(pLeft, "tenants");
  cJSON *pArr, *pE, *pMeta;
  char *zMeta;
  int rc = SQLITE_OK;
  if( pT==0 ) return SQLITE_OK;
  pArr = cJSON_IsString(pT) ? cJSON_Parse(pT->valuestring) : 0;
  pMeta = cJSON_CreateArray();
  cJSON_ArrayForEach(pE, pArr){
    const cJSON *pId = cJSON_GetObjectItemCaseSensitive(pE, "id");
    const pms_model *pM = cJSON_IsString(pId) ? pms_id_model(pId->valuestring, w->zIntegration) : 0;
    cJSON *pR;
    if( pM==0 || strcmp(pM->zName, "residents")!=0 ){
      *pzErr = pms_mprintf("%s field 'tenants' on leases create: %s is not a resident "
                           "(SaveLease takes tenant contacts only)", PW_VENDOR,
                           cJSON_IsString(pId) ? pId->valuestring : "?");
      rc = SQLITE_ERROR;
      break;
    }
    pR = cJSON_CreateObject();
    cJSON_AddStringToObject(pR, "resident_id", pId->valuestring);
    cJSON_AddItemToArray(pMeta, pR);
  }
  zMeta = rc==SQLITE_OK ? cJSON_PrintUnformatted(pMeta) : 0;
  if( zMeta ) cJSON_AddStringToObject(pLeft, "residents_meta_data", zMeta);
  else if( rc==SQLITE_OK ) rc = SQLITE_NOMEM;
  cJSON_free(zMeta);
  cJSON_Delete(pMeta);
  cJSON_Delete(pArr);
  cJSON_Delete(pT);
  return rc;
}

static int pw_write_fields(pms_session *pS, const pms_adapter_model *pAM, pms_write *w,
                           cJSON *pBody, cJSON *pLeft, const cJSON *pCurrent, char **pzErr){
  size_t i;
  (void)pS;
  if( strcmp(pAM->zModel, "leases")==0 && pw_lease_tenants(w, pLeft, pzErr) ) return SQLITE_ERROR;
  for(i=0; i<sizeof(aPwWrite)/sizeof(aPwWrite[0]); i++){
    if( strcmp(aPwWrite[i].zModel, pAM->zModel)==0 ) return aPwWrite[i].xBody(pBody, pLeft, pCurrent, pzErr);
  }
  if( pLeft->child==0 ) return SQLITE_OK;   /* the write map placed every field */
  *pzErr = pms_mprintf("the Propertyware adapter cannot write %s.%s", pAM->zModel, pLeft->child->string);
  return SQLITE_ERROR;
}

/* A key update.carry carries over: Save* bodies take no nulls. */
static int pw_write_carry(pms_session *pS, const pms_adapter_model *pAM, const char *zKey,
                          const cJSON *pV, cJSON *pBody){
  (void)pS; (void)pAM;
  if( !cJSON_IsNull(pV) ){
    cJSON_AddItemToObject(pBody, zKey, cJSON_IsObject(pV) ? pw_without_nulls(pV) : cJSON_Duplicate(pV, 1));
  }
  return SQLITE_OK;
}

const pms_adapter pms_adapter_propertyware = {
  .zVendor      = PW_VENDOR,
  .aFixup       = aPwFixup,
  .xWriteCarry  = pw_write_carry,
  .xWriteFields = pw_write_fields,
  /* key headers, bare-array lists, id, ErrorResponse, GET <resource>/<id>,
  ** POST / read-then-PUT (update.carry) / DELETE: from the manifest, by the
  ** engine's defaults */
};
