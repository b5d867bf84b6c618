/*
** schema.c — the unified models, read from the compiled-in sql/ files.
**
** sql/<model>.sql is the one source of truth for a model's columns and
** indexes. At first use the DDL is run into a private in-memory database and
** read back with PRAGMA table_info / index_list / index_info, so SQLite itself
** parses it; the result is an immutable, process-wide array of pms_model that
** the virtual tables, the cache DDL, the sync engine and pms_capabilities all
** use. A column whose declared type says HIDDEN is hidden in the virtual table.
** A column declared WRITEONLY (after every stored column) is a create-only
** field: a hidden column of the virtual table that an INSERT may set and
** the vendor's create body carries, which no read returns; it is not a
** column of the cache (pms_model.nCol counts the stored ones only).
*/
#include "pmsql.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Sync order (parents before children) and the short tag used in ids. */
static const struct { const char *zName; const char *zTag; } aSchemaOrder[] = {
  { "properties",       "prop"  },
  { "units",            "unit"  },
  { "leases",           "lease" },
  { "residents",        "res"   },
  { "applicants",       "appl"  },
  { "leads",            "lead"  },
  { "service_requests", "sr"    },
  /* money and maintenance: codes and vendors before what refers to them */
  { "charge_codes",               "cc"    },
  { "vendors",                    "vend"  },
  { "recurring_resident_charges", "rrc"   },
  { "resident_charges",           "rchg"  },
  { "resident_payments",          "rpay"  },
  { "service_request_history",    "srh"   },
};
#define SCHEMA_NMODEL ((int)(sizeof(aSchemaOrder)/sizeof(aSchemaOrder[0])))

static pms_model aSchemaModel[SCHEMA_NMODEL];
static int nSchemaModel = 0;
static char *zSchemaErr = 0;
static pthread_once_t schemaOnce = PTHREAD_ONCE_INIT;

static const char *schema_text(const char *zName){
  const pms_embedded *p;
  for(p=pms_embedded_sql; p->zName; p++){
    if( strcmp(p->zName, zName)==0 ) return p->zText;
  }
  return 0;
}

static int schema_read_columns(sqlite3 *db, pms_model *pM){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db,
      "SELECT name, type, \"notnull\" FROM pragma_table_info(?1) ORDER BY cid",
      -1, &pStmt, 0);
  int nAlloc = 0;
  if( rc ) return rc;
  sqlite3_bind_text(pStmt, 1, pM->zName, -1, SQLITE_STATIC);
  while( sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zType = (const char*)sqlite3_column_text(pStmt, 1);
    pms_column *pC;
    char *zHidden;
    if( pM->nCol>=nAlloc ){
      nAlloc = nAlloc ? nAlloc*2 : 64;
      pM->aCol = realloc(pM->aCol, sizeof(pms_column)*nAlloc);
      if( pM->aCol==0 ){ sqlite3_finalize(pStmt); return SQLITE_NOMEM; }
    }
    pC = &pM->aCol[pM->nCol++];
    memset(pC, 0, sizeof(*pC));
    pC->zName = pms_strdup((const char*)sqlite3_column_text(pStmt, 0));
    pC->zType = pms_strdup(zType ? zType : "");
    pC->bNotNull = sqlite3_column_int(pStmt, 2);
    zHidden = strstr(pC->zType, "WRITEONLY");
    if( zHidden ){
      pC->bWriteOnly = pC->bHidden = 1;
      while( zHidden>pC->zType && zHidden[-1]==' ' ) zHidden--;
      *zHidden = 0;
    }
    zHidden = strstr(pC->zType, "HIDDEN");
    if( zHidden ){
      pC->bHidden = 1;
      while( zHidden>pC->zType && zHidden[-1]==' ' ) zHidden--;
      *zHidden = 0;
    }
  }
  /* the stored columns first, then the write-only ones */
  pM->nField = pM->nCol;
  while( pM->nCol>0 && pM->aCol[pM->nCol-1].bWriteOnly ) pM->nCol--;
  return sqlite3_finalize(pStmt);
}

static int schema_read_indexes(sqlite3 *db, pms_model *pM){
  sqlite3_stmt *pList = 0, *pInfo = 0;
  size_t nPrefix = strlen(pM->zName);
  int rc = sqlite3_prepare_v2(db,
      "SELECT name, \"unique\" FROM pragma_index_list(?1) WHERE origin='c' ORDER BY name",
      -1, &pList, 0);
  if( rc==SQLITE_OK ){
    rc = sqlite3_prepare_v2(db,
        "SELECT cid, upper(coll) FROM pragma_index_xinfo(?1) WHERE key ORDER BY seqno", -1, &pInfo, 0);
  }
  if( rc ){ sqlite3_finalize(pList); return rc; }
  sqlite3_bind_text(pList, 1, pM->zName, -1, SQLITE_STATIC);
  while( rc==SQLITE_OK && sqlite3_step(pList)==SQLITE_ROW ){
    const char *zIdx = (const char*)sqlite3_column_text(pList, 0);
    pms_index *pI;
    pM->aIndex = realloc(pM->aIndex, sizeof(pms_index)*(pM->nIndex+1));
    if( pM->aIndex==0 ){ rc = SQLITE_NOMEM; break; }
    pI = &pM->aIndex[pM->nIndex++];
    memset(pI, 0, sizeof(*pI));
    /* Index names are "<model>_<suffix>"; the cache uses "<model>_cache_<suffix>". */
    pI->zSuffix = pms_strdup(strncmp(zIdx, pM->zName, nPrefix)==0 && zIdx[nPrefix]=='_'
                             ? zIdx+nPrefix+1 : zIdx);
    pI->bUnique = sqlite3_column_int(pList, 1);
    sqlite3_bind_text(pInfo, 1, zIdx, -1, SQLITE_TRANSIENT);
    while( sqlite3_step(pInfo)==SQLITE_ROW ){
      if( pI->nCol < (int)(sizeof(pI->aiCol)/sizeof(pI->aiCol[0])) ){
        const char *zColl = (const char*)sqlite3_column_text(pInfo, 1);
        pI->azColl[pI->nCol] = zColl && strcmp(zColl, "NOCASE")==0 ? "NOCASE"
                             : zColl && strcmp(zColl, "RTRIM")==0 ? "RTRIM" : 0;
        pI->aiCol[pI->nCol++] = sqlite3_column_int(pInfo, 0);
      }
    }
    sqlite3_reset(pInfo);
  }
  sqlite3_finalize(pInfo);
  sqlite3_finalize(pList);
  return rc;
}

static void schema_load_once(void){
  sqlite3 *db = 0;
  int i, k, rc;
  rc = sqlite3_open_v2(":memory:", &db,
                       SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE, 0);
  for(i=0; rc==SQLITE_OK && i<SCHEMA_NMODEL; i++){
    pms_model *pM = &aSchemaModel[i];
    const char *zDdl = schema_text(aSchemaOrder[i].zName);
    char *zErr = 0;
    memset(pM, 0, sizeof(*pM));
    pM->zName = aSchemaOrder[i].zName;
    pM->zTag = aSchemaOrder[i].zTag;
    if( zDdl==0 ){
      zSchemaErr = pms_mprintf("pmsql: sql/%s.sql is not compiled in", pM->zName);
      rc = SQLITE_ERROR;
      break;
    }
    rc = sqlite3_exec(db, zDdl, 0, 0, &zErr);
    if( rc ){
      zSchemaErr = pms_mprintf("pmsql: sql/%s.sql: %s", pM->zName, zErr);
      sqlite3_free(zErr);
      break;
    }
    rc = schema_read_columns(db, pM);
    if( rc==SQLITE_OK ) rc = schema_read_indexes(db, pM);
    if( rc ) break;
    pM->iId = pms_model_column(pM, "id");
    pM->iIntegration = pms_model_column(pM, "integration_id");
    pM->iVendor = pms_model_column(pM, "integration_vendor");
    pM->iXId = pms_model_column(pM, "x_id");
    pM->iCreated = pms_model_column(pM, "created_at");
    pM->iUpdated = pms_model_column(pM, "updated_at");
    pM->iLastSeen = pms_model_column(pM, "last_seen");
    pM->iRemote = pms_model_column(pM, "remote_data");
    pM->iProperty = pms_model_column(pM, "property_id");
    if( pM->iId<0 || pM->iIntegration<0 || pM->iVendor<0 || pM->iXId<0
     || pM->iCreated<0 || pM->iUpdated<0 || pM->iLastSeen<0 || pM->iRemote<0
     || pM->nField>62 ){
      zSchemaErr = pms_mprintf("pmsql: sql/%s.sql lacks a core column "
                               "or has more than 62 columns", pM->zName);
      rc = SQLITE_ERROR;
      break;
    }
    for(k=0; k<pM->nCol && !pM->aCol[k].bWriteOnly; k++){}
    if( k<pM->nCol ){
      zSchemaErr = pms_mprintf("pmsql: sql/%s.sql: WRITEONLY column %s must follow "
                               "every stored column", pM->zName, pM->aCol[k].zName);
      rc = SQLITE_ERROR;
      break;
    }
    nSchemaModel = i+1;
  }
  if( rc && zSchemaErr==0 ){
    zSchemaErr = pms_mprintf("pmsql: cannot load the schema: %s",
                             db ? sqlite3_errmsg(db) : "out of memory");
  }
  if( rc ) nSchemaModel = 0;
  sqlite3_close(db);
}

int pms_schema_load(char **pzErr){
  pthread_once(&schemaOnce, schema_load_once);
  if( nSchemaModel==0 ){
    if( pzErr ) *pzErr = pms_strdup(zSchemaErr ? zSchemaErr : "pmsql: no schema");
    return SQLITE_ERROR;
  }
  return SQLITE_OK;
}

int pms_model_count(void){ return nSchemaModel; }

const pms_model *pms_model_at(int i){
  return (i>=0 && i<nSchemaModel) ? &aSchemaModel[i] : 0;
}

const pms_model *pms_model_find(const char *zName){
  int i;
  if( zName==0 ) return 0;
  for(i=0; i<nSchemaModel; i++){
    if( sqlite3_stricmp(aSchemaModel[i].zName, zName)==0 ) return &aSchemaModel[i];
  }
  return 0;
}

static int schema_find(const pms_model *pM, int n, const char *zCol){
  int i;
  for(i=0; zCol && i<n; i++){
    if( sqlite3_stricmp(pM->aCol[i].zName, zCol)==0 ) return i;
  }
  return -1;
}

int pms_model_column(const pms_model *pM, const char *zCol){
  return schema_find(pM, pM->nCol, zCol);
}

int pms_model_field(const pms_model *pM, const char *zField){
  return schema_find(pM, pM->nField, zField);
}

static void schema_index_ddl(sqlite3_str *p, const pms_model *pM, const char *zDb, int i){
  const pms_index *pI = &pM->aIndex[i];
  int j;
  sqlite3_str_appendf(p, "CREATE %sINDEX IF NOT EXISTS \"%w\".\"%w_cache_%w\" ON \"%w_cache\"(",
                      pI->bUnique ? "UNIQUE " : "", zDb, pM->zName, pI->zSuffix, pM->zName);
  for(j=0; j<pI->nCol; j++){
    sqlite3_str_appendf(p, "%s\"%w\"%s%s", j ? ", " : "", pM->aCol[pI->aiCol[j]].zName,
                        pI->azColl[j] ? " COLLATE " : "", pI->azColl[j] ? pI->azColl[j] : "");
  }
  sqlite3_str_appendall(p, ");\n");
}

/* The cache table has the model's columns (none hidden) plus _hash, the
** content hash the sync engine compares to skip unchanged records. */
char *pms_model_cache_ddl(const pms_model *pM, const char *zDb){
  sqlite3_str *p = sqlite3_str_new(0);
  int i;
  sqlite3_str_appendf(p, "CREATE TABLE IF NOT EXISTS \"%w\".\"%w_cache\"(", zDb, pM->zName);
  for(i=0; i<pM->nCol; i++){
    const pms_column *pC = &pM->aCol[i];
    sqlite3_str_appendf(p, "%s\"%w\" %s%s%s", i ? ", " : "", pC->zName, pC->zType,
                        i==pM->iId ? " PRIMARY KEY" : "",
                        pC->bNotNull ? " NOT NULL" : "");
  }
  sqlite3_str_appendall(p, ", _hash INTEGER);\n");
  for(i=0; i<pM->nIndex; i++) schema_index_ddl(p, pM, zDb, i);
  return sqlite3_str_finish(p);
}

/* CREATE INDEX IF NOT EXISTS of the cache's index i (the sync builds some
** after a large first sync). */
char *pms_model_index_ddl(const pms_model *pM, const char *zDb, int i){
  sqlite3_str *p = sqlite3_str_new(0);
  schema_index_ddl(p, pM, zDb, i);
  return sqlite3_str_finish(p);
}

/* "<integration>:<tag>:<x_id>", by hand: every record makes one or more
** (sqlite3_malloc'd) */
static char *schema_tag_id(const char *zIntegration, const char *zTag, const char *zXId){
  size_t nI, nT, nX;
  char *z;
  if( zIntegration==0 ) zIntegration = "";     /* as sqlite3_mprintf prints NULL */
  if( zXId==0 ) zXId = "";
  nI = strlen(zIntegration);
  nT = strlen(zTag);
  nX = strlen(zXId);
  z = sqlite3_malloc64(nI + nT + nX + 3);
  if( z ){
    memcpy(z, zIntegration, nI);
    z[nI] = ':';
    memcpy(z+nI+1, zTag, nT);
    z[nI+1+nT] = ':';
    memcpy(z+nI+nT+2, zXId, nX+1);
  }
  return z;
}

const pms_model *pms_id_model(const char *zId, const char *zIntegration){
  size_t nI = strlen(zIntegration ? zIntegration : "");
  int i;
  if( zId==0 || strncmp(zId, zIntegration ? zIntegration : "", nI)!=0 || zId[nI]!=':' ) return 0;
  zId += nI+1;
  for(i=0; i<nSchemaModel; i++){
    size_t nT = strlen(aSchemaModel[i].zTag);
    if( strncmp(zId, aSchemaModel[i].zTag, nT)==0 && zId[nT]==':' && zId[nT+1]!=0 ) return &aSchemaModel[i];
  }
  return 0;
}

char *pms_make_id(const char *zIntegration, const pms_model *pM, const char *zXId){
  return schema_tag_id(zIntegration, pM->zTag, zXId);
}

/* Records that live only inside a model's JSON column, by Propexo's name
** for them (its x-propexo derivedFromModel): the tag of their ids and the
** fields of Propexo's GET schema after id and x_id (its bookkeeping times
** and custom_data left out: pmsql keeps no rows of its own for them).
** applications entries carry their ids under other names (application_id,
** x_application_id), so only their tag is here. */
static const struct {
  const char *zKind;
  const char *zTag;
  const char *const *azField;     /* NULL-terminated, or NULL */
} aNested[] = {
  { "applications",      "apn",  0 },
  { "resident_vehicles", "rveh", (const char *const[]){ "make", "model", "color", "year",
      "license_plate_number", "license_plate_state", "notes", 0 } },
  { "lead_pets",         "lpet", (const char *const[]){ "name", "type", "breed", "color",
      "gender_raw", "age_in_years", "weight_in_pounds", "is_fixed", "is_service_animal",
      "notes", 0 } },
};

static int schema_nested(const char *zKind){
  int i;
  for(i=0; i<(int)(sizeof(aNested)/sizeof(aNested[0])); i++){
    if( strcmp(aNested[i].zKind, zKind)==0 ) return i;
  }
  return -1;
}

char *pms_make_nested_id(const char *zIntegration, const char *zKind, const char *zXId){
  int i = schema_nested(zKind);
  return i<0 ? 0 : schema_tag_id(zIntegration, aNested[i].zTag, zXId);
}

cJSON *pms_nested_new(const char *zKind, const char *zIntegration, const char *zXId){
  int i = schema_nested(zKind), k, bOom;
  cJSON *pO;
  char *zId;
  if( i<0 || aNested[i].azField==0 || (pO = cJSON_CreateObject())==0 ) return 0;
  zId = zXId ? schema_tag_id(zIntegration, aNested[i].zTag, zXId) : 0;
  bOom = zXId && zId==0;
  cJSON_AddItemToObject(pO, "id", zId ? cJSON_CreateString(zId) : cJSON_CreateNull());
  cJSON_AddItemToObject(pO, "x_id", zXId ? cJSON_CreateString(zXId) : cJSON_CreateNull());
  sqlite3_free(zId);
  for(k=0; aNested[i].azField[k]; k++) cJSON_AddNullToObject(pO, aNested[i].azField[k]);
  if( bOom || cJSON_GetArraySize(pO)!=k+2 ){ cJSON_Delete(pO); return 0; }
  return pO;
}

int pms_nested_set(cJSON *pO, const char *zField, cJSON *pV){
  if( pV==0 ) return SQLITE_NOMEM;
  if( pO==0 || !cJSON_ReplaceItemInObjectCaseSensitive(pO, zField, pV) ){
    cJSON_Delete(pV);
    return SQLITE_ERROR;           /* a name the kind has not: a bug, not data */
  }
  return SQLITE_OK;
}

int pms_column_is_bookkeeping(const pms_model *pM, int i){
  return i==pM->iId || i==pM->iIntegration || i==pM->iVendor || i==pM->iXId
      || i==pM->iCreated || i==pM->iUpdated || i==pM->iLastSeen;
}

int pms_column_is_engine(const pms_model *pM, int i){
  return pms_column_is_bookkeeping(pM, i) || i==pM->iRemote;
}
