"""The synthetic county: a generated world of organisations, people, records and ground truth."""
