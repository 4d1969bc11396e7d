"""Digest: stories, the digest, its rendering and chart, and delivery to channels."""
