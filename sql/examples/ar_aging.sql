-- Accounts-receivable aging by property: what residents owe, by the age of
-- the charges not yet paid (an account's payments settle its oldest charges
-- first; the account is the lease, or the resident where the vendor names
-- no lease, as Rent Manager), in 0-30, 31-60, 61-90 and over-90-day buckets
-- as of :asof (NULL: today). Credits (payments beyond the charges) are not netted in.
-- A charge without a property (Propertyware's name only the lease) counts
-- for its lease's property.
WITH billed AS (
  SELECT c.integration_id, coalesce(c.lease_id, c.resident_id) AS account,
         coalesce(c.property_id, l.property_id) AS property_id,
         c.transaction_date, c.amount_in_cents,
         sum(c.amount_in_cents) OVER (PARTITION BY c.integration_id, coalesce(c.lease_id, c.resident_id)
                                      ORDER BY c.transaction_date, c.id
                                      ROWS UNBOUNDED PRECEDING) AS running
  FROM resident_charges c LEFT JOIN leases l ON l.id = c.lease_id
),
paid AS (
  SELECT integration_id, coalesce(lease_id, resident_id) AS account, sum(amount_in_cents) AS paid
  FROM resident_payments GROUP BY 1, 2
),
open AS (
  SELECT b.property_id,
         min(b.amount_in_cents, b.running - coalesce(p.paid, 0)) AS open_cents,
         julianday(coalesce(:asof, date('now'))) - julianday(b.transaction_date) AS age
  FROM billed b LEFT JOIN paid p USING (integration_id, account)
  WHERE b.running > coalesce(p.paid, 0)
)
SELECT pr.name                                                AS property,
       o.property_id,
       sum(CASE WHEN age <= 30 THEN open_cents END) / 100.0   AS days_0_30,
       sum(CASE WHEN age > 30 AND age <= 60 THEN open_cents END) / 100.0 AS days_31_60,
       sum(CASE WHEN age > 60 AND age <= 90 THEN open_cents END) / 100.0 AS days_61_90,
       sum(CASE WHEN age > 90 THEN open_cents END) / 100.0    AS over_90,
       sum(open_cents) / 100.0                                AS total
FROM open o LEFT JOIN properties pr ON pr.id = o.property_id
GROUP BY o.property_id
ORDER BY total DESC;
