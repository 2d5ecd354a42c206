// name: seen_near_home
// description: Vehicles seen (SEEN_IN, a sighting known to postcode) in the postcode of a person's home: one hop from the Postcode, which the home's Address is in (IN_POSTCODE) or the person lives in (LIVES_IN).
// param: person_id: string -- the person's resolved id
// param: limit: int = 1000 [1..100000] -- at most this many rows
// returns: vehicle_id string, postcode string, sightings int, first_seen string, last_seen string (UTC timestamps), kept_by_person bool (the person keeps the vehicle)
// dialects: portable. Sightings at a full address (SEEN_AT) are the query vehicles_at_addresses.
MATCH (p:Person {id: $person_id})-[:LIVES_AT|IN_POSTCODE|LIVES_IN*1..2]->(pc:Postcode)
WITH DISTINCT p, pc
MATCH (pc)<-[s:SEEN_IN]-(v:Vehicle)
WITH p, pc, v, count(s) AS sightings, min(s.ts) AS first_seen, max(s.ts) AS last_seen
OPTIONAL MATCH (p)-[k:KEEPS]->(v)
WITH pc, v, sightings, first_seen, last_seen, count(k) > 0 AS kept_by_person
RETURN v.id AS vehicle_id, pc.id AS postcode, sightings, first_seen, last_seen, kept_by_person
ORDER BY sightings DESC, vehicle_id, postcode
LIMIT $limit
