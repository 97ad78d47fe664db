"""Running the service: request ids and the access log, /metrics, /readyz, jobs' gauges."""
