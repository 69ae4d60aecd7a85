"""Bulk issuance: many credentials from a CSV file or from a selection of submissions.

Every row is checked before anything is issued (`checks`); a confirmed job runs in the
background (`runner`, on the job queue of `app.jobs`), a chunk of rows per transaction, so
a killed worker's restart issues every row exactly once.
"""
