// name: employment
// description: Where a person works, or who works at a business (WORKS_AT), each with whether it was derived from recurring wage payments (source 'derived:wages') and the records behind it.
// param: label: string = Person {Person|Business} literal -- the entity's label
// param: entity_id: string -- a person's resolved id or a business id
// param: limit: int = 1000 [1..100000] -- at most this many rows
// returns: person_id string, person_name string, business_id string, business_name string, from_wages bool, sources string[], records int, first_seen string, last_seen string
// dialects: portable; labels(n)[0] becomes label(n) on ladybug. A pair both asserted by a source and derived from wages has from_wages true and both sources.
MATCH (n:{{label}} {id: $entity_id})-[r:WORKS_AT]-(m)
WITH r, CASE WHEN labels(n)[0] = 'Person' THEN n.id ELSE m.id END AS person_id, CASE WHEN labels(n)[0] = 'Person' THEN n.name ELSE m.name END AS person_name, CASE WHEN labels(n)[0] = 'Person' THEN m.id ELSE n.id END AS business_id, CASE WHEN labels(n)[0] = 'Person' THEN m.name ELSE n.name END AS business_name
RETURN person_id, person_name, business_id, business_name, 'derived:wages' IN r.sources AS from_wages, r.sources AS sources, size(r.record_ids) AS records, r.first_seen AS first_seen, r.last_seen AS last_seen
ORDER BY person_id, business_id
LIMIT $limit
