// name: shared_phone_or_account
// description: People who share a phone or a bank account with a given person.
// param: person_id: string -- the person's resolved id
// param: limit: int = 1000 [1..100000] -- at most this many rows
// returns: person_id string, name string, shared_label string (Phone or Account), shared_id string
// dialects: portable; labels(e)[0] becomes label(e) on ladybug.
MATCH (p:Person {id: $person_id})-[:USES_PHONE|HOLDS]->(e)<-[:USES_PHONE|HOLDS]-(o:Person)
WHERE o.id <> p.id
RETURN DISTINCT o.id AS person_id, o.name AS name, labels(e)[0] AS shared_label, e.id AS shared_id
ORDER BY person_id, shared_label, shared_id
LIMIT $limit
