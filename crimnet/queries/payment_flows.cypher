// name: payment_flows
// description: Money flowing out of one account over N payment hops, totalled per pair of accounts.
// param: account_id: string -- the account to follow
// param: hops: int = 2 [1..4] literal -- payment hops to follow (inlined)
// param: limit: int = 5000 [1..100000] -- at most this many rows
// returns: from_account string, to_account string, payments int, total_amount int (minor units), currency string
// dialects: portable. Pairs are the payments between accounts reached from account_id (or account_id itself) into a reached account.
MATCH (a:Account {id: $account_id})-[:PAID*1..{{hops}}]->(b:Account)
WITH DISTINCT b
WITH collect(b.id) AS reached
UNWIND reached AS to_id
MATCH (x:Account)-[p:PAID]->(y:Account {id: to_id})
WHERE x.id = $account_id OR x.id IN reached
RETURN x.id AS from_account, y.id AS to_account, count(p) AS payments, sum(p.amount) AS total_amount, p.currency AS currency
ORDER BY total_amount DESC, from_account, to_account
LIMIT $limit
