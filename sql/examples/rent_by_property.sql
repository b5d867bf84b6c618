-- Rent by property: a full scan of leases aggregated per property — lease
-- count, total and average monthly rent (all statuses; money in cents).
SELECT property_id,
       count(*)                              AS leases,
       sum(rent_amount_in_cents)             AS rent_total_in_cents,
       round(avg(rent_amount_in_cents), 0)   AS rent_avg_in_cents
FROM leases
GROUP BY property_id
ORDER BY property_id;
