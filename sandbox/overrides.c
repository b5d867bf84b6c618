/*
** overrides.c — what the API wrote over a generated record: per record,
** an optional JSON object of written fields, which the vendor's renderer
** lays over the portfolio's values. Generated records stay compact
** (portfolio.c); only written ones carry JSON. Every vendor that accepts
** writes on generated records keeps one sb_ovr per collection.
**
** The caller holds the vendor's write lock for sb_ovr_slot and sb_ovr_set.
*/
#include "sandbox.h"

#include <stdlib.h>

cJSON *sb_ovr_get(const sb_ovr *o, uint32_t i){
  return i < o->cap ? o->v[i] : NULL;
}

static void ovr_reserve(sb_ovr *o, uint32_t i){
  if( i < o->cap ) return;
  uint32_t cap = o->cap ? o->cap : 64;
  while( cap <= i ) cap *= 2;
  o->v = sb_xrealloc(o->v, cap * sizeof(cJSON *));
  memset(o->v + o->cap, 0, (cap - o->cap) * sizeof(cJSON *));
  o->cap = cap;
}

cJSON *sb_ovr_slot(sb_ovr *o, uint32_t i){
  ovr_reserve(o, i);
  if( !o->v[i] ) o->v[i] = cJSON_CreateObject();
  return o->v[i];
}

void sb_ovr_set(sb_ovr *o, uint32_t i, cJSON *j){
  ovr_reserve(o, i);
  cJSON_Delete(o->v[i]);
  o->v[i] = j;
}

/* Each written member replaces the generated one in place, or is added. */
void sb_ovr_apply(const sb_ovr *o, uint32_t i, cJSON *rec){
  const cJSON *m;
  cJSON_ArrayForEach(m, sb_ovr_get(o, i)){
    if( cJSON_HasObjectItem(rec, m->string) ){
      cJSON_ReplaceItemInObjectCaseSensitive(rec, m->string, cJSON_Duplicate(m, 1));
    }else{
      cJSON_AddItemToObject(rec, m->string, cJSON_Duplicate(m, 1));
    }
  }
}

void sb_ovr_free(sb_ovr *o){
  for(uint32_t i = 0; i < o->cap; i++) cJSON_Delete(o->v[i]);
  free(o->v);
  o->v = NULL;
  o->cap = 0;
}
