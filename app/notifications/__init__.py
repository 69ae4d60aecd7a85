"""Email notifications: an outbox in the database, sent by the job queue over SMTP."""
