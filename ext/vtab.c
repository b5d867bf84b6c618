/*
** vtab.c — the model virtual tables (residents, units, leases, …).
**
** Each model table is a virtual table of module "pmsql" backed by a shadow
** table "<model>_cache" in the same schema, which the sync engine fills.
** SELECT reads the cache through one inner prepared statement per query
** shape: xBestIndex pushes every usable constraint (=, <, <=, >, >=, IS,
** IS NULL, IS NOT NULL, LIKE, GLOB) with the collation SQLite
** compares it with, an ORDER BY an index of the cache gives, and the set of
** columns used down into that statement, so SQLite's own planner picks the
** cache's indexes. Statements are cached per table and reused across queries.
** Each pushed term must select exactly the rows SQLite would (the inner
** statement binds the same values to columns of the same declared types;
** test/differential.test checks it). LIMIT and OFFSET are never pushed:
** SQLite offers them even when a WHERE term it keeps (a = b on two columns
** of the table) is not shown to xBestIndex, and then they would cut rows
** too early; the outer statement stops stepping the inner one anyway.
**
** idxStr (shown by EXPLAIN QUERY PLAN) is self-describing:
**     "[+]<col><op>[/NOCASE|/RTRIM];…[ORDER <col>[ DESC];…]#<colUsed in hex>"
** e.g. "id=;#3" for a unique id lookup reading the first two columns; the
** column "rowid" is the cache's rowid; "+" keeps a term away from the inner
** planner's choice of index. idxNum bit 1 means a unique lookup.
**
** Writes: xUpdate validates each INSERT/UPDATE row against the vendor of
** that row and stages it in the connection's batch (write.c); xSync, at
** the end of the statement or at COMMIT, sends the batch. Only the columns
** the statement changed are written (sqlite3_vtab_nochange). DELETE is
** refused unless the vendor's capability file allows it. The model's
** write-only fields (WRITEONLY in sql/) follow its stored columns as HIDDEN
** columns: an INSERT passes them on like any field, SELECT reads NULL, and
** no constraint on them is pushed into the cache's statement.
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
  int bTextCmp;              /* a comparison on a TEXT column takes a value */
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

/* A query that reads no column and has no constraint (count(*), EXISTS)
** is answered by counting: one "SELECT count(*)" (a B-tree count) and a
** counter stepped by xNext, not one inner step per row (20x a plain table
** before). Should SQLite still ask for a rowid or a column (SELECT rowid,
** DELETE), the cursor opens the inner statement then, steps it to the same
** position, and goes on from there: the same rows, in the same snapshot. */
#define VT_KEY_COUNT "#0"

typedef struct vt_cursor {
  sqlite3_vtab_cursor base;
  vt_stmt *pS;               /* borrowed from the table while open */
  int bEof;
  int bUnique;               /* a unique lookup: one row at most */
  int bCount;                /* counting: pS not stepped yet */
  sqlite3_int64 nLeft;       /* counting: rows still to report */
  sqlite3_int64 iPos;        /* counting: rows reported before this one */
} vt_cursor;

/* Operators pushed down, as they appear in idxStr and in the inner SQL.
** Not != and IS NOT: sqlite3_vtab_collation() cannot tell their collation
** (see vt_collation); they never use an index, so SQLite filtering them
** costs little. */
static const struct { unsigned char op; const char *zTag; const char *zSql; int bArg; } aVtOp[] = {
  { SQLITE_INDEX_CONSTRAINT_EQ,        "=",        "=",           1 },
  { SQLITE_INDEX_CONSTRAINT_GT,        ">",        ">",           1 },
  { SQLITE_INDEX_CONSTRAINT_GE,        ">=",       ">=",          1 },
  { SQLITE_INDEX_CONSTRAINT_LT,        "<",        "<",           1 },
  { SQLITE_INDEX_CONSTRAINT_LE,        "<=",       "<=",          1 },
  { SQLITE_INDEX_CONSTRAINT_IS,        " IS",      "IS",          1 },
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
  for(i=0; i<pM->nField; i++){
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

/* Is iCol the first column of an index of the cache (id: its primary key)
** with collation zColl (0: BINARY)? Only such an index serves a term. */
static int vt_indexed(const pms_model *pM, int iCol, const char *zColl){
  int i;
  if( iCol==pM->iId && zColl==0 ) return 1;
  for(i=0; i<pM->nIndex; i++){
    const char *z = pM->aIndex[i].azColl[0];
    if( pM->aIndex[i].aiCol[0]==iCol && (z==zColl || (z && zColl && strcmp(z, zColl)==0)) ) return 1;
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

/* The name of column iCol in the inner SQL and idxStr: -1 is the rowid,
** which the cache shares with the model table. */
static const char *vt_col_name(const pms_model *pM, int iCol){
  return iCol<0 ? "rowid" : pM->aCol[iCol].zName;
}

/* The column named zCol in an idxStr: -1 for the rowid, -2 if none. */
static int vt_col_lookup(const pms_model *pM, const char *zCol){
  int iCol = strcmp(zCol, "rowid")==0 ? -1 : pms_model_column(pM, zCol);
  return iCol<0 && strcmp(zCol, "rowid")!=0 ? -2 : iCol;
}

/* Does a column of declared type zType compare as text (TEXT or BLOB
** affinity, SQLite's rules of "Determination Of Column Affinity")? A
** number compared with such a column is compared as text when it has no
** affinity (a literal, a parameter) but the column's value is converted
** to a number when the number has one (a numeric column of another table:
** "r.zip = u.bedrooms"). xBestIndex cannot see which, so such terms are
** checked again by SQLite, and a number reaching xFilter for one reads a
** superset of rows (vt_numeric_key). */
static int vt_text_affinity(const char *zType){
  if( zType==0 || zType[0]==0 ) return 1;
  if( strcasestr(zType, "INT") ) return 0;
  if( strcasestr(zType, "CHAR") || strcasestr(zType, "CLOB") || strcasestr(zType, "TEXT") ) return 1;
  return strcasestr(zType, "BLOB")!=0;
}

/* A comparison whose value SQLite may convert (see vt_text_affinity). */
static int vt_converting_op(unsigned char op){
  return op==SQLITE_INDEX_CONSTRAINT_EQ || op==SQLITE_INDEX_CONSTRAINT_IS
      || op==SQLITE_INDEX_CONSTRAINT_GT || op==SQLITE_INDEX_CONSTRAINT_GE
      || op==SQLITE_INDEX_CONSTRAINT_LT || op==SQLITE_INDEX_CONSTRAINT_LE;
}

/* The collation SQLite compares constraint i with. The model columns and
** their cache columns are BINARY, so a BINARY comparison (*pzColl = 0) is
** pushed as is, and NOCASE or RTRIM (an explicit COLLATE in the query) is
** pushed with that COLLATE. Any other collation is not pushed (non-zero
** return): its name is user text, and SQLite applies it itself. LIKE, GLOB
** and the NULL tests ignore collations. (!= and IS NOT are not in aVtOp:
** they reach xBestIndex as terms SQLite made without their left side, for
** which it reports BINARY whatever the query says.) */
static int vt_collation(sqlite3_index_info *pInfo, int i, const char **pzColl){
  static const char *const azColl[] = { "NOCASE", "RTRIM" };
  unsigned char op = pInfo->aConstraint[i].op;
  const char *z;
  int k;
  *pzColl = 0;
  if( op==SQLITE_INDEX_CONSTRAINT_LIKE || op==SQLITE_INDEX_CONSTRAINT_GLOB
   || op==SQLITE_INDEX_CONSTRAINT_ISNULL || op==SQLITE_INDEX_CONSTRAINT_ISNOTNULL ){
    return 0;
  }
  z = sqlite3_vtab_collation(pInfo, i);
  if( z==0 || sqlite3_stricmp(z, "BINARY")==0 ) return 0;
  for(k=0; k<(int)(sizeof(azColl)/sizeof(azColl[0])); k++){
    if( sqlite3_stricmp(z, azColl[k])==0 ){ *pzColl = azColl[k]; return 0; }
  }
  return 1;
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
** other terms filter rows but do not spare reading them; a NOCASE or RTRIM
** term uses only an index declared with that collation. ORDER BY (and GROUP BY) on model columns is done by
** the inner statement when an index of the cache leads with its first
** column, so SQLite sorts nothing; any other order SQLite sorts. */
static int vt_best_index(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  vt_table *p = (vt_table*)pVtab;
  const pms_model *pM = p->pModel;
  sqlite3_str *pStr = sqlite3_str_new(0);
  int i, j, nArg = 0, bUnique = 0, bEqId = 0, bEqInt = 0, bEqX = 0;
  int bOrder = 0, bSeek = 0, bHintInt = 0;
  double nTotal = vt_row_estimate(p);
  double rows = nTotal, cost;
  /* The inner statement plans without statistics, so for "integration_id
  ** = ? AND property_id = ?" SQLite picks the (integration_id, x_id) index
  ** and reads every row of the integration. An integration holds many rows,
  ** so when another indexed column has an equality (and x_id none), the
  ** integration term is written "+integration_id" and that index is used. */
  for(i=0; i<pInfo->nConstraint; i++){
    const struct sqlite3_index_constraint *pC = &pInfo->aConstraint[i];
    if( !pC->usable || pC->iColumn<0 || pC->iColumn>=pM->nCol
     || (pC->op!=SQLITE_INDEX_CONSTRAINT_EQ && pC->op!=SQLITE_INDEX_CONSTRAINT_IS) ){
      continue;
    }
    if( pC->iColumn==pM->iXId ) bHintInt = -1;
    else if( bHintInt==0 && pC->iColumn!=pM->iIntegration
          && (vt_indexed(pM, pC->iColumn, 0) || vt_indexed(pM, pC->iColumn, "NOCASE")) ){
      const char *zColl = 0;
      if( vt_collation(pInfo, i, &zColl)==0 && zColl==0 ) bHintInt = 1;
    }
  }
  for(i=0; i<pInfo->nConstraint; i++){
    const struct sqlite3_index_constraint *pC = &pInfo->aConstraint[i];
    const char *zColl = 0;
    if( !pC->usable ) continue;
    for(j=0; j<VT_NOP && aVtOp[j].op!=pC->op; j++){}
    if( j==VT_NOP || pC->iColumn<-1 || pC->iColumn>=pM->nCol
     || vt_collation(pInfo, i, &zColl) ){
      continue;
    }
    pInfo->aConstraintUsage[i].argvIndex = ++nArg;
    /* SQLite adds a range (x >= 'ab' AND x < 'ac') to a LIKE or GLOB with
    ** a literal prefix (also with ESCAPE, a LIKE xBestIndex never sees),
    ** shown here like a user's range, and marks the LIKE specially. Omitted
    ** by the virtual table, such terms lose the outer rows of a LEFT JOIN
    ** (SQLite 3.40; differential.test found it). So ranges, LIKE and GLOB
    ** go down to filter early, and SQLite checks them again (cheap). */
    pInfo->aConstraintUsage[i].omit = pC->op==SQLITE_INDEX_CONSTRAINT_EQ
      || pC->op==SQLITE_INDEX_CONSTRAINT_IS || pC->op==SQLITE_INDEX_CONSTRAINT_ISNULL
      || pC->op==SQLITE_INDEX_CONSTRAINT_ISNOTNULL;
    if( pC->iColumn>=0 && vt_converting_op(pC->op) && vt_text_affinity(pM->aCol[pC->iColumn].zType) ){
      /* unless the value is known text, SQLite checks the term again */
      sqlite3_value *pRhs = 0;
      if( sqlite3_vtab_rhs_value(pInfo, i, &pRhs)!=SQLITE_OK || pRhs==0
       || (sqlite3_value_type(pRhs)!=SQLITE_TEXT && sqlite3_value_type(pRhs)!=SQLITE_NULL) ){
        pInfo->aConstraintUsage[i].omit = 0;
      }
    }
    sqlite3_str_appendf(pStr, "%s%s%s%s%s;",
                        bHintInt>0 && pC->iColumn==pM->iIntegration ? "+" : "",
                        vt_col_name(pM, pC->iColumn), aVtOp[j].zTag,
                        zColl ? "/" : "", zColl ? zColl : "");
    if( pC->op==SQLITE_INDEX_CONSTRAINT_EQ || pC->op==SQLITE_INDEX_CONSTRAINT_IS ){
      /* only a binary = is a lookup on the cache's keys (IS NULL may match
      ** several rows: id is not declared NOT NULL) */
      if( zColl==0 && pC->op==SQLITE_INDEX_CONSTRAINT_EQ ){
        if( pC->iColumn==pM->iId || pC->iColumn<0 ) bEqId = 1;
        else if( pC->iColumn==pM->iIntegration ) bEqInt = 1;
        else if( pC->iColumn==pM->iXId ) bEqX = 1;
      }
      if( pC->iColumn<0 || vt_indexed(pM, pC->iColumn, zColl)
       || (zColl==0 && vt_indexed(pM, pC->iColumn, "NOCASE")) ){
        bSeek = 1;
        if( rows>10 ) rows = 10;
      }else{
        rows /= 4;
      }
    }else if( pC->op==SQLITE_INDEX_CONSTRAINT_LIKE || pC->op==SQLITE_INDEX_CONSTRAINT_GLOB
           || pC->op==SQLITE_INDEX_CONSTRAINT_ISNOTNULL ){
      rows /= 2;
    }else if( pC->iColumn<0 || vt_indexed(pM, pC->iColumn, zColl) ){
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
      if( iCol<-1 || iCol>=pM->nCol ){ bOrder = 0; break; }
    }
    /* An order no index of the cache gives is a sort either way: SQLite
    ** does it (with a LIMIT, as a top-N sort the inner one cannot be).
    ** An index walk over a whole table looks up every row, yet measured
    ** (bench: GROUP BY property_id over residents and leases, 100k rows)
    ** it beats SQLite sorting the rows the virtual table returns. */
    if( bOrder && !bUnique && pInfo->aOrderBy[0].iColumn>=0
     && !vt_indexed(pM, pInfo->aOrderBy[0].iColumn, 0) ){
      bOrder = 0;
    }
    if( bOrder && !bUnique ){
      for(i=0; i<pInfo->nOrderBy; i++){
        sqlite3_str_appendf(pStr, "ORDER %s%s;", vt_col_name(pM, pInfo->aOrderBy[i].iColumn),
                            pInfo->aOrderBy[i].desc ? " DESC" : "");
      }
    }
    if( bOrder ) pInfo->orderByConsumed = 1;
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

/* One constraint term of an idxStr, "[~][+]<col><op>[/NOCASE|/RTRIM]". */
typedef struct vt_term {
  int iCol;                  /* model column, -1 the rowid */
  int iOp;                   /* index in aVtOp */
  const char *zColl;         /* 0 (BINARY), "NOCASE" or "RTRIM" */
  int bPlus;                 /* "+": kept from the inner planner's index choice */
  int bNum;                  /* "~": a number for a TEXT column (vt_numeric_key) */
} vt_term;

/* Parse the term z[0..n). Non-zero when it names no column or operator. */
static int vt_term_parse(const pms_model *pM, const char *z, int n, vt_term *pT){
  int k = 0, m;
  char zCol[64];
  memset(pT, 0, sizeof(*pT));
  if( n>0 && z[0]=='~' ){ pT->bNum = 1; z++; n--; }
  if( n>0 && z[0]=='+' ){ pT->bPlus = 1; z++; n--; }
  m = n;
  while( k<n && k<63 && (z[k]=='_' || (z[k]>='a'&&z[k]<='z') || (z[k]>='0'&&z[k]<='9')) ) k++;
  memcpy(zCol, z, k); zCol[k] = 0;
  pT->iCol = vt_col_lookup(pM, zCol);
  if( m>k+7 && strncmp(z+m-7, "/NOCASE", 7)==0 ){ pT->zColl = "NOCASE"; m -= 7; }
  else if( m>k+6 && strncmp(z+m-6, "/RTRIM", 6)==0 ){ pT->zColl = "RTRIM"; m -= 6; }
  for(pT->iOp=0; pT->iOp<VT_NOP; pT->iOp++){
    const char *zTag = aVtOp[pT->iOp].zTag;
    if( (int)strlen(zTag)==m-k && strncmp(zTag, z+k, m-k)==0 ) break;
  }
  return pT->iCol<-1 || pT->iOp==VT_NOP;
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
  int i, nOut = 1, nArg = 0, bWhere = 0;
  char *zSql, *zOrder;
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
    if( n>6 && strncmp(z, "ORDER ", 6)==0 ){
      int bDesc = n>11 && strncmp(z+n-5, " DESC", 5)==0;
      char zCol[64];
      int k = n - 6 - (bDesc ? 5 : 0);
      int iCol = -1;
      if( k>0 && k<64 ){
        memcpy(zCol, z+6, k); zCol[k] = 0;
        iCol = vt_col_lookup(pM, zCol);
      }
      if( iCol<-1 ){
        sqlite3_free(sqlite3_str_finish(pSql));
        sqlite3_free(sqlite3_str_finish(pOrder));
        return SQLITE_CORRUPT_VTAB;
      }
      sqlite3_str_appendf(pOrder, "%s\"%w\"%s", sqlite3_str_length(pOrder) ? ", " : " ORDER BY ",
                          vt_col_name(pM, iCol), bDesc ? " DESC" : "");
    }else{
      vt_term t;
      if( vt_term_parse(pM, z, n, &t) ){
        sqlite3_free(sqlite3_str_finish(pSql));
        sqlite3_free(sqlite3_str_finish(pOrder));
        return SQLITE_CORRUPT_VTAB;
      }
      nArg++;
      if( t.iCol>=0 && vt_converting_op(aVtOp[t.iOp].op) && vt_text_affinity(pM->aCol[t.iCol].zType) ){
        if( !t.bNum ) pS->bTextCmp = 1;
      }else if( t.bNum ){
        sqlite3_free(sqlite3_str_finish(pSql));
        sqlite3_free(sqlite3_str_finish(pOrder));
        return SQLITE_CORRUPT_VTAB;
      }
      if( t.bNum ){
        /* a number for a TEXT column (vt_numeric_key): every row whose
        ** value converts to that number (CAST gives the number of each
        ** text that converts, and more); SQLite checks the term again.
        ** A range keeps every row: text sorts after any number. */
        if( aVtOp[t.iOp].op==SQLITE_INDEX_CONSTRAINT_EQ || aVtOp[t.iOp].op==SQLITE_INDEX_CONSTRAINT_IS ){
          sqlite3_str_appendf(pSql, " %s CAST(\"%w\" AS NUMERIC) %s ?%d", bWhere ? "AND" : "WHERE",
                              vt_col_name(pM, t.iCol), aVtOp[t.iOp].zSql, nArg);
          bWhere = 1;
        }
        z = zEnd ? zEnd+1 : 0;
        continue;
      }
      sqlite3_str_appendf(pSql, " %s %s\"%w\" %s", bWhere ? "AND" : "WHERE",
                          t.bPlus ? "+" : "", vt_col_name(pM, t.iCol), aVtOp[t.iOp].zSql);
      if( aVtOp[t.iOp].bArg ) sqlite3_str_appendf(pSql, " ?%d", nArg);
      if( t.zColl ) sqlite3_str_appendf(pSql, " COLLATE %s", t.zColl);
      /* An exact equality implies the NOCASE one: written too, it lets a
      ** NOCASE index of the column (its only one) find the rows. */
      if( t.zColl==0 && t.iCol>=0 && !vt_indexed(pM, t.iCol, 0) && vt_indexed(pM, t.iCol, "NOCASE")
       && (aVtOp[t.iOp].op==SQLITE_INDEX_CONSTRAINT_EQ || aVtOp[t.iOp].op==SQLITE_INDEX_CONSTRAINT_IS) ){
        sqlite3_str_appendf(pSql, " AND \"%w\" %s ?%d COLLATE NOCASE", pM->aCol[t.iCol].zName,
                            aVtOp[t.iOp].zSql, nArg);
      }
      bWhere = 1;
    }
    z = zEnd ? zEnd+1 : 0;
  }
  zOrder = sqlite3_str_finish(pOrder);
  sqlite3_str_appendf(pSql, "%s", zOrder ? zOrder : "");
  sqlite3_free(zOrder);
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
  int rc;
  if( pCur->bCount ){
    pCur->iPos++;
    if( --pCur->nLeft<=0 ) pCur->bEof = 1;
    return SQLITE_OK;
  }
  if( pCur->bUnique==2 ){
    /* the one row of a unique lookup was read: no second step (a join
    ** probes once per outer row, and this step was a third of a probe) */
    pCur->bEof = 1;
    return SQLITE_OK;
  }
  rc = sqlite3_step(pCur->pS->pStmt);
  if( rc==SQLITE_ROW ) return SQLITE_OK;
  pCur->bEof = 1;
  if( rc==SQLITE_DONE ) return SQLITE_OK;
  vt_set_error((vt_table*)cur->pVtab, "pmsql: %s", sqlite3_errmsg(((vt_table*)cur->pVtab)->db));
  return rc;
}

/* Counting mode (see VT_KEY_COUNT): the number of rows, no row read. */
static int vt_count_start(vt_cursor *pCur, vt_table *p){
  sqlite3_stmt *pStmt = 0;
  char *zSql = sqlite3_mprintf("SELECT count(*) FROM \"%w\".\"%w_cache\"", p->zDb, p->pModel->zName);
  int rc = zSql ? sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0) : SQLITE_NOMEM;
  sqlite3_free(zSql);
  if( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    pCur->nLeft = sqlite3_column_int64(pStmt, 0);
  }
  rc = sqlite3_finalize(pStmt);
  if( rc ){
    if( rc!=SQLITE_NOMEM ) vt_set_error(p, "pmsql: %s", sqlite3_errmsg(p->db));
    return rc;
  }
  vt_release(pCur->pS);
  pCur->pS = 0;
  pCur->bCount = 1;
  pCur->iPos = 0;
  pCur->bEof = pCur->nLeft<=0;
  return SQLITE_OK;
}

/* Counting mode asked for a row after all: open the inner statement and
** step it to the row the counter is at. */
static int vt_count_rows(vt_cursor *pCur){
  vt_table *p = (vt_table*)pCur->base.pVtab;
  sqlite3_int64 i;
  int rc = vt_acquire(p, VT_KEY_COUNT, &pCur->pS);
  if( rc ) return rc;
  pCur->bCount = 0;
  for(i=0; i<=pCur->iPos; i++){
    rc = sqlite3_step(pCur->pS->pStmt);
    if( rc!=SQLITE_ROW ) return rc==SQLITE_DONE ? SQLITE_CORRUPT_VTAB : rc;
  }
  return SQLITE_OK;
}

/* The key of the statement to use when a number is compared with a TEXT
** column (see vt_text_affinity): idxStr with those terms marked "~", or 0
** when no value is a number. */
static char *vt_numeric_key(const pms_model *pM, const char *idxStr, int argc, sqlite3_value **argv){
  sqlite3_str *pKey;
  const char *z = idxStr;
  int i, iArg = 0, bAny = 0;
  for(i=0; i<argc && !bAny; i++){
    int t = sqlite3_value_type(argv[i]);
    bAny = t==SQLITE_INTEGER || t==SQLITE_FLOAT;
  }
  if( !bAny || idxStr==0 ) return 0;
  bAny = 0;
  pKey = sqlite3_str_new(0);
  while( *z && *z!='#' ){
    const char *zEnd = strchr(z, ';');
    int n = zEnd ? (int)(zEnd - z) : (int)strlen(z);
    if( strncmp(z, "ORDER ", 6)!=0 ){
      vt_term t;
      int e = iArg<argc ? sqlite3_value_type(argv[iArg]) : SQLITE_NULL;
      if( (e==SQLITE_INTEGER || e==SQLITE_FLOAT) && vt_term_parse(pM, z, n, &t)==0 && t.iCol>=0
       && vt_converting_op(aVtOp[t.iOp].op) && vt_text_affinity(pM->aCol[t.iCol].zType) ){
        sqlite3_str_appendchar(pKey, 1, '~');
        bAny = 1;
      }
      iArg++;
    }
    sqlite3_str_append(pKey, z, n);
    sqlite3_str_appendchar(pKey, 1, ';');
    if( zEnd==0 ) break;
    z = zEnd+1;
  }
  sqlite3_str_appendall(pKey, z[0]=='#' ? z : "");
  if( !bAny ){
    sqlite3_free(sqlite3_str_finish(pKey));
    return 0;
  }
  return sqlite3_str_finish(pKey);
}

static int vt_filter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                     int argc, sqlite3_value **argv){
  vt_cursor *pCur = (vt_cursor*)cur;
  vt_table *p = (vt_table*)cur->pVtab;
  int i, rc;
  pCur->bCount = 0;
  pCur->bUnique = 0;
  if( idxStr && argc==0 && strcmp(idxStr, VT_KEY_COUNT)==0 ){
    return vt_count_start(pCur, p);
  }
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
  if( pCur->pS->bTextCmp ){
    char *zNum = vt_numeric_key(p->pModel, idxStr, argc, argv);
    if( zNum ){
      vt_release(pCur->pS);
      pCur->pS = 0;
      rc = vt_acquire(p, zNum, &pCur->pS);
      sqlite3_free(zNum);
      if( rc ){
        if( rc!=SQLITE_NOMEM ) vt_set_error(p, "pmsql: %s", sqlite3_errmsg(p->db));
        return rc;
      }
      idxNum &= ~1;           /* "01" and "1.0" both convert to 1 */
    }
  }
  for(i=0; i<argc; i++){
    rc = sqlite3_bind_value(pCur->pS->pStmt, i+1, argv[i]);
    if( rc==SQLITE_RANGE ) rc = SQLITE_OK;   /* IS NULL takes no value */
    if( rc ) return rc;
  }
  pCur->bEof = 0;
  rc = vt_next(cur);
  if( (idxNum & 1) && !pCur->bEof ) pCur->bUnique = 2;
  return rc;
}

static int vt_eof(sqlite3_vtab_cursor *cur){
  return ((vt_cursor*)cur)->bEof;
}

static int vt_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  vt_cursor *pCur = (vt_cursor*)cur;
  int iOut;
  if( sqlite3_vtab_nochange(ctx) ) return SQLITE_OK;   /* UPDATE leaves it */
  if( i>=((vt_table*)cur->pVtab)->pModel->nCol ) return SQLITE_OK;  /* write-only: NULL */
  if( pCur->bCount ){
    int rc = vt_count_rows(pCur);
    if( rc ) return rc;
  }
  iOut = (i>=0 && i<64) ? pCur->pS->aiOut[i] : -1;
  if( iOut>0 ) sqlite3_result_value(ctx, sqlite3_column_value(pCur->pS->pStmt, iOut));
  return SQLITE_OK;
}

static int vt_rowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  vt_cursor *pCur = (vt_cursor*)cur;
  if( pCur->bCount ){
    int rc = vt_count_rows(pCur);
    if( rc ) return rc;
  }
  *pRowid = sqlite3_column_int64(pCur->pS->pStmt, 0);
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
    for(i=0; i<pM->nField; i++){
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
    for(i=pM->nCol; i<pM->nField; i++){
      /* a write-only field reads NULL: a value set is a change (the
      ** capability file says whether update takes it) */
      sqlite3_value *v = argv[2+i];
      if( sqlite3_value_nochange(v) || sqlite3_value_type(v)==SQLITE_NULL ) continue;
      cJSON_AddItemToObject(w->pFields, pM->aCol[i].zName, pms_value_to_json(v));
    }
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
