"""govstd adapter for the BETA enterprise-registration export (see ``beta-reg.toml``)."""
