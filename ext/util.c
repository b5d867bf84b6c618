/*
** util.c — small helpers shared by the engine: a growable string, UTC time
** formatting and parsing, and the 64-bit hash used to detect content
** changes in cached rows. Nothing here knows about vendors or SQL schemas.
*/
#include "pmsql.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>

static void str_grow(pms_str *s, size_t nNeed){
  size_t nNew;
  char *zNew;
  if( s->oom || s->n + nNeed + 1 <= s->nAlloc ) return;
  nNew = s->nAlloc ? s->nAlloc*2 : 256;
  while( nNew < s->n + nNeed + 1 ) nNew *= 2;
  zNew = realloc(s->z, nNew);
  if( zNew==0 ){ s->oom = 1; return; }
  s->z = zNew;
  s->nAlloc = nNew;
}

void pms_str_append(pms_str *s, const char *z, size_t n){
  str_grow(s, n);
  if( s->oom ) return;
  memcpy(s->z + s->n, z, n);
  s->n += n;
  s->z[s->n] = 0;
}

void pms_str_appendz(pms_str *s, const char *z){
  if( z ) pms_str_append(s, z, strlen(z));
}

void pms_str_appendf(pms_str *s, const char *zFmt, ...){
  va_list ap;
  int n;
  va_start(ap, zFmt);
  n = vsnprintf(0, 0, zFmt, ap);
  va_end(ap);
  if( n<0 ){ s->oom = 1; return; }
  str_grow(s, (size_t)n);
  if( s->oom ) return;
  va_start(ap, zFmt);
  vsnprintf(s->z + s->n, (size_t)n + 1, zFmt, ap);
  va_end(ap);
  s->n += (size_t)n;
}

/* JSON string literal with escapes; invalid UTF-8 bytes become U+FFFD so
** the output is always valid JSON. */
void pms_str_append_json_string(pms_str *s, const char *z){
  const unsigned char *p = (const unsigned char*)z;
  pms_str_append(s, "\"", 1);
  while( p && *p ){
    unsigned char c = *p;
    if( c=='"' || c=='\\' ){
      char e[2] = {'\\', (char)c};
      pms_str_append(s, e, 2); p++;
    }else if( c<0x20 ){
      switch( c ){
        case '\n': pms_str_append(s, "\\n", 2); break;
        case '\r': pms_str_append(s, "\\r", 2); break;
        case '\t': pms_str_append(s, "\\t", 2); break;
        default: pms_str_appendf(s, "\\u%04x", c); break;
      }
      p++;
    }else if( c<0x80 ){
      pms_str_append(s, (const char*)p, 1); p++;
    }else{
      int n = (c>=0xf0 && c<0xf5) ? 4 : (c>=0xe0) ? 3 : (c>=0xc2 && c<0xe0) ? 2 : 0;
      int i, ok = n>0 && c<0xf5;
      for(i=1; ok && i<n; i++) ok = (p[i]&0xc0)==0x80;
      if( ok ){ pms_str_append(s, (const char*)p, (size_t)n); p += n; }
      else{ pms_str_append(s, "\xef\xbf\xbd", 3); p++; }
    }
  }
  pms_str_append(s, "\"", 1);
}

void pms_str_append_url_escaped(pms_str *s, const char *z){
  static const char hex[] = "0123456789ABCDEF";
  for(; z && *z; z++){
    unsigned char c = (unsigned char)*z;
    if( (c>='A'&&c<='Z') || (c>='a'&&c<='z') || (c>='0'&&c<='9')
     || c=='-' || c=='_' || c=='.' || c=='~' ){
      pms_str_append(s, z, 1);
    }else{
      char e[3] = {'%', hex[c>>4], hex[c&15]};
      pms_str_append(s, e, 3);
    }
  }
}

char *pms_str_finish(pms_str *s){
  char *z;
  if( s->oom ){ free(s->z); memset(s, 0, sizeof(*s)); return 0; }
  if( s->z==0 ) return pms_strdup("");
  z = s->z;
  memset(s, 0, sizeof(*s));
  return z;
}

void pms_str_reset(pms_str *s){
  free(s->z);
  memset(s, 0, sizeof(*s));
}

/* Secrets: explicit_bzero (glibc) is never optimised away, unlike a memset
** right before free. Every copy of a credential pmsql makes goes through
** one of these. */
void pms_wipe(void *p, size_t n){
  if( p ) explicit_bzero(p, n);
}

void pms_free_secret(char *z){
  if( z ){ explicit_bzero(z, strlen(z)); free(z); }
}

void pms_json_wipe(cJSON *p){
  for(; p; p=p->next){
    if( p->valuestring ) explicit_bzero(p->valuestring, strlen(p->valuestring));
    pms_json_wipe(p->child);
  }
}

/* A path segment of a URL: every byte but the unreserved ones is
** percent-encoded, so an id such as "1/../admin?x#" stays one segment; a
** segment of dots only ("." or "..") has its dots encoded too, or curl and
** the server would resolve it as a step up. malloc'd, NULL on OOM. */
char *pms_url_segment(const char *z){
  pms_str s = {0};
  if( z && z[strspn(z, ".")]==0 ){
    for(; *z; z++) pms_str_append(&s, "%2E", 3);
  }else{
    pms_str_append_url_escaped(&s, z);
  }
  return pms_str_finish(&s);
}

char *pms_strdup(const char *z){
  size_t n;
  char *zNew;
  if( z==0 ) return 0;
  n = strlen(z);
  zNew = malloc(n+1);
  if( zNew ) memcpy(zNew, z, n+1);
  return zNew;
}

char *pms_mprintf(const char *zFmt, ...){
  va_list ap;
  int n;
  char *z;
  va_start(ap, zFmt);
  n = vsnprintf(0, 0, zFmt, ap);
  va_end(ap);
  if( n<0 ) return 0;
  z = malloc((size_t)n + 1);
  if( z==0 ) return 0;
  va_start(ap, zFmt);
  vsnprintf(z, (size_t)n + 1, zFmt, ap);
  va_end(ap);
  return z;
}

int64_t pms_now_ms(void){
  struct timeval tv;
  gettimeofday(&tv, 0);
  return (int64_t)tv.tv_sec*1000 + tv.tv_usec/1000;
}

void pms_ms_to_iso(int64_t ms, char *zBuf, int bMillis){
  time_t t = (time_t)(ms/1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  /* keep every field in range so the output fits 32 bytes */
  if( tm.tm_year<-1900 || tm.tm_year>8099 ){ tm.tm_year = 70; }
  if( bMillis ){
    snprintf(zBuf, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
             (tm.tm_year+1900)%10000, (tm.tm_mon+1)%100, tm.tm_mday%100,
             tm.tm_hour%100, tm.tm_min%100, tm.tm_sec%100, (int)(ms%1000+1000)%1000);
  }else{
    snprintf(zBuf, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ",
             (tm.tm_year+1900)%10000, (tm.tm_mon+1)%100, tm.tm_mday%100,
             tm.tm_hour%100, tm.tm_min%100, tm.tm_sec%100);
  }
}

void pms_now_iso(char *zBuf){
  pms_ms_to_iso(pms_now_ms(), zBuf, 1);
}

static int util_digits(const char *z, int n, int *pOut){
  int i, v = 0;
  for(i=0; i<n; i++){
    if( z[i]<'0' || z[i]>'9' ) return 0;
    v = v*10 + (z[i]-'0');
  }
  *pOut = v;
  return 1;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t util_days(int y, int m, int d){
  y -= m<=2;
  {
    int64_t era = (y>=0 ? y : y-399) / 400;
    int64_t yoe = y - era*400;
    int64_t doy = (153*(m + (m>2 ? -3 : 9)) + 2)/5 + d - 1;
    int64_t doe = yoe*365 + yoe/4 - yoe/100 + doy;
    return era*146097 + doe - 719468;
  }
}

int64_t pms_iso_to_ms(const char *z){
  int y, mo, d, h = 0, mi = 0, s = 0, ms = 0, off = 0;
  size_t n;
  if( z==0 ) return -1;
  n = strlen(z);
  if( n<10 || z[4]!='-' || z[7]!='-' ) return -1;
  if( !util_digits(z,4,&y) || !util_digits(z+5,2,&mo) || !util_digits(z+8,2,&d) ) return -1;
  if( mo<1 || mo>12 || d<1 || d>31 ) return -1;
  z += 10;
  if( *z=='T' || *z==' ' ){
    if( strlen(z)<9 || z[3]!=':' || z[6]!=':' ) return -1;
    if( !util_digits(z+1,2,&h) || !util_digits(z+4,2,&mi) || !util_digits(z+7,2,&s) ) return -1;
    if( h>23 || mi>59 || s>60 ) return -1;
    z += 9;
    if( *z=='.' ){
      int k = 0;
      z++;
      while( *z>='0' && *z<='9' ){
        if( k<3 ){ ms = ms*10 + (*z-'0'); k++; }
        z++;
      }
      while( k++<3 ) ms *= 10;
    }
    if( *z=='Z' ){
      z++;
    }else if( *z=='+' || *z=='-' ){
      int oh, om, sign = *z=='-' ? -1 : 1;
      if( strlen(z)<6 || z[3]!=':' ) return -1;
      if( !util_digits(z+1,2,&oh) || !util_digits(z+4,2,&om) ) return -1;
      off = sign*(oh*60 + om);
      z += 6;
    }
  }
  if( *z ) return -1;
  return ((util_days(y,mo,d)*86400 + h*3600 + mi*60 + s) - (int64_t)off*60)*1000 + ms;
}

/* Content hash for change detection (not for security): eight bytes a
** step, a multiply-xorshift mix per word. */
uint64_t pms_hash(uint64_t h, const void *p, size_t n){
  const unsigned char *a = (const unsigned char*)p;
  while( n>=8 ){
    uint64_t w;
    memcpy(&w, a, 8);
    h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 29;
    a += 8;
    n -= 8;
  }
  if( n ){
    uint64_t w = 0;
    memcpy(&w, a, n);
    h = (h ^ w ^ ((uint64_t)n << 56)) * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 29;
  }
  return h;
}

int pms_exec(sqlite3 *db, char **pzErr, const char *zFmt, ...){
  va_list ap;
  char *zSql;
  char *zErr = 0;
  int rc;
  va_start(ap, zFmt);
  zSql = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_exec(db, zSql, 0, 0, &zErr);
  sqlite3_free(zSql);
  if( rc!=SQLITE_OK && pzErr && *pzErr==0 ){
    *pzErr = pms_strdup(zErr ? zErr : sqlite3_errmsg(db));
  }
  sqlite3_free(zErr);
  return rc;
}
