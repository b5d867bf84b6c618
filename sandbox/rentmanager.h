/*
** rentmanager.h — internals shared by the Rent Manager vendor's files:
**
**   rentmanager.c         the sb_vendor: login and tokens, routing, errors,
**                         lists (RQL filters, orderby, 206 paging, caches),
**                         reads by id, deletes, counts
**   rentmanager_store.c   ids, views (a record's Rent Manager values from
**                         the portfolio plus what the API wrote), the
**                         field tables behind rendering, filters and sorts,
**                         and JSON rendering with embeds
**   rentmanager_write.c   POST of record arrays: validation, UpdateDate
**                         concurrency, creates and partial updates
**   rentmanager_money.c   the ledger's resources (Charges, Payments,
**                         RecurringCharges, ChargeTypes, Vendors): index
**                         spaces, values, and posting a charge or payment
**
** The file opening rentmanager.c documents the emulated behaviour.
**
** Store: the shared portfolio plus, per record the API wrote, an override
** (rm_ovr): the written scalar members under their canonical names, and,
** once written, the record's whole Addresses list (or a contact's whole
** PhoneNumbers list) as JSON. Rent Manager's leases (one tenant, one unit)
** and contacts have index spaces of their own, laid out in the first
** section below; the ones the API creates are appended (rm_xlease,
** rm_xcontact).
*/
#ifndef RENTMANAGER_H
#define RENTMANAGER_H

#include "sandbox.h"
#include "listing.h"
#include "ledger.h"

#include <pthread.h>

/* Record kinds with an index space. Ids are index + 1 in every kind. */
enum { RM_PROPERTIES, RM_UNITS, RM_TENANTS, RM_LEASES, RM_PROSPECTS,
       RM_ISSUES, RM_CONTACTS,
       /* the ledger's kinds (rentmanager_money.c), RM_MONEY0 first */
       RM_CHARGES, RM_PAYMENTS, RM_RECURRING, RM_CHARGETYPES, RM_VENDORS,
       RM_NKINDS };
#define RM_MONEY0 RM_CHARGES

/* Index spaces (Pg, Ug, Rg, Ag = generated properties, units, residents,
** applicants; all fixed after generation):
**   properties, units, tenants, prospects (applicants), service manager
**     issues (work orders): the portfolio's own indexes;
**   leases:   [0, Rg) resident i's lease; [Rg, ..) created (rm_xlease);
**   contacts: [0, Rg) tenant i's primary contact; [Rg, Rg+Ag) prospect
**             i-Rg's primary contact; [Rg+Ag, ..) created (rm_xcontact).
**   charges, payments: the portfolio ledger's transactions of that kind in
**             lease order, then the ones posted (rm_money.chg / .pay);
**   recurring charges: the ledger's, in lease order; charge types: the
**             ledger's charge codes; vendors: its suppliers.
** Sub-record ids, unique per type:
**   PhoneNumberID  tenant contact i: 3i+1 Cell, 3i+2 Home, 3i+3 Work;
**                  prospect contact a: 3Rg+a+1; created from 3Rg+Ag+1
**   AddressID      property p: p+1; unit k: Pg+k+1; tenant i: Pg+Ug+i+1;
**                  created from Pg+Ug+Rg+1 */

/* Static lookup lists served as read-only resources. */
#define RM_NPHONE_TYPES 5     /* 1 Home, 2 Work, 3 Cell, 4 Fax, 5 Other */
#define RM_PT_HOME 1
#define RM_PT_WORK 2
#define RM_PT_CELL 3
#define RM_NADDR_TYPES 6      /* 1 Primary, 2 Home, 3 Mailing, 4 Billing,
                              ** 5 Work, 6 Other */
#define RM_NCONTACT_TYPES 6   /* 1 Tenant, 2 Prospect, 3 Roommate,
                              ** 4 Co-Signer, 5 Emergency Contact, 6 Other */
#define RM_NUNIT_TYPES 5      /* 1 Studio .. 5 Four Bedroom */
#define RM_MAX_ADDRS 8        /* per record */
#define RM_MAX_PHONES 8       /* per contact */

typedef struct rm_ovr {
  cJSON *j;             /* written scalar members, canonical names */
  cJSON *addrs;         /* the full Addresses list once written */
  cJSON *phones;        /* contacts: the full PhoneNumbers list once written */
  uint32_t updated;     /* generated leases and contacts: last write (0 =
                        ** never); other kinds keep it in the portfolio */
  uint32_t conc;        /* properties: writes so far (ConcurrencyID - 1) */
  uint8_t deleted;
} rm_ovr;

typedef struct rm_xlease {
  uint32_t tenant, unit;
  int32_t movein, moveout;      /* days; moveout PF_NODATE = none */
  uint32_t created, updated;
  uint32_t next_t, next_u;      /* next created lease of the tenant / unit */
} rm_xlease;

typedef struct rm_xcontact {
  uint32_t parent;              /* tenant or prospect index */
  uint32_t created, updated;
  uint32_t next;                /* next created contact of the parent */
  uint8_t pkind;                /* RM_TENANTS or RM_PROSPECTS */
  uint8_t primary;
} rm_xcontact;

#define RM_MAX_TOKENS 64

typedef struct rm_token {
  char tok[33];
  double last_used;             /* monotonic seconds */
  int64_t exempt_gen;           /* issued after a token-expiry wipe of this
                                ** fault generation (-1 = none) */
  int live;
} rm_token;

/* A charge's or payment's place in its index space (rentmanager_money.c). */
typedef struct rm_txref {
  uint32_t txn;                 /* pf_txn id */
  uint32_t lease;               /* the portfolio lease whose ledger has it */
  uint32_t created;
} rm_txref;

typedef struct rm_money {
  rm_txref *chg, *pay;
  uint32_t nchg, npay, chg_cap, pay_cap;
  uint32_t *rc;                 /* pf_recurring ids */
  uint32_t nrc;
  uint32_t *paid_at;            /* per portfolio lease: the last payment
                                ** posted (it reallocates the charges) */
} rm_money;

typedef struct rm_ctx {
  sb_portfolio *pf;
  pthread_rwlock_t lock;        /* readers: GETs; writer: writes, deletes */
  rm_ovr **ovr[RM_NKINDS];
  uint32_t ovr_cap[RM_NKINDS];
  uint32_t ndeleted[RM_NKINDS];
  rm_xlease *xl;
  uint32_t nxl, xl_cap;
  rm_xcontact *xc;
  uint32_t nxc, xc_cap;
  uint32_t *xl_by_tenant, *xl_by_unit, *xc_by_parent[2];   /* list heads */
  uint32_t xl_bt_cap, xl_bu_cap, xc_bp_cap[2];
  uint32_t Pg, Ug, Rg, Ag;
  int64_t next_phone_id, next_addr_id;
  rm_money money;               /* the ledger's index spaces */
  sb_list_cache lists;          /* rendered pages, result sets */
  char base[64];
  int tzoff;                    /* seconds east of UTC of the location clock */
  /* auth */
  pthread_mutex_t tok_mu;
  rm_token tokens[RM_MAX_TOKENS];
  uint64_t tok_counter;
  int64_t wiped_gen;            /* fault generation of the last wipe, -1 */
  long ttl;
  int require_partner;
  char user[64], pass[64], partner[64];
  uint64_t seed;
} rm_ctx;

/* ---- small helpers (rentmanager_store.c) ---- */

typedef struct rm_scratch {
  char buf[4096];
  size_t n;
} rm_scratch;

const char *rm_keep(rm_scratch *s, const char *str);
const char *rm_sfmt(rm_scratch *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

int32_t rm_today(rm_ctx *c);
void rm_put_time(rm_ctx *c, sb_buf *b, int64_t t);       /* quoted or null */
/* A filter or UpdateDate value: YYYY-MM-DD, MM/DD/YYYY, or a date-time
** (T or space, optional fraction, optional Z) in the location's clock. */
int rm_parse_time(rm_ctx *c, const char *s, int64_t *t);
/* A written date member (MoveInDate, DateOfBirth...): a date or date-time;
** the day is kept. */
int rm_parse_day(const char *s, int32_t *days);

rm_ovr *rm_ovr_get(rm_ctx *c, int kind, uint32_t idx);   /* NULL if none */
rm_ovr *rm_ovr_make(rm_ctx *c, int kind, uint32_t idx);
uint32_t *rm_head_slot(uint32_t **arr, uint32_t *cap, uint32_t idx);
uint32_t rm_head(uint32_t *arr, uint32_t cap, uint32_t idx);

uint32_t rm_count(rm_ctx *c, int kind);
int rm_exists(rm_ctx *c, int kind, uint32_t idx);
uint32_t rm_created(rm_ctx *c, int kind, uint32_t idx);
uint32_t rm_updated(rm_ctx *c, int kind, uint32_t idx);
void rm_set_updated(rm_ctx *c, int kind, uint32_t idx, uint32_t t);

/* A contact's owner. */
void rm_contact_owner(rm_ctx *c, uint32_t idx, int *pkind, uint32_t *parent,
                      int *primary);
/* The primary contact of a tenant / prospect, PF_NONE if none. */
uint32_t rm_primary_contact(rm_ctx *c, int pkind, uint32_t parent);
/* The tenant's / unit's leases: generated first, then created ones. */
int rm_tenant_leases(rm_ctx *c, uint32_t tenant, uint32_t *out, int max);
int rm_lease_is_current(rm_ctx *c, uint32_t lease);
int rm_unit_occupants(rm_ctx *c, uint32_t unit, uint32_t *out, int max);
uint32_t rm_unit_property(rm_ctx *c, uint32_t unit);

/* ---- views ---- */

typedef struct rm_addr {
  int64_t id, type;
  const char *street, *city, *state, *postal;
  int primary, billing;
} rm_addr;

typedef struct rm_phone {
  int64_t id, type;
  const char *number, *ext;
  int primary;
} rm_phone;

typedef struct rm_lease_v {
  uint32_t tenant, unit, prop;  /* indexes; PF_NONE = none */
  int32_t movein, moveout;
  int64_t sort;
} rm_lease_v;

void rm_lease_view(rm_ctx *c, uint32_t idx, rm_lease_v *v);
int rm_addresses(rm_ctx *c, int kind, uint32_t idx, rm_addr *out, rm_scratch *s);
int rm_phones(rm_ctx *c, uint32_t contact, rm_phone *out, rm_scratch *s);
const char *rm_phone_type_name(int64_t id);
int rm_valid_addr_type(int64_t id);
int rm_valid_contact_type(int64_t id);

/* ---- field tables, values, rendering ---- */

enum { RT_INT = 'i', RT_NUM = 'n', RT_MONEY = 'm', RT_STR = 's',
       RT_BOOL = 'b', RT_TIME = 't' };

typedef struct rm_field {
  const char *name;
  char type;
} rm_field;

typedef struct rm_val {
  int null;
  int64_t i;                    /* INT, BOOL, TIME (unix s), MONEY (cents) */
  double d;                     /* NUM */
  const char *s;                /* STR */
} rm_val;

/* Embeds (bits). */
#define RE_CONTACTS        0x001
#define RE_CONTACT_PHONES  0x002
#define RE_ADDRESSES       0x004
#define RE_LEASES          0x008
#define RE_BALANCE         0x010
#define RE_PRIMARY         0x020
#define RE_PRIMARY_PHONES  0x040
#define RE_OCCUPANTS       0x080
#define RE_PRIMARY_ADDRESS 0x100
#define RE_PHONES          0x200   /* contacts resource: PhoneNumbers */

/* Setting a value: an integer (or bool, time, cents), a text (NULL: null),
** an index as its id (PF_NONE: null), a day as its midnight. */
static inline void V_INT(rm_val *o, int64_t i){ o->null = 0; o->i = i; }
static inline void V_STR(rm_val *o, const char *s){ o->null = s == NULL; o->s = s; }
static inline void V_ID(rm_val *o, uint32_t idx){
  o->null = idx == PF_NONE;
  o->i = (int64_t)idx + 1;
}
static inline void V_DAY(rm_val *o, int32_t d){
  o->null = d == PF_NODATE;
  o->i = (int64_t)d * 86400;
}

typedef struct rm_embed {
  const char *name;
  unsigned bits;
  const char *key;              /* the member it adds (for fields=) */
} rm_embed;

typedef struct rm_view rm_view;   /* opaque: one record's values */

typedef struct rm_kind {
  const char *name;             /* "Tenants" (the route) */
  const char *singular;         /* "Tenant" */
  const rm_field *fields;       /* scalar members in output order; [0] is
                                ** the id; CreateDate/UpdateDate by name */
  int nfields;
  const rm_embed *embeds;
} rm_kind;

extern const rm_kind rm_kinds[RM_NKINDS];

/* Field index by case-insensitive name, -1 if none. */
int rm_field_index(int kind, const char *name);
/* One value. view may be NULL for the id, CreateDate and UpdateDate. */
rm_view *rm_view_new(void);
void rm_view_free(rm_view *v);
void rm_view_fill(rm_ctx *c, int kind, uint32_t idx, rm_view *v);
void rm_value(rm_ctx *c, int kind, uint32_t idx, const rm_view *v, int field,
              rm_val *out);
int rm_field_cheap(int kind, int field);

/* Renders one record. fmask: bit f = field f wanted (all ones = all);
** emb: RE_* bits (already limited to what fields= allows). */
void rm_render(rm_ctx *c, int kind, uint32_t idx, uint64_t fmask,
               unsigned emb, sb_buf *b);

/* ---- the ledger's kinds (rentmanager_money.c) ---- */

/* One money record's values, filled once per record. */
typedef struct rm_money_v {
  pf_txn t;                     /* charges, payments */
  pf_recurring r;               /* recurring charges */
  pf_supplier s;                /* vendors */
  uint32_t tenant;              /* the billed tenant (index) or PF_NONE */
  uint32_t unit;                /* the lease's unit or PF_NONE */
} rm_money_v;

/* Their members, in output order ([0] is the id). */
enum { CH_ID, CH_ID2, CH_ACCOUNT, CH_ACCTYPE, CH_TXTYPE, CH_AMOUNT, CH_ALLOC,
       CH_FULL, CH_DATE, CH_PROP, CH_UNIT, CH_TYPE, CH_COMMENT, CH_REF,
       CH_CDATE, CH_CUSER, CH_UDATE, CH_UUSER, CH_N };
enum { PA_ID, PA_ACCOUNT, PA_ACCTYPE, PA_TXTYPE, PA_AMOUNT, PA_ALLOC, PA_FULL,
       PA_DATE, PA_COMMENT, PA_REF, PA_CDATE, PA_CUSER, PA_UDATE, PA_UUSER,
       PA_N };
enum { RC_ID, RC_ETYPE, RC_EKEY, RC_UNIT, RC_FREQ, RC_TYPE, RC_AMOUNT,
       RC_COMMENT, RC_FROM, RC_TO, RC_SORT, RC_CDATE, RC_CUSER, RC_UDATE,
       RC_UUSER, RC_N };
enum { CT_ID, CT_NAME, CT_DESC, CT_N };
enum { VE_ID, VE_NAME, VE_PAYEE, VE_ACTIVE, VE_CDATE, VE_CUSER, VE_UDATE,
       VE_UUSER, VE_N };
extern const rm_field rm_f_charges[CH_N], rm_f_payments[PA_N],
                      rm_f_recurring[RC_N], rm_f_chargetypes[CT_N],
                      rm_f_vendors[VE_N];

void rm_money_open(rm_ctx *c);
void rm_money_close(rm_ctx *c);
uint32_t rm_money_count(rm_ctx *c, int kind);
uint32_t rm_money_created(rm_ctx *c, int kind, uint32_t idx);
uint32_t rm_money_updated(rm_ctx *c, int kind, uint32_t idx);
void rm_money_fill(rm_ctx *c, int kind, uint32_t idx, rm_money_v *v);
/* The tenant whose account a tenant's lease bills (itself when primary),
** PF_NONE without a lease. */
uint32_t rm_money_account(rm_ctx *c, uint32_t tenant);
/* Posts a validated charge or payment (JSON members as sent); its index. */
uint32_t rm_money_post(rm_ctx *c, int kind, const cJSON *o, uint32_t now);
/* A value other than the id, CreateDate, UpdateDate and the user ids. */
void rm_money_value(rm_ctx *c, int kind, uint32_t idx, const rm_money_v *v,
                    int f, rm_val *o);

/* ---- errors (rentmanager.c) ---- */

/* {"Message": msg} or, with errors, {"Message", "ModelState": {key: [..]}} */
void rm_error_msg(sb_response *resp, int status, const char *msg,
                  const vd_errors *e);
/* The application error shape. */
void rm_error_app(sb_response *resp, int status, int code, const char *user,
                  const char *dev);
void rm_invalidate(rm_ctx *c);      /* caller holds the write lock */

/* Application error codes (ErrorCode). */
#define RM_EC_BAD_LOGIN        1001
#define RM_EC_BAD_LOCATION     1002
#define RM_EC_NO_TOKEN         1003
#define RM_EC_BAD_TOKEN        1004
#define RM_EC_PARTNER          1005
#define RM_EC_CONCURRENCY      2001
#define RM_EC_DELETE_REFUSED   2002
#define RM_EC_RATE_LIMIT       4290
#define RM_EC_INTERNAL         5000
#define RM_EC_UNAVAILABLE      5030

/* ---- writes (rentmanager_write.c) ---- */

/* Can the kind be written (POST)? */
int rm_writable(int kind);

/* POST /<Collection> (idx PF_NONE, body an array) or POST /<Collection>/{id}
** (body one object). emb: embeds for the answer. */
void rm_write(rm_ctx *c, int kind, uint32_t idx, unsigned emb, int nocontent,
              const sb_request *req, sb_response *resp);

#endif /* RENTMANAGER_H */
