"""Reading the database: filters, flat fact views, CSV export and read-only SQL."""
