-- Rent roll by property: units, occupied units (an ACTIVE lease), occupancy,
-- the monthly rent of the active leases and the residents on them.
SELECT p.name                                                    AS property,
       count(u.id)                                               AS units,
       count(l.id)                                               AS occupied,
       round(100.0 * count(l.id) / count(u.id), 1)               AS occupancy_pct,
       sum(l.rent_amount_in_cents) / 100.0                       AS monthly_rent,
       sum((SELECT count(*) FROM residents r WHERE r.lease_id = l.id)) AS residents
FROM properties p
JOIN units u       ON u.property_id = p.id
LEFT JOIN leases l ON l.unit_id = u.id AND l.status_normalized = 'ACTIVE'
GROUP BY p.id
ORDER BY p.name
LIMIT 10;
