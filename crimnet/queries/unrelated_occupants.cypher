// name: unrelated_occupants
// description: Addresses with many occupants who share no family name (a sign of an HMO used to house workers).
// param: min_occupants: int = 5 [2..1000] -- at least this many occupants
// param: min_surnames: int = 4 [1..1000] -- at least this many distinct family names among them
// param: limit: int = 1000 [1..100000] -- at most this many rows
// returns: address_id string, postcode string, occupants int, surnames int, person_ids string[] (in no particular order)
// dialects: the family name is the last word of Person.name; split() becomes string_split() on ladybug.
MATCH (p:Person)-[:LIVES_AT]->(a:Address)
WITH a, count(DISTINCT p) AS occupants, count(DISTINCT split(p.name, ' ')[-1]) AS surnames, collect(p.id) AS person_ids
WHERE occupants >= $min_occupants AND surnames >= $min_surnames
RETURN a.id AS address_id, a.postcode AS postcode, occupants, surnames, person_ids
ORDER BY surnames DESC, occupants DESC, address_id
LIMIT $limit
