"""Prometheus metrics of one app: request counts and latencies, and the served index's size."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    """Prometheus metrics of one app (its own registry: no process-wide singletons)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "ke_matcher_requests_total",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "ke_matcher_request_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.vectors = Gauge(
            "ke_matcher_index_vectors", "Vectors in the served index", registry=self.registry
        )
        self.profiles = Gauge(
            "ke_matcher_index_profiles", "Profiles in the served index", registry=self.registry
        )
        self.version = Gauge(
            "ke_matcher_index_version", "Served index version", registry=self.registry
        )
