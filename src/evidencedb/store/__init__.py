"""The database: table models, column types, engines, the transaction primitive and migrations."""
