/*
** validate.c — checking a JSON request body against a table that mirrors an
** OpenAPI request schema: required fields, types, maxLength, enums, nested
** objects and arrays, plus per-field and per-object rules in C.
**
** Vendors describe each write message as a vd_schema (see buildium_write.c)
** and get back every problem at once as (key, message) pairs, the way
** ASP.NET-style APIs report model-state errors; keys are field paths such as
** "Address.PostalCode" or "LineItems[1].Quantity". Like those APIs, member
** names match case-insensitively and unknown members are ignored (clients
** that GET a record, change it and PUT it back send read-only fields too).
*/
#include "sandbox.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

void vd_init(vd_errors *e){
  memset(e, 0, sizeof(*e));
}

void vd_free(vd_errors *e){
  for(int i = 0; i < e->n; i++){
    free(e->keys[i]);
    free(e->vals[i]);
  }
  free(e->keys);
  free(e->vals);
  memset(e, 0, sizeof(*e));
}

void vd_add(vd_errors *e, const char *key, const char *fmt, ...){
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if( e->n == e->cap ){
    e->cap = e->cap ? e->cap * 2 : 8;
    e->keys = sb_xrealloc(e->keys, (size_t)e->cap * sizeof(char *));
    e->vals = sb_xrealloc(e->vals, (size_t)e->cap * sizeof(char *));
  }
  e->keys[e->n] = sb_xstrdup(key);
  e->vals[e->n] = sb_xstrdup(msg);
  e->n++;
}

const cJSON *vd_get(const cJSON *obj, const char *name){
  if( !cJSON_IsObject(obj) ) return NULL;
  return cJSON_GetObjectItem(obj, name);       /* case-insensitive */
}

const char *vd_str(const cJSON *obj, const char *name){
  const cJSON *v = vd_get(obj, name);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *vd_enum_canon(const char *const *enums, const char *v){
  if( !v ) return NULL;
  for(int i = 0; enums[i]; i++){
    if( strcasecmp(enums[i], v) == 0 ) return enums[i];
  }
  return NULL;
}

int vd_utf8_valid(const char *str, size_t n){
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  while( i < n ){
    unsigned c = s[i];
    size_t k;
    if( c < 0x80 ){ i++; continue; }
    if( c >= 0xC2 && c <= 0xDF ) k = 2;
    else if( c >= 0xE0 && c <= 0xEF ) k = 3;
    else if( c >= 0xF0 && c <= 0xF4 ) k = 4;
    else return 0;
    if( i + k > n ) return 0;
    for(size_t j = 1; j < k; j++){
      if( (s[i + j] & 0xC0) != 0x80 ) return 0;
    }
    if( c == 0xE0 && s[i + 1] < 0xA0 ) return 0;
    if( c == 0xED && s[i + 1] >= 0xA0 ) return 0;
    if( c == 0xF0 && s[i + 1] < 0x90 ) return 0;
    if( c == 0xF4 && s[i + 1] >= 0x90 ) return 0;
    i += k;
  }
  return 1;
}

/* maxLength in the specs counts characters, not bytes. */
size_t vd_utf8_len(const char *s){
  size_t n = 0;
  for(; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
  return n;
}

const char *vd_check_email(const cJSON *v){
  const char *s = v->valuestring, *at = strchr(s, '@');
  if( !at || at == s || strchr(at + 1, '@') ) return "is not a valid e-mail address";
  const char *dot = strrchr(at + 1, '.');
  if( !dot || dot == at + 1 || !dot[1] ) return "is not a valid e-mail address";
  for(const char *p = s; *p; p++){
    if( (unsigned char)*p <= ' ' ) return "is not a valid e-mail address";
  }
  if( strlen(s) > 254 ) return "is not a valid e-mail address";
  return NULL;
}

const char *vd_check_phone(const cJSON *v){
  size_t n = vd_utf8_len(v->valuestring);
  if( n < 10 || n > 20 ) return "must be between 10 and 20 characters";
  return NULL;
}

/* 12-1234567, 123-12-1234 or 123456789 */
const char *vd_check_taxid(const cJSON *v){
  static const char *const shapes[] = { "dd-ddddddd", "ddd-dd-dddd", "ddddddddd" };
  const char *s = v->valuestring;
  for(int i = 0; i < 3; i++){
    const char *p = shapes[i];
    size_t k = 0;
    if( strlen(p) != strlen(s) ) continue;
    while( p[k] && (p[k] == 'd' ? (s[k] >= '0' && s[k] <= '9') : s[k] == p[k]) ) k++;
    if( !p[k] ) return NULL;
  }
  return "must be formatted as 12-1234567, 123-12-1234 or 123456789";
}

int vd_us_state(const char *s){
  static const char *const codes[] = {
    "AL","AK","AZ","AR","CA","CO","CT","DE","DC","FL","GA","HI","ID","IL",
    "IN","IA","KS","KY","LA","ME","MD","MA","MI","MN","MS","MO","MT","NE",
    "NV","NH","NJ","NM","NY","NC","ND","OH","OK","OR","PA","RI","SC","SD",
    "TN","TX","UT","VT","VA","WA","WV","WI","WY","PR","GU","VI","AS","MP",
    NULL
  };
  static const char *const names[] = {
    "Alabama","Alaska","Arizona","Arkansas","California","Colorado",
    "Connecticut","Delaware","District of Columbia","Florida","Georgia",
    "Hawaii","Idaho","Illinois","Indiana","Iowa","Kansas","Kentucky",
    "Louisiana","Maine","Maryland","Massachusetts","Michigan","Minnesota",
    "Mississippi","Missouri","Montana","Nebraska","Nevada","New Hampshire",
    "New Jersey","New Mexico","New York","North Carolina","North Dakota",
    "Ohio","Oklahoma","Oregon","Pennsylvania","Rhode Island",
    "South Carolina","South Dakota","Tennessee","Texas","Utah","Vermont",
    "Virginia","Washington","West Virginia","Wisconsin","Wyoming",
    "Puerto Rico","Guam","Virgin Islands","American Samoa",
    "Northern Mariana Islands", NULL
  };
  return vd_enum_canon(codes, s) || vd_enum_canon(names, s);
}

static void vd_key(char *out, size_t cap, const char *prefix, const char *name){
  if( prefix && *prefix ) snprintf(out, cap, "%s.%s", prefix, name);
  else snprintf(out, cap, "%s", name);
}

static int vd_is_int32(const cJSON *v){
  return cJSON_IsNumber(v) && v->valuedouble >= -2147483648.0
         && v->valuedouble <= 2147483647.0
         && v->valuedouble == (double)(int64_t)v->valuedouble;
}

static void vd_field_value(const vd_field *f, const cJSON *v, const char *key,
                           vd_errors *e){
  const char *msg;
  switch( f->type ){
    case VT_STRING:
      if( !cJSON_IsString(v) ){
        vd_add(e, key, "The %s field must be a string.", f->name);
        return;
      }
      if( (f->flags & VF_REQUIRED) && !v->valuestring[0] ){
        vd_add(e, key, "The %s field is required.", f->name);
        return;
      }
      if( f->maxlen && vd_utf8_len(v->valuestring) > (size_t)f->maxlen ){
        vd_add(e, key, "The field %s must be a string with a maximum length of %d.",
               f->name, f->maxlen);
        return;
      }
      if( f->check && (msg = f->check(v)) != NULL ){
        vd_add(e, key, "The %s field %s.", f->name, msg);
      }
      return;
    case VT_INT:
      if( !vd_is_int32(v) ) vd_add(e, key, "The %s field must be an integer.", f->name);
      return;
    case VT_NUMBER:
      if( !cJSON_IsNumber(v) ) vd_add(e, key, "The %s field must be a number.", f->name);
      return;
    case VT_BOOL:
      if( !cJSON_IsBool(v) ) vd_add(e, key, "The %s field must be true or false.", f->name);
      return;
    case VT_DATE: {
      int32_t d;
      if( !cJSON_IsString(v) || !dt_parse_date(v->valuestring, &d) ){
        vd_add(e, key, "The %s field must be a date formatted as YYYY-MM-DD.", f->name);
      }
      return;
    }
    case VT_ENUM:
      if( !cJSON_IsString(v) || !vd_enum_canon(f->enums, v->valuestring) ){
        vd_add(e, key, "The value '%s' is not valid for %s.",
               cJSON_IsString(v) ? v->valuestring : "(non-string)", f->name);
      }
      return;
    case VT_OBJECT:
      if( !cJSON_IsObject(v) ){
        vd_add(e, key, "The %s field must be a JSON object%s.", f->name,
               cJSON_IsArray(v) ? ", not an array" : "");
        return;
      }
      vd_object(f->sub, v, key, e);
      return;
    case VT_INT_ARRAY:
    case VT_OBJECT_ARRAY: {
      if( !cJSON_IsArray(v) ){
        vd_add(e, key, "The %s field must be a JSON array.", f->name);
        return;
      }
      int n = cJSON_GetArraySize(v), i = 0;
      if( f->maxitems && n > f->maxitems ){
        vd_add(e, key, "The %s field cannot have more than %d items.", f->name,
               f->maxitems);
      }
      const cJSON *it;
      cJSON_ArrayForEach(it, v){
        char sub[300];
        snprintf(sub, sizeof(sub), "%.255s[%d]", key, i++);
        if( f->type == VT_INT_ARRAY ){
          if( !vd_is_int32(it) ) vd_add(e, sub, "The %s items must be integers.", f->name);
        }else if( !cJSON_IsObject(it) ){
          vd_add(e, sub, "The %s items must be JSON objects.", f->name);
        }else{
          vd_object(f->sub, it, sub, e);
        }
      }
      return;
    }
  }
}

void vd_object(const vd_schema *s, const cJSON *obj, const char *prefix,
               vd_errors *e){
  char key[256];
  if( !cJSON_IsObject(obj) ){
    vd_add(e, prefix && *prefix ? prefix : "body", "A JSON object was expected.");
    return;
  }
  for(const vd_field *f = s->fields; f->name; f++){
    const cJSON *v = vd_get(obj, f->name);
    vd_key(key, sizeof(key), prefix, f->name);
    if( !v || cJSON_IsNull(v) ){
      if( f->flags & VF_REQUIRED ) vd_add(e, key, "The %s field is required.", f->name);
      continue;
    }
    vd_field_value(f, v, key, e);
  }
  if( s->check ) s->check(obj, prefix, e);
}

cJSON *vd_normalize(const vd_schema *s, const cJSON *obj){
  cJSON *out = cJSON_CreateObject();
  for(const vd_field *f = s->fields; f->name; f++){
    const cJSON *v = vd_get(obj, f->name), *it;
    cJSON *o = NULL;
    if( !v || cJSON_IsNull(v) ) continue;
    switch( f->type ){
      case VT_ENUM:
        o = cJSON_CreateString(vd_enum_canon(f->enums, v->valuestring));
        break;
      case VT_OBJECT:
        o = vd_normalize(f->sub, v);
        break;
      case VT_OBJECT_ARRAY:
        o = cJSON_CreateArray();
        cJSON_ArrayForEach(it, v) cJSON_AddItemToArray(o, vd_normalize(f->sub, it));
        break;
      default:
        o = cJSON_Duplicate(v, 1);
        break;
    }
    cJSON_AddItemToObject(out, f->name, o);
  }
  return out;
}
