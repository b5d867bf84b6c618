/*
** buildium_render.c — Buildium's JSON shapes: RentalMessage,
** RentalUnitMessage, LeaseMessage, TenantMessage, ApplicantDetailsMessage,
** WorkOrderMessage and NoteMessage, with the member names, nesting and enum
** spellings of the official OpenAPI spec, written straight into a buffer.
**
** Each record first becomes a "view" (buildium.h): from its override if the
** API wrote it, else generated from the portfolio record. Choices the spec
** leaves open:
**   - a TenantMessage inside LeaseMessage.CurrentTenants has "Leases": null,
**     and a LeaseMessage inside TenantMessage.Leases has
**     "CurrentTenants": null; that breaks the mutual nesting;
**   - money is written with two decimals (1450.00);
**   - read-side phone types: Home, Work -> Office, Mobile -> Cell, Fax;
**   - a generated unit's address is its property's, with "Unit N" as
**     AddressLine2, and a generated tenant's address is its unit's.
*/
#include "buildium.h"

#include <stdarg.h>
#include <stdio.h>

const char *const bd_lease_status_names[] = { "Active", "Past", "Future", NULL };
const char *const bd_lease_type_names[] = { "Fixed", "FixedWithRollover", "AtWill", NULL };
const char *const bd_app_status_names[] = {
  "New", "Undecided", "Approved", "Rejected", "Cancelled", "Deferred",
  "AddedToLease", NULL
};
const char *const bd_wo_priority_names[] = { "Low", "Normal", "High", NULL };
const char *const bd_wo_status_names[] = {
  "New", "InProgress", "Completed", "Deferred", "Closed", NULL
};
const char *const bd_entry_names[] = { "Unknown", "Yes", "No", NULL };
const char *const bd_subtype_names[] = {
  "CondoTownhome", "MultiFamily", "SingleFamily", "Industrial", "Office",
  "Retail", "ShoppingCenter", "Storage", "ParkingSpace", NULL
};
const char *const bd_bedroom_names[] = {
  "NotSet", "Studio", "OneBed", "TwoBed", "ThreeBed", "FourBed", "FiveBed",
  "SixBed", "SevenBed", "EightBed", "NineBedPlus", NULL
};
const char *const bd_bathroom_names[] = {
  "NotSet", "OneBath", "OnePointFiveBath", "TwoBath", "TwoPointFiveBath",
  "ThreeBath", "FourBath", "FiveBath", "FivePlusBath", "ThreePointFiveBath",
  "FourPointFiveBath", NULL
};
const char *const bd_country_names[] = {
  "Afghanistan", "Akrotiri", "Albania", "Algeria", "AmericanSamoa",
  "Andorra", "Angola", "Anguilla", "Antarctica", "AntiguaandBarbuda",
  "Argentina", "Armenia", "Aruba", "AshmoreandCartierIslands", "Australia",
  "Austria", "Azerbaijan", "Bahamas", "Bahrain", "Bangladesh", "Barbados",
  "BassasdaIndia", "Belarus", "Belgium", "Belize", "Benin", "Bermuda",
  "Bhutan", "Bolivia", "BosniaandHerzegovina", "Botswana", "BouvetIsland",
  "Brazil", "BritishIndianOceanTerritory", "BritishVirginIslands", "Brunei",
  "Bulgaria", "BurkinaFaso", "Burma", "Burundi", "Cambodia", "Cameroon",
  "Canada", "CapeVerde", "CaymanIslands", "CentralAfricanRepublic", "Chad",
  "Chile", "China", "ChristmasIsland", "ClippertonIsland", "CocosIslands",
  "Colombia", "Comoros", "DemocraticRepublicOfTheCongo",
  "RepublicOfTheCongo", "CookIslands", "CoralSeaIslands", "CostaRica",
  "CotedIvoire", "Croatia", "Cuba", "Cyprus", "CzechRepublic", "Denmark",
  "Dhekelia", "Djibouti", "Dominica", "DominicanRepublic", "Ecuador",
  "Egypt", "ElSalvador", "EquatorialGuinea", "Eritrea", "Estonia",
  "Ethiopia", "EuropaIsland", "FalklandIslands", "FaroeIslands", "Fiji",
  "Finland", "France", "FrenchGuiana", "FrenchPolynesia",
  "FrenchSouthernandAntarcticLands", "Gabon", "Gambia", "GazaStrip",
  "Georgia", "Germany", "Ghana", "Gibraltar", "GloriosoIslands", "Greece",
  "Greenland", "Grenada", "Guadeloupe", "Guam", "Guatemala", "Guernsey",
  "Guinea", "GuineaBissau", "Guyana", "Haiti",
  "HeardIslandandMcDonaldIslands", "VaticanCity", "Honduras", "HongKong",
  "Hungary", "Iceland", "India", "Indonesia", "Iran", "Iraq", "Ireland",
  "IsleofMan", "Israel", "Italy", "Jamaica", "JanMayen", "Japan", "Jersey",
  "Jordan", "JuandeNovaIsland", "Kazakhstan", "Kenya", "Kiribati",
  "NorthKorea", "SouthKorea", "Kuwait", "Kyrgyzstan", "Laos", "Latvia",
  "Lebanon", "Lesotho", "Liberia", "Libya", "Liechtenstein", "Lithuania",
  "Luxembourg", "Macau", "Macedonia", "Madagascar", "Malawi", "Malaysia",
  "Maldives", "Mali", "Malta", "MarshallIslands", "Martinique", "Mauritania",
  "Mauritius", "Mayotte", "Mexico", "Micronesia", "Moldova", "Monaco",
  "Mongolia", "Montserrat", "Morocco", "Mozambique", "Namibia", "Nauru",
  "NavassaIsland", "Nepal", "Netherlands", "NetherlandsAntilles",
  "NewCaledonia", "NewZealand", "Nicaragua", "Niger", "Nigeria", "Niue",
  "NorfolkIsland", "NorthernMarianaIslands", "Norway", "Oman", "Pakistan",
  "Palau", "Panama", "PapuaNewGuinea", "ParacelIslands", "Paraguay", "Peru",
  "Philippines", "PitcairnIslands", "Poland", "Portugal", "PuertoRico",
  "Qatar", "Reunion", "Romania", "Russia", "Rwanda", "SaintHelena",
  "SaintKittsandNevis", "SaintLucia", "SaintPierreandMiquelon",
  "SaintVincentandtheGrenadines", "Samoa", "SanMarino", "SaoTomeandPrincipe",
  "SaudiArabia", "Senegal", "SerbiaandMontenegro", "Seychelles",
  "SierraLeone", "Singapore", "Slovakia", "Slovenia", "SolomonIslands",
  "Somalia", "SouthAfrica", "SouthGeorgiaandtheSouthSandwichIslands",
  "Spain", "SpratlyIslands", "SriLanka", "Sudan", "Suriname", "Svalbard",
  "Swaziland", "Sweden", "Switzerland", "Syria", "Taiwan", "Tajikistan",
  "Tanzania", "Thailand", "TimorLeste", "Togo", "Tokelau", "Tonga",
  "TrinidadandTobago", "TromelinIsland", "Tunisia", "Turkey", "Turkmenistan",
  "TurksandCaicosIslands", "Tuvalu", "Uganda", "Ukraine",
  "UnitedArabEmirates", "UnitedKingdom", "UnitedStates", "Uruguay",
  "Uzbekistan", "Vanuatu", "Venezuela", "Vietnam", "VirginIslands",
  "WakeIsland", "WallisandFutuna", "WestBank", "WesternSahara", "Yemen",
  "Zambia", "Zimbabwe", NULL,
};

/* ---- scratch strings ---- */

const char *bd_sfmt(bd_scratch *s, const char *fmt, ...){
  va_list ap;
  size_t room = sizeof(s->buf) - s->n;
  char *p = s->buf + s->n;
  va_start(ap, fmt);
  int n = vsnprintf(p, room, fmt, ap);
  va_end(ap);
  if( n < 0 || (size_t)n >= room ) return "";
  s->n += (size_t)n + 1;
  return p;
}

/* Concatenation of a, b and c (NULLs skipped) in scratch space. */
static const char *bd_scat(bd_scratch *s, const char *a, const char *b,
                           const char *c){
  const char *parts[3] = { a, b, c };
  char *start = s->buf + s->n, *o = start, *end = s->buf + sizeof(s->buf) - 1;
  for(int i = 0; i < 3; i++){
    for(const char *p = parts[i]; p && *p; p++){
      if( o == end ) return "";
      *o++ = *p;
    }
  }
  *o++ = 0;
  s->n = (size_t)(o - s->buf);
  return start;
}

static const char *bd_keep(bd_scratch *s, const char *tmp){
  return bd_scat(s, tmp, NULL, NULL);
}

/* ---- cJSON accessors for normalized overrides ---- */

const char *bd_js(const cJSON *o, const char *name){
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

const cJSON *bd_jo(const cJSON *o, const char *name){
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
  return cJSON_IsObject(v) ? v : NULL;
}

int bd_jnum(const cJSON *o, const char *name, double *out){
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
  if( !cJSON_IsNumber(v) ) return 0;
  *out = v->valuedouble;
  return 1;
}

static void bd_addr_from_json(bd_addr *a, const cJSON *o){
  memset(a, 0, sizeof(*a));
  if( !o ) return;
  a->line1 = bd_js(o, "AddressLine1");
  a->line2 = bd_js(o, "AddressLine2");
  a->line3 = bd_js(o, "AddressLine3");
  a->city = bd_js(o, "City");
  a->state = bd_js(o, "State");
  a->postal = bd_js(o, "PostalCode");
  a->country = bd_js(o, "Country");
}

static void bd_phones_from_json(bd_phones *p, const cJSON *o){
  memset(p, 0, sizeof(*p));
  if( !o ) return;
  p->home = bd_js(o, "Home");
  p->work = bd_js(o, "Work");
  p->mobile = bd_js(o, "Mobile");
  p->fax = bd_js(o, "Fax");
}

/* Derived numbers for a resident's extra phones, so they need no storage. */
static uint32_t bd_alt_digits(uint32_t d, uint32_t salt){
  return 2000000 + (uint32_t)(sb_mix64((uint64_t)d * 31 + salt) % 8000000);
}

/* ---- views ---- */

static void bd_property_addr(bd_ctx *c, uint32_t p, bd_addr *a, bd_scratch *s){
  char tmp[128];
  const pf_property *r = &c->pf->props.v[p];
  const pf_city *city = pf_city_at(r->city);
  memset(a, 0, sizeof(*a));
  a->line1 = bd_keep(s, pf_fmt_street(tmp, sizeof(tmp), r));
  a->city = city->name;
  a->state = city->state;
  a->postal = bd_keep(s, pf_fmt_postal(tmp, sizeof(tmp), c->pf, p));
  a->country = "UnitedStates";
}

void bd_rental_view(bd_ctx *c, uint32_t p, bd_rental_v *v, bd_scratch *s){
  const cJSON *o = bd_ovr(c, BD_RENTALS, p);
  double d;
  memset(v, 0, sizeof(*v));
  if( o ){
    v->name = bd_js(o, "Name");
    v->desc = bd_js(o, "StructureDescription");
    v->subtype = bd_js(o, "RentalSubType");
    bd_addr_from_json(&v->addr, bd_jo(o, "Address"));
    if( (v->has_year = bd_jnum(o, "YearBuilt", &d)) ) v->year = (int64_t)d;
    if( (v->has_reserve = bd_jnum(o, "Reserve", &d)) ) v->reserve_cents = sb_llround(d * 100);
    if( bd_jnum(o, "OperatingBankAccountId", &d) ) v->bank_id = (int64_t)d;
    if( (v->has_manager = bd_jnum(o, "PropertyManagerId", &d)) ) v->manager_id = (int64_t)d;
    return;
  }
  char tmp[160];
  const pf_property *r = &c->pf->props.v[p];
  static const char *const sub[] = { "MultiFamily", "CondoTownhome", "SingleFamily" };
  v->name = bd_keep(s, pf_fmt_property_name(tmp, sizeof(tmp), c->pf, p));
  v->desc = (r->flags & PF_PROP_DESC) ? pf_prop_desc(r->desc) : NULL;
  v->subtype = sub[r->subtype % 3];
  bd_property_addr(c, p, &v->addr, s);
  v->has_year = !(r->flags & PF_PROP_NO_YEAR);
  v->year = r->year_built;
  v->has_reserve = 1;
  v->reserve_cents = r->reserve_cents;
  v->bank_id = BD_ID_BANK + r->bank;
  v->has_manager = r->manager != 0;
  v->manager_id = BD_ID_STAFF + r->manager - 1;
}

const char *bd_unit_number(bd_ctx *c, uint32_t k, bd_scratch *s){
  const cJSON *o = bd_ovr(c, BD_UNITS, k);
  char tmp[16];
  if( o ) return bd_js(o, "UnitNumber");
  return bd_keep(s, pf_fmt_unit_number(tmp, sizeof(tmp), &c->pf->units.v[k]));
}

void bd_unit_view(bd_ctx *c, uint32_t k, bd_unit_v *v, bd_scratch *s){
  const cJSON *o = bd_ovr(c, BD_UNITS, k);
  double d;
  memset(v, 0, sizeof(*v));
  if( o ){
    v->number = bd_js(o, "UnitNumber");
    v->desc = bd_js(o, "Description");
    if( (v->has_rent = bd_jnum(o, "MarketRent", &d)) ) v->rent_cents = sb_llround(d * 100);
    if( (v->has_size = bd_jnum(o, "UnitSize", &d)) ) v->size = (int64_t)d;
    v->beds = bd_js(o, "UnitBedrooms");
    v->baths = bd_js(o, "UnitBathrooms");
    bd_addr_from_json(&v->addr, bd_jo(o, "Address"));
    return;
  }
  static const char *const baths[] = {
    "NotSet", "NotSet", "OneBath", "OnePointFiveBath", "TwoBath",
    "TwoPointFiveBath", "ThreeBath",
  };
  const pf_unit *u = &c->pf->units.v[k];
  v->number = bd_unit_number(c, k, s);
  v->desc = (u->flags & PF_UNIT_DESC) ? pf_unit_desc(u->desc) : NULL;
  v->has_rent = 1;
  v->rent_cents = u->market_rent_cents;
  v->has_size = !(u->flags & PF_UNIT_NO_SIZE);
  v->size = u->size;
  v->beds = bd_bedroom_names[u->beds > 9 ? 10 : u->beds + 1];
  v->baths = baths[u->baths > 6 ? 6 : u->baths];
  bd_property_addr(c, u->property, &v->addr, s);
  v->addr.line2 = bd_scat(s, "Unit ", v->number, NULL);
}

static const char *bd_sms_name(uint8_t sms){
  static const char *const names[] = { NULL, "NotSet", "OptedIn", "OptedOut" };
  return sms < 4 ? names[sms] : NULL;
}

void bd_tenant_view(bd_ctx *c, uint32_t i, bd_tenant_v *v, bd_scratch *s){
  const cJSON *o = bd_ovr(c, BD_TENANTS, i);
  const pf_resident *r = &c->pf->res.v[i];
  char tmp[160];
  memset(v, 0, sizeof(*v));
  /* SMSOptInStatus is not writable; it stays what the record had. */
  v->sms = i < c->pf->res.gen ? bd_sms_name(r->sms) : NULL;
  if( o ){
    const cJSON *ec = bd_jo(o, "EmergencyContact"), *alt = bd_jo(o, "AlternateAddress");
    v->first = bd_js(o, "FirstName");
    v->last = bd_js(o, "LastName");
    v->email = bd_js(o, "Email");
    v->alt_email = bd_js(o, "AlternateEmail");
    bd_phones_from_json(&v->ph, bd_jo(o, "PhoneNumbers"));
    v->dob = bd_js(o, "DateOfBirth");
    if( ec ){
      v->has_ec = 1;
      v->ec_name = bd_js(ec, "Name");
      v->ec_rel = bd_js(ec, "RelationshipDescription");
      v->ec_phone = bd_js(ec, "Phone");
      v->ec_email = bd_js(ec, "Email");
    }
    bd_addr_from_json(&v->addr, bd_jo(o, "Address"));
    if( alt ){
      v->has_alt = 1;
      bd_addr_from_json(&v->alt, alt);
    }
    v->mailing = bd_js(o, "MailingPreference");
    if( !v->mailing ) v->mailing = "PrimaryAddress";
    v->comment = bd_js(o, "Comment");
    v->taxid = bd_js(o, "TaxId");
    return;
  }
  v->first = pf_first_name(r->first);
  v->last = pf_last_name(r->last);
  v->email = bd_keep(s, pf_fmt_email(tmp, sizeof(tmp), r->first, r->last,
                                     r->email_no, "example.com"));
  if( r->flags & PF_RES_ALT_EMAIL ){
    v->alt_email = bd_keep(s, pf_fmt_email(tmp, sizeof(tmp), r->first, r->last,
                                           0, "example.org"));
  }
  v->ph.mobile = bd_keep(s, pf_fmt_phone(tmp, sizeof(tmp), r->phone));
  if( r->flags & PF_RES_HOME_PHONE ){
    v->ph.home = bd_keep(s, pf_fmt_phone(tmp, sizeof(tmp), r->phone2));
  }
  if( r->flags & PF_RES_WORK_PHONE ){
    v->ph.work = bd_keep(s, pf_fmt_phone(tmp, sizeof(tmp), bd_alt_digits(r->phone2, 1)));
  }
  if( r->dob != PF_NODATE ){
    char d[11];
    dt_fmt_date(d, r->dob);
    d[10] = 0;
    v->dob = bd_keep(s, d);
  }
  if( r->flags & PF_RES_EMERGENCY ){
    v->has_ec = 1;
    v->ec_name = bd_scat(s, pf_first_name(r->ec_first), " ", pf_last_name(r->last));
    v->ec_rel = pf_relationship(r->ec_rel);
    v->ec_phone = bd_keep(s, pf_fmt_phone(tmp, sizeof(tmp), bd_alt_digits(r->phone, 2)));
    if( r->flags & PF_RES_EC_EMAIL ){
      v->ec_email = bd_keep(s, pf_fmt_email(tmp, sizeof(tmp), r->ec_first, r->last,
                                            0, "example.com"));
    }
  }
  if( r->lease != PF_NONE ){
    /* The tenant's own address, as generated: later writes to the unit or
    ** property must not change it behind the tenant's back (its
    ** last-updated time would not move). Created units have no generated
    ** address, so there the unit's current one is used. */
    uint32_t k = c->pf->leases.v[r->lease].unit;
    if( k < c->pf->units.gen ){
      char num[16];
      bd_property_addr(c, c->pf->units.v[k].property, &v->addr, s);
      v->addr.line2 = bd_scat(s, "Unit ", pf_fmt_unit_number(num, sizeof(num), &c->pf->units.v[k]), NULL);
    }else{
      bd_unit_v u;
      bd_unit_view(c, k, &u, s);
      v->addr = u.addr;
    }
  }
  v->mailing = "PrimaryAddress";
  if( r->flags & PF_RES_COMMENT ) v->comment = pf_comment_text(r->comment);
  if( r->flags & PF_RES_TAXID ) v->taxid = bd_keep(s, pf_fmt_taxid(tmp, sizeof(tmp), r, i));
}

void bd_applicant_view(bd_ctx *c, uint32_t a, bd_applicant_v *v, bd_scratch *s){
  const cJSON *o = bd_ovr(c, BD_APPLICANTS, a);
  char tmp[160];
  memset(v, 0, sizeof(*v));
  if( o ){
    const cJSON *se = cJSON_GetObjectItemCaseSensitive(o, "SendRentalApplicationEmail");
    v->first = bd_js(o, "FirstName");
    v->last = bd_js(o, "LastName");
    v->email = bd_js(o, "Email");
    bd_phones_from_json(&v->ph, bd_jo(o, "PhoneNumbers"));
    v->send_email = cJSON_IsTrue(se);
    return;
  }
  const pf_applicant *p = &c->pf->apps.v[a];
  v->first = pf_first_name(p->first);
  v->last = pf_last_name(p->last);
  v->email = bd_keep(s, pf_fmt_email(tmp, sizeof(tmp), p->first, p->last,
                                     p->email_no, "example.com"));
  v->ph.mobile = bd_keep(s, pf_fmt_phone(tmp, sizeof(tmp), p->phone));
}

void bd_workorder_view(bd_ctx *c, uint32_t w, bd_workorder_v *v, bd_scratch *s){
  const cJSON *o = bd_ovr(c, BD_WORKORDERS, w);
  const pf_workorder *r = &c->pf->wos.v[w];
  memset(v, 0, sizeof(*v));
  v->title = pf_wo_title(r->title);
  if( o ){
    const cJSON *task = bd_jo(o, "Task"), *it;
    double d;
    if( task && bd_js(task, "Title") ) v->title = bd_js(task, "Title");
    v->details = bd_js(o, "WorkDetails");
    v->invoice = bd_js(o, "InvoiceNumber");
    v->chargeable = bd_js(o, "ChargeableTo");
    v->entry = bd_js(o, "EntryAllowed");
    v->entry_notes = bd_js(o, "EntryNotes");
    v->vendor_notes = bd_js(o, "VendorNotes");
    if( bd_jnum(o, "VendorId", &d) ) v->vendor_id = (int64_t)d;
    if( bd_jnum(o, "EntryContactId", &d) ) v->contact_id = (int64_t)d;
    v->contacts = cJSON_GetObjectItemCaseSensitive(o, "EntryContactIds");
    v->line_items = cJSON_GetObjectItemCaseSensitive(o, "LineItems");
    double total = 0;
    cJSON_ArrayForEach(it, v->line_items){
      double q = 0, p = 0;
      bd_jnum(it, "Quantity", &q);
      bd_jnum(it, "UnitPrice", &p);
      total += q * p;
    }
    v->amount_cents = sb_llround(total * 100);
    return;
  }
  v->details = pf_wo_details(w);
  if( r->invoice ) v->invoice = bd_sfmt(s, "INV-%u", (unsigned)r->invoice);
  if( r->flags & PF_WO_CHARGEABLE ) v->chargeable = "Resident";
  v->entry = bd_entry_names[r->entry % 3];
  if( r->flags & PF_WO_ENTRY_NOTES ) v->entry_notes = "Dog in unit; knock first.";
  v->vendor_id = BD_ID_VENDOR + r->vendor;
  v->amount_cents = r->amount_cents;
  if( r->resident != PF_NONE ) v->contact_id = BD_ID_TENANT + r->resident;
}

/* ---- shared pieces ---- */

static void bd_put_href(sb_buf *b, bd_ctx *c, const char *path, int64_t id){
  sb_putc(b, '"');
  sb_puts(b, c->base);
  sb_puts(b, path);
  jw_int(b, id);
  sb_putc(b, '"');
}

static void bd_put_addr(sb_buf *b, const bd_addr *a){
  SB_LIT(b, "{\"AddressLine1\":");
  jw_str(b, a->line1);
  SB_LIT(b, ",\"AddressLine2\":");
  jw_str(b, a->line2);
  SB_LIT(b, ",\"AddressLine3\":");
  jw_str(b, a->line3);
  SB_LIT(b, ",\"City\":");
  jw_str(b, a->city);
  SB_LIT(b, ",\"State\":");
  jw_str(b, a->state);
  SB_LIT(b, ",\"PostalCode\":");
  jw_str(b, a->postal);
  SB_LIT(b, ",\"Country\":");
  jw_str(b, a->country ? a->country : "UnitedStates");
  sb_putc(b, '}');
}

static void bd_put_phones(sb_buf *b, const bd_phones *p){
  const char *nums[4] = { p->home, p->work, p->mobile, p->fax };
  static const char *const types[4] = { "Home", "Office", "Cell", "Fax" };
  int any = 0;
  sb_putc(b, '[');
  for(int i = 0; i < 4; i++){
    if( !nums[i] ) continue;
    if( any++ ) sb_putc(b, ',');
    SB_LIT(b, "{\"Number\":");
    jw_str(b, nums[i]);
    SB_LIT(b, ",\"Type\":\"");
    sb_puts(b, types[i]);
    SB_LIT(b, "\"}");
  }
  sb_putc(b, ']');
}

/* ---- messages ---- */

void bd_render_rental(bd_ctx *c, uint32_t p, sb_buf *b){
  bd_scratch s = { .n = 0 };
  bd_rental_v v;
  bd_rental_view(c, p, &v, &s);
  const pf_property *r = &c->pf->props.v[p];
  SB_LIT(b, "{\"Id\":");
  jw_int(b, BD_ID_RENTAL + (int64_t)p);
  SB_LIT(b, ",\"Name\":");
  jw_str(b, v.name);
  SB_LIT(b, ",\"StructureDescription\":");
  jw_str(b, v.desc);
  SB_LIT(b, ",\"NumberUnits\":");
  jw_int(b, r->nunits);
  SB_LIT(b, ",\"IsActive\":");
  jw_bool(b, !(r->flags & PF_PROP_INACTIVE));
  SB_LIT(b, ",\"OperatingBankAccountId\":");
  jw_int(b, v.bank_id);
  SB_LIT(b, ",\"Reserve\":");
  jw_money(b, v.has_reserve ? v.reserve_cents : 0);
  SB_LIT(b, ",\"Address\":");
  bd_put_addr(b, &v.addr);
  SB_LIT(b, ",\"YearBuilt\":");
  jw_int_or_null(b, v.has_year, v.year);
  SB_LIT(b, ",\"RentalType\":");
  int commercial = v.subtype && strcmp(v.subtype, "CondoTownhome") != 0
                   && strcmp(v.subtype, "MultiFamily") != 0
                   && strcmp(v.subtype, "SingleFamily") != 0;
  jw_str(b, commercial ? "Commercial" : "Residential");
  SB_LIT(b, ",\"RentalSubType\":");
  jw_str(b, v.subtype);
  SB_LIT(b, ",\"RentalManager\":");
  const pf_staff *st = v.has_manager
                       ? pf_staff_at((unsigned)(v.manager_id - BD_ID_STAFF + 1)) : NULL;
  if( st ){
    SB_LIT(b, "{\"Id\":");
    jw_int(b, v.manager_id);
    SB_LIT(b, ",\"FirstName\":");
    jw_str(b, st->first);
    SB_LIT(b, ",\"LastName\":");
    jw_str(b, st->last);
    SB_LIT(b, ",\"CompanyName\":\"\",\"IsCompany\":false,\"ProfilePhotoUrl\":null,\"Email\":");
    jw_str(b, st->email);
    SB_LIT(b, ",\"PhoneNumbers\":[{\"Number\":");
    char tmp[32];
    jw_str(b, pf_fmt_phone(tmp, sizeof(tmp), 1000000 + (uint32_t)(v.manager_id % 100)));
    SB_LIT(b, ",\"Type\":\"Office\"}]}");
  }else{
    jw_null(b);
  }
  sb_putc(b, '}');
}

void bd_render_unit(bd_ctx *c, uint32_t k, sb_buf *b){
  bd_scratch s = { .n = 0 };
  bd_unit_v v;
  const pf_unit *u = &c->pf->units.v[k];
  bd_unit_view(c, k, &v, &s);
  SB_LIT(b, "{\"Id\":");
  jw_int(b, BD_ID_UNIT + (int64_t)k);
  SB_LIT(b, ",\"PropertyId\":");
  jw_int(b, BD_ID_RENTAL + (int64_t)u->property);
  SB_LIT(b, ",\"BuildingName\":null,\"UnitNumber\":");
  jw_str(b, v.number);
  SB_LIT(b, ",\"Description\":");
  jw_str(b, v.desc);
  SB_LIT(b, ",\"MarketRent\":");
  if( v.has_rent ) jw_money(b, v.rent_cents);
  else jw_null(b);
  SB_LIT(b, ",\"Address\":");
  bd_put_addr(b, &v.addr);
  SB_LIT(b, ",\"UnitBedrooms\":");
  jw_str(b, v.beds);
  SB_LIT(b, ",\"UnitBathrooms\":");
  jw_str(b, v.baths);
  SB_LIT(b, ",\"UnitSize\":");
  jw_int_or_null(b, v.has_size, v.size);
  SB_LIT(b, ",\"IsUnitListed\":");
  jw_bool(b, u->active_leases == 0);
  SB_LIT(b, ",\"IsUnitOccupied\":");
  jw_bool(b, u->active_leases > 0);
  sb_putc(b, '}');
}

void bd_render_lease(bd_ctx *c, uint32_t j, sb_buf *b, int nested){
  bd_scratch s = { .n = 0 };
  const pf_lease *l = &c->pf->leases.v[j];
  const pf_unit *u = &c->pf->units.v[l->unit];
  static const char *const tstatus[] = { "Current", "MovedOut", "Future" };
  uint32_t r;
  int n;
  SB_LIT(b, "{\"Id\":");
  jw_int(b, BD_ID_LEASE + (int64_t)j);
  SB_LIT(b, ",\"PropertyId\":");
  jw_int(b, BD_ID_RENTAL + (int64_t)u->property);
  SB_LIT(b, ",\"UnitId\":");
  jw_int(b, BD_ID_UNIT + (int64_t)l->unit);
  SB_LIT(b, ",\"UnitNumber\":");
  jw_str(b, bd_unit_number(c, l->unit, &s));
  SB_LIT(b, ",\"LeaseFromDate\":");
  jw_date(b, l->start);
  SB_LIT(b, ",\"LeaseToDate\":");
  jw_date(b, l->end);
  SB_LIT(b, ",\"LeaseType\":");
  jw_str(b, bd_lease_type_names[l->type % 3]);
  SB_LIT(b, ",\"LeaseStatus\":");
  jw_str(b, bd_lease_status_names[l->status % 3]);
  SB_LIT(b, ",\"IsEvictionPending\":");
  jw_bool(b, l->flags & PF_LEASE_EVICTION);
  SB_LIT(b, ",\"TermType\":");
  jw_str(b, l->type == PF_LT_AT_WILL ? "MonthToMonth" : "Standard");
  SB_LIT(b, ",\"RenewalOfferStatus\":");
  jw_str(b, (l->flags & PF_LEASE_RENEWAL) ? "NotStarted" : NULL);
  SB_LIT(b, ",\"CurrentTenants\":");
  n = 0;
  if( nested ){
    jw_null(b);
  }else{
    sb_putc(b, '[');
    if( l->status == PF_LS_ACTIVE ){
      for(r = l->first_res; r != PF_NONE; r = c->pf->res.v[r].next){
        if( n++ ) sb_putc(b, ',');
        bd_render_tenant(c, r, b, 1);
      }
    }
    sb_putc(b, ']');
  }
  SB_LIT(b, ",\"CurrentNumberOfOccupants\":");
  jw_int(b, l->status == PF_LS_ACTIVE ? l->nres : 0);
  SB_LIT(b, ",\"AccountDetails\":{\"SecurityDeposit\":");
  if( l->flags & PF_LEASE_NO_DEPOSIT ) jw_null(b);
  else jw_money(b, l->deposit_cents);
  SB_LIT(b, ",\"Rent\":");
  if( l->flags & PF_LEASE_NO_RENT ) jw_null(b);
  else jw_money(b, l->rent_cents);
  SB_LIT(b, "},\"Cosigners\":[],\"AutomaticallyMoveOutTenants\":");
  jw_bool(b, l->flags & PF_LEASE_AUTO_OUT);
  SB_LIT(b, ",\"CreatedDateTime\":");
  jw_datetime(b, l->created);
  SB_LIT(b, ",\"LastUpdatedDateTime\":");
  jw_datetime(b, l->updated);
  SB_LIT(b, ",\"MoveOutData\":[");
  n = 0;
  if( l->status == PF_LS_PAST && l->end != PF_NODATE ){
    for(r = l->first_res; r != PF_NONE; r = c->pf->res.v[r].next){
      if( n++ ) sb_putc(b, ',');
      SB_LIT(b, "{\"TenantId\":");
      jw_int(b, BD_ID_TENANT + (int64_t)r);
      SB_LIT(b, ",\"MoveOutDate\":");
      jw_date(b, l->end);
      SB_LIT(b, ",\"NoticeGivenDate\":");
      jw_date(b, l->end - 30);
      sb_putc(b, '}');
    }
  }
  SB_LIT(b, "],\"PaymentDueDay\":");
  jw_int(b, l->due_day);
  SB_LIT(b, ",\"Tenants\":[");
  n = 0;
  for(r = l->first_res; r != PF_NONE; r = c->pf->res.v[r].next){
    if( n++ ) sb_putc(b, ',');
    SB_LIT(b, "{\"Id\":");
    jw_int(b, BD_ID_TENANT + (int64_t)r);
    SB_LIT(b, ",\"Status\":\"");
    sb_puts(b, tstatus[l->status % 3]);
    SB_LIT(b, "\",\"MoveInDate\":");
    jw_date(b, l->start);
    sb_putc(b, '}');
  }
  SB_LIT(b, "]}");
}

static void bd_put_ec(sb_buf *b, const bd_tenant_v *v){
  if( !v->has_ec ){
    jw_null(b);
    return;
  }
  SB_LIT(b, "{\"Name\":");
  jw_str(b, v->ec_name);
  SB_LIT(b, ",\"RelationshipDescription\":");
  jw_str(b, v->ec_rel);
  SB_LIT(b, ",\"Phone\":");
  jw_str(b, v->ec_phone);
  SB_LIT(b, ",\"Email\":");
  jw_str(b, v->ec_email);
  sb_putc(b, '}');
}

void bd_render_tenant(bd_ctx *c, uint32_t i, sb_buf *b, int nested){
  bd_scratch s = { .n = 0 };
  bd_tenant_v v;
  const pf_resident *r = &c->pf->res.v[i];
  bd_tenant_view(c, i, &v, &s);
  SB_LIT(b, "{\"Id\":");
  jw_int(b, BD_ID_TENANT + (int64_t)i);
  SB_LIT(b, ",\"FirstName\":");
  jw_str(b, v.first);
  SB_LIT(b, ",\"LastName\":");
  jw_str(b, v.last);
  SB_LIT(b, ",\"Email\":");
  jw_str(b, v.email);
  SB_LIT(b, ",\"AlternateEmail\":");
  jw_str(b, v.alt_email);
  SB_LIT(b, ",\"PhoneNumbers\":");
  bd_put_phones(b, &v.ph);
  SB_LIT(b, ",\"CreatedDateTime\":");
  jw_datetime(b, r->created);
  SB_LIT(b, ",\"EmergencyContact\":");
  bd_put_ec(b, &v);
  SB_LIT(b, ",\"DateOfBirth\":");
  jw_str(b, v.dob);
  SB_LIT(b, ",\"SMSOptInStatus\":");
  jw_str(b, v.sms);
  SB_LIT(b, ",\"Address\":");
  bd_put_addr(b, &v.addr);
  SB_LIT(b, ",\"AlternateAddress\":");
  if( v.has_alt ) bd_put_addr(b, &v.alt);
  else jw_null(b);
  SB_LIT(b, ",\"MailingPreference\":");
  jw_str(b, v.mailing);
  SB_LIT(b, ",\"Leases\":");
  if( nested ){
    jw_null(b);
  }else{
    sb_putc(b, '[');
    if( r->lease != PF_NONE ) bd_render_lease(c, r->lease, b, 1);
    sb_putc(b, ']');
  }
  SB_LIT(b, ",\"Comment\":");
  jw_str(b, v.comment);
  SB_LIT(b, ",\"TaxId\":");
  jw_str(b, v.taxid);
  sb_putc(b, '}');
}

void bd_render_applicant(bd_ctx *c, uint32_t a, sb_buf *b){
  bd_scratch s = { .n = 0 };
  bd_applicant_v v;
  const pf_applicant *p = &c->pf->apps.v[a];
  bd_applicant_view(c, a, &v, &s);
  const char *status = bd_app_status_names[p->status % 7];
  SB_LIT(b, "{\"Id\":");
  jw_int(b, BD_ID_APPLICANT + (int64_t)a);
  SB_LIT(b, ",\"ApplicantGroupId\":");
  jw_int(b, BD_ID_APPGROUP + (int64_t)a);
  SB_LIT(b, ",\"PropertyId\":");
  jw_int_or_null(b, p->unit != PF_NONE,
                 BD_ID_RENTAL + (int64_t)(p->unit != PF_NONE ? c->pf->units.v[p->unit].property : 0));
  SB_LIT(b, ",\"UnitId\":");
  jw_int_or_null(b, p->unit != PF_NONE, BD_ID_UNIT + (int64_t)p->unit);
  SB_LIT(b, ",\"TenantId\":");
  jw_int_or_null(b, p->tenant != PF_NONE, BD_ID_TENANT + (int64_t)p->tenant);
  SB_LIT(b, ",\"FirstName\":");
  jw_str(b, v.first);
  SB_LIT(b, ",\"LastName\":");
  jw_str(b, v.last);
  SB_LIT(b, ",\"Email\":");
  jw_str(b, v.email);
  SB_LIT(b, ",\"PhoneNumbers\":");
  bd_put_phones(b, &v.ph);
  SB_LIT(b, ",\"Status\":");
  jw_str(b, status);
  SB_LIT(b, ",\"Applications\":[");
  if( p->submitted ){
    SB_LIT(b, "{\"Id\":");
    jw_int(b, BD_ID_APPLICATION + (int64_t)a);
    SB_LIT(b, ",\"ApplicationNumber\":");
    char num[24];
    snprintf(num, sizeof(num), "APP-%07u", (unsigned)(a + 1) % 10000000u);
    jw_str(b, num);
    SB_LIT(b, ",\"ApplicationStatus\":");
    jw_str(b, status);
    SB_LIT(b, ",\"ApplicationSubmittedDateTime\":");
    jw_datetime(b, p->submitted);
    sb_putc(b, '}');
  }
  SB_LIT(b, "],\"UnsubmittedApplications\":[");
  if( !p->submitted && v.send_email ){
    SB_LIT(b, "{\"Id\":");
    jw_int(b, BD_ID_UNSUBMITTED + (int64_t)a);
    sb_putc(b, '}');
  }
  SB_LIT(b, "],\"LastUpdatedDateTime\":");
  jw_datetime(b, p->updated);
  sb_putc(b, '}');
}

static void bd_put_contact(sb_buf *b, bd_ctx *c, int64_t id){
  int staff = id >= BD_ID_STAFF && id < BD_ID_STAFF + PF_NSTAFF;
  SB_LIT(b, "{\"Id\":");
  jw_int(b, id);
  SB_LIT(b, ",\"Resources\":[{\"Type\":");
  jw_str(b, staff ? "Staff" : "RentalTenant");
  SB_LIT(b, ",\"Href\":");
  bd_put_href(b, c, staff ? "/v1/users/" : "/v1/leases/tenants/", id);
  SB_LIT(b, "}]}");
}

/* Title, DueDate, Priority, Status: in the Task and again at top level. */
static void bd_put_task_fields(sb_buf *b, const pf_workorder *r,
                               const bd_workorder_v *v){
  SB_LIT(b, ",\"Title\":");
  jw_str(b, v->title);
  SB_LIT(b, ",\"DueDate\":");
  jw_date(b, r->due);
  SB_LIT(b, ",\"Priority\":");
  jw_str(b, bd_wo_priority_names[r->priority % 3]);
  SB_LIT(b, ",\"Status\":");
  jw_str(b, bd_wo_status_names[r->status % 5]);
}

void bd_render_workorder(bd_ctx *c, uint32_t w, sb_buf *b){
  bd_scratch s = { .n = 0 };
  bd_workorder_v v;
  const pf_workorder *r = &c->pf->wos.v[w];
  const cJSON *it;
  int n = 0;
  bd_workorder_view(c, w, &v, &s);
  SB_LIT(b, "{\"Id\":");
  jw_int(b, BD_ID_WORKORDER + (int64_t)w);
  SB_LIT(b, ",\"Task\":{\"Id\":");
  jw_int(b, BD_ID_TASK + (int64_t)r->task);
  SB_LIT(b, ",\"Type\":");
  jw_str(b, r->resident != PF_NONE ? "ResidentRequest" : "Todo");
  SB_LIT(b, ",\"UnitId\":");
  jw_int_or_null(b, r->unit != PF_NONE, BD_ID_UNIT + (int64_t)r->unit);
  SB_LIT(b, ",\"UnitAgreement\":");
  uint32_t lease = r->resident != PF_NONE ? c->pf->res.v[r->resident].lease : PF_NONE;
  if( lease != PF_NONE ){
    SB_LIT(b, "{\"Id\":");
    jw_int(b, BD_ID_LEASE + (int64_t)lease);
    SB_LIT(b, ",\"Type\":\"Lease\",\"Href\":");
    bd_put_href(b, c, "/v1/leases/", BD_ID_LEASE + (int64_t)lease);
    sb_putc(b, '}');
  }else{
    jw_null(b);
  }
  bd_put_task_fields(b, r, &v);
  sb_putc(b, '}');
  bd_put_task_fields(b, r, &v);
  SB_LIT(b, ",\"WorkDetails\":");
  jw_str(b, v.details);
  SB_LIT(b, ",\"InvoiceNumber\":");
  jw_str(b, v.invoice);
  SB_LIT(b, ",\"ChargeableTo\":");
  jw_str(b, v.chargeable);
  SB_LIT(b, ",\"EntryAllowed\":");
  jw_str(b, v.entry ? v.entry : "Unknown");
  SB_LIT(b, ",\"EntryNotes\":");
  jw_str(b, v.entry_notes);
  SB_LIT(b, ",\"VendorId\":");
  jw_int(b, v.vendor_id);
  SB_LIT(b, ",\"VendorNotes\":");
  jw_str(b, v.vendor_notes);
  SB_LIT(b, ",\"EntryContact\":");
  if( v.contact_id ) bd_put_contact(b, c, v.contact_id);
  else jw_null(b);
  SB_LIT(b, ",\"EntryContacts\":[");
  if( v.contact_id ){
    bd_put_contact(b, c, v.contact_id);
    n++;
  }
  cJSON_ArrayForEach(it, v.contacts){
    if( !cJSON_IsNumber(it) || (int64_t)it->valuedouble == v.contact_id ) continue;
    if( n++ ) sb_putc(b, ',');
    bd_put_contact(b, c, (int64_t)it->valuedouble);
  }
  SB_LIT(b, "],\"BillTransactionId\":null,\"BillTransactionIds\":[],\"Amount\":");
  jw_money(b, v.amount_cents);
  SB_LIT(b, ",\"LineItems\":[");
  if( v.line_items ){
    n = 0;
    cJSON_ArrayForEach(it, v.line_items){
      double d;
      if( n++ ) sb_putc(b, ',');
      SB_LIT(b, "{\"GlAccountId\":");
      if( bd_jnum(it, "GlAccountId", &d) ) jw_int(b, (int64_t)d);
      else jw_null(b);
      SB_LIT(b, ",\"Quantity\":");
      jw_double(b, bd_jnum(it, "Quantity", &d) ? d : 0);
      SB_LIT(b, ",\"Memo\":");
      jw_str(b, bd_js(it, "Memo"));
      SB_LIT(b, ",\"UnitPrice\":");
      jw_double(b, bd_jnum(it, "UnitPrice", &d) ? d : 0);
      sb_putc(b, '}');
    }
  }else if( v.amount_cents ){
    SB_LIT(b, "{\"GlAccountId\":");
    jw_int(b, BD_ID_GLACCOUNT);
    SB_LIT(b, ",\"Quantity\":1,\"Memo\":");
    jw_str(b, v.title);
    SB_LIT(b, ",\"UnitPrice\":");
    jw_money(b, v.amount_cents);
    sb_putc(b, '}');
  }
  SB_LIT(b, "]}");
}

void bd_render_note(bd_ctx *c, const bd_note *n, sb_buf *b){
  const pf_staff *st = pf_staff_at(1);
  SB_LIT(b, "{\"Id\":");
  jw_int(b, n->id);
  SB_LIT(b, ",\"Note\":");
  jw_str(b, n->text);
  SB_LIT(b, ",\"LastUpdatedByUser\":{\"Id\":");
  jw_int(b, BD_ID_STAFF);
  SB_LIT(b, ",\"FirstName\":");
  jw_str(b, st->first);
  SB_LIT(b, ",\"LastName\":");
  jw_str(b, st->last);
  SB_LIT(b, ",\"Href\":");
  bd_put_href(b, c, "/v1/users/", BD_ID_STAFF);
  SB_LIT(b, ",\"UpdatedDateTime\":");
  jw_datetime(b, n->updated);
  SB_LIT(b, "}}");
}
