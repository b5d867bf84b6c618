/*
** vtab.c — the model virtual tables (residents, units, leases, …).
**
** Each model table is a virtual table of module "pmsql" backed by a shadow
** table "<model>_cache" in the same schema, which the sync engine fills.
** SELECT reads the cache through one inner prepared statement per query
** shape: xBestIndex pushes every usable constraint (=, <, <=, >, >=, !=, IS,
** IS NOT, IS NULL, IS NOT NULL, LIKE, GLOB), LIMIT/OFFSET and the set of
** columns used down into that statement, so SQLite's own planner picks the
** cache's indexes. Statements are cached per table and reused across queries.
**
** idxStr (shown by EXPLAIN QUERY PLAN) is self-describing:
**     "<col><op>;<col><op>;…[;LIMIT][;OFFSET]#<colUsed in hex>"
** e.g. "id=;#3" for a unique id lookup reading the first two columns.
** idxNum bit 1 means a unique lookup.
**
** Writes: xUpdate validates each INSERT/UPDATE row against the vendor of
** that row and stages it in the connection's batch (write.c); xSync, at
** the end of the statement or at COMMIT, sends the batch. Only the columns
** the statement changed are written (sqlite3_vtab_nochange). DELETE is
** refused unless the vendor's capability file allows it.
*/
#include "pmsql.h"
#include <stdlib.h>
#include <string.h>

#define VT_NSTMT 16          /* inner statements cached per table */

typedef struct vt_stmt {
  char *zKey;                /* the idxStr it was prepared for */
  sqlite3_stmt *pStmt;
  int bInUse;
  unsigned iLastUse;
  signed char aiOut[64];     /* model column -> result column, -1 if unread */
} vt_stmt;

typedef struct vt_table {
  sqlite3_vtab base;
  sqlite3 *db;
  pms_conn *pConn;
  char *zDb;
  const pms_model *pModel;
  unsigned iClock;
  vt_stmt aStmt[VT_NSTMT];
} vt_table;

typedef struct vt_cursor {
  sqlite3_vtab_cursor base;
  vt_stmt *pS;               /* borrowed from the table while open */
  int bEof;
} vt_cursor;

/* Operators pushed down, as they appear in idxStr and in the inner SQL. */
static const struct { unsigned char op; const char *zTag; const char *zSql; int bArg; } aVtOp[] = {
  { SQLITE_INDEX_CONSTRAINT_EQ,        "=",        "=",           1 },
  { SQLITE_INDEX_CONSTRAINT_GT,        ">",        ">",           1 },
  { SQLITE_INDEX_CONSTRAINT_GE,        ">=",       ">=",          1 },
  { SQLITE_INDEX_CONSTRAINT_LT,        "<",        "<",           1 },
  { SQLITE_INDEX_CONSTRAINT_LE,        "<=",       "<=",          1 },
  { SQLITE_INDEX_CONSTRAINT_NE,        "!=",       "!=",          1 },
  { SQLITE_INDEX_CONSTRAINT_IS,        " IS",      "IS",          1 },
  { SQLITE_INDEX_CONSTRAINT_ISNOT,     " ISNOT",   "IS NOT",      1 },
  { SQLITE_INDEX_CONSTRAINT_ISNULL,    " ISNULL",  "IS NULL",     0 },
  { SQLITE_INDEX_CONSTRAINT_ISNOTNULL, " NOTNULL", "IS NOT NULL", 0 },
  { SQLITE_INDEX_CONSTRAINT_LIKE,      " LIKE",    "LIKE",        1 },
  { SQLITE_INDEX_CONSTRAINT_GLOB,      " GLOB",    "GLOB",        1 },
};
#define VT_NOP ((int)(sizeof(aVtOp)/sizeof(aVtOp[0])))

static void vt_set_error(vt_table *p, const char *zFmt, const char *zArg){
  sqlite3_free(p->base.zErrMsg);
  p->base.zErrMsg = sqlite3_mprintf(zFmt, zArg);
}

static char *vt_declaration(const pms_model *pM){
  sqlite3_str *p = sqlite3_str_new(0);
  int i;
  sqlite3_str_appendall(p, "CREATE TABLE x(");
  for(i=0; i<pM->nCol; i++){
    sqlite3_str_appendf(p, "%s\"%w\" %s%s", i ? ", " : "", pM->aCol[i].zName,
                        pM->aCol[i].zType, pM->aCol[i].bHidden ? " HIDDEN" : "");
  }
  sqlite3_str_appendall(p, ")");
  return sqlite3_str_finish(p);
}

static int vt_init(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                   sqlite3_vtab **ppVtab, char **pzErr, int bCreate){
  vt_table *p;
  const pms_model *pM;
  char *zSql;
  char *zErr = 0;
  int rc;
  if( pms_schema_load(&zErr) ){
    *pzErr = sqlite3_mprintf("%s", zErr);
    free(zErr);
    return SQLITE_ERROR;
  }
  /* The table's name is the model's name: identifiers never come from
  ** user text, only from the compiled-in schema. */
  pM = pms_model_find(argv[2]);
  if( pM==0 || strcmp(pM->zName, argv[2])!=0 ){
    *pzErr = sqlite3_mprintf("pmsql: no model named '%s' (models are created by pms_init())", argv[2]);
    return SQLITE_ERROR;
  }
  if( argc>3 && sqlite3_stricmp(argv[3], pM->zName)!=0 ){
    *pzErr = sqlite3_mprintf("pmsql: table %s takes no arguments", pM->zName);
    return SQLITE_ERROR;
  }
  if( bCreate ){
    zSql = pms_model_cache_ddl(pM, argv[1]);
    rc = zSql ? sqlite3_exec(db, zSql, 0, 0, &zErr) : SQLITE_NOMEM;
    sqlite3_free(zSql);
    if( rc ){
      *pzErr = sqlite3_mprintf("pmsql: cannot create %s_cache: %s", pM->zName, zErr);
      sqlite3_free(zErr);
      return rc;
    }
  }
  zSql = vt_declaration(pM);
  rc = zSql ? sqlite3_declare_vtab(db, zSql) : SQLITE_NOMEM;
  sqlite3_free(zSql);
  if( rc ) return rc;
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
  sqlite3_vtab_config(db, SQLITE_VTAB_CONSTRAINT_SUPPORT, 1);
  p = sqlite3_malloc(sizeof(*p));
  if( p==0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  p->db = db;
  p->pConn = (pms_conn*)pAux;
  p->zDb = sqlite3_mprintf("%s", argv[1]);
  p->pModel = pM;
  *ppVtab = &p->base;
  return p->zDb ? SQLITE_OK : SQLITE_NOMEM;
}

static int vt_create(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                     sqlite3_vtab **ppVtab, char **pzErr){
  return vt_init(db, pAux, argc, argv, ppVtab, pzErr, 1);
}

static int vt_connect(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                      sqlite3_vtab **ppVtab, char **pzErr){
  return vt_init(db, pAux, argc, argv, ppVtab, pzErr, 0);
}

static int vt_disconnect(sqlite3_vtab *pVtab){
  vt_table *p = (vt_table*)pVtab;
  int i;
  for(i=0; i<VT_NSTMT; i++){
    sqlite3_finalize(p->aStmt[i].pStmt);
    sqlite3_free(p->aStmt[i].zKey);
  }
  sqlite3_free(p->zDb);
  sqlite3_free(p);
  return SQLITE_OK;
}

static int vt_destroy(sqlite3_vtab *pVtab){
  vt_table *p = (vt_table*)pVtab;
  int rc;
  char *zSql = sqlite3_mprintf("DROP TABLE IF EXISTS \"%w\".\"%w_cache\"",
                               p->zDb, p->pModel->zName);
  rc = zSql ? sqlite3_exec(p->db, zSql, 0, 0, 0) : SQLITE_NOMEM;
  sqlite3_free(zSql);
  if( rc==SQLITE_OK ) vt_disconnect(pVtab);
  return rc;
}

/* Is iCol the first column of an index of the cache? (cost estimates) */
static int vt_indexed(const pms_model *pM, int iCol){
  int i;
  for(i=0; i<pM->nIndex; i++){
    if( pM->aIndex[i].aiCol[0]==iCol ) return 1;
  }
  return 0;
}

/* Rows in the cache, estimated by its largest rowid (an O(log N) probe:
** syncs upsert in place, so rowids stay dense). At least 1. */
static double vt_row_estimate(vt_table *p){
  sqlite3_stmt *pStmt = 0;
  double n = 1;
  char *zSql = sqlite3_mprintf("SELECT max(rowid) FROM \"%w\".\"%w_cache\"", p->zDb, p->pModel->zName);
  if( zSql && sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0)==SQLITE_OK
   && sqlite3_step(pStmt)==SQLITE_ROW ){
    n = (double)sqlite3_column_int64(pStmt, 0);
  }
  sqlite3_finalize(pStmt);
  sqlite3_free(zSql);
  return n<1 ? 1 : n;
}

static double vt_log2(double x){
  double n = 1;
  while( x>2 ){ x /= 2; n++; }
  return n;
}

/* Costs follow SQLite's own guesses for a table without ANALYZE data, so
** the planner joins the model tables the way it would join their caches:
** a scan reads every row; an equality on an indexed column finds ~10 rows
** in log2(N) steps (a unique one, 1); a range on one, a quarter of them;
** other terms filter rows but do not spare reading them. ORDER BY (and
** GROUP BY) on model columns is done by the inner statement, so SQLite
** sorts nothing; the cache's index serves it when its first column
** leads the ORDER BY. */
static int vt_best_index(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  vt_table *p = (vt_table*)pVtab;
  const pms_model *pM = p->pModel;
  sqlite3_str *pStr = sqlite3_str_new(0);
  int i, j, nArg = 0, bUnique = 0, bEqId = 0, bEqInt = 0, bEqX = 0;
  int bAllUsed = 1, bOrder = 0, bSeek = 0, iLimit = -1, iOffset = -1;
  double nTotal = vt_row_estimate(p);
  double rows = nTotal, cost;
  for(i=0; i<pInfo->nConstraint; i++){
    const struct sqlite3_index_constraint *pC = &pInfo->aConstraint[i];
    if( pC->op==SQLITE_INDEX_CONSTRAINT_LIMIT ){ if( pC->usable ) iLimit = i; continue; }
    if( pC->op==SQLITE_INDEX_CONSTRAINT_OFFSET ){ if( pC->usable ) iOffset = i; continue; }
    if( !pC->usable ) continue;
    for(j=0; j<VT_NOP && aVtOp[j].op!=pC->op; j++){}
    if( j==VT_NOP || pC->iColumn<0 || pC->iColumn>=pM->nCol ){ bAllUsed = 0; continue; }
    pInfo->aConstraintUsage[i].argvIndex = ++nArg;
    pInfo->aConstraintUsage[i].omit = 1;
    sqlite3_str_appendf(pStr, "%s%s;", pM->aCol[pC->iColumn].zName, aVtOp[j].zTag);
    if( pC->op==SQLITE_INDEX_CONSTRAINT_EQ || pC->op==SQLITE_INDEX_CONSTRAINT_IS ){
      if( pC->iColumn==pM->iId ) bEqId = 1;
      else if( pC->iColumn==pM->iIntegration ) bEqInt = 1;
      else if( pC->iColumn==pM->iXId ) bEqX = 1;
      if( vt_indexed(pM, pC->iColumn) || pC->iColumn==pM->iId ){
        bSeek = 1;
        if( rows>10 ) rows = 10;
      }else{
        rows /= 4;
      }
    }else if( pC->op==SQLITE_INDEX_CONSTRAINT_LIKE || pC->op==SQLITE_INDEX_CONSTRAINT_GLOB
           || pC->op==SQLITE_INDEX_CONSTRAINT_NE || pC->op==SQLITE_INDEX_CONSTRAINT_ISNOT
           || pC->op==SQLITE_INDEX_CONSTRAINT_ISNOTNULL ){
      rows /= 2;
    }else if( vt_indexed(pM, pC->iColumn) ){
      bSeek = 1;
      rows /= 4;
    }else{
      rows /= 2;
    }
  }
  if( bEqId || (bEqInt && bEqX) ){
    bUnique = 1;
    bSeek = 1;
    rows = 1;
    pInfo->idxFlags |= SQLITE_INDEX_SCAN_UNIQUE;
  }
  if( rows<1 ) rows = 1;
  cost = bSeek ? vt_log2(nTotal) + rows : nTotal;
  if( pInfo->nOrderBy>0 ){
    bOrder = 1;
    for(i=0; i<pInfo->nOrderBy; i++){
      int iCol = pInfo->aOrderBy[i].iColumn;
      if( iCol<0 || iCol>=pM->nCol ){ bOrder = 0; break; }
    }
    if( bOrder && !bUnique ){
      for(i=0; i<pInfo->nOrderBy; i++){
        sqlite3_str_appendf(pStr, "ORDER %s%s;", pM->aCol[pInfo->aOrderBy[i].iColumn].zName,
                            pInfo->aOrderBy[i].desc ? " DESC" : "");
      }
      if( !vt_indexed(pM, pInfo->aOrderBy[0].iColumn) ) cost += rows*vt_log2(rows);
    }
    if( bOrder ) pInfo->orderByConsumed = 1;
  }
  /* LIMIT and OFFSET only when every constraint was taken and the order is
  ** the inner statement's: it then returns exactly the rows SQLite keeps. */
  if( bAllUsed && iLimit>=0 && (pInfo->nOrderBy==0 || bOrder) ){
    pInfo->aConstraintUsage[iLimit].argvIndex = ++nArg;
    pInfo->aConstraintUsage[iLimit].omit = 1;
    sqlite3_str_appendall(pStr, "LIMIT;");
    if( iOffset>=0 ){
      pInfo->aConstraintUsage[iOffset].argvIndex = ++nArg;
      pInfo->aConstraintUsage[iOffset].omit = 1;
      sqlite3_str_appendall(pStr, "OFFSET;");
    }
  }
  sqlite3_str_appendf(pStr, "#%llx", (unsigned long long)pInfo->colUsed);
  pInfo->idxStr = sqlite3_str_finish(pStr);
  if( pInfo->idxStr==0 ) return SQLITE_NOMEM;
  pInfo->needToFreeIdxStr = 1;
  pInfo->idxNum = bUnique;
  pInfo->estimatedRows = (sqlite3_int64)rows;
  pInfo->estimatedCost = cost;
  return SQLITE_OK;
}

/* Build the inner statement for an idxStr. Column names are checked against
** the compiled-in model, so nothing from user text reaches the SQL. */
static int vt_prepare(vt_table *p, const char *zKey, vt_stmt *pS){
  const pms_model *pM = p->pModel;
  sqlite3_str *pSql = sqlite3_str_new(0);
  const char *z = zKey;
  const char *zHash = strchr(zKey, '#');
  unsigned long long mUsed = zHash ? strtoull(zHash+1, 0, 16) : ~0ULL;
  sqlite3_str *pOrder = sqlite3_str_new(0);
  sqlite3_str *pLimit = sqlite3_str_new(0);
  int i, nOut = 1, nArg = 0, bWhere = 0;
  char *zSql, *zOrder, *zLimit;
  int rc;
  sqlite3_str_appendall(pSql, "SELECT rowid");
  for(i=0; i<pM->nCol; i++){
    if( mUsed & (1ULL << (i<63 ? i : 63)) ){
      sqlite3_str_appendf(pSql, ", \"%w\"", pM->aCol[i].zName);
      pS->aiOut[i] = (signed char)nOut++;
    }else{
      pS->aiOut[i] = -1;
    }
  }
  sqlite3_str_appendf(pSql, " FROM \"%w\".\"%w_cache\"", p->zDb, pM->zName);
  while( z && *z && *z!='#' ){
    const char *zEnd = strchr(z, ';');
    int n = zEnd ? (int)(zEnd - z) : (int)strlen(z);
    if( n==5 && strncmp(z, "LIMIT", 5)==0 ){
      sqlite3_str_appendf(pLimit, " LIMIT ?%d", ++nArg);
    }else if( n==6 && strncmp(z, "OFFSET", 6)==0 ){
      sqlite3_str_appendf(pLimit, " OFFSET ?%d", ++nArg);
    }else if( n>6 && strncmp(z, "ORDER ", 6)==0 ){
      int bDesc = n>11 && strncmp(z+n-5, " DESC", 5)==0;
      char zCol[64];
      int k = n - 6 - (bDesc ? 5 : 0);
      int iCol = -1;
      if( k>0 && k<64 ){
        memcpy(zCol, z+6, k); zCol[k] = 0;
        iCol = pms_model_column(pM, zCol);
      }
      if( iCol<0 ){
        sqlite3_free(sqlite3_str_finish(pSql));
        sqlite3_free(sqlite3_str_finish(pOrder));
        sqlite3_free(sqlite3_str_finish(pLimit));
        return SQLITE_CORRUPT_VTAB;
      }
      sqlite3_str_appendf(pOrder, "%s\"%w\"%s", sqlite3_str_length(pOrder) ? ", " : " ORDER BY ",
                          pM->aCol[iCol].zName, bDesc ? " DESC" : "");
    }else{
      int k = 0, iCol, j;
      char zCol[64];
      while( k<n && k<63 && (z[k]=='_' || (z[k]>='a'&&z[k]<='z') || (z[k]>='0'&&z[k]<='9')) ) k++;
      memcpy(zCol, z, k); zCol[k] = 0;
      iCol = pms_model_column(pM, zCol);
      for(j=0; j<VT_NOP; j++){
        if( (int)strlen(aVtOp[j].zTag)==n-k && strncmp(aVtOp[j].zTag, z+k, n-k)==0 ) break;
      }
      if( iCol<0 || j==VT_NOP ){
        sqlite3_free(sqlite3_str_finish(pSql));
        sqlite3_free(sqlite3_str_finish(pOrder));
        sqlite3_free(sqlite3_str_finish(pLimit));
        return SQLITE_CORRUPT_VTAB;
      }
      nArg++;
      sqlite3_str_appendf(pSql, " %s \"%w\" %s", bWhere ? "AND" : "WHERE",
                          pM->aCol[iCol].zName, aVtOp[j].zSql);
      if( aVtOp[j].bArg ) sqlite3_str_appendf(pSql, " ?%d", nArg);
      bWhere = 1;
    }
    z = zEnd ? zEnd+1 : 0;
  }
  zOrder = sqlite3_str_finish(pOrder);
  zLimit = sqlite3_str_finish(pLimit);
  sqlite3_str_appendf(pSql, "%s%s", zOrder ? zOrder : "", zLimit ? zLimit : "");
  sqlite3_free(zOrder);
  sqlite3_free(zLimit);
  zSql = sqlite3_str_finish(pSql);
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v3(p->db, zSql, -1, SQLITE_PREPARE_PERSISTENT, &pS->pStmt, 0);
  sqlite3_free(zSql);
  if( rc==SQLITE_OK ){
    pS->zKey = sqlite3_mprintf("%s", zKey);
    if( pS->zKey==0 ) rc = SQLITE_NOMEM;
  }
  return rc;
}

/* Find (or make) a free cached statement for zKey. */
static int vt_acquire(vt_table *p, const char *zKey, vt_stmt **ppS){
  vt_stmt *pFree = 0;
  int i, rc;
  for(i=0; i<VT_NSTMT; i++){
    vt_stmt *pS = &p->aStmt[i];
    if( pS->bInUse ) continue;
    if( pS->zKey && strcmp(pS->zKey, zKey)==0 ){
      pS->bInUse = 1;
      pS->iLastUse = ++p->iClock;
      *ppS = pS;
      return SQLITE_OK;
    }
    if( pFree==0 || pS->pStmt==0 || (pFree->pStmt && pS->iLastUse<pFree->iLastUse) ) pFree = pS;
  }
  if( pFree==0 ){
    /* Every slot busy (deep self-joins): an uncached one-off statement. */
    pFree = sqlite3_malloc(sizeof(*pFree));
    if( pFree==0 ) return SQLITE_NOMEM;
    memset(pFree, 0, sizeof(*pFree));
    pFree->iLastUse = 0;
    rc = vt_prepare(p, zKey, pFree);
    if( rc ){ sqlite3_free(pFree); return rc; }
    pFree->bInUse = 2;   /* 2: heap-allocated, freed on close */
    *ppS = pFree;
    return SQLITE_OK;
  }
  sqlite3_finalize(pFree->pStmt);
  sqlite3_free(pFree->zKey);
  memset(pFree, 0, sizeof(*pFree));
  rc = vt_prepare(p, zKey, pFree);
  if( rc ){
    sqlite3_finalize(pFree->pStmt);
    sqlite3_free(pFree->zKey);
    memset(pFree, 0, sizeof(*pFree));
    return rc;
  }
  pFree->bInUse = 1;
  pFree->iLastUse = ++p->iClock;
  *ppS = pFree;
  return SQLITE_OK;
}

static void vt_release(vt_stmt *pS){
  if( pS==0 ) return;
  sqlite3_reset(pS->pStmt);
  sqlite3_clear_bindings(pS->pStmt);
  if( pS->bInUse==2 ){
    sqlite3_finalize(pS->pStmt);
    sqlite3_free(pS->zKey);
    sqlite3_free(pS);
  }else{
    pS->bInUse = 0;
  }
}

static int vt_open(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  vt_cursor *pCur = sqlite3_malloc(sizeof(*pCur));
  (void)pVtab;
  if( pCur==0 ) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  pCur->bEof = 1;
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

static int vt_close(sqlite3_vtab_cursor *cur){
  vt_cursor *pCur = (vt_cursor*)cur;
  vt_release(pCur->pS);
  sqlite3_free(pCur);
  return SQLITE_OK;
}

static int vt_next(sqlite3_vtab_cursor *cur){
  vt_cursor *pCur = (vt_cursor*)cur;
  int rc = sqlite3_step(pCur->pS->pStmt);
  if( rc==SQLITE_ROW ) return SQLITE_OK;
  pCur->bEof = 1;
  if( rc==SQLITE_DONE ) return SQLITE_OK;
  vt_set_error((vt_table*)cur->pVtab, "pmsql: %s", sqlite3_errmsg(((vt_table*)cur->pVtab)->db));
  return rc;
}

static int vt_filter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                     int argc, sqlite3_value **argv){
  vt_cursor *pCur = (vt_cursor*)cur;
  vt_table *p = (vt_table*)cur->pVtab;
  int i, rc;
  (void)idxNum;
  if( pCur->pS==0 || pCur->pS->zKey==0 || strcmp(pCur->pS->zKey, idxStr ? idxStr : "")!=0 ){
    vt_release(pCur->pS);
    pCur->pS = 0;
    rc = vt_acquire(p, idxStr ? idxStr : "", &pCur->pS);
    if( rc ){
      if( rc!=SQLITE_NOMEM ) vt_set_error(p, "pmsql: %s", sqlite3_errmsg(p->db));
      return rc;
    }
  }else{
    sqlite3_reset(pCur->pS->pStmt);
  }
  for(i=0; i<argc; i++){
    rc = sqlite3_bind_value(pCur->pS->pStmt, i+1, argv[i]);
    if( rc==SQLITE_RANGE ) rc = SQLITE_OK;   /* IS NULL takes no value */
    if( rc ) return rc;
  }
  pCur->bEof = 0;
  return vt_next(cur);
}

static int vt_eof(sqlite3_vtab_cursor *cur){
  return ((vt_cursor*)cur)->bEof;
}

static int vt_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  vt_cursor *pCur = (vt_cursor*)cur;
  int iOut = (i>=0 && i<64) ? pCur->pS->aiOut[i] : -1;
  if( sqlite3_vtab_nochange(ctx) ) return SQLITE_OK;   /* UPDATE leaves it */
  if( iOut>0 ) sqlite3_result_value(ctx, sqlite3_column_value(pCur->pS->pStmt, iOut));
  return SQLITE_OK;
}

static int vt_rowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  *pRowid = sqlite3_column_int64(((vt_cursor*)cur)->pS->pStmt, 0);
  return SQLITE_OK;
}

static int vt_fail(vt_table *p, char *zMsg /* malloc'd */, int rc){
  sqlite3_free(p->base.zErrMsg);
  p->base.zErrMsg = sqlite3_mprintf("%s", zMsg ? zMsg : "out of memory");
  free(zMsg);
  return zMsg ? rc : SQLITE_NOMEM;
}

/* Is the new value the same as the cached one? */
static int vt_same_value(sqlite3_stmt *pOld, int i, sqlite3_value *pNew){
  int t = sqlite3_column_type(pOld, i);
  if( t!=sqlite3_value_type(pNew) ) return 0;
  switch( t ){
    case SQLITE_NULL:    return 1;
    case SQLITE_INTEGER: return sqlite3_column_int64(pOld, i)==sqlite3_value_int64(pNew);
    case SQLITE_FLOAT:   return sqlite3_column_double(pOld, i)==sqlite3_value_double(pNew);
    default:
      return sqlite3_column_bytes(pOld, i)==sqlite3_value_bytes(pNew)
          && memcmp(sqlite3_column_blob(pOld, i), sqlite3_value_blob(pNew),
                    (size_t)sqlite3_value_bytes(pNew))==0;
  }
}

/* INSERT: a create routed by integration_id. UPDATE: the changed columns of
** a cached row. DELETE: refused unless the vendor allows it. Every row is
** validated here, before anything is sent; the batch goes out in xSync. */
static int vt_update(sqlite3_vtab *pVtab, int argc, sqlite3_value **argv,
                     sqlite_int64 *pRowid){
  vt_table *p = (vt_table*)pVtab;
  const pms_model *pM = p->pModel;
  pms_write *w;
  sqlite3_stmt *pOld = 0;
  cJSON *pProblems;
  char *zErr = 0;
  int i, rc = SQLITE_OK, bAnyNoChange = 0;

  w = calloc(1, sizeof(*w));
  if( w==0 ) return SQLITE_NOMEM;
  w->pModel = pM;
  w->pFields = cJSON_CreateObject();
  w->pStripped = cJSON_CreateArray();
  pProblems = cJSON_CreateArray();
  if( w->pFields==0 || w->pStripped==0 || pProblems==0 ){ rc = SQLITE_NOMEM; goto done; }

  if( argc==1 || sqlite3_value_type(argv[0])!=SQLITE_NULL ){
    /* DELETE or UPDATE: the cached row says which integration owns it */
    char *zSql = sqlite3_mprintf("SELECT * FROM \"%w\".\"%w_cache\" WHERE rowid=?1", p->zDb, pM->zName);
    rc = zSql ? sqlite3_prepare_v2(p->db, zSql, -1, &pOld, 0) : SQLITE_NOMEM;
    sqlite3_free(zSql);
    if( rc ) goto done;
    sqlite3_bind_int64(pOld, 1, sqlite3_value_int64(argv[0]));
    if( sqlite3_step(pOld)!=SQLITE_ROW ){
      rc = vt_fail(p, pms_mprintf("pmsql: %s row %lld is no longer in the cache", pM->zName,
                                  (long long)sqlite3_value_int64(argv[0])), SQLITE_ERROR);
      goto done;
    }
    w->zRecordId = pms_strdup((const char*)sqlite3_column_text(pOld, pM->iId));
    w->zIntegration = pms_strdup((const char*)sqlite3_column_text(pOld, pM->iIntegration));
    w->zXId = pms_strdup((const char*)sqlite3_column_text(pOld, pM->iXId));
    if( sqlite3_column_type(pOld, pM->iRemote)==SQLITE_TEXT ){
      w->zCachedRemote = pms_strdup((const char*)sqlite3_column_text(pOld, pM->iRemote));
    }
  }
  if( argc==1 ){
    w->zOp = "delete";
  }else if( sqlite3_value_type(argv[0])==SQLITE_NULL ){
    const char *zInt = (const char*)sqlite3_value_text(argv[2+pM->iIntegration]);
    w->zOp = "create";
    if( zInt==0 ){
      rc = vt_fail(p, pms_mprintf("pmsql: INSERT INTO %s needs integration_id (it picks the PMS)", pM->zName),
                   SQLITE_CONSTRAINT);
      goto done;
    }
    w->zIntegration = pms_strdup(zInt);
    for(i=0; i<pM->nCol; i++){
      sqlite3_value *v = argv[2+i];
      if( i==pM->iIntegration || sqlite3_value_type(v)==SQLITE_NULL ) continue;
      if( pms_column_is_engine(pM, i) ){
        rc = vt_fail(p, pms_mprintf("pmsql: %s.%s is maintained by pmsql and cannot be set on INSERT",
                                    pM->zName, pM->aCol[i].zName), SQLITE_CONSTRAINT);
        goto done;
      }
      cJSON_AddItemToObject(w->pFields, pM->aCol[i].zName, pms_value_to_json(v));
    }
  }else{
    w->zOp = "update";
    if( sqlite3_value_int64(argv[1])!=sqlite3_value_int64(argv[0]) ){
      rc = vt_fail(p, pms_mprintf("pmsql: the rowid of %s cannot change", pM->zName), SQLITE_CONSTRAINT);
      goto done;
    }
    for(i=0; i<pM->nCol; i++) if( sqlite3_value_nochange(argv[2+i]) ) bAnyNoChange = 1;
    for(i=0; i<pM->nCol; i++){
      sqlite3_value *v = argv[2+i];
      /* without nochange information (UPDATE ... FROM) compare with the cache */
      if( sqlite3_value_nochange(v) || (!bAnyNoChange && vt_same_value(pOld, i, v)) ) continue;
      if( pms_column_is_engine(pM, i) ){
        if( vt_same_value(pOld, i, v) ) continue;
        rc = vt_fail(p, pms_mprintf("pmsql: %s.%s cannot be changed: it is maintained by pmsql%s",
                                    pM->zName, pM->aCol[i].zName,
                                    i==pM->iXId || i==pM->iId || i==pM->iIntegration
                                    ? " and identifies the record in its PMS" : ""), SQLITE_CONSTRAINT);
        goto done;
      }
      cJSON_AddItemToObject(w->pFields, pM->aCol[i].zName, pms_value_to_json(v));
    }
  }
  w->zVendor = pms_integration_vendor(p->db, p->zDb, w->zIntegration);
  if( w->zVendor==0 ){
    rc = vt_fail(p, pms_mprintf("pmsql: no integration '%s' in pms_integrations", w->zIntegration),
                 SQLITE_CONSTRAINT);
    goto done;
  }
  pms_validate_write(w->zVendor, pM, w->zOp, w->zIntegration, w->pFields,
                     pms_conn_flag(p->pConn, PMS_FLAG_IGNORE_UNKNOWN), w->pStripped, pProblems);
  if( cJSON_GetArraySize(pProblems)>0 ){
    char *zMsg = pms_problems_message(pProblems);
    rc = vt_fail(p, pms_mprintf("%s", zMsg ? zMsg : "invalid write"), SQLITE_CONSTRAINT);
    free(zMsg);
    goto done;
  }
  if( strcmp(w->zOp, "update")==0 && cJSON_GetArraySize(w->pFields)==0
   && cJSON_GetArraySize(w->pStripped)==0 ){
    goto done;   /* nothing changed: nothing to send */
  }
  {
    const pms_adapter *pA = pms_adapter_find(w->zVendor);
    if( pA==0 || pA->xWriteBegin==0 || pms_adapter_model_find(pA, pM->zName)==0 ){
      rc = vt_fail(p, pms_mprintf("pmsql: %s writes to %s are not implemented", w->zVendor, pM->zName),
                   SQLITE_CONSTRAINT);
      goto done;
    }
  }
  rc = pms_write_stage(p->pConn, w, &zErr);
  if( rc ){ vt_fail(p, zErr, rc); goto done; }
  w = 0;
  if( argc>1 && sqlite3_value_type(argv[0])==SQLITE_NULL ) *pRowid = 0;
done:
  sqlite3_finalize(pOld);
  cJSON_Delete(pProblems);
  pms_write_free(w);
  return rc;
}

static int vt_begin(sqlite3_vtab *pVtab){ (void)pVtab; return SQLITE_OK; }

static int vt_sync(sqlite3_vtab *pVtab){
  vt_table *p = (vt_table*)pVtab;
  char *zErr = 0;
  int rc = pms_write_send(p->pConn, p->zDb, &zErr);
  if( rc ) vt_fail(p, zErr, rc);
  return rc;
}

static int vt_commit(sqlite3_vtab *pVtab){
  pms_write_discard(((vt_table*)pVtab)->pConn);
  return SQLITE_OK;
}

static int vt_rollback(sqlite3_vtab *pVtab){
  pms_write_discard(((vt_table*)pVtab)->pConn);
  return SQLITE_OK;
}

static int vt_savepoint(sqlite3_vtab *pVtab, int i){
  pms_write_savepoint(((vt_table*)pVtab)->pConn, i);
  return SQLITE_OK;
}

static int vt_release_savepoint(sqlite3_vtab *pVtab, int i){
  (void)pVtab; (void)i;
  return SQLITE_OK;
}

static int vt_rollback_to(sqlite3_vtab *pVtab, int i){
  pms_write_rollback_to(((vt_table*)pVtab)->pConn, i);
  return SQLITE_OK;
}

static int vt_rename(sqlite3_vtab *pVtab, const char *zNew){
  vt_table *p = (vt_table*)pVtab;
  (void)zNew;
  vt_set_error(p, "pmsql: model table %s cannot be renamed", p->pModel->zName);
  return SQLITE_ERROR;
}

static int vt_shadow_name(const char *zName){
  return sqlite3_stricmp(zName, "cache")==0;
}

static sqlite3_module vtModule = {
  3,                 /* iVersion: xShadowName */
  vt_create, vt_connect, vt_best_index, vt_disconnect, vt_destroy,
  vt_open, vt_close, vt_filter, vt_next, vt_eof, vt_column, vt_rowid,
  vt_update,
  vt_begin, vt_sync, vt_commit, vt_rollback,
  0,                 /* xFindFunction */
  vt_rename,
  vt_savepoint, vt_release_savepoint, vt_rollback_to,
  vt_shadow_name
};

int pms_vtab_register(sqlite3 *db, pms_conn *pConn){
  pms_conn_ref(pConn);
  return sqlite3_create_module_v2(db, "pmsql", &vtModule, pConn, pms_conn_unref);
}
