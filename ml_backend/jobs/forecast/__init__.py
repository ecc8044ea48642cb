"""Forecasting a numeric series over time."""
