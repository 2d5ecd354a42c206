// name: provenance
// description: Everything known about one entity with its sources: the entity, then every relationship, each with the source datasets and raw record ids behind it; for a Person of several records, also why they are one person (one row of kind 'resolution' whose other_id lists, joined with ' | ', per linked record '<record>: <rule> w=<match weight> to <record> via <shared neighbours>').
// param: label: string = Person {Person|Phone|Address|Account|Business|Vehicle|Postcode} literal -- the entity's label
// param: entity_id: string -- the entity's id
// param: limit: int = 10000 [1..100000] -- at most this many rows
// returns: kind string (entity, relationship or resolution), rel_type string, direction string (out or in), other_label string, other_id string, event_id string, sources string[], record_ids string[], first_seen string, last_seen string
// dialects: portable; the entity's own properties come from the query `entity`. Event relationships (PAID, CALLED, SEEN_AT, SEEN_IN) give one row per event. The resolution row matches a Person by the same id whatever the label (ids of other labels never look like a person id), so every engine binds the query; a Person without an explanation (one record, or tables written without one) gives none.
MATCH (n:{{label}} {id: $entity_id})
RETURN 'entity' AS kind, '' AS rel_type, '' AS direction, '' AS other_label, n.id AS other_id, '' AS event_id, n.sources AS sources, n.record_ids AS record_ids, '' AS first_seen, '' AS last_seen
UNION ALL
MATCH (n:{{label}} {id: $entity_id})-[r]->(m)
RETURN 'relationship' AS kind, type(r) AS rel_type, 'out' AS direction, labels(m)[0] AS other_label, m.id AS other_id, coalesce(r.id, '') AS event_id, r.sources AS sources, r.record_ids AS record_ids, coalesce(r.first_seen, '') AS first_seen, coalesce(r.last_seen, '') AS last_seen
UNION ALL
MATCH (n:{{label}} {id: $entity_id})<-[r]-(m)
RETURN 'relationship' AS kind, type(r) AS rel_type, 'in' AS direction, labels(m)[0] AS other_label, m.id AS other_id, coalesce(r.id, '') AS event_id, r.sources AS sources, r.record_ids AS record_ids, coalesce(r.first_seen, '') AS first_seen, coalesce(r.last_seen, '') AS last_seen
UNION ALL
MATCH (p:Person {id: $entity_id})
WHERE p.resolution IS NOT NULL
RETURN 'resolution' AS kind, '' AS rel_type, '' AS direction, 'Person' AS other_label, p.resolution AS other_id, '' AS event_id, p.sources AS sources, p.record_ids AS record_ids, '' AS first_seen, '' AS last_seen
