/*
** sandbox.h — shared declarations of pms-sandbox, the local PMS API emulator.
**
** How the pieces fit:
**
**   main.c        parses the command line, builds the portfolio, opens the
**                 vendor and starts the server.
**   server.c      HTTP/1.1 on 127.0.0.1, one thread per connection; routes
**                 /__sandbox/ to control.c and everything else to the vendor;
**                 applies latency and the injected faults on the wire.
**   control.c     live settings (faults, latency, rate limit), counters, the
**                 request log and the /__sandbox/ control endpoints.
**   accounts.c    --accounts N: the customers behind one port, each with its
**                 own seed, portfolio and vendor state, built on first use.
**   portfolio.c   the deterministic, vendor-neutral portfolio: compact
**                 records plus the formatting every vendor shares (names,
**                 emails, phones, addresses).
**   household.c   the portfolio's vehicles and pets (household.h), for the
**                 vendors that carry them.
**   listing.c     the list engine every vendor shares (listing.h): orderby
**                 parsing, sorting, cached result sets of filter + order, a
**                 page of rows as JSON, the list caches and lock, the stats
**                 counts by unified model.
**   buildium*.c   the Buildium vendor: routes, JSON shapes, filters,
**                 validation and writes.
**   rentmanager*.c  the Rent Manager vendor: token login, RQL filters,
**                 206 paging, embeds, POST-array writes with UpdateDate
**                 concurrency.
**   entrata.c     Entrata: RPC envelope over POST, X-Api-Key, per-property
**                 lists, Mountain Time, per-method rate limits, errors
**                 answered with HTTP 200.
**   propertyware.c  Propertyware REST: header credentials, offset/limit
**                 with X-Total-Count, lastModifiedDateTime filters.
**   rentvine.c    Rentvine: HTTP Basic, page/pageSize without totals, the
**                 export wrappers, field-path validation errors.
**   appfolio.c    AppFolio: the database API v0 (Basic + developer id,
**                 next_page_path, UUIDs) and the Reports API v2 (POST
**                 filters, next_page_url, 7 per 15 s), its 533.
**   yardi.c       Yardi Voyager: SOAP 1.1 per interface, credentials inside
**                 every call, errors with HTTP 200 and SOAP faults, one
**                 answer per property (no paging); requests read with
**                 libxml2.
**   strbuf.c      growable byte buffer and refcounted blobs.
**   jsonw.c       fast JSON writing into a buffer (no cJSON on the hot path).
**   datetime.c    civil-date arithmetic, ISO-8601 parsing and formatting.
**   query.c       URL query-string parsing.
**   cache.c       LRU cache of blobs keyed by strings.
**   validate.c    table-driven validation of JSON request bodies.
**   overrides.c   fields the API wrote over generated records.
**   record.c      --record FILE: every API call and its answer as JSON
**                 lines, for checking the sandbox against vendor specs.
**
** A vendor is one sb_vendor struct of function pointers (like curl's TLS
** backends): a new vendor fills in one of these in its own file, and make
** lists it (build/sb_vendor_list.c). What every vendor's lists repeat
** (selection, order, paging, totals) is listing.c's; fault injection is
** server.c's and control.c's for every vendor; a vendor file keeps its
** paths, record shapes, auth and quirks (listing.h says how to add one).
*/
#ifndef SANDBOX_H
#define SANDBOX_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdatomic.h>
#include <cjson/cJSON.h>

/* ------------------------------------------------------------------ */
/* Memory helpers: the sandbox is a test tool, so out-of-memory aborts.  */

void *sb_xmalloc(size_t n);
void *sb_xcalloc(size_t n, size_t sz);
void *sb_xrealloc(void *p, size_t n);
char *sb_xstrdup(const char *s);          /* NULL stays NULL */
char *sb_xstrndup(const char *s, size_t n);

/* ------------------------------------------------------------------ */
/* strbuf.c — growable buffer.                                          */

typedef struct sb_buf {
  char *p;
  size_t n, cap;
} sb_buf;

void sb_buf_grow(sb_buf *b, size_t need);
void sb_buf_free(sb_buf *b);
void sb_puts(sb_buf *b, const char *s);
void sb_printf(sb_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *sb_cstr(sb_buf *b);           /* NUL-terminates, returns p */

static inline void sb_put(sb_buf *b, const void *s, size_t n){
  if( b->cap - b->n < n + 1 ) sb_buf_grow(b, n + 1);
  memcpy(b->p + b->n, s, n);
  b->n += n;
}
static inline void sb_putc(sb_buf *b, char c){
  if( b->cap - b->n < 2 ) sb_buf_grow(b, 2);
  b->p[b->n++] = c;
}
/* Append a string literal without strlen(). */
#define SB_LIT(b, s) sb_put((b), (s), sizeof(s) - 1)

/* A refcounted immutable byte string: cached response bodies and result
** sets are shared between the cache and the connections sending them. */
typedef struct sb_blob {
  atomic_int refs;
  int64_t aux;          /* owner-defined (list bodies: X-Total-Count) */
  size_t len;
  char *data;           /* NUL-terminated; inl[] or an adopted buffer */
  char inl[];
} sb_blob;

sb_blob *sb_blob_new(const void *data, size_t len, int64_t aux);
sb_blob *sb_blob_from_buf(sb_buf *b, int64_t aux);  /* takes b's memory */
void sb_blob_ref(sb_blob *x);
void sb_blob_unref(sb_blob *x);

/* ------------------------------------------------------------------ */
/* jsonw.c — JSON output.                                               */

void jw_str(sb_buf *b, const char *s);              /* NULL -> null */
void jw_strn(sb_buf *b, const char *s, size_t n);
void jw_int(sb_buf *b, int64_t v);
void jw_money(sb_buf *b, int64_t cents);            /* 1234.50 */
void jw_double(sb_buf *b, double v);
void jw_bool(sb_buf *b, int v);
void jw_date(sb_buf *b, int32_t days);              /* PF_NODATE -> null */
void jw_datetime(sb_buf *b, int64_t t);             /* ...Z */
void jw_int_or_null(sb_buf *b, int has, int64_t v);
#define jw_null(b) SB_LIT((b), "null")
/* The same values as members of a cJSON record (vendors that render with cJSON). */
void jc_add_date(cJSON *o, const char *name, int32_t days);      /* PF_NODATE -> null */
void jc_add_datetime(cJSON *o, const char *name, int64_t t);     /* ...Z */
void jc_add_money(cJSON *o, const char *name, int64_t cents);    /* "-12.50", a string */
/* Standard base64 of a NUL-terminated string into out (cap bytes, NUL-terminated). */
void sb_base64(const char *in, char *out, size_t cap);
/* A whole string as a decimal long: 1, or 0 when empty or not all digits. */
int sb_parse_long(const char *s, long *out);

/* ------------------------------------------------------------------ */
/* datetime.c                                                           */

#define PF_NODATE INT32_MIN

int32_t dt_days(int y, int m, int d);               /* days since 1970-01-01 */
void dt_civil(int32_t days, int *y, int *m, int *d);
int32_t dt_add_months(int32_t days, int months);    /* clamps the day */
size_t dt_fmt_date(char *out, int32_t days);        /* 10 chars, no NUL */
size_t dt_fmt_datetime(char *out, int64_t t);       /* 20 chars, no NUL */
size_t dt_fmt_http_date(char *out, int64_t t);      /* IMF-fixdate, 29 chars, no NUL */
int dt_parse_date(const char *s, int32_t *days);    /* YYYY-MM-DD exactly */
/* Parses YYYY-MM-DDTHH:MM:SSZ. With lenient set it also takes a space for
** the T, a missing Z, fractional seconds, and a bare date (midnight). */
int dt_parse_datetime(const char *s, int lenient, int64_t *t);
int64_t dt_now(void);                               /* wall clock, UTC secs */
double dt_mono(void);                               /* monotonic seconds */
void dt_sleep_ms(long ms);

/* ------------------------------------------------------------------ */
/* query.c — the query string of a request, decoded.                    */

typedef struct sb_qparam {
  char *key, *val;
} sb_qparam;

typedef struct sb_query {
  sb_qparam *p;
  int n;
  char *mem;
} sb_query;

void sb_query_parse(const char *raw, sb_query *q);
void sb_query_free(sb_query *q);
const char *sb_query_get(const sb_query *q, const char *key);
int sb_url_decode(char *s);                         /* in place; returns len */

/* ------------------------------------------------------------------ */
/* cache.c — LRU map from string keys to blobs, bounded in bytes.       */

typedef struct sb_cache sb_cache;

sb_cache *sb_cache_new(size_t max_bytes);
void sb_cache_free(sb_cache *c);
sb_blob *sb_cache_get(sb_cache *c, const char *key, size_t klen); /* ref'd */
void sb_cache_put(sb_cache *c, const char *key, size_t klen, sb_blob *v);
void sb_cache_clear(sb_cache *c);

/* Round half away from zero; the build links no libm. */
static inline int64_t sb_llround(double x){
  return (int64_t)(x >= 0 ? x + 0.5 : x - 0.5);
}

/* ------------------------------------------------------------------ */
/* PRNG: splitmix64. Small, fast, and every record gets its own stream  */
/* seeded from (seed, kind, index), so records never depend on order.   */

static inline uint64_t sb_mix64(uint64_t z){
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
static inline uint64_t sb_rng_next(uint64_t *s){
  *s += 0x9e3779b97f4a7c15ULL;
  return sb_mix64(*s);
}
/* Uniform in [0, n); n > 0. The modulo bias is irrelevant here. */
static inline uint32_t sb_rng_below(uint64_t *s, uint32_t n){
  return (uint32_t)(sb_rng_next(s) % n);
}
static inline double sb_rng_unit(uint64_t *s){
  return (double)(sb_rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

/* ------------------------------------------------------------------ */
/* portfolio.c — the vendor-neutral portfolio.                          */

#define PF_NONE UINT32_MAX
#define PF_MAX_SIZE 10000000u

enum { PF_LS_ACTIVE, PF_LS_PAST, PF_LS_FUTURE };                 /* lease status */
enum { PF_LT_FIXED, PF_LT_FIXED_ROLLOVER, PF_LT_AT_WILL };         /* lease type */
enum { PF_SUB_MULTIFAMILY, PF_SUB_CONDO, PF_SUB_SINGLEFAMILY };    /* property */
enum { PF_SMS_NULL, PF_SMS_NOTSET, PF_SMS_OPTEDIN, PF_SMS_OPTEDOUT };
enum { PF_AS_NEW, PF_AS_UNDECIDED, PF_AS_APPROVED, PF_AS_REJECTED,
       PF_AS_CANCELLED, PF_AS_DEFERRED, PF_AS_ADDED_TO_LEASE };     /* applicant */
enum { PF_WP_LOW, PF_WP_NORMAL, PF_WP_HIGH };                      /* priority */
enum { PF_WS_NEW, PF_WS_IN_PROGRESS, PF_WS_COMPLETED, PF_WS_DEFERRED,
       PF_WS_CLOSED };                                             /* w/o status */
enum { PF_ENTRY_UNKNOWN, PF_ENTRY_YES, PF_ENTRY_NO };

/* Property flags */
#define PF_PROP_INACTIVE   0x01
#define PF_PROP_DESC       0x02
#define PF_PROP_NO_YEAR    0x04
/* Unit flags */
#define PF_UNIT_DESC       0x01
#define PF_UNIT_NO_SIZE    0x02
/* Lease flags */
#define PF_LEASE_EVICTION  0x01
#define PF_LEASE_AUTO_OUT  0x02
#define PF_LEASE_NO_DEPOSIT 0x04
#define PF_LEASE_RENEWAL   0x08
#define PF_LEASE_NO_RENT   0x10
/* Resident flags */
#define PF_RES_ALT_EMAIL   0x01
#define PF_RES_HOME_PHONE  0x02
#define PF_RES_WORK_PHONE  0x04
#define PF_RES_EMERGENCY   0x08
#define PF_RES_COMMENT     0x10
#define PF_RES_TAXID       0x20
#define PF_RES_EC_EMAIL    0x40
/* Work-order flags */
#define PF_WO_ENTRY_NOTES  0x01
#define PF_WO_CHARGEABLE   0x02

/* Times are unix seconds (UTC) in 32 bits: enough until 2106 and it keeps
** the records small; a million residents is then ~40 MB. */
typedef struct pf_property {
  uint32_t created, updated;
  uint32_t first_unit;      /* generated units: [first_unit, +gen_units) */
  uint32_t nunits;          /* live count, including created units */
  uint32_t reserve_cents;
  uint16_t gen_units;
  uint16_t street_no;
  uint16_t year_built;
  uint8_t name_a, name_b;   /* pf_prop_prefix[a] + pf_prop_suffix[b] */
  uint8_t street, suffix, city;
  uint8_t subtype;
  uint8_t manager;          /* 0 = none, else staff member 1..PF_NSTAFF */
  uint8_t bank;             /* operating bank account 0..2 */
  uint8_t desc;             /* description table index */
  uint8_t flags;
} pf_property;

typedef struct pf_unit {
  uint32_t created, updated;
  uint32_t property;
  uint32_t market_rent_cents;
  uint16_t number;          /* e.g. 101: floor*100 + position */
  uint16_t size;            /* square feet */
  uint8_t beds;             /* 0 = studio .. 4 */
  uint8_t baths;            /* in half baths: 2 = 1 bath, 3 = 1.5 baths */
  uint8_t active_leases;    /* Active leases on the unit (occupancy) */
  uint8_t desc;
  uint8_t flags;
} pf_unit;

typedef struct pf_lease {
  uint32_t created, updated;
  uint32_t unit;
  uint32_t first_res;       /* head of the lease's resident list */
  int32_t start, end;       /* days; end may be PF_NODATE (at will) */
  uint32_t rent_cents, deposit_cents;
  uint8_t type, status, due_day, flags;
  uint8_t nres;
} pf_lease;

typedef struct pf_resident {
  uint32_t created, updated;
  uint32_t lease;
  uint32_t next;            /* next resident on the same lease */
  uint32_t phone;           /* 7 digits after the 555 area code */
  uint32_t phone2;          /* home/work/emergency numbers derive from it */
  int32_t dob;              /* days or PF_NODATE */
  uint16_t first, last;     /* name tables */
  uint16_t email_no;
  uint8_t flags, sms;
  uint8_t ec_first, ec_rel; /* emergency contact */
  uint8_t comment;
  uint8_t taxid_hi;
} pf_resident;

typedef struct pf_applicant {
  uint32_t created, updated, submitted;
  uint32_t unit;            /* PF_NONE = not tied to a unit */
  uint32_t tenant;          /* PF_NONE unless converted */
  uint32_t phone;
  uint16_t first, last, email_no;
  uint8_t status;
  uint8_t flags;
} pf_applicant;

typedef struct pf_workorder {
  uint32_t created, updated;
  uint32_t unit;            /* PF_NONE = none */
  uint32_t resident;        /* requester or PF_NONE */
  uint32_t task;            /* task number (the vendor adds its id base) */
  int32_t due;              /* days or PF_NODATE */
  uint32_t amount_cents;
  uint16_t vendor;          /* 0..PF_NVENDORS-1 */
  uint16_t invoice;
  uint8_t title;
  uint8_t priority, status, entry;
  uint8_t flags;
} pf_workorder;

/* A growable array of one record type. Records below gen were generated;
** the ones after were created through a vendor's API. */
#define PF_ARRAY(T) struct { T *v; uint32_t n, cap, gen; }

typedef struct sb_portfolio {
  uint64_t seed;
  uint32_t size;                /* residents requested */
  int32_t asof;                 /* the portfolio's "today", for statuses */
  PF_ARRAY(pf_property) props;
  PF_ARRAY(pf_unit) units;
  PF_ARRAY(pf_lease) leases;
  PF_ARRAY(pf_resident) res;
  PF_ARRAY(pf_applicant) apps;
  PF_ARRAY(pf_workorder) wos;
  uint32_t next_task;           /* next free task number */
  struct pf_ledger *ledger;     /* transactions written (ledger.c) */
} sb_portfolio;

#define PF_NSTAFF   5
#define PF_NVENDORS 20
#define PF_UNITS_PER_PROPERTY 40

int pf_generate(sb_portfolio *pf, uint32_t n, uint64_t seed);
void pf_free(sb_portfolio *pf);
/* Reserve one more record at the end of an array; returns its index. */
uint32_t pf_add_property(sb_portfolio *pf);
uint32_t pf_add_unit(sb_portfolio *pf);
uint32_t pf_add_lease(sb_portfolio *pf);
uint32_t pf_add_resident(sb_portfolio *pf);
uint32_t pf_add_applicant(sb_portfolio *pf);
uint32_t pf_add_workorder(sb_portfolio *pf);
void pf_link_resident(sb_portfolio *pf, uint32_t res, uint32_t lease);
void pf_unlink_resident(sb_portfolio *pf, uint32_t res);

/* Shared formatting, so every vendor shows the same logical values. Each
** writes a NUL-terminated string into out (cap bytes) and returns it. */
const char *pf_first_name(unsigned i);
const char *pf_last_name(unsigned i);
const char *pf_first_ascii(unsigned i);     /* folded for emails */
const char *pf_last_ascii(unsigned i);
unsigned pf_nfirst(void);
unsigned pf_nlast(void);
typedef struct pf_city { const char *name, *state, *zip3; } pf_city;
const pf_city *pf_city_at(unsigned i);
const char *pf_street_name(unsigned i);
const char *pf_street_suffix(unsigned i);
const char *pf_relationship(unsigned i);
const char *pf_comment_text(unsigned i);
const char *pf_unit_desc(unsigned i);
const char *pf_prop_desc(unsigned i);
const char *pf_wo_title(unsigned i);
const char *pf_wo_details(unsigned i);
typedef struct pf_staff { const char *first, *last, *email; } pf_staff;
const pf_staff *pf_staff_at(unsigned i);    /* 1..PF_NSTAFF */
const char *pf_vendor_name(unsigned i);

char *pf_fmt_phone(char *out, size_t cap, uint32_t digits7);
char *pf_fmt_email(char *out, size_t cap, unsigned first, unsigned last,
                   unsigned no, const char *domain);
char *pf_fmt_property_name(char *out, size_t cap, const sb_portfolio *pf,
                           uint32_t p);
char *pf_fmt_street(char *out, size_t cap, const pf_property *p);
char *pf_fmt_postal(char *out, size_t cap, const sb_portfolio *pf, uint32_t p);
char *pf_fmt_unit_number(char *out, size_t cap, const pf_unit *u);
char *pf_fmt_taxid(char *out, size_t cap, const pf_resident *r, uint32_t i);
int pf_lease_status_on(int32_t start, int32_t end, int32_t today);

/* ------------------------------------------------------------------ */
/* HTTP request/response, as seen by control.c and the vendors.         */

typedef struct sb_header {
  const char *name, *value;
} sb_header;

typedef struct sb_request {
  const char *method;
  const char *path;             /* without the query */
  const char *query;            /* raw, without '?'; "" when absent */
  const sb_header *headers;
  int nheaders;
  const char *body;             /* NUL-terminated copy */
  size_t body_len;
} sb_request;

const char *sb_request_header(const sb_request *r, const char *name);
/* Content-Type application/json, text/json or application/<x>+json. */
int sb_request_is_json(const sb_request *r);

typedef struct sb_response {
  int status;
  const char *content_type;     /* NULL = JSON */
  sb_buf headers;               /* extra header lines, each ending CRLF */
  sb_buf body;
  sb_blob *blob;                /* if set, the body (a shared cached blob) */
  int is_list;                  /* a list page: the empty-page fault applies */
  long list_offset;
  int not_write;                /* a POST that is no write (a login): not
                                ** counted in writes / writes_rejected */
} sb_response;

#define SB_JSON_TYPE "application/json; charset=utf-8"

void sb_response_init(sb_response *r);
void sb_response_reset(sb_response *r);
void sb_response_free(sb_response *r);
const char *sb_response_data(const sb_response *r, size_t *len);

/* ------------------------------------------------------------------ */
/* The vendor interface.                                                */

typedef struct sb_options {
  const char *vendor;
  int port;
  uint32_t size;
  uint32_t size_max;            /* --size LO-HI: HI (accounts.c); else 0 */
  uint64_t seed;
  long latency_ms;
  char fault[256];
  long fault_after;
  double fault_rate;
  int rate_limit;
  size_t cache_bytes;
  long token_ttl_seconds;       /* token vendors: idle lifetime of a token */
  int require_partner_token;    /* Rent Manager: X-RM12API-PartnerToken */
  int utc_offset_minutes;       /* Rent Manager: the location's clock */
} sb_options;

typedef struct sb_vendor {
  const char *name;             /* as given to --vendor */
  const char *api_prefix;       /* requests under it are API calls: counted,
                                ** authenticated, limited and faulted */
  int rate_per_sec;             /* documented limit per client; 0 = none */
  int rate_per_min;             /* per client per fixed one-minute window
                                ** (starting at its first request), with
                                ** Retry-After and x-ratelimit-* headers;
                                ** 0 = none */
  void *(*open)(sb_portfolio *pf, const sb_options *opt);
  void (*close)(void *vs);
  void (*credentials)(const sb_options *opt, sb_buf *out); /* JSON object */
  /* Optional: the server's URL, for vendors whose answers link to
  ** themselves (Href, Link headers). */
  void (*set_base_url)(void *vs, const char *url);
  /* On success copy the client's identity (the rate-limit key) into key and
  ** return 1; otherwise fill resp with the vendor's 401 and return 0. */
  int (*authorize)(void *vs, const sb_request *req, char *key, size_t keylen,
                   sb_response *resp);
  void (*handle)(void *vs, const sb_request *req, sb_response *resp);
  /* The vendor's own error body, for faults and rate limiting. */
  void (*error)(void *vs, int status, const char *msg, sb_response *resp);
  void (*counts)(void *vs, sb_buf *out);             /* JSON object */
  /* Optional: the vendor's say on a fault picked for req (after authorize);
  ** returns the fault to apply, SB_FAULT_NONE to let the request through
  ** (e.g. token-expiry on a login). NULL = apply every fault as picked. */
  int (*fault)(void *vs, const sb_request *req, int fault);
  /* Optional: the body of an empty list page in the vendor's shape, for the
  ** empty-page fault (resp->body is empty). NULL: "[]". */
  void (*empty_page)(void *vs, const sb_request *req, sb_response *resp);
  /* Optional (required for --accounts): the seed the request's credentials
  ** name, whether or not they are right (accounts.c); 1 if they name one.
  ** Without it every request goes to account 0. */
  int (*account_seed)(const sb_request *req, uint64_t *seed);
} sb_vendor;

/* Every vendor, NULL-terminated: generated by make from the files that
** define a "const sb_vendor sb_vendor_<name>" (build/sb_vendor_list.c). */
extern const sb_vendor *const sb_vendors[];

/* ------------------------------------------------------------------ */
/* control.c                                                            */

enum {
  SB_FAULT_NONE = 0,
  SB_FAULT_429, SB_FAULT_429_RETRY, SB_FAULT_500, SB_FAULT_503,
  SB_FAULT_RESET, SB_FAULT_TRUNCATE, SB_FAULT_INVALID_JSON, SB_FAULT_HTML,
  SB_FAULT_SLOW, SB_FAULT_EMPTY_PAGE, SB_FAULT_TOKEN_EXPIRY,
  SB_FAULT_429_RETRY_DATE,
  SB_FAULT_COUNT
};

int ctl_parse_faults(const char *list, int *kinds, int max, char *err,
                     size_t errlen);
const char *ctl_fault_name(int kind);
void ctl_init(const sb_options *opt, const sb_vendor *v, int naccounts);
void ctl_shutdown(void);
uint64_t ctl_note_request(const sb_request *req, int account);
void ctl_note_done(uint64_t seq, int account, int is_write, int status);
/* A connection's request for account 'to' after one for 'from' (-1: its
** first); to = -1 when it closes. /__sandbox/ requests are not counted. */
void ctl_note_connection(int from, int to);
void ctl_note_in_flight(int account, int delta);  /* +1 begins, -1 answered */
/* Rate limit state of one admission (per-minute vendors). */
typedef struct sb_rate {
  int limited;                  /* 1 when a per-minute window applies */
  long limit, remaining;
  long retry_after;             /* seconds until the window resets */
  int64_t reset_at;             /* unix time of the reset */
} sb_rate;
/* Rate limit of one client of an account: 1 = go ahead. */
int ctl_admit_ex(int account, const char *client, sb_rate *r);
/* Bumped by every POST /__sandbox/config: lets a vendor tell one fault
** configuration from the next. */
uint64_t ctl_fault_generation(void);
int ctl_pick_fault(int account);
void ctl_count_fault(int account);
long ctl_latency_ms(void);
void ctl_handle(const sb_request *req, sb_response *resp);

/* ------------------------------------------------------------------ */
/* accounts.c — the customer accounts behind one port (--accounts N).   */

/* The options account k opens with: seed S+k, its size from --size. */
void acct_options(const sb_options *opt, int k, sb_options *out);
void acct_account_options(int k, sb_options *out);  /* of the running sandbox */
void *acct_open(const sb_options *opt, const sb_vendor *v, int n);  /* builds account 0 */
void *acct_vs(int k);                       /* account k's vendor state, built on first use */
int acct_built(void);                       /* accounts built so far */
int acct_of_request(const sb_request *req); /* 0 when the credentials name none */
void acct_set_base_url(const char *url);
void acct_close(void);
/* For the vendors' account_seed: s is prefix + decimal seed (up to stop or
** the end); the user name of a Basic Authorization header. */
int sb_seed_after(const char *s, const char *prefix, char stop, uint64_t *seed);
int sb_basic_user(const sb_request *req, char *out, size_t cap);

/* ------------------------------------------------------------------ */
/* server.c                                                             */

int srv_listen(int port, int *bound_port);
int srv_start(int listen_fd, const sb_vendor *v, int naccounts);
int srv_stop(void);             /* 1 if every connection has ended */
int srv_stopping(void);
/* Sleeps ms, waking early when the server stops; returns 0 if stopped. */
int srv_sleep_ms(long ms);

/* ------------------------------------------------------------------ */
/* overrides.c — fields the API wrote over generated records.          */

typedef struct sb_ovr {
  cJSON **v;                    /* per record: written fields, or NULL */
  uint32_t cap;
} sb_ovr;

cJSON *sb_ovr_get(const sb_ovr *o, uint32_t i);     /* NULL: none */
cJSON *sb_ovr_slot(sb_ovr *o, uint32_t i);          /* created empty */
void sb_ovr_set(sb_ovr *o, uint32_t i, cJSON *j);   /* replaces, frees old */
void sb_ovr_apply(const sb_ovr *o, uint32_t i, cJSON *rec);  /* lays them over rec */
void sb_ovr_free(sb_ovr *o);

/* ------------------------------------------------------------------ */
/* record.c — the traffic record of --record FILE.                      */

int rec_open(const char *path, int answers);  /* 0 or -1 (errno set) */
void rec_close(void);
/* Appends one API call and its answer (fault: the injected one, or 0;
** account: the request's, or -1 with one account). */
void rec_note(const sb_request *req, const sb_response *resp, int fault, int account);

/* ------------------------------------------------------------------ */
/* validate.c — table-driven checks of JSON bodies (see the file).      */

typedef struct vd_errors {
  char **keys, **vals;          /* parallel: field path, message */
  int n, cap;
} vd_errors;

typedef enum {
  VT_STRING, VT_INT, VT_NUMBER, VT_BOOL, VT_DATE, VT_ENUM, VT_OBJECT,
  VT_INT_ARRAY, VT_OBJECT_ARRAY
} vd_type;

#define VF_REQUIRED 0x01
#define VF_SAVE_ONLY 0x02       /* accepted in a write body, not a field of
                                ** the record it writes (e.g. tenantIDs) */

struct vd_schema;
typedef struct vd_field {
  const char *name;
  vd_type type;
  unsigned flags;
  int maxlen;                   /* characters; 0 = no limit */
  const char *const *enums;     /* VT_ENUM: NULL-terminated */
  const struct vd_schema *sub;  /* VT_OBJECT / VT_OBJECT_ARRAY */
  int maxitems;                 /* arrays; 0 = no limit */
  /* extra format rule: returns NULL if fine, else the message */
  const char *(*check)(const cJSON *v);
} vd_field;

typedef struct vd_schema {
  const char *name;
  const vd_field *fields;
  /* whole-object rule (e.g. State vs Country); prefix is the key path */
  void (*check)(const cJSON *obj, const char *prefix, vd_errors *e);
} vd_schema;

void vd_init(vd_errors *e);
void vd_free(vd_errors *e);
void vd_add(vd_errors *e, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void vd_object(const vd_schema *s, const cJSON *obj, const char *prefix,
               vd_errors *e);
const cJSON *vd_get(const cJSON *obj, const char *name);
const char *vd_str(const cJSON *obj, const char *name);   /* NULL if absent */
/* A copy of obj holding only the schema's fields, with canonical member
** names and enum spellings; absent and null members are left out. */
cJSON *vd_normalize(const vd_schema *s, const cJSON *obj);
const char *vd_enum_canon(const char *const *enums, const char *v);
int vd_utf8_valid(const char *s, size_t n);
size_t vd_utf8_len(const char *s);
const char *vd_check_email(const cJSON *v);
const char *vd_check_phone(const cJSON *v);
const char *vd_check_taxid(const cJSON *v);
int vd_us_state(const char *s);

#endif /* SANDBOX_H */
