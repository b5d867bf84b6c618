/*
** pmsql.h — internal interfaces shared by the files of the extension.
**
** The extension is split one concern per file:
**   pmsql.c        entry point: registers modules and functions
**   schema.c       the unified models, parsed once from the compiled-in sql/
**   vtab.c         model virtual tables (reads from the cache shadow tables)
**   integrations.c the pms_integrations table (connect, reconfigure, redact)
**   manifest.c     the vendor manifests (capability/<vendor>.json), parsed once
**   adapter.c      a manifest joined with its adapter's C; engine defaults
**   capability.c   the pms_capabilities table, from the manifests
**   init.c         pms_init(): creates the model tables and pmsql's own tables
**   http.c         libcurl multi client: timeouts, retries, rate limits
**   sync*.c        pms_sync(): pages -> unified rows -> cache, atomically
**                  (sync.c the functions; syncint.h lists the rest)
**   mapping.c      data-driven field maps from vendor JSON to unified rows
**   util.c         small helpers: strings, time, hashing
** Adapters (one per vendor) live in ../adapters and fill in pms_adapter.
*/
#ifndef PMSQL_H
#define PMSQL_H

#include <sqlite3ext.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#ifndef PMSQL_NO_EXTERN_API
SQLITE_EXTENSION_INIT3
#endif

#define PMSQL_VERSION "0.1.0"

typedef struct pms_write pms_write;

/* ------------------------------------------------------------------ util */

/* A growable string; zero-initialise, append, take ownership of z. */
typedef struct pms_str {
  char *z;
  size_t n, nAlloc;
  int oom;
} pms_str;

void pms_str_append(pms_str *s, const char *z, size_t n);
void pms_str_appendz(pms_str *s, const char *z);
void pms_str_appendf(pms_str *s, const char *zFmt, ...);
void pms_str_append_json_string(pms_str *s, const char *z);
void pms_str_append_url_escaped(pms_str *s, const char *z);
char *pms_str_finish(pms_str *s);   /* returns malloc'd string, NULL on OOM */
void pms_str_reset(pms_str *s);

char *pms_strdup(const char *z);
/* Secrets: wipe (explicit_bzero) before the memory is freed. */
void pms_wipe(void *p, size_t n);
void pms_free_secret(char *z);            /* wipe strlen(z) bytes, free */
void pms_json_wipe(cJSON *p);             /* wipe every string value in p */
/* One URL path segment, percent-encoded (ids from a vendor or a cache):
** malloc'd. Every adapter builds its record paths with this. */
char *pms_url_segment(const char *z);
char *pms_mprintf(const char *zFmt, ...);   /* malloc'd (not sqlite3_malloc) */
/* Current UTC time as ISO-8601 with milliseconds: 2026-11-28T00:10:00.123Z */
void pms_now_iso(char *zBuf /* >= 32 bytes */);
int64_t pms_now_ms(void);
/* Parse YYYY-MM-DDTHH:MM:SS[.fff][Z|±hh:mm] to ms since epoch; -1 if bad */
int64_t pms_iso_to_ms(const char *z);
void pms_ms_to_iso(int64_t ms, char *zBuf /* >= 32 */, int bMillis);
uint64_t pms_hash(uint64_t h, const void *p, size_t n);
#define PMS_HASH_INIT 0xcbf29ce484222325ULL   /* any fixed seed */

/* ------------------------------------------------------- embedded files */

/* sql/<model>.sql and capability/<vendor>.json, compiled in by make. */
typedef struct pms_embedded {
  const char *zName;   /* file name without extension; NULL terminates */
  const char *zText;
} pms_embedded;
extern const pms_embedded pms_embedded_sql[];
extern const pms_embedded pms_embedded_capability[];

/* ---------------------------------------------------------------- schema */

typedef struct pms_column {
  char *zName;
  char *zType;        /* declared type without HIDDEN */
  int bHidden;        /* HIDDEN in the virtual table */
  int bNotNull;
  int bWriteOnly;     /* WRITEONLY: a create-only field (see pms_model.nField) */
} pms_column;

typedef struct pms_index {
  char *zSuffix;      /* name after "<model>_" */
  int bUnique;
  int nCol;
  int aiCol[8];
  const char *azColl[8];  /* "NOCASE" or "RTRIM" if declared; 0: BINARY */
} pms_index;

typedef struct pms_model {
  const char *zName;  /* "residents" */
  const char *zTag;   /* short tag used inside pmsql ids: "res" */
  int nCol;           /* the stored columns: cache, sync, rows */
  pms_column *aCol;   /* nField entries: the nCol stored columns, then the
                      ** write-only ones (WRITEONLY in sql/<model>.sql): fields
                      ** of the vendor's create body that no read returns.
                      ** The model table has them as HIDDEN columns an INSERT
                      ** may set; SELECT reads NULL; never cached */
  int nField;
  int nIndex;
  pms_index *aIndex;
  /* positions of the core columns */
  int iId, iIntegration, iVendor, iXId, iCreated, iUpdated, iLastSeen, iRemote;
  int iProperty;      /* property_id or -1 */
} pms_model;

/* Columns pmsql maintains on every row, whatever the vendor: id,
** integration_id, integration_vendor, x_id, created_at, updated_at,
** last_seen and remote_data. No manifest lists them; no write sets them. */
int pms_column_is_engine(const pms_model *, int iCol);
/* The same set without remote_data: the row's bookkeeping columns, which a
** sync sets apart from the vendor's values (remote_data is the record). */
int pms_column_is_bookkeeping(const pms_model *, int iCol);

/* The models, in sync order (properties first). Loaded once per process. */
int pms_schema_load(char **pzErr);
int pms_model_count(void);
const pms_model *pms_model_at(int i);
const pms_model *pms_model_find(const char *zName);
int pms_model_column(const pms_model *, const char *zCol);  /* -1 if none */
/* The same over every field a write may name: the stored columns and the
** write-only ones (index >= nCol). */
int pms_model_field(const pms_model *, const char *zField);
/* SQL for the cache table and its indexes in schema zDb (sqlite3_free). */
char *pms_model_cache_ddl(const pms_model *, const char *zDb);
/* The CREATE INDEX IF NOT EXISTS of the cache's index i (sqlite3_mprintf). */
char *pms_model_index_ddl(const pms_model *, const char *zDb, int i);
/* pmsql id of a record: "<integration>:<tag>:<x_id>" (sqlite3_mprintf). */
char *pms_make_id(const char *zIntegration, const pms_model *, const char *zXId);
/* The model whose record a pmsql id of integration zIntegration names, or
** NULL when it is no such id (another integration's, no tag, no x_id). */
const pms_model *pms_id_model(const char *zId, const char *zIntegration);
/* pmsql id of a record nested in a model's JSON column, by Propexo's kind
** ("applications", "resident_vehicles", "lead_pets" ...): the same form with
** the kind's tag (sqlite3_malloc'd); NULL for a kind pmsql does not know. */
char *pms_make_nested_id(const char *zIntegration, const char *zKind, const char *zXId);
/* A record of kind zKind ("resident_vehicles", "lead_pets") in Propexo's
** names: {id, x_id, then every field of the kind, null}; id is
** <integration>:<tag>:<x_id>, and both are null without zXId. NULL on OOM
** or for a kind without fields. pms_nested_set sets one field (taking pV;
** SQLITE_ERROR for a name the kind has not, SQLITE_NOMEM for pV NULL). */
cJSON *pms_nested_new(const char *zKind, const char *zIntegration, const char *zXId);
int pms_nested_set(cJSON *pO, const char *zField, cJSON *pV);

/* ------------------------------------------------------------ capability */

/* Compiled-in manifest of a vendor as parsed JSON (owned by manifest.c). */
const cJSON *pms_capability(const char *zVendor);
int pms_capability_init(char **pzErr);

/* Registers the eponymous pms_capabilities table. */
int pms_capabilities_register(sqlite3 *db);

/* ------------------------------------------------------------- http/curl */

typedef struct pms_http pms_http;
typedef struct pms_request pms_request;

/* What a completed transfer hands back. Body is NUL-terminated. */
typedef struct pms_response {
  long status;          /* HTTP status, 0 when the transfer failed */
  int curlCode;         /* CURLcode */
  char *zBody;
  size_t nBody;
  char *zContentType;
  char *zHeaders;       /* raw response headers of the final response */
  char zErr[256];       /* transport error text, never holds secrets */
  int nAttempt;         /* attempts made, including retries */
  long retryAfterMs;    /* wait a 429/503 asks for, set by xClassify; 0 = none */
  struct pms_json_arena *pArena;  /* set by a sync for its list pages: the body
                        ** is parsed into it (json_arena.c), not by cJSON_Parse */
} pms_response;

/* Find a response header (case-insensitive); returns malloc'd value. */
char *pms_response_header(const pms_response *, const char *zName);
/* Does the response say it is JSON? bPlusJson: structured-syntax suffixes
** ("application/problem+json") count too. */
int pms_response_is_json(const pms_response *, int bPlusJson);
/* The body parsed as JSON, or NULL with *pzErr saying what came instead.
** With pArena set the tree may live in the arena (pms_json_arena_owns). */
cJSON *pms_response_json(const pms_response *, int bPlusJson, char **pzErr);

/* json_arena.c — a list page parsed by yajl into reusable blocks, as the
** cJSON tree cJSON_ParseWithLength would build, with the raw text of each
** element of a top-level array. Never cJSON_Delete such a tree. */
typedef struct pms_json_arena pms_json_arena;
pms_json_arena *pms_json_arena_new(void);
void pms_json_arena_reset(pms_json_arena *);
void pms_json_arena_free(pms_json_arena *);
cJSON *pms_json_arena_parse(pms_json_arena *, const char *z, size_t n);
int pms_json_arena_owns(const pms_json_arena *, const cJSON *);
int pms_json_arena_spans(const pms_json_arena *, const char *const **pazRaw, const size_t **panRaw);
/* A non-negative count from a header (X-Total-Count …), or -1. */
int64_t pms_response_count(const pms_response *, const char *zHeader);

/* The default cap on one response body, after decompression (option
** max_response_bytes raises or lowers it). */
#define PMS_HTTP_MAX_RESPONSE ((int64_t)64*1024*1024)
/* The longest Retry-After pmsql waits out; a server asking for more gets
** its answer (the 429/503) at once. */
#define PMS_HTTP_MAX_RETRY_WAIT_MS 120000

typedef struct pms_http_config {
  long connectTimeoutMs;
  long timeoutMs;
  int maxConnections;       /* concurrent transfers of this client */
  const char *zHostUrl;     /* base URL: its scheme://host:port is the host whose
                            ** connections every client of it shares */
  int hostConnections;      /* that host's cap (the smallest of its clients'
                            ** wins); <=0: maxConnections */
  double maxPerSecond;      /* requests per second, <=0 for unlimited */
  int maxAttempts;          /* transport/5xx/429 attempts per request */
  long retryBaseMs;         /* first backoff */
  const char *zCaFile;      /* extra CA bundle, or NULL */
  const char *zRateKey;     /* clients with one key share one rate limit */
  int64_t maxResponseBytes; /* a larger body fails the transfer; <=0: PMS_HTTP_MAX_RESPONSE */
  /* Optional: the vendor's reading of a finished response before any retry
  ** decision. It may set status to what an error body means (an RPC error
  ** delivered with HTTP 200, a rate-limit error body -> 429) and
  ** retryAfterMs. NULL: the HTTP status stands. */
  void (*xClassify)(pms_response *);
} pms_http_config;

/* Callback for a finished request. Return PMS_HTTP_OK to accept it,
** PMS_HTTP_RETRY to have the same request sent again (counted as an
** attempt), PMS_HTTP_STOP to abort everything outstanding. */
#define PMS_HTTP_OK    0
#define PMS_HTTP_RETRY 1
#define PMS_HTTP_STOP  2
typedef int (*pms_http_done)(void *pArg, pms_request *, pms_response *);

pms_http *pms_http_new(const pms_http_config *);
void pms_http_free(pms_http *);
/* Build a request. Headers are "Name: value" lines; the request takes
** copies. Secret headers are marked so that no log shows them. */
pms_request *pms_request_new(const char *zMethod, const char *zUrl);
/* A request that must not be repeated when its outcome is unknown (a
** create): only retried when the server refused it (429, 503) or the
** connection never opened. */
void pms_request_not_idempotent(pms_request *);
const char *pms_request_method(const pms_request *);
const char *pms_request_payload(const pms_request *);
void pms_request_header(pms_request *, const char *zLine);
/* Authentication headers live apart, so a re-authenticated session can
** replace them on a request it sends again (pms_request_clear_auth). */
void pms_request_auth_header(pms_request *, const char *zLine);
void pms_request_clear_auth(pms_request *);
void pms_request_body(pms_request *, const char *zBody, const char *zType);
/* A new body with the same headers: vendors whose credentials travel inside
** the body (Yardi) fill them in at authorize time, after the engine has
** journaled the body without them. The old body is wiped. */
void pms_request_replace_body(pms_request *, const char *zBody);
void pms_request_set_user(pms_request *, void *pUser, int iUser);
void *pms_request_user(const pms_request *, int *piUser);
const char *pms_request_url(const pms_request *);
void pms_request_free(pms_request *);
/* Queue a request (ownership passes to the client). */
void pms_http_submit(pms_http *, pms_request *);
/* Run until every queued request is done or a callback returns STOP.
** Returns the number of requests still outstanding (0 normally). */
int pms_http_run(pms_http *, pms_http_done xDone, void *pArg);
/* Counters for pms_sync_runs. */
typedef struct pms_http_stats {
  int nRequest;   /* requests sent, including retries */
  int nRetry;
} pms_http_stats;
void pms_http_get_stats(pms_http *, pms_http_stats *);
/* Perform one request synchronously (used for single-record reads). */
int pms_http_perform(pms_http *, pms_request *, pms_response *);
void pms_response_clear(pms_response *);

/* ------------------------------------------------------------- adapters */

/* One row of a data-driven field map: vendor JSON path -> unified column. */
typedef enum pms_xform {
  PMS_X_STRING = 1,  /* JSON string/number -> TEXT */
  PMS_X_INT,         /* number -> INTEGER */
  PMS_X_REAL,        /* number -> REAL */
  PMS_X_CENTS,       /* decimal money -> INTEGER cents */
  PMS_X_BOOL,        /* true/false -> 1/0 */
  PMS_X_NOT_BOOL,    /* true/false -> 0/1 */
  PMS_X_DATE,        /* date or datetime -> YYYY-MM-DD */
  PMS_X_DATETIME,    /* datetime -> UTC ISO-8601 ...Z */
  PMS_X_ENUM,        /* string via pms_enum_map -> TEXT */
  PMS_X_ID,          /* vendor id -> TEXT (x_* columns) */
  PMS_X_FK,          /* vendor id -> pmsql id of model zArg */
  PMS_X_JSON         /* any JSON value -> JSON text */
} pms_xform;

typedef struct pms_enum_map {
  const char *zVendor;   /* NULL terminates; the entry's zUnified is the default */
  const char *zUnified;
} pms_enum_map;
/* A terminator's zUnified: values no entry matches read as NULL (a NULL
** default passes them through). */
extern const char pms_enum_unmatched_null[];

typedef struct pms_field_map {
  const char *zColumn;   /* unified column */
  const char *zPath;     /* dotted JSON path in the vendor record: "Address.City";
                         ** a number picks an array element: "Lines.0.Amount" */
  pms_xform eXform;
  const void *pArg;      /* enum map, or target model name for PMS_X_FK */
  const char *zPart;     /* writes: the part of the request body, NULL = the body */
} pms_field_map;

/* A named value map of a manifest ("value_maps"): vendor -> unified
** entries in the manifest's order, then {NULL, default}. */
typedef struct pms_value_map {
  const char *zName;
  pms_enum_map *aEntry;
} pms_value_map;
const char *pms_xform_name(pms_xform);
/* The unified -> vendor view of a value map ({"US":"UnitedStates"}) as JSON
** text, what a write sends for each unified value (malloc'd). */
char *pms_value_map_write_json(const pms_enum_map *);

/* A unified row being built: one value per model column. */
typedef struct pms_value {
  int eType;          /* SQLITE_NULL, SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT */
  sqlite3_int64 i;
  double r;
  char *z;            /* malloc'd, or borrowed (bRef) */
  int n;
  int bRef;           /* z is not the row's: never freed (pms_row_borrow_text) */
} pms_value;

typedef struct pms_row {
  const pms_model *pModel;
  const char *zIntegration;
  pms_value *a;       /* pModel->nCol entries */
  const char *zPartition;  /* a list served per parent: the parent's x_id
                           ** (for fix-ups of records that do not name it),
                           ** else NULL */
} pms_row;

void pms_row_init(pms_row *, const pms_model *, const char *zIntegration);
void pms_row_clear(pms_row *);   /* frees values, keeps the array */
void pms_row_free(pms_row *);
void pms_row_set_null(pms_row *, int iCol);
void pms_row_set_int(pms_row *, int iCol, sqlite3_int64);
void pms_row_set_real(pms_row *, int iCol, double);
void pms_row_set_text(pms_row *, int iCol, const char *z, int n);
/* Takes ownership of a malloc'd string. */
void pms_row_take_text(pms_row *, int iCol, char *z);
/* Points the value at z[0..n) without a copy: the caller keeps z alive
** until the value changes or the row is cleared, and z is clean already
** (valid UTF-8, no NUL byte; pms_text_is_clean). z[n] need not be 0 unless
** the value is read as a C string. */
void pms_row_borrow_text(pms_row *, int iCol, const char *z, int n);
/* pms_row_set_text, but text it would keep as is (short enough, clean) is
** borrowed as pms_row_borrow_text does: z[0..n) must outlive the value. */
void pms_row_set_text_nocopy(pms_row *, int iCol, const char *z, int n);
/* Is z[0..n) plain ASCII without NUL (what pms_row_set_text keeps as is)? */
int pms_text_is_clean(const char *z, size_t n);
int pms_row_col(const pms_row *, const char *zColumn);   /* -1 if none */
/* bathrooms_full / bathrooms_half from a vendor's count (2.5 = 2 and 1). */
void pms_row_set_bathrooms(pms_row *, double rCount);
/* vendors.contacts: the one contact a vendor record carries, as read
** ([{name, email, phone, phone_type}]), and as a write gives it (the parsed
** contact, or NULL with *pzErr naming zVendor). */
int pms_row_set_vendor_contact(pms_row *, const char *zName, const char *zEmail,
                               const char *zPhone, const char *zPhoneType);
cJSON *pms_vendor_contact(const cJSON *pV, const char *zVendor, char **pzErr);
/* unit_id_preferred / x_unit_id_preferred from one vendor unit id (escaped). */
void pms_row_set_preferred_unit(pms_row *, const char *zXUnit);

/* Apply a field map (terminated by a zero entry) to a vendor record. */
int pms_map_apply(pms_row *, const pms_field_map *, const cJSON *pRec,
                  char **pzErr);
int *pms_map_columns(const pms_model *, const pms_field_map *, char **pzErr);
int pms_map_apply_cols(pms_row *, const pms_field_map *, const int *aiCol,
                       const cJSON *pRec, char **pzErr);
int pms_json_array_slices(const char *z, size_t n, const char **azStart,
                          size_t *anLen, int nMax);
const cJSON *pms_json_path(const cJSON *pRoot, const char *zPath);
char *pms_json_path_sql(const char *zPath);   /* "A.0.B" -> "$.A[0].B", malloc'd */
/* Writes: put unified fields into a vendor body along a write map (the
** entries of part zPart: NULL = the entries without a part), reversing each
** transform; fields without an entry there go to pLeft. */
int pms_map_unapply(const pms_field_map *, const char *zPart, const cJSON *pFields,
                    cJSON *pBody, cJSON *pLeft, char **pzErr);
cJSON *pms_fk_to_vendor(const char *zPmsqlId);
char *pms_json_id_text(const cJSON *);
const char *pms_enum_lookup(const pms_enum_map *, const char *zVendor);
/* The vendor value a write sends for a unified value (first match), or NULL. */
const char *pms_enum_vendor(const pms_enum_map *, const char *zUnified);
/* Set one column from a JSON value with the given transform. */
int pms_map_value(pms_row *, int iCol, pms_xform, const void *pArg,
                  const cJSON *pVal, char **pzErr);

typedef struct pms_adapter pms_adapter;
typedef struct pms_session pms_session;

/* The per-run connection to one integration, handed to adapter calls. */
struct pms_session {
  const pms_adapter *pAdapter;
  const char *zIntegration;
  char *zBaseUrl;       /* without trailing slash; vendor default if empty */
  cJSON *pCred;         /* credentials with env: references resolved */
  cJSON *pOptions;
  pms_http *pHttp;
  void *pAdapterData;   /* adapter-owned (tokens and such) */
  int nReauth;          /* re-authentications so far (at most one a run) */
};

/* A 401 from a vendor with sessions: log in again once and re-authorize
** the request (returns SQLITE_OK when the request may be sent again). */
int pms_session_reauthorize(pms_session *, pms_request *, char **pzErr);

/* How a vendor pages a list. */
typedef struct pms_list_page {
  int iPage;            /* 0-based page number */
  int nPageSize;
  const char *zSince;   /* incremental: UTC ISO lower bound, else NULL */
  const char *zPartition;  /* the parent's x_id when the model has zPartition */
} pms_list_page;

/* What the adapter found in one list response. */
typedef struct pms_list_result {
  cJSON *pRoot;         /* parsed body (freed by the engine) */
  const cJSON *pItems;  /* the array of vendor records inside pRoot */
  int64_t nTotal;       /* total records the list holds, -1 if unknown */
  int bLast;            /* adapter knows this is the last page */
  int bMore;            /* the vendor links a next page (a cursor such as
                        ** AppFolio's next_page_path): fetch it even when
                        ** this page is shorter than the page size asked */
} pms_list_result;

typedef int (*pms_fixup_fn)(pms_session *, pms_row *, const cJSON *pRec, char **pzErr);
#define PMS_SKIP_RECORD SQLITE_DONE

/* Per unified model, what a vendor offers: built from the manifest
** (manifest.c), with the adapter's fix-up (adapter.c). */
typedef struct pms_adapter_model {
  const char *zModel;          /* unified model name */
  const char *zPath;           /* the manifest's "resource": "/v1/leases/tenants" */
  const pms_field_map *aMap;   /* regular fields read ("read": {path, transform}) */
  int bIncremental;            /* vendor can filter by change time */
  /* Irregular fields: called after aMap; may be NULL. It returns
  ** PMS_SKIP_RECORD for a record of a list shared by several models that
  ** is not this model's (a ledger's payments in the charges' list). */
  pms_fixup_fn xFixup;
  /* Lists the vendor serves per parent record only (Entrata: per property):
  ** the parent model whose synced x_ids partition the list. The engine runs
  ** the paged list once per parent (pms_list_page.zPartition), all in the
  ** model's one atomic run. NULL: one list. */
  const char *zPartition;
  /* read.partition_key: the list is keyed not by the parent's id but by this
  ** dotted path of the parent's vendor record ("Task.Id": Buildium's task
  ** history, per task of a work order); pms_row.zPartition stays the
  ** parent's x_id. NULL: the parent's id. */
  const char *zPartitionKey;
  const pms_field_map *aWrite; /* regular fields written ("write"), all parts */
  const char *zPaging;         /* "offset", "page", "cursor", "none" or NULL */
  const char *zSince;          /* the vendor's change-time filter, or NULL */
  const char *zIdPath;         /* where the record's id is ("Id"), or NULL */
  const char *zQuery;          /* the list's query ("limit={limit}&offset={offset}"), or NULL */
  int bSinceDate;              /* the change-time filter takes a date, not a date-time */
  int bReadback;               /* update reads the record first (full-replace PUT) */
  const cJSON *pCarry;         /* update: keys carried over from the current record */
  const cJSON *pFixed;         /* create: fixed fields every create sends */
} pms_adapter_model;

/* One vendor's manifest, parsed (manifest.c). */
typedef struct pms_manifest {
  char *zFile;                 /* "capability/buildium.json" */
  cJSON *pJson;                /* the file as parsed: capabilities, docs, rules */
  const char *zVendor, *zName;
  const char *zAuth;           /* auth kind: headers, basic, session, api_key */
  const cJSON *pAuth;          /* the "auth" object (header names, credential keys) */
  const char *zBaseUrl;        /* production URL, "" when per customer */
  const char **azCredential;   /* credential keys, NULL-terminated */
  const char **azDomain;       /* documented API domains ("{NN}": digits), NULL-terminated */
  double rPerSecond;           /* rate_limit requests / per_seconds; 0 = none */
  int nConnections;            /* concurrent transfers */
  int nMaxPageSize;            /* page_size.max */
  int iEmptyListStatus;        /* status of a list matching nothing (Rent Manager: 404), or 0 */
  int nValueMap;
  pms_value_map *aValueMap;
  pms_adapter_model *aModel;   /* the models read; zModel==NULL ends */
} pms_manifest;

int pms_manifest_init(char **pzErr);
int pms_manifest_count(void);
const pms_manifest *pms_manifest_at(int i);
const pms_manifest *pms_manifest_find(const char *zVendor);
/* Parse one manifest (the build's checker and the loader): errors name the
** file, the JSON path and the reason. */
int pms_manifest_parse(const char *zFile, const char *zText, pms_manifest **, char **pzErr);
void pms_manifest_free(pms_manifest *);
const pms_enum_map *pms_manifest_value_map(const pms_manifest *, const char *zName);

/* An adapter's per-model irregular code, by model name. */
typedef struct pms_adapter_fixup {
  const char *zModel;          /* NULL ends the list */
  pms_fixup_fn xFixup;
} pms_adapter_fixup;

/* A vendor's adapter: adapters/<vendor>.c fills in what is irregular, with
** designated initialisers; every hook left NULL has an engine default
** (adapter.c); the facts above the hooks come from the manifest. */
struct pms_adapter {
  const char *zVendor;             /* "BUILDIUM" (Propexo's integration_vendor) */
  const pms_adapter_fixup *aFixup; /* per-model fix-ups, or NULL */
  /* Filled from the manifest when the adapter is bound (adapter.c). */
  const pms_manifest *pManifest;
  const char *zDefaultBaseUrl;     /* production endpoint */
  const char *const *azCredential; /* required credential keys, NULL-terminated */
  int nMaxPageSize;                /* largest page the vendor serves */
  int iEmptyListStatus;            /* status meaning "no rows" (Rent Manager: 404), or 0 */
  double defaultPerSecond;         /* documented rate limit, 0 = none */
  int defaultConnections;
  const pms_adapter_model *aModel; /* terminated by zModel==NULL */

  /* Start a run: authenticate if the vendor needs a token. Default: none. */
  int (*xOpen)(pms_session *, char **pzErr);
  void (*xClose)(pms_session *);
  /* Add authentication to a request. Default: the manifest's auth (kind
  ** headers: each header from its credential; basic: user and password). */
  int (*xAuthorize)(pms_session *, pms_request *);
  /* Build the request for one page of a list. Default: GET <base><resource>?
  ** <read.query> (placeholders {limit} {offset} {page}) &<read.since>=<time>. */
  pms_request *(*xListRequest)(pms_session *, const pms_adapter_model *,
                               const pms_list_page *);
  /* Parse one list response. On failure set *pzErr (malloc'd). Default: the
  ** body is a JSON array of records; the total in X-Total-Count if sent. */
  int (*xListParse)(pms_session *, const pms_adapter_model *,
                    pms_response *, pms_list_result *, char **pzErr);
  /* The vendor's record id (x_id) of a record, malloc'd. Default: the
  ** model's operations.read.id path (else "Id"). */
  char *(*xRecordId)(const pms_adapter_model *, const cJSON *pRec);
  /* A readable message from an error response, malloc'd; never secrets.
  ** Default: the manifest's "errors" shape (pms_error_message). */
  char *(*xErrorMessage)(const pms_adapter *, const pms_response *);

  /* Writes. xWriteBegin returns the write's first request (it may be a
  ** read-before-write); with bDry it returns the final request built from
  ** the cached record, which the engine journals and never sends. xWriteStep takes
  ** the response to the last request and returns the next one, or NULL when
  ** the write is done, with zStatus, httpStatus, zMessage, zCreatedXId and
  ** pResult set. NULL pointers: the vendor's writes are not implemented. */
  pms_request *(*xWriteBegin)(pms_session *, const pms_adapter_model *,
                              pms_write *, int bDry, char **pzErr);
  pms_request *(*xWriteStep)(pms_session *, const pms_adapter_model *,
                             pms_write *, pms_response *);
  /* Read one record by the PMS's id (refresh, pms_refresh). pCached is the
  ** record as the cache holds it (its remote_data), or NULL when the cache
  ** has none: vendors whose reads need more than the id (Entrata: the
  ** propertyId) take it from there. NULL: the vendor has no single read. */
  pms_request *(*xGetRequest)(pms_session *, const pms_adapter_model *,
                              const char *zXId, const cJSON *pCached);
  /* The record of that answer (zXId: the id asked for, for vendors that
  ** answer a list). Default: the body is one JSON object (pms_response_record). */
  cJSON *(*xGetParse)(pms_session *, const pms_adapter_model *,
                      pms_response *, const char *zXId, char **pzErr);
  /* Optional (pms_http_config.xClassify): errors the vendor reports in the
  ** body of a 2xx answer become the HTTP status they mean. */
  void (*xClassify)(pms_response *);

  /* The engine's REST writer, the default of xWriteBegin/xWriteStep for a
  ** manifest with writes: POST <resource> (with create.fixed), PUT
  ** <resource>/<id> (after a GET when update.readback: the update.carry keys
  ** of the current record, then the changes), DELETE <resource>/<id>. Its
  ** two optional hooks: xWriteCarry puts one carried key into the body in
  ** the vendor's write shape (default: as read); xWriteFields writes what
  ** the write maps left in pLeft (default: none may be left). */
  int (*xWriteCarry)(pms_session *, const pms_adapter_model *, const char *zKey,
                     const cJSON *pValue, cJSON *pBody);
  int (*xWriteFields)(pms_session *, const pms_adapter_model *, pms_write *, cJSON *pBody,
                      cJSON *pLeft, const cJSON *pCurrent, char **pzErr);
};

/* The engine's REST writer itself, for an adapter whose own xWriteBegin/
** xWriteStep handle a few models and hand the rest on. */
pms_request *pms_rest_write_begin(pms_session *, const pms_adapter_model *, pms_write *,
                                  int bDry, char **pzErr);
pms_request *pms_rest_write_step(pms_session *, const pms_adapter_model *, pms_write *,
                                 pms_response *);
/* Its request body: carried keys (update), fixed fields (create), the write
** map, then the adapter's xWriteFields. malloc'd JSON text, or NULL. */
char *pms_rest_write_body(pms_session *, const pms_adapter_model *, pms_write *,
                          const cJSON *pCurrent, char **pzErr);

/* The adapters, bound to their manifests (adapter.c). */
int pms_adapter_init(char **pzErr);
const pms_adapter *pms_adapter_find(const char *zVendor);
/* The manifest's auth (kind headers or basic) on a request (adapter.c). */
int pms_manifest_authorize(pms_session *, pms_request *);
/* A refused write's journal outcome: failed, the status, the vendor's message. */
void pms_write_failed(pms_session *, pms_write *, const pms_response *, const char *zWhat);
int pms_adapter_count(void);
const pms_adapter *pms_adapter_at(int i);
const pms_adapter_model *pms_adapter_model_find(const pms_adapter *,
                                                const char *zModel);
/* A value map of the adapter's manifest by name (fix-ups use it). */
const pms_enum_map *pms_adapter_value_map(const pms_adapter *, const char *zName);

/* Engine helpers the adapters share (adapter.c). */
/* Set a column by name from text (no-op when the model lacks it). */
void pms_row_set_column(pms_row *, const char *zCol, const char *zVal);
/* Set a JSON column by name from a cJSON value, which it frees (NULL: OOM). */
int pms_row_set_json(pms_row *, const char *zCol, cJSON *);
/* Set a pmsql foreign key and its x_ column from a vendor id. */
void pms_row_set_fk(pms_row *, const char *zCol, const char *zXCol,
                    const char *zModel, const cJSON *pId);
/* Set a JSON column to [{"<zKey>": pmsql id, "x_<zKey>": vendor id}, ...],
** one link to a zModel row per id of pIds (an array of ids, or one id; with
** zMember an array of objects whose zMember is the id). */
int pms_row_set_links(pms_row *, const char *zCol, const char *zModel,
                      const char *zKey, const cJSON *pIds, const char *zMember);
/* The body of a single-record answer as a JSON object, or NULL with *pzErr. */
cJSON *pms_response_record(const pms_response *, char **pzErr);
/* A readable error from a response along the manifest's "errors" shape:
** "message [code] (key: value; …)", else the first 200 bytes. malloc'd. */
char *pms_error_message(const pms_adapter *, const pms_response *);
/* GET <base><resource>/<id>: the regular single read (NULL when the model
** has no resource, or its resource names a parent: {partition}). */
pms_request *pms_get_by_id(pms_session *, const pms_adapter_model *, const char *zXId);

/* ------------------------------------------------------------------ links */

/* Foreign keys a vendor's record lacks, from another model's cache (link.c):
** NULL when the model has no link rule. bBulk: a sync (load the
** integration's links once) rather than one record. */
typedef struct pms_link pms_link;
pms_link *pms_link_new(sqlite3 *db, const char *zDb, const char *zIntegration,
                       const pms_model *pM, int bBulk);
/* Fill the row's link columns the vendor left NULL (row id zId). */
int pms_link_apply(pms_link *, pms_row *, const char *zId);
void pms_link_free(pms_link *);
/* After a sync of model zFrom: refill the columns other models gather from it. */
int pms_link_refresh(sqlite3 *db, const char *zDb, const char *zIntegration, const char *zFrom);

/* ---------------------------------------------------------- integrations */

int pms_integrations_register(sqlite3 *db);
/* The vendor of an integration, from pms_integrations (malloc'd), or NULL. */
char *pms_integration_vendor(sqlite3 *db, const char *zDb, const char *zIntegration);
/* Find the schema holding pmsql's tables ("main" usually); NULL if none.
** pms_find_schema_err also says why not: no tables, or the database is
** locked (its message, static, in *pzWhy). */
const char *pms_find_schema(sqlite3 *db);
const char *pms_find_schema_err(sqlite3 *db, const char **pzWhy);
/* Load one integration's configuration into a session (resolves env:
** credentials). Returns SQLITE_OK, or an error with *pzErr set. */
int pms_session_open(sqlite3 *db, const char *zDb, const char *zIntegration,
                     pms_session *, char **pzErr);
void pms_session_close(pms_session *);
/* Every rule a pms_integrations row must satisfy (INSERT, UPDATE, and each
** stored row a session opens); NULL, or an error (sqlite3_malloc'd). */
char *pms_integration_check(const char *zId, const char *zVendor, const char *zUrl,
                            const cJSON *pCred, const cJSON *pOpt);
/* Option helpers with defaults. */
double pms_option_number(const pms_session *, const char *zKey, double dflt);
double pms_option_window_days(const pms_session *, const char *zModel);
const char *pms_option_string(const pms_session *, const char *zKey);
const char *pms_credential(const pms_session *, const char *zKey);

/* ---------------------------------------------------------------- writes */

/* Per-connection settings (the pmsql pragmas). */
#define PMS_FLAG_IGNORE_UNKNOWN 0
#define PMS_FLAG_DRY_RUN        1
#define PMS_FLAG_REFRESH        2   /* -1: the integration's option decides */
#define PMS_FLAG_SYNC_PROGRESS  3   /* -1: when stderr is a terminal */
#define PMS_FLAG_SYNC_PARALLEL  4   /* integrations at once; -1: from the cores */
#define PMS_FLAG_SYNC_SPOOL     5   /* spool bytes at most; -1: PMS_SYNC_SPOOL_DEFAULT */
#define PMS_NFLAG               6

typedef struct pms_write pms_write;

/* State of one connection: pragmas, the staged writes of the current
** transaction, and the write journal. Shared by the modules and functions
** registered on that connection (reference counted). */
typedef struct pms_conn {
  sqlite3 *db;
  int nRef;
  sqlite3_int64 aFlag[PMS_NFLAG];
  pms_write **apWrite;      /* staged, in statement order */
  int nWrite, nWriteAlloc;
  int aMark[64];            /* nWrite at each open savepoint */
  sqlite3 *pJournal;        /* private connection to the journal database */
  char *zJournalPath;
  char zOwner[64];          /* "pid:nonce" of this connection's journal rows */
  int bSending;
  int bGuardProbe, bGuardSeen;   /* pms_conn_guard's probe in flight / seen */
} pms_conn;

pms_conn *pms_conn_new(sqlite3 *db);
void pms_conn_ref(pms_conn *);
void pms_conn_unref(void *);
int pms_conn_flag(const pms_conn *, int eFlag);
int pms_conn_register(sqlite3 *db, pms_conn *);
int pms_conn_has_pragma_file(sqlite3 *db);
/* SQLITE_OK when pmsql's authorizer (the trigger guard) is still installed
** on the connection; else SQLITE_AUTH and *pzErr says why a write is refused. */
int pms_conn_guard(pms_conn *, char **pzErr);

/* One write (a row of an INSERT or UPDATE) from staging to outcome. */
struct pms_write {
  const pms_model *pModel;
  const char *zOp;           /* "create", "update" or "delete" */
  char *zIntegration;
  char *zVendor;
  char *zRecordId;           /* pmsql id of the row (update) */
  char *zXId;                /* the PMS's id of the row (update) */
  cJSON *pFields;            /* unified fields to send, validated */
  cJSON *pStripped;          /* fields dropped by pms_ignore_unknown_fields */
  char *zCachedRemote;       /* the cached remote_data (update) */
  int iStep;                 /* adapter's progress through its requests */
  cJSON *pCurrent;           /* record as read back before a full replace */
  cJSON *pLookup;            /* what an adapter's lookup step found before the
                             ** write (Buildium: the vendor category's id) */
  /* outcome, recorded in pms_writes */
  char *zMethod;
  char *zUrl;
  char *zPayload;            /* the exact body sent (never credentials) */
  const char *zStatus;       /* dry_run, sent, succeeded, failed, unknown */
  long httpStatus;
  char *zMessage;            /* the PMS's message, or why pmsql failed it */
  char *zCreatedXId;
  cJSON *pResult;            /* the record as the PMS returned it */
  int nAttempt;
  sqlite3_int64 iJournal;    /* pms_writes.id */
};

void pms_write_free(pms_write *);
void pms_write_conn_cleanup(pms_conn *);
int pms_validate_write(const char *zVendor, const pms_model *, const char *zOp,
                       const char *zIntegration, cJSON *pFields, int bStrip,
                       cJSON *pStripped, cJSON *pProblems);
char *pms_problems_message(const cJSON *pProblems);
cJSON *pms_value_to_json(sqlite3_value *);
int pms_validate_register(sqlite3 *db, pms_conn *);

/* Journal (journal.c): pms_writes lives in its own database file beside the
** main one, written on a private connection, so no ROLLBACK erases it. */
int pms_journal_open(pms_conn *, const char *zDb, char **pzErr);
int pms_journal_record(pms_conn *, pms_write *);   /* insert or update */
int pms_journal_register(sqlite3 *db, pms_conn *);
/* Owners "pid:start:nonce" of journal rows and sync leases: a new one for
** this process, and whether the process that made one still runs. */
void pms_owner_new(char *zBuf, size_t n);
int pms_owner_alive(const char *zOwner);

/* Sharing the database (sync_lock.c): how long pmsql itself waits for the
** write lock (0 when the host set a busy timeout: SQLite waits that long),
** a pause between attempts (0 past the deadline), and a write transaction
** begun with BEGIN IMMEDIATE (*pbOwn; none inside the caller's own) and
** ended; SQLITE_BUSY when the lock could not be had. */
int pms_busy_budget(sqlite3 *db, const pms_session *pSess);
int pms_busy_pause(int *pnTry, int64_t tDeadline);
int pms_tx_begin(sqlite3 *db, int msBudget, int *pbOwn);
int pms_tx_end(sqlite3 *db, int bOwn, int bCommit, int msBudget);

/* Write pipeline (write.c), driven by the model tables. */
int pms_write_stage(pms_conn *, pms_write *, char **pzErr);
int pms_write_send(pms_conn *, const char *zDb, char **pzErr);
void pms_write_savepoint(pms_conn *, int iSavepoint);
void pms_write_rollback_to(pms_conn *, int iSavepoint);
void pms_write_discard(pms_conn *);
int pms_write_functions_register(sqlite3 *db, pms_conn *);

/* The cache upsert of sync_cache.c, for one record (refresh after write). */
int pms_cache_put(sqlite3 *db, const char *zDb, pms_session *, const pms_adapter_model *,
                  const cJSON *pRec, int bEvents, char **pzErr);

/* ----------------------------------------------------------------- vtab */

int pms_vtab_register(sqlite3 *db, pms_conn *);

/* ----------------------------------------------------------------- init */

/* NULL if schema zDb has every table pms_init makes, else why not (sqlite3_free). */
char *pms_init_outdated(sqlite3 *db, const char *zDb);
int pms_init_register(sqlite3 *db);
int pms_sync_register(sqlite3 *db, pms_conn *);
/* The effective values of the sync pragmas on a connection (NULL: the
** defaults): integrations synced at once, the spool's byte bound, and
** whether a progress line goes to stderr. */
int pms_sync_parallel(const pms_conn *);
sqlite3_int64 pms_sync_spool_max(const pms_conn *);
int pms_sync_progress_on(const pms_conn *);

/* Run SQL on db with printf-style args; returns rc, sets *pzErr. */
int pms_exec(sqlite3 *db, char **pzErr, const char *zFmt, ...);

#endif /* PMSQL_H */
