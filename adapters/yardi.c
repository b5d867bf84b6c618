/*
** yardi.c — the Yardi Voyager adapter (YARDI): SOAP 1.1 "interfaces".
**
** Protocol (research/pms-apis.md §5; propexo.md §1.3-§1.5): one web service
** per interface at {base}/webservices/{Interface}.asmx, where base is the
** customer's own Voyager URL (https://www.yardiaspNN.com/{client}); every
** call is a POST of a SOAP envelope (text/xml) with the header
** SOAPAction: "http://tempuri.org/YSI.Interfaces.WebServices/{Interface}/{Op}"
** and the operation element in that interface's namespace. The credentials
** travel inside every call (the manifest's auth.fields: UserName, Password,
** ServerName, …): the envelope is built with those elements empty, which is
** what the engine journals, and yd_authorize fills them in just before
** sending (every copy that held them is wiped). Per-property operations take
** YardiPropertyId, so every model but properties is read once per synced
** property (operations.read.partition). There is no paging: one answer
** holds a whole property. Each model's manifest resource names its
** Interface/Operation/RecordElement; ids never go into a URL (the URL is
** the interface's), only into the escaped envelope.
**
** XML layer: envelopes are written with libxml2's xmlTextWriter (values are
** escaped by the writer) and answers read with the streaming xmlTextReader:
** each record element is expanded alone, converted to a cJSON object
** (yd_xml_to_json: element names as keys, attributes as "@name", repeated
** elements as arrays, text-only elements as strings) and dropped, so a large
** answer is never held as a DOM: the body and its records as cJSON are the
** two copies a sync holds at its peak. capability/yardi.json's field maps
** then read those objects like any vendor's JSON; only the envelope, the
** error classification and a few irregular fields (composite unit ids, the
** roommates of a lease, a resident's phone list) are C. Money: the MITS
** ResidentTransactions of GetResidentTransactions_ByChargeDate_Login, whose
** Charge and Payment elements are the two money models' records.
**
** Errors come back as HTTP 200 bodies: the result text "Login failed.",
** <Messages><Message messageType="Error">, or a SOAP fault (HTTP 500).
** yd_classify (pms_adapter.xClassify) reads the head of the answer (up to
** its first record) and turns them into 401, 400 and — for soap:Client
** faults — 400 (soap:Server faults stay 500 and are retried); yd_error_message
** quotes the vendor's text. The request body, which holds the credentials,
** is never quoted.
**
** Writes (Propexo documents them for Yardi): leads create
** (ILSGuestCard ImportYardiGuest_Login, XmlDoc = LeadManagement/Prospects/
** Prospect) and service requests create and update (ServiceRequests
** CreateOrEditServiceRequests, ServiceRequestXml = ServiceRequests/
** ServiceRequest). Both answer the stored record, which is cached at once.
** Everything else is refused by capability/yardi.json.
*/
#include "../ext/pmsql.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlwriter.h>

#define YD_NS      "http://tempuri.org/YSI.Interfaces.WebServices/"
#define YD_SOAP_NS "http://schemas.xmlsoap.org/soap/envelope/"
#define YD_MAX_DEPTH 32        /* nesting a record may have */

/* ---------------------------------------------------- a model's operation */

/* A model's manifest "resource" is Interface/Operation/RecordElement:
** the web service, its list operation and the element of one record in the
** answer ("ItfResidentData/GetResidentsByStatus/Resident"). */
typedef struct yd_res {
  char zItf[64];
  char zOp[96];
  char zRecord[64];
} yd_res;

static int yd_res_of(const pms_adapter_model *pAM, yd_res *pR){
  const char *z = pAM->zPath ? pAM->zPath : "";
  const char *a = strchr(z, '/'), *b = a ? strchr(a+1, '/') : 0;
  memset(pR, 0, sizeof(*pR));
  if( b==0 || (size_t)(a-z)>=sizeof(pR->zItf) || (size_t)(b-a-1)>=sizeof(pR->zOp)
   || strlen(b+1)>=sizeof(pR->zRecord) ) return SQLITE_ERROR;
  memcpy(pR->zItf, z, (size_t)(a-z));
  memcpy(pR->zOp, a+1, (size_t)(b-a-1));
  strcpy(pR->zRecord, b+1);
  return SQLITE_OK;
}

/* ------------------------------------------------------------- quiet */

/* libxml2 reports some problems (an encoding it cannot convert, an I/O
** error of the writer) through its generic error handler, which prints to
** stderr: a library loaded into someone's process must not. The handlers
** are per thread in libxml2, so each call into it silences them for its
** own duration and puts back what the host had set; the problems still
** reach the caller as a failed parse or write. */
typedef struct yd_quiet {
  xmlGenericErrorFunc xGeneric;
  void *pGeneric;
  xmlStructuredErrorFunc xStructured;
  void *pStructured;
} yd_quiet;

static void yd_no_generic(void *p, const char *zFmt, ...){ (void)p; (void)zFmt; }
static void yd_no_structured(void *p, xmlErrorPtr e){ (void)p; (void)e; }

static void yd_quiet_on(yd_quiet *q){
  q->xGeneric = xmlGenericError;
  q->pGeneric = xmlGenericErrorContext;
  q->xStructured = xmlStructuredError;
  q->pStructured = xmlStructuredErrorContext;
  xmlSetGenericErrorFunc(0, yd_no_generic);
  xmlSetStructuredErrorFunc(0, yd_no_structured);
}

static void yd_quiet_off(const yd_quiet *q){
  xmlSetGenericErrorFunc(q->pGeneric, q->xGeneric);
  xmlSetStructuredErrorFunc(q->pStructured, q->xStructured);
}

/* ---------------------------------------------------------- XML -> JSON */

/* Add a value under key, turning a repeated key into an array (values
** themselves are never arrays, so an array here is a repetition). */
static void yd_json_add(cJSON *pObj, const char *zKey, cJSON *pVal){
  cJSON *pOld = cJSON_GetObjectItemCaseSensitive(pObj, zKey);
  if( pOld==0 ){
    cJSON_AddItemToObject(pObj, zKey, pVal);
  }else if( cJSON_IsArray(pOld) ){
    cJSON_AddItemToArray(pOld, pVal);
  }else{
    cJSON *pArr = cJSON_CreateArray();
    cJSON_DetachItemViaPointer(pObj, pOld);
    cJSON_AddItemToArray(pArr, pOld);
    cJSON_AddItemToArray(pArr, pVal);
    cJSON_AddItemToObject(pObj, zKey, pArr);
  }
}

/* One element (a subtree expanded by the reader) as JSON: text-only
** elements without attributes are strings, the rest objects. */
static cJSON *yd_xml_to_json(xmlNodePtr p, int nDepth){
  xmlNodePtr c;
  xmlAttrPtr a;
  int bElements = 0;
  cJSON *pObj;
  for(c=p->children; c; c=c->next) if( c->type==XML_ELEMENT_NODE ){ bElements = 1; break; }
  if( !bElements && p->properties==0 ){
    xmlChar *t = xmlNodeGetContent(p);
    cJSON *pStr = cJSON_CreateString(t ? (const char*)t : "");
    xmlFree(t);
    return pStr;
  }
  pObj = cJSON_CreateObject();
  if( pObj==0 ) return 0;
  for(a=p->properties; a; a=a->next){
    xmlChar *t = xmlNodeListGetString(p->doc, a->children, 1);
    char zKey[128];
    snprintf(zKey, sizeof(zKey), "@%s", (const char*)a->name);
    if( cJSON_GetObjectItemCaseSensitive(pObj, zKey)==0 ){
      cJSON_AddStringToObject(pObj, zKey, t ? (const char*)t : "");
    }
    xmlFree(t);
  }
  for(c=p->children; c; c=c->next){
    if( c->type==XML_ELEMENT_NODE ){
      cJSON *pV = nDepth<YD_MAX_DEPTH ? yd_xml_to_json(c, nDepth+1) : cJSON_CreateNull();
      if( pV ) yd_json_add(pObj, (const char*)c->name, pV);
    }else if( (c->type==XML_TEXT_NODE || c->type==XML_CDATA_SECTION_NODE) && !bElements ){
      xmlChar *t = xmlNodeGetContent(p);
      cJSON_AddStringToObject(pObj, "#text", t ? (const char*)t : "");
      xmlFree(t);
      break;
    }
  }
  return pObj;
}

/* What one answer says. */
enum { YD_OK = 0, YD_LOGIN, YD_MESSAGE, YD_TEXT, YD_FAULT_CLIENT, YD_FAULT_SERVER, YD_NOT_SOAP };

typedef struct yd_answer {
  int eKind;
  char *zMsg;           /* the vendor's message (malloc'd) */
  cJSON *pRecords;      /* the records, when asked for */
} yd_answer;

static char *yd_child_text(xmlNodePtr p, const char *zName){
  xmlNodePtr c;
  for(c=p ? p->children : 0; c; c=c->next){
    if( c->type==XML_ELEMENT_NODE && strcmp((const char*)c->name, zName)==0 ){
      xmlChar *t = xmlNodeGetContent(c);
      char *z = pms_strdup(t ? (const char*)t : "");
      xmlFree(t);
      return z;
    }
  }
  return 0;
}

static void yd_set_msg(yd_answer *pA, int eKind, char *zMsg){
  if( pA->eKind!=YD_OK ){ free(zMsg); return; }   /* the first error wins */
  pA->eKind = eKind;
  pA->zMsg = zMsg ? zMsg : pms_strdup("(no message)");
}

/* Collect the error messages of <Messages>: the Message elements whose
** messageType is Error, joined. */
static void yd_messages(xmlNodePtr p, yd_answer *pA){
  xmlNodePtr c;
  pms_str s = {0};
  for(c=p->children; c; c=c->next){
    xmlChar *zType, *t;
    if( c->type!=XML_ELEMENT_NODE || strcmp((const char*)c->name, "Message") ) continue;
    zType = xmlGetProp(c, (const xmlChar*)"messageType");
    if( zType && strcasecmp((const char*)zType, "Error")==0 ){
      t = xmlNodeGetContent(c);
      if( s.n ) pms_str_appendz(&s, "; ");
      pms_str_appendz(&s, t ? (const char*)t : "");
      xmlFree(t);
    }
    xmlFree(zType);
  }
  if( s.n ) yd_set_msg(pA, YD_MESSAGE, pms_str_finish(&s));
  else pms_str_reset(&s);
}

static int yd_is_blank(const char *z){
  while( z && (*z==' ' || *z=='\t' || *z=='\r' || *z=='\n') ) z++;
  return z==0 || *z==0;
}

/* Read a SOAP answer with the streaming reader. zRecord: the element of one
** record (collected into pA->pRecords), or NULL to stop at the first element
** of the result that is not <Messages> (classification reads only the
** head). Returns SQLITE_OK, or SQLITE_ERROR with *pzErr when the body is
** not a well-formed SOAP envelope. */
static int yd_read_answer_loud(const char *z, size_t n, const char *zRecord, yd_answer *pA, char **pzErr){
  xmlTextReaderPtr r;
  int rc = 1, bDone = 0, bPending = 0, bBody = 0, bResult = 0, bFault = 0;
  memset(pA, 0, sizeof(*pA));
  if( z==0 || n==0 || n>(size_t)0x7fffffff ){
    *pzErr = pms_strdup("an empty answer where a SOAP envelope was expected");
    return SQLITE_ERROR;
  }
  r = xmlReaderForMemory(z, (int)n, "answer.xml", 0, XML_PARSE_NONET|XML_PARSE_NOERROR|XML_PARSE_NOWARNING);
  if( r==0 ){ *pzErr = pms_strdup("out of memory"); return SQLITE_ERROR; }
  if( zRecord ) pA->pRecords = cJSON_CreateArray();
  while( !bDone && *pzErr==0 ){
    int t, d;
    const char *zName, *zNs;
    /* bPending: xmlTextReaderNext already moved to a node not yet looked at */
    if( !bPending && (rc = xmlTextReaderRead(r))!=1 ) break;
    bPending = 0;
    t = xmlTextReaderNodeType(r);
    d = xmlTextReaderDepth(r);
    zName = (const char*)xmlTextReaderConstLocalName(r);
    zNs = (const char*)xmlTextReaderConstNamespaceUri(r);
    if( t==XML_READER_TYPE_ELEMENT ){
      if( d==0 ){
        if( strcmp(zName, "Envelope") || !zNs || strcmp(zNs, YD_SOAP_NS) ){
          *pzErr = pms_mprintf("expected a SOAP envelope, got <%s>", zName);
        }
      }else if( d==1 ){
        if( strcmp(zName, "Body")==0 ){
          bBody = 1;
        }else{                                    /* a Header: skipped */
          if( (rc = xmlTextReaderNext(r))!=1 ) break;
          bPending = 1;
        }
      }else if( d==2 && bBody ){
        if( strcmp(zName, "Fault")==0 ){
          xmlNodePtr p = xmlTextReaderExpand(r);
          char *zCode = yd_child_text(p, "faultcode");
          char *zStr = yd_child_text(p, "faultstring");
          const char *zLocal = zCode ? strchr(zCode, ':') : 0;
          zLocal = zLocal ? zLocal+1 : zCode;
          bFault = bDone = 1;
          yd_set_msg(pA, zLocal && strcmp(zLocal, "Client")==0 ? YD_FAULT_CLIENT : YD_FAULT_SERVER,
                     pms_mprintf("SOAP fault %s: %s", zCode ? zCode : "(no faultcode)", zStr ? zStr : "(no faultstring)"));
          free(zCode);
          free(zStr);
        }
      }else if( d==3 && bBody ){
        bResult = 1;                              /* {Op}Result */
      }else if( d>=4 && bResult ){
        if( strcmp(zName, "Messages")==0 ){
          xmlNodePtr p = xmlTextReaderExpand(r);
          if( p ) yd_messages(p, pA);
        }else if( zRecord==0 ){
          bDone = 1;                              /* the head is read */
          continue;
        }else if( strcmp(zName, zRecord)==0 ){
          xmlNodePtr p = xmlTextReaderExpand(r);
          cJSON *pRec = p ? yd_xml_to_json(p, 0) : 0;
          if( pRec==0 ){
            *pzErr = pms_strdup("a record could not be read (out of memory or malformed)");
            break;
          }
          cJSON_AddItemToArray(pA->pRecords, pRec);
        }else{
          continue;                               /* a wrapper: read into it */
        }
        /* past the subtree just read; its memory is released as we go */
        if( (rc = xmlTextReaderNext(r))!=1 ) break;
        bPending = 1;
      }
    }else if( (t==XML_READER_TYPE_TEXT || t==XML_READER_TYPE_CDATA) && d==4 && bResult ){
      /* the result is text: "Login failed." or another message */
      const char *zText = (const char*)xmlTextReaderConstValue(r);
      if( !yd_is_blank(zText) ){
        yd_set_msg(pA, strstr(zText, "Login failed") ? YD_LOGIN : YD_TEXT, pms_strdup(zText));
        bDone = 1;
      }
    }
  }
  if( *pzErr==0 && !bDone && rc<0 ){
    xmlErrorPtr e = xmlGetLastError();
    *pzErr = pms_mprintf("the answer is not well-formed XML%s%s",
                         e && e->message ? ": " : "", e && e->message ? e->message : "");
    if( *pzErr ){
      size_t k = strlen(*pzErr);
      while( k && ((*pzErr)[k-1]=='\n' || (*pzErr)[k-1]==' ') ) (*pzErr)[--k] = 0;
    }
  }else if( *pzErr==0 && !bFault && !bResult && pA->eKind==YD_OK ){
    *pzErr = pms_strdup("the SOAP answer has no operation result");
  }
  xmlFreeTextReader(r);
  if( *pzErr ){
    cJSON_Delete(pA->pRecords);
    pA->pRecords = 0;
    free(pA->zMsg);
    pA->zMsg = 0;
    return SQLITE_ERROR;
  }
  return SQLITE_OK;
}

static int yd_read_answer(const char *z, size_t n, const char *zRecord, yd_answer *pA, char **pzErr){
  yd_quiet q;
  int rc;
  yd_quiet_on(&q);
  rc = yd_read_answer_loud(z, n, zRecord, pA, pzErr);
  yd_quiet_off(&q);
  return rc;
}

static void yd_answer_clear(yd_answer *pA){
  cJSON_Delete(pA->pRecords);
  free(pA->zMsg);
  memset(pA, 0, sizeof(*pA));
}

static int yd_is_xml(const pms_response *pResp){
  const char *z = pResp->zContentType;
  return z && (strncasecmp(z, "text/xml", 8)==0 || strncasecmp(z, "application/xml", 15)==0
               || strncasecmp(z, "application/soap+xml", 20)==0);
}

/* ------------------------------------------------------- JSON -> XML out */

/* Can XML 1.0 carry this text? Strict UTF-8 (no overlong forms, no
** surrogates) of XML characters only; the writer escapes the rest. A value
** that fails is never sent: it would make the envelope unreadable. */
static int yd_xml_text_ok(const char *z){
  const unsigned char *p = (const unsigned char*)z;
  while( p && *p ){
    unsigned c = *p, n, i;
    if( c<0x80 ){
      if( c<0x20 && c!='\t' && c!='\n' && c!='\r' ) return 0;
      p++;
      continue;
    }
    if( (c & 0xe0)==0xc0 ){ n = 1; c &= 0x1f; }
    else if( (c & 0xf0)==0xe0 ){ n = 2; c &= 0x0f; }
    else if( (c & 0xf8)==0xf0 ){ n = 3; c &= 0x07; }
    else return 0;
    for(i=1; i<=n; i++){
      if( (p[i] & 0xc0)!=0x80 ) return 0;
      c = (c<<6) | (p[i] & 0x3f);
    }
    if( (n==1 && c<0x80) || (n==2 && c<0x800) || (n==3 && c<0x10000) ) return 0;   /* overlong */
    if( (c>=0xd800 && c<=0xdfff) || c==0xfffe || c==0xffff || c>0x10ffff ) return 0;
    p += n+1;
  }
  return 1;
}

/* Every string in a JSON value passes yd_xml_text_ok (keys too). */
static int yd_json_text_ok(const cJSON *p, int nDepth){
  const cJSON *c;
  if( nDepth>YD_MAX_DEPTH ) return 0;
  if( p->string && !yd_xml_text_ok(p->string) ) return 0;
  if( cJSON_IsString(p) ) return yd_xml_text_ok(p->valuestring);
  cJSON_ArrayForEach(c, p) if( !yd_json_text_ok(c, nDepth+1) ) return 0;
  return 1;
}

/* Write a JSON object as child elements ("@name" members as attributes). */
static int yd_write_json(xmlTextWriterPtr w, const cJSON *pObj, int nDepth){
  const cJSON *p;
  int rc = 0;
  if( nDepth>YD_MAX_DEPTH ) return -1;
  cJSON_ArrayForEach(p, pObj){
    if( p->string && p->string[0]=='@' && cJSON_IsString(p) ){
      rc |= xmlTextWriterWriteAttribute(w, (const xmlChar*)p->string+1, (const xmlChar*)p->valuestring) < 0;
    }
  }
  cJSON_ArrayForEach(p, pObj){
    const cJSON *pItem;
    if( p->string==0 || p->string[0]=='@' || cJSON_IsNull(p) ) continue;
    if( cJSON_IsArray(p) ){
      cJSON_ArrayForEach(pItem, p){
        rc |= xmlTextWriterStartElement(w, (const xmlChar*)p->string) < 0;
        if( cJSON_IsObject(pItem) ) rc |= yd_write_json(w, pItem, nDepth+1) < 0;
        else if( cJSON_IsString(pItem) ) rc |= xmlTextWriterWriteString(w, (const xmlChar*)pItem->valuestring) < 0;
        rc |= xmlTextWriterEndElement(w) < 0;
      }
      continue;
    }
    rc |= xmlTextWriterStartElement(w, (const xmlChar*)p->string) < 0;
    if( cJSON_IsObject(p) ){
      rc |= yd_write_json(w, p, nDepth+1) < 0;
    }else if( cJSON_IsString(p) ){
      rc |= xmlTextWriterWriteString(w, (const xmlChar*)p->valuestring) < 0;
    }else if( cJSON_IsNumber(p) ){
      char zNum[64];
      double r = p->valuedouble;
      if( r==(double)(long long)r ) snprintf(zNum, sizeof(zNum), "%lld", (long long)r);
      else snprintf(zNum, sizeof(zNum), "%.2f", r);
      rc |= xmlTextWriterWriteString(w, (const xmlChar*)zNum) < 0;
    }else if( cJSON_IsBool(p) ){
      rc |= xmlTextWriterWriteString(w, (const xmlChar*)(cJSON_IsTrue(p) ? "true" : "false")) < 0;
    }
    rc |= xmlTextWriterEndElement(w) < 0;
  }
  return rc ? -1 : 0;
}

/* The credential elements of every call, in the manifest's order:
** auth.fields {element: credential key}. */
static const cJSON *yd_cred_fields(const pms_session *pS){
  return cJSON_GetObjectItemCaseSensitive(pS->pAdapter->pManifest->pAuth, "fields");
}

/* A SOAP call: azParam holds name/value pairs (NULL-terminated) written
** after the (empty) credentials; pDoc, when set, is written as the element
** zDocParam holding zDocPath. */
static pms_request *yd_call_loud(pms_session *pS, const char *zItf, const char *zOp,
                                 const char *const *azParam, const char *zDocParam,
                                 const char *zDocPath, const cJSON *pDoc){
  xmlBufferPtr pBuf = xmlBufferCreate();
  xmlTextWriterPtr w = pBuf ? xmlNewTextWriterMemory(pBuf, 0) : 0;
  char zNs[160], *zUrl = 0, *zAction = 0;
  pms_request *r = 0;
  const cJSON *pC;
  int rc = 0, i, nOpen = 0;
  for(i=0; azParam && azParam[i]; i+=2) if( !yd_xml_text_ok(azParam[i+1]) ) rc = 1;
  if( pDoc && !yd_json_text_ok(pDoc, 0) ) rc = 1;
  if( w==0 || rc ){
    if( w ) xmlFreeTextWriter(w);
    if( pBuf ) xmlBufferFree(pBuf);
    return 0;
  }
  snprintf(zNs, sizeof(zNs), YD_NS "%s", zItf);
  rc |= xmlTextWriterStartDocument(w, "1.0", "utf-8", 0) < 0;
  rc |= xmlTextWriterStartElementNS(w, (const xmlChar*)"soap", (const xmlChar*)"Envelope",
                                    (const xmlChar*)YD_SOAP_NS) < 0;
  rc |= xmlTextWriterStartElementNS(w, (const xmlChar*)"soap", (const xmlChar*)"Body", 0) < 0;
  rc |= xmlTextWriterStartElement(w, (const xmlChar*)zOp) < 0;
  rc |= xmlTextWriterWriteAttribute(w, (const xmlChar*)"xmlns", (const xmlChar*)zNs) < 0;
  cJSON_ArrayForEach(pC, yd_cred_fields(pS)){
    rc |= xmlTextWriterWriteElement(w, (const xmlChar*)pC->string, (const xmlChar*)"") < 0;
  }
  for(i=0; azParam && azParam[i]; i+=2){
    rc |= xmlTextWriterWriteElement(w, (const xmlChar*)azParam[i], (const xmlChar*)azParam[i+1]) < 0;
  }
  if( zDocParam && pDoc ){
    /* zDocPath: the elements around the record, "LeadManagement/Prospects/Prospect" */
    const char *z = zDocPath;
    rc |= xmlTextWriterStartElement(w, (const xmlChar*)zDocParam) < 0;
    while( z && *z ){
      const char *e = strchr(z, '/');
      char zSeg[64];
      snprintf(zSeg, sizeof(zSeg), "%.*s", (int)(e ? e-z : (int)strlen(z)), z);
      rc |= xmlTextWriterStartElement(w, (const xmlChar*)zSeg) < 0;
      nOpen++;
      z = e ? e+1 : 0;
    }
    rc |= yd_write_json(w, pDoc, 0) < 0;
    while( nOpen-- > 0 ) rc |= xmlTextWriterEndElement(w) < 0;
    rc |= xmlTextWriterEndElement(w) < 0;
  }
  rc |= xmlTextWriterEndDocument(w) < 0;
  xmlFreeTextWriter(w);
  if( rc==0 ){
    zUrl = pms_mprintf("%s/webservices/%s.asmx", pS->zBaseUrl, zItf);
    zAction = pms_mprintf("SOAPAction: \"%s/%s\"", zNs, zOp);
    if( zUrl && zAction ) r = pms_request_new("POST", zUrl);
    if( r ){
      pms_request_body(r, (const char*)xmlBufferContent(pBuf), "text/xml; charset=utf-8");
      pms_request_header(r, zAction);
    }
  }
  free(zUrl);
  free(zAction);
  xmlBufferFree(pBuf);
  return r;
}

static pms_request *yd_call(pms_session *pS, const char *zItf, const char *zOp,
                            const char *const *azParam, const char *zDocParam,
                            const char *zDocPath, const cJSON *pDoc){
  yd_quiet q;
  pms_request *r;
  yd_quiet_on(&q);
  r = yd_call_loud(pS, zItf, zOp, azParam, zDocParam, zDocPath, pDoc);
  yd_quiet_off(&q);
  return r;
}

/* Fill the credential elements of the envelope in (pms_adapter.xAuthorize):
** the engine has journaled the body without them. Every copy that held a
** credential is wiped before it is freed (the request wipes its body). */
static int yd_authorize_loud(pms_session *pS, pms_request *r){
  const char *zBody = pms_request_payload(r);
  xmlDocPtr pDoc;
  xmlNodePtr pRoot, pOp = 0, c;
  xmlChar *zOut = 0;
  int nOut = 0;
  if( zBody==0 ) return SQLITE_OK;
  pDoc = xmlReadMemory(zBody, (int)strlen(zBody), "request.xml", 0,
                       XML_PARSE_NONET|XML_PARSE_NOERROR|XML_PARSE_NOWARNING|XML_PARSE_NODICT);
  if( pDoc==0 ) return SQLITE_NOMEM;
  pRoot = xmlDocGetRootElement(pDoc);
  for(c=pRoot ? pRoot->children : 0; c; c=c->next){
    if( c->type==XML_ELEMENT_NODE && strcmp((const char*)c->name, "Body")==0 ) break;
  }
  for(c=c ? c->children : 0; c; c=c->next) if( c->type==XML_ELEMENT_NODE ){ pOp = c; break; }
  for(c=pOp ? pOp->children : 0; c; c=c->next){
    const char *zKey;
    const char *zV;
    if( c->type!=XML_ELEMENT_NODE ) continue;
    zKey = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(yd_cred_fields(pS), (const char*)c->name));
    if( zKey==0 ) continue;
    zV = pms_credential(pS, zKey);
    xmlNodeSetContent(c, 0);
    /* a value XML cannot carry stays out: Yardi answers Login failed. */
    if( zV && yd_xml_text_ok(zV) ) xmlNodeAddContent(c, (const xmlChar*)zV);
  }
  xmlDocDumpMemoryEnc(pDoc, &zOut, &nOut, "utf-8");
  /* the tree's copies of the credentials */
  for(c=pOp ? pOp->children : 0; c; c=c->next){
    if( c->type==XML_ELEMENT_NODE && c->children && c->children->type==XML_TEXT_NODE && c->children->content
     && cJSON_GetObjectItemCaseSensitive(yd_cred_fields(pS), (const char*)c->name) ){
      pms_wipe(c->children->content, strlen((const char*)c->children->content));
    }
  }
  xmlFreeDoc(pDoc);
  if( zOut==0 ) return SQLITE_NOMEM;
  pms_request_replace_body(r, (const char*)zOut);
  pms_wipe(zOut, (size_t)nOut);
  xmlFree(zOut);
  return SQLITE_OK;
}

static int yd_authorize(pms_session *pS, pms_request *r){
  yd_quiet q;
  int rc;
  yd_quiet_on(&q);
  rc = yd_authorize_loud(pS, r);
  yd_quiet_off(&q);
  return rc;
}


/* -------------------------------------------------------------- reading */

static void yd_now_plus_day(char *z, size_t n){
  char zIso[32];
  pms_ms_to_iso(pms_now_ms() + 86400000LL, zIso, 0);
  snprintf(z, n, "%.19s", zIso);
}

static pms_request *yd_list_request(pms_session *pS, const pms_adapter_model *pAM,
                                    const pms_list_page *pPg){
  yd_res res;
  const char *azP[8];
  char zFrom[32], zTo[32];
  int n = 0;
  if( yd_res_of(pAM, &res) ) return 0;
  if( pPg->zPartition ){ azP[n++] = "YardiPropertyId"; azP[n++] = pPg->zPartition; }
  if( pAM->zSince ){
    /* a date range (FromDate .. ToDate), required: a full sync asks from
    ** 1900 (Yardi's times carry no zone; the sandbox's are UTC) */
    snprintf(zFrom, sizeof(zFrom), "%.19s", pPg->zSince ? pPg->zSince : "1900-01-01T00:00:00");
    yd_now_plus_day(zTo, sizeof(zTo));
    azP[n++] = pAM->zSince; azP[n++] = zFrom;
    azP[n++] = "ToDate"; azP[n++] = zTo;
  }
  azP[n] = 0;
  return yd_call(pS, res.zItf, res.zOp, azP, 0, 0, 0);
}

/* Residents: each lease's head tenant and its roommates, one record each,
** with the lease (TenantId), property, unit and status of the lease. The
** records are moved, not copied: the answer's records stay one copy. */
static cJSON *yd_flatten_residents(cJSON *pLeases){
  cJSON *pOut = cJSON_CreateArray();
  static const char *const azCopy[] = { "PropertyCode", "UnitCode", "Status" };
  while( pOut && pLeases && pLeases->child ){
    cJSON *pHead = cJSON_DetachItemViaPointer(pLeases, pLeases->child);
    cJSON *pRoom = cJSON_DetachItemFromObjectCaseSensitive(pHead, "Roommate");
    const char *zId = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pHead, "Id"));
    cJSON *pList = pRoom;
    if( !cJSON_IsObject(pHead) ){ cJSON_Delete(pHead); cJSON_Delete(pRoom); continue; }
    if( zId ) cJSON_AddStringToObject(pHead, "TenantId", zId);
    cJSON_AddItemToArray(pOut, pHead);     /* the lease's tenant first */
    if( pRoom && !cJSON_IsArray(pRoom) ){
      pList = cJSON_CreateArray();
      cJSON_AddItemToArray(pList, pRoom);
    }
    while( pList && pList->child ){
      cJSON *pOne = cJSON_DetachItemViaPointer(pList, pList->child);
      size_t k;
      if( !cJSON_IsObject(pOne) ){ cJSON_Delete(pOne); continue; }
      if( zId ) cJSON_AddStringToObject(pOne, "TenantId", zId);
      for(k=0; k<sizeof(azCopy)/sizeof(azCopy[0]); k++){
        const cJSON *pV = cJSON_GetObjectItemCaseSensitive(pHead, azCopy[k]);
        if( pV && !cJSON_HasObjectItem(pOne, azCopy[k]) ) cJSON_AddItemToObject(pOne, azCopy[k], cJSON_Duplicate(pV, 1));
      }
      cJSON_AddItemToArray(pOut, pOne);
    }
    cJSON_Delete(pList);
  }
  cJSON_Delete(pLeases);
  return pOut;
}

static int yd_list_parse(pms_session *pS, const pms_adapter_model *pAM,
                         pms_response *pResp, pms_list_result *pOut, char **pzErr){
  yd_res res;
  yd_answer a;
  (void)pS;
  if( yd_res_of(pAM, &res) ){
    *pzErr = pms_mprintf("capability/yardi.json: %s's resource is not Interface/Operation/Record", pAM->zModel);
    return SQLITE_ERROR;
  }
  if( !yd_is_xml(pResp) ){
    *pzErr = pms_mprintf("expected XML, got %s", pResp->zContentType ? pResp->zContentType : "no content type");
    return SQLITE_ERROR;
  }
  if( yd_read_answer(pResp->zBody, pResp->nBody, res.zRecord, &a, pzErr) ) return SQLITE_ERROR;
  if( a.eKind!=YD_OK ){
    /* yd_classify makes these non-2xx; here only if it was bypassed */
    *pzErr = pms_mprintf("Yardi: %s", a.zMsg);
    yd_answer_clear(&a);
    return SQLITE_ERROR;
  }
  if( strcmp(pAM->zModel, "residents")==0 ){
    a.pRecords = yd_flatten_residents(a.pRecords);
  }
  pOut->pRoot = a.pRecords;
  pOut->pItems = a.pRecords;
  pOut->nTotal = -1;
  pOut->bLast = 1;      /* no paging: the answer is the whole list */
  a.pRecords = 0;
  yd_answer_clear(&a);
  return pOut->pRoot ? SQLITE_OK : SQLITE_NOMEM;
}

/* The unit's x_id: its property code and unit code ("p0001-101"), since a
** Yardi unit code is unique only within its property. */
static char *yd_unit_xid(const cJSON *pRec, const char *zPropKey, const char *zUnitKey){
  const char *zP = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pRec, zPropKey));
  const char *zU = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pRec, zUnitKey));
  if( zP==0 || zU==0 || *zP==0 || *zU==0 ) return 0;
  return pms_mprintf("%s-%s", zP, zU);
}

/* Units: the composite id; the other models: operations.read.id. */
static char *yd_record_id(const pms_adapter_model *pAM, const cJSON *pRec){
  if( pAM->zIdPath==0 ) return yd_unit_xid(pRec, "PropertyCode", "UnitCode");
  return pms_json_id_text(pms_json_path(pRec, pAM->zIdPath));
}

/* ------------------------------------------------------------- fix-ups */

/* unit_id / x_unit_id from the record's property and unit codes. */
static void yd_unit_fk(pms_row *pRow, const cJSON *pRec, const char *zPropKey, const char *zUnitKey){
  char *zX = yd_unit_xid(pRec, zPropKey, zUnitKey);
  cJSON *pX = zX ? cJSON_CreateString(zX) : 0;
  if( pX ) pms_row_set_fk(pRow, "unit_id", "x_unit_id", "units", pX);
  cJSON_Delete(pX);
  free(zX);
}

static int yd_property_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const char *zSt = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pRec, "Status"));
  (void)pS; (void)pzErr;
  if( zSt ) pms_row_set_int(pRow, pms_row_col(pRow, "is_active"), strcasecmp(zSt, "Active")==0);
  return SQLITE_OK;
}

static int yd_unit_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const char *zSt = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pRec, "UnitStatus"));
  const char *zBa = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pRec, "Bathrooms"));
  (void)pS; (void)pzErr;
  if( zSt ) pms_row_set_int(pRow, pms_row_col(pRow, "is_vacant"), strncasecmp(zSt, "Vacant", 6)==0);
  if( zBa && *zBa ) pms_row_set_bathrooms(pRow, atof(zBa));
  return SQLITE_OK;
}

/* One person of a lease into residents_meta_data. */
static void yd_lease_person(pms_row *pRow, cJSON *pMeta, const cJSON *pP, int bHead){
  const char *zX = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pP, "Id"));
  const char *zL = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pP, "Lessee"));
  char *zId;
  cJSON *pOne;
  if( zX==0 ) return;
  zId = pms_make_id(pRow->zIntegration, pms_model_find("residents"), zX);
  pOne = cJSON_CreateObject();
  cJSON_AddStringToObject(pOne, "resident_id", zId ? zId : "");
  cJSON_AddStringToObject(pOne, "x_resident_id", zX);
  cJSON_AddStringToObject(pOne, "type", bHead ? "Tenant" : "Roommate");
  if( bHead ) cJSON_AddTrueToObject(pOne, "is_lessee");
  else if( zL ) cJSON_AddBoolToObject(pOne, "is_lessee", strcasecmp(zL, "Yes")==0);
  cJSON_AddItemToArray(pMeta, pOne);
  sqlite3_free(zId);
}

/* The lease's people: the head tenant (the lease's own Id) and each
** roommate, with Yardi's Lessee flag. */
static int yd_lease_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pRoom = cJSON_GetObjectItemCaseSensitive(pRec, "Roommate");
  const cJSON *pR;
  cJSON *pMeta = cJSON_CreateArray();
  (void)pS; (void)pzErr;
  yd_unit_fk(pRow, pRec, "PropertyCode", "UnitCode");
  yd_lease_person(pRow, pMeta, pRec, 1);
  if( cJSON_IsArray(pRoom) ){
    cJSON_ArrayForEach(pR, pRoom) yd_lease_person(pRow, pMeta, pR, 0);
  }else if( pRoom ){
    yd_lease_person(pRow, pMeta, pRoom, 0);
  }
  pms_row_set_json(pRow, "residents_meta_data", pMeta);   /* out of memory: left NULL */
  return SQLITE_OK;
}

/* Phone[{PhoneDescription, PhoneNumber}] -> phone_1/phone_2 with types
** (one Phone is an object, several an array: no path says both). */
static int yd_resident_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const cJSON *pPh = cJSON_GetObjectItemCaseSensitive(pRec, "Phone");
  const cJSON *p;
  const pms_enum_map *aDesc = pms_adapter_value_map(pS->pAdapter, "phone_description");
  int n = 0;
  (void)pzErr;
  for(p = cJSON_IsArray(pPh) ? pPh->child : pPh; p && n<2; p = cJSON_IsArray(pPh) ? p->next : 0){
    const char *zNum = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "PhoneNumber"));
    const char *zDesc = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "PhoneDescription"));
    const char *zType = zDesc && aDesc ? pms_enum_lookup(aDesc, zDesc) : 0;
    if( zNum==0 || *zNum==0 ) continue;
    n++;
    pms_row_set_column(pRow, n==1 ? "phone_1" : "phone_2", zNum);
    if( zType ) pms_row_set_column(pRow, n==1 ? "phone_1_type" : "phone_2_type", zType);
  }
  return SQLITE_OK;
}

static int yd_service_request_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  const char *zE = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pRec, "HasPermissionToEnter"));
  (void)pS; (void)pzErr;
  yd_unit_fk(pRow, pRec, "PropertyCode", "UnitCode");
  if( zE ) pms_row_set_int(pRow, pms_row_col(pRow, "access_is_authorized"), strcasecmp(zE, "true")==0);
  return SQLITE_OK;
}

/* A MITS transaction (Charge or Payment): its unit, from the Detail. */
static int yd_transaction_fixup(pms_session *pS, pms_row *pRow, const cJSON *pRec, char **pzErr){
  (void)pS; (void)pzErr;
  yd_unit_fk(pRow, cJSON_GetObjectItemCaseSensitive(pRec, "Detail"), "PropertyPrimaryID", "UnitID");
  return SQLITE_OK;
}

/* The irregular fields; the regular ones are capability/yardi.json's. */
static const pms_adapter_fixup aYdFixup[] = {
  { "properties",       yd_property_fixup },
  { "units",            yd_unit_fixup },
  { "leases",           yd_lease_fixup },
  { "residents",        yd_resident_fixup },
  { "service_requests", yd_service_request_fixup },
  { "resident_charges", yd_transaction_fixup },
  { "resident_payments", yd_transaction_fixup },
  { 0, 0 }
};

/* ------------------------------------------------------ classification */

/* pms_adapter.xClassify: what a 2xx (or SOAP-fault 500) answer means,
** from its head only. */
static void yd_classify(pms_response *pResp){
  yd_answer a;
  char *zErr = 0;
  if( !yd_is_xml(pResp) ) return;
  if( !(pResp->status>=200 && pResp->status<300) && pResp->status!=500 ) return;
  if( yd_read_answer(pResp->zBody, pResp->nBody, 0, &a, &zErr) ){ free(zErr); return; }
  switch( a.eKind ){
    case YD_LOGIN:        pResp->status = 401; break;
    case YD_MESSAGE:
    case YD_TEXT:
    case YD_FAULT_CLIENT: pResp->status = 400; break;
    default: break;       /* soap:Server faults stay 500 (retried) */
  }
  yd_answer_clear(&a);
}


static char *yd_error_message(const pms_adapter *pA, const pms_response *pResp){
  yd_answer a;
  char *zErr = 0, *zOut = 0;
  (void)pA;
  if( !yd_is_xml(pResp) ){
    return pms_mprintf("a non-XML answer (%s)", pResp->zContentType ? pResp->zContentType : "no content type");
  }
  if( yd_read_answer(pResp->zBody, pResp->nBody, 0, &a, &zErr) ){
    zOut = pms_mprintf("Yardi: %s", zErr);
    free(zErr);
    return zOut;
  }
  if( a.eKind!=YD_OK ) zOut = pms_mprintf("Yardi: %s", a.zMsg);
  yd_answer_clear(&a);
  return zOut;
}

/* --------------------------------------------------------------- writes */

/* The Yardi id of a pmsql id, as text. */
static char *yd_vendor_id(const cJSON *pFields, const char *zCol){
  const cJSON *pV = cJSON_GetObjectItemCaseSensitive(pFields, zCol);
  cJSON *pX = pms_fk_to_vendor(cJSON_IsString(pV) ? pV->valuestring : 0);
  char *z = cJSON_IsNull(pX) ? 0 : pms_json_id_text(pX);
  cJSON_Delete(pX);
  return z;
}

/* Leads create (ImportYardiGuest_Login: XmlDoc = LeadManagement/Prospects/
** Prospect) and service requests create and edit (CreateOrEditServiceRequests:
** ServiceRequestXml = ServiceRequests/ServiceRequest), each on the web
** service of the model's resource; the record's fields go where the
** manifest's write map puts them. */
static pms_request *yd_write_begin(pms_session *pS, const pms_adapter_model *pAM, pms_write *w,
                                   int bDry, char **pzErr){
  int bCreate = strcmp(w->zOp, "create")==0;
  int bLead = strcmp(pAM->zModel, "leads")==0;
  cJSON *pDoc = cJSON_CreateObject(), *pLeft = cJSON_CreateObject();
  char *zProp = 0, *zUnit = 0;
  pms_request *r = 0;
  const char *azP[4];
  yd_res res;
  (void)bDry;   /* one request, built without reading first */
  if( (bLead && !bCreate) || (!bLead && strcmp(pAM->zModel, "service_requests")!=0)
   || strcmp(w->zOp, "delete")==0 || yd_res_of(pAM, &res) ){
    *pzErr = pms_mprintf("the Yardi adapter cannot %s %s", w->zOp, pAM->zModel);
    goto done;
  }
  if( pDoc==0 || pLeft==0 ) goto done;
  if( bCreate ){
    zProp = yd_vendor_id(w->pFields, "property_id");
  }else{
    cJSON *pC = w->zCachedRemote ? cJSON_Parse(w->zCachedRemote) : 0;
    const char *z = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pC, "PropertyCode"));
    zProp = z ? pms_strdup(z) : 0;
    cJSON_Delete(pC);
  }
  if( zProp==0 ){
    *pzErr = pms_strdup(bCreate ? "property_id is required" : "the cached record has no PropertyCode (sync it first)");
    goto done;
  }
  if( pms_map_unapply(pAM->aWrite, 0, w->pFields, pDoc, pLeft, pzErr) ) goto done;
  /* the unit: its pmsql id names property and unit code, which must agree */
  zUnit = yd_vendor_id(pLeft, "unit_id");
  cJSON_DeleteItemFromObjectCaseSensitive(pLeft, "unit_id");
  if( pLeft->child ){
    *pzErr = pms_mprintf("the Yardi adapter cannot write %s.%s", pAM->zModel, pLeft->child->string);
    goto done;
  }
  if( bLead ){
    cJSON *pCust = (cJSON*)pms_json_path(pDoc, "Customers.Customer");
    if( cJSON_IsObject(pCust) ) cJSON_AddStringToObject(pCust, "@Type", "prospect");
    r = yd_call(pS, res.zItf, "ImportYardiGuest_Login", 0, "XmlDoc",
                "LeadManagement/Prospects/Prospect", pDoc);
  }else{
    if( bCreate ){
      const char *zDash = zUnit ? strchr(zUnit, '-') : 0;
      if( zUnit && (zDash==0 || strncmp(zUnit, zProp, (size_t)(zDash-zUnit)) || zProp[zDash-zUnit]) ){
        *pzErr = pms_mprintf("unit_id %s is not a unit of property %s", zUnit, zProp);
        goto done;
      }
      if( zDash ) cJSON_AddStringToObject(pDoc, "UnitCode", zDash+1);
    }else{
      cJSON_AddStringToObject(pDoc, "ServiceRequestId", w->zXId);
    }
    azP[0] = "YardiPropertyId"; azP[1] = zProp; azP[2] = 0;
    r = yd_call(pS, res.zItf, "CreateOrEditServiceRequests", azP, "ServiceRequestXml",
                "ServiceRequests/ServiceRequest", pDoc);
  }
  if( r && bCreate ) pms_request_not_idempotent(r);
  if( r==0 && *pzErr==0 ) *pzErr = pms_strdup("could not build the SOAP envelope (a value XML cannot carry?)");
done:
  if( r==0 && *pzErr==0 ) *pzErr = pms_strdup("out of memory");
  cJSON_Delete(pDoc);
  cJSON_Delete(pLeft);
  free(zProp);
  free(zUnit);
  return r;
}

/* Both operations answer the stored record (cached at once); an answer
** without it leaves the outcome unknown. */
static pms_request *yd_write_step(pms_session *pS, const pms_adapter_model *pAM, pms_write *w,
                                  pms_response *pResp){
  yd_answer a;
  yd_res res;
  char *zErr = 0;
  if( pResp->status<200 || pResp->status>=300 ){
    pms_write_failed(pS, w, pResp, "");
    return 0;
  }
  w->httpStatus = pResp->status;
  free(w->zMessage);
  w->zMessage = 0;
  if( yd_res_of(pAM, &res) || yd_read_answer(pResp->zBody, pResp->nBody, res.zRecord, &a, &zErr) ){
    w->zStatus = "unknown";
    w->zMessage = pms_mprintf("Yardi answered, but %s", zErr ? zErr : "the resource is not Interface/Operation/Record");
    free(zErr);
    return 0;
  }
  if( a.eKind!=YD_OK ){
    w->zStatus = "failed";
    w->zMessage = pms_mprintf("Yardi: %s", a.zMsg);
  }else if( cJSON_GetArraySize(a.pRecords)<1 ){
    w->zStatus = "unknown";
    w->zMessage = pms_strdup("Yardi answered without the stored record");
  }else{
    cJSON *pRec = cJSON_DetachItemFromArray(a.pRecords, 0);
    w->zStatus = "succeeded";
    if( strcmp(w->zOp, "create")==0 ) w->zCreatedXId = yd_record_id(pAM, pRec);
    cJSON_Delete(w->pResult);
    w->pResult = pRec;
  }
  yd_answer_clear(&a);
  return 0;
}

/* No single-record read: every operation answers a whole property. */
static pms_request *yd_get_request(pms_session *pS, const pms_adapter_model *pAM,
                                   const char *zXId, const cJSON *pCached){
  (void)pS; (void)pAM; (void)zXId; (void)pCached;
  return 0;
}


/* Everything regular (credentials and their elements, rate limit, models,
** field reads and writes, value maps, record ids) is capability/yardi.json's. */
const pms_adapter pms_adapter_yardi = {
  .zVendor       = "YARDI",
  .aFixup        = aYdFixup,
  .xAuthorize    = yd_authorize,      /* no session: the credentials go in every call */
  .xListRequest  = yd_list_request,
  .xListParse    = yd_list_parse,
  .xRecordId     = yd_record_id,
  .xErrorMessage = yd_error_message,
  .xWriteBegin   = yd_write_begin,
  .xWriteStep    = yd_write_step,
  .xGetRequest   = yd_get_request,    /* none: the writes answer the stored record */
  .xClassify     = yd_classify,
};
