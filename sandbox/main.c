/*
** main.c — the pms-sandbox command line (PRODUCT.md §7):
**
**   pms-sandbox --vendor V --port P [--size N] [--seed S] [--latency-ms L]
**               [--fault KIND[,KIND...]] [--fault-after K] [--fault-rate R]
**               [--no-rate-limit] [--print-credentials] [--cache-mb M]
**               [--token-ttl-seconds T] [--require-partner-token]
**               [--utc-offset-minutes M]
**
** The last three are Rent Manager's: the idle lifetime of an API token
** (default 1800), requiring the X-RM12API-PartnerToken header (then the
** credentials include partner_token), and the clock of the emulated
** location as a fixed offset from UTC (default 0: local time is UTC).
**
** It binds 127.0.0.1:P (0 = any free port) first, so a busy port fails
** before a large portfolio is generated, then builds the portfolio, opens
** the vendor, starts the server and prints exactly one line
** "pms-sandbox V listening on http://127.0.0.1:PORT" to stdout. SIGTERM
** and SIGINT stop it cleanly with status 0; usage errors exit with 2.
**
** Each vendor is one sb_vendor struct in its own files; make lists them
** in sb_vendors (build/sb_vendor_list.c).
*/
#include "sandbox.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

static void usage(FILE *f){
  fputs("usage: pms-sandbox --vendor V --port P [--size N] [--seed S]\n"
        "         [--latency-ms L] [--fault KIND[,KIND...]] [--fault-after K]\n"
        "         [--fault-rate R] [--no-rate-limit] [--print-credentials]\n"
        "         [--cache-mb M] [--token-ttl-seconds T] [--require-partner-token]\n"
        "         [--utc-offset-minutes M]\n"
        "vendors:", f);
  for(int i = 0; sb_vendors[i]; i++) fprintf(f, " %s", sb_vendors[i]->name);
  fputs("\n"
        "faults: 429 429-retry-after 500 503 reset truncate invalid-json html\n"
        "        slow empty-page token-expiry 429-retry-date\n", f);
}

static void die_usage(const char *fmt, const char *arg){
  fputs("pms-sandbox: ", stderr);
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  usage(stderr);
  exit(2);
}

static long long parse_int(const char *flag, const char *v, long long lo, long long hi){
  char *end;
  errno = 0;
  long long n = strtoll(v, &end, 10);
  if( !*v || *end || errno || n < lo || n > hi ){
    fprintf(stderr, "pms-sandbox: invalid value '%s' for %s\n", v, flag);
    exit(2);
  }
  return n;
}

static const sb_vendor *find_vendor(const char *name){
  for(int i = 0; sb_vendors[i]; i++){
    if( strcasecmp(sb_vendors[i]->name, name) == 0 ) return sb_vendors[i];
  }
  return NULL;
}

int main(int argc, char **argv){
  sb_options opt;
  int print_creds = 0;
  memset(&opt, 0, sizeof(opt));
  opt.port = -1;
  opt.size = 100;
  opt.seed = 1;
  opt.fault_rate = 1.0;
  opt.rate_limit = 1;
  opt.cache_bytes = (size_t)512 << 20;
  opt.token_ttl_seconds = 1800;

  for(int i = 1; i < argc; i++){
    char flag[64];
    const char *a = argv[i], *val = NULL, *eq = strchr(a, '=');
    if( strncmp(a, "--", 2) != 0 ) die_usage("unexpected argument '%s'", a);
    if( eq && (size_t)(eq - a) < sizeof(flag) ){
      memcpy(flag, a, (size_t)(eq - a));
      flag[eq - a] = 0;
      val = eq + 1;
    }else{
      snprintf(flag, sizeof(flag), "%s", a);
    }
    if( strcmp(flag, "--no-rate-limit") == 0 ){ opt.rate_limit = 0; continue; }
    if( strcmp(flag, "--print-credentials") == 0 ){ print_creds = 1; continue; }
    if( strcmp(flag, "--require-partner-token") == 0 ){ opt.require_partner_token = 1; continue; }
    if( strcmp(flag, "--help") == 0 ){ usage(stdout); return 0; }
    static const char *const valued[] = {
      "--vendor", "--port", "--size", "--seed", "--latency-ms", "--fault",
      "--fault-after", "--fault-rate", "--cache-mb", "--token-ttl-seconds",
      "--utc-offset-minutes", NULL
    };
    int known = 0;
    for(int k = 0; valued[k]; k++) known |= strcmp(flag, valued[k]) == 0;
    if( !known ) die_usage("unknown option '%s'", flag);
    if( !val ){
      if( i + 1 >= argc ) die_usage("option '%s' needs a value", flag);
      val = argv[++i];
    }
    if( strcmp(flag, "--vendor") == 0 ) opt.vendor = val;
    else if( strcmp(flag, "--port") == 0 ) opt.port = (int)parse_int(flag, val, 0, 65535);
    else if( strcmp(flag, "--size") == 0 ) opt.size = (uint32_t)parse_int(flag, val, 0, PF_MAX_SIZE);
    else if( strcmp(flag, "--seed") == 0 ) opt.seed = (uint64_t)parse_int(flag, val, 0, INT64_MAX);
    else if( strcmp(flag, "--latency-ms") == 0 ) opt.latency_ms = (long)parse_int(flag, val, 0, 3600000);
    else if( strcmp(flag, "--fault-after") == 0 ) opt.fault_after = (long)parse_int(flag, val, 0, INT32_MAX);
    else if( strcmp(flag, "--cache-mb") == 0 ) opt.cache_bytes = (size_t)parse_int(flag, val, 1, 1 << 20) << 20;
    else if( strcmp(flag, "--token-ttl-seconds") == 0 ) opt.token_ttl_seconds = (long)parse_int(flag, val, 1, 86400 * 365);
    else if( strcmp(flag, "--utc-offset-minutes") == 0 ) opt.utc_offset_minutes = (int)parse_int(flag, val, -14 * 60, 14 * 60);
    else if( strcmp(flag, "--fault-rate") == 0 ){
      char *end;
      opt.fault_rate = strtod(val, &end);
      if( !*val || *end || !(opt.fault_rate >= 0 && opt.fault_rate <= 1) ){
        fprintf(stderr, "pms-sandbox: invalid value '%s' for --fault-rate (0..1)\n", val);
        return 2;
      }
    }else if( strcmp(flag, "--fault") == 0 ){
      int kinds[16];
      char err[160];
      if( ctl_parse_faults(val, kinds, 16, err, sizeof(err)) < 0 ){
        fprintf(stderr, "pms-sandbox: %s in --fault\n", err);
        return 2;
      }
      snprintf(opt.fault, sizeof(opt.fault), "%s", val);
    }
  }

  if( !opt.vendor ) die_usage("%s", "--vendor is required");
  const sb_vendor *v = find_vendor(opt.vendor);
  if( !v ) die_usage("unknown vendor '%s'", opt.vendor);
  if( print_creds ){
    sb_buf b = { 0 };
    v->credentials(&opt, &b);
    printf("%s\n", sb_cstr(&b));
    sb_buf_free(&b);
    return 0;
  }
  if( opt.port < 0 ) opt.port = 0;

  /* Signals: SIGPIPE ignored (peers vanish mid-response); SIGTERM/SIGINT
  ** blocked in every thread and taken synchronously by main below. */
  sigset_t stop;
  int sig;
  signal(SIGPIPE, SIG_IGN);
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, NULL);

  int port = 0;
  int fd = srv_listen(opt.port, &port);
  if( fd < 0 ){
    fprintf(stderr, "pms-sandbox: cannot listen on 127.0.0.1:%d: %s\n", opt.port, strerror(errno));
    return 1;
  }
  static sb_portfolio pf;
  if( pf_generate(&pf, opt.size, opt.seed) != 0 ){
    fprintf(stderr, "pms-sandbox: cannot generate a portfolio of %u\n", (unsigned)opt.size);
    return 1;
  }
  void *vs = v->open(&pf, &opt);
  char url[64];
  snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
  v->set_base_url(vs, url);
  ctl_init(&opt, v, vs);
  if( srv_start(fd, v, vs) != 0 ){
    fprintf(stderr, "pms-sandbox: cannot start the server\n");
    return 1;
  }
  printf("pms-sandbox %s listening on %s\n", v->name, url);
  fflush(stdout);

  while( sigwait(&stop, &sig) != 0 ){}
  if( srv_stop() ){
    ctl_shutdown();
    v->close(vs);
    pf_free(&pf);
  }
  return 0;
}
