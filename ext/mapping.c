/*
** mapping.c — vendor JSON to unified rows, driven by data.
**
** The manifests describe each vendor's regular fields, parsed into tables
** of pms_field_map (unified column, dotted JSON path, transform; see
** manifest.c); this file applies them, and reverses them for writes.
** Irregular fields (phone arrays, nested links) stay in the adapter's
** xFixup, which uses the same pms_row setters. Values are sanitised on the
** way in: text is kept as valid UTF-8 without NUL bytes, numbers must be
** finite and in range, so a hostile response cannot corrupt a row.
*/
#include "pmsql.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAP_MAX_TEXT (1<<20)   /* longest text value kept (1 MiB) */

/* v in decimal into z (at least 21 bytes), as "%lld" prints it, without
** printf's cost (several ids per record). Returns z. */
static char *map_int_text(char *z, long long v){
  char zRev[24];
  unsigned long long u = v<0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
  int n = 0, i = 0;
  do{ zRev[n++] = (char)('0' + u%10); u /= 10; }while( u );
  if( v<0 ) z[i++] = '-';
  while( n ) z[i++] = zRev[--n];
  z[i] = 0;
  return z;
}

/* A number as the shortest text that reads back as the same double:
** 3570.68, not %.17g's 3570.6799999999998. */
static char *map_num_text(char *z, size_t n, double r){
  int nDigit;
  for(nDigit=15; nDigit<17; nDigit++){
    snprintf(z, n, "%.*g", nDigit, r);
    if( strtod(z, 0)==r ) return z;
  }
  snprintf(z, n, "%.17g", r);
  return z;
}

void pms_row_init(pms_row *pRow, const pms_model *pM, const char *zIntegration){
  pRow->pModel = pM;
  pRow->zIntegration = zIntegration;
  pRow->zPartition = 0;
  pRow->a = calloc((size_t)pM->nCol, sizeof(pms_value));
}

void pms_row_clear(pms_row *pRow){
  int i;
  if( pRow->a==0 ) return;
  for(i=0; i<pRow->pModel->nCol; i++){
    if( !pRow->a[i].bRef ) free(pRow->a[i].z);
    memset(&pRow->a[i], 0, sizeof(pms_value));
  }
}

void pms_row_free(pms_row *pRow){
  pms_row_clear(pRow);
  free(pRow->a);
  pRow->a = 0;
}

void pms_row_set_null(pms_row *pRow, int iCol){
  pms_value *v = &pRow->a[iCol];
  if( !v->bRef ) free(v->z);
  memset(v, 0, sizeof(*v));
}

void pms_row_set_int(pms_row *pRow, int iCol, sqlite3_int64 i){
  pms_row_set_null(pRow, iCol);
  pRow->a[iCol].eType = SQLITE_INTEGER;
  pRow->a[iCol].i = i;
}

void pms_row_set_real(pms_row *pRow, int iCol, double r){
  pms_row_set_null(pRow, iCol);
  if( !isfinite(r) ) return;
  pRow->a[iCol].eType = SQLITE_FLOAT;
  pRow->a[iCol].r = r;
}

/* Plain ASCII without NUL, eight bytes at a time (a record's raw text is
** a kilobyte and more). */
int pms_text_is_clean(const char *z, size_t n){
  const uint64_t k01 = 0x0101010101010101ull, k80 = 0x8080808080808080ull;
  size_t i = 0;
  for(; i+8<=n; i+=8){
    uint64_t w;
    memcpy(&w, z+i, 8);
    if( (w & k80) || ((w - k01) & ~w & k80) ) return 0;   /* a high bit, a zero byte */
  }
  for(; i<n; i++){
    if( z[i]==0 || (unsigned char)z[i]>=0x80 ) return 0;
  }
  return 1;
}

/* Copy text, dropping NUL bytes and replacing invalid UTF-8 with U+FFFD. */
static char *map_clean_text(const char *z, int n, int *pnOut){
  pms_str s = {0};
  const unsigned char *p = (const unsigned char*)z;
  const unsigned char *e;
  if( n<0 ) n = (int)strlen(z);
  if( n>MAP_MAX_TEXT ) n = MAP_MAX_TEXT;
  e = p + n;
  /* the common case, plain ASCII without NUL: one copy */
  if( pms_text_is_clean(z, (size_t)n) ){
    char *zOut = malloc((size_t)n + 1);
    if( zOut ){ memcpy(zOut, z, (size_t)n); zOut[n] = 0; *pnOut = n; }
    return zOut;
  }
  while( p<e ){
    unsigned char c = *p;
    const unsigned char *q = p;
    if( c<0x80 ){
      while( q<e && *q && *q<0x80 ) q++;
      if( q>p ){ pms_str_append(&s, (const char*)p, (size_t)(q-p)); p = q; continue; }
      p++;   /* NUL */
    }else{
      int k = (c>=0xf0 && c<0xf5) ? 4 : (c>=0xe0 && c<0xf0) ? 3 : (c>=0xc2 && c<0xe0) ? 2 : 0;
      int i, ok = k>0 && p+k<=e;
      for(i=1; ok && i<k; i++) ok = (p[i]&0xc0)==0x80;
      if( ok ){ pms_str_append(&s, (const char*)p, (size_t)k); p += k; }
      else{ pms_str_append(&s, "\xef\xbf\xbd", 3); p++; }
    }
  }
  *pnOut = (int)s.n;
  return pms_str_finish(&s);
}

void pms_row_set_text(pms_row *pRow, int iCol, const char *z, int n){
  pms_value *v;
  pms_row_set_null(pRow, iCol);
  if( z==0 ) return;
  v = &pRow->a[iCol];
  v->z = map_clean_text(z, n, &v->n);
  if( v->z ) v->eType = SQLITE_TEXT;
}

void pms_row_borrow_text(pms_row *pRow, int iCol, const char *z, int n){
  pms_value *v;
  pms_row_set_null(pRow, iCol);
  v = &pRow->a[iCol];
  v->eType = SQLITE_TEXT;
  v->z = (char*)z;
  v->n = n;
  v->bRef = 1;
}

void pms_row_set_text_nocopy(pms_row *pRow, int iCol, const char *z, int n){
  if( n>=0 && n<=MAP_MAX_TEXT && pms_text_is_clean(z, (size_t)n) ) pms_row_borrow_text(pRow, iCol, z, n);
  else pms_row_set_text(pRow, iCol, z, n);
}

void pms_row_take_text(pms_row *pRow, int iCol, char *z){
  pms_row_set_text(pRow, iCol, z, -1);
  free(z);
}

int pms_row_col(const pms_row *pRow, const char *zColumn){
  return pms_model_column(pRow->pModel, zColumn);
}

/* A unit's bathrooms_full and bathrooms_half from one vendor count such as
** 2.5. The count is a server's number: NaN, negatives and absurd values
** (which would overflow the integer cast) leave both columns NULL. */
void pms_row_set_bathrooms(pms_row *pRow, double r){
  double rFull;
  if( !(r>=0.0 && r<1.0e6) ) return;
  rFull = floor(r);
  pms_row_set_real(pRow, pms_row_col(pRow, "bathrooms_full"), rFull);
  pms_row_set_real(pRow, pms_row_col(pRow, "bathrooms_half"), r - rFull > 0.25 ? 1.0 : 0.0);
}

/* A lead's one preferred unit (vendor id zXUnit): unit_id_preferred and
** x_unit_id_preferred as one-element JSON arrays. The id is vendor text, so
** it is escaped, never pasted into the JSON. */
void pms_row_set_preferred_unit(pms_row *pRow, const char *zXUnit){
  char *zId = pms_make_id(pRow->zIntegration, pms_model_find("units"), zXUnit);
  pms_str a = {0}, b = {0};
  int iA = pms_row_col(pRow, "unit_id_preferred"), iB = pms_row_col(pRow, "x_unit_id_preferred");
  pms_str_appendz(&a, "[");
  pms_str_append_json_string(&a, zId);
  pms_str_appendz(&a, "]");
  pms_str_appendz(&b, "[");
  pms_str_append_json_string(&b, zXUnit);
  pms_str_appendz(&b, "]");
  if( zId && !a.oom && !b.oom && iA>=0 && iB>=0 ){
    pms_row_set_text(pRow, iA, a.z, -1);
    pms_row_set_text(pRow, iB, b.z, -1);
  }
  pms_str_reset(&a);
  pms_str_reset(&b);
  sqlite3_free(zId);
}

/* The member zKey[0..nKey) of an object: the first one, as
** cJSON_GetObjectItemCaseSensitive finds it, without copying the key out of
** the path (every field of every record comes through here). */
static const cJSON *map_member(const cJSON *pObj, const char *zKey, size_t nKey){
  const cJSON *c;
  for(c=pObj->child; c && c->string; c=c->next){
    if( (nKey==0 || c->string[0]==zKey[0]) && strncmp(c->string, zKey, nKey)==0 && c->string[nKey]==0 ) return c;
  }
  return 0;
}

const cJSON *pms_json_path(const cJSON *pRoot, const char *zPath){
  const cJSON *p = pRoot;
  while( p && zPath && *zPath ){
    const char *zDot = strchr(zPath, '.');
    size_t n = zDot ? (size_t)(zDot - zPath) : strlen(zPath);
    if( n>=128 ) return 0;                      /* no key is that long */
    if( cJSON_IsArray(p) && zPath[0]>='0' && zPath[0]<='9' ){
      p = cJSON_GetArrayItem(p, atoi(zPath));   /* "Lines.0.Amount": an element */
    }else{
      p = cJSON_IsObject(p) ? map_member(p, zPath, n) : 0;
    }
    zPath = zDot ? zDot+1 : 0;
  }
  return p;
}

/* The same dotted path as SQLite's json_extract takes it ("Lines.0.Id" ->
** "$.Lines[0].Id"), malloc'd; for paths of names, digits and '_' only. */
char *pms_json_path_sql(const char *zPath){
  pms_str s = {0};
  pms_str_appendz(&s, "$");
  while( zPath && *zPath ){
    const char *zDot = strchr(zPath, '.');
    int n = zDot ? (int)(zDot - zPath) : (int)strlen(zPath);
    if( n>0 && (int)strspn(zPath, "0123456789")==n ) pms_str_appendf(&s, "[%.*s]", n, zPath);
    else pms_str_appendf(&s, ".%.*s", n, zPath);
    zPath = zDot ? zDot+1 : 0;
  }
  return pms_str_finish(&s);
}

const char *pms_enum_lookup(const pms_enum_map *aMap, const char *zVendor){
  const pms_enum_map *p;
  for(p=aMap; p->zVendor; p++){
    if( zVendor && sqlite3_stricmp(p->zVendor, zVendor)==0 ) return p->zUnified;
  }
  /* the terminator carries the default (may be NULL) */
  return p->zUnified==pms_enum_unmatched_null ? 0 : p->zUnified;
}

/* The vendor value a write sends for a unified value: the first entry that
** reads as it. NULL when none does. */
const char *pms_enum_vendor(const pms_enum_map *aMap, const char *zUnified){
  const pms_enum_map *p;
  for(p=aMap; zUnified && p && p->zVendor; p++){
    if( p->zUnified && strcmp(p->zUnified, zUnified)==0 ) return p->zVendor;
  }
  return 0;
}

/* A decimal money amount to integer cents without binary rounding drift. */
static int map_cents(const cJSON *pVal, sqlite3_int64 *piOut){
  double r;
  if( cJSON_IsNumber(pVal) ){
    r = pVal->valuedouble;
  }else if( cJSON_IsString(pVal) ){
    char *zEnd = 0;
    r = strtod(pVal->valuestring, &zEnd);
    if( zEnd==pVal->valuestring ) return 0;
  }else{
    return 0;
  }
  if( !isfinite(r) || fabs(r)>9.0e13 ) return 0;
  *piOut = (sqlite3_int64)llround(r*100.0);
  return 1;
}

int pms_map_value(pms_row *pRow, int iCol, pms_xform eX, const void *pArg,
                  const cJSON *pVal, char **pzErr){
  (void)pzErr;
  if( pVal==0 || cJSON_IsNull(pVal) ){
    pms_row_set_null(pRow, iCol);
    return SQLITE_OK;
  }
  switch( eX ){
    case PMS_X_STRING:
    case PMS_X_ID:
      if( cJSON_IsString(pVal) ){
        pms_row_set_text(pRow, iCol, pVal->valuestring, -1);
      }else if( cJSON_IsNumber(pVal) ){
        char zNum[64];
        double r = pVal->valuedouble;
        if( isfinite(r) && r==floor(r) && fabs(r)<9.0e15 ){
          map_int_text(zNum, (long long)r);
        }else{
          map_num_text(zNum, sizeof(zNum), r);
        }
        pms_row_set_text(pRow, iCol, zNum, -1);
      }else if( cJSON_IsBool(pVal) ){
        pms_row_set_text(pRow, iCol, cJSON_IsTrue(pVal) ? "true" : "false", -1);
      }else{
        pms_row_set_null(pRow, iCol);
      }
      break;
    case PMS_X_INT:
      if( cJSON_IsNumber(pVal) && fabs(pVal->valuedouble)<9.0e18 ){
        pms_row_set_int(pRow, iCol, (sqlite3_int64)pVal->valuedouble);
      }else if( cJSON_IsString(pVal) ){
        char *zEnd = 0;
        long long v = strtoll(pVal->valuestring, &zEnd, 10);
        if( zEnd!=pVal->valuestring && *zEnd==0 ) pms_row_set_int(pRow, iCol, v);
        else pms_row_set_null(pRow, iCol);
      }else{
        pms_row_set_null(pRow, iCol);
      }
      break;
    case PMS_X_REAL:
      if( cJSON_IsNumber(pVal) ) pms_row_set_real(pRow, iCol, pVal->valuedouble);
      else pms_row_set_null(pRow, iCol);
      break;
    case PMS_X_CENTS: {
      sqlite3_int64 c;
      if( map_cents(pVal, &c) ) pms_row_set_int(pRow, iCol, c);
      else pms_row_set_null(pRow, iCol);
      break;
    }
    case PMS_X_BOOL:
    case PMS_X_NOT_BOOL:
      if( cJSON_IsBool(pVal) ){
        int b = cJSON_IsTrue(pVal) ? 1 : 0;
        pms_row_set_int(pRow, iCol, eX==PMS_X_BOOL ? b : !b);
      }else{
        pms_row_set_null(pRow, iCol);
      }
      break;
    case PMS_X_DATE:
      if( cJSON_IsString(pVal) && pms_iso_to_ms(pVal->valuestring)!=-1 ){
        pms_row_set_text(pRow, iCol, pVal->valuestring, 10);
      }else{
        pms_row_set_null(pRow, iCol);
      }
      break;
    case PMS_X_DATETIME: {
      int64_t ms = cJSON_IsString(pVal) ? pms_iso_to_ms(pVal->valuestring) : -1;
      if( ms!=-1 ){
        char zIso[32];
        pms_ms_to_iso(ms, zIso, 0);
        pms_row_set_text(pRow, iCol, zIso, -1);
      }else{
        pms_row_set_null(pRow, iCol);
      }
      break;
    }
    case PMS_X_ENUM: {
      /* An entry mapping to NULL reads as NULL; a value no entry matches
      ** reads as the terminator's default, or passes through unchanged
      ** when the map has no default. */
      const pms_enum_map *pE = (const pms_enum_map*)pArg;
      const char *zU = 0, *zV = 0;
      char zNum[32];
      if( cJSON_IsString(pVal) ){
        zV = pVal->valuestring;
      }else if( cJSON_IsNumber(pVal) && pVal->valuedouble==floor(pVal->valuedouble)
             && fabs(pVal->valuedouble)<9.0e15 ){
        map_int_text(zNum, (long long)pVal->valuedouble);   /* enum ids */
        zV = zNum;
      }
      if( zV ){
        while( pE->zVendor && sqlite3_stricmp(pE->zVendor, zV)!=0 ) pE++;
        zU = pE->zVendor ? pE->zUnified : pE->zUnified ? pE->zUnified : zV;
        if( zU==pms_enum_unmatched_null ) zU = 0;
      }
      if( zU ) pms_row_set_text(pRow, iCol, zU, -1);
      else pms_row_set_null(pRow, iCol);
      break;
    }
    case PMS_X_FK: {
      const pms_model *pTarget = pms_model_find((const char*)pArg);
      char zNum[64];
      const char *zX = 0;
      if( cJSON_IsString(pVal) ) zX = pVal->valuestring;
      else if( cJSON_IsNumber(pVal) && fabs(pVal->valuedouble)<9.0e15 ){
        map_int_text(zNum, (long long)pVal->valuedouble);
        zX = zNum;
      }
      if( zX && pTarget ){
        char *zId = pms_make_id(pRow->zIntegration, pTarget, zX);
        pms_row_set_text(pRow, iCol, zId, -1);
        sqlite3_free(zId);
      }else{
        pms_row_set_null(pRow, iCol);
      }
      break;
    }
    case PMS_X_JSON: {
      char *z = cJSON_PrintUnformatted(pVal);
      if( z ){ pms_row_set_text(pRow, iCol, z, -1); cJSON_free(z); }
      break;
    }
  }
  return SQLITE_OK;
}

int pms_map_apply(pms_row *pRow, const pms_field_map *aMap, const cJSON *pRec,
                  char **pzErr){
  return pms_map_apply_cols(pRow, aMap, 0, pRec, pzErr);
}

/* The model column of each map entry, resolved once per run instead of by
** name for every field of every record. Free with free(). */
int *pms_map_columns(const pms_model *pM, const pms_field_map *aMap, char **pzErr){
  const pms_field_map *p;
  int n = 0, i = 0, *ai;
  for(p=aMap; p && p->zColumn; p++) n++;
  ai = malloc(sizeof(int)*(n+1));
  if( ai==0 ) return 0;
  for(p=aMap; p && p->zColumn; p++, i++){
    ai[i] = pms_model_column(pM, p->zColumn);
    if( ai[i]<0 ){
      *pzErr = pms_mprintf("pmsql: field map names unknown column %s.%s", pM->zName, p->zColumn);
      free(ai);
      return 0;
    }
  }
  return ai;
}

int pms_map_apply_cols(pms_row *pRow, const pms_field_map *aMap, const int *aiCol,
                       const cJSON *pRec, char **pzErr){
  const pms_field_map *p;
  int k = 0;
  for(p=aMap; p && p->zColumn; p++, k++){
    int iCol = aiCol ? aiCol[k] : pms_model_column(pRow->pModel, p->zColumn);
    int rc;
    if( iCol<0 ){
      *pzErr = pms_mprintf("pmsql: field map names unknown column %s.%s",
                           pRow->pModel->zName, p->zColumn);
      return SQLITE_ERROR;
    }
    rc = pms_map_value(pRow, iCol, p->eXform, p->pArg, pms_json_path(pRec, p->zPath), pzErr);
    if( rc ) return rc;
  }
  return SQLITE_OK;
}

/* The raw text of each element of a top-level JSON array, in order: the
** records exactly as the vendor sent them (remote_data), without printing
** the parsed tree again. Returns the number of elements found (at most
** nMax), or -1 when the text is not an array. */
int pms_json_array_slices(const char *z, size_t n, const char **azStart, size_t *anLen, int nMax){
  size_t i = 0;
  int nEl = 0, depth = 0;
  size_t iStart = 0;
  while( i<n && (z[i]==' ' || z[i]=='\n' || z[i]=='\r' || z[i]=='\t') ) i++;
  if( i>=n || z[i]!='[' ) return -1;
  i++;
  for(; i<n; i++){
    char c = z[i];
    if( c=='"' ){
      if( depth==0 ) iStart = i;
      for(i++; i<n && z[i]!='"'; i++){ if( z[i]=='\\' ) i++; }
      if( i>=n ) return -1;            /* unterminated string */
      if( depth==0 && nEl<nMax ){ azStart[nEl] = z+iStart; anLen[nEl] = i+1-iStart; nEl++; }
      continue;
    }
    if( c=='{' || c=='[' ){
      if( depth==0 ) iStart = i;
      depth++;
    }else if( c=='}' || c==']' ){
      if( depth==0 ) return nEl;       /* the closing bracket of the array */
      depth--;
      if( depth==0 && nEl<nMax ){ azStart[nEl] = z+iStart; anLen[nEl] = i+1-iStart; nEl++; }
    }else if( depth==0 && c!=',' && c!=' ' && c!='\n' && c!='\r' && c!='\t' ){
      /* a scalar element: up to the next comma or bracket */
      iStart = i;
      while( i+1<n && z[i+1]!=',' && z[i+1]!=']' ) i++;
      if( nEl<nMax ){ azStart[nEl] = z+iStart; anLen[nEl] = i+1-iStart; nEl++; }
    }
  }
  return -1;                           /* the array never closed */
}

/* A vendor id as text: integers (within double precision) or strings;
** anything else (1e400, 3.5, objects) is no id. malloc'd. */
char *pms_json_id_text(const cJSON *p){
  if( cJSON_IsNumber(p) ){
    double r = p->valuedouble;
    if( !(r>=-9.0e15 && r<=9.0e15) || r!=(double)(long long)r ) return 0;
    char zNum[32];
    return pms_strdup(map_int_text(zNum, (long long)r));
  }
  if( cJSON_IsString(p) ) return pms_strdup(p->valuestring);
  return 0;
}

/* ------------------------------------------------------------ writes */

/* Set pVal at a dotted path in pObj, creating objects on the way. */
static int map_set_path(cJSON *pObj, const char *zPath, cJSON *pVal){
  char zPart[128];
  while( 1 ){
    const char *zDot = strchr(zPath, '.');
    size_t n = zDot ? (size_t)(zDot - zPath) : strlen(zPath);
    cJSON *pNext;
    if( n>=sizeof(zPart) ){ cJSON_Delete(pVal); return SQLITE_ERROR; }
    memcpy(zPart, zPath, n);
    zPart[n] = 0;
    if( zDot==0 ){
      if( cJSON_GetObjectItemCaseSensitive(pObj, zPart) ){
        cJSON_ReplaceItemInObjectCaseSensitive(pObj, zPart, pVal);
      }else{
        cJSON_AddItemToObject(pObj, zPart, pVal);
      }
      return SQLITE_OK;
    }
    pNext = cJSON_GetObjectItemCaseSensitive(pObj, zPart);
    if( !cJSON_IsObject(pNext) ){
      pNext = cJSON_CreateObject();
      if( pNext==0 ){ cJSON_Delete(pVal); return SQLITE_NOMEM; }
      if( cJSON_GetObjectItemCaseSensitive(pObj, zPart) ){
        cJSON_ReplaceItemInObjectCaseSensitive(pObj, zPart, pNext);
      }else{
        cJSON_AddItemToObject(pObj, zPart, pNext);
      }
    }
    pObj = pNext;
    zPath = zDot+1;
  }
}

/* The vendor's id inside a pmsql id "<integration>:<tag>:<x_id>", as a
** number when it is all digits (most PMSs use integer keys). */
cJSON *pms_fk_to_vendor(const char *zId){
  const char *z = zId ? strrchr(zId, ':') : 0;
  const char *p;
  z = z ? z+1 : zId;
  if( z==0 || *z==0 ) return cJSON_CreateNull();
  for(p=z; *p>='0' && *p<='9'; p++){}
  if( *p==0 && p-z<16 ) return cJSON_CreateNumber((double)atoll(z));
  return cJSON_CreateString(z);
}

/* Reverse of one transform: a unified value to the vendor's JSON value. */
static cJSON *map_unvalue(const pms_field_map *pF, const cJSON *pV, char **pzErr){
  if( cJSON_IsNull(pV) ) return cJSON_CreateNull();
  switch( pF->eXform ){
    case PMS_X_STRING:
    case PMS_X_DATE:
    case PMS_X_DATETIME:
      if( cJSON_IsNumber(pV) ){
        char zNum[64];
        return cJSON_CreateString(map_num_text(zNum, sizeof(zNum), pV->valuedouble));
      }
      return cJSON_Duplicate(pV, 1);
    case PMS_X_INT:
    case PMS_X_REAL:
      return cJSON_Duplicate(pV, 1);
    case PMS_X_CENTS:
      return cJSON_IsNumber(pV) ? cJSON_CreateNumber(pV->valuedouble/100.0) : cJSON_CreateNull();
    case PMS_X_BOOL:
    case PMS_X_NOT_BOOL: {
      int b = cJSON_IsBool(pV) ? cJSON_IsTrue(pV) : (cJSON_IsNumber(pV) && pV->valuedouble!=0);
      return cJSON_CreateBool(pF->eXform==PMS_X_BOOL ? b : !b);
    }
    case PMS_X_ENUM: {
      const pms_enum_map *pE = (const pms_enum_map*)pF->pArg;
      const char *zU = cJSON_IsString(pV) ? pV->valuestring : "";
      for(; pE->zVendor; pE++){
        if( pE->zUnified && strcmp(pE->zUnified, zU)==0 ) return cJSON_CreateString(pE->zVendor);
      }
      if( pE->zUnified==0 ) return cJSON_CreateString(zU);   /* pass-through map */
      *pzErr = pms_mprintf("no vendor value for %s '%s'", pF->zColumn, zU);
      return 0;
    }
    case PMS_X_FK:
      return pms_fk_to_vendor(cJSON_IsString(pV) ? pV->valuestring : 0);
    case PMS_X_JSON:
      return cJSON_IsString(pV) ? cJSON_Parse(pV->valuestring) : cJSON_Duplicate(pV, 1);
    case PMS_X_ID:
      break;
  }
  return 0;
}

/* Same part: both NULL, or equal names. */
static int map_same_part(const char *zA, const char *zB){
  return zA==0 ? zB==0 : (zB!=0 && strcmp(zA, zB)==0);
}

int pms_map_unapply(const pms_field_map *aMap, const char *zPart, const cJSON *pFields,
                    cJSON *pBody, cJSON *pLeft, char **pzErr){
  const cJSON *pV;
  cJSON_ArrayForEach(pV, pFields){
    const pms_field_map *pF;
    int nOut = 0;
    /* every entry of the column in this part: a list may write one column
    ** to several vendor fields (a payment's date is also its depositDate) */
    for(pF=aMap; pF && pF->zColumn; pF++){
      cJSON *pOut;
      if( strcmp(pF->zColumn, pV->string)!=0 || pF->eXform==PMS_X_ID || !map_same_part(pF->zPart, zPart) ) continue;
      pOut = map_unvalue(pF, pV, pzErr);
      if( pOut==0 ){
        if( *pzErr==0 ) *pzErr = pms_mprintf("cannot write %s", pV->string);
        return SQLITE_ERROR;
      }
      if( map_set_path(pBody, pF->zPath, pOut) ) return SQLITE_ERROR;
      nOut++;
    }
    if( nOut==0 && pLeft ) cJSON_AddItemToObject(pLeft, pV->string, cJSON_Duplicate(pV, 1));
  }
  return SQLITE_OK;
}

/* ------------------------------------------------- vendors.contacts */

/* vendors.contacts as read: [{name, email, phone, phone_type}], the one
** contact a vendor's record carries (NULL members for what it lacks). */
int pms_row_set_vendor_contact(pms_row *pRow, const char *zName, const char *zEmail,
                               const char *zPhone, const char *zPhoneType){
  cJSON *pArr = cJSON_CreateArray(), *pC = cJSON_CreateObject();
  if( pArr==0 || pC==0 ){ cJSON_Delete(pArr); cJSON_Delete(pC); return SQLITE_NOMEM; }
  cJSON_AddItemToArray(pArr, pC);
  cJSON_AddItemToObject(pC, "name", zName ? cJSON_CreateString(zName) : cJSON_CreateNull());
  cJSON_AddItemToObject(pC, "email", zEmail ? cJSON_CreateString(zEmail) : cJSON_CreateNull());
  cJSON_AddItemToObject(pC, "phone", zPhone ? cJSON_CreateString(zPhone) : cJSON_CreateNull());
  cJSON_AddItemToObject(pC, "phone_type", zPhoneType ? cJSON_CreateString(zPhoneType) : cJSON_CreateNull());
  return pms_row_set_json(pRow, "contacts", pArr);
}

/* vendors.contacts as written (pV: the column's JSON text): one object of
** name, email, phone and phone_type, as the vendors whose records carry
** one contact take it. The parsed contact, or NULL with *pzErr naming
** zVendor ("Buildium"). */
cJSON *pms_vendor_contact(const cJSON *pV, const char *zVendor, char **pzErr){
  static const char *const azKey[] = { "name", "email", "phone", "phone_type", 0 };
  cJSON *pArr = cJSON_IsString(pV) ? cJSON_Parse(pV->valuestring) : 0, *pC, *pK;
  if( !cJSON_IsArray(pArr) || cJSON_GetArraySize(pArr)!=1 || !cJSON_IsObject(cJSON_GetArrayItem(pArr, 0)) ){
    *pzErr = pms_mprintf("%s vendor contacts must be one contact: [{\"email\": ..., \"phone\": ..., "
                         "\"phone_type\": ...}] (a vendor has one primary e-mail)", zVendor);
    cJSON_Delete(pArr);
    return 0;
  }
  pC = cJSON_DetachItemFromArray(pArr, 0);
  cJSON_Delete(pArr);
  cJSON_ArrayForEach(pK, pC){
    int k;
    for(k=0; azKey[k] && strcmp(azKey[k], pK->string)!=0; k++){}
    if( azKey[k]==0 ){
      *pzErr = pms_mprintf("%s vendor contacts take name, email, phone and phone_type, not '%s'",
                           zVendor, pK->string);
      cJSON_Delete(pC);
      return 0;
    }
  }
  return pC;
}
