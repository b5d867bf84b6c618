/*
** household.h — what the portfolio's people own beyond their lease
** (household.c): the vehicle of a resident and the pets of an applicant,
** vendor-neutral, for the sandboxes whose vendors carry them.
*/
#ifndef SANDBOX_HOUSEHOLD_H
#define SANDBOX_HOUSEHOLD_H

#include "sandbox.h"

typedef struct pf_vehicle {
  const char *make, *model, *color;
  int year;
  char plate[8];                /* three letters, four digits */
  const char *plate_state;      /* the state of the lease's property */
} pf_vehicle;
/* Resident res's vehicle (1) or none (0). */
int pf_resident_vehicle(const sb_portfolio *pf, uint32_t res, pf_vehicle *out);

#define PF_MAX_PETS 2
typedef struct pf_pet {
  const char *type;             /* "Dog", "Cat" */
  int weight_lbs;
} pf_pet;
/* Applicant a's pets (out has PF_MAX_PETS): their count, 0 for none. Every
** pet of an applicant is of one type. */
int pf_applicant_pets(const sb_portfolio *pf, uint32_t a, pf_pet *out);

#endif
