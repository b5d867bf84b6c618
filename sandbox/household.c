/*
** household.c — the vehicles and pets of the portfolio's people, as
** deterministic as portfolio.c and vendor-neutral: each sandbox whose
** vendor's API carries them renders the same ones in its own shape (Rent
** Manager a contact's Vehicle text, Propertyware a prospect's pet summary).
**
** A vehicle follows the ledger (ledger.c): a lease billed parking (its
** second recurring charge) parks one vehicle, registered to its first,
** billed resident, with a plate of its property's state. 35% of applicants
** have pets: one (two for a third of them), all dogs or all cats. Values
** come from each record's own stream, so any one is regenerated alone.
*/
#include "household.h"
#include "ledger.h"

#include <stdio.h>

enum { K_VEHICLE = 0x31, K_PET };   /* distinct from portfolio.c's and ledger.c's */

static const struct { const char *make, *model; } hh_cars[] = {
  { "Toyota", "Camry" }, { "Honda", "Civic" }, { "Ford", "F-150" },
  { "Chevrolet", "Malibu" }, { "Nissan", "Altima" }, { "Subaru", "Outback" },
  { "Hyundai", "Elantra" }, { "Tesla", "Model 3" }, { "Kia", "Soul" },
  { "Volkswagen", "Jetta" },
};
static const char *const hh_colors[] = {
  "Black", "White", "Silver", "Gray", "Blue", "Red", "Green",
};

int pf_resident_vehicle(const sb_portfolio *pf, uint32_t res, pf_vehicle *out){
  const pf_resident *r;
  pf_recurring rc[PF_RC_SLOTS];
  uint64_t rng;
  uint32_t lease, prop;
  unsigned k;
  if( res >= pf->res.n ) return 0;
  r = &pf->res.v[res];
  lease = r->lease;
  if( lease == PF_NONE || lease >= pf->leases.n || pf->leases.v[lease].first_res != res ) return 0;
  if( pf_recurring_lease(pf, lease, rc) < 2 || rc[1].code != PF_CC_PARKING ) return 0;
  rng = pf_stream(pf->seed, K_VEHICLE, res);
  k = sb_rng_below(&rng, sizeof(hh_cars)/sizeof(hh_cars[0]));
  out->make = hh_cars[k].make;
  out->model = hh_cars[k].model;
  out->color = hh_colors[sb_rng_below(&rng, sizeof(hh_colors)/sizeof(hh_colors[0]))];
  out->year = 2008 + (int)sb_rng_below(&rng, 18);
  snprintf(out->plate, sizeof(out->plate), "%c%c%c%04u",
           'A' + (int)sb_rng_below(&rng, 26), 'A' + (int)sb_rng_below(&rng, 26),
           'A' + (int)sb_rng_below(&rng, 26), (unsigned)sb_rng_below(&rng, 10000));
  prop = pf->units.v[pf->leases.v[lease].unit].property;
  out->plate_state = pf_city_at(pf->props.v[prop].city)->state;
  return 1;
}

int pf_applicant_pets(const sb_portfolio *pf, uint32_t a, pf_pet *out){
  uint64_t rng;
  int n, i, dog;
  if( a >= pf->apps.n ) return 0;
  rng = pf_stream(pf->seed, K_PET, a);
  if( sb_rng_below(&rng, 100) >= 35 ) return 0;
  n = sb_rng_below(&rng, 3) == 0 ? 2 : 1;
  dog = sb_rng_below(&rng, 5) < 3;
  for(i = 0; i < n; i++){
    out[i].type = dog ? "Dog" : "Cat";
    out[i].weight_lbs = dog ? 15 + (int)sb_rng_below(&rng, 70) : 6 + (int)sb_rng_below(&rng, 10);
  }
  return n;
}
