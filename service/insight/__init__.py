"""Partnership insight as the service shows it: pages, reports and their charts."""
