"""Ways into the product: the command line now; the HTTP API and web pages later."""
