/*
** link.c — foreign keys a vendor's record does not carry, derived from
** another model's cache.
**
** Some vendors' tenant records do not name their lease (Rentvine,
** Propertyware: only the lease lists its tenants). The unified schema still
** promises residents.lease_id, the resident's current lease, for joins. A
** link rule says where to find it: in the leases of the same integration
** whose residents_meta_data names the resident, preferring an ACTIVE lease,
** then the latest start. Only columns the vendor left NULL are filled, and
** before the row is hashed, so the hash and pms_changes see the derived
** values like any other. Rules are data; identifiers come from this file.
**
** A rule may instead gather many rows of the other model into one JSON
** column (an aggregate): a service request's history is the array of its
** service_request_history rows, in Propexo's nested shape (their last_seen
** left out: it moves every sync, the array would churn with it). Such a
** column is filled when its model syncs, and again (pms_link_refresh) right
** after the model it gathers from syncs, which is the later of the two.
**
** A sync loads the integration's links once (sorted, searched by id); a
** single record (pms_refresh, refresh after a write) asks the database.
*/
#include "pmsql.h"
#include <stdlib.h>
#include <string.h>

#define LINK_NCOL 6

typedef struct link_rule {
  const char *zModel;      /* the model whose rows get the link */
  const char *zFrom;       /* the model that holds it */
  const char *zMeta;       /* JSON array column of zFrom naming zModel's rows */
  const char *zKey;        /* key of each array element: our row's id (an
                           ** aggregate: the column of zFrom holding it) */
  const char *azTo[LINK_NCOL];    /* columns of zModel filled ... */
  const char *azFromCol[LINK_NCOL];  /* ... from these columns of zFrom */
  /* an aggregate: SELECT k, <azTo[0]'s value> from zFrom's cache ("%w" its
  ** schema, "%s" the one-key filter on ?2), ordered by k; else NULL */
  const char *zAggregate;
} link_rule;

static const link_rule aLinkRule[] = {
  { "residents", "leases", "residents_meta_data", "resident_id",
    { "lease_id", "x_lease_id", "unit_id", "x_unit_id", "property_id", "x_property_id" },
    { "id", "x_id", "unit_id", "x_unit_id", "property_id", "x_property_id" }, 0 },
  { "service_requests", "service_request_history", 0, "service_request_id", { "history" }, { 0 },
    "SELECT service_request_id AS k, json_group_array(json(e)) AS v FROM ("
    " SELECT service_request_id, json_object('id', id, 'created_at', created_at, 'updated_at', updated_at,"
    " 'x_id', x_id, 'x_created_at', x_created_at, 'notes', notes, 'creator_name', creator_name,"
    " 'status_raw', status_raw, 'service_request_id', service_request_id) AS e"
    " FROM \"%w\".service_request_history_cache WHERE integration_id=?1 AND service_request_id IS NOT NULL%s"
    " ORDER BY service_request_id, x_created_at, x_id) GROUP BY k ORDER BY k" },
};

typedef struct link_entry {
  char *zKey;
  char *az[LINK_NCOL];
} link_entry;

struct pms_link {
  const link_rule *pRule;
  sqlite3 *db;
  char *zSql;              /* every link of the integration, by key */
  char *zIntegration;
  int bBulk;               /* load everything on first use */
  int bLoaded;
  int aiCol[LINK_NCOL];    /* zModel column of each azTo */
  link_entry *aEntry;
  int nEntry;
};

static char *link_sql(const link_rule *pR, const char *zDb, int bOne){
  sqlite3_str *p;
  int i;
  if( pR->zAggregate ){
    char *zOne = bOne ? sqlite3_mprintf(" AND \"%w\"=?2", pR->zKey) : 0;
    char *z = bOne && zOne==0 ? 0 : sqlite3_mprintf(pR->zAggregate, zDb, zOne ? zOne : "");
    sqlite3_free(zOne);
    return z;
  }
  p = sqlite3_str_new(0);
  sqlite3_str_appendf(p, "SELECT k");
  for(i=0; i<LINK_NCOL; i++) sqlite3_str_appendf(p, ", \"%w\"", pR->azFromCol[i]);
  sqlite3_str_appendf(p,
      " FROM (SELECT CASE WHEN j.type='object' THEN json_extract(j.value, '$.%s') END AS k, l.*"
      " FROM \"%w\".\"%w_cache\" l, json_each(CASE WHEN json_valid(l.\"%w\") THEN l.\"%w\" ELSE '[]' END) j"
      " WHERE l.integration_id=?1)"
      " WHERE k IS NOT NULL%s ORDER BY k, status_normalized='ACTIVE' DESC, start_date DESC%s",
      pR->zKey, zDb, pR->zFrom, pR->zMeta, pR->zMeta, bOne ? " AND k=?2" : "", bOne ? " LIMIT 1" : "");
  return sqlite3_str_finish(p);
}

pms_link *pms_link_new(sqlite3 *db, const char *zDb, const char *zIntegration,
                       const pms_model *pM, int bBulk){
  const link_rule *pR = 0;
  pms_link *p;
  size_t i;
  for(i=0; i<sizeof(aLinkRule)/sizeof(aLinkRule[0]); i++){
    if( strcmp(aLinkRule[i].zModel, pM->zName)==0 ) pR = &aLinkRule[i];
  }
  if( pR==0 ) return 0;
  p = calloc(1, sizeof(*p));
  if( p==0 ) return 0;
  p->pRule = pR;
  p->db = db;
  p->bBulk = bBulk;
  p->zSql = link_sql(pR, zDb, !bBulk);
  p->zIntegration = pms_strdup(zIntegration);
  for(i=0; i<LINK_NCOL; i++) p->aiCol[i] = pR->azTo[i] ? pms_model_column(pM, pR->azTo[i]) : -1;
  if( p->zSql==0 || p->zIntegration==0 || p->aiCol[0]<0 ){ pms_link_free(p); return 0; }
  return p;
}

void pms_link_free(pms_link *p){
  int i, j;
  if( p==0 ) return;
  for(i=0; i<p->nEntry; i++){
    free(p->aEntry[i].zKey);
    for(j=0; j<LINK_NCOL; j++) free(p->aEntry[i].az[j]);
  }
  free(p->aEntry);
  sqlite3_free(p->zSql);
  free(p->zIntegration);
  free(p);
}

static char *link_text(sqlite3_stmt *pStmt, int i){
  const char *z = (const char*)sqlite3_column_text(pStmt, i);
  return z ? pms_strdup(z) : 0;
}

/* Every link of the integration, sorted by key, first (preferred) only. */
static int link_load(pms_link *p){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(p->db, p->zSql, -1, &pStmt, 0);
  p->bLoaded = 1;
  if( rc ) return rc;
  sqlite3_bind_text(pStmt, 1, p->zIntegration, -1, SQLITE_STATIC);
  while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    const char *zKey = (const char*)sqlite3_column_text(pStmt, 0);
    link_entry *pE;
    int j;
    if( zKey==0 ) continue;
    if( p->nEntry && strcmp(p->aEntry[p->nEntry-1].zKey, zKey)==0 ) continue;
    if( (p->nEntry & (p->nEntry-1))==0 ){
      link_entry *aNew = realloc(p->aEntry, sizeof(link_entry)*(p->nEntry ? 2*p->nEntry : 16));
      if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
      p->aEntry = aNew;
    }
    pE = &p->aEntry[p->nEntry++];
    pE->zKey = pms_strdup(zKey);
    for(j=0; j<LINK_NCOL; j++) pE->az[j] = link_text(pStmt, j+1);
  }
  sqlite3_finalize(pStmt);
  return rc==SQLITE_DONE ? SQLITE_OK : rc;
}

/* a cleared row's values are zeroed: eType 0 is NULL too */
static int link_is_null(const pms_value *v){
  return v->eType==0 || v->eType==SQLITE_NULL;
}

static void link_fill(pms_link *p, pms_row *pRow, const char *const *az){
  int j;
  for(j=0; j<LINK_NCOL; j++){
    int iCol = p->aiCol[j];
    if( iCol>=0 && az[j] && link_is_null(&pRow->a[iCol]) ) pms_row_set_text(pRow, iCol, az[j], -1);
  }
}

int pms_link_apply(pms_link *p, pms_row *pRow, const char *zId){
  int rc = SQLITE_OK;
  if( p==0 || !link_is_null(&pRow->a[p->aiCol[0]]) ) return SQLITE_OK;
  if( p->bBulk ){
    int lo = 0, hi;
    if( !p->bLoaded && (rc = link_load(p))!=SQLITE_OK ) return rc;
    hi = p->nEntry - 1;
    while( lo<=hi ){
      int mid = (lo+hi)/2;
      int c = strcmp(p->aEntry[mid].zKey, zId);
      if( c==0 ){ link_fill(p, pRow, (const char *const*)p->aEntry[mid].az); break; }
      if( c<0 ) lo = mid+1; else hi = mid-1;
    }
  }else{
    sqlite3_stmt *pStmt = 0;
    rc = sqlite3_prepare_v2(p->db, p->zSql, -1, &pStmt, 0);
    if( rc ) return rc;
    sqlite3_bind_text(pStmt, 1, p->zIntegration, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 2, zId, -1, SQLITE_STATIC);
    if( sqlite3_step(pStmt)==SQLITE_ROW ){
      const char *az[LINK_NCOL];
      int j;
      for(j=0; j<LINK_NCOL; j++) az[j] = (const char*)sqlite3_column_text(pStmt, j+1);
      link_fill(p, pRow, az);
    }
    rc = sqlite3_finalize(pStmt);
  }
  return rc;
}

/* After a sync of zFrom: the aggregate columns gathered from it, again, in
** the rows that have something to gather (the run's savepoint holds both). */
int pms_link_refresh(sqlite3 *db, const char *zDb, const char *zIntegration, const char *zFrom){
  size_t i;
  int rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<sizeof(aLinkRule)/sizeof(aLinkRule[0]); i++){
    const link_rule *pR = &aLinkRule[i];
    char *zAgg, *zSql;
    if( pR->zAggregate==0 || strcmp(pR->zFrom, zFrom)!=0 ) continue;
    zAgg = link_sql(pR, zDb, 0);
    zSql = zAgg ? sqlite3_mprintf(
        "WITH a AS (%s) UPDATE \"%w\".\"%w_cache\" SET \"%w\" = (SELECT a.v FROM a WHERE a.k = id)"
        " WHERE integration_id=?1 AND id IN (SELECT k FROM a)",
        zAgg, zDb, pR->zModel, pR->azTo[0]) : 0;
    if( zSql==0 ) rc = SQLITE_NOMEM;
    else{
      sqlite3_stmt *pStmt = 0;
      rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
      if( rc==SQLITE_OK ){
        sqlite3_bind_text(pStmt, 1, zIntegration, -1, SQLITE_STATIC);
        sqlite3_step(pStmt);
        rc = sqlite3_finalize(pStmt);
      }
    }
    sqlite3_free(zAgg);
    sqlite3_free(zSql);
  }
  return rc;
}
