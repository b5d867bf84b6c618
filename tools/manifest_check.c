/*
** manifest_check.c — the build's check of the vendor manifests.
**
** `make` runs it over every capability/<vendor>.json before it compiles them into
** pmsql.so: it parses each file with the loader the extension uses
** (ext/manifest.c, against the unified models of sql/), so a malformed
** manifest fails the build with the file, the JSON path and the reason
** instead of failing every pms_init() later.
**
**   build/manifest-check capability/buildium.json ...
*/
#include "../ext/pmsql.h"
#include <stdio.h>
#include <stdlib.h>

static char *mc_read(const char *zFile){
  FILE *f = fopen(zFile, "rb");
  char *z = 0;
  long n;
  if( f==0 ) return 0;
  if( fseek(f, 0, SEEK_END)==0 && (n = ftell(f))>=0 && fseek(f, 0, SEEK_SET)==0 ){
    z = malloc((size_t)n + 1);
    if( z && fread(z, 1, (size_t)n, f)!=(size_t)n ){ free(z); z = 0; }
    if( z ) z[n] = 0;
  }
  fclose(f);
  return z;
}

int main(int argc, char **argv){
  char *zErr = 0;
  int i, nFail = 0;
  if( pms_schema_load(&zErr) ){
    fprintf(stderr, "manifest-check: %s\n", zErr);
    return 1;
  }
  for(i=1; i<argc; i++){
    char *zText = mc_read(argv[i]);
    pms_manifest *pMf = 0;
    if( zText==0 ){
      fprintf(stderr, "%s: cannot read\n", argv[i]);
      nFail++;
      continue;
    }
    if( pms_manifest_parse(argv[i], zText, &pMf, &zErr) ){
      fprintf(stderr, "%s\n", zErr);
      free(zErr);
      zErr = 0;
      nFail++;
    }
    pms_manifest_free(pMf);
    free(zText);
  }
  return nFail ? 1 : 0;
}
