"""The HTTP doors: the REST API and the web pages, both thin over the services."""
