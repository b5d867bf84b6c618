/*
** fuzz_targets.c — libFuzzer targets for the parsers and the validator
** (make fuzz). Built with -DSQLITE_CORE against the engine's sources, so the
** engine calls libsqlite3 directly. One target per binary, chosen with
** -DPMS_FUZZ_<NAME>:
**   SLICES    the raw-record splitter of list responses (remote_data)
**   MAPPING   every adapter's field maps and fix-ups on a vendor page
**   VALIDATE  the capability validator on a write's fields, every vendor,
**             model and operation
**   TIME      the ISO-8601 parser
** Each checks what must hold whatever the input, beyond "no crash".
*/
#include "../../ext/pmsql.h"
#include <assert.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *aData, size_t nData);

static void fuzz_init(void){
  static int bDone = 0;
  if( !bDone ){
    char *zErr = 0;
    if( pms_schema_load(&zErr) || pms_capability_init(&zErr) ) abort();
    bDone = 1;
  }
}

#if defined(PMS_FUZZ_SLICES)
int LLVMFuzzerTestOneInput(const unsigned char *aData, size_t nData){
  const char *az[64];
  size_t an[64];
  int i, n = pms_json_array_slices((const char*)aData, nData, az, an, 64);
  for(i=0; i<n; i++){
    /* every slice lies inside the input */
    assert( az[i]>=(const char*)aData && az[i]+an[i]<=(const char*)aData+nData );
  }
  return 0;
}
#elif defined(PMS_FUZZ_MAPPING)
int LLVMFuzzerTestOneInput(const unsigned char *aData, size_t nData){
  cJSON *pRoot;
  const cJSON *pRec;
  int a;
  fuzz_init();
  pRoot = cJSON_ParseWithLength((const char*)aData, nData);
  if( !cJSON_IsArray(pRoot) ){ cJSON_Delete(pRoot); return 0; }
  for(a=0; a<pms_adapter_count(); a++){
    const pms_adapter *pA = pms_adapter_at(a);
    const pms_adapter_model *pAM;
    for(pAM=pA->aModel; pAM->zModel; pAM++){
      const pms_model *pM = pms_model_find(pAM->zModel);
      pms_session sess;
      pms_row row;
      memset(&sess, 0, sizeof(sess));
      sess.pAdapter = pA;
      sess.zIntegration = "fz";
      pms_row_init(&row, pM, "fz");
      cJSON_ArrayForEach(pRec, pRoot){
        char *zErr = 0, *zX;
        int i;
        pms_row_clear(&row);
        if( pms_map_apply(&row, pAM->aMap, pRec, &zErr)==SQLITE_OK && pAM->xFixup ){
          pAM->xFixup(&sess, &row, pRec, &zErr);
        }
        free(zErr);
        zX = pA->xRecordId(pAM, pRec);
        free(zX);
        /* every text value is NUL-free, bounded, valid UTF-8 */
        for(i=0; i<pM->nCol; i++){
          if( row.a[i].eType==SQLITE_TEXT ){
            assert( (int)strlen(row.a[i].z)==row.a[i].n );
            assert( row.a[i].n <= (1<<20) );
          }
        }
      }
      pms_row_free(&row);
    }
  }
  cJSON_Delete(pRoot);
  return 0;
}
#elif defined(PMS_FUZZ_VALIDATE)
int LLVMFuzzerTestOneInput(const unsigned char *aData, size_t nData){
  static const char *const azOp[] = { "create", "update", "delete" };
  cJSON *pFields;
  int a, m, o;
  fuzz_init();
  pFields = cJSON_ParseWithLength((const char*)aData, nData);
  if( !cJSON_IsObject(pFields) ){ cJSON_Delete(pFields); return 0; }
  for(a=0; a<pms_adapter_count(); a++){
    for(m=0; m<pms_model_count(); m++){
      for(o=0; o<3; o++){
        cJSON *pCopy = cJSON_Duplicate(pFields, 1);
        cJSON *pProblems = cJSON_CreateArray(), *pStripped = cJSON_CreateArray();
        int n = pms_validate_write(pms_adapter_at(a)->zVendor, pms_model_at(m), azOp[o], "fz",
                                   pCopy, o==1, pStripped, pProblems);
        char *zMsg = pms_problems_message(pProblems);
        assert( n==cJSON_GetArraySize(pProblems) );
        assert( (n==0)==(zMsg==0 || zMsg[0]==0) );
        free(zMsg);
        cJSON_Delete(pCopy); cJSON_Delete(pProblems); cJSON_Delete(pStripped);
      }
    }
  }
  cJSON_Delete(pFields);
  return 0;
}
#elif defined(PMS_FUZZ_TIME)
int LLVMFuzzerTestOneInput(const unsigned char *aData, size_t nData){
  char z[64], zIso[32];
  int64_t ms;
  if( nData>=sizeof(z) ) return 0;
  memcpy(z, aData, nData);
  z[nData] = 0;
  ms = pms_iso_to_ms(z);
  if( ms!=-1 && ms>=0 && ms<253402300800000LL ){
    /* what parses formats back and parses to the same instant (seconds) */
    pms_ms_to_iso(ms, zIso, 1);
    assert( pms_iso_to_ms(zIso)==ms );
  }
  return 0;
}
#else
# error "choose a target: -DPMS_FUZZ_SLICES, _MAPPING, _VALIDATE or _TIME"
#endif
