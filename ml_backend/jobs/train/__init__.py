"""Training one tabular model: classification or regression."""
