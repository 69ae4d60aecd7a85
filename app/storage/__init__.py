"""Stored files (evidence, badge images): a local directory or an S3-compatible bucket."""
