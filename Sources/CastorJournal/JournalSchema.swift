import GRDB

/// The journal's versioned schema.
///
/// Migrations are append-only: a released migration is never edited, a change is a new
/// migration. Opening a file that lists a migration this build does not know fails with
/// `JournalError.newerSchema` rather than writing rows an older reader would misinterpret.
enum JournalSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            // Decimals are TEXT: SQLite's REAL is a binary double and would round prices.
            // Tables are STRICT so a value of the wrong type is refused, not coerced.
            try db.execute(sql: """
                CREATE TABLE intents (
                    client_order_id TEXT PRIMARY KEY NOT NULL,
                    strategy TEXT NOT NULL,
                    symbol TEXT NOT NULL,
                    side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
                    price TEXT,
                    amount TEXT NOT NULL,
                    options TEXT NOT NULL DEFAULT '',
                    created_ms INTEGER NOT NULL,
                    state TEXT NOT NULL
                ) STRICT;
                CREATE INDEX intents_open ON intents(state, created_ms);

                -- Append-only; no foreign key to intents so that events of orders Castor did
                -- not place (seen during reconciliation) are still kept for the audit trail.
                CREATE TABLE order_events (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    client_order_id TEXT NOT NULL,
                    order_id TEXT,
                    state TEXT NOT NULL,
                    executed TEXT,
                    remaining TEXT,
                    reason TEXT,
                    ts_ms INTEGER NOT NULL,
                    source TEXT NOT NULL CHECK (source IN ('rest', 'ws', 'reconcile'))
                ) STRICT;
                CREATE INDEX order_events_by_client ON order_events(client_order_id, seq);

                CREATE TABLE fills (
                    trade_id TEXT PRIMARY KEY NOT NULL,
                    order_id TEXT NOT NULL,
                    client_order_id TEXT,
                    symbol TEXT NOT NULL,
                    side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
                    price TEXT NOT NULL,
                    amount TEXT NOT NULL,
                    fee TEXT NOT NULL,
                    fee_currency TEXT NOT NULL,
                    liquidity TEXT CHECK (liquidity IN ('maker', 'taker')),
                    ts_ms INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX fills_by_symbol ON fills(symbol, ts_ms);
                CREATE INDEX fills_by_order ON fills(order_id);

                CREATE TABLE meta (
                    key TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL
                ) STRICT;
                """)
        }
        migrator.registerMigration("v2-positions") { db in
            // Running per-symbol totals, updated in the same transaction as each new fill
            // (`Journal.insert`), so a start reads a few rows instead of every fill ever made.
            // Exact decimal TEXT, like the fills themselves.
            try db.execute(sql: """
                CREATE TABLE positions (
                    symbol TEXT PRIMARY KEY NOT NULL,
                    base TEXT NOT NULL,
                    quote TEXT NOT NULL,
                    fill_count INTEGER NOT NULL,
                    last_fill_ms INTEGER NOT NULL
                ) STRICT;
                CREATE TABLE position_fees (
                    symbol TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    amount TEXT NOT NULL,
                    PRIMARY KEY (symbol, currency)
                ) STRICT;
                """)
            // Backfilled once from the fills already journaled (the only full scan, ever).
            try Journal.backfillPositions(db)
        }
        return migrator
    }
}
