/*
** ledger.h — the portfolio's money, vendor-neutral (ledger.c): charge codes
** (general-ledger income accounts), recurring charges, each lease's ledger
** of charges and payments, and the vendors (suppliers) work orders go to.
** Every sandbox renders these in its own vendor's shape.
*/
#ifndef SANDBOX_LEDGER_H
#define SANDBOX_LEDGER_H

#include "sandbox.h"

/* The portfolio's per-record random stream (portfolio.c), for the kinds
** ledger.c adds. */
uint64_t pf_stream(uint64_t seed, int kind, uint32_t idx);

enum { PF_TX_CHARGE, PF_TX_PAYMENT };
enum { PF_CC_RENT, PF_CC_LATE_FEE, PF_CC_PET_RENT, PF_CC_PARKING, PF_CC_UTILITY,
       PF_NCHARGECODES };
enum { PF_PM_CHECK, PF_PM_CASH, PF_PM_MONEY_ORDER, PF_PM_CREDIT_CARD, PF_PM_ACH,
       PF_NPAYMETHODS };

typedef struct pf_charge_code {
  const char *number;           /* GL account number, e.g. "4000" */
  const char *name;             /* "Rent Income" */
  const char *desc;
} pf_charge_code;
const pf_charge_code *pf_charge_code_at(unsigned i);   /* NULL past the end */

/* Slots per lease: generated transactions of lease j have ids
** j*PF_TX_SLOTS + slot; written ones PF_TX_WRITTEN + n. */
#define PF_TX_SLOTS 32
#define PF_TX_WRITTEN 0x40000000u
#define PF_TX_MAX (PF_TX_SLOTS + 64)  /* most a lease's ledger returns */

typedef struct pf_txn {
  uint32_t id;
  uint32_t lease;
  int32_t date;                 /* days */
  int32_t due;                  /* charges: due date (days) */
  int64_t amount_cents;         /* > 0 */
  int64_t paid_cents;           /* charges: payments applied (oldest first);
                                ** payments: the part applied to charges */
  uint32_t created;             /* unix seconds */
  uint8_t kind;                 /* PF_TX_* */
  uint8_t code;                 /* charges: PF_CC_*; payments: PF_PM_* */
  const char *memo;             /* written: the memo sent; else NULL */
  const char *reference;        /* written: a reference or check number */
} pf_txn;

/* A lease's ledger in date order (then id), with payments applied to the
** oldest open charges first. out has room for PF_TX_MAX; returns the count. */
int pf_ledger_lease(const sb_portfolio *pf, uint32_t lease, pf_txn *out);
/* Charges minus payments on the lease; a resident's balance is the lease's
** for its first (primary) resident, who is billed, and 0 for the others. */
int64_t pf_ledger_balance(const sb_portfolio *pf, uint32_t lease);
int64_t pf_resident_balance(const sb_portfolio *pf, uint32_t res);
/* The transaction with this id (1) or not (0). */
int pf_ledger_find(const sb_portfolio *pf, uint32_t id, pf_txn *out);
/* Record a written transaction (memo/reference copied); returns its id. */
uint32_t pf_ledger_add(sb_portfolio *pf, const pf_txn *t);
/* Written transactions so far (their ids are PF_TX_WRITTEN + 0..n-1). */
uint32_t pf_ledger_written(const sb_portfolio *pf);
const char *pf_ledger_memo(const pf_txn *t);           /* memo or default */
const char *pf_payment_method_name(unsigned m);        /* "Check" */

/* Recurring charges: slot 0 is the rent, slot 1 an optional parking or pet
** rent; ids lease*PF_RC_SLOTS + slot. */
#define PF_RC_SLOTS 2
typedef struct pf_recurring {
  uint32_t id, lease;
  uint8_t code;                 /* PF_CC_* */
  uint8_t active;               /* the lease is current */
  int64_t amount_cents;
  int32_t start, end;           /* days; end PF_NODATE when open-ended */
  uint32_t created, updated;
} pf_recurring;
/* The lease's recurring charges (out has PF_RC_SLOTS); returns the count. */
int pf_recurring_lease(const sb_portfolio *pf, uint32_t lease, pf_recurring *out);

/* Vendors (suppliers): PF_NVENDORS of them, index v. */
typedef struct pf_supplier {
  const char *name;
  int active;
  char email[96], phone[24], tax_id[16], account[16];
  uint32_t created, updated;
} pf_supplier;
void pf_supplier_at(const sb_portfolio *pf, unsigned v, pf_supplier *out);

/* Work-order history: entries per work order (ids w*PF_WH_SLOTS + k). */
#define PF_WH_SLOTS 4
typedef struct pf_wo_history {
  uint32_t id, wo;
  int64_t at;                   /* unix seconds */
  uint8_t status;               /* PF_WS_* the entry set */
  uint8_t staff;                /* 1..PF_NSTAFF */
  const char *note;
} pf_wo_history;
int pf_wo_history_of(const sb_portfolio *pf, uint32_t wo, pf_wo_history *out);

void pf_ledger_free(sb_portfolio *pf);

#endif
