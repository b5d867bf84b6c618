/*
** json_arena.c — a list page parsed in one pass into an arena.
**
** A sync parses a page of a thousand records and throws the tree away a
** moment later. cJSON_Parse makes a malloc per node and per string and
** cJSON_Delete a free for each; this file lets yajl (Debian's libyajl, an
** event parser) read the page instead and builds the same cJSON tree out
** of blocks that are reused page after page, so the adapters and the field
** maps read it with the cJSON calls they always used. While it parses it
** notes where each element of a top-level array starts and ends: the raw
** text of each record (remote_data) without a second scan of the page.
**
** The tree is what cJSON_ParseWithLength would build: numbers through
** strtod (valueint clamped as cJSON does), strings as decoded bytes, keys
** in order, anything after the first value ignored. A text yajl refuses
** (stray control characters, lone surrogates, a byte-order mark, nesting
** deeper than cJSON allows) is left to cJSON, which then decides as before:
** pms_json_arena_parse returns NULL and the caller parses with cJSON.
** A tree from here is never passed to cJSON_Delete: reset the arena.
*/
#include "pmsql.h"
#include <yajl/yajl_parse.h>
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define JA_BLOCK (256*1024)    /* bytes of one block; bigger requests get their own */
#define JA_MAX_DEPTH 1000      /* cJSON's CJSON_NESTING_LIMIT */

typedef struct ja_block ja_block;
struct ja_block {
  ja_block *pNext;
  size_t nSize, nUsed;
  /* the bytes follow, 16-byte aligned */
};

struct pms_json_arena {
  ja_block *pFirst;            /* blocks in use, newest first */
  ja_block *pFree;             /* blocks kept from earlier pages */
  int bOom;
  /* the parse under way */
  const unsigned char *zText;
  yajl_handle h;
  cJSON *pRoot;
  cJSON **aStack;              /* open containers */
  int nDepth, nStackAlloc;
  char *zKey;                  /* key of the next member */
  /* elements of a top-level array: raw text spans */
  const char **azRaw;
  size_t *anRaw;
  int nRaw, nRawAlloc;
  int bRawOk;                  /* every element is an object or array */
};

#define JA_HDR ((sizeof(ja_block)+15) & ~(size_t)15)

static void *ja_alloc(pms_json_arena *a, size_t n){
  ja_block *b = a->pFirst;
  n = (n+15) & ~(size_t)15;
  if( b==0 || b->nUsed + n > b->nSize ){
    size_t nSize = n > JA_BLOCK ? n : JA_BLOCK;
    if( a->pFree && a->pFree->nSize>=nSize ){
      b = a->pFree;
      a->pFree = b->pNext;
    }else{
      b = malloc(JA_HDR + nSize);
      if( b==0 ){ a->bOom = 1; return 0; }
      b->nSize = nSize;
    }
    b->nUsed = 0;
    b->pNext = a->pFirst;
    a->pFirst = b;
  }
  b->nUsed += n;
  return (char*)b + JA_HDR + b->nUsed - n;
}

static char *ja_strndup(pms_json_arena *a, const unsigned char *z, size_t n){
  char *zOut = ja_alloc(a, n+1);
  if( zOut ){ memcpy(zOut, z, n); zOut[n] = 0; }
  return zOut;
}

/* Link a new value into the open container (or make it the root). */
static cJSON *ja_node(pms_json_arena *a, int eType){
  cJSON *p = ja_alloc(a, sizeof(cJSON));
  if( p==0 ) return 0;
  memset(p, 0, sizeof(*p));
  p->type = eType;
  if( a->nDepth==0 ){
    a->pRoot = p;
  }else{
    cJSON *pParent = a->aStack[a->nDepth-1];
    if( a->zKey ){ p->string = a->zKey; a->zKey = 0; }
    if( pParent->child==0 ){
      pParent->child = p;
      p->prev = p;
    }else{
      cJSON *pLast = pParent->child->prev;
      pLast->next = p;
      p->prev = pLast;
      pParent->child->prev = p;
    }
  }
  return p;
}

static int ja_null(void *ctx){ return ja_node(ctx, cJSON_NULL)!=0; }
static int ja_bool(void *ctx, int b){ return ja_node(ctx, b ? cJSON_True : cJSON_False)!=0; }

static int ja_number(void *ctx, const char *z, size_t n){
  pms_json_arena *a = ctx;
  char zBuf[64], *zNum = zBuf;
  double r;
  cJSON *p;
  if( n>=sizeof(zBuf) ){
    zNum = ja_alloc(a, n+1);
    if( zNum==0 ) return 0;
  }
  memcpy(zNum, z, n);
  zNum[n] = 0;
  if( n<=15 && zNum[0]!='-' && strcspn(zNum, ".eE")==n ){
    r = (double)strtoll(zNum, 0, 10);   /* a natural number a double holds exactly (not -0) */
  }else{
    r = strtod(zNum, 0);                /* as cJSON reads numbers */
  }
  p = ja_node(a, cJSON_Number);
  if( p==0 ) return 0;
  p->valuedouble = r;
  p->valueint = r>=INT_MAX ? INT_MAX : r<=(double)INT_MIN ? INT_MIN : (int)r;
  return 1;
}

static int ja_string(void *ctx, const unsigned char *z, size_t n){
  pms_json_arena *a = ctx;
  char *zVal = ja_strndup(a, z, n);
  cJSON *p = zVal ? ja_node(a, cJSON_String) : 0;
  if( p==0 ) return 0;
  p->valuestring = zVal;
  return 1;
}

static int ja_key(void *ctx, const unsigned char *z, size_t n){
  pms_json_arena *a = ctx;
  a->zKey = ja_strndup(a, z, n);
  return a->zKey!=0;
}

static int ja_open(pms_json_arena *a, int eType){
  cJSON *p;
  if( a->nDepth>=JA_MAX_DEPTH ) return 0;
  if( a->nDepth==1 && a->pRoot->type==cJSON_Array ){
    /* an element of a top-level array begins: its '{' or '[' was just read */
    if( a->nRaw>=a->nRawAlloc ){
      int nNew = a->nRawAlloc ? a->nRawAlloc*2 : 1024;
      const char **az = realloc(a->azRaw, sizeof(char*)*(size_t)nNew);
      size_t *an = az ? realloc(a->anRaw, sizeof(size_t)*(size_t)nNew) : 0;
      if( az ) a->azRaw = az;
      if( an==0 ){ a->bOom = 1; return 0; }
      a->anRaw = an;
      a->nRawAlloc = nNew;
    }
    a->azRaw[a->nRaw] = (const char*)a->zText + yajl_get_bytes_consumed(a->h) - 1;
    a->anRaw[a->nRaw] = 0;
  }
  if( a->nDepth>=a->nStackAlloc ){
    int nNew = a->nStackAlloc ? a->nStackAlloc*2 : 16;
    cJSON **aNew = realloc(a->aStack, sizeof(cJSON*)*(size_t)nNew);
    if( aNew==0 ){ a->bOom = 1; return 0; }
    a->aStack = aNew;
    a->nStackAlloc = nNew;
  }
  p = ja_node(a, eType);
  if( p==0 ) return 0;
  a->aStack[a->nDepth++] = p;
  return 1;
}

static int ja_close(void *ctx){
  pms_json_arena *a = ctx;
  a->nDepth--;
  if( a->nDepth==1 && a->pRoot->type==cJSON_Array ){
    const char *zEnd = (const char*)a->zText + yajl_get_bytes_consumed(a->h);
    a->anRaw[a->nRaw] = (size_t)(zEnd - a->azRaw[a->nRaw]);
    a->nRaw++;
  }
  return 1;
}

static int ja_start_map(void *ctx){ return ja_open(ctx, cJSON_Object); }
static int ja_start_array(void *ctx){ return ja_open(ctx, cJSON_Array); }

/* A scalar element of a top-level array has no span: no raw texts then. */
static int ja_scalar_in_root(pms_json_arena *a){
  if( a->nDepth==1 && a->pRoot->type==cJSON_Array ) a->bRawOk = 0;
  return 1;
}
static int ja_null_el(void *ctx){ return ja_scalar_in_root(ctx) && ja_null(ctx); }
static int ja_bool_el(void *ctx, int b){ return ja_scalar_in_root(ctx) && ja_bool(ctx, b); }
static int ja_number_el(void *ctx, const char *z, size_t n){
  return ja_scalar_in_root(ctx) && ja_number(ctx, z, n);
}
static int ja_string_el(void *ctx, const unsigned char *z, size_t n){
  return ja_scalar_in_root(ctx) && ja_string(ctx, z, n);
}

static const yajl_callbacks jaCallbacks = {
  ja_null_el, ja_bool_el, 0, 0, ja_number_el, ja_string_el,
  ja_start_map, ja_key, ja_close, ja_start_array, ja_close
};

pms_json_arena *pms_json_arena_new(void){
  return calloc(1, sizeof(pms_json_arena));
}

/* Forget the last tree; its blocks serve the next page. */
void pms_json_arena_reset(pms_json_arena *a){
  if( a==0 ) return;
  while( a->pFirst ){
    ja_block *b = a->pFirst;
    a->pFirst = b->pNext;
    if( b->nSize>JA_BLOCK ){ free(b); continue; }   /* one-off large value */
    b->pNext = a->pFree;
    a->pFree = b;
  }
  a->pRoot = 0;
  a->nRaw = 0;
  a->nDepth = 0;
  a->zKey = 0;
  a->bOom = 0;
}

void pms_json_arena_free(pms_json_arena *a){
  if( a==0 ) return;
  pms_json_arena_reset(a);
  while( a->pFree ){
    ja_block *b = a->pFree;
    a->pFree = b->pNext;
    free(b);
  }
  free(a->aStack);
  free(a->azRaw);
  free(a->anRaw);
  free(a);
}

/* Does z[0..n) hold a \uD800-\uDBFF escape? yajl turns a high surrogate
** without its pair into "?" where cJSON refuses the text, so a page with
** any is left to cJSON (a pair decodes the same either way; rare in pages). */
static int ja_has_surrogate(const char *z, size_t n){
  const char *zEnd = z + n, *p = z;
  while( (p = memchr(p, '\\', (size_t)(zEnd - p)))!=0 ){
    if( zEnd - p >= 4 && p[1]=='u' && (p[2]=='d' || p[2]=='D')
     && strchr("89abAB", p[3]) && p[3]!=0 ){
      return 1;
    }
    p += 2;               /* the escaped character is never an escape */
    if( p>=zEnd ) break;
  }
  return 0;
}

/* Parse z[0..n) into the arena (after a reset). NULL when yajl refuses the
** text or memory runs out: the caller asks cJSON. */
cJSON *pms_json_arena_parse(pms_json_arena *a, const char *z, size_t n){
  int ok;
  pms_json_arena_reset(a);
  if( ja_has_surrogate(z, n) ) return 0;
  a->zText = (const unsigned char*)z;
  a->bRawOk = 1;
  a->h = yajl_alloc(&jaCallbacks, 0, a);
  if( a->h==0 ) return 0;
  yajl_config(a->h, yajl_dont_validate_strings, 1);   /* cJSON keeps bytes as sent */
  yajl_config(a->h, yajl_allow_trailing_garbage, 1);  /* as cJSON_ParseWithLength */
  ok = yajl_parse(a->h, (const unsigned char*)z, n)==yajl_status_ok;
  if( ok ){
    /* cJSON reads a number greedily ("0123" is 123) where yajl stops
    ** ("0", then trailing text): text that goes on with a token
    ** character right after the value is left to cJSON */
    size_t nUsed = yajl_get_bytes_consumed(a->h);
    if( nUsed<n && (isalnum((unsigned char)z[nUsed]) || strchr(".+-", z[nUsed])) ) ok = 0;
  }
  ok = ok && yajl_complete_parse(a->h)==yajl_status_ok
    && a->pRoot!=0 && a->nDepth==0 && !a->bOom;
  yajl_free(a->h);
  a->h = 0;
  a->zText = 0;
  if( !ok ){
    pms_json_arena_reset(a);
    return 0;
  }
  return a->pRoot;
}

/* Is p the root of the arena's current tree? */
int pms_json_arena_owns(const pms_json_arena *a, const cJSON *p){
  return a && p && a->pRoot==p;
}

/* The raw text of each element of the current tree when it is a top-level
** array of objects or arrays: their number, or -1 when not known. */
int pms_json_arena_spans(const pms_json_arena *a, const char *const **pazRaw, const size_t **panRaw){
  if( a==0 || a->pRoot==0 || a->pRoot->type!=cJSON_Array || !a->bRawOk ) return -1;
  *pazRaw = a->azRaw;
  *panRaw = a->anRaw;
  return a->nRaw;
}
