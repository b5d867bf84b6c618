/*
** integrations.c — the pms_integrations table: one row per connected PMS
** account, and the session a sync or write opens from it.
**
** pms_integrations is a writable virtual table over the shadow table
** pms_integrations_store. INSERT connects (vendor, base_url, credentials and
** options are checked), UPDATE reconfigures, DELETE disconnects and removes
** the integration's cached rows. SELECT never shows a secret: credential
** values read back as "[redacted]" (env:PMSQL_* references are shown, they
** are names, not secrets). The table is SQLITE_VTAB_DIRECTONLY, so no view
** or trigger in an untrusted database can use it.
**
** A database file may arrive from someone else with rows planted straight
** into the store, so one function, pms_integration_check(), holds every rule
** a row must satisfy: the INSERT/UPDATE path calls it, and so does
** pms_session_open() on the stored row before anything is sent. An env:
** secret is resolved only for a host the environment allows
** (int_env_host_allowed: the vendor's documented domains, its manifest's
** "domains", or PMSQL_ALLOWED_HOSTS), and an UPDATE that moves base_url to
** another host must give the credentials again.
*/
#include "pmsql.h"
#include <curl/curl.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define INT_REDACTED "[redacted]"

/* Options an integration accepts: name, kind ('n' number, 'b' boolean,
** 's' string), minimum and maximum for numbers. */
static const struct { const char *zName; char eKind; double rMin, rMax; } aIntOption[] = {
  { "sync_interval_hours",     'n', 0.0167, 8760 },
  { "sync_retry_minutes",      'n', 1, 525600 },
  { "timeout_ms",              'n', 100, 3600000 },
  { "connect_timeout_ms",      'n', 100, 600000 },
  { "max_requests_per_second", 'n', 0, 100000 },
  { "max_connections",         'n', 1, 64 },
  { "host_connections",        'n', 1, 64 },
  { "max_attempts",            'n', 1, 10 },
  { "retry_base_ms",           'n', 1, 60000 },
  { "page_size",               'n', 1, 100000 },
  { "overlap_seconds",         'n', 0, 86400 },
  { "refresh_after_write",     'b', 0, 0 },
  { "ca_file",                 's', 0, 0 },
  { "time_zone",               's', 0, 0 },
  { "window_days",             'w', 0.0001, 36500 },
  { "utc_offset_minutes",      'n', -1440, 1440 },
  { "changes_retention_days",  'n', 0, 36500 },
  { "sync_runs_retention_days",'n', 0, 36500 },
  { "max_response_bytes",      'n', 1024, 4294967296.0 },
  { "max_pages",               'n', 1, 10000000 },
  { "busy_timeout_ms",         'n', 0, 3600000 },
};
#define INT_NOPTION ((int)(sizeof(aIntOption)/sizeof(aIntOption[0])))

enum { INT_ID, INT_VENDOR, INT_BASE_URL, INT_CREDENTIALS, INT_OPTIONS,
       INT_STATUS, INT_CREATED_AT, INT_LAST_SYNC_AT, INT_LAST_ERROR, INT_NCOL };

static const char *const azIntColumn[INT_NCOL] = {
  "id", "vendor", "base_url", "credentials", "options",
  "status", "created_at", "last_sync_at", "last_error"
};

typedef struct int_table {
  sqlite3_vtab base;
  sqlite3 *db;
  char *zDb;
} int_table;

typedef struct int_cursor {
  sqlite3_vtab_cursor base;
  sqlite3_stmt *pStmt;
  int bEof;
} int_cursor;

static void int_error(sqlite3_vtab *pVtab, char *zMsg /* sqlite3_malloc'd */){
  sqlite3_free(pVtab->zErrMsg);
  pVtab->zErrMsg = zMsg;
}

/* ----------------------------------------------------------- validation */

static int int_valid_id(const char *z){
  int n = 0;
  if( z==0 || *z==0 ) return 0;
  for(; *z; z++, n++){
    char c = *z;
    if( !((c>='a'&&c<='z') || (c>='A'&&c<='Z') || (c>='0'&&c<='9') || c=='_' || c=='-') ) return 0;
  }
  return n<=64;
}

/* Plain http is allowed to loopback only: 127.0.0.0/8 and ::1, parsed as
** addresses (a name such as 127.0.0.1.example.com is not an address). */
static int int_is_loopback(const char *zHost){
  unsigned char a[16];
  char zBuf[64];
  size_t n = strlen(zHost);
  if( n>=2 && zHost[0]=='[' && zHost[n-1]==']' && n-2<sizeof(zBuf) ){
    memcpy(zBuf, zHost+1, n-2);
    zBuf[n-2] = 0;
    return inet_pton(AF_INET6, zBuf, a)==1 && memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16)==0;
  }
  if( inet_pton(AF_INET, zHost, a)==1 ) return a[0]==127;
  return inet_pton(AF_INET6, zHost, a)==1 && memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16)==0;
}

/* base_url: empty (the vendor's production URL) or an absolute http(s) URL
** without credentials, query or fragment; plain http only on loopback. */
static char *int_check_base_url(const char *zUrl){
  CURLU *pU;
  char *zScheme = 0, *zHost = 0, *zUser = 0, *zQuery = 0, *zFrag = 0;
  char *zErr = 0;
  if( zUrl==0 || *zUrl==0 ) return 0;
  pU = curl_url();
  if( pU==0 ) return sqlite3_mprintf("out of memory");
  if( curl_url_set(pU, CURLUPART_URL, zUrl, 0)!=CURLUE_OK ){
    zErr = sqlite3_mprintf("pms_integrations: base_url '%s' is not a valid URL "
                           "(e.g. 'https://acme.api.example.com', or a sandbox's 'http://127.0.0.1:8001')", zUrl);
  }else{
    curl_url_get(pU, CURLUPART_SCHEME, &zScheme, 0);
    curl_url_get(pU, CURLUPART_HOST, &zHost, 0);
    curl_url_get(pU, CURLUPART_USER, &zUser, 0);
    curl_url_get(pU, CURLUPART_QUERY, &zQuery, 0);
    curl_url_get(pU, CURLUPART_FRAGMENT, &zFrag, 0);
    if( zScheme==0 || (strcmp(zScheme, "https")!=0 && strcmp(zScheme, "http")!=0) ){
      zErr = sqlite3_mprintf("pms_integrations: base_url must start with https:// (got '%s')", zUrl);
    }else if( zUser ){
      zErr = sqlite3_mprintf("pms_integrations: base_url must not carry credentials; put them in the credentials column");
    }else if( zQuery || zFrag ){
      zErr = sqlite3_mprintf("pms_integrations: base_url '%s' must not have a query or fragment", zUrl);
    }else if( strcmp(zScheme, "http")==0 && (zHost==0 || !int_is_loopback(zHost)) ){
      zErr = sqlite3_mprintf("pms_integrations: base_url '%s' uses plain http; "
                             "only https is allowed except on loopback (127.0.0.0/8, [::1])", zUrl);
    }
  }
  curl_free(zScheme); curl_free(zHost); curl_free(zUser); curl_free(zQuery); curl_free(zFrag);
  curl_url_cleanup(pU);
  return zErr;
}

static int int_is_env_ref(const char *z){
  return z && strncmp(z, "env:", 4)==0;
}

/* A credential value travels in an HTTP header or a form field: a control
** character (CR, LF, NUL …) would let it add headers of its own. Checked on
** INSERT and again on the value an env: reference resolves to. Names the
** key, never the value. */
static char *int_check_credential_value(const char *zKey, const char *zVal){
  const unsigned char *z;
  for(z=(const unsigned char*)zVal; z && *z; z++){
    if( *z<0x20 || *z==0x7f ){
      return sqlite3_mprintf("pms_integrations: credential '%s' contains a control character "
                             "(CR, LF, tab …), which is never part of a credential", zKey);
    }
  }
  return 0;
}

/* credentials: a JSON object of strings holding every key the vendor needs;
** env:NAME references must name PMSQL_* variables. */
static char *int_check_credentials(const pms_adapter *pA, const cJSON *pCred){
  const char *const *pz;
  const cJSON *pItem;
  if( !cJSON_IsObject(pCred) ){
    return sqlite3_mprintf("pms_integrations: credentials must be a JSON object");
  }
  cJSON_ArrayForEach(pItem, pCred){
    int bKnown = 0;
    for(pz=pA->azCredential; *pz; pz++){
      if( strcmp(*pz + ((*pz)[0]=='?'), pItem->string)==0 ) bKnown = 1;
    }
    if( !bKnown ){
      sqlite3_str *p = sqlite3_str_new(0);
      sqlite3_str_appendf(p, "pms_integrations: unknown credential '%s' for %s (expected:",
                          pItem->string, pA->zVendor);
      for(pz=pA->azCredential; *pz; pz++) sqlite3_str_appendf(p, " %s", *pz + ((*pz)[0]=='?'));
      sqlite3_str_appendall(p, ")");
      return sqlite3_str_finish(p);
    }
    if( !cJSON_IsString(pItem) ){
      return sqlite3_mprintf("pms_integrations: credential '%s' must be a string", pItem->string);
    }
    if( int_is_env_ref(pItem->valuestring)
     && strncmp(pItem->valuestring+4, "PMSQL_", 6)!=0 ){
      return sqlite3_mprintf("pms_integrations: credential '%s' may only reference "
                             "environment variables named PMSQL_* (got '%s')",
                             pItem->string, pItem->valuestring);
    }
    {
      char *zErr = int_check_credential_value(pItem->string, pItem->valuestring);
      if( zErr ) return zErr;
    }
  }
  for(pz=pA->azCredential; *pz; pz++){
    if( (*pz)[0]=='?' ) continue;    /* optional key */
    if( !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(pCred, *pz)) ){
      return sqlite3_mprintf("pms_integrations: %s credentials need '%s'", pA->zVendor, *pz);
    }
  }
  return 0;
}

static char *int_check_options(const cJSON *pOpt){
  const cJSON *pItem;
  if( !cJSON_IsObject(pOpt) ) return sqlite3_mprintf("pms_integrations: options must be a JSON object");
  cJSON_ArrayForEach(pItem, pOpt){
    int i;
    for(i=0; i<INT_NOPTION && strcmp(aIntOption[i].zName, pItem->string)!=0; i++){}
    if( i==INT_NOPTION ){
      sqlite3_str *p = sqlite3_str_new(0);
      sqlite3_str_appendf(p, "pms_integrations: unknown option '%s' (known:", pItem->string);
      for(i=0; i<INT_NOPTION; i++) sqlite3_str_appendf(p, " %s", aIntOption[i].zName);
      sqlite3_str_appendall(p, ")");
      return sqlite3_str_finish(p);
    }
    switch( aIntOption[i].eKind ){
      case 'n':
        if( !cJSON_IsNumber(pItem) || pItem->valuedouble<aIntOption[i].rMin
         || pItem->valuedouble>aIntOption[i].rMax ){
          return sqlite3_mprintf("pms_integrations: option '%s' must be a number from %g to %g",
                                 pItem->string, aIntOption[i].rMin, aIntOption[i].rMax);
        }
        break;
      case 'w': {
        /* a number of days, or an object of model -> days */
        const cJSON *pW;
        int bOk = cJSON_IsNumber(pItem) && pItem->valuedouble>=aIntOption[i].rMin
               && pItem->valuedouble<=aIntOption[i].rMax;
        if( cJSON_IsObject(pItem) ){
          bOk = 1;
          cJSON_ArrayForEach(pW, pItem){
            if( pms_model_find(pW->string)==0 || !cJSON_IsNumber(pW)
             || pW->valuedouble<aIntOption[i].rMin || pW->valuedouble>aIntOption[i].rMax ) bOk = 0;
          }
        }
        if( !bOk ){
          return sqlite3_mprintf("pms_integrations: option '%s' must be a number of days, or an "
                                 "object of model names to days", pItem->string);
        }
        break;
      }
      case 'b':
        if( !cJSON_IsBool(pItem) ){
          return sqlite3_mprintf("pms_integrations: option '%s' must be true or false", pItem->string);
        }
        break;
      default:
        if( !cJSON_IsString(pItem) ){
          return sqlite3_mprintf("pms_integrations: option '%s' must be a string", pItem->string);
        }
        break;
    }
  }
  return 0;
}

/* The rules of the id and the vendor (returns the adapter, or NULL with
** *pzErr set). */
static const pms_adapter *int_check_vendor(const char *zId, const char *zVendor, char **pzErr){
  const pms_adapter *pA;
  int i;
  if( !int_valid_id(zId) ){
    *pzErr = sqlite3_mprintf("pms_integrations: id must be 1-64 characters of "
                             "letters, digits, '_' or '-' (got '%s')", zId ? zId : "");
    return 0;
  }
  pA = pms_adapter_find(zVendor);
  if( pA==0 ){
    sqlite3_str *pS = sqlite3_str_new(0);
    sqlite3_str_appendf(pS, "pms_integrations: unknown vendor '%s'", zVendor ? zVendor : "");
    for(i=0; zVendor && i<pms_adapter_count(); i++){
      if( sqlite3_stricmp(zVendor, pms_adapter_at(i)->zVendor)==0 ){
        sqlite3_str_appendf(pS, ": vendor names are upper case, '%s'", pms_adapter_at(i)->zVendor);
      }
    }
    sqlite3_str_appendall(pS, " (compiled in:");
    for(i=0; i<pms_adapter_count(); i++) sqlite3_str_appendf(pS, " %s", pms_adapter_at(i)->zVendor);
    sqlite3_str_appendall(pS, ")");
    *pzErr = sqlite3_str_finish(pS);
  }
  return pA;
}

/* Every rule a row of pms_integrations must satisfy. The INSERT/UPDATE path
** and pms_session_open() (on the row as stored) both call this, so a row
** planted straight into pms_integrations_store is held to the same rules.
** pCred/pOpt NULL: the column is not a JSON document. */
char *pms_integration_check(const char *zId, const char *zVendor, const char *zUrl,
                            const cJSON *pCred, const cJSON *pOpt){
  char *zErr = 0;
  const pms_adapter *pA = int_check_vendor(zId, zVendor, &zErr);
  if( pA==0 ) return zErr;
  if( (zErr = int_check_base_url(zUrl))!=0 ) return zErr;
  if( (zUrl==0 || zUrl[0]==0) && pA->zDefaultBaseUrl[0]==0 ){
    return sqlite3_mprintf("pms_integrations: %s has no common endpoint; base_url must be "
                           "the customer's own API URL", pA->zVendor);
  }
  if( pCred==0 ){
    return sqlite3_mprintf("pms_integrations: credentials must be a JSON object "
                           "(e.g. '{\"client_id\":\"…\",\"client_secret\":\"…\"}')");
  }
  if( (zErr = int_check_credentials(pA, pCred))!=0 ) return zErr;
  if( pOpt==0 ) return sqlite3_mprintf("pms_integrations: options must be a JSON object");
  return int_check_options(pOpt);
}

/* The host of an integration's effective URL (base_url, or the vendor's
** default when empty), lower case, malloc'd; NULL if there is none. */
static char *int_url_host(const pms_adapter *pA, const char *zUrl){
  CURLU *pU = curl_url();
  char *zHost = 0, *zOut = 0;
  if( (zUrl==0 || zUrl[0]==0) && pA ) zUrl = pA->zDefaultBaseUrl;
  if( pU && zUrl && zUrl[0] && curl_url_set(pU, CURLUPART_URL, zUrl, 0)==CURLUE_OK
   && curl_url_get(pU, CURLUPART_HOST, &zHost, 0)==CURLUE_OK && zHost ){
    char *z;
    zOut = pms_strdup(zHost);
    for(z=zOut; z && *z; z++) if( *z>='A' && *z<='Z' ) *z += 'a' - 'A';
  }
  curl_free(zHost);
  curl_url_cleanup(pU);
  return zOut;
}

static int int_host_matches(const char *zHost, const char *zPattern, size_t nPattern){
  size_t nHost = strlen(zHost);
  if( nPattern==nHost && strncasecmp(zHost, zPattern, nPattern)==0 ) return 1;
  /* "*.example.com" and ".example.com" match subdomains */
  if( nPattern>2 && zPattern[0]=='*' && zPattern[1]=='.' ){ zPattern++; nPattern--; }
  else if( zPattern[0]!='.' ) return 0;
  return nHost>nPattern && strncasecmp(zHost+nHost-nPattern, zPattern, nPattern)==0;
}

/* Does zHost (from its start) spell the manifest domain zDom exactly, where
** "{NN}" in zDom stands for one or more digits (Yardi's yardiasp{NN}.com)? */
static int int_domain_spells(const char *zHost, const char *zDom){
  for(;;){
    if( strncmp(zDom, "{NN}", 4)==0 ){
      if( !(*zHost>='0' && *zHost<='9') ) return 0;
      while( *zHost>='0' && *zHost<='9' ){
        zHost++;
        if( int_domain_spells(zHost, zDom+4) ) return 1;
      }
      return 0;
    }
    if( *zDom==0 ) return *zHost==0;
    if( tolower((unsigned char)*zHost)!=*zDom ) return 0;
    zHost++;
    zDom++;
  }
}

/* zHost is one of the vendor's documented domains (the manifest's
** "domains") or a subdomain of one. */
static int int_vendor_domain(const pms_adapter *pA, const char *zHost){
  const char *const *pz;
  for(pz=pA->pManifest->azDomain; pz && *pz; pz++){
    const char *z = zHost;
    while( z ){
      if( int_domain_spells(z, *pz) ) return 1;
      z = strchr(z, '.');
      if( z ) z++;
    }
  }
  return 0;
}

/* May an env: secret be sent to zHost? The environment decides, never the
** database: the vendor's documented domain, or a host named in
** PMSQL_ALLOWED_HOSTS (comma- or space-separated host names; "*.example.com"
** allows subdomains). Loopback is not implied: any local process can listen
** there. */
static int int_env_host_allowed(const pms_adapter *pA, const char *zHost){
  const char *z = getenv("PMSQL_ALLOWED_HOSTS");
  if( zHost==0 ) return 0;
  if( int_vendor_domain(pA, zHost) ) return 1;
  while( z && *z ){
    size_t n = strcspn(z, ", \t");
    if( n>0 && int_host_matches(zHost, z, n) ) return 1;
    z += n;
    z += strspn(z, ", \t");
  }
  return 0;
}

/* Credentials as shown by SELECT: the keys, every literal value redacted. */
static char *int_redact(const char *zCred){
  cJSON *p = cJSON_Parse(zCred);
  cJSON *pItem;
  char *z, *zOut;
  if( p==0 ) return 0;
  cJSON_ArrayForEach(pItem, p){
    if( cJSON_IsString(pItem) && !int_is_env_ref(pItem->valuestring) ){
      cJSON_SetValuestring(pItem, INT_REDACTED);
    }
  }
  z = cJSON_PrintUnformatted(p);
  cJSON_Delete(p);
  zOut = z ? sqlite3_mprintf("%s", z) : 0;
  cJSON_free(z);
  return zOut;
}

/* ------------------------------------------------------------- the vtab */

static int int_create_store(sqlite3 *db, const char *zDb, char **pzErr){
  char *zErr = 0;
  int rc = pms_exec(db, &zErr,
      "CREATE TABLE IF NOT EXISTS \"%w\".pms_integrations_store("
      "id TEXT PRIMARY KEY, vendor TEXT NOT NULL, base_url TEXT NOT NULL, "
      "credentials TEXT NOT NULL, options TEXT NOT NULL, "
      "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, "
      "last_sync_at TEXT, last_sync_status TEXT, last_error TEXT)", zDb);
  if( rc ){ *pzErr = sqlite3_mprintf("%s", zErr); }
  free(zErr);
  return rc;
}

static int int_init(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                    sqlite3_vtab **ppVtab, char **pzErr, int bCreate){
  int_table *p;
  int rc;
  (void)pAux; (void)argc;
  if( strcmp(argv[2], "pms_integrations")!=0 ){
    *pzErr = sqlite3_mprintf("pmsql: the integrations table must be named pms_integrations");
    return SQLITE_ERROR;
  }
  if( bCreate && (rc = int_create_store(db, argv[1], pzErr))!=SQLITE_OK ) return rc;
  rc = sqlite3_declare_vtab(db,
      "CREATE TABLE x(id TEXT, vendor TEXT, base_url TEXT, credentials TEXT, "
      "options TEXT, status TEXT, created_at TEXT, last_sync_at TEXT, last_error TEXT)");
  if( rc ) return rc;
  sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  p = sqlite3_malloc(sizeof(*p));
  if( p==0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  p->db = db;
  p->zDb = sqlite3_mprintf("%s", argv[1]);
  *ppVtab = &p->base;
  return p->zDb ? SQLITE_OK : SQLITE_NOMEM;
}

static int int_create(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                      sqlite3_vtab **ppVtab, char **pzErr){
  return int_init(db, pAux, argc, argv, ppVtab, pzErr, 1);
}

static int int_connect(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                       sqlite3_vtab **ppVtab, char **pzErr){
  return int_init(db, pAux, argc, argv, ppVtab, pzErr, 0);
}

static int int_disconnect(sqlite3_vtab *pVtab){
  int_table *p = (int_table*)pVtab;
  sqlite3_free(p->zDb);
  sqlite3_free(p);
  return SQLITE_OK;
}

static int int_destroy(sqlite3_vtab *pVtab){
  int_table *p = (int_table*)pVtab;
  int rc = pms_exec(p->db, 0, "DROP TABLE IF EXISTS \"%w\".pms_integrations_store", p->zDb);
  if( rc==SQLITE_OK ) int_disconnect(pVtab);
  return rc;
}

static int int_best_index(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  int i;
  (void)pVtab;
  pInfo->estimatedCost = 100;
  pInfo->estimatedRows = 100;
  for(i=0; i<pInfo->nConstraint; i++){
    const struct sqlite3_index_constraint *pC = &pInfo->aConstraint[i];
    if( pC->usable && pC->iColumn==INT_ID && pC->op==SQLITE_INDEX_CONSTRAINT_EQ ){
      pInfo->aConstraintUsage[i].argvIndex = 1;
      pInfo->aConstraintUsage[i].omit = 1;
      pInfo->idxNum = 1;
      pInfo->estimatedCost = 1;
      pInfo->estimatedRows = 1;
      pInfo->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
      break;
    }
  }
  return SQLITE_OK;
}

static int int_open(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  int_cursor *pCur = sqlite3_malloc(sizeof(*pCur));
  (void)pVtab;
  if( pCur==0 ) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

static int int_close(sqlite3_vtab_cursor *cur){
  sqlite3_finalize(((int_cursor*)cur)->pStmt);
  sqlite3_free(cur);
  return SQLITE_OK;
}

static int int_next(sqlite3_vtab_cursor *cur){
  int_cursor *pCur = (int_cursor*)cur;
  int rc = sqlite3_step(pCur->pStmt);
  pCur->bEof = rc!=SQLITE_ROW;
  return (rc==SQLITE_ROW || rc==SQLITE_DONE) ? SQLITE_OK : rc;
}

static int int_filter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                      int argc, sqlite3_value **argv){
  int_cursor *pCur = (int_cursor*)cur;
  int_table *p = (int_table*)cur->pVtab;
  char *zSql;
  int rc;
  (void)idxStr;
  sqlite3_finalize(pCur->pStmt);
  pCur->pStmt = 0;
  zSql = sqlite3_mprintf(
      "SELECT rowid, id, vendor, base_url, credentials, options, "
      "coalesce(last_sync_status, 'connected'), created_at, last_sync_at, last_error "
      "FROM \"%w\".pms_integrations_store%s ORDER BY id",
      p->zDb, idxNum==1 ? " WHERE id = ?1" : "");
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(p->db, zSql, -1, &pCur->pStmt, 0);
  sqlite3_free(zSql);
  if( rc ) return rc;
  if( idxNum==1 && argc>0 ) sqlite3_bind_value(pCur->pStmt, 1, argv[0]);
  return int_next(cur);
}

static int int_eof(sqlite3_vtab_cursor *cur){ return ((int_cursor*)cur)->bEof; }

static int int_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  int_cursor *pCur = (int_cursor*)cur;
  if( i==INT_CREDENTIALS ){
    char *z;
    if( sqlite3_vtab_nochange(ctx) ) return SQLITE_OK;   /* UPDATE keeps it */
    z = int_redact((const char*)sqlite3_column_text(pCur->pStmt, 1+i));
    if( z ) sqlite3_result_text(ctx, z, -1, sqlite3_free);
    return SQLITE_OK;
  }
  sqlite3_result_value(ctx, sqlite3_column_value(pCur->pStmt, 1+i));
  return SQLITE_OK;
}

static int int_rowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  *pRowid = sqlite3_column_int64(((int_cursor*)cur)->pStmt, 0);
  return SQLITE_OK;
}

/* Stored credentials of a row (for merging redacted values on UPDATE). */
static cJSON *int_stored_credentials(int_table *p, sqlite3_int64 iRowid){
  sqlite3_stmt *pStmt = 0;
  cJSON *pOut = 0;
  char *zSql = sqlite3_mprintf("SELECT credentials FROM \"%w\".pms_integrations_store WHERE rowid=?1", p->zDb);
  if( zSql && sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0)==SQLITE_OK ){
    sqlite3_bind_int64(pStmt, 1, iRowid);
    if( sqlite3_step(pStmt)==SQLITE_ROW ){
      pOut = cJSON_Parse((const char*)sqlite3_column_text(pStmt, 0));
    }
  }
  sqlite3_finalize(pStmt);
  sqlite3_free(zSql);
  return pOut;
}

static int int_delete_row(int_table *p, sqlite3_int64 iRowid){
  sqlite3_stmt *pStmt = 0;
  char *zId = 0;
  char *zSql = sqlite3_mprintf("SELECT id FROM \"%w\".pms_integrations_store WHERE rowid=?1", p->zDb);
  char *zErr = 0;
  int rc, i;
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0);
  sqlite3_free(zSql);
  if( rc ) return rc;
  sqlite3_bind_int64(pStmt, 1, iRowid);
  if( sqlite3_step(pStmt)==SQLITE_ROW ) zId = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 0));
  sqlite3_finalize(pStmt);
  if( zId==0 ) return SQLITE_OK;
  /* the cached rows of every model, the watermarks, then the row itself */
  for(i=0; rc==SQLITE_OK && i<pms_model_count(); i++){
    zSql = sqlite3_mprintf("DELETE FROM \"%w\".\"%w_cache\" WHERE integration_id=?1",
                           p->zDb, pms_model_at(i)->zName);
    rc = zSql ? sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0) : SQLITE_NOMEM;
    sqlite3_free(zSql);
    if( rc==SQLITE_ERROR ){ rc = SQLITE_OK; continue; }   /* model table not created */
    if( rc ) break;
    sqlite3_bind_text(pStmt, 1, zId, -1, SQLITE_STATIC);
    sqlite3_step(pStmt);
    rc = sqlite3_finalize(pStmt);
  }
  if( rc==SQLITE_OK ){
    zSql = sqlite3_mprintf(
        "DELETE FROM \"%w\".pms_sync_state WHERE integration_id=?1;", p->zDb);
    rc = zSql ? sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0) : SQLITE_NOMEM;
    sqlite3_free(zSql);
    if( rc==SQLITE_OK ){
      sqlite3_bind_text(pStmt, 1, zId, -1, SQLITE_STATIC);
      sqlite3_step(pStmt);
      rc = sqlite3_finalize(pStmt);
    }else if( rc==SQLITE_ERROR ){
      rc = SQLITE_OK;   /* pms_init() not run in this schema */
    }
  }
  if( rc==SQLITE_OK ){
    rc = pms_exec(p->db, &zErr, "DELETE FROM \"%w\".pms_integrations_store WHERE rowid=%lld",
                  p->zDb, iRowid);
  }
  free(zErr);
  sqlite3_free(zId);
  return rc;
}

static int int_update(sqlite3_vtab *pVtab, int argc, sqlite3_value **argv,
                      sqlite_int64 *pRowid){
  int_table *p = (int_table*)pVtab;
  const char *zId, *zVendor, *zUrl;
  const pms_adapter *pA;
  cJSON *pCred = 0, *pOpt = 0;
  char *zErr = 0, *zCredJson = 0, *zOptJson = 0, *zSql = 0;
  sqlite3_stmt *pStmt = 0;
  char zNow[32];
  char *zOldHost = 0;        /* UPDATE: host the stored secrets belong to */
  int bOldSecrets = 0;       /* UPDATE keeps a stored secret */
  int rc = SQLITE_OK, i;
  int bInsert = argc>1 && sqlite3_value_type(argv[0])==SQLITE_NULL;

  if( argc==1 ) return int_delete_row(p, sqlite3_value_int64(argv[0]));

  /* status columns: refused on INSERT; on UPDATE they arrive with their
  ** current values and are ignored */
  for(i=INT_STATUS; bInsert && i<INT_NCOL; i++){
    if( sqlite3_value_type(argv[2+i])!=SQLITE_NULL ){
      int_error(pVtab, sqlite3_mprintf("pms_integrations: %s is maintained by pmsql and cannot be set",
                                       azIntColumn[i]));
      return SQLITE_CONSTRAINT;
    }
  }
  zId = (const char*)sqlite3_value_text(argv[2+INT_ID]);
  zVendor = (const char*)sqlite3_value_text(argv[2+INT_VENDOR]);
  zUrl = (const char*)sqlite3_value_text(argv[2+INT_BASE_URL]);
  pA = int_check_vendor(zId, zVendor, &zErr);
  if( pA==0 ){ int_error(pVtab, zErr); return SQLITE_CONSTRAINT; }

  if( !bInsert ){
    sqlite3_int64 iOld = sqlite3_value_int64(argv[0]);
    if( sqlite3_value_int64(argv[1])!=iOld ){
      int_error(pVtab, sqlite3_mprintf("pms_integrations: rowid cannot change"));
      return SQLITE_CONSTRAINT;
    }
    /* id and vendor identify the cached rows: changing them would orphan them */
    zSql = sqlite3_mprintf("SELECT id, vendor, base_url FROM \"%w\".pms_integrations_store WHERE rowid=?1", p->zDb);
    rc = zSql ? sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0) : SQLITE_NOMEM;
    sqlite3_free(zSql);
    zSql = 0;
    if( rc ) return rc;
    sqlite3_bind_int64(pStmt, 1, iOld);
    if( sqlite3_step(pStmt)==SQLITE_ROW ){
      if( strcmp((const char*)sqlite3_column_text(pStmt, 0), zId)!=0 ){
        zErr = sqlite3_mprintf("pms_integrations: id cannot be changed (delete and insert the integration)");
      }else if( strcmp((const char*)sqlite3_column_text(pStmt, 1), zVendor)!=0 ){
        zErr = sqlite3_mprintf("pms_integrations: vendor cannot be changed (delete and insert the integration)");
      }else{
        zOldHost = int_url_host(pA, (const char*)sqlite3_column_text(pStmt, 2));
      }
    }
    sqlite3_finalize(pStmt);
    pStmt = 0;
    if( zErr ){ int_error(pVtab, zErr); free(zOldHost); return SQLITE_CONSTRAINT; }
  }

  /* credentials: kept as stored when unchanged; redacted values merge back */
  if( !bInsert && sqlite3_value_nochange(argv[2+INT_CREDENTIALS]) ){
    pCred = int_stored_credentials(p, sqlite3_value_int64(argv[0]));
    bOldSecrets = 1;
  }else{
    const char *zCred = (const char*)sqlite3_value_text(argv[2+INT_CREDENTIALS]);
    pCred = zCred ? cJSON_Parse(zCred) : 0;
    if( !bInsert && cJSON_IsObject(pCred) ){
      cJSON *pOld = int_stored_credentials(p, sqlite3_value_int64(argv[0]));
      cJSON *pItem;
      cJSON_ArrayForEach(pItem, pCred){
        const cJSON *pPrev = cJSON_GetObjectItemCaseSensitive(pOld, pItem->string);
        if( cJSON_IsString(pItem) && strcmp(pItem->valuestring, INT_REDACTED)==0
         && cJSON_IsString(pPrev) ){
          cJSON_SetValuestring(pItem, pPrev->valuestring);
          bOldSecrets = 1;
        }
      }
      pms_json_wipe(pOld);
      cJSON_Delete(pOld);
    }
  }
  {
    const char *zOpt = (const char*)sqlite3_value_text(argv[2+INT_OPTIONS]);
    pOpt = cJSON_Parse(zOpt ? zOpt : "{}");
  }
  if( (zErr = pms_integration_check(zId, zVendor, zUrl, pCred, pOpt))!=0 ){
    rc = SQLITE_CONSTRAINT;
    goto done;
  }
  /* secrets are bound to the host they were entered for */
  if( !bInsert && bOldSecrets ){
    char *zNewHost = int_url_host(pA, zUrl);
    if( zOldHost && (zNewHost==0 || strcmp(zOldHost, zNewHost)!=0) ){
      zErr = sqlite3_mprintf("pms_integrations: base_url moves integration '%s' from %s to %s; "
                             "give the credentials again (stored secrets stay with the host they "
                             "were entered for)", zId, zOldHost, zNewHost ? zNewHost : "?");
      rc = SQLITE_CONSTRAINT;
    }
    free(zNewHost);
    if( rc ) goto done;
  }
  zCredJson = cJSON_PrintUnformatted(pCred);
  zOptJson = cJSON_PrintUnformatted(pOpt);
  if( zCredJson==0 || zOptJson==0 ){ rc = SQLITE_NOMEM; goto done; }
  pms_now_iso(zNow);
  if( bInsert ){
    zSql = sqlite3_mprintf(
        "INSERT INTO \"%w\".pms_integrations_store(id, vendor, base_url, credentials, options, "
        "created_at, updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?6)", p->zDb);
  }else{
    zSql = sqlite3_mprintf(
        "UPDATE \"%w\".pms_integrations_store SET base_url=?3, credentials=?4, options=?5, "
        "updated_at=?6 WHERE rowid=?7 AND id=?1 AND vendor=?2", p->zDb);
  }
  rc = zSql ? sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0) : SQLITE_NOMEM;
  if( rc ) goto done;
  sqlite3_bind_text(pStmt, 1, zId, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, zVendor, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 3, zUrl ? zUrl : "", -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 4, zCredJson, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 5, zOptJson, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 6, zNow, -1, SQLITE_STATIC);
  if( !bInsert ) sqlite3_bind_int64(pStmt, 7, sqlite3_value_int64(argv[0]));
  rc = sqlite3_step(pStmt);
  if( rc==SQLITE_DONE ){
    rc = SQLITE_OK;
    if( bInsert ) *pRowid = sqlite3_last_insert_rowid(p->db);
  }else if( rc==SQLITE_CONSTRAINT ){
    zErr = sqlite3_mprintf("pms_integrations: an integration with id '%s' already exists", zId);
  }else{
    zErr = sqlite3_mprintf("pms_integrations: %s", sqlite3_errmsg(p->db));
  }
done:
  if( zErr ) int_error(pVtab, zErr);
  free(zOldHost);
  sqlite3_finalize(pStmt);
  sqlite3_free(zSql);
  if( zCredJson ) pms_wipe(zCredJson, strlen(zCredJson));
  cJSON_free(zCredJson);
  cJSON_free(zOptJson);
  pms_json_wipe(pCred);
  cJSON_Delete(pCred);
  cJSON_Delete(pOpt);
  return rc;
}

static int int_shadow_name(const char *zName){
  return sqlite3_stricmp(zName, "store")==0;
}

static int int_rename(sqlite3_vtab *pVtab, const char *zNew){
  (void)zNew;
  int_error(pVtab, sqlite3_mprintf("pmsql: pms_integrations cannot be renamed"));
  return SQLITE_ERROR;
}

static sqlite3_module intModule = {
  3,
  int_create, int_connect, int_best_index, int_disconnect, int_destroy,
  int_open, int_close, int_filter, int_next, int_eof, int_column, int_rowid,
  int_update,
  0, 0, 0, 0, 0,
  int_rename,
  0, 0, 0,
  int_shadow_name
};

int pms_integrations_register(sqlite3 *db){
  return sqlite3_create_module_v2(db, "pmsql_integrations", &intModule, 0, 0);
}

/* ------------------------------------------------------------- sessions */

/* The first database of the connection holding pmsql's tables ("main"
** usually). The name is SQLite's own and lives as long as the attachment. */
const char *pms_find_schema(sqlite3 *db){
  const char *zWhy;
  return pms_find_schema_err(db, &zWhy);
}

/* Reading a schema waits for a writer as pmsql's own statements do
** (sync_lock.c): "locked" is not "absent". */
const char *pms_find_schema_err(sqlite3 *db, const char **pzWhy){
  const char *zName;
  int i, rc, nTry = 0, bBusy = 0;
  int64_t tEnd = pms_now_ms() + pms_busy_budget(db, 0);
  for(i=0; (zName = sqlite3_db_name(db, i))!=0; i++){
    rc = sqlite3_table_column_metadata(db, zName, "pms_integrations_store", "id", 0, 0, 0, 0, 0);
    if( rc==SQLITE_OK ) return zName;
    if( (rc & 0xff)==SQLITE_BUSY || (rc & 0xff)==SQLITE_LOCKED ){
      if( pms_busy_pause(&nTry, tEnd) ){ i--; continue; }
      bBusy = 1;
    }
  }
  *pzWhy = bBusy ? "database is locked by another connection"
                 : "this database has no pmsql tables; run SELECT pms_init() first";
  return 0;
}

/* Replace env:PMSQL_* references by the variables' values, for a host the
** environment allows (int_env_host_allowed), and hold each value to the rule
** of a literal one. The error names the variable, never a value. */
static char *int_resolve_env(const pms_adapter *pA, const char *zHost, cJSON *pCred){
  cJSON *pItem;
  cJSON_ArrayForEach(pItem, pCred){
    if( cJSON_IsString(pItem) && int_is_env_ref(pItem->valuestring) ){
      const char *zName = pItem->valuestring + 4;
      const char *zVal;
      char *zBad;
      if( !int_env_host_allowed(pA, zHost) ){
        return pms_mprintf("credential '%s' references environment variable %s, which pmsql "
                           "sends only to %s's own domain or to hosts in PMSQL_ALLOWED_HOSTS "
                           "(not to %s)", pItem->string, zName, pA->zVendor, zHost ? zHost : "?");
      }
      zVal = getenv(zName);
      if( zVal==0 ){
        return pms_mprintf("credential '%s' references environment variable %s, which is not set",
                           pItem->string, zName);
      }
      if( (zBad = int_check_credential_value(pItem->string, zVal))!=0 ){
        char *zOut = pms_mprintf("%s (in environment variable %s)",
                                 zBad + sizeof("pms_integrations: ") - 1, zName);
        sqlite3_free(zBad);
        return zOut;
      }
      cJSON_SetValuestring(pItem, zVal);
    }
  }
  return 0;
}

int pms_session_open(sqlite3 *db, const char *zDb, const char *zIntegration,
                     pms_session *pSess, char **pzErr){
  sqlite3_stmt *pStmt = 0;
  char *zSql, *zBad, *zHost;
  int rc;
  pms_http_config cfg;
  char *zRateKey;
  memset(pSess, 0, sizeof(*pSess));
  zSql = sqlite3_mprintf("SELECT vendor, base_url, credentials, options FROM \"%w\".pms_integrations_store WHERE id=?1", zDb);
  rc = zSql ? sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0) : SQLITE_NOMEM;
  sqlite3_free(zSql);
  if( rc ){ *pzErr = pms_strdup(sqlite3_errmsg(db)); return rc; }
  sqlite3_bind_text(pStmt, 1, zIntegration, -1, SQLITE_STATIC);
  if( sqlite3_step(pStmt)!=SQLITE_ROW ){
    sqlite3_finalize(pStmt);
    *pzErr = pms_mprintf("no integration '%s' in pms_integrations", zIntegration);
    return SQLITE_ERROR;
  }
  pSess->pCred = cJSON_Parse((const char*)sqlite3_column_text(pStmt, 2));
  pSess->pOptions = cJSON_Parse((const char*)sqlite3_column_text(pStmt, 3));
  /* the database file may come from someone else: the stored row meets
  ** every rule of an INSERT, or nothing is sent */
  zBad = pms_integration_check(zIntegration, (const char*)sqlite3_column_text(pStmt, 0),
                               (const char*)sqlite3_column_text(pStmt, 1),
                               pSess->pCred, pSess->pOptions);
  if( zBad ){
    sqlite3_finalize(pStmt);
    *pzErr = pms_mprintf("the stored configuration is refused: %s",
                         strncmp(zBad, "pms_integrations: ", 18)==0 ? zBad+18 : zBad);
    sqlite3_free(zBad);
    pms_session_close(pSess);
    return SQLITE_ERROR;
  }
  pSess->pAdapter = pms_adapter_find((const char*)sqlite3_column_text(pStmt, 0));
  pSess->zIntegration = pms_strdup(zIntegration);
  {
    const char *zUrl = (const char*)sqlite3_column_text(pStmt, 1);
    size_t n;
    if( zUrl==0 || *zUrl==0 ) zUrl = pSess->pAdapter->zDefaultBaseUrl;
    pSess->zBaseUrl = pms_strdup(zUrl);
    n = pSess->zBaseUrl ? strlen(pSess->zBaseUrl) : 0;
    while( n>0 && pSess->zBaseUrl[n-1]=='/' ) pSess->zBaseUrl[--n] = 0;
  }
  sqlite3_finalize(pStmt);
  if( pSess->zIntegration==0 || pSess->zBaseUrl==0 ){
    *pzErr = pms_strdup("out of memory");
    pms_session_close(pSess);
    return SQLITE_NOMEM;
  }
  zHost = int_url_host(pSess->pAdapter, pSess->zBaseUrl);
  *pzErr = int_resolve_env(pSess->pAdapter, zHost, pSess->pCred);
  free(zHost);
  if( *pzErr ){
    pms_session_close(pSess);
    return SQLITE_ERROR;
  }
  memset(&cfg, 0, sizeof(cfg));
  cfg.connectTimeoutMs = (long)pms_option_number(pSess, "connect_timeout_ms", 10000);
  cfg.timeoutMs = (long)pms_option_number(pSess, "timeout_ms", 60000);
  cfg.maxConnections = (int)pms_option_number(pSess, "max_connections",
                                              pSess->pAdapter->defaultConnections);
  /* the connections every integration of this base URL's host shares */
  cfg.hostConnections = (int)pms_option_number(pSess, "host_connections",
                                               pSess->pAdapter->defaultConnections);
  cfg.zHostUrl = pSess->zBaseUrl;
  cfg.maxPerSecond = pms_option_number(pSess, "max_requests_per_second",
                                       pSess->pAdapter->defaultPerSecond);
  cfg.maxAttempts = (int)pms_option_number(pSess, "max_attempts", 4);
  cfg.retryBaseMs = (long)pms_option_number(pSess, "retry_base_ms", 250);
  cfg.zCaFile = pms_option_string(pSess, "ca_file");
  cfg.maxResponseBytes = (int64_t)pms_option_number(pSess, "max_response_bytes",
                                                    (double)PMS_HTTP_MAX_RESPONSE);
  zRateKey = pms_mprintf("%s|%s", zIntegration, pSess->zBaseUrl);
  cfg.zRateKey = zRateKey;
  cfg.xClassify = pSess->pAdapter->xClassify;
  pSess->pHttp = pms_http_new(&cfg);
  free(zRateKey);
  if( pSess->pHttp==0 ){
    *pzErr = pms_strdup("out of memory");
    pms_session_close(pSess);
    return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

int pms_session_reauthorize(pms_session *pSess, pms_request *r, char **pzErr){
  const pms_adapter *pA = pSess->pAdapter;
  int rc;
  if( pA->xOpen==0 || pSess->nReauth>0 ) return SQLITE_ERROR;
  pSess->nReauth++;
  if( pA->xClose ) pA->xClose(pSess);
  rc = pA->xOpen(pSess, pzErr);
  if( rc==SQLITE_OK ){
    pms_request_clear_auth(r);
    pA->xAuthorize(pSess, r);
  }
  return rc;
}

void pms_session_close(pms_session *pSess){
  if( pSess->pAdapter && pSess->pAdapter->xClose && pSess->pAdapterData ){
    pSess->pAdapter->xClose(pSess);
  }
  pms_http_free(pSess->pHttp);
  pms_json_wipe(pSess->pCred);
  cJSON_Delete(pSess->pCred);
  cJSON_Delete(pSess->pOptions);
  free((char*)pSess->zIntegration);
  free(pSess->zBaseUrl);
  memset(pSess, 0, sizeof(*pSess));
}

double pms_option_number(const pms_session *pSess, const char *zKey, double dflt){
  const cJSON *p = cJSON_GetObjectItemCaseSensitive(pSess->pOptions, zKey);
  return cJSON_IsNumber(p) ? p->valuedouble : dflt;
}

/* The option window_days for model zModel (one number, or one per model):
** how far back a full sync looks; 0 when there is none. */
double pms_option_window_days(const pms_session *pSess, const char *zModel){
  const cJSON *p = cJSON_GetObjectItemCaseSensitive(pSess->pOptions, "window_days");
  if( cJSON_IsObject(p) ) p = cJSON_GetObjectItemCaseSensitive(p, zModel);
  return cJSON_IsNumber(p) && p->valuedouble>0 ? p->valuedouble : 0;
}

const char *pms_option_string(const pms_session *pSess, const char *zKey){
  const cJSON *p = cJSON_GetObjectItemCaseSensitive(pSess->pOptions, zKey);
  return cJSON_IsString(p) ? p->valuestring : 0;
}

const char *pms_credential(const pms_session *pSess, const char *zKey){
  const cJSON *p = cJSON_GetObjectItemCaseSensitive(pSess->pCred, zKey);
  return cJSON_IsString(p) ? p->valuestring : 0;
}

/* The vendor of an integration (malloc'd), or NULL when there is none. The
** one place the engine asks pms_integrations which vendor an id is. */
char *pms_integration_vendor(sqlite3 *db, const char *zDb, const char *zIntegration){
  sqlite3_stmt *pStmt = 0;
  char *zOut = 0;
  char *zSql = zDb ? sqlite3_mprintf("SELECT vendor FROM \"%w\".pms_integrations_store WHERE id=?1", zDb) : 0;
  if( zSql && sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0)==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, zIntegration, -1, SQLITE_STATIC);
    if( sqlite3_step(pStmt)==SQLITE_ROW && sqlite3_column_type(pStmt, 0)==SQLITE_TEXT ){
      zOut = pms_strdup((const char*)sqlite3_column_text(pStmt, 0));
    }
  }
  sqlite3_finalize(pStmt);
  sqlite3_free(zSql);
  return zOut;
}
