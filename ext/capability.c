/*
** capability.c — the read-only, eponymous pms_capabilities table, built from
** the vendor manifests (capability/<vendor>.json, parsed by manifest.c).
**
** A manifest says, per unified model, which operations a vendor
** supports and, per field and operation, whether the field is accepted,
** required, and which rules it must satisfy (type, max_length, enum, format).
** The format is described in capability/README.md. pms_capabilities has one
** row per vendor x model x operation x field (field NULL for the operation
** itself), over every column of the unified model, so the matrix is
** complete and joinable: a field the file does not list is unsupported.
** pms_manifest(vendor) shows the maps the engine applies, as JSON.
*/
#include "pmsql.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const char *const azCapOp[] = { "read", "create", "update", "delete" };
#define CAP_NOP 4

typedef struct cap_row {
  const char *zVendor, *zModel, *zOp, *zField;  /* borrowed */
  int bSupported, bRequired;
  const char *zType, *zFormat, *zNotes;         /* borrowed from the JSON */
  int nMaxLen, nMinLen;                         /* -1 if none */
  char *zEnum;                                  /* JSON text, malloc'd */
  char *zEnumMap;                               /* JSON text, malloc'd */
  const cJSON *pMin, *pMax;                     /* minimum/maximum, borrowed */
  int iIncremental, iReadback;                  /* operation rows: 0/1; -1 n/a */
} cap_row;

static cap_row *aCapRow = 0;
static int nCapRow = 0;
static char *zCapErr = 0;
static pthread_once_t capOnce = PTHREAD_ONCE_INIT;

/* The unified -> vendor view of a value map: for each unified value, the
** first vendor value that reads as it (the one a write sends). */
char *pms_value_map_write_json(const pms_enum_map *aMap){
  cJSON *p = cJSON_CreateObject();
  const pms_enum_map *pE;
  char *zJson, *zOut;
  if( p==0 ) return 0;
  for(pE=aMap; pE && pE->zVendor; pE++){
    if( pE->zUnified && cJSON_GetObjectItemCaseSensitive(p, pE->zUnified)==0 ){
      cJSON_AddStringToObject(p, pE->zUnified, pE->zVendor);
    }
  }
  zJson = cJSON_PrintUnformatted(p);
  cJSON_Delete(p);
  zOut = zJson ? pms_strdup(zJson) : 0;
  cJSON_free(zJson);
  return zOut;
}

static const char *cap_string(const cJSON *p, const char *zKey){
  const cJSON *pV = cJSON_GetObjectItemCaseSensitive(p, zKey);
  return cJSON_IsString(pV) ? pV->valuestring : 0;
}

static int cap_add(cap_row *pRow){
  if( (nCapRow & 1023)==0 ){
    cap_row *aNew = realloc(aCapRow, sizeof(cap_row)*(nCapRow+1024));
    if( aNew==0 ) return SQLITE_NOMEM;
    aCapRow = aNew;
  }
  aCapRow[nCapRow++] = *pRow;
  return SQLITE_OK;
}

static int cap_build_rows(const pms_manifest *pMf){
  const cJSON *pCap = pMf->pJson;
  const char *zVendor = cap_string(pCap, "vendor");
  const cJSON *pModels = cJSON_GetObjectItemCaseSensitive(pCap, "models");
  int i, k, c;
  for(i=0; i<pms_model_count(); i++){
    const pms_model *pM = pms_model_at(i);
    const cJSON *pModel = cJSON_GetObjectItemCaseSensitive(pModels, pM->zName);
    const cJSON *pOps = cJSON_GetObjectItemCaseSensitive(pModel, "operations");
    const cJSON *pFields = cJSON_GetObjectItemCaseSensitive(pModel, "fields");
    for(k=0; k<CAP_NOP; k++){
      const cJSON *pOp = cJSON_GetObjectItemCaseSensitive(pOps, azCapOp[k]);
      cap_row r;
      int bOpOk = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pOp, "supported"));
      memset(&r, 0, sizeof(r));
      r.zVendor = zVendor; r.zModel = pM->zName; r.zOp = azCapOp[k];
      r.bSupported = bOpOk;
      r.zNotes = cap_string(pOp, "notes");
      r.nMaxLen = r.nMinLen = -1;
      r.iIncremental = k==0 ? bOpOk && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pOp, "incremental")) : -1;
      r.iReadback = k==2 ? bOpOk && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pOp, "readback")) : -1;
      if( cap_add(&r) ) return SQLITE_NOMEM;
      if( k==3 ) continue;   /* delete is per record, not per field */
      for(c=0; c<pM->nField; c++){
        const cJSON *pF, *pFlag, *pMax, *pEnum;
        if( pms_column_is_engine(pM, c) ) continue;
        pF = cJSON_GetObjectItemCaseSensitive(pFields, pM->aCol[c].zName);
        memset(&r, 0, sizeof(r));
        r.zVendor = zVendor; r.zModel = pM->zName; r.zOp = azCapOp[k];
        r.zField = pM->aCol[c].zName;
        r.nMaxLen = r.nMinLen = -1;
        r.iIncremental = r.iReadback = -1;
        if( pF ){
          pFlag = cJSON_GetObjectItemCaseSensitive(pF, azCapOp[k]);
          r.bRequired = cJSON_IsString(pFlag) && strcmp(pFlag->valuestring, "required")==0;
          /* read: true (the adapter fills it) or {path, transform} */
          r.bSupported = bOpOk && (cJSON_IsTrue(pFlag) || r.bRequired || (k==0 && cJSON_IsObject(pFlag)));
          r.zType = cap_string(pF, "type");
          r.zFormat = cap_string(pF, "format");
          r.zNotes = cap_string(pF, "notes");
          pMax = cJSON_GetObjectItemCaseSensitive(pF, "max_length");
          if( cJSON_IsNumber(pMax) ) r.nMaxLen = pMax->valueint;
          pMax = cJSON_GetObjectItemCaseSensitive(pF, "min_length");
          if( cJSON_IsNumber(pMax) ) r.nMinLen = pMax->valueint;
          pMax = cJSON_GetObjectItemCaseSensitive(pF, "minimum");
          if( cJSON_IsNumber(pMax) ) r.pMin = pMax;
          pMax = cJSON_GetObjectItemCaseSensitive(pF, "maximum");
          if( cJSON_IsNumber(pMax) ) r.pMax = pMax;
          pEnum = cJSON_GetObjectItemCaseSensitive(pF, "enum");
          if( cJSON_IsArray(pEnum) ){
            r.zEnum = cJSON_PrintUnformatted(pEnum);
          }
          pEnum = cJSON_GetObjectItemCaseSensitive(pF, "value_map");
          if( cJSON_IsString(pEnum) ){
            r.zEnumMap = pms_value_map_write_json(pms_manifest_value_map(pMf, pEnum->valuestring));
          }
        }
        if( cap_add(&r) ) return SQLITE_NOMEM;
      }
    }
  }
  return SQLITE_OK;
}

static void cap_load_once(void){
  char *zErr = 0;
  int i;
  if( pms_manifest_init(&zErr) ){ zCapErr = zErr; return; }
  for(i=0; i<pms_manifest_count(); i++){
    if( cap_build_rows(pms_manifest_at(i)) ){ zCapErr = pms_strdup("out of memory"); return; }
  }
}

int pms_capability_init(char **pzErr){
  pthread_once(&capOnce, cap_load_once);
  if( zCapErr ){
    if( pzErr ) *pzErr = pms_strdup(zCapErr);
    return SQLITE_ERROR;
  }
  return SQLITE_OK;
}

const cJSON *pms_capability(const char *zVendor){
  const pms_manifest *pMf = pms_manifest_find(zVendor);
  return pMf ? pMf->pJson : 0;
}

/* ------------------------------------------------ pms_capabilities vtab */

typedef struct cap_cursor {
  sqlite3_vtab_cursor base;
  int iRow;
} cap_cursor;

enum { CAP_VENDOR, CAP_MODEL, CAP_OPERATION, CAP_FIELD, CAP_SUPPORTED,
       CAP_REQUIRED, CAP_TYPE, CAP_MAX_LENGTH, CAP_FORMAT, CAP_ENUM, CAP_NOTES,
       CAP_MIN_LENGTH, CAP_MINIMUM, CAP_MAXIMUM, CAP_ENUM_MAP, CAP_INCREMENTAL, CAP_READBACK };

static int cap_connect(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                       sqlite3_vtab **ppVtab, char **pzErr){
  sqlite3_vtab *p;
  char *zErr = 0;
  int rc;
  (void)pAux; (void)argc; (void)argv;
  if( pms_capability_init(&zErr) ){
    *pzErr = sqlite3_mprintf("%s", zErr);
    free(zErr);
    return SQLITE_ERROR;
  }
  rc = sqlite3_declare_vtab(db,
      "CREATE TABLE x(vendor TEXT, model TEXT, operation TEXT, field TEXT, "
      "supported INTEGER, required INTEGER, type TEXT, max_length INTEGER, "
      "format TEXT, enum_values TEXT, notes TEXT, min_length INTEGER, minimum NUMERIC, "
      "maximum NUMERIC, enum_map TEXT, incremental INTEGER, readback INTEGER)");
  if( rc ) return rc;
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
  p = sqlite3_malloc(sizeof(*p));
  if( p==0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  *ppVtab = p;
  return SQLITE_OK;
}

static int cap_disconnect(sqlite3_vtab *p){ sqlite3_free(p); return SQLITE_OK; }

static int cap_best_index(sqlite3_vtab *p, sqlite3_index_info *pInfo){
  (void)p;
  pInfo->estimatedCost = nCapRow;
  pInfo->estimatedRows = nCapRow;
  return SQLITE_OK;
}

static int cap_open(sqlite3_vtab *p, sqlite3_vtab_cursor **ppCur){
  cap_cursor *pCur = sqlite3_malloc(sizeof(*pCur));
  (void)p;
  if( pCur==0 ) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

static int cap_close(sqlite3_vtab_cursor *cur){ sqlite3_free(cur); return SQLITE_OK; }

static int cap_filter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                      int argc, sqlite3_value **argv){
  (void)idxNum; (void)idxStr; (void)argc; (void)argv;
  ((cap_cursor*)cur)->iRow = 0;
  return SQLITE_OK;
}

static int cap_next(sqlite3_vtab_cursor *cur){ ((cap_cursor*)cur)->iRow++; return SQLITE_OK; }
static int cap_eof(sqlite3_vtab_cursor *cur){ return ((cap_cursor*)cur)->iRow>=nCapRow; }

static void cap_text(sqlite3_context *ctx, const char *z){
  if( z ) sqlite3_result_text(ctx, z, -1, SQLITE_STATIC);
}

/* A JSON number as an integer when it is one, else a real. */
static void cap_number(sqlite3_context *ctx, const cJSON *p){
  double v = p->valuedouble;
  if( v==(double)(sqlite3_int64)v && v>-9e15 && v<9e15 ) sqlite3_result_int64(ctx, (sqlite3_int64)v);
  else sqlite3_result_double(ctx, v);
}

static int cap_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  const cap_row *r = &aCapRow[((cap_cursor*)cur)->iRow];
  switch( i ){
    case CAP_VENDOR:    cap_text(ctx, r->zVendor); break;
    case CAP_MODEL:     cap_text(ctx, r->zModel); break;
    case CAP_OPERATION: cap_text(ctx, r->zOp); break;
    case CAP_FIELD:     cap_text(ctx, r->zField); break;
    case CAP_SUPPORTED: sqlite3_result_int(ctx, r->bSupported); break;
    case CAP_REQUIRED:  sqlite3_result_int(ctx, r->bRequired); break;
    case CAP_TYPE:      cap_text(ctx, r->zType); break;
    case CAP_MAX_LENGTH: if( r->nMaxLen>=0 ) sqlite3_result_int(ctx, r->nMaxLen); break;
    case CAP_FORMAT:    cap_text(ctx, r->zFormat); break;
    case CAP_ENUM:      cap_text(ctx, r->zEnum); break;
    case CAP_NOTES:     cap_text(ctx, r->zNotes); break;
    case CAP_MIN_LENGTH: if( r->nMinLen>=0 ) sqlite3_result_int(ctx, r->nMinLen); break;
    case CAP_MINIMUM:   if( r->pMin ) cap_number(ctx, r->pMin); break;
    case CAP_MAXIMUM:   if( r->pMax ) cap_number(ctx, r->pMax); break;
    case CAP_ENUM_MAP:  cap_text(ctx, r->zEnumMap); break;
    case CAP_INCREMENTAL: if( r->iIncremental>=0 ) sqlite3_result_int(ctx, r->iIncremental); break;
    case CAP_READBACK:  if( r->iReadback>=0 ) sqlite3_result_int(ctx, r->iReadback); break;
  }
  return SQLITE_OK;
}

static int cap_rowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  *pRowid = ((cap_cursor*)cur)->iRow + 1;
  return SQLITE_OK;
}

static sqlite3_module capModule = {
  0,
  0,                 /* xCreate NULL: eponymous only */
  cap_connect, cap_best_index, cap_disconnect, 0,
  cap_open, cap_close, cap_filter, cap_next, cap_eof, cap_column, cap_rowid,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};

/* ------------------------------------------------------ pms_manifest() */

/* A field map as the engine holds it: [{column, path, transform, ...}]. */
static cJSON *cap_map_json(const pms_adapter *pA, const pms_field_map *aMap, int bWrite){
  cJSON *pArr = cJSON_CreateArray();
  const pms_field_map *f;
  int i;
  for(f=aMap; f && f->zColumn; f++){
    cJSON *pE = cJSON_CreateObject();
    cJSON_AddStringToObject(pE, "column", f->zColumn);
    cJSON_AddStringToObject(pE, bWrite ? "to" : "path", f->zPath);
    cJSON_AddStringToObject(pE, "transform", pms_xform_name(f->eXform));
    if( f->eXform==PMS_X_FK ) cJSON_AddStringToObject(pE, "model", (const char*)f->pArg);
    if( f->eXform==PMS_X_ENUM ){
      for(i=0; i<pA->pManifest->nValueMap; i++){
        if( pA->pManifest->aValueMap[i].aEntry==f->pArg ){
          cJSON_AddStringToObject(pE, "value_map", pA->pManifest->aValueMap[i].zName);
        }
      }
    }
    if( f->zPart ) cJSON_AddStringToObject(pE, "part", f->zPart);
    cJSON_AddItemToArray(pArr, pE);
  }
  return pArr;
}

/* pms_manifest(vendor): what the engine loaded for a vendor, as JSON — the
** vendor facts, the value maps and, per model, the read and write maps it
** applies. make docs writes the field tables from this, so they show what
** the code does. */
static void cap_manifest_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  const pms_adapter *pA = pms_adapter_find((const char*)sqlite3_value_text(argv[0]));
  const pms_manifest *pMf;
  const pms_adapter_model *pAM;
  cJSON *pOut, *pMaps, *pModels;
  char *z;
  int i;
  (void)argc;
  if( pA==0 ){
    char *zErr = sqlite3_mprintf("pms_manifest: no vendor '%s'", sqlite3_value_text(argv[0]));
    sqlite3_result_error(ctx, zErr, -1);
    sqlite3_free(zErr);
    return;
  }
  pMf = pA->pManifest;
  pOut = cJSON_CreateObject();
  cJSON_AddStringToObject(pOut, "vendor", pA->zVendor);
  cJSON_AddStringToObject(pOut, "file", pMf->zFile);
  cJSON_AddStringToObject(pOut, "auth", pMf->zAuth);
  cJSON_AddStringToObject(pOut, "base_url", pA->zDefaultBaseUrl);
  cJSON_AddNumberToObject(pOut, "requests_per_second", pA->defaultPerSecond);
  cJSON_AddNumberToObject(pOut, "connections", pA->defaultConnections);
  cJSON_AddNumberToObject(pOut, "max_page_size", pA->nMaxPageSize);
  if( pA->iEmptyListStatus ) cJSON_AddNumberToObject(pOut, "empty_list_status", pA->iEmptyListStatus);
  pMaps = cJSON_AddObjectToObject(pOut, "value_maps");
  for(i=0; i<pMf->nValueMap; i++){
    cJSON *pM = cJSON_AddObjectToObject(pMaps, pMf->aValueMap[i].zName);
    cJSON *pV = cJSON_AddObjectToObject(pM, "values");
    const pms_enum_map *e;
    for(e=pMf->aValueMap[i].aEntry; e->zVendor; e++){
      if( e->zUnified ) cJSON_AddStringToObject(pV, e->zVendor, e->zUnified);
      else cJSON_AddNullToObject(pV, e->zVendor);
    }
    if( e->zUnified==pms_enum_unmatched_null ) cJSON_AddNullToObject(pM, "default");
    else if( e->zUnified ) cJSON_AddStringToObject(pM, "default", e->zUnified);
  }
  pModels = cJSON_AddObjectToObject(pOut, "models");
  for(pAM=pA->aModel; pAM && pAM->zModel; pAM++){
    cJSON *pM = cJSON_AddObjectToObject(pModels, pAM->zModel);
    cJSON_AddStringToObject(pM, "resource", pAM->zPath);
    if( pAM->zPaging ) cJSON_AddStringToObject(pM, "paging", pAM->zPaging);
    cJSON_AddBoolToObject(pM, "incremental", pAM->bIncremental);
    if( pAM->zSince ) cJSON_AddStringToObject(pM, "since", pAM->zSince);
    if( pAM->zPartition ) cJSON_AddStringToObject(pM, "partition", pAM->zPartition);
    if( pAM->zPartitionKey ) cJSON_AddStringToObject(pM, "partition_key", pAM->zPartitionKey);
    if( pAM->zIdPath ) cJSON_AddStringToObject(pM, "id", pAM->zIdPath);
    cJSON_AddBoolToObject(pM, "fixup", pAM->xFixup!=0);
    cJSON_AddItemToObject(pM, "read", cap_map_json(pA, pAM->aMap, 0));
    cJSON_AddItemToObject(pM, "write", cap_map_json(pA, pAM->aWrite, 1));
  }
  z = cJSON_PrintUnformatted(pOut);
  cJSON_Delete(pOut);
  if( z ) sqlite3_result_text(ctx, z, -1, SQLITE_TRANSIENT);
  else sqlite3_result_error_nomem(ctx);
  cJSON_free(z);
}

int pms_capabilities_register(sqlite3 *db){
  int rc = sqlite3_create_module_v2(db, "pms_capabilities", &capModule, 0, 0);
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function_v2(db, "pms_manifest", 1, SQLITE_UTF8|SQLITE_INNOCUOUS|SQLITE_DETERMINISTIC,
                                    0, cap_manifest_func, 0, 0, 0);
  }
  return rc;
}
