// name: person_network
// description: Everything within N hops of one person, across all entity and relationship types.
// param: person_id: string -- the person's resolved id
// param: hops: int = 2 [1..4] literal -- hops to expand (Cypher takes no parameter in a path length)
// param: limit: int = 5000 [1..100000] -- at most this many rows
// returns: label string, id string, name string (people and businesses, else null)
// dialects: variable-length bounds are literal everywhere; DISTINCT end nodes keep Neo4j's pruning expand.
MATCH (p:Person {id: $person_id})-[*1..{{hops}}]-(n)
WITH DISTINCT n
WHERE NOT (labels(n)[0] = 'Person' AND n.id = $person_id)
RETURN labels(n)[0] AS label, n.id AS id, n.name AS name
ORDER BY label, id
LIMIT $limit
