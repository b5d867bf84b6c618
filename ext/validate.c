/*
** validate.c — checks a write against the target vendor's capability file
** before anything is sent, and the pms_validate() SQL function.
**
** A write is a JSON object of unified fields -> values. Every problem of
** the object is collected (not just the first), each as
**   {"vendor","model","field","rule","message"}
** with rule one of: operation, unknown, readonly, unsupported, required,
** conflict, type, max_length, min_length, format, enum, minimum, maximum,
** reference.
** With ignore_unknown_fields the unknown and unsupported fields are removed
** from the object and listed as stripped instead. Rules come from
** capability/<vendor>.json (format in capability/README.md).
*/
#include "pmsql.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Foreign-key columns a write may carry, and the model they point at. */
static const struct { const char *zCol; const char *zModel; } aValRef[] = {
  { "property_id", "properties" },
  { "unit_id",     "units" },
  { "lease_id",    "leases" },
  { "resident_id", "residents" },
  { "vendor_id",   "vendors" },
};

/* Two fields that say the same thing two ways (a create-only field and the
** stored column a vendor's manifest may already take for it): a create gives
** one or the other, never both, and either satisfies a "required" on the
** other. */
static const struct { const char *zModel, *zA, *zB; } aValAlt[] = {
  { "leases", "tenants", "residents_meta_data" },
};

/* The alternative of field zField of model pM, or NULL. */
static const char *val_alternative(const pms_model *pM, const char *zField){
  size_t k;
  for(k=0; k<sizeof(aValAlt)/sizeof(aValAlt[0]); k++){
    if( strcmp(aValAlt[k].zModel, pM->zName)!=0 ) continue;
    if( strcmp(aValAlt[k].zA, zField)==0 ) return aValAlt[k].zB;
    if( strcmp(aValAlt[k].zB, zField)==0 ) return aValAlt[k].zA;
  }
  return 0;
}

/* JSON-array fields of ids ([{"id": ...}]) and the models an id may name. */
static const struct { const char *zCol; const char *azModel[4]; } aValRefList[] = {
  { "tenants", { "residents", "applicants", "leads", 0 } },
};

static const char *const azValUsState[] = {
  "AL","AK","AZ","AR","CA","CO","CT","DE","DC","FL","GA","HI","ID","IL","IN","IA","KS",
  "KY","LA","ME","MD","MA","MI","MN","MS","MO","MT","NE","NV","NH","NJ","NM","NY","NC",
  "ND","OH","OK","OR","PA","RI","SC","SD","TN","TX","UT","VT","VA","WA","WV","WI","WY",
  "PR","VI","GU","AS","MP", 0
};

static void val_problem(cJSON *pProblems, const char *zVendor, const pms_model *pM,
                        const char *zField, const char *zRule, char *zMsg /* malloc'd */){
  cJSON *p = cJSON_CreateObject();
  if( p==0 ){ free(zMsg); return; }
  cJSON_AddStringToObject(p, "vendor", zVendor);
  cJSON_AddStringToObject(p, "model", pM->zName);
  if( zField ) cJSON_AddStringToObject(p, "field", zField);
  else cJSON_AddNullToObject(p, "field");
  cJSON_AddStringToObject(p, "rule", zRule);
  cJSON_AddStringToObject(p, "message", zMsg ? zMsg : "out of memory");
  cJSON_AddItemToArray(pProblems, p);
  free(zMsg);
}

static int val_utf8_len(const char *z){
  int n = 0;
  for(; *z; z++) if( (*z & 0xc0)!=0x80 ) n++;
  return n;
}

static int val_email(const char *z){
  const char *zAt = strchr(z, '@');
  const char *zDot;
  const char *p;
  if( zAt==0 || zAt==z || strchr(zAt+1, '@') ) return 0;
  zDot = strrchr(zAt, '.');
  if( zDot==0 || zDot==zAt+1 || zDot[1]==0 ) return 0;
  for(p=z; *p; p++) if( *p==' ' || *p=='\t' || *p==',' || *p=='<' || *p=='>' ) return 0;
  return 1;
}

static int val_phone(const char *z){
  int nDigit = 0, n = 0;
  for(; *z; z++, n++){
    if( *z>='0' && *z<='9' ) nDigit++;
    else if( !strchr(" ()+-.x", *z) ) return 0;
  }
  return n>=10 && n<=20 && nDigit>=10;
}

static int val_date(const char *z){
  return strlen(z)==10 && pms_iso_to_ms(z)!=-1;
}

static int val_us_state(const char *z){
  int i;
  for(i=0; azValUsState[i]; i++) if( strcmp(azValUsState[i], z)==0 ) return 1;
  return 0;
}

static int val_postal_code(const char *z){
  int n = 0;
  for(; *z; z++, n++){
    if( !((*z>='0'&&*z<='9') || (*z>='A'&&*z<='Z') || (*z>='a'&&*z<='z') || *z==' ' || *z=='-') ) return 0;
  }
  return n>=3 && n<=10;
}

/* The type rule: returns a description of what was expected, or NULL. */
static const char *val_type(const char *zType, const cJSON *pV){
  if( zType==0 || strcmp(zType, "json")==0 ) return 0;
  if( strcmp(zType, "string")==0 ) return cJSON_IsString(pV) ? 0 : "text";
  if( strcmp(zType, "integer")==0 ){
    return cJSON_IsNumber(pV) && pV->valuedouble==floor(pV->valuedouble) ? 0 : "an integer";
  }
  if( strcmp(zType, "number")==0 ) return cJSON_IsNumber(pV) ? 0 : "a number";
  if( strcmp(zType, "boolean")==0 ){
    return (cJSON_IsNumber(pV) && (pV->valuedouble==0 || pV->valuedouble==1)) || cJSON_IsBool(pV)
         ? 0 : "a boolean (0 or 1)";
  }
  if( strcmp(zType, "date")==0 ){
    return cJSON_IsString(pV) && val_date(pV->valuestring) ? 0 : "a date (YYYY-MM-DD)";
  }
  if( strcmp(zType, "datetime")==0 ){
    return cJSON_IsString(pV) && pms_iso_to_ms(pV->valuestring)!=-1 ? 0 : "a date-time (ISO-8601)";
  }
  return 0;
}

static const char *val_json_type(const cJSON *pV){
  if( cJSON_IsString(pV) ) return "text";
  if( cJSON_IsNumber(pV) ) return pV->valuedouble==floor(pV->valuedouble) ? "integer" : "real";
  if( cJSON_IsBool(pV) ) return "boolean";
  if( cJSON_IsNull(pV) ) return "NULL";
  return "JSON";
}

/* A list of ids: a JSON array (text) of {"id": <pmsql id>} objects, each a
** record of the integration, as Propexo's lease create takes "tenants". */
static void val_ref_list(cJSON *pProblems, const char *zV, const pms_model *pM, const char *zOp,
                         const char *zField, const cJSON *pVal, const char *zIntegration){
  size_t k;
  for(k=0; k<sizeof(aValRefList)/sizeof(aValRefList[0]); k++){
    const char *const *az = aValRefList[k].azModel;
    cJSON *pArr, *pE;
    int bOk;
    if( strcmp(aValRefList[k].zCol, zField)!=0 ) continue;
    pArr = cJSON_IsString(pVal) ? cJSON_Parse(pVal->valuestring) : 0;
    bOk = cJSON_IsArray(pArr) && cJSON_GetArraySize(pArr)>0;
    cJSON_ArrayForEach(pE, pArr){
      const cJSON *pId = cJSON_GetObjectItemCaseSensitive(pE, "id");
      const pms_model *pT = cJSON_IsString(pId) ? pms_id_model(pId->valuestring, zIntegration) : 0;
      int j;
      for(j=0; pT && az[j] && strcmp(az[j], pT->zName)!=0; j++){}
      if( !bOk || !cJSON_IsObject(pE) || pT==0 || az[j]==0 ) bOk = 0;
    }
    cJSON_Delete(pArr);
    if( !bOk ){
      pms_str s = {0};
      int j;
      for(j=0; az[j]; j++) pms_str_appendf(&s, "%s%s", j==0 ? "" : az[j+1] ? ", " : " or ", az[j]);
      val_problem(pProblems, zV, pM, zField, "reference",
                  pms_mprintf("%s field '%s' on %s %s must be a JSON array of {\"id\": ...}, each id "
                              "one of integration %s's %s", zV, zField, pM->zName, zOp,
                              zIntegration ? zIntegration : "?", s.z ? s.z : "records"));
      pms_str_reset(&s);
    }
  }
}

/* Value rules of one supplied field. */
static void val_field_rules(cJSON *pProblems, const char *zV, const pms_model *pM, const char *zOp,
                            const char *zField, const cJSON *pRule, const cJSON *pVal,
                            const char *zIntegration){
  const cJSON *pMax = cJSON_GetObjectItemCaseSensitive(pRule, "max_length");
  const cJSON *pMin = cJSON_GetObjectItemCaseSensitive(pRule, "min_length");
  const cJSON *pEnum = cJSON_GetObjectItemCaseSensitive(pRule, "enum");
  const cJSON *pFmt = cJSON_GetObjectItemCaseSensitive(pRule, "format");
  const cJSON *pLo = cJSON_GetObjectItemCaseSensitive(pRule, "minimum");
  const cJSON *pHi = cJSON_GetObjectItemCaseSensitive(pRule, "maximum");
  const cJSON *pType = cJSON_GetObjectItemCaseSensitive(pRule, "type");
  const char *zWant;
  size_t k;
  if( cJSON_IsNull(pVal) ) return;
  zWant = val_type(cJSON_IsString(pType) ? pType->valuestring : 0, pVal);
  if( zWant ){
    val_problem(pProblems, zV, pM, zField, "type",
                pms_mprintf("%s field '%s' on %s %s must be %s (got %s)",
                            zV, zField, pM->zName, zOp, zWant, val_json_type(pVal)));
    return;
  }
  if( cJSON_IsString(pVal) ){
    int n = val_utf8_len(pVal->valuestring);
    if( cJSON_IsNumber(pMax) && n>pMax->valueint ){
      val_problem(pProblems, zV, pM, zField, "max_length",
                  pms_mprintf("%s field '%s' on %s %s exceeds max_length %d (got %d characters)",
                              zV, zField, pM->zName, zOp, pMax->valueint, n));
    }
    if( cJSON_IsNumber(pMin) && n<pMin->valueint ){
      val_problem(pProblems, zV, pM, zField, "min_length",
                  pms_mprintf("%s field '%s' on %s %s is shorter than min_length %d",
                              zV, zField, pM->zName, zOp, pMin->valueint));
    }
    if( cJSON_IsString(pFmt) ){
      const char *zF = pFmt->valuestring;
      const char *z = pVal->valuestring;
      int ok = strcmp(zF, "email")==0 ? val_email(z)
             : strcmp(zF, "phone")==0 ? val_phone(z)
             : strcmp(zF, "date")==0 ? val_date(z)
             : strcmp(zF, "datetime")==0 ? pms_iso_to_ms(z)!=-1
             : strcmp(zF, "us_state")==0 ? val_us_state(z)
             : strcmp(zF, "postal_code")==0 ? val_postal_code(z) : 1;
      if( !ok ){
        val_problem(pProblems, zV, pM, zField, "format",
                    pms_mprintf("%s field '%s' on %s %s is not a valid %s: '%s'",
                                zV, zField, pM->zName, zOp, zF, z));
      }
    }
  }
  if( cJSON_IsArray(pEnum) ){
    const cJSON *pE;
    int bFound = 0;
    cJSON_ArrayForEach(pE, pEnum){
      if( cJSON_IsString(pE) && cJSON_IsString(pVal) && strcmp(pE->valuestring, pVal->valuestring)==0 ) bFound = 1;
      if( cJSON_IsNumber(pE) && cJSON_IsNumber(pVal) && pE->valuedouble==pVal->valuedouble ) bFound = 1;
    }
    if( !bFound ){
      pms_str s = {0};
      int n = 0;
      cJSON_ArrayForEach(pE, pEnum){
        if( cJSON_IsString(pE) ) pms_str_appendf(&s, "%s%s", n++ ? ", " : "", pE->valuestring);
      }
      val_problem(pProblems, zV, pM, zField, "enum",
                  pms_mprintf("%s field '%s' on %s %s must be one of %s", zV, zField, pM->zName, zOp,
                              s.z ? s.z : ""));
      pms_str_reset(&s);
    }
  }
  if( cJSON_IsNumber(pVal) ){
    if( cJSON_IsNumber(pLo) && pVal->valuedouble<pLo->valuedouble ){
      val_problem(pProblems, zV, pM, zField, "minimum",
                  pms_mprintf("%s field '%s' on %s %s must be at least %g", zV, zField, pM->zName, zOp, pLo->valuedouble));
    }
    if( cJSON_IsNumber(pHi) && pVal->valuedouble>pHi->valuedouble ){
      val_problem(pProblems, zV, pM, zField, "maximum",
                  pms_mprintf("%s field '%s' on %s %s must be at most %g", zV, zField, pM->zName, zOp, pHi->valuedouble));
    }
  }
  for(k=0; k<sizeof(aValRef)/sizeof(aValRef[0]); k++){
    const pms_model *pT;
    char *zPrefix;
    if( strcmp(aValRef[k].zCol, zField)!=0 ) continue;
    pT = pms_model_find(aValRef[k].zModel);
    zPrefix = pms_mprintf("%s:%s:", zIntegration ? zIntegration : "", pT ? pT->zTag : "");
    if( zPrefix && (!cJSON_IsString(pVal) || strncmp(pVal->valuestring, zPrefix, strlen(zPrefix))!=0
                    || pVal->valuestring[strlen(zPrefix)]==0) ){
      val_problem(pProblems, zV, pM, zField, "reference",
                  pms_mprintf("%s field '%s' on %s %s must be the id of one of integration %s's %s (like '%s…')",
                              zV, zField, pM->zName, zOp, zIntegration ? zIntegration : "?",
                              aValRef[k].zModel, zPrefix));
    }
    free(zPrefix);
  }
  val_ref_list(pProblems, zV, pM, zOp, zField, pVal, zIntegration);
}

int pms_validate_write(const char *zVendor, const pms_model *pM, const char *zOp,
                       const char *zIntegration, cJSON *pFields, int bStrip,
                       cJSON *pStripped, cJSON *pProblems){
  const cJSON *pCap = pms_capability(zVendor);
  const cJSON *pModel = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(pCap, "models"), pM->zName);
  const cJSON *pOp = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(pModel, "operations"), zOp);
  const cJSON *pRules = cJSON_GetObjectItemCaseSensitive(pModel, "fields");
  int nBefore = cJSON_GetArraySize(pProblems);
  int bCreate = strcmp(zOp, "create")==0;
  cJSON *pF, *pNext;
  int i;

  if( !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pOp, "supported")) ){
    val_problem(pProblems, zVendor, pM, 0, "operation",
                pms_mprintf("%s does not support %s on %s", zVendor, zOp, pM->zName));
    return cJSON_GetArraySize(pProblems) - nBefore;
  }
  for(pF = pFields ? pFields->child : 0; pF; pF = pNext){
    const char *zField = pF->string;
    int iCol = pms_model_field(pM, zField);
    const cJSON *pRule, *pFlag;
    pNext = pF->next;
    if( iCol<0 ){
      if( bStrip ){
        cJSON_AddItemToArray(pStripped, cJSON_CreateString(zField));
        cJSON_DeleteItemFromObjectCaseSensitive(pFields, zField);
      }else{
        val_problem(pProblems, zVendor, pM, zField, "unknown",
                    pms_mprintf("%s has no field '%s'", pM->zName, zField));
      }
      continue;
    }
    if( pms_column_is_engine(pM, iCol) ){
      val_problem(pProblems, zVendor, pM, zField, "readonly",
                  pms_mprintf("field '%s' of %s is maintained by pmsql and cannot be written", zField, pM->zName));
      continue;
    }
    pRule = cJSON_GetObjectItemCaseSensitive(pRules, zField);
    pFlag = cJSON_GetObjectItemCaseSensitive(pRule, zOp);
    if( !(cJSON_IsTrue(pFlag) || (cJSON_IsString(pFlag) && strcmp(pFlag->valuestring, "required")==0)) ){
      if( bStrip ){
        cJSON_AddItemToArray(pStripped, cJSON_CreateString(zField));
        cJSON_DeleteItemFromObjectCaseSensitive(pFields, zField);
      }else{
        val_problem(pProblems, zVendor, pM, zField, "unsupported",
                    pms_mprintf("%s does not support field '%s' on %s %s "
                                "(PRAGMA pms_ignore_unknown_fields=ON strips it)",
                                zVendor, zField, pM->zName, zOp));
      }
      continue;
    }
    if( cJSON_IsString(pFlag) && (cJSON_IsNull(pF) || (cJSON_IsString(pF) && pF->valuestring[0]==0)) ){
      val_problem(pProblems, zVendor, pM, zField, "required",
                  pms_mprintf("%s requires field '%s' on %s %s: it cannot be %s", zVendor, zField,
                              pM->zName, zOp, cJSON_IsNull(pF) ? "NULL" : "empty"));
      continue;
    }
    val_field_rules(pProblems, zVendor, pM, zOp, zField, pRule, pF, zIntegration);
  }
  if( bCreate ){
    for(i=0; i<pM->nField; i++){
      const char *zField = pM->aCol[i].zName;
      const char *zAlt = val_alternative(pM, zField);
      const cJSON *pFlag = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(pRules, zField), "create");
      int bHas = cJSON_GetObjectItemCaseSensitive(pFields, zField)!=0;
      int bHasAlt = zAlt && cJSON_GetObjectItemCaseSensitive(pFields, zAlt)!=0;
      if( cJSON_IsString(pFlag) && strcmp(pFlag->valuestring, "required")==0 && !bHas && !bHasAlt ){
        char *zOr = zAlt ? pms_mprintf(" (or '%s')", zAlt) : 0;
        val_problem(pProblems, zVendor, pM, zField, "required",
                    pms_mprintf("%s requires field '%s'%s on %s create", zVendor, zField,
                                zOr ? zOr : "", pM->zName));
        free(zOr);
      }
      if( bHas && bHasAlt && strcmp(zField, zAlt)<0 ){
        val_problem(pProblems, zVendor, pM, zField, "conflict",
                    pms_mprintf("%s %s create takes '%s' or '%s', not both", zVendor, pM->zName, zField, zAlt));
      }
    }
  }
  return cJSON_GetArraySize(pProblems) - nBefore;
}

/* All problems as one error message, "; "-separated. */
char *pms_problems_message(const cJSON *pProblems){
  pms_str s = {0};
  const cJSON *p;
  int n = 0;
  cJSON_ArrayForEach(p, pProblems){
    const cJSON *pMsg = cJSON_GetObjectItemCaseSensitive(p, "message");
    pms_str_appendf(&s, "%s%s", n++ ? "; " : "", cJSON_IsString(pMsg) ? pMsg->valuestring : "?");
  }
  return pms_str_finish(&s);
}

/* A SQL value as JSON (NULL for BLOBs: they are rejected by the type rule
** of the field, or reported by the caller). */
cJSON *pms_value_to_json(sqlite3_value *pVal){
  switch( sqlite3_value_type(pVal) ){
    case SQLITE_INTEGER: return cJSON_CreateNumber((double)sqlite3_value_int64(pVal));
    case SQLITE_FLOAT:   return cJSON_CreateNumber(sqlite3_value_double(pVal));
    case SQLITE_TEXT:    return cJSON_CreateString((const char*)sqlite3_value_text(pVal));
    case SQLITE_NULL:    return cJSON_CreateNull();
    default:             return cJSON_CreateRaw("{\"blob\":true}");
  }
}

/* pms_validate(model, op, integration, json) -> JSON array of problems */
static void validate_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  const char *zModel = (const char*)sqlite3_value_text(argv[0]);
  const char *zOp = (const char*)sqlite3_value_text(argv[1]);
  const char *zInt = (const char*)sqlite3_value_text(argv[2]);
  const char *zJson = (const char*)sqlite3_value_text(argv[3]);
  const char *zDb = pms_find_schema(db);
  const pms_model *pM = pms_model_find(zModel);
  char *zVendor = 0, *zOut;
  cJSON *pFields = 0, *pProblems = 0, *pStripped = 0;
  (void)argc;
  if( pM==0 ){
    char *z = sqlite3_mprintf("pms_validate: unknown model '%s'", zModel ? zModel : "");
    sqlite3_result_error(ctx, z, -1);
    sqlite3_free(z);
    return;
  }
  if( zOp==0 || (strcmp(zOp, "create")!=0 && strcmp(zOp, "update")!=0 && strcmp(zOp, "delete")!=0) ){
    char *z = sqlite3_mprintf("pms_validate: op must be 'create', 'update' or 'delete' (got '%s')",
                              zOp ? zOp : "NULL");
    sqlite3_result_error(ctx, z, -1);
    sqlite3_free(z);
    return;
  }
  zVendor = pms_integration_vendor(db, zDb, zInt);
  if( zVendor==0 ){
    char *z = sqlite3_mprintf("pms_validate: no integration '%s' in pms_integrations", zInt ? zInt : "");
    sqlite3_result_error(ctx, z, -1);
    sqlite3_free(z);
    return;
  }
  pFields = zJson ? cJSON_Parse(zJson) : 0;
  if( !cJSON_IsObject(pFields) ){
    sqlite3_result_error(ctx, "pms_validate: the payload must be a JSON object of fields", -1);
    cJSON_Delete(pFields);
    free(zVendor);
    return;
  }
  pProblems = cJSON_CreateArray();
  pStripped = cJSON_CreateArray();
  pms_validate_write(zVendor, pM, zOp, zInt, pFields, pms_conn_flag((pms_conn*)sqlite3_user_data(ctx), PMS_FLAG_IGNORE_UNKNOWN),
                     pStripped, pProblems);
  zOut = cJSON_PrintUnformatted(pProblems);
  if( zOut ) sqlite3_result_text(ctx, zOut, -1, SQLITE_TRANSIENT);
  else sqlite3_result_error_nomem(ctx);
  cJSON_free(zOut);
  cJSON_Delete(pFields);
  cJSON_Delete(pProblems);
  cJSON_Delete(pStripped);
  free(zVendor);
}

int pms_validate_register(sqlite3 *db, pms_conn *p){
  pms_conn_ref(p);
  return sqlite3_create_function_v2(db, "pms_validate", 4, SQLITE_UTF8|SQLITE_INNOCUOUS,
                                    p, validate_func, 0, 0, pms_conn_unref);
}
