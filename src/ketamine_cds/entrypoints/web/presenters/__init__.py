"""One presenter per result: a use case's answer turned into a template's view model."""
