-- Delinquency: every resident who owes money, with the oldest charge not yet
-- paid and the last payment. An account's payments settle its oldest
-- charges first; the account is the lease or, where the vendor posts to a
-- resident's account and names no lease (Rent Manager), the resident. The
-- resident billed is the charge's resident_id or, where the vendor bills the
-- lease (Buildium), the lease's first resident.
-- :asof is the day balances are aged to (NULL: today).
WITH billed AS (
  SELECT c.integration_id, coalesce(c.lease_id, c.resident_id) AS account, c.lease_id,
         c.transaction_date, c.amount_in_cents,
         coalesce(c.resident_id, json_extract(l.residents_meta_data, '$[0].resident_id')) AS resident_id,
         sum(c.amount_in_cents) OVER (PARTITION BY c.integration_id, coalesce(c.lease_id, c.resident_id)
                                      ORDER BY c.transaction_date, c.id
                                      ROWS UNBOUNDED PRECEDING) AS running
  FROM resident_charges c LEFT JOIN leases l ON l.id = c.lease_id
),
paid AS (
  SELECT integration_id, coalesce(lease_id, resident_id) AS account, sum(amount_in_cents) AS paid,
         max(transaction_date) AS last_payment_date
  FROM resident_payments GROUP BY 1, 2
),
open AS (
  SELECT b.*, min(b.amount_in_cents, b.running - coalesce(p.paid, 0)) AS open_cents,
         p.last_payment_date
  FROM billed b LEFT JOIN paid p USING (integration_id, account)
  WHERE b.running > coalesce(p.paid, 0)
)
SELECT o.integration_id,
       r.first_name || ' ' || r.last_name                               AS resident,
       o.resident_id,
       o.lease_id,
       sum(o.open_cents) / 100.0                                         AS balance,
       min(o.transaction_date)                                           AS oldest_unpaid_charge,
       CAST(julianday(coalesce(:asof, date('now'))) - julianday(min(o.transaction_date)) AS INTEGER)
                                                                         AS days_outstanding,
       o.last_payment_date,
       (SELECT amount_in_cents / 100.0 FROM resident_payments rp
        WHERE rp.integration_id = o.integration_id AND coalesce(rp.lease_id, rp.resident_id) = o.account
        ORDER BY rp.transaction_date DESC, rp.id DESC LIMIT 1)           AS last_payment
FROM open o LEFT JOIN residents r ON r.id = o.resident_id
GROUP BY o.integration_id, o.account
ORDER BY balance DESC, resident;
