"""What every destination shares: sync records and outcomes, the write-safe HTTP client, create-once."""
