// name: entity
// description: One entity's properties, sources and raw record ids (the header row of its provenance).
// param: label: string = Person {Person|Phone|Address|Account|Business|Vehicle|Postcode} literal -- the entity's label
// param: entity_id: string -- the entity's id
// returns: label string, id string, properties map (every property, scores included), sources string[], record_ids string[]
// dialects: properties(n) includes null properties on ladybug and omits them on Neo4j and FalkorDB; the runner's results are compared without nulls.
MATCH (n:{{label}} {id: $entity_id})
RETURN labels(n)[0] AS label, n.id AS id, properties(n) AS properties, n.sources AS sources, n.record_ids AS record_ids
