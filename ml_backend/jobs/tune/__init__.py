"""Tuning an algorithm's hyperparameters with Optuna."""
