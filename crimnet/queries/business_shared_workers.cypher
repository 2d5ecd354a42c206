// name: business_shared_workers
// description: Businesses whose workers share addresses or phones (workers housed or managed together).
// param: min_sharing: int = 3 [2..1000] -- at least this many of one business's workers share one address or phone
// param: limit: int = 1000 [1..100000] -- at most this many rows
// returns: business_id string, name string, sector string, shared_entities int, max_sharing int, workers_sharing int
// dialects: portable; labels() is not needed.
MATCH (b:Business)<-[:WORKS_AT]-(w:Person)-[:LIVES_AT|USES_PHONE]->(e)
WITH b, e, collect(DISTINCT w.id) AS ws
WHERE size(ws) >= $min_sharing
UNWIND ws AS wid
WITH b, count(DISTINCT e) AS shared_entities, max(size(ws)) AS max_sharing, count(DISTINCT wid) AS workers_sharing
RETURN b.id AS business_id, b.name AS name, b.sector AS sector, shared_entities, max_sharing, workers_sharing
ORDER BY workers_sharing DESC, max_sharing DESC, business_id
LIMIT $limit
