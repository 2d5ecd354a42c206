// name: funnel_accounts
// description: Accounts receiving from many people's accounts and sweeping the money out to few accounts.
// param: min_senders: int = 5 [1..100000] -- at least this many distinct people pay in
// param: max_recipients: int = 2 [1..100000] -- money goes out to at most this many accounts
// param: min_recipients: int = 1 [0..100000] -- and to at least this many (0 lets pure sinks through)
// param: limit: int = 1000 [1..100000] -- at most this many rows
// returns: account_id string, senders int, payments_in int, total_in int, recipients int, total_out int
// dialects: portable (OPTIONAL MATCH + count instead of COUNT subqueries, which FalkorDB lacks). Payments an account makes to itself count neither in nor out.
MATCH (payer:Person)-[:HOLDS]->(src:Account)-[:PAID]->(f:Account)
WHERE src.id <> f.id
WITH f, count(DISTINCT payer) AS senders
WHERE senders >= $min_senders
MATCH (src:Account)-[pin:PAID]->(f)
WHERE src.id <> f.id
WITH f, senders, count(pin) AS payments_in, sum(pin.amount) AS total_in
OPTIONAL MATCH (f)-[pout:PAID]->(out:Account)
WHERE out.id <> f.id
WITH f, senders, payments_in, total_in, count(DISTINCT out.id) AS recipients, sum(pout.amount) AS total_out
WHERE recipients >= $min_recipients AND recipients <= $max_recipients
RETURN f.id AS account_id, senders, payments_in, total_in, recipients, total_out
ORDER BY senders DESC, account_id
LIMIT $limit
