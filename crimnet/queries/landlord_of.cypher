// name: landlord_of
// description: Addresses a person lets (LETS) or a business lets or manages (MANAGES), with the people living at each.
// param: label: string = Person {Person|Business} literal -- the landlord's label (a person, or a business: agent or business landlord)
// param: entity_id: string -- the landlord's id (a person's resolved id, or a business id)
// param: limit: int = 1000 [1..100000] -- at most this many rows
// returns: address_id string, postcode string, line string, relation string (LETS or MANAGES), tenants int, tenant_ids string[] (in no particular order)
// dialects: portable; type(r) becomes label(r) on ladybug. An address with nobody known to live there has tenants 0.
MATCH (l:{{label}} {id: $entity_id})-[r:LETS|MANAGES]->(a:Address)
OPTIONAL MATCH (t:Person)-[:LIVES_AT]->(a)
WITH a, type(r) AS relation, collect(DISTINCT t.id) AS tenant_ids
RETURN a.id AS address_id, a.postcode AS postcode, a.line AS line, relation, size(tenant_ids) AS tenants, tenant_ids
ORDER BY address_id, relation
LIMIT $limit
