/*
** datetime.c — calendar arithmetic and the two wire formats the PMS APIs
** use: dates (YYYY-MM-DD) and UTC date-times (YYYY-MM-DDTHH:MM:SSZ).
**
** Dates are days since 1970-01-01 and times are seconds since the epoch,
** both in UTC; the conversions are Howard Hinnant's civil-date algorithms,
** so nothing here depends on the process time zone or on libc's tm
** functions (which are slow and not all thread-safe).
*/
#include "sandbox.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

int32_t dt_days(int y, int m, int d){
  y -= m <= 2;
  int era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (int32_t)(era * 146097 + (int)doe - 719468);
}

void dt_civil(int32_t z, int *y, int *m, int *d){
  z += 719468;
  int era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int yy = (int)yoe + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yy + (*m <= 2);
}

static int dt_month_len(int y, int m){
  static const int len[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  if( m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ) return 29;
  return len[m - 1];
}

int32_t dt_add_months(int32_t days, int months){
  int y, m, d;
  dt_civil(days, &y, &m, &d);
  int t = y * 12 + (m - 1) + months;
  y = t / 12;
  m = t % 12 + 1;
  if( d > dt_month_len(y, m) ) d = dt_month_len(y, m);
  return dt_days(y, m, d);
}

static void dt_put2(char *o, int v){
  o[0] = (char)('0' + v / 10 % 10);
  o[1] = (char)('0' + v % 10);
}

size_t dt_fmt_date(char *o, int32_t days){
  int y, m, d;
  dt_civil(days, &y, &m, &d);
  dt_put2(o, y / 100);
  dt_put2(o + 2, y % 100);
  o[4] = '-';
  dt_put2(o + 5, m);
  o[7] = '-';
  dt_put2(o + 8, d);
  return 10;
}

size_t dt_fmt_datetime(char *o, int64_t t){
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int secs = (int)(t - days * 86400);
  dt_fmt_date(o, (int32_t)days);
  o[10] = 'T';
  dt_put2(o + 11, secs / 3600);
  o[13] = ':';
  dt_put2(o + 14, secs / 60 % 60);
  o[16] = ':';
  dt_put2(o + 17, secs % 60);
  o[19] = 'Z';
  return 20;
}

/* Reads exactly n digits. */
/* "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 IMF-fixdate), as in Retry-After. */
size_t dt_fmt_http_date(char *o, int64_t t){
  static const char *const wd[] = { "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed" };
  static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  int32_t days = (int32_t)(t / 86400);
  int64_t s = t - (int64_t)days * 86400;
  int y, m, d;
  char buf[40];
  dt_civil(days, &y, &m, &d);
  snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT", wd[((days % 7) + 7) % 7],
           d, mon[m - 1], y, (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
  memcpy(o, buf, 29);
  return 29;
}

static int dt_digits(const char *s, int n, int *out){
  int v = 0;
  for(int i = 0; i < n; i++){
    if( s[i] < '0' || s[i] > '9' ) return 0;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 1;
}

static int dt_date_prefix(const char *s, int32_t *days){
  int y, m, d;
  if( !dt_digits(s, 4, &y) || s[4] != '-' || !dt_digits(s + 5, 2, &m)
      || s[7] != '-' || !dt_digits(s + 8, 2, &d) ) return 0;
  if( y < 1 || m < 1 || m > 12 || d < 1 || d > dt_month_len(y, m) ) return 0;
  *days = dt_days(y, m, d);
  return 1;
}

int dt_parse_date(const char *s, int32_t *days){
  if( !s || strlen(s) != 10 ) return 0;
  return dt_date_prefix(s, days);
}

int dt_parse_datetime(const char *s, int lenient, int64_t *t){
  int32_t days;
  int hh, mm, ss;
  if( !s || strlen(s) < 10 || !dt_date_prefix(s, &days) ) return 0;
  s += 10;
  if( *s == 0 ){
    if( !lenient ) return 0;
    *t = (int64_t)days * 86400;
    return 1;
  }
  if( !(*s == 'T' || (lenient && *s == ' ')) ) return 0;
  s++;
  if( !dt_digits(s, 2, &hh) || s[2] != ':' || !dt_digits(s + 3, 2, &mm)
      || s[5] != ':' || !dt_digits(s + 6, 2, &ss) ) return 0;
  if( hh > 23 || mm > 59 || ss > 59 ) return 0;
  s += 8;
  if( lenient && *s == '.' ){
    s++;
    while( *s >= '0' && *s <= '9' ) s++;
  }
  if( *s == 'Z' ) s++;
  else if( !lenient ) return 0;
  if( *s ) return 0;
  *t = (int64_t)days * 86400 + hh * 3600 + mm * 60 + ss;
  return 1;
}

int64_t dt_now(void){
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec;
}

double dt_mono(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void dt_sleep_ms(long ms){
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  while( nanosleep(&ts, &ts) != 0 && errno == EINTR ){}
}
