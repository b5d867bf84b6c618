/*
** record.c — the traffic record (--record FILE): every API call the
** sandbox answers, appended to FILE as one JSON object per line:
**
**   {"method":"GET","path":"/v1/rentals","query":"limit=5",
**    "request":"<body or empty>","status":200,
**    "content_type":"application/json; charset=utf-8",
**    "fault":"","response":"<body>"}
**
** With --accounts each line also names the request's "account". With
** --record-requests FILE instead, lines stop after "fault": the requests
** alone, small enough to keep for a whole benchmark (bench/many.tcl replays
** them with curl as its baseline).
**
** Bodies are JSON strings holding the raw bytes, so a record survives any
** answer (faulted HTML, truncated JSON). "fault" names the injected fault
** that produced or will damage the answer ("" for none): a checker skips
** those, since they break the vendor's contract on purpose.
**
** The record is how the tests hold a sandbox to its vendor's published
** OpenAPI spec (test/spec_check.c reads it): the sandbox itself never
** reads a spec. Lines are written whole under a mutex, so concurrent
** connections never interleave.
*/
#include "sandbox.h"

#include <pthread.h>
#include <stdio.h>

static FILE *rec_file;
static int rec_answers;         /* 0: --record-requests */
static pthread_mutex_t rec_mu = PTHREAD_MUTEX_INITIALIZER;

int rec_open(const char *path, int answers){
  rec_answers = answers;
  rec_file = fopen(path, "a");
  return rec_file ? 0 : -1;
}

void rec_close(void){
  if( rec_file ) fclose(rec_file);
  rec_file = NULL;
}

void rec_note(const sb_request *req, const sb_response *resp, int fault, int account){
  if( !rec_file ) return;
  sb_buf b = { 0 };
  size_t blen;
  const char *body = sb_response_data(resp, &blen);
  SB_LIT(&b, "{\"method\":");
  jw_str(&b, req->method);
  SB_LIT(&b, ",\"path\":");
  jw_str(&b, req->path);
  SB_LIT(&b, ",\"query\":");
  jw_str(&b, req->query);
  SB_LIT(&b, ",\"request\":");
  jw_strn(&b, req->body ? req->body : "", req->body ? req->body_len : 0);
  sb_printf(&b, ",\"status\":%d", resp->status);
  if( account >= 0 ) sb_printf(&b, ",\"account\":%d", account);
  if( rec_answers ){
    SB_LIT(&b, ",\"content_type\":");
    jw_str(&b, resp->content_type ? resp->content_type : SB_JSON_TYPE);
  }
  SB_LIT(&b, ",\"fault\":");
  jw_str(&b, ctl_fault_name(fault));
  if( rec_answers ){
    SB_LIT(&b, ",\"response\":");
    jw_strn(&b, body ? body : "", body ? blen : 0);
  }
  SB_LIT(&b, "}\n");
  pthread_mutex_lock(&rec_mu);
  fwrite(b.p, 1, b.n, rec_file);
  fflush(rec_file);
  pthread_mutex_unlock(&rec_mu);
  sb_buf_free(&b);
}
