/*
** buildium.h — internals shared by the Buildium vendor's files:
**
**   buildium.c          the sb_vendor: auth, routing, lists (filters,
**                       orderby, paging, caching), reads by id, errors
**   buildium_render.c   the JSON shape of each message, and the "views"
**                       that turn a record into its Buildium field values
**   buildium_write.c    POST/PUT: request schemas from the OpenAPI spec,
**                       validation, and applying writes to the store
**
** The store is the shared portfolio (sandbox.h) plus, per record that was
** written through the API, an override: the accepted request body,
** normalized to the spec's member names (vd_normalize). A view is filled
** from the override when there is one, otherwise generated from the
** portfolio record, so rendering and the string filters see one shape.
*/
#ifndef BUILDIUM_H
#define BUILDIUM_H

#include "sandbox.h"
#include "ledger.h"
#include "listing.h"

#include <pthread.h>

/* Id ranges: each entity type has its own, wide enough for --size 10M, so
** an id of the wrong type is a 404 rather than some other record. */
#define BD_ID_RENTAL      1001          /* rentals (properties)         */
#define BD_ID_UNIT        1000001       /* rental units                 */
#define BD_ID_LEASE       20000001      /* leases                       */
#define BD_ID_TENANT      40000001      /* rental tenants (residents)   */
#define BD_ID_APPLICANT   60000001      /* applicants                   */
#define BD_ID_WORKORDER   70000001      /* work orders                  */
#define BD_ID_TASK        75000001      /* tasks behind work orders     */
#define BD_ID_APPGROUP    80000001      /* applicant groups (1 per app) */
#define BD_ID_APPLICATION 82000001      /* rental applications          */
#define BD_ID_UNSUBMITTED 84000001      /* unsubmitted applications     */
#define BD_ID_NOTE        90000001      /* tenant notes                 */
#define BD_ID_VENDOR      97000001      /* maintenance vendors (20)     */
#define BD_ID_STAFF       98000001      /* staff users (5); the API key's
                                        ** user is the first one       */
#define BD_ID_BANK        99000001      /* operating bank accounts (3)  */
#define BD_ID_GLACCOUNT   99500001      /* GL account on line items     */

/* The money routes (buildium_money.c) */
#define BD_ID_TXN         100000001     /* lease transactions: + ledger id */
#define BD_ID_CHARGECODE  99500101      /* income GL accounts: + charge code */
#define BD_ID_RECURRING   1500000001    /* recurring charges: + pf id   */

enum { BD_RENTALS, BD_UNITS, BD_LEASES, BD_TENANTS, BD_APPLICANTS,
       BD_WORKORDERS, BD_NKINDS };

typedef struct bd_note {
  uint32_t id;                  /* BD_ID_NOTE + position */
  uint32_t tenant;              /* resident index */
  uint32_t updated;
  char *text;
} bd_note;

/* A vendor written through the API: the accepted VendorPostMessage or
** VendorPutMessage, normalized; a PUT replaces it whole. */
typedef struct bd_vendor_w {
  cJSON *body;                  /* NULL: the generated vendor */
  uint32_t updated;             /* unix seconds */
} bd_vendor_w;

/* A recurring charge posted through the API (ids after the generated). */
#define BD_RC_WRITTEN 0x20000000u
typedef struct bd_recurring_w {
  pf_recurring r;               /* r.id is BD_RC_WRITTEN + its position */
  char *memo;                   /* NULL: none sent */
  const char *frequency, *duration;   /* canonical enum spellings */
  int post_days;
  int occurrences;              /* SpecificNumber: NumberOfOccurrences */
} bd_recurring_w;

typedef struct bd_ctx {
  sb_portfolio *pf;
  pthread_rwlock_t lock;        /* readers: every GET; writers: writes */
  sb_ovr ovr[BD_NKINDS];        /* per record override */
  bd_note *notes;
  uint32_t nnotes, notes_cap;
  bd_vendor_w *vendors;         /* by vendor index; PF_NVENDORS + created */
  uint32_t nvendors, vendors_cap;   /* 0 until the first vendor write */
  bd_recurring_w *rcs;          /* recurring charges posted */
  uint32_t nrcs, rcs_cap;
  sb_list_cache lists;          /* rendered pages, result sets */
  char client_id[64], client_secret[64];
  char base[64];                /* http://127.0.0.1:PORT, for Href fields */
} bd_ctx;

/* Scratch space for strings generated while rendering one record. */
typedef struct bd_scratch {
  char buf[2048];
  size_t n;
} bd_scratch;

const char *bd_sfmt(bd_scratch *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- views: a record's Buildium field values ---- */

typedef struct bd_addr {
  const char *line1, *line2, *line3, *city, *state, *postal, *country;
} bd_addr;

typedef struct bd_phones {
  const char *home, *work, *mobile, *fax;
} bd_phones;

typedef struct bd_tenant_v {
  const char *first, *last, *email, *alt_email;
  bd_phones ph;
  const char *dob;              /* YYYY-MM-DD or NULL */
  const char *sms;
  int has_ec;
  const char *ec_name, *ec_rel, *ec_phone, *ec_email;
  bd_addr addr;
  int has_alt;
  bd_addr alt;
  const char *mailing;
  const char *comment, *taxid;
} bd_tenant_v;

typedef struct bd_unit_v {
  const char *number, *desc;
  int has_rent, has_size;
  int64_t rent_cents;
  int64_t size;
  const char *beds, *baths;     /* enum strings or NULL */
  bd_addr addr;
} bd_unit_v;

typedef struct bd_rental_v {
  const char *name, *desc, *subtype;
  bd_addr addr;
  int has_year, has_reserve, has_manager;
  int64_t year, reserve_cents, bank_id, manager_id;
} bd_rental_v;

typedef struct bd_applicant_v {
  const char *first, *last, *email;
  bd_phones ph;
  int send_email;
} bd_applicant_v;

typedef struct bd_workorder_v {
  const char *title, *details, *invoice, *chargeable, *entry, *entry_notes,
             *vendor_notes;
  int64_t vendor_id;
  int64_t amount_cents;
  const cJSON *line_items;      /* override's LineItems, or NULL */
  const cJSON *contacts;        /* override's EntryContactIds, or NULL */
  int64_t contact_id;           /* 0 = none */
} bd_workorder_v;

void bd_tenant_view(bd_ctx *c, uint32_t i, bd_tenant_v *v, bd_scratch *s);
void bd_unit_view(bd_ctx *c, uint32_t k, bd_unit_v *v, bd_scratch *s);
void bd_rental_view(bd_ctx *c, uint32_t p, bd_rental_v *v, bd_scratch *s);
void bd_applicant_view(bd_ctx *c, uint32_t a, bd_applicant_v *v, bd_scratch *s);
void bd_workorder_view(bd_ctx *c, uint32_t w, bd_workorder_v *v, bd_scratch *s);
const char *bd_unit_number(bd_ctx *c, uint32_t k, bd_scratch *s);

/* ---- rendering (buildium_render.c) ---- */

void bd_render_rental(bd_ctx *c, uint32_t p, sb_buf *b);
void bd_render_unit(bd_ctx *c, uint32_t k, sb_buf *b);
void bd_render_lease(bd_ctx *c, uint32_t j, sb_buf *b, int nested);
void bd_render_tenant(bd_ctx *c, uint32_t i, sb_buf *b, int nested);
void bd_render_applicant(bd_ctx *c, uint32_t a, sb_buf *b);
void bd_render_workorder(bd_ctx *c, uint32_t w, sb_buf *b);
void bd_render_note(bd_ctx *c, const bd_note *n, sb_buf *b);

/* enum spellings */
extern const char *const bd_lease_status_names[];
extern const char *const bd_lease_type_names[];
extern const char *const bd_app_status_names[];
extern const char *const bd_wo_priority_names[];
extern const char *const bd_wo_status_names[];
extern const char *const bd_entry_names[];
extern const char *const bd_subtype_names[];
extern const char *const bd_bedroom_names[];
extern const char *const bd_bathroom_names[];
extern const char *const bd_country_names[];
extern const char *const bd_cycle_names[];   /* rent cycle, charge frequency */

/* ---- errors and stores (buildium.c) ---- */

void bd_error(sb_response *resp, int status, const char *code, const char *msg,
              const vd_errors *errs);
cJSON *bd_ovr(bd_ctx *c, int kind, uint32_t idx);
void bd_set_ovr(bd_ctx *c, int kind, uint32_t idx, cJSON *j);
void bd_invalidate(bd_ctx *c);  /* caller holds the write lock */
uint32_t bd_count(bd_ctx *c, int kind);   /* records of a kind */
void bd_render(bd_ctx *c, int kind, uint32_t idx, sb_buf *b);  /* one record */

/* ---- writes (buildium_write.c) ---- */

/* kind is BD_*; idx is the record for PUT, PF_NONE for POST. */
/* The parsed JSON body, or NULL after answering 415/400. */
cJSON *bd_read_body(const sb_request *req, sb_response *resp);
void bd_invalid(sb_response *resp, const vd_errors *e);
/* GET/POST of ledgers, recurring charges, GL accounts and vendors: 1 when
** the path is one of them (resp filled), else 0. */
int bd_money_route(bd_ctx *c, const sb_request *req, char **seg, int n,
                   sb_response *resp);

void bd_write(bd_ctx *c, int kind, uint32_t idx, const sb_request *req,
              sb_response *resp);
void bd_note_write(bd_ctx *c, uint32_t tenant, uint32_t note,
                   const sb_request *req, sb_response *resp);
/* POST /vendors (idx PF_NONE) and PUT /vendors/{id} (buildium_write.c). */
void bd_vendor_write(bd_ctx *c, uint32_t idx, const sb_request *req, sb_response *resp);

/* Vendors (buildium_money.c): how many there are, one as VendorMessage,
** and the name of a vendor category (NULL: no such category). The caller
** holds the lock. */
uint32_t bd_vendor_count(const bd_ctx *c);
void bd_render_vendor(bd_ctx *c, uint32_t v, sb_buf *b);
const char *bd_vendor_category(int64_t id);

/* cJSON accessors for normalized overrides (exact member names). */
const char *bd_js(const cJSON *o, const char *name);
const cJSON *bd_jo(const cJSON *o, const char *name);
int bd_jnum(const cJSON *o, const char *name, double *out);

#endif /* BUILDIUM_H */
