"""Relay: human-in-the-loop AI content workflows on AWS serverless."""

__version__ = "0.1.0"
