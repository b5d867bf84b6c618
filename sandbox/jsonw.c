/*
** jsonw.c — writing JSON values into an sb_buf.
**
** The list pages of a million-resident portfolio are rendered from compact
** records on demand, so this is the hot path: no cJSON trees, no printf.
** Callers append keys and punctuation as literals (SB_LIT) and use these
** for the values. Strings are escaped per RFC 8259; invalid UTF-8 (which a
** client could have written) is replaced by U+FFFD so the output is always
** valid JSON. Vendors that render records as cJSON (Rentvine, AppFolio)
** share its date and money formats through the jc_add_* members; the two
** small parsers/encoders every vendor's auth and query code needed
** (sb_base64, sb_parse_long) live at the end.
*/
#include "sandbox.h"

#include <stdio.h>
#include <stdlib.h>

/* Bytes that go out unescaped. */
static inline int jw_plain(unsigned c){
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* Length of a valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t jw_utf8_seq(const unsigned char *s, size_t n){
  unsigned c = s[0];
  if( c >= 0xC2 && c <= 0xDF ){
    return (n >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
  }
  if( c >= 0xE0 && c <= 0xEF ){
    if( n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ) return 0;
    if( c == 0xE0 && s[1] < 0xA0 ) return 0;          /* overlong */
    if( c == 0xED && s[1] >= 0xA0 ) return 0;         /* surrogates */
    return 3;
  }
  if( c >= 0xF0 && c <= 0xF4 ){
    if( n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80
        || (s[3] & 0xC0) != 0x80 ) return 0;
    if( c == 0xF0 && s[1] < 0x90 ) return 0;
    if( c == 0xF4 && s[1] >= 0x90 ) return 0;
    return 4;
  }
  return 0;
}

void jw_strn(sb_buf *b, const char *str, size_t n){
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0, run;
  static const char hex[] = "0123456789abcdef";
  if( b->cap - b->n < n + 3 ) sb_buf_grow(b, n + 3);
  b->p[b->n++] = '"';
  while( i < n ){
    run = i;
    while( run < n && jw_plain(s[run]) ) run++;
    if( run > i ){
      sb_put(b, s + i, run - i);
      i = run;
      if( i >= n ) break;
    }
    unsigned c = s[i];
    if( c >= 0x80 ){
      size_t k = jw_utf8_seq(s + i, n - i);
      if( k ){
        sb_put(b, s + i, k);
        i += k;
      }else{
        SB_LIT(b, "\xEF\xBF\xBD");
        i++;
      }
      continue;
    }
    switch( c ){
      case '"':  SB_LIT(b, "\\\""); break;
      case '\\': SB_LIT(b, "\\\\"); break;
      case '\n': SB_LIT(b, "\\n"); break;
      case '\r': SB_LIT(b, "\\r"); break;
      case '\t': SB_LIT(b, "\\t"); break;
      case '\b': SB_LIT(b, "\\b"); break;
      case '\f': SB_LIT(b, "\\f"); break;
      default: {
        char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
        sb_put(b, u, 6);
      }
    }
    i++;
  }
  sb_putc(b, '"');
}

void jw_str(sb_buf *b, const char *s){
  if( !s ){
    jw_null(b);
    return;
  }
  jw_strn(b, s, strlen(s));
}

void jw_int(sb_buf *b, int64_t v){
  char tmp[24];
  int i = 24;
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do{
    tmp[--i] = (char)('0' + u % 10);
    u /= 10;
  }while( u );
  if( v < 0 ) tmp[--i] = '-';
  sb_put(b, tmp + i, (size_t)(24 - i));
}

/* Money as a JSON number with exactly two decimals, so clients can turn it
** into integer cents without floating-point surprises. */
void jw_money(sb_buf *b, int64_t cents){
  uint64_t u;
  if( cents < 0 ){
    sb_putc(b, '-');
    u = (uint64_t)0 - (uint64_t)cents;
  }else{
    u = (uint64_t)cents;
  }
  jw_int(b, (int64_t)(u / 100));
  char frac[3] = { '.', (char)('0' + (u % 100) / 10), (char)('0' + u % 10) };
  sb_put(b, frac, 3);
}

void jw_double(sb_buf *b, double v){
  char tmp[40];
  if( !__builtin_isfinite(v) ){
    jw_null(b);
    return;
  }
  if( v > -9e15 && v < 9e15 && v == (double)(int64_t)v ){
    jw_int(b, (int64_t)v);
    return;
  }
  int n = snprintf(tmp, sizeof(tmp), "%.15g", v);
  if( n > 0 ) sb_put(b, tmp, (size_t)n);
}

void jw_bool(sb_buf *b, int v){
  if( v ) SB_LIT(b, "true");
  else SB_LIT(b, "false");
}

void jw_date(sb_buf *b, int32_t days){
  char tmp[12];
  if( days == PF_NODATE ){
    jw_null(b);
    return;
  }
  tmp[0] = '"';
  dt_fmt_date(tmp + 1, days);
  tmp[11] = '"';
  sb_put(b, tmp, 12);
}

void jw_datetime(sb_buf *b, int64_t t){
  char tmp[22];
  tmp[0] = '"';
  dt_fmt_datetime(tmp + 1, t);
  tmp[21] = '"';
  sb_put(b, tmp, 22);
}

void jw_int_or_null(sb_buf *b, int has, int64_t v){
  if( has ) jw_int(b, v);
  else jw_null(b);
}

void jc_add_date(cJSON *o, const char *name, int32_t days){
  char buf[16];
  if( days == PF_NODATE ){ cJSON_AddNullToObject(o, name); return; }
  buf[dt_fmt_date(buf, days)] = 0;
  cJSON_AddStringToObject(o, name, buf);
}

void jc_add_datetime(cJSON *o, const char *name, int64_t t){
  char buf[24];
  buf[dt_fmt_datetime(buf, t)] = 0;
  cJSON_AddStringToObject(o, name, buf);
}

void jc_add_money(cJSON *o, const char *name, int64_t cents){
  char buf[32];
  snprintf(buf, sizeof(buf), "%s%lld.%02lld", cents < 0 ? "-" : "",
           (long long)(llabs(cents) / 100), (long long)(llabs(cents) % 100));
  cJSON_AddStringToObject(o, name, buf);
}

void sb_base64(const char *in, char *out, size_t cap){
  static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t n = strlen(in), o = 0;
  for(size_t i = 0; i < n && o + 5 < cap; i += 3){
    uint32_t v = (uint32_t)(unsigned char)in[i] << 16;
    if( i + 1 < n ) v |= (uint32_t)(unsigned char)in[i+1] << 8;
    if( i + 2 < n ) v |= (unsigned char)in[i+2];
    out[o++] = t[(v >> 18) & 63];
    out[o++] = t[(v >> 12) & 63];
    out[o++] = i + 1 < n ? t[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < n ? t[v & 63] : '=';
  }
  out[o] = 0;
}

int sb_parse_long(const char *s, long *out){
  char *end;
  long v;
  if( !s || !*s ) return 0;
  v = strtol(s, &end, 10);
  if( *end ) return 0;
  *out = v;
  return 1;
}
