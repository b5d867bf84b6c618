/*
** manifest.c — the vendor manifests (capability/<vendor>.json), parsed once.
**
** A manifest is the one place a vendor's regular facts are written: its
** auth kind, base URL, credentials, rate limit and page size; per model the
** resource, how it is read (paging, incremental, partition, record id) and
** the operations; per unified column how it is read (vendor path +
** transform + value map) and how it is written (vendor path, body part);
** and its value maps, once each, by name. capability/README.md is the
** format's reference. This file turns a manifest into the descriptors the
** engine already uses (pms_field_map and pms_enum_map arrays inside
** pms_adapter_model), so a sync costs the same as with tables written in C.
**
** Every problem names the file, the JSON path and the reason
** ("capability/buildium.json: $.models.units.fields.bedrooms.read.transform:
** unknown transform 'enm'"). The build runs the same parser over every
** manifest (tools/manifest_check.c), so a malformed one never gets compiled in.
**
** Nothing here names a vendor or knows an adapter: ext/adapter.c joins a
** manifest with its adapter's irregular C.
*/
#include "pmsql.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Transforms by manifest name, in pms_xform order (index = value - 1). */
static const char *const azMfXform[] = {
  "string", "int", "real", "cents", "bool", "not_bool", "date", "datetime",
  "enum", "id", "fk", "json"
};
#define MF_NXFORM ((int)(sizeof(azMfXform)/sizeof(azMfXform[0])))

static const char *const azMfType[] = {
  "string", "integer", "number", "boolean", "date", "datetime", "json", 0
};
static const char *const azMfAuth[] = { "headers", "basic", "session", "api_key", "body", 0 };
static const char *const azMfPaging[] = { "offset", "page", "cursor", "none", 0 };
static const char *const azMfOp[] = { "read", "create", "update", "delete", 0 };

/* Keys each object may carry: anything else is a typo and fails the build. */
static const char *const azMfTopKey[] = { "vendor", "name", "notes", "auth", "base_url", "domains",
  "credentials", "rate_limit", "connections", "page_size", "empty_list_status", "time_zone", "errors",
  "value_maps", "models", 0 };
static const char *const azMfModelKey[] = { "resource", "notes", "operations", "fields", 0 };
static const char *const azMfFieldKey[] = { "type", "read", "create", "update", "write",
  "value_map", "max_length", "min_length", "enum", "format", "minimum", "maximum", "notes", 0 };
static const char *const azMfReadOpKey[] = { "supported", "notes", "incremental", "paging",
  "since", "since_format", "query", "partition", "partition_key", "id", 0 };
static const char *const azMfOpKey[] = { "supported", "notes", "readback", "carry", "fixed", 0 };
static const char *const azMfReadKey[] = { "path", "transform", "model", 0 };
static const char *const azMfWriteKey[] = { "to", "transform", "model", "part", 0 };

/* The default of a value map whose unmatched values read as NULL
** ("default": null); a NULL default passes them through unchanged. */
const char pms_enum_unmatched_null[] = "";

static pms_manifest **apMf = 0;
static int nMf = 0;
static char *zMfErr = 0;
static pthread_once_t mfOnce = PTHREAD_ONCE_INIT;

/* ------------------------------------------------------------- checking */

typedef struct mf_ctx {
  const char *zFile;    /* "capability/buildium.json" */
  char *zErr;           /* first problem, malloc'd */
} mf_ctx;

static int mf_fail(mf_ctx *c, const char *zPath, const char *zWhy){
  if( c->zErr==0 ) c->zErr = pms_mprintf("%s: %s: %s", c->zFile, zPath, zWhy);
  return SQLITE_ERROR;
}

static int mf_in(const char *const *az, const char *z){
  int i;
  for(i=0; z && az[i]; i++) if( strcmp(az[i], z)==0 ) return 1;
  return 0;
}

static char *mf_list(const char *const *az){
  pms_str s = {0};
  int i;
  for(i=0; az[i]; i++) pms_str_appendf(&s, "%s%s", i ? ", " : "", az[i]);
  return pms_str_finish(&s);
}

/* Every key of object p must be one of az. */
static int mf_keys(mf_ctx *c, const char *zPath, const cJSON *p, const char *const *az){
  const cJSON *pK;
  cJSON_ArrayForEach(pK, p){
    if( !mf_in(az, pK->string) ){
      char *zL = mf_list(az);
      char *zW = pms_mprintf("unknown key '%s' (allowed: %s)", pK->string, zL ? zL : "");
      mf_fail(c, zPath, zW ? zW : "unknown key");
      free(zL); free(zW);
      return SQLITE_ERROR;
    }
  }
  return SQLITE_OK;
}

static int mf_oneof(mf_ctx *c, const char *zPath, const cJSON *p, const char *const *az,
                    const char *zWhat){
  char *zL, *zW;
  if( cJSON_IsString(p) && mf_in(az, p->valuestring) ) return SQLITE_OK;
  zL = mf_list(az);
  zW = pms_mprintf("%s must be one of %s", zWhat, zL ? zL : "");
  mf_fail(c, zPath, zW ? zW : "bad value");
  free(zL); free(zW);
  return SQLITE_ERROR;
}

static const char *mf_str(const cJSON *p, const char *zKey){
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, zKey);
  return cJSON_IsString(v) ? v->valuestring : 0;
}

/* A positive number at p.zKey, or dflt when absent. -1 when it is not one. */
static double mf_positive(const cJSON *p, const char *zKey, double dflt){
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, zKey);
  if( v==0 ) return dflt;
  return cJSON_IsNumber(v) && v->valuedouble>0 ? v->valuedouble : -1;
}

static pms_xform mf_xform(const char *z){
  int i;
  for(i=0; z && i<MF_NXFORM; i++) if( strcmp(azMfXform[i], z)==0 ) return (pms_xform)(i+1);
  return (pms_xform)0;
}

const char *pms_xform_name(pms_xform e){
  return e>=1 && (int)e<=MF_NXFORM ? azMfXform[e-1] : "?";
}

const pms_enum_map *pms_manifest_value_map(const pms_manifest *pMf, const char *zName){
  int i;
  for(i=0; pMf && zName && i<pMf->nValueMap; i++){
    if( strcmp(pMf->aValueMap[i].zName, zName)==0 ) return pMf->aValueMap[i].aEntry;
  }
  return 0;
}

/* ------------------------------------------------------------- parsing */

/* "value_maps": {name: {"values": {vendor: unified|null}, "default": unified}} */
static int mf_value_maps(mf_ctx *c, pms_manifest *pMf){
  const cJSON *pMaps = cJSON_GetObjectItemCaseSensitive(pMf->pJson, "value_maps");
  const cJSON *pM;
  int n = 0;
  if( pMaps==0 ) return SQLITE_OK;
  if( !cJSON_IsObject(pMaps) ) return mf_fail(c, "$.value_maps", "must be an object of named maps");
  n = cJSON_GetArraySize(pMaps);
  pMf->aValueMap = calloc((size_t)n + 1, sizeof(pms_value_map));
  if( pMf->aValueMap==0 ) return mf_fail(c, "$.value_maps", "out of memory");
  cJSON_ArrayForEach(pM, pMaps){
    static const char *const azKey[] = { "values", "default", "notes", 0 };
    const cJSON *pVals = cJSON_GetObjectItemCaseSensitive(pM, "values");
    const cJSON *pDflt = cJSON_GetObjectItemCaseSensitive(pM, "default");
    const cJSON *pV;
    pms_value_map *pVM = &pMf->aValueMap[pMf->nValueMap];
    char *zPath = pms_mprintf("$.value_maps.%s", pM->string);
    int k = 0, rc = SQLITE_OK;
    if( zPath==0 ) return mf_fail(c, "$.value_maps", "out of memory");
    if( !cJSON_IsObject(pM) ) rc = mf_fail(c, zPath, "must be an object with \"values\"");
    else if( mf_keys(c, zPath, pM, azKey) ) rc = SQLITE_ERROR;
    else if( !cJSON_IsObject(pVals) || cJSON_GetArraySize(pVals)==0 ){
      rc = mf_fail(c, zPath, "\"values\" must be a non-empty object {vendor value: unified value or null}");
    }else if( pDflt && !cJSON_IsString(pDflt) && !cJSON_IsNull(pDflt) ){
      rc = mf_fail(c, zPath, "\"default\" must be a unified value, or null (unknown values read as NULL); "
                             "leave it out to pass unknown values through");
    }
    if( rc ){ free(zPath); return rc; }
    cJSON_ArrayForEach(pV, pVals){
      if( !cJSON_IsString(pV) && !cJSON_IsNull(pV) ){
        rc = mf_fail(c, zPath, "each value must be a unified string or null");
        free(zPath);
        return rc;
      }
    }
    free(zPath);
    pVM->zName = pM->string;
    pVM->aEntry = calloc((size_t)cJSON_GetArraySize(pVals) + 1, sizeof(pms_enum_map));
    if( pVM->aEntry==0 ) return mf_fail(c, "$.value_maps", "out of memory");
    cJSON_ArrayForEach(pV, pVals){
      pVM->aEntry[k].zVendor = pV->string;
      pVM->aEntry[k].zUnified = cJSON_IsString(pV) ? pV->valuestring : 0;
      k++;
    }
    pVM->aEntry[k].zUnified = cJSON_IsString(pDflt) ? pDflt->valuestring
                            : pDflt ? pms_enum_unmatched_null : 0;
    pMf->nValueMap++;
  }
  return SQLITE_OK;
}

/* One read or write spec ("read": {...} or an element of "write") into a
** field map entry. bWrite: keys of a write spec; the transform and the
** target model default to the read spec's (pRead, may be NULL). */
static int mf_spec(mf_ctx *c, pms_manifest *pMf, const char *zPath, const pms_model *pM,
                   const char *zCol, const cJSON *pSpec, const cJSON *pField,
                   const pms_field_map *pRead, int bWrite, pms_field_map *pOut){
  const char *zVal = mf_str(pSpec, bWrite ? "to" : "path");
  const char *zX = mf_str(pSpec, "transform");
  const char *zTarget = mf_str(pSpec, "model");
  const char *zMap = mf_str(pField, "value_map");
  char *zP;
  int rc = SQLITE_OK;
  (void)pM;
  if( mf_keys(c, zPath, pSpec, bWrite ? azMfWriteKey : azMfReadKey) ) return SQLITE_ERROR;
  if( zVal==0 || zVal[0]==0 ){
    return mf_fail(c, zPath, bWrite ? "\"to\" (the vendor field written) must be a non-empty string"
                                     : "\"path\" (the vendor field read) must be a non-empty string");
  }
  memset(pOut, 0, sizeof(*pOut));
  pOut->zColumn = zCol;
  pOut->zPath = zVal;
  if( zX ){
    pOut->eXform = mf_xform(zX);
    if( pOut->eXform==0 ){
      char *zL = pms_mprintf("unknown transform '%s'", zX);
      zP = pms_mprintf("%s.transform", zPath);
      rc = mf_fail(c, zP ? zP : zPath, zL ? zL : "unknown transform");
      free(zL); free(zP);
      return rc;
    }
  }else if( bWrite && pRead ){
    pOut->eXform = pRead->eXform;
  }else{
    return mf_fail(c, zPath, "\"transform\" is missing");
  }
  if( bWrite && pOut->eXform==PMS_X_ID ){
    return mf_fail(c, zPath, "an id transform cannot be written (x_* columns are the vendor's)");
  }
  if( pOut->eXform==PMS_X_FK ){
    if( zTarget==0 && bWrite && pRead && pRead->eXform==PMS_X_FK ) zTarget = (const char*)pRead->pArg;
    if( zTarget==0 || pms_model_find(zTarget)==0 ){
      return mf_fail(c, zPath, "transform fk needs \"model\": the unified model the id belongs to");
    }
    pOut->pArg = pms_model_find(zTarget)->zName;
  }else if( zTarget ){
    return mf_fail(c, zPath, "\"model\" belongs to transform fk only");
  }
  if( pOut->eXform==PMS_X_ENUM ){
    if( zMap==0 ) return mf_fail(c, zPath, "transform enum needs the field's \"value_map\"");
    pOut->pArg = pms_manifest_value_map(pMf, zMap);   /* checked by the field */
  }
  if( bWrite ){
    pOut->zPart = mf_str(pSpec, "part");
    if( cJSON_GetObjectItemCaseSensitive(pSpec, "part") && pOut->zPart==0 ){
      return mf_fail(c, zPath, "\"part\" must be a string naming the part of the request body");
    }
  }
  return SQLITE_OK;
}

/* An operation flag that does not accept the field (false or absent). */
static int mf_is_off(const cJSON *p){
  return p==0 || cJSON_IsFalse(p);
}

static int mf_is_op_flag(const cJSON *p){
  return p==0 || cJSON_IsBool(p) || (cJSON_IsString(p) && strcmp(p->valuestring, "required")==0);
}

/* The fields of one model: checks every key and builds its read map and
** its write map (entries of all parts, each tagged with its part). */
static int mf_fields(mf_ctx *c, pms_manifest *pMf, const char *zModelPath, const pms_model *pM,
                     const cJSON *pFields, int bReads, pms_adapter_model *pAM){
  const cJSON *pF;
  int nRead = 0, nWrite = 0, n = cJSON_GetArraySize(pFields), nWriteMax = 0;
  pms_field_map *aRead, *aWrite;
  cJSON_ArrayForEach(pF, pFields){
    const cJSON *pW = cJSON_GetObjectItemCaseSensitive(pF, "write");
    nWriteMax += cJSON_IsArray(pW) ? cJSON_GetArraySize(pW) : 1;
  }
  aRead = calloc((size_t)n + 1, sizeof(pms_field_map));
  aWrite = calloc((size_t)nWriteMax + 1, sizeof(pms_field_map));
  pAM->aMap = aRead;
  pAM->aWrite = aWrite;
  if( aRead==0 || aWrite==0 ) return mf_fail(c, zModelPath, "out of memory");
  cJSON_ArrayForEach(pF, pFields){
    char *zPath = pms_mprintf("%s.fields.%s", zModelPath, pF->string);
    char *zSub = 0;
    const cJSON *pRead = cJSON_GetObjectItemCaseSensitive(pF, "read");
    const cJSON *pWrite = cJSON_GetObjectItemCaseSensitive(pF, "write");
    const cJSON *pType = cJSON_GetObjectItemCaseSensitive(pF, "type");
    const char *zMap = mf_str(pF, "value_map");
    int iCol = pms_model_field(pM, pF->string);
    int bWritable = 0, rc = SQLITE_OK, k;
    pms_field_map *pReadEntry = 0;
    if( zPath==0 ) return mf_fail(c, zModelPath, "out of memory");
    if( !cJSON_IsObject(pF) ){ rc = mf_fail(c, zPath, "must be an object"); goto next; }
    if( iCol<0 ){
      char *zW = pms_mprintf("'%s' is not a column of %s (sql/%s.sql)", pF->string, pM->zName, pM->zName);
      rc = mf_fail(c, zPath, zW ? zW : "not a column");
      free(zW);
      goto next;
    }
    if( pms_column_is_engine(pM, iCol) ){
      rc = mf_fail(c, zPath, "pmsql maintains this column: the manifest does not list it");
      goto next;
    }
    if( mf_keys(c, zPath, pF, azMfFieldKey) ){ rc = SQLITE_ERROR; goto next; }
    if( pType && mf_oneof(c, zPath, pType, azMfType, "\"type\"") ){ rc = SQLITE_ERROR; goto next; }
    if( cJSON_GetObjectItemCaseSensitive(pF, "value_map") && pms_manifest_value_map(pMf, zMap)==0 ){
      char *zW = pms_mprintf("value_map '%s' is not one of the manifest's \"value_maps\"", zMap ? zMap : "?");
      rc = mf_fail(c, zPath, zW ? zW : "unknown value map");
      free(zW);
      goto next;
    }
    for(k=1; k<=2; k++){
      const cJSON *pFlag = cJSON_GetObjectItemCaseSensitive(pF, azMfOp[k]);
      if( !mf_is_op_flag(pFlag) ){
        zSub = pms_mprintf("%s.%s", zPath, azMfOp[k]);
        rc = mf_fail(c, zSub ? zSub : zPath, "must be true, false or \"required\"");
        goto next;
      }
      if( cJSON_IsTrue(pFlag) || cJSON_IsString(pFlag) ) bWritable = 1;
    }
    /* read: true (filled by the adapter's irregular code), false, or a spec */
    if( iCol>=pM->nCol && pRead && !cJSON_IsFalse(pRead) ){
      rc = mf_fail(c, zPath, "a WRITEONLY field (sql/) is never read: \"read\" must be false or absent");
      goto next;
    }
    if( iCol>=pM->nCol && !mf_is_off(cJSON_GetObjectItemCaseSensitive(pF, "update")) ){
      rc = mf_fail(c, zPath, "a WRITEONLY field (sql/) is create-only: \"update\" must be false");
      goto next;
    }
    if( cJSON_IsObject(pRead) ){
      if( !bReads ){ rc = mf_fail(c, zPath, "the model is not read (operations.read.supported is false)"); goto next; }
      zSub = pms_mprintf("%s.read", zPath);
      pReadEntry = &aRead[nRead];
      rc = mf_spec(c, pMf, zSub ? zSub : zPath, pM, pF->string, pRead, pF, 0, 0, pReadEntry);
      if( rc ) goto next;
      nRead++;
    }else if( pRead && !cJSON_IsBool(pRead) ){
      rc = mf_fail(c, zPath, "\"read\" must be true (the adapter fills it), false, or {\"path\", \"transform\"}");
      goto next;
    }
    /* write: absent (the adapter writes it, if accepted), or a spec or a list of specs */
    if( pWrite ){
      const cJSON *pW;
      int i = 0;
      if( !bWritable ){ rc = mf_fail(c, zPath, "\"write\" on a field neither create nor update accepts"); goto next; }
      if( !cJSON_IsObject(pWrite) && !cJSON_IsArray(pWrite) ){
        rc = mf_fail(c, zPath, "\"write\" must be {\"to\": vendor field, ...} or a list of them");
        goto next;
      }
      for(pW = cJSON_IsArray(pWrite) ? pWrite->child : pWrite; pW; pW = cJSON_IsArray(pWrite) ? pW->next : 0){
        free(zSub);
        zSub = cJSON_IsArray(pWrite) ? pms_mprintf("%s.write[%d]", zPath, i++) : pms_mprintf("%s.write", zPath);
        if( !cJSON_IsObject(pW) ){ rc = mf_fail(c, zSub ? zSub : zPath, "must be an object"); goto next; }
        rc = mf_spec(c, pMf, zSub ? zSub : zPath, pM, pF->string, pW, pF, pReadEntry, 1, &aWrite[nWrite]);
        if( rc ) goto next;
        nWrite++;
      }
    }
next:
    free(zSub);
    free(zPath);
    if( rc ) return rc;
  }
  return SQLITE_OK;
}

static int mf_models(mf_ctx *c, pms_manifest *pMf){
  const cJSON *pModels = cJSON_GetObjectItemCaseSensitive(pMf->pJson, "models");
  const cJSON *pMod;
  int n = 0;
  if( !cJSON_IsObject(pModels) ) return mf_fail(c, "$.models", "must be an object of unified models");
  pMf->aModel = calloc((size_t)cJSON_GetArraySize(pModels) + 1, sizeof(pms_adapter_model));
  if( pMf->aModel==0 ) return mf_fail(c, "$.models", "out of memory");
  cJSON_ArrayForEach(pMod, pModels){
    const pms_model *pM = pms_model_find(pMod->string);
    const cJSON *pOps = cJSON_GetObjectItemCaseSensitive(pMod, "operations");
    const cJSON *pRead = cJSON_GetObjectItemCaseSensitive(pOps, "read");
    const cJSON *pFields = cJSON_GetObjectItemCaseSensitive(pMod, "fields");
    const cJSON *pRes = cJSON_GetObjectItemCaseSensitive(pMod, "resource");
    char *zPath = pms_mprintf("$.models.%s", pMod->string);
    char *zSub = 0;
    int rc = SQLITE_OK, k, bReads;
    pms_adapter_model am;
    memset(&am, 0, sizeof(am));
    if( zPath==0 ) return mf_fail(c, "$.models", "out of memory");
    if( pM==0 ){ rc = mf_fail(c, zPath, "not a unified model (sql/*.sql)"); goto next; }
    if( !cJSON_IsObject(pMod) ){ rc = mf_fail(c, zPath, "must be an object"); goto next; }
    if( mf_keys(c, zPath, pMod, azMfModelKey) ){ rc = SQLITE_ERROR; goto next; }
    if( pRes && !cJSON_IsString(pRes) && !cJSON_IsNull(pRes) ){
      rc = mf_fail(c, zPath, "\"resource\" must be the vendor path or null"); goto next;
    }
    if( !cJSON_IsObject(pOps) ){ rc = mf_fail(c, zPath, "\"operations\" must be an object"); goto next; }
    for(k=0; azMfOp[k]; k++){
      const cJSON *pOp = cJSON_GetObjectItemCaseSensitive(pOps, azMfOp[k]);
      free(zSub);
      zSub = pms_mprintf("%s.operations.%s", zPath, azMfOp[k]);
      if( !cJSON_IsObject(pOp) || !cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(pOp, "supported")) ){
        rc = mf_fail(c, zSub ? zSub : zPath, "must be an object with \"supported\": true or false"); goto next;
      }
      if( mf_keys(c, zSub ? zSub : zPath, pOp, k==0 ? azMfReadOpKey : azMfOpKey) ){ rc = SQLITE_ERROR; goto next; }
    }
    free(zSub);
    zSub = pms_mprintf("%s.operations.read", zPath);
    bReads = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pRead, "supported"));
    if( bReads ){
      const cJSON *pPaging = cJSON_GetObjectItemCaseSensitive(pRead, "paging");
      const char *zPart = mf_str(pRead, "partition");
      if( !cJSON_IsString(pRes) ){ rc = mf_fail(c, zPath, "a model that is read needs its \"resource\""); goto next; }
      if( pPaging && mf_oneof(c, zSub ? zSub : zPath, pPaging, azMfPaging, "\"paging\"") ){ rc = SQLITE_ERROR; goto next; }
      if( cJSON_GetObjectItemCaseSensitive(pRead, "partition")
       && (zPart==0 || pms_model_find(zPart)==0 || strcmp(zPart, pM->zName)==0) ){
        rc = mf_fail(c, zSub ? zSub : zPath, "\"partition\" must name another unified model (the parent)"); goto next;
      }
      if( zPart==0 && (strstr(pRes->valuestring, "{partition}") || strstr(mf_str(pRead, "query") ? mf_str(pRead, "query") : "", "{partition}")) ){
        rc = mf_fail(c, zSub ? zSub : zPath, "{partition} in \"resource\" or \"query\" needs \"partition\" (the parent model)"); goto next;
      }
      am.zModel = pM->zName;
      am.zPath = pRes->valuestring;
      am.bIncremental = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pRead, "incremental"));
      am.zPartition = zPart ? pms_model_find(zPart)->zName : 0;
      am.zPartitionKey = mf_str(pRead, "partition_key");
      if( cJSON_GetObjectItemCaseSensitive(pRead, "partition_key") && (zPart==0 || am.zPartitionKey==0
          || am.zPartitionKey[strspn(am.zPartitionKey, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.")]) ){
        rc = mf_fail(c, zSub ? zSub : zPath, "\"partition_key\" must be a dotted path of the parent's record (with \"partition\")"); goto next;
      }
      am.zPaging = mf_str(pRead, "paging");
      am.zSince = mf_str(pRead, "since");
      am.zIdPath = mf_str(pRead, "id");
      am.zQuery = mf_str(pRead, "query");
      if( cJSON_GetObjectItemCaseSensitive(pRead, "since_format") ){
        static const char *const azFmt[] = { "date", "datetime", 0 };
        if( mf_oneof(c, zSub ? zSub : zPath, cJSON_GetObjectItemCaseSensitive(pRead, "since_format"), azFmt,
                     "\"since_format\"") ){ rc = SQLITE_ERROR; goto next; }
        am.bSinceDate = strcmp(mf_str(pRead, "since_format"), "date")==0;
      }
    }
    {
      const cJSON *pUpd = cJSON_GetObjectItemCaseSensitive(pOps, "update");
      const cJSON *pCarry = cJSON_GetObjectItemCaseSensitive(pUpd, "carry");
      const cJSON *pFixed = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(pOps, "create"), "fixed");
      const cJSON *pE;
      cJSON_ArrayForEach(pE, pCarry){
        if( !cJSON_IsString(pE) ){ rc = mf_fail(c, zPath, "operations.update.carry must list vendor keys"); goto next; }
      }
      if( (pCarry && !cJSON_IsArray(pCarry)) || (pFixed && !cJSON_IsObject(pFixed)) ){
        rc = mf_fail(c, zPath, "operations.update.carry must be a list of vendor keys, operations.create.fixed an object");
        goto next;
      }
      am.bReadback = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pUpd, "readback"));
      am.pCarry = pCarry;
      am.pFixed = pFixed;
    }
    if( pFields && !cJSON_IsObject(pFields) ){ rc = mf_fail(c, zPath, "\"fields\" must be an object"); goto next; }
    rc = mf_fields(c, pMf, zPath, pM, pFields, bReads, &am);
    if( rc==SQLITE_OK && bReads ){
      pMf->aModel[n++] = am;
    }else{
      free((void*)am.aMap);
      free((void*)am.aWrite);
    }
next:
    free(zSub);
    free(zPath);
    if( rc ) return rc;
  }
  return SQLITE_OK;
}

/* Vendor-level facts: auth, base URL, credentials, rate limit, page size. */
static int mf_vendor(mf_ctx *c, pms_manifest *pMf){
  const cJSON *p = pMf->pJson;
  const cJSON *pAuth = cJSON_GetObjectItemCaseSensitive(p, "auth");
  const cJSON *pCred = cJSON_GetObjectItemCaseSensitive(p, "credentials");
  const cJSON *pRate = cJSON_GetObjectItemCaseSensitive(p, "rate_limit");
  const cJSON *pPage = cJSON_GetObjectItemCaseSensitive(p, "page_size");
  const cJSON *pBase = cJSON_GetObjectItemCaseSensitive(p, "base_url");
  const cJSON *pE;
  int i = 0;
  if( mf_keys(c, "$", p, azMfTopKey) ) return SQLITE_ERROR;
  if( cJSON_GetObjectItemCaseSensitive(p, "errors") ){
    static const char *const azKey[] = { "message", "code", "details", "key", "value", "notes", 0 };
    const cJSON *pErr = cJSON_GetObjectItemCaseSensitive(p, "errors");
    if( !cJSON_IsObject(pErr) ) return mf_fail(c, "$.errors", "must be {\"message\": path, \"code\": path, \"details\": path, \"key\", \"value\"}");
    if( mf_keys(c, "$.errors", pErr, azKey) ) return SQLITE_ERROR;
    cJSON_ArrayForEach(pE, pErr){
      if( !cJSON_IsString(pE) ) return mf_fail(c, "$.errors", "each value must be a JSON path in the error body");
    }
  }
  pMf->zVendor = mf_str(p, "vendor");
  pMf->zName = mf_str(p, "name");
  if( pMf->zVendor==0 || pMf->zVendor[0]==0 ) return mf_fail(c, "$.vendor", "must be the vendor's name (Propexo integration_vendor)");
  /* auth: {"kind": ..., "headers": {header: credential}, "user", "password"} */
  if( !cJSON_IsObject(pAuth) ) return mf_fail(c, "$.auth", "must be an object with \"kind\"");
  if( mf_oneof(c, "$.auth.kind", cJSON_GetObjectItemCaseSensitive(pAuth, "kind"), azMfAuth, "\"kind\"") ) return SQLITE_ERROR;
  pMf->pAuth = pAuth;
  pMf->zAuth = mf_str(pAuth, "kind");
  if( pBase && !cJSON_IsString(pBase) ) return mf_fail(c, "$.base_url", "must be the production URL, or \"\" when each customer has its own");
  pMf->zBaseUrl = pBase ? pBase->valuestring : "";
  /* domains: the vendor's documented API domains (env: secrets may go there) */
  {
    const cJSON *pDom = cJSON_GetObjectItemCaseSensitive(p, "domains");
    if( !cJSON_IsArray(pDom) || cJSON_GetArraySize(pDom)==0 ){
      return mf_fail(c, "$.domains", "must list the vendor's documented API domains (\"example.com\"; \"{NN}\" for a number)");
    }
    pMf->azDomain = calloc((size_t)cJSON_GetArraySize(pDom) + 1, sizeof(char*));
    if( pMf->azDomain==0 ) return mf_fail(c, "$.domains", "out of memory");
    cJSON_ArrayForEach(pE, pDom){
      const char *z = cJSON_GetStringValue(pE);
      if( z==0 || z[0]==0 || z[0]=='.' || strchr(z, '.')==0
       || z[strspn(z, "abcdefghijklmnopqrstuvwxyz0123456789.-{N}")]!=0 ){
        return mf_fail(c, "$.domains", "each must be a lower-case domain name such as \"example.com\"");
      }
      pMf->azDomain[i++] = z;
    }
    i = 0;
  }
  if( !cJSON_IsArray(pCred) || cJSON_GetArraySize(pCred)==0 ){
    return mf_fail(c, "$.credentials", "must list the credential keys (\"?key\" for an optional one)");
  }
  pMf->azCredential = calloc((size_t)cJSON_GetArraySize(pCred) + 1, sizeof(char*));
  if( pMf->azCredential==0 ) return mf_fail(c, "$.credentials", "out of memory");
  cJSON_ArrayForEach(pE, pCred){
    if( !cJSON_IsString(pE) || pE->valuestring[0]==0 ) return mf_fail(c, "$.credentials", "each key must be a non-empty string");
    pMf->azCredential[i++] = pE->valuestring;
  }
  /* the auth kind's credentials must be listed */
  if( strcmp(pMf->zAuth, "headers")==0 ){
    const cJSON *pH = cJSON_GetObjectItemCaseSensitive(pAuth, "headers");
    if( !cJSON_IsObject(pH) || cJSON_GetArraySize(pH)==0 ){
      return mf_fail(c, "$.auth.headers", "auth kind headers needs {header name: credential key}");
    }
    cJSON_ArrayForEach(pE, pH){
      if( !cJSON_IsString(pE) ) return mf_fail(c, "$.auth.headers", "each value must be a credential key");
    }
  }else if( strcmp(pMf->zAuth, "body")==0 ){
    /* credentials inside each request body: {element: credential key} */
    const cJSON *pF = cJSON_GetObjectItemCaseSensitive(pAuth, "fields");
    if( !cJSON_IsObject(pF) || cJSON_GetArraySize(pF)==0 ){
      return mf_fail(c, "$.auth.fields", "auth kind body needs {body field: credential key}");
    }
    cJSON_ArrayForEach(pE, pF){
      if( !cJSON_IsString(pE) ) return mf_fail(c, "$.auth.fields", "each value must be a credential key");
    }
  }else if( strcmp(pMf->zAuth, "basic")==0 ){
    if( mf_str(pAuth, "user")==0 || mf_str(pAuth, "password")==0 ){
      return mf_fail(c, "$.auth", "auth kind basic needs \"user\" and \"password\" (credential keys)");
    }
  }
  /* rate_limit: null (none documented) or {requests, per_seconds} */
  if( pRate && !cJSON_IsNull(pRate) ){
    static const char *const azKey[] = { "requests", "per_seconds", "notes", 0 };
    double rN = mf_positive(pRate, "requests", -1), rS = mf_positive(pRate, "per_seconds", -1);
    if( !cJSON_IsObject(pRate) ) return mf_fail(c, "$.rate_limit", "must be {\"requests\": N, \"per_seconds\": S} or null");
    if( mf_keys(c, "$.rate_limit", pRate, azKey) ) return SQLITE_ERROR;
    if( rN<0 || rS<0 ) return mf_fail(c, "$.rate_limit", "needs \"requests\" and \"per_seconds\", both positive");
    pMf->rPerSecond = rN / rS;
  }
  {
    double rC = mf_positive(p, "connections", 4);
    double rE = mf_positive(p, "empty_list_status", 0);
    if( rC<1 || rC>64 || rC!=(int)rC ) return mf_fail(c, "$.connections", "must be an integer 1..64 (concurrent transfers)");
    if( rE<0 || (rE!=0 && (rE<100 || rE>599)) ) return mf_fail(c, "$.empty_list_status", "must be the HTTP status a list matching nothing gets");
    pMf->nConnections = (int)rC;
    pMf->iEmptyListStatus = (int)rE;
  }
  /* page_size: {"max": N} */
  if( !cJSON_IsObject(pPage) ) return mf_fail(c, "$.page_size", "must be {\"max\": the largest page the vendor serves}");
  {
    double rMax = mf_positive(pPage, "max", -1);
    static const char *const azKey[] = { "max", "notes", 0 };
    if( mf_keys(c, "$.page_size", pPage, azKey) ) return SQLITE_ERROR;
    if( rMax<1 || rMax>100000 ) return mf_fail(c, "$.page_size.max", "must be 1..100000");
    pMf->nMaxPageSize = (int)rMax;
  }
  return SQLITE_OK;
}

/* A key written twice in one object would be a fact written twice (and
** cJSON would silently use the first): refuse it, anywhere in the file. */
static int mf_no_duplicate_keys(mf_ctx *c, const cJSON *p, pms_str *pPath){
  const cJSON *pA, *pB;
  size_t nPath = pPath->n;
  int i = 0, rc = SQLITE_OK;
  cJSON_ArrayForEach(pA, p){
    if( cJSON_IsObject(p) ){
      for(pB=p->child; pB!=pA; pB=pB->next){
        if( strcmp(pA->string, pB->string)==0 ){
          char *zW = pms_mprintf("key '%s' appears twice", pA->string);
          mf_fail(c, pPath->z ? pPath->z : "$", zW ? zW : "duplicate key");
          free(zW);
          return SQLITE_ERROR;
        }
      }
      pms_str_appendf(pPath, ".%s", pA->string);
    }else{
      pms_str_appendf(pPath, "[%d]", i);
    }
    i++;
    if( cJSON_IsObject(pA) || cJSON_IsArray(pA) ) rc = mf_no_duplicate_keys(c, pA, pPath);
    pPath->n = nPath;
    if( pPath->z ) pPath->z[nPath] = 0;
    if( rc ) return rc;
  }
  return SQLITE_OK;
}

void pms_manifest_free(pms_manifest *pMf){
  int i;
  const pms_adapter_model *pAM;
  if( pMf==0 ) return;
  for(i=0; i<pMf->nValueMap; i++) free(pMf->aValueMap[i].aEntry);
  free(pMf->aValueMap);
  for(pAM=pMf->aModel; pAM && pAM->zModel; pAM++){
    free((void*)pAM->aMap);
    free((void*)pAM->aWrite);
  }
  free(pMf->aModel);
  free(pMf->azCredential);
  free(pMf->azDomain);
  cJSON_Delete(pMf->pJson);
  free(pMf->zFile);
  free(pMf);
}

int pms_manifest_parse(const char *zFile, const char *zText, pms_manifest **ppOut, char **pzErr){
  mf_ctx c;
  pms_manifest *pMf = calloc(1, sizeof(*pMf));
  const char *zErrAt = 0;
  int rc;
  *ppOut = 0;
  c.zFile = zFile;
  c.zErr = 0;
  if( pMf==0 ){ *pzErr = pms_strdup("out of memory"); return SQLITE_NOMEM; }
  pMf->zFile = pms_strdup(zFile);
  pMf->pJson = cJSON_ParseWithOpts(zText, &zErrAt, 1);
  if( pMf->pJson==0 || !cJSON_IsObject(pMf->pJson) ){
    int nLine = 1;
    const char *z;
    for(z=zText; zErrAt && z<zErrAt && *z; z++) if( *z=='\n' ) nLine++;
    *pzErr = pms_mprintf("%s: $: %s (line %d)", zFile,
                         pMf->pJson ? "must be a JSON object" : "not valid JSON", nLine);
    pms_manifest_free(pMf);
    return SQLITE_ERROR;
  }
  {
    pms_str path = {0};
    pms_str_appendz(&path, "$");
    rc = mf_no_duplicate_keys(&c, pMf->pJson, &path);
    pms_str_reset(&path);
  }
  if( rc==SQLITE_OK ) rc = mf_vendor(&c, pMf);
  if( rc==SQLITE_OK ) rc = mf_value_maps(&c, pMf);
  if( rc==SQLITE_OK ) rc = mf_models(&c, pMf);
  if( rc ){
    *pzErr = c.zErr ? c.zErr : pms_mprintf("%s: cannot load", zFile);
    pms_manifest_free(pMf);
    return rc;
  }
  *ppOut = pMf;
  return SQLITE_OK;
}

/* ------------------------------------------------------ compiled-in set */

static void mf_load_once(void){
  const pms_embedded *p;
  int n = 0;
  char *zErr = 0;
  if( pms_schema_load(&zErr) ){ zMfErr = zErr; return; }
  for(p=pms_embedded_capability; p->zName; p++) n++;
  apMf = calloc((size_t)n + 1, sizeof(pms_manifest*));
  if( apMf==0 ){ zMfErr = pms_strdup("out of memory"); return; }
  for(p=pms_embedded_capability; p->zName; p++){
    char *zFile = pms_mprintf("capability/%s.json", p->zName);
    pms_manifest *pMf = 0;
    int rc = zFile ? pms_manifest_parse(zFile, p->zText, &pMf, &zErr) : SQLITE_NOMEM;
    free(zFile);
    if( rc ){ zMfErr = zErr ? zErr : pms_strdup("out of memory"); return; }
    apMf[nMf++] = pMf;
  }
}

int pms_manifest_init(char **pzErr){
  pthread_once(&mfOnce, mf_load_once);
  if( zMfErr ){
    if( pzErr ) *pzErr = pms_strdup(zMfErr);
    return SQLITE_ERROR;
  }
  return SQLITE_OK;
}

int pms_manifest_count(void){
  return pms_manifest_init(0) ? 0 : nMf;
}

const pms_manifest *pms_manifest_at(int i){
  return i>=0 && i<pms_manifest_count() ? apMf[i] : 0;
}

const pms_manifest *pms_manifest_find(const char *zVendor){
  int i;
  for(i=0; zVendor && i<pms_manifest_count(); i++){
    if( strcmp(apMf[i]->zVendor, zVendor)==0 ) return apMf[i];
  }
  return 0;
}
