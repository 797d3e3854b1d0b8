"""Operations: readiness, worker heartbeat, Prometheus metrics and structured request logs.

Nothing here changes what a page does; it only tells an operator (or a load balancer, or
Prometheus) how the site is doing. See the README's "Operations" section.
"""
