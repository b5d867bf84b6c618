-- Occupancy by property: every unit, its ACTIVE lease (if any) and the
-- residents on that lease, grouped by property. units, occupied units,
-- occupancy in percent, residents housed and the active rent per resident.
-- Joins units -> leases -> residents (make bench times it on the model
-- tables and on plain copies of their caches).
SELECT u.property_id                                             AS property_id,
       count(DISTINCT u.id)                                      AS units,
       count(DISTINCT l.id)                                      AS occupied,
       round(100.0 * count(DISTINCT l.id) / count(DISTINCT u.id), 1) AS occupancy_pct,
       count(r.id)                                               AS residents,
       round(avg(l.rent_amount_in_cents) / 100.0, 2)             AS avg_rent_per_resident
FROM units u
LEFT JOIN leases l    ON l.unit_id = u.id AND l.status_normalized = 'ACTIVE'
LEFT JOIN residents r ON r.lease_id = l.id
GROUP BY u.property_id
ORDER BY u.property_id;
