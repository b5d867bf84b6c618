/*
** main.c — the pms-sandbox command line (PRODUCT.md §7):
**
**   pms-sandbox --vendor V --port P [--size N|LO-HI] [--seed S] [--latency-ms L]
**               [--fault KIND[,KIND...]] [--fault-after K] [--fault-rate R]
**               [--no-rate-limit] [--print-credentials [--account K]]
**               [--accounts N] [--cache-mb M]
**               [--token-ttl-seconds T] [--require-partner-token]
**               [--utc-offset-minutes M] [--record FILE] [--record-requests FILE]
**
** --accounts N serves N customer accounts on the one port (accounts.c):
** account K is the sandbox of --seed S+K, and with --size LO-HI its size is
** drawn from the range by its seed. --print-credentials --account K prints
** account K's credentials (K = 0 without --account: the same as before).
**
** The last three are Rent Manager's: the idle lifetime of an API token
** (default 1800), requiring the X-RM12API-PartnerToken header (then the
** credentials include partner_token), and the clock of the emulated
** location as a fixed offset from UTC (default 0: local time is UTC).
**
** --record FILE appends every API call and its answer to FILE, one JSON
** object a line (record.c), for the tests that check a sandbox against its
** vendor's published spec. Without it, the environment variable
** PMS_SANDBOX_RECORD_DIR records to DIR/<vendor>-<pid>.jsonl: set for a
** whole `make test`, every sandbox the suite starts is recorded.
** --record-requests FILE records the calls without their answers.
**
** It binds 127.0.0.1:P (0 = any free port) first, so a busy port fails
** before a large portfolio is generated, then builds the portfolio, opens
** the vendor, starts the server and prints exactly one line
** "pms-sandbox V listening on http://127.0.0.1:PORT" to stdout. SIGTERM
** and SIGINT stop it cleanly with status 0; usage errors exit with 2.
**
** --vendor accepts a vendor's name in any case, with or without
** underscores, and the integration vendor names of pms_integrations
** (PROPERTYWARE_REST, RENTMANAGER, ...).
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
  fputs("usage: pms-sandbox --vendor V --port P [--size N|LO-HI] [--seed S]\n"
        "         [--latency-ms L] [--fault KIND[,KIND...]] [--fault-after K]\n"
        "         [--fault-rate R] [--no-rate-limit] [--print-credentials [--account K]]\n"
        "         [--accounts N]\n"
        "         [--cache-mb M] [--token-ttl-seconds T] [--require-partner-token]\n"
        "         [--utc-offset-minutes M] [--record FILE] [--record-requests FILE]\n"
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

/* A vendor name folded for comparison: lower case, without '_', '-' and
** ' ', so "RENT_MANAGER", "Rent Manager" and "rentmanager" are one name. */
static void fold_name(const char *s, char *out, size_t cap){
  size_t n = 0;
  for(; *s && n + 1 < cap; s++){
    unsigned char ch = (unsigned char)*s;
    if( ch >= 'A' && ch <= 'Z' ) out[n++] = (char)(ch - 'A' + 'a');
    else if( ch != '_' && ch != '-' && ch != ' ' ) out[n++] = (char)ch;
  }
  out[n] = 0;
}

/* --vendor takes the names users write in pms_integrations.vendor, in any
** case: the sandbox's own name, or the integration vendor (Propexo's
** integration_vendor, e.g. PROPERTYWARE_REST), which is the sandbox name
** with an optional "_REST" suffix for vendors with a REST and a SOAP API. */
static const sb_vendor *find_vendor(const char *name){
  char want[64], have[64];
  if( strlen(name) >= sizeof(want) ) return NULL;
  fold_name(name, want, sizeof(want));
  size_t n = strlen(want);
  for(int pass = 0; pass < 2; pass++){
    if( pass == 1 ){
      if( n <= 4 || strcmp(want + n - 4, "rest") != 0 ) break;
      want[n - 4] = 0;
    }
    for(int i = 0; sb_vendors[i]; i++){
      fold_name(sb_vendors[i]->name, have, sizeof(have));
      if( strcmp(have, want) == 0 ) return sb_vendors[i];
    }
  }
  return NULL;
}

/* --size N or LO-HI. */
static void parse_size(const char *v, sb_options *opt){
  const char *dash = strchr(v, '-');
  char lo[32];
  if( !dash ){
    opt->size = (uint32_t)parse_int("--size", v, 0, PF_MAX_SIZE);
    opt->size_max = 0;
    return;
  }
  if( (size_t)(dash - v) >= sizeof(lo) ) die_usage("invalid value '%s' for --size", v);
  memcpy(lo, v, (size_t)(dash - v));
  lo[dash - v] = 0;
  opt->size = (uint32_t)parse_int("--size", lo, 0, PF_MAX_SIZE);
  opt->size_max = (uint32_t)parse_int("--size", dash + 1, 0, PF_MAX_SIZE);
  if( opt->size_max < opt->size ) die_usage("--size range '%s' ends below its start", v);
}

int main(int argc, char **argv){
  sb_options opt;
  int print_creds = 0, naccounts = 1, account = 0;
  const char *record = NULL;
  int record_answers = 1;
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
      "--utc-offset-minutes", "--record", "--record-requests", "--accounts", "--account", NULL
    };
    int known = 0;
    for(int k = 0; valued[k]; k++) known |= strcmp(flag, valued[k]) == 0;
    if( !known ) die_usage("unknown option '%s'", flag);
    if( !val ){
      if( i + 1 >= argc ) die_usage("option '%s' needs a value", flag);
      val = argv[++i];
    }
    if( strcmp(flag, "--vendor") == 0 ) opt.vendor = val;
    else if( strcmp(flag, "--record") == 0 ){ record = val; record_answers = 1; }
    else if( strcmp(flag, "--record-requests") == 0 ){ record = val; record_answers = 0; }
    else if( strcmp(flag, "--port") == 0 ) opt.port = (int)parse_int(flag, val, 0, 65535);
    else if( strcmp(flag, "--size") == 0 ) parse_size(val, &opt);
    else if( strcmp(flag, "--accounts") == 0 ) naccounts = (int)parse_int(flag, val, 1, 100000);
    else if( strcmp(flag, "--account") == 0 ) account = (int)parse_int(flag, val, 0, 100000);
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
  if( account > 0 && !print_creds ) die_usage("%s", "--account goes with --print-credentials");
  if( account >= naccounts && naccounts > 1 ){
    fprintf(stderr, "pms-sandbox: --account %d is not below --accounts %d\n", account, naccounts);
    return 2;
  }
  if( naccounts > 1 && !v->account_seed ){
    fprintf(stderr, "pms-sandbox: the %s sandbox serves one account (no --accounts)\n", v->name);
    return 2;
  }
  if( print_creds ){
    sb_buf b = { 0 };
    sb_options ao;
    acct_options(&opt, account, &ao);
    v->credentials(&ao, &b);
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
  char recpath[4096];
  const char *recdir = getenv("PMS_SANDBOX_RECORD_DIR");
  if( !record && recdir && *recdir ){
    snprintf(recpath, sizeof(recpath), "%s/%s-%ld.jsonl", recdir, v->name, (long)getpid());
    record = recpath;
  }
  if( record && rec_open(record, record_answers) != 0 ){
    fprintf(stderr, "pms-sandbox: cannot open --record file '%s': %s\n", record, strerror(errno));
    return 1;
  }
  if( !acct_open(&opt, v, naccounts) ){
    sb_options a0;
    acct_options(&opt, 0, &a0);
    fprintf(stderr, "pms-sandbox: cannot generate a portfolio of %u\n", (unsigned)a0.size);
    return 1;
  }
  char url[64];
  snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
  acct_set_base_url(url);
  ctl_init(&opt, v, naccounts);
  if( srv_start(fd, v, naccounts) != 0 ){
    fprintf(stderr, "pms-sandbox: cannot start the server\n");
    return 1;
  }
  printf("pms-sandbox %s listening on %s\n", v->name, url);
  fflush(stdout);

  while( sigwait(&stop, &sig) != 0 ){}
  if( srv_stop() ){
    ctl_shutdown();
    acct_close();
    rec_close();
  }
  return 0;
}
