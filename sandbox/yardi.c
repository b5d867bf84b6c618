/*
** yardi.c — the Yardi Voyager vendor of pms-sandbox (--vendor yardi).
**
** Emulated behaviour (research/pms-apis.md §5; propexo.md §1.3-§1.5, §3.5;
** operation and parameter names as in the public yardi-sdk; where those are
** silent the behaviour is marked "chosen"):
** - SOAP 1.1 web services, one per interface, at
**   POST /webservices/{Interface}.asmx (the real host is
**   https://www.yardiaspNN.com/{client}/webservices/…). Content-Type
**   text/xml; the SOAPAction header names the operation as
**   "http://tempuri.org/YSI.Interfaces.WebServices/{Interface}/{Operation}"
**   and the body's operation element is in the namespace
**   http://tempuri.org/YSI.Interfaces.WebServices/{Interface}.
** - Credentials inside every call, as child elements of the operation:
**   UserName, Password, ServerName, Database, Platform, InterfaceEntity,
**   InterfaceLicense. A wrong user name, password, server or database is
**   answered HTTP 200 with the result text "Login failed."; a wrong entity
**   or licence, a missing parameter or an unknown property with HTTP 200 and
**   <Messages><Message messageType="Error">…</Message></Messages> in the
**   result (the research: errors must be read out of the XML).
** - Malformed envelopes, a SOAPAction that does not match the body, and
**   unknown operations are SOAP faults (HTTP 500, faultcode soap:Client);
**   injected 500/503/429 faults are SOAP faults with faultcode soap:Server
**   and that HTTP status (chosen: Yardi's limits are not public, so the
**   sandbox's rate limit of 10 requests per second per user answers 429).
**   The token-expiry fault answers "Login failed." (the credentials stop
**   working), since Yardi has no tokens.
** - No paging: per-property operations take YardiPropertyId and return the
**   whole property in one answer.
** Operations (interface: operation):
**   ItfResidentTransactions20: GetPropertyConfigurations,
**                              GetUnitInformation_Login (YardiPropertyId),
**                              GetResidentTransactions_ByChargeDate_Login
**                              (YardiPropertyId, FromDate, ToDate on the
**                              transaction date; MITS ResidentTransactions:
**                              per lease an RT_Customer whose Transactions
**                              hold Charge and Payment, each a Detail)
**   ItfResidentData:           GetResidentsByStatus (YardiPropertyId; one
**                              Resident per lease with its Roommate list)
**   ItfILSGuestCard:           GetYardiGuestActivity_DateRange
**                              (YardiPropertyId, FromDate, ToDate on the
**                              prospect's last activity), ImportYardiGuest_Login
**                              (XmlDoc: LeadManagement/Prospects/Prospect)
**   ItfServiceRequests:        GetServiceRequest_Search (YardiPropertyId),
**                              CreateOrEditServiceRequests (YardiPropertyId,
**                              ServiceRequestXml: ServiceRequests/ServiceRequest)
** Record shapes (element names) are chosen after the research's ResidentData
** field list (Id, Status, FirstName, MiddleName, LastName, Email,
** Phone{PhoneDescription, PhoneNumber}, LeaseFrom, LeaseTo, MoveIn, MoveOut,
** Roommate, Lessee) and MITS LeadManagement (Customers/Customer/Identification,
** Name); the rest is chosen. Times are local without a zone
** (YYYY-MM-DDTHH:MM:SS), rendered from the portfolio's UTC times; dates are
** the same with T00:00:00. Ids: properties p0001…, leases (and their head
** tenant) t0000001…, roommates r0000001…, prospects g0000001…, service
** requests the portfolio's task numbers; a unit is its UnitCode within its
** property.
** Answers are written with escaping into a buffer; requests are parsed with
** libxml2.
*/
#include "sandbox.h"
#include "ledger.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#define YD_NS "http://tempuri.org/YSI.Interfaces.WebServices/"
#define YD_SOAP_NS "http://schemas.xmlsoap.org/soap/envelope/"
#define YD_XML_TYPE "text/xml; charset=utf-8"

typedef struct yd_ctx {
  sb_portfolio *pf;
  pthread_rwlock_t lock;
  uint32_t Pg, Ag, Wg;            /* generated properties, prospects, work orders */
  cJSON **app_ovr;                /* per prospect: fields of a created one */
  uint32_t app_ovr_cap;
  cJSON **wo_ovr;                 /* per work order: written fields */
  uint32_t wo_ovr_cap;
  char user[64], password[64], server[64], database[64], platform[32],
       entity[64], license[64];
} yd_ctx;

/* The operation of the request being handled, for error answers built
** outside handle() (faults, rate limit): authorize() sets it first. */
static __thread char yd_cur_itf[48], yd_cur_op[64];

/* ------------------------------------------------------------ XML out */

static void yd_esc(sb_buf *b, const char *s){
  for(; s && *s; s++){
    switch( *s ){
      case '&': SB_LIT(b, "&amp;"); break;
      case '<': SB_LIT(b, "&lt;"); break;
      case '>': SB_LIT(b, "&gt;"); break;
      case '"': SB_LIT(b, "&quot;"); break;
      default:
        /* control characters are not allowed in XML 1.0 */
        if( (unsigned char)*s < 0x20 && *s != '\n' && *s != '\t' && *s != '\r' ) sb_putc(b, ' ');
        else sb_putc(b, *s);
    }
  }
}

/* <name>text</name>; NULL text: nothing (absent element). */
static void yd_el(sb_buf *b, const char *name, const char *text){
  if( !text ) return;
  sb_printf(b, "<%s>", name);
  yd_esc(b, text);
  sb_printf(b, "</%s>", name);
}

static void yd_date(sb_buf *b, const char *name, int32_t days){
  char d[16];
  if( days == PF_NODATE ) return;
  dt_fmt_date(d, days);
  sb_printf(b, "<%s>%.10sT00:00:00</%s>", name, d, name);
}

static void yd_time(sb_buf *b, const char *name, int64_t t){
  char d[24];
  dt_fmt_datetime(d, t);
  sb_printf(b, "<%s>%.19s</%s>", name, d, name);
}

static void yd_money(sb_buf *b, const char *name, int64_t cents){
  sb_printf(b, "<%s>%lld.%02lld</%s>", name, (long long)(cents / 100), (long long)(cents % 100), name);
}

static void yd_envelope_open(sb_buf *b){
  SB_LIT(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
            "<soap:Envelope xmlns:soap=\"" YD_SOAP_NS "\" "
            "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
            "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"><soap:Body>");
}

/* <{op}Response xmlns=ns><{op}Result> … then yd_result_close. */
static void yd_result_open(sb_buf *b, const char *itf, const char *op){
  yd_envelope_open(b);
  sb_printf(b, "<%sResponse xmlns=\"" YD_NS "%s\"><%sResult>", op, itf, op);
}

static void yd_result_close(sb_buf *b, const char *op){
  sb_printf(b, "</%sResult></%sResponse></soap:Body></soap:Envelope>", op, op);
}

static void yd_fault(sb_response *resp, int status, const char *code, const char *msg){
  sb_buf *b = &resp->body;
  resp->status = status;
  resp->content_type = YD_XML_TYPE;
  b->n = 0;
  yd_envelope_open(b);
  sb_printf(b, "<soap:Fault><faultcode>soap:%s</faultcode><faultstring>", code);
  yd_esc(b, msg);
  SB_LIT(b, "</faultstring><detail /></soap:Fault></soap:Body></soap:Envelope>");
}

/* An error inside the operation's result, with HTTP 200. */
static void yd_message_error(sb_response *resp, const char *msg){
  const char *op = yd_cur_op[0] ? yd_cur_op : "Unknown";
  const char *itf = yd_cur_itf[0] ? yd_cur_itf : "Unknown";
  sb_buf *b = &resp->body;
  resp->status = 200;
  resp->content_type = YD_XML_TYPE;
  b->n = 0;
  yd_result_open(b, itf, op);
  SB_LIT(b, "<Messages><Message messageType=\"Error\">");
  yd_esc(b, msg);
  SB_LIT(b, "</Message></Messages>");
  yd_result_close(b, op);
}

static void yd_login_failed(sb_response *resp){
  const char *op = yd_cur_op[0] ? yd_cur_op : "Unknown";
  const char *itf = yd_cur_itf[0] ? yd_cur_itf : "Unknown";
  resp->status = 200;
  resp->content_type = YD_XML_TYPE;
  resp->body.n = 0;
  yd_result_open(&resp->body, itf, op);
  SB_LIT(&resp->body, "Login failed.");
  yd_result_close(&resp->body, op);
}

/* ------------------------------------------------------------ XML in */

/* A parsed call: the operation element and its parameters. */
typedef struct yd_call {
  xmlDocPtr doc;
  xmlNodePtr op;                  /* the operation element */
  char itf[48];                   /* interface from the URL path */
  const char *name;               /* operation name */
} yd_call;

static xmlNodePtr yd_child(xmlNodePtr p, const char *name){
  for(xmlNodePtr c = p ? p->children : NULL; c; c = c->next){
    if( c->type == XML_ELEMENT_NODE && !strcmp((const char*)c->name, name) ) return c;
  }
  return NULL;
}

static xmlNodePtr yd_first_el(xmlNodePtr p){
  for(xmlNodePtr c = p ? p->children : NULL; c; c = c->next){
    if( c->type == XML_ELEMENT_NODE ) return c;
  }
  return NULL;
}

/* Text of a child element (malloc'd), or NULL when absent. */
static char *yd_text(xmlNodePtr p, const char *name){
  xmlNodePtr c = yd_child(p, name);
  xmlChar *t;
  char *s;
  if( !c ) return NULL;
  t = xmlNodeGetContent(c);
  s = sb_xstrdup(t ? (const char*)t : "");
  xmlFree(t);
  return s;
}

static int yd_text_is(xmlNodePtr p, const char *name, const char *want){
  char *t = yd_text(p, name);
  int ok = t && !strcmp(t, want);
  free(t);
  return ok;
}

/* /webservices/{Interface}.asmx -> Interface; 0 if not that shape. */
static int yd_path_itf(const char *path, char *out, size_t cap){
  const char *z = path + strlen("/webservices/");
  const char *e = strstr(z, ".asmx");
  if( strncmp(path, "/webservices/", 13) || !e || e[5] || e == z || (size_t)(e - z) >= cap ) return 0;
  memcpy(out, z, (size_t)(e - z));
  out[e - z] = 0;
  return strchr(out, '/') == NULL;
}

/* Parses the envelope; on failure fills resp with a SOAP fault. */
static int yd_parse(const sb_request *req, yd_call *k, sb_response *resp){
  memset(k, 0, sizeof(*k));
  if( !yd_path_itf(req->path, k->itf, sizeof(k->itf)) ){
    yd_fault(resp, 404, "Client", "Not found: the web services are POST /webservices/{Interface}.asmx.");
    return 0;
  }
  if( strcmp(req->method, "POST") ){
    yd_fault(resp, 405, "Client", "SOAP calls are POST requests.");
    return 0;
  }
  k->doc = xmlReadMemory(req->body ? req->body : "", (int)req->body_len, "request.xml", NULL,
                         XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  xmlNodePtr env = k->doc ? xmlDocGetRootElement(k->doc) : NULL;
  if( !env || strcmp((const char*)env->name, "Envelope") || !env->ns
      || strcmp((const char*)env->ns->href, YD_SOAP_NS) ){
    yd_fault(resp, 500, "Client", "The request is not a SOAP 1.1 envelope.");
    return 0;
  }
  xmlNodePtr body = yd_child(env, "Body");
  k->op = yd_first_el(body);
  if( !k->op ){
    yd_fault(resp, 500, "Client", "The SOAP body is empty.");
    return 0;
  }
  k->name = (const char*)k->op->name;
  snprintf(yd_cur_itf, sizeof(yd_cur_itf), "%s", k->itf);
  snprintf(yd_cur_op, sizeof(yd_cur_op), "%s", k->name);
  char ns[160], action[224];
  snprintf(ns, sizeof(ns), YD_NS "%s", k->itf);
  if( !k->op->ns || strcmp((const char*)k->op->ns->href, ns) ){
    yd_fault(resp, 500, "Client", "The operation element is not in the interface's namespace.");
    return 0;
  }
  const char *sa = sb_request_header(req, "SOAPAction");
  snprintf(action, sizeof(action), "\"%s/%s\"", ns, k->name);
  if( !sa || (strcmp(sa, action) && strncmp(sa, action + 1, strlen(action) - 2)) ){
    char msg[320];
    snprintf(msg, sizeof(msg), "Server did not recognize the value of HTTP Header SOAPAction: %.200s.",
             sa ? sa : "");
    yd_fault(resp, 500, "Client", msg);
    return 0;
  }
  return 1;
}

static void yd_call_free(yd_call *k){
  if( k->doc ) xmlFreeDoc(k->doc);
  k->doc = NULL;
}

/* ------------------------------------------------------------ views */

static uint32_t yd_lease_prop(yd_ctx *c, uint32_t l){
  return c->pf->units.v[c->pf->leases.v[l].unit].property;
}

static const cJSON *yd_app_ovr(yd_ctx *c, uint32_t a){
  return a < c->app_ovr_cap ? c->app_ovr[a] : NULL;
}

static uint32_t yd_app_prop(yd_ctx *c, uint32_t a){
  const cJSON *p = cJSON_GetObjectItem(yd_app_ovr(c, a), "property");
  if( cJSON_IsNumber(p) ) return (uint32_t)p->valuedouble;
  uint32_t u = c->pf->apps.v[a].unit;
  return u == PF_NONE ? a % c->Pg : c->pf->units.v[u].property;
}

static uint32_t yd_wo_prop(yd_ctx *c, uint32_t w){
  const cJSON *p = cJSON_GetObjectItem(w < c->wo_ovr_cap ? c->wo_ovr[w] : NULL, "property");
  if( cJSON_IsNumber(p) ) return (uint32_t)p->valuedouble;
  uint32_t u = c->pf->wos.v[w].unit;
  return u == PF_NONE ? w % c->Pg : c->pf->units.v[u].property;
}

static const char *yd_ostr(const cJSON *o, const char *k, const char *dflt){
  const cJSON *v = o ? cJSON_GetObjectItem(o, k) : NULL;
  return cJSON_IsString(v) ? v->valuestring : dflt;
}

/* "p0001" -> property index; PF_NONE when no such property. */
static uint32_t yd_prop_of(yd_ctx *c, const char *code){
  char *e = NULL;
  unsigned long n;
  if( !code || code[0] != 'p' || !code[1] ) return PF_NONE;
  n = strtoul(code + 1, &e, 10);
  if( *e || n < 1 || n > c->pf->props.n ) return PF_NONE;
  return (uint32_t)(n - 1);
}

/* The unit of property p with code (unit number); PF_NONE if none. */
static uint32_t yd_unit_of(yd_ctx *c, uint32_t p, const char *code){
  const pf_property *pp = &c->pf->props.v[p];
  char num[16];
  for(uint32_t u = pp->first_unit; u < pp->first_unit + pp->gen_units && u < c->pf->units.n; u++){
    if( !strcmp(pf_fmt_unit_number(num, sizeof(num), &c->pf->units.v[u]), code) ) return u;
  }
  return PF_NONE;
}

/* The lease statuses of the research: Current, Notice, Eviction, Past,
** Future and Canceled (which portfolio leases get which is chosen). */
static const char *yd_lease_status(yd_ctx *c, uint32_t l){
  const pf_lease *r = &c->pf->leases.v[l];
  int st = pf_lease_status_on(r->start, r->end, c->pf->asof);
  if( st == PF_LS_FUTURE ) return l % 3 == 0 ? "Canceled" : "Future";
  if( st == PF_LS_PAST ) return "Past";
  if( r->flags & PF_LEASE_EVICTION ) return "Eviction";
  if( r->end != PF_NODATE && r->end - c->pf->asof <= 60 && !(r->flags & PF_LEASE_RENEWAL) ) return "Notice";
  return "Current";
}

/* ------------------------------------------------------------ records */

static void yd_property(yd_ctx *c, sb_buf *b, uint32_t p){
  const pf_property *r = &c->pf->props.v[p];
  const pf_city *city = pf_city_at(r->city);
  char tmp[128];
  static const char *const types[] = { "Residential", "Condo", "Single Family" };
  sb_printf(b, "<Property><Code>p%04u</Code>", p + 1);
  yd_el(b, "MarketingName", pf_fmt_property_name(tmp, sizeof(tmp), c->pf, p));
  yd_el(b, "Type", types[r->subtype % 3]);
  yd_el(b, "AddressLine1", pf_fmt_street(tmp, sizeof(tmp), r));
  yd_el(b, "City", city->name);
  yd_el(b, "State", city->state);
  yd_el(b, "PostalCode", pf_fmt_postal(tmp, sizeof(tmp), c->pf, p));
  sb_printf(b, "<UnitCount>%u</UnitCount>", r->nunits);
  if( !(r->flags & PF_PROP_NO_YEAR) ) sb_printf(b, "<YearBuilt>%u</YearBuilt>", r->year_built);
  yd_el(b, "Status", (r->flags & PF_PROP_INACTIVE) ? "Inactive" : "Active");
  if( r->manager ){
    const pf_staff *s = pf_staff_at(r->manager);
    snprintf(tmp, sizeof(tmp), "%s %s", s->first, s->last);
    yd_el(b, "ManagerName", tmp);
    yd_el(b, "ManagerEmail", s->email);
  }
  SB_LIT(b, "</Property>");
}

static void yd_unit(yd_ctx *c, sb_buf *b, uint32_t u){
  const pf_unit *r = &c->pf->units.v[u];
  char tmp[64];
  static const char *const tn[] = { "0br", "1br", "2br", "3br", "4br" };
  sb_printf(b, "<Unit><PropertyCode>p%04u</PropertyCode>", r->property + 1);
  yd_el(b, "UnitCode", pf_fmt_unit_number(tmp, sizeof(tmp), r));
  yd_el(b, "UnitType", tn[r->beds % 5]);
  sb_printf(b, "<Bedrooms>%u</Bedrooms><Bathrooms>%u%s</Bathrooms>", r->beds, r->baths / 2,
            (r->baths & 1) ? ".5" : "");
  if( !(r->flags & PF_UNIT_NO_SIZE) ) sb_printf(b, "<SqFt>%u</SqFt>", r->size);
  yd_money(b, "MarketRent", r->market_rent_cents);
  yd_el(b, "UnitStatus", r->active_leases ? "Occupied" : "Vacant Unrented Ready");
  SB_LIT(b, "</Unit>");
}

static void yd_phone(sb_buf *b, const char *desc, uint32_t digits){
  char ph[32];
  SB_LIT(b, "<Phone>");
  yd_el(b, "PhoneDescription", desc);
  yd_el(b, "PhoneNumber", pf_fmt_phone(ph, sizeof(ph), digits));
  SB_LIT(b, "</Phone>");
}

/* The person fields a tenant and a roommate share. */
static void yd_person(sb_buf *b, const pf_resident *x){
  char email[128];
  yd_el(b, "FirstName", pf_first_name(x->first));
  yd_el(b, "LastName", pf_last_name(x->last));
  yd_el(b, "Email", pf_fmt_email(email, sizeof(email), x->first, x->last, x->email_no, "example.com"));
  yd_phone(b, "Cell", x->phone);
  if( x->flags & PF_RES_HOME_PHONE ) yd_phone(b, "Home", x->phone2);
  if( x->flags & PF_RES_WORK_PHONE ) yd_phone(b, "Office", (x->phone2 + 1111) % 10000000);
}

/* One lease as ResidentData shows it: the head tenant's record (the lease's
** first resident, whose code is the lease's t-code) with its roommates. */
static void yd_resident(yd_ctx *c, sb_buf *b, uint32_t l){
  const pf_lease *r = &c->pf->leases.v[l];
  const pf_unit *u = &c->pf->units.v[r->unit];
  const char *st = yd_lease_status(c, l);
  int ls = pf_lease_status_on(r->start, r->end, c->pf->asof);
  char tmp[32];
  sb_printf(b, "<Resident><Id>t%07u</Id>", l + 1);
  yd_el(b, "Status", st);
  sb_printf(b, "<PropertyCode>p%04u</PropertyCode>", u->property + 1);
  yd_el(b, "UnitCode", pf_fmt_unit_number(tmp, sizeof(tmp), u));
  if( r->first_res != PF_NONE ) yd_person(b, &c->pf->res.v[r->first_res]);
  yd_date(b, "LeaseFrom", r->start);
  yd_date(b, "LeaseTo", r->end);
  if( ls != PF_LS_FUTURE ) yd_date(b, "MoveIn", r->start);
  if( ls == PF_LS_PAST ) yd_date(b, "MoveOut", r->end);
  if( !(r->flags & PF_LEASE_NO_RENT) ) yd_money(b, "Rent", r->rent_cents);
  if( !(r->flags & PF_LEASE_NO_DEPOSIT) ) yd_money(b, "SecurityDeposit", r->deposit_cents);
  if( r->first_res != PF_NONE ){
    for(uint32_t i = c->pf->res.v[r->first_res].next; i != PF_NONE; i = c->pf->res.v[i].next){
      const pf_resident *x = &c->pf->res.v[i];
      sb_printf(b, "<Roommate><Id>r%07u</Id>", i + 1);
      yd_person(b, x);
      if( ls != PF_LS_FUTURE ) yd_date(b, "MoveIn", r->start);
      if( ls == PF_LS_PAST ) yd_date(b, "MoveOut", r->end);
      yd_el(b, "Relationship", "Roommate");
      yd_el(b, "Lessee", (i % 3) ? "Yes" : "No");
      SB_LIT(b, "</Roommate>");
    }
  }
  SB_LIT(b, "</Resident>");
}

static const char *yd_guest_status(int s){
  switch( s ){
    case PF_AS_NEW: return "Prospect";
    case PF_AS_UNDECIDED: return "Applicant";
    case PF_AS_APPROVED: return "Approved";
    case PF_AS_REJECTED: return "Denied";
    case PF_AS_CANCELLED: return "Canceled";
    case PF_AS_DEFERRED: return "Wait List";
    default: return "Future";
  }
}

static void yd_prospect(yd_ctx *c, sb_buf *b, uint32_t a){
  const pf_applicant *r = &c->pf->apps.v[a];
  const cJSON *o = yd_app_ovr(c, a);
  int gen = a < c->Ag;
  char email[128], ph[32], num[16];
  sb_printf(b, "<Prospect><PropertyCode>p%04u</PropertyCode>", yd_app_prop(c, a) + 1);
  SB_LIT(b, "<Customers><Customer Type=\"prospect\">");
  sb_printf(b, "<Identification IDType=\"ProspectID\" IDValue=\"g%07u\" />", a + 1);
  SB_LIT(b, "<Name>");
  yd_el(b, "FirstName", yd_ostr(o, "FirstName", gen ? pf_first_name(r->first) : NULL));
  yd_el(b, "LastName", yd_ostr(o, "LastName", gen ? pf_last_name(r->last) : NULL));
  SB_LIT(b, "</Name>");
  const char *phone = yd_ostr(o, "PhoneNumber", gen ? pf_fmt_phone(ph, sizeof(ph), r->phone) : NULL);
  if( phone ){
    SB_LIT(b, "<Phone PhoneType=\"cell\">");
    yd_el(b, "PhoneNumber", phone);
    SB_LIT(b, "</Phone>");
  }
  yd_el(b, "Email", yd_ostr(o, "Email", gen ? pf_fmt_email(email, sizeof(email), r->first, r->last,
                                                          r->email_no, "example.com") : NULL));
  SB_LIT(b, "</Customer></Customers>");
  if( r->unit != PF_NONE ){
    SB_LIT(b, "<CustomerPreferences>");
    yd_el(b, "DesiredUnit", pf_fmt_unit_number(num, sizeof(num), &c->pf->units.v[r->unit]));
    SB_LIT(b, "</CustomerPreferences>");
  }
  yd_el(b, "Status", yd_ostr(o, "Status", yd_guest_status(r->status)));
  yd_el(b, "Source", yd_ostr(o, "Source", "Internet Listing Service"));
  yd_el(b, "Comments", yd_ostr(o, "Comments", NULL));
  yd_time(b, "FirstContactDate", r->created);
  yd_time(b, "LastActivityDate", r->updated);
  SB_LIT(b, "</Prospect>");
}

static const char *const yd_wo_status[] = { "Open", "In Progress", "Completed", "On Hold", "Cancelled" };
static const char *const yd_wo_priority[] = { "Low", "Medium", "High" };

static void yd_service_request(yd_ctx *c, sb_buf *b, uint32_t w){
  const pf_workorder *r = &c->pf->wos.v[w];
  const cJSON *o = w < c->wo_ovr_cap ? c->wo_ovr[w] : NULL;
  int gen = w < c->Wg;
  char num[16];
  sb_printf(b, "<ServiceRequest><ServiceRequestId>%u</ServiceRequestId>", r->task);
  sb_printf(b, "<PropertyCode>p%04u</PropertyCode>", yd_wo_prop(c, w) + 1);
  if( r->unit != PF_NONE ) yd_el(b, "UnitCode", pf_fmt_unit_number(num, sizeof(num), &c->pf->units.v[r->unit]));
  if( r->resident != PF_NONE && c->pf->res.v[r->resident].lease != PF_NONE ){
    sb_printf(b, "<TenantCode>t%07u</TenantCode>", c->pf->res.v[r->resident].lease + 1);
  }
  yd_el(b, "Category", yd_ostr(o, "Category", gen ? "General" : NULL));
  yd_el(b, "ProblemDescription", yd_ostr(o, "ProblemDescription", gen ? pf_wo_title(r->title) : NULL));
  yd_el(b, "ProblemDescriptionNotes", yd_ostr(o, "ProblemDescriptionNotes", gen ? pf_wo_details(r->title) : NULL));
  yd_el(b, "Priority", yd_ostr(o, "Priority", yd_wo_priority[r->priority % 3]));
  yd_el(b, "CurrentStatus", yd_wo_status[r->status % 5]);
  if( r->entry != PF_ENTRY_UNKNOWN ) yd_el(b, "HasPermissionToEnter", r->entry == PF_ENTRY_YES ? "true" : "false");
  yd_time(b, "ServiceRequestDate", r->created);
  yd_date(b, "DueDate", r->due);
  if( r->status == PF_WS_COMPLETED || r->status == PF_WS_CLOSED ) yd_time(b, "CompletedDate", r->updated);
  yd_time(b, "UpdateDate", r->updated);
  SB_LIT(b, "</ServiceRequest>");
}

/* ------------------------------------------------------------ operations */

/* The YardiPropertyId of a per-property call; on a bad one the error is
** answered and PF_NONE returned. */
static uint32_t yd_property_param(yd_ctx *c, const yd_call *k, sb_response *resp){
  char *id = yd_text(k->op, "YardiPropertyId");
  uint32_t p = yd_prop_of(c, id);
  if( !id || !*id ) yd_message_error(resp, "YardiPropertyId is required.");
  else if( p == PF_NONE ){
    char msg[160];
    snprintf(msg, sizeof(msg), "Invalid Yardi Property Id: %.60s.", id);
    yd_message_error(resp, msg);
  }
  free(id);
  return p;
}

static void yd_get_properties(yd_ctx *c, const yd_call *k, sb_response *resp){
  sb_buf *b = &resp->body;
  yd_result_open(b, k->itf, k->name);
  SB_LIT(b, "<Properties>");
  for(uint32_t p = 0; p < c->Pg; p++) yd_property(c, b, p);
  SB_LIT(b, "</Properties>");
  yd_result_close(b, k->name);
}

static void yd_get_units(yd_ctx *c, const yd_call *k, sb_response *resp){
  uint32_t p = yd_property_param(c, k, resp);
  if( p == PF_NONE ) return;
  const pf_property *pp = &c->pf->props.v[p];
  sb_buf *b = &resp->body;
  yd_result_open(b, k->itf, k->name);
  SB_LIT(b, "<UnitInformation><Units>");
  for(uint32_t u = pp->first_unit; u < pp->first_unit + pp->gen_units && u < c->pf->units.n; u++){
    yd_unit(c, b, u);
  }
  SB_LIT(b, "</Units></UnitInformation>");
  yd_result_close(b, k->name);
}

static void yd_get_residents(yd_ctx *c, const yd_call *k, sb_response *resp){
  uint32_t p = yd_property_param(c, k, resp);
  if( p == PF_NONE ) return;
  sb_buf *b = &resp->body;
  yd_result_open(b, k->itf, k->name);
  SB_LIT(b, "<ResidentData xmlns=\"\"><Residents>");
  const pf_property *pp = &c->pf->props.v[p];
  /* lease j is on unit j: the property's leases are its units' */
  for(uint32_t u = pp->first_unit; u < pp->first_unit + pp->gen_units && u < c->pf->leases.n; u++){
    if( yd_lease_prop(c, u) == p ) yd_resident(c, b, u);
  }
  SB_LIT(b, "</Residents></ResidentData>");
  yd_result_close(b, k->name);
}

/* "YYYY-MM-DD[THH:MM:SS]" -> seconds; 0 when absent or bad. */
static int yd_param_time(const yd_call *k, const char *name, int64_t *t, sb_response *resp){
  char *v = yd_text(k->op, name);
  int ok = v && dt_parse_datetime(v, 1, t);
  if( !ok ){
    char msg[160];
    snprintf(msg, sizeof(msg), "%s is required as a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS).", name);
    yd_message_error(resp, msg);
  }
  free(v);
  return ok;
}

static void yd_get_guests(yd_ctx *c, const yd_call *k, sb_response *resp){
  int64_t from, to;
  uint32_t p = yd_property_param(c, k, resp);
  if( p == PF_NONE ) return;
  if( !yd_param_time(k, "FromDate", &from, resp) || !yd_param_time(k, "ToDate", &to, resp) ) return;
  sb_buf *b = &resp->body;
  yd_result_open(b, k->itf, k->name);
  SB_LIT(b, "<LeadManagement xmlns=\"\"><Prospects>");
  for(uint32_t a = 0; a < c->pf->apps.n; a++){
    const pf_applicant *r = &c->pf->apps.v[a];
    if( yd_app_prop(c, a) == p && r->updated >= from && r->updated <= to ) yd_prospect(c, b, a);
  }
  SB_LIT(b, "</Prospects></LeadManagement>");
  yd_result_close(b, k->name);
}

/* MITS payment types (chosen) of the ledger's payment methods. */
static const char *const yd_pay_type[PF_NPAYMETHODS] = {
  "Check", "Cash", "Money Order", "Credit Card", "ACH"
};

/* GetResidentTransactions_ByChargeDate_Login: the property's ledgers as
** MITS ResidentTransactions, the transactions dated FromDate..ToDate. The
** Detail element names follow MITS (inferred): TransactionID, CustomerID
** (the lease's t-code), UnitID, PropertyPrimaryID, Amount, and for charges
** ChargeCode (the GL account number), AmountPaid and BalanceDue. */
static void yd_get_transactions(yd_ctx *c, const yd_call *k, sb_response *resp){
  int64_t from, to;
  uint32_t p = yd_property_param(c, k, resp);
  if( p == PF_NONE ) return;
  if( !yd_param_time(k, "FromDate", &from, resp) || !yd_param_time(k, "ToDate", &to, resp) ) return;
  const pf_property *pp = &c->pf->props.v[p];
  sb_buf *b = &resp->body;
  pf_txn t[PF_TX_MAX];
  char num[16];
  yd_result_open(b, k->itf, k->name);
  sb_printf(b, "<ResidentTransactions xmlns=\"\"><Property><PropertyID><Identification IDType=\"PropertyID\" IDValue=\"p%04u\" /></PropertyID>", p + 1);
  for(uint32_t j = pp->first_unit; j < pp->first_unit + pp->gen_units && j < c->pf->leases.n; j++){
    if( yd_lease_prop(c, j) != p ) continue;
    const pf_unit *u = &c->pf->units.v[c->pf->leases.v[j].unit];
    int n = pf_ledger_lease(c->pf, j, t);
    pf_fmt_unit_number(num, sizeof(num), u);
    sb_printf(b, "<RT_Customer><CustomerID>t%07u</CustomerID><RT_Unit><UnitID>", j + 1);
    yd_esc(b, num);
    SB_LIT(b, "</UnitID></RT_Unit><RTServiceTransactions><Transactions>");
    for(int i = 0; i < n; i++){
      int64_t at = (int64_t)t[i].date * 86400;
      if( at < from || at > to ) continue;
      int charge = t[i].kind == PF_TX_CHARGE;
      if( charge ) SB_LIT(b, "<Charge><Detail>");
      else sb_printf(b, "<Payment Type=\"%s\"><Detail>", yd_pay_type[t[i].code % PF_NPAYMETHODS]);
      sb_printf(b, "<TransactionID>%u</TransactionID>", t[i].id);
      yd_date(b, "TransactionDate", t[i].date);
      if( charge ){
        yd_el(b, "ChargeCode", pf_charge_code_at(t[i].code)->number);
        yd_date(b, "DueDate", t[i].due);
      }else{
        yd_el(b, "DocumentNumber", t[i].reference);
      }
      yd_el(b, charge ? "Description" : "Comment", pf_ledger_memo(&t[i]));
      sb_printf(b, "<CustomerID>t%07u</CustomerID>", j + 1);
      yd_el(b, "UnitID", num);
      sb_printf(b, "<PropertyPrimaryID>p%04u</PropertyPrimaryID>", p + 1);
      yd_money(b, "Amount", t[i].amount_cents);
      if( charge ){
        yd_money(b, "AmountPaid", t[i].paid_cents);
        yd_money(b, "BalanceDue", t[i].amount_cents - t[i].paid_cents);
      }
      if( charge ) SB_LIT(b, "</Detail></Charge>");
      else SB_LIT(b, "</Detail></Payment>");
    }
    SB_LIT(b, "</Transactions></RTServiceTransactions></RT_Customer>");
  }
  SB_LIT(b, "</Property></ResidentTransactions>");
  yd_result_close(b, k->name);
}

static void yd_get_service_requests(yd_ctx *c, const yd_call *k, sb_response *resp){
  uint32_t p = yd_property_param(c, k, resp);
  if( p == PF_NONE ) return;
  sb_buf *b = &resp->body;
  yd_result_open(b, k->itf, k->name);
  SB_LIT(b, "<ServiceRequests xmlns=\"\">");
  for(uint32_t w = 0; w < c->pf->wos.n; w++){
    if( yd_wo_prop(c, w) == p ) yd_service_request(c, b, w);
  }
  SB_LIT(b, "</ServiceRequests>");
  yd_result_close(b, k->name);
}

static cJSON *yd_ovr_slot(cJSON ***arr, uint32_t *cap, uint32_t i){
  if( i >= *cap ){
    uint32_t n = i + 64;
    *arr = sb_xrealloc(*arr, sizeof(cJSON*) * n);
    memset(*arr + *cap, 0, sizeof(cJSON*) * (n - *cap));
    *cap = n;
  }
  if( !(*arr)[i] ) (*arr)[i] = cJSON_CreateObject();
  return (*arr)[i];
}

static void yd_ovr_text(cJSON *o, const char *k, const char *v){
  if( !v || !*v ) return;
  cJSON_DeleteItemFromObject(o, k);
  cJSON_AddStringToObject(o, k, v);
}

/* The element at a path of child names under p ("A/B/C"). */
static xmlNodePtr yd_path(xmlNodePtr p, const char *path){
  char seg[64];
  while( p && *path ){
    const char *e = strchr(path, '/');
    size_t n = e ? (size_t)(e - path) : strlen(path);
    if( n >= sizeof(seg) ) return NULL;
    memcpy(seg, path, n);
    seg[n] = 0;
    p = yd_child(p, seg);
    path += n + (e ? 1 : 0);
  }
  return p;
}

static char *yd_text_at(xmlNodePtr p, const char *path){
  const char *slash = strrchr(path, '/');
  if( !slash ) return yd_text(p, path);
  char head[128];
  snprintf(head, sizeof(head), "%.*s", (int)(slash - path), path);
  return yd_text(yd_path(p, head), slash + 1);
}

/* ImportYardiGuest_Login: XmlDoc/LeadManagement/Prospects/Prospect, one
** prospect per call (chosen), with PropertyCode, a Customer Name (first and
** last required) and an Email or a Phone (one is required, chosen). */
static void yd_import_guest(yd_ctx *c, const yd_call *k, sb_response *resp){
  xmlNodePtr pr = yd_path(k->op, "XmlDoc/LeadManagement/Prospects/Prospect");
  char msg[200];
  if( !pr ){
    yd_message_error(resp, "XmlDoc must hold LeadManagement/Prospects/Prospect.");
    return;
  }
  char *prop = yd_text(pr, "PropertyCode");
  char *fn = yd_text_at(pr, "Customers/Customer/Name/FirstName");
  char *ln = yd_text_at(pr, "Customers/Customer/Name/LastName");
  char *em = yd_text_at(pr, "Customers/Customer/Email");
  char *ph = yd_text_at(pr, "Customers/Customer/Phone/PhoneNumber");
  char *src = yd_text(pr, "Source");
  char *com = yd_text(pr, "Comments");
  uint32_t p = yd_prop_of(c, prop);
  msg[0] = 0;
  if( p == PF_NONE ) snprintf(msg, sizeof(msg), "Invalid Yardi Property Id: %.60s.", prop ? prop : "");
  else if( !fn || !*fn || !ln || !*ln ) snprintf(msg, sizeof(msg), "Prospect FirstName and LastName are required.");
  else if( (!em || !*em) && (!ph || !*ph) ) snprintf(msg, sizeof(msg), "Prospect requires an Email or a PhoneNumber.");
  else if( em && *em && !strchr(em, '@') ) snprintf(msg, sizeof(msg), "Invalid Email: %.80s.", em);
  if( msg[0] ){
    yd_message_error(resp, msg);
  }else{
    uint32_t a = pf_add_applicant(c->pf);
    pf_applicant *x = &c->pf->apps.v[a];
    memset(x, 0, sizeof(*x));
    x->created = x->updated = (uint32_t)dt_now();
    x->unit = PF_NONE;
    x->tenant = PF_NONE;
    x->status = PF_AS_NEW;
    cJSON *o = yd_ovr_slot(&c->app_ovr, &c->app_ovr_cap, a);
    cJSON_AddNumberToObject(o, "property", p);
    yd_ovr_text(o, "FirstName", fn);
    yd_ovr_text(o, "LastName", ln);
    yd_ovr_text(o, "Email", em);
    yd_ovr_text(o, "PhoneNumber", ph);
    yd_ovr_text(o, "Source", src);
    yd_ovr_text(o, "Comments", com);
    sb_buf *b = &resp->body;
    yd_result_open(b, k->itf, k->name);
    SB_LIT(b, "<Messages><Message messageType=\"Msg\">Guest card imported.</Message></Messages>"
              "<LeadManagement xmlns=\"\"><Prospects>");
    yd_prospect(c, b, a);
    SB_LIT(b, "</Prospects></LeadManagement>");
    yd_result_close(b, k->name);
  }
  free(prop); free(fn); free(ln); free(em); free(ph); free(src); free(com);
}

static int yd_index_of(const char *const *list, int n, const char *v){
  for(int i = 0; i < n; i++) if( v && !strcasecmp(list[i], v) ) return i;
  return -1;
}

/* CreateOrEditServiceRequests: ServiceRequestXml/ServiceRequests/
** ServiceRequest, one per call (chosen); no ServiceRequestId (or 0) creates
** (with an optional TenantCode: the household that asked, one of the
** property's), an id edits Priority, ProblemDescriptionNotes and
** CurrentStatus. */
static void yd_create_or_edit_sr(yd_ctx *c, const yd_call *k, sb_response *resp){
  uint32_t p = yd_property_param(c, k, resp);
  if( p == PF_NONE ) return;
  xmlNodePtr sr = yd_path(k->op, "ServiceRequestXml/ServiceRequests/ServiceRequest");
  char msg[200];
  if( !sr ){
    yd_message_error(resp, "ServiceRequestXml must hold ServiceRequests/ServiceRequest.");
    return;
  }
  char *id = yd_text(sr, "ServiceRequestId");
  char *unit = yd_text(sr, "UnitCode");
  char *cat = yd_text(sr, "Category");
  char *desc = yd_text(sr, "ProblemDescription");
  char *notes = yd_text(sr, "ProblemDescriptionNotes");
  char *prio = yd_text(sr, "Priority");
  char *stat = yd_text(sr, "CurrentStatus");
  char *tcode = yd_text(sr, "TenantCode");
  uint32_t u = PF_NONE, w = PF_NONE, who = PF_NONE;
  msg[0] = 0;
  if( id && *id && strcmp(id, "0") ){
    for(uint32_t i = 0; i < c->pf->wos.n; i++){
      char t[16];
      snprintf(t, sizeof(t), "%u", c->pf->wos.v[i].task);
      if( !strcmp(t, id) && yd_wo_prop(c, i) == p ){ w = i; break; }
    }
    if( w == PF_NONE ) snprintf(msg, sizeof(msg), "Service request %.20s not found in this property.", id);
  }else{
    if( !desc || !*desc ) snprintf(msg, sizeof(msg), "ProblemDescription is required.");
    else if( unit && *unit && (u = yd_unit_of(c, p, unit)) == PF_NONE ){
      snprintf(msg, sizeof(msg), "Invalid UnitCode: %.20s.", unit);
    }else if( tcode && *tcode ){
      /* TenantCode: a household's (head tenant's) t-code on this property */
      unsigned long l = 0;
      char *end = NULL;
      if( tcode[0] == 't' ) l = strtoul(tcode + 1, &end, 10);
      if( !end || *end || l < 1 || l > c->pf->leases.n
       || c->pf->units.v[c->pf->leases.v[l-1].unit].property != p
       || c->pf->leases.v[l-1].first_res == PF_NONE ){
        snprintf(msg, sizeof(msg), "Invalid TenantCode: %.20s.", tcode);
      }else{
        who = c->pf->leases.v[l-1].first_res;
      }
    }
  }
  if( !msg[0] && prio && yd_index_of(yd_wo_priority, 3, prio) < 0 ){
    snprintf(msg, sizeof(msg), "Invalid Priority: %.20s (Low, Medium, High).", prio);
  }
  if( !msg[0] && stat && yd_index_of(yd_wo_status, 5, stat) < 0 ){
    snprintf(msg, sizeof(msg), "Invalid CurrentStatus: %.20s.", stat);
  }
  if( msg[0] ){
    yd_message_error(resp, msg);
  }else{
    uint32_t now = (uint32_t)dt_now();
    if( w == PF_NONE ){
      w = pf_add_workorder(c->pf);
      pf_workorder *o = &c->pf->wos.v[w];
      memset(o, 0, sizeof(*o));
      o->created = now;
      o->unit = u;
      o->resident = who;
      o->task = c->pf->next_task++;
      o->due = PF_NODATE;
      o->priority = PF_WP_NORMAL;
      o->status = PF_WS_NEW;
      cJSON_AddNumberToObject(yd_ovr_slot(&c->wo_ovr, &c->wo_ovr_cap, w), "property", p);
    }
    pf_workorder *o = &c->pf->wos.v[w];
    cJSON *ov = yd_ovr_slot(&c->wo_ovr, &c->wo_ovr_cap, w);
    if( prio ) o->priority = (uint8_t)yd_index_of(yd_wo_priority, 3, prio);
    if( stat ) o->status = (uint8_t)yd_index_of(yd_wo_status, 5, stat);
    yd_ovr_text(ov, "Category", cat);
    yd_ovr_text(ov, "ProblemDescription", desc);
    yd_ovr_text(ov, "ProblemDescriptionNotes", notes);
    o->updated = now;
    sb_buf *b = &resp->body;
    yd_result_open(b, k->itf, k->name);
    SB_LIT(b, "<ServiceRequests xmlns=\"\">");
    yd_service_request(c, b, w);
    SB_LIT(b, "</ServiceRequests>");
    yd_result_close(b, k->name);
  }
  free(id); free(unit); free(cat); free(desc); free(notes); free(prio); free(stat); free(tcode);
}

typedef void (*yd_handler)(yd_ctx *, const yd_call *, sb_response *);
static const struct {
  const char *itf, *op;
  yd_handler fn;
  int write;
} yd_ops[] = {
  { "ItfResidentTransactions20", "GetPropertyConfigurations",       yd_get_properties,       0 },
  { "ItfResidentTransactions20", "GetUnitInformation_Login",        yd_get_units,            0 },
  { "ItfResidentTransactions20", "GetResidentTransactions_ByChargeDate_Login", yd_get_transactions, 0 },
  { "ItfResidentData",           "GetResidentsByStatus",            yd_get_residents,        0 },
  { "ItfILSGuestCard",           "GetYardiGuestActivity_DateRange", yd_get_guests,           0 },
  { "ItfILSGuestCard",           "ImportYardiGuest_Login",          yd_import_guest,         1 },
  { "ItfServiceRequests",        "GetServiceRequest_Search",        yd_get_service_requests, 0 },
  { "ItfServiceRequests",        "CreateOrEditServiceRequests",     yd_create_or_edit_sr,    1 },
};
#define YD_NOPS (int)(sizeof(yd_ops) / sizeof(yd_ops[0]))

static int yd_op_index(const yd_call *k){
  for(int i = 0; i < YD_NOPS; i++){
    if( !strcmp(yd_ops[i].itf, k->itf) && !strcmp(yd_ops[i].op, k->name) ) return i;
  }
  return -1;
}

/* ------------------------------------------------------------ vendor */

static void yd_names(const sb_options *opt, yd_ctx *c){
  unsigned long long s = (unsigned long long)opt->seed;
  snprintf(c->user, sizeof(c->user), "sandbox%llu", s);
  snprintf(c->password, sizeof(c->password), "sandbox-password-%llu", s);
  snprintf(c->server, sizeof(c->server), "sandbox_sql");
  snprintf(c->database, sizeof(c->database), "voyager_%llu", s);
  snprintf(c->platform, sizeof(c->platform), "SQL Server");
  snprintf(c->entity, sizeof(c->entity), "pmsql sandbox");
  snprintf(c->license, sizeof(c->license), "sandbox-license-%llu", s);
}

/* Propexo's Yardi credential keys (propexo.md §1.3). */
static void yd_credentials(const sb_options *opt, sb_buf *out){
  yd_ctx c;
  yd_names(opt, &c);
  SB_LIT(out, "{\"username\":"); jw_str(out, c.user);
  SB_LIT(out, ",\"password\":"); jw_str(out, c.password);
  SB_LIT(out, ",\"serverName\":"); jw_str(out, c.server);
  SB_LIT(out, ",\"database\":"); jw_str(out, c.database);
  SB_LIT(out, ",\"platform\":"); jw_str(out, c.platform);
  SB_LIT(out, ",\"entity\":"); jw_str(out, c.entity);
  SB_LIT(out, ",\"license\":"); jw_str(out, c.license);
  sb_putc(out, '}');
}

static void *yd_open(sb_portfolio *pf, const sb_options *opt){
  yd_ctx *c = sb_xcalloc(1, sizeof(*c));
  xmlInitParser();
  c->pf = pf;
  pthread_rwlock_init(&c->lock, NULL);
  c->Pg = pf->props.n;
  c->Ag = pf->apps.n;
  c->Wg = pf->wos.n;
  yd_names(opt, c);
  return c;
}

static void yd_close(void *vs){
  yd_ctx *c = vs;
  if( !c ) return;
  for(uint32_t i = 0; i < c->app_ovr_cap; i++) cJSON_Delete(c->app_ovr[i]);
  for(uint32_t i = 0; i < c->wo_ovr_cap; i++) cJSON_Delete(c->wo_ovr[i]);
  free(c->app_ovr);
  free(c->wo_ovr);
  pthread_rwlock_destroy(&c->lock);
  free(c);
}

static void yd_set_base_url(void *vs, const char *url){ (void)vs; (void)url; }

/* The credentials inside the call: a wrong login answers "Login failed.",
** a wrong interface entity or licence an error message (HTTP 200 both). */
static int yd_authorize(void *vs, const sb_request *req, char *key, size_t keylen, sb_response *resp){
  yd_ctx *c = vs;
  yd_call k;
  yd_cur_itf[0] = yd_cur_op[0] = 0;
  if( !yd_parse(req, &k, resp) ){ yd_call_free(&k); return 0; }
  if( !yd_text_is(k.op, "UserName", c->user) || !yd_text_is(k.op, "Password", c->password)
      || !yd_text_is(k.op, "ServerName", c->server) || !yd_text_is(k.op, "Database", c->database)
      || !yd_text_is(k.op, "Platform", c->platform) ){
    yd_login_failed(resp);
    yd_call_free(&k);
    return 0;
  }
  if( !yd_text_is(k.op, "InterfaceEntity", c->entity) ){
    yd_message_error(resp, "Invalid Interface Entity.");
    yd_call_free(&k);
    return 0;
  }
  if( !yd_text_is(k.op, "InterfaceLicense", c->license) ){
    yd_message_error(resp, "Invalid Interface License.");
    yd_call_free(&k);
    return 0;
  }
  snprintf(key, keylen, "%s", c->user);
  yd_call_free(&k);
  return 1;
}

static void yd_handle(void *vs, const sb_request *req, sb_response *resp){
  yd_ctx *c = vs;
  yd_call k;
  if( !yd_parse(req, &k, resp) ){ yd_call_free(&k); return; }
  int i = yd_op_index(&k);
  if( i < 0 ){
    char msg[256];
    snprintf(msg, sizeof(msg), "Server did not recognize the value of HTTP Header SOAPAction: "
             YD_NS "%.40s/%.60s.", k.itf, k.name);
    yd_fault(resp, 500, "Client", msg);
    yd_call_free(&k);
    return;
  }
  if( !yd_ops[i].write ) resp->not_write = 1;
  resp->status = 200;
  resp->content_type = YD_XML_TYPE;
  if( yd_ops[i].write ) pthread_rwlock_wrlock(&c->lock);
  else pthread_rwlock_rdlock(&c->lock);
  yd_ops[i].fn(c, &k, resp);
  pthread_rwlock_unlock(&c->lock);
  yd_call_free(&k);
}

static void yd_vendor_error(void *vs, int status, const char *msg, sb_response *resp){
  (void)vs;
  if( status == 401 ){ yd_login_failed(resp); return; }
  yd_fault(resp, status, "Server", msg);
}

static void yd_counts(void *vs, sb_buf *b){
  yd_ctx *c = vs;
  uint32_t nres = 0;
  pthread_rwlock_rdlock(&c->lock);
  for(uint32_t i = 0; i < c->pf->res.n; i++) if( c->pf->res.v[i].lease != PF_NONE ) nres++;
  sb_printf(b, "{\"properties\":%u,\"units\":%u,\"residents\":%u,\"leases\":%u,\"leads\":%u,"
            "\"applicants\":0,\"service_requests\":%u}",
            c->Pg, c->pf->units.n, nres, c->pf->leases.n, c->pf->apps.n, c->pf->wos.n);
  pthread_rwlock_unlock(&c->lock);
}

/* --accounts: the credentials travel inside the call, so the account is
** the seed of its UserName ("sandbox<seed>", yd_names). */
static int yd_account_seed(const sb_request *req, uint64_t *seed){
  sb_response scratch;
  yd_call k;
  char *user;
  int ok;
  memset(&scratch, 0, sizeof(scratch));
  if( !yd_parse(req, &k, &scratch) ){
    yd_call_free(&k);
    sb_response_free(&scratch);
    return 0;
  }
  user = yd_text(k.op, "UserName");
  ok = sb_seed_after(user, "sandbox", 0, seed);
  free(user);
  yd_call_free(&k);
  sb_response_free(&scratch);
  return ok;
}

const sb_vendor sb_vendor_yardi = {
  .name = "yardi",
  .api_prefix = "/webservices/",
  .rate_per_sec = 10,
  .rate_per_min = 0,
  .open = yd_open,
  .close = yd_close,
  .credentials = yd_credentials,
  .set_base_url = yd_set_base_url,
  .authorize = yd_authorize,
  .handle = yd_handle,
  .error = yd_vendor_error,
  .counts = yd_counts,
  .account_seed = yd_account_seed,
};
