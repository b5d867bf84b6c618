/*
** query.c — splitting a raw query string into decoded key/value pairs.
**
** Keys keep their case (vendors such as Buildium treat a wrong-case
** parameter name as a 404) and their order, and repeated keys stay
** separate entries, which is how OpenAPI "explode" arrays arrive
** (propertyids=1&propertyids=2). One allocation holds all the strings.
*/
#include "sandbox.h"

#include <stdlib.h>

static int qp_hex(int c){
  if( c >= '0' && c <= '9' ) return c - '0';
  if( c >= 'a' && c <= 'f' ) return c - 'a' + 10;
  if( c >= 'A' && c <= 'F' ) return c - 'A' + 10;
  return -1;
}

/* '+' is a space in form encoding, which is what HTTP clients send for
** "orderby=Id+desc". A malformed %-escape is kept literally. */
int sb_url_decode(char *s){
  char *o = s, *p = s;
  while( *p ){
    if( *p == '+' ){
      *o++ = ' ';
      p++;
    }else if( *p == '%' && qp_hex(p[1]) >= 0 && qp_hex(p[2]) >= 0 ){
      *o++ = (char)(qp_hex(p[1]) * 16 + qp_hex(p[2]));
      p += 3;
    }else{
      *o++ = *p++;
    }
  }
  *o = 0;
  return (int)(o - s);
}

void sb_query_parse(const char *raw, sb_query *q){
  size_t len = raw ? strlen(raw) : 0;
  int cap = 1;
  memset(q, 0, sizeof(*q));
  for(size_t i = 0; i < len; i++) cap += raw[i] == '&';
  q->mem = sb_xstrndup(raw ? raw : "", len);
  q->p = sb_xcalloc((size_t)cap, sizeof(sb_qparam));
  char *s = q->mem;
  while( *s ){
    char *amp = strchr(s, '&');
    char *next = amp ? amp + 1 : s + strlen(s);
    if( amp ) *amp = 0;
    if( *s ){
      char *eq = strchr(s, '=');
      char *val = (char *)"";
      if( eq ){
        *eq = 0;
        val = eq + 1;
      }
      sb_url_decode(s);
      if( eq ) sb_url_decode(val);
      q->p[q->n].key = s;
      q->p[q->n].val = val;
      q->n++;
    }
    s = next;
  }
}

void sb_query_free(sb_query *q){
  free(q->mem);
  free(q->p);
  memset(q, 0, sizeof(*q));
}

const char *sb_query_get(const sb_query *q, const char *key){
  for(int i = 0; i < q->n; i++){
    if( strcmp(q->p[i].key, key) == 0 ) return q->p[i].val;
  }
  return NULL;
}
