// name: shortest_connection
// description: The shortest connections between two people through any entities (all shortest paths).
// param: person_a: string -- one person's id
// param: person_b: string -- the other person's id
// param: max_hops: int = 4 [1..6] literal -- longest path considered (inlined)
// param: limit: int = 100 [1..10000] -- at most this many paths
// returns: hops int, path string[] ('Label:id' per node), rel_types string[]
// dialects: one person with themself gives no rows (Neo4j's allShortestPaths refuses equal ends). ladybug cannot ORDER BY a list, so its rows come in no particular order within a length. Neo4j uses allShortestPaths; ladybug has a variant with ALL SHORTEST and list_transform; FalkorDB's shortestPath fails over Bolt, so its variant enumerates paths up to max_hops and keeps the shortest.
MATCH (a:Person {id: $person_a}), (b:Person {id: $person_b})
WHERE a.id <> b.id
MATCH p = allShortestPaths((a)-[*..{{max_hops}}]-(b))
RETURN DISTINCT length(p) AS hops, [n IN nodes(p) | labels(n)[0] + ':' + n.id] AS path, [r IN relationships(p) | type(r)] AS rel_types
ORDER BY hops, path, rel_types
LIMIT $limit
// --- variant: ladybug ---
MATCH p = (a:Person {id: $person_a})-[* ALL SHORTEST 1..{{max_hops}}]-(b:Person {id: $person_b})
WHERE a.id <> b.id
RETURN DISTINCT length(p) AS hops, list_transform(nodes(p), n -> label(n) + ':' + n.id) AS path, list_transform(rels(p), r -> label(r)) AS rel_types
ORDER BY hops
LIMIT $limit
// --- variant: falkordb ---
MATCH p = (a:Person {id: $person_a})-[*1..{{max_hops}}]-(b:Person {id: $person_b})
WHERE a.id <> b.id
WITH collect(p) AS ps, min(length(p)) AS best
UNWIND ps AS p
WITH p, best WHERE length(p) = best
RETURN DISTINCT length(p) AS hops, [n IN nodes(p) | labels(n)[0] + ':' + n.id] AS path, [r IN relationships(p) | type(r)] AS rel_types
ORDER BY hops, path, rel_types
LIMIT $limit
