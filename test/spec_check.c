/*
** spec_check.c — holds recorded API traffic to a vendor's published
** OpenAPI 3.0 spec (test/sandbox_spec.test runs it).
**
**   spec-check SPEC.json RECORD.jsonl [--requests] [--max N]
**
** RECORD.jsonl is what `pms-sandbox --record FILE` writes (sandbox/
** record.c): one API call a line. For every call without an injected fault
** it checks the answer:
**   - the path and method are an operation of the spec (after the path of
**     the spec's first server URL);
**   - the status code is one the operation declares (or "default"), and
**     a 204 has no body;
**   - a body declared as application/json parses and validates against
**     the declared schema: type, format (int32, int64, date, date-time),
**     enum, required, nullable, maxLength, minimum, items, properties,
**     $ref and allOf/oneOf/anyOf, and no property the object's schema does
**     not define (stricter than additionalProperties, on purpose: a
**     sandbox must not invent fields, and a real server of a spec without
**     additionalProperties false does not either).
** With --requests it also checks what the client sent: every query
** parameter is declared for the operation and its value fits the
** parameter's schema (arrays as repeated keys or comma lists), required
** query parameters are there, and a JSON request body validates against
** the operation's requestBody schema (a body where none is declared is a
** violation).
**
** Prints one line per violation ("METHOD /path?query [status]: what is
** wrong at which JSON path"), at most --max of them (default 200), then
** "N calls checked, N skipped (faults), N violations"; exit status 1 if
** there are violations, 2 on a usage or file error.
**
** pattern is not checked (the spec's patterns are ECMAScript regular
** expressions); readOnly and writeOnly are not enforced.
*/
#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sc_ctx {
  const cJSON *spec;
  const char *base;             /* server path prefix, "" for "/" */
  size_t baselen;
  int requests;
  long nviol, maxviol;
  const char *where;            /* "GET /v1/x?y [200]" of the call */
} sc_ctx;

static void sc_viol(sc_ctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void sc_viol(sc_ctx *c, const char *path, const char *fmt, ...){
  va_list ap;
  c->nviol++;
  if( c->nviol > c->maxviol ) return;
  printf("%s: %s%s", c->where, path && *path ? path : "", path && *path ? ": " : "");
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
}

static char *sc_read_file(const char *path, size_t *len){
  FILE *f = fopen(path, "rb");
  if( !f ) return NULL;
  size_t cap = 1 << 20, n = 0;
  char *p = malloc(cap);
  for(;;){
    if( n + 1 >= cap ){
      cap *= 2;
      p = realloc(p, cap);
    }
    size_t got = fread(p + n, 1, cap - n - 1, f);
    if( got == 0 ) break;
    n += got;
  }
  fclose(f);
  p[n] = 0;
  if( len ) *len = n;
  return p;
}

/* ------------------------------------------------------------------ */
/* Schemas                                                              */

/* "#/components/schemas/X" -> the node, or NULL. */
static const cJSON *sc_ref(sc_ctx *c, const char *ref){
  if( strncmp(ref, "#/", 2) != 0 ) return NULL;
  const cJSON *n = c->spec;
  char part[256];
  const char *p = ref + 2;
  while( *p && n ){
    size_t k = strcspn(p, "/");
    if( k >= sizeof(part) ) return NULL;
    memcpy(part, p, k);
    part[k] = 0;
    n = cJSON_GetObjectItemCaseSensitive(n, part);
    p += k;
    if( *p == '/' ) p++;
  }
  return n;
}

static const cJSON *sc_deref(sc_ctx *c, const cJSON *s){
  for(int i = 0; s && i < 32; i++){
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(s, "$ref");
    if( !cJSON_IsString(r) ) return s;
    s = sc_ref(c, r->valuestring);
  }
  return s;
}

static int sc_flag(const cJSON *s, const char *name){
  return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, name));
}

/* May the schema be null (OpenAPI 3.0 "nullable", also on a wrapper of
** allOf/oneOf/anyOf)? */
static int sc_nullable(sc_ctx *c, const cJSON *s, int depth){
  s = sc_deref(c, s);
  if( !s || depth > 16 ) return 1;
  if( sc_flag(s, "nullable") ) return 1;
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(s, "type");
  if( cJSON_IsString(t) && strcmp(t->valuestring, "null") == 0 ) return 1;
  const cJSON *all = cJSON_GetObjectItemCaseSensitive(s, "allOf");
  if( cJSON_IsArray(all) ){
    const cJSON *m;
    cJSON_ArrayForEach(m, all){ if( !sc_nullable(c, m, depth + 1) ) return 0; }
    return 1;
  }
  const char *alts[] = { "oneOf", "anyOf" };
  for(int i = 0; i < 2; i++){
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(s, alts[i]), *m;
    if( !cJSON_IsArray(a) ) continue;
    cJSON_ArrayForEach(m, a){ if( sc_nullable(c, m, depth + 1) ) return 1; }
    return 0;
  }
  /* A schema that says nothing about the type accepts anything. */
  return !t && !cJSON_GetObjectItemCaseSensitive(s, "properties")
         && !cJSON_GetObjectItemCaseSensitive(s, "items")
         && !cJSON_GetObjectItemCaseSensitive(s, "enum");
}

static int sc_digits(const char *s, int n){
  for(int i = 0; i < n; i++) if( !isdigit((unsigned char)s[i]) ) return 0;
  return 1;
}

static int sc_is_date(const char *s){
  return strlen(s) == 10 && sc_digits(s, 4) && s[4] == '-' && sc_digits(s + 5, 2)
         && s[7] == '-' && sc_digits(s + 8, 2)
         && atoi(s + 5) >= 1 && atoi(s + 5) <= 12 && atoi(s + 8) >= 1 && atoi(s + 8) <= 31;
}

/* RFC 3339 date-time: date "T" hh:mm:ss[.frac] ("Z" | +hh:mm | -hh:mm). */
static int sc_is_datetime(const char *s){
  char d[11];
  if( strlen(s) < 20 ) return 0;
  memcpy(d, s, 10);
  d[10] = 0;
  if( !sc_is_date(d) || (s[10] != 'T' && s[10] != 't') ) return 0;
  const char *t = s + 11;
  if( !sc_digits(t, 2) || t[2] != ':' || !sc_digits(t + 3, 2) || t[5] != ':'
      || !sc_digits(t + 6, 2) ) return 0;
  t += 8;
  if( *t == '.' ){
    t++;
    if( !isdigit((unsigned char)*t) ) return 0;
    while( isdigit((unsigned char)*t) ) t++;
  }
  if( *t == 'Z' || *t == 'z' ) return t[1] == 0;
  if( *t != '+' && *t != '-' ) return 0;
  return sc_digits(t + 1, 2) && t[3] == ':' && sc_digits(t + 4, 2) && t[6] == 0;
}

static size_t sc_utf8_len(const char *s){
  size_t n = 0;
  for(; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
  return n;
}

static void sc_value(sc_ctx *c, const cJSON *s, const cJSON *v, const char *path, int depth);

static int sc_type_ok(const char *type, const cJSON *v){
  if( strcmp(type, "string") == 0 ) return cJSON_IsString(v);
  if( strcmp(type, "boolean") == 0 ) return cJSON_IsBool(v);
  if( strcmp(type, "array") == 0 ) return cJSON_IsArray(v);
  if( strcmp(type, "object") == 0 ) return cJSON_IsObject(v);
  if( strcmp(type, "number") == 0 ) return cJSON_IsNumber(v);
  if( strcmp(type, "integer") == 0 ){
    return cJSON_IsNumber(v) && v->valuedouble == (double)(long long)v->valuedouble;
  }
  return 1;
}

static const char *sc_kind(const cJSON *v){
  if( cJSON_IsNull(v) ) return "null";
  if( cJSON_IsBool(v) ) return "boolean";
  if( cJSON_IsNumber(v) ) return "number";
  if( cJSON_IsString(v) ) return "string";
  if( cJSON_IsArray(v) ) return "array";
  return "object";
}

/* Is v valid against s? (for oneOf/anyOf: a silent trial run) */
static int sc_quiet_ok(sc_ctx *c, const cJSON *s, const cJSON *v, int depth){
  long n = c->nviol, max = c->maxviol;
  c->maxviol = -1;
  sc_value(c, s, v, "", depth);
  int ok = c->nviol == n;
  c->nviol = n;
  c->maxviol = max;
  return ok;
}

static void sc_object(sc_ctx *c, const cJSON *s, const cJSON *v, const char *path, int depth){
  char sub[1024];
  const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
  const cJSON *req = cJSON_GetObjectItemCaseSensitive(s, "required");
  const cJSON *addl = cJSON_GetObjectItemCaseSensitive(s, "additionalProperties");
  const cJSON *m;
  cJSON_ArrayForEach(m, req){
    if( cJSON_IsString(m) && !cJSON_GetObjectItemCaseSensitive(v, m->valuestring) ){
      sc_viol(c, path, "required property '%s' is missing", m->valuestring);
    }
  }
  cJSON_ArrayForEach(m, v){
    const cJSON *ps = props ? cJSON_GetObjectItemCaseSensitive(props, m->string) : NULL;
    snprintf(sub, sizeof(sub), "%s.%s", path, m->string);
    if( ps ){
      sc_value(c, ps, m, sub, depth + 1);
    }else if( cJSON_IsObject(addl) ){
      sc_value(c, addl, m, sub, depth + 1);
    }else if( props || cJSON_IsFalse(addl) ){
      sc_viol(c, path, "property '%s' is not defined by the spec", m->string);
    }
  }
}

static void sc_value(sc_ctx *c, const cJSON *s, const cJSON *v, const char *path, int depth){
  char sub[1024];
  s = sc_deref(c, s);
  if( !s ){
    sc_viol(c, path, "unresolvable $ref in the spec");
    return;
  }
  if( depth > 64 ) return;
  if( cJSON_IsNull(v) ){
    if( !sc_nullable(c, s, 0) ) sc_viol(c, path, "null where the spec does not allow null");
    return;
  }
  const cJSON *all = cJSON_GetObjectItemCaseSensitive(s, "allOf"), *m;
  cJSON_ArrayForEach(m, all){ sc_value(c, m, v, path, depth + 1); }
  const char *alts[] = { "oneOf", "anyOf" };
  for(int i = 0; i < 2; i++){
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(s, alts[i]);
    if( !cJSON_IsArray(a) ) continue;
    int hits = 0;
    cJSON_ArrayForEach(m, a){ hits += sc_quiet_ok(c, m, v, depth + 1); }
    if( i == 0 ? hits != 1 : hits == 0 ){
      sc_viol(c, path, "matches %d of the %s alternatives", hits, alts[i]);
    }
  }
  const cJSON *type = cJSON_GetObjectItemCaseSensitive(s, "type");
  if( cJSON_IsString(type) && !sc_type_ok(type->valuestring, v) ){
    sc_viol(c, path, "%s where the spec says %s", sc_kind(v), type->valuestring);
    return;
  }
  const cJSON *en = cJSON_GetObjectItemCaseSensitive(s, "enum");
  if( cJSON_IsArray(en) ){
    int hit = 0;
    cJSON_ArrayForEach(m, en){ hit |= cJSON_Compare(m, v, 1); }
    if( !hit ){
      char *txt = cJSON_PrintUnformatted(v);
      sc_viol(c, path, "%.80s is not one of the spec's enum values", txt);
      free(txt);
    }
  }
  const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(s, "format");
  if( cJSON_IsString(fmt) ){
    const char *f = fmt->valuestring;
    if( cJSON_IsString(v) && strcmp(f, "date") == 0 && !sc_is_date(v->valuestring) ){
      sc_viol(c, path, "'%.60s' is not a date (YYYY-MM-DD)", v->valuestring);
    }else if( cJSON_IsString(v) && strcmp(f, "date-time") == 0 && !sc_is_datetime(v->valuestring) ){
      sc_viol(c, path, "'%.60s' is not an RFC 3339 date-time", v->valuestring);
    }else if( cJSON_IsNumber(v) && strcmp(f, "int32") == 0
              && (v->valuedouble < -2147483648.0 || v->valuedouble > 2147483647.0) ){
      sc_viol(c, path, "%.0f is out of the int32 range", v->valuedouble);
    }
  }
  const cJSON *ml = cJSON_GetObjectItemCaseSensitive(s, "maxLength");
  if( cJSON_IsNumber(ml) && cJSON_IsString(v) && sc_utf8_len(v->valuestring) > (size_t)ml->valuedouble ){
    sc_viol(c, path, "longer than maxLength %d", ml->valueint);
  }
  const cJSON *mn = cJSON_GetObjectItemCaseSensitive(s, "minimum");
  if( cJSON_IsNumber(mn) && cJSON_IsNumber(v) && v->valuedouble < mn->valuedouble ){
    sc_viol(c, path, "%g is below the minimum %g", v->valuedouble, mn->valuedouble);
  }
  if( cJSON_IsArray(v) ){
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(s, "items");
    int i = 0;
    if( items ){
      cJSON_ArrayForEach(m, v){
        snprintf(sub, sizeof(sub), "%s[%d]", path, i++);
        sc_value(c, items, m, sub, depth + 1);
      }
    }
  }else if( cJSON_IsObject(v) && !all
            && (cJSON_GetObjectItemCaseSensitive(s, "properties")
                || cJSON_GetObjectItemCaseSensitive(s, "additionalProperties")) ){
    sc_object(c, s, v, path, depth);
  }
}

/* ------------------------------------------------------------------ */
/* Operations                                                           */

/* Does the path template match the concrete path? Returns the number of
** literal segments matched (more = more specific), -1 if no match. */
static int sc_path_match(const char *tmpl, const char *path){
  int lits = 0;
  while( *tmpl && *path ){
    if( *tmpl != '/' || *path != '/' ) return -1;
    tmpl++, path++;
    size_t tn = strcspn(tmpl, "/"), pn = strcspn(path, "/");
    if( tn > 1 && tmpl[0] == '{' && tmpl[tn - 1] == '}' ){
      if( pn == 0 ) return -1;
    }else{
      if( tn != pn || strncmp(tmpl, path, tn) != 0 ) return -1;
      lits++;
    }
    tmpl += tn;
    path += pn;
  }
  return *tmpl || *path ? -1 : lits;
}

/* The path item for path, or NULL; *tmpl gets its template. The most
** literal template wins; among equals, one that has the method (specs
** split one path over templates that differ only in a parameter's name,
** e.g. Propertyware's /leases/{leaseID} and /leases/{leaseId}). */
static const cJSON *sc_find_path(sc_ctx *c, const char *path, const char *method,
                                 const char **tmpl){
  const cJSON *paths = cJSON_GetObjectItemCaseSensitive(c->spec, "paths"), *p, *best = NULL;
  int bestscore = -1;
  cJSON_ArrayForEach(p, paths){
    int l = sc_path_match(p->string, path);
    if( l < 0 ) continue;
    int score = l * 2 + (cJSON_GetObjectItemCaseSensitive(p, method) != NULL);
    if( score > bestscore ){
      bestscore = score;
      best = p;
    }
  }
  if( best ) *tmpl = best->string;
  return best;
}

static int sc_url_decode(char *s){
  char *o = s;
  for(char *p = s; *p; p++){
    if( *p == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2]) ){
      char h[3] = { p[1], p[2], 0 };
      *o++ = (char)strtol(h, NULL, 16);
      p += 2;
    }else if( *p == '+' ){
      *o++ = ' ';
    }else{
      *o++ = *p;
    }
  }
  *o = 0;
  return (int)(o - s);
}

/* A query or path parameter's text against its (scalar) schema. */
static void sc_param_text(sc_ctx *c, const cJSON *s, const char *text, const char *path){
  s = sc_deref(c, s);
  const cJSON *type = cJSON_GetObjectItemCaseSensitive(s, "type");
  const char *t = cJSON_IsString(type) ? type->valuestring : "string";
  cJSON *v = NULL;
  if( strcmp(t, "integer") == 0 || strcmp(t, "number") == 0 ){
    char *end;
    errno = 0;
    double d = strtod(text, &end);
    if( !*text || *end || errno || isspace((unsigned char)*text) ){
      sc_viol(c, path, "'%.60s' is not a number", text);
      return;
    }
    v = cJSON_CreateNumber(d);
  }else if( strcmp(t, "boolean") == 0 ){
    if( strcmp(text, "true") != 0 && strcmp(text, "false") != 0 ){
      sc_viol(c, path, "'%.60s' is not true or false", text);
      return;
    }
    v = cJSON_CreateBool(strcmp(text, "true") == 0);
  }else{
    v = cJSON_CreateString(text);
  }
  sc_value(c, s, v, path, 0);
  cJSON_Delete(v);
}

/* The parameters of an operation and of its path item, dereferenced, into
** out (at most max); returns how many. */
static int sc_params(sc_ctx *c, const cJSON *op, const cJSON *item, const cJSON **out, int max){
  const cJSON *lists[2] = { cJSON_GetObjectItemCaseSensitive(op, "parameters"),
                            cJSON_GetObjectItemCaseSensitive(item, "parameters") };
  int n = 0;
  for(int k = 0; k < 2; k++){
    const cJSON *p;
    cJSON_ArrayForEach(p, lists[k]){
      const cJSON *d = sc_deref(c, p);
      if( d && n < max ) out[n++] = d;
    }
  }
  return n;
}

/* Is parameter d in "in" (and named name, unless NULL)? */
static int sc_param_is(const cJSON *d, const char *in, const char *name){
  const cJSON *pin = cJSON_GetObjectItemCaseSensitive(d, "in");
  const cJSON *pn = cJSON_GetObjectItemCaseSensitive(d, "name");
  return cJSON_IsString(pin) && cJSON_IsString(pn) && strcmp(pin->valuestring, in) == 0
         && (name == NULL || strcmp(pn->valuestring, name) == 0);
}

/* The parameter "name" (in "in") of an operation or its path item. */
static const cJSON *sc_param(sc_ctx *c, const cJSON *op, const cJSON *item,
                             const char *in, const char *name){
  const cJSON *ps[256];
  int n = sc_params(c, op, item, ps, 256);
  for(int i = 0; i < n; i++) if( sc_param_is(ps[i], in, name) ) return ps[i];
  return NULL;
}

static void sc_check_query(sc_ctx *c, const cJSON *op, const cJSON *item, const char *query){
  char *q = strdup(query), *save = NULL;
  char names[64][64];
  int nnames = 0;
  for(char *kv = strtok_r(q, "&", &save); kv; kv = strtok_r(NULL, "&", &save)){
    char *eq = strchr(kv, '=');
    if( eq ) *eq = 0;
    sc_url_decode(kv);
    char *val = eq ? eq + 1 : (char *)"";
    sc_url_decode(val);
    if( nnames < 64 ) snprintf(names[nnames++], sizeof(names[0]), "%s", kv);
    char where[128];
    snprintf(where, sizeof(where), "query %s", kv);
    const cJSON *p = sc_param(c, op, item, "query", kv);
    if( !p ){
      sc_viol(c, where, "query parameter not declared by the spec for this operation");
      continue;
    }
    const cJSON *s = sc_deref(c, cJSON_GetObjectItemCaseSensitive(p, "schema"));
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(s, "type");
    if( cJSON_IsString(type) && strcmp(type->valuestring, "array") == 0 ){
      /* form style, explode (repeated keys) or not (comma list) */
      const cJSON *items = cJSON_GetObjectItemCaseSensitive(s, "items");
      char *save2 = NULL;
      for(char *one = strtok_r(val, ",", &save2); one; one = strtok_r(NULL, ",", &save2)){
        sc_param_text(c, items, one, where);
      }
    }else{
      sc_param_text(c, s, val, where);
    }
  }
  /* required query parameters */
  const cJSON *ps[256];
  int np = sc_params(c, op, item, ps, 256);
  for(int k = 0; k < np; k++){
    if( !sc_flag(ps[k], "required") || !sc_param_is(ps[k], "query", NULL) ) continue;
    const char *nm = cJSON_GetObjectItemCaseSensitive(ps[k], "name")->valuestring;
    int have = 0;
    for(int i = 0; i < nnames; i++) have |= strcmp(names[i], nm) == 0;
    if( !have ) sc_viol(c, "query", "required query parameter '%s' is missing", nm);
  }
  free(q);
}

/* Path parameters: each {name} segment against its declared schema. */
static void sc_check_path_params(sc_ctx *c, const cJSON *op, const cJSON *item,
                                 const char *tmpl, const char *path){
  while( *tmpl && *path ){
    tmpl++, path++;
    size_t tn = strcspn(tmpl, "/"), pn = strcspn(path, "/");
    if( tn > 1 && tmpl[0] == '{' ){
      char name[128], val[256], where[160];
      snprintf(name, sizeof(name), "%.*s", (int)(tn - 2), tmpl + 1);
      snprintf(val, sizeof(val), "%.*s", (int)pn, path);
      sc_url_decode(val);
      snprintf(where, sizeof(where), "path {%s}", name);
      const cJSON *p = sc_param(c, op, item, "path", name);
      if( !p ) sc_viol(c, where, "path parameter not declared by the spec");
      else sc_param_text(c, cJSON_GetObjectItemCaseSensitive(p, "schema"), val, where);
    }
    tmpl += tn;
    path += pn;
  }
}

static const cJSON *sc_json_schema(sc_ctx *c, const cJSON *holder){
  holder = sc_deref(c, holder);
  const cJSON *content = cJSON_GetObjectItemCaseSensitive(holder, "content"), *m;
  cJSON_ArrayForEach(m, content){
    if( strncmp(m->string, "application/json", 16) == 0
        || strncmp(m->string, "text/json", 9) == 0
        || strstr(m->string, "+json") ){
      return cJSON_GetObjectItemCaseSensitive(m, "schema");
    }
  }
  return NULL;
}

static void sc_check_call(sc_ctx *c, const cJSON *rec){
  const char *method = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "method"));
  const char *path = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "path"));
  const char *query = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "query"));
  const char *reqb = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "request"));
  const char *body = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "response"));
  const cJSON *st = cJSON_GetObjectItemCaseSensitive(rec, "status");
  char where[600], low[16], code[16];
  if( !method || !path || !query || !reqb || !body || !cJSON_IsNumber(st) ){
    c->where = "record";
    sc_viol(c, "", "malformed record line");
    return;
  }
  snprintf(where, sizeof(where), "%s %s%s%.300s [%d]", method, path, *query ? "?" : "",
           query, st->valueint);
  c->where = where;
  if( strncmp(path, c->base, c->baselen) != 0 ){
    sc_viol(c, "", "path outside the spec's server URL %s", c->base);
    return;
  }
  const char *tmpl = NULL;
  snprintf(low, sizeof(low), "%s", method);
  for(char *p = low; *p; p++) *p = (char)tolower((unsigned char)*p);
  const cJSON *item = sc_find_path(c, path + c->baselen, low, &tmpl);
  if( !item ){
    sc_viol(c, "", "no such path in the spec");
    return;
  }
  const cJSON *op = cJSON_GetObjectItemCaseSensitive(item, low);
  if( !op ){
    sc_viol(c, "", "method %s not defined for %s", method, tmpl);
    return;
  }
  if( c->requests ){
    sc_check_path_params(c, op, item, tmpl, path + c->baselen);
    sc_check_query(c, op, item, query);
    const cJSON *rb = cJSON_GetObjectItemCaseSensitive(op, "requestBody");
    if( *reqb ){
      const cJSON *rs = rb ? sc_json_schema(c, rb) : NULL;
      cJSON *j = cJSON_Parse(reqb);
      if( !rb ) sc_viol(c, "request", "a body where the spec declares none");
      else if( !j ) sc_viol(c, "request", "the body is not JSON");
      else if( rs ) sc_value(c, rs, j, "request$", 0);
      cJSON_Delete(j);
    }else if( rb && sc_flag(sc_deref(c, rb), "required") ){
      sc_viol(c, "request", "the spec requires a body");
    }
  }
  snprintf(code, sizeof(code), "%d", st->valueint);
  const cJSON *resps = cJSON_GetObjectItemCaseSensitive(op, "responses");
  const cJSON *r = cJSON_GetObjectItemCaseSensitive(resps, code);
  if( !r ){
    snprintf(code, sizeof(code), "%dXX", st->valueint / 100);
    r = cJSON_GetObjectItemCaseSensitive(resps, code);
  }
  if( !r ) r = cJSON_GetObjectItemCaseSensitive(resps, "default");
  if( !r ){
    sc_viol(c, "", "status %d is not declared for %s %s", st->valueint, method, tmpl);
    return;
  }
  const cJSON *rs = sc_json_schema(c, r);
  if( !rs ) return;
  /* HTTP: a 204 has no body, whatever content a spec declares for it
  ** (Propertyware's DELETEs declare a ResponseEntity). */
  if( st->valueint == 204 ){
    if( *body ) sc_viol(c, "response", "a body on a 204 No Content");
    return;
  }
  cJSON *j = cJSON_Parse(body);
  if( !j ){
    sc_viol(c, "response", "the body is not JSON where the spec declares JSON");
    return;
  }
  sc_value(c, rs, j, "$", 0);
  cJSON_Delete(j);
}

int main(int argc, char **argv){
  sc_ctx c;
  const char *specf = NULL, *recf = NULL;
  memset(&c, 0, sizeof(c));
  c.maxviol = 200;
  for(int i = 1; i < argc; i++){
    if( strcmp(argv[i], "--requests") == 0 ) c.requests = 1;
    else if( strcmp(argv[i], "--max") == 0 && i + 1 < argc ) c.maxviol = atol(argv[++i]);
    else if( !specf ) specf = argv[i];
    else if( !recf ) recf = argv[i];
    else specf = NULL, i = argc;
  }
  if( !specf || !recf ){
    fprintf(stderr, "usage: spec-check SPEC.json RECORD.jsonl [--requests] [--max N]\n");
    return 2;
  }
  char *st = sc_read_file(specf, NULL);
  cJSON *spec = st ? cJSON_Parse(st) : NULL;
  free(st);
  if( !spec ){
    fprintf(stderr, "spec-check: cannot read the spec %s\n", specf);
    return 2;
  }
  c.spec = spec;
  /* The path of the first server URL: "https://host/pw/api/rest/v1". */
  const char *url = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
      cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(spec, "servers"), 0), "url"));
  const char *p = url ? strstr(url, "://") : NULL;
  p = p ? strchr(p + 3, '/') : NULL;
  c.base = p ? p : "";
  c.baselen = strlen(c.base);
  while( c.baselen && c.base[c.baselen - 1] == '/' ) c.baselen--;

  size_t len;
  char *rec = sc_read_file(recf, &len);
  if( !rec ){
    fprintf(stderr, "spec-check: cannot read the record %s\n", recf);
    cJSON_Delete(spec);
    return 2;
  }
  long ncalls = 0, nskipped = 0;
  char *save = NULL;
  for(char *line = strtok_r(rec, "\n", &save); line; line = strtok_r(NULL, "\n", &save)){
    cJSON *r = cJSON_Parse(line);
    const char *fault = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "fault"));
    if( r && fault && *fault ){
      nskipped++;
    }else{
      ncalls++;
      if( r ){
        sc_check_call(&c, r);
      }else{
        c.where = "record";
        sc_viol(&c, "", "a line that is not JSON");
      }
    }
    cJSON_Delete(r);
  }
  if( c.nviol > c.maxviol ) printf("... %ld more\n", c.nviol - c.maxviol);
  printf("%ld calls checked, %ld skipped (faults), %ld violations\n", ncalls, nskipped, c.nviol);
  free(rec);
  cJSON_Delete(spec);
  return c.nviol ? 1 : 0;
}
