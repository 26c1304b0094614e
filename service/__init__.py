"""The edges of ke-matcher: settings, wiring, the HTTP API and the command line."""
