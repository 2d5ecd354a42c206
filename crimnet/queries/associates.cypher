// name: associates
// description: People named as a person's associates (ASSOCIATE_OF, in either direction), with the sources' own wording and the sources and records behind each.
// param: person_id: string -- the person's resolved id
// param: limit: int = 1000 [1..100000] -- at most this many rows per direction
// returns: associate_id string, name string, direction string (out: the person is named with them as associate; in: they are named with the person as associate), wording string (distinct wordings joined with ' | '), sources string[], record_ids string[]
// dialects: portable; a UNION ALL of the two directions, each ordered and limited on its own.
MATCH (p:Person {id: $person_id})-[r:ASSOCIATE_OF]->(o:Person)
RETURN o.id AS associate_id, o.name AS name, 'out' AS direction, r.wording AS wording, r.sources AS sources, r.record_ids AS record_ids
ORDER BY associate_id
LIMIT $limit
UNION ALL
MATCH (p:Person {id: $person_id})<-[r:ASSOCIATE_OF]-(o:Person)
RETURN o.id AS associate_id, o.name AS name, 'in' AS direction, r.wording AS wording, r.sources AS sources, r.record_ids AS record_ids
ORDER BY associate_id
LIMIT $limit
