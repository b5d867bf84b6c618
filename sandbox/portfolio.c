/*
** portfolio.c — the deterministic, vendor-neutral portfolio every sandbox
** serves, and the formatting of its values (names, emails, phones, street
** addresses) that all vendors share, so the same --size and --seed give the
** same logical records whatever API shape a vendor renders them in.
**
** Shape, from N residents and seed S (integer division, ceil(a/b) is
** (a+b-1)/b):
**
**   leases       L = ceil(4N/5)       lease j occupies unit j
**   residents    N                    resident i is on lease i % L, so every
**                                     lease has one or two residents
**   units        U = L + ceil(L/10)   units L..U-1 never had a lease (vacant)
**   properties   P = ceil(U/40)       unit k is in property k/40, as unit
**                                     number (k%40/10+1)*100 + k%10 + 1
**   applicants   A = ceil(N/10)       applicant a wants vacant unit
**                                     L + a % (U-L) (and its property)
**   work orders  W = ceil(N/5)        work order w is on unit (3w) % U,
**                                     requested by resident u when u < L and
**                                     lease u is Active (its first resident)
**
** Values: each record draws from its own splitmix64 stream seeded from
** (S, record kind, index), so a record never depends on generation order
** and any record can be regenerated alone. Time is fixed, never the wall
** clock: created/updated times fall in 2023-01-01 .. 2026-06-30 UTC and
** lease statuses are as of 2026-06-30 (80% Active, 12% Past, 8% Future;
** Fixed 50%, FixedWithRollover 30%, AtWill 20%, Past leases are never at
** will). Leases start on the first of a month; fixed terms are 12 months.
** Rent is the unit's market rent times 0.950..1.050 (so it has cents); the
** deposit is the rent in whole dollars, or none for 15%. Residents get
** names from the tables below (some non-ASCII: José, Zoë, Nguyễn, ...),
** emails first.last.NNN@example.com (ASCII-folded), 555-area phones, and
** nullable extras: alternate email 30%, date of birth 90%, emergency
** contact 60%, comment 20%, tax id 5%, SMS status 60%.
**
** Records are compact structs of table indexes and numbers (~40 bytes);
** strings are produced when a vendor renders a record. A million residents
** generate in well under a second in ~110 MB. Writes made through a vendor
** change these records in place or append new ones (pf_add_*).
*/
#include "sandbox.h"
#include "ledger.h"

#include <stdio.h>
#include <stdlib.h>

/* Record kinds, mixed into the per-record seed. */
enum { K_PROP = 1, K_UNIT, K_LEASE, K_RES, K_APP, K_WO, K_HOUSE, K_ZIP };

static const char *const pf_firsts[] = {
  "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael",
  "Linda", "William", "Elizabeth", "David", "Barbara", "Richard", "Susan",
  "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "Christopher",
  "Lisa", "Daniel", "Nancy", "Matthew", "Betty", "Anthony", "Sandra", "Mark",
  "Margaret", "Donald", "Ashley", "Steven", "Kimberly", "Andrew", "Emily",
  "Paul", "Donna", "Joshua", "Michelle", "Kenneth", "Carol", "Kevin",
  "Amanda", "Brian", "Melissa", "George", "Deborah", "Timothy", "Stephanie",
  "Ronald", "Rebecca", "Jason", "Laura", "Edward", "Sharon", "Jeffrey",
  "Cynthia", "Ryan", "Kathleen", "Jacob", "Amy", "Gary", "Angela",
  "Nicholas", "Shirley", "Eric", "Anna", "Jonathan", "Brenda", "Maria",
  "Luis", "Carlos", "Sofia", "Mateo", "Camila", "Wei", "Mei", "Hiroshi",
  "Yuki", "Aisha", "Omar", "Fatima", "Priya", "Arjun", "Olga", "Dmitri",
  "Ngozi", "Kwame", "Siobhán", "José", "Zoë", "Chloé", "Renée", "Björn",
  "François", "Søren", "Łucja", "Noé", "Ana",
};

static const char *const pf_lasts[] = {
  "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller",
  "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez",
  "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
  "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark",
  "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King",
  "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams",
  "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter",
  "Roberts", "Kim", "Patel", "Chen", "Wang", "Singh", "Okafor", "Kowalski",
  "O'Brien", "Müller", "Núñez", "Peña", "Ødegaard", "Schröder", "Nguyễn",
  "Dubois", "Rossi", "Ivanova", "Tanaka", "Yamamoto", "Haddad", "Cohen",
  "Murphy", "Sullivan", "MacDonald", "Fitzgerald", "Castillo", "Morales",
  "Ortiz", "Gutierrez", "Chavez", "Ramos", "Reyes", "Cruz", "Diaz",
  "Vargas", "Jiménez", "García", "Brennan", "Lindqvist", "Novak",
};

#define NFIRST (sizeof(pf_firsts) / sizeof(pf_firsts[0]))
#define NLAST (sizeof(pf_lasts) / sizeof(pf_lasts[0]))

/* name, state, first three ZIP digits; the market-rent factor (percent)
** lives in pf_city_factor so pf_city stays vendor-facing. */
static const pf_city pf_cities[] = {
  { "Austin", "TX", "787" }, { "Denver", "CO", "802" },
  { "Portland", "OR", "972" }, { "Phoenix", "AZ", "850" },
  { "Atlanta", "GA", "303" }, { "Boston", "MA", "021" },
  { "Chicago", "IL", "606" }, { "Seattle", "WA", "981" },
  { "Miami", "FL", "331" }, { "Nashville", "TN", "372" },
  { "Raleigh", "NC", "276" }, { "Columbus", "OH", "432" },
  { "Minneapolis", "MN", "554" }, { "San Diego", "CA", "921" },
  { "Sacramento", "CA", "958" }, { "Las Vegas", "NV", "891" },
  { "Salt Lake City", "UT", "841" }, { "Kansas City", "MO", "641" },
  { "Omaha", "NE", "681" }, { "Albuquerque", "NM", "871" },
  { "Tucson", "AZ", "857" }, { "Charlotte", "NC", "282" },
  { "Richmond", "VA", "232" }, { "Pittsburgh", "PA", "152" },
  { "Philadelphia", "PA", "191" }, { "Baltimore", "MD", "212" },
  { "Madison", "WI", "537" }, { "Boise", "ID", "837" },
  { "Louisville", "KY", "402" }, { "New Orleans", "LA", "701" },
  { "Oklahoma City", "OK", "731" }, { "Tampa", "FL", "336" },
  { "Orlando", "FL", "328" }, { "Dallas", "TX", "752" },
  { "Houston", "TX", "770" }, { "San Antonio", "TX", "782" },
  { "Indianapolis", "IN", "462" }, { "Detroit", "MI", "482" },
  { "Cleveland", "OH", "441" }, { "Providence", "RI", "029" },
  { "Burlington", "VT", "054" }, { "Anchorage", "AK", "995" },
  { "Honolulu", "HI", "968" }, { "Santa Fe", "NM", "875" },
  { "Coeur d'Alene", "ID", "838" }, { "Española", "NM", "875" },
};
static const uint8_t pf_city_factor[] = {
  120, 125, 120, 100, 105, 180, 130, 160, 140, 115, 105, 90, 110, 170, 125,
  105, 110, 90, 85, 85, 90, 105, 100, 90, 115, 100, 100, 100, 85, 95, 80,
  110, 110, 110, 100, 90, 85, 80, 80, 125, 115, 120, 190, 115, 105, 85,
};
#define NCITY (sizeof(pf_cities) / sizeof(pf_cities[0]))
_Static_assert(sizeof(pf_city_factor) == NCITY, "one factor per city");

static const char *const pf_streets[] = {
  "Main", "Oak", "Maple", "Cedar", "Pine", "Elm", "Washington", "Lake",
  "Hill", "Park", "Sunset", "Highland", "Jefferson", "Lincoln", "River",
  "Church", "Spring", "Willow", "Chestnut", "Walnut", "Franklin", "Madison",
  "Meadow", "Forest", "Ridge", "Valley", "Mill", "Center", "Union",
  "College", "Prospect", "Cherry", "Birch", "Magnolia", "Juniper", "Aspen",
  "Sycamore", "Poplar", "Laurel", "Dogwood", "Camino del Río", "Mañana",
};
static const char *const pf_suffixes[] = {
  "St", "Ave", "Blvd", "Rd", "Ln", "Dr", "Way", "Ct", "Pl", "Pkwy",
};
static const char *const pf_prefixes[] = {
  "Oak Ridge", "Willow Creek", "Maple Grove", "Cedar Point", "Riverside",
  "Lakeview", "Sunset", "Harbor View", "Pine Hollow", "Stonebridge",
  "Brookside", "Highland", "Meadowbrook", "Fox Run", "Eagle Crest",
  "Silver Lake", "Aspen", "Magnolia", "Cypress", "Juniper", "Bayside",
  "Parkside", "Hillcrest", "Forest Glen", "Golden Gate", "Mission",
  "Summit", "Canyon", "Prairie", "Coastal", "Liberty", "Heritage",
  "Union Square", "Mill Creek", "Orchard", "Vista", "Sierra", "Crescent",
  "Briarwood", "Ironwood",
};
static const char *const pf_psuffixes[] = {
  "Apartments", "Residences", "Commons", "Lofts", "Villas", "Terrace",
  "Gardens", "Flats", "Place", "Court", "Towers", "Homes",
};
static const char *const pf_relations[] = {
  "Spouse", "Parent", "Sibling", "Friend", "Partner", "Child", "Roommate",
  "Grandparent",
};
static const char *const pf_comments[] = {
  "Prefers email contact.",
  "Has a cat (approved).",
  "Works night shifts — call after 2pm.",
  "Requested parking spot #12.",
  "Autopay enrolled.",
  "Spanish-speaking; prefers text messages.",
  "Service dog on file.",
  "Asked about renewal options.",
  "Paid deposit in two installments.",
  "Referral from current resident.",
};
static const char *const pf_udescs[] = {
  "Corner unit with balcony",
  "Renovated kitchen, quartz counters",
  "Ground floor with garden access",
  "Top floor, vaulted ceilings",
  "In-unit washer and dryer",
  "Faces the courtyard",
  "Hardwood floors throughout",
  "Walk-in closet in primary bedroom",
};
static const char *const pf_pdescs[] = {
  "Garden-style community with pool",
  "Mid-rise elevator building",
  "Walk-up brick buildings, courtyard",
  "Townhome community with garages",
  "Historic building, renovated 2019",
};
static const char *const pf_titles[] = {
  "Leaking kitchen faucet", "HVAC not cooling", "Replace smoke detector",
  "Clogged bathroom drain", "Broken window latch", "Garbage disposal jammed",
  "Dishwasher not draining", "Water heater pilot out", "Ceiling fan wobbles",
  "Front door lock sticking", "Running toilet", "Mold in shower grout",
  "Refrigerator not cooling", "Outlet not working", "Pest inspection",
  "Carpet stain cleaning", "Repaint bedroom wall", "Replace air filter",
  "Noisy washing machine", "Cracked bathroom tile", "Balcony door off track",
  "No hot water", "Oven igniter failed", "Light fixture flickering",
  "Gutter overflowing", "Intercom not working", "Garage remote lost",
  "Closet door off hinge", "Heater making noise", "Window screen torn",
};
static const char *const pf_details[] = {
  "Resident reports the problem started this week.",
  "Please call the resident before entering.",
  "Issue is intermittent; check thoroughly.",
  "Second request for this issue.",
  "Reported through the resident portal.",
  "Urgent per resident — water on the floor.",
};
static const pf_staff pf_staffs[PF_NSTAFF + 1] = {
  { NULL, NULL, NULL },
  { "Alex", "Morgan", "alex.morgan@sandbox-pm.example.com" },
  { "Jordan", "Reyes", "jordan.reyes@sandbox-pm.example.com" },
  { "Taylor", "Brooks", "taylor.brooks@sandbox-pm.example.com" },
  { "Casey", "Nguyen", "casey.nguyen@sandbox-pm.example.com" },
  { "Riley", "Okafor", "riley.okafor@sandbox-pm.example.com" },
};
static const char *const pf_vendors[PF_NVENDORS] = {
  "Acme Plumbing", "CoolAir HVAC", "BrightSpark Electric", "Green Thumb Landscaping",
  "Ace Locksmith", "Sparkle Cleaning", "Pest Pros", "Handy Helpers",
  "Summit Roofing", "Precision Appliance", "ClearView Glass", "TopCoat Painters",
  "FloorMasters", "QuickFix Maintenance", "Reliable Rooter", "Metro Elevator",
  "SafeHome Security", "Peak Carpentry", "AquaPure Water", "AllStar Movers",
};

#define NSTREET (sizeof(pf_streets) / sizeof(pf_streets[0]))
#define NSUFFIX (sizeof(pf_suffixes) / sizeof(pf_suffixes[0]))
#define NPREFIX (sizeof(pf_prefixes) / sizeof(pf_prefixes[0]))
#define NPSUFFIX (sizeof(pf_psuffixes) / sizeof(pf_psuffixes[0]))
#define NREL (sizeof(pf_relations) / sizeof(pf_relations[0]))
#define NCOMMENT (sizeof(pf_comments) / sizeof(pf_comments[0]))
#define NUDESC (sizeof(pf_udescs) / sizeof(pf_udescs[0]))
#define NPDESC (sizeof(pf_pdescs) / sizeof(pf_pdescs[0]))
#define NTITLE (sizeof(pf_titles) / sizeof(pf_titles[0]))
#define NDETAIL (sizeof(pf_details) / sizeof(pf_details[0]))

/* ASCII-folded, lower-case forms for email addresses; built once in
** pf_generate() before any thread can read them. */
static char *pf_first_fold[NFIRST];
static char *pf_last_fold[NLAST];

/* Latin letters with diacritics that occur in the tables, by code point. */
static char pf_fold_cp(unsigned cp){
  static const struct { unsigned cp; char c; } map[] = {
    { 0xE0, 'a' }, { 0xE1, 'a' }, { 0xE2, 'a' }, { 0xE4, 'a' }, { 0xE5, 'a' },
    { 0xE7, 'c' }, { 0xE8, 'e' }, { 0xE9, 'e' }, { 0xEA, 'e' }, { 0xEB, 'e' },
    { 0xED, 'i' }, { 0xEF, 'i' }, { 0xF1, 'n' }, { 0xF3, 'o' }, { 0xF6, 'o' },
    { 0xF8, 'o' }, { 0xFA, 'u' }, { 0xFC, 'u' }, { 0xD8, 'o' }, { 0x142, 'l' },
    { 0x141, 'l' }, { 0x1EC5, 'e' },
  };
  for(size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++){
    if( map[i].cp == cp ) return map[i].c;
  }
  return 0;
}

static char *pf_fold(const char *s){
  char out[64];
  size_t n = 0;
  const unsigned char *p = (const unsigned char *)s;
  while( *p && n < sizeof(out) - 1 ){
    unsigned cp = *p++;
    if( cp >= 0x80 ){
      int extra = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : 1;
      cp &= extra == 3 ? 0x07 : extra == 2 ? 0x0F : 0x1F;
      while( extra-- && *p ) cp = (cp << 6) | (*p++ & 0x3F);
      char c = pf_fold_cp(cp);
      if( c ) out[n++] = c;
    }else if( (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') ){
      out[n++] = (char)cp;
    }else if( cp >= 'A' && cp <= 'Z' ){
      out[n++] = (char)(cp - 'A' + 'a');
    }
  }
  out[n] = 0;
  return sb_xstrdup(out);
}

static void pf_init_tables(void){
  if( pf_first_fold[0] ) return;
  for(size_t i = 0; i < NFIRST; i++) pf_first_fold[i] = pf_fold(pf_firsts[i]);
  for(size_t i = 0; i < NLAST; i++) pf_last_fold[i] = pf_fold(pf_lasts[i]);
}

const char *pf_first_name(unsigned i){ return pf_firsts[i % NFIRST]; }
const char *pf_last_name(unsigned i){ return pf_lasts[i % NLAST]; }
const char *pf_first_ascii(unsigned i){ return pf_first_fold[i % NFIRST]; }
const char *pf_last_ascii(unsigned i){ return pf_last_fold[i % NLAST]; }
unsigned pf_nfirst(void){ return NFIRST; }
unsigned pf_nlast(void){ return NLAST; }
const pf_city *pf_city_at(unsigned i){ return &pf_cities[i % NCITY]; }
const char *pf_street_name(unsigned i){ return pf_streets[i % NSTREET]; }
const char *pf_street_suffix(unsigned i){ return pf_suffixes[i % NSUFFIX]; }
const char *pf_relationship(unsigned i){ return pf_relations[i % NREL]; }
const char *pf_comment_text(unsigned i){ return pf_comments[i % NCOMMENT]; }
const char *pf_unit_desc(unsigned i){ return pf_udescs[i % NUDESC]; }
const char *pf_prop_desc(unsigned i){ return pf_pdescs[i % NPDESC]; }
const char *pf_wo_title(unsigned i){ return pf_titles[i % NTITLE]; }
const char *pf_wo_details(unsigned i){ return pf_details[i % NDETAIL]; }
const char *pf_vendor_name(unsigned i){ return pf_vendors[i % PF_NVENDORS]; }
const pf_staff *pf_staff_at(unsigned i){
  return (i >= 1 && i <= PF_NSTAFF) ? &pf_staffs[i] : NULL;
}

/* ---- formatting shared by all vendors ----
** These run for every record of every rendered page, so they concatenate
** by hand instead of going through snprintf (which dominated profiles). */

typedef struct pf_out {
  char *p, *end;                /* end leaves room for the NUL */
} pf_out;

static void pf_cat(pf_out *o, const char *s){
  while( *s && o->p < o->end ) *o->p++ = *s++;
}

static void pf_digits(pf_out *o, unsigned v, int width){
  char tmp[12];
  int n = 0;
  do{
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  }while( v || n < width );
  while( n && o->p < o->end ) *o->p++ = tmp[--n];
}

static char *pf_done(pf_out *o, char *out){
  *o->p = 0;
  return out;
}

#define PF_OUT(out, cap) { (out), (out) + (cap) - 1 }

char *pf_fmt_phone(char *out, size_t cap, uint32_t d){
  pf_out o = PF_OUT(out, cap);
  pf_cat(&o, "(555) ");
  pf_digits(&o, d / 10000 % 1000, 3);
  pf_cat(&o, "-");
  pf_digits(&o, d % 10000, 4);
  return pf_done(&o, out);
}

char *pf_fmt_email(char *out, size_t cap, unsigned first, unsigned last,
                   unsigned no, const char *domain){
  pf_out o = PF_OUT(out, cap);
  pf_cat(&o, pf_first_ascii(first));
  pf_cat(&o, ".");
  pf_cat(&o, pf_last_ascii(last));
  if( no ){
    pf_cat(&o, ".");
    pf_digits(&o, no, 1);
  }
  pf_cat(&o, "@");
  pf_cat(&o, domain);
  return pf_done(&o, out);
}

char *pf_fmt_property_name(char *out, size_t cap, const sb_portfolio *pf,
                           uint32_t p){
  const pf_property *r = &pf->props.v[p];
  unsigned round = p / (unsigned)(NPREFIX * NPSUFFIX);
  pf_out o = PF_OUT(out, cap);
  pf_cat(&o, pf_prefixes[r->name_a % NPREFIX]);
  pf_cat(&o, " ");
  pf_cat(&o, pf_psuffixes[r->name_b % NPSUFFIX]);
  if( round ){
    pf_cat(&o, " ");
    pf_digits(&o, round + 1, 1);
  }
  return pf_done(&o, out);
}

char *pf_fmt_street(char *out, size_t cap, const pf_property *p){
  pf_out o = PF_OUT(out, cap);
  pf_digits(&o, p->street_no, 1);
  pf_cat(&o, " ");
  pf_cat(&o, pf_street_name(p->street));
  pf_cat(&o, " ");
  pf_cat(&o, pf_street_suffix(p->suffix));
  return pf_done(&o, out);
}

char *pf_fmt_postal(char *out, size_t cap, const sb_portfolio *pf, uint32_t p){
  uint64_t h = sb_mix64(pf->seed ^ ((uint64_t)K_ZIP << 56) ^ p);
  pf_out o = PF_OUT(out, cap);
  pf_cat(&o, pf_city_at(pf->props.v[p].city)->zip3);
  pf_digits(&o, (unsigned)(h % 100), 2);
  return pf_done(&o, out);
}

char *pf_fmt_unit_number(char *out, size_t cap, const pf_unit *u){
  pf_out o = PF_OUT(out, cap);
  pf_digits(&o, u->number, 1);
  return pf_done(&o, out);
}

/* ITIN-shaped (9XX-7X-XXXX), so no generated value is a plausible SSN. */
char *pf_fmt_taxid(char *out, size_t cap, const pf_resident *r, uint32_t i){
  snprintf(out, cap, "9%02u-7%u-%04u", (unsigned)(r->taxid_hi % 100),
           (unsigned)(i % 9), (unsigned)(r->phone2 % 10000));
  return out;
}

int pf_lease_status_on(int32_t start, int32_t end, int32_t today){
  if( start != PF_NODATE && start > today ) return PF_LS_FUTURE;
  if( end != PF_NODATE && end < today ) return PF_LS_PAST;
  return PF_LS_ACTIVE;
}

/* ---- generation ---- */

uint64_t pf_stream(uint64_t seed, int kind, uint32_t idx){
  return sb_mix64(sb_mix64(seed ^ ((uint64_t)kind << 56)) + idx);
}

/* A time in [lo, hi]; hi < lo collapses to lo. */
static uint32_t pf_time_between(uint64_t *rng, int64_t lo, int64_t hi){
  if( hi <= lo ) return (uint32_t)lo;
  return (uint32_t)(lo + (int64_t)(sb_rng_next(rng) % (uint64_t)(hi - lo + 1)));
}

static int64_t pf_t0, pf_t1;   /* the fixed time window, set in pf_generate */

static int64_t pf_clamp(int64_t t){
  return t < pf_t0 ? pf_t0 : t > pf_t1 ? pf_t1 : t;
}

#define PF_GROW(arr) do{ \
  if( (arr).n == (arr).cap ){ \
    (arr).cap = (arr).cap + (arr).cap / 4 + 1024; \
    (arr).v = sb_xrealloc((arr).v, (size_t)(arr).cap * sizeof(*(arr).v)); \
  } \
  memset(&(arr).v[(arr).n], 0, sizeof(*(arr).v)); \
}while(0)

uint32_t pf_add_property(sb_portfolio *pf){ PF_GROW(pf->props); return pf->props.n++; }
uint32_t pf_add_unit(sb_portfolio *pf){ PF_GROW(pf->units); return pf->units.n++; }
uint32_t pf_add_lease(sb_portfolio *pf){
  PF_GROW(pf->leases);
  pf->leases.v[pf->leases.n].first_res = PF_NONE;
  return pf->leases.n++;
}
uint32_t pf_add_resident(sb_portfolio *pf){
  PF_GROW(pf->res);
  pf->res.v[pf->res.n].lease = PF_NONE;
  pf->res.v[pf->res.n].next = PF_NONE;
  pf->res.v[pf->res.n].dob = PF_NODATE;
  return pf->res.n++;
}
uint32_t pf_add_applicant(sb_portfolio *pf){ PF_GROW(pf->apps); return pf->apps.n++; }
uint32_t pf_add_workorder(sb_portfolio *pf){ PF_GROW(pf->wos); return pf->wos.n++; }

/* Appends, so a lease lists its residents in id order. */
void pf_link_resident(sb_portfolio *pf, uint32_t r, uint32_t l){
  pf_resident *res = &pf->res.v[r];
  pf_lease *ls = &pf->leases.v[l];
  uint32_t *pp = &ls->first_res;
  while( *pp != PF_NONE ) pp = &pf->res.v[*pp].next;
  *pp = r;
  res->next = PF_NONE;
  res->lease = l;
  if( ls->nres < 255 ) ls->nres++;
}

void pf_unlink_resident(sb_portfolio *pf, uint32_t r){
  pf_resident *res = &pf->res.v[r];
  if( res->lease == PF_NONE ) return;
  pf_lease *ls = &pf->leases.v[res->lease];
  uint32_t *pp = &ls->first_res;
  while( *pp != PF_NONE && *pp != r ) pp = &pf->res.v[*pp].next;
  if( *pp == r ){
    *pp = res->next;
    if( ls->nres ) ls->nres--;
  }
  res->next = PF_NONE;
  res->lease = PF_NONE;
}

static void pf_gen_property(sb_portfolio *pf, uint32_t p, uint32_t nunits_total){
  uint64_t rng = pf_stream(pf->seed, K_PROP, p);
  pf_property *r = &pf->props.v[p];
  r->first_unit = p * PF_UNITS_PER_PROPERTY;
  uint32_t n = nunits_total - r->first_unit;
  r->gen_units = (uint16_t)(n > PF_UNITS_PER_PROPERTY ? PF_UNITS_PER_PROPERTY : n);
  r->nunits = r->gen_units;
  r->created = pf_time_between(&rng, pf_t0, pf_t0 + 180 * 86400);
  r->updated = pf_time_between(&rng, r->created, pf_t1);
  r->street_no = (uint16_t)(100 + sb_rng_below(&rng, 9800));
  r->street = (uint8_t)sb_rng_below(&rng, NSTREET);
  r->suffix = (uint8_t)sb_rng_below(&rng, NSUFFIX);
  r->city = (uint8_t)sb_rng_below(&rng, NCITY);
  r->year_built = (uint16_t)(1955 + sb_rng_below(&rng, 68));
  if( sb_rng_below(&rng, 100) < 5 ) r->flags |= PF_PROP_NO_YEAR;
  r->name_a = (uint8_t)sb_rng_below(&rng, NPREFIX);
  r->name_b = (uint8_t)sb_rng_below(&rng, NPSUFFIX);
  if( r->gen_units == 1 ) r->subtype = PF_SUB_SINGLEFAMILY;
  else r->subtype = sb_rng_below(&rng, 100) < 85 ? PF_SUB_MULTIFAMILY : PF_SUB_CONDO;
  r->manager = (uint8_t)sb_rng_below(&rng, PF_NSTAFF + 1);
  r->bank = (uint8_t)sb_rng_below(&rng, 3);
  r->reserve_cents = sb_rng_below(&rng, 100) * 5000;
  if( sb_rng_below(&rng, 100) < 30 ){
    r->flags |= PF_PROP_DESC;
    r->desc = (uint8_t)sb_rng_below(&rng, NPDESC);
  }
}

static void pf_gen_unit(sb_portfolio *pf, uint32_t k){
  uint64_t rng = pf_stream(pf->seed, K_UNIT, k);
  pf_unit *u = &pf->units.v[k];
  static const uint32_t base_rent[] = { 950, 1250, 1650, 2100, 2600 };
  u->property = k / PF_UNITS_PER_PROPERTY;
  const pf_property *p = &pf->props.v[u->property];
  unsigned local = k % PF_UNITS_PER_PROPERTY;
  u->number = (uint16_t)((local / 10 + 1) * 100 + local % 10 + 1);
  u->created = (uint32_t)pf_clamp((int64_t)p->created + sb_rng_below(&rng, 30 * 86400));
  u->updated = pf_time_between(&rng, u->created, pf_t1);
  uint32_t r = sb_rng_below(&rng, 100);
  u->beds = r < 10 ? 0 : r < 45 ? 1 : r < 80 ? 2 : r < 95 ? 3 : 4;
  switch( u->beds ){
    case 0: case 1: u->baths = 2; break;
    case 2: u->baths = (uint8_t)(2 + sb_rng_below(&rng, 3)); break;
    case 3: u->baths = (uint8_t)(4 + sb_rng_below(&rng, 2)); break;
    default: u->baths = (uint8_t)(5 + sb_rng_below(&rng, 2)); break;
  }
  u->size = (uint16_t)(420 + 260 * u->beds + sb_rng_below(&rng, 200));
  if( sb_rng_below(&rng, 100) < 5 ) u->flags |= PF_UNIT_NO_SIZE;
  uint32_t dollars = base_rent[u->beds] * pf_city_factor[p->city] / 100
                     + sb_rng_below(&rng, 200);
  u->market_rent_cents = dollars * 100 + sb_rng_below(&rng, 4) * 25;
  if( sb_rng_below(&rng, 100) < 25 ){
    u->flags |= PF_UNIT_DESC;
    u->desc = (uint8_t)sb_rng_below(&rng, NUDESC);
  }
}

static void pf_gen_lease(sb_portfolio *pf, uint32_t j){
  uint64_t rng = pf_stream(pf->seed, K_LEASE, j);
  pf_lease *l = &pf->leases.v[j];
  pf_unit *u = &pf->units.v[j];
  int32_t month1 = dt_days(2026, 6, 1);        /* first of the as-of month */
  uint32_t r = sb_rng_below(&rng, 100);
  uint32_t t = sb_rng_below(&rng, 10);
  l->unit = j;
  l->first_res = PF_NONE;
  l->status = r < 80 ? PF_LS_ACTIVE : r < 92 ? PF_LS_PAST : PF_LS_FUTURE;
  l->type = t < 5 ? PF_LT_FIXED : t < 8 ? PF_LT_FIXED_ROLLOVER : PF_LT_AT_WILL;
  if( l->status == PF_LS_PAST && l->type == PF_LT_AT_WILL ) l->type = PF_LT_FIXED;
  switch( l->status ){
    case PF_LS_ACTIVE:
      if( l->type == PF_LT_AT_WILL ){
        l->start = dt_add_months(month1, -(int)sb_rng_below(&rng, 36));
        l->end = PF_NODATE;
      }else{
        l->start = dt_add_months(month1, -(int)sb_rng_below(&rng, 12));
        l->end = dt_add_months(l->start, 12) - 1;
      }
      break;
    case PF_LS_PAST:
      l->start = dt_add_months(month1, -(int)(13 + sb_rng_below(&rng, 36)));
      l->end = dt_add_months(l->start, 12) - 1;
      break;
    default:
      l->start = dt_add_months(month1, 1 + (int)sb_rng_below(&rng, 3));
      l->end = l->type == PF_LT_AT_WILL ? PF_NODATE : dt_add_months(l->start, 12) - 1;
      break;
  }
  l->rent_cents = (uint32_t)((uint64_t)u->market_rent_cents
                             * (950 + sb_rng_below(&rng, 101)) / 1000);
  if( sb_rng_below(&rng, 100) < 15 ){
    l->flags |= PF_LEASE_NO_DEPOSIT;
  }else{
    l->deposit_cents = l->rent_cents / 100 * 100;
  }
  l->due_day = 1;
  if( l->status == PF_LS_ACTIVE && sb_rng_below(&rng, 100) < 2 ) l->flags |= PF_LEASE_EVICTION;
  if( sb_rng_below(&rng, 2) ) l->flags |= PF_LEASE_AUTO_OUT;
  if( l->status == PF_LS_ACTIVE && l->type != PF_LT_AT_WILL
      && sb_rng_below(&rng, 100) < 10 ) l->flags |= PF_LEASE_RENEWAL;
  int64_t c = (int64_t)l->start * 86400 - 30 * 86400 + sb_rng_below(&rng, 86400);
  l->created = (uint32_t)pf_clamp(c);
  l->updated = pf_time_between(&rng, l->created, pf_t1);
  if( l->status == PF_LS_ACTIVE ) u->active_leases++;
}

static void pf_gen_resident(sb_portfolio *pf, uint32_t i, uint32_t nleases){
  uint64_t rng = pf_stream(pf->seed, K_RES, i);
  pf_resident *r = &pf->res.v[i];
  uint32_t j = i % nleases;
  uint64_t house = pf_stream(pf->seed, K_HOUSE, j);
  const pf_lease *l = &pf->leases.v[j];
  r->lease = j;
  r->next = PF_NONE;
  r->first = (uint16_t)sb_rng_below(&rng, NFIRST);
  /* Residents of one lease often share the household's last name. */
  if( sb_rng_below(&rng, 100) < (i < nleases ? 80u : 50u) ){
    r->last = (uint16_t)(house % NLAST);
  }else{
    r->last = (uint16_t)sb_rng_below(&rng, NLAST);
  }
  r->email_no = (uint16_t)(1 + sb_rng_below(&rng, 999));
  r->phone = 2000000 + sb_rng_below(&rng, 8000000);
  r->phone2 = 2000000 + sb_rng_below(&rng, 8000000);
  r->dob = sb_rng_below(&rng, 100) < 90
           ? dt_days(1950, 1, 1) + (int32_t)sb_rng_below(&rng, 55 * 365)
           : PF_NODATE;
  if( sb_rng_below(&rng, 100) < 30 ) r->flags |= PF_RES_ALT_EMAIL;
  if( sb_rng_below(&rng, 100) < 25 ) r->flags |= PF_RES_HOME_PHONE;
  if( sb_rng_below(&rng, 100) < 20 ) r->flags |= PF_RES_WORK_PHONE;
  if( sb_rng_below(&rng, 100) < 60 ){
    r->flags |= PF_RES_EMERGENCY;
    if( sb_rng_below(&rng, 2) ) r->flags |= PF_RES_EC_EMAIL;
  }
  if( sb_rng_below(&rng, 100) < 20 ) r->flags |= PF_RES_COMMENT;
  if( sb_rng_below(&rng, 100) < 5 ) r->flags |= PF_RES_TAXID;
  uint32_t s = sb_rng_below(&rng, 100);
  r->sms = s < 40 ? PF_SMS_NULL : s < 50 ? PF_SMS_NOTSET
         : s < 85 ? PF_SMS_OPTEDIN : PF_SMS_OPTEDOUT;
  r->ec_first = (uint8_t)sb_rng_below(&rng, NFIRST);
  r->ec_rel = (uint8_t)sb_rng_below(&rng, NREL);
  r->comment = (uint8_t)sb_rng_below(&rng, NCOMMENT);
  r->taxid_hi = (uint8_t)sb_rng_below(&rng, 100);
  r->created = (uint32_t)pf_clamp((int64_t)l->created + sb_rng_below(&rng, 14 * 86400));
  r->updated = pf_time_between(&rng, r->created, pf_t1);
}

static void pf_gen_applicant(sb_portfolio *pf, uint32_t a, uint32_t L, uint32_t U){
  uint64_t rng = pf_stream(pf->seed, K_APP, a);
  pf_applicant *p = &pf->apps.v[a];
  p->unit = U > L ? L + a % (U - L) : PF_NONE;
  p->tenant = PF_NONE;
  p->first = (uint16_t)sb_rng_below(&rng, NFIRST);
  p->last = (uint16_t)sb_rng_below(&rng, NLAST);
  p->email_no = (uint16_t)(1 + sb_rng_below(&rng, 999));
  p->phone = 2000000 + sb_rng_below(&rng, 8000000);
  uint32_t s = sb_rng_below(&rng, 100);
  p->status = s < 20 ? PF_AS_NEW : s < 45 ? PF_AS_UNDECIDED : s < 65 ? PF_AS_APPROVED
            : s < 80 ? PF_AS_REJECTED : s < 90 ? PF_AS_CANCELLED : PF_AS_DEFERRED;
  p->created = pf_time_between(&rng, pf_t1 - 400 * 86400, pf_t1 - 3 * 86400);
  p->submitted = pf_time_between(&rng, p->created, p->created + 3 * 86400);
  p->updated = pf_time_between(&rng, p->submitted, pf_t1);
}

static void pf_gen_workorder(sb_portfolio *pf, uint32_t w, uint32_t L, uint32_t U){
  uint64_t rng = pf_stream(pf->seed, K_WO, w);
  pf_workorder *o = &pf->wos.v[w];
  o->unit = U ? (uint32_t)((uint64_t)w * 3 % U) : PF_NONE;
  o->resident = (o->unit != PF_NONE && o->unit < L
                 && pf->leases.v[o->unit].status == PF_LS_ACTIVE) ? o->unit : PF_NONE;
  o->task = w;
  o->title = (uint8_t)sb_rng_below(&rng, NTITLE);
  uint32_t r = sb_rng_below(&rng, 100);
  o->priority = r < 30 ? PF_WP_LOW : r < 80 ? PF_WP_NORMAL : PF_WP_HIGH;
  r = sb_rng_below(&rng, 100);
  o->status = r < 20 ? PF_WS_NEW : r < 45 ? PF_WS_IN_PROGRESS : r < 80 ? PF_WS_COMPLETED
            : r < 85 ? PF_WS_DEFERRED : PF_WS_CLOSED;
  o->created = pf_time_between(&rng, pf_t0, pf_t1 - 86400);
  o->updated = pf_time_between(&rng, o->created, pf_t1);
  o->due = sb_rng_below(&rng, 100) < 90
           ? (int32_t)(o->created / 86400) + 3 + (int32_t)sb_rng_below(&rng, 28)
           : PF_NODATE;
  if( o->status == PF_WS_COMPLETED || o->status == PF_WS_CLOSED ){
    o->amount_cents = 7500 + sb_rng_below(&rng, 150000);
    o->invoice = (uint16_t)(1000 + sb_rng_below(&rng, 9000));
  }
  o->vendor = (uint16_t)sb_rng_below(&rng, PF_NVENDORS);
  r = sb_rng_below(&rng, 100);
  o->entry = r < 60 ? PF_ENTRY_YES : r < 85 ? PF_ENTRY_NO : PF_ENTRY_UNKNOWN;
  if( sb_rng_below(&rng, 100) < 20 ) o->flags |= PF_WO_ENTRY_NOTES;
  if( sb_rng_below(&rng, 100) < 10 ) o->flags |= PF_WO_CHARGEABLE;
}

#define PF_ALLOC(arr, count) do{ \
  (arr).n = (arr).gen = (count); \
  (arr).cap = (count) ? (count) : 1; \
  (arr).v = sb_xcalloc((arr).cap, sizeof(*(arr).v)); \
}while(0)

int pf_generate(sb_portfolio *pf, uint32_t n, uint64_t seed){
  if( n > PF_MAX_SIZE ) return -1;
  memset(pf, 0, sizeof(*pf));
  pf_init_tables();
  pf_t0 = (int64_t)dt_days(2023, 1, 1) * 86400;
  pf_t1 = (int64_t)dt_days(2026, 6, 30) * 86400 + 86399;
  pf->seed = seed;
  pf->size = n;
  pf->asof = dt_days(2026, 6, 30);

  uint32_t L = (uint32_t)(((uint64_t)n * 4 + 4) / 5);
  uint32_t U = L + (L + 9) / 10;
  uint32_t P = (U + PF_UNITS_PER_PROPERTY - 1) / PF_UNITS_PER_PROPERTY;
  uint32_t A = (n + 9) / 10;
  uint32_t W = (n + 4) / 5;

  PF_ALLOC(pf->props, P);
  PF_ALLOC(pf->units, U);
  PF_ALLOC(pf->leases, L);
  PF_ALLOC(pf->res, n);
  PF_ALLOC(pf->apps, A);
  PF_ALLOC(pf->wos, W);

  for(uint32_t p = 0; p < P; p++) pf_gen_property(pf, p, U);
  for(uint32_t k = 0; k < U; k++) pf_gen_unit(pf, k);
  for(uint32_t j = 0; j < L; j++) pf_gen_lease(pf, j);
  for(uint32_t i = 0; i < n; i++) pf_gen_resident(pf, i, L);
  /* Link back to front so each lease lists residents in ascending order. */
  for(uint32_t i = n; i-- > 0; ){
    pf_resident *r = &pf->res.v[i];
    pf_lease *l = &pf->leases.v[r->lease];
    r->next = l->first_res;
    l->first_res = i;
    l->nres++;
  }
  for(uint32_t a = 0; a < A; a++) pf_gen_applicant(pf, a, L, U);
  for(uint32_t w = 0; w < W; w++) pf_gen_workorder(pf, w, L, U);
  pf->next_task = W;
  return 0;
}

void pf_free(sb_portfolio *pf){
  for(size_t i = 0; i < NFIRST; i++){ free(pf_first_fold[i]); pf_first_fold[i] = NULL; }
  for(size_t i = 0; i < NLAST; i++){ free(pf_last_fold[i]); pf_last_fold[i] = NULL; }
  free(pf->props.v);
  free(pf->units.v);
  free(pf->leases.v);
  free(pf->res.v);
  free(pf->apps.v);
  free(pf->wos.v);
  pf_ledger_free(pf);
  memset(pf, 0, sizeof(*pf));
}
