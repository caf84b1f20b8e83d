"""data_preprocessors."""
