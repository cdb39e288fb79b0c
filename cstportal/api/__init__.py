"""The REST API's project-wide plumbing, shared by every app's API: the exception handler, JSON error bodies for
whatever else goes wrong under /api/, the bounded JSON parser, cursor pagination, throttling and the error answers'
OpenAPI descriptions. Each app serves its own endpoints (catalog/api/)."""
