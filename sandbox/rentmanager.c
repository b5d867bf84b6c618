/*
** rentmanager.c — the Rent Manager Web API ("RM12 API") vendor:
** `pms-sandbox --vendor rentmanager`. Record shapes and the store are in
** rentmanager_store.c, writes in rentmanager_write.c. Sources: research
** pms-apis.md §2 (the official overview, the rmhari Java SDK models, the
** Launch-Engine Ruby gem, Propexo); where those are silent the behaviour is
** what an ASP.NET Web API in Rent Manager's style does, and is marked
** (chosen) below.
**
** Paths have no version and are case-insensitive, with or without a
** trailing slash, as ASP.NET routes are. Every path outside /__sandbox/ is
** an API call (counted, rate limited, faulted).
**
** Auth
**   POST /Authentication/AuthorizeUser {"Username","Password","LocationID"}
**     (member names case-insensitive, LocationID optional, default 1)
**     -> 200 and the token as a JSON string: "3f9c..." (32 hex digits).
**     Wrong user or password -> 401 application error (ErrorCode 1001);
**     a LocationID the user has no access to -> 401 (ErrorCode 1002); a
**     LocationID that is no integer -> 400 {Message, ModelState}.
**   POST /Authentication/Deauthorize?token=T -> 204, T stops working.
**   Every other request needs header X-RM12Api-ApiToken: missing -> 401
**   (1003), unknown, revoked or expired -> 401 (1004). Tokens expire after
**   --token-ttl-seconds (default 1800) without use (idle timeout; chosen:
**   the research gives no TTL). An optional X-RM12Api-LocationId header
**   must name location 1 (else 401, 1002). With --require-partner-token
**   every request, the login too, needs X-RM12API-PartnerToken equal to
**   the credentials' partner_token (else 401, 1005); without the flag the
**   header is ignored. Credentials (--print-credentials):
**   {"username":"sandbox-user-S","password":"sandbox-pass-S",
**    "location_id":"1"} (+ "partner_token":"sandbox-partner-S").
**   All 401s use the application error shape, whose DeveloperMessage is
**   what clients of the login read (Ruby gem).
**
** Resources (GET list, GET /{id}, POST list = create/update array, POST
** /{id} = update one object): Properties, Units, Tenants, Leases,
** Prospects, ServiceManagerIssues, Contacts; the ledger's Charges and
** Payments (POST creates only), RecurringCharges, ChargeTypes and Vendors
** (read only; rentmanager_money.c has their shapes); DELETE /Tenants/{id},
** DELETE /Prospects/{id} and DELETE /<them>?ids=1,2 (-> 204; a tenant
** with leases is refused: 400 application error 2002; a deleted record's
** contacts go with it). Read-only lookup lists (the whole list with
** X-Total-Results, or GET /{id}; query parameters ignored): Locations (also
** GET /Current/Locations), PhoneNumberTypes (1 Home, 2 Work, 3 Cell, 4 Fax,
** 5 Other), AddressTypes (1 Primary, 2 Home, 3 Mailing, 4 Billing, 5 Work,
** 6 Other), ContactTypes (1 Tenant, 2 Prospect, 3 Roommate, 4 Co-Signer,
** 5 Emergency Contact, 6 Other), UnitTypes (1 Studio .. 5 Four Bedroom =
** Bedrooms + 1), ServiceManagerPriorities (1 Low, 2 Normal, 3 High),
** ServiceManagerStatuses (1 Open, 2 In Progress, 3 Completed, 4 On Hold,
** 5 Closed; 3 and 5 are IsClosed). Ids are small integers per entity from
** 1: PropertyID, UnitID, TenantID, ProspectID (from the portfolio's
** applicants), ServiceManagerIssueID (from its work orders) are the
** portfolio index + 1; LeaseID i+1 is resident i's lease, ContactID i+1
** tenant i's primary contact, then prospects' primary contacts, then
** created ones (rentmanager.h has the layout, also of PhoneNumberID and
** AddressID). Unknown route -> 404 {"Message":
** "No HTTP resource was found that matches the request URI '...'."};
** another method -> 405 {Message}.
**
** Reads
**   Bare JSON arrays (a record by id: the object) of PascalCase members;
**   date-times are the location's local time without offset,
**   "2024-03-01T10:15:00" (the location clock is UTC unless
**   --utc-offset-minutes M; chosen), dates are date-times at midnight.
**   Query parameter names are case-insensitive:
**   pagesize   default 1000 (unpaged up to 1000 rows), >1000 -> 1000, < 1
**              or no integer -> 400; pagenumber 1-based, default 1.
**   A result that does not fit in one page answers 206 Partial Content with
**   Link: <url>; rel="first", <url>; rel="previous", <url>; rel="next",
**   <url>; rel="last" (previous/next when they exist; rel names as in the
**   research); a complete one 200. Both carry X-Total-Results (all
**   matching rows) and X-Results (rows in this page). A page past the end
**   is 206 with [] (chosen). A list with filters= that matches nothing is
**   404 {"Message": ...} (with X-Total-Results: 0); without filters an
**   empty collection is 200 [].
**   filters=Field,op,value[;Field,op,value...] (repeated filters=
**   parameters are ANDed too). Field names are case-insensitive scalar
**   members of the resource (no nested Property.X; 400). Operators (any
**   case): eq ne gt ge lt le, gtn gen ltn len (the same, or null), bt
**   (a,b) inclusive, in (a,b,...), ni (a,b,...), ct sw ew (text fields
**   only; case-insensitive), hv (true/false: has a non-empty value).
**   eq,null / ne,null test for null. Values are typed by the field:
**   integers, decimals, true/false (or 1/0), text (optionally in double or
**   single quotes; compared case-insensitively, as SQL Server does), and
**   for date-time fields YYYY-MM-DD, MM/DD/YYYY, or YYYY-MM-DDTHH:MM:SS
**   (or a space for T; fraction and a trailing Z are accepted and ignored),
**   read in the location's clock. Lists take parentheses: in,(1,2,3),
**   bt,(2024-01-01,2024-12-31). ne and ni are true for null fields (C#
**   semantics); other comparisons are false for null fields. A malformed
**   filter, unknown field or bad value -> 400 {"Message":"The request is
**   invalid.","ModelState":{"filters":["..."]}}. UpdateDate and CreateDate
**   filter on every resource but ChargeTypes (which have no stamps).
**   orderby=Field [ASC|DESC][, Field ...] (up to 4; nulls first ascending),
**   default by id; an unknown field -> 400 (ModelState "orderby").
**   embeds=A,B.C: Tenants Addresses, Contacts, Contacts.PhoneNumbers,
**   PrimaryContact, PrimaryContact.PhoneNumbers, Leases, Balance;
**   Prospects Addresses, Contacts, Contacts.PhoneNumbers, PrimaryContact,
**   PrimaryContact.PhoneNumbers; Units Addresses, CurrentOccupants;
**   Properties Addresses, PrimaryAddress; Contacts PhoneNumbers
**   (a ".PhoneNumberType" suffix is accepted; PhoneNumberType is always
**   inside a phone number). Without the embed its member is absent; an
**   unknown embed -> 400 (ModelState "embeds").
**   fields=A,B: only those members; an embed's member must be listed too
**   (the research says so); unknown name -> 400 (ModelState "fields").
**
** Writes (rentmanager_write.c), errors
**   4xx: {"Message": ..., "ModelState": {"key": ["..."]}} (ModelState only
**   with field errors); application errors (401, 409, 429, 500, 503, a
**   refused delete): {"UserMessage","DeveloperMessage","ErrorCode" (int),
**   "MoreInfoUri","Exception","Details","InnerException","AdditionalData"}.
**
** Rate limit (unless --no-rate-limit): 500 requests per minute per
** credential (username), the window starting at the first request and
** resetting 60 s later; over it -> 429 application error (ErrorCode 4290)
** with Retry-After: <seconds to the reset>. Admitted answers carry
** x-ratelimit-remaining and x-ratelimit-resettime (unix time) — LOW
** confidence: one client reads them, nothing confirms them.
**
** Faults: every shared kind applies to every API request, the login
** included, except token-expiry, which never applies to the login (or
** Deauthorize): at the fault point every token issued so far stops
** working (401, ErrorCode 1004); a token from a later login is exempt from
** token-expiry until the fault settings change (POST /__sandbox/config),
** so a client that logs in again once recovers.
**
** Speed: list pages are cached by (resource, query) and result sets (ids
** matching filters, sorted) by (resource, filters, orderby); writes clear
** both under the write lock.
*/
#include "rentmanager.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#define RM_MAX_PAGE 1000
#define RM_MAX_SORT 4

/* ------------------------------------------------------------------ */
/* Errors                                                               */

void rm_error_msg(sb_response *resp, int status, const char *msg,
                  const vd_errors *e){
  sb_buf *b = &resp->body;
  sb_response_reset(resp);
  resp->status = status;
  resp->content_type = SB_JSON_TYPE;
  SB_LIT(b, "{\"Message\":");
  jw_str(b, msg);
  if( e && e->n ){
    SB_LIT(b, ",\"ModelState\":{");
    /* One member per key, its messages in order. */
    int first = 1;
    for(int i = 0; i < e->n; i++){
      int seen = 0;
      for(int k = 0; k < i && !seen; k++) seen = strcmp(e->keys[k], e->keys[i]) == 0;
      if( seen ) continue;
      if( !first ) sb_putc(b, ',');
      first = 0;
      jw_str(b, e->keys[i]);
      SB_LIT(b, ":[");
      int m = 0;
      for(int k = i; k < e->n; k++){
        if( strcmp(e->keys[k], e->keys[i]) != 0 ) continue;
        if( m++ ) sb_putc(b, ',');
        jw_str(b, e->vals[k]);
      }
      sb_putc(b, ']');
    }
    sb_putc(b, '}');
  }
  sb_putc(b, '}');
}

void rm_error_app(sb_response *resp, int status, int code, const char *user,
                  const char *dev){
  sb_buf *b = &resp->body;
  sb_response_reset(resp);
  resp->status = status;
  resp->content_type = SB_JSON_TYPE;
  SB_LIT(b, "{\"UserMessage\":");
  jw_str(b, user);
  SB_LIT(b, ",\"DeveloperMessage\":");
  jw_str(b, dev);
  SB_LIT(b, ",\"ErrorCode\":");
  jw_int(b, code);
  SB_LIT(b, ",\"MoreInfoUri\":null,\"Exception\":null,\"Details\":null,"
            "\"InnerException\":null,\"AdditionalData\":null}");
}

static void rm_no_route(sb_response *resp, rm_ctx *c, const sb_request *req){
  sb_buf m = { 0 };
  SB_LIT(&m, "No HTTP resource was found that matches the request URI '");
  sb_puts(&m, c->base);
  sb_put(&m, req->path, strlen(req->path) > 500 ? 500 : strlen(req->path));
  if( *req->query ){
    sb_putc(&m, '?');
    sb_put(&m, req->query, strlen(req->query) > 500 ? 500 : strlen(req->query));
  }
  SB_LIT(&m, "'.");
  rm_error_msg(resp, 404, sb_cstr(&m), NULL);
  sb_buf_free(&m);
}

static void rm_bad_method(sb_response *resp, const char *method){
  char msg[160];
  snprintf(msg, sizeof(msg), "The requested resource does not support http method '%.20s'.", method);
  rm_error_msg(resp, 405, msg, NULL);
}

static void rm_invalid(sb_response *resp, const vd_errors *e){
  rm_error_msg(resp, 400, "The request is invalid.", e);
}

void rm_invalidate(rm_ctx *c){
  sb_list_cache_clear(&c->lists);
}

/* ------------------------------------------------------------------ */
/* Paths                                                                */

/* The path lower-cased, without the leading and trailing slashes. */
static void rm_norm_path(const char *path, char *out, size_t cap){
  size_t n = 0;
  while( *path == '/' ) path++;
  for(; *path && n + 1 < cap; path++) out[n++] = (char)tolower((unsigned char)*path);
  while( n && out[n - 1] == '/' ) n--;
  out[n] = 0;
}

static int rm_is_login(const char *norm){
  return strcmp(norm, "authentication/authorizeuser") == 0;
}

static int rm_is_deauth(const char *norm){
  return strcmp(norm, "authentication/deauthorize") == 0;
}

/* ------------------------------------------------------------------ */
/* Tokens                                                               */

static rm_token *rm_tok_find(rm_ctx *c, const char *tok){
  for(int i = 0; i < RM_MAX_TOKENS; i++){
    if( c->tokens[i].live && strcmp(c->tokens[i].tok, tok) == 0 ) return &c->tokens[i];
  }
  return NULL;
}

static void rm_tok_issue(rm_ctx *c, char *out){
  double now = dt_mono();
  rm_token *slot = NULL;
  pthread_mutex_lock(&c->tok_mu);
  for(int i = 0; i < RM_MAX_TOKENS && !slot; i++){
    if( !c->tokens[i].live || now - c->tokens[i].last_used > (double)c->ttl ) slot = &c->tokens[i];
  }
  if( !slot ){                                  /* evict the least recently used */
    slot = &c->tokens[0];
    for(int i = 1; i < RM_MAX_TOKENS; i++){
      if( c->tokens[i].last_used < slot->last_used ) slot = &c->tokens[i];
    }
  }
  uint64_t a = sb_mix64(c->seed ^ (++c->tok_counter * 0x9E3779B97F4A7C15ULL)
                        ^ (uint64_t)(now * 1e9));
  /* the second half carries the seed, so --accounts finds the account of
  ** a token (rm_account_seed) */
  uint64_t b = sb_mix64(a ^ 0x5eed) ^ c->seed;
  snprintf(slot->tok, sizeof(slot->tok), "%016llx%016llx",
           (unsigned long long)a, (unsigned long long)b);
  slot->last_used = now;
  slot->live = 1;
  slot->exempt_gen = c->wiped_gen;
  snprintf(out, 33, "%s", slot->tok);
  pthread_mutex_unlock(&c->tok_mu);
}

/* 1 = valid (and touched), 0 = unknown, 2 = expired (now forgotten). */
static int rm_tok_check(rm_ctx *c, const char *tok){
  double now = dt_mono();
  int r = 0;
  pthread_mutex_lock(&c->tok_mu);
  rm_token *t = rm_tok_find(c, tok);
  if( t ){
    if( now - t->last_used > (double)c->ttl ){
      t->live = 0;
      r = 2;
    }else{
      t->last_used = now;
      r = 1;
    }
  }
  pthread_mutex_unlock(&c->tok_mu);
  return r;
}

static void rm_tok_revoke(rm_ctx *c, const char *tok){
  pthread_mutex_lock(&c->tok_mu);
  rm_token *t = rm_tok_find(c, tok);
  if( t ) t->live = 0;
  pthread_mutex_unlock(&c->tok_mu);
}

/* ------------------------------------------------------------------ */
/* Query parameters                                                     */

static const char *rm_param(const sb_query *q, const char *key){
  for(int i = 0; i < q->n; i++){
    if( strcasecmp(q->p[i].key, key) == 0 ) return q->p[i].val;
  }
  return NULL;
}

static int rm_parse_long(const char *s, long long *out){
  char *end;
  if( !s ) return 0;
  while( *s == ' ' ) s++;
  if( !*s ) return 0;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  while( *end == ' ' ) end++;
  if( *end || errno ) return 0;
  *out = v;
  return 1;
}

static char *rm_trim(char *s){
  while( *s == ' ' || *s == '\t' ) s++;
  size_t n = strlen(s);
  while( n && (s[n - 1] == ' ' || s[n - 1] == '\t') ) s[--n] = 0;
  return s;
}

static char *rm_unquote(char *s){
  size_t n = strlen(s);
  if( n >= 2 && ((s[0] == '"' && s[n - 1] == '"') || (s[0] == '\'' && s[n - 1] == '\'')) ){
    s[n - 1] = 0;
    return s + 1;
  }
  return s;
}

/* Splits s in place at sep outside parentheses and quotes; returns count. */
static int rm_split(char *s, char sep, char **parts, int max){
  int n = 0, depth = 0;
  char quote = 0;
  parts[n++] = s;
  for(char *p = s; *p; p++){
    if( quote ){
      if( *p == quote ) quote = 0;
    }else if( *p == '"' || *p == '\'' ){
      quote = *p;
    }else if( *p == '(' ){
      depth++;
    }else if( *p == ')' ){
      if( depth ) depth--;
    }else if( *p == sep && depth == 0 ){
      *p = 0;
      if( n == max ) return -1;
      parts[n++] = p + 1;
    }
  }
  return n;
}

/* ------------------------------------------------------------------ */
/* RQL filters                                                          */

enum { OP_EQ, OP_NE, OP_GT, OP_GE, OP_LT, OP_LE, OP_BT, OP_IN, OP_NI, OP_CT,
       OP_SW, OP_EW, OP_HV };

typedef struct rm_cond {
  int field, op, ornull, cheap;
  char type;
  int nv;
  rm_val *v;
} rm_cond;

typedef struct rm_filter {
  int n;
  rm_cond *c;
  char *mem;                    /* the filter text the string values point into */
} rm_filter;

static void rm_filter_free(rm_filter *f){
  for(int i = 0; i < f->n; i++) free(f->c[i].v);
  free(f->c);
  free(f->mem);
  memset(f, 0, sizeof(*f));
}

static int rm_parse_value(rm_ctx *c, char type, char *s, rm_val *v){
  s = rm_unquote(rm_trim(s));
  memset(v, 0, sizeof(*v));
  if( strcasecmp(s, "null") == 0 ){
    v->null = 1;
    return 1;
  }
  switch( type ){
    case RT_INT: {
      long long x;
      if( !rm_parse_long(s, &x) ) return 0;
      v->i = x;
      return 1;
    }
    case RT_NUM:
    case RT_MONEY: {
      char *end;
      if( !*s ) return 0;
      double d = strtod(s, &end);
      if( *end || !isfinite(d) ) return 0;
      v->d = d;
      v->i = sb_llround(d * 100);
      return 1;
    }
    case RT_BOOL:
      if( strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0 ) v->i = 1;
      else if( strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0 ) v->i = 0;
      else return 0;
      return 1;
    case RT_TIME:
      return rm_parse_time(c, s, &v->i);
    default:
      v->s = s;
      return 1;
  }
}

static const char *rm_type_word(char type){
  switch( type ){
    case RT_INT: return "an integer";
    case RT_NUM: case RT_MONEY: return "a number";
    case RT_BOOL: return "true or false";
    case RT_TIME: return "a date (YYYY-MM-DD, MM/DD/YYYY or YYYY-MM-DDTHH:MM:SS)";
    default: return "text";
  }
}

/* Parses one or more filters= values (joined by ';'); 0 after errors. */
static int rm_filter_parse(rm_ctx *c, int kind, const char *text, rm_filter *f,
                           vd_errors *e){
  static const struct { const char *name; int op, ornull; } ops[] = {
    { "eq", OP_EQ, 0 }, { "ne", OP_NE, 0 }, { "gt", OP_GT, 0 }, { "ge", OP_GE, 0 },
    { "lt", OP_LT, 0 }, { "le", OP_LE, 0 }, { "gtn", OP_GT, 1 }, { "gen", OP_GE, 1 },
    { "ltn", OP_LT, 1 }, { "len", OP_LE, 1 }, { "bt", OP_BT, 0 }, { "in", OP_IN, 0 },
    { "ni", OP_NI, 0 }, { "ct", OP_CT, 0 }, { "sw", OP_SW, 0 }, { "ew", OP_EW, 0 },
    { "hv", OP_HV, 0 },
  };
  char *parts[256];
  f->mem = sb_xstrdup(text);
  int n = rm_split(f->mem, ';', parts, 256);
  if( n < 0 ){
    vd_add(e, "filters", "Too many filters (at most 256).");
    return 0;
  }
  f->c = sb_xcalloc((size_t)n, sizeof(rm_cond));
  for(int i = 0; i < n; i++){
    char *s = rm_trim(parts[i]);
    if( !*s ) continue;
    char *c1 = strchr(s, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
    if( !c1 || !c2 ){
      vd_add(e, "filters", "'%.200s' is not a valid filter: expected Field,operator,value.", s);
      return 0;
    }
    *c1 = 0;
    *c2 = 0;
    char *field = rm_trim(s), *opname = rm_trim(c1 + 1), *value = c2 + 1;
    int fi = rm_field_index(kind, field), oi = -1;
    if( fi < 0 ){
      vd_add(e, "filters", "'%.100s' is not a filterable field of %s.", field, rm_kinds[kind].name);
      return 0;
    }
    for(size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++){
      if( strcasecmp(ops[k].name, opname) == 0 ) oi = (int)k;
    }
    if( oi < 0 ){
      vd_add(e, "filters", "'%.50s' is not a valid filter operator (eq, ne, gt, ge, lt, le, "
             "gtn, gen, ltn, len, bt, in, ni, ct, sw, ew, hv).", opname);
      return 0;
    }
    rm_cond *cd = &f->c[f->n++];
    cd->field = fi;
    cd->type = rm_kinds[kind].fields[fi].type;
    cd->op = ops[oi].op;
    cd->ornull = ops[oi].ornull;
    cd->cheap = rm_field_cheap(kind, fi);
    const char *fname = rm_kinds[kind].fields[fi].name;
    if( (cd->op == OP_CT || cd->op == OP_SW || cd->op == OP_EW) && cd->type != RT_STR ){
      vd_add(e, "filters", "The operator '%s' applies to text fields only; %s is not text.",
             ops[oi].name, fname);
      return 0;
    }
    if( cd->op == OP_BT || cd->op == OP_IN || cd->op == OP_NI ){
      char *list = rm_trim(value), *items[1024];
      size_t ln = strlen(list);
      if( ln >= 2 && list[0] == '(' && list[ln - 1] == ')' ){
        list[ln - 1] = 0;
        list++;
      }
      int m = rm_split(list, ',', items, 1024);
      if( m < 0 || (cd->op == OP_BT && m != 2) ){
        vd_add(e, "filters", cd->op == OP_BT
               ? "The bt operator takes two values in parentheses: %s,bt,(low,high)."
               : "Too many values in the list of %s (at most 1024).", fname);
        return 0;
      }
      cd->v = sb_xcalloc((size_t)m, sizeof(rm_val));
      cd->nv = m;
      for(int k = 0; k < m; k++){
        if( !rm_parse_value(c, cd->type, items[k], &cd->v[k]) || (cd->op == OP_BT && cd->v[k].null) ){
          vd_add(e, "filters", "The value '%.100s' is not valid for %s: expected %s.",
                 rm_trim(items[k]), fname, rm_type_word(cd->type));
          return 0;
        }
      }
      continue;
    }
    cd->v = sb_xcalloc(1, sizeof(rm_val));
    cd->nv = 1;
    if( cd->op == OP_HV ){
      if( !rm_parse_value(c, RT_BOOL, value, &cd->v[0]) || cd->v[0].null ){
        vd_add(e, "filters", "The hv operator takes true or false.");
        return 0;
      }
      continue;
    }
    if( !rm_parse_value(c, cd->type, value, &cd->v[0]) ){
      vd_add(e, "filters", "The value '%.100s' is not valid for %s: expected %s.",
             rm_trim(value), fname, rm_type_word(cd->type));
      return 0;
    }
    if( cd->v[0].null && cd->op != OP_EQ && cd->op != OP_NE ){
      vd_add(e, "filters", "null can only be compared with eq or ne.");
      return 0;
    }
  }
  return 1;
}

static int rm_vcmp(char type, const rm_val *a, const rm_val *b){
  switch( type ){
    case RT_STR: return strcasecmp(a->s ? a->s : "", b->s ? b->s : "");
    case RT_NUM: return a->d < b->d ? -1 : a->d > b->d;
    case RT_MONEY: {
      int64_t x = a->i, y = b->i;
      return x < y ? -1 : x > y;
    }
    default: return a->i < b->i ? -1 : a->i > b->i;
  }
}

static int rm_cond_ok(const rm_cond *cd, const rm_val *a){
  const rm_val *v = cd->v;
  switch( cd->op ){
    case OP_EQ:
      if( v->null ) return a->null;
      return !a->null && rm_vcmp(cd->type, a, v) == 0;
    case OP_NE:
      if( v->null ) return !a->null;
      return a->null || rm_vcmp(cd->type, a, v) != 0;
    case OP_GT: return a->null ? cd->ornull : rm_vcmp(cd->type, a, v) > 0;
    case OP_GE: return a->null ? cd->ornull : rm_vcmp(cd->type, a, v) >= 0;
    case OP_LT: return a->null ? cd->ornull : rm_vcmp(cd->type, a, v) < 0;
    case OP_LE: return a->null ? cd->ornull : rm_vcmp(cd->type, a, v) <= 0;
    case OP_BT:
      return !a->null && rm_vcmp(cd->type, a, &v[0]) >= 0 && rm_vcmp(cd->type, a, &v[1]) <= 0;
    case OP_IN:
    case OP_NI: {
      int hit = 0;
      for(int k = 0; k < cd->nv && !hit; k++){
        hit = v[k].null ? a->null : (!a->null && rm_vcmp(cd->type, a, &v[k]) == 0);
      }
      return cd->op == OP_IN ? hit : !hit;
    }
    case OP_CT:
      return !a->null && a->s && strcasestr(a->s, v->s) != NULL;
    case OP_SW:
      return !a->null && a->s && strncasecmp(a->s, v->s, strlen(v->s)) == 0;
    case OP_EW: {
      if( a->null || !a->s ) return 0;
      size_t n = strlen(a->s), m = strlen(v->s);
      return n >= m && strcasecmp(a->s + n - m, v->s) == 0;
    }
    default: {                          /* OP_HV */
      int has = !a->null && !(cd->type == RT_STR && (!a->s || !*a->s));
      return has == (int)v->i;
    }
  }
}

static int rm_match(rm_ctx *c, int kind, uint32_t idx, const rm_filter *f,
                    rm_view *vw){
  int filled = 0;
  if( !rm_exists(c, kind, idx) ) return 0;
  for(int i = 0; i < f->n; i++){
    const rm_cond *cd = &f->c[i];
    rm_val a;
    if( !cd->cheap && !filled ){
      rm_view_fill(c, kind, idx, vw);
      filled = 1;
    }
    rm_value(c, kind, idx, cd->cheap ? NULL : vw, cd->field, &a);
    if( !rm_cond_ok(cd, &a) ) return 0;
  }
  return 1;
}

/* ------------------------------------------------------------------ */
/* orderby                                                              */

static int rm_sort_field(const void *kind, const char *name, int *is_str){
  int k = *(const int *)kind, f = rm_field_index(k, name);
  if( f >= 0 ) *is_str = rm_kinds[k].fields[f].type == RT_STR;
  return f;
}

/* "Field [ASC|DESC], ..." split the Rent Manager way (outside quotes and
** parentheses, at most 16 items), each item through the list engine. */
static int rm_parse_orderby(int kind, const char *s, sb_order *o, vd_errors *e){
  char buf[512], *parts[16], bad[128];
  snprintf(buf, sizeof(buf), "%s", s);
  int n = rm_split(buf, ',', parts, 16);
  o->n = 0;
  if( n < 0 ){
    vd_add(e, "orderby", "At most %d sort fields are supported.", RM_MAX_SORT);
    return 0;
  }
  for(int i = 0; i < n; i++){
    switch( sb_order_item(rm_trim(parts[i]), RM_MAX_SORT, rm_sort_field, &kind, o, bad, sizeof(bad)) ){
      case SB_ORDER_UNKNOWN:
        vd_add(e, "orderby", "'%.100s' is not a sortable field of %s.", bad, rm_kinds[kind].name);
        return 0;
      case SB_ORDER_DIRECTION:
        vd_add(e, "orderby", "The sort direction must be ASC or DESC.");
        return 0;
      case SB_ORDER_TOO_MANY:
        vd_add(e, "orderby", "At most %d sort fields are supported.", RM_MAX_SORT);
        return 0;
    }
  }
  return 1;
}

/* The list engine's view of one Rent Manager list: filters, sort keys
** (a record's view is filled once for all its keys) and rendering. */
typedef struct rm_listarg {
  rm_ctx *c;
  int kind;
  const rm_filter *f;
  rm_view *mvw, *svw;           /* for match, for sort keys */
  uint32_t sfilled;             /* the record svw holds, or UINT32_MAX */
  uint64_t fmask;
  unsigned emb;
} rm_listarg;

static int rm_match_cb(void *arg, uint32_t idx){
  rm_listarg *a = arg;
  return rm_match(a->c, a->kind, idx, a->f, a->mvw);
}

static const char *rm_value_cb(void *arg, uint32_t idx, int field, double *num){
  rm_listarg *a = arg;
  rm_val v;
  int cheap = rm_field_cheap(a->kind, field);
  if( !cheap && a->sfilled != idx ){
    rm_view_fill(a->c, a->kind, idx, a->svw);
    a->sfilled = idx;
  }
  rm_value(a->c, a->kind, idx, cheap ? NULL : a->svw, field, &v);
  char t = rm_kinds[a->kind].fields[field].type;
  if( t == RT_STR ) return v.null ? NULL : v.s;
  *num = v.null ? -HUGE_VAL : t == RT_NUM ? v.d : (double)v.i;
  return NULL;
}

static void rm_render_cb(void *arg, uint32_t idx, sb_buf *b){
  rm_listarg *a = arg;
  rm_render(a->c, a->kind, idx, a->fmask, a->emb, b);
}

/* ------------------------------------------------------------------ */
/* embeds= and fields=                                                  */

static int rm_parse_embeds(int kind, const char *s, unsigned *bits, vd_errors *e){
  char buf[1024], *parts[64];
  snprintf(buf, sizeof(buf), "%s", s);
  int n = rm_split(buf, ',', parts, 64);
  *bits = 0;
  for(int i = 0; i < n; i++){
    char *name = rm_trim(parts[i]);
    int hit = 0;
    if( !*name ) continue;
    for(const rm_embed *em = rm_kinds[kind].embeds; em->name && !hit; em++){
      if( strcasecmp(em->name, name) == 0 ){
        *bits |= em->bits;
        hit = 1;
      }
    }
    if( !hit ){
      vd_add(e, "embeds", "'%.100s' is not a valid embed for %s.", name, rm_kinds[kind].name);
      return 0;
    }
  }
  return 1;
}

/* fields=: the scalar mask and the embeds whose member is listed. */
static int rm_parse_fields(int kind, const char *s, uint64_t *mask,
                           unsigned *emb_ok, vd_errors *e){
  char buf[2048], *parts[128];
  snprintf(buf, sizeof(buf), "%s", s);
  int n = rm_split(buf, ',', parts, 128);
  *mask = 0;
  *emb_ok = 0;
  for(int i = 0; i < n; i++){
    char *name = rm_trim(parts[i]);
    if( !*name ) continue;
    int f = rm_field_index(kind, name), hit = f >= 0;
    if( f >= 0 ) *mask |= (uint64_t)1 << f;
    for(const rm_embed *em = rm_kinds[kind].embeds; em->name; em++){
      if( strcasecmp(em->key, name) == 0 ){
        *emb_ok |= em->bits;
        hit = 1;
      }
    }
    if( !hit ){
      vd_add(e, "fields", "'%.100s' is not a field of %s.", name, rm_kinds[kind].name);
      return 0;
    }
  }
  return 1;
}

typedef struct rm_params {
  sb_query q;
  char *filters;                /* joined filters= values, NULL if none */
  const char *orderby;
  sb_order ord;
  unsigned emb;
  uint64_t fmask;
  long pagesize, pagenumber;
  int has_pagesize, nocontent;
} rm_params;

static void rm_params_free(rm_params *p){
  free(p->filters);
  sb_query_free(&p->q);
}

/* Parses the query; 0 after filling resp with a 400. */
static int rm_params_parse(int kind, const sb_request *req, rm_params *p,
                           sb_response *resp){
  vd_errors e;
  sb_buf fb = { 0 };
  unsigned emb_ok = ~0u;
  memset(p, 0, sizeof(*p));
  sb_query_parse(req->query, &p->q);
  vd_init(&e);
  p->fmask = ~(uint64_t)0;
  p->pagesize = RM_MAX_PAGE;
  p->pagenumber = 1;
  for(int i = 0; i < p->q.n; i++){
    const char *k = p->q.p[i].key, *v = p->q.p[i].val;
    long long x;
    if( strcasecmp(k, "filters") == 0 ){
      if( fb.n && *v ) sb_putc(&fb, ';');
      sb_puts(&fb, v);
    }else if( strcasecmp(k, "embeds") == 0 || strcasecmp(k, "embed") == 0 ){
      unsigned bits;
      if( rm_parse_embeds(kind, v, &bits, &e) ) p->emb |= bits;
    }else if( strcasecmp(k, "fields") == 0 ){
      if( *v ) rm_parse_fields(kind, v, &p->fmask, &emb_ok, &e);
    }else if( strcasecmp(k, "orderby") == 0 ){
      p->orderby = v;
      rm_parse_orderby(kind, v, &p->ord, &e);
    }else if( strcasecmp(k, "pagesize") == 0 ){
      if( !rm_parse_long(v, &x) || x < 1 ){
        vd_add(&e, "pagesize", "The pagesize must be a positive integer (at most %d is used).", RM_MAX_PAGE);
      }else{
        p->pagesize = x > RM_MAX_PAGE ? RM_MAX_PAGE : (long)x;
        p->has_pagesize = 1;
      }
    }else if( strcasecmp(k, "pagenumber") == 0 ){
      if( !rm_parse_long(v, &x) || x < 1 || x > 100000000 ){
        vd_add(&e, "pagenumber", "The pagenumber must be a positive integer.");
      }else{
        p->pagenumber = (long)x;
      }
    }else if( strcasecmp(k, "nocontent") == 0 ){
      p->nocontent = strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0;
    }
  }
  p->emb &= emb_ok;
  if( fb.n ){
    sb_cstr(&fb);
    p->filters = fb.p;
  }else{
    sb_buf_free(&fb);
  }
  if( e.n ){
    rm_invalid(resp, &e);
    vd_free(&e);
    rm_params_free(p);
    return 0;
  }
  vd_free(&e);
  return 1;
}

/* ------------------------------------------------------------------ */
/* Lists                                                                */

static void rm_url_encode(sb_buf *b, const char *s){
  static const char hex[] = "0123456789ABCDEF";
  for(; *s; s++){
    unsigned char ch = (unsigned char)*s;
    if( isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~' ){
      sb_putc(b, (char)ch);
    }else{
      char t[3] = { '%', hex[ch >> 4], hex[ch & 15] };
      sb_put(b, t, 3);
    }
  }
}

static void rm_page_url(rm_ctx *c, const sb_request *req, const rm_params *p,
                        long page, sb_buf *b){
  sb_putc(b, '<');
  sb_puts(b, c->base);
  sb_puts(b, req->path);
  sb_putc(b, '?');
  for(int i = 0; i < p->q.n; i++){
    if( strcasecmp(p->q.p[i].key, "pagesize") == 0
        || strcasecmp(p->q.p[i].key, "pagenumber") == 0 ) continue;
    rm_url_encode(b, p->q.p[i].key);
    sb_putc(b, '=');
    rm_url_encode(b, p->q.p[i].val);
    sb_putc(b, '&');
  }
  sb_printf(b, "pagesize=%ld&pagenumber=%ld>", p->pagesize, page);
}

static void rm_link_header(rm_ctx *c, const sb_request *req, const rm_params *p,
                           long last, sb_response *resp){
  sb_buf *h = &resp->headers;
  long page = p->pagenumber;
  SB_LIT(h, "Link: ");
  rm_page_url(c, req, p, 1, h);
  SB_LIT(h, "; rel=\"first\"");
  if( page > 1 ){
    SB_LIT(h, ", ");
    rm_page_url(c, req, p, page - 1 > last ? last : page - 1, h);
    SB_LIT(h, "; rel=\"previous\"");
  }
  if( page < last ){
    SB_LIT(h, ", ");
    rm_page_url(c, req, p, page + 1, h);
    SB_LIT(h, "; rel=\"next\"");
  }
  SB_LIT(h, ", ");
  rm_page_url(c, req, p, last, h);
  SB_LIT(h, "; rel=\"last\"\r\n");
}

static void rm_list(rm_ctx *c, int kind, const sb_request *req, sb_response *resp){
  rm_params p;
  rm_filter f;
  vd_errors e;
  sb_buf key = { 0 }, page = { 0 };
  sb_blob *blob = NULL;
  memset(&f, 0, sizeof(f));
  vd_init(&e);
  if( !rm_params_parse(kind, req, &p, resp) ) return;
  int filtered = p.filters && *p.filters;
  long offset = (p.pagenumber - 1) * p.pagesize;

  sb_puts(&key, rm_kinds[kind].name);
  sb_putc(&key, '?');
  sb_puts(&key, req->query);
  pthread_rwlock_rdlock(&c->lock);
  blob = sb_cache_get(c->lists.pages, key.p, key.n);
  if( !blob ){
    if( filtered && !rm_filter_parse(c, kind, p.filters, &f, &e) ){
      pthread_rwlock_unlock(&c->lock);
      rm_invalid(resp, &e);
      goto out;
    }
    sb_buf rk = { 0 };
    sb_puts(&rk, rm_kinds[kind].name);
    sb_putc(&rk, '\x01');
    if( filtered ) sb_puts(&rk, p.filters);
    sb_putc(&rk, '\x01');
    if( p.orderby ) sb_puts(&rk, p.orderby);
    rm_listarg a = { .c = c, .kind = kind, .f = &f, .mvw = rm_view_new(), .svw = rm_view_new(),
                     .sfilled = UINT32_MAX, .fmask = p.fmask, .emb = p.emb };
    /* deleted records are skipped by rm_match: with deletions every list
    ** needs a result set */
    sb_select_spec sel = {
      .n = rm_count(c, kind), .filtered = filtered || c->ndeleted[kind] != 0,
      .match = rm_match_cb, .order = &p.ord, .value = rm_value_cb, .arg = &a,
      .cache = c->lists.results, .key = rk.p, .klen = rk.n,
    };
    sb_rows rows;
    sb_select(&sel, &rows);
    sb_buf_free(&rk);
    sb_rows_json(&rows, offset, p.pagesize, p.emb ? 2048 : 512, rm_render_cb, &a, &page);
    blob = sb_blob_from_buf(&page, rows.total);
    sb_rows_free(&rows);
    rm_view_free(a.mvw);
    rm_view_free(a.svw);
    sb_cache_put(c->lists.pages, key.p, key.n, blob);
  }
  pthread_rwlock_unlock(&c->lock);

  long total = (long)blob->aux;
  long rows = total > offset ? total - offset : 0;
  if( rows > p.pagesize ) rows = p.pagesize;
  if( total == 0 && filtered ){
    char msg[200];
    sb_blob_unref(blob);
    blob = NULL;
    snprintf(msg, sizeof(msg), "No %s were found that match the filters.", rm_kinds[kind].name);
    rm_error_msg(resp, 404, msg, NULL);
    SB_LIT(&resp->headers, "X-Total-Results: 0\r\n");
    goto out;
  }
  resp->content_type = SB_JSON_TYPE;
  resp->blob = blob;
  blob = NULL;
  resp->is_list = 1;
  resp->list_offset = offset;
  long last = total ? (total + p.pagesize - 1) / p.pagesize : 1;
  if( total > p.pagesize || p.pagenumber > 1 ){
    resp->status = 206;
    rm_link_header(c, req, &p, last, resp);
  }else{
    resp->status = 200;
  }
  sb_printf(&resp->headers, "X-Total-Results: %ld\r\nX-Results: %ld\r\n", total, rows);
out:
  sb_blob_unref(blob);
  sb_buf_free(&key);
  sb_buf_free(&page);
  rm_filter_free(&f);
  vd_free(&e);
  rm_params_free(&p);
}

static void rm_not_found_id(sb_response *resp, int kind, const char *id){
  char msg[200];
  snprintf(msg, sizeof(msg), "No %s was found with %sID %.30s.", rm_kinds[kind].singular,
           rm_kinds[kind].singular, id);
  rm_error_msg(resp, 404, msg, NULL);
}

/* A path id: digits only and in range; else PF_NONE. */
static uint32_t rm_path_id(const char *seg){
  long long v;
  for(const char *p = seg; *p; p++){
    if( !isdigit((unsigned char)*p) ) return PF_NONE;
  }
  if( !rm_parse_long(seg, &v) || v < 1 || v >= (long long)PF_NONE ) return PF_NONE;
  return (uint32_t)(v - 1);
}

static void rm_get_one(rm_ctx *c, int kind, const char *seg, const sb_request *req,
                       sb_response *resp){
  rm_params p;
  uint32_t idx = rm_path_id(seg);
  if( !rm_params_parse(kind, req, &p, resp) ) return;
  pthread_rwlock_rdlock(&c->lock);
  if( idx == PF_NONE || !rm_exists(c, kind, idx) ){
    pthread_rwlock_unlock(&c->lock);
    rm_not_found_id(resp, kind, seg);
    rm_params_free(&p);
    return;
  }
  resp->status = 200;
  resp->content_type = SB_JSON_TYPE;
  rm_render(c, kind, idx, p.fmask, p.emb, &resp->body);
  pthread_rwlock_unlock(&c->lock);
  rm_params_free(&p);
}

/* ------------------------------------------------------------------ */
/* Deletes                                                              */

static void rm_delete_contacts_of(rm_ctx *c, int pkind, uint32_t parent){
  uint32_t p = rm_primary_contact(c, pkind, parent);
  int k = pkind == RM_TENANTS ? 0 : 1;
  if( p != PF_NONE && rm_exists(c, RM_CONTACTS, p) ){
    rm_ovr_make(c, RM_CONTACTS, p)->deleted = 1;
    c->ndeleted[RM_CONTACTS]++;
  }
  for(uint32_t x = rm_head(c->xc_by_parent[k], c->xc_bp_cap[k], parent); x != PF_NONE; x = c->xc[x].next){
    uint32_t idx = c->Rg + c->Ag + x;
    if( rm_exists(c, RM_CONTACTS, idx) ){
      rm_ovr_make(c, RM_CONTACTS, idx)->deleted = 1;
      c->ndeleted[RM_CONTACTS]++;
    }
  }
}

static void rm_delete(rm_ctx *c, int kind, const char *seg, const sb_request *req,
                      sb_response *resp){
  uint32_t ids[1000];
  int n = 0;
  sb_query q;
  char idtext[32] = "";
  sb_query_parse(req->query, &q);
  if( seg ){
    ids[n++] = rm_path_id(seg);
    snprintf(idtext, sizeof(idtext), "%.30s", seg);
  }else{
    const char *list = rm_param(&q, "ids");
    char buf[8192], *parts[1000];
    vd_errors e;
    vd_init(&e);
    if( !list || !*list ){
      vd_add(&e, "ids", "Give the ids to delete: ?ids=1,2,3.");
    }else{
      snprintf(buf, sizeof(buf), "%s", list);
      char *s = buf;
      size_t ln = strlen(s);
      if( ln >= 2 && s[0] == '(' && s[ln - 1] == ')' ){ s[ln - 1] = 0; s++; }
      int m = rm_split(s, ',', parts, 1000);
      if( m < 0 ) vd_add(&e, "ids", "At most 1000 ids per request.");
      for(int i = 0; i < m && !e.n; i++){
        long long v;
        char *t = rm_trim(parts[i]);
        if( !rm_parse_long(t, &v) ) vd_add(&e, "ids", "'%.30s' is not an id.", t);
        else{
          ids[n++] = v < 1 || v >= (long long)PF_NONE ? PF_NONE : (uint32_t)(v - 1);
          if( ids[n - 1] == PF_NONE && !idtext[0] ) snprintf(idtext, sizeof(idtext), "%.30s", t);
        }
      }
    }
    if( e.n ){
      rm_invalid(resp, &e);
      vd_free(&e);
      sb_query_free(&q);
      return;
    }
    vd_free(&e);
  }
  sb_query_free(&q);
  pthread_rwlock_wrlock(&c->lock);
  for(int i = 0; i < n; i++){
    if( ids[i] == PF_NONE || !rm_exists(c, kind, ids[i]) ){
      char t[32];
      if( ids[i] != PF_NONE ) snprintf(t, sizeof(t), "%u", (unsigned)ids[i] + 1);
      pthread_rwlock_unlock(&c->lock);
      rm_not_found_id(resp, kind, ids[i] == PF_NONE ? idtext : t);
      return;
    }
    if( kind == RM_TENANTS ){
      uint32_t ls[2];
      if( rm_tenant_leases(c, ids[i], ls, 2) ){
        char dev[200];
        pthread_rwlock_unlock(&c->lock);
        snprintf(dev, sizeof(dev), "Tenant %u has leases; a tenant with leases or "
                 "transactions cannot be deleted.", (unsigned)ids[i] + 1);
        rm_error_app(resp, 400, RM_EC_DELETE_REFUSED,
                     "This tenant cannot be deleted because it has leases.", dev);
        return;
      }
    }
  }
  for(int i = 0; i < n; i++){
    rm_ovr *o = rm_ovr_make(c, kind, ids[i]);
    if( o->deleted ) continue;
    o->deleted = 1;
    c->ndeleted[kind]++;
    rm_delete_contacts_of(c, kind, ids[i]);
  }
  rm_invalidate(c);
  pthread_rwlock_unlock(&c->lock);
  resp->status = 204;
}

/* ------------------------------------------------------------------ */
/* Lookup lists                                                         */

typedef struct rm_lookup {
  const char *route, *idname;
  const char *const *names;
  int n;
} rm_lookup;

static const char *const rm_l_locations[] = { "Sandbox Location" };
static const char *const rm_l_phone[] = { "Home", "Work", "Cell", "Fax", "Other" };
static const char *const rm_l_addr[] = { "Primary", "Home", "Mailing", "Billing", "Work", "Other" };
static const char *const rm_l_contact[] = {
  "Tenant", "Prospect", "Roommate", "Co-Signer", "Emergency Contact", "Other"
};
static const char *const rm_l_unit[] = {
  "Studio", "One Bedroom", "Two Bedroom", "Three Bedroom", "Four Bedroom"
};
static const char *const rm_l_prio[] = { "Low", "Normal", "High" };
static const char *const rm_l_status[] = { "Open", "In Progress", "Completed", "On Hold", "Closed" };

static const rm_lookup rm_lookups[] = {
  { "locations", "LocationID", rm_l_locations, 1 },
  { "phonenumbertypes", "PhoneNumberTypeID", rm_l_phone, RM_NPHONE_TYPES },
  { "addresstypes", "AddressTypeID", rm_l_addr, RM_NADDR_TYPES },
  { "contacttypes", "ContactTypeID", rm_l_contact, RM_NCONTACT_TYPES },
  { "unittypes", "UnitTypeID", rm_l_unit, RM_NUNIT_TYPES },
  { "servicemanagerpriorities", "ServiceManagerPriorityID", rm_l_prio, 3 },
  { "servicemanagerstatuses", "ServiceManagerStatusID", rm_l_status, 5 },
};

static void rm_lookup_item(const rm_lookup *l, int i, sb_buf *b){
  sb_putc(b, '{');
  jw_str(b, l->idname);
  sb_putc(b, ':');
  jw_int(b, i + 1);
  SB_LIT(b, ",\"Name\":");
  jw_str(b, l->names[i]);
  if( l->names == rm_l_locations ) SB_LIT(b, ",\"FriendlyName\":\"Sandbox Location\"");
  else{
    SB_LIT(b, ",\"SortOrder\":");
    jw_int(b, i + 1);
  }
  sb_putc(b, '}');
}

static int rm_lookup_route(const char *c0, const char *c1, const sb_request *req,
                           sb_response *resp){
  for(size_t k = 0; k < sizeof(rm_lookups) / sizeof(rm_lookups[0]); k++){
    const rm_lookup *l = &rm_lookups[k];
    if( strcmp(c0, l->route) != 0 ) continue;
    if( strcmp(req->method, "GET") != 0 ){
      rm_bad_method(resp, req->method);
      return 1;
    }
    resp->content_type = SB_JSON_TYPE;
    if( c1 ){
      uint32_t id = rm_path_id(c1);
      if( id == PF_NONE || id >= (uint32_t)l->n ){
        char msg[160];
        snprintf(msg, sizeof(msg), "No record was found with %s %.30s.", l->idname, c1);
        rm_error_msg(resp, 404, msg, NULL);
        return 1;
      }
      resp->status = 200;
      rm_lookup_item(l, (int)id, &resp->body);
      return 1;
    }
    resp->status = 200;
    sb_putc(&resp->body, '[');
    for(int i = 0; i < l->n; i++){
      if( i ) sb_putc(&resp->body, ',');
      rm_lookup_item(l, i, &resp->body);
    }
    sb_putc(&resp->body, ']');
    sb_printf(&resp->headers, "X-Total-Results: %d\r\nX-Results: %d\r\n", l->n, l->n);
    return 1;
  }
  return 0;
}

/* ------------------------------------------------------------------ */
static void rm_login(rm_ctx *c, const sb_request *req, sb_response *resp){
  vd_errors e;
  cJSON *j = NULL;
  char tok[33], dev[256];
  resp->not_write = 1;
  if( strcmp(req->method, "POST") != 0 ){
    rm_bad_method(resp, req->method);
    return;
  }
  if( !sb_request_is_json(req) ){
    rm_error_msg(resp, 415, "The request entity's media type is not supported for this "
                 "resource; send application/json.", NULL);
    return;
  }
  vd_init(&e);
  j = cJSON_ParseWithLength(req->body ? req->body : "", req->body_len);
  if( !cJSON_IsObject(j) ){
    vd_add(&e, "model", "The request body must be a JSON object {\"Username\", \"Password\", \"LocationID\"}.");
    rm_invalid(resp, &e);
    goto out;
  }
  const cJSON *u = cJSON_GetObjectItem(j, "Username"), *pw = cJSON_GetObjectItem(j, "Password");
  const cJSON *loc = cJSON_GetObjectItem(j, "LocationID");
  long long location = 1;
  if( loc && !cJSON_IsNull(loc) ){
    if( cJSON_IsNumber(loc) && loc->valuedouble == (double)(long long)loc->valuedouble ){
      location = (long long)loc->valuedouble;
    }else if( !cJSON_IsString(loc) || !rm_parse_long(loc->valuestring, &location) ){
      vd_add(&e, "model.LocationID", "The LocationID must be an integer.");
    }
  }
  if( u && !cJSON_IsString(u) && !cJSON_IsNull(u) ) vd_add(&e, "model.Username", "The Username must be a string.");
  if( pw && !cJSON_IsString(pw) && !cJSON_IsNull(pw) ) vd_add(&e, "model.Password", "The Password must be a string.");
  if( e.n ){
    rm_invalid(resp, &e);
    goto out;
  }
  const char *us = cJSON_GetStringValue(u), *ps = cJSON_GetStringValue(pw);
  if( !us || !ps || strcmp(us, c->user) != 0 || strcmp(ps, c->pass) != 0 ){
    snprintf(dev, sizeof(dev), "Authentication failed for user '%.100s': invalid username or password.",
             us ? us : "");
    rm_error_app(resp, 401, RM_EC_BAD_LOGIN, "Invalid username or password.", dev);
    goto out;
  }
  if( location != 1 ){
    snprintf(dev, sizeof(dev), "User '%.100s' has no access to LocationID %lld; the user's "
             "locations are: 1.", us, location);
    rm_error_app(resp, 401, RM_EC_BAD_LOCATION, "You do not have access to the requested location.", dev);
    goto out;
  }
  rm_tok_issue(c, tok);
  resp->status = 200;
  resp->content_type = SB_JSON_TYPE;
  jw_str(&resp->body, tok);
out:
  vd_free(&e);
  cJSON_Delete(j);
}

static void rm_deauth(rm_ctx *c, const sb_request *req, sb_response *resp){
  sb_query q;
  resp->not_write = 1;
  if( strcmp(req->method, "POST") != 0 ){
    rm_bad_method(resp, req->method);
    return;
  }
  sb_query_parse(req->query, &q);
  const char *t = rm_param(&q, "token");
  if( !t ) t = sb_request_header(req, "X-RM12Api-ApiToken");
  if( t ) rm_tok_revoke(c, t);
  sb_query_free(&q);
  resp->status = 204;
}

/* ------------------------------------------------------------------ */
/* Routing                                                              */

static const char *const rm_routes[RM_NKINDS] = {
  "properties", "units", "tenants", "leases", "prospects",
  "servicemanagerissues", "contacts", "charges", "payments", "recurringcharges",
  "chargetypes", "vendors",
};

static void rm_route(rm_ctx *c, const sb_request *req, sb_response *resp){
  char path[512], *seg[4];
  int n = 0;
  const char *m = req->method;
  if( strlen(req->path) >= sizeof(path) ){
    rm_no_route(resp, c, req);
    return;
  }
  rm_norm_path(req->path, path, sizeof(path));
  if( rm_is_login(path) ){
    rm_login(c, req, resp);
    return;
  }
  if( rm_is_deauth(path) ){
    rm_deauth(c, req, resp);
    return;
  }
  for(char *s = path; s && *s && n < 4; ){
    char *slash = strchr(s, '/');
    if( slash ) *slash = 0;
    seg[n++] = s;
    s = slash ? slash + 1 : NULL;
  }
  if( n < 1 || n > 2 ){
    rm_no_route(resp, c, req);
    return;
  }
  if( n == 2 && strcmp(seg[0], "current") == 0 && strcmp(seg[1], "locations") == 0 ){
    rm_lookup_route("locations", NULL, req, resp);    /* GET /Current/Locations */
    return;
  }
  if( rm_lookup_route(seg[0], n > 1 ? seg[1] : NULL, req, resp) ) return;
  for(int kind = 0; kind < RM_NKINDS; kind++){
    if( strcmp(seg[0], rm_routes[kind]) != 0 ) continue;
    int del_ok = kind == RM_TENANTS || kind == RM_PROSPECTS;
    if( n == 1 ){
      if( strcmp(m, "GET") == 0 ){
        rm_list(c, kind, req, resp);
      }else if( strcmp(m, "POST") == 0 && rm_writable(kind) ){
        rm_params p;
        if( !rm_params_parse(kind, req, &p, resp) ) return;
        rm_write(c, kind, PF_NONE, p.emb, p.nocontent, req, resp);
        rm_params_free(&p);
      }else if( strcmp(m, "DELETE") == 0 && del_ok ){
        rm_delete(c, kind, NULL, req, resp);
      }else{
        rm_bad_method(resp, m);
      }
      return;
    }
    for(const char *p = seg[1]; *p; p++){
      if( !isdigit((unsigned char)*p) ){
        rm_no_route(resp, c, req);
        return;
      }
    }
    if( strcmp(m, "GET") == 0 ){
      rm_get_one(c, kind, seg[1], req, resp);
    }else if( strcmp(m, "POST") == 0 && rm_writable(kind) ){
      rm_params p;
      uint32_t idx = rm_path_id(seg[1]);
      if( !rm_params_parse(kind, req, &p, resp) ) return;
      if( idx == PF_NONE ) rm_not_found_id(resp, kind, seg[1]);
      else rm_write(c, kind, idx, p.emb, p.nocontent, req, resp);
      rm_params_free(&p);
    }else if( strcmp(m, "DELETE") == 0 && del_ok ){
      rm_delete(c, kind, seg[1], req, resp);
    }else{
      rm_bad_method(resp, m);
    }
    return;
  }
  rm_no_route(resp, c, req);
}

/* ------------------------------------------------------------------ */
/* The sb_vendor                                                        */

static void rm_credentials(const sb_options *opt, sb_buf *out){
  char u[64], p[64];
  snprintf(u, sizeof(u), "sandbox-user-%llu", (unsigned long long)opt->seed);
  snprintf(p, sizeof(p), "sandbox-pass-%llu", (unsigned long long)opt->seed);
  SB_LIT(out, "{\"username\":");
  jw_str(out, u);
  SB_LIT(out, ",\"password\":");
  jw_str(out, p);
  SB_LIT(out, ",\"location_id\":\"1\"");
  if( opt->require_partner_token ){
    char t[64];
    snprintf(t, sizeof(t), "sandbox-partner-%llu", (unsigned long long)opt->seed);
    SB_LIT(out, ",\"partner_token\":");
    jw_str(out, t);
  }
  sb_putc(out, '}');
}

static void *rm_open(sb_portfolio *pf, const sb_options *opt){
  rm_ctx *c = sb_xcalloc(1, sizeof(*c));
  c->pf = pf;
  sb_rwlock_init(&c->lock);
  pthread_mutex_init(&c->tok_mu, NULL);
  sb_list_cache_init(&c->lists, opt->cache_bytes);
  c->Pg = pf->props.gen;
  c->Ug = pf->units.gen;
  c->Rg = pf->res.gen;
  c->Ag = pf->apps.gen;
  c->next_phone_id = (int64_t)c->Rg * 3 + c->Ag + 1;
  c->next_addr_id = (int64_t)c->Pg + c->Ug + c->Rg + 1;
  c->tzoff = opt->utc_offset_minutes * 60;
  c->ttl = opt->token_ttl_seconds > 0 ? opt->token_ttl_seconds : 1800;
  c->require_partner = opt->require_partner_token;
  c->wiped_gen = -1;
  c->seed = opt->seed;
  snprintf(c->user, sizeof(c->user), "sandbox-user-%llu", (unsigned long long)opt->seed);
  snprintf(c->pass, sizeof(c->pass), "sandbox-pass-%llu", (unsigned long long)opt->seed);
  snprintf(c->partner, sizeof(c->partner), "sandbox-partner-%llu", (unsigned long long)opt->seed);
  snprintf(c->base, sizeof(c->base), "http://127.0.0.1");
  rm_money_open(c);
  return c;
}

static void rm_close(void *vs){
  rm_ctx *c = vs;
  if( !c ) return;
  for(int k = 0; k < RM_NKINDS; k++){
    for(uint32_t i = 0; i < c->ovr_cap[k]; i++){
      rm_ovr *o = c->ovr[k][i];
      if( !o ) continue;
      cJSON_Delete(o->j);
      cJSON_Delete(o->addrs);
      cJSON_Delete(o->phones);
      free(o);
    }
    free(c->ovr[k]);
  }
  free(c->xl);
  free(c->xc);
  free(c->xl_by_tenant);
  free(c->xl_by_unit);
  free(c->xc_by_parent[0]);
  free(c->xc_by_parent[1]);
  rm_money_close(c);
  sb_list_cache_free(&c->lists);
  pthread_rwlock_destroy(&c->lock);
  pthread_mutex_destroy(&c->tok_mu);
  free(c);
}

static void rm_set_base_url(void *vs, const char *url){
  rm_ctx *c = vs;
  snprintf(c->base, sizeof(c->base), "%s", url);
}

static int rm_authorize(void *vs, const sb_request *req, char *key, size_t keylen,
                        sb_response *resp){
  rm_ctx *c = vs;
  char path[256];
  rm_norm_path(req->path, path, sizeof(path));
  if( c->require_partner ){
    const char *pt = sb_request_header(req, "X-RM12API-PartnerToken");
    if( !pt || strcmp(pt, c->partner) != 0 ){
      rm_error_app(resp, 401, RM_EC_PARTNER, "Authorization has been denied for this request.",
                   pt ? "The X-RM12API-PartnerToken header is not a valid partner token."
                      : "This integration requires the X-RM12API-PartnerToken header.");
      return 0;
    }
  }
  if( rm_is_login(path) || rm_is_deauth(path) ){
    /* The rate-limit identity of a login is the user it names. */
    cJSON *j = cJSON_ParseWithLength(req->body ? req->body : "", req->body_len);
    const char *u = cJSON_GetStringValue(cJSON_GetObjectItem(j, "Username"));
    snprintf(key, keylen, "%s", u ? u : c->user);
    cJSON_Delete(j);
    resp->not_write = 1;
    return 1;
  }
  const char *tok = sb_request_header(req, "X-RM12Api-ApiToken");
  if( !tok || !*tok ){
    rm_error_app(resp, 401, RM_EC_NO_TOKEN, "Authorization has been denied for this request.",
                 "The X-RM12Api-ApiToken header is missing: log in with POST "
                 "/Authentication/AuthorizeUser and send the token it returns.");
    return 0;
  }
  int r = rm_tok_check(c, tok);
  if( r != 1 ){
    rm_error_app(resp, 401, RM_EC_BAD_TOKEN, "Your session has expired. Please log in again.",
                 r == 2 ? "The API token has expired; log in again with POST /Authentication/AuthorizeUser."
                        : "The API token is not valid (unknown, revoked or expired); log in again.");
    return 0;
  }
  const char *loc = sb_request_header(req, "X-RM12Api-LocationId");
  long long lv;
  if( loc && (!rm_parse_long(loc, &lv) || lv != 1) ){
    char dev[160];
    snprintf(dev, sizeof(dev), "X-RM12Api-LocationId '%.40s' is not a location of this user; "
             "the user's locations are: 1.", loc);
    rm_error_app(resp, 401, RM_EC_BAD_LOCATION, "You do not have access to the requested location.", dev);
    return 0;
  }
  snprintf(key, keylen, "%s", c->user);
  return 1;
}

static void rm_handle(void *vs, const sb_request *req, sb_response *resp){
  rm_ctx *c = vs;
  resp->content_type = SB_JSON_TYPE;
  rm_route(c, req, resp);
}

static void rm_vendor_error(void *vs, int status, const char *msg, sb_response *resp){
  (void)vs;
  switch( status ){
    case 401:
      rm_error_app(resp, 401, RM_EC_BAD_TOKEN, "Your session has expired. Please log in again.",
                   "The API token is no longer valid (it was revoked); log in again with "
                   "POST /Authentication/AuthorizeUser.");
      break;
    case 429:
      rm_error_app(resp, 429, RM_EC_RATE_LIMIT, "Too many requests. Please try again later.", msg);
      break;
    case 503:
      rm_error_app(resp, 503, RM_EC_UNAVAILABLE, "The service is temporarily unavailable.", msg);
      break;
    case 500:
      rm_error_app(resp, 500, RM_EC_INTERNAL, "An error has occurred.", msg);
      break;
    default:
      rm_error_msg(resp, status, msg, NULL);
      break;
  }
}

static int rm_fault(void *vs, const sb_request *req, int fault){
  rm_ctx *c = vs;
  char path[256];
  if( fault != SB_FAULT_TOKEN_EXPIRY ) return fault;
  rm_norm_path(req->path, path, sizeof(path));
  if( rm_is_login(path) || rm_is_deauth(path) ) return SB_FAULT_NONE;
  int64_t gen = (int64_t)ctl_fault_generation();
  const char *tok = sb_request_header(req, "X-RM12Api-ApiToken");
  pthread_mutex_lock(&c->tok_mu);
  rm_token *t = tok ? rm_tok_find(c, tok) : NULL;
  if( t && t->exempt_gen == gen ){
    pthread_mutex_unlock(&c->tok_mu);
    return SB_FAULT_NONE;
  }
  for(int i = 0; i < RM_MAX_TOKENS; i++) c->tokens[i].live = 0;
  c->wiped_gen = gen;
  pthread_mutex_unlock(&c->tok_mu);
  return fault;
}

static void rm_counts(void *vs, sb_buf *b){
  rm_ctx *c = vs;
  static const int kinds[SB_NMODELS] = {
    [SB_M_PROPERTIES] = RM_PROPERTIES, [SB_M_UNITS] = RM_UNITS, [SB_M_RESIDENTS] = RM_TENANTS,
    [SB_M_LEASES] = RM_LEASES, [SB_M_APPLICANTS] = -1, [SB_M_LEADS] = RM_PROSPECTS,
    [SB_M_SERVICE_REQUESTS] = RM_ISSUES,
  };
  int64_t n[SB_NMODELS];
  pthread_rwlock_rdlock(&c->lock);
  for(int m = 0; m < SB_NMODELS; m++){
    n[m] = kinds[m] < 0 ? 0 : (int64_t)rm_count(c, kinds[m]) - c->ndeleted[kinds[m]];
  }
  sb_counts_json(b, n, "contacts", (int64_t)rm_count(c, RM_CONTACTS) - c->ndeleted[RM_CONTACTS]);
  pthread_rwlock_unlock(&c->lock);
}

/* --accounts: a login names its user "sandbox-user-<seed>"; every other
** request carries a token whose second half is the seed masked by its
** first (rm_tok_issue). */
static int rm_account_seed(const sb_request *req, uint64_t *seed){
  char path[256];
  rm_norm_path(req->path, path, sizeof(path));
  if( rm_is_login(path) ){
    cJSON *j = cJSON_ParseWithLength(req->body ? req->body : "", req->body_len);
    int ok = sb_seed_after(cJSON_GetStringValue(cJSON_GetObjectItem(j, "Username")),
                           "sandbox-user-", 0, seed);
    cJSON_Delete(j);
    return ok;
  }
  const char *t = sb_request_header(req, "X-RM12Api-ApiToken");
  sb_query q;
  char tok[40] = "";
  if( !t && rm_is_deauth(path) ){
    sb_query_parse(req->query, &q);
    const char *qt = rm_param(&q, "token");
    snprintf(tok, sizeof(tok), "%s", qt ? qt : "");
    sb_query_free(&q);
    t = tok;
  }
  char half[17];
  uint64_t a, b;
  char *end;
  if( !t || strlen(t) != 32 ) return 0;
  memcpy(half, t, 16);
  half[16] = 0;
  a = strtoull(half, &end, 16);
  if( *end ) return 0;
  b = strtoull(t + 16, &end, 16);
  if( *end ) return 0;
  *seed = b ^ sb_mix64(a ^ 0x5eed);
  return 1;
}

const sb_vendor sb_vendor_rentmanager = {
  .name = "rentmanager",
  .api_prefix = "/",
  .rate_per_sec = 0,
  .rate_per_min = 500,
  .open = rm_open,
  .close = rm_close,
  .credentials = rm_credentials,
  .set_base_url = rm_set_base_url,
  .authorize = rm_authorize,
  .handle = rm_handle,
  .error = rm_vendor_error,
  .counts = rm_counts,
  .fault = rm_fault,
  .account_seed = rm_account_seed,
};
