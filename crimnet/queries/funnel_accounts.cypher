// name: funnel_accounts
// description: Accounts receiving from many people's accounts and sweeping the money out to few accounts.
// param: min_senders: int = 5 [1..100000] -- at least this many distinct people pay in
// param: max_recipients: int = 2 [1..100000] -- money goes out to at most this many accounts
// param: min_recipients: int = 1 [0..100000] -- and to at least this many (0 lets pure sinks through)
// param: limit: int = 1000 [1..100000] -- at most this many rows
// returns: account_id string, currency string, senders int, payments_in int, total_in_amount int (minor units), recipients int, total_out_amount int (minor units)
// dialects: portable (OPTIONAL MATCH + count instead of COUNT subqueries, which FalkorDB lacks). One row per funnel account and currency paid in: amounts in minor units of that currency are never added across currencies (total_out_amount counts the payments out in the same currency; null when there are none); senders and recipients count every currency. Payments an account makes to itself count neither in nor out.
MATCH (payer:Person)-[:HOLDS]->(src:Account)-[:PAID]->(f:Account)
WHERE src.id <> f.id
WITH f, count(DISTINCT payer) AS senders
WHERE senders >= $min_senders
OPTIONAL MATCH (f)-[:PAID]->(out:Account)
WHERE out.id <> f.id
WITH f, senders, count(DISTINCT out.id) AS recipients
WHERE recipients >= $min_recipients AND recipients <= $max_recipients
MATCH (src:Account)-[pin:PAID]->(f)
WHERE src.id <> f.id
WITH f, senders, recipients, pin.currency AS currency, count(pin) AS payments_in, sum(pin.amount) AS total_in_amount
OPTIONAL MATCH (f)-[pout:PAID]->(out:Account)
WHERE out.id <> f.id AND coalesce(pout.currency, '') = coalesce(currency, '')
WITH f, currency, senders, payments_in, total_in_amount, recipients, sum(pout.amount) AS total_out_amount
RETURN f.id AS account_id, currency, senders, payments_in, total_in_amount, recipients, total_out_amount
ORDER BY senders DESC, account_id, currency
LIMIT $limit
