"""Outbound HTTP to addresses a workflow names (media.ingest_url): SSRF-safe by construction."""
