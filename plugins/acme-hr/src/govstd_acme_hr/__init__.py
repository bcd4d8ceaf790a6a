"""govstd adapter for the ACME HR household-register export (see ``acme-hr.toml``)."""
