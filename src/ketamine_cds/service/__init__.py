"""Use cases: what a clinician asks of the product, wired to the domain and its ports."""
