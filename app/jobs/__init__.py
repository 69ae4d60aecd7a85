"""Background jobs on huey: the queue, its tasks, and the consumers that run them.

A feature registers its tasks here at import (`task`, `periodic`, `on_worker_start`); the
queue of an application (`job_queue`) is built on first use from LAUREL_JOBS_URL:
SQLite in the instance folder by default, Redis in production, or `immediate` (tests whose
point is not the queue). The development server runs a consumer in background threads;
production runs `laurel jobs worker`.
"""
