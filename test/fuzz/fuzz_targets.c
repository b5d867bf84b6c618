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
**   RESPONSE  every adapter's list/record parsers and error-message reader
**             on a vendor response (headers, blank line, body)
**   REQUEST   every adapter's list-request builder (its filter syntax:
**             Buildium's query, Rent Manager's RQL, …) on a hostile
**             "since" value, parent id and paging numbers
**   STORED    the checks every pms_integrations_store row passes before a
**             session opens (pms_integration_check): hostile ids, vendors,
**             URLs, credentials and options, as a planted row would hold
**   XML       the Yardi adapter's XML layer: a SOAP answer through the
**             classifier, the error reader and every model's streaming
**             record reader; the same bytes as a property id and as every
**             credential through the envelope builder and the credential
**             fill-in, whose envelope must stay well-formed and carry them
** Each checks what must hold whatever the input, beyond "no crash".
*/
#include "../../ext/pmsql.h"
#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const unsigned char *aData, size_t nData);

static void fuzz_init(void){
  static int bDone = 0;
  if( !bDone ){
    char *zErr = 0;
    if( pms_schema_load(&zErr) || pms_capability_init(&zErr) ) abort();
    bDone = 1;
  }
}

#if defined(PMS_FUZZ_RESPONSE) || defined(PMS_FUZZ_REQUEST) || defined(PMS_FUZZ_XML)
/* A session as xOpen would leave it, minus the network: every credential
** the vendor asks for, set. */
static void fuzz_session(pms_session *pS, const pms_adapter *pA){
  int i;
  memset(pS, 0, sizeof(*pS));
  pS->pAdapter = pA;
  pS->zIntegration = "fz";
  pS->zBaseUrl = "https://pms.example.test";
  pS->pCred = cJSON_CreateObject();
  pS->pOptions = cJSON_CreateObject();
  for(i=0; pA->azCredential && pA->azCredential[i]; i++){
    const char *z = pA->azCredential[i];
    cJSON_AddStringToObject(pS->pCred, z[0]=='?' ? z+1 : z, "1");
  }
}
static void fuzz_session_free(pms_session *pS){
  /* as pms_session_close: adapter state (AppFolio's next-page link) */
  if( pS->pAdapter->xClose && pS->pAdapterData ) pS->pAdapter->xClose(pS);
  cJSON_Delete(pS->pCred);
  cJSON_Delete(pS->pOptions);
}
#endif

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
#elif defined(PMS_FUZZ_STORED)
/* Input: id, vendor, base_url, credentials, options, separated by NUL
** bytes (missing fields are NULL, as a planted row's could be). */
int LLVMFuzzerTestOneInput(const unsigned char *aData, size_t nData){
  const char *az[5] = {0, 0, 0, 0, 0};
  char *zIn;
  size_t i, k = 0;
  cJSON *pCred, *pOpt;
  char *zErr, *zErr2;
  fuzz_init();
  zIn = malloc(nData + 1);
  if( zIn==0 ) return 0;
  memcpy(zIn, aData, nData);
  zIn[nData] = 0;
  az[0] = zIn;
  for(i=0; i<nData && k<4; i++) if( zIn[i]==0 ) az[++k] = zIn + i + 1;
  pCred = az[3] ? cJSON_Parse(az[3]) : 0;
  pOpt = az[4] ? cJSON_Parse(az[4]) : 0;
  zErr = pms_integration_check(az[0], az[1], az[2], pCred, pOpt);
  zErr2 = pms_integration_check(az[0], az[1], az[2], pCred, pOpt);
  assert( (zErr==0)==(zErr2==0) );        /* one verdict per row */
  if( zErr==0 ){
    /* an accepted row is one a session can use without harm */
    const cJSON *p;
    assert( pms_adapter_find(az[1])!=0 );
    assert( az[2]==0 || az[2][0]==0 || strncasecmp(az[2], "http", 4)==0 );
    cJSON_ArrayForEach(p, pCred){
      const unsigned char *z = (const unsigned char*)p->valuestring;
      assert( cJSON_IsString(p) );
      for(; *z; z++) assert( *z>=0x20 && *z!=0x7f );   /* no header injection */
    }
    p = cJSON_GetObjectItemCaseSensitive(pOpt, "page_size");
    assert( p==0 || p->valuedouble>=1 );                /* no division by zero */
    p = cJSON_GetObjectItemCaseSensitive(pOpt, "max_pages");
    assert( p==0 || p->valuedouble>=1 );
    p = cJSON_GetObjectItemCaseSensitive(pOpt, "max_connections");
    assert( p==0 || (p->valuedouble>=1 && p->valuedouble<=64) );
  }else{
    assert( strncmp(zErr, "pms_integrations: ", 18)==0 );
  }
  sqlite3_free(zErr);
  sqlite3_free(zErr2);
  cJSON_Delete(pCred);
  cJSON_Delete(pOpt);
  free(zIn);
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
#elif defined(PMS_FUZZ_RESPONSE)
int LLVMFuzzerTestOneInput(const unsigned char *aData, size_t nData){
  static const long aStatus[] = { 200, 206, 400, 401, 404, 409, 422, 429, 500 };
  const char *zSplit;
  pms_response resp;
  char *zIn;
  int a;
  if( nData<1 ) return 0;
  fuzz_init();
  zIn = malloc(nData);
  if( zIn==0 ) return 0;
  memcpy(zIn, aData+1, nData-1);
  zIn[nData-1] = 0;
  memset(&resp, 0, sizeof(resp));
  resp.status = aStatus[aData[0] % (sizeof(aStatus)/sizeof(aStatus[0]))];
  resp.nAttempt = 1;
  resp.zContentType = "application/json; charset=utf-8";
  /* raw headers, a blank line, the body */
  zSplit = strstr(zIn, "\r\n\r\n");
  if( zSplit ){
    resp.zHeaders = zIn;
    resp.zBody = (char*)zSplit + 4;
  }else{
    resp.zHeaders = "";
    resp.zBody = zIn;
  }
  resp.nBody = strlen(resp.zBody);
  for(a=0; a<pms_adapter_count(); a++){
    const pms_adapter *pA = pms_adapter_at(a);
    const pms_adapter_model *pAM;
    pms_session sess;
    char *zMsg;
    fuzz_session(&sess, pA);
    zMsg = pA->xErrorMessage ? pA->xErrorMessage(pA, &resp) : 0;
    if( zMsg ){
      /* a message, not a dump: bounded by what the vendor sent */
      assert( strlen(zMsg) <= resp.nBody + 512 );
      free(zMsg);
    }
    for(pAM=pA->aModel; pAM->zModel; pAM++){
      pms_list_result lr;
      char *zErr = 0;
      memset(&lr, 0, sizeof(lr));
      lr.nTotal = -1;
      if( pA->xListParse(&sess, pAM, &resp, &lr, &zErr)==SQLITE_OK ){
        const cJSON *pRec;
        assert( zErr==0 );
        assert( cJSON_IsArray(lr.pItems) );
        assert( lr.nTotal>=-1 );
        cJSON_ArrayForEach(pRec, lr.pItems){
          char *zX = pA->xRecordId(pAM, pRec);
          assert( zX==0 || strlen(zX) < 4096 );
          free(zX);
        }
      }else{
        /* a failure always says why */
        assert( zErr && zErr[0] );
      }
      free(zErr);
      cJSON_Delete(lr.pRoot);
      if( pA->xGetParse ){
        cJSON *pRec;
        zErr = 0;
        pRec = pA->xGetParse(&sess, pAM, &resp, "1", &zErr);
        assert( pRec!=0 || (zErr && zErr[0]) );
        cJSON_Delete(pRec);
        free(zErr);
      }
    }
    fuzz_session_free(&sess);
  }
  free(zIn);
  return 0;
}
#elif defined(PMS_FUZZ_REQUEST)
int LLVMFuzzerTestOneInput(const unsigned char *aData, size_t nData){
  char zSince[128];
  int a;
  if( nData<8 || nData-8>=sizeof(zSince) ) return 0;
  fuzz_init();
  memcpy(zSince, aData+8, nData-8);
  zSince[nData-8] = 0;
  for(a=0; a<pms_adapter_count(); a++){
    const pms_adapter *pA = pms_adapter_at(a);
    const pms_adapter_model *pAM;
    pms_session sess;
    fuzz_session(&sess, pA);
    for(pAM=pA->aModel; pAM->zModel; pAM++){
      pms_list_page pg;
      pms_request *r;
      memset(&pg, 0, sizeof(pg));
      pg.iPage = (int)(((unsigned)aData[0] | (unsigned)aData[1]<<8 | (unsigned)aData[2]<<16) & 0x7fffff);
      pg.nPageSize = 1 + (int)(((unsigned)aData[3] | (unsigned)aData[4]<<8) % pA->nMaxPageSize);
      pg.zSince = (aData[5] & 1) ? zSince : 0;
      /* a per-parent list gets the parent's id: hostile too */
      pg.zPartition = (pAM->zPartition && (aData[5] & 2)) ? zSince : (pAM->zPartition ? "1" : 0);
      r = pA->xListRequest(&sess, pAM, &pg);
      if( r ){
        const char *zUrl = pms_request_url(r);
        const char *zBody = pms_request_payload(r);
        const unsigned char *z;
        /* whatever "since" held, the URL stays one well-formed line: every
        ** byte printable ASCII, no space (the builder escaped the rest) */
        assert( zUrl && strncmp(zUrl, sess.zBaseUrl, strlen(sess.zBaseUrl))==0 );
        for(z=(const unsigned char*)zUrl; *z; z++) assert( *z>0x20 && *z<0x7f );
        if( zBody && zBody[0]=='{' ){
          /* a JSON body (RPC vendors) stays valid JSON */
          cJSON *pB = cJSON_Parse(zBody);
          assert( pB!=0 );
          cJSON_Delete(pB);
        }
        pms_request_free(r);
      }
    }
    fuzz_session_free(&sess);
  }
  return 0;
}
#elif defined(PMS_FUZZ_XML)
#include <libxml/parser.h>
#include <libxml/tree.h>
/* The text of the first element named zName in the document, or NULL. */
static char *fuzz_xml_text(xmlNodePtr p, const char *zName){
  for(; p; p=p->next){
    char *z;
    if( p->type==XML_ELEMENT_NODE && strcmp((const char*)p->name, zName)==0 ){
      xmlChar *t = xmlNodeGetContent(p);
      z = strdup(t ? (const char*)t : "");
      xmlFree(t);
      return z;
    }
    if( (z = fuzz_xml_text(p->children, zName))!=0 ) return z;
  }
  return 0;
}
int LLVMFuzzerTestOneInput(const unsigned char *aData, size_t nData){
  static const long aStatus[] = { 200, 500 };
  const pms_adapter *pA;
  const pms_adapter_model *pAM;
  pms_session sess;
  pms_response resp;
  char *zIn, *zMsg;
  size_t i;
  if( nData<1 ) return 0;
  fuzz_init();
  pA = pms_adapter_find("YARDI");
  assert( pA && pA->xClassify );
  zIn = malloc(nData);
  if( zIn==0 ) return 0;
  memcpy(zIn, aData+1, nData-1);
  zIn[nData-1] = 0;
  fuzz_session(&sess, pA);
  /* 1. the bytes as an answer */
  memset(&resp, 0, sizeof(resp));
  resp.status = aStatus[aData[0] & 1];
  resp.nAttempt = 1;
  resp.zContentType = "text/xml; charset=utf-8";
  resp.zHeaders = "";
  resp.zBody = zIn;
  resp.nBody = nData-1;
  pA->xClassify(&resp);
  assert( resp.status==200 || resp.status==400 || resp.status==401 || resp.status==500 );
  zMsg = pA->xErrorMessage(pA, &resp);
  if( zMsg ){
    assert( strlen(zMsg) <= resp.nBody + 512 );
    free(zMsg);
  }
  for(pAM=pA->aModel; pAM->zModel; pAM++){
    pms_list_result lr;
    char *zErr = 0;
    memset(&lr, 0, sizeof(lr));
    if( pA->xListParse(&sess, pAM, &resp, &lr, &zErr)==SQLITE_OK ){
      const cJSON *pRec;
      assert( zErr==0 && cJSON_IsArray(lr.pItems) && lr.bLast );
      cJSON_ArrayForEach(pRec, lr.pItems){
        char *zX = pA->xRecordId(pAM, pRec);
        assert( cJSON_IsObject(pRec) || cJSON_IsString(pRec) );
        free(zX);
      }
    }else{
      assert( zErr && zErr[0] );
    }
    free(zErr);
    cJSON_Delete(lr.pRoot);
  }
  /* 2. the bytes as a property id and as every credential: whatever they
  ** are, the envelope stays well-formed, and each value is either carried
  ** unchanged or left out (never mangled) */
  for(i=0; pA->azCredential[i]; i++){
    cJSON_DeleteItemFromObject(sess.pCred, pA->azCredential[i]);
    cJSON_AddStringToObject(sess.pCred, pA->azCredential[i], zIn);
  }
  for(pAM=pA->aModel; pAM->zModel; pAM++){
    pms_list_page pg;
    pms_request *r;
    memset(&pg, 0, sizeof(pg));
    pg.nPageSize = 100;
    pg.zPartition = pAM->zPartition ? zIn : 0;
    r = pA->xListRequest(&sess, pAM, &pg);
    if( r==0 ) continue;
    /* journaled form: no credential in it */
    assert( strstr(pms_request_payload(r), "<Password></Password>") );
    pA->xAuthorize(&sess, r);
    {
      const char *zBody = pms_request_payload(r);
      xmlDocPtr pDoc = xmlReadMemory(zBody, (int)strlen(zBody), "b.xml", 0, XML_PARSE_NONET|XML_PARSE_NOERROR|XML_PARSE_NOWARNING);
      char *zPw, *zProp;
      assert( pDoc );
      zPw = fuzz_xml_text(xmlDocGetRootElement(pDoc), "Password");
      assert( zPw && (zPw[0]==0 || strcmp(zPw, zIn)==0) );
      zProp = fuzz_xml_text(xmlDocGetRootElement(pDoc), "YardiPropertyId");
      assert( pAM->zPartition==0 || (zProp && strcmp(zProp, zIn)==0) );
      free(zPw);
      free(zProp);
      xmlFreeDoc(pDoc);
    }
    pms_request_free(r);
  }
  fuzz_session_free(&sess);
  free(zIn);
  return 0;
}
#elif defined(PMS_FUZZ_ARENA)
/* List pages parsed by yajl into the arena (json_arena.c) must give the
** tree cJSON gives the same text: whatever the arena accepts, cJSON accepts
** too, and the trees are the same (member names, order and values). */
/* cJSON_Compare, except that numbers out of range (inf) equal each other:
** cJSON_Compare's relative epsilon makes inf unequal to itself. */
static int fuzz_json_same(const cJSON *a, const cJSON *b){
  if( (a->type & 0xff)!=(b->type & 0xff) ) return 0;
  if( cJSON_IsNumber(a) ){
    double x = a->valuedouble, y = b->valuedouble;
    return x==y || (isnan(x) && isnan(y)) || fabs(x-y) <= fmax(fabs(x), fabs(y))*DBL_EPSILON;
  }
  if( cJSON_IsString(a) ) return strcmp(a->valuestring, b->valuestring)==0;
  if( cJSON_IsArray(a) || cJSON_IsObject(a) ){
    const cJSON *p = a->child, *q = b->child;
    for(; p && q; p = p->next, q = q->next){
      if( cJSON_IsObject(a) && strcmp(p->string, q->string)!=0 ) return 0;
      if( !fuzz_json_same(p, q) ) return 0;
    }
    return p==0 && q==0;
  }
  return 1;
}

int LLVMFuzzerTestOneInput(const unsigned char *aData, size_t nData){
  static pms_json_arena *pArena = 0;
  cJSON *pA, *pC;
  if( pArena==0 ) pArena = pms_json_arena_new();
  if( pArena==0 ) return 0;
  pA = pms_json_arena_parse(pArena, (const char*)aData, nData);
  if( pA==0 ) return 0;
  pC = cJSON_ParseWithLength((const char*)aData, nData);
  assert( pC!=0 );
  assert( fuzz_json_same(pA, pC) );
  cJSON_Delete(pC);
  return 0;
}
#else
# error "choose a target: -DPMS_FUZZ_SLICES, _MAPPING, _VALIDATE, _TIME, _RESPONSE, _REQUEST, _STORED, _XML or _ARENA"
#endif
