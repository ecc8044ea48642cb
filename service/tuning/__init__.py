"""Tuning across workers: a study on the jobs' Redis, helper jobs that run its trials."""
